# checks/net.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_blocklists.c
checks_libmxcheck_a_SOURCES += checks/check_mx.c checks/mx.h checks/check_ptr.c

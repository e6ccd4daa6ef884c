# checks/spf.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_spf.c checks/spf.h

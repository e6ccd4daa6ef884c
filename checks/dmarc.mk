# checks/dmarc.mk - file lists for this area (included by Makefile.am).
checks_libmxcheck_a_SOURCES += checks/check_dkim.c
checks_libmxcheck_a_SOURCES += checks/check_dmarc.c

# checks/flow.mk - the six-step fix flow and the bounce reader.
checks_libmxcheck_a_SOURCES += checks/flow.c checks/flow.h checks/bounce_report.h

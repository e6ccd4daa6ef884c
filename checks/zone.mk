# checks/zone.mk - the zone-file resolver backend, the demo zone, and the
# unit tests of the DNS layer (parser, resolver, zone backend).
checks_libmxcheck_a_SOURCES += checks/resolver_zone.c checks/resolver_zone.h
dist_pkgdata_DATA += data/demo.zone

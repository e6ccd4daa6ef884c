# tests/fuzz/fuzz.mk - fuzz targets.  Each tests/fuzz/fuzz_<name>.c defines
# LLVMFuzzerTestOneInput over one parser.  `make check` replays each target's
# corpus (seeds and past crashes, tests/fuzz/corpus/<name>/) with the normal
# build; `make fuzz` builds the libFuzzer binaries with clang, and
# scripts/fuzz.sh runs them (see docs/FUZZING.md).
REPLAY_CFLAGS = $(TEST_CFLAGS)

check_PROGRAMS += tests/fuzz/replay_dns tests/fuzz/replay_sanitize
TESTS += tests/fuzz/replay_dns tests/fuzz/replay_sanitize
tests_fuzz_replay_dns_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_dns.c
tests_fuzz_replay_dns_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"dns"'
tests_fuzz_replay_dns_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_sanitize_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_sanitize.c
tests_fuzz_replay_sanitize_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"sanitize"'
tests_fuzz_replay_sanitize_LDADD = $(ENGINE_LIBS)

EXTRA_DIST += tests/fuzz/corpus scripts/fuzz.sh

fuzz:
	$(SHELL) $(top_srcdir)/scripts/fuzz.sh build
.PHONY: fuzz

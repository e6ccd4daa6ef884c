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

# Parsers of the checks (one replay program each).
check_PROGRAMS += tests/fuzz/replay_bounce tests/fuzz/replay_smtp tests/fuzz/replay_mta_sts tests/fuzz/replay_dmarc tests/fuzz/replay_dkim
TESTS += tests/fuzz/replay_bounce tests/fuzz/replay_smtp tests/fuzz/replay_mta_sts tests/fuzz/replay_dmarc tests/fuzz/replay_dkim
tests_fuzz_replay_bounce_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_bounce.c
tests_fuzz_replay_bounce_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"bounce"'
tests_fuzz_replay_bounce_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_smtp_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_smtp.c
tests_fuzz_replay_smtp_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"smtp"'
tests_fuzz_replay_smtp_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_mta_sts_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_mta_sts.c
tests_fuzz_replay_mta_sts_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"mta_sts"'
tests_fuzz_replay_mta_sts_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_dmarc_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_dmarc.c
tests_fuzz_replay_dmarc_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"dmarc"'
tests_fuzz_replay_dmarc_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_dkim_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_dkim.c
tests_fuzz_replay_dkim_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"dkim"'
tests_fuzz_replay_dkim_LDADD = $(ENGINE_LIBS)

# SPF records and macro-strings, DKIM-Signature headers alone, zone files.
check_PROGRAMS += tests/fuzz/replay_spf tests/fuzz/replay_spf_macro tests/fuzz/replay_dkim_sig tests/fuzz/replay_zone
TESTS += tests/fuzz/replay_spf tests/fuzz/replay_spf_macro tests/fuzz/replay_dkim_sig tests/fuzz/replay_zone
tests_fuzz_replay_spf_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_spf.c
tests_fuzz_replay_spf_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"spf"'
tests_fuzz_replay_spf_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_spf_macro_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_spf_macro.c
tests_fuzz_replay_spf_macro_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"spf_macro"'
tests_fuzz_replay_spf_macro_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_dkim_sig_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_dkim_sig.c
tests_fuzz_replay_dkim_sig_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"dkim_sig"'
tests_fuzz_replay_dkim_sig_LDADD = $(ENGINE_LIBS)
tests_fuzz_replay_zone_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_zone.c
tests_fuzz_replay_zone_CFLAGS = $(REPLAY_CFLAGS) -DFUZZ_TARGET='"zone"'
tests_fuzz_replay_zone_LDADD = $(ENGINE_LIBS)

EXTRA_DIST += tests/fuzz/corpus scripts/fuzz.sh

fuzz:
	$(SHELL) $(top_srcdir)/scripts/fuzz.sh build
.PHONY: fuzz

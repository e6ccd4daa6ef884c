/* test_bounce_corpus.c - the bounce reader against sisimai's set-of-emails
 * corpus ($SHARED_TESTDATA/bounces, read in place, never modified).
 *
 * 1. Every file under the corpus (maildir and mailbox, mbox files too) is
 *    read without a crash; the parse must not take pathologically long.
 * 2. Enhanced-code agreement over expected.json entries whose code is a
 *    registry code found in the mail (in_email, not synthetic, not unstable):
 *    target >= 98 %.
 * 3. Category agreement where sisimai's reason maps to one category:
 *    target >= 90 %.
 * TAP; the numbers go to diag lines, and with --md FILE to a Markdown table.
 * -v lists every disagreement. */
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounce.h"
#include "util.h"

static struct bounce_patterns patterns;
static int files, found, tests;
static double slowest;
static char slowest_name[512];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)ftw;
	if (type != FTW_F || strstr(path, "expected.json") || strstr(path, "/LICENSE") || strstr(path, "/README") ||
	    strstr(path, "/SOURCE"))
		return 0;
	size_t len;
	char *err = NULL;
	char *buf = read_file(path, 64u << 20, &len, &err);
	if (!buf) {
		printf("# cannot read %s: %s\n", path, err);
		free(err);
		return 0;
	}
	struct bounce b;
	double t0 = now_s();
	bool ok = bounce_parse(buf, len, &patterns, &b);
	double dt = now_s() - t0;
	if (dt > slowest) {
		slowest = dt;
		snprintf(slowest_name, sizeof(slowest_name), "%s", path);
	}
	files++;
	found += ok;
	bounce_free(&b);
	free(buf);
	return 0;
}

static const char *reason_category(const char *r)
{
	if (!strcmp(r, "userunknown"))
		return "recipient-address";
	if (!strcmp(r, "mailboxfull") || !strcmp(r, "suspend"))
		return "recipient-mailbox";
	if (!strcmp(r, "hostunknown"))
		return "routing";
	if (!strcmp(r, "authfailure") || !strcmp(r, "requireptr"))
		return "sender-authentication";
	if (!strcmp(r, "blocked"))
		return "sender-reputation";
	return NULL;
}

static bool jbool(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

int main(int argc, char **argv)
{
	const char *md = NULL;
	bool verbose = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--md") && i + 1 < argc)
			md = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
	}
	const char *shared = getenv("SHARED_TESTDATA");
	const char *datadir = getenv("MXAUDIT_DATADIR");
	char *corpus = xasprintf("%s/bounces", shared ? shared : "../shared/testdata");
	char *exp_path = xasprintf("%s/expected.json", corpus);
	FILE *probe = fopen(exp_path, "r");
	if (!probe) {
		printf("1..0 # SKIP no corpus at %s\n", corpus);
		return 0;
	}
	fclose(probe);
	char *pp = xasprintf("%s/bounce-patterns.txt", datadir ? datadir : "data");
	char *err = NULL;
	if (!bounce_patterns_load(&patterns, pp, &err)) {
		printf("1..1\nnot ok 1 - load patterns: %s\n", err);
		return 1;
	}
	printf("1..4\n");

	double t0 = now_s();
	int rc = nftw(corpus, visit, 16, FTW_PHYS);
	double total = now_s() - t0;
	printf("# %d files read in %.2f s (slowest %.3f s: %s), %d with a code\n", files, total, slowest, slowest_name,
	       found);
	printf("%s %d - every corpus file read without a crash\n", rc == 0 && files > 800 ? "ok" : "not ok", ++tests);
	/* No timing assertion beyond a gross one: a hang shows here. */
	printf("%s %d - no file takes more than 2 s\n", slowest < 2.0 ? "ok" : "not ok", ++tests);

	json_object *exp = json_object_from_file(exp_path);
	int code_n = 0, code_ok = 0, cat_n = 0, cat_ok = 0;
	struct strbuf miss;
	strbuf_init(&miss);
	json_object_object_foreach(exp, file, list)
	{
		if (json_object_array_length(list) < 1)
			continue;
		json_object *e = json_object_array_get_idx(list, 0);
		char *path = xasprintf("%s/%s", corpus, file);
		size_t len;
		char *buf = read_file(path, 64u << 20, &len, &err);
		free(path);
		if (!buf) {
			free(err);
			err = NULL;
			continue;
		}
		struct bounce b;
		bounce_parse(buf, len, &patterns, &b);
		const char *status = jstr(e, "status");
		if (jbool(e, "in_email") && !jbool(e, "synthetic") && !jbool(e, "unstable") && *status) {
			code_n++;
			/* A file with several recipients: any of its codes counts. */
			bool hit = false;
			for (size_t i = 0; i < json_object_array_length(list); i++)
				hit = hit || !strcmp(jstr(json_object_array_get_idx(list, i), "status"), b.enhanced_code);
			if (hit)
				code_ok++;
			else if (verbose)
				strbuf_addf(&miss, "# code  %s: want %s got %s\n", file, status, b.enhanced_code);
		}
		const char *want = reason_category(jstr(e, "reason"));
		if (want && !jbool(e, "unstable")) {
			cat_n++;
			const char *got = bounce_category_name(b.category);
			if (!strcmp(want, got))
				cat_ok++;
			else if (verbose)
				strbuf_addf(&miss, "# cat   %s: want %s (%s) got %s [%s] code %s %s\n", file, want,
				            jstr(e, "reason"), got, b.matched_pattern ? b.matched_pattern : "-", b.reply_code,
				            b.enhanced_code);
		}
		bounce_free(&b);
		free(buf);
	}
	json_object_put(exp);
	double code_pct = code_n ? 100.0 * code_ok / code_n : 0, cat_pct = cat_n ? 100.0 * cat_ok / cat_n : 0;
	if (miss.len)
		fputs(miss.s, stdout);
	printf("# enhanced code: %d of %d (%.1f %%) agree\n", code_ok, code_n, code_pct);
	printf("# category: %d of %d (%.1f %%) agree\n", cat_ok, cat_n, cat_pct);
	printf("%s %d - enhanced code agreement %.1f %% >= 98 %%\n", code_pct >= 98.0 ? "ok" : "not ok", ++tests,
	       code_pct);
	printf("%s %d - category agreement %.1f %% >= 90 %%\n", cat_pct >= 90.0 ? "ok" : "not ok", ++tests, cat_pct);
	if (md) {
		FILE *f = fopen(md, "w");
		if (f) {
			fprintf(f,
			        "# Bounce reader conformance\n\n"
			        "Measured by `tests/test_bounce_corpus` (run by `make check`) over sisimai's set-of-emails\n"
			        "corpus in `../shared/testdata/bounces` (read in place). Regenerate with\n"
			        "`tests/test_bounce_corpus --md docs/bounce-conformance.md` from a build directory\n"
			        "(`SHARED_TESTDATA` and `MXAUDIT_DATADIR` set as `make check` sets them).\n\n"
			        "| measure | result | target |\n| --- | --- | --- |\n"
			        "| files read without crash or hang (maildir, mailbox, mbox) | %d of %d | all |\n"
			        "| enhanced code equal to sisimai's (registry code present in the mail: `in_email`, not "
			        "`synthetic`, not `unstable`) | %d of %d (%.1f %%) | >= 98 %% |\n"
			        "| category agrees with sisimai's reason where it maps | %d of %d (%.1f %%) | >= 90 %% |\n\n"
			        "Reason to category: userunknown -> recipient-address; mailboxfull, suspend -> "
			        "recipient-mailbox; hostunknown -> routing; authfailure, requireptr -> "
			        "sender-authentication; blocked -> sender-reputation. Files with several recipients count "
			        "as agreeing when the decoded code is any of theirs; the category is compared with the first "
			        "recipient's reason. A 4xx bounce is always `temporary` here (CONVENTIONS.md), so a "
			        "4xx mailboxfull counts as a disagreement.\n",
			        files, files, code_ok, code_n, code_pct, cat_ok, cat_n, cat_pct);
			fclose(f);
		}
	}
	strbuf_free(&miss);
	bounce_patterns_free(&patterns);
	free(pp);
	free(corpus);
	free(exp_path);
	return 0;
}

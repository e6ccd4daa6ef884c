/* audit.h - the audit model: one run over a domain (and optionally a sending
 * IP), made of seven checks and the six steps of the fix flow.
 *
 * No ncurses here: the TUI, the JSON/Markdown reports and the tests all read
 * this model.  The UI never gets callbacks from the network; it looks at
 * audit->dirty after each loop pass and redraws (the tmux way).
 *
 * A check is a const struct check_class (one file each, check_*.c, listed
 * in check_table[]) plus a struct check holding its run-time state.  Checks
 * do their DNS through check_query(), which counts outstanding work and logs
 * every query and answer as evidence.  When a check has nothing outstanding
 * any more the audit calls its finish() once and marks it done; a check that
 * waits for something other than DNS (TLS probes, another check) holds
 * itself with check_hold() / check_release(). */
#ifndef MXAUDIT_AUDIT_H
#define MXAUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "status.h"
#include "textlines.h"
#include "util.h"

struct evloop;
struct resolver;
struct json_object;
struct audit;
struct check;
struct bounce;

enum check_id {
	CHECK_SPF = 0,
	CHECK_DKIM,
	CHECK_DMARC,
	CHECK_PTR,
	CHECK_MX,
	CHECK_TLS,
	CHECK_BLOCKLISTS,
	CHECK_COUNT
};

/* What the operator gave us.  Strings are owned by the input. */
struct audit_input {
	char *domain;      /* normalised, required */
	char *ip;          /* canonical text, or NULL */
	int ip_family;     /* AF_INET / AF_INET6 when ip is set */
	unsigned char ip_addr[16];
	char *from_domain; /* default: domain */
	char *mail_from;   /* default: postmaster@domain */
	char *helo;        /* default: domain */
	char *rcpt;        /* recipient address for step 2, or NULL */
	struct strlist selectors; /* DKIM selectors given with --selector */
	char *bounce_text; /* pasted bounce / message, or NULL */
	size_t bounce_len;
	char *blocklists_file; /* --blocklists, or NULL for the built-in list */
	char *ca_file;     /* --ca-file */
	int smtp_port;     /* default 25 */
	struct strlist connect_to; /* HOST:PORT:ADDR:PORT */
	unsigned enabled;  /* bit per enum check_id */
	int timeout_ms;    /* per query / per phase */
	bool offline;      /* --demo: no connection leaves the machine (probes say so) */
};

void audit_input_init(struct audit_input *in);
void audit_input_free(struct audit_input *in);
/* Fill defaults that depend on the domain (from_domain, mail_from, helo). */
void audit_input_finish(struct audit_input *in);
void audit_input_copy(struct audit_input *dst, const struct audit_input *src);

struct finding {
	char *id;       /* stable, "spf.too-many-lookups" */
	enum status status;
	char *message;  /* plain sentence */
	char *evidence; /* record / reply it rests on, or NULL */
	char *fix;      /* what to do (a record to publish), or NULL */
};

typedef void (*check_dns_cb)(struct check *c, void *arg, struct dns_answer *answer);

struct check_class {
	const char *name;  /* "spf": JSON key and --only/--skip name */
	const char *title; /* "SPF": pane title */
	/* Start the work: queries through check_query(). May finish at once. */
	void (*start)(struct check *c);
	/* Nothing outstanding any more: compute findings, summary and status
	 * (check_set_status) - or leave status PENDING and the audit derives it
	 * from the findings. Must not start new work. May be NULL. */
	void (*finish)(struct check *c);
	/* Another check finished (for cross-check needs, e.g. DMARC alignment
	 * needs SPF and DKIM). May be NULL. */
	void (*peer_done)(struct check *c, const struct check *peer);
	/* Add the check-specific JSON fields to obj (see CONVENTIONS.md); must
	 * add them, as nulls, even when skipped or not done. */
	void (*json)(const struct check *c, struct json_object *obj);
	/* Evidence and explanation lines for the detail view. May be NULL. */
	void (*detail)(const struct check *c, struct textlines *out);
	/* Free c->state. May be NULL. */
	void (*free_state)(struct check *c);
};

struct check {
	const struct check_class *cls;
	enum check_id id;
	struct audit *audit;
	enum status status; /* PENDING until done */
	char *summary;      /* one line for the pane title area */
	struct finding *findings;
	size_t nfindings, findings_cap;
	struct textlines log; /* every query and answer, in order (evidence) */
	void *state;          /* class-private */
	int outstanding;      /* queries in flight + holds */
	bool started, done;
	int64_t started_ms, done_ms;
};

/* The six steps of the fix flow (flow.c). */
enum { STEP_COUNT = 6 };
struct step {
	int number;          /* 1..6 */
	const char *title;   /* "Read the bounce" */
	enum status status;
	char *summary;
	struct textlines text; /* the walkthrough: what was found, why, the fix */
};

struct audit {
	struct audit_input in;
	struct evloop *loop;
	struct resolver *resolver; /* owned; freeing the audit cancels queries */
	struct check checks[CHECK_COUNT];
	struct step steps[STEP_COUNT];
	struct bounce *bounce;     /* decoded bounce, or NULL */
	int first_step;            /* step the bounce points to (1 when none) */
	bool dirty;                /* something changed since the UI last drew */
	bool done;                 /* every check done */
	int64_t started_ms, done_ms;
	/* Called once when every check is done (may be NULL). */
	void (*on_done)(struct audit *a, void *arg);
	void *on_done_arg;
};

extern const struct check_class *const check_table[CHECK_COUNT];
/* enum check_id for a name ("spf"), or -1. */
int check_id_from_name(const char *name);

/* Create an audit on the given loop; resolver is taken over (owned). */
struct audit *audit_new(struct evloop *loop, struct resolver *resolver, const struct audit_input *in);
void audit_start(struct audit *a);
void audit_free(struct audit *a);
/* Overall status: worst of the checks (and steps). */
enum status audit_status(const struct audit *a);

/* --- for check implementations --- */

/* Query through the audit's resolver; the answer is logged in c->log and
 * cb runs with it (borrowed).  Counts as outstanding work until cb returns. */
void check_query(struct check *c, const char *name, uint16_t type, unsigned flags, check_dns_cb cb, void *arg);
/* Outstanding work that is not a DNS query (a TLS probe, waiting for a peer). */
void check_hold(struct check *c);
void check_release(struct check *c);

/* Add a finding (strings copied; evidence and fix may be NULL). */
struct finding *check_add_finding(struct check *c, enum status st, const char *id, const char *evidence,
                                  const char *fix, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void check_set_summary(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the final status explicitly (otherwise: worst finding, pass if none). */
void check_set_status(struct check *c, enum status st);
/* Mark the model changed so the UI redraws. */
void check_touch(struct check *c);

const struct check *audit_check(const struct audit *a, enum check_id id);
bool audit_check_enabled(const struct audit *a, enum check_id id);

#endif

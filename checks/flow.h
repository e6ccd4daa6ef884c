/* flow.h - the six-step fix flow as a view over the checks.
 *
 * Step 1 reads the bounce (when one was given) and decides where the
 * operator should start; steps 2-5 take their status from the checks they
 * cover; step 6 collects the fixes.  The audit calls flow_update() whenever
 * a check finishes, so the walkthrough fills in live. */
#ifndef MXAUDIT_FLOW_H
#define MXAUDIT_FLOW_H

#include "audit.h"

void flow_init(struct audit *a);   /* titles, statuses PENDING */
void flow_start(struct audit *a);  /* read the bounce, pick the first step */
void flow_update(struct audit *a); /* recompute steps from the checks */
void flow_free(struct audit *a);

const char *flow_step_title(int number); /* 1..6 */

/* (Re)decode a->in.bounce_text into a->bounce and set a->first_step; for a
 * TUI paste box that replaces the bounce of a running audit (follow with
 * flow_update()). */
void flow_decode_bounce(struct audit *a);

struct bounce_patterns;
/* The provider wording table and the registry meaning of an enhanced code
 * ("5.7.26"), from the data directory, loaded once. */
const struct bounce_patterns *flow_patterns(void);
const char *flow_code_meaning(const char *enhanced);

/* What-if (step 6): evaluate a proposed record offline before publishing
 * it (flow_whatif.c).  Synchronous, cheap enough for every keystroke. */
#define SPF_WHATIF_MAX_LOOKUPS 10
struct flow_whatif {
	enum status status;     /* pass / warn / fail for the proposal */
	struct textlines text;  /* what the evaluation found, for display */
	int lookups;            /* DNS-querying terms of the record itself */
	char *ip_result;        /* SPF result for the IP ("pass", ...), or NULL */
};
/* record: the full proposed TXT text; ip may be NULL. */
void flow_whatif_spf(const char *record, const char *ip, struct flow_whatif *w);
void flow_whatif_dmarc(const char *record, struct flow_whatif *w);
void flow_whatif_free(struct flow_whatif *w);

/* Watch mode (step 6, flow_watch.c): the records the fix list proposes,
 * and whether each is visible on every authoritative nameserver yet. */
struct flow_target {
	char *finding_id; /* "spf.ip-not-permitted" */
	char *check;      /* "SPF" */
	char *name;       /* owner of the record to publish */
	uint16_t type;
	char *value;      /* the proposed value, or NULL (any record will do) */
};
/* The targets of a finished audit's fixes (failed findings whose fix
 * names a record).  Returns the count; *out is allocated. */
size_t flow_fix_targets(const struct audit *a, struct flow_target **out);
void flow_targets_free(struct flow_target *t, size_t n);

struct flow_watch;
struct resolver_config;
struct prop_config;
/* rc: how to resolve NS sets and addresses (a resolver is made from it per
 * check; must outlive the watch).  connect_to is copied.  pc may be NULL
 * (c-ares per server); tests pass zone-file servers. */
struct flow_watch *flow_watch_new(struct evloop *loop, const struct resolver_config *rc,
                                  const struct strlist *connect_to, const struct prop_config *pc);
void flow_watch_free(struct flow_watch *w);
/* Take the targets of a finished audit: new ones are added, known ones
 * the audit no longer reports stay, marked fixed. */
void flow_watch_sync(struct flow_watch *w, const struct audit *a);
/* Start a round: ask every nameserver about every target.  The previous
 * round's results stay on display until the new ones are complete. */
void flow_watch_check(struct flow_watch *w);
/* From the main loop (never from a callback): take finished results.
 * Returns true when the display changed. */
bool flow_watch_poll(struct flow_watch *w);
bool flow_watch_busy(const struct flow_watch *w);
size_t flow_watch_count(const struct flow_watch *w);
/* Target i: its status (pass = visible on every nameserver), and the
 * counts of the last complete round (0 of 0 before the first). */
enum status flow_watch_status(const struct flow_watch *w, size_t i, size_t *visible, size_t *total);
/* The watch section of step 6, for display (raw text: sanitise). */
void flow_watch_lines(const struct flow_watch *w, struct textlines *out);

#endif

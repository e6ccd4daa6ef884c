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

#endif

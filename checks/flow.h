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

#endif

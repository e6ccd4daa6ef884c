/* flow.c - the six steps derived from the checks.
 *
 * This first version maps checks to steps; the bounce reader (step 1) and
 * the remediation text grow here later. */
#include "flow.h"
#include "bounce_report.h"

#include <stdlib.h>

static const char *const titles[STEP_COUNT] = {
	"Read the bounce", "Verify the recipient", "Check authentication",
	"Blocklists and reputation", "DNS and transport", "Fix and resend",
};

/* Which checks each step (2..5) is made of. */
static const unsigned step_checks[STEP_COUNT] = {
	0,
	1u << CHECK_MX,
	(1u << CHECK_SPF) | (1u << CHECK_DKIM) | (1u << CHECK_DMARC),
	1u << CHECK_BLOCKLISTS,
	(1u << CHECK_PTR) | (1u << CHECK_MX) | (1u << CHECK_TLS),
	0,
};

const char *flow_step_title(int number)
{
	return number >= 1 && number <= STEP_COUNT ? titles[number - 1] : "?";
}

void flow_init(struct audit *a)
{
	for (int i = 0; i < STEP_COUNT; i++) {
		a->steps[i].number = i + 1;
		a->steps[i].title = titles[i];
		a->steps[i].status = STATUS_PENDING;
	}
}

void flow_start(struct audit *a)
{
	struct step *s = &a->steps[0];
	free(s->summary);
	if (!a->in.bounce_text) {
		s->status = STATUS_SKIP;
		s->summary = xstrdup("no bounce given");
	} else {
		s->status = STATUS_SKIP;
		s->summary = xstrdup("bounce reading is not implemented yet");
	}
	a->first_step = 1;
}

void flow_update(struct audit *a)
{
	enum status all = STATUS_SKIP;
	bool all_done = true;
	for (int i = 1; i < STEP_COUNT - 1; i++) {
		struct step *s = &a->steps[i];
		enum status st = STATUS_SKIP;
		bool done = true;
		for (int c = 0; c < CHECK_COUNT; c++) {
			if (!(step_checks[i] & (1u << c)))
				continue;
			if (!a->checks[c].done)
				done = false;
			else
				st = status_worst(st, a->checks[c].status);
		}
		s->status = done ? st : STATUS_PENDING;
		free(s->summary);
		s->summary = done ? xasprintf("%s", status_name(st)) : xstrdup("checking...");
		all_done = all_done && done;
		all = status_worst(all, st);
	}
	struct step *fix = &a->steps[STEP_COUNT - 1];
	free(fix->summary);
	if (!all_done) {
		fix->status = STATUS_PENDING;
		fix->summary = xstrdup("waiting for the checks");
	} else {
		fix->status = all;
		fix->summary = xstrdup(all <= STATUS_PASS ? "nothing to fix" : "see the fixes of the failing steps");
	}
}

void flow_free(struct audit *a)
{
	for (int i = 0; i < STEP_COUNT; i++) {
		free(a->steps[i].summary);
		textlines_free(&a->steps[i].text);
	}
}

struct json_object *bounce_report_json(const struct audit *a)
{
	(void)a;
	return NULL;
}

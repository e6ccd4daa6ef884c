/* flow_watch.c - step 6's watch mode: has the fix landed everywhere?
 *
 * The fix list proposes records (an SPF record with the missing IP, a
 * starter DMARC record, a DKIM key at a selector, an A record for a PTR
 * name) for the failures.  Watch mode keeps those records as targets and, each round, asks
 * every authoritative nameserver of their zone for them (propagation.c).
 * Targets stay across re-runs: a fix the audit no longer reports is still
 * shown (marked fixed) so the operator sees it turn green instead of
 * vanish.
 *
 * Each target keeps two checks: the one running and the last complete one.
 * A finished check replaces the last one only in flow_watch_poll(), which
 * the UI calls from its main loop - never inside a callback, so nothing is
 * freed under its own feet. */
#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "propagation.h"
#include "resolver.h"

struct wtarget {
	struct flow_target t;
	bool reported;           /* the latest audit still reports it */
	struct propagation *cur; /* running */
	bool cur_done;
	struct propagation *last; /* last complete round */
};

struct flow_watch {
	struct evloop *loop;
	const struct resolver_config *rc;
	struct strlist connect_to;
	struct prop_config pc;
	struct wtarget **v; /* pointers: checks in flight point at their target */
	size_t n, cap;
	bool offline; /* zone files: no nameservers to ask */
	unsigned rounds;
};

/* ---- targets from the fix list --------------------------------------- */

static void target_add(struct flow_target **v, size_t *n, const struct finding *f, const char *check, const char *name,
                       uint16_t type, const char *value)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	struct flow_target *t = &(*v)[(*n)++];
	t->finding_id = xstrdup(f->id);
	t->check = xstrdup(check);
	t->name = domain_normalize(name);
	t->type = type;
	t->value = value ? xstrdup(value) : NULL;
}

/* "NAME. IN TYPE VALUE" inside a fix sentence, as the DMARC and PTR checks
 * write them: TXT values in quotes, others one token. */
static bool parse_rr(const char *fix, char **name, int *type, char **value)
{
	const char *in = strstr(fix, " IN ");
	if (!in || in == fix)
		return false;
	const char *ns = in;
	while (ns > fix && ns[-1] != ' ' && ns[-1] != '"' && ns[-1] != '\'')
		ns--;
	if (ns == in)
		return false;
	const char *tp = in + 4, *te = tp;
	while (*te && *te != ' ')
		te++;
	char tname[16];
	if (te == tp || (size_t)(te - tp) >= sizeof(tname) || !*te)
		return false;
	memcpy(tname, tp, (size_t)(te - tp));
	tname[te - tp] = '\0';
	*type = dns_type_from_name(tname);
	if (*type < 0)
		return false;
	const char *vs = te + 1, *ve;
	if (*vs == '"') {
		vs++;
		ve = strchr(vs, '"');
		if (!ve)
			return false;
	} else {
		ve = vs;
		while (*ve && *ve != ' ' && *ve != '"')
			ve++;
		while (ve > vs && (ve[-1] == ',' || ve[-1] == ')'))
			ve--;
	}
	if (ve == vs)
		return false;
	*name = xstrndup(ns, (size_t)(in - ns));
	const char *why;
	if (!domain_valid(*name, &why)) {
		free(*name);
		return false;
	}
	*value = xstrndup(vs, (size_t)(ve - vs));
	return true;
}

size_t flow_fix_targets(const struct audit *a, struct flow_target **out)
{
	struct flow_target *v = NULL;
	size_t n = 0;
	for (int c = 0; c < CHECK_COUNT; c++) {
		const struct check *ck = &a->checks[c];
		for (size_t i = 0; i < ck->nfindings; i++) {
			const struct finding *f = &ck->findings[i];
			/* Failures only: a warning's fix (p=none -> quarantine
			 * in a few weeks) is advice, and watching it would keep
			 * a red line after the real fix landed. */
			if (!f->fix || f->status != STATUS_FAIL)
				continue;
			char *name = NULL, *value = NULL;
			int type;
			if (c == CHECK_SPF && strncmp(f->fix, "v=spf1", 6) == 0) {
				/* The SPF check evaluates the envelope sender's domain. */
				const char *mf = a->in.mail_from;
				const char *at = mf ? strrchr(mf, '@') : NULL;
				const char *dom = at && at[1] ? at + 1 : a->in.domain;
				if (dom)
					target_add(&v, &n, f, ck->cls->title, dom, DNS_T_TXT, f->fix);
			} else if (c == CHECK_DKIM && strcmp(f->id, "dkim.selector-missing") == 0 && f->evidence) {
				/* The key is the signer's: any key record at the
				 * selector will do. */
				target_add(&v, &n, f, ck->cls->title, f->evidence, DNS_T_TXT, NULL);
			} else if (parse_rr(f->fix, &name, &type, &value)) {
				target_add(&v, &n, f, ck->cls->title, name, (uint16_t)type, value);
				free(name);
				free(value);
			}
		}
	}
	*out = v;
	return n;
}

void flow_targets_free(struct flow_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].finding_id);
		free(t[i].check);
		free(t[i].name);
		free(t[i].value);
	}
	free(t);
}

static bool target_same(const struct flow_target *x, const struct flow_target *y)
{
	return x->type == y->type && ascii_strcaseeq(x->name, y->name) &&
	       (x->value ? y->value && strcmp(x->value, y->value) == 0 : !y->value);
}

/* ---- the watch ------------------------------------------------------------- */

struct flow_watch *flow_watch_new(struct evloop *loop, const struct resolver_config *rc,
                                  const struct strlist *connect_to, const struct prop_config *pc)
{
	struct flow_watch *w = xcalloc(1, sizeof(*w));
	w->loop = loop;
	w->rc = rc;
	w->offline = rc->nzone_files > 0 && !(pc && pc->server_resolver);
	if (connect_to)
		for (size_t i = 0; i < connect_to->n; i++)
			strlist_add(&w->connect_to, connect_to->v[i]);
	if (pc)
		w->pc = *pc;
	else {
		w->pc.timeout_ms = rc->timeout_ms;
		w->pc.tries = rc->tries;
	}
	w->pc.connect_to = (const char *const *)w->connect_to.v;
	w->pc.nconnect_to = w->connect_to.n;
	return w;
}

void flow_watch_free(struct flow_watch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		propagation_free(w->v[i]->cur);
		propagation_free(w->v[i]->last);
		free(w->v[i]->t.finding_id);
		free(w->v[i]->t.check);
		free(w->v[i]->t.name);
		free(w->v[i]->t.value);
		free(w->v[i]);
	}
	free(w->v);
	strlist_free(&w->connect_to);
	free(w);
}

void flow_watch_sync(struct flow_watch *w, const struct audit *a)
{
	struct flow_target *t = NULL;
	size_t n = flow_fix_targets(a, &t);
	for (size_t i = 0; i < w->n; i++)
		w->v[i]->reported = false;
	for (size_t k = 0; k < n; k++) {
		size_t i;
		for (i = 0; i < w->n; i++)
			if (target_same(&w->v[i]->t, &t[k]))
				break;
		if (i == w->n) {
			if (w->n == w->cap) {
				w->cap = w->cap ? w->cap * 2 : 8;
				w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
			}
			w->v[w->n] = xcalloc(1, sizeof(**w->v));
			w->v[w->n]->t = t[k]; /* taken over */
			memset(&t[k], 0, sizeof(t[k]));
			w->n++;
		}
		w->v[i]->reported = true;
	}
	flow_targets_free(t, n);
}

static void on_prop(void *arg, struct propagation *p)
{
	(void)p;
	struct wtarget *t = arg;
	t->cur_done = true; /* taken over in flow_watch_poll(), not here */
}

void flow_watch_check(struct flow_watch *w)
{
	if (w->offline)
		return;
	w->rounds++;
	for (size_t i = 0; i < w->n; i++) {
		struct wtarget *t = w->v[i];
		/* A round still running from before is replaced. */
		propagation_free(t->cur);
		t->cur = NULL;
		t->cur_done = false;
		char *err = NULL;
		struct resolver *r = resolver_new(w->loop, w->rc, &err);
		free(err);
		if (!r)
			continue;
		t->cur = propagation_start(w->loop, r, &w->pc, t->t.name, t->t.type, t->t.value, on_prop, t);
	}
}

bool flow_watch_poll(struct flow_watch *w)
{
	bool changed = false;
	for (size_t i = 0; i < w->n; i++) {
		struct wtarget *t = w->v[i];
		if (t->cur && t->cur_done) {
			propagation_free(t->last);
			t->last = t->cur;
			t->cur = NULL;
			t->cur_done = false;
			changed = true;
		}
	}
	return changed;
}

bool flow_watch_busy(const struct flow_watch *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i]->cur)
			return true;
	return false;
}

size_t flow_watch_count(const struct flow_watch *w)
{
	return w->n;
}

enum status flow_watch_status(const struct flow_watch *w, size_t i, size_t *visible, size_t *total)
{
	const struct wtarget *t = w->v[i];
	size_t vis = 0, tot = 0;
	enum status st = STATUS_PENDING;
	if (t->last) {
		const struct prop_report *r = propagation_report(t->last);
		vis = r->nvisible;
		tot = r->nservers;
		if (r->error || !r->nanswered)
			st = STATUS_ERROR;
		else if (tot && vis == tot)
			st = STATUS_PASS;
		else if (!t->reported && r->agree)
			st = STATUS_PASS; /* fixed with another record, served everywhere */
		else if (vis)
			st = STATUS_WARN;
		else
			st = STATUS_FAIL;
	} else if (w->offline) {
		st = STATUS_SKIP;
	}
	if (visible)
		*visible = vis;
	if (total)
		*total = tot;
	return st;
}

static enum line_style status_style(enum status st)
{
	switch (st) {
	case STATUS_PASS: return LINE_PASS;
	case STATUS_WARN: return LINE_WARN;
	case STATUS_FAIL: return LINE_FAIL;
	case STATUS_ERROR: return LINE_ERROR;
	default: return LINE_DIM;
	}
}

void flow_watch_lines(const struct flow_watch *w, struct textlines *out)
{
	textlines_add(out, LINE_HEADING, 0, "Watch: is the fix on every nameserver?");
	if (w->offline) {
		textlines_add(out, LINE_DIM, 0,
		              "Offline (--zone / --demo): there are no nameservers to ask; the "
		              "re-run still re-reads the zone files.");
		return;
	}
	if (!w->n) {
		textlines_add(out, LINE_DIM, 0, "No record to watch: the fix list proposes none.");
		return;
	}
	for (size_t i = 0; i < w->n; i++) {
		const struct wtarget *t = w->v[i];
		size_t vis, tot;
		enum status st = flow_watch_status(w, i, &vis, &tot);
		const char *fixed = t->reported ? "" : " - the audit no longer reports it";
		if (!t->last)
			textlines_add(out, LINE_DIM, 0, "[%s] %s %s: asking the nameservers...", t->t.check,
			              dns_type_name(t->t.type), t->t.name);
		else
			textlines_add(out, status_style(st), 0, "[%s] %s %s: visible on %zu of %zu nameserver%s%s%s",
			              t->t.check, dns_type_name(t->t.type), t->t.name, vis, tot, tot == 1 ? "" : "s",
			              st == STATUS_PASS ? " (propagated)" : "", fixed);
		if (t->t.value)
			textlines_add(out, LINE_CODE, 1, "%s", t->t.value);
		if (!t->last)
			continue;
		const struct prop_report *r = propagation_report(t->last);
		if (r->error) {
			textlines_add(out, LINE_ERROR, 1, "%s", r->error);
			continue;
		}
		for (size_t k = 0; k < r->nservers; k++) {
			const struct prop_server *s = &r->servers[k];
			char serial[32] = "";
			if (s->has_serial)
				snprintf(serial, sizeof(serial), ", serial %u", (unsigned)s->serial);
			const char *what = s->error           ? s->error
			                   : s->values.n == 0 ? dns_result_name(s->result)
			                   : s->visible       ? "has it"
			                                      : "serves something else";
			textlines_add(out,
			              s->visible ? LINE_PASS
			              : s->error ? LINE_ERROR
			                         : LINE_WARN,
			              1, "%s (%s%s): %s", s->host, s->addr ? s->addr : "no address", serial, what);
			if (!s->visible)
				for (size_t j = 0; j < s->values.n && j < 3; j++)
					textlines_add(out, LINE_DIM, 2, "%s", s->values.v[j]);
		}
		if (r->more_servers)
			textlines_add(out, LINE_DIM, 1, "(only the first %d nameservers are asked)", PROP_MAX_SERVERS);
		if (r->nanswered > 1 && !r->agree)
			textlines_add(out, LINE_DIM, 1,
			              "The nameservers disagree: some have not loaded the new zone yet "
			              "(compare the serials).");
	}
	if (flow_watch_busy(w))
		textlines_add(out, LINE_DIM, 0, "checking again...");
}

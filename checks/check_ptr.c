/* check_ptr.c - reverse DNS of the sending IP and forward confirmation.
 *
 * Gmail, Microsoft and most large receivers require that the sending IP has
 * a PTR record whose name resolves back to the same IP (forward-confirmed
 * reverse DNS, FCrDNS). */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "audit.h"
#include "report.h"

/* RFC 7208 4.6.4 caps PTR names at 10 for the same reason: bounded work. */
#define PTR_MAX_NAMES 10

struct ptr_name {
	char *name;
	enum dns_result fwd;
	char *fwd_error;
	struct strlist addrs;
	bool matches;
};

struct ptr_state {
	char *rname;
	enum dns_result res;
	char *error;
	struct ptr_name *names;
	size_t nnames, total;
};

static void on_forward(struct check *c, void *arg, struct dns_answer *ans)
{
	struct ptr_name *n = arg;
	n->fwd = ans->result;
	if (!dns_result_is_answer(ans->result))
		n->fwd_error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, ans->qtype, rr));) {
		strlist_add(&n->addrs, rr->text);
		if (rr->u.addr.family == c->audit->in.ip_family &&
		    memcmp(rr->u.addr.bytes, c->audit->in.ip_addr, c->audit->in.ip_family == AF_INET ? 4 : 16) == 0)
			n->matches = true;
	}
}

static void on_ptr(struct check *c, void *arg, struct dns_answer *ans)
{
	struct ptr_state *s = c->state;
	s->res = ans->result;
	if (!dns_result_is_answer(ans->result)) {
		s->error = xstrdup(ans->error ? ans->error : dns_result_name(ans->result));
		return;
	}
	s->total = dns_answer_count(ans, DNS_T_PTR);
	s->names = xcalloc(s->total ? s->total : 1, sizeof(*s->names));
	for (const struct dns_rr *rr = NULL; (rr = dns_answer_next(ans, DNS_T_PTR, rr));) {
		if (s->nnames >= PTR_MAX_NAMES)
			break;
		struct ptr_name *n = &s->names[s->nnames++];
		n->name = domain_normalize(rr->u.name);
		check_query(c, n->name, c->audit->in.ip_family == AF_INET ? DNS_T_A : DNS_T_AAAA, 0, on_forward, n);
	}
}

static void start(struct check *c)
{
	if (!c->audit->in.ip) {
		check_set_summary(c, "no sending IP given");
		check_set_status(c, STATUS_SKIP);
		return;
	}
	struct ptr_state *s = xcalloc(1, sizeof(*s));
	c->state = s;
	s->rname = ip_reverse_name(c->audit->in.ip_family, c->audit->in.ip_addr, NULL);
	check_set_summary(c, "looking up %s", s->rname);
	check_query(c, s->rname, DNS_T_PTR, 0, on_ptr, NULL);
}

static void finish(struct check *c)
{
	struct ptr_state *s = c->state;
	const char *ip = c->audit->in.ip;
	if (!s)
		return;
	if (s->error) {
		check_add_finding(c, STATUS_ERROR, "ptr.lookup-failed", s->rname, NULL,
		                  "Could not look up the reverse DNS of %s: %s", ip, s->error);
		check_set_summary(c, "PTR lookup failed");
		return;
	}
	if (s->nnames == 0) {
		check_add_finding(c, STATUS_FAIL, "ptr.missing", s->rname,
		                  "Ask whoever owns the IP (your hosting provider or ISP) to set its reverse DNS "
		                  "to the server's host name, e.g. mail.<your domain>, and make that name resolve "
		                  "to the IP.",
		                  "%s has no PTR record (%s is %s). Gmail and most large receivers reject or "
		                  "penalise mail from IPs without reverse DNS.", ip, s->rname,
		                  dns_result_name(s->res));
		check_set_summary(c, "no PTR for %s", ip);
		return;
	}
	bool any = false, any_error = false;
	for (size_t i = 0; i < s->nnames; i++) {
		any = any || s->names[i].matches;
		any_error = any_error || s->names[i].fwd_error;
	}
	if (s->total > 1)
		check_add_finding(c, STATUS_WARN, "ptr.multiple", s->rname, "Keep exactly one PTR record.",
		                  "%s has %zu PTR records; receivers may pick any one of them, so keep one.", ip,
		                  s->total);
	if (any) {
		check_add_finding(c, STATUS_PASS, "ptr.fcrdns", NULL, NULL,
		                  "Forward-confirmed: %s resolves back to %s.", s->names[0].name, ip);
		for (size_t i = 0; i < s->nnames; i++)
			if (s->names[i].matches) {
				check_set_summary(c, "%s -> %s (forward-confirmed)", ip, s->names[i].name);
				break;
			}
	} else if (any_error) {
		check_add_finding(c, STATUS_ERROR, "ptr.forward-lookup-failed", s->names[0].name, NULL,
		                  "Could not resolve %s to confirm it: %s", s->names[0].name,
		                  s->names[0].fwd_error ? s->names[0].fwd_error : "lookup failed");
		check_set_summary(c, "%s -> %s (could not confirm)", ip, s->names[0].name);
	} else {
		char *fix = xasprintf("Add \"%s. IN %s %s\" to the zone of %s, or change the PTR to a name that "
		                      "resolves to %s.", s->names[0].name,
		                      c->audit->in.ip_family == AF_INET ? "A" : "AAAA", ip, s->names[0].name, ip);
		check_add_finding(c, STATUS_FAIL, "ptr.not-confirmed", s->names[0].name, fix,
		                  "The PTR name %s does not resolve back to %s (it resolves to %s): the reverse DNS "
		                  "is not forward-confirmed, which Gmail requires.", s->names[0].name, ip,
		                  s->names[0].addrs.n ? s->names[0].addrs.v[0] : "nothing");
		free(fix);
		check_set_summary(c, "%s -> %s (not forward-confirmed)", ip, s->names[0].name);
	}
}

static void json(const struct check *c, struct json_object *obj)
{
	struct ptr_state *s = c->state;
	struct json_object *names = json_object_new_array();
	bool any = false, decided = s && !s->error;
	for (size_t i = 0; s && i < s->nnames; i++) {
		json_object_array_add(names, json_object_new_string(s->names[i].name));
		any = any || s->names[i].matches;
		if (s->names[i].fwd_error)
			decided = decided && any;
	}
	json_object_object_add(obj, "names", names);
	report_json_add_bool(obj, "fcrdns", decided ? any : -1);
}

static void detail(const struct check *c, struct textlines *out)
{
	struct ptr_state *s = c->state;
	if (!s)
		return;
	textlines_add(out, LINE_HEADING, 0, "Reverse DNS of %s", c->audit->in.ip);
	textlines_add(out, LINE_DIM, 1, "%s", s->rname);
	for (size_t i = 0; i < s->nnames; i++) {
		const struct ptr_name *n = &s->names[i];
		textlines_add(out, n->matches ? LINE_PASS : LINE_FAIL, 1, "PTR %s", n->name);
		for (size_t j = 0; j < n->addrs.n; j++)
			textlines_add(out, LINE_DIM, 2, "-> %s", n->addrs.v[j]);
	}
}

static void free_state(struct check *c)
{
	struct ptr_state *s = c->state;
	if (!s)
		return;
	for (size_t i = 0; i < s->nnames; i++) {
		free(s->names[i].name);
		free(s->names[i].fwd_error);
		strlist_free(&s->names[i].addrs);
	}
	free(s->names);
	free(s->rname);
	free(s->error);
	free(s);
}

const struct check_class check_ptr_class = {
	.name = "ptr",
	.title = "PTR",
	.start = start,
	.finish = finish,
	.json = json,
	.detail = detail,
	.free_state = free_state,
};

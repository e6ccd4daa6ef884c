/* bounce.c - the bounce reader: bytes in, struct bounce out.
 *
 * The input is first normalised to LF line ends (CRLF and lone CR both
 * occur in real bounces) with NULs made spaces, so everything after works on
 * one C string.  Then: mbox splitting, header blocks with folding, a MIME
 * walk (bounded depth and part count) that collects three things - the
 * readable text of the report, the RFC 3464 delivery-status fields, and the
 * headers of the original message - and finally the decision: which reply
 * and enhanced code the bounce rests on, which sentence says so, and what it
 * means.  Every scan moves forward through its buffer, so the time is linear
 * in the input whatever it holds. */
#include "bounce.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 8          /* MIME nesting */
#define MAX_PARTS 256        /* MIME parts in one message */
#define MAX_HEADERS 512      /* headers in one block; more are ignored */
#define MAX_VALUE 16384      /* bytes of one unfolded header value */
#define MAX_TEXT (2u << 20)  /* readable text collected */
#define MAX_MBOX_MSGS 64     /* messages of an mbox tried before giving up */
#define PATTERN_WINDOW 16384 /* text searched for provider wording */
#define MAX_DIAG 1000        /* bytes of the diagnostic sentence */

struct hdr {
	char *name;
	struct strbuf val;
};

struct hdrs {
	struct hdr *v;
	size_t n, cap;
};

/* Fields of the delivery-status part (or of DSN-looking lines in text). */
struct dsn {
	char *reporting_mta, *remote_mta, *final_rcpt, *orig_rcpt, *status, *diag, *action;
};

/* What the original message's headers say. */
struct orig {
	bool present, has_date, has_msgid;
	char *dkim_d, *dkim_s, *return_path, *from, *envelope_from;
	size_t size;
	char *risky;
};

struct ctx {
	struct strbuf text;  /* readable text of the report */
	size_t text_cut;     /* where an inline copy of the original starts */
	struct dsn dsn;      /* from a delivery-status part */
	bool is_dsn;
	struct orig orig;
	int parts;
};

/* ---------- small helpers ---------- */

static const char *line_end(const char *p, const char *end)
{
	const char *e = memchr(p, '\n', (size_t)(end - p));
	return e ? e : end;
}

static const char *next_line(const char *e, const char *end)
{
	return e < end ? e + 1 : end;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) != 0;
}

static bool prefix_ci(const char *p, const char *e, const char *pre)
{
	size_t n = strlen(pre);
	return (size_t)(e - p) >= n && strncasecmp(p, pre, n) == 0;
}

static char *trim_dup(const char *p, const char *e)
{
	while (p < e && (is_ws(*p) || *p == '\n'))
		p++;
	while (e > p && (is_ws(e[-1]) || e[-1] == '\n'))
		e--;
	return xstrndup(p, (size_t)(e - p));
}

static void set_once(char **dst, char *val)
{
	if (!*dst && val && *val)
		*dst = val;
	else
		free(val);
}

/* LF line ends, NULs as spaces; returns the new length. */
static char *normalize(const char *in, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == '\r') {
			out[o++] = '\n';
			if (i + 1 < len && in[i + 1] == '\n')
				i++;
		} else {
			out[o++] = c ? c : ' ';
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* ---------- headers ---------- */

static bool header_line(const char *p, const char *e, const char **colon)
{
	const char *q = p;
	/* Real field names are letters, digits and dashes; "<user@host>:" in a
	 * pasted report is text. */
	while (q < e && q - p <= 76 && (is_alnum(*q) || *q == '-' || *q == '_' || *q == '.'))
		q++;
	if (q == p || q >= e || *q != ':' || q - p > 76)
		return false;
	*colon = q;
	return true;
}

static void hdrs_free(struct hdrs *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		strbuf_free(&h->v[i].val);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

static void value_add(struct strbuf *b, const char *p, const char *e)
{
	while (p < e && is_ws(*p))
		p++;
	while (e > p && is_ws(e[-1]))
		e--;
	if (p == e || b->len >= MAX_VALUE)
		return;
	if (b->len)
		strbuf_addc(b, ' ');
	size_t n = (size_t)(e - p);
	if (n > MAX_VALUE - b->len)
		n = MAX_VALUE - b->len;
	strbuf_add(b, p, n);
}

/* Parse a header block at p; returns where the body starts (after the blank
 * line, or at the first line that is not a header). */
static const char *parse_headers_mode(const char *p, const char *end, struct hdrs *h, bool lenient)
{
	bool ignoring = false;
	while (p < end) {
		const char *e = line_end(p, end);
		const char *colon;
		if (e == p)
			return next_line(e, end);
		if (is_ws(*p) && (h->n || ignoring)) {
			if (!ignoring)
				value_add(&h->v[h->n - 1].val, p, e);
		} else if (header_line(p, e, &colon)) {
			ignoring = h->n >= MAX_HEADERS;
			if (!ignoring) {
				if (h->n == h->cap) {
					h->cap = h->cap ? h->cap * 2 : 16;
					h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
				}
				struct hdr *x = &h->v[h->n++];
				x->name = xstrndup(p, (size_t)(colon - p));
				strbuf_init(&x->val);
				value_add(&x->val, colon + 1, e);
			}
		} else if (lenient && h->n && !ignoring) {
			/* DSN fields whose multi-line reply lost its indentation
			 * ("550-..." lines under Diagnostic-Code). */
			value_add(&h->v[h->n - 1].val, p, e);
		} else {
			return p;
		}
		p = next_line(e, end);
	}
	return end;
}

static const char *parse_headers(const char *p, const char *end, struct hdrs *h)
{
	return parse_headers_mode(p, end, h, false);
}

static const char *hdr_get(const struct hdrs *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (ascii_strcaseeq(h->v[i].name, name))
			return h->v[i].val.s ? h->v[i].val.s : "";
	return NULL;
}

/* Value of parameter name in a header value ("text/plain; charset=x"). */
static char *param_get(const char *v, const char *name)
{
	size_t n = strlen(name);
	const char *p = v;
	bool in_q = false;
	for (; *p; p++) {
		if (*p == '"')
			in_q = !in_q;
		if (in_q || (*p != ';' && *p != ' ' && *p != '\t'))
			continue;
		const char *q = p + 1;
		while (is_ws(*q))
			q++;
		if (strncasecmp(q, name, n) != 0)
			continue;
		q += n;
		while (is_ws(*q))
			q++;
		if (*q != '=')
			continue;
		q++;
		while (is_ws(*q))
			q++;
		const char *s = q, *e;
		if (*q == '"') {
			s = ++q;
			e = strchr(s, '"');
			if (!e)
				e = s + strlen(s);
		} else {
			e = s;
			while (*e && *e != ';' && !is_ws(*e))
				e++;
		}
		return xstrndup(s, (size_t)(e - s));
	}
	return NULL;
}

static void mime_type(const char *v, char *out, size_t outlen)
{
	size_t i = 0;
	if (v) {
		while (is_ws(*v))
			v++;
		for (; *v && *v != ';' && !is_ws(*v) && i + 1 < outlen; v++)
			out[i++] = (char)tolower((unsigned char)*v);
	}
	out[i] = '\0';
}

/* ---------- decoders ---------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void qp_decode(const char *p, const char *end, struct strbuf *out)
{
	while (p < end) {
		if (*p == '=') {
			const char *q = p + 1;
			while (q < end && is_ws(*q))
				q++;
			if (q < end && *q == '\n') { /* soft line break */
				p = q + 1;
				continue;
			}
			if (q == end) {
				p = end;
				continue;
			}
			if (end - p >= 3 && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				char c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
				strbuf_addc(out, c); /* CR and NUL: normalize() after */
				p += 3;
				continue;
			}
		}
		strbuf_addc(out, *p++);
	}
}

static void b64_decode(const char *p, const char *end, struct strbuf *out)
{
	unsigned acc = 0;
	int bits = 0;
	for (; p < end; p++) {
		int v;
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else if (c == '=')
			break;
		else
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			char ch = (char)((acc >> bits) & 0xff);
			strbuf_addc(out, ch);
		}
	}
}

/* Decoded copy of a part's body (line ends as decoded). */
static char *part_decode(const char *body, const char *end, const char *cte, size_t *len)
{
	struct strbuf b;
	strbuf_init(&b);
	char enc[32];
	mime_type(cte, enc, sizeof(enc));
	if (strcmp(enc, "quoted-printable") == 0)
		qp_decode(body, end, &b);
	else if (strcmp(enc, "base64") == 0)
		b64_decode(body, end, &b);
	else
		strbuf_add(&b, body, (size_t)(end - body));
	*len = b.len;
	return strbuf_steal(&b);
}

static void text_add(struct ctx *x, const char *p, size_t n, bool html)
{
	if (x->text.len >= MAX_TEXT)
		return;
	if (n > MAX_TEXT - x->text.len)
		n = MAX_TEXT - x->text.len;
	if (!html) {
		strbuf_add(&x->text, p, n);
	} else {
		/* Crude tag stripping: enough to read the sentence an HTML-only
		 * report carries. */
		bool tag = false;
		for (size_t i = 0; i < n; i++) {
			char c = p[i];
			if (c == '<') {
				tag = true;
				if (i + 3 < n && (strncasecmp(p + i + 1, "br", 2) == 0 || strncasecmp(p + i + 1, "p", 1) == 0 ||
				                  strncasecmp(p + i + 1, "/p", 2) == 0 || strncasecmp(p + i + 1, "div", 3) == 0 ||
				                  strncasecmp(p + i + 1, "tr", 2) == 0))
					strbuf_addc(&x->text, '\n');
			} else if (c == '>' && tag) {
				tag = false;
			} else if (!tag) {
				if (c == '&' && i + 5 < n && strncasecmp(p + i, "&nbsp;", 6) == 0) {
					strbuf_addc(&x->text, ' ');
					i += 5;
				} else if (c == '&' && i + 3 < n && strncasecmp(p + i, "&lt;", 4) == 0) {
					strbuf_addc(&x->text, '<');
					i += 3;
				} else if (c == '&' && i + 3 < n && strncasecmp(p + i, "&gt;", 4) == 0) {
					strbuf_addc(&x->text, '>');
					i += 3;
				} else if (c == '&' && i + 4 < n && strncasecmp(p + i, "&amp;", 5) == 0) {
					strbuf_addc(&x->text, '&');
					i += 4;
				} else {
					strbuf_addc(&x->text, c);
				}
			}
		}
	}
	strbuf_addc(&x->text, '\n');
}

/* ---------- the parts ---------- */

/* "rfc822; user@example.com" -> "user@example.com" */
static char *typed_value(const char *v)
{
	if (!v)
		return NULL;
	const char *semi = strchr(v, ';');
	const char *s = semi ? semi + 1 : v;
	return trim_dup(s, s + strlen(s));
}

static bool dsn_has_status(const struct hdrs *h)
{
	const char *st = hdr_get(h, "status");
	return st && (st[0] == '2' || st[0] == '4' || st[0] == '5');
}

static void dsn_parse(struct ctx *x, const char *p, const char *end)
{
	bool have_rcpt = false, rcpt_failed = false;
	while (p < end) {
		struct hdrs h = {0};
		const char *next = parse_headers_mode(p, end, &h, true);
		if (next == p)
			next = next_line(line_end(p, end), end);
		p = next;
		set_once(&x->dsn.reporting_mta, typed_value(hdr_get(&h, "reporting-mta")));
		if (!h.n || (!hdr_get(&h, "final-recipient") && !dsn_has_status(&h) && !hdr_get(&h, "diagnostic-code"))) {
			hdrs_free(&h);
			continue;
		}
		const char *action = hdr_get(&h, "action");
		bool failed = !action || strncasecmp(action, "failed", 6) == 0 || strncasecmp(action, "delayed", 7) == 0;
		/* The first recipient block decides, unless it reports a delivery
		 * and a later one a failure. */
		if (!have_rcpt || (!rcpt_failed && failed)) {
			struct dsn *d = &x->dsn;
			free(d->final_rcpt), free(d->orig_rcpt), free(d->status), free(d->diag), free(d->action),
				free(d->remote_mta);
			d->final_rcpt = typed_value(hdr_get(&h, "final-recipient"));
			d->orig_rcpt = typed_value(hdr_get(&h, "original-recipient"));
			d->status = typed_value(hdr_get(&h, "status"));
			const char *dc = hdr_get(&h, "diagnostic-code");
			d->diag = dc ? trim_dup(dc, dc + strlen(dc)) : NULL;
			d->action = action ? xstrdup(action) : NULL;
			d->remote_mta = typed_value(hdr_get(&h, "remote-mta"));
			have_rcpt = true;
			rcpt_failed = failed;
			x->is_dsn = true;
		}
		hdrs_free(&h);
	}
}

static char *addr_domain(const char *v)
{
	if (!v)
		return NULL;
	const char *lt = strrchr(v, '<');
	const char *s = lt ? lt + 1 : v;
	const char *at = NULL;
	const char *q = s;
	for (; *q && *q != '>' && !(is_ws(*q) && at); q++)
		if (*q == '@')
			at = q;
	if (!at)
		return NULL;
	const char *e = at + 1;
	while (*e && (is_alnum(*e) || *e == '.' || *e == '-' || *e == '_'))
		e++;
	if (e == at + 1)
		return NULL;
	char *d = xstrndup(at + 1, (size_t)(e - at - 1));
	ascii_lower(d);
	return d;
}

/* A tag of a DKIM-Signature value ("d", "s"). */
static char *dkim_tag(const char *v, char tag)
{
	const char *p = v;
	while (p && *p) {
		while (*p == ';' || is_ws(*p))
			p++;
		if (*p == tag) {
			const char *q = p + 1;
			while (is_ws(*q))
				q++;
			if (*q == '=') {
				q++;
				const char *e = strchr(q, ';');
				if (!e)
					e = q + strlen(q);
				char *val = trim_dup(q, e);
				/* Folding left spaces inside the value. */
				size_t o = 0;
				for (size_t i = 0; val[i]; i++)
					if (!is_ws(val[i]))
						val[o++] = val[i];
				val[o] = '\0';
				return val;
			}
		}
		p = strchr(p, ';');
	}
	return NULL;
}

static bool risky_name(const char *name)
{
	static const char *const ext[] = {".exe", ".scr", ".com", ".bat", ".cmd", ".pif", ".vbs", ".js",  ".jse", ".wsf",
	                                  ".hta", ".msi", ".jar", ".lnk", ".iso", ".img", ".cpl", ".ps1", ".docm", ".xlsm"};
	for (size_t i = 0; i < ARRAY_LEN(ext); i++)
		if (ascii_endswith_ci(name, ext[i]))
			return true;
	return false;
}

static void orig_headers(struct ctx *x, const struct hdrs *h)
{
	struct orig *o = &x->orig;
	if (o->present)
		return;
	const char *from = hdr_get(h, "from"), *rp = hdr_get(h, "return-path"), *dk = hdr_get(h, "dkim-signature");
	if (!from && !rp && !dk && !hdr_get(h, "message-id"))
		return;
	o->present = true;
	o->has_date = hdr_get(h, "date") != NULL;
	o->has_msgid = hdr_get(h, "message-id") != NULL;
	o->from = addr_domain(from);
	o->return_path = addr_domain(rp);
	if (dk) {
		o->dkim_d = dkim_tag(dk, 'd');
		o->dkim_s = dkim_tag(dk, 's');
	}
	/* Exim and others note the envelope sender in Received. */
	for (size_t i = 0; i < h->n && !o->envelope_from; i++)
		if (ascii_strcaseeq(h->v[i].name, "received") && h->v[i].val.s) {
			const char *ef = strstr(h->v[i].val.s, "envelope-from");
			if (ef)
				o->envelope_from = addr_domain(ef);
		}
}

static void walk(struct ctx *x, const char *body, const char *end, const struct hdrs *h, int depth, bool in_orig);

static void orig_message(struct ctx *x, const char *p, const char *end, int depth)
{
	struct hdrs h = {0};
	const char *body = parse_headers(p, end, &h);
	orig_headers(x, &h);
	if (x->orig.present && !x->orig.size)
		x->orig.size = (size_t)(end - p);
	if (depth < MAX_DEPTH)
		walk(x, body, end, &h, depth + 1, true);
	hdrs_free(&h);
}

static bool boundary_line(const char *p, const char *e, const char *bd, size_t bl, bool *close)
{
	if (e - p < (ptrdiff_t)(bl + 2) || p[0] != '-' || p[1] != '-' || memcmp(p + 2, bd, bl) != 0)
		return false;
	const char *q = p + 2 + bl;
	*close = e - q >= 2 && q[0] == '-' && q[1] == '-';
	if (*close)
		q += 2;
	while (q < e && is_ws(*q))
		q++;
	return q == e;
}

static void walk(struct ctx *x, const char *body, const char *end, const struct hdrs *h, int depth, bool in_orig)
{
	if (++x->parts > MAX_PARTS)
		return;
	char type[80];
	const char *ctv = hdr_get(h, "content-type");
	mime_type(ctv, type, sizeof(type));
	if (!type[0])
		strcpy(type, "text/plain");

	if (strncmp(type, "multipart/", 10) == 0 && depth < MAX_DEPTH) {
		char *bd = param_get(ctv, "boundary");
		if (bd && *bd) {
			size_t bl = strlen(bd);
			const char *part = NULL;
			bool any = false, close = false;
			for (const char *p = body; p < end && !close;) {
				const char *e = line_end(p, end);
				if (boundary_line(p, e, bd, bl, &close)) {
					if (part) {
						const char *pe = p > part ? p - 1 : p; /* the LF belongs to the delimiter */
						struct hdrs ph = {0};
						const char *pb = parse_headers(part, pe, &ph);
						walk(x, pb, pe, &ph, depth + 1, in_orig);
						hdrs_free(&ph);
					}
					any = true;
					part = next_line(e, end);
				}
				p = next_line(e, end);
			}
			if (part && !close && part < end) { /* unterminated last part */
				struct hdrs ph = {0};
				const char *pb = parse_headers(part, end, &ph);
				walk(x, pb, end, &ph, depth + 1, in_orig);
				hdrs_free(&ph);
			}
			free(bd);
			if (any)
				return;
		} else {
			free(bd);
		}
		/* A multipart without its boundary: read it as text. */
		strcpy(type, "text/plain");
	}

	if (in_orig) {
		/* Inside the original message only the attachments matter. */
		const char *cd = hdr_get(h, "content-disposition");
		char *fn = cd ? param_get(cd, "filename") : NULL;
		if (!fn && ctv)
			fn = param_get(ctv, "name");
		if (fn && risky_name(fn) && !x->orig.risky)
			x->orig.risky = fn;
		else
			free(fn);
		return;
	}

	bool is_dsn = strcmp(type, "message/delivery-status") == 0 || strcmp(type, "message/global-delivery-status") == 0;
	bool is_hdrs = strcmp(type, "text/rfc822-headers") == 0 || strcmp(type, "message/rfc822-headers") == 0 ||
	               strcmp(type, "text/rfc822-header") == 0;
	bool is_msg = strcmp(type, "message/rfc822") == 0 || strcmp(type, "message/global") == 0;
	bool is_text = strncmp(type, "text/", 5) == 0;
	if (!is_dsn && !is_hdrs && !is_msg && !is_text)
		return;
	size_t len;
	char *dec = part_decode(body, end, hdr_get(h, "content-transfer-encoding"), &len);
	/* Decoded text may carry CR line ends of its own. */
	size_t nlen;
	char *norm = normalize(dec, len, &nlen);
	free(dec);
	if (is_dsn) {
		dsn_parse(x, norm, norm + nlen);
	} else if (is_hdrs) {
		struct hdrs oh = {0};
		parse_headers(norm, norm + nlen, &oh);
		orig_headers(x, &oh);
		hdrs_free(&oh);
	} else if (is_msg) {
		orig_message(x, norm, norm + nlen, depth);
	} else {
		text_add(x, norm, nlen, strcmp(type, "text/html") == 0);
	}
	free(norm);
}

/* ---------- finding codes in text ---------- */

/* An enhanced status code at p ("5.7.26"): class 2/4/5, subject 0-7,
 * detail 1-3 digits, not part of a longer dotted number.  Returns its
 * length or 0. */
static size_t enhanced_body(const char *p, const char *e)
{
	if (e - p < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') || p[1] != '.')
		return 0;
	const char *q = p + 2;
	int n = 0;
	while (q < e && is_digit(*q) && n < 4)
		q++, n++;
	if (n < 1 || n > 3 || q >= e || *q != '.')
		return 0;
	q++;
	n = 0;
	while (q < e && is_digit(*q) && n < 4)
		q++, n++;
	if (n < 1 || n > 3)
		return 0;
	if (q < e && (is_alnum(*q) || *q == '_' || (*q == '.' && q + 1 < e && is_digit(q[1]))))
		return 0;
	return (size_t)(q - p);
}

static size_t enhanced_at(const char *s, const char *p, const char *e)
{
	if (p > s && (is_alnum(p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == '/' || p[-1] == '_'))
		return 0;
	return enhanced_body(p, e);
}

/* A three-digit reply code at p followed by a space, '-' or the end. */
static bool reply_at(const char *s, const char *p, const char *e)
{
	if (p > s && (is_alnum(p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == '/' || p[-1] == ':' || p[-1] == '_' ||
	              p[-1] == '='))
		return false;
	if (e - p < 3 || (p[0] != '4' && p[0] != '5' && p[0] != '2') || !is_digit(p[1]) || !is_digit(p[2]) || p[1] > '5')
		return false;
	return e - p == 3 || p[3] == ' ' || p[3] == '-' || p[3] == '\t' || p[3] == ',' || p[3] == ')' || p[3] == ']' ||
	       p[3] == '\n' || p[3] == '"' || (p[3] == ':' && (p == s || p[-1] == '\n'));
}

/* Where a reply code is more than a number in a sentence: at the start of
 * the line, after "said:", "<<<", "error:", in parentheses... */
static bool reply_strong(const char *s, const char *p)
{
	const char *q = p;
	while (q > s && is_ws(q[-1]))
		q--;
	if (q == s || q[-1] == '\n' || q[-1] == ':' || q[-1] == '(' || q[-1] == '<' || q[-1] == '[' || q[-1] == '#' ||
	    q[-1] == '>' || q[-1] == ';' || q[-1] == '"' || q[-1] == '=')
		return true;
	return false;
}

struct codes_found {
	/* first reply code immediately followed by an enhanced code */
	const char *combo_reply, *combo_enh;
	size_t combo_enh_len;
	/* first standalone enhanced code of class 4/5, first strong reply */
	const char *enh, *reply;
	size_t enh_len;
};

static void scan_codes(const char *s, const char *end, struct codes_found *f)
{
	memset(f, 0, sizeof(*f));
	for (const char *p = s; p < end; p++) {
		if (*p != '2' && *p != '4' && *p != '5')
			continue;
		size_t el = enhanced_at(s, p, end);
		if (el) {
			if (!f->enh && p[0] != '2') {
				f->enh = p;
				f->enh_len = el;
			}
			p += el - 1;
			continue;
		}
		if (!reply_at(s, p, end))
			continue;
		if (p[0] != '2' && !f->combo_reply) {
			const char *q = p + 3;
			if (q < end && (*q == ' ' || *q == '-'))
				q++;
			/* also across a wrapped line: "said: 421\n    4.7.0 ..." */
			while (q < end && (*q == ' ' || *q == '\t' || *q == '\n') && q - p < 16)
				q++;
			if (q < end && (*q == '#' || *q == '\'' || *q == '"' || *q == '('))
				q++;
			size_t cl = enhanced_body(q, end);
			/* "550 5.1.1" / "550-5.1.1"; a reply of another class than its
			 * enhanced code is not a pair. */
			if (cl && q[0] == p[0]) {
				f->combo_reply = p;
				f->combo_enh = q;
				f->combo_enh_len = cl;
			}
		}
		if (p[0] != '2' && !f->reply && reply_strong(s, p))
			f->reply = p;
		if (f->combo_reply && f->reply && f->enh)
			return;
		p += 2;
	}
}

/* The line around p, joined with its continuation lines. */
static char *line_around(const char *s, const char *end, const char *p)
{
	const char *b = p;
	while (b > s && b[-1] != '\n' && p - b < MAX_DIAG)
		b--;
	const char *e = line_end(p, end);
	struct strbuf out;
	strbuf_init(&out);
	value_add(&out, b, e);
	/* Wrapped lines that go on the sentence: indented, or more lines of a
	 * multi-line reply ("550-5.7.26 ..."). */
	for (int i = 0; i < 6 && e < end && out.len < MAX_DIAG; i++) {
		const char *n = e + 1, *ne = line_end(n, end);
		if (ne == n)
			break;
		bool cont = is_ws(*n) && !(ne - n > 2 && memchr(n, '@', (size_t)(ne - n)) && !memchr(n, ' ', 3));
		bool multi = ne - n > 4 && is_digit(n[0]) && is_digit(n[1]) && is_digit(n[2]) && (n[3] == '-' || n[3] == ' ') &&
		             b + 3 <= end && memcmp(n, b, 3) == 0;
		if (!cont && !multi)
			break;
		/* stop at a line that starts a new recipient or a separator */
		const char *t = n;
		while (t < ne && is_ws(*t))
			t++;
		if (t < ne && (*t == '-' || *t == '='))
			break;
		value_add(&out, n, ne);
		e = ne;
	}
	if (out.len > MAX_DIAG) {
		out.len = MAX_DIAG;
		out.s[out.len] = '\0';
	}
	return strbuf_steal(&out);
}

/* Lines in a plain-text report that look like DSN fields. */
static void text_dsn_fields(struct ctx *x, const char *s, const char *end, struct dsn *d)
{
	(void)x;
	for (const char *p = s; p < end;) {
		const char *e = line_end(p, end);
		const char *q = p;
		while (q < e && is_ws(*q))
			q++;
		if (prefix_ci(q, e, "status:") && !d->status) {
			const char *v = q + 7;
			while (v < e && is_ws(*v))
				v++;
			if (enhanced_at(s, v, e))
				d->status = trim_dup(v, e);
		} else if (prefix_ci(q, e, "diagnostic-code:") && !d->diag) {
			const char *v = q + 16;
			struct strbuf b;
			strbuf_init(&b);
			value_add(&b, v, e);
			while (e < end && e + 1 < end && is_ws(e[1])) { /* folded */
				const char *n = e + 1, *ne = line_end(n, end);
				value_add(&b, n, ne);
				e = ne;
			}
			d->diag = strbuf_steal(&b);
		} else if (prefix_ci(q, e, "remote-mta:") && !d->remote_mta) {
			char *v = trim_dup(q + 11, e);
			d->remote_mta = typed_value(v);
			free(v);
		} else if (prefix_ci(q, e, "reporting-mta:") && !d->reporting_mta) {
			char *v = trim_dup(q + 14, e);
			d->reporting_mta = typed_value(v);
			free(v);
		} else if (prefix_ci(q, e, "final-recipient:") && !d->final_rcpt) {
			char *v = trim_dup(q + 16, e);
			d->final_rcpt = typed_value(v);
			free(v);
		}
		p = next_line(e, end);
	}
}

static void dsn_free(struct dsn *d)
{
	free(d->reporting_mta), free(d->remote_mta), free(d->final_rcpt), free(d->orig_rcpt), free(d->status),
		free(d->diag), free(d->action);
	memset(d, 0, sizeof(*d));
}

static void orig_free(struct orig *o)
{
	free(o->dkim_d), free(o->dkim_s), free(o->return_path), free(o->from), free(o->envelope_from), free(o->risky);
	memset(o, 0, sizeof(*o));
}

/* Where an inline copy of the original message starts in plain text: a
 * header block of Return-Path / Received / DKIM-Signature / From /
 * Message-ID lines after the report's own text. */
static size_t find_inline_original(struct ctx *x)
{
	const char *s = x->text.s ? x->text.s : "", *end = s + x->text.len;
	for (const char *p = s; p < end;) {
		const char *e = line_end(p, end);
		if (prefix_ci(p, e, "return-path:") || prefix_ci(p, e, "received:") || prefix_ci(p, e, "dkim-signature:") ||
		    prefix_ci(p, e, "x-original-to:") || prefix_ci(p, e, "delivered-to:")) {
			struct hdrs h = {0};
			parse_headers(p, end, &h);
			bool orig = h.n >= 2 && (hdr_get(&h, "from") || hdr_get(&h, "message-id") || hdr_get(&h, "subject"));
			if (orig)
				orig_headers(x, &h);
			hdrs_free(&h);
			if (orig)
				return (size_t)(p - s);
		}
		p = next_line(e, end);
	}
	return x->text.len;
}

/* ---------- categories ---------- */

int bounce_category_step(enum bounce_category c)
{
	switch (c) {
	case BOUNCE_RECIPIENT_ADDRESS:
	case BOUNCE_RECIPIENT_MAILBOX:
	case BOUNCE_ROUTING:
		return 2;
	case BOUNCE_SENDER_AUTH:
		return 3;
	case BOUNCE_SENDER_REPUTATION:
		return 4;
	case BOUNCE_CONTENT:
		return 5;
	default:
		return 1;
	}
}

enum bounce_category bounce_code_category(const char *enh, int *step)
{
	int cls = 0, subj = -1, det = -1;
	enum bounce_category c = BOUNCE_UNKNOWN;
	int st = 1;
	if (enh && sscanf(enh, "%d.%d.%d", &cls, &subj, &det) == 3) {
		switch (subj) {
		case 1:
			c = det == 2 ? BOUNCE_ROUTING : (det == 7 || det == 8) ? BOUNCE_UNKNOWN : BOUNCE_RECIPIENT_ADDRESS;
			st = (det == 7 || det == 8) ? 5 : 2;
			break;
		case 2:
			c = det == 3 ? BOUNCE_CONTENT : BOUNCE_RECIPIENT_MAILBOX;
			st = det == 3 ? 5 : 2;
			break;
		case 3:
			c = det == 4 ? BOUNCE_CONTENT : BOUNCE_UNKNOWN;
			st = det == 4 ? 5 : 1;
			break;
		case 4:
			c = BOUNCE_ROUTING;
			st = 2;
			break;
		case 6:
			c = BOUNCE_CONTENT;
			st = 5;
			break;
		case 7:
			if (det == 0 || det == 1 || det == 28) {
				c = BOUNCE_SENDER_REPUTATION;
				st = 4;
			} else if ((det >= 20 && det <= 27) || det == 29) {
				c = BOUNCE_SENDER_AUTH;
				st = det == 25 ? 5 : 3;
			} else if (det == 13 || det == 17) {
				c = det == 13 ? BOUNCE_RECIPIENT_MAILBOX : BOUNCE_RECIPIENT_ADDRESS;
				st = 2;
			} else if (det == 18) {
				c = BOUNCE_ROUTING;
				st = 2;
			} else if (det == 10 || det == 30 || (det >= 8 && det <= 12)) {
				st = 5;
			}
			break;
		default:
			break;
		}
		if (cls == 4)
			c = BOUNCE_TEMPORARY;
	}
	if (step)
		*step = st;
	return c;
}

/* Codes that say little on their own: the wording decides. */
static bool code_is_generic(const char *enh)
{
	int cls, subj, det;
	if (!enh || sscanf(enh, "%d.%d.%d", &cls, &subj, &det) != 3)
		return true;
	return det == 0 || (subj == 7 && det == 1) || subj == 5 || (subj == 3 && det != 4) || (subj == 1 && det == 0);
}

/* Codes whose meaning servers do not stretch: mailbox full, null MX. */
static bool code_is_unambiguous(const char *enh)
{
	int cls, subj, det;
	if (!enh || sscanf(enh, "%d.%d.%d", &cls, &subj, &det) != 3)
		return false;
	return (subj == 2 && det == 2) || (subj == 1 && det == 10) || (subj == 7 && det == 27);
}

/* The first pattern (in table order) found in hay[0..n), and where. */
static const struct bounce_pattern *match_patterns(const struct bounce_patterns *pt, const char *hay, size_t n,
                                                   size_t *at)
{
	if (!pt || !pt->n || !n)
		return NULL;
	char *low = xstrndup(hay, n);
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)low[i]);
	const struct bounce_pattern *hit = NULL;
	for (size_t i = 0; i < pt->n && !hit; i++) {
		const char *m = memmem(low, n, pt->v[i].pattern, strlen(pt->v[i].pattern));
		if (m) {
			hit = &pt->v[i];
			if (at)
				*at = (size_t)(m - low);
		}
	}
	free(low);
	return hit;
}

/* ---------- one message ---------- */

static void copy_code(char *dst, size_t dstlen, const char *p, size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* The first email address in s (for the recipient when nothing names it). */
static char *first_address(const char *s)
{
	const char *at = strchr(s, '@');
	while (at) {
		const char *b = at, *e = at + 1;
		while (b > s && (is_alnum(b[-1]) || strchr("._%+-=", b[-1])))
			b--;
		while (*e && (is_alnum(*e) || *e == '.' || *e == '-'))
			e++;
		if (b < at && e > at + 1 && memchr(at, '.', (size_t)(e - at)))
			return xstrndup(b, (size_t)(e - b));
		at = strchr(at + 1, '@');
	}
	return NULL;
}

/* "host mx.example.net[192.0.2.1] said:" / "host mx.example.net [192.0.2.1]:" */
static char *remote_from_text(const char *s)
{
	static const char *const keys[] = {"remote host ", "host "};
	for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
		const char *p = s;
		while ((p = strcasestr(p, keys[k]))) {
			if (p > s && is_alnum(p[-1])) {
				p++;
				continue;
			}
			const char *q = p + strlen(keys[k]);
			const char *e = q;
			while (*e && (is_alnum(*e) || *e == '.' || *e == '-'))
				e++;
			if (e - q > 3 && memchr(q, '.', (size_t)(e - q)) && (*e == '[' || *e == ' ' || *e == ':' || *e == '('))
				return xstrndup(q, (size_t)(e - q));
			p = q;
		}
	}
	return NULL;
}

/* Does the message present itself as a delivery report? */
static bool is_bounce_message(const struct ctx *x, const struct hdrs *top)
{
	if (x->is_dsn || !top || !top->n)
		return true; /* a DSN, or a bare paste: the operator says it is one */
	if (x->orig.present)
		return true; /* it carries a message back */
	const char *from = hdr_get(top, "from"), *subj = hdr_get(top, "subject"), *ct = hdr_get(top, "content-type");
	static const char *const who[] = {"mailer-daemon", "postmaster", "mail delivery", "mail administrator", "mailer"};
	static const char *const what[] = {"undeliver", "delivery", "returned", "failure", "failed", "not delivered",
	                                   "rejected", "bounce", "could not", "error"};
	for (size_t i = 0; from && i < ARRAY_LEN(who); i++)
		if (strcasestr(from, who[i]))
			return true;
	for (size_t i = 0; subj && i < ARRAY_LEN(what); i++)
		if (strcasestr(subj, what[i]))
			return true;
	return ct && strcasestr(ct, "report");
}

static void decide(struct ctx *x, const struct hdrs *top, const struct bounce_patterns *pt, struct bounce *b)
{
	bool looks_bounce = is_bounce_message(x, top);
	const char *ts = x->text.s ? x->text.s : "";
	x->text_cut = find_inline_original(x);
	const char *tend = ts + x->text_cut;
	struct dsn td = {0};
	if (!x->is_dsn) {
		text_dsn_fields(x, ts, tend, &td);
		struct codes_found probe;
		scan_codes(ts, tend, &probe);
		/* What looked like the original's headers came before any code:
		 * a forwarded bounce, not a copy of the original.  Read it all. */
		if (!td.status && !td.diag && !probe.combo_reply && !probe.enh && !probe.reply &&
		    x->text_cut < x->text.len) {
			x->text_cut = x->text.len;
			tend = ts + x->text_cut;
			text_dsn_fields(x, ts, tend, &td);
		}
	}
	const struct dsn *d = x->is_dsn ? &x->dsn : &td;

	/* Candidates. */
	const char *st = d->status;
	size_t stl = st ? enhanced_at(st, st, st + strlen(st)) : 0;
	struct codes_found dc = {0}, tc;
	if (d->diag)
		scan_codes(d->diag, d->diag + strlen(d->diag), &dc);
	scan_codes(ts, tend, &tc);

	/* Enhanced code, most trusted first: the receiver's own reply in the
	 * Diagnostic-Code ("550 5.7.1 ..."), which reporting MTAs often
	 * summarise into a vaguer Status; then a specific Status; then any code
	 * in the diagnostic or the report's text; the generic X.0.0 last. */
	const char *enh = NULL;
	size_t enhl = 0;
	bool st_generic = stl == 5 && st[2] == '0' && st[4] == '0';
	if (dc.combo_enh)
		enh = dc.combo_enh, enhl = dc.combo_enh_len;
	else if (stl && !st_generic)
		enh = st, enhl = stl;
	else if (dc.enh)
		enh = dc.enh, enhl = dc.enh_len;
	else if (tc.combo_enh)
		enh = tc.combo_enh, enhl = tc.combo_enh_len;
	else if (stl)
		enh = st, enhl = stl;
	else if (tc.enh)
		enh = tc.enh, enhl = tc.enh_len;
	if (enh)
		copy_code(b->enhanced_code, sizeof(b->enhanced_code), enh, enhl);

	/* Reply code and the sentence it comes in. */
	const char *rp = dc.combo_reply ? dc.combo_reply : dc.reply;
	if (!rp && d->diag)
		for (const char *p = d->diag; *p && !rp; p++)
			if (reply_at(d->diag, p, p + strlen(p)) && p[0] != '2')
				rp = p;
	const char *trp = tc.combo_reply ? tc.combo_reply : tc.reply;
	if (!rp)
		rp = trp;
	if (rp)
		copy_code(b->reply_code, sizeof(b->reply_code), rp, 3);

	if (d->diag && *d->diag) {
		const char *v = d->diag;
		const char *semi = strchr(v, ';');
		if (semi && semi - v < 16)
			v = semi + 1;
		b->diagnostic = trim_dup(v, v + strlen(v));
	} else {
		const char *at = tc.combo_reply ? tc.combo_reply : tc.reply ? tc.reply : tc.enh;
		if (at)
			b->diagnostic = line_around(ts, tend, at);
	}

	b->found = b->reply_code[0] || b->enhanced_code[0];
	size_t window = x->text_cut < PATTERN_WINDOW ? x->text_cut : PATTERN_WINDOW;
	if (!b->found) {
		b->error = xstrdup("no SMTP reply code found");
		b->first_step = 1;
		/* A report without any code can still say what happened in words
		 * ("User unknown"); trust that only in something that is a bounce. */
		size_t at = 0;
		const struct bounce_pattern *hit = looks_bounce ? match_patterns(pt, ts, window, &at) : NULL;
		if (hit) {
			b->category = hit->category;
			b->first_step = hit->step;
			b->confidence = BOUNCE_CONF_LOW;
			b->meaning = xstrdup(hit->meaning);
			b->matched_pattern = xstrdup(hit->pattern);
			if (!b->diagnostic)
				b->diagnostic = line_around(ts, tend, ts + at);
		}
	} else {
		/* The reply code decides temporary vs permanent; a 554 with a
		 * 4.x.x enhanced code is still a refusal. */
		char c = b->reply_code[0] ? b->reply_code[0] : b->enhanced_code[0];
		b->permanent = c == '5';
		int step = 1;
		enum bounce_category cat = BOUNCE_UNKNOWN;
		if (b->enhanced_code[0]) {
			char tmp[sizeof(b->enhanced_code)];
			memcpy(tmp, b->enhanced_code, sizeof(tmp));
			tmp[0] = '5'; /* the subject decides; the class is handled below */
			cat = bounce_code_category(tmp, &step);
		}
		bool generic = code_is_generic(b->enhanced_code[0] ? b->enhanced_code : NULL);
		const struct bounce_pattern *hit = NULL;
		bool in_diag = false;
		if (b->diagnostic)
			in_diag = (hit = match_patterns(pt, b->diagnostic, strlen(b->diagnostic), NULL)) != NULL;
		if (!hit)
			hit = match_patterns(pt, ts, window, NULL);
		/* The receiver's own words in the diagnostic refine or correct the
		 * code (servers say 5.2.1 or 5.4.1 for "user unknown"), except that
		 * the authentication codes of RFC 7372 are never used loosely.
		 * Wording elsewhere in the report only refines generic codes
		 * (X.0.0, 5.7.1, 5.5.x, ...). */
		bool auth_code = (cat == BOUNCE_SENDER_AUTH && !generic) || code_is_unambiguous(b->enhanced_code);
		if (hit && (hit->category == cat || (!auth_code && (in_diag || generic || cat == BOUNCE_UNKNOWN)))) {
			b->meaning = xstrdup(hit->meaning);
			b->matched_pattern = xstrdup(hit->pattern);
			cat = hit->category;
			step = hit->step;
		} else {
			hit = NULL;
		}
		if (c == '4') {
			cat = BOUNCE_TEMPORARY;
			if (!hit)
				step = 1;
		}
		b->category = cat;
		b->first_step = step;
		bool has_code_field = stl || dc.combo_enh || tc.combo_enh;
		if (has_code_field && (hit || !generic))
			b->confidence = BOUNCE_CONF_HIGH;
		else if (hit || b->enhanced_code[0])
			b->confidence = BOUNCE_CONF_MEDIUM;
		else
			b->confidence = BOUNCE_CONF_LOW;
	}

	/* Who, to whom. */
	b->is_dsn = x->is_dsn;
	if (d->reporting_mta)
		b->reporting_mta = xstrdup(d->reporting_mta);
	if (d->remote_mta)
		b->remote_mta = xstrdup(d->remote_mta);
	else if (b->diagnostic)
		b->remote_mta = remote_from_text(b->diagnostic);
	if (!b->remote_mta && x->text_cut)
		b->remote_mta = remote_from_text(ts);
	if (!b->reporting_mta && top) {
		/* The lowest Received: "by" is where the report was written. */
		const char *last = NULL;
		for (size_t i = 0; i < top->n; i++)
			if (ascii_strcaseeq(top->v[i].name, "received") && top->v[i].val.s)
				last = top->v[i].val.s;
		const char *by = last ? strstr(last, "by ") : NULL;
		if (by) {
			by += 3;
			const char *e = by;
			while (*e && (is_alnum(*e) || *e == '.' || *e == '-'))
				e++;
			if (e > by)
				b->reporting_mta = xstrndup(by, (size_t)(e - by));
		}
	}
	const char *xf = top ? hdr_get(top, "x-failed-recipients") : NULL;
	if (d->final_rcpt)
		b->recipient = xstrdup(d->final_rcpt);
	else if (d->orig_rcpt)
		b->recipient = xstrdup(d->orig_rcpt);
	else if (xf)
		b->recipient = first_address(xf);
	if (!b->recipient && b->diagnostic)
		b->recipient = first_address(b->diagnostic);
	if (b->recipient) { /* "<user@example.com>" */
		char *r = b->recipient;
		size_t n = strlen(r);
		if (n >= 2 && r[0] == '<' && r[n - 1] == '>') {
			memmove(r, r + 1, n - 2);
			r[n - 2] = '\0';
		}
	}

	struct orig *o = &x->orig;
	if (o->present) {
		b->message.present = true;
		b->message.has_date = o->has_date;
		b->message.has_message_id = o->has_msgid;
		b->message.size = o->size;
		b->message.risky_attachment = o->risky ? xstrdup(o->risky) : NULL;
		b->dkim_domain = o->dkim_d ? xstrdup(o->dkim_d) : NULL;
		b->dkim_selector = o->dkim_s ? xstrdup(o->dkim_s) : NULL;
		b->from_domain = o->from ? xstrdup(o->from) : NULL;
		const char *env = o->return_path ? o->return_path : o->envelope_from;
		b->envelope_domain = env ? xstrdup(env) : NULL;
	}
	dsn_free(&td);
}

static void parse_message(const char *s, const char *end, const struct bounce_patterns *pt, struct bounce *b)
{
	struct ctx x = {0};
	strbuf_init(&x.text);
	struct hdrs top = {0};
	const char *body = parse_headers(s, end, &top);
	if (!top.n) {
		/* A bare reply line or transcript: everything is text. */
		text_add(&x, s, (size_t)(end - s), false);
	} else {
		walk(&x, body, end, &top, 0, false);
	}
	decide(&x, &top, pt, b);
	/* A message pasted on its own (not a bounce): its own headers are the
	 * original for the content note. */
	if (!b->found && top.n && !b->message.present && (hdr_get(&top, "from") || hdr_get(&top, "message-id"))) {
		b->message.present = true;
		b->message.has_date = hdr_get(&top, "date") != NULL;
		b->message.has_message_id = hdr_get(&top, "message-id") != NULL;
		b->message.size = (size_t)(end - s);
		const char *dk = hdr_get(&top, "dkim-signature");
		if (dk) {
			b->dkim_domain = dkim_tag(dk, 'd');
			b->dkim_selector = dkim_tag(dk, 's');
		}
		b->from_domain = addr_domain(hdr_get(&top, "from"));
		b->envelope_domain = addr_domain(hdr_get(&top, "return-path"));
		if (!b->message.risky_attachment && x.orig.risky)
			b->message.risky_attachment = xstrdup(x.orig.risky);
	}
	hdrs_free(&top);
	dsn_free(&x.dsn);
	orig_free(&x.orig);
	strbuf_free(&x.text);
}

void bounce_free(struct bounce *b)
{
	free(b->error), free(b->diagnostic), free(b->meaning), free(b->matched_pattern), free(b->reporting_mta),
		free(b->remote_mta), free(b->recipient), free(b->dkim_domain), free(b->dkim_selector),
		free(b->envelope_domain), free(b->from_domain), free(b->message.risky_attachment);
	memset(b, 0, sizeof(*b));
}

static bool mbox_from_line(const char *p, const char *end)
{
	return end - p >= 5 && memcmp(p, "From ", 5) == 0;
}

bool bounce_parse(const char *buf, size_t len, const struct bounce_patterns *pt, struct bounce *b)
{
	memset(b, 0, sizeof(*b));
	size_t n;
	char *s = normalize(buf ? buf : "", buf ? len : 0, &n);
	const char *end = s + n;
	const char *p = s;
	/* Leading blank lines of a paste. */
	while (p < end && (*p == '\n' || is_ws(*p))) {
		const char *e = line_end(p, end);
		const char *q = p;
		while (q < e && is_ws(*q))
			q++;
		if (q != e)
			break;
		p = next_line(e, end);
	}
	if (mbox_from_line(p, end)) {
		/* An mbox: messages start at "From " lines after a blank line; the
		 * first one that reads as a bounce wins. */
		int tried = 0;
		while (p < end && tried < MAX_MBOX_MSGS) {
			const char *msg = next_line(line_end(p, end), end);
			const char *q = msg, *mend = end;
			bool blank = false;
			while (q < end) {
				const char *e = line_end(q, end);
				if (blank && mbox_from_line(q, e)) {
					mend = q;
					break;
				}
				blank = e == q;
				q = next_line(e, end);
			}
			bounce_free(b);
			parse_message(msg, mend, pt, b);
			tried++;
			if (b->found)
				break;
			p = mend;
		}
		if (!tried)
			parse_message(p, end, pt, b);
	} else {
		parse_message(p, end, pt, b);
	}
	free(s);
	return b->found;
}

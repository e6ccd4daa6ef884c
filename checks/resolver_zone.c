/* resolver_zone.c - answers from master-format zone files (--zone, --demo).
 *
 * Parsing is Knot's libzscanner: zone-file syntax ($ORIGIN, $TTL, relative
 * names, parentheses, escapes, every RR type's presentation form) is big
 * enough that a home-made parser would be the weakest part of the program.
 * zscanner hands us each record in wire format, which is what we keep.
 *
 * Three layers, kept apart so each can be tested on its own:
 *   - the store: nodes keyed by lower-cased wire owner name, each with its
 *     records; every ancestor of an owner exists as a node too, so empty
 *     non-terminals answer NODATA, not NXDOMAIN;
 *   - the lookup: what an authoritative server would answer (CNAMEs
 *     followed inside the loaded data, RFC 4592 wildcards, REFUSED outside
 *     every apex);
 *   - the wire builder: a real DNS response, fed to the same dns_parse()
 *     the network backend uses, so the checks cannot tell the difference.
 * Delegations (NS below an apex) are not treated as zone cuts: an operator
 * auditing a zone before publishing it wants its data, not a referral. */
#include "resolver_zone.h"

#include <libzscanner/scanner.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "evloop.h"
#include "resolver.h"
#include "util.h"

/* ---- names ------------------------------------------------------------ */

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

size_t zone_name_to_wire(const char *name, uint8_t out[255])
{
	size_t n = strlen(name);
	if (n == 0)
		return 0;
	if (n == 1 && name[0] == '.') {
		out[0] = 0;
		return 1;
	}
	if (name[n - 1] == '.')
		n--;
	size_t o = 0;
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && name[j] != '.')
			j++;
		size_t l = j - i;
		if (l == 0 || l > 63 || o + 1 + l + 1 > 255)
			return 0;
		out[o++] = (uint8_t)l;
		for (size_t k = i; k < j; k++)
			out[o++] = lower((uint8_t)name[k]);
		i = j + 1;
	}
	out[o++] = 0;
	return o;
}

/* Length of a valid uncompressed wire name at p (at most max bytes), or 0. */
static size_t wire_name_len(const uint8_t *p, size_t max)
{
	size_t o = 0;
	while (o < max && o < 255) {
		uint8_t l = p[o];
		if (l == 0)
			return o + 1;
		if (l > 63 || o + 1 + l >= max)
			return 0;
		o += 1 + l;
	}
	return 0;
}

/* Presentation form without the trailing dot ("" for the root). */
static char *wire_to_text(const uint8_t *w)
{
	struct strbuf b;
	strbuf_init(&b);
	strbuf_add(&b, "", 0);
	for (size_t o = 0; w[o]; o += 1 + w[o]) {
		if (o)
			strbuf_addc(&b, '.');
		for (size_t i = 1; i <= w[o]; i++) {
			uint8_t c = w[o + i];
			if (c == '.' || c == '\\')
				strbuf_addf(&b, "\\%c", c);
			else if (c <= ' ' || c >= 0x7f)
				strbuf_addf(&b, "\\%03u", c);
			else
				strbuf_addc(&b, (char)c);
		}
	}
	return strbuf_steal(&b);
}

/* Is child (length clen) equal to or below parent?  Names are lower-case. */
static bool wire_within(const uint8_t *child, size_t clen, const uint8_t *parent, size_t plen)
{
	for (size_t o = 0; o < clen; o += 1 + child[o]) {
		if (clen - o == plen && memcmp(child + o, parent, plen) == 0)
			return true;
		if (!child[o])
			break;
	}
	return false;
}

/* ---- the store --------------------------------------------------------- */

struct zrr {
	struct zrr *next;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[];
};

struct znode {
	struct znode *hnext;
	struct zrr *rrs, **tail;
	size_t nrrs;
	size_t len;
	uint8_t name[];
};

struct zapex {
	size_t len;
	uint8_t name[255];
};

struct zone_store {
	struct znode **buckets;
	size_t nbuckets, nnodes, nrecords;
	struct zapex *apex;
	size_t napex;
};

static unsigned name_hash(const uint8_t *w, size_t len)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ w[i]) * 16777619u;
	return h;
}

struct zone_store *zone_store_new(void)
{
	struct zone_store *zs = xcalloc(1, sizeof(*zs));
	zs->nbuckets = 256;
	zs->buckets = xcalloc(zs->nbuckets, sizeof(*zs->buckets));
	return zs;
}

void zone_store_free(struct zone_store *zs)
{
	if (!zs)
		return;
	for (size_t i = 0; i < zs->nbuckets; i++) {
		for (struct znode *n = zs->buckets[i], *nn; n; n = nn) {
			nn = n->hnext;
			for (struct zrr *rr = n->rrs, *rn; rr; rr = rn) {
				rn = rr->next;
				free(rr);
			}
			free(n);
		}
	}
	free(zs->buckets);
	free(zs->apex);
	free(zs);
}

size_t zone_store_records(const struct zone_store *zs)
{
	return zs->nrecords;
}

static struct znode *node_find(const struct zone_store *zs, const uint8_t *w, size_t len)
{
	for (struct znode *n = zs->buckets[name_hash(w, len) % zs->nbuckets]; n; n = n->hnext)
		if (n->len == len && memcmp(n->name, w, len) == 0)
			return n;
	return NULL;
}

static void store_grow(struct zone_store *zs)
{
	size_t nb = zs->nbuckets * 2;
	struct znode **b = xcalloc(nb, sizeof(*b));
	for (size_t i = 0; i < zs->nbuckets; i++) {
		for (struct znode *n = zs->buckets[i], *nn; n; n = nn) {
			nn = n->hnext;
			unsigned h = name_hash(n->name, n->len) % nb;
			n->hnext = b[h];
			b[h] = n;
		}
	}
	free(zs->buckets);
	zs->buckets = b;
	zs->nbuckets = nb;
}

/* The node for w, created with every missing ancestor (empty non-terminals
 * must exist so that they answer NODATA). */
static struct znode *node_get(struct zone_store *zs, const uint8_t *w, size_t len)
{
	struct znode *first = node_find(zs, w, len);
	if (first)
		return first;
	/* An existing node's ancestors all exist: stop at the first one found. */
	for (size_t o = 0; !node_find(zs, w + o, len - o); o += 1 + w[o]) {
		if (zs->nnodes >= zs->nbuckets)
			store_grow(zs);
		struct znode *n = xcalloc(1, sizeof(*n) + len - o);
		n->len = len - o;
		memcpy(n->name, w + o, len - o);
		n->tail = &n->rrs;
		unsigned h = name_hash(n->name, n->len) % zs->nbuckets;
		n->hnext = zs->buckets[h];
		zs->buckets[h] = n;
		zs->nnodes++;
		if (!first)
			first = n;
		if (!w[o])
			break;
	}
	return first;
}

static void apex_add(struct zone_store *zs, const uint8_t *w, size_t len)
{
	for (size_t i = 0; i < zs->napex; i++)
		if (zs->apex[i].len == len && memcmp(zs->apex[i].name, w, len) == 0)
			return;
	zs->apex = xrealloc(zs->apex, (zs->napex + 1) * sizeof(*zs->apex));
	zs->apex[zs->napex].len = len;
	memcpy(zs->apex[zs->napex].name, w, len);
	zs->napex++;
}

/* The longest apex w is within, or NULL. */
static const struct zapex *apex_of(const struct zone_store *zs, const uint8_t *w, size_t len)
{
	const struct zapex *best = NULL;
	for (size_t i = 0; i < zs->napex; i++)
		if (wire_within(w, len, zs->apex[i].name, zs->apex[i].len) && (!best || zs->apex[i].len > best->len))
			best = &zs->apex[i];
	return best;
}

char *zone_store_apexes(const struct zone_store *zs)
{
	struct strbuf b;
	strbuf_init(&b);
	strbuf_add(&b, "", 0);
	for (size_t i = 0; i < zs->napex; i++) {
		char *t = wire_to_text(zs->apex[i].name);
		strbuf_addf(&b, "%s%s", i ? ", " : "", *t ? t : ".");
		free(t);
	}
	return strbuf_steal(&b);
}

/* Nodes with this many records are not checked for duplicates: keeps a
 * hostile file from making loading quadratic. */
#define ZONE_DEDUP_LIMIT 4096
/* Every owner brings its missing ancestors as nodes: a record whose name has
 * 120 new labels makes 120 nodes, so a file of deep unique names takes ~70
 * times its size in memory (a 64 MiB file, gigabytes).  Real zones have about
 * one node per record; this is four times ZONE_MAX_RECORDS. */
#define ZONE_MAX_NODES 2000000u

static void store_add(struct zone_store *zs, const uint8_t *owner, size_t olen, uint16_t type, uint16_t rclass,
                      uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	uint8_t w[255];
	for (size_t i = 0; i < olen; i++)
		w[i] = lower(owner[i]);
	struct znode *n = node_get(zs, w, olen);
	if (n->nrrs < ZONE_DEDUP_LIMIT) {
		/* A server loads an RRset once; a repeated line is not two records. */
		for (struct zrr *rr = n->rrs; rr; rr = rr->next)
			if (rr->type == type && rr->rclass == rclass && rr->rdlen == rdlen &&
			    memcmp(rr->rdata, rdata, rdlen) == 0)
				return;
	}
	struct zrr *rr = xmalloc(sizeof(*rr) + rdlen);
	rr->next = NULL;
	rr->type = type;
	rr->rclass = rclass;
	rr->ttl = ttl;
	rr->rdlen = (uint16_t)rdlen;
	memcpy(rr->rdata, rdata, rdlen);
	*n->tail = rr;
	n->tail = &rr->next;
	n->nrrs++;
	zs->nrecords++;
	if (type == DNS_T_SOA)
		apex_add(zs, w, olen);
}

/* ---- loading ----------------------------------------------------------- */

/* "example.com.zone" -> "example.com." so that a file named after its zone
 * (the usual convention, and what tests/zones/ uses) may omit $ORIGIN. */
static char *guess_origin(const char *label)
{
	const char *base = strrchr(label, '/');
	base = base ? base + 1 : label;
	char *s = xstrdup(base);
	size_t n = strlen(s);
	static const char *const suffixes[] = {".zone", ".db", ".txt"};
	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		size_t l = strlen(suffixes[i]);
		if (n > l && ascii_strcaseeq(s + n - l, suffixes[i])) {
			s[n - l] = '\0';
			break;
		}
	}
	char *origin;
	if (strchr(s, '.') && domain_valid(s, NULL))
		origin = xasprintf("%s.", s);
	else
		origin = xstrdup(".");
	free(s);
	return origin;
}

/* Origins seen in a file without SOA records become its apexes. */
#define ZONE_MAX_ORIGINS 64

bool zone_store_load_text(struct zone_store *zs, const char *text, size_t len, const char *label, const char *origin,
                          char **err)
{
	char *guessed = origin ? NULL : guess_origin(label);
	/* zs_scanner_t holds several 64 KiB buffers: never on the stack.  Not
	 * calloc: zs_init() clears the whole scanner itself. */
	zs_scanner_t *s = xmalloc(sizeof(*s));
	bool ok = false, has_soa = false;
	struct zapex *origins = NULL;
	size_t norigins = 0;
	if (zs_init(s, origin ? origin : guessed, 1 /* IN */, 3600) != 0) {
		*err = xasprintf("%s: bad origin '%s'", label, origin ? origin : guessed);
		zs_deinit(s);
		free(s);
		free(guessed);
		return false;
	}
	if (zs_set_input_string(s, text, len) != 0) {
		*err = xasprintf("%s: %s", label, zs_strerror(s->error.code));
		goto out;
	}
	while (zs_parse_record(s) == 0) {
		switch (s->state) {
		case ZS_STATE_DATA:
			if (zs->nrecords >= ZONE_MAX_RECORDS) {
				*err = xasprintf("%s line %llu: more than %u records", label,
				                 (unsigned long long)s->line_counter, ZONE_MAX_RECORDS);
				goto out;
			}
			if (zs->nnodes >= ZONE_MAX_NODES) {
				*err = xasprintf("%s line %llu: more than %u names (with their parent names)", label,
				                 (unsigned long long)s->line_counter, ZONE_MAX_NODES);
				goto out;
			}
			store_add(zs, s->r_owner, s->r_owner_length, s->r_type, s->r_class, s->r_ttl, s->r_data,
			          s->r_data_length);
			if (s->r_type == DNS_T_SOA)
				has_soa = true;
			if (!has_soa && norigins < ZONE_MAX_ORIGINS) {
				size_t i, ol = s->zone_origin_length;
				for (i = 0; i < norigins; i++)
					if (origins[i].len == ol && memcmp(origins[i].name, s->zone_origin, ol) == 0)
						break;
				if (i == norigins && ol <= 255) {
					origins = xrealloc(origins, (norigins + 1) * sizeof(*origins));
					origins[norigins].len = ol;
					for (size_t k = 0; k < ol; k++)
						origins[norigins].name[k] = lower(s->zone_origin[k]);
					norigins++;
				}
			}
			break;
		case ZS_STATE_ERROR:
			*err = xasprintf("%s line %llu: %s", label, (unsigned long long)s->line_counter,
			                 zs_strerror(s->error.code));
			goto out;
		case ZS_STATE_INCLUDE:
			/* Following $INCLUDE would let a zone file read any file on the
			 * machine; name every file with --zone instead. */
			*err = xasprintf("%s line %llu: $INCLUDE is not supported (give each file with --zone)", label,
			                 (unsigned long long)s->line_counter);
			goto out;
		default: ok = true; goto out; /* EOF or STOP */
		}
	}
	*err = xasprintf("%s line %llu: %s", label, (unsigned long long)s->line_counter, zs_strerror(s->error.code));
out:
	if (ok && !has_soa) {
		if (norigins == 0) {
			/* No records at all: the initial origin still names the zone. */
			uint8_t w[255];
			size_t l = zone_name_to_wire(origin ? origin : guessed, w);
			if (l)
				apex_add(zs, w, l);
		}
		for (size_t i = 0; i < norigins; i++)
			apex_add(zs, origins[i].name, origins[i].len);
	}
	free(origins);
	zs_deinit(s);
	free(s);
	free(guessed);
	return ok;
}

bool zone_store_load_file(struct zone_store *zs, const char *path, char **err)
{
	size_t len;
	char *rerr = NULL;
	char *text = read_file(path, ZONE_MAX_FILE_BYTES, &len, &rerr);
	if (!text) {
		*err = xasprintf("cannot load the zone file: %s", rerr ? rerr : path);
		free(rerr);
		return false;
	}
	char *label = xasprintf("zone file %s", path);
	char *origin = guess_origin(path);
	bool ok = zone_store_load_text(zs, text, len, label, origin, err);
	free(origin);
	free(label);
	free(text);
	return ok;
}

/* ---- the wire builder ------------------------------------------------- */

#define WIRE_MAX 65535

static void put16(struct strbuf *b, uint16_t v)
{
	unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
	strbuf_add(b, x, 2);
}

static void put32(struct strbuf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	                      (unsigned char)v};
	strbuf_add(b, x, 4);
}

/* Append whole records while they fit; returns how many did. */
static size_t put_rrs(struct strbuf *b, const struct zone_wire_rr *rrs, size_t n, bool *tc)
{
	size_t i;
	for (i = 0; i < n && !*tc; i++) {
		const struct zone_wire_rr *rr = &rrs[i];
		if (rr->rdlen > 0xffff || b->len + rr->owner_len + 10 + rr->rdlen > WIRE_MAX) {
			*tc = true;
			break;
		}
		strbuf_add(b, rr->owner, rr->owner_len);
		put16(b, rr->type);
		put16(b, rr->rclass);
		put32(b, rr->ttl);
		put16(b, (uint16_t)rr->rdlen);
		strbuf_add(b, rr->rdata, rr->rdlen);
	}
	return i;
}

unsigned char *zone_wire_build(const uint8_t *qname, size_t qname_len, uint16_t qtype, int rcode,
                               const struct zone_wire_rr *an, size_t nan, const struct zone_wire_rr *ns, size_t nns,
                               size_t *len)
{
	struct strbuf b;
	strbuf_init(&b);
	put16(&b, 0);      /* id: the resolver matches by its own id, not this */
	put16(&b, 0x8400); /* QR, AA; flags fixed up below */
	put16(&b, 1);
	put16(&b, 0);
	put16(&b, 0);
	put16(&b, 0);
	strbuf_add(&b, qname, qname_len);
	put16(&b, qtype);
	put16(&b, 1); /* IN */
	bool tc = false;
	size_t a = put_rrs(&b, an, nan, &tc);
	size_t n = put_rrs(&b, ns, nns, &tc);
	unsigned char *m = (unsigned char *)b.s;
	m[2] = (unsigned char)(0x84 | (tc ? 0x02 : 0));
	m[3] = (unsigned char)(rcode & 0x0f);
	m[6] = (unsigned char)(a >> 8);
	m[7] = (unsigned char)a;
	m[8] = (unsigned char)(n >> 8);
	m[9] = (unsigned char)n;
	*len = b.len;
	return (unsigned char *)strbuf_steal(&b);
}

/* ---- the lookup ------------------------------------------------------- */

/* The answer section being built: grown as records are added (most answers
 * hold one or two records; allocating the 1024-record bound up front cost
 * 40 KiB of zeroing per query), never past ZONE_MAX_ANSWER_RRS. */
struct rrvec {
	struct zone_wire_rr *v;
	size_t n, cap;
};

static bool rrvec_push(struct rrvec *a, struct zone_wire_rr rr)
{
	if (a->n >= ZONE_MAX_ANSWER_RRS)
		return false;
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		if (a->cap > ZONE_MAX_ANSWER_RRS)
			a->cap = ZONE_MAX_ANSWER_RRS;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	a->v[a->n++] = rr;
	return true;
}

static void add_rrset(struct rrvec *out, const struct znode *node, const uint8_t *owner, size_t owner_len,
                      uint16_t type)
{
	for (const struct zrr *rr = node->rrs; rr; rr = rr->next) {
		if (rr->type != type || rr->rclass != 1)
			continue;
		if (!rrvec_push(out, (struct zone_wire_rr){owner, owner_len, rr->type, rr->rclass, rr->ttl, rr->rdata,
		                                           rr->rdlen}))
			break;
	}
}

static const struct zrr *find_rr(const struct znode *node, uint16_t type)
{
	for (const struct zrr *rr = node->rrs; rr; rr = rr->next)
		if (rr->type == type && rr->rclass == 1)
			return rr;
	return NULL;
}

/* The node answering for w: w itself, or the wildcard at its closest
 * encloser (RFC 4592 4.1), searched no higher than the apex. */
static const struct znode *node_lookup(const struct zone_store *zs, const uint8_t *w, size_t len,
                                       const struct zapex *apex)
{
	const struct znode *n = node_find(zs, w, len);
	if (n)
		return n;
	for (size_t o = 0; w[o] && len - o > apex->len;) {
		o += 1 + w[o];
		if (!node_find(zs, w + o, len - o))
			continue;
		/* w + o is the closest encloser; its wildcard is the source. */
		uint8_t wild[255 + 2];
		if (2 + len - o > 255)
			return NULL;
		wild[0] = 1;
		wild[1] = '*';
		memcpy(wild + 2, w + o, len - o);
		return node_find(zs, wild, 2 + len - o);
	}
	return NULL;
}

unsigned char *zone_store_answer(const struct zone_store *zs, const char *name, uint16_t type, size_t *len,
                                 char **why)
{
	uint8_t hop[ZONE_MAX_CNAME_HOPS + 1][255];
	size_t hoplen[ZONE_MAX_CNAME_HOPS + 1];
	*why = NULL;
	hoplen[0] = zone_name_to_wire(name, hop[0]);
	if (!hoplen[0]) {
		*why = xasprintf("'%s' is not a DNS name", name);
		return NULL;
	}
	const struct zapex *apex = apex_of(zs, hop[0], hoplen[0]);
	if (!apex) {
		char *apexes = zone_store_apexes(zs);
		*why = xasprintf("%s is not in the loaded zone files (zones: %s)", name, *apexes ? apexes : "none");
		free(apexes);
		return zone_wire_build(hop[0], hoplen[0], type, 5, NULL, 0, NULL, 0, len);
	}
	struct rrvec an = {0};
	int rcode = 0;
	bool have_data = false;
	size_t h = 0;
	for (;;) {
		const struct znode *node = node_lookup(zs, hop[h], hoplen[h], apex);
		if (!node) {
			/* RFC 6604: the rcode describes the last name of the chain. */
			rcode = 3;
			break;
		}
		size_t before = an.n;
		add_rrset(&an, node, hop[h], hoplen[h], type);
		if (an.n > before) {
			have_data = true;
			break;
		}
		const struct zrr *cname = type == DNS_T_CNAME ? NULL : find_rr(node, DNS_T_CNAME);
		if (!cname ||
		    !rrvec_push(&an, (struct zone_wire_rr){hop[h], hoplen[h], DNS_T_CNAME, 1, cname->ttl, cname->rdata,
		                                           cname->rdlen}))
			break; /* NODATA, or the answer is full */
		size_t tl = wire_name_len(cname->rdata, cname->rdlen);
		/* The hop bound is what ends a CNAME loop. */
		if (!tl || h == ZONE_MAX_CNAME_HOPS)
			break;
		h++;
		for (size_t i = 0; i < tl; i++)
			hop[h][i] = lower(cname->rdata[i]);
		hoplen[h] = tl;
		apex = apex_of(zs, hop[h], hoplen[h]);
		if (!apex)
			break; /* the target is someone else's: the resolver's business */
	}
	/* Negative answers carry the zone's SOA, as a server's do. */
	struct zone_wire_rr ns[1];
	size_t nns = 0;
	if (!have_data && apex) {
		const struct znode *apex_node = node_find(zs, apex->name, apex->len);
		const struct zrr *soa = apex_node ? find_rr(apex_node, DNS_T_SOA) : NULL;
		if (soa)
			ns[nns++] = (struct zone_wire_rr){apex_node->name, apex_node->len, DNS_T_SOA, 1, soa->ttl, soa->rdata,
			                                  soa->rdlen};
	}
	unsigned char *msg = zone_wire_build(hop[0], hoplen[0], type, rcode, an.v, an.n, ns, nns, len);
	free(an.v);
	return msg;
}

/* ---- the backend ------------------------------------------------------ */

struct zpending {
	struct zone_backend *be;
	uint64_t id;
	unsigned char *msg;
	size_t len;
	char *why;
	struct evtimer *timer;
	struct zpending *prev, *next;
};

struct zone_backend {
	struct resolver *r;
	struct evloop *loop;
	struct zone_store *store;
	char *describe;
	char *send_why; /* kept until the next send: send()'s *why is borrowed */
	struct zpending *pending;
};

static void pending_unlink(struct zone_backend *be, struct zpending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		be->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

static void pending_free(struct zpending *p)
{
	free(p->msg);
	free(p->why);
	free(p);
}

static void zone_fire(void *arg)
{
	struct zpending *p = arg;
	struct zone_backend *be = p->be;
	pending_unlink(be, p);
	/* A callback may free the resolver (and be): touch neither afterwards. */
	if (p->msg)
		resolver_deliver(be->r, p->id, p->msg, p->len, DNS_OK, NULL, be->describe);
	else
		resolver_deliver(be->r, p->id, NULL, 0, DNS_REFUSED, p->why, be->describe);
	pending_free(p);
}

static int zone_send(void *bep, uint64_t id, const char *name, uint16_t type, unsigned flags, const char **why)
{
	struct zone_backend *be = bep;
	(void)flags; /* nothing here is DNSSEC-validated: AD stays clear */
	size_t len = 0;
	char *w = NULL;
	unsigned char *msg = zone_store_answer(be->store, name, type, &len, &w);
	if (!msg) {
		free(be->send_why);
		be->send_why = w;
		*why = w;
		return -1;
	}
	struct zpending *p = xcalloc(1, sizeof(*p));
	p->be = be;
	p->id = id;
	if (w) {
		/* REFUSED: deliver the sentence rather than a bare rcode, so the
		 * operator learns the name is outside the files, not that a server
		 * misbehaved. */
		free(msg);
		p->why = w;
	} else {
		p->msg = msg;
		p->len = len;
	}
	p->next = be->pending;
	if (p->next)
		p->next->prev = p;
	be->pending = p;
	/* Never deliver inside send(): the caller is still in resolver_query(). */
	p->timer = evloop_timer_add(be->loop, 0, zone_fire, p);
	return 0;
}

static void zone_cancel_all(void *bep)
{
	struct zone_backend *be = bep;
	while (be->pending) {
		struct zpending *p = be->pending;
		pending_unlink(be, p);
		evloop_timer_cancel(be->loop, p->timer);
		pending_free(p);
	}
}

static void zone_free(void *bep)
{
	struct zone_backend *be = bep;
	if (!be)
		return;
	zone_cancel_all(be);
	zone_store_free(be->store);
	free(be->describe);
	free(be->send_why);
	free(be);
}

static const char *zone_describe(void *bep)
{
	return ((struct zone_backend *)bep)->describe;
}

void *resolver_zone_new(struct resolver *r, struct evloop *loop, const struct resolver_config *cfg, char **err)
{
	struct zone_backend *be = xcalloc(1, sizeof(*be));
	be->r = r;
	be->loop = loop;
	be->store = zone_store_new();
	struct strbuf d;
	strbuf_init(&d);
	strbuf_adds(&d, cfg->nzone_files == 1 ? "zone file " : "zone files ");
	for (size_t i = 0; i < cfg->nzone_files; i++) {
		if (!zone_store_load_file(be->store, cfg->zone_files[i], err)) {
			strbuf_free(&d);
			zone_free(be);
			return NULL;
		}
		const char *base = strrchr(cfg->zone_files[i], '/');
		strbuf_addf(&d, "%s%s", i ? ", " : "", base ? base + 1 : cfg->zone_files[i]);
	}
	be->describe = strbuf_steal(&d);
	return be;
}

const struct resolver_backend resolver_zone_backend = {
	.name = "zone",
	.send = zone_send,
	.cancel_all = zone_cancel_all,
	.free = zone_free,
	.describe = zone_describe,
};

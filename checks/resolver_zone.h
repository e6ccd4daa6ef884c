/* resolver_zone.h - the pieces of the zone-file backend, exposed for tests.
 *
 * The backend (resolver_zone_backend in resolver.h) is three layers: a
 * record store loaded by libzscanner, a lookup that behaves like an
 * authoritative server over that store, and a wire-format builder.  Only
 * resolver_zone.c and the unit tests use this header. */
#ifndef MXAUDIT_RESOLVER_ZONE_H
#define MXAUDIT_RESOLVER_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what loading may take: a zone file is input like any other. */
#define ZONE_MAX_FILE_BYTES (64u << 20)
#define ZONE_MAX_RECORDS 500000u
/* CNAME hops followed inside the loaded data (a loop ends here). */
#define ZONE_MAX_CNAME_HOPS 8
/* Answer-section records per response (same bound as dns_parse). */
#define ZONE_MAX_ANSWER_RRS 1024

struct zone_store;

struct zone_store *zone_store_new(void);
void zone_store_free(struct zone_store *zs);
/* Load master-format text; label names it in messages ("demo.zone").  The
 * initial origin is origin (NULL = guessed from label: "example.com.zone"
 * -> example.com, else the root).  Returns false with *err a one-line
 * message ("LABEL line N: ...") on any error. */
bool zone_store_load_text(struct zone_store *zs, const char *text, size_t len, const char *label, const char *origin,
                          char **err);
/* Read and load a file ("-" = standard input). */
bool zone_store_load_file(struct zone_store *zs, const char *path, char **err);
size_t zone_store_records(const struct zone_store *zs);
/* The zone apexes, comma-separated, for messages (allocated). */
char *zone_store_apexes(const struct zone_store *zs);

/* Answer (name, type) as an authoritative server over the store would:
 * a wire-format response with id 0.  Returns NULL only for a name that is
 * not a DNS name (*why says why, allocated).  For names outside every
 * apex the response is REFUSED and *why is a sentence saying so. */
unsigned char *zone_store_answer(const struct zone_store *zs, const char *name, uint16_t type, size_t *len,
                                 char **why);

/* The wire builder: one record of a response. Names are uncompressed wire
 * format; rdata as it goes on the wire (names inside uncompressed). */
struct zone_wire_rr {
	const uint8_t *owner;
	size_t owner_len;
	uint16_t type, rclass;
	uint32_t ttl;
	const uint8_t *rdata;
	size_t rdlen;
};

/* A response: header (id 0, QR, AA, rcode), the question, the answer and
 * authority sections.  Records that would take the message past 65535
 * bytes are left out and TC is set.  Returns malloc'd bytes. */
unsigned char *zone_wire_build(const uint8_t *qname, size_t qname_len, uint16_t qtype, int rcode,
                               const struct zone_wire_rr *an, size_t nan, const struct zone_wire_rr *ns, size_t nns,
                               size_t *len);

/* "example.com" / "example.com." -> lower-cased wire name in out (255
 * bytes).  Returns the length, or 0 if it is not a DNS name. */
size_t zone_name_to_wire(const char *name, uint8_t out[255]);

#endif

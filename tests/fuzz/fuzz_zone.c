/* fuzz_zone.c - zone-file input (--zone FILE) through zone_store_load_text()
 * (libzscanner plus the store), then the authoritative lookup and wire
 * builder answer a few names of the loaded apexes, and dns_parse() reads
 * each answer back as the resolver would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "resolver_zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ask(const struct zone_store *zs, const char *name, uint16_t type)
{
	size_t len = 0;
	char *why = NULL;
	unsigned char *w = zone_store_answer(zs, name, type, &len, &why);
	if (w) {
		struct dns_answer *a = dns_parse(w, len, name, type);
		dns_answer_unref(a);
	}
	free(w);
	free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0; /* libzscanner's cost is linear; big inputs only slow the search */
	struct zone_store *zs = zone_store_new();
	char *err = NULL;
	/* Origin guessed from the label ("example.com.zone" -> example.com.). */
	bool ok = zone_store_load_text(zs, (const char *)data, size, "example.com.zone", NULL, &err);
	free(err);
	if (ok) {
		static const uint16_t types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_CNAME, DNS_T_TLSA, DNS_T_PTR};
		static const char *const names[] = {"example.com", "www.example.com", "a.b.example.com",
		                                    "_25._tcp.mx.example.com", "example.net"};
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++)
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
				ask(zs, names[n], types[t]);
		/* The apexes the file itself declared ($ORIGIN, SOA owners). */
		char *apexes = zone_store_apexes(zs);
		char *save = NULL;
		for (char *ap = strtok_r(apexes, ",", &save); ap; ap = strtok_r(NULL, ",", &save)) {
			while (*ap == ' ')
				ap++;
			ask(zs, ap, DNS_T_MX);
			ask(zs, ap, DNS_T_TXT);
		}
		free(apexes);
	}
	zone_store_free(zs);
	return 0;
}

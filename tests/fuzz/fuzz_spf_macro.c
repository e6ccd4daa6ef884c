/* fuzz_spf_macro.c - SPF macro-strings (RFC 7208 section 7) through
 * spf_macro_expand() and spf_macro_expand_domain().  The first byte picks
 * explanation mode and the address family; the rest is the macro-string,
 * then optionally a NUL and the sender (whose local part and domain the
 * l, o and s macros split and reverse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "spf_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	/* spf_macro_expand takes C strings: copy, so a NUL splits spec/sender. */
	char *buf = malloc(size + 1);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	const char *spec = buf;
	size_t speclen = strlen(spec);
	const char *sender = speclen + 1 < size ? buf + speclen + 1 : "postmaster@mail.example.com";
	const char *at = strrchr(sender, '@');
	static const unsigned char v4[4] = {192, 0, 2, 25};
	static const unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0xbe, [15] = 0xef};
	const struct spf_macro_ctx ctx = {
	    .sender = sender,
	    .domain = at ? at + 1 : sender,
	    .helo = "mx.example.org",
	    .family = (flags & 2) ? AF_INET6 : AF_INET,
	    .addr = (flags & 2) ? v6 : v4,
	    .validated = (flags & 4) ? "mail.example.com" : NULL,
	    .receiver = (flags & 8) ? "mx.example.net" : NULL,
	    .now = 1700000000,
	};
	(void)spf_macro_uses_p(spec);
	(void)spf_macro_has_macros(spec);
	char *err = NULL;
	char *s = (flags & 1) ? spf_macro_expand(spec, &ctx, (flags & 16) != 0, &err)
	                      : spf_macro_expand_domain(spec, &ctx, &err);
	/* Exactly one of result and error. */
	if (!s == !err)
		abort();
	if (s && !(flags & 1) && strlen(s) > 253)
		abort(); /* the domain expander truncates to 253 (RFC 7208 4.8) */
	free(s);
	free(err);
	free(buf);
	return 0;
}

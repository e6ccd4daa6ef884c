/* resolver_ares.c - the network backend: c-ares 1.18.1 inside our poll loop.
 *
 * c-ares tells us which sockets it uses through ARES_OPT_SOCK_STATE_CB; we
 * register them with the event loop and call ares_process_fd() when they
 * fire.  Timeouts and retries happen inside ares_process_fd(), so after every
 * loop pass a hook calls it once with both sockets ARES_SOCKET_BAD, and
 * before every pass the hook offers ares_timeout() as the longest the loop
 * may sleep (the adig.c / curl asyn-ares.c pattern).
 *
 * Queries are built with ares_create_query() so we can set the AD bit (1.18
 * has no API for it) and an EDNS0 buffer size, then sent with ares_send();
 * c-ares retries over TCP by itself when an answer comes back truncated. */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "evloop.h"
#include "resolver.h"
#include "util.h"

/* The EDNS0 UDP size of the DNS flag day 2020: large enough for most
 * answers, small enough to avoid IP fragmentation. */
#define EDNS_UDP_SIZE 1232

struct ares_be {
	struct resolver *r;
	struct evloop *loop;
	ares_channel channel;
	size_t outstanding;
	char *describe;
};

struct ares_query_ctx {
	struct ares_be *be;
	uint64_t id;
};

bool resolver_parse_server(const char *spec, char *ip, size_t iplen, int *port)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *portstr = NULL;
	size_t hl;
	unsigned char addr[16];
	int family;
	*port = 53;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close)
			return false;
		hl = (size_t)(close - spec - 1);
		if (hl >= sizeof(host))
			return false;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		if (close[1] == ':')
			portstr = close + 2;
		else if (close[1] != '\0')
			return false;
	} else {
		const char *colon = strchr(spec, ':');
		if (colon && strchr(colon + 1, ':')) { /* bare IPv6 */
			hl = strlen(spec);
		} else {
			hl = colon ? (size_t)(colon - spec) : strlen(spec);
			portstr = colon ? colon + 1 : NULL;
		}
		if (hl >= sizeof(host))
			return false;
		memcpy(host, spec, hl);
		host[hl] = '\0';
	}
	if (!ip_parse(host, &family, addr))
		return false;
	if (portstr) {
		char *end;
		long p = strtol(portstr, &end, 10);
		if (!*portstr || *end || p < 1 || p > 65535)
			return false;
		*port = (int)p;
	}
	ip_format(family, addr, ip, iplen);
	return true;
}

static void on_io(int fd, short revents, void *arg)
{
	struct ares_be *be = arg;
	ares_socket_t rfd = (revents & (POLLIN | POLLERR | POLLHUP)) ? fd : ARES_SOCKET_BAD;
	ares_socket_t wfd = (revents & (POLLOUT | POLLERR | POLLHUP)) ? fd : ARES_SOCKET_BAD;
	ares_process_fd(be->channel, rfd, wfd);
}

static void sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct ares_be *be = data;
	short events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	evloop_io_set(be->loop, fd, events, on_io, be);
}

static long hook_prepare(void *arg)
{
	struct ares_be *be = arg;
	if (!be->outstanding)
		return -1;
	struct timeval tv;
	if (!ares_timeout(be->channel, NULL, &tv))
		return -1;
	return (long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
}

static void hook_after(void *arg)
{
	struct ares_be *be = arg;
	/* Lets c-ares notice queries whose time is up although no socket fired. */
	if (be->outstanding)
		ares_process_fd(be->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static enum dns_result map_status(int status)
{
	switch (status) {
	case ARES_ETIMEOUT: return DNS_TIMEOUT;
	case ARES_ESERVFAIL: return DNS_SERVFAIL;
	case ARES_EREFUSED: return DNS_REFUSED;
	case ARES_ECONNREFUSED: return DNS_NETERR;
	case ARES_EBADRESP:
	case ARES_EFORMERR: return DNS_FORMERR;
	case ARES_ENOTFOUND: return DNS_NXDOMAIN;
	case ARES_ENODATA: return DNS_NODATA;
	default: return DNS_ERROR;
	}
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct ares_query_ctx *q = arg;
	struct ares_be *be = q->be;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		/* The audit went away: nobody to tell. */
		be->outstanding--;
		free(q);
		return;
	}
	be->outstanding--;
	if (status == ARES_SUCCESS && abuf) {
		resolver_deliver(be->r, q->id, abuf, (size_t)alen, DNS_OK, NULL, be->describe);
	} else {
		char why[160];
		enum dns_result res = map_status(status);
		if (res == DNS_TIMEOUT)
			snprintf(why, sizeof(why), "no answer from %s (timed out after %d tries)", be->describe,
			         timeouts);
		else
			snprintf(why, sizeof(why), "%s (%s)", ares_strerror(status), be->describe);
		resolver_deliver(be->r, q->id, NULL, 0, res, why, be->describe);
	}
	free(q);
}

static int ares_be_send(void *arg, uint64_t id, const char *name, uint16_t type, unsigned flags, const char **why)
{
	struct ares_be *be = arg;
	unsigned char *buf = NULL;
	int buflen = 0;
	unsigned short qid;
	/* ares_send() keeps the id we put in the message: make it unpredictable
	 * (RFC 5452), as c-ares does for its own queries. */
	if (getrandom(&qid, sizeof(qid), 0) != sizeof(qid))
		qid = (unsigned short)(id * 2654435761u);
	if (ares_create_query(name, 1 /* C_IN */, type, qid, 1, &buf, &buflen, EDNS_UDP_SIZE) != ARES_SUCCESS) {
		*why = "the name cannot be put in a DNS query";
		return -1;
	}
	if (flags & RESOLVER_F_AD)
		buf[3] |= 0x20;
	struct ares_query_ctx *q = xcalloc(1, sizeof(*q));
	q->be = be;
	q->id = id;
	be->outstanding++;
	ares_send(be->channel, buf, buflen, on_answer, q);
	ares_free_string(buf);
	return 0;
}

static void ares_be_cancel_all(void *arg)
{
	struct ares_be *be = arg;
	ares_cancel(be->channel);
}

static void ares_be_free(void *arg)
{
	struct ares_be *be = arg;
	evloop_hook_remove(be->loop, be);
	ares_destroy(be->channel); /* closes sockets through sock_state_cb */
	free(be->describe);
	free(be);
}

static const char *ares_be_describe(void *arg)
{
	return ((struct ares_be *)arg)->describe;
}

const struct resolver_backend resolver_ares_backend = {
	.name = "c-ares",
	.send = ares_be_send,
	.cancel_all = ares_be_cancel_all,
	.free = ares_be_free,
	.describe = ares_be_describe,
};

void *resolver_ares_new(struct resolver *r, struct evloop *loop, const struct resolver_config *cfg, char **err)
{
	static bool initialised;
	if (!initialised) {
		int rc = ares_library_init(ARES_LIB_INIT_ALL);
		if (rc != ARES_SUCCESS) {
			*err = xasprintf("c-ares initialisation failed: %s", ares_strerror(rc));
			return NULL;
		}
		initialised = true;
	}
	struct ares_be *be = xcalloc(1, sizeof(*be));
	be->r = r;
	be->loop = loop;
	struct ares_options opts;
	memset(&opts, 0, sizeof(opts));
	opts.timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : 2000;
	opts.tries = cfg->tries > 0 ? cfg->tries : 2;
	opts.sock_state_cb = sock_state_cb;
	opts.sock_state_cb_data = be;
	opts.flags = ARES_FLAG_EDNS;
	/* c-ares treats SERVFAIL/REFUSED as "try the next server" and, with no
	 * other server left, reports ARES_ECONNREFUSED ("Could not contact DNS
	 * servers") - wrong evidence for a server that did answer.  With a single
	 * server there is nobody to fail over to, so take the answer as it is
	 * and let dns_parse() name the rcode. */
	if (cfg->nservers == 1)
		opts.flags |= ARES_FLAG_NOCHECKRESP;
	opts.ednspsz = EDNS_UDP_SIZE;
	int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ;
	int rc = ares_init_options(&be->channel, &opts, mask);
	if (rc != ARES_SUCCESS) {
		*err = xasprintf("cannot set up the resolver: %s", ares_strerror(rc));
		free(be);
		return NULL;
	}
	struct strbuf csv;
	strbuf_init(&csv);
	for (size_t i = 0; i < cfg->nservers; i++) {
		char ip[INET6_ADDRSTRLEN];
		int port;
		if (!resolver_parse_server(cfg->servers[i], ip, sizeof(ip), &port)) {
			*err = xasprintf("not a DNS server address: %s (use IP, IP:PORT or [IPv6]:PORT)", cfg->servers[i]);
			strbuf_free(&csv);
			ares_destroy(be->channel);
			free(be);
			return NULL;
		}
		if (csv.len)
			strbuf_addc(&csv, ',');
		if (strchr(ip, ':'))
			strbuf_addf(&csv, "[%s]:%d", ip, port);
		else
			strbuf_addf(&csv, "%s:%d", ip, port);
	}
	if (csv.len) {
		rc = ares_set_servers_ports_csv(be->channel, csv.s);
		if (rc != ARES_SUCCESS) {
			*err = xasprintf("cannot use DNS servers %s: %s", csv.s, ares_strerror(rc));
			strbuf_free(&csv);
			ares_destroy(be->channel);
			free(be);
			return NULL;
		}
		be->describe = strbuf_steal(&csv);
	} else {
		strbuf_free(&csv);
		char *servers = NULL;
		struct ares_addr_port_node *list = NULL;
		if (ares_get_servers_ports(be->channel, &list) == ARES_SUCCESS && list) {
			struct strbuf b;
			strbuf_init(&b);
			for (struct ares_addr_port_node *n = list; n; n = n->next) {
				char ip[INET6_ADDRSTRLEN];
				ip_format(n->family, (const unsigned char *)&n->addr, ip, sizeof(ip));
				if (b.len)
					strbuf_addc(&b, ',');
				strbuf_addf(&b, n->family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip,
				            n->udp_port ? n->udp_port : 53);
			}
			ares_free_data(list);
			servers = strbuf_steal(&b);
		}
		be->describe = servers ? servers : xstrdup("system resolver");
	}
	evloop_hook_add(loop, hook_prepare, hook_after, be);
	return be;
}

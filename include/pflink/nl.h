/* SPDX-License-Identifier: MIT */
/*
 * RTNETLINK link queries (libmnl).  No libmnl type leaves this module:
 * callers see plain structs.  Parsing (nl_link_parse) is separate from the
 * socket I/O so it can be fuzzed on its own.
 */
#ifndef PFLINK_NL_H
#define PFLINK_NL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define NL_ADDR_MAX 32
#define NL_PORTNAME_MAX 32
#define NL_SWITCHID_MAX 32

struct nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned flags;			/* IFF_* */
	unsigned char mac[NL_ADDR_MAX];
	unsigned maclen;
	char kind[16];			/* IFLA_INFO_KIND, "" for physical links */
	char phys_port_name[NL_PORTNAME_MAX];
	unsigned char switch_id[NL_SWITCHID_MAX];
	unsigned switch_id_len;
};

/* Parse one RTM_NEWLINK message (buf/len = the whole nlmsghdr).
 * -EINVAL on anything malformed; never reads past len. */
int nl_link_parse(const void *buf, size_t len, struct nl_link *out);

/* A netlink handle on an existing NETLINK_ROUTE socket fd (made in the
 * right netns with netns_socket()); takes ownership of fd. */
struct nl_handle;
int nl_handle_open(int fd, struct nl_handle **out);
void nl_handle_close(struct nl_handle *h);
static inline void nl_handle_closep(struct nl_handle **h)
{
	if (*h)
		nl_handle_close(*h);
}
#define _cleanup_nl_ __attribute__((cleanup(nl_handle_closep)))

/* RTM_GETLINK by name.  -ENODEV when the netns has no such link. */
int nl_link_get(struct nl_handle *h, const char *name, struct nl_link *out);

/* Dump every link; cb returns 0 to go on, <0 to stop with that error, >0 to
 * stop with success.  -EINTR: links changed during the dump (the kernel set
 * NLM_F_DUMP_INTR), what cb saw may be inconsistent: dump again. */
typedef int (*nl_link_cb)(const struct nl_link *l, void *arg);
int nl_link_dump(struct nl_handle *h, nl_link_cb cb, void *arg);

/* "aabb..." (2n+1 bytes of out) for a switch id and the like. */
void nl_fmt_hex(const unsigned char *b, unsigned n, char *out);

/* "aa:bb:..." for a hardware address. */
void nl_fmt_mac(const unsigned char *mac, unsigned len, char *out, size_t outlen);

#endif

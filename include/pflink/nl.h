/* SPDX-License-Identifier: MIT */
/*
 * RTNETLINK links (messages by nlmsg.h): the one netlink module of the project.  The
 * plugin asks for one link or dumps a netns; the agent also dumps with the
 * VF table and reads link events.  No netlink type leaves this module:
 * callers see plain structs.  Parsing (nl_link_parse, nl_link_vfs) is
 * separate from the socket I/O so it can be fuzzed on its own.
 */
#ifndef PFLINK_NL_H
#define PFLINK_NL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_ADDR_MAX 32
#define NL_PORTNAME_MAX 32
#define NL_SWITCHID_MAX 32

struct nl_link {
	int type;			/* RTM_NEWLINK or RTM_DELLINK */
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned flags;			/* IFF_* */
	unsigned char mac[NL_ADDR_MAX];
	unsigned maclen;
	char kind[16];			/* IFLA_INFO_KIND, "" for physical links */
	char phys_port_name[NL_PORTNAME_MAX];
	unsigned char switch_id[NL_SWITCHID_MAX];
	unsigned switch_id_len;
	/* IFLA_PARENT_DEV_BUS_NAME / IFLA_PARENT_DEV_NAME (Linux 5.16+): the
	 * device the netdev belongs to, in the same message as its ifindex,
	 * so no rename can slip between the two ("pci", "0000:01:10.0"). */
	char parent_bus[16];
	char parent_dev[64];
	/* The link's health: IFLA_OPERSTATE (IF_OPER_*, RFC 2863), IFLA_CARRIER,
	 * IFLA_CARRIER_CHANGES; each with has_ when the message carried it. */
	bool has_operstate, has_carrier, has_carrier_changes;
	unsigned char operstate;
	bool carrier;
	unsigned carrier_changes;
	unsigned num_vf;		/* IFLA_NUM_VF */
	bool has_num_vf;		/* sent when asked with the VF filter */
	/* IFLA_STATS64 (asked with NL_WANT_STATS): the link's own counters,
	 * the ones ip -s link shows. */
	bool has_stats;
	struct nl_link_stats {
		uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
		uint64_t rx_dropped, tx_dropped, multicast;
	} stats;
	/* The whole message it was parsed from, for nl_link_vfs(): valid
	 * only inside the callback that was handed this link. */
	const void *msg;
	size_t msg_len;
};

/* Parse one RTM_NEWLINK or RTM_DELLINK message (buf/len = the whole
 * nlmsghdr).  -EINVAL on anything malformed; never reads past len. */
int nl_link_parse(const void *buf, size_t len, struct nl_link *out);

/* One entry of a PF's IFLA_VFINFO_LIST. */
struct nl_vf {
	int index;			/* IFLA_VF_MAC's vf */
	unsigned char mac[6];		/* what ip-link shows (IFLA_VF_MAC's first 6 bytes) */
	unsigned vlan, qos;
	int spoofchk, trust, linkstate;	/* -1: the driver did not say */
	/* Mbit/s, 0: no limit (IFLA_VF_RATE; an old kernel's IFLA_VF_TX_RATE
	 * is the max alone). */
	unsigned min_rate, max_rate;
	bool has_stats;			/* IFLA_VF_STATS present */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t broadcast, multicast, rx_dropped, tx_dropped;
};

/* The VF table of the message l was parsed from (l->msg): up to max entries
 * into out, their number in *n (out may be NULL with max 0: count only).
 * A link without IFLA_VFINFO_LIST has none.  -EINVAL when the table is
 * malformed.  Pure, fuzzed. */
int nl_link_vfs(const struct nl_link *l, struct nl_vf *out, unsigned max, unsigned *n);

/* A netlink handle on an existing NETLINK_ROUTE socket fd (made in the
 * right netns with netns_socket()); takes ownership of fd. */
struct nl_handle;
int nl_handle_open(int fd, struct nl_handle **out);
/* The same in two steps, for a socket made by netns_sockets() whose prep
 * hook (netns.h) is one of these: prepare binds it (a request socket);
 * prepare_events also joins RTNLGRP_LINK, asks a receive buffer of rcvbuf
 * bytes and makes it non-blocking (an event socket: nl_link_events).
 * wrap takes a prepared socket (ownership of fd, closed on failure). */
int nl_sock_prepare(int fd, int unused);
int nl_sock_prepare_events(int fd, int rcvbuf);
int nl_handle_wrap(int fd, struct nl_handle **out);
void nl_handle_close(struct nl_handle *h);
int nl_handle_fd(const struct nl_handle *h);
static inline void nl_handle_closep(struct nl_handle **h)
{
	if (*h)
		nl_handle_close(*h);
}
#define _cleanup_nl_ __attribute__((cleanup(nl_handle_closep)))

/* What a link request asks the kernel to add (IFLA_EXT_MASK): without
 * either, no VF table and no statistics. */
#define NL_WANT_VFS   1u	/* IFLA_VFINFO_LIST of PFs */
#define NL_WANT_STATS 2u	/* IFLA_STATS64, and VF statistics with NL_WANT_VFS */

/* cb returns 0 to go on, <0 to stop with that error, >0 to stop with
 * success. */
typedef int (*nl_link_cb)(const struct nl_link *l, void *arg);

/* RTM_GETLINK by name.  -ENODEV when the netns has no such link. */
int nl_link_get(struct nl_handle *h, const char *name, struct nl_link *out);

/* RTM_GETLINK by index, the answer handed to cb (so it may read the VF
 * table).  -ENODEV when the netns has no such link. */
int nl_link_query(struct nl_handle *h, int ifindex, unsigned want, nl_link_cb cb, void *arg);

/* Dump every link.  -EINTR: links changed during the dump (the kernel set
 * NLM_F_DUMP_INTR), what cb saw may be inconsistent: dump again, up to
 * NL_DUMP_TRIES times in all.  A dump of a few hundred links spans several
 * reads, and any link added or deleted in the netns between two of them
 * flags it.  Under the plugin suite's link churn (ASan build, both cores
 * busy) eight interrupted dumps in a row failed an ADD; each try costs one
 * dump, so tries are cheap and failing a pod start is not. */
#define NL_DUMP_TRIES 32
int nl_link_dump(struct nl_handle *h, unsigned want, nl_link_cb cb, void *arg);

/* The same dump read a slice at a time, so a caller can do other work
 * between slices of a netns with very many links.  start sends the
 * request; each step reads datagrams until at least max links (0: all)
 * were handed to cb: 0 when more follow, 1 when the dump is complete,
 * -EINTR complete but interrupted (NLM_F_DUMP_INTR: restart), -EMSGSIZE a
 * message did not fit the buffer, which has grown (restart), or -errno
 * (a cb error: the rest is still queued).  restart drains what is left and
 * asks again; free drains an unfinished dump when drain is set (the
 * handle is used again), else leaves it (the handle is being closed).
 * Only one request at a time on a handle: nothing else may use h until
 * the dump is complete or drained. */
struct nl_dump;
int nl_link_dump_start(struct nl_handle *h, unsigned want, struct nl_dump **out);
/* A dump already asked on a socket prepared by nl_sock_prepare_dump (a
 * prep hook, netns.h: bound, and the dump of want sent), read as one
 * that start sent.  Nothing else may be asked on the socket before it. */
int nl_sock_prepare_dump(int fd, int want);
int nl_link_dump_sent(struct nl_handle *h, unsigned want, struct nl_dump **out);
int nl_link_dump_step(struct nl_dump *d, unsigned max, nl_link_cb cb, void *arg);
int nl_link_dump_restart(struct nl_dump *d);
void nl_link_dump_free(struct nl_dump *d, bool drain);

/* The receive buffer the kernel gave an event socket (capped at
 * net.core.rmem_max without CAP_NET_ADMIN), 0 when unknown. */
int nl_link_rcvbuf(const struct nl_handle *h);

/* Read every event queued on a subscribed handle, up to max messages
 * (0: no limit), without blocking; cb sees each RTM_NEWLINK/RTM_DELLINK.
 * Returns the number of messages read, or -ENOBUFS when the kernel dropped
 * events (the socket's buffer overflowed: only a dump is exact now). */
int nl_link_events(struct nl_handle *h, unsigned max, nl_link_cb cb, void *arg);

/* Throw away every event queued on a subscribed handle (after ENOBUFS:
 * what is queued is older than what was lost). */
void nl_link_drain(struct nl_handle *h);

/* IFLA_VF_LINK_STATE as ip-link names it: "auto", "enable", "disable";
 * "" for -1 (not reported). */
const char *nl_vf_link_state_name(int s);

/* "aabb..." (2n+1 bytes of out) for a switch id and the like. */
void nl_fmt_hex(const unsigned char *b, unsigned n, char *out);

/* "aa:bb:..." for a hardware address. */
void nl_fmt_mac(const unsigned char *mac, unsigned len, char *out, size_t outlen);

#endif

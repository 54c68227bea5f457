/* SPDX-License-Identifier: MIT */
/*
 * nl_link_parse on raw bytes as one RTM_NEWLINK/RTM_DELLINK message.
 * Properties on success: name NUL-terminated and non-empty, ifindex > 0,
 * maclen <= NL_ADDR_MAX, switch_id_len <= NL_SWITCHID_MAX, kind and
 * phys_port_name NUL-terminated; IFLA_STATS64's counters read the same
 * from every copy.  The parser promises never to read past
 * len and to use only nlmsg_len bytes, so it is also run on an exact-size
 * copy of the first nlmsg_len bytes and must say the same.
 *
 * The VF table (nl_link_vfs) of a parsed link: counting agrees with
 * filling; a table cut to k entries is the first k of the whole one;
 * every entry has an index 0..65535, settings -1/0/1, a link state -1..2.
 */
#include "fuzz.h"

#include "pflink/nl.h"
#include "pflink/classify.h"
#include "pflink/resolve.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

/* More than MNL_ALIGN can add to a length. */
#define PAD 4

static void check_link(const struct nl_link *l)
{
	char mac[MAC_STR_MAX], tiny[5];
	struct port_id p;

	FUZZ_CHECK(FUZZ_TERMINATED(l->name) && l->name[0]);
	FUZZ_CHECK(l->ifindex > 0);
	FUZZ_CHECK(l->maclen <= NL_ADDR_MAX);
	FUZZ_CHECK(l->switch_id_len <= NL_SWITCHID_MAX);
	FUZZ_CHECK(FUZZ_TERMINATED(l->kind));
	FUZZ_CHECK(FUZZ_TERMINATED(l->phys_port_name));
	FUZZ_CHECK(FUZZ_TERMINATED(l->parent_bus) && FUZZ_TERMINATED(l->parent_dev));

	/* What resolve does with a parsed link. */
	memset(mac, 'x', sizeof(mac));
	nl_fmt_mac(l->mac, l->maclen, mac, sizeof(mac));
	FUZZ_CHECK(FUZZ_TERMINATED(mac));
	FUZZ_CHECK(strlen(mac) == (l->maclen ? 3 * l->maclen - 1 : 0));
	memset(tiny, 'x', sizeof(tiny));
	nl_fmt_mac(l->mac, l->maclen, tiny, sizeof(tiny));
	FUZZ_CHECK(FUZZ_TERMINATED(tiny));
	if (classify_port(l->phys_port_name, &p) == PORT_VF_REP)
		FUZZ_CHECK(p.pf >= 0 && p.vf >= 0);
}

static bool same_vf(const struct nl_vf *a, const struct nl_vf *b)
{
	return a->index == b->index && !memcmp(a->mac, b->mac, sizeof(a->mac)) && a->vlan == b->vlan &&
	       a->qos == b->qos && a->spoofchk == b->spoofchk && a->trust == b->trust &&
	       a->linkstate == b->linkstate && a->has_stats == b->has_stats &&
	       a->rx_packets == b->rx_packets && a->tx_packets == b->tx_packets &&
	       a->rx_bytes == b->rx_bytes && a->tx_bytes == b->tx_bytes && a->broadcast == b->broadcast &&
	       a->multicast == b->multicast && a->rx_dropped == b->rx_dropped && a->tx_dropped == b->tx_dropped;
}

static void check_vfs(const struct nl_link *l)
{
	struct nl_vf all[64], few[2];
	unsigned n = 99, n_all = 99, n_few = 99, i;
	int r = nl_link_vfs(l, NULL, 0, &n);

	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r < 0) {
		FUZZ_CHECK(n == 0);
		FUZZ_CHECK(nl_link_vfs(l, all, 64, &n_all) == -EINVAL);
		return;
	}
	FUZZ_CHECK(nl_link_vfs(l, all, 64, &n_all) == 0 && n_all == (n < 64 ? n : 64));
	FUZZ_CHECK(nl_link_vfs(l, few, 2, &n_few) == 0 && n_few == (n < 2 ? n : 2));
	for (i = 0; i < n_few; i++)
		FUZZ_CHECK(same_vf(&few[i], &all[i]));
	for (i = 0; i < n_all; i++) {
		const struct nl_vf *v = &all[i];

		FUZZ_CHECK(v->index >= 0 && v->index <= 65535);
		FUZZ_CHECK(v->spoofchk >= -1 && v->spoofchk <= 1);
		FUZZ_CHECK(v->trust >= -1 && v->trust <= 1);
		FUZZ_CHECK(v->linkstate >= -1 && v->linkstate <= 2);
	}
}

static bool same(const struct nl_link *a, const struct nl_link *b)
{
	return a->type == b->type && a->num_vf == b->num_vf && a->has_num_vf == b->has_num_vf &&
	       !strcmp(a->parent_bus, b->parent_bus) && !strcmp(a->parent_dev, b->parent_dev) &&
	       a->ifindex == b->ifindex && !strcmp(a->name, b->name) && a->flags == b->flags &&
	       a->maclen == b->maclen && !memcmp(a->mac, b->mac, a->maclen) &&
	       !strcmp(a->kind, b->kind) && !strcmp(a->phys_port_name, b->phys_port_name) &&
	       a->switch_id_len == b->switch_id_len &&
	       !memcmp(a->switch_id, b->switch_id, a->switch_id_len) && a->has_stats == b->has_stats &&
	       (!a->has_stats || !memcmp(&a->stats, &b->stats, sizeof(a->stats)));
}

/* Parse the first n bytes of data followed by PAD bytes of fill
 * (fuzz_padded). */
static int parse_padded(const uint8_t *data, size_t n, int fill, struct nl_link *l)
{
	unsigned char *b = fuzz_padded(data, n, PAD, fill);
	int r;

	memset(l, 0x5a, sizeof(*l));
	r = nl_link_parse(b, n, l);
	free(b);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_link l, m, z, f;
	struct nlmsghdr h;
	unsigned char *exact;
	int r, rm, rz, rf;

	memset(&l, 0x5a, sizeof(l));
	r = nl_link_parse(data, size, &l);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		check_link(&l);
		check_vfs(&l);
	}

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > size)
		return 0;
	/* What lies past nlmsg_len changes nothing (any build). */
	rz = parse_padded(data, h.nlmsg_len, 0x00, &z);
	rf = parse_padded(data, h.nlmsg_len, 0xff, &f);
	if (rz != r || rf != r || (r == 0 && (!same(&l, &z) || !same(&l, &f)))) {
		fprintf(stderr, "nl_link_parse read past nlmsg_len=%u: result %d, %d with 00/ff after it\n",
			h.nlmsg_len, rz, rf);
		__builtin_trap();
	}
	/* Exactly nlmsg_len bytes on the heap: ASan names any overread. */
	exact = malloc(h.nlmsg_len);
	FUZZ_CHECK(exact != NULL);
	memcpy(exact, data, h.nlmsg_len);
	memset(&m, 0x5a, sizeof(m));
	rm = nl_link_parse(exact, h.nlmsg_len, &m);
	free(exact);
	FUZZ_CHECK(rm == r);
	if (r == 0)
		FUZZ_CHECK(same(&l, &m));
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * nl_parse: the RTM_NEWLINK parser and its VF table on messages made the
 * way the kernel makes them (test/fuzz/gen_nl_seed.c wrote the synthetic
 * seeds of the fuzz corpus, argv[1]); the socket side runs against the real
 * kernel in the root suites.
 */
#include "t.h"

#include "pflink/nl.h"
#include "pflink/nlmsg.h"
#include "pflink/util.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stddef.h>

static const char *corpus;

static char *load(const char *name, size_t *len)
{
	char path[4096], *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", corpus, name);
	if (pf_read_file_at(AT_FDCWD, path, 1 << 20, &buf, len) < 0)
		return NULL;
	return buf;
}

static void test_pf_with_vfs(void)
{
	size_t len = 0;
	_cleanup_free_ char *m = load("synth-pf-vfs", &len);
	struct nl_link l;
	struct nl_vf v[8];
	unsigned n = 99;
	char mac[32];

	T_SECTION("a PF's RTM_NEWLINK with IFLA_VFINFO_LIST");
	if (!CHECK(m != NULL))
		return;
	CHECK_EQ_INT(nl_link_parse(m, len, &l), 0);
	CHECK_EQ_INT(l.type, RTM_NEWLINK);
	CHECK_STR(l.name, "enp1s0f0");
	CHECK(l.has_num_vf);
	CHECK_EQ_INT(l.num_vf, 3);
	CHECK_EQ_INT(nl_link_vfs(&l, NULL, 0, &n), 0);
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(nl_link_vfs(&l, v, 8, &n), 0);
	if (!CHECK_EQ_INT(n, 3))
		return;
	nl_fmt_mac(v[1].mac, sizeof(v[1].mac), mac, sizeof(mac));
	CHECK_STR(mac, "02:00:00:00:10:01");
	CHECK_EQ_INT(v[0].index, 0);
	CHECK_EQ_INT(v[2].index, 2);
	CHECK_EQ_INT(v[0].vlan, 0);
	CHECK_EQ_INT(v[1].vlan, 10);
	CHECK_EQ_INT(v[2].vlan, 20);
	CHECK_EQ_INT(v[1].qos, 3);
	CHECK_EQ_INT(v[0].qos, 0);
	CHECK_EQ_INT(v[0].min_rate, 0);
	CHECK_EQ_INT(v[0].max_rate, 0);
	CHECK_EQ_INT(v[1].min_rate, 10);
	CHECK_EQ_INT(v[1].max_rate, 100);
	/* IFLA_VF_TX_RATE alone (a kernel before IFLA_VF_RATE): the max. */
	CHECK_EQ_INT(v[2].min_rate, 0);
	CHECK_EQ_INT(v[2].max_rate, 50);
	CHECK_EQ_INT(v[0].spoofchk, 1);
	CHECK_EQ_INT(v[1].spoofchk, 0);
	CHECK_EQ_INT(v[1].trust, 1);
	CHECK_EQ_INT(v[0].trust, 0);
	/* The kernel's preset -1: the driver said nothing. */
	CHECK_EQ_INT(v[2].spoofchk, -1);
	CHECK_EQ_INT(v[2].trust, -1);
	CHECK_EQ_INT(v[0].linkstate, 0);
	CHECK_EQ_INT(v[2].linkstate, 2);
	CHECK(v[1].has_stats);
	CHECK_EQ_INT(v[1].rx_packets, 101);
	CHECK_EQ_INT(v[1].tx_packets, 201);
	CHECK_EQ_INT(v[1].rx_bytes, 6401);
	CHECK_EQ_INT(v[1].tx_bytes, 12801);
	CHECK_EQ_INT(v[1].broadcast, 3);
	CHECK_EQ_INT(v[1].multicast, 4);
	CHECK_EQ_INT(v[1].rx_dropped, 5);
	CHECK_EQ_INT(v[1].tx_dropped, 6);

	T_SECTION("a table cut short");
	CHECK_EQ_INT(nl_link_vfs(&l, v, 2, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(v[1].index, 1);

	T_SECTION("a VF entry without IFLA_VF_MAC names no VF");
	{
		/* The first IFLA_VF_MAC: nla_len 40 (4 + struct ifla_vf_mac),
		 * nla_type 1; retyped to one the parser does not know. */
		static const unsigned char vf_mac_hdr[4] = { 40, 0, IFLA_VF_MAC, 0 };
		unsigned char *p = memmem(m, len, vf_mac_hdr, sizeof(vf_mac_hdr));
		struct nl_link l2;

		if (CHECK(p != NULL)) {
			p[2] = 99;
			CHECK_EQ_INT(nl_link_parse(m, len, &l2), 0);
			CHECK_EQ_INT(nl_link_vfs(&l2, v, 8, &n), -EINVAL);
			CHECK_EQ_INT(n, 0);
		}
	}
}

static void test_no_vfs(void)
{
	size_t len = 0;
	_cleanup_free_ char *m = load("synth-representor", &len);
	struct nl_link l;
	unsigned n = 99;

	T_SECTION("a link without a VF table");
	if (!CHECK(m != NULL))
		return;
	CHECK_EQ_INT(nl_link_parse(m, len, &l), 0);
	CHECK(!l.has_num_vf);
	CHECK_EQ_INT(nl_link_vfs(&l, NULL, 0, &n), 0);
	CHECK_EQ_INT(n, 0);
	CHECK_STR(l.phys_port_name, "pf0vf3");
	CHECK_EQ_INT(l.switch_id_len, 8);
	l.msg = NULL;
	CHECK_EQ_INT(nl_link_vfs(&l, NULL, 0, &n), 0);
	CHECK_EQ_INT(n, 0);
}

/* RTM_NEWLINK with IFLA_STATS64 of payload len (the kernel's struct is
 * longer than old headers' and shorter than new ones'). */
static size_t stats_msg(char *buf, size_t len, const struct rtnl_link_stats64 *st)
{
	struct nlmsghdr *nlh = nlm_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = nlm_put_extra(nlh, sizeof(*ifm));
	ifm->ifi_index = 7;
	nla_put_strz(nlh, IFLA_IFNAME, "net1");
	nla_put(nlh, IFLA_STATS64, st, len);
	return nlh->nlmsg_len;
}

static void test_stats64(void)
{
	char buf[1024] __attribute__((aligned(4)));
	struct rtnl_link_stats64 st = { .rx_packets = 11, .tx_packets = 12, .rx_bytes = 1ull << 40,
					.tx_bytes = 14, .rx_dropped = 15, .tx_dropped = 16, .multicast = 17,
					.rx_errors = 99 };
	struct nl_link l;
	size_t n;
	char *m;

	T_SECTION("IFLA_STATS64: a link's own counters");
	n = stats_msg(buf, sizeof(st), &st);
	CHECK_EQ_INT(nl_link_parse(buf, n, &l), 0);
	CHECK(l.has_stats);
	CHECK(l.stats.rx_packets == 11 && l.stats.tx_packets == 12);
	CHECK(l.stats.rx_bytes == 1ull << 40 && l.stats.tx_bytes == 14);
	CHECK(l.stats.rx_dropped == 15 && l.stats.tx_dropped == 16 && l.stats.multicast == 17);
	/* cut right after multicast (an old kernel's shorter struct): read */
	n = stats_msg(buf, offsetof(struct rtnl_link_stats64, multicast) + 8, &st);
	CHECK_EQ_INT(nl_link_parse(buf, n, &l), 0);
	CHECK(l.has_stats && l.stats.multicast == 17);
	/* too short for the counters read: malformed */
	n = stats_msg(buf, offsetof(struct rtnl_link_stats64, multicast), &st);
	CHECK_EQ_INT(nl_link_parse(buf, n, &l), -EINVAL);
	/* without IFLA_STATS64 (asked without NL_WANT_STATS): none */
	{
		size_t len = 0;
		_cleanup_free_ char *r = load("synth-representor", &len);

		if (CHECK(r != NULL) && CHECK_EQ_INT(nl_link_parse(r, len, &l), 0))
			CHECK(!l.has_stats);
	}
	/* a real dump (of this machine's eth0) carries it */
	m = load("real-eth0", &n);
	if (CHECK(m != NULL)) {
		CHECK_EQ_INT(nl_link_parse(m, n, &l), 0);
		CHECK(l.has_stats);
	}
	free(m);
}

/* IFLA_OPERSTATE, IFLA_CARRIER, IFLA_CARRIER_CHANGES: a PF's health. */
static void test_link_state(void)
{
	char buf[1024] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = nlm_put_header(buf);
	struct ifinfomsg *ifm;
	uint8_t oper = IF_OPER_LOWERLAYERDOWN, carrier = 0;
	uint32_t changes = 7;
	struct nl_link l;
	size_t n;
	char *m;

	T_SECTION("IFLA_OPERSTATE, IFLA_CARRIER, IFLA_CARRIER_CHANGES");
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = nlm_put_extra(nlh, sizeof(*ifm));
	ifm->ifi_index = 3;
	ifm->ifi_flags = IFF_UP;
	nla_put_strz(nlh, IFLA_IFNAME, "enp1s0");
	nla_put(nlh, IFLA_OPERSTATE, &oper, sizeof(oper));
	nla_put(nlh, IFLA_CARRIER, &carrier, sizeof(carrier));
	nla_put(nlh, IFLA_CARRIER_CHANGES, &changes, sizeof(changes));
	CHECK_EQ_INT(nl_link_parse(buf, nlh->nlmsg_len, &l), 0);
	CHECK(l.has_operstate && l.operstate == IF_OPER_LOWERLAYERDOWN);
	CHECK(l.has_carrier && !l.carrier);
	CHECK(l.has_carrier_changes && l.carrier_changes == 7);
	CHECK(l.flags & IFF_UP);
	/* an empty IFLA_CARRIER_CHANGES is malformed */
	nlh = nlm_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = nlm_put_extra(nlh, sizeof(*ifm));
	ifm->ifi_index = 3;
	nla_put_strz(nlh, IFLA_IFNAME, "enp1s0");
	nla_put(nlh, IFLA_CARRIER_CHANGES, &changes, 0);
	CHECK_EQ_INT(nl_link_parse(buf, nlh->nlmsg_len, &l), -EINVAL);
	/* a real dump (of this machine's eth0) carries all three */
	m = load("real-eth0", &n);
	if (CHECK(m != NULL) && CHECK_EQ_INT(nl_link_parse(m, n, &l), 0))
		CHECK(l.has_operstate && l.has_carrier && l.has_carrier_changes);
	free(m);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	corpus = argv[1];
	test_pf_with_vfs();
	test_no_vfs();
	test_stats64();
	test_link_state();
	return t_done();
}

/* SPDX-License-Identifier: MIT */
/*
 * Seeds for fuzz_nl_link: raw RTM_NEWLINK messages, one per file.
 *
 *   gen_nl_seed OUTDIR          real messages from this machine's netns
 *                               (an RTM_GETLINK dump) plus synthetic ones
 *   gen_nl_seed -s OUTDIR       synthetic ones only (no netlink socket)
 *
 * The synthetic messages are what this machine usually lacks: a switchdev
 * VF representor (IFLA_PHYS_PORT_NAME "pf0vf3", IFLA_PHYS_SWITCH_ID), a
 * controller-prefixed one ("c1pf0vf3"), a link with IFLA_LINKINFO and a
 * PF with an IFLA_VFINFO_LIST of three VFs (MAC, VLAN and QoS, VLAN list,
 * rates, spoofchk, trust, link state, statistics; one VF with all -1 settings).  The
 * committed corpus/nl_link/ was made with this program; rerun it only to
 * refresh the seeds.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *outdir;

static int save(const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", outdir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return -EIO;
	}
	printf("%s (%zu bytes)\n", path, len);
	return 0;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const char **name = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		*name = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const char *name = NULL;
	char file[64];

	(void)data;
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_cb, &name);
	snprintf(file, sizeof(file), "real-%s", name ? name : "noname");
	return save(file, nlh, nlh->nlmsg_len) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* RTM_GETLINK dump of the caller's netns; every reply saved as it came. */
static int real_links(void)
{
	char buf[32768];	/* MNL_SOCKET_DUMP_SIZE, which libmnl 1.0.4 lacks */
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned seq = (unsigned)time(NULL), portid;
	int r;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return -1;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("sendto");
		mnl_socket_close(nl);
		return -1;
	}
	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			perror("recvfrom");
			r = -1;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, link_cb, NULL);
	} while (r > MNL_CB_STOP);
	mnl_socket_close(nl);
	return r < 0 ? -1 : 0;
}

struct synth {
	const char *file, *name, *port, *kind;
	int ifindex;
	unsigned flags;
	unsigned char mac[6];
	bool switch_id;
	unsigned vfs;	/* a VF table with this many entries */
};

/* One IFLA_VF_INFO as the kernel's rtnl_fill_vfinfo() writes it. */
static void put_vf(struct nlmsghdr *nlh, unsigned i)
{
	struct ifla_vf_mac mac = { .vf = i, .mac = { 0x02, 0x00, 0x00, 0x00, 0x10, (unsigned char)i } };
	struct ifla_vf_vlan vlan = { .vf = i, .vlan = i ? 10 * i : 0, .qos = i == 1 ? 3 : 0 };
	struct ifla_vf_vlan_info vi = { .vf = i, .vlan = vlan.vlan, .qos = vlan.qos, .vlan_proto = htons(0x8100) };
	/* VF 1 has a min and a max rate; VF 2 comes as from a kernel before
	 * IFLA_VF_RATE (4.0): IFLA_VF_TX_RATE alone. */
	struct ifla_vf_rate rate = { .vf = i, .min_tx_rate = i == 1 ? 10 : 0, .max_tx_rate = i == 1 ? 100 : 0 };
	struct ifla_vf_tx_rate txr = { .vf = i, .rate = i == 2 ? 50 : rate.max_tx_rate };
	/* VF 2 says nothing of spoofchk and trust: the kernel's preset -1. */
	struct ifla_vf_spoofchk sc = { .vf = i, .setting = i == 2 ? (__u32)-1 : i != 1 };
	struct ifla_vf_trust tr = { .vf = i, .setting = i == 2 ? (__u32)-1 : i == 1 };
	struct ifla_vf_link_state ls = { .vf = i, .link_state = i % 3 };
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO), *vl, *st;

	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(mac), &mac);
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	vl = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
	mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, vl);
	mnl_attr_put(nlh, IFLA_VF_TX_RATE, sizeof(txr), &txr);
	if (i != 2)
		mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(rate), &rate);
	mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(sc), &sc);
	mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	st = mnl_attr_nest_start(nlh, IFLA_VF_STATS);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_PACKETS, 100 + i);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_TX_PACKETS, 200 + i);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_BYTES, 6400 + i);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_TX_BYTES, 12800 + i);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_BROADCAST, 3);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_MULTICAST, 4);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_DROPPED, 5);
	mnl_attr_put_u64(nlh, IFLA_VF_STATS_TX_DROPPED, 6);
	mnl_attr_nest_end(nlh, st);
	mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(tr), &tr);
	mnl_attr_nest_end(nlh, info);
}

static int synthetic(const struct synth *s)
{
	static const unsigned char sw_id[8] = { 0xb8, 0x59, 0x9f, 0x03, 0x00, 0xaa, 0xbb, 0xcc };
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_type = 1;	/* ARPHRD_ETHER */
	ifm->ifi_index = s->ifindex;
	ifm->ifi_flags = s->flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, s->name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(s->mac), s->mac);
	if (s->port)
		mnl_attr_put_strz(nlh, IFLA_PHYS_PORT_NAME, s->port);
	if (s->switch_id)
		mnl_attr_put(nlh, IFLA_PHYS_SWITCH_ID, sizeof(sw_id), sw_id);
	if (s->kind) {
		struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, s->kind);
		mnl_attr_nest_end(nlh, li);
	}
	if (s->vfs) {
		struct nlattr *list;
		unsigned i;

		mnl_attr_put_u32(nlh, IFLA_NUM_VF, s->vfs);
		list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
		for (i = 0; i < s->vfs; i++)
			put_vf(nlh, i);
		mnl_attr_nest_end(nlh, list);
	}
	return save(s->file, nlh, nlh->nlmsg_len);
}

int main(int argc, char **argv)
{
	static const struct synth synth[] = {
		{ "synth-representor", "ens1f0_3", "pf0vf3", NULL, 12, IFF_UP | IFF_BROADCAST,
		  { 0x3a, 0x1c, 0x22, 0x00, 0x00, 0x03 }, true, 0 },
		{ "synth-representor-c1", "ens1f0c1_3", "c1pf0vf3", NULL, 13, IFF_BROADCAST,
		  { 0x3a, 0x1c, 0x22, 0x00, 0x01, 0x03 }, true, 0 },
		{ "synth-uplink", "ens1f0np0", "p0", NULL, 4, IFF_UP | IFF_BROADCAST | IFF_MULTICAST,
		  { 0xb8, 0x59, 0x9f, 0x03, 0x00, 0x01 }, true, 0 },
		{ "synth-veth", "veth0", NULL, "veth", 20, IFF_UP | IFF_BROADCAST,
		  { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 }, false, 0 },
		{ "synth-pf-vfs", "enp1s0f0", NULL, NULL, 3, IFF_UP | IFF_BROADCAST | IFF_MULTICAST,
		  { 0x00, 0xe0, 0xed, 0x19, 0x7f, 0xe4 }, false, 3 },
	};
	bool real = true;
	size_t i;

	if (argc == 3 && !strcmp(argv[1], "-s")) {
		real = false;
		outdir = argv[2];
	} else if (argc == 2) {
		outdir = argv[1];
	} else {
		fprintf(stderr, "usage: %s [-s] OUTDIR\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(synth) / sizeof(synth[0]); i++)
		if (synthetic(&synth[i]) < 0)
			return 1;
	if (real && real_links() < 0)
		return 1;
	return 0;
}

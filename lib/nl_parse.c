/* SPDX-License-Identifier: MIT */
/* RTM_NEWLINK parsing, apart from any socket so the fuzzer can drive it. */
#include "pflink/nl.h"
#include "pflink/nlmsg.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Copy a string attribute only if it is NUL-terminated within its payload
 * and fits: the kernel guarantees that, a fuzzer does not. */
static int attr_str(const struct nlattr *a, char *dst, size_t size)
{
	size_t n = nla_len(a);
	const char *s = nla_data(a);

	if (n == 0 || s[n - 1] != '\0' || strlen(s) >= size)
		return -EINVAL;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int linkinfo(const struct nlattr *info, struct nl_link *l)
{
	const struct nlattr *a;
	long rem;

	nla_for_each_nested(a, info, rem)
		if (nla_type(a) == IFLA_INFO_KIND && attr_str(a, l->kind, sizeof(l->kind)) < 0)
			return -EINVAL;
	return 0;
}

static int link_attr(const struct nlattr *a, struct nl_link *l)
{
	size_t n = nla_len(a);

	switch (nla_type(a)) {
	case IFLA_IFNAME:
		return attr_str(a, l->name, sizeof(l->name));
	case IFLA_ADDRESS:
		if (n > sizeof(l->mac))
			return -EINVAL;
		memcpy(l->mac, nla_data(a), n);
		l->maclen = (unsigned)n;
		break;
	case IFLA_PHYS_PORT_NAME:
		/* Absent on most links; when present it names a switchdev
		 * port such as "p0" (uplink) or "pf0vf3" (VF representor). */
		return attr_str(a, l->phys_port_name, sizeof(l->phys_port_name));
	case IFLA_PHYS_SWITCH_ID:
		if (n > sizeof(l->switch_id))
			return -EINVAL;
		memcpy(l->switch_id, nla_data(a), n);
		l->switch_id_len = (unsigned)n;
		break;
	case IFLA_LINKINFO:
		return linkinfo(a, l);
	case IFLA_PARENT_DEV_NAME:
		/* Too long to be a PCI address is simply not one. */
		if (attr_str(a, l->parent_dev, sizeof(l->parent_dev)) < 0)
			l->parent_dev[0] = '\0';
		break;
	case IFLA_PARENT_DEV_BUS_NAME:
		if (attr_str(a, l->parent_bus, sizeof(l->parent_bus)) < 0)
			l->parent_bus[0] = '\0';
		break;
	case IFLA_STATS64: {
		struct rtnl_link_stats64 st;

		/* Older kernels' struct is shorter at its end, never at the
		 * fields read here; a payload too short for them is malformed. */
		if (n < offsetof(struct rtnl_link_stats64, multicast) + sizeof(st.multicast))
			return -EINVAL;
		memset(&st, 0, sizeof(st));
		memcpy(&st, nla_data(a), n < sizeof(st) ? n : sizeof(st));
		l->stats = (struct nl_link_stats){
			.rx_packets = st.rx_packets, .tx_packets = st.tx_packets,
			.rx_bytes = st.rx_bytes, .tx_bytes = st.tx_bytes,
			.rx_dropped = st.rx_dropped, .tx_dropped = st.tx_dropped,
			.multicast = st.multicast,
		};
		l->has_stats = true;
		break;
	}
	case IFLA_OPERSTATE:
		if (n < sizeof(uint8_t))
			return -EINVAL;
		l->operstate = *(const uint8_t *)nla_data(a);
		l->has_operstate = true;
		break;
	case IFLA_CARRIER:
		if (n < sizeof(uint8_t))
			return -EINVAL;
		l->carrier = *(const uint8_t *)nla_data(a) != 0;
		l->has_carrier = true;
		break;
	case IFLA_CARRIER_CHANGES:
		if (n < sizeof(uint32_t))
			return -EINVAL;
		memcpy(&l->carrier_changes, nla_data(a), sizeof(uint32_t));
		l->has_carrier_changes = true;
		break;
	case IFLA_NUM_VF:
		if (n < sizeof(uint32_t))
			return -EINVAL;
		memcpy(&l->num_vf, nla_data(a), sizeof(uint32_t));
		l->has_num_vf = true;
		break;
	}
	return 0;
}

int nl_link_parse(const void *buf, size_t len, struct nl_link *out)
{
	const struct nlmsghdr *nlh = buf;
	const struct ifinfomsg *ifm;
	const struct nlattr *a;
	struct nl_link l = { 0 };
	long rem;

	/* An unaligned length is never sent by the kernel, whose attributes
	 * are padded: refuse it rather than guess where the last one ends. */
	if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len % NLMSG_ALIGNTO)
		return -EINVAL;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EINVAL;
	if (nlh->nlmsg_len < nlm_size(sizeof(*ifm)))
		return -EINVAL;
	ifm = nlm_payload(nlh);
	l.type = nlh->nlmsg_type;
	l.ifindex = ifm->ifi_index;
	l.flags = ifm->ifi_flags;
	nla_for_each_in_msg(a, nlh, sizeof(*ifm), rem)
		if (link_attr(a, &l) < 0)
			return -EINVAL;
	if (!l.name[0] || l.ifindex <= 0)
		return -EINVAL;
	l.msg = buf;
	l.msg_len = nlh->nlmsg_len;
	*out = l;
	return 0;
}

/* ---- the VF table (IFLA_VFINFO_LIST) ---------------------------------- */

/* A fixed-size struct attribute: its payload must hold at least that much
 * (newer kernels may append; older ones never send less). */
#define PAYLOAD(a, type) (nla_len(a) >= sizeof(type) ? (const type *)nla_data(a) : NULL)

static void vf_stats(const struct nlattr *stats, struct nl_vf *v)
{
	const struct nlattr *a;
	long rem;

	nla_for_each_nested(a, stats, rem) {
		uint64_t x;

		if (nla_len(a) < sizeof(x))
			continue;	/* IFLA_VF_STATS_PAD and the like */
		memcpy(&x, nla_data(a), sizeof(x));
		switch (nla_type(a)) {
		case IFLA_VF_STATS_RX_PACKETS: v->rx_packets = x; break;
		case IFLA_VF_STATS_TX_PACKETS: v->tx_packets = x; break;
		case IFLA_VF_STATS_RX_BYTES: v->rx_bytes = x; break;
		case IFLA_VF_STATS_TX_BYTES: v->tx_bytes = x; break;
		case IFLA_VF_STATS_BROADCAST: v->broadcast = x; break;
		case IFLA_VF_STATS_MULTICAST: v->multicast = x; break;
		case IFLA_VF_STATS_RX_DROPPED: v->rx_dropped = x; break;
		case IFLA_VF_STATS_TX_DROPPED: v->tx_dropped = x; break;
		}
	}
}

static void vlan_list(const struct nlattr *list, struct nl_vf *v)
{
	const struct ifla_vf_vlan_info *vi;
	const struct nlattr *a;
	long rem;

	/* The first entry is the one ip-link and the VF's config show. */
	nla_for_each_nested(a, list, rem)
		if (nla_type(a) == IFLA_VF_VLAN_INFO && (vi = PAYLOAD(a, struct ifla_vf_vlan_info)) &&
		    !v->vlan && !v->qos) {
			v->vlan = vi->vlan;
			v->qos = vi->qos;
		}
}

/* The kernel presets spoofchk and trust to -1 (as u32) and keeps that when
 * the driver does not report them. */
static int setting(__u32 s)
{
	return s == (__u32)-1 ? -1 : (int)(s != 0);
}

/* One IFLA_VF_INFO into *v; -EINVAL when it names no VF. */
static int vf_entry(const struct nlattr *info, struct nl_vf *v)
{
	const struct ifla_vf_mac *mac;
	const struct ifla_vf_vlan *vlan;
	const struct ifla_vf_spoofchk *sc;
	const struct ifla_vf_trust *tr;
	const struct ifla_vf_link_state *ls;
	const struct ifla_vf_rate *rate;
	const struct ifla_vf_tx_rate *txr;
	const struct nlattr *a;
	bool has_rate = false;
	long rem;

	nla_for_each_nested(a, info, rem) {
		switch (nla_type(a)) {
		case IFLA_VF_MAC:
			if (!(mac = PAYLOAD(a, struct ifla_vf_mac)) || mac->vf > 65535)
				return -EINVAL;
			v->index = (int)mac->vf;
			memcpy(v->mac, mac->mac, sizeof(v->mac));
			break;
		case IFLA_VF_VLAN:
			if ((vlan = PAYLOAD(a, struct ifla_vf_vlan))) {
				v->vlan = vlan->vlan;
				v->qos = vlan->qos;
			}
			break;
		case IFLA_VF_VLAN_LIST:
			if (!v->vlan && !v->qos)
				vlan_list(a, v);
			break;
		case IFLA_VF_SPOOFCHK:
			if ((sc = PAYLOAD(a, struct ifla_vf_spoofchk)))
				v->spoofchk = setting(sc->setting);
			break;
		case IFLA_VF_TRUST:
			if ((tr = PAYLOAD(a, struct ifla_vf_trust)))
				v->trust = setting(tr->setting);
			break;
		case IFLA_VF_LINK_STATE:
			if ((ls = PAYLOAD(a, struct ifla_vf_link_state)) && ls->link_state <= 2)
				v->linkstate = (int)ls->link_state;
			break;
		case IFLA_VF_RATE:
			if ((rate = PAYLOAD(a, struct ifla_vf_rate))) {
				has_rate = true;
				v->min_rate = rate->min_tx_rate;
				v->max_rate = rate->max_tx_rate;
			}
			break;
		case IFLA_VF_TX_RATE:
			/* The same max as IFLA_VF_RATE's, which wins when both came. */
			if ((txr = PAYLOAD(a, struct ifla_vf_tx_rate)) && !has_rate)
				v->max_rate = txr->rate;
			break;
		case IFLA_VF_STATS:
			v->has_stats = true;
			vf_stats(a, v);
			break;
		}
	}
	/* Without IFLA_VF_MAC an entry names no VF. */
	return v->index < 0 ? -EINVAL : 0;
}

int nl_link_vfs(const struct nl_link *l, struct nl_vf *out, unsigned max, unsigned *n)
{
	const struct nlmsghdr *nlh = l->msg;
	const struct nlattr *list, *a;
	unsigned cap = out ? max : 0, got = 0;
	long rem, rem2;

	*n = 0;
	if (!nlh)
		return 0;
	/* nl_link_parse() checked the header and the attribute walk. */
	nla_for_each_in_msg(list, nlh, sizeof(struct ifinfomsg), rem) {
		if (nla_type(list) != IFLA_VFINFO_LIST)
			continue;
		nla_for_each_nested(a, list, rem2) {
			struct nl_vf v = { .index = -1, .spoofchk = -1, .trust = -1, .linkstate = -1 };

			if (nla_type(a) != IFLA_VF_INFO)
				continue;
			if (vf_entry(a, &v) < 0)
				return -EINVAL;
			if (got < cap)
				out[got] = v;
			got++;
		}
	}
	*n = got < cap || !out ? got : cap;
	return 0;
}

const char *nl_vf_link_state_name(int s)
{
	switch (s) {
	case 0: return "auto";
	case 1: return "enable";
	case 2: return "disable";
	default: return "";
	}
}

void nl_fmt_hex(const unsigned char *b, unsigned n, char *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

void nl_fmt_mac(const unsigned char *mac, unsigned len, char *out, size_t outlen)
{
	size_t off = 0;
	unsigned i;

	if (outlen)
		out[0] = '\0';
	for (i = 0; i < len && off + 3 < outlen; i++)
		off += (size_t)snprintf(out + off, outlen - off, i ? ":%02x" : "%02x", mac[i]);
}

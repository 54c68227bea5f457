/* SPDX-License-Identifier: MIT */
/* RTM_NEWLINK parsing, apart from any socket so the fuzzer can drive it. */
#include "pflink/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct parse_ctx {
	struct nl_link *l;
	int err;
};

/* Copy a string attribute only if it is NUL-terminated within its payload
 * and fits: the kernel guarantees that, a fuzzer does not. */
static int attr_str(const struct nlattr *a, char *dst, size_t size)
{
	size_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (n == 0 || s[n - 1] != '\0' || strlen(s) >= size)
		return -EINVAL;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int linkinfo_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *c = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND && attr_str(a, c->l->kind, sizeof(c->l->kind)) < 0)
		c->err = -EINVAL;
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *c = data;
	struct nl_link *l = c->l;
	size_t n = mnl_attr_get_payload_len(a);

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (attr_str(a, l->name, sizeof(l->name)) < 0)
			c->err = -EINVAL;
		break;
	case IFLA_ADDRESS:
		if (n > sizeof(l->mac)) {
			c->err = -EINVAL;
			break;
		}
		memcpy(l->mac, mnl_attr_get_payload(a), n);
		l->maclen = (unsigned)n;
		break;
	case IFLA_PHYS_PORT_NAME:
		/* Absent on most links; when present it names a switchdev
		 * port such as "p0" (uplink) or "pf0vf3" (VF representor). */
		if (attr_str(a, l->phys_port_name, sizeof(l->phys_port_name)) < 0)
			c->err = -EINVAL;
		break;
	case IFLA_PHYS_SWITCH_ID:
		if (n > sizeof(l->switch_id)) {
			c->err = -EINVAL;
			break;
		}
		memcpy(l->switch_id, mnl_attr_get_payload(a), n);
		l->switch_id_len = (unsigned)n;
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_parse_nested(a, linkinfo_cb, c) < 0)
			c->err = -EINVAL;
		break;
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
		if (n < offsetof(struct rtnl_link_stats64, multicast) + sizeof(st.multicast)) {
			c->err = -EINVAL;
			break;
		}
		memset(&st, 0, sizeof(st));
		memcpy(&st, mnl_attr_get_payload(a), n < sizeof(st) ? n : sizeof(st));
		l->stats = (struct nl_link_stats){
			.rx_packets = st.rx_packets, .tx_packets = st.tx_packets,
			.rx_bytes = st.rx_bytes, .tx_bytes = st.tx_bytes,
			.rx_dropped = st.rx_dropped, .tx_dropped = st.tx_dropped,
			.multicast = st.multicast,
		};
		l->has_stats = true;
		break;
	}
	case IFLA_NUM_VF:
		if (n < sizeof(uint32_t)) {
			c->err = -EINVAL;
			break;
		}
		l->num_vf = mnl_attr_get_u32(a);
		l->has_num_vf = true;
		break;
	}
	return c->err ? MNL_CB_ERROR : MNL_CB_OK;
}

int nl_link_parse(const void *buf, size_t len, struct nl_link *out)
{
	const struct nlmsghdr *nlh = buf;
	const struct ifinfomsg *ifm;
	struct nl_link l = { 0 };
	struct parse_ctx c = { .l = &l };

	/* libmnl walks attributes up to MNL_ALIGN(nlmsg_len): an unaligned
	 * length (never sent by the kernel, whose attributes are padded)
	 * would let it read past the message. */
	if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len % MNL_ALIGNTO)
		return -EINVAL;
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EINVAL;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return -EINVAL;
	ifm = mnl_nlmsg_get_payload(nlh);
	l.type = nlh->nlmsg_type;
	l.ifindex = ifm->ifi_index;
	l.flags = ifm->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, &c) < 0 || c.err)
		return -EINVAL;
	if (!l.name[0] || l.ifindex <= 0)
		return -EINVAL;
	l.msg = buf;
	l.msg_len = nlh->nlmsg_len;
	*out = l;
	return 0;
}

/* ---- the VF table (IFLA_VFINFO_LIST) ---------------------------------- */

struct vf_ctx {
	struct nl_vf *vf;	/* the entry being filled */
	struct nl_vf *out;
	unsigned max, n;
	int err;
};

/* A fixed-size struct attribute: its payload must hold at least that much
 * (newer kernels may append; older ones never send less). */
#define PAYLOAD(a, type) (mnl_attr_get_payload_len(a) >= sizeof(type) ? \
			  (const type *)mnl_attr_get_payload(a) : NULL)

static int vf_stats_cb(const struct nlattr *a, void *data)
{
	struct nl_vf *v = data;
	uint64_t x;

	if (mnl_attr_get_payload_len(a) < sizeof(x))
		return MNL_CB_OK;	/* IFLA_VF_STATS_PAD and the like */
	memcpy(&x, mnl_attr_get_payload(a), sizeof(x));
	switch (mnl_attr_get_type(a)) {
	case IFLA_VF_STATS_RX_PACKETS: v->rx_packets = x; break;
	case IFLA_VF_STATS_TX_PACKETS: v->tx_packets = x; break;
	case IFLA_VF_STATS_RX_BYTES: v->rx_bytes = x; break;
	case IFLA_VF_STATS_TX_BYTES: v->tx_bytes = x; break;
	case IFLA_VF_STATS_BROADCAST: v->broadcast = x; break;
	case IFLA_VF_STATS_MULTICAST: v->multicast = x; break;
	case IFLA_VF_STATS_RX_DROPPED: v->rx_dropped = x; break;
	case IFLA_VF_STATS_TX_DROPPED: v->tx_dropped = x; break;
	}
	return MNL_CB_OK;
}

static int vlan_list_cb(const struct nlattr *a, void *data)
{
	struct nl_vf *v = data;
	const struct ifla_vf_vlan_info *vi;

	/* The first entry is the one ip-link and the VF's config show. */
	if (mnl_attr_get_type(a) == IFLA_VF_VLAN_INFO && (vi = PAYLOAD(a, struct ifla_vf_vlan_info)) &&
	    !v->vlan && !v->qos) {
		v->vlan = vi->vlan;
		v->qos = vi->qos;
	}
	return MNL_CB_OK;
}

/* The kernel presets spoofchk and trust to -1 (as u32) and keeps that when
 * the driver does not report them. */
static int setting(__u32 s)
{
	return s == (__u32)-1 ? -1 : (int)(s != 0);
}

static int vf_attr_cb(const struct nlattr *a, void *data)
{
	struct vf_ctx *c = data;
	struct nl_vf *v = c->vf;
	const struct ifla_vf_mac *mac;
	const struct ifla_vf_vlan *vlan;
	const struct ifla_vf_spoofchk *sc;
	const struct ifla_vf_trust *tr;
	const struct ifla_vf_link_state *ls;

	switch (mnl_attr_get_type(a)) {
	case IFLA_VF_MAC:
		if (!(mac = PAYLOAD(a, struct ifla_vf_mac)))
			return c->err = -EINVAL, MNL_CB_ERROR;
		if (mac->vf > 65535)
			return c->err = -EINVAL, MNL_CB_ERROR;
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
		if (!v->vlan && !v->qos && mnl_attr_parse_nested(a, vlan_list_cb, v) < 0)
			return c->err = -EINVAL, MNL_CB_ERROR;
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
	case IFLA_VF_STATS:
		v->has_stats = true;
		if (mnl_attr_parse_nested(a, vf_stats_cb, v) < 0)
			return c->err = -EINVAL, MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int vfinfo_cb(const struct nlattr *a, void *data)
{
	struct vf_ctx *c = data;
	struct nl_vf v = { .index = -1, .spoofchk = -1, .trust = -1, .linkstate = -1 };

	if (mnl_attr_get_type(a) != IFLA_VF_INFO)
		return MNL_CB_OK;
	c->vf = &v;
	if (mnl_attr_parse_nested(a, vf_attr_cb, c) < 0 || c->err)
		return c->err = c->err ? c->err : -EINVAL, MNL_CB_ERROR;
	/* Without IFLA_VF_MAC an entry names no VF. */
	if (v.index < 0)
		return c->err = -EINVAL, MNL_CB_ERROR;
	if (c->n < c->max)
		c->out[c->n] = v;
	c->n++;
	return MNL_CB_OK;
}

static int link_vfinfo_cb(const struct nlattr *a, void *data)
{
	struct vf_ctx *c = data;

	if (mnl_attr_get_type(a) != IFLA_VFINFO_LIST)
		return MNL_CB_OK;
	if (mnl_attr_parse_nested(a, vfinfo_cb, c) < 0 || c->err)
		return c->err = c->err ? c->err : -EINVAL, MNL_CB_ERROR;
	return MNL_CB_OK;
}

int nl_link_vfs(const struct nl_link *l, struct nl_vf *out, unsigned max, unsigned *n)
{
	struct vf_ctx c = { .out = out, .max = out ? max : 0 };
	const struct nlmsghdr *nlh = l->msg;

	*n = 0;
	if (!nlh)
		return 0;
	/* nl_link_parse() checked the header and the attribute walk. */
	if (mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_vfinfo_cb, &c) < 0 || c.err)
		return -EINVAL;
	*n = c.n < c.max || !out ? c.n : c.max;
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

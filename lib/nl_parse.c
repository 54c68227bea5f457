/* SPDX-License-Identifier: MIT */
/* RTM_NEWLINK parsing, apart from any socket so the fuzzer can drive it. */
#include "pflink/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
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
	l.ifindex = ifm->ifi_index;
	l.flags = ifm->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, &c) < 0 || c.err)
		return -EINVAL;
	if (!l.name[0] || l.ifindex <= 0)
		return -EINVAL;
	*out = l;
	return 0;
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

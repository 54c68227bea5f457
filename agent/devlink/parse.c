/* SPDX-License-Identifier: MIT */
/*
 * devlink answers, parsed apart from any socket so the fuzzer can drive
 * them: libnl's attribute parser with a policy (each attribute's type and
 * size checked before it is read), then plain structs.  And the table the
 * answers make, with its lookups (pure too).
 */
#include "devlink.h"

#include <errno.h>
#include <linux/devlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What pflinkd reads, with the kernel's types (include/uapi/linux/devlink.h
 * comments them); libnl drops a message whose attribute is shorter than
 * its type, or a string that is not NUL-terminated. */
static struct nla_policy policy[DEVLINK_ATTR_MAX + 1] = {
	[DEVLINK_ATTR_BUS_NAME] = { .type = NLA_STRING },
	[DEVLINK_ATTR_DEV_NAME] = { .type = NLA_STRING },
	[DEVLINK_ATTR_PORT_INDEX] = { .type = NLA_U32 },
	[DEVLINK_ATTR_PORT_FLAVOUR] = { .type = NLA_U16 },
	[DEVLINK_ATTR_PORT_NUMBER] = { .type = NLA_U32 },
	[DEVLINK_ATTR_PORT_CONTROLLER_NUMBER] = { .type = NLA_U32 },
	[DEVLINK_ATTR_PORT_EXTERNAL] = { .type = NLA_U8 },
	[DEVLINK_ATTR_PORT_PCI_PF_NUMBER] = { .type = NLA_U16 },
	[DEVLINK_ATTR_PORT_PCI_VF_NUMBER] = { .type = NLA_U16 },
	[DEVLINK_ATTR_PORT_PCI_SF_NUMBER] = { .type = NLA_U32 },
	[DEVLINK_ATTR_PORT_NETDEV_IFINDEX] = { .type = NLA_U32 },
	[DEVLINK_ATTR_PORT_NETDEV_NAME] = { .type = NLA_STRING },
	[DEVLINK_ATTR_ESWITCH_MODE] = { .type = NLA_U16 },
};

/* A string attribute (policy: NUL-terminated) that fits dst. */
static int str(struct nlattr *a, char *dst, size_t size)
{
	const char *s = nla_data(a);
	size_t n = strnlen(s, (size_t)nla_len(a));

	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int u16_or(struct nlattr *a, int dflt)
{
	return a ? (int)nla_get_u16(a) : dflt;
}

/* u32 numbers the kernel keeps small; a huge one is read as not said. */
static int u32_or(struct nlattr *a, int dflt)
{
	uint32_t v;

	if (!a)
		return dflt;
	v = nla_get_u32(a);
	return v > INT32_MAX ? dflt : (int)v;
}

int dl_parse(const void *buf, size_t len, struct dl_msg *out)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;	/* libnl reads only */
	struct nlattr *tb[DEVLINK_ATTR_MAX + 1];
	const struct genlmsghdr *g;
	struct dl_msg m;
	int cmd;

	/* libnl trusts nlmsg_len: it must lie within what was read. */
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len % NLMSG_ALIGNTO)
		return -EINVAL;
	if (genlmsg_parse(nlh, 0, tb, DEVLINK_ATTR_MAX, policy) < 0)
		return -EINVAL;
	g = nlmsg_data(nlh);
	memset(&m, 0, sizeof(m));
	if (!tb[DEVLINK_ATTR_BUS_NAME] || !tb[DEVLINK_ATTR_DEV_NAME] ||
	    str(tb[DEVLINK_ATTR_BUS_NAME], m.dev.h.bus, sizeof(m.dev.h.bus)) < 0 ||
	    str(tb[DEVLINK_ATTR_DEV_NAME], m.dev.h.dev, sizeof(m.dev.h.dev)) < 0)
		return -EINVAL;
	m.dev.eswitch = DL_ESWITCH_NONE;
	/* Kernel quirk: Linux 6.1 (Debian 12's; seen in the VM) answers a
	 * DEVLINK_CMD_PORT_GET dump with DEVLINK_CMD_NEW, the instance's
	 * command, for every port (its doit says DEVLINK_CMD_PORT_NEW).  A
	 * port index makes it a port. */
	cmd = g->cmd;
	if (cmd == DEVLINK_CMD_NEW && tb[DEVLINK_ATTR_PORT_INDEX])
		cmd = DEVLINK_CMD_PORT_NEW;
	switch (cmd) {
	case DEVLINK_CMD_NEW:
		m.kind = DL_MSG_DEV;
		break;
	case DEVLINK_CMD_ESWITCH_GET:
		m.kind = DL_MSG_ESWITCH;
		if (tb[DEVLINK_ATTR_ESWITCH_MODE]) {
			uint16_t mode = nla_get_u16(tb[DEVLINK_ATTR_ESWITCH_MODE]);

			/* A mode this kernel's header does not know is none
			 * pflinkd can speak of. */
			if (mode == DEVLINK_ESWITCH_MODE_LEGACY)
				m.dev.eswitch = DL_ESWITCH_LEGACY;
			else if (mode == DEVLINK_ESWITCH_MODE_SWITCHDEV)
				m.dev.eswitch = DL_ESWITCH_SWITCHDEV;
		}
		break;
	case DEVLINK_CMD_PORT_NEW: {
		struct dl_port *p = &m.port;

		m.kind = DL_MSG_PORT;
		if (!tb[DEVLINK_ATTR_PORT_INDEX])
			return -EINVAL;
		p->h = m.dev.h;
		p->index = nla_get_u32(tb[DEVLINK_ATTR_PORT_INDEX]);
		p->flavour = u16_or(tb[DEVLINK_ATTR_PORT_FLAVOUR], -1);
		p->number = u32_or(tb[DEVLINK_ATTR_PORT_NUMBER], -1);
		p->controller = u32_or(tb[DEVLINK_ATTR_PORT_CONTROLLER_NUMBER], -1);
		p->external = tb[DEVLINK_ATTR_PORT_EXTERNAL] && nla_get_u8(tb[DEVLINK_ATTR_PORT_EXTERNAL]);
		p->pf = p->vf = p->sf = -1;
		/* The kernel sends the numbers each flavour has; keep only
		 * those, so a table entry never claims more than its kind. */
		switch (p->flavour) {
		case DEVLINK_PORT_FLAVOUR_PCI_PF:
			p->pf = u16_or(tb[DEVLINK_ATTR_PORT_PCI_PF_NUMBER], -1);
			break;
		case DEVLINK_PORT_FLAVOUR_PCI_VF:
			p->pf = u16_or(tb[DEVLINK_ATTR_PORT_PCI_PF_NUMBER], -1);
			p->vf = u16_or(tb[DEVLINK_ATTR_PORT_PCI_VF_NUMBER], -1);
			if (p->vf < 0)
				return -EINVAL;	/* a VF port names its VF */
			break;
		case DEVLINK_PORT_FLAVOUR_PCI_SF:
			p->pf = u16_or(tb[DEVLINK_ATTR_PORT_PCI_PF_NUMBER], -1);
			p->sf = u32_or(tb[DEVLINK_ATTR_PORT_PCI_SF_NUMBER], -1);
			break;
		}
		p->ifindex = u32_or(tb[DEVLINK_ATTR_PORT_NETDEV_IFINDEX], 0);
		/* A netdev name that does not fit is no netdev of ours. */
		if (tb[DEVLINK_ATTR_PORT_NETDEV_NAME] &&
		    str(tb[DEVLINK_ATTR_PORT_NETDEV_NAME], p->netdev, sizeof(p->netdev)) < 0)
			return -EINVAL;
		if (!p->netdev[0])
			p->ifindex = 0;
		break;
	}
	default:
		return -EINVAL;
	}
	*out = m;
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

void dl_table_free(struct dl_table *t)
{
	free(t->devs);
	free(t->ports);
	memset(t, 0, sizeof(*t));
}

static bool same_handle(const struct dl_handle *h, const char *bus, const char *dev)
{
	return !strcmp(h->bus, bus) && !strcmp(h->dev, dev);
}

static struct dl_dev *dev_find(const struct dl_table *t, const char *bus, const char *dev)
{
	unsigned i;

	for (i = 0; i < t->n_devs; i++)
		if (same_handle(&t->devs[i].h, bus, dev))
			return &t->devs[i];
	return NULL;
}

const struct dl_dev *dl_dev_find(const struct dl_table *t, const char *bus, const char *dev)
{
	return dev_find(t, bus, dev);
}

/* Room for one more of n size-byte elements in *v (capacity *cap). */
static int grow(void **v, unsigned n, unsigned *cap, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, (*cap ? 2 * *cap : 4) * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = *cap ? 2 * *cap : 4;
	return 0;
}

int dl_table_add(struct dl_table *t, const struct dl_msg *m)
{
	struct dl_dev *d = dev_find(t, m->dev.h.bus, m->dev.h.dev);

	if (!d) {
		if (grow((void **)&t->devs, t->n_devs, &t->cap_devs, sizeof(*t->devs)) < 0)
			return -ENOMEM;
		d = &t->devs[t->n_devs++];
		*d = (struct dl_dev){ .h = m->dev.h, .eswitch = DL_ESWITCH_NONE };
	}
	switch (m->kind) {
	case DL_MSG_DEV:
		break;
	case DL_MSG_ESWITCH:
		d->eswitch = m->dev.eswitch;
		d->eswitch_err = 0;
		break;
	case DL_MSG_PORT:
		if (grow((void **)&t->ports, t->n_ports, &t->cap_ports, sizeof(*t->ports)) < 0)
			return -ENOMEM;
		t->ports[t->n_ports++] = m->port;
		break;
	}
	return 0;
}

static bool local_vf_port(const struct dl_port *p, int pf)
{
	return p->flavour == DEVLINK_PORT_FLAVOUR_PCI_VF && !p->external && (pf < 0 || p->pf == pf);
}

bool dl_has_vf_ports(const struct dl_table *t, const char *bus, const char *dev, int pf)
{
	unsigned i;

	for (i = 0; i < t->n_ports; i++)
		if (same_handle(&t->ports[i].h, bus, dev) && local_vf_port(&t->ports[i], pf))
			return true;
	return false;
}

const struct dl_port *dl_vf_port(const struct dl_table *t, const char *bus, const char *dev, int pf, int vf)
{
	unsigned i;

	for (i = 0; vf >= 0 && i < t->n_ports; i++) {
		const struct dl_port *p = &t->ports[i];

		if (same_handle(&p->h, bus, dev) && local_vf_port(p, pf) && p->vf == vf)
			return p;
	}
	return NULL;
}

const char *dl_flavour_name(int f)
{
	/* iproute2's devlink words. */
	switch (f) {
	case DEVLINK_PORT_FLAVOUR_PHYSICAL: return "physical";
	case DEVLINK_PORT_FLAVOUR_CPU: return "cpu";
	case DEVLINK_PORT_FLAVOUR_DSA: return "dsa";
	case DEVLINK_PORT_FLAVOUR_PCI_PF: return "pcipf";
	case DEVLINK_PORT_FLAVOUR_PCI_VF: return "pcivf";
	case DEVLINK_PORT_FLAVOUR_VIRTUAL: return "virtual";
	case DEVLINK_PORT_FLAVOUR_UNUSED: return "unused";
	case DEVLINK_PORT_FLAVOUR_PCI_SF: return "pcisf";
	default: return "";
	}
}

const char *dl_eswitch_name(enum dl_eswitch m)
{
	switch (m) {
	case DL_ESWITCH_LEGACY: return "legacy";
	case DL_ESWITCH_SWITCHDEV: return "switchdev";
	default: return "";
	}
}

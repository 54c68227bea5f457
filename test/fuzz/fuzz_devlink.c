/* SPDX-License-Identifier: MIT */
/*
 * dl_parse (agent/devlink/parse.c) on raw bytes as one devlink answer,
 * then into a table and through its lookups, as pflinkd uses them.
 * Properties on success: a known kind; bus and device names terminated and
 * non-empty; an eswitch mode -1, 0 or 1; a port's numbers only where its
 * flavour has them (a pcivf port always names its VF), a netdev name
 * terminated and an ifindex only with a name; the port is found by
 * dl_vf_port exactly when it is this host's pcivf port.  The parser must
 * use only nlmsg_len bytes: bytes after it (00 or ff) change nothing, and
 * an exact-size heap copy says the same.
 */
#include "fuzz.h"

#include "devlink/devlink.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

static void check_msg(const struct dl_msg *m)
{
	struct dl_table t = { 0 };

	FUZZ_CHECK(m->kind == DL_MSG_DEV || m->kind == DL_MSG_ESWITCH || m->kind == DL_MSG_PORT);
	FUZZ_CHECK(FUZZ_TERMINATED(m->dev.h.bus) && m->dev.h.bus[0]);
	FUZZ_CHECK(FUZZ_TERMINATED(m->dev.h.dev) && m->dev.h.dev[0]);
	FUZZ_CHECK(m->dev.eswitch >= DL_ESWITCH_NONE && m->dev.eswitch <= DL_ESWITCH_SWITCHDEV);
	if (m->kind == DL_MSG_PORT) {
		const struct dl_port *p = &m->port;

		FUZZ_CHECK(!strcmp(p->h.bus, m->dev.h.bus) && !strcmp(p->h.dev, m->dev.h.dev));
		FUZZ_CHECK(FUZZ_TERMINATED(p->netdev));
		FUZZ_CHECK(p->ifindex >= 0 && (p->netdev[0] || p->ifindex == 0));
		FUZZ_CHECK((p->vf >= 0) == (p->flavour == DEVLINK_PORT_FLAVOUR_PCI_VF));
		FUZZ_CHECK(p->sf < 0 || p->flavour == DEVLINK_PORT_FLAVOUR_PCI_SF);
		FUZZ_CHECK(p->pf < 0 || p->flavour == DEVLINK_PORT_FLAVOUR_PCI_PF ||
			   p->flavour == DEVLINK_PORT_FLAVOUR_PCI_VF || p->flavour == DEVLINK_PORT_FLAVOUR_PCI_SF);
	}
	FUZZ_CHECK(dl_table_add(&t, m) == 0);
	FUZZ_CHECK(t.n_devs == 1 && dl_dev_find(&t, m->dev.h.bus, m->dev.h.dev) == &t.devs[0]);
	if (m->kind == DL_MSG_ESWITCH)
		FUZZ_CHECK(t.devs[0].eswitch == m->dev.eswitch);
	if (m->kind == DL_MSG_PORT) {
		const struct dl_port *p = &m->port;
		bool vf = p->flavour == DEVLINK_PORT_FLAVOUR_PCI_VF && !p->external;
		const struct dl_port *q = dl_vf_port(&t, p->h.bus, p->h.dev, p->pf, p->vf);

		FUZZ_CHECK(t.n_ports == 1);
		FUZZ_CHECK(vf ? q == &t.ports[0] : q == NULL);
		FUZZ_CHECK(dl_has_vf_ports(&t, p->h.bus, p->h.dev, -1) == vf);
	}
	dl_table_free(&t);
}

static bool same_port(const struct dl_port *a, const struct dl_port *b)
{
	return !strcmp(a->h.bus, b->h.bus) && !strcmp(a->h.dev, b->h.dev) && a->index == b->index &&
	       a->flavour == b->flavour && a->number == b->number && a->controller == b->controller &&
	       a->external == b->external && a->pf == b->pf && a->vf == b->vf && a->sf == b->sf &&
	       a->ifindex == b->ifindex && !strcmp(a->netdev, b->netdev);
}

static bool same(const struct dl_msg *a, const struct dl_msg *b)
{
	return a->kind == b->kind && !strcmp(a->dev.h.bus, b->dev.h.bus) && !strcmp(a->dev.h.dev, b->dev.h.dev) &&
	       a->dev.eswitch == b->dev.eswitch && (a->kind != DL_MSG_PORT || same_port(&a->port, &b->port));
}

/* The first n bytes followed by pad bytes of fill (fuzz_padded). */
static int parse_copy(const uint8_t *data, size_t n, size_t pad, int fill, struct dl_msg *m)
{
	unsigned char *b = fuzz_padded(data, n, pad, fill);
	int r;

	memset(m, 0, sizeof(*m));
	r = dl_parse(b, n, m);
	free(b);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dl_msg m, z, f, e;
	struct nlmsghdr h;
	int r;

	memset(&m, 0, sizeof(m));
	r = dl_parse(data, size, &m);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0)
		check_msg(&m);
	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > size)
		return 0;
	FUZZ_CHECK(parse_copy(data, h.nlmsg_len, 4, 0x00, &z) == r);
	FUZZ_CHECK(parse_copy(data, h.nlmsg_len, 4, 0xff, &f) == r);
	FUZZ_CHECK(parse_copy(data, h.nlmsg_len, 0, 0, &e) == r);
	if (r == 0)
		FUZZ_CHECK(same(&m, &z) && same(&m, &f) && same(&m, &e));
	return 0;
}

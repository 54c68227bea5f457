/* SPDX-License-Identifier: MIT */
/*
 * agent/devlink/parse.c: devlink answers as the kernel writes them (built
 * here with libnl's own encoder, the kernel's layout), malformed ones,
 * and the table's ties of VF ports; then every recorded answer of a real
 * kernel (argv[1]: the fuzz corpus, whose real-* files were captured from
 * netdevsim in the VM) replayed through the parser.
 */
#include "t.h"
#include "devlink/devlink.h"

#include <dirent.h>
#include <linux/devlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#define FAMILY 0x15	/* any id: the parser does not look at it */

struct port_spec {
	const char *bus, *dev;
	unsigned index;
	int flavour, pf, vf, controller, external, ifindex;
	const char *netdev;
};

static struct nl_msg *msg_new(int cmd, const char *bus, const char *dev)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 1, FAMILY, 0, NLM_F_MULTI, (uint8_t)cmd, DEVLINK_GENL_VERSION);
	if (bus)
		nla_put_string(m, DEVLINK_ATTR_BUS_NAME, bus);
	if (dev)
		nla_put_string(m, DEVLINK_ATTR_DEV_NAME, dev);
	return m;
}

/* As devlink_nl_port_fill() writes a port. */
static struct nl_msg *port_msg(const struct port_spec *p)
{
	struct nl_msg *m = msg_new(DEVLINK_CMD_PORT_NEW, p->bus, p->dev);

	nla_put_u32(m, DEVLINK_ATTR_PORT_INDEX, p->index);
	nla_put_u16(m, DEVLINK_ATTR_PORT_TYPE, DEVLINK_PORT_TYPE_ETH);
	if (p->ifindex) {
		nla_put_u32(m, DEVLINK_ATTR_PORT_NETDEV_IFINDEX, (uint32_t)p->ifindex);
		nla_put_string(m, DEVLINK_ATTR_PORT_NETDEV_NAME, p->netdev);
	}
	nla_put_u16(m, DEVLINK_ATTR_PORT_FLAVOUR, (uint16_t)p->flavour);
	if (p->flavour == DEVLINK_PORT_FLAVOUR_PHYSICAL)
		nla_put_u32(m, DEVLINK_ATTR_PORT_NUMBER, 1);
	if (p->controller >= 0)
		nla_put_u32(m, DEVLINK_ATTR_PORT_CONTROLLER_NUMBER, (uint32_t)p->controller);
	if (p->pf >= 0)
		nla_put_u16(m, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, (uint16_t)p->pf);
	if (p->vf >= 0)
		nla_put_u16(m, DEVLINK_ATTR_PORT_PCI_VF_NUMBER, (uint16_t)p->vf);
	if (p->external >= 0)
		nla_put_u8(m, DEVLINK_ATTR_PORT_EXTERNAL, (uint8_t)p->external);
	return m;
}

static int parse(struct nl_msg *m, struct dl_msg *out)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int r = dl_parse(h, h->nlmsg_len, out);

	nlmsg_free(m);
	return r;
}

static void test_messages(void)
{
	struct dl_msg d;
	struct nl_msg *m;

	T_SECTION("an instance, its eswitch mode");
	CHECK_EQ_INT(parse(msg_new(DEVLINK_CMD_NEW, "pci", "0000:03:00.0"), &d), 0);
	CHECK_EQ_INT(d.kind, DL_MSG_DEV);
	CHECK_STR(d.dev.h.bus, "pci");
	CHECK_STR(d.dev.h.dev, "0000:03:00.0");
	m = msg_new(DEVLINK_CMD_ESWITCH_GET, "netdevsim", "netdevsim10");
	nla_put_u16(m, DEVLINK_ATTR_ESWITCH_MODE, DEVLINK_ESWITCH_MODE_SWITCHDEV);
	nla_put_u8(m, DEVLINK_ATTR_ESWITCH_INLINE_MODE, DEVLINK_ESWITCH_INLINE_MODE_NONE);
	CHECK_EQ_INT(parse(m, &d), 0);
	CHECK_EQ_INT(d.kind, DL_MSG_ESWITCH);
	CHECK_EQ_INT(d.dev.eswitch, DL_ESWITCH_SWITCHDEV);
	CHECK_STR(dl_eswitch_name(d.dev.eswitch), "switchdev");
	m = msg_new(DEVLINK_CMD_ESWITCH_GET, "pci", "0000:03:00.0");
	nla_put_u16(m, DEVLINK_ATTR_ESWITCH_MODE, DEVLINK_ESWITCH_MODE_LEGACY);
	CHECK_EQ_INT(parse(m, &d), 0);
	CHECK_EQ_INT(d.dev.eswitch, DL_ESWITCH_LEGACY);
	m = msg_new(DEVLINK_CMD_ESWITCH_GET, "pci", "0000:03:00.0");
	nla_put_u16(m, DEVLINK_ATTR_ESWITCH_MODE, 7);	/* a mode of a later kernel */
	CHECK_EQ_INT(parse(m, &d), 0);
	CHECK_EQ_INT(d.dev.eswitch, DL_ESWITCH_NONE);
	CHECK_EQ_INT(parse(msg_new(DEVLINK_CMD_ESWITCH_GET, "pci", "0000:03:00.0"), &d), 0);
	CHECK_EQ_INT(d.dev.eswitch, DL_ESWITCH_NONE);

	T_SECTION("ports: each flavour keeps its own numbers");
	CHECK_EQ_INT(parse(port_msg(&(struct port_spec){ "netdevsim", "netdevsim10", 1,
		DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 3, 0, 0, 12, "eni10npf0vf3" }), &d), 0);
	CHECK_EQ_INT(d.kind, DL_MSG_PORT);
	CHECK_STR(d.port.h.dev, "netdevsim10");
	CHECK_EQ_INT(d.port.index, 1);
	CHECK_STR(dl_flavour_name(d.port.flavour), "pcivf");
	CHECK_EQ_INT(d.port.pf, 0);
	CHECK_EQ_INT(d.port.vf, 3);
	CHECK_EQ_INT(d.port.sf, -1);
	CHECK_EQ_INT(d.port.controller, 0);
	CHECK(!d.port.external);
	CHECK_EQ_INT(d.port.ifindex, 12);
	CHECK_STR(d.port.netdev, "eni10npf0vf3");
	CHECK_EQ_INT(parse(port_msg(&(struct port_spec){ "pci", "0000:03:00.0", 65535,
		DEVLINK_PORT_FLAVOUR_PHYSICAL, 0, 5, -1, -1, 4, "ens3f0np0" }), &d), 0);
	CHECK_STR(dl_flavour_name(d.port.flavour), "physical");
	CHECK_EQ_INT(d.port.number, 1);
	CHECK_EQ_INT(d.port.pf, -1);	/* a physical port has no PF number */
	CHECK_EQ_INT(d.port.vf, -1);
	CHECK_EQ_INT(parse(port_msg(&(struct port_spec){ "pci", "0000:03:00.0", 7,
		DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 1, 0, 0, 0, NULL }), &d), 0);
	CHECK_EQ_INT(d.port.ifindex, 0);	/* a port without a netdev */
	CHECK_STR(d.port.netdev, "");
	/* Linux 6.1's port dump says DEVLINK_CMD_NEW: still a port. */
	m = port_msg(&(struct port_spec){ "netdevsim", "netdevsim10", 130, DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 2, 0, 0,
		13, "eth13" });
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(m)))->cmd = DEVLINK_CMD_NEW;
	CHECK_EQ_INT(parse(m, &d), 0);
	CHECK_EQ_INT(d.kind, DL_MSG_PORT);
	CHECK_EQ_INT(d.port.vf, 2);
	CHECK_STR(d.port.netdev, "eth13");

	T_SECTION("malformed answers are refused");
	CHECK_EQ_INT(parse(port_msg(&(struct port_spec){ "pci", "0000:03:00.0", 7,
		DEVLINK_PORT_FLAVOUR_PCI_VF, 0, -1, 0, 0, 0, NULL }), &d), -EINVAL);	/* VF port, no VF */
	CHECK_EQ_INT(parse(msg_new(DEVLINK_CMD_NEW, "pci", NULL), &d), -EINVAL);
	CHECK_EQ_INT(parse(msg_new(DEVLINK_CMD_NEW, NULL, "0000:03:00.0"), &d), -EINVAL);
	CHECK_EQ_INT(parse(msg_new(DEVLINK_CMD_PORT_NEW, "pci", "0000:03:00.0"), &d), -EINVAL);	/* no index */
	CHECK_EQ_INT(parse(msg_new(DEVLINK_CMD_SB_GET, "pci", "0000:03:00.0"), &d), -EINVAL);
	CHECK_EQ_INT(parse(port_msg(&(struct port_spec){ "pci", "0000:03:00.0", 7,
		DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 1, 0, 0, 9, "a-name-longer-than-ifnamsiz" }), &d), -EINVAL);
	m = msg_new(DEVLINK_CMD_NEW, "pci", "0000:03:00.0");
	nla_put(m, DEVLINK_ATTR_PORT_INDEX, 2, "\1\0");	/* a u32 of 2 bytes */
	CHECK_EQ_INT(parse(m, &d), -EINVAL);
	m = nlmsg_alloc();
	genlmsg_put(m, 0, 1, FAMILY, 0, 0, DEVLINK_CMD_NEW, 1);
	nla_put(m, DEVLINK_ATTR_BUS_NAME, 3, "pci");	/* no NUL */
	nla_put_string(m, DEVLINK_ATTR_DEV_NAME, "0000:03:00.0");
	CHECK_EQ_INT(parse(m, &d), -EINVAL);
	m = msg_new(DEVLINK_CMD_NEW, "pci", "0000:03:00.0");
	{
		struct nlmsghdr *h = nlmsg_hdr(m);

		CHECK_EQ_INT(dl_parse(h, h->nlmsg_len - 4, &d), -EINVAL);	/* cut short */
		CHECK_EQ_INT(dl_parse(h, 8, &d), -EINVAL);
		h->nlmsg_len -= 2;						/* unaligned */
		CHECK_EQ_INT(dl_parse(h, h->nlmsg_len + 2, &d), -EINVAL);
		h->nlmsg_len = 16;						/* header only */
		CHECK_EQ_INT(dl_parse(h, 64, &d), -EINVAL);
	}
	nlmsg_free(m);
}

static void add(struct dl_table *t, struct nl_msg *m)
{
	struct dl_msg d;

	if (CHECK_EQ_INT(parse(m, &d), 0))
		CHECK_EQ_INT(dl_table_add(t, &d), 0);
}

static void test_table(void)
{
	struct dl_table t = { 0 };
	struct nl_msg *m;
	const struct dl_port *p;
	int i;

	T_SECTION("the table: modes, VF ports, this host's only");
	add(&t, msg_new(DEVLINK_CMD_NEW, "pci", "0000:03:00.0"));
	add(&t, msg_new(DEVLINK_CMD_NEW, "pci", "0000:03:00.1"));
	m = msg_new(DEVLINK_CMD_ESWITCH_GET, "pci", "0000:03:00.0");
	nla_put_u16(m, DEVLINK_ATTR_ESWITCH_MODE, DEVLINK_ESWITCH_MODE_SWITCHDEV);
	add(&t, m);
	for (i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof(name), "ens3f0_%d", i);
		add(&t, port_msg(&(struct port_spec){ "pci", "0000:03:00.0", (unsigned)(i + 1),
			DEVLINK_PORT_FLAVOUR_PCI_VF, 0, i, 0, 0, 20 + i, name }));
	}
	/* An external host's VF 2 (a SmartNIC's Arm side sees it as c1pf0vf2). */
	add(&t, port_msg(&(struct port_spec){ "pci", "0000:03:00.0", 40, DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 2, 1, 1,
		40, "ens3f0c1pf0vf2" }));
	/* The second PF's instance: physical port only, legacy. */
	add(&t, port_msg(&(struct port_spec){ "pci", "0000:03:00.1", 65536, DEVLINK_PORT_FLAVOUR_PHYSICAL, -1, -1,
		-1, -1, 5, "ens3f1np1" }));
	CHECK_EQ_INT(t.n_devs, 2);
	CHECK_EQ_INT(t.n_ports, 8);
	CHECK_EQ_INT(dl_dev_find(&t, "pci", "0000:03:00.0")->eswitch, DL_ESWITCH_SWITCHDEV);
	CHECK_EQ_INT(dl_dev_find(&t, "pci", "0000:03:00.1")->eswitch, DL_ESWITCH_NONE);
	CHECK(!dl_dev_find(&t, "pci", "0000:04:00.0"));
	CHECK(dl_has_vf_ports(&t, "pci", "0000:03:00.0", 0));
	CHECK(dl_has_vf_ports(&t, "pci", "0000:03:00.0", -1));
	CHECK(!dl_has_vf_ports(&t, "pci", "0000:03:00.0", 1));	/* PF number 1 has none here */
	CHECK(!dl_has_vf_ports(&t, "pci", "0000:03:00.1", -1));
	p = dl_vf_port(&t, "pci", "0000:03:00.0", 0, 2);
	CHECK(p && !strcmp(p->netdev, "ens3f0_2"));	/* not the external host's VF 2 */
	p = dl_vf_port(&t, "pci", "0000:03:00.0", 0, 5);
	CHECK(p && p->ifindex == 25);
	CHECK(!dl_vf_port(&t, "pci", "0000:03:00.0", 0, 6));
	CHECK(!dl_vf_port(&t, "pci", "0000:03:00.0", 1, 2));
	CHECK(!dl_vf_port(&t, "pci", "0000:03:00.1", 0, 2));
	CHECK(!dl_vf_port(&t, "pci", "0000:03:00.0", 0, -1));
	dl_table_free(&t);
	CHECK(t.n_ports == 0 && !t.ports && !t.devs);
}

/* Real answers recorded in the VM: each parses, as what its name says. */
static void test_recorded(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	T_SECTION("answers recorded from netdevsim on Debian's 6.1");
	if (!CHECK(d != NULL))
		return;
	while ((e = readdir(d))) {
		char path[512], buf[8192];
		struct dl_msg m;
		size_t len;
		FILE *f;

		if (strncmp(e->d_name, "real-", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!CHECK(f != NULL))
			continue;
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		n++;
		if (!t_check(dl_parse(buf, len, &m) == 0, __FILE__, __LINE__, "%s parses", e->d_name))
			continue;
		if (strstr(e->d_name, "-eswitch-switchdev"))
			CHECK(m.kind == DL_MSG_ESWITCH && m.dev.eswitch == DL_ESWITCH_SWITCHDEV);
		else if (strstr(e->d_name, "-eswitch-legacy"))
			CHECK(m.kind == DL_MSG_ESWITCH && m.dev.eswitch == DL_ESWITCH_LEGACY);
		else if (strstr(e->d_name, "-port-pcivf"))
			CHECK(m.kind == DL_MSG_PORT && m.port.flavour == DEVLINK_PORT_FLAVOUR_PCI_VF &&
			      m.port.vf >= 0 && m.port.netdev[0]);
		else if (strstr(e->d_name, "-port-physical"))
			CHECK(m.kind == DL_MSG_PORT && m.port.flavour == DEVLINK_PORT_FLAVOUR_PHYSICAL);
		else if (strstr(e->d_name, "-dev"))
			CHECK(m.kind == DL_MSG_DEV && !strcmp(m.dev.h.bus, "netdevsim"));
	}
	closedir(d);
	CHECK(n >= 4);
}

int main(int argc, char **argv)
{
	test_messages();
	test_table();
	if (argc > 1)
		test_recorded(argv[1]);
	return t_done();
}

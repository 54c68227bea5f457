/* SPDX-License-Identifier: MIT */
/*
 * Seeds for fuzz_devlink: raw devlink answers, one per file.
 *
 *   gen_devlink_seed -s OUTDIR    synthetic ones only (libnl's encoder,
 *                                 laid out as the kernel's devlink_nl_*_fill)
 *   gen_devlink_seed OUTDIR       also every answer this machine's kernel
 *                                 gives: DEVLINK_CMD_GET dump, ESWITCH_GET
 *                                 of each instance, PORT_GET dump, saved as
 *                                 real-<dev>-dev, real-<dev>-eswitch-<mode>,
 *                                 real-<dev>-port-<flavour>-<index>
 *
 * The committed real-* seeds were recorded in the VM (test/vm: netdevsim
 * in switchdev mode on Debian's 6.1); test/unit/test_devlink.c replays them.
 */
#include <errno.h>
#include <linux/devlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *outdir;

static int save(const char *name, const struct nlmsghdr *h)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(h, 1, h->nlmsg_len, f) != h->nlmsg_len || fclose(f) != 0) {
		perror(path);
		return -EIO;
	}
	printf("%s (%u bytes)\n", path, h->nlmsg_len);
	return 0;
}

static struct nl_msg *synth(int cmd, const char *bus, const char *dev)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 1, 0x15, 0, NLM_F_MULTI, (uint8_t)cmd, DEVLINK_GENL_VERSION);
	nla_put_string(m, DEVLINK_ATTR_BUS_NAME, bus);
	nla_put_string(m, DEVLINK_ATTR_DEV_NAME, dev);
	return m;
}

static int synthetic(void)
{
	struct nl_msg *m;
	int r = 0;

	m = synth(DEVLINK_CMD_NEW, "pci", "0000:03:00.0");
	r |= save("synth-dev", nlmsg_hdr(m));
	nlmsg_free(m);
	m = synth(DEVLINK_CMD_ESWITCH_GET, "pci", "0000:03:00.0");
	nla_put_u16(m, DEVLINK_ATTR_ESWITCH_MODE, DEVLINK_ESWITCH_MODE_SWITCHDEV);
	nla_put_u8(m, DEVLINK_ATTR_ESWITCH_INLINE_MODE, DEVLINK_ESWITCH_INLINE_MODE_NONE);
	nla_put_u8(m, DEVLINK_ATTR_ESWITCH_ENCAP_MODE, DEVLINK_ESWITCH_ENCAP_MODE_BASIC);
	r |= save("synth-eswitch-switchdev", nlmsg_hdr(m));
	nlmsg_free(m);
	/* mlx5's VF representor, and a SmartNIC's view of its host's VF. */
	m = synth(DEVLINK_CMD_PORT_NEW, "pci", "0000:03:00.0");
	nla_put_u32(m, DEVLINK_ATTR_PORT_INDEX, 2);
	nla_put_u16(m, DEVLINK_ATTR_PORT_TYPE, DEVLINK_PORT_TYPE_ETH);
	nla_put_u32(m, DEVLINK_ATTR_PORT_NETDEV_IFINDEX, 12);
	nla_put_string(m, DEVLINK_ATTR_PORT_NETDEV_NAME, "ens3f0_1");
	nla_put_u16(m, DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PCI_VF);
	nla_put_u32(m, DEVLINK_ATTR_PORT_CONTROLLER_NUMBER, 0);
	nla_put_u16(m, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, 0);
	nla_put_u16(m, DEVLINK_ATTR_PORT_PCI_VF_NUMBER, 1);
	nla_put_u8(m, DEVLINK_ATTR_PORT_EXTERNAL, 0);
	r |= save("synth-port-pcivf", nlmsg_hdr(m));
	nlmsg_free(m);
	m = synth(DEVLINK_CMD_PORT_NEW, "pci", "0000:03:00.0");
	nla_put_u32(m, DEVLINK_ATTR_PORT_INDEX, 40);
	nla_put_u16(m, DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PCI_SF);
	nla_put_u32(m, DEVLINK_ATTR_PORT_CONTROLLER_NUMBER, 1);
	nla_put_u16(m, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, 0);
	nla_put_u32(m, DEVLINK_ATTR_PORT_PCI_SF_NUMBER, 88);
	nla_put_u8(m, DEVLINK_ATTR_PORT_EXTERNAL, 1);
	r |= save("synth-port-pcisf-external", nlmsg_hdr(m));
	nlmsg_free(m);
	m = synth(DEVLINK_CMD_PORT_NEW, "pci", "0000:03:00.0");
	nla_put_u32(m, DEVLINK_ATTR_PORT_INDEX, 65535);
	nla_put_u32(m, DEVLINK_ATTR_PORT_NETDEV_IFINDEX, 4);
	nla_put_string(m, DEVLINK_ATTR_PORT_NETDEV_NAME, "ens3f0np0");
	nla_put_u16(m, DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PHYSICAL);
	nla_put_u32(m, DEVLINK_ATTR_PORT_NUMBER, 0);
	r |= save("synth-port-physical", nlmsg_hdr(m));
	nlmsg_free(m);
	return r ? -EIO : 0;
}

/* ---- recording a live kernel's answers ---------------------------------- */

struct rec {
	char bus[32], dev[64];
	int family;
	struct { char bus[32], dev[64]; } devs[64];
	int n;
};

static void attr_str(struct nlattr **tb, int t, char *dst, size_t n)
{
	snprintf(dst, n, "%s", tb[t] ? nla_get_string(tb[t]) : "");
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct rec *x = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(h);
	struct nlattr *tb[DEVLINK_ATTR_MAX + 1];
	char bus[32], dev[64], name[256], *c;

	if (genlmsg_parse(h, 0, tb, DEVLINK_ATTR_MAX, NULL) < 0)
		return NL_SKIP;
	attr_str(tb, DEVLINK_ATTR_BUS_NAME, bus, sizeof(bus));
	attr_str(tb, DEVLINK_ATTR_DEV_NAME, dev, sizeof(dev));
	for (c = dev; *c; c++)
		if (*c == ':' || *c == '/')
			*c = '_';
	/* Linux 6.1 answers a port dump with DEVLINK_CMD_NEW: a port index
	 * makes it a port (agent/devlink/parse.c). */
	switch (g->cmd == DEVLINK_CMD_NEW && tb[DEVLINK_ATTR_PORT_INDEX] ? DEVLINK_CMD_PORT_NEW : g->cmd) {
	case DEVLINK_CMD_NEW:
		if (x->n < 64) {
			attr_str(tb, DEVLINK_ATTR_BUS_NAME, x->devs[x->n].bus, sizeof(x->devs[0].bus));
			attr_str(tb, DEVLINK_ATTR_DEV_NAME, x->devs[x->n].dev, sizeof(x->devs[0].dev));
			x->n++;
		}
		snprintf(name, sizeof(name), "real-%s-dev", dev);
		break;
	case DEVLINK_CMD_ESWITCH_GET:
		snprintf(name, sizeof(name), "real-%s-eswitch-%s", dev,
			 !tb[DEVLINK_ATTR_ESWITCH_MODE] ? "none" :
			 nla_get_u16(tb[DEVLINK_ATTR_ESWITCH_MODE]) == DEVLINK_ESWITCH_MODE_SWITCHDEV ? "switchdev" : "legacy");
		break;
	case DEVLINK_CMD_PORT_NEW: {
		static const char *const fl[] = { "physical", "cpu", "dsa", "pcipf", "pcivf", "virtual", "unused", "pcisf" };
		unsigned f = tb[DEVLINK_ATTR_PORT_FLAVOUR] ? nla_get_u16(tb[DEVLINK_ATTR_PORT_FLAVOUR]) : 99;

		snprintf(name, sizeof(name), "real-%s-port-%s-%u", dev, f < 8 ? fl[f] : "other",
			 tb[DEVLINK_ATTR_PORT_INDEX] ? nla_get_u32(tb[DEVLINK_ATTR_PORT_INDEX]) : 0);
		break;
	}
	default:
		return NL_SKIP;
	}
	return save(name, h) < 0 ? NL_STOP : NL_OK;
}

static int ask(struct nl_sock *sk, struct rec *x, int cmd, int flags, const char *bus, const char *dev)
{
	struct nl_msg *m = nlmsg_alloc();
	int r;

	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, x->family, 0, flags, (uint8_t)cmd, DEVLINK_GENL_VERSION);
	if (bus) {
		nla_put_string(m, DEVLINK_ATTR_BUS_NAME, bus);
		nla_put_string(m, DEVLINK_ATTR_DEV_NAME, dev);
	}
	r = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (r < 0)
		return r;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, x);
	return nl_recvmsgs_default(sk);
}

static int record(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rec x = { 0 };
	int i;

	if (!sk || genl_connect(sk) < 0 || (x.family = genl_ctrl_resolve(sk, DEVLINK_GENL_NAME)) < 0) {
		fprintf(stderr, "no devlink family\n");
		return -1;
	}
	nl_socket_disable_auto_ack(sk);
	if (ask(sk, &x, DEVLINK_CMD_GET, NLM_F_DUMP, NULL, NULL) < 0)
		return -1;
	for (i = 0; i < x.n; i++)
		if (ask(sk, &x, DEVLINK_CMD_ESWITCH_GET, 0, x.devs[i].bus, x.devs[i].dev) < 0)
			fprintf(stderr, "%s/%s: no eswitch\n", x.devs[i].bus, x.devs[i].dev);
	if (ask(sk, &x, DEVLINK_CMD_PORT_GET, NLM_F_DUMP, NULL, NULL) < 0)
		return -1;
	nl_socket_free(sk);
	return 0;
}

int main(int argc, char **argv)
{
	int live = 1;

	if (argc == 3 && !strcmp(argv[1], "-s")) {
		live = 0;
		outdir = argv[2];
	} else if (argc == 2) {
		outdir = argv[1];
	} else {
		fprintf(stderr, "usage: %s [-s] OUTDIR\n", argv[0]);
		return 2;
	}
	if (live)
		return record() < 0 ? 1 : 0;
	return synthetic() < 0 ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * devlink, the kernel's own table of a switch's ports: pflinkd's only
 * generic netlink, spoken through libnl-3 / libnl-genl-3 (devlink.c), and
 * the parser of its answers (parse.c: pure, fuzzed).  No libnl type
 * leaves this folder: callers see the plain table below.
 *
 * What it gives pflinkd: each devlink instance's eswitch mode
 * (DEVLINK_CMD_ESWITCH_GET: legacy or switchdev) and its ports
 * (DEVLINK_CMD_PORT_GET): flavour, controller, PF / VF / SF numbers and
 * the port's netdev.  A VF representor is the netdev of the pcivf port
 * with that VF's number on its PF's instance: the kernel's tie, where
 * the phys_port_name classifier (lib/classify.c) reads the same from a
 * string the driver formats.
 */
#ifndef PFLINK_AGENT_DEVLINK_H
#define PFLINK_AGENT_DEVLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define DL_BUS_MAX 32
#define DL_DEV_MAX 64

/* DEVLINK_ESWITCH_MODE_*, and "not said". */
enum dl_eswitch { DL_ESWITCH_NONE = -1, DL_ESWITCH_LEGACY = 0, DL_ESWITCH_SWITCHDEV = 1 };

/* A devlink instance: "pci" "0000:03:00.0", "netdevsim" "netdevsim10". */
struct dl_handle {
	char bus[DL_BUS_MAX];
	char dev[DL_DEV_MAX];
};

struct dl_port {
	struct dl_handle h;
	unsigned index;
	int flavour;			/* DEVLINK_PORT_FLAVOUR_*; -1: not said */
	int number;			/* physical port number; -1 */
	int controller;			/* -1 where not said */
	bool external;			/* the function is another host's (a SmartNIC's) */
	int pf, vf, sf;			/* -1 where the flavour has none */
	int ifindex;			/* the port's netdev; 0: none */
	char netdev[IF_NAMESIZE];
};

struct dl_dev {
	struct dl_handle h;
	enum dl_eswitch eswitch;
	int eswitch_err;		/* why ESWITCH_GET said nothing (-EOPNOTSUPP, -EPERM) */
};

/* One answer of the devlink family. */
enum dl_msg_kind { DL_MSG_DEV, DL_MSG_ESWITCH, DL_MSG_PORT };
struct dl_msg {
	enum dl_msg_kind kind;
	struct dl_dev dev;		/* DEV, ESWITCH (eswitch set when the answer had a mode) */
	struct dl_port port;		/* PORT */
};

/* Parse one devlink answer (buf/len: the whole nlmsghdr, of any family
 * id: the caller knows devlink's): DEVLINK_CMD_NEW (an instance),
 * DEVLINK_CMD_ESWITCH_GET, DEVLINK_CMD_PORT_NEW.  -EINVAL on anything
 * malformed or of another command; never reads past len.  Pure, fuzzed. */
int dl_parse(const void *buf, size_t len, struct dl_msg *out);

/* ---- the table ---------------------------------------------------------- */

struct dl_table {
	struct dl_dev *devs;
	unsigned n_devs, cap_devs;
	struct dl_port *ports;
	unsigned n_ports, cap_ports;
};

void dl_table_free(struct dl_table *t);
/* Add what one parsed answer says (an instance, its mode, a port). */
int dl_table_add(struct dl_table *t, const struct dl_msg *m);

const struct dl_dev *dl_dev_find(const struct dl_table *t, const char *bus, const char *dev);

/* Does the instance list VF ports of PF number pf (-1: any)?  Then it
 * speaks for that PF's representors: dl_vf_port() is the answer, none
 * included. */
bool dl_has_vf_ports(const struct dl_table *t, const char *bus, const char *dev, int pf);

/* The pcivf port of VF vf of PF number pf (-1: any) on the instance,
 * this host's (not external), or NULL. */
const struct dl_port *dl_vf_port(const struct dl_table *t, const char *bus, const char *dev, int pf,
				 int vf);

const char *dl_flavour_name(int flavour);	/* "physical", "pcivf", ...; "" */
const char *dl_eswitch_name(enum dl_eswitch m);	/* "legacy", "switchdev"; "" */

/* ---- talking to the kernel (libnl-genl-3) ----------------------------- */

struct dl_sock;

/* A generic netlink socket in the caller's netns with the devlink family
 * resolved; -ENOENT when the kernel has no devlink family. */
int dl_open(struct dl_sock **out);
void dl_close(struct dl_sock *s);

/* Every instance, its eswitch mode and every port, into a new table
 * (*out replaced only on success).  An instance whose ESWITCH_GET fails
 * (no eswitch: -EOPNOTSUPP; no CAP_NET_ADMIN: -EPERM) is listed without
 * a mode, with the error. */
int dl_read(struct dl_sock *s, struct dl_table *out);

/* devlink's "config" multicast group (instances and ports coming, going,
 * changing) on a second, non-blocking socket: its fd for the caller's
 * poll, -errno when it cannot be joined. */
int dl_subscribe(struct dl_sock *s);
int dl_event_fd(const struct dl_sock *s);
/* Throw away what is queued on the event socket; true when anything was
 * (or the kernel dropped some). */
bool dl_events_drain(struct dl_sock *s);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * What a PCI netdev is: the one place plugin and agent decide it.
 *
 * From its switchdev port name (IFLA_PHYS_PORT_NAME, devlink's format and
 * the drivers' own older ones) and switch id (IFLA_PHYS_SWITCH_ID):
 *
 *   (none)                  a netdev of its own PCI function: a PF, or a VF
 *                           (legacy mode, or a VF's netdev in switchdev mode)
 *   pN, pNsM                the PF's uplink (switchdev mode): a PF netdev
 *   [cN]pfXvfY, pfXvfrY     a VF representor (ice names them pfXvfrY)
 *   [cN]pfXsfY              an SF representor
 *   [cN]pfX, pfXsY          a PF representor (BlueField's host PF, nfp's PF ports)
 *
 * cN names an external controller (the host of a SmartNIC, seen from its
 * Arm side); a VF of this host has its representor without it.  A
 * representor answers ETHTOOL_GDRVINFO with its PF's PCI address (ice and
 * nfp fill it so; mlx5 and bnxt leave it empty and the ethtool core fills
 * in the parent device, the PF, since Linux 6.2), so a representor is never
 * counted as a PF netdev because of its bus address.
 *
 * And what a PCI function's driver gives it: a netdev, or nothing a pod
 * can see as one (vfio-pci and its variant drivers, uio, pci-stub).
 */
#ifndef PFLINK_CLASSIFY_H
#define PFLINK_CLASSIFY_H

#include <stdbool.h>

enum port_kind {
	PORT_NONE,	/* no port name */
	PORT_UPLINK,	/* pN, pNsM */
	PORT_VF_REP,	/* [cN]pfXvfY, pfXvfrY */
	PORT_SF_REP,	/* [cN]pfXsfY */
	PORT_PF_REP,	/* [cN]pfX, pfXsY */
	PORT_OTHER,	/* a name of none of these shapes */
};

struct port_id {
	enum port_kind kind;
	int controller;		/* N of cN; -1: none (this host's) */
	int pf, vf, sf;		/* -1 where the kind has none */
};

/* Classify a port name (NULL or "" is PORT_NONE); out is always filled
 * and the kind returned.  Numbers are strict decimals of at most 5 digits. */
enum port_kind classify_port(const char *port_name, struct port_id *out);

const char *classify_port_kind_name(enum port_kind k);

/* A representor stands for another function; it is never that PCI
 * function's own netdev, whatever its bus address says. */
bool classify_is_representor(enum port_kind k);

/* Is a netdev with this port name, whose bus address is the PF's, one of
 * the PF's own netdevs?  Everything but a representor is (an unknown name
 * too: losing the PF would fail the pod, the name is still reported). */
bool classify_is_pf_netdev(const char *port_name);

/* Is this netdev the representor of VF vf_index of the PF whose PCI
 * function number is pf_fn and whose netdev sits on switch pf_switch_id
 * (hex)?  Same switch, this host's controller, that PF, that VF. */
bool classify_is_vf_rep_of(const char *port_name, const char *switch_id, const char *pf_switch_id,
			   int pf_fn, int vf_index);

/* The PCI function number (0-7) of a canonical address "DDDD:BB:DD.F";
 * devlink numbers a PF's ports pfX by it. */
int classify_pf_number(const char *pf_bdf);

/* A driver that gives its PCI function no netdev: vfio-pci and its
 * variants (mlx5_vfio_pci, ...), uio (uio_pci_generic, igb_uio), pci-stub. */
bool classify_driver_netdevless(const char *driver);

#endif

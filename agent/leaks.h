/* SPDX-License-Identifier: MIT */
/*
 * What pflinkd reports as leaked, found in one place for /metrics, the
 * "leaks" op and pflinkctl leaks: pure functions of a snapshot.
 *
 *   vf_orphaned     a VF whose pod looks gone (enum mx_orphan);
 *   record_stale    a pflink record whose sandbox netns no longer exists:
 *                   the runtime never ran DEL;
 *   vf_unseen       a VF bound to a netdev driver whose netdev is in no
 *                   netns the agent tracks (a netns held by something it
 *                   cannot find, or not tracked for want of descriptors);
 *   mac_duplicate   two or more VFs with one MAC (the netdev's, else the
 *                   PF's VF MAC);
 *   vf_double_allocated
 *                   a VF with two or more live holders that are different
 *                   pods; a holder is a live record or a runtime or cgroup
 *                   holder (pods/holder.h: the snapshot keeps each VF's),
 *                   so a record naming one pod while another pod's
 *                   container holds the VF is one (sriov-network-device-
 *                   plugin #369);
 *   vf_dirty        a VF no pod holds (no live record, no holder, its
 *                   netdev, if any, in the host netns) whose PF's VF table
 *                   still shows something other than the driver's defaults
 *                   for a VF never configured (leak_vf_dirty says what);
 *   numa_misaligned a VF in a pod whose CPUs (those a process of the pod
 *                   may run on) all sit on NUMA nodes other than the VF's;
 *                   a VF with numa_node -1 never is.
 */
#ifndef PFLINK_AGENT_LEAKS_H
#define PFLINK_AGENT_LEAKS_H

#include "snapshot.h"

#include <stddef.h>

enum leak_kind {
	LEAK_VF_ORPHANED, LEAK_RECORD_STALE, LEAK_VF_UNSEEN, LEAK_MAC_DUPLICATE, LEAK_VF_DOUBLE_ALLOCATED,
	LEAK_VF_DIRTY, LEAK_NUMA_MISALIGNED,
	LEAK_KINDS
};

struct leak {
	enum leak_kind kind;
	const struct mx_vf *vf;		/* all but record_stale */
	const struct mx_stale *rec;	/* record_stale */
	const char *mac;		/* mac_duplicate */
	unsigned dups;			/* mac_duplicate: VFs with this MAC */
	/* vf_double_allocated: the VF's holders (into s), and the pods among them */
	const struct pod_holder *holders;
	unsigned n_holders, pods;
	unsigned dirty;			/* vf_dirty: the VF_DIRTY_* settings left */
};

/* Every leak of s, in a stable order (kind, then PF, VF index); pointers
 * into s.  *out is NULL with *n 0 when there is none; free(*out). */
int leaks_find(const struct mx_snap *s, struct leak **out, unsigned *n);

/* ---- vf_dirty: what the PF's VF table still shows --------------------- */

enum {
	VF_DIRTY_MAC = 1u << 0,		/* a MAC other than 00:00:00:00:00:00 */
	VF_DIRTY_MAC_SHARED = 1u << 1,	/* that MAC is another VF's too */
	VF_DIRTY_VLAN = 1u << 2,
	VF_DIRTY_QOS = 1u << 3,
	VF_DIRTY_TRUST = 1u << 4,	/* trust on */
	VF_DIRTY_SPOOFCHK = 1u << 5,	/* spoof-check off where the driver's default is on */
	VF_DIRTY_MIN_RATE = 1u << 6,
	VF_DIRTY_MAX_RATE = 1u << 7,
	VF_DIRTY_LINK_STATE = 1u << 8,	/* forced enable or disable, not auto */
	VF_DIRTY_N = 9
};

/* What the kernel reports for a VF never configured, by PF driver
 * (measured: docs/metrics.md has the table and where each row is from).
 * Every driver's VF starts with MAC zero, no VLAN or QoS, no rates, link
 * state auto and trust off; what differs is spoof-check. */
struct leak_vf_defaults {
	const char *driver;	/* the PF's */
	int spoofchk;		/* 1 on, 0 off */
};
/* The row of a PF driver, or NULL: then spoof-check, which drivers
 * differ on, is not judged. */
const struct leak_vf_defaults *leak_vf_defaults_of(const char *pf_driver);

/* The VF_DIRTY_* settings v's VF table entry shows (0: none; a VF without
 * one shows none).  pf_driver: its PF's; s: for VF_DIRTY_MAC_SHARED. */
unsigned leak_vf_dirty(const struct mx_snap *s, const struct mx_vf *v, const char *pf_driver);
/* "mac", "mac_shared", "vlan", "qos", "trust", "spoofchk", "min_rate",
 * "max_rate", "link_state" for one VF_DIRTY_* bit. */
const char *leak_dirty_name(unsigned bit);
/* The setting's value as the VF table shows it ("02:..", "10", "on"). */
void leak_dirty_value(const struct mx_vf *v, unsigned bit, char *buf, size_t len);

/* ---- numa_misaligned ------------------------------------------------------ */

/* For a VF in a pod: 1 when the VF has no NUMA node (numa_node -1, or one
 * beyond NUMA_NODES_MAX: its pod's CPUs are not even read) or the pod's
 * CPUs include one on the VF's node; 0 when they all sit on other nodes;
 * -1: unknown (no pod, its CPUs unread, or no node of them known). */
int leak_numa_aligned(const struct mx_vf *v);

/* "vf_orphaned", ... */
const char *leak_kind_name(enum leak_kind k);
/* "pod_gone", "netns_gone", "renamed_by_kernel" ("" for none). */
const char *leak_orphan_name(enum mx_orphan o);

/* A netdev name the kernel gave: dev<ifindex>, when the link's own name was
 * taken in the netns it fell back into. */
bool leak_kernel_renamed(const char *name);

/* Does the VF look abandoned?  pod: its record's pod namespace (NULL: no
 * record); netns_gone: that record's netns no longer exists; netdev: its
 * first netdev (NULL: none), in_host: that netdev is in the host netns. */
enum mx_orphan leak_orphan(const char *pod, bool netns_gone, const char *netdev, bool in_host);

/* The words for an orphan (the "orphan" member of a VF object). */
void leak_orphan_words(enum mx_orphan o, const char *pod_ns, const char *pod, const char *netdev,
		       const char *netns, char *buf, size_t len);

/* How a holder reads in words: "ns/name", or "pod <uid>", or "container <id>". */
void leak_holder_words(const struct pod_holder *h, char *buf, size_t len);

/* One sentence for a leak. */
void leak_words(const struct leak *l, char *buf, size_t len);

#endif

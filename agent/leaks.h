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
 *                   plugin #369).
 */
#ifndef PFLINK_AGENT_LEAKS_H
#define PFLINK_AGENT_LEAKS_H

#include "snapshot.h"

#include <stddef.h>

enum leak_kind {
	LEAK_VF_ORPHANED, LEAK_RECORD_STALE, LEAK_VF_UNSEEN, LEAK_MAC_DUPLICATE, LEAK_VF_DOUBLE_ALLOCATED,
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
};

/* Every leak of s, in a stable order (kind, then PF, VF index); pointers
 * into s.  *out is NULL with *n 0 when there is none; free(*out). */
int leaks_find(const struct mx_snap *s, struct leak **out, unsigned *n);

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

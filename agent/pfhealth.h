/* SPDX-License-Identifier: MIT */
/*
 * What a PF's link, or a VF's own forced link state, does to the pods on
 * them: pure functions of a snapshot (snapshot.h), found in one place for
 * /metrics, the "pf-health" op and pflinkctl pf-health, beside leaks.h.
 *
 *   pf_down            a PF whose netdev is not usable (admin down, no
 *                      carrier, or an operational state other than up)
 *                      while VFs of it are in pods: those pods lost their
 *                      network (sriov-network-device-plugin #362/#640);
 *   vf_link_disabled   a VF in a pod whose link state the PF forces
 *                      "disable" (IFLA_VF_LINK_STATE).
 *
 * A PF whose netdev pflinkd does not see (bound to vfio-pci, in a netns it
 * does not track) has an unknown state: never a finding.
 */
#ifndef PFLINK_AGENT_PFHEALTH_H
#define PFLINK_AGENT_PFHEALTH_H

#include "snapshot.h"

#include <stddef.h>

enum pfh_state {
	PFH_UNKNOWN,		/* no netdev seen */
	PFH_UP,			/* IFF_UP, carrier, operstate up (or unknown: drivers without one) */
	PFH_ADMIN_DOWN,		/* not IFF_UP: ip link set ... down */
	PFH_NO_CARRIER,		/* up, but no carrier (operstate down, lowerlayerdown) */
	PFH_NOT_READY,		/* carrier, but operstate dormant, testing or notpresent */
	PFH_STATES
};

/* The state of a link as its messages told it; the map's answers and the
 * snapshot's findings both judge with this. */
enum pfh_state pfh_state(const struct mx_link *l);
/* "unknown", "up", "admin_down", "no_carrier", "not_ready". */
const char *pfh_state_name(enum pfh_state s);
/* IF_OPER_* as RFC 2863 names it ("up", "down", "lowerlayerdown", ...; ""
 * for -1). */
const char *pfh_operstate_name(int operstate);

/* A VF is in a pod for these findings: a pod holds it and it does not look
 * abandoned (leaks.h's vf_orphaned). */
bool pfh_vf_in_pod(const struct mx_vf *v);
/* The PF's link forces this VF down (IFLA_VF_LINK_STATE_DISABLE). */
bool pfh_vf_link_disabled(const struct mx_vf *v);

enum pfh_kind { PFH_PF_DOWN, PFH_VF_LINK_DISABLED, PFH_KINDS };

struct pfh_finding {
	enum pfh_kind kind;
	const struct mx_pf *pf;
	enum pfh_state state;		/* pf_down: the PF's */
	/* pf_down: the PF's VFs (s->vfs[vf0 .. vf0 + n_vfs)), pods among them
	 * (pfh_vf_in_pod); vf_link_disabled: the VF (n_vfs 1, pods 1). */
	const struct mx_vf *vfs;
	unsigned n_vfs, pods;
};

/* Every finding of s, PF order, pf_down before a PF's vf_link_disabled;
 * pointers into s.  *out NULL with *n 0 when none; free(*out). */
int pfh_find(const struct mx_snap *s, struct pfh_finding **out, unsigned *n);

/* "pf_down", "vf_link_disabled". */
const char *pfh_kind_name(enum pfh_kind k);

/* One sentence for a finding. */
void pfh_words(const struct pfh_finding *f, char *buf, size_t len);

#endif

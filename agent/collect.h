/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of the map (snapshot.h), taken on the serving loop a slice at
 * a time: the loop serves its clients between two slices, so a scrape
 * adds at most one slice to a lookup's wait.  A slice is the list of PCI
 * functions (one readdir), or 32 of them checked for being PFs, or a PF (sysfs, the
 * list of its VFs, one netlink get of its VF table with IFLA_VF_STATS), or
 * 16 of its VFs (sysfs, the map and the records, as a "pf" answer reads
 * them), or the link counters of 8 VF netdevs (one netlink get each, in
 * the VF's netns), or the records.
 * Nothing is kept from one slice to the next but bus addresses: the map
 * may change in between (netns dropped, links moved), and each slice finds
 * what it needs in the map as it is then.
 */
#ifndef PFLINK_AGENT_COLLECT_H
#define PFLINK_AGENT_COLLECT_H

#include "snapshot.h"

#include <stdbool.h>

struct agent;
struct ag_collect;

/* counters: read the VFs' counters too (not for the "leaks" op). */
int ag_collect_start(struct agent *a, bool counters, struct ag_collect **out);
/* One slice: 0 when there is more to do, 1 when the snapshot is done, or
 * -ENOMEM. */
int ag_collect_step(struct agent *a, struct ag_collect *c);
/* The finished snapshot (the caller frees it with mx_snap_free). */
struct mx_snap *ag_collect_take(struct ag_collect *c);
void ag_collect_free(struct ag_collect *c);

/* Start to finish in one go. */
int ag_collect_all(struct agent *a, bool counters, struct mx_snap **out);

#endif

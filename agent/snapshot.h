/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of pflinkd's map: plain data, no pointer into the map, so it
 * can be rendered on another thread while the map moves on.  collect.c
 * fills it on the serving loop (a slice at a time, see collect.h), leaks.c
 * finds the leaks in it, metrics.c writes it as Prometheus text, answers.c
 * as the "leaks" answer.
 */
#ifndef PFLINK_AGENT_SNAPSHOT_H
#define PFLINK_AGENT_SNAPSHOT_H

#include "pflink/pci.h"
#include "pflink/resolve.h"
#include "pods/holder.h"
#include "pods/index.h"

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- latency histograms (seconds, Prometheus' cumulative buckets) ---- */

#define MX_HIST_BUCKETS 12
extern const double mx_hist_bounds[MX_HIST_BUCKETS];	/* 10 us .. 1 s, then +Inf */

struct mx_hist {
	unsigned long long bucket[MX_HIST_BUCKETS + 1];	/* per bucket, not cumulative; last: +Inf */
	unsigned long long count;
	unsigned long long sum_ns;
};

void mx_hist_observe(struct mx_hist *h, unsigned long long ns);

/* The protocol's ops, for the answer histogram (request.h's enum agent_op
 * order; metrics.c names them). */
#define MX_OPS 9

/* ---- the snapshot ------------------------------------------------------ */

/* One counter set, from either source. */
struct mx_ctr {
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
	uint64_t rx_dropped, tx_dropped, multicast, broadcast;
};

/* Why a VF looks abandoned (leaks.c decides, answers.c words it). */
enum mx_orphan {
	MX_ORPHAN_NONE,
	MX_ORPHAN_POD_GONE,	/* back in the host netns while its record stays */
	MX_ORPHAN_NETNS_GONE,	/* no netdev, and the record's netns is gone */
	MX_ORPHAN_RENAMED,	/* dev<N> in the host, no record: its netns died without a DEL */
};

struct mx_vf {
	char pf[PCI_BDF_LEN], bdf[PCI_BDF_LEN];
	int index;
	char driver[64];		/* "" unbound */
	int numa;			/* -1: none / unknown */
	/* Its first netdev (the host's first), if any. */
	char netdev[IF_NAMESIZE];
	char netns[PF_NETNS_PATH_MAX];	/* "host", a path, "pid:N"; "" without a netdev */
	char netdev_mac[MAC_STR_MAX];
	bool in_host;
	/* The PF's IFLA_VFINFO_LIST entry. */
	bool has_config;
	char admin_mac[MAC_STR_MAX];
	unsigned vlan;
	int spoofchk, trust, linkstate;	/* -1: the driver did not say */
	/* The pod it is shown with: pflink's record's, else the first holder
	 * the node names (pod_source says which); ifname, network and
	 * pod_netns are a record's alone. */
	bool has_pod;
	enum pod_source pod_source;
	char pod_ns[256], pod[256], pod_uid[128], ifname[IF_NAMESIZE], network[256];
	char pod_netns[PF_NETNS_PATH_MAX];	/* the record's netns (cut) */
	/* Its live holders, each with its source: mx_snap.holders[holder0 ..
	 * holder0 + n_holders) (mx_vf_holders). */
	unsigned holder0, n_holders;
	enum mx_orphan orphan;
	/* What leaks.c's vf_dirty and numa_misaligned judge: the rest of the
	 * PF's VF table entry (Mbit/s, 0: none); the last pod pflinkd saw
	 * hold the VF (ag_last_of: in memory, "" when none since it
	 * started); the CPUs a process of its pod may run on
	 * (Cpus_allowed_list, has_cpus when read) as a cpulist (cut) and the
	 * NUMA nodes they sit on (bit N: node N). */
	unsigned qos, min_rate, max_rate;
	char last_pod_ns[256], last_pod[256];
	bool has_cpus;
	char cpus[64];
	uint64_t cpu_nodes;
	/* Counters: the PF's IFLA_VF_STATS, the netdev's IFLA_STATS64. */
	bool has_vf_stats, has_netdev_stats;
	struct mx_ctr vf_stats, netdev_stats;
};

/* A netdev's link as its last RTM_NEWLINK told it (dumps and events
 * alike), and its speed as ethtool gave it when that link last changed;
 * pfhealth.h judges it. */
struct mx_link {
	bool known;			/* a message about the netdev was seen */
	bool admin_up;			/* IFF_UP */
	int operstate;			/* IF_OPER_*; -1 the message had none */
	int carrier;			/* IFLA_CARRIER: 0, 1; -1 none */
	long long carrier_changes;	/* IFLA_CARRIER_CHANGES; -1 none */
	int speed_mbps;			/* -1 unknown (no carrier, no ethtool) */
};

struct mx_pf {
	char bdf[PCI_BDF_LEN];
	char driver[64];
	int numa;
	unsigned numvfs, totalvfs;
	char netdev[IF_NAMESIZE];	/* "" when the PF has no netdev the agent sees */
	char netns[PF_NETNS_PATH_MAX];
	char mac[MAC_STR_MAX];
	char eswitch[12];		/* devlink's eswitch mode: "legacy", "switchdev"; "" */
	bool vf_stats_asked;		/* its IFLA_VF_STATS were read for this snapshot */
	struct mx_link link;		/* its netdev's (known false without one) */
};

/* A record whose sandbox netns no longer exists: DEL never ran. */
struct mx_stale {
	char vf[PCI_BDF_LEN], pf[PCI_BDF_LEN];
	char pod_ns[256], pod[256], pod_uid[128], ifname[IF_NAMESIZE], network[256];
	char netns[PF_NETNS_PATH_MAX];
	char file[256];
};

/* A runtime root, as the index saw it. */
struct mx_runtime {
	char path[256];
	enum pods_root_state state;
	unsigned entries;
	unsigned long long reads, skipped[PODS_SKIP_N], unavailable;
};

struct mx_agent {
	unsigned long long start_ns, now_ns;	/* CLOCK_MONOTONIC */
	double start_unix;			/* when pflinkd started, unix seconds */
	unsigned netns, ns_skipped, ns_denied, ns_userns, ns_over_budget;
	/* The first netns over the link budget: label, links last counted. */
	struct mx_over {
		char netns[PF_NETNS_PATH_MAX];
		unsigned links;
	} over[16];
	unsigned n_over;
	unsigned devices, pfs, vfs, representors, attachments;
	unsigned long long scans, events, deferred, overflows, probes, record_loads, refused;
	int event_buffer;
	struct mx_hist dump, discovery, answer[MX_OPS];
	/* The collection that made this snapshot: its serving-loop time, and
	 * its longest slice (what it can add to a lookup's wait). */
	unsigned long long collect_ns, slice_max_ns;
	unsigned slices;
	unsigned long long collections;
	/* The runtimes' bundle index, and the device walk of the fallback. */
	struct mx_runtime runtime[POD_RT_N];
	struct pods_stats pods;
	unsigned fd_holders;
};

struct mx_snap {
	struct mx_pf *pfs;
	unsigned n_pfs;
	struct mx_vf *vfs;		/* by PF, then by index */
	unsigned n_vfs;
	struct mx_stale *stale;
	unsigned n_stale;
	struct pod_holder *holders;	/* every VF's, in VF order */
	unsigned n_holders;
	bool counters;			/* counters were read (the "leaks" op reads none) */
	struct mx_agent agent;
};

void mx_snap_free(struct mx_snap *s);

/* The holders of v (a VF of s), *n of them. */
const struct pod_holder *mx_vf_holders(const struct mx_snap *s, const struct mx_vf *v, unsigned *n);

#endif

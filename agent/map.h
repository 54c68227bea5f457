/* SPDX-License-Identifier: MIT */
/* pflinkd's map: the structures map.c, answers.c and server.c share. */
#ifndef PFLINK_AGENT_MAP_H
#define PFLINK_AGENT_MAP_H

#include "agent.h"
#include "pflink/resolve.h"
#include "pflink/classify.h"
#include "pflink/record.h"
#include "discover.h"
#include "snapshot.h"
#include "pods/cgroup.h"
#include "pods/holder.h"
#include "pods/index.h"
#include "sysfs_cache.h"

struct nl_handle;
struct nl_vf;

/* A link that is a PCI function's netdev, or a switchdev representor
 * (whose bus address, when it has one, is its PF's: classify.h). */
struct ag_dev {
	int ifindex;
	char name[IF_NAMESIZE];
	char mac[MAC_STR_MAX];
	char bdf[PCI_BDF_LEN];		/* "" for a representor without one */
	char port[NL_PORTNAME_MAX];
	char swid[2 * NL_SWITCHID_MAX + 1];
	enum port_kind kind;		/* classify_port(port) */
	bool is_pf, is_vf;		/* the function's own netdev, of a PF / a VF */
	struct nl_vf *vfc;		/* a PF's IFLA_VFINFO_LIST, as last dumped */
	unsigned n_vfc;
	struct mx_link link;		/* a PF's link (pfhealth.h), from its messages */
};

struct ag_ns {
	struct agent *a;
	struct netns_id id;
	char label[PF_NETNS_PATH_MAX];	/* "host", a bind-mount path, "pid:N" */
	bool bind, host;
	struct nl_handle *ev;		/* RTNLGRP_LINK events */
	struct nl_handle *req;		/* dumps and gets */
	int ethfd;			/* AF_INET for ethtool, in this netns */
	struct ag_dev *devs;
	unsigned n_devs, cap_devs;
	/* Links known not to be PCI functions (veth, bridge, lo...), sorted:
	 * a link's bus never changes, so their events cost no ethtool call. */
	int *nonpci;
	unsigned n_nonpci, cap_nonpci;
	unsigned long long gen;		/* discovery generation last seen in */
	/* Links the last dump counted.  Over the agent's link budget the
	 * netns is marked, keeps only links with a parent device, and is
	 * dumped again in the background, at most every next_dump_ns. */
	unsigned links;
	bool over_budget;
	bool dump_due;			/* a background dump waits for next_dump_ns */
	unsigned long long next_dump_ns;
	struct ag_dump *dump;		/* a dump in progress; its events wait */
	/* The cgroup of a process in it (the fallback when no runtime names
	 * its pod): the first process a discovery met in it, read when that
	 * changes. */
	int walk_pid, cg_pid;
	unsigned long long pid_gen;	/* the discovery walk_pid is from */
	bool has_cg;
	struct pod_cgroup cg;
};

/* Netns over budget that health and /metrics name (the count is whole). */
#define AG_OVER_LISTED 16

/* Its request socket is in the middle of a dump: no get may use it. */
static inline bool ag_ns_busy(const struct ag_ns *ns)
{
	return ns->dump != NULL;
}

/* One netdev of a PCI function, in the by-BDF index. */
struct ag_ref {
	const struct ag_ns *ns;
	const struct ag_dev *dev;
	unsigned nsi, devi;	/* positions, to keep the map's order per BDF */
};

struct agent {
	struct agent_opts o;
	int sysfd;
	struct sfc *sfc;		/* what sysfs said of PFs (sysfs_cache.h) */
	int nsep;			/* epoll over every netns' event socket */
	struct netns_id host;
	struct netns_id init_userns;	/* the host's user namespace */
	bool have_init_userns;
	struct ag_ns **ns;
	unsigned n_ns, cap_ns;
	/* (dev, ino) -> ns[], open addressing, rebuilt when ns[] changed:
	 * discovery looks up every netns it finds on every mount change. */
	struct ag_ns **ns_idx;
	unsigned ns_idx_cap;
	bool ns_idx_stale;
	unsigned long long gen;
	struct ag_att *att;		/* pflink's records (records.c) */
	unsigned n_att, cap_att;
	char (*pending)[256];		/* record files changed, not read yet */
	unsigned n_pending, cap_pending;
	unsigned long long record_loads;	/* record files read since start */
	unsigned long long start_ns;
	struct {
		unsigned long long scans, events, last_scan_ns;
		unsigned long long deferred;	/* drains cut at the event budget */
		unsigned long long overflows;	/* ENOBUFS: events lost, netns dumped again */
		unsigned long long probes;	/* ethtool calls made for links */
		unsigned long long speed_probes;	/* ethtool speed asked: a PF's link changed */
		unsigned ns_skipped, ns_denied, ns_userns;
		int skip_err;
	} stats;
	unsigned n_dumping, n_due;	/* netns with a dump in progress, waiting */
	unsigned dump_rr;		/* round robin among them */
	bool parents_named;		/* some link carried IFLA_PARENT_DEV_*: 5.16+ */
	/* Every change that adds, drops or moves a netns or a device bumps
	 * map_gen; the by-BDF index (ag_ref pointers into the map) is rebuilt
	 * on the next request when it is older. */
	unsigned long long map_gen, idx_gen;
	int ev_rcvbuf;			/* the smallest event socket buffer the kernel gave */
	struct ag_ref *idx;
	unsigned n_idx, cap_idx;
	/* devlink's table (devlink/reps.h), kept by the serving loop; NULL
	 * without devlink: representors from port names only. */
	struct ag_devlink *dl;
	/* Who holds what, from the node: the runtimes' bundles (pods/), and
	 * where no runtime root can be read, the processes holding a vfio
	 * device open, by their cgroup (the last walk's). */
	struct pods_index *pods;
	struct discover_mounts *mounts;	/* our mounts as the last discovery found them */
	struct disc_run *disc;		/* a discovery whose batch is running (map.c) */
	int disc_efd;			/* its worker's "one more done" eventfd, -1 none */
	bool disc_again;		/* a discovery was asked for meanwhile */
	bool disc_settle;		/* a pod's netns named by `pf` is in it, */
	unsigned disc_settle_upto;	/* ... job this one (the last such) */
	struct track_run **tracks;	/* pods' netns being entered (map.c) */
	unsigned n_tracks;
	struct ag_fdh {
		char bdf[PCI_BDF_LEN];
		struct pod_cgroup cg;
	} *fdh;
	unsigned n_fdh;
	unsigned long long fdscan_at;	/* when the last walk was, CLOCK_MONOTONIC */
	unsigned fdscan_procs;		/* processes it looked at */
	unsigned long long fdscan_ns;	/* what it took */
	/* The last pod seen holding each VF (records.c: ag_last_note). */
	struct ag_last *last;
	unsigned n_last, cap_last;
	/* Latency histograms for /metrics: one netns' dump, a discovery, an
	 * answer by op (server.c). */
	struct {
		struct mx_hist dump, discovery, answer[MX_OPS];
	} hist;
};

__attribute__((format(printf, 3, 4)))
void ag_log(const struct agent *a, enum pf_log_level lvl, const char *fmt, ...);
int ag_ns_events(struct agent *a, struct ag_ns *ns);

/* ---- pflink's records (records.c): which pod holds which VF ---------- */

/* One record, and the file it was read from. */
struct ag_att {
	struct pf_record rec;
	char file[256];
};

/* Read every record of the state dir again (start, an inotify overflow):
 * into a new list, swapped in only when the read went through. */
int ag_load_attachments(struct agent *a);
/* A record file changed (inotify named it): read it at the next flush. */
void ag_record_changed(struct agent *a, const char *name);
/* Read the files named since the last flush, one by one; answers flush
 * first, so what pflink wrote before a request is in its answer. */
void ag_records_flush(struct agent *a);
bool ag_records_pending(const struct agent *a);
void ag_records_free(struct agent *a);

/* The file names of a buffer of struct inotify_event as read(2) gave it
 * (pure, fuzzed): cb(name) for each named event, overflow set on
 * IN_Q_OVERFLOW.  -EINVAL when an event runs past len. */
int ag_inotify_names(const void *buf, size_t len, void (*cb)(const char *name, void *arg), void *arg,
		     bool *overflow);
/* Bring the by-BDF index up to date; -ENOMEM leaves it empty. */
int ag_index(struct agent *a);
/* The index entries of bdf: *first and the count (0 if none). */
unsigned ag_index_find(const struct agent *a, const char *bdf, unsigned *first);
/* The first netdev of a PCI function (the host's first, as tracked netns
 * start with the host), or NULL; *ns_out its netns.  Representors carry
 * their PF's address and are never one of its netdevs (classify.h). */
const struct ag_dev *ag_first_dev(const struct agent *a, const char *bdf, const struct ag_ns **ns_out);
/* A PF of the node's SR-IOV map: sriov_totalvfs, and a network controller
 * or a function with a netdev (not an NVMe drive or a GPU). */
bool ag_pf_shown(const struct agent *a, const char *bdf);
/* The PF's IFLA_VFINFO_LIST entry of VF idx, or NULL. */
const struct nl_vf *ag_vf_config(const struct ag_dev *pfdev, int idx);
/* A list of PCI functions (a PF's VFs with their index, or PFs). */
struct ag_fn {
	int idx;
	char bdf[PCI_BDF_LEN];
};
struct ag_fn_list {
	struct ag_fn *v;
	size_t n, cap;
};
/* A pci_vf_cb: appends (idx, bdf) to the ag_fn_list arg; -ENOMEM. */
int ag_fn_list_add(int idx, const char *bdf, void *arg);
/* readdir order is arbitrary: by index (VFs) or by address (PFs). */
void ag_fn_list_sort(struct ag_fn_list *l, bool by_index);

/* The last pod pflinkd saw hold a VF, kept in memory after the pod let
 * go (a DEL removes the record that named it), so a VF left dirty can
 * name who left it.  Noted when a record is dropped and whenever a
 * snapshot finds the VF held; lost when pflinkd restarts. */
struct ag_last {
	char vf[PCI_BDF_LEN];
	char pod_ns[256], pod[256];
};
#define AG_LAST_MAX 65536
void ag_last_note(struct agent *a, const char *vf, const char *pod_ns, const char *pod);
const struct ag_last *ag_last_of(const struct agent *a, const char *vf);

/* The record of the pod that holds vf (the newest), or NULL. */
const struct pf_record *ag_attachment_of(const struct agent *a, const char *vf);

/* A netns path pflink gave (CNI_NETNS, in a record or a request) as this
 * process must open it: pflink runs in the host's PID namespace, pflinkd
 * (no hostPID) in its own, so /proc/PID/... names a host PID and is read
 * under --proc.  Other paths as they are; NULL when too long for buf. */
const char *ag_host_path(const struct agent *a, const char *path, char *buf, size_t len);
/* The netns a record names is gone (its path no longer exists). */
bool ag_netns_gone(const struct agent *a, const char *path);
/* ---- who holds a VF (holders.c) ------------------------------------- */

/* The holders of VF vf, up to max into out (their number): rec when live
 * (the VF's newest record, ag_attachment_of), every other live record of
 * the VF, then for each netns its netdevs are in the runtime's sandbox (else the
 * cgroup of a process in it), for its device node the runtime's
 * containers given it (else the processes holding it open, by cgroup).
 * The by-BDF index must be current (ag_index). */
unsigned ag_holders(const struct agent *a, const char *vf, const struct pf_record *rec, struct pod_holder *out,
		    unsigned max);
/* Fill a holder from a record, a runtime entry, a cgroup. */
void ag_holder_of_record(struct pod_holder *h, const struct pf_record *rec);
void ag_holder_of_entry(struct pod_holder *h, const struct pods_entry *e, enum pod_via via);
void ag_holder_of_cgroup(struct pod_holder *h, const struct pod_cgroup *cg, enum pod_via via);
/* The cgroup fallback for devices: who holds a vfio device open (a walk
 * of /proc/PID/fd), when no runtime root is readable. */
void ag_fd_holders_scan(struct agent *a);

#endif

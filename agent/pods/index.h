/* SPDX-License-Identifier: MIT */
/*
 * The runtimes' running bundles, indexed: which pod's sandbox holds which
 * network namespace (by (st_dev, st_ino), never by path: containerd writes
 * /var/run/netns/cni-..., the agent sees /run/netns/cni-...), and which
 * container was given the device node of which PCI function (vfio group
 * /dev/vfio/<N>, vfio cdev /dev/vfio/devices/vfioN, uverbs: by major:minor,
 * through /sys/dev/char).
 *
 * Built once at start (a readdir of each root, each bundle's config.json
 * read once), then changed per inotify event: a bundle directory made or
 * removed under a root, its config.json written.  Nothing is polled; a
 * lookup reads no bundle.  Only what is looked up is kept: sandboxes with
 * a netns, and containers whose devices are PCI functions; a bounded entry
 * each.
 *
 * Untrusted input: a bundle's name must be a valid container ID before it
 * becomes a path; bundle directories and config.json are opened
 * O_NOFOLLOW (a symlink is refused); config.json is read up to
 * POD_BUNDLE_MAX.  Refused and malformed bundles are counted by reason.
 * A root that is absent or unreadable is a state, never a failure: it is
 * looked at again on every pods_index_recheck().
 */
#ifndef PFLINK_AGENT_PODS_INDEX_H
#define PFLINK_AGENT_PODS_INDEX_H

#include "bundle.h"
#include "pflink/netns.h"
#include "pflink/pci.h"

#include <stdbool.h>

/* containerd's CRI (runtime v2) and CRI-O's (containers/storage) run dirs. */
#define PODS_CONTAINERD_ROOT "/run/containerd/io.containerd.runtime.v2.task/k8s.io"
#define PODS_CRIO_ROOT "/run/containers/storage/overlay-containers"

struct pods_opts {
	const char *root[POD_RT_N];	/* NULL or "": that runtime is not read */
	const char *proc;		/* the host's /proc (netns paths under /proc, init's root) */
	int sysfd;			/* the sysfs root (pci.h), not owned */
};

struct pods_entry {
	enum pod_runtime rt;
	enum pod_kind kind;
	char id[POD_ID_MAX];
	char ns[POD_NS_MAX], name[POD_NAME_MAX], uid[POD_UID_MAX];
	char sandbox_id[POD_ID_MAX];
	char container[POD_CTR_MAX];
	/* A sandbox's network namespace, once its path resolved. */
	bool has_netns;
	struct netns_id netns;
	/* A container's devices, as the PCI functions they stand for. */
	char (*fns)[PCI_BDF_LEN];
	unsigned n_fns;
	/* The index's own. */
	char *netns_path;		/* a sandbox's, until it resolves */
	int wd[2];			/* watches while config.json is awaited */
	unsigned state, waits;
	bool queued, final, seen;
};

enum pods_root_state { PODS_ROOT_OFF, PODS_ROOT_OK, PODS_ROOT_ABSENT, PODS_ROOT_UNREADABLE };

enum pods_skip {
	PODS_SKIP_MALFORMED,	/* not JSON, wrong types, values beyond bounds, not a regular file */
	PODS_SKIP_TOO_BIG,	/* config.json over POD_BUNDLE_MAX */
	PODS_SKIP_BAD_ID,	/* a bundle name that is no container ID */
	PODS_SKIP_SYMLINK,	/* a bundle directory or config.json that is a symlink */
	PODS_SKIP_N
};

struct pods_root_info {
	const char *path;
	enum pods_root_state state;
	int err;			/* why it is absent or unreadable (errno) */
	unsigned entries;		/* sandboxes and device-holding containers indexed */
	unsigned long long reads;	/* config.json read */
	unsigned long long skipped[PODS_SKIP_N];
	unsigned long long unavailable;	/* times it was found absent or unreadable */
};

struct pods_stats {
	unsigned long long build_ns;	/* the start-up index, every root */
	unsigned build_bundles;		/* bundles it read */
	unsigned long long events;	/* inotify events handled */
	unsigned long long bundle_ns, bundle_max_ns;	/* one bundle's read, parse and joins, CPU time: sum, max */
	unsigned long long bundles;	/* bundles read after start-up */
	unsigned long long slice_max_ns;	/* the longest pods_index_events() or pods_index_work(), wall time */
	unsigned long long overflows;	/* inotify queue overflows: roots read again */
};

struct pods_index;

/* The index of every root in o, built now.  Fails only for want of memory
 * or of an inotify instance; an absent or unreadable root is its state. */
int pods_index_new(const struct pods_opts *o, struct pods_index **out);
void pods_index_free(struct pods_index *x);

/* The inotify descriptor to poll (readable: call pods_index_events). */
int pods_index_fd(const struct pods_index *x);
/* Read what inotify has (one read's worth: call again while the
 * descriptor is readable); bundles to read are queued, removals done now. */
void pods_index_events(struct pods_index *x);
/* Bundles queued for reading. */
bool pods_index_busy(const struct pods_index *x);
/* Read queued bundles until none is left or budget_ns has passed (one at
 * least: 0 reads one). */
void pods_index_work(struct pods_index *x, unsigned long long budget_ns);
/* Roots absent or unreadable: look again; sandboxes whose netns did not
 * resolve yet: try again.  Returns true when a root's state changed. */
bool pods_index_recheck(struct pods_index *x);

/* The sandbox whose network namespace is id, or NULL. */
const struct pods_entry *pods_index_by_netns(struct pods_index *x, const struct netns_id *id);
/* Containers given a device of PCI function bdf: up to max into out,
 * returns how many there are. */
unsigned pods_index_by_function(struct pods_index *x, const char *bdf, const struct pods_entry **out,
				unsigned max);
/* Every entry (sandboxes and device-holding containers), in no order. */
const struct pods_entry *const *pods_index_entries(const struct pods_index *x, unsigned *n);

void pods_index_root(const struct pods_index *x, enum pod_runtime rt, struct pods_root_info *out);
void pods_index_stats(const struct pods_index *x, struct pods_stats *out);
/* Is any root readable now? */
bool pods_index_any_root(const struct pods_index *x);

/* "ok", "absent", "unreadable", "off"; "malformed", "too_big", "bad_id", "symlink". */
const char *pods_root_state_name(enum pods_root_state s);
const char *pods_skip_name(enum pods_skip k);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * What sysfs says of a PF and its VFs, kept between lookups and dropped
 * when sysfs changes (docs/design-notes.md, the sysfs cache).  The change
 * signal is the kernel's: PCI uevents on the real /sys, inotify watches on
 * the PF's and its VFs' directories on a tree given with --sysfs that is
 * not sysfs (the test fixtures).  This module is the one place pflinkd
 * opens a NETLINK_KOBJECT_UEVENT socket.
 */
#ifndef PFLINK_AGENT_SYSFS_CACHE_H
#define PFLINK_AGENT_SYSFS_CACHE_H

#include "pflink/pci.h"

#include <stdbool.h>

struct sfc;

struct sfc_vf {
	int idx;
	char bdf[PCI_BDF_LEN];
	char drv[64];		/* "" when none is bound */
};

enum sfc_signal { SFC_NONE, SFC_UEVENT, SFC_INOTIFY };

struct sfc_stats {
	enum sfc_signal signal;
	unsigned pfs;			/* PFs held now */
	unsigned long long hits, misses;
	unsigned long long drops;	/* the cache emptied: sysfs changed */
	unsigned long long overflows;	/* events lost (ENOBUFS, IN_Q_OVERFLOW): emptied too */
	unsigned long long stale;	/* a hit whose sriov_numvfs had moved: read again */
};

/* A cache over the sysfs root sysfd (not taken).  Without a change signal
 * (no uevent socket, no inotify) it caches nothing: every lookup reads
 * sysfs, as before.  -ENOMEM only. */
int sfc_open(int sysfd, struct sfc **out);
void sfc_free(struct sfc *c);

/* The signal's descriptor (for the serving loop's poll set), -1 if none. */
int sfc_fd(const struct sfc *c);

/* Read every pending change signal without blocking; any that concerns
 * a PCI function (or lost events) empties the cache.  Called before each
 * request is served: a sysfs write that completed before the request was
 * sent has sent its uevent (or inotify event) by then. */
void sfc_sync(struct sfc *c);

/* pci_describe_pf() of pf, and its VFs with their drivers sorted by index
 * (pci_foreach_vf_driver), from the cache or read now.  The pointers hold
 * until the next sfc_* call.  The errors are pci_describe_pf's. */
int sfc_pf(struct sfc *c, const char *pf, const struct pci_fn **fn, const struct sfc_vf **vfs, unsigned *n);

void sfc_get_stats(const struct sfc *c, struct sfc_stats *s);
const char *sfc_signal_name(enum sfc_signal s);

#endif

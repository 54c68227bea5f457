/* SPDX-License-Identifier: MIT */
/*
 * The mounts of our mount namespace by ID: listmount(2) and statmount(2)
 * (Linux 6.8), the one place the agent makes these two calls.  Their IDs
 * are unique for the boot and increase, so a change to the mount table is
 * found by listing IDs (no text rendered) and stat-ing the new ones only,
 * where /proc/self/mountinfo renders every mount, a thousand nsfs lines on
 * a full node, each time (docs/design-notes.md §32).
 */
#ifndef PFLINK_AGENT_MOUNTS_H
#define PFLINK_AGENT_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fixed part of struct statmount (uapi linux/mount.h, 6.8): strings
 * follow it, at offsets given from its end. */
#define MOUNTS_STATMOUNT_HDR 512

/* Every mount ID of our mount namespace, ascending, into *ids (grown with
 * realloc; *cap its size).  -ENOSYS (or -EINVAL/-EPERM: an older kernel, a
 * seccomp filter) means: use mountinfo. */
int mounts_list(uint64_t **ids, size_t *n, size_t *cap);

/* statmount of one mount: its superblock and mount point, into buf.
 * -ENOENT: the mount went away since it was listed. */
int mounts_stat(uint64_t id, void *buf, size_t len);

/* A statmount answer taken apart: the mount point (NUL-terminated, fits
 * in len) and whether the filesystem is nsfs.  Pure; -EINVAL on anything
 * malformed (short, sizes or offsets out of the buffer, no NUL). */
int mounts_parse_statmount(const void *buf, size_t blen, char *mountpoint, size_t len, bool *nsfs);

#endif

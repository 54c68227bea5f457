/* SPDX-License-Identifier: MIT */
/*
 * The events of an inotify read, one by one (pure; fuzzed through
 * test/fuzz/fuzz_inotify.c).  The runtime index and pflink's records both
 * read them.
 */
#ifndef PFLINK_AGENT_PODS_INOTIFY_H
#define PFLINK_AGENT_PODS_INOTIFY_H

#include <stddef.h>
#include <stdint.h>

/* cb(wd, mask, name) for each struct inotify_event of buf as read(2) gave
 * it; name is "" for an event without one (and for a name that fills its
 * whole padded length: not something the kernel sends).  The buffer need
 * not be aligned.  -EINVAL when an event runs past len (the events before
 * it were handed over). */
int pods_inotify_each(const void *buf, size_t len, void (*cb)(int wd, uint32_t mask, const char *name, void *arg),
		      void *arg);

#endif

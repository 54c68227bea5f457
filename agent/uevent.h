/* SPDX-License-Identifier: MIT */
#ifndef PFLINK_AGENT_UEVENT_H
#define PFLINK_AGENT_UEVENT_H

#include <stdbool.h>
#include <stddef.h>

/* One kernel uevent as NETLINK_KOBJECT_UEVENT delivers it (group 1, the
 * kernel's own): "ACTION@DEVPATH\0" then "KEY=VALUE\0" pairs.  Only what
 * pflinkd's sysfs cache asks of it is kept; longer values are cut. */
struct uevent {
	char action[16];	/* add, remove, bind, unbind, change, move, ... */
	char subsystem[32];	/* SUBSYSTEM=, "" when absent */
	char devpath[256];	/* the header's DEVPATH */
};

/* 0 and *out filled, or -EINVAL: no "ACTION@DEVPATH" header, a field not
 * NUL-terminated, or a udev daemon's message ("libudev" magic), which
 * the kernel's group never carries. */
int uevent_parse(const void *buf, size_t len, struct uevent *out);

/* A uevent that may change what sysfs says of a PCI function: any of the
 * pci subsystem's (add, remove, bind, unbind, change, move). */
bool uevent_is_pci(const struct uevent *ev);

#endif

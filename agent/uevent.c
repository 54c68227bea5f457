/* SPDX-License-Identifier: MIT */
/*
 * The kernel's uevent message, parsed from a buffer (no I/O here: the
 * socket is agent/sysfs_cache.c's; test/fuzz/fuzz_uevent.c fuzzes this).
 */
#include "uevent.h"

#include <errno.h>
#include <string.h>

static void copy_cut(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int uevent_parse(const void *buf, size_t len, struct uevent *out)
{
	const char *p = buf, *end = p + len, *nul, *at;
	struct uevent ev = { .action = "" };

	/* A udev daemon's re-broadcast (group 2) starts with "libudev\0"
	 * and a binary header; the kernel's never does. */
	if (!len || (len >= 8 && !memcmp(p, "libudev", 8)))
		return -EINVAL;
	nul = memchr(p, '\0', len);
	if (!nul)
		return -EINVAL;
	at = memchr(p, '@', (size_t)(nul - p));
	if (!at || at == p || at + 1 == nul)
		return -EINVAL;
	copy_cut(ev.action, sizeof(ev.action), p, (size_t)(at - p));
	copy_cut(ev.devpath, sizeof(ev.devpath), at + 1, (size_t)(nul - at - 1));
	for (p = nul + 1; p < end; p = nul + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return -EINVAL;
		if (!strncmp(p, "SUBSYSTEM=", 10))
			copy_cut(ev.subsystem, sizeof(ev.subsystem), p + 10, (size_t)(nul - p - 10));
	}
	*out = ev;
	return 0;
}

bool uevent_is_pci(const struct uevent *ev)
{
	return !strcmp(ev->subsystem, "pci");
}

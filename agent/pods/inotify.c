/* SPDX-License-Identifier: MIT */
#include "inotify.h"

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>

int pods_inotify_each(const void *buf, size_t len, void (*cb)(int wd, uint32_t mask, const char *name, void *arg),
		      void *arg)
{
	const char *p = buf, *end = p + len;

	while (p < end) {
		struct inotify_event ev;
		char name[256] = "";

		if ((size_t)(end - p) < sizeof(ev))
			return -EINVAL;
		memcpy(&ev, p, sizeof(ev));	/* the buffer need not be aligned */
		if (ev.len > (size_t)(end - p) - sizeof(ev))
			return -EINVAL;
		/* The name is NUL-padded to ev.len. */
		if (ev.len && memchr(p + sizeof(ev), '\0', ev.len) && ev.len <= sizeof(name))
			memcpy(name, p + sizeof(ev), ev.len);
		cb(ev.wd, ev.mask, name, arg);
		p += sizeof(ev) + ev.len;
	}
	return 0;
}

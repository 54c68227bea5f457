/* SPDX-License-Identifier: MIT */
/*
 * uevent_parse (agent/uevent.c) on arbitrary bytes as one
 * NETLINK_KOBJECT_UEVENT datagram.
 *
 * Properties: only 0 or -EINVAL; on 0 every field is terminated, the
 * action non-empty and the header's, uevent_is_pci exactly when the last
 * SUBSYSTEM= field (cut to the field's size) is "pci"; -EINVAL for any
 * input with a field not NUL-terminated; nothing is read past size (the
 * guarded copy faults).
 */
#include "fuzz.h"

#include "uevent.h"

#include <errno.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = fuzz_guarded(data, size);
	struct uevent ev;
	int r = uevent_parse(buf, size, &ev);
	const char *p, *sub = NULL;

	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r < 0)
		return 0;
	FUZZ_CHECK(FUZZ_TERMINATED(ev.action) && FUZZ_TERMINATED(ev.subsystem) && FUZZ_TERMINATED(ev.devpath));
	FUZZ_CHECK(ev.action[0] != '\0' && ev.action[0] != '@');
	FUZZ_CHECK(!strncmp(buf, ev.action, strlen(ev.action)));
	/* Every field terminated: the last byte is a NUL. */
	FUZZ_CHECK(size > 0 && buf[size - 1] == '\0');
	for (p = buf + strlen(buf) + 1; p < buf + size; p += strlen(p) + 1)
		if (!strncmp(p, "SUBSYSTEM=", 10))
			sub = p + 10;
	FUZZ_CHECK(uevent_is_pci(&ev) == (sub && !strcmp(sub, "pci")));
	return 0;
}

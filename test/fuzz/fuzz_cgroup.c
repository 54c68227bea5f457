/* SPDX-License-Identifier: MIT */
/*
 * pod_cgroup_parse (agent/pods/cgroup.c) on arbitrary bytes, as
 * /proc/PID/cgroup's text, and each line's path alone (pod_cgroup_path).
 *
 * Properties: only 0 or -ENOENT; on success the UID is 8..63 bytes of hex
 * digits and dashes, and the container ID is empty or a valid container
 * ID; a whole file finds a pod when one of its lines' paths does (the
 * first such line's, with the same answer); nothing is read past size.
 */
#include "fuzz.h"

#include "pods/cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static void check_cg(const struct pod_cgroup *cg)
{
	size_t i, n;

	FUZZ_CHECK(FUZZ_TERMINATED(cg->uid) && FUZZ_TERMINATED(cg->container_id));
	n = strlen(cg->uid);
	FUZZ_CHECK(n >= 8 && n < POD_UID_MAX);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(strchr("0123456789abcdefABCDEF-", cg->uid[i]) != NULL);
	FUZZ_CHECK(!cg->container_id[0] || pod_id_valid(cg->container_id));
	FUZZ_CHECK(cg->qos <= POD_QOS_BESTEFFORT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = fuzz_guarded(data, size), *p = buf, *end = buf + size;
	struct pod_cgroup all, one;
	int r = pod_cgroup_parse(buf, size, &all);
	bool first = true;

	FUZZ_CHECK(r == 0 || r == -ENOENT);
	if (r == 0)
		check_cg(&all);
	/* The same file, line by line. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;

		if (c2) {
			int q = pod_cgroup_path(c2 + 1, (size_t)(le - c2 - 1), &one);

			FUZZ_CHECK(q == 0 || q == -ENOENT);
			if (q == 0) {
				check_cg(&one);
				FUZZ_CHECK(r == 0);
				if (first)
					FUZZ_CHECK(!memcmp(&one, &all, sizeof(one)));
				first = false;
			}
		}
		p = nl ? nl + 1 : end;
	}
	FUZZ_CHECK(r != 0 || !first);
	return 0;
}

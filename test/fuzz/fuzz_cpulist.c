/* SPDX-License-Identifier: MIT */
/*
 * lib/numa.c's parsers: numa_cpulist_parse on the input (a sysfs cpulist,
 * cpuset.cpus.effective) and numa_status_cpus on it as /proc/PID/status.
 *
 *  - only 0 or -EINVAL (cpulist), 0, -EINVAL or -ENOENT (status);
 *  - a parsed list printed back (numa_cpulist_fmt) parses to the same set,
 *    and has a CPU;
 *  - a parsed list's node mask against a two-node table is within 0..3,
 *    and non-zero exactly when the list has a CPU of either node;
 *  - the status answer is the cpulist answer of its Cpus_allowed_list
 *    line when that line ends in a newline.
 */
#include "fuzz.h"

#include "pflink/numa.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool meets(const struct numa_cpus *a, const struct numa_cpus *b)
{
	size_t i;

	for (i = 0; i < sizeof(a->w) / sizeof(a->w[0]); i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = fuzz_guarded(data, size);
	static struct numa_cpus c, back;
	static struct numa_node nodes[2];
	static char txt[5 * NUMA_CPUS_MAX + 1];
	int r = numa_cpulist_parse(buf, size, &c), rs;
	uint64_t m;

	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r == 0) {
		FUZZ_CHECK(numa_cpus_any(&c));
		numa_cpulist_fmt(&c, txt, sizeof(txt));
		FUZZ_CHECK(numa_cpulist_parse(txt, strlen(txt), &back) == 0);
		FUZZ_CHECK(!memcmp(&c, &back, sizeof(c)));
		memset(nodes, 0, sizeof(nodes));
		nodes[0].node = 0;
		nodes[0].cpus.w[0] = 0xffull;
		nodes[1].node = 1;
		nodes[1].cpus.w[1] = 1;
		m = numa_nodes_of(&c, nodes, 2);
		FUZZ_CHECK(m <= 3);
		FUZZ_CHECK((m != 0) == (meets(&c, &nodes[0].cpus) || meets(&c, &nodes[1].cpus)));
	}
	rs = numa_status_cpus(buf, size, &back);
	FUZZ_CHECK(rs == 0 || rs == -EINVAL || rs == -ENOENT);
	{
		const char *k = size >= 18 ? memmem(buf, size, "Cpus_allowed_list:", 18) : NULL;

		/* The first line that starts with the key decides. */
		if (k == buf && memchr(buf, '\n', size)) {
			const char *p = buf + 18, *nl = memchr(buf, '\n', size);
			struct numa_cpus one;

			while (p < nl && (*p == ' ' || *p == '\t'))
				p++;
			FUZZ_CHECK(rs == numa_cpulist_parse(p, (size_t)(nl - p), &one));
			FUZZ_CHECK(rs != 0 || !memcmp(&one, &back, sizeof(one)));
		}
	}
	return 0;
}

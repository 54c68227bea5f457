/* SPDX-License-Identifier: MIT */
#include "pflink/numa.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void set_range(struct numa_cpus *c, unsigned long a, unsigned long b)
{
	unsigned long i;

	for (i = a; i <= b && i < NUMA_CPUS_MAX; i++)
		c->w[i / 64] |= 1ull << (i % 64);
}

bool numa_cpus_any(const struct numa_cpus *c)
{
	size_t i;

	for (i = 0; i < sizeof(c->w) / sizeof(c->w[0]); i++)
		if (c->w[i])
			return true;
	return false;
}

/* A decimal number at *p (no sign, at most 9 digits: CPU numbers). */
static int number(const char **p, const char *end, unsigned long *out)
{
	unsigned long v = 0;
	unsigned digits = 0;

	while (*p < end && **p >= '0' && **p <= '9' && digits < 10) {
		v = v * 10 + (unsigned long)(**p - '0');
		(*p)++;
		digits++;
	}
	if (!digits || digits > 9)
		return -EINVAL;
	*out = v;
	return 0;
}

int numa_cpulist_parse(const char *buf, size_t len, struct numa_cpus *out)
{
	const char *p = buf, *end = buf + len;
	struct numa_cpus c;

	memset(&c, 0, sizeof(c));
	/* One trailing newline (and the NUL a reader may count) ends it. */
	while (end > p && (end[-1] == '\n' || end[-1] == '\0'))
		end--;
	if (p == end)
		return -EINVAL;
	for (;;) {
		unsigned long a, b;

		if (number(&p, end, &a) < 0)
			return -EINVAL;
		b = a;
		if (p < end && *p == '-') {
			p++;
			if (number(&p, end, &b) < 0 || b < a)
				return -EINVAL;
		}
		set_range(&c, a, b);
		if (p == end)
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	if (!numa_cpus_any(&c))
		return -EINVAL;
	*out = c;
	return 0;
}

int numa_status_cpus(const char *buf, size_t len, struct numa_cpus *out)
{
	static const char key[] = "Cpus_allowed_list:";
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if ((size_t)(eol - p) >= sizeof(key) - 1 && !memcmp(p, key, sizeof(key) - 1)) {
			p += sizeof(key) - 1;
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			/* A line without its newline was cut short. */
			return nl ? numa_cpulist_parse(p, (size_t)(eol - p), out) : -ENOENT;
		}
		p = nl ? nl + 1 : end;
	}
	return -ENOENT;
}

uint64_t numa_nodes_of(const struct numa_cpus *cpus, const struct numa_node *nodes, unsigned n)
{
	uint64_t mask = 0;
	unsigned i;
	size_t k;

	for (i = 0; i < n; i++) {
		if (nodes[i].node < 0 || nodes[i].node >= NUMA_NODES_MAX)
			continue;
		for (k = 0; k < sizeof(cpus->w) / sizeof(cpus->w[0]); k++)
			if (cpus->w[k] & nodes[i].cpus.w[k]) {
				mask |= 1ull << nodes[i].node;
				break;
			}
	}
	return mask;
}

static bool has(const struct numa_cpus *c, unsigned i)
{
	return i < NUMA_CPUS_MAX && (c->w[i / 64] >> (i % 64)) & 1;
}

void numa_cpulist_fmt(const struct numa_cpus *cpus, char *out, size_t len)
{
	size_t off = 0;
	unsigned i = 0;

	if (!len)
		return;
	out[0] = '\0';
	while (i < NUMA_CPUS_MAX) {
		unsigned a, b;
		char one[32];
		int n;

		if (!has(cpus, i)) {
			i++;
			continue;
		}
		for (a = b = i; b + 1 < NUMA_CPUS_MAX && has(cpus, b + 1); b++)
			;
		n = a == b ? snprintf(one, sizeof(one), "%s%u", off ? "," : "", a)
			   : snprintf(one, sizeof(one), "%s%u-%u", off ? "," : "", a, b);
		if (n < 0 || off + (size_t)n >= len)
			return;
		memcpy(out + off, one, (size_t)n + 1);
		off += (size_t)n;
		i = b + 1;
	}
}

void numa_mask_fmt(uint64_t mask, char *out, size_t len)
{
	size_t off = 0;
	unsigned i;

	if (!len)
		return;
	out[0] = '\0';
	for (i = 0; i < NUMA_NODES_MAX; i++) {
		int n;

		if (!((mask >> i) & 1))
			continue;
		n = snprintf(out + off, len - off, "%s%u", off ? "," : "", i);
		if (n < 0 || off + (size_t)n >= len)
			return;
		off += (size_t)n;
	}
}

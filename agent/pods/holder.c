/* SPDX-License-Identifier: MIT */
#include "holder.h"

#include <string.h>

const char *pod_source_name(enum pod_source s)
{
	switch (s) {
	case POD_SRC_RECORD: return "record";
	case POD_SRC_RUNTIME: return "runtime";
	case POD_SRC_CGROUP: return "cgroup";
	case POD_SRC_N: break;
	}
	return "";
}

const char *pod_via_name(enum pod_via v)
{
	return v == POD_VIA_DEVICE ? "device" : "netns";
}

bool pod_holders_differ(const struct pod_holder *a, const struct pod_holder *b)
{
	if (a->uid[0] && b->uid[0])
		return strcmp(a->uid, b->uid) != 0;
	if (a->ns[0] && a->name[0] && b->ns[0] && b->name[0])
		return strcmp(a->ns, b->ns) || strcmp(a->name, b->name);
	return false;
}

static bool named(const struct pod_holder *h)
{
	return h->uid[0] || (h->ns[0] && h->name[0]);
}

unsigned pod_holders_pods(const struct pod_holder *h, unsigned n)
{
	unsigned i, j, pods = 0;

	for (i = 0; i < n; i++) {
		bool seen = false;

		if (!named(&h[i]))
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = named(&h[j]) && !pod_holders_differ(&h[i], &h[j]);
		pods += !seen;
	}
	return pods;
}

static bool same(const struct pod_holder *a, const struct pod_holder *b)
{
	return a->src == b->src && a->via == b->via && a->rt == b->rt && !strcmp(a->container_id, b->container_id) &&
	       !strcmp(a->uid, b->uid) && !strcmp(a->ns, b->ns) && !strcmp(a->name, b->name);
}

bool pod_holders_add(struct pod_holder *list, unsigned *n, unsigned max, const struct pod_holder *h)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (same(&list[i], h))
			return true;
	if (*n >= max)
		return false;
	list[(*n)++] = *h;
	return true;
}

const struct pod_holder *pod_holders_first(const struct pod_holder *h, unsigned n)
{
	unsigned s, i;

	for (s = 0; s < POD_SRC_N; s++)
		for (i = 0; i < n; i++)
			if (h[i].src == (enum pod_source)s)
				return &h[i];
	return NULL;
}

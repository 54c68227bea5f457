/* SPDX-License-Identifier: MIT */
#include "leaks.h"
#include "pflink/classify.h"
#include "pflink/nl.h"
#include "pflink/numa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[LEAK_KINDS] = {
	[LEAK_VF_ORPHANED] = "vf_orphaned",
	[LEAK_RECORD_STALE] = "record_stale",
	[LEAK_VF_UNSEEN] = "vf_unseen",
	[LEAK_MAC_DUPLICATE] = "mac_duplicate",
	[LEAK_VF_DOUBLE_ALLOCATED] = "vf_double_allocated",
	[LEAK_VF_DIRTY] = "vf_dirty",
	[LEAK_NUMA_MISALIGNED] = "numa_misaligned",
};

const char *leak_kind_name(enum leak_kind k)
{
	return k < LEAK_KINDS ? kind_names[k] : "";
}

const char *leak_orphan_name(enum mx_orphan o)
{
	switch (o) {
	case MX_ORPHAN_POD_GONE: return "pod_gone";
	case MX_ORPHAN_NETNS_GONE: return "netns_gone";
	case MX_ORPHAN_RENAMED: return "renamed_by_kernel";
	case MX_ORPHAN_NONE: break;
	}
	return "";
}

bool leak_kernel_renamed(const char *name)
{
	const char *p = name + 3;

	if (strncmp(name, "dev", 3) || !*p)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

enum mx_orphan leak_orphan(const char *pod, bool netns_gone, const char *netdev, bool in_host)
{
	if (pod && netdev && in_host)
		return MX_ORPHAN_POD_GONE;
	if (pod && !netdev && netns_gone)
		return MX_ORPHAN_NETNS_GONE;
	if (!pod && netdev && in_host && leak_kernel_renamed(netdev))
		return MX_ORPHAN_RENAMED;
	return MX_ORPHAN_NONE;
}

void leak_orphan_words(enum mx_orphan o, const char *pod_ns, const char *pod, const char *netdev,
		       const char *netns, char *buf, size_t len)
{
	switch (o) {
	case MX_ORPHAN_POD_GONE:
		snprintf(buf, len, "pod %.253s/%.253s is gone: VF is back in the host netns as %s%s", pod_ns, pod,
			 netdev, leak_kernel_renamed(netdev) ? " (renamed by the kernel)" : "");
		return;
	case MX_ORPHAN_NETNS_GONE:
		snprintf(buf, len, "pod %.253s/%.253s: its netns %.400s is gone and the VF has no netdev", pod_ns,
			 pod, netns);
		return;
	case MX_ORPHAN_RENAMED:
		snprintf(buf, len, "VF fell back into the host netns as %s: its netns was deleted without a CNI DEL",
			 netdev);
		return;
	case MX_ORPHAN_NONE:
		break;
	}
	if (len)
		buf[0] = '\0';
}

/* The MAC a VF is known by: its netdev's, else the one the PF gave it. */
static const char *vf_mac(const struct mx_vf *v)
{
	const char *m = v->netdev[0] ? v->netdev_mac : v->has_config ? v->admin_mac : "";

	return strcmp(m, "00:00:00:00:00:00") ? m : "";
}

/* ---- vf_dirty ------------------------------------------------------------ */

/* Measured on each driver with a VF never configured (test/vm/suite.sh's
 * vf_dirty case checks igb's row on every run). */
static const struct leak_vf_defaults vf_defaults[] = {
	{ "igb", 1 },	/* QEMU's 82576, Linux 6.1: spoofchk on, trust off, link-state auto, rates 0 */
};

const struct leak_vf_defaults *leak_vf_defaults_of(const char *pf_driver)
{
	size_t i;

	for (i = 0; pf_driver && i < sizeof(vf_defaults) / sizeof(vf_defaults[0]); i++)
		if (!strcmp(vf_defaults[i].driver, pf_driver))
			return &vf_defaults[i];
	return NULL;
}

static const char *const dirty_names[VF_DIRTY_N] = {
	"mac", "mac_shared", "vlan", "qos", "trust", "spoofchk", "min_rate", "max_rate", "link_state",
};

const char *leak_dirty_name(unsigned bit)
{
	unsigned i;

	for (i = 0; i < VF_DIRTY_N; i++)
		if (bit == 1u << i)
			return dirty_names[i];
	return "";
}

static bool mac_zero(const char *m)
{
	return !m[0] || !strcmp(m, "00:00:00:00:00:00");
}

unsigned leak_vf_dirty(const struct mx_snap *s, const struct mx_vf *v, const char *pf_driver)
{
	const struct leak_vf_defaults *d = leak_vf_defaults_of(pf_driver);
	unsigned bits = 0, i;

	if (!v->has_config)
		return 0;
	if (!mac_zero(v->admin_mac)) {
		bits |= VF_DIRTY_MAC;
		for (i = 0; i < s->n_vfs; i++)
			if (&s->vfs[i] != v && s->vfs[i].has_config && !strcmp(s->vfs[i].admin_mac, v->admin_mac)) {
				bits |= VF_DIRTY_MAC_SHARED;
				break;
			}
	}
	if (v->vlan)
		bits |= VF_DIRTY_VLAN;
	if (v->qos)
		bits |= VF_DIRTY_QOS;
	if (v->trust == 1)
		bits |= VF_DIRTY_TRUST;
	/* Drivers differ on spoof-check's default: judged only where it is
	 * known to be on. */
	if (d && d->spoofchk == 1 && v->spoofchk == 0)
		bits |= VF_DIRTY_SPOOFCHK;
	if (v->min_rate)
		bits |= VF_DIRTY_MIN_RATE;
	if (v->max_rate)
		bits |= VF_DIRTY_MAX_RATE;
	if (v->linkstate == 1 || v->linkstate == 2)
		bits |= VF_DIRTY_LINK_STATE;
	return bits;
}

void leak_dirty_value(const struct mx_vf *v, unsigned bit, char *buf, size_t len)
{
	switch (bit) {
	case VF_DIRTY_MAC:
	case VF_DIRTY_MAC_SHARED: snprintf(buf, len, "%s", v->admin_mac); return;
	case VF_DIRTY_VLAN: snprintf(buf, len, "%u", v->vlan); return;
	case VF_DIRTY_QOS: snprintf(buf, len, "%u", v->qos); return;
	case VF_DIRTY_TRUST: snprintf(buf, len, "on"); return;
	case VF_DIRTY_SPOOFCHK: snprintf(buf, len, "off"); return;
	case VF_DIRTY_MIN_RATE: snprintf(buf, len, "%u", v->min_rate); return;
	case VF_DIRTY_MAX_RATE: snprintf(buf, len, "%u", v->max_rate); return;
	case VF_DIRTY_LINK_STATE: snprintf(buf, len, "%s", nl_vf_link_state_name(v->linkstate)); return;
	}
	if (len)
		buf[0] = '\0';
}

/* Held by no pod: no live record, no holder, its netdev (if any) not in a
 * pod's netns. */
static bool vf_free(const struct mx_vf *v)
{
	return !v->has_pod && !v->n_holders && (!v->netdev[0] || v->in_host);
}

static const char *pf_driver_of(const struct mx_snap *s, const char *pf)
{
	unsigned i;

	for (i = 0; i < s->n_pfs; i++)
		if (!strcmp(s->pfs[i].bdf, pf))
			return s->pfs[i].driver;
	return NULL;
}

/* ---- numa_misaligned ----------------------------------------------------- */

int leak_numa_aligned(const struct mx_vf *v)
{
	if (!v->has_pod)
		return -1;
	if (v->numa < 0 || v->numa >= NUMA_NODES_MAX)
		return 1;
	if (!v->has_cpus || !v->cpu_nodes)
		return -1;
	return (v->cpu_nodes >> v->numa) & 1 ? 1 : 0;
}

static int push(struct leak **v, unsigned *n, unsigned *cap, struct leak l)
{
	if (*n == *cap) {
		unsigned c = *cap ? 2 * *cap : 8;
		struct leak *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = l;
	return 0;
}

/* vf_dirty, then numa_misaligned. */
static int leaks_dirty_numa(const struct mx_snap *s, struct leak **v, unsigned *n, unsigned *cap)
{
	unsigned i, bits;
	int r = 0;

	for (i = 0; r == 0 && i < s->n_vfs; i++)
		if (vf_free(&s->vfs[i]) && (bits = leak_vf_dirty(s, &s->vfs[i], pf_driver_of(s, s->vfs[i].pf))))
			r = push(v, n, cap, (struct leak){ .kind = LEAK_VF_DIRTY, .vf = &s->vfs[i], .dirty = bits });
	for (i = 0; r == 0 && i < s->n_vfs; i++)
		if (leak_numa_aligned(&s->vfs[i]) == 0)
			r = push(v, n, cap, (struct leak){ .kind = LEAK_NUMA_MISALIGNED, .vf = &s->vfs[i] });
	return r;
}

int leaks_find(const struct mx_snap *s, struct leak **out, unsigned *n_out)
{
	struct leak *v = NULL;
	unsigned n = 0, cap = 0, i, j;
	int r = 0;

	for (i = 0; r == 0 && i < s->n_vfs; i++)
		if (s->vfs[i].orphan != MX_ORPHAN_NONE)
			r = push(&v, &n, &cap, (struct leak){ .kind = LEAK_VF_ORPHANED, .vf = &s->vfs[i] });
	for (i = 0; r == 0 && i < s->n_stale; i++)
		r = push(&v, &n, &cap, (struct leak){ .kind = LEAK_RECORD_STALE, .rec = &s->stale[i] });
	for (i = 0; r == 0 && i < s->n_vfs; i++) {
		const struct mx_vf *f = &s->vfs[i];

		if (f->driver[0] && !f->netdev[0] && !classify_driver_netdevless(f->driver))
			r = push(&v, &n, &cap, (struct leak){ .kind = LEAK_VF_UNSEEN, .vf = f });
	}
	/* Quadratic, over VFs that have a MAC: a node has a few hundred. */
	for (i = 0; r == 0 && i < s->n_vfs; i++) {
		const char *m = vf_mac(&s->vfs[i]);
		unsigned dups = 1;

		if (!m[0])
			continue;
		for (j = 0; j < s->n_vfs; j++)
			if (j != i && !strcmp(m, vf_mac(&s->vfs[j])))
				dups++;
		if (dups > 1)
			r = push(&v, &n, &cap,
				 (struct leak){ .kind = LEAK_MAC_DUPLICATE, .vf = &s->vfs[i], .mac = m, .dups = dups });
	}
	for (i = 0; r == 0 && i < s->n_vfs; i++) {
		unsigned nh, pods;
		const struct pod_holder *h = mx_vf_holders(s, &s->vfs[i], &nh);

		pods = pod_holders_pods(h, nh);
		if (pods > 1)
			r = push(&v, &n, &cap,
				 (struct leak){ .kind = LEAK_VF_DOUBLE_ALLOCATED, .vf = &s->vfs[i], .holders = h,
						.n_holders = nh, .pods = pods });
	}
	r = r ? r : leaks_dirty_numa(s, &v, &n, &cap);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void leak_holder_words(const struct pod_holder *h, char *buf, size_t len)
{
	if (h->ns[0] && h->name[0])
		snprintf(buf, len, "%.253s/%.253s", h->ns, h->name);
	else if (h->uid[0])
		snprintf(buf, len, "pod %.127s", h->uid);
	else
		snprintf(buf, len, "container %.64s", h->container_id);
}

/* "a/x (record), b/y (runtime)": every holder of a VF, with its source. */
static void holders_words(const struct leak *l, char *buf, size_t len)
{
	size_t off = 0;
	unsigned i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < l->n_holders && off + 1 < len; i++) {
		char who[600];
		int n;

		leak_holder_words(&l->holders[i], who, sizeof(who));
		n = snprintf(buf + off, len - off, "%s%s (%s)", i ? ", " : "", who, pod_source_name(l->holders[i].src));
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* "no pod holds it; left: vlan 10, trust on (last held by a/x)". */
static void dirty_words(const struct leak *l, char *buf, size_t len)
{
	const struct mx_vf *v = l->vf;
	size_t off;
	unsigned i;
	bool first = true;
	int n = snprintf(buf, len, "no pod holds it and it still has");

	if (n < 0 || (size_t)n >= len)
		return;
	off = (size_t)n;
	for (i = 0; i < VF_DIRTY_N; i++) {
		char val[64];

		if (!(l->dirty & (1u << i)))
			continue;
		leak_dirty_value(v, 1u << i, val, sizeof(val));
		n = snprintf(buf + off, len - off, "%s %s %s", first ? "" : ",", leak_dirty_name(1u << i), val);
		first = false;
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
	}
	if (v->last_pod[0])
		snprintf(buf + off, len - off, " (last held by %.253s/%.253s)", v->last_pod_ns, v->last_pod);
}

void leak_words(const struct leak *l, char *buf, size_t len)
{
	const struct mx_vf *v = l->vf;
	const struct mx_stale *s = l->rec;

	switch (l->kind) {
	case LEAK_VF_ORPHANED:
		leak_orphan_words(v->orphan, v->pod_ns, v->pod, v->netdev, v->pod_netns, buf, len);
		return;
	case LEAK_RECORD_STALE:
		snprintf(buf, len,
			 "record %.255s of pod %.253s/%.253s (VF %s): its netns %.255s is gone and no CNI DEL removed the record",
			 s->file, s->pod_ns, s->pod, s->vf, s->netns);
		return;
	case LEAK_VF_UNSEEN:
		snprintf(buf, len, "VF on %s has a netdev in no netns pflinkd can see", v->driver);
		return;
	case LEAK_MAC_DUPLICATE:
		snprintf(buf, len, "MAC %s is on %u VFs", l->mac, l->dups);
		return;
	case LEAK_VF_DOUBLE_ALLOCATED: {
		char who[900];
		int n = snprintf(buf, len, "VF held by %u pods: ", l->pods);

		holders_words(l, who, sizeof(who));
		if (n >= 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, "%s", who);
		return;
	}
	case LEAK_VF_DIRTY:
		dirty_words(l, buf, len);
		return;
	case LEAK_NUMA_MISALIGNED: {
		char nodes[256];

		numa_mask_fmt(v->cpu_nodes, nodes, sizeof(nodes));
		snprintf(buf, len, "pod %.253s/%.253s may run only on CPUs %s (NUMA node %s); its VF is on node %d",
			 v->pod_ns, v->pod, v->cpus, nodes, v->numa);
		return;
	}
	case LEAK_KINDS:
		break;
	}
	if (len)
		buf[0] = '\0';
}

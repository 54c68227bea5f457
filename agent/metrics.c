/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition of a snapshot (metrics.h). */
#include "metrics.h"
#include "leaks.h"
#include "pflink/numa.h"
#include "pfhealth.h"
#include "request.h"
#include "pflink/nl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef PFLINK_VERSION
#define PFLINK_VERSION "unknown"
#endif

_Static_assert(AGENT_OP_N == MX_OPS, "one answer histogram per op");

/* A label value: \ " and newline escaped as the format wants; bytes that
 * are not UTF-8 (a netns path can hold any) become '?', control bytes too. */
static void put_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned n = 0, i;

		if (*p == '\\' || *p == '"') {
			fputc('\\', f);
			fputc(*p++, f);
			continue;
		}
		if (*p == '\n') {
			fputs("\\n", f);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fputc('?', f);
			p++;
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, f);
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		for (i = 1; n && i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		/* Overlong forms and surrogates are not UTF-8 either. */
		if (n == 2 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
			n = 0;
		if (n == 3 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
			n = 0;
		if (!n) {
			fputc('?', f);
			p++;
			continue;
		}
		fwrite(p, 1, n + 1, f);
		p += n + 1;
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{k="v",...} value: labels as key, value pairs ending in NULL. */
static void sample(FILE *f, const char *name, const char *value, ...)
{
	va_list ap;
	const char *k;
	bool first = true;

	fputs(name, f);
	va_start(ap, value);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		fputs(first ? "{" : ",", f);
		fprintf(f, "%s=\"", k);
		put_value(f, v);
		fputc('"', f);
		first = false;
	}
	va_end(ap);
	if (!first)
		fputc('}', f);
	fprintf(f, " %s\n", value);
}

static const char *u64(char *buf, unsigned long long v)
{
	snprintf(buf, 24, "%llu", v);
	return buf;
}

static const char *num(char *buf, long long v)
{
	snprintf(buf, 24, "%lld", v);
	return buf;
}

static const char *setting(int s)
{
	return s < 0 ? "" : s ? "on" : "off";
}

static const struct mx_pf *pf_of(const struct mx_snap *s, const char *bdf)
{
	unsigned i;

	for (i = 0; i < s->n_pfs; i++)
		if (!strcmp(s->pfs[i].bdf, bdf))
			return &s->pfs[i];
	return NULL;
}

static bool ctr_zero(const struct mx_ctr *c)
{
	return !(c->rx_bytes | c->rx_packets | c->tx_bytes | c->tx_packets | c->rx_dropped | c->tx_dropped |
		 c->multicast | c->broadcast);
}

const char *metrics_vf_stats_state(const struct mx_snap *s, const struct mx_pf *p)
{
	bool any = false;
	unsigned i;

	for (i = 0; i < s->n_vfs; i++) {
		const struct mx_vf *v = &s->vfs[i];

		if (strcmp(v->pf, p->bdf) || !v->has_vf_stats)
			continue;
		if (!ctr_zero(&v->vf_stats))
			return "reported";
		any = true;
	}
	return any ? "zero" : "none";
}

/* The MAC a VF is known by (as leaks.c judges duplicates). */
static const char *vf_mac(const struct mx_vf *v)
{
	return v->netdev[0] ? v->netdev_mac : v->has_config ? v->admin_mac : "";
}

static void vf_info(FILE *f, const struct mx_snap *s)
{
	unsigned i;

	family(f, "pflink_vf_info", "gauge",
	       "Every VF of every SR-IOV PF of the node, with its netdev, netns, pod (pod_source: pflink's record, the runtime's bundles, or a cgroup) and the PF's settings for it; always 1.");
	for (i = 0; i < s->n_vfs; i++) {
		const struct mx_vf *v = &s->vfs[i];
		const struct mx_pf *p = pf_of(s, v->pf);
		char idx[24], vlan[24], numa[24];

		num(idx, v->index);
		sample(f, "pflink_vf_info", "1", "pf", v->pf, "pf_netdev", p ? p->netdev : "", "vf", idx,
		       "vf_index", idx, "vf_pci_address", v->bdf, "driver", v->driver, "netdev", v->netdev,
		       "netns", v->netns, "pod_namespace", v->pod_ns, "pod", v->pod, "pod_uid", v->pod_uid,
		       "pod_source", v->has_pod ? pod_source_name(v->pod_source) : "", "interface", v->ifname, "network", v->network, "mac", vf_mac(v),
		       "vlan", v->has_config ? u64(vlan, v->vlan) : "", "trust", setting(v->trust),
		       "spoofchk", setting(v->spoofchk), "link_state", nl_vf_link_state_name(v->linkstate),
		       "numa_node", num(numa, v->numa), NULL);
	}
}

/* Every live holder of every VF, each with its source: where two sources
 * name a VF's pod, both are here. */
static void vf_holders(FILE *f, const struct mx_snap *s)
{
	unsigned i, k, n;

	family(f, "pflink_vf_holder", "gauge",
	       "A live holder of a VF: pflink's record (source record), the runtime's sandbox or container (runtime), a process's cgroup (cgroup); via netns or device; always 1.");
	for (i = 0; i < s->n_vfs; i++) {
		const struct mx_vf *v = &s->vfs[i];
		const struct pod_holder *h = mx_vf_holders(s, v, &n);

		for (k = 0; k < n; k++)
			sample(f, "pflink_vf_holder", "1", "pf", v->pf, "vf_pci_address", v->bdf, "source",
			       pod_source_name(h[k].src), "via", pod_via_name(h[k].via), "pod_namespace", h[k].ns, "pod",
			       h[k].name, "pod_uid", h[k].uid, "container_id", h[k].container_id, "container",
			       h[k].container, NULL);
	}
}

enum ctr_field { C_RX_BYTES, C_RX_PACKETS, C_TX_BYTES, C_TX_PACKETS, C_RX_DROPPED, C_TX_DROPPED, C_MULTICAST,
		 C_BROADCAST };

static const struct {
	const char *name, *help;
	enum ctr_field field;
	bool netdev;	/* the netdev's link counters have it */
} ctrs[] = {
	{ "pflink_vf_receive_bytes_total", "Bytes the VF received.", C_RX_BYTES, true },
	{ "pflink_vf_receive_packets_total", "Packets the VF received.", C_RX_PACKETS, true },
	{ "pflink_vf_transmit_bytes_total", "Bytes the VF sent.", C_TX_BYTES, true },
	{ "pflink_vf_transmit_packets_total", "Packets the VF sent.", C_TX_PACKETS, true },
	{ "pflink_vf_receive_dropped_total", "Received packets dropped.", C_RX_DROPPED, true },
	{ "pflink_vf_transmit_dropped_total", "Packets to send dropped.", C_TX_DROPPED, true },
	{ "pflink_vf_receive_multicast_total", "Multicast packets the VF received.", C_MULTICAST, true },
	{ "pflink_vf_receive_broadcast_total", "Broadcast packets the VF received (IFLA_VF_STATS only).",
	  C_BROADCAST, false },
};

static uint64_t field(const struct mx_ctr *c, enum ctr_field k)
{
	switch (k) {
	case C_RX_BYTES: return c->rx_bytes;
	case C_RX_PACKETS: return c->rx_packets;
	case C_TX_BYTES: return c->tx_bytes;
	case C_TX_PACKETS: return c->tx_packets;
	case C_RX_DROPPED: return c->rx_dropped;
	case C_TX_DROPPED: return c->tx_dropped;
	case C_MULTICAST: return c->multicast;
	case C_BROADCAST: return c->broadcast;
	}
	return 0;
}

static int vf_counters(FILE *f, const struct mx_snap *s)
{
	unsigned k, i;
	/* Per VF: are its PF's IFLA_VF_STATS traffic? (all zeros are not) */
	bool *reported = calloc(s->n_vfs ? s->n_vfs : 1, sizeof(*reported));

	if (!reported)
		return -ENOMEM;
	for (i = 0; i < s->n_pfs; i++) {
		bool rep = !strcmp(metrics_vf_stats_state(s, &s->pfs[i]), "reported");

		for (k = 0; k < s->n_vfs; k++)
			if (!strcmp(s->vfs[k].pf, s->pfs[i].bdf))
				reported[k] = rep;
	}
	for (k = 0; k < sizeof(ctrs) / sizeof(ctrs[0]); k++) {
		family(f, ctrs[k].name, "counter", ctrs[k].help);
		for (i = 0; i < s->n_vfs; i++) {
			const struct mx_vf *v = &s->vfs[i];
			char val[24];

			if (v->has_vf_stats && reported[i])
				sample(f, ctrs[k].name, u64(val, field(&v->vf_stats, ctrs[k].field)), "pf", v->pf,
				       "vf_pci_address", v->bdf, "source", "vf_stats", NULL);
			if (v->has_netdev_stats && ctrs[k].netdev)
				sample(f, ctrs[k].name, u64(val, field(&v->netdev_stats, ctrs[k].field)), "pf",
				       v->pf, "vf_pci_address", v->bdf, "source", "netdev", NULL);
		}
	}
	free(reported);
	return 0;
}

static void pf_series(FILE *f, const struct mx_snap *s)
{
	static const char *const states[] = { "total", "configured", "in_pod", "host", "no_netdev", "orphaned" };
	unsigned i, j, k;

	family(f, "pflink_pf_info", "gauge",
	       "Every SR-IOV PF of the node with its netdev, what its IFLA_VF_STATS give (vf_stats: reported, zero, none) "
	       "and its devlink eswitch mode (legacy, switchdev; empty: devlink says none); always 1.");
	for (i = 0; i < s->n_pfs; i++) {
		const struct mx_pf *p = &s->pfs[i];
		char numa[24];

		sample(f, "pflink_pf_info", "1", "pf", p->bdf, "pf_netdev", p->netdev, "driver", p->driver,
		       "netns", p->netns, "mac", p->mac, "numa_node", num(numa, p->numa), "vf_stats",
		       metrics_vf_stats_state(s, p), "eswitch_mode", p->eswitch, NULL);
	}
	family(f, "pflink_pf_vfs", "gauge",
	       "VFs of a PF: total (sriov_totalvfs), configured (sriov_numvfs), in_pod, host (netdev in the host netns), no_netdev, orphaned.");
	for (i = 0; i < s->n_pfs; i++) {
		const struct mx_pf *p = &s->pfs[i];
		unsigned n[6] = { p->totalvfs, p->numvfs, 0, 0, 0, 0 };
		char val[24];

		for (j = 0; j < s->n_vfs; j++) {
			const struct mx_vf *v = &s->vfs[j];

			if (strcmp(v->pf, p->bdf))
				continue;
			n[2] += (v->netdev[0] && !v->in_host) ||
				(!v->netdev[0] && v->has_pod && v->orphan == MX_ORPHAN_NONE);
			n[3] += v->netdev[0] && v->in_host;
			n[4] += !v->netdev[0];
			n[5] += v->orphan != MX_ORPHAN_NONE;
		}
		for (k = 0; k < 6; k++)
			sample(f, "pflink_pf_vfs", u64(val, n[k]), "pf", p->bdf, "state", states[k], NULL);
	}
}

/* vf_dirty: a series per setting left on a VF no pod holds; the NUMA
 * alignment of every VF in a pod whose CPUs were read. */
static void dirty_numa_series(FILE *f, const struct mx_snap *s, const struct leak *l, unsigned n)
{
	unsigned i, b;

	family(f, "pflink_vf_dirty", "gauge",
	       "A setting a VF no pod holds still has (its PF's VF table, against the driver's defaults for a VF never configured): setting mac, mac_shared, vlan, qos, trust, spoofchk, min_rate, max_rate, link_state; value as the table shows it; last_pod: the last pod pflinkd saw hold the VF; always 1.");
	for (i = 0; i < n; i++) {
		const struct mx_vf *v = l[i].vf;

		if (l[i].kind != LEAK_VF_DIRTY)
			continue;
		for (b = 0; b < VF_DIRTY_N; b++) {
			char val[64];

			if (!(l[i].dirty & (1u << b)))
				continue;
			leak_dirty_value(v, 1u << b, val, sizeof(val));
			sample(f, "pflink_vf_dirty", "1", "pf", v->pf, "vf_pci_address", v->bdf, "setting",
			       leak_dirty_name(1u << b), "value", val, "last_pod_namespace", v->last_pod_ns, "last_pod",
			       v->last_pod, NULL);
		}
	}
	family(f, "pflink_vf_numa_aligned", "gauge",
	       "A VF in a pod: 1 when a CPU the pod's process may run on sits on the VF's NUMA node (numa_node, as resource.kubernetes.io/numaNode; -1: none, never misaligned), 0 when all sit on other nodes (cpu_nodes).");
	for (i = 0; i < s->n_vfs; i++) {
		const struct mx_vf *v = &s->vfs[i];
		int al = leak_numa_aligned(v);
		char numa[24], nodes[256];

		if (al < 0)
			continue;
		numa_mask_fmt(v->cpu_nodes, nodes, sizeof(nodes));
		sample(f, "pflink_vf_numa_aligned", al ? "1" : "0", "pf", v->pf, "vf_pci_address", v->bdf,
		       "pod_namespace", v->pod_ns, "pod", v->pod, "numa_node", num(numa, v->numa), "cpus", v->cpus,
		       "cpu_nodes", nodes, NULL);
	}
}

static int leak_series(FILE *f, const struct mx_snap *s)
{
	struct leak *l = NULL;
	unsigned n = 0, i, count[LEAK_KINDS] = { 0 };
	char val[24];
	int r = leaks_find(s, &l, &n);

	if (r < 0)
		return r;
	for (i = 0; i < n; i++)
		count[l[i].kind]++;
	family(f, "pflink_leaks", "gauge",
	       "Leaks found, by kind (vf_orphaned, record_stale, vf_unseen, mac_duplicate, vf_double_allocated, vf_dirty, numa_misaligned).");
	for (i = 0; i < LEAK_KINDS; i++)
		sample(f, "pflink_leaks", u64(val, count[i]), "kind", leak_kind_name(i), NULL);
	family(f, "pflink_vf_orphaned", "gauge",
	       "A VF whose pod looks gone: back in the host netns while its record stays (pod_gone), renamed dev<N> by the kernel without a record (renamed_by_kernel), or without a netdev and its pod's netns gone (netns_gone); always 1.");
	for (i = 0; i < n; i++)
		if (l[i].kind == LEAK_VF_ORPHANED)
			sample(f, "pflink_vf_orphaned", "1", "pf", l[i].vf->pf, "vf_pci_address", l[i].vf->bdf,
			       "netdev", l[i].vf->netdev, "netns", l[i].vf->netns, "pod_namespace", l[i].vf->pod_ns,
			       "pod", l[i].vf->pod, "reason", leak_orphan_name(l[i].vf->orphan), NULL);
	family(f, "pflink_record_stale", "gauge",
	       "A pflink record whose sandbox netns no longer exists: the runtime never ran CNI DEL; always 1.");
	for (i = 0; i < n; i++)
		if (l[i].kind == LEAK_RECORD_STALE)
			sample(f, "pflink_record_stale", "1", "pf", l[i].rec->pf, "vf_pci_address", l[i].rec->vf,
			       "pod_namespace", l[i].rec->pod_ns, "pod", l[i].rec->pod, "pod_uid", l[i].rec->pod_uid,
			       "interface", l[i].rec->ifname, "network", l[i].rec->network, "netns",
			       l[i].rec->netns, NULL);
	family(f, "pflink_vf_unseen", "gauge",
	       "A VF bound to a netdev driver whose netdev is in no netns pflinkd can see; always 1.");
	for (i = 0; i < n; i++)
		if (l[i].kind == LEAK_VF_UNSEEN)
			sample(f, "pflink_vf_unseen", "1", "pf", l[i].vf->pf, "vf_pci_address", l[i].vf->bdf,
			       "driver", l[i].vf->driver, NULL);
	family(f, "pflink_vf_mac_duplicate", "gauge", "A VF whose MAC another VF of the node has too; always 1.");
	for (i = 0; i < n; i++)
		if (l[i].kind == LEAK_MAC_DUPLICATE)
			sample(f, "pflink_vf_mac_duplicate", "1", "pf", l[i].vf->pf, "vf_pci_address", l[i].vf->bdf,
			       "mac", l[i].mac, NULL);
	family(f, "pflink_vf_double_allocated", "gauge",
	       "A VF that two or more different pods hold (a live record, a runtime or a cgroup holder each): one series per holder; always 1.");
	for (i = 0; i < n; i++) {
		unsigned k;

		if (l[i].kind != LEAK_VF_DOUBLE_ALLOCATED)
			continue;
		for (k = 0; k < l[i].n_holders; k++) {
			const struct pod_holder *h = &l[i].holders[k];

			sample(f, "pflink_vf_double_allocated", "1", "pf", l[i].vf->pf, "vf_pci_address", l[i].vf->bdf,
			       "source", pod_source_name(h->src), "pod_namespace", h->ns, "pod", h->name, "pod_uid",
			       h->uid, "container_id", h->container_id, NULL);
		}
	}
	dirty_numa_series(f, s, l, n);
	free(l);
	return 0;
}

/* PF health (pfhealth.h): each PF's link, each pod VF's PF usable or not,
 * VFs in pods forced down, and the findings by kind. */
static int pfhealth_series(FILE *f, const struct mx_snap *s)
{
	struct pfh_finding *l = NULL;
	unsigned n = 0, i, count[PFH_KINDS] = { 0 };
	char val[24];
	int r = pfh_find(s, &l, &n);

	if (r < 0)
		return r;
	family(f, "pflink_pf_link_up", "gauge",
	       "1 when the PF's netdev is usable (admin up, carrier, operstate up), else 0; state: up, admin_down, no_carrier, not_ready; operstate as the kernel names it.");
	for (i = 0; i < s->n_pfs; i++) {
		const struct mx_pf *p = &s->pfs[i];
		enum pfh_state st = pfh_state(&p->link);

		if (st != PFH_UNKNOWN)
			sample(f, "pflink_pf_link_up", st == PFH_UP ? "1" : "0", "pf", p->bdf, "pf_netdev", p->netdev,
			       "state", pfh_state_name(st), "operstate", pfh_operstate_name(p->link.operstate), NULL);
	}
	family(f, "pflink_pf_carrier_changes_total", "counter",
	       "Carrier changes of the PF's netdev since it was made (IFLA_CARRIER_CHANGES).");
	for (i = 0; i < s->n_pfs; i++)
		if (s->pfs[i].link.known && s->pfs[i].link.carrier_changes >= 0)
			sample(f, "pflink_pf_carrier_changes_total", u64(val, (unsigned long long)s->pfs[i].link.carrier_changes),
			       "pf", s->pfs[i].bdf, "pf_netdev", s->pfs[i].netdev, NULL);
	family(f, "pflink_pf_link_speed_bytes", "gauge",
	       "The PF's link speed in bytes per second, as ethtool gave it when the link last changed; absent when unknown (no carrier).");
	for (i = 0; i < s->n_pfs; i++)
		if (s->pfs[i].link.known && s->pfs[i].link.speed_mbps > 0)
			sample(f, "pflink_pf_link_speed_bytes", u64(val, (unsigned long long)s->pfs[i].link.speed_mbps * 125000ull),
			       "pf", s->pfs[i].bdf, "pf_netdev", s->pfs[i].netdev, NULL);
	family(f, "pflink_vf_pf_usable", "gauge",
	       "For every VF in a pod whose PF's link is known: 1 when that PF is usable, 0 when it is not (pf_state says why): pflink_vf_pf_usable == 0 lists the pods behind a failed PF.");
	for (i = 0; i < s->n_vfs; i++) {
		const struct mx_vf *v = &s->vfs[i];
		const struct mx_pf *p = pf_of(s, v->pf);
		enum pfh_state st = p ? pfh_state(&p->link) : PFH_UNKNOWN;

		if (pfh_vf_in_pod(v) && st != PFH_UNKNOWN)
			sample(f, "pflink_vf_pf_usable", st == PFH_UP ? "1" : "0", "pf", v->pf, "pf_netdev", p->netdev,
			       "pf_state", pfh_state_name(st), "vf_pci_address", v->bdf, "pod_namespace", v->pod_ns, "pod",
			       v->pod, "pod_uid", v->pod_uid, "interface", v->ifname, NULL);
	}
	family(f, "pflink_vf_link_disabled", "gauge",
	       "A VF in a pod whose link state its PF forces disable (IFLA_VF_LINK_STATE); always 1.");
	for (i = 0; i < n; i++) {
		count[l[i].kind]++;
		if (l[i].kind == PFH_VF_LINK_DISABLED)
			sample(f, "pflink_vf_link_disabled", "1", "pf", l[i].vfs->pf, "vf_pci_address", l[i].vfs->bdf,
			       "pod_namespace", l[i].vfs->pod_ns, "pod", l[i].vfs->pod, "pod_uid", l[i].vfs->pod_uid,
			       "interface", l[i].vfs->ifname, NULL);
	}
	family(f, "pflink_pf_health_findings", "gauge",
	       "PF health findings, by kind (pf_down: a PF not usable with pods on it; vf_link_disabled).");
	for (i = 0; i < PFH_KINDS; i++)
		sample(f, "pflink_pf_health_findings", u64(val, count[i]), "kind", pfh_kind_name(i), NULL);
	free(l);
	return 0;
}

static void hist(FILE *f, const char *name, const struct mx_hist *h, const char *lk, const char *lv)
{
	char le[32], val[24], bname[128], sum[40];
	unsigned long long cum = 0;
	unsigned i;

	snprintf(bname, sizeof(bname), "%s_bucket", name);
	for (i = 0; i <= MX_HIST_BUCKETS; i++) {
		cum += h->bucket[i];
		if (i < MX_HIST_BUCKETS)
			snprintf(le, sizeof(le), "%g", mx_hist_bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		if (lk)
			sample(f, bname, u64(val, cum), lk, lv, "le", le, NULL);
		else
			sample(f, bname, u64(val, cum), "le", le, NULL);
	}
	snprintf(bname, sizeof(bname), "%s_sum", name);
	snprintf(sum, sizeof(sum), "%.9f", (double)h->sum_ns / 1e9);
	if (lk)
		sample(f, bname, sum, lk, lv, NULL);
	else
		sample(f, bname, sum, NULL);
	snprintf(bname, sizeof(bname), "%s_count", name);
	if (lk)
		sample(f, bname, u64(val, h->count), lk, lv, NULL);
	else
		sample(f, bname, u64(val, h->count), NULL);
}

static void gauge(FILE *f, const char *name, const char *type, const char *help, unsigned long long v)
{
	char val[24];

	family(f, name, type, help);
	sample(f, name, u64(val, v), NULL);
}

static void seconds(FILE *f, const char *name, const char *help, double v)
{
	char val[40];

	family(f, name, "gauge", help);
	snprintf(val, sizeof(val), "%.9g", v);
	sample(f, name, val, NULL);
}

/* The runtimes' bundle roots: readable or not, what they hold and refused,
 * what the index costs. */
static void runtime_series(FILE *f, const struct mx_agent *g)
{
	char val[24];
	unsigned rt, k;

	family(f, "pflink_agent_runtime_root_readable", "gauge",
	       "1 when the runtime's bundle root can be read, 0 when it is absent or unreadable (pods it runs are then named by record or cgroup only).");
	for (rt = 0; rt < POD_RT_N; rt++)
		if (g->runtime[rt].state != PODS_ROOT_OFF)
			sample(f, "pflink_agent_runtime_root_readable", g->runtime[rt].state == PODS_ROOT_OK ? "1" : "0",
			       "runtime", pod_runtime_name(rt), "root", g->runtime[rt].path, "state",
			       pods_root_state_name(g->runtime[rt].state), NULL);
	family(f, "pflink_agent_runtime_root_unavailable_total", "counter",
	       "Times the runtime's bundle root was found absent or unreadable (at start, on a recheck, when it went).");
	for (rt = 0; rt < POD_RT_N; rt++)
		if (g->runtime[rt].state != PODS_ROOT_OFF)
			sample(f, "pflink_agent_runtime_root_unavailable_total", u64(val, g->runtime[rt].unavailable),
			       "runtime", pod_runtime_name(rt), NULL);
	family(f, "pflink_agent_runtime_entries", "gauge",
	       "Bundles indexed: pods' sandboxes with a netns, containers given a PCI function's device.");
	for (rt = 0; rt < POD_RT_N; rt++)
		if (g->runtime[rt].state != PODS_ROOT_OFF)
			sample(f, "pflink_agent_runtime_entries", u64(val, g->runtime[rt].entries), "runtime",
			       pod_runtime_name(rt), NULL);
	family(f, "pflink_agent_runtime_bundle_reads_total", "counter", "config.json files of bundles read.");
	for (rt = 0; rt < POD_RT_N; rt++)
		if (g->runtime[rt].state != PODS_ROOT_OFF)
			sample(f, "pflink_agent_runtime_bundle_reads_total", u64(val, g->runtime[rt].reads), "runtime",
			       pod_runtime_name(rt), NULL);
	family(f, "pflink_agent_runtime_bundles_skipped_total", "counter",
	       "Bundles refused: malformed, too_big (config.json over 2 MiB), bad_id (a name that is no container ID), symlink.");
	for (rt = 0; rt < POD_RT_N; rt++)
		for (k = 0; g->runtime[rt].state != PODS_ROOT_OFF && k < PODS_SKIP_N; k++)
			sample(f, "pflink_agent_runtime_bundles_skipped_total", u64(val, g->runtime[rt].skipped[k]),
			       "runtime", pod_runtime_name(rt), "reason", pods_skip_name(k), NULL);
	seconds(f, "pflink_agent_runtime_index_build_seconds", "The start-up index of every runtime root.",
		(double)g->pods.build_ns / 1e9);
	gauge(f, "pflink_agent_runtime_events_total", "counter", "inotify events of the runtime roots handled.",
	      g->pods.events);
	seconds(f, "pflink_agent_runtime_bundle_seconds_max",
		"The most CPU time one bundle took since start: read, parsed, joined to its netns and devices.",
		(double)g->pods.bundle_max_ns / 1e9);
	seconds(f, "pflink_agent_runtime_slice_seconds_max",
		"The longest turn of the serving loop spent reading bundles (what it can add to a lookup's wait).",
		(double)g->pods.slice_max_ns / 1e9);
	gauge(f, "pflink_agent_fd_holders", "gauge",
	      "VFs found held open by a process in a pod's cgroup (the fallback walk, with no runtime root readable).",
	      g->fd_holders);
}

static void agent_series(FILE *f, const struct mx_snap *s, const struct mx_render_opts *o)
{
	const struct mx_agent *g = &s->agent;
	char val[24], proto[24];
	unsigned i, other = g->devices - g->pfs - g->vfs - g->representors;

	family(f, "pflink_build_info", "gauge", "pflinkd's version and agent protocol; always 1.");
	sample(f, "pflink_build_info", "1", "version", o->version ? o->version : PFLINK_VERSION, "protocol",
	       num(proto, 1), NULL);
	seconds(f, "pflink_agent_start_time_seconds", "When pflinkd started, unix seconds.", g->start_unix);
	family(f, "pflink_agent_netns", "gauge",
	       "Network namespaces: tracked; of those over the link budget; skipped (found but not tracked: out of "
	       "descriptors); owned by another user namespace (not tracked).");
	sample(f, "pflink_agent_netns", u64(val, g->netns), "state", "tracked", NULL);
	sample(f, "pflink_agent_netns", u64(val, g->ns_over_budget), "state", "over_budget", NULL);
	sample(f, "pflink_agent_netns", u64(val, g->ns_skipped), "state", "skipped", NULL);
	sample(f, "pflink_agent_netns", u64(val, g->ns_userns), "state", "userns", NULL);
	family(f, "pflink_agent_netns_links", "gauge",
	       "Links of a netns over the link budget (the first 16), as its last dump counted.");
	for (i = 0; i < g->n_over; i++)
		sample(f, "pflink_agent_netns_links", u64(val, g->over[i].links), "netns", g->over[i].netns, NULL);
	gauge(f, "pflink_agent_netns_denied_processes", "gauge",
	      "Processes whose /proc/PID/ns/net the kernel refused to show (no CAP_SYS_PTRACE, an LSM).", g->ns_denied);
	family(f, "pflink_agent_netdevs", "gauge", "PCI netdevs in the map: pf, vf (the functions' own), representor, other.");
	sample(f, "pflink_agent_netdevs", u64(val, g->pfs), "kind", "pf", NULL);
	sample(f, "pflink_agent_netdevs", u64(val, g->vfs), "kind", "vf", NULL);
	sample(f, "pflink_agent_netdevs", u64(val, g->representors), "kind", "representor", NULL);
	sample(f, "pflink_agent_netdevs", u64(val, other), "kind", "other", NULL);
	gauge(f, "pflink_agent_attachments", "gauge", "pflink's records (attachments) the agent holds.", g->attachments);
	gauge(f, "pflink_agent_netns_dumps_total", "counter", "Link dumps of a netns (start, new netns, after an overflow).",
	      g->scans);
	gauge(f, "pflink_agent_events_total", "counter", "Link events handled.", g->events);
	gauge(f, "pflink_agent_events_deferred_total", "counter",
	      "Drains of a netns' events cut at the 128-event budget.", g->deferred);
	gauge(f, "pflink_agent_event_overflows_total", "counter",
	      "Event socket overflows (ENOBUFS): events lost, the netns dumped again.", g->overflows);
	gauge(f, "pflink_agent_event_buffer_bytes", "gauge", "The smallest link-event socket buffer the kernel gave.",
	      g->event_buffer > 0 ? (unsigned long long)g->event_buffer : 0);
	gauge(f, "pflink_agent_link_probes_total", "counter", "ethtool calls made for links.", g->probes);
	gauge(f, "pflink_agent_record_loads_total", "counter", "pflink record files read.", g->record_loads);
	gauge(f, "pflink_agent_clients_refused_total", "counter",
	      "Protocol clients refused for want of descriptors or client slots.", g->refused);
	family(f, "pflink_agent_netns_dump_duration_seconds", "histogram", "One netns' link dump into the map.");
	hist(f, "pflink_agent_netns_dump_duration_seconds", &g->dump, NULL, NULL);
	family(f, "pflink_agent_discovery_duration_seconds", "histogram",
	       "The serving loop's share of one netns discovery: /proc and our mounts walked, lost netns dropped, new ones taken from the worker that entered them.");
	hist(f, "pflink_agent_discovery_duration_seconds", &g->discovery, NULL, NULL);
	family(f, "pflink_agent_answer_duration_seconds", "histogram",
	       "Time to answer one protocol request, by op (the serving loop's part, not the socket).");
	for (i = 0; i < MX_OPS; i++)
		hist(f, "pflink_agent_answer_duration_seconds", &g->answer[i], "op", agent_op_name(i));
	seconds(f, "pflink_agent_collect_duration_seconds",
		"Serving-loop time this snapshot took, all slices together.", (double)g->collect_ns / 1e9);
	seconds(f, "pflink_agent_collect_slice_max_seconds",
		"The longest slice of this snapshot: the most a scrape adds to a lookup's wait.",
		(double)g->slice_max_ns / 1e9);
	seconds(f, "pflink_agent_snapshot_age_seconds", "Age of the snapshot served (scrapes within 1 s share one).",
		o->now_ns > g->now_ns ? (double)(o->now_ns - g->now_ns) / 1e9 : 0);
	gauge(f, "pflink_agent_snapshots_total", "counter", "Snapshots taken for /metrics.", o->collections);
	runtime_series(f, g);
}

int metrics_render(FILE *f, const struct mx_snap *s, const struct mx_render_opts *o)
{
	vf_info(f, s);
	vf_holders(f, s);
	if (s->counters && vf_counters(f, s) < 0)
		return -ENOMEM;
	pf_series(f, s);
	if (leak_series(f, s) < 0)
		return -ENOMEM;
	if (pfhealth_series(f, s) < 0)
		return -ENOMEM;
	agent_series(f, s, o);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's answers (docs/agent-protocol.md): the map joined with sysfs
 * (which PFs and VFs exist) and pflink's attachment records (which pod).
 */
#include "map.h"
#include "request.h"
#include "leaks.h"
#include "pflink/numa.h"
#include "pfhealth.h"
#include "collect.h"
#include "devlink/reps.h"
#include "pflink/classify.h"
#include "pflink/json.h"
#include "pflink/nl.h"
#include "pflink/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

/* A Netdev object (docs/agent-protocol.md), written as text: a VF
 * seen in a thousand netns has a thousand of them. */
static void add_netdev(struct json_text *t, const struct ag_ns *ns, const struct ag_dev *d)
{
	json_text_raw(t, "{\"name\":");
	json_text_str(t, d->name);
	json_text_raw(t, ",\"ifindex\":");
	json_text_int(t, (long long)(d->ifindex));
	json_text_raw(t, ",\"mac\":");
	json_text_str(t, d->mac);
	json_text_raw(t, ",\"netns\":");
	json_text_str(t, ns->label);
	json_text_raw(t, ",\"netnsInode\":");
	json_text_int(t, (long long)ns->id.ino);
	json_text_raw(t, ",\"portName\":");
	json_text_str(t, d->port);
	json_text_raw(t, ",\"switchId\":");
	json_text_str(t, d->swid);
	json_text_raw(t, "}");
}

/* ,"key":"v" and the like: the members after an object's first. */
static void text_kv(struct json_text *t, const char *key, const char *v)
{
	json_text_raw(t, ",\"");
	json_text_raw(t, key);
	json_text_raw(t, "\":");
	json_text_str(t, v);
}

static void text_ki(struct json_text *t, const char *key, long long v)
{
	json_text_raw(t, ",\"");
	json_text_raw(t, key);
	json_text_raw(t, "\":");
	json_text_int(t, v);
}

static void text_kb(struct json_text *t, const char *key, bool v)
{
	json_text_raw(t, ",\"");
	json_text_raw(t, key);
	json_text_raw(t, v ? "\":true" : "\":false");
}

/* Every netdev of a PCI function, across all netns, as a JSON array. */
static void netdevs_text(struct json_text *t, const struct agent *a, const char *bdf)
{
	const char *sep = "[";
	unsigned i, n = ag_index_find(a, bdf, &i);

	for (n += i; i < n; i++)
		if (!classify_is_representor(a->idx[i].dev->kind)) {
			json_text_raw(t, sep);
			add_netdev(t, a->idx[i].ns, a->idx[i].dev);
			sep = ",";
		}
	json_text_raw(t, *sep == '[' ? "[]" : "]");
}

static cJSON *netdevs_of(const struct agent *a, const char *bdf)
{
	struct json_text t = { 0 };

	netdevs_text(&t, a, bdf);
	return json_text_take(&t);
}

/* One holder (docs/agent-protocol.md, Holder), an object. */
static void holder_text(struct json_text *t, const struct pod_holder *h)
{
	json_text_raw(t, "{\"source\":");
	json_text_str(t, pod_source_name(h->src));
	if (h->src == POD_SRC_RUNTIME)
		text_kv(t, "runtime", pod_runtime_name(h->rt));
	text_kv(t, "via", pod_via_name(h->via));
	text_kv(t, "namespace", h->ns);
	text_kv(t, "name", h->name);
	text_kv(t, "uid", h->uid);
	text_kv(t, "containerID", h->container_id);
	if (h->container[0])
		text_kv(t, "container", h->container);
	json_text_raw(t, "}");
}

/* The VF's "pod" (pflink's record as before, else the first holder the
 * node names) with its source, and every live holder. */
static void holders_text(const struct agent *a, struct json_text *t, const char *bdf, const struct pf_record *att)
{
	struct pod_holder h[POD_HOLDERS_MAX];
	const struct pod_holder *first;
	unsigned n = ag_holders(a, bdf, att, h, POD_HOLDERS_MAX), i;

	if (att) {
		json_text_raw(t, ",\"pod\":{\"namespace\":");
		json_text_str(t, att->pod_namespace);
		text_kv(t, "name", att->pod_name);
		text_kv(t, "uid", att->pod_uid);
		text_kv(t, "containerID", att->container_id);
		text_kv(t, "ifname", att->ifname);
		text_kv(t, "network", att->network);
		text_kv(t, "source", pod_source_name(POD_SRC_RECORD));
		json_text_raw(t, "}");
	} else if ((first = pod_holders_first(h, n))) {
		json_text_raw(t, ",\"pod\":");
		holder_text(t, first);
	}
	json_text_raw(t, ",\"holders\":[");
	for (i = 0; i < n; i++) {
		if (i)
			json_text_raw(t, ",");
		holder_text(t, &h[i]);
	}
	json_text_raw(t, "]");
}

/* A VF object (docs/agent-protocol.md), written as text: a 64-VF PF's
 * answer is 64 of them.  drv: the VF's driver as read already, NULL to
 * read it here. */
static void vf_text(struct agent *a, struct json_text *t, const char *pf, const struct ag_dev *pfdev, int idx,
		    const char *bdf, const char *known_drv)
{
	const struct nl_vf *c;
	const struct pf_record *att = ag_attachment_of(a, bdf);
	const struct ag_dev *first = NULL;
	const struct ag_ns *first_ns = NULL;
	char drv[64] = "", why[1024] = "", rep[IF_NAMESIZE];
	bool rep_devlink;
	bool in_host = false;

	json_text_raw(t, "{\"index\":");
	json_text_int(t, (long long)idx);
	text_kv(t, "pciAddress", bdf);
	if (known_drv)
		memcpy(drv, known_drv, sizeof(drv));	/* a cached row's, as long */
	else if (pci_driver(a->sysfd, bdf, drv, sizeof(drv)) < 0)
		drv[0] = '\0';
	text_kv(t, "driver", drv);
	first = ag_first_dev(a, bdf, &first_ns);
	json_text_raw(t, ",\"netdevs\":");
	netdevs_text(t, a, bdf);
	c = ag_vf_config(pfdev, idx);
	if (c) {
		char mac[MAC_STR_MAX];

		nl_fmt_mac(c->mac, sizeof(c->mac), mac, sizeof(mac));
		json_text_raw(t, ",\"config\":{\"mac\":");
		json_text_str(t, mac);
		text_ki(t, "vlan", (long long)c->vlan);
		text_ki(t, "qos", (long long)c->qos);
		if (c->spoofchk >= 0)
			text_kb(t, "spoofchk", c->spoofchk);
		if (c->trust >= 0)
			text_kb(t, "trust", c->trust);
		if (c->linkstate >= 0)
			text_kv(t, "linkState", nl_vf_link_state_name(c->linkstate));
		json_text_raw(t, "}");
	}
	/* devlink's port table where it lists this PF's VF ports, else the
	 * port names (devlink/reps.h). */
	rep_devlink = ag_dl_representor(a, pf, pfdev, idx, rep);
	text_kv(t, "representor", rep);
	if (rep[0])
		text_kv(t, "representorFrom", rep_devlink ? "devlink" : "portName");
	holders_text(a, t, bdf, att);
	if (first_ns && first_ns->host)
		in_host = true;
	{
		bool gone = att && !first && ag_netns_gone(a, att->netns);
		enum mx_orphan orphan = leak_orphan(att ? att->pod_namespace : NULL, gone,
						    first ? first->name : NULL, in_host);

		leak_orphan_words(orphan, att ? att->pod_namespace : "", att ? att->pod_name : "",
				  first ? first->name : "", att ? att->netns : "", why, sizeof(why));
	}
	text_kv(t, "orphan", why);
	json_text_raw(t, "}");
}

/* One VF of pf, or NULL when pf does not list it (any more). */
static cJSON *vf_of(struct agent *a, const char *pf, const char *vf)
{
	int idx;

	if (pci_vf_index(a->sysfd, pf, vf, &idx) < 0)
		return NULL;
	struct json_text t = { 0 };

	vf_text(a, &t, pf, ag_first_dev(a, pf, NULL), idx, vf, NULL);
	return json_text_take(&t);
}

/* PF object; vfs: AGENT_VFS_ALL adds its VFs ordered by index,
 * AGENT_VFS_NONE none, N >= 0 only VF N (none if the PF lists no VF N). */
/* A PF's "link" (pfhealth.h judges it; none without a netdev seen). */
static void link_json(cJSON *o, const struct mx_link *l)
{
	enum pfh_state st = l ? pfh_state(l) : PFH_UNKNOWN;
	cJSON *k;

	if (!l || !l->known || !(k = json_add_obj(o, "link")))
		return;
	json_add_str(k, "state", pfh_state_name(st));
	json_add_bool(k, "usable", st == PFH_UP);
	json_add_bool(k, "adminUp", l->admin_up);
	json_add_str(k, "operstate", pfh_operstate_name(l->operstate));
	if (l->carrier >= 0)
		json_add_bool(k, "carrier", l->carrier);
	if (l->carrier_changes >= 0)
		json_add_int(k, "carrierChanges", l->carrier_changes);
	if (l->speed_mbps > 0)
		json_add_int(k, "speedMbps", (long long)l->speed_mbps);
}

static cJSON *pf_json_err(struct agent *a, const char *pf, int vfs, int *err)
{
	const struct ag_dev *pfdev;
	const struct sfc_vf *v;
	const struct pci_fn *fn;
	const char *esw, *sep = "";
	struct json_text t = { 0 };
	cJSON *o;
	unsigned i, n;

	/* sysfs as the cache holds it: read once, kept until it changes. */
	*err = sfc_pf(a->sfc, pf, &fn, &v, &n);
	if (*err == 0 && !fn->is_pf)
		*err = -ENOENT;
	if (*err < 0)
		return NULL;
	o = cJSON_CreateObject();
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	json_add_str(o, "pciAddress", fn->bdf);
	json_add_str(o, "driver", fn->driver);
	json_add_int(o, "numvfs", (long long)(fn->numvfs));
	json_add_int(o, "totalvfs", (long long)(fn->totalvfs));
	if ((esw = ag_dl_eswitch(a, fn->bdf)))
		json_add_str(o, "eswitchMode", esw);
	json_add_item(o, "netdevs", netdevs_of(a, fn->bdf));
	pfdev = ag_first_dev(a, fn->bdf, NULL);
	link_json(o, pfdev ? &pfdev->link : NULL);
	if (vfs == AGENT_VFS_NONE)
		return o;
	/* Sorted by index; vfs >= 0: only that one. */
	json_text_raw(&t, "[");
	for (i = 0; i < n; i++) {
		if (vfs >= 0 && v[i].idx != vfs)
			continue;
		json_text_raw(&t, sep);
		vf_text(a, &t, fn->bdf, pfdev, v[i].idx, v[i].bdf, v[i].drv);
		sep = ",";
	}
	json_text_raw(&t, "]");
	json_add_item(o, "vfs", json_text_take(&t));
	return o;
}

/* The sysfs cache's counters (health). */
static void sysfs_cache_json(const struct agent *a, cJSON *o)
{
	struct sfc_stats s;

	if (!o)
		return;
	sfc_get_stats(a->sfc, &s);
	json_add_str(o, "signal", sfc_signal_name(s.signal));
	json_add_int(o, "pfs", (long long)s.pfs);
	json_add_int(o, "hits", (long long)s.hits);
	json_add_int(o, "misses", (long long)s.misses);
	json_add_int(o, "drops", (long long)s.drops);
	json_add_int(o, "overflows", (long long)s.overflows);
	json_add_int(o, "stale", (long long)s.stale);
}

static cJSON *pf_json(struct agent *a, const char *pf, int vfs)
{
	int err;

	return pf_json_err(a, pf, vfs, &err);
}

static cJSON *answer(bool ok)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "v", (long long)(1));
	json_add_bool(o, "ok", ok);
	return o;
}

__attribute__((format(printf, 1, 2)))
static cJSON *error(const char *fmt, ...)
{
	cJSON *o = answer(false);
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_add_str(o, "error", buf);
	return o;
}

struct topo_ctx {
	struct agent *a;
	struct ag_fn_list pfs;	/* idx unused, bdf sorted */
};

static int topo_fn(const char *bdf, void *arg)
{
	struct topo_ctx *c = arg;

	return ag_pf_shown(c->a, bdf) ? ag_fn_list_add(0, bdf, &c->pfs) : 0;
}

/* A VF the pod holds, and its PF (a record's, or sysfs'). */
static int pod_vf_add(struct ag_fn_list *l, const char *vf, const char *pf)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].bdf, vf))
			return 0;
	/* Pairs: the VF at an even position, its PF after it. */
	if (ag_fn_list_add(0, vf, l) < 0 || ag_fn_list_add(0, pf, l) < 0)
		return -ENOMEM;
	return 0;
}

/* The VFs the runtime says the pod holds: those in its sandbox's netns,
 * those its containers were given. */
static void pod_vfs_of_runtime(struct agent *a, const char *ns, const char *name, struct ag_fn_list *l)
{
	const struct pods_entry *const *v;
	unsigned n = 0, i, j, k;
	char pf[PCI_BDF_LEN];

	v = a->pods ? pods_index_entries(a->pods, &n) : NULL;
	for (i = 0; i < n; i++) {
		const struct pods_entry *e = v[i];

		if (strcmp(e->ns, ns) || strcmp(e->name, name))
			continue;
		for (j = 0; j < e->n_fns; j++)
			if (pci_physfn(a->sysfd, e->fns[j], pf) == 0)
				pod_vf_add(l, e->fns[j], pf);
		for (j = 0; e->has_netns && j < a->n_ns; j++) {
			const struct ag_ns *s = a->ns[j];

			if (!netns_id_eq(&s->id, &e->netns))
				continue;
			for (k = 0; k < s->n_devs; k++)
				if (s->devs[k].is_vf && pci_physfn(a->sysfd, s->devs[k].bdf, pf) == 0)
					pod_vf_add(l, s->devs[k].bdf, pf);
		}
	}
}

static cJSON *op_pod(struct agent *a, const char *ns, const char *name)
{
	cJSON *o = answer(true), *arr = json_add_arr(o, "attachments");
	struct ag_fn_list l = { 0 };
	size_t i;

	for (i = 0; i < a->n_att; i++) {
		const struct pf_record *s = &a->att[i].rec;

		if (!strcmp(s->pod_namespace, ns) && !strcmp(s->pod_name, name))
			pod_vf_add(&l, s->vf, s->pf);
	}
	pod_vfs_of_runtime(a, ns, name, &l);
	for (i = 0; arr && i + 1 < l.n; i += 2) {
		const char *vfb = l.v[i].bdf, *pfb = l.v[i + 1].bdf;
		cJSON *e, *pf, *vf;

		pf = pf_json(a, pfb, AGENT_VFS_NONE);
		if (!pf)
			continue;
		vf = vf_of(a, pfb, vfb);
		e = cJSON_CreateObject();
		json_add_item(e, "vf", vf ? vf : cJSON_CreateNull());
		json_add_item(e, "pf", pf);
		cJSON_AddItemToArray(arr, e);
	}
	free(l.v);
	return o;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v && v[0])
		json_add_str(o, k, v);
}

/* What a vf_dirty or numa_misaligned leak adds: the settings left and
 * the last pod seen holding the VF; the VF's and the pod's CPUs' nodes. */
static void dirty_numa_members(cJSON *e, const struct leak *l)
{
	const struct mx_vf *v = l->vf;
	cJSON *arr, *p;
	unsigned b;

	if (l->kind == LEAK_VF_DIRTY && (arr = json_add_arr(e, "settings"))) {
		for (b = 0; b < VF_DIRTY_N; b++) {
			char val[64];

			if (!(l->dirty & (1u << b)) || !(p = cJSON_CreateObject()))
				continue;
			leak_dirty_value(v, 1u << b, val, sizeof(val));
			json_add_str(p, "setting", leak_dirty_name(1u << b));
			json_add_str(p, "value", val);
			cJSON_AddItemToArray(arr, p);
		}
		if (v->last_pod[0] && (p = json_add_obj(e, "lastPod"))) {
			json_add_str(p, "namespace", v->last_pod_ns);
			json_add_str(p, "name", v->last_pod);
		}
	}
	if (l->kind == LEAK_NUMA_MISALIGNED) {
		char nodes[256];

		numa_mask_fmt(v->cpu_nodes, nodes, sizeof(nodes));
		json_add_int(e, "numaNode", v->numa);
		json_add_str(e, "cpus", v->cpus);
		json_add_str(e, "cpuNodes", nodes);
	}
}

/* Every leak (leaks.h), from a snapshot without counters. */
static cJSON *op_leaks(struct agent *a)
{
	struct mx_snap *s = NULL;
	struct leak *l = NULL;
	unsigned n = 0, i, count[LEAK_KINDS] = { 0 };
	cJSON *o, *arr, *cnt;

	if (ag_collect_all(a, false, &s) < 0 || leaks_find(s, &l, &n) < 0) {
		mx_snap_free(s);
		return error("out of memory");
	}
	o = answer(true);
	arr = json_add_arr(o, "leaks");
	for (i = 0; arr && i < n; i++) {
		cJSON *e = cJSON_CreateObject(), *p;
		char words[1024];

		if (!e)
			break;
		count[l[i].kind]++;
		json_add_str(e, "kind", leak_kind_name(l[i].kind));
		if (l[i].vf) {
			const struct mx_vf *v = l[i].vf;

			json_add_str(e, "pf", v->pf);
			json_add_str(e, "vf", v->bdf);
			add_str(e, "driver", v->driver);
			add_str(e, "netdev", v->netdev);
			add_str(e, "netns", v->netns);
			if (v->has_pod && (p = json_add_obj(e, "pod"))) {
				json_add_str(p, "namespace", v->pod_ns);
				json_add_str(p, "name", v->pod);
				json_add_str(p, "uid", v->pod_uid);
			}
			add_str(e, "reason", leak_orphan_name(v->orphan));
			if (l[i].kind == LEAK_VF_DOUBLE_ALLOCATED && (p = json_add_arr(e, "holders"))) {
				unsigned k;

				json_add_int(e, "pods", (long long)l[i].pods);
				for (k = 0; k < l[i].n_holders; k++) {
					struct json_text t = { 0 };
					cJSON *h;

					holder_text(&t, &l[i].holders[k]);
					if (!(h = json_text_take(&t)))
						break;
					cJSON_AddItemToArray(p, h);
				}
			}
		} else {
			const struct mx_stale *r = l[i].rec;

			json_add_str(e, "pf", r->pf);
			json_add_str(e, "vf", r->vf);
			add_str(e, "netns", r->netns);
			add_str(e, "record", r->file);
			if ((p = json_add_obj(e, "pod"))) {
				json_add_str(p, "namespace", r->pod_ns);
				json_add_str(p, "name", r->pod);
				json_add_str(p, "uid", r->pod_uid);
			}
		}
		add_str(e, "mac", l[i].mac);
		dirty_numa_members(e, &l[i]);
		leak_words(&l[i], words, sizeof(words));
		json_add_str(e, "detail", words);
		cJSON_AddItemToArray(arr, e);
	}
	cnt = json_add_obj(o, "counts");
	for (i = 0; cnt && i < LEAK_KINDS; i++)
		json_add_int(cnt, leak_kind_name(i), (long long)count[i]);
	free(l);
	mx_snap_free(s);
	return o;
}

static void pod_members(cJSON *p, const struct mx_vf *v)
{
	json_add_str(p, "namespace", v->pod_ns);
	json_add_str(p, "name", v->pod);
	json_add_str(p, "uid", v->pod_uid);
	json_add_str(p, "source", pod_source_name(v->pod_source));
	json_add_str(p, "vf", v->bdf);
	add_str(p, "interface", v->ifname);
	add_str(p, "netdev", v->netdev);
}

/* Every PF's link and the findings of pfhealth.h, from a snapshot
 * without counters (the same /metrics judges). */
static cJSON *op_pf_health(struct agent *a)
{
	struct mx_snap *s = NULL;
	struct pfh_finding *l = NULL;
	unsigned n = 0, i, k, count[PFH_KINDS] = { 0 };
	cJSON *o, *arr, *cnt;

	if (ag_collect_all(a, false, &s) < 0 || pfh_find(s, &l, &n) < 0) {
		mx_snap_free(s);
		return error("out of memory");
	}
	o = answer(true);
	arr = json_add_arr(o, "pfs");
	for (i = 0; arr && i < s->n_pfs; i++) {
		const struct mx_pf *p = &s->pfs[i];
		cJSON *e = cJSON_CreateObject();
		unsigned pods = 0;

		if (!e)
			break;
		for (k = 0; k < s->n_vfs; k++)
			pods += !strcmp(s->vfs[k].pf, p->bdf) && pfh_vf_in_pod(&s->vfs[k]);
		json_add_str(e, "pf", p->bdf);
		json_add_str(e, "netdev", p->netdev);
		json_add_str(e, "state", pfh_state_name(pfh_state(&p->link)));
		link_json(e, &p->link);
		json_add_int(e, "podVfs", (long long)pods);
		cJSON_AddItemToArray(arr, e);
	}
	arr = json_add_arr(o, "findings");
	for (i = 0; arr && i < n; i++) {
		cJSON *e = cJSON_CreateObject(), *pa, *p;
		char words[2048];

		if (!e)
			break;
		count[l[i].kind]++;
		json_add_str(e, "kind", pfh_kind_name(l[i].kind));
		json_add_str(e, "pf", l[i].pf->bdf);
		json_add_str(e, "pfNetdev", l[i].pf->netdev);
		json_add_str(e, "state", pfh_state_name(l[i].state));
		pa = json_add_arr(e, "pods");
		for (k = 0; pa && k < l[i].n_vfs; k++) {
			if (!pfh_vf_in_pod(&l[i].vfs[k]) || !(p = cJSON_CreateObject()))
				continue;
			pod_members(p, &l[i].vfs[k]);
			cJSON_AddItemToArray(pa, p);
		}
		pfh_words(&l[i], words, sizeof(words));
		json_add_str(e, "detail", words);
		cJSON_AddItemToArray(arr, e);
	}
	cnt = json_add_obj(o, "counts");
	for (i = 0; cnt && i < PFH_KINDS; i++)
		json_add_int(cnt, pfh_kind_name(i), (long long)count[i]);
	free(l);
	mx_snap_free(s);
	return o;
}

/* The netns over the link budget, the first AG_OVER_LISTED of them. */
static void over_budget_json(const struct agent *a, cJSON *arr)
{
	unsigned i, n = 0;

	for (i = 0; arr && i < a->n_ns && n < AG_OVER_LISTED; i++) {
		cJSON *e;

		if (!a->ns[i]->over_budget || !(e = cJSON_CreateObject()))
			continue;
		json_add_str(e, "netns", a->ns[i]->label);
		json_add_int(e, "links", (long long)a->ns[i]->links);
		cJSON_AddItemToArray(arr, e);
		n++;
	}
}

/* Each runtime root: where, in what state, what it holds and refused;
 * and what the index costs. */
static void runtimes_json(const struct agent *a, cJSON *o)
{
	cJSON *arr = json_add_arr(o, "runtimes");
	struct pods_stats st;
	unsigned rt, k;

	if (!a->pods)
		return;
	for (rt = 0; arr && rt < POD_RT_N; rt++) {
		struct pods_root_info ri;
		cJSON *e, *sk;

		pods_index_root(a->pods, rt, &ri);
		if (ri.state == PODS_ROOT_OFF || !(e = cJSON_CreateObject()))
			continue;
		json_add_str(e, "runtime", pod_runtime_name(rt));
		json_add_str(e, "root", ri.path);
		json_add_str(e, "state", pods_root_state_name(ri.state));
		json_add_str(e, "error", ri.state == PODS_ROOT_OK ? "" : strerror(ri.err));
		json_add_int(e, "entries", (long long)ri.entries);
		json_add_int(e, "reads", (long long)ri.reads);
		json_add_int(e, "unavailable", (long long)ri.unavailable);
		sk = json_add_obj(e, "skipped");
		for (k = 0; sk && k < PODS_SKIP_N; k++)
			json_add_int(sk, pods_skip_name(k), (long long)ri.skipped[k]);
		cJSON_AddItemToArray(arr, e);
	}
	pods_index_stats(a->pods, &st);
	json_add_int(o, "runtimeIndexUs", (long long)(st.build_ns / 1000));
	json_add_int(o, "runtimeIndexBundles", (long long)st.build_bundles);
	json_add_int(o, "runtimeEvents", (long long)st.events);
	json_add_int(o, "runtimeBundles", (long long)st.bundles);
	json_add_int(o, "runtimeBundleUsMean", (long long)(st.bundles ? st.bundle_ns / st.bundles / 1000 : 0));
	json_add_int(o, "runtimeBundleUsMax", (long long)(st.bundle_max_ns / 1000));
	json_add_int(o, "runtimeSliceUsMax", (long long)(st.slice_max_ns / 1000));
	json_add_int(o, "fdHolders", (long long)a->n_fdh);
	json_add_int(o, "fdScanProcs", (long long)a->fdscan_procs);
	json_add_int(o, "fdScanUs", (long long)(a->fdscan_ns / 1000));
}

cJSON *agent_answer(struct agent *a, const struct agent_req *req)
{
	cJSON *o;

	/* Answers read the map through the index, and devlink's table as
	 * its events last left it. */
	if (ag_index(a) < 0)
		return error("out of memory");
	ag_dl_refresh(a, false);
	switch (req->op) {
	case AGENT_OP_HEALTH: {
		struct agent_stats s;

		agent_get_stats(a, &s);
		o = answer(true);
		/* Whole numbers: the protocol's counters are integers. */
		json_add_int(o, "uptimeSec", (long long)(((pf_now_ns() - a->start_ns) / 1000000000ull)));
		json_add_int(o, "netns", (long long)(s.netns));
		json_add_int(o, "devices", (long long)(s.devices));
		json_add_int(o, "pfs", (long long)(s.pfs));
		json_add_int(o, "vfs", (long long)(s.vfs));
		json_add_int(o, "representors", (long long)(s.representors));
		json_add_int(o, "attachments", (long long)(a->n_att));
		json_add_int(o, "recordLoads", (long long)(a->record_loads));
		json_add_int(o, "scans", (long long)(s.scans));
		json_add_int(o, "events", (long long)(s.events));
		json_add_int(o, "eventsDeferred", (long long)(s.deferred));
		json_add_int(o, "eventOverflows", (long long)(s.overflows));
		json_add_int(o, "eventBuffer", (long long)(a->ev_rcvbuf));
		json_add_int(o, "linkProbes", (long long)(s.probes));
		json_add_int(o, "speedProbes", (long long)(a->stats.speed_probes));
		json_add_int(o, "lastScanMs", (long long)(((s.last_scan_ns + 500000) / 1000000)));
		json_add_int(o, "lastScanUs", (long long)(((s.last_scan_ns + 500) / 1000)));
		json_add_int(o, "linkBudget", (long long)(a->o.link_budget));
		json_add_int(o, "nsOverBudget", (long long)(s.ns_over_budget));
		json_add_int(o, "nsUserns", (long long)(s.ns_userns));
		sysfs_cache_json(a, json_add_obj(o, "sysfsCache"));
		over_budget_json(a, json_add_arr(o, "overBudget"));
		runtimes_json(a, o);
		return o;
	}
	case AGENT_OP_NUDGE:
		/* The serving loop did the tracking or the discovery. */
		return answer(true);
	case AGENT_OP_TOPOLOGY: {
		struct topo_ctx c = { .a = a };
		cJSON *arr;
		size_t i;

		o = answer(true);
		json_add_int(o, "netns", (long long)(a->n_ns));
		arr = json_add_arr(o, "pfs");
		pci_foreach_fn(a->sysfd, topo_fn, &c);
		/* readdir order is arbitrary; a person compares trees by eye. */
		ag_fn_list_sort(&c.pfs, false);
		for (i = 0; arr && i < c.pfs.n; i++) {
			cJSON *pf = pf_json(a, c.pfs.v[i].bdf, AGENT_VFS_ALL);

			if (pf)
				cJSON_AddItemToArray(arr, pf);
		}
		free(c.pfs.v);
		return o;
	}
	case AGENT_OP_PF: {
		int err;
		cJSON *pf = pf_json_err(a, req->bdf, req->vf_index, &err);

		/* Not found only when sysfs says so: a read that failed is
		 * said as such, not taken for an absent PF. */
		if (!pf && (err == -ENOENT || err == -ENODEV))
			return error("PF %s not found", req->bdf);
		if (!pf)
			return error("PF %s cannot be read in sysfs: %s", req->bdf, strerror(-err));
		o = answer(true);
		json_add_item(o, "pf", pf);
		return o;
	}
	case AGENT_OP_VF: {
		char pf[PCI_BDF_LEN];
		cJSON *pfo, *vf;

		if (pci_physfn(a->sysfd, req->bdf, pf) < 0 || !(pfo = pf_json(a, pf, AGENT_VFS_NONE)))
			return error("VF %s not found", req->bdf);
		vf = vf_of(a, pf, req->bdf);
		if (!vf) {
			cJSON_Delete(pfo);
			return error("VF %s is not listed by its PF %s", req->bdf, pf);
		}
		o = answer(true);
		json_add_item(o, "vf", vf);
		json_add_item(o, "pf", pfo);
		return o;
	}
	case AGENT_OP_POD:
		return op_pod(a, req->pod_ns, req->pod_name);
	case AGENT_OP_LEAKS:
		return op_leaks(a);
	case AGENT_OP_DEVLINK:
		o = answer(true);
		ag_dl_answer(a, o);
		return o;
	case AGENT_OP_PF_HEALTH:
		return op_pf_health(a);
	case AGENT_OP_N:
		break;
	}
	return error("unknown op");
}

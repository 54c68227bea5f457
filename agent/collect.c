/* SPDX-License-Identifier: MIT */
/* The map as a plain snapshot, a slice at a time (collect.h). */
#include "collect.h"
#include "leaks.h"
#include "map.h"
#include "devlink/reps.h"
#include "pflink/nl.h"
#include "pflink/numa.h"
#include "pods/procs.h"
#include "pflink/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* A path that only names a netns in words and labels: cut to fit. */
static void cut(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* VF netdevs whose counters one slice reads. */
#define NETDEVS_PER_SLICE 8

/* VFs of a PF whose details one slice collects: a quarter of what a "pf"
 * answer for a 64-VF PF costs. */
#define VFS_PER_SLICE 16

/* PCI functions one slice checks for being PFs (two sysfs reads each). */
#define FNS_PER_SLICE 32

enum phase { PH_LIST, PH_FILTER, PH_PFS, PH_NETDEVS, PH_DONE };

/* The PF's VF table with IFLA_VF_STATS, read now. */
struct vft {
	struct nl_vf *v;
	unsigned n;
};


struct ag_collect {
	bool counters;
	enum phase phase;
	struct ag_fn_list fns;		/* every PCI function, then */
	struct ag_fn_list pf;		/* the PFs among them, sorted */
	unsigned next;
	/* The PF begun last (the last of s->pfs): its VFs, the next to do,
	 * its VF table as read when it was begun. */
	bool in_pf;
	struct ag_fn_list vfl;
	unsigned vfl_next;
	struct vft t;
	struct mx_snap *s;
	/* The machine's NUMA nodes, read when the snapshot began. */
	struct numa_node nodes[NUMA_NODES_MAX];
	unsigned n_nodes;
	unsigned cap_pfs, cap_vfs, cap_stale, cap_holders;
	unsigned long long t0;
};

static int fn_listed(const char *bdf, void *arg)
{
	return ag_fn_list_add(0, bdf, arg);
}

int ag_collect_start(struct agent *a, bool counters, struct ag_collect **out)
{
	struct ag_collect *c = calloc(1, sizeof(*c));

	if (!c || !(c->s = calloc(1, sizeof(*c->s)))) {
		free(c);
		return -ENOMEM;
	}
	pci_numa_nodes(a->sysfd, c->nodes, NUMA_NODES_MAX, &c->n_nodes);
	c->counters = counters;
	c->s->counters = counters;
	c->t0 = pf_now_ns();
	*out = c;
	return 0;
}

void ag_collect_free(struct ag_collect *c)
{
	if (!c)
		return;
	mx_snap_free(c->s);
	free(c->fns.v);
	free(c->pf.v);
	free(c->vfl.v);
	free(c->t.v);
	free(c);
}

struct mx_snap *ag_collect_take(struct ag_collect *c)
{
	return c->phase == PH_DONE ? TAKE_PTR(c->s) : NULL;
}

static void numa_of(const struct agent *a, const char *bdf, int *out)
{
	if (pci_read_int(a->sysfd, bdf, "numa_node", out) < 0)
		*out = -1;
}

static void netdev_of(const struct agent *a, const char *bdf, char *name, char *netns, char *mac, bool *in_host)
{
	const struct ag_ns *ns = NULL;
	const struct ag_dev *d = ag_first_dev(a, bdf, &ns);

	name[0] = netns[0] = mac[0] = '\0';
	if (in_host)
		*in_host = false;
	if (!d)
		return;
	pf_strscpy(name, d->name, IF_NAMESIZE);
	pf_strscpy(netns, ns->label, PF_NETNS_PATH_MAX);
	pf_strscpy(mac, d->mac, MAC_STR_MAX);
	if (in_host)
		*in_host = ns->host;
}

static int take_vfs(const struct nl_link *l, void *arg)
{
	struct vft *t = arg;
	unsigned n = 0;

	free(t->v);
	t->v = NULL;
	t->n = 0;
	if (nl_link_vfs(l, NULL, 0, &n) < 0 || !n)
		return 0;
	t->v = calloc(n, sizeof(*t->v));
	if (t->v && nl_link_vfs(l, t->v, n, &t->n) < 0)
		t->n = 0;
	return 0;
}

static void ctr_from_vf(struct mx_ctr *c, const struct nl_vf *v)
{
	*c = (struct mx_ctr){
		.rx_bytes = v->rx_bytes, .rx_packets = v->rx_packets,
		.tx_bytes = v->tx_bytes, .tx_packets = v->tx_packets,
		.rx_dropped = v->rx_dropped, .tx_dropped = v->tx_dropped,
		.multicast = v->multicast, .broadcast = v->broadcast,
	};
}

/* The VF's holders, into the snapshot's list; its pod when no record
 * names one: the first holder the node names. */
static int vf_holders(struct agent *a, struct ag_collect *c, struct mx_vf *v, const struct pf_record *att)
{
	struct mx_snap *s = c->s;
	struct pod_holder h[POD_HOLDERS_MAX];
	const struct pod_holder *first;
	unsigned n = ag_holders(a, v->bdf, att, h, POD_HOLDERS_MAX), i;

	v->holder0 = s->n_holders;
	v->n_holders = 0;
	for (i = 0; i < n; i++) {
		if (pf_grow((void **)&s->holders, &c->cap_holders, s->n_holders, sizeof(*s->holders)) < 0)
			return -ENOMEM;
		s->holders[s->n_holders++] = h[i];
		v->n_holders++;
	}
	if (att || !(first = pod_holders_first(h, n)))
		return 0;
	v->has_pod = true;
	v->pod_source = first->src;
	pf_strscpy(v->pod_ns, first->ns, sizeof(v->pod_ns));
	pf_strscpy(v->pod, first->name, sizeof(v->pod));
	pf_strscpy(v->pod_uid, first->uid, sizeof(v->pod_uid));
	return 0;
}

/* What vf_dirty and numa_misaligned judge (leaks.c): the rest of the VF
 * table entry, the last pod seen holding the VF, and the CPUs a process
 * of its pod may run on: the process discovery met first in the netns of
 * the VF's netdev (map.h: walk_pid), read now. */
static void vf_dirty_numa(struct agent *a, const struct ag_collect *c, struct mx_vf *v, const struct nl_vf *cfg)
{
	const struct ag_last *last;
	const struct ag_ns *ns = NULL;
	struct numa_cpus cpus;

	if (cfg) {
		v->qos = cfg->qos;
		v->min_rate = cfg->min_rate;
		v->max_rate = cfg->max_rate;
	}
	if (v->has_pod) {
		ag_last_note(a, v->bdf, v->pod_ns, v->pod);
	} else if ((last = ag_last_of(a, v->bdf))) {
		pf_strscpy(v->last_pod_ns, last->pod_ns, sizeof(v->last_pod_ns));
		pf_strscpy(v->last_pod, last->pod, sizeof(v->last_pod));
	}
	/* numa_node -1 is never misaligned: no read (a single-node machine's
	 * every VF). */
	if (!v->has_pod || v->numa < 0 || !v->netdev[0] || v->in_host || !ag_first_dev(a, v->bdf, &ns) ||
	    ns->host || ns->walk_pid <= 0)
		return;
	/* Gone, or exited while read: the pod's CPUs stay unknown. */
	if (pods_cpus_of(a->o.proc, ns->walk_pid, ns->id.dev, ns->id.ino, &cpus) < 0)
		return;
	v->has_cpus = true;
	numa_cpulist_fmt(&cpus, v->cpus, sizeof(v->cpus));
	v->cpu_nodes = numa_nodes_of(&cpus, c->nodes, c->n_nodes);
}

static int vf_fill(struct agent *a, struct ag_collect *c, struct mx_vf *v, const struct ag_dev *pfdev,
		   const struct vft *t)
{
	const struct nl_vf *cfg = ag_vf_config(pfdev, v->index);
	const struct pf_record *att = ag_attachment_of(a, v->bdf);
	bool gone = false;
	unsigned i;

	if (pci_driver(a->sysfd, v->bdf, v->driver, sizeof(v->driver)) < 0)
		v->driver[0] = '\0';
	numa_of(a, v->bdf, &v->numa);
	netdev_of(a, v->bdf, v->netdev, v->netns, v->netdev_mac, &v->in_host);
	v->spoofchk = v->trust = v->linkstate = -1;
	if (cfg) {
		v->has_config = true;
		nl_fmt_mac(cfg->mac, sizeof(cfg->mac), v->admin_mac, sizeof(v->admin_mac));
		v->vlan = cfg->vlan;
		v->spoofchk = cfg->spoofchk;
		v->trust = cfg->trust;
		v->linkstate = cfg->linkstate;
	}
	if (att) {
		gone = !v->netdev[0] && ag_netns_gone(a, att->netns);
		v->has_pod = true;
		v->pod_source = POD_SRC_RECORD;
		pf_strscpy(v->pod_ns, att->pod_namespace, sizeof(v->pod_ns));
		pf_strscpy(v->pod, att->pod_name, sizeof(v->pod));
		pf_strscpy(v->pod_uid, att->pod_uid, sizeof(v->pod_uid));
		pf_strscpy(v->ifname, att->ifname, sizeof(v->ifname));
		pf_strscpy(v->network, att->network, sizeof(v->network));
		cut(v->pod_netns, att->netns, sizeof(v->pod_netns));
	}
	v->orphan = leak_orphan(att ? att->pod_namespace : NULL, gone, v->netdev[0] ? v->netdev : NULL, v->in_host);
	for (i = 0; t && i < t->n; i++)
		if (t->v[i].index == v->index && t->v[i].has_stats) {
			v->has_vf_stats = true;
			ctr_from_vf(&v->vf_stats, &t->v[i]);
			break;
		}
	if (vf_holders(a, c, v, att) < 0)
		return -ENOMEM;
	vf_dirty_numa(a, c, v, cfg);
	return 0;
}

/* A PF: its facts, its VF table with IFLA_VF_STATS as it is now (the
 * map's copy has no statistics: dumps skip them), the list of its VFs.
 * Their details come in the next slices, VFS_PER_SLICE at a time. */
static int pf_begin(struct agent *a, struct ag_collect *c, const char *bdf)
{
	struct mx_snap *s = c->s;
	struct pci_fn fn;
	const struct ag_ns *ns = NULL;
	const struct ag_dev *pfdev;
	const char *esw;
	struct mx_pf *p;
	int r;

	if (pci_describe_pf(a->sysfd, bdf, &fn) < 0 || !fn.is_pf)
		return 0;	/* gone since the list was made */
	if (pf_grow((void **)&s->pfs, &c->cap_pfs, s->n_pfs, sizeof(*s->pfs)) < 0)
		return -ENOMEM;
	p = &s->pfs[s->n_pfs++];
	memset(p, 0, sizeof(*p));
	memcpy(p->bdf, fn.bdf, PCI_BDF_LEN);
	pf_strscpy(p->driver, fn.driver, sizeof(p->driver));
	p->numvfs = fn.numvfs;
	p->totalvfs = fn.totalvfs;
	numa_of(a, fn.bdf, &p->numa);
	netdev_of(a, fn.bdf, p->netdev, p->netns, p->mac, NULL);
	esw = ag_dl_eswitch(a, fn.bdf);
	pf_strscpy(p->eswitch, esw ? esw : "", sizeof(p->eswitch));
	pfdev = ag_first_dev(a, fn.bdf, &ns);
	if (pfdev)
		p->link = pfdev->link;
	/* (Not from a netns whose request socket is dumping: no counters
	 * this time.) */
	if (c->counters && pfdev && !ag_ns_busy(ns) &&
	    nl_link_query(ns->req, pfdev->ifindex, NL_WANT_VFS | NL_WANT_STATS, take_vfs, &c->t) == 0)
		p->vf_stats_asked = true;
	c->vfl.n = 0;
	c->vfl_next = 0;
	r = pci_foreach_vf(a->sysfd, fn.bdf, ag_fn_list_add, &c->vfl);
	if (r == -ENOMEM)
		return r;
	ag_fn_list_sort(&c->vfl, true);
	c->in_pf = true;
	return 0;
}

/* The next VFs of the PF begun last. */
static int pf_vfs(struct agent *a, struct ag_collect *c)
{
	struct mx_snap *s = c->s;
	const char *pf = s->pfs[s->n_pfs - 1].bdf;
	const struct ag_dev *pfdev = ag_first_dev(a, pf, NULL);
	unsigned done;

	for (done = 0; c->vfl_next < c->vfl.n && done < VFS_PER_SLICE; c->vfl_next++, done++) {
		struct mx_vf *v;

		if (pf_grow((void **)&s->vfs, &c->cap_vfs, s->n_vfs, sizeof(*s->vfs)) < 0)
			return -ENOMEM;
		v = &s->vfs[s->n_vfs++];
		memset(v, 0, sizeof(*v));
		memcpy(v->pf, pf, PCI_BDF_LEN);
		memcpy(v->bdf, c->vfl.v[c->vfl_next].bdf, PCI_BDF_LEN);
		v->index = c->vfl.v[c->vfl_next].idx;
		if (vf_fill(a, c, v, pfdev, &c->t) < 0)
			return -ENOMEM;
	}
	if (c->vfl_next == c->vfl.n) {
		c->in_pf = false;
		free(c->t.v);
		c->t = (struct vft){ 0 };
	}
	return 0;
}

static int take_stats(const struct nl_link *l, void *arg)
{
	struct mx_vf *v = arg;

	if (!l->has_stats)
		return 0;
	v->has_netdev_stats = true;
	v->netdev_stats = (struct mx_ctr){
		.rx_bytes = l->stats.rx_bytes, .rx_packets = l->stats.rx_packets,
		.tx_bytes = l->stats.tx_bytes, .tx_packets = l->stats.tx_packets,
		.rx_dropped = l->stats.rx_dropped, .tx_dropped = l->stats.tx_dropped,
		.multicast = l->stats.multicast,
	};
	return 0;
}

/* The link counters of the next VF netdevs, each read in its netns now. */
static void netdev_slice(struct agent *a, struct ag_collect *c)
{
	unsigned done = 0;

	for (; c->next < c->s->n_vfs && done < NETDEVS_PER_SLICE; c->next++) {
		struct mx_vf *v = &c->s->vfs[c->next];
		const struct ag_ns *ns = NULL;
		const struct ag_dev *d;

		if (!v->netdev[0] || !(d = ag_first_dev(a, v->bdf, &ns)) || ag_ns_busy(ns))
			continue;
		nl_link_query(ns->req, d->ifindex, NL_WANT_STATS, take_stats, v);
		done++;
	}
}

/* Records whose netns is gone, and the agent's own numbers. */
static int finish(struct agent *a, struct ag_collect *c)
{
	struct mx_snap *s = c->s;
	struct agent_stats st;
	unsigned i;

	for (i = 0; i < a->n_att; i++) {
		const struct ag_att *e = &a->att[i];
		struct mx_stale *x;

		if (!ag_netns_gone(a, e->rec.netns))
			continue;
		if (pf_grow((void **)&s->stale, &c->cap_stale, s->n_stale, sizeof(*s->stale)) < 0)
			return -ENOMEM;
		x = &s->stale[s->n_stale++];
		memset(x, 0, sizeof(*x));
		memcpy(x->vf, e->rec.vf, PCI_BDF_LEN);
		memcpy(x->pf, e->rec.pf, PCI_BDF_LEN);
		pf_strscpy(x->pod_ns, e->rec.pod_namespace, sizeof(x->pod_ns));
		pf_strscpy(x->pod, e->rec.pod_name, sizeof(x->pod));
		pf_strscpy(x->pod_uid, e->rec.pod_uid, sizeof(x->pod_uid));
		pf_strscpy(x->ifname, e->rec.ifname, sizeof(x->ifname));
		pf_strscpy(x->network, e->rec.network, sizeof(x->network));
		cut(x->netns, e->rec.netns, sizeof(x->netns));
		pf_strscpy(x->file, e->file, sizeof(x->file));
	}
	agent_get_stats(a, &st);
	s->agent.start_ns = a->start_ns;
	s->agent.now_ns = pf_now_ns();
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		s->agent.start_unix = (double)ts.tv_sec + ts.tv_nsec / 1e9 -
				      (double)(s->agent.now_ns - a->start_ns) / 1e9;
	}
	s->agent.netns = st.netns;
	s->agent.ns_skipped = st.ns_skipped;
	s->agent.ns_denied = st.ns_denied;
	s->agent.ns_userns = st.ns_userns;
	s->agent.ns_over_budget = st.ns_over_budget;
	for (i = 0; i < a->n_ns && s->agent.n_over < ARRAY_SIZE(s->agent.over); i++) {
		struct mx_over *o = &s->agent.over[s->agent.n_over];

		if (!a->ns[i]->over_budget)
			continue;
		cut(o->netns, a->ns[i]->label, sizeof(o->netns));
		o->links = a->ns[i]->links;
		s->agent.n_over++;
	}
	s->agent.devices = st.devices;
	s->agent.pfs = st.pfs;
	s->agent.vfs = st.vfs;
	s->agent.representors = st.representors;
	s->agent.attachments = a->n_att;
	s->agent.scans = st.scans;
	s->agent.events = st.events;
	s->agent.deferred = st.deferred;
	s->agent.overflows = st.overflows;
	s->agent.probes = st.probes;
	s->agent.record_loads = a->record_loads;
	s->agent.event_buffer = a->ev_rcvbuf;
	if (a->pods) {
		unsigned rt;

		for (rt = 0; rt < POD_RT_N; rt++) {
			struct pods_root_info ri;
			struct mx_runtime *m = &s->agent.runtime[rt];

			pods_index_root(a->pods, rt, &ri);
			cut(m->path, ri.path, sizeof(m->path));
			m->state = ri.state;
			m->entries = ri.entries;
			m->reads = ri.reads;
			memcpy(m->skipped, ri.skipped, sizeof(m->skipped));
			m->unavailable = ri.unavailable;
		}
		pods_index_stats(a->pods, &s->agent.pods);
	}
	s->agent.fd_holders = a->n_fdh;
	s->agent.dump = a->hist.dump;
	s->agent.discovery = a->hist.discovery;
	memcpy(s->agent.answer, a->hist.answer, sizeof(s->agent.answer));
	return 0;
}

int ag_collect_step(struct agent *a, struct ag_collect *c)
{
	unsigned long long t = pf_now_ns(), dt;
	enum phase phase;
	int r = 0;

	if (c->phase == PH_DONE)
		return 1;
	phase = c->phase;
	if (ag_index(a) < 0)
		return -ENOMEM;
	switch (c->phase) {
	case PH_LIST:
		/* readdir alone: which are PFs is the next slices' work. */
		r = pci_foreach_fn(a->sysfd, fn_listed, &c->fns);
		if (r == -ENOMEM)
			return r;
		c->phase = PH_FILTER;
		r = 0;
		break;
	case PH_FILTER: {
		unsigned done;

		for (done = 0; c->next < c->fns.n && done < FNS_PER_SLICE; c->next++, done++)
			if (ag_pf_shown(a, c->fns.v[c->next].bdf) &&
			    (r = ag_fn_list_add(0, c->fns.v[c->next].bdf, &c->pf)) < 0)
				return r;
		if (c->next == c->fns.n) {
			ag_fn_list_sort(&c->pf, false);
			c->next = 0;
			c->phase = PH_PFS;
		}
		break;
	}
	case PH_PFS:
		if (c->in_pf)
			r = pf_vfs(a, c);
		else if (c->next < c->pf.n)
			r = pf_begin(a, c, c->pf.v[c->next++].bdf);
		if (!c->in_pf && c->next == c->pf.n) {
			c->next = 0;
			c->phase = c->counters ? PH_NETDEVS : PH_DONE;
		}
		break;
	case PH_NETDEVS:
		netdev_slice(a, c);
		if (c->next == c->s->n_vfs)
			c->phase = PH_DONE;
		break;
	case PH_DONE:
		break;
	}
	if (r == 0 && c->phase == PH_DONE)
		r = finish(a, c);
	if (r < 0)
		return r;
	dt = pf_now_ns() - t;
	if (dt > 5000000)
		ag_log(a, PF_LOG_DEBUG, "snapshot: a slice of phase %d took %llu us", (int)phase, dt / 1000);
	c->s->agent.collect_ns += dt;
	c->s->agent.slices++;
	if (dt > c->s->agent.slice_max_ns)
		c->s->agent.slice_max_ns = dt;
	return c->phase == PH_DONE;
}

int ag_collect_all(struct agent *a, bool counters, struct mx_snap **out)
{
	struct ag_collect *c = NULL;
	int r = ag_collect_start(a, counters, &c);

	while (r == 0)
		r = ag_collect_step(a, c);
	if (r > 0)
		*out = ag_collect_take(c);
	ag_collect_free(c);
	return r < 0 ? r : 0;
}

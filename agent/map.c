/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's map: for every tracked netns, the links that are PCI functions
 * (by ethtool bus_info), kept current by that netns' link events.
 */
#include "map.h"
#include "discover.h"
#include "pflink/ethtool.h"
#include "pflink/record.h"
#include "pflink/util.h"

#include "pflink/nl.h"
#include "pods/procs.h"

#include <errno.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>


__attribute__((format(printf, 3, 4)))
void ag_log(const struct agent *a, enum pf_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pf_vlogf(a->o.log, lvl, fmt, ap);
	va_end(ap);
}

/* ---- devices of one netns ------------------------------------------- */

static struct ag_dev *dev_find(struct ag_ns *ns, int ifindex)
{
	unsigned i;

	for (i = 0; i < ns->n_devs; i++)
		if (ns->devs[i].ifindex == ifindex)
			return &ns->devs[i];
	return NULL;
}

static void dev_clear(struct ag_dev *d)
{
	free(d->vfc);
	d->vfc = NULL;
	d->n_vfc = 0;
}

static void dev_remove(struct ag_ns *ns, int ifindex)
{
	struct ag_dev *d = dev_find(ns, ifindex);

	if (!d)
		return;
	dev_clear(d);
	*d = ns->devs[--ns->n_devs];
	ns->a->map_gen++;
}

/* One link as a message told it, before any I/O: collected while the
 * kernel's answer is read, acted on (ethtool, sysfs) only after, so a
 * dump is read as fast as the kernel sends it. */
struct ag_seen {
	struct nl_link l;		/* l.msg cleared: the message is gone */
	struct nl_vf *vfs;		/* owned; with has_vfs */
	unsigned n_vfs;
	bool has_vfs;			/* the message carried a VF table (IFLA_NUM_VF) */
};

struct seen_list {
	struct ag_seen *v;
	unsigned n, cap;
};

static void seen_clear(struct seen_list *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].vfs);
	s->n = 0;
}

static void seen_free(struct seen_list *s)
{
	seen_clear(s);
	free(s->v);
	s->v = NULL;
	s->cap = 0;
}

/* nl_link_cb: parse, copy, nothing else. */
static int collect(const struct nl_link *l, void *arg)
{
	struct seen_list *s = arg;
	struct ag_seen *e;
	unsigned n = 0;

	if (s->n == s->cap) {
		unsigned cap = s->cap ? 2 * s->cap : 16;
		struct ag_seen *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->l = *l;
	e->l.msg = NULL;
	e->l.msg_len = 0;
	if (l->has_num_vf) {
		/* A message asked with the VF filter: its table replaces the
		 * last one (empty when the PF has no VFs any more). */
		e->has_vfs = true;
		if (nl_link_vfs(l, NULL, 0, &n) < 0)
			n = 0;
		if (n && (e->vfs = calloc(n, sizeof(*e->vfs))) &&
		    nl_link_vfs(l, e->vfs, n, &e->n_vfs) < 0)
			e->n_vfs = 0;
	}
	s->n++;
	return 0;
}

/* ---- links known not to be PCI functions ------------------------------- */

static unsigned nonpci_pos(const struct ag_ns *ns, int ifindex)
{
	unsigned lo = 0, hi = ns->n_nonpci;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (ns->nonpci[mid] < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool nonpci_has(const struct ag_ns *ns, int ifindex)
{
	unsigned i = nonpci_pos(ns, ifindex);

	return i < ns->n_nonpci && ns->nonpci[i] == ifindex;
}

/* False when the netns has as many as the link budget already: then it is
 * over budget and remembers no more (its events and dumps keep only links
 * with a parent device, which never need remembering). */
static bool nonpci_add(struct ag_ns *ns, int ifindex)
{
	unsigned i = nonpci_pos(ns, ifindex);

	if (i < ns->n_nonpci && ns->nonpci[i] == ifindex)
		return true;
	if (ns->n_nonpci >= ns->a->o.link_budget)
		return false;
	if (ns->n_nonpci == ns->cap_nonpci) {
		unsigned cap = ns->cap_nonpci ? 2 * ns->cap_nonpci : 8;
		int *nv = realloc(ns->nonpci, cap * sizeof(*nv));

		if (!nv)
			return true;	/* then it costs an ethtool call next time */
		ns->nonpci = nv;
		ns->cap_nonpci = cap;
	}
	memmove(ns->nonpci + i + 1, ns->nonpci + i, (ns->n_nonpci - i) * sizeof(*ns->nonpci));
	ns->nonpci[i] = ifindex;
	ns->n_nonpci++;
	return true;
}

static void nonpci_del(struct ag_ns *ns, int ifindex)
{
	unsigned i = nonpci_pos(ns, ifindex);

	if (i < ns->n_nonpci && ns->nonpci[i] == ifindex) {
		memmove(ns->nonpci + i, ns->nonpci + i + 1, (ns->n_nonpci - i - 1) * sizeof(*ns->nonpci));
		ns->n_nonpci--;
	}
}

/* The PCI function a new link belongs to, into bdf: from the message
 * itself where the kernel names the parent device (5.16+: no rename can
 * come between), else ethtool by name with the ifindex checked around the
 * call.  A netdev on a vDPA device belongs to the PCI function the vDPA
 * device hangs off.  -ESTALE: nothing known (the name moved meanwhile, and
 * its own events follow); -ENODEV: not a PCI function. */
static int link_function(struct agent *a, struct ag_ns *ns, const struct nl_link *l, char bdf[PCI_BDF_LEN])
{
	struct ethtool_info eth;
	int r;

	if (l->parent_bus[0])
		a->parents_named = true;
	if (!strcmp(l->parent_bus, "pci") && pci_bdf_parse(l->parent_dev, bdf) == 0)
		return 0;
	/* A kernel that names parents (one link said so: the host's NICs
	 * come first) names every PCI netdev's, so a link without one -- a
	 * pod's veth, a bridge -- is no PCI function and costs no ioctl.
	 * Before 5.16 every link is asked. */
	if (!l->parent_bus[0] && a->parents_named)
		return -ENODEV;
	a->stats.probes++;
	r = ethtool_drvinfo_of(ns->ethfd, l->name, l->ifindex, &eth);
	/* Only "no driver info" says what the link is; anything else (it
	 * went away, out of memory) says nothing worth remembering. */
	if (r == -EOPNOTSUPP)
		return -ENODEV;
	if (r < 0)
		return -ESTALE;
	if (pci_bdf_parse(eth.bus_info, bdf) == 0)
		return 0;
	if (!strncmp(eth.bus_info, "vdpa", 4) && pci_vdpa_function(a->sysfd, eth.bus_info, bdf) == 0)
		return 0;
	return -ENODEV;
}

static void due_set(struct agent *a, struct ag_ns *ns, bool due);

/* Links beyond the budget came by events: mark the netns, and count its
 * links with a dump in the background, soon. */
static void ns_over_budget(struct agent *a, struct ag_ns *ns)
{
	if (ns->over_budget)
		return;
	ns->over_budget = true;
	if (!ns->ev)
		return;		/* a dump's table: the dump counts */
	ag_log(a, PF_LOG_WARNING,
	       "netns %s has over %u links, the budget: only its links with a parent device are kept",
	       ns->label, a->o.link_budget);
	ns->next_dump_ns = 0;
	due_set(a, ns, true);
}

/* A PF's link health from a message (pfhealth.h).  Every RTM_NEWLINK
 * repeats the whole state, and each PF event is followed by a query for
 * its VF table: ethtool is asked for the speed only when the state
 * changed, and only with a carrier (without one the speed is unknown). */
static void pf_link_update(struct agent *a, struct ag_ns *ns, struct ag_dev *d, const struct nl_link *l)
{
	struct mx_link n = d->link;

	n.known = true;
	n.admin_up = l->flags & IFF_UP;
	n.operstate = l->has_operstate ? l->operstate : -1;
	n.carrier = l->has_carrier ? l->carrier : -1;
	n.carrier_changes = l->has_carrier_changes ? (long long)l->carrier_changes : -1;
	if (!d->link.known || n.admin_up != d->link.admin_up || n.operstate != d->link.operstate ||
	    n.carrier != d->link.carrier) {
		n.speed_mbps = -1;
		if (n.admin_up && n.carrier != 0) {
			a->stats.speed_probes++;
			if (ethtool_speed_of(ns->ethfd, l->name, l->ifindex, &n.speed_mbps) < 0)
				n.speed_mbps = -1;
		}
	}
	d->link = n;
}

/* A link was seen (dump, event or query): record it if it is a PCI
 * function; takes the VF table.  Returns true when the map changed. */
static bool ns_upsert(struct agent *a, struct ag_ns *ns, struct ag_seen *e)
{
	const struct nl_link *l = &e->l;
	struct ag_dev *d = dev_find(ns, l->ifindex);
	char bdf[PCI_BDF_LEN] = "";
	struct port_id port;
	enum port_kind kind = classify_port(l->phys_port_name, &port);

	if (l->flags & IFF_LOOPBACK)
		return false;
	if (!d) {
		bool rep = classify_is_representor(kind) && l->switch_id_len;
		unsigned tv;
		int r;

		/* Over budget: no ethtool, nothing remembered, for a link
		 * without a parent device; and never more netdevs than the
		 * budget (a hostile netns cannot grow the map past it). */
		if ((ns->over_budget && !l->parent_bus[0]) || ns->n_devs >= a->o.link_budget)
			return false;
		if (nonpci_has(ns, l->ifindex))
			return false;
		r = link_function(a, ns, l, bdf);
		if (r == -ESTALE)
			return false;
		/* Not every link has a bus address; those are not ours (and
		 * are remembered as such: a link's bus never changes).  A
		 * representor is, with or without one (mlx5's and bnxt's have
		 * none before Linux 6.2). */
		if (r < 0 && !rep) {
			if (!nonpci_add(ns, l->ifindex))
				ns_over_budget(a, ns);
			return false;
		}
		if (ns->n_devs == ns->cap_devs) {
			unsigned cap = ns->cap_devs ? 2 * ns->cap_devs : 2;
			struct ag_dev *nd = realloc(ns->devs, cap * sizeof(*nd));

			if (!nd)
				return false;
			ns->devs = nd;
			ns->cap_devs = cap;
		}
		d = &ns->devs[ns->n_devs++];
		memset(d, 0, sizeof(*d));
		a->map_gen++;
		d->ifindex = l->ifindex;
		memcpy(d->bdf, bdf, sizeof(bdf));
		d->kind = kind;
		/* A representor stands for another function: never the PF's
		 * (or a VF's) own netdev. */
		if (bdf[0] && !classify_is_representor(kind)) {
			char pf[PCI_BDF_LEN];

			d->is_pf = pci_read_uint(a->sysfd, bdf, "sriov_totalvfs", &tv) == 0;
			d->is_vf = pci_physfn(a->sysfd, bdf, pf) == 0;
		}
	}
	pf_strscpy(d->name, l->name, sizeof(d->name));
	nl_fmt_mac(l->mac, l->maclen, d->mac, sizeof(d->mac));
	pf_strscpy(d->port, l->phys_port_name, sizeof(d->port));
	/* The port name of an ifindex does not change, but be exact. */
	if (d->kind != kind) {
		d->kind = kind;
		if (classify_is_representor(kind))
			d->is_pf = d->is_vf = false;
	}
	nl_fmt_hex(l->switch_id, l->switch_id_len, d->swid);
	if (d->is_pf)
		pf_link_update(a, ns, d, l);
	if (d->is_pf && e->has_vfs) {
		free(d->vfc);
		d->vfc = TAKE_PTR(e->vfs);
		d->n_vfc = e->n_vfs;
	}
	return true;
}

static void devs_free(struct ag_dev *devs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		dev_clear(&devs[i]);
	free(devs);
}

/* ---- dumps -------------------------------------------------------------

 * A netns' links are read in slices: each slice's candidates (links that
 * may be a PCI function's netdev) go into the new table before the next
 * slice is read, so no dump holds a whole netns in memory.  Up to the
 * agent's link budget the dump is done at once; a netns with more links
 * (a pod with NET_ADMIN can make a hundred thousand) is marked over
 * budget, keeps only links with a parent device, and its dump goes on a
 * slice per turn of the serving loop, so lookups are answered meanwhile.
 * Its events wait in their socket until the dump is through. */

/* Links one slice reads: a few milliseconds of the loop. */
#define DUMP_SLICE 512
/* An over-budget netns is dumped again at most this often, relative to
 * the loop time its last dump took: dumps then take at most 1/20 of the
 * loop, however many links the netns is given. */
#define DUMP_SPACING 20

struct ag_dump {
	struct nl_dump *d;
	struct ag_ns *tab;		/* the table being filled: devs and nonpci only */
	struct seen_list s;
	unsigned links, tries;
	unsigned long long loop_ns;	/* serving-loop time spent on it */
};

/* Only a link with a parent device can be a PCI function's netdev (or
 * carry a representor): a pod makes as many software links as it likes,
 * none with one.  Before Linux 5.16 no link names its parent, and every
 * link but loopback is a candidate for ethtool. */
static bool dump_candidate(struct agent *a, const struct ag_dump *dp, const struct nl_link *l)
{
	struct port_id port;

	if (l->flags & IFF_LOOPBACK)
		return false;
	if (l->parent_bus[0]) {
		a->parents_named = true;
		return true;
	}
	if (dp->links > a->o.link_budget)
		return false;
	return !a->parents_named ||
	       (classify_is_representor(classify_port(l->phys_port_name, &port)) && l->switch_id_len);
}

/* nl_link_cb of a dump: count every link, keep the candidates. */
static int dump_seen(const struct nl_link *l, void *arg)
{
	struct ag_dump *dp = arg;

	dp->links++;
	return dump_candidate(dp->tab->a, dp, l) ? collect(l, &dp->s) : 0;
}

/* Stop reading ns' events (while its request socket dumps), or again. */
static void ns_hold_events(struct agent *a, struct ag_ns *ns, bool hold)
{
	struct epoll_event ev = { .events = hold ? 0 : EPOLLIN, .data.ptr = ns };

	if (ns->ev)
		epoll_ctl(a->nsep, EPOLL_CTL_MOD, nl_handle_fd(ns->ev), &ev);
}

static void table_clear(struct ag_ns *t)
{
	devs_free(t->devs, t->n_devs);
	free(t->nonpci);
	t->devs = NULL;
	t->nonpci = NULL;
	t->n_devs = t->cap_devs = t->n_nonpci = t->cap_nonpci = 0;
}

static void dump_free(struct agent *a, struct ag_ns *ns, bool drain)
{
	struct ag_dump *dp = ns->dump;

	if (!dp)
		return;
	nl_link_dump_free(dp->d, drain);
	table_clear(dp->tab);
	free(dp->tab);
	seen_free(&dp->s);
	free(dp);
	ns->dump = NULL;
	a->n_dumping--;
	ns_hold_events(a, ns, false);
}

/* sent: the request socket's first dump, asked when it was made
 * (ns_socks). */
static int dump_begin(struct agent *a, struct ag_ns *ns, bool sent)
{
	struct ag_dump *dp = calloc(1, sizeof(*dp));
	int r;

	if (!dp || !(dp->tab = calloc(1, sizeof(*dp->tab)))) {
		free(dp);
		return -ENOMEM;
	}
	dp->tab->a = a;
	dp->tab->ethfd = ns->ethfd;
	pf_strscpy(dp->tab->label, ns->label, sizeof(dp->tab->label));
	r = sent ? nl_link_dump_sent(ns->req, NL_WANT_VFS, &dp->d) : nl_link_dump_start(ns->req, NL_WANT_VFS, &dp->d);
	if (r < 0) {
		free(dp->tab);
		free(dp);
		return r;
	}
	ns->dump = dp;
	a->n_dumping++;
	return 0;
}

/* One slice: 1 when the dump is through, 0 when more follows, -errno. */
static int dump_slice(struct agent *a, struct ag_ns *ns)
{
	struct ag_dump *dp = ns->dump;
	unsigned long long t0 = pf_now_ns();
	unsigned i;
	int r = nl_link_dump_step(dp->d, DUMP_SLICE, dump_seen, dp);

	dp->tab->over_budget = dp->links > a->o.link_budget;
	for (i = 0; i < dp->s.n; i++)
		ns_upsert(a, dp->tab, &dp->s.v[i]);
	seen_clear(&dp->s);
	/* Links changing during the dump make the kernel flag it
	 * NLM_F_DUMP_INTR; a message too big for the buffer grew it: the
	 * dump starts again, into an empty table.  Not a netns over budget
	 * whose links change: its pod can keep every dump interrupted, and
	 * nothing of it but its links with a parent device is kept anyway
	 * (their events follow the dump); its count is then approximate. */
	if (r == -EINTR && dp->tab->over_budget)
		r = 1;
	if ((r == -EINTR || r == -EMSGSIZE) && ++dp->tries < NL_DUMP_TRIES) {
		table_clear(dp->tab);
		dp->links = 0;
		r = nl_link_dump_restart(dp->d);
	}
	t0 = pf_now_ns() - t0;
	dp->loop_ns += t0;
	if (t0 > 10000000ull)
		ag_log(a, PF_LOG_DEBUG, "netns %s: a dump slice took %llu ms", ns->label, t0 / 1000000);
	return r;
}

/* The next dump of a netns over budget, after this one took loop_ns. */
static void dump_space(struct agent *a, struct ag_ns *ns, unsigned long long loop_ns)
{
	unsigned long long gap = DUMP_SPACING * loop_ns, min = a->o.rescan_ms * 1000000ull;

	ns->next_dump_ns = pf_now_ns() + (gap > min ? gap : min);
}

/* The dump went through: its table replaces the netns' own. */
static void dump_finish(struct agent *a, struct ag_ns *ns)
{
	struct ag_dump *dp = ns->dump;
	struct ag_ns *t = dp->tab;
	bool was = ns->over_budget;

	devs_free(ns->devs, ns->n_devs);
	free(ns->nonpci);
	ns->devs = TAKE_PTR(t->devs);
	ns->n_devs = t->n_devs;
	ns->cap_devs = t->cap_devs;
	ns->nonpci = TAKE_PTR(t->nonpci);
	ns->n_nonpci = t->n_nonpci;
	ns->cap_nonpci = t->cap_nonpci;
	t->n_devs = t->cap_devs = t->n_nonpci = t->cap_nonpci = 0;
	ns->links = dp->links;
	ns->over_budget = dp->links > a->o.link_budget;
	if (ns->over_budget)
		dump_space(a, ns, dp->loop_ns);
	if (ns->over_budget && !was)
		ag_log(a, PF_LOG_WARNING,
		       "netns %s has %u links, over the budget of %u: only its links with a parent device are kept, and it is dumped again at most every %llu ms",
		       ns->label, ns->links, a->o.link_budget, (ns->next_dump_ns - pf_now_ns()) / 1000000);
	else if (was && !ns->over_budget)
		ag_log(a, PF_LOG_INFO, "netns %s has %u links: within the budget again", ns->label, ns->links);
	a->map_gen++;
	a->stats.scans++;
	a->stats.last_scan_ns = dp->loop_ns;
	mx_hist_observe(&a->hist.dump, dp->loop_ns);
	dump_free(a, ns, false);
}

/* Full dump of a netns, with the VF tables of its PFs, into a new table
 * that replaces the old one only when the dump went through: a failed
 * dump leaves the map as it was, not empty.  Up to the link budget it is
 * done now; beyond, the netns is marked and the rest goes on in the
 * background (agent_dump_work).  0, or -EIO when the dump failed. */
static int ns_dump(struct agent *a, struct ag_ns *ns, bool sent)
{
	int r;

	if (ns->dump)
		return 0;	/* one is on its way */
	if (dump_begin(a, ns, sent) < 0)
		return -EIO;
	do
		r = dump_slice(a, ns);
	while (r == 0 && ns->dump->links <= a->o.link_budget);
	if (r == 1) {
		dump_finish(a, ns);
		return 0;
	}
	if (r < 0) {
		dump_free(a, ns, true);
		return -EIO;
	}
	if (!ns->over_budget)
		ag_log(a, PF_LOG_WARNING,
		       "netns %s has over %u links, the budget: only its links with a parent device are kept; the rest of its dump goes on in the background",
		       ns->label, a->o.link_budget);
	ns->over_budget = true;
	ns_hold_events(a, ns, true);
	return 0;
}

static void due_set(struct agent *a, struct ag_ns *ns, bool due)
{
	if (ns->dump_due == due)
		return;
	ns->dump_due = due;
	if (due)
		a->n_due++;
	else
		a->n_due--;
}

int agent_dump_work(struct agent *a)
{
	unsigned long long now = pf_now_ns(), next = ~0ull;
	unsigned i;

	if (!a->n_dumping && !a->n_due)
		return -1;
	for (i = 0; i < a->n_ns; i++) {
		unsigned k = (a->dump_rr + i) % a->n_ns;
		struct ag_ns *ns = a->ns[k];
		int r;

		if (!ns->dump && ns->dump_due && ns->next_dump_ns <= now) {
			due_set(a, ns, false);
			if (dump_begin(a, ns, false) < 0)
				continue;
			ns_hold_events(a, ns, true);
		}
		if (!ns->dump) {
			if (ns->dump_due && ns->next_dump_ns < next)
				next = ns->next_dump_ns;
			continue;
		}
		r = dump_slice(a, ns);
		if (r == 1) {
			dump_finish(a, ns);
		} else if (r < 0) {
			ag_log(a, PF_LOG_WARNING, "netns %s: dump failed (%s), the map keeps what it had", ns->label,
			       strerror(-r));
			dump_space(a, ns, ns->dump->loop_ns);
			dump_free(a, ns, true);
		}
		a->dump_rr = k + 1;
		return 0;
	}
	if (next == ~0ull)
		return -1;
	return (int)((next - now) / 1000000ull) + 1;
}

/* Events one wakeup takes from one netns: a netns churning links must not
 * keep the serving loop from its clients (the rest stays queued, and the
 * socket readable, for the next turn). */
#define EVENT_BUDGET 128
/* The receive buffer asked for each netns' event socket (the kernel gives
 * twice that): a burst of a few thousand link events. */
#define EVENT_RCVBUF (1 << 20)

/* Drain one netns' event socket, at most EVENT_BUDGET events. */
int ag_ns_events(struct agent *a, struct ag_ns *ns)
{
	struct seen_list s = { 0 };
	int refresh[16];
	unsigned i, n_refresh = 0;
	int r;

	/* They wait while the netns is dumped (its request socket is busy,
	 * and the dump's table replaces what they would change). */
	if (ns->dump)
		return 0;
	r = nl_link_events(ns->ev, EVENT_BUDGET, collect, &s);
	if (r == -ENOBUFS) {
		/* Events were lost.  What is still queued is older than what
		 * the kernel dropped after it, so applied after a dump it would
		 * undo the dump (a link's old name, a link since deleted): drop
		 * it, then dump. */
		a->stats.overflows++;
		seen_free(&s);
		nl_link_drain(ns->ev);
		/* A netns over budget overflows as often as its pod likes:
		 * its dumps are spaced (dump_finish). */
		if (ns->over_budget && pf_now_ns() < ns->next_dump_ns) {
			due_set(a, ns, true);
			return 0;
		}
		ag_log(a, PF_LOG_WARNING, "netns %s: link events overflowed, rescanning", ns->label);
		if (ns_dump(a, ns, false) < 0)
			ag_log(a, PF_LOG_WARNING, "netns %s: rescan failed, the map keeps what it had", ns->label);
		return 0;
	}
	if (r >= EVENT_BUDGET)
		a->stats.deferred++;
	a->stats.events += s.n;
	for (i = 0; i < s.n; i++) {
		struct ag_dev *d;

		if (s.v[i].l.type == RTM_DELLINK) {
			dev_remove(ns, s.v[i].l.ifindex);
			nonpci_del(ns, s.v[i].l.ifindex);
			continue;
		}
		if (!ns_upsert(a, ns, &s.v[i]))
			continue;
		/* Events carry no VF table (the kernel fills them without
		 * RTEXT_FILTER_VF): ask for the PF's. */
		d = dev_find(ns, s.v[i].l.ifindex);
		if (d && d->is_pf && n_refresh < ARRAY_SIZE(refresh))
			refresh[n_refresh++] = d->ifindex;
	}
	seen_free(&s);
	for (i = 0; i < n_refresh; i++) {
		seen_clear(&s);
		if (nl_link_query(ns->req, refresh[i], NL_WANT_VFS, collect, &s) == 0 && s.n)
			ns_upsert(a, ns, &s.v[0]);
	}
	seen_free(&s);
	return r < 0 ? 0 : r;
}

/* ---- netns lifecycle ------------------------------------------------- */

static void ns_free(struct agent *a, struct ag_ns *ns)
{
	dump_free(a, ns, false);	/* its socket is about to close */
	due_set(a, ns, false);
	if (ns->ev) {
		epoll_ctl(a->nsep, EPOLL_CTL_DEL, nl_handle_fd(ns->ev), NULL);
		nl_handle_close(ns->ev);	/* closes the fd: the netns may now die */
	}
	if (ns->req)
		nl_handle_close(ns->req);
	if (ns->ethfd >= 0)
		close(ns->ethfd);
	devs_free(ns->devs, ns->n_devs);
	free(ns->nonpci);
	free(ns);
	a->map_gen++;
}

static unsigned ns_slot(const struct netns_id *id, unsigned cap)
{
	unsigned long long h = ((unsigned long long)id->ino ^ (unsigned long long)id->dev << 32) *
			       0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> 32) & (cap - 1);
}

static void ns_index_build(struct agent *a)
{
	unsigned cap = 64, i, k;

	while (cap < 2 * a->n_ns)
		cap *= 2;
	if (cap != a->ns_idx_cap) {
		free(a->ns_idx);
		a->ns_idx_cap = 0;
		a->ns_idx = calloc(cap, sizeof(*a->ns_idx));
		if (!a->ns_idx)
			return;		/* ns_find searches ns[] instead */
		a->ns_idx_cap = cap;
	} else {
		memset(a->ns_idx, 0, cap * sizeof(*a->ns_idx));
	}
	for (i = 0; i < a->n_ns; i++) {
		for (k = ns_slot(&a->ns[i]->id, cap); a->ns_idx[k]; k = (k + 1) & (cap - 1))
			;
		a->ns_idx[k] = a->ns[i];
	}
	a->ns_idx_stale = false;
}

/* Discovery asks this of every netns it finds (each bind mount, each
 * process), on every mount change: a search of ns[] made that
 * O(netns^2), a fifth of the agent's CPU under pod churn at 1000 netns
 * (hack/scale.sh). */
static struct ag_ns *ns_find(struct agent *a, const struct netns_id *id)
{
	unsigned i, k;

	if (a->ns_idx_stale || !a->ns_idx_cap)
		ns_index_build(a);
	if (!a->ns_idx_cap) {
		for (i = 0; i < a->n_ns; i++)
			if (netns_id_eq(&a->ns[i]->id, id))
				return a->ns[i];
		return NULL;
	}
	for (k = ns_slot(id, a->ns_idx_cap); a->ns_idx[k]; k = (k + 1) & (a->ns_idx_cap - 1))
		if (netns_id_eq(&a->ns_idx[k]->id, id))
			return a->ns_idx[k];
	return NULL;
}

/* The sockets a tracked netns needs, made inside it, the netlink ones
 * bound and the event socket subscribed by the thread that makes them: in
 * a scan that is the batch's worker, so the group join -- whose kernel
 * cost grows with every socket already joined, anywhere on the machine
 * (nl.h: nl_sock_prepare_events) -- runs beside this thread's dumps
 * rather than before each; the request socket is bound and its first
 * dump sent there too (the kernel fills a small netns' whole answer in
 * that sendto), and this thread only reads it (docs/design-notes.md,
 * note 29). */
static const struct netns_sock_req ns_socks[3] = {
	{ AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, -1, nl_sock_prepare_events, EVENT_RCVBUF },	/* events */
	{ AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, -1, nl_sock_prepare_dump, NL_WANT_VFS },	/* dumps and gets */
	{ AF_INET, SOCK_DGRAM, 0, -1, NULL, 0 },						/* ethtool */
};

static int ns_reserve(struct agent *a)
{
	if (a->n_ns == a->cap_ns) {
		unsigned cap = a->cap_ns ? 2 * a->cap_ns : 64;
		struct ag_ns **nn = realloc(a->ns, cap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		a->ns = nn;
		a->cap_ns = cap;
	}
	return 0;
}

/* Start tracking a netns whose sockets (ns_socks, in order) were made in
 * it; takes the sockets, closing them on failure. */
static int ns_attach(struct agent *a, const struct netns_id *id, const char *label, bool bind_mount,
		     struct netns_sock_req *req)
{
	int got = 0;
	struct epoll_event ev = { .events = EPOLLIN };
	struct ag_ns *ns;
	int r = ns_reserve(a);

	ns = r < 0 ? NULL : calloc(1, sizeof(*ns));
	if (!ns) {
		for (unsigned i = 0; i < ARRAY_SIZE(ns_socks); i++)
			close(req[i].fd);
		return -ENOMEM;
	}
	ns->a = a;
	ns->id = *id;
	ns->bind = bind_mount;
	ns->host = netns_id_eq(id, &a->host);
	pf_strscpy(ns->label, ns->host ? "host" : label, sizeof(ns->label));
	ns->ethfd = req[2].fd;
	/* The event socket joined its group when it was made (ns_socks),
	 * before the dump below: no change falls between the two. */
	r = nl_handle_wrap(req[0].fd, &ns->ev);
	if (r < 0) {
		close(req[1].fd);
		ns_free(a, ns);
		return r;
	}
	r = nl_handle_wrap(req[1].fd, &ns->req);
	if (r < 0) {
		ns_free(a, ns);
		return r;
	}
	got = nl_link_rcvbuf(ns->ev);
	/* Without CAP_NET_ADMIN the buffer stops at net.core.rmem_max: say so
	 * once, a burst bigger than it costs that netns a rescan. */
	if (got < 2 * EVENT_RCVBUF && a->ev_rcvbuf == 0)
		ag_log(a, PF_LOG_WARNING,
		       "link event buffers are %d bytes, not %d (no CAP_NET_ADMIN for SO_RCVBUFFORCE; net.core.rmem_max caps them): an event burst beyond that makes the netns rescanned",
		       got, 2 * EVENT_RCVBUF);
	if (a->ev_rcvbuf == 0 || got < a->ev_rcvbuf)
		a->ev_rcvbuf = got;
	ev.data.ptr = ns;
	if (epoll_ctl(a->nsep, EPOLL_CTL_ADD, nl_handle_fd(ns->ev), &ev) < 0) {
		r = -errno;
		ns_free(a, ns);
		return r;
	}
	r = ns_dump(a, ns, true);
	if (r < 0) {
		ns_free(a, ns);
		return r;
	}
	ns->gen = a->gen;
	a->ns[a->n_ns++] = ns;
	a->ns_idx_stale = true;
	a->map_gen++;
	ag_log(a, PF_LOG_INFO, "tracking netns %s (inode %llu): %u PCI netdev(s)", ns->label,
	       (unsigned long long)id->ino, ns->n_devs);
	return 0;
}

/* One netns, now (pflink's ADD names it; the host at start). */
static int ns_add(struct agent *a, const struct netns_id *id, const char *path, const char *label,
		  bool bind_mount)
{
	struct netns_sock_req req[ARRAY_SIZE(ns_socks)];
	_cleanup_close_ int fd = -1;
	int r;

	memcpy(req, ns_socks, sizeof(req));
	r = netns_open_expect(path, id, &fd);
	if (r < 0)
		return r;
	r = netns_sockets(fd, req, ARRAY_SIZE(req));
	if (r == -ENOTRECOVERABLE) {
		/* This thread could not setns() back home: every socket it
		 * made from now on would be in another netns.  A restart is
		 * the only honest repair (systemd or the DaemonSet does it). */
		ag_log(a, PF_LOG_ERROR, "stuck in netns %s after entering it (%s): exiting to be restarted",
		       label, strerror(-r));
		exit(EXIT_FAILURE);
	}
	if (r < 0)
		return r;
	return ns_attach(a, id, label, bind_mount, req);
}

/* Discovery collects the netns it does not track yet, then adds them all
 * in one batch (netns_batch_*): one thread enters them in turn while this
 * one dumps those already entered. */
struct disc_new {
	struct netns_id id;
	char *path, *label;
	bool bind;
	bool userns;		/* owned by another user namespace: not tracked */
	int pid;		/* the first process met in it, 0 none */
};

struct disc_ctx {
	struct agent *a;
	struct disc_new *v;
	unsigned n, cap;
	int err;
};

static struct disc_new *disc_find(struct disc_ctx *c, const struct netns_id *id)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (netns_id_eq(&c->v[i].id, id))
			return &c->v[i];
	return NULL;
}

/* A netns owned by a user namespace other than the host's: any user can
 * make one (unshare -Urn) and give it links by the hundred thousand, and
 * no SR-IOV VF is moved into one but by the host's root, whose pflink ADD
 * names it (agent_track_path).  So discovery leaves them alone unless
 * told (--track-userns-netns). */
static bool foreign_userns(const struct agent *a, const char *path)
{
	_cleanup_close_ int fd = -1;
	struct netns_id owner;
	int r;

	if (!a->have_init_userns || netns_open(path, &fd) < 0)
		return false;	/* tracking it will say what is wrong */
	r = netns_owner(fd, &owner);
	/* EPERM: owned outside our own user namespace, so not by the host's.
	 * Anything else (EMFILE: the ioctl makes a descriptor) says nothing:
	 * tracking it will say what is wrong. */
	if (r < 0)
		return r == -EPERM;
	return !netns_id_eq(&owner, &a->init_userns);
}

/* The pid of a process's label ("pid:N"), 0 for a bind mount's. */
static int label_pid(const char *label)
{
	long v;
	char *end;

	if (strncmp(label, "pid:", 4))
		return 0;
	v = strtol(label + 4, &end, 10);
	return *end || v <= 0 || v > INT_MAX ? 0 : (int)v;
}

static int disc_cb(const struct netns_id *id, const char *path, const char *label,
		   bool bind_mount, void *arg)
{
	struct disc_ctx *c = arg;
	struct ag_ns *ns = ns_find(c->a, id);
	struct disc_new *n;
	int pid = label_pid(label);

	if (ns) {
		ns->gen = c->a->gen;
		if (pid && ns->pid_gen != c->a->gen) {
			ns->pid_gen = c->a->gen;
			ns->walk_pid = pid;
		}
		/* A bind-mount path names a netns better than a pid does. */
		if (bind_mount && !ns->bind && !ns->host) {
			pf_strscpy(ns->label, label, sizeof(ns->label));
			ns->bind = true;
		}
		return 0;
	}
	if ((n = disc_find(c, id))) {
		if (pid && !n->pid)
			n->pid = pid;
		return 0;	/* bind mounts come first: the first name stays (and a
				 * netns skipped for its owner is looked at once) */
	}
	if (c->n == c->cap) {
		unsigned cap = c->cap ? 2 * c->cap : 64;
		struct disc_new *nv = realloc(c->v, cap * sizeof(*nv));

		if (!nv)
			return c->err = -ENOMEM;
		c->v = nv;
		c->cap = cap;
	}
	n = &c->v[c->n];
	n->id = *id;
	n->bind = bind_mount;
	n->userns = !c->a->o.track_userns && foreign_userns(c->a, path);
	n->pid = pid;
	n->path = strdup(path);
	n->label = strdup(label);
	if (!n->path || !n->label) {
		free(n->path);
		free(n->label);
		return c->err = -ENOMEM;
	}
	c->n++;
	return 0;
}

/* One collected netns' outcome.  Gone meanwhile (ENOENT, ESTALE) or not
 * a netns after all (EINVAL: nsfs also holds other namespace types) is
 * normal; anything else leaves a netns found but not tracked, counted for
 * health (the server reports the count once, not a line per netns). */
static void disc_count(struct agent *a, const char *label, int r, unsigned *added)
{
	if (r == 0) {
		(*added)++;
		return;
	}
	if (r == -ENOENT || r == -ESTALE || r == -EINVAL || r == -EALREADY)
		return;
	a->stats.ns_skipped++;
	/* Out of descriptors is the reason worth naming, if it was one. */
	if (a->stats.skip_err != EMFILE && a->stats.skip_err != ENFILE)
		a->stats.skip_err = -r;
	ag_log(a, PF_LOG_DEBUG, "netns %s: not tracked: %s", label, strerror(-r));
}

struct track_run;
static struct track_run *track_pending(struct agent *a, const struct netns_id *id);
static void tracks_take(struct agent *a, bool wait);

/* ns_attach() of sockets a worker made, unless the netns was tracked
 * meanwhile (by a discovery and a pod's track both entering it): then
 * the sockets go, and it counts as found, not added. */
static int attach_new(struct agent *a, const struct netns_id *id, const char *label, bool bind,
		      struct netns_sock_req *req)
{
	unsigned i;

	if (!ns_find(a, id))
		return ns_attach(a, id, label, bind, req);
	for (i = 0; i < ARRAY_SIZE(ns_socks); i++)
		close(req[i].fd);
	return -EALREADY;
}

/* A discovery whose new netns the batch's worker is still entering: the
 * serving loop takes each as it is done (agent_discover_step) and serves
 * clients meanwhile, so a worker stuck behind RTNL (a netns being torn
 * down holds it for milliseconds) never holds up an answer
 * (docs/design-notes.md, note 31). */
struct disc_run {
	struct disc_ctx c;
	struct netns_job *jobs;
	struct netns_batch *b;
	unsigned next;			/* the first job not attached yet */
	unsigned added, dropped;
	unsigned long long t0, t1;
	unsigned long long loop_ns;	/* the serving loop's share of it */
};

static void disc_free(struct disc_ctx *c)
{
	unsigned i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].label);
	}
	free(c->v);
}

/* The cgroup of the first process of each netns, read when that process
 * changed: one read per netns and pod start, not per discovery. */
static void ns_cgroups(struct agent *a)
{
	unsigned i;

	for (i = 0; i < a->n_ns; i++) {
		struct ag_ns *ns = a->ns[i];

		if (ns->host || ns->pid_gen != a->gen || ns->walk_pid == ns->cg_pid)
			continue;
		ns->cg_pid = ns->walk_pid;
		ns->has_cg = pods_cgroup_of(a->o.proc, ns->cg_pid, &ns->cg) == 0;
	}
}

/* Every collected netns attached (or failed): what a discovery does last. */
static void disc_end(struct agent *a, struct disc_run *d, unsigned long long t)
{
	unsigned i;

	if (d->b)
		netns_batch_end(d->b);
	for (i = 0; i < d->c.n; i++) {
		struct ag_ns *ns = d->c.v[i].pid ? ns_find(a, &d->c.v[i].id) : NULL;

		if (ns) {
			ns->walk_pid = d->c.v[i].pid;
			ns->pid_gen = a->gen;
		}
	}
	disc_free(&d->c);
	free(d->jobs);
	ns_cgroups(a);
	/* The walk of every process's descriptors: at most once a rescan
	 * period (and at once when a runtime root became readable: it ends). */
	if (!a->fdscan_at || pf_now_ns() - a->fdscan_at >= (unsigned long long)a->o.rescan_ms * 1000000ull ||
	    (a->n_fdh && pods_index_any_root(a->pods)))
		ag_fd_holders_scan(a);
	/* The loop's time, not the worker's: what a client may wait. */
	d->loop_ns += pf_now_ns() - t;
	mx_hist_observe(&a->hist.discovery, d->loop_ns);
	if (d->added || d->dropped)
		ag_log(a, PF_LOG_DEBUG, "discovery: %u netns (+%u -%u), walk %llu us, adding %llu us, on the loop %llu us",
		       a->n_ns, d->added, d->dropped, (d->t1 - d->t0) / 1000, (pf_now_ns() - d->t1) / 1000,
		       d->loop_ns / 1000);
	free(d);
}

/* Attach the jobs the worker has done (up to job `upto` at least, waiting
 * for it, when upto < n); at the end of the batch, end the discovery.
 * Returns true when it ended. */
/* Netns one turn of the loop takes without being asked to wait: a batch
 * the worker finished before the loop got to it (a loop slower than the
 * worker: a loaded node, a sanitizer build) must not keep clients
 * waiting for all of it.  The rest, next turn (agent_discover_ready). */
#define DISC_SLICE 8

static bool disc_take(struct agent *a, unsigned upto)
{
	struct disc_run *d = a->disc;
	unsigned want = upto < d->c.n ? upto + 1 : 0, done = d->b ? 0 : d->c.n;
	unsigned slice = DISC_SLICE;	/* past job `upto`, if any */
	unsigned long long t = pf_now_ns();

	/* One at a time, as each is done: waiting for job `upto` to attach
	 * the ones before it would serialise what the worker and this
	 * thread do side by side (the start's scan). */
	while (d->next < d->c.n) {
		struct disc_new *n = &d->c.v[d->next];
		int r;

		if (d->next >= done && d->b)
			done = netns_batch_done(d->b);
		if (d->next >= done) {
			if (d->next >= want)
				break;
			netns_batch_wait(d->b, d->next);
			continue;
		}
		if (d->next >= want && !slice--)
			break;
		r = d->jobs ? d->jobs[d->next].err : -ENOMEM;
		if (r == 0)
			r = attach_new(a, &n->id, n->label, n->bind, d->jobs[d->next].req);
		disc_count(a, n->label, r, &d->added);
		d->next++;
	}
	if (d->next < d->c.n) {
		d->loop_ns += pf_now_ns() - t;
		return false;
	}
	a->disc = NULL;
	disc_end(a, d, t);
	return true;
}

/* Start tracking every collected netns: a batch for the worker, taken by
 * disc_take.  Without memory or a thread, one at a time, now. */
static void disc_add(struct agent *a, struct disc_run *d, int fd_limit)
{
	struct disc_ctx *c = &d->c;
	unsigned i;

	/* The ones skipped for their owner are counted, not tracked. */
	for (i = 0; i < c->n;) {
		if (!c->v[i].userns) {
			i++;
			continue;
		}
		a->stats.ns_userns++;
		free(c->v[i].path);
		free(c->v[i].label);
		c->v[i] = c->v[--c->n];
	}
	a->disc = d;
	if (!c->n) {
		a->disc = NULL;
		disc_end(a, d, d->t0);
		return;
	}
	d->jobs = calloc(c->n, sizeof(*d->jobs));
	for (i = 0; d->jobs && i < c->n; i++) {
		d->jobs[i].path = c->v[i].path;
		d->jobs[i].id = c->v[i].id;
		d->jobs[i].n = ARRAY_SIZE(ns_socks);
		memcpy(d->jobs[i].req, ns_socks, sizeof(ns_socks));
	}
	if (d->jobs && netns_batch_start(d->jobs, c->n, fd_limit, a->disc_efd, &d->b) == 0) {
		d->loop_ns = pf_now_ns() - d->t0;
		return;
	}
	for (i = 0; i < c->n; i++)
		disc_count(a, c->v[i].label, ns_add(a, &c->v[i].id, c->v[i].path, c->v[i].label, c->v[i].bind),
			   &d->added);
	d->b = NULL;
	a->disc = NULL;
	disc_end(a, d, d->t0);
}

int agent_discover_start(struct agent *a, int fd_limit)
{
	struct disc_run *d;
	unsigned i;
	int r;

	if (a->disc) {
		/* Its netns are not in the map yet: a walk now would collect
		 * them again.  Once it ends, the caller runs another. */
		a->disc_again = true;
		return 0;
	}
	a->disc_again = false;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->c.a = a;
	d->t0 = pf_now_ns();
	a->gen++;
	r = discover_walk(a->o.proc, a->mounts, disc_cb, &d->c, &a->stats.ns_denied);
	if (r < 0 || d->c.err < 0) {
		if (r >= 0)
			r = d->c.err;
		disc_free(&d->c);
		free(d);
		return r;
	}
	/* Drop the lost first: their sockets hand fds back for the new. */
	for (i = 0; i < a->n_ns;) {
		struct ag_ns *ns = a->ns[i];

		if (ns->gen == a->gen || ns->host) {
			i++;
			continue;
		}
		/* Nothing but us holds it any more: let it go. */
		ag_log(a, PF_LOG_INFO, "netns %s (inode %llu) is gone", ns->label,
		       (unsigned long long)ns->id.ino);
		a->ns[i] = a->ns[--a->n_ns];
		a->ns_idx_stale = true;
		ns_free(a, ns);
		d->dropped++;
	}
	/* A netns over budget is counted again now and then (dumps spaced by
	 * dump_finish): its links may be gone. */
	for (i = 0; i < a->n_ns; i++)
		if (a->ns[i]->over_budget && !a->ns[i]->dump)
			due_set(a, a->ns[i], true);
	d->t1 = pf_now_ns();
	a->stats.ns_skipped = 0;
	a->stats.ns_userns = 0;
	a->stats.skip_err = 0;
	disc_add(a, d, fd_limit);
	return 0;
}

int agent_discover_step(struct agent *a, bool wait)
{
	uint64_t v;

	if (a->disc_efd >= 0 && read(a->disc_efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing new; the count is read from the batch anyway */
	}
	if (!a->disc)
		return 0;
	return disc_take(a, wait && a->disc->c.n ? a->disc->c.n - 1 : a->disc->c.n) ? 1 : 0;
}

bool agent_discover_again(struct agent *a)
{
	bool again = a->disc_again && !a->disc;

	if (again)
		a->disc_again = false;
	return again;
}

bool agent_discover_ready(const struct agent *a)
{
	return a->disc && a->disc->b && netns_batch_done(a->disc->b) > a->disc->next;
}

bool agent_discover_busy(const struct agent *a)
{
	return a->disc != NULL;
}

int agent_discover_fd(const struct agent *a)
{
	return a->disc_efd;
}

int agent_discover(struct agent *a)
{
	int r;

	agent_discover_step(a, true);
	r = agent_discover_start(a, 0);
	agent_discover_step(a, true);
	a->disc_again = false;
	return r;
}

/* A netns the running batch is entering: take the batch up to it. */
static struct ag_ns *disc_wait_ns(struct agent *a, const struct netns_id *id)
{
	unsigned i;

	if (!a->disc)
		return NULL;
	for (i = a->disc->next; i < a->disc->c.n; i++)
		if (netns_id_eq(&a->disc->c.v[i].id, id)) {
			disc_take(a, i);
			return ns_find(a, id);
		}
	return NULL;
}

bool agent_track_known(struct agent *a, const char *path)
{
	char buf[PATH_MAX];
	const char *p = ag_host_path(a, path, buf, sizeof(buf));
	struct netns_id id;
	struct stat st;
	struct ag_ns *ns;

	/* stat() of an nsfs bind mount (or /proc/PID/ns/net) is the netns'
	 * own inode, the identity netns_id() reads from an open fd; stat
	 * opens nothing, so a FIFO there cannot block it. */
	if (!p || stat(p, &st) < 0)
		return false;
	id.dev = st.st_dev;
	id.ino = st.st_ino;
	ns = ns_find(a, &id);
	if (!ns)
		return false;
	/* Known: read what is pending so the next answer is current. */
	ag_ns_events(a, ns);
	return true;
}

/* The netns a request names: the host's path to it (in buf, or path
 * itself) and its identity, read from a descriptor opened and closed. */
static int named_netns(const struct agent *a, const char *path, char *buf, size_t len, const char **host,
		       struct netns_id *id)
{
	_cleanup_close_ int fd = -1;
	int r;

	*host = ag_host_path(a, path, buf, len);
	r = *host ? netns_open(*host, &fd) : -ENAMETOOLONG;
	return r < 0 ? r : netns_id(fd, id);
}

int agent_track_path(struct agent *a, const char *path)
{
	char buf[PATH_MAX];
	const char *p;
	struct netns_id id;
	struct ag_ns *ns;
	int r = named_netns(a, path, buf, sizeof(buf), &p, &id);

	if (r < 0)
		return r;
	ns = ns_find(a, &id);
	if (!ns)
		ns = disc_wait_ns(a, &id);
	if (!ns && track_pending(a, &id)) {
		tracks_take(a, true);
		ns = ns_find(a, &id);
	}
	if (ns) {
		/* Known: read what is pending so the answer is current. */
		ag_ns_events(a, ns);
		return 0;
	}
	return ns_add(a, &id, p, path, path[0] == '/' && strncmp(path, "/proc/", 6));
}

/* A pod's netns a `pf` request named, being entered by a thread of its
 * own while the loop answers (agent_track_start). */
struct track_run {
	struct netns_job job;
	struct netns_batch *b;
	char *path;		/* opened: the host's view of it (ag_host_path) */
	char *label;		/* as the request named it */
	bool bind;
};

static void track_free(struct track_run *t)
{
	free(t->path);
	free(t->label);
	free(t);
}

/* Take the track runs that are done (every one, waiting, with wait). */
static void tracks_take(struct agent *a, bool wait)
{
	unsigned i;

	for (i = 0; i < a->n_tracks;) {
		struct track_run *t = a->tracks[i];
		int r;

		if (!wait && netns_batch_done(t->b) == 0) {
			i++;
			continue;
		}
		netns_batch_end(t->b);
		r = t->job.err;
		if (r == 0)
			r = attach_new(a, &t->job.id, t->label, t->bind, t->job.req);
		if (r < 0 && r != -EALREADY)
			ag_log(a, PF_LOG_DEBUG, "netns %s: not tracked: %s", t->label, strerror(-r));
		a->tracks[i] = a->tracks[--a->n_tracks];
		track_free(t);
	}
}

static struct track_run *track_pending(struct agent *a, const struct netns_id *id)
{
	unsigned i;

	for (i = 0; i < a->n_tracks; i++)
		if (netns_id_eq(&a->tracks[i]->job.id, id))
			return a->tracks[i];
	return NULL;
}

int agent_track_start(struct agent *a, const char *path, int fd_limit)
{
	char buf[PATH_MAX];
	const char *p;
	struct netns_id id;
	struct track_run *t, **nt;
	unsigned i;
	int r = named_netns(a, path, buf, sizeof(buf), &p, &id);

	if (r < 0)
		return r;
	if (ns_find(a, &id)) {
		ag_ns_events(a, ns_find(a, &id));
		return 0;
	}
	if (track_pending(a, &id))
		return 0;
	if (a->disc)
		for (i = a->disc->next; i < a->disc->c.n; i++)
			if (netns_id_eq(&a->disc->c.v[i].id, &id)) {
				/* The discovery enters it: settle waits for it
				 * (and the ones before it), not for the rest. */
				if (!a->disc_settle || i > a->disc_settle_upto)
					a->disc_settle_upto = i;
				a->disc_settle = true;
				return 0;
			}
	t = calloc(1, sizeof(*t));
	nt = t ? realloc(a->tracks, (a->n_tracks + 1) * sizeof(*nt)) : NULL;
	if (nt)
		a->tracks = nt;
	if (!nt || !(t->path = strdup(p)) || !(t->label = strdup(path))) {
		if (t)
			track_free(t);
		return agent_track_path(a, path);
	}
	t->bind = path[0] == '/' && strncmp(path, "/proc/", 6);
	t->job.path = t->path;
	t->job.id = id;
	t->job.n = ARRAY_SIZE(ns_socks);
	memcpy(t->job.req, ns_socks, sizeof(ns_socks));
	if (netns_batch_start(&t->job, 1, fd_limit, a->disc_efd, &t->b) < 0) {
		track_free(t);
		return agent_track_path(a, path);	/* no thread: now */
	}
	a->tracks[a->n_tracks++] = t;
	return 0;
}

void agent_track_settle(struct agent *a)
{
	if (a->n_tracks)
		tracks_take(a, true);
	if (a->disc_settle && a->disc && a->disc->next <= a->disc_settle_upto)
		disc_take(a, a->disc_settle_upto);
	a->disc_settle = false;
}

void agent_track_step(struct agent *a)
{
	if (a->n_tracks)
		tracks_take(a, false);
}

int agent_poll_events(struct agent *a, int timeout_ms)
{
	struct epoll_event evs[64];
	int n, i, total = 0;

	n = epoll_wait(a->nsep, evs, ARRAY_SIZE(evs), timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++)
		total += ag_ns_events(a, evs[i].data.ptr);
	return total;
}

/* ---- the by-BDF index --------------------------------------------------- */

static int ref_cmp(const void *x, const void *y)
{
	const struct ag_ref *p = x, *q = y;
	int c = strcmp(p->dev->bdf, q->dev->bdf);

	if (c)
		return c;
	if (p->nsi != q->nsi)
		return p->nsi < q->nsi ? -1 : 1;
	return (p->devi > q->devi) - (p->devi < q->devi);
}

int ag_index(struct agent *a)
{
	unsigned i, j, n = 0;

	if (a->idx_gen == a->map_gen)
		return 0;
	for (i = 0; i < a->n_ns; i++)
		n += a->ns[i]->n_devs;
	a->n_idx = 0;
	if (n > a->cap_idx) {
		struct ag_ref *ni = realloc(a->idx, n * sizeof(*ni));

		if (!ni)
			return -ENOMEM;
		a->idx = ni;
		a->cap_idx = n;
	}
	for (i = 0; i < a->n_ns; i++)
		for (j = 0; j < a->ns[i]->n_devs; j++)
			a->idx[a->n_idx++] = (struct ag_ref){ a->ns[i], &a->ns[i]->devs[j], i, j };
	/* Per BDF, the map's own order: the host (a->ns[0]) first.  (No
	 * device at all: no array, and qsort must not be given NULL.) */
	if (a->n_idx)
		qsort(a->idx, a->n_idx, sizeof(*a->idx), ref_cmp);
	a->idx_gen = a->map_gen;
	return 0;
}

unsigned ag_index_find(const struct agent *a, const char *bdf, unsigned *first)
{
	unsigned lo = 0, hi = a->n_idx, end;

	while (lo < hi) {	/* lower bound */
		unsigned mid = lo + (hi - lo) / 2;

		if (strcmp(a->idx[mid].dev->bdf, bdf) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < a->n_idx && !strcmp(a->idx[end].dev->bdf, bdf); end++)
		;
	*first = lo;
	return end - lo;
}

const struct ag_dev *ag_first_dev(const struct agent *a, const char *bdf, const struct ag_ns **ns_out)
{
	unsigned i, n = ag_index_find(a, bdf, &i);

	for (n += i; i < n; i++) {
		if (classify_is_representor(a->idx[i].dev->kind))
			continue;
		if (ns_out)
			*ns_out = a->idx[i].ns;
		return a->idx[i].dev;
	}
	return NULL;
}

bool ag_pf_shown(const struct agent *a, const char *bdf)
{
	unsigned tv, cls;

	if (pci_read_uint(a->sysfd, bdf, "sriov_totalvfs", &tv) < 0)
		return false;
	return !(pci_read_uint(a->sysfd, bdf, "class", &cls) == 0 && (cls >> 16) != 0x02 &&
		 !ag_first_dev(a, bdf, NULL));
}

const struct nl_vf *ag_vf_config(const struct ag_dev *pfdev, int idx)
{
	unsigned i;

	for (i = 0; pfdev && i < pfdev->n_vfc; i++)
		if (pfdev->vfc[i].index == idx)
			return &pfdev->vfc[i];
	return NULL;
}

int ag_fn_list_add(int idx, const char *bdf, void *arg)
{
	struct ag_fn_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		void *nv = realloc(l->v, cap * sizeof(*l->v));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].idx = idx;
	memcpy(l->v[l->n].bdf, bdf, PCI_BDF_LEN);
	l->n++;
	return 0;
}

static int fn_idx_cmp(const void *x, const void *y)
{
	int p = ((const struct ag_fn *)x)->idx, q = ((const struct ag_fn *)y)->idx;

	return (p > q) - (p < q);
}

static int fn_bdf_cmp(const void *x, const void *y)
{
	return strcmp(((const struct ag_fn *)x)->bdf, ((const struct ag_fn *)y)->bdf);
}

void ag_fn_list_sort(struct ag_fn_list *l, bool by_index)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_index ? fn_idx_cmp : fn_bdf_cmp);
}

/* ---- life ------------------------------------------------------------- */

int agent_new(const struct agent_opts *o, struct agent **out, char *why, size_t whylen)
{
	struct agent *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return -ENOMEM;
	a->o = *o;
	/* Without it, discoveries wait for their worker (agent_discover). */
	a->disc_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!a->o.socket)
		a->o.socket = "/run/pflink/pflinkd.sock";
	if (!a->o.sysfs)
		a->o.sysfs = "/sys";
	if (!a->o.proc)
		a->o.proc = "/proc";
	if (!a->o.state_dir)
		a->o.state_dir = "/run/pflink/state";
	if (!a->o.rescan_ms)
		a->o.rescan_ms = 5000;
	if (!a->o.containerd_root)
		a->o.containerd_root = PODS_CONTAINERD_ROOT;
	if (!a->o.crio_root)
		a->o.crio_root = PODS_CRIO_ROOT;
	a->sysfd = a->nsep = -1;
	a->start_ns = pf_now_ns();
	a->map_gen = 1;		/* the index (generation 0) starts out of date */
	if (!a->o.link_budget)
		a->o.link_budget = AGENT_LINK_BUDGET;
	snprintf(why, whylen, "sysfs %s has no readable bus/pci/devices (the host's /sys, --sysfs)", a->o.sysfs);
	r = pci_sysfs_open(a->o.sysfs, &a->sysfd);
	if (r < 0)
		goto fail;
	snprintf(why, whylen, "out of memory");
	r = sfc_open(a->sysfd, &a->sfc);
	if (r < 0)
		goto fail;
	snprintf(why, whylen, "epoll");
	a->nsep = epoll_create1(EPOLL_CLOEXEC);
	if (a->nsep < 0) {
		r = -errno;
		goto fail;
	}
	{
		char p[PATH_MAX];
		_cleanup_close_ int hfd = -1;

		/* The host netns is init's; with a /proc that is not the
		 * host's (tests, a container without hostPID) it is ours. */
		snprintf(p, sizeof(p), "%s/1/ns/net", a->o.proc);
		if (netns_open(p, &hfd) < 0) {
			snprintf(p, sizeof(p), "/proc/self/ns/net");
			snprintf(why, whylen, "no host netns at %s/1/ns/net nor %s", a->o.proc, p);
			r = netns_open(p, &hfd);
			if (r < 0)
				goto fail;
		}
		snprintf(why, whylen, "the host netns (%s)", p);
		r = netns_id(hfd, &a->host);
		if (r < 0)
			goto fail;
		/* The host's user namespace: init's, as the host netns is. */
		a->have_init_userns = netns_owner(hfd, &a->init_userns) == 0;
		r = ns_add(a, &a->host, p, "host", false);
		if (r < 0)
			goto fail;
	}
	ag_load_attachments(a);
	{
		struct pods_opts po = {
			.root = { [POD_RT_CONTAINERD] = a->o.containerd_root, [POD_RT_CRIO] = a->o.crio_root },
			.proc = a->o.proc,
			.sysfd = a->sysfd,
		};

		/* An absent or unreadable root is the index's state, not a
		 * failure; only memory or inotify can fail it. */
		snprintf(why, whylen, "the runtimes' bundle index (inotify)");
		r = pods_index_new(&po, &a->pods);
		if (r < 0)
			goto fail;
	}
	snprintf(why, whylen, "procfs %s cannot be read (the host's /proc, --proc)", a->o.proc);
	r = discover_mounts_new(a->o.mountinfo, &a->mounts);
	if (r == 0)
		r = agent_discover(a);
	if (r < 0)
		goto fail;
	/* Said once: which of the two ways this kernel lists our mounts
	 * (the tests check the one they force). */
	ag_log(a, PF_LOG_INFO, "netns discovery lists mounts by %s",
	       discover_mounts_listed(a->mounts) ? "listmount" : "mountinfo");
	why[0] = '\0';
	*out = a;
	return 0;
fail:
	agent_free(a);
	return r;
}

void agent_free(struct agent *a)
{
	unsigned i;

	if (!a)
		return;
	if (a->disc) {
		/* Sockets the worker made that were never attached. */
		struct disc_run *d = a->disc;

		netns_batch_end(d->b);
		d->b = NULL;
		for (; d->next < d->c.n; d->next++)
			for (i = 0; !d->jobs[d->next].err && i < d->jobs[d->next].n; i++)
				close(d->jobs[d->next].req[i].fd);
		a->disc = NULL;
		disc_free(&d->c);
		free(d->jobs);
		free(d);
	}
	for (i = 0; i < a->n_tracks; i++) {
		struct track_run *t = a->tracks[i];

		netns_batch_end(t->b);
		for (unsigned k = 0; !t->job.err && k < t->job.n; k++)
			close(t->job.req[k].fd);
		track_free(t);
	}
	free(a->tracks);
	if (a->disc_efd >= 0)
		close(a->disc_efd);
	for (i = 0; i < a->n_ns; i++)
		ns_free(a, a->ns[i]);
	free(a->ns);
	free(a->ns_idx);
	ag_records_free(a);
	pods_index_free(a->pods);
	discover_mounts_free(a->mounts);
	free(a->fdh);
	free(a->idx);
	if (a->nsep >= 0)
		close(a->nsep);
	sfc_free(a->sfc);
	if (a->sysfd >= 0)
		close(a->sysfd);
	free(a);
}

void agent_get_stats(const struct agent *a, struct agent_stats *s)
{
	unsigned i, j;

	memset(s, 0, sizeof(*s));
	s->netns = a->n_ns;
	for (i = 0; i < a->n_ns; i++) {
		s->ns_over_budget += a->ns[i]->over_budget;
		s->devices += a->ns[i]->n_devs;
		for (j = 0; j < a->ns[i]->n_devs; j++) {
			s->pfs += a->ns[i]->devs[j].is_pf;
			s->vfs += a->ns[i]->devs[j].is_vf;
			s->representors += classify_is_representor(a->ns[i]->devs[j].kind);
		}
	}
	s->scans = a->stats.scans;
	s->events = a->stats.events;
	s->deferred = a->stats.deferred;
	s->overflows = a->stats.overflows;
	s->probes = a->stats.probes;
	s->last_scan_ns = a->stats.last_scan_ns;
	s->ns_skipped = a->stats.ns_skipped;
	s->skip_err = a->stats.skip_err;
	s->ns_denied = a->stats.ns_denied;
	s->ns_userns = a->stats.ns_userns;
}

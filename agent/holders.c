/* SPDX-License-Identifier: MIT */
/*
 * Who holds a VF: pflink's record joined with what the node says itself,
 * the runtimes' bundles (pods/index.h) and, where those say nothing, the
 * cgroups of the processes in the VF's netns or holding its device open.
 * Every answer and every snapshot takes a VF's holders from here.
 */
#include "map.h"
#include "pods/procs.h"
#include "pflink/util.h"

#include <stdlib.h>
#include <string.h>

/* A copy cut to fit: the holder's fields are as wide as a record's. */
static void cut(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void ag_holder_of_record(struct pod_holder *h, const struct pf_record *rec)
{
	memset(h, 0, sizeof(*h));
	h->src = POD_SRC_RECORD;
	h->via = POD_VIA_NETNS;
	cut(h->ns, rec->pod_namespace, sizeof(h->ns));
	cut(h->name, rec->pod_name, sizeof(h->name));
	cut(h->uid, rec->pod_uid, sizeof(h->uid));
	cut(h->container_id, rec->container_id, sizeof(h->container_id));
}

void ag_holder_of_entry(struct pod_holder *h, const struct pods_entry *e, enum pod_via via)
{
	memset(h, 0, sizeof(*h));
	h->src = POD_SRC_RUNTIME;
	h->via = via;
	h->rt = e->rt;
	cut(h->ns, e->ns, sizeof(h->ns));
	cut(h->name, e->name, sizeof(h->name));
	cut(h->uid, e->uid, sizeof(h->uid));
	cut(h->container_id, e->id, sizeof(h->container_id));
	cut(h->container, e->container, sizeof(h->container));
}

void ag_holder_of_cgroup(struct pod_holder *h, const struct pod_cgroup *cg, enum pod_via via)
{
	memset(h, 0, sizeof(*h));
	h->src = POD_SRC_CGROUP;
	h->via = via;
	cut(h->uid, cg->uid, sizeof(h->uid));
	cut(h->container_id, cg->container_id, sizeof(h->container_id));
}

/* Containers given a device are few; more than this many on one VF are
 * not listed one by one. */
#define DEVICE_HOLDERS 8

unsigned ag_holders(const struct agent *a, const char *vf, const struct pf_record *rec, struct pod_holder *out,
		    unsigned max)
{
	const struct pods_entry *ents[DEVICE_HOLDERS];
	struct pod_holder h;
	unsigned n = 0, i, k, end;

	/* A record's netns as /proc/PID/ns/net is a host PID's: ag_netns_gone
	 * reads it under --proc (pflinkd has no hostPID). */
	if (rec && !ag_netns_gone(a, rec->netns)) {
		ag_holder_of_record(&h, rec);
		pod_holders_add(out, &n, max, &h);
	}
	/* Every other live record naming the VF: two pods' records on one VF
	 * are a double allocation even with no runtime to say so. */
	for (i = 0; rec && i < a->n_att; i++) {
		const struct pf_record *o = &a->att[i].rec;

		if (o == rec || strcmp(o->vf, vf) || ag_netns_gone(a, o->netns))
			continue;
		ag_holder_of_record(&h, o);
		pod_holders_add(out, &n, max, &h);
	}
	/* The netns each of its netdevs is in (a representor is its PF's). */
	k = ag_index_find(a, vf, &i);
	for (end = i + k; i < end; i++) {
		const struct ag_ns *ns = a->idx[i].ns;
		const struct pods_entry *e;

		if (ns->host || classify_is_representor(a->idx[i].dev->kind))
			continue;
		e = a->pods ? pods_index_by_netns(a->pods, &ns->id) : NULL;
		if (e)
			ag_holder_of_entry(&h, e, POD_VIA_NETNS);
		else if (ns->has_cg)
			ag_holder_of_cgroup(&h, &ns->cg, POD_VIA_NETNS);
		else
			continue;
		pod_holders_add(out, &n, max, &h);
	}
	/* Its device node: containers given it, else processes holding it. */
	k = a->pods ? pods_index_by_function(a->pods, vf, ents, DEVICE_HOLDERS) : 0;
	for (i = 0; i < k && i < DEVICE_HOLDERS; i++) {
		ag_holder_of_entry(&h, ents[i], POD_VIA_DEVICE);
		pod_holders_add(out, &n, max, &h);
	}
	for (i = 0; !k && i < a->n_fdh; i++)
		if (!strcmp(a->fdh[i].bdf, vf)) {
			ag_holder_of_cgroup(&h, &a->fdh[i].cg, POD_VIA_DEVICE);
			pod_holders_add(out, &n, max, &h);
		}
	return n;
}

/* ---- the cgroup fallback for device nodes ------------------------------- */

struct vfio_devs {
	struct pod_devnum *v;
	unsigned n, cap;
};

static int vfio_dev(unsigned major, unsigned minor, void *arg)
{
	struct vfio_devs *d = arg;

	if (pf_grow((void **)&d->v, &d->cap, d->n, sizeof(*d->v)) < 0)
		return -ENOMEM;
	d->v[d->n++] = (struct pod_devnum){ major, minor };
	return 0;
}

struct fdh_ctx {
	struct agent *a;
	const struct vfio_devs *devs;
	struct ag_fdh *v;
	unsigned n, cap;
	const struct pod_cgroup *cg;
};

static int fdh_fn(const char *bdf, void *arg)
{
	struct fdh_ctx *c = arg;

	if (pf_grow((void **)&c->v, &c->cap, c->n, sizeof(*c->v)) < 0)
		return -ENOMEM;
	memcpy(c->v[c->n].bdf, bdf, PCI_BDF_LEN);
	c->v[c->n++].cg = *c->cg;
	return 0;
}

static void fdh_found(unsigned i, int pid, const struct pod_cgroup *cg, void *arg)
{
	struct fdh_ctx *c = arg;

	(void)pid;
	c->cg = cg;
	pci_chardev_functions(c->a->sysfd, c->devs->v[i].major, c->devs->v[i].minor, fdh_fn, c);
}

void ag_fd_holders_scan(struct agent *a)
{
	struct vfio_devs devs = { 0 };
	struct fdh_ctx c = { .a = a, .devs = &devs };
	unsigned long long t0 = pf_now_ns();

	/* The runtime names who was given a device; this walk of every
	 * process's descriptors is only for when it cannot be read, and only
	 * when the node has vfio devices at all. */
	if ((a->pods && pods_index_any_root(a->pods)) || pci_foreach_vfio(a->sysfd, vfio_dev, &devs) < 0 || !devs.n) {
		free(devs.v);
		free(a->fdh);
		a->fdh = NULL;
		a->n_fdh = 0;
		return;
	}
	pods_fd_holders(a->o.proc, devs.v, devs.n, fdh_found, &c, &a->fdscan_procs);
	free(devs.v);
	free(a->fdh);
	a->fdh = c.v;
	a->n_fdh = c.n;
	a->fdscan_at = pf_now_ns();
	a->fdscan_ns = a->fdscan_at - t0;
}

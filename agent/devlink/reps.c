/* SPDX-License-Identifier: MIT */
/* pflinkd's devlink view (reps.h): the table, kept current, and its ties. */
#include "reps.h"
#include "devlink.h"
#include "../map.h"
#include "pflink/classify.h"
#include "pflink/json.h"
#include "pflink/util.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_MAX 192

struct ag_devlink {
	struct dl_sock *s;		/* NULL: closed after a failure, opened again on the next read */
	struct dl_table t;
	bool stale;
	int err;			/* the last read's, 0 */
	/* Disagreements between devlink and the classifier already logged. */
	char (*logged)[NOTE_MAX];
	unsigned n_logged, cap_logged;
};

/* Log once per key: a disagreement stays as long as the ports do, and
 * every answer and every read of the table would find it again. */
__attribute__((format(printf, 3, 4)))
static void note_once(struct agent *a, const char *key, const char *fmt, ...)
{
	struct ag_devlink *dl = a->dl;
	char msg[512];
	va_list ap;
	unsigned i;

	for (i = 0; i < dl->n_logged; i++)
		if (!strcmp(dl->logged[i], key))
			return;
	if (dl->n_logged == dl->cap_logged) {
		unsigned cap = dl->cap_logged ? 2 * dl->cap_logged : 8;
		void *nv = realloc(dl->logged, cap * sizeof(*dl->logged));

		if (!nv)
			return;
		dl->logged = nv;
		dl->cap_logged = cap;
	}
	snprintf(dl->logged[dl->n_logged++], NOTE_MAX, "%s", key);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ag_log(a, PF_LOG_WARNING, "%s", msg);
}

/* The map's netdev a devlink port names: its name and ifindex, in the
 * host netns first (devlink does not say which netns; a representor
 * stays where its driver made it, in the host's). */
static const struct ag_dev *port_netdev(const struct agent *a, const struct dl_port *p)
{
	unsigned i, j;

	if (!p->ifindex)
		return NULL;
	for (i = 0; i < a->n_ns; i++)
		for (j = 0; j < a->ns[i]->n_devs; j++) {
			const struct ag_dev *d = &a->ns[i]->devs[j];

			if (d->ifindex == p->ifindex && !strcmp(d->name, p->netdev))
				return d;
		}
	return NULL;
}

/* Does the classifier's reading of a port's netdev name say what devlink
 * says of the port? */
static bool port_agrees(const struct dl_port *p, const struct port_id *c)
{
	int controller = p->external ? p->controller : -1;

	switch (p->flavour) {
	case DEVLINK_PORT_FLAVOUR_PHYSICAL:
		return c->kind == PORT_UPLINK || c->kind == PORT_NONE;
	case DEVLINK_PORT_FLAVOUR_PCI_PF:
		return c->kind == PORT_PF_REP && c->pf == p->pf && c->controller == controller;
	case DEVLINK_PORT_FLAVOUR_PCI_VF:
		return c->kind == PORT_VF_REP && c->pf == p->pf && c->vf == p->vf && c->controller == controller;
	case DEVLINK_PORT_FLAVOUR_PCI_SF:
		return c->kind == PORT_SF_REP && c->pf == p->pf && c->sf == p->sf && c->controller == controller;
	default:
		return true;	/* the classifier has no word for it */
	}
}

static void check_ports(struct agent *a)
{
	const struct dl_table *t = &a->dl->t;
	unsigned i;

	for (i = 0; i < t->n_ports; i++) {
		const struct dl_port *p = &t->ports[i];
		const struct ag_dev *d = port_netdev(a, p);
		struct port_id c;
		char key[NOTE_MAX];

		if (!d || p->flavour != DEVLINK_PORT_FLAVOUR_PCI_VF)
			continue;
		classify_port(d->port, &c);
		if (port_agrees(p, &c))
			continue;
		snprintf(key, sizeof(key), "port %s/%s/%u %s %s", p->h.bus, p->h.dev, p->index, d->name, d->port);
		note_once(a, key,
			  "devlink: %s is the representor of VF %d of PF %d on %s/%s (port %u), but its port name "
			  "\"%s\" reads otherwise; devlink's answer is used",
			  d->name, p->vf, p->pf, p->h.bus, p->h.dev, p->index, d->port);
	}
}

void ag_dl_refresh(struct agent *a, bool force)
{
	struct ag_devlink *dl = a->dl;
	int r;

	if (!dl || (!force && !dl->stale))
		return;
	if (!dl->s) {
		r = dl_open(&dl->s);
		if (r < 0) {
			dl->err = r;
			return;
		}
		dl_subscribe(dl->s);
	}
	dl->stale = false;
	r = dl_read(dl->s, &dl->t);
	if (r < 0 && r != -EINTR) {
		/* A socket left mid-answer would misread the next one. */
		if (dl->err != r)
			ag_log(a, PF_LOG_WARNING, "devlink: cannot read its table: %s", strerror(-r));
		dl_close(dl->s);
		dl->s = NULL;
		dl->stale = true;
	}
	dl->err = r < 0 ? r : 0;
	if (r == 0)
		check_ports(a);
}

void ag_dl_start(struct agent *a)
{
	struct ag_devlink *dl = calloc(1, sizeof(*dl));
	int r;

	if (!dl)
		return;
	r = dl_open(&dl->s);
	if (r < 0) {
		/* Linux has had devlink since 4.6: this is a kernel built
		 * without it, or a seccomp or LSM policy saying no. */
		ag_log(a, PF_LOG_INFO, "devlink: not available (%s): representors from port names only",
		       strerror(-r));
		free(dl);
		return;
	}
	a->dl = dl;
	if (dl_subscribe(dl->s) < 0)
		ag_log(a, PF_LOG_INFO, "devlink: no events (the table is read on the rescan timer)");
	ag_dl_refresh(a, true);
	if (!dl->err) {
		unsigned i, sw = 0;

		for (i = 0; i < dl->t.n_devs; i++)
			sw += dl->t.devs[i].eswitch == DL_ESWITCH_SWITCHDEV;
		ag_log(a, PF_LOG_INFO, "devlink: %u instances (%u in switchdev mode), %u ports", dl->t.n_devs, sw,
		       dl->t.n_ports);
	}
}

void ag_dl_free(struct agent *a)
{
	struct ag_devlink *dl = a->dl;

	if (!dl)
		return;
	dl_close(dl->s);
	dl_table_free(&dl->t);
	free(dl->logged);
	free(dl);
	a->dl = NULL;
}

int ag_dl_event_fd(const struct agent *a)
{
	return a->dl ? dl_event_fd(a->dl->s) : -1;
}

void ag_dl_events(struct agent *a)
{
	if (a->dl && dl_events_drain(a->dl->s))
		a->dl->stale = true;
}

const char *ag_dl_eswitch(const struct agent *a, const char *pf_bdf)
{
	const struct dl_dev *d = a->dl ? dl_dev_find(&a->dl->t, "pci", pf_bdf) : NULL;

	return d && d->eswitch != DL_ESWITCH_NONE ? dl_eswitch_name(d->eswitch) : NULL;
}

/* The classifier's representor: same switch, this host's, PF number the
 * PF's PCI function, that VF (classify_is_vf_rep_of, the plugin's rule). */
static const struct ag_dev *by_port_name(const struct agent *a, const char *pf, const struct ag_dev *pfdev,
					 int idx)
{
	unsigned i, j;

	if (!pfdev || !pfdev->swid[0])
		return NULL;
	for (i = 0; i < a->n_ns; i++)
		for (j = 0; j < a->ns[i]->n_devs; j++) {
			const struct ag_dev *d = &a->ns[i]->devs[j];

			if (classify_is_vf_rep_of(d->port, d->swid, pfdev->swid, classify_pf_number(pf), idx))
				return d;
		}
	return NULL;
}

bool ag_dl_representor(struct agent *a, const char *pf, const struct ag_dev *pfdev, int idx,
			char name[IF_NAMESIZE])
{
	const struct ag_dev *cls = by_port_name(a, pf, pfdev, idx);
	const struct dl_port *p;
	int fn = classify_pf_number(pf);
	char key[NOTE_MAX];

	/* devlink speaks for a PF whose instance lists VF ports of it: then
	 * its answer stands, "none" included. */
	if (!a->dl || !dl_has_vf_ports(&a->dl->t, "pci", pf, fn)) {
		pf_strscpy(name, cls ? cls->name : "", IF_NAMESIZE);
		return false;
	}
	p = dl_vf_port(&a->dl->t, "pci", pf, fn, idx);
	/* The port's netdev, even one the map does not hold (a port name
	 * the classifier does not read as a representor's). */
	pf_strscpy(name, p ? p->netdev : "", IF_NAMESIZE);
	if (strcmp(name, cls ? cls->name : "")) {
		snprintf(key, sizeof(key), "vf %s/%d %s %s", pf, idx, name, cls ? cls->name : "");
		note_once(a, key,
			  "devlink: the representor of VF %d of PF %s is %s, its port names say %s; devlink's "
			  "answer is used",
			  idx, pf, name[0] ? name : "none", cls ? cls->name : "none");
	}
	return true;
}

void ag_dl_answer(struct agent *a, cJSON *o)
{
	const struct dl_table *t;
	cJSON *arr = json_add_arr(o, "devlink");
	unsigned i, j;

	if (!a->dl) {
		json_add_str(o, "devlinkError", "devlink is not available");
		return;
	}
	if (a->dl->err)
		json_add_str(o, "devlinkError", strerror(-a->dl->err));
	t = &a->dl->t;
	for (i = 0; arr && i < t->n_devs; i++) {
		const struct dl_dev *dv = &t->devs[i];
		cJSON *d = cJSON_CreateObject(), *ports;

		if (!d)
			break;
		cJSON_AddItemToArray(arr, d);
		json_add_str(d, "bus", dv->h.bus);
		json_add_str(d, "dev", dv->h.dev);
		if (dv->eswitch != DL_ESWITCH_NONE)
			json_add_str(d, "eswitchMode", dl_eswitch_name(dv->eswitch));
		if (dv->eswitch_err)
			json_add_str(d, "eswitchError", strerror(-dv->eswitch_err));
		ports = json_add_arr(d, "ports");
		for (j = 0; ports && j < t->n_ports; j++) {
			const struct dl_port *p = &t->ports[j];
			const struct ag_dev *nd;
			cJSON *po;

			if (strcmp(p->h.bus, dv->h.bus) || strcmp(p->h.dev, dv->h.dev) || !(po = cJSON_CreateObject()))
				continue;
			cJSON_AddItemToArray(ports, po);
			json_add_int(po, "index", p->index);
			json_add_str(po, "flavour", dl_flavour_name(p->flavour));
			if (p->number >= 0)
				json_add_int(po, "number", p->number);
			if (p->controller >= 0)
				json_add_int(po, "controller", p->controller);
			json_add_bool(po, "external", p->external);
			if (p->pf >= 0)
				json_add_int(po, "pf", p->pf);
			if (p->vf >= 0)
				json_add_int(po, "vf", p->vf);
			if (p->sf >= 0)
				json_add_int(po, "sf", p->sf);
			json_add_str(po, "netdev", p->netdev);
			json_add_int(po, "ifindex", p->ifindex);
			/* What the classifier makes of the same netdev. */
			if ((nd = port_netdev(a, p))) {
				struct port_id c;
				cJSON *co;

				classify_port(nd->port, &c);
				json_add_str(po, "portName", nd->port);
				if ((co = json_add_obj(po, "classifier"))) {
					json_add_str(co, "kind", classify_port_kind_name(c.kind));
					if (c.controller >= 0)
						json_add_int(co, "controller", c.controller);
					if (c.pf >= 0)
						json_add_int(co, "pf", c.pf);
					if (c.vf >= 0)
						json_add_int(co, "vf", c.vf);
					if (c.sf >= 0)
						json_add_int(co, "sf", c.sf);
				}
				json_add_bool(po, "agrees", port_agrees(p, &c));
			}
		}
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's copy of pflink's attachment records: which pod holds which
 * VF.  inotify names the files that changed; they are read one by one,
 * not the whole state dir again (a node churning pods writes a record on
 * every ADD and removes one on every DEL).
 */
#include "map.h"
#include "pods/inotify.h"
#include "pflink/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

struct att_list {
	struct ag_att *v;
	unsigned n, cap;
};

static struct ag_att *att_push(struct ag_att **v, unsigned *n, unsigned *cap)
{
	if (*n == *cap) {
		unsigned c = *cap ? 2 * *cap : 16;
		struct ag_att *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return NULL;
		*v = nv;
		*cap = c;
	}
	return &(*v)[(*n)++];
}

static int att_add(const struct pf_record *s, const char *file, void *arg)
{
	struct att_list *l = arg;
	struct ag_att *e = att_push(&l->v, &l->n, &l->cap);

	if (!e)
		return -ENOMEM;
	e->rec = *s;
	pf_strscpy(e->file, file, sizeof(e->file));
	return 0;
}

int ag_load_attachments(struct agent *a)
{
	struct att_list l = { 0 };
	int r = record_foreach(a->o.state_dir, att_add, &l, NULL);

	if (r < 0 && r != -ENOENT) {
		free(l.v);
		return r;
	}
	a->record_loads += l.n;
	free(a->att);
	a->att = l.v;
	a->n_att = l.n;
	a->cap_att = l.cap;
	a->n_pending = 0;	/* all read just now */
	return 0;
}

const struct pf_record *ag_attachment_of(const struct agent *a, const char *vf)
{
	const struct pf_record *best = NULL;
	unsigned i;

	for (i = 0; i < a->n_att; i++)
		if (!strcmp(a->att[i].rec.vf, vf) && (!best || a->att[i].rec.created >= best->created))
			best = &a->att[i].rec;
	return best;
}

const char *ag_host_path(const struct agent *a, const char *path, char *buf, size_t len)
{
	if (strncmp(path, "/proc/", 6) || !strcmp(a->o.proc, "/proc"))
		return path;
	if ((size_t)snprintf(buf, len, "%s/%s", a->o.proc, path + 6) >= len)
		return NULL;
	return buf;
}

bool ag_netns_gone(const struct agent *a, const char *path)
{
	char buf[PATH_MAX];
	const char *p = path[0] ? ag_host_path(a, path, buf, sizeof(buf)) : NULL;
	struct stat st;

	/* Only "no such file" is gone: a netns we may not look at is not. */
	return p && stat(p, &st) < 0 && (errno == ENOENT || errno == ENOTDIR);
}

void ag_record_changed(struct agent *a, const char *name)
{
	unsigned i;

	for (i = 0; i < a->n_pending; i++)
		if (!strcmp(a->pending[i], name))
			return;
	if (a->n_pending == a->cap_pending) {
		unsigned cap = a->cap_pending ? 2 * a->cap_pending : 16;
		char (*nv)[256] = realloc(a->pending, cap * sizeof(*nv));

		if (!nv) {
			/* Cannot remember the name: read everything instead. */
			ag_load_attachments(a);
			return;
		}
		a->pending = nv;
		a->cap_pending = cap;
	}
	if (pf_strscpy(a->pending[a->n_pending], name, sizeof(a->pending[0])) == 0)
		a->n_pending++;
}

bool ag_records_pending(const struct agent *a)
{
	return a->n_pending > 0;
}

void ag_last_note(struct agent *a, const char *vf, const char *pod_ns, const char *pod)
{
	struct ag_last *e = (struct ag_last *)ag_last_of(a, vf);

	if (!pod_ns[0] && !pod[0])
		return;
	if (!e) {
		/* One per VF the node ever had: bounded by its VFs. */
		if (a->n_last >= AG_LAST_MAX ||
		    pf_grow((void **)&a->last, &a->cap_last, a->n_last, sizeof(*a->last)) < 0)
			return;
		e = &a->last[a->n_last++];
		pf_strscpy(e->vf, vf, sizeof(e->vf));
	}
	pf_strscpy(e->pod_ns, pod_ns, sizeof(e->pod_ns));
	pf_strscpy(e->pod, pod, sizeof(e->pod));
}

const struct ag_last *ag_last_of(const struct agent *a, const char *vf)
{
	unsigned i;

	for (i = 0; i < a->n_last; i++)
		if (!strcmp(a->last[i].vf, vf))
			return &a->last[i];
	return NULL;
}

static void att_drop(struct agent *a, const char *file)
{
	unsigned i;

	for (i = 0; i < a->n_att; i++)
		if (!strcmp(a->att[i].file, file)) {
			/* A DEL: the VF's last holder is this record's pod. */
			ag_last_note(a, a->att[i].rec.vf, a->att[i].rec.pod_namespace, a->att[i].rec.pod_name);
			a->att[i] = a->att[--a->n_att];
			return;
		}
}

void ag_records_flush(struct agent *a)
{
	unsigned i, j;

	for (i = 0; i < a->n_pending; i++) {
		const char *name = a->pending[i];
		size_t n = strlen(name);
		struct pf_record rec;
		struct ag_att *e = NULL;

		/* pflink's temp files (dot files), and anything not a record */
		if (name[0] == '.' || n <= strlen(RECORD_SUFFIX) ||
		    strcmp(name + n - strlen(RECORD_SUFFIX), RECORD_SUFFIX))
			continue;
		a->record_loads++;
		if (record_read_file(a->o.state_dir, name, &rec) < 0) {
			/* Gone (DEL, GC) or unreadable: no pod known by it. */
			att_drop(a, name);
			continue;
		}
		for (j = 0; j < a->n_att && !e; j++)
			if (!strcmp(a->att[j].file, name))
				e = &a->att[j];
		if (!e && !(e = att_push(&a->att, &a->n_att, &a->cap_att)))
			continue;
		e->rec = rec;
		pf_strscpy(e->file, name, sizeof(e->file));
	}
	a->n_pending = 0;
}

void ag_records_free(struct agent *a)
{
	free(a->att);
	free(a->pending);
	free(a->last);
	a->att = NULL;
	a->pending = NULL;
	a->last = NULL;
	a->n_att = a->n_pending = a->n_last = a->cap_last = 0;
}

struct names_ctx {
	void (*cb)(const char *name, void *arg);
	void *arg;
	bool *overflow;
};

static void named(int wd, uint32_t mask, const char *name, void *arg)
{
	struct names_ctx *c = arg;

	(void)wd;
	if (mask & IN_Q_OVERFLOW)
		*c->overflow = true;
	if (name[0])
		c->cb(name, c->arg);
}

int ag_inotify_names(const void *buf, size_t len, void (*cb)(const char *name, void *arg), void *arg,
		     bool *overflow)
{
	struct names_ctx c = { cb, arg, overflow };

	*overflow = false;
	return pods_inotify_each(buf, len, named, &c);
}

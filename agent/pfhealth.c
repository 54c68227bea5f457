/* SPDX-License-Identifier: MIT */
#include "pfhealth.h"
#include "pflink/util.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pfh_state pfh_state(const struct mx_link *l)
{
	if (!l->known)
		return PFH_UNKNOWN;
	if (!l->admin_up)
		return PFH_ADMIN_DOWN;
	if (l->carrier == 0 || l->operstate == IF_OPER_DOWN || l->operstate == IF_OPER_LOWERLAYERDOWN)
		return PFH_NO_CARRIER;
	/* IF_OPER_UNKNOWN is what a driver that never sets one reports (a
	 * dummy, some virtual NICs): its carrier says enough. */
	if (l->operstate == IF_OPER_DORMANT || l->operstate == IF_OPER_TESTING || l->operstate == IF_OPER_NOTPRESENT)
		return PFH_NOT_READY;
	return PFH_UP;
}

const char *pfh_state_name(enum pfh_state s)
{
	static const char *const names[PFH_STATES] = {
		[PFH_UNKNOWN] = "unknown", [PFH_UP] = "up", [PFH_ADMIN_DOWN] = "admin_down",
		[PFH_NO_CARRIER] = "no_carrier", [PFH_NOT_READY] = "not_ready",
	};

	return s < PFH_STATES ? names[s] : "";
}

const char *pfh_operstate_name(int o)
{
	static const char *const names[] = {
		[IF_OPER_UNKNOWN] = "unknown", [IF_OPER_NOTPRESENT] = "notpresent", [IF_OPER_DOWN] = "down",
		[IF_OPER_LOWERLAYERDOWN] = "lowerlayerdown", [IF_OPER_TESTING] = "testing",
		[IF_OPER_DORMANT] = "dormant", [IF_OPER_UP] = "up",
	};

	return o >= 0 && (size_t)o < ARRAY_SIZE(names) ? names[o] : "";
}

bool pfh_vf_in_pod(const struct mx_vf *v)
{
	return v->has_pod && v->orphan == MX_ORPHAN_NONE;
}

bool pfh_vf_link_disabled(const struct mx_vf *v)
{
	return v->has_config && v->linkstate == IFLA_VF_LINK_STATE_DISABLE;
}

const char *pfh_kind_name(enum pfh_kind k)
{
	return k == PFH_PF_DOWN ? "pf_down" : k == PFH_VF_LINK_DISABLED ? "vf_link_disabled" : "";
}

static int push(struct pfh_finding **v, unsigned *n, unsigned *cap, struct pfh_finding f)
{
	if (pf_grow((void **)v, cap, *n, sizeof(**v)) < 0)
		return -ENOMEM;
	(*v)[(*n)++] = f;
	return 0;
}

int pfh_find(const struct mx_snap *s, struct pfh_finding **out, unsigned *n_out)
{
	struct pfh_finding *v = NULL;
	unsigned n = 0, cap = 0, i, j;
	int r = 0;

	for (i = 0; r == 0 && i < s->n_pfs; i++) {
		const struct mx_pf *p = &s->pfs[i];
		enum pfh_state st = pfh_state(&p->link);
		unsigned first = s->n_vfs, k = 0, pods = 0;

		/* The snapshot lists VFs by PF: this PF's are one run. */
		for (j = 0; j < s->n_vfs; j++) {
			if (strcmp(s->vfs[j].pf, p->bdf))
				continue;
			if (first == s->n_vfs)
				first = j;
			k++;
			pods += pfh_vf_in_pod(&s->vfs[j]);
		}
		if (st != PFH_UP && st != PFH_UNKNOWN && pods)
			r = push(&v, &n, &cap,
				 (struct pfh_finding){ .kind = PFH_PF_DOWN, .pf = p, .state = st,
						       .vfs = k ? &s->vfs[first] : NULL, .n_vfs = k, .pods = pods });
		for (j = first; r == 0 && j < first + k; j++)
			if (pfh_vf_in_pod(&s->vfs[j]) && pfh_vf_link_disabled(&s->vfs[j]))
				r = push(&v, &n, &cap,
					 (struct pfh_finding){ .kind = PFH_VF_LINK_DISABLED, .pf = p, .state = st,
							       .vfs = &s->vfs[j], .n_vfs = 1, .pods = 1 });
	}
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void pfh_words(const struct pfh_finding *f, char *buf, size_t len)
{
	const struct mx_vf *v = f->vfs;
	size_t off;
	unsigned i, listed = 0;
	int k;

	if (f->kind == PFH_VF_LINK_DISABLED) {
		snprintf(buf, len, "VF %s of pod %.253s/%.253s is forced down by its PF (link_state disable)", v->bdf,
			 v->pod_ns, v->pod);
		return;
	}
	k = snprintf(buf, len, "PF %s%s%s is %s: %u pod VF%s without network:", f->pf->bdf,
		     f->pf->netdev[0] ? " " : "", f->pf->netdev, pfh_state_name(f->state), f->pods,
		     f->pods == 1 ? "" : "s");
	if (k < 0 || (size_t)k >= len)
		return;
	off = (size_t)k;
	for (i = 0; i < f->n_vfs && off + 1 < len; i++) {
		if (!pfh_vf_in_pod(&v[i]))
			continue;
		k = snprintf(buf + off, len - off, "%s %.253s/%.253s", listed++ ? "," : "", v[i].pod_ns, v[i].pod);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

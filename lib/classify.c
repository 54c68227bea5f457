/* SPDX-License-Identifier: MIT */
#include "pflink/classify.h"

#include <stdio.h>
#include <string.h>

/* Strict decimal run (no sign, no blanks, at most 5 digits). */
static const char *num(const char *s, int *v)
{
	int n = 0, x = 0;

	while (s[n] >= '0' && s[n] <= '9' && n < 5)
		x = x * 10 + (s[n++] - '0');
	if (!n || (s[n] >= '0' && s[n] <= '9'))
		return NULL;
	*v = x;
	return s + n;
}

/* s starts with the literal lit followed by a number: the rest, or NULL. */
static const char *lit_num(const char *s, const char *lit, int *v)
{
	size_t n = strlen(lit);

	return strncmp(s, lit, n) ? NULL : num(s + n, v);
}

enum port_kind classify_port(const char *s, struct port_id *out)
{
	struct port_id p = { PORT_OTHER, -1, -1, -1, -1 };
	const char *r;
	int x, y;

	if (!s || !*s) {
		p.kind = PORT_NONE;
		goto done;
	}
	/* pN or pNsM: a physical port (the uplink). */
	if ((r = lit_num(s, "p", &x)) && (!*r || ((r = lit_num(r, "s", &y)) && !*r))) {
		p.kind = PORT_UPLINK;
		goto done;
	}
	/* devlink prints cN only for an external controller. */
	r = s;
	if (s[0] == 'c') {
		if (!(r = num(s + 1, &x)))
			goto done;
		p.controller = x;
	}
	if (!(r = lit_num(r, "pf", &p.pf)))
		goto done;
	if (!*r) {
		p.kind = PORT_PF_REP;
	} else if ((s = lit_num(r, "vf", &p.vf)) && !*s) {
		p.kind = PORT_VF_REP;
	} else if (p.controller < 0 && (s = lit_num(r, "vfr", &p.vf)) && !*s) {
		p.kind = PORT_VF_REP;	/* ice before devlink ports */
	} else if ((s = lit_num(r, "sf", &p.sf)) && !*s) {
		p.kind = PORT_SF_REP;
	} else if (p.controller < 0 && (s = lit_num(r, "s", &x)) && !*s) {
		p.kind = PORT_PF_REP;	/* nfp's split PF port */
	}
done:
	if (p.kind == PORT_OTHER || p.kind == PORT_NONE || p.kind == PORT_UPLINK) {
		p.controller = -1;
		p.pf = p.vf = p.sf = -1;
	}
	if (p.kind != PORT_VF_REP)
		p.vf = -1;
	if (p.kind != PORT_SF_REP)
		p.sf = -1;
	*out = p;
	return p.kind;
}

const char *classify_port_kind_name(enum port_kind k)
{
	switch (k) {
	case PORT_NONE: return "function";
	case PORT_UPLINK: return "uplink";
	case PORT_VF_REP: return "vf-representor";
	case PORT_SF_REP: return "sf-representor";
	case PORT_PF_REP: return "pf-representor";
	case PORT_OTHER: return "other";
	}
	return "other";
}

bool classify_is_representor(enum port_kind k)
{
	return k == PORT_VF_REP || k == PORT_SF_REP || k == PORT_PF_REP;
}

bool classify_is_pf_netdev(const char *port_name)
{
	struct port_id p;

	return !classify_is_representor(classify_port(port_name, &p));
}

bool classify_is_vf_rep_of(const char *port_name, const char *switch_id, const char *pf_switch_id,
			   int pf_fn, int vf_index)
{
	struct port_id p;

	/* No switch, no representors: a PF in legacy mode has none. */
	if (!switch_id || !switch_id[0] || !pf_switch_id || strcmp(switch_id, pf_switch_id))
		return false;
	return classify_port(port_name, &p) == PORT_VF_REP && p.controller < 0 && p.pf == pf_fn &&
	       p.vf == vf_index && vf_index >= 0;
}

int classify_pf_number(const char *pf_bdf)
{
	size_t n = pf_bdf ? strlen(pf_bdf) : 0;

	if (n < 2 || pf_bdf[n - 2] != '.' || pf_bdf[n - 1] < '0' || pf_bdf[n - 1] > '7')
		return -1;
	return pf_bdf[n - 1] - '0';
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

bool classify_driver_netdevless(const char *d)
{
	if (!d || !*d)
		return false;
	/* The kernel's own spellings: vfio-pci; the variant drivers that
	 * bind VFs for migration (mlx5_vfio_pci, hisi_acc_vfio_pci,
	 * virtio_vfio_pci, ...); uio_pci_generic and DPDK's igb_uio; pci-stub. */
	return !strcmp(d, "vfio-pci") || ends_with(d, "vfio_pci") || ends_with(d, "vfio-pci") ||
	       !strcmp(d, "uio_pci_generic") || !strcmp(d, "igb_uio") || !strncmp(d, "uio", 3) ||
	       !strcmp(d, "pci-stub") || !strcmp(d, "pci_stub");
}

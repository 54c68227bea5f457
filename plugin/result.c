/* SPDX-License-Identifier: MIT */
#include "result.h"
#include "cni.h"
#include "pflink/util.h"

#include <errno.h>
#include <string.h>

bool result_has_pci_id(const char *cni_version)
{
	return cni_version_at_least(cni_version, "1.1.0");
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* netns NULL: any sandbox; else netns as written, or as same() says. */
static bool is_sandbox_if(const cJSON *i, const char *ifname, const char *netns, result_same_netns same,
			  void *arg)
{
	const char *n = str(i, "name"), *sb = str(i, "sandbox");

	return n && !strcmp(n, ifname) && sb && *sb &&
	       (!netns || !strcmp(sb, netns) || (same && same(sb, arg)));
}

static cJSON *find_host_if(const cJSON *res, const char *name)
{
	cJSON *i, *ifs = cJSON_GetObjectItemCaseSensitive(res, "interfaces");
	const char *n, *sb;

	cJSON_ArrayForEach(i, ifs) {
		n = str(i, "name");
		sb = str(i, "sandbox");
		if (n && !strcmp(n, name) && (!sb || !*sb))
			return i;
	}
	return NULL;
}

bool result_has_host_if(const cJSON *prev, const char *name)
{
	return find_host_if(prev, name) != NULL;
}

static void set_str(cJSON *o, const char *k, const char *v)
{
	cJSON *old = cJSON_GetObjectItemCaseSensitive(o, k);

	if (old)
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, cJSON_CreateString(v));
	else
		cJSON_AddStringToObject(o, k, v);
}

cJSON *result_build(const cJSON *prev, const char *cni_version, const char *ifname,
		    const char *netns, const struct vf_info *vf, const struct pf_info *pf)
{
	return result_build_in(prev, cni_version, ifname, netns, NULL, NULL, vf, pf);
}

cJSON *result_build_in(const cJSON *prev, const char *cni_version, const char *ifname,
		       const char *netns, result_same_netns same, void *arg, const struct vf_info *vf,
		       const struct pf_info *pf)
{
	cJSON *res = prev ? cJSON_Duplicate(prev, 1) : cJSON_CreateObject();
	cJSON *ifs, *i, *sbif = NULL;
	bool pci = result_has_pci_id(cni_version);
	unsigned k;

	if (!res)
		return NULL;
	/* One cniVersion and one interfaces array, whatever prev held: of
	 * repeated keys Go keeps the last, so that is the one kept here. */
	while (cJSON_GetObjectItemCaseSensitive(res, "cniVersion"))
		cJSON_DeleteItemFromObjectCaseSensitive(res, "cniVersion");
	cJSON_AddStringToObject(res, "cniVersion", cni_version);
	ifs = NULL;
	for (i = res->child; i;) {
		cJSON *next = i->next;

		if (i->string && !strcmp(i->string, "interfaces")) {
			cJSON_DetachItemViaPointer(res, i);
			cJSON_Delete(ifs);
			ifs = i;
		}
		i = next;
	}
	if (!cJSON_IsArray(ifs)) {
		cJSON_Delete(ifs);
		ifs = cJSON_CreateArray();
	}
	if (!ifs || !cJSON_AddItemToObject(res, "interfaces", ifs))
		goto oom;
	/* An entry for ifname in another sandbox is not this VF: never
	 * annotate it with this VF's address. */
	cJSON_ArrayForEach(i, ifs)
		if (cJSON_IsObject(i) && is_sandbox_if(i, ifname, netns, same, arg))
			sbif = i;
	if (!sbif) {
		/* A previous plugin that did not report the interface (some
		 * do not): describe it, so consumers find the VF at all. */
		sbif = cJSON_CreateObject();
		if (!sbif)
			goto oom;
		cJSON_AddItemToArray(ifs, sbif);
		cJSON_AddStringToObject(sbif, "name", ifname);
		if (vf->mac[0])
			cJSON_AddStringToObject(sbif, "mac", vf->mac);
		cJSON_AddStringToObject(sbif, "sandbox", netns);
	}
	if (pci)
		set_str(sbif, "pciID", vf->bdf);

	for (k = 0; pf && k < pf->n_netdevs; k++) {
		const struct pf_netdev *nd = &pf->netdevs[k];
		cJSON *h;

		/* A PF netdev in another netns than the host's is not listed:
		 * an entry without sandbox says "host", and one with it would
		 * be taken for the pod's (Multus' network-status takes the
		 * last interface with a sandbox).  Device-info and the record
		 * name it. */
		if (nd->netns[0])
			continue;
		/* Annotate an entry a previous pflink run left (a re-chained or
		 * re-versioned result) instead of listing the PF twice. */
		h = find_host_if(res, nd->name);

		if (!h) {
			h = cJSON_CreateObject();
			if (!h)
				goto oom;
			cJSON_AddItemToArray(ifs, h);
			cJSON_AddStringToObject(h, "name", nd->name);
		}
		if (nd->mac[0])
			set_str(h, "mac", nd->mac);
		if (pci)
			set_str(h, "pciID", pf->bdf);
	}
	return res;
oom:
	cJSON_Delete(res);
	return NULL;
}

int result_read(const cJSON *prev, const char *ifname, struct result_record *out)
{
	const cJSON *i, *ifs = cJSON_GetObjectItemCaseSensitive(prev, "interfaces");
	struct result_record r = { 0 };

	cJSON_ArrayForEach(i, ifs) {
		const char *v;

		if (!cJSON_IsObject(i) || !is_sandbox_if(i, ifname, NULL, NULL, NULL))
			continue;
		r.has_sandbox_if = true;
		if ((v = str(i, "pciID")) && pci_bdf_parse(v, r.vf_pci) < 0)
			return -EINVAL;
		if ((v = str(i, "mac")))
			pf_strscpy(r.vf_mac, v, sizeof(r.vf_mac));
	}
	*out = r;
	return 0;
}

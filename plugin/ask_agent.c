/* SPDX-License-Identifier: MIT */
#include "ask_agent.h"
#include "pflink/agent_client.h"
#include "pflink/classify.h"
#include "pflink/util.h"
#include "pflink/json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

static int get_str(const cJSON *o, const char *k, char *out, size_t len, bool required)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!it) {
		if (required)
			return -EBADMSG;
		out[0] = '\0';
		return 0;
	}
	if (!cJSON_IsString(it) || pf_strscpy(out, it->valuestring, len) < 0)
		return -EBADMSG;
	return 0;
}

static int get_uint(const cJSON *o, const char *k, double max, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > max)
		return -EBADMSG;
	*out = it->valuedouble;
	return 0;
}

int ask_agent_parse_pf(const cJSON *o, int vf_index, struct pf_info *pf)
{
	struct pf_info p = { 0 };
	const cJSON *nds, *nd, *vfs, *vf;
	char bdf[PCI_BDF_LEN];
	double x;

	if (!cJSON_IsObject(o) || get_str(o, "pciAddress", bdf, sizeof(bdf), true) < 0 ||
	    pci_bdf_parse(bdf, p.bdf) < 0 || get_str(o, "driver", p.driver, sizeof(p.driver), false) < 0)
		return -EBADMSG;
	if (get_uint(o, "numvfs", 65535, &x) == 0)
		p.numvfs = (unsigned)x;
	if (get_uint(o, "totalvfs", 65535, &x) == 0)
		p.totalvfs = (unsigned)x;
	nds = cJSON_GetObjectItemCaseSensitive(o, "netdevs");
	if (!cJSON_IsArray(nds))
		return -EBADMSG;
	cJSON_ArrayForEach(nd, nds) {
		struct pf_netdev *d;
		char ns[PF_NETNS_PATH_MAX];

		if (p.n_netdevs == PF_NETDEV_MAX)
			break;
		d = &p.netdevs[p.n_netdevs];
		if (!cJSON_IsObject(nd) || get_str(nd, "name", d->name, sizeof(d->name), true) < 0 ||
		    !d->name[0] || get_str(nd, "mac", d->mac, sizeof(d->mac), false) < 0 ||
		    get_str(nd, "netns", ns, sizeof(ns), false) < 0 ||
		    get_str(nd, "portName", d->phys_port_name, sizeof(d->phys_port_name), false) < 0 ||
		    get_str(nd, "switchId", d->switch_id, sizeof(d->switch_id), false) < 0)
			return -EBADMSG;
		if (get_uint(nd, "ifindex", 2147483647.0, &x) == 0)
			d->ifindex = (int)x;
		if (get_uint(nd, "netnsInode", 1.8e19, &x) == 0)
			d->nsid.ino = (ino_t)x;
		/* The direct scan names the host netns ""; so does this. */
		pf_strscpy(d->netns, strcmp(ns, "host") ? ns : "", sizeof(d->netns));
		/* The classifier is the plugin's too: whatever the agent's
		 * version thought, a representor is no PF netdev. */
		if (!classify_is_pf_netdev(d->phys_port_name))
			continue;
		p.n_netdevs++;
	}
	vfs = cJSON_GetObjectItemCaseSensitive(o, "vfs");
	cJSON_ArrayForEach(vf, vfs) {
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(vf, "index");

		if (vf_index >= 0 && cJSON_IsNumber(idx) && idx->valuedouble == vf_index &&
		    get_str(vf, "representor", p.representor, sizeof(p.representor), false) < 0)
			return -EBADMSG;
	}
	if (!p.n_netdevs)
		return -ENODEV;
	*pf = p;
	return 0;
}

int ask_agent_pf(const char *sock, unsigned timeout_ms, const char *pf_bdf, const char *netns,
		 int vf_index, const struct pf_log *log, struct pf_info *pf, const char **why)
{
	_cleanup_agent_json_ cJSON *req = cJSON_CreateObject(), *resp = NULL;
	const char *e;
	int x;

	if (!req)
		return -ENOMEM;
	json_add_int(req, "v", 1);
	cJSON_AddStringToObject(req, "op", "pf");
	cJSON_AddStringToObject(req, "pciAddress", pf_bdf);
	/* The agent starts tracking the pod's netns now, not at its next
	 * rescan: the VF in it is on the map before the pod runs. */
	cJSON_AddStringToObject(req, "netns", netns);
	/* Only this VF's entry (its representor), or none: a PF's whole VF
	 * table is for pflinkctl, not for a pod start.  An agent before
	 * "vfIndex" ignores it and sends the table; the answer reads the same. */
	json_add_int(req, "vfIndex", vf_index >= 0 ? vf_index : -1);
	x = agent_request(sock, req, timeout_ms, &resp);
	if (x < 0) {
		*why = x == -ENOENT ? "not running (no socket)" : x == -ETIMEDOUT ? "too slow" : strerror(-x);
		return x;
	}
	if ((e = agent_response_error(resp))) {
		*why = "answered an error";
		pf_logf(log, PF_LOG_INFO, "pflinkd: %s", e);
		return -ENOENT;
	}
	x = ask_agent_parse_pf(cJSON_GetObjectItemCaseSensitive(resp, "pf"), vf_index, pf);
	if (x == -ENODEV)
		*why = "knows no netdev of this PF";
	else if (x < 0)
		*why = "answered a malformed PF";
	return x;
}

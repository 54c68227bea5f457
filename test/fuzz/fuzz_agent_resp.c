/* SPDX-License-Identifier: MIT */
/*
 * An answer line from pflinkd, as the plugin reads it: agent_parse_response,
 * agent_response_error, then ask_agent_parse_pf on each PF object the
 * answer carries ("pf" of the pf/vf ops, "pfs" of topology, "pf" of each
 * pod attachment), for no VF index and for VF 3.
 *
 * Properties: a parsed answer is an object with "v":1 and a boolean "ok";
 * agent_response_error is NULL exactly when ok is true; a PF read from it
 * has a canonical BDF and 1..PF_NETDEV_MAX netdevs whose strings are all
 * NUL-terminated, names non-empty, and "host" is never a netns name.
 */
#include "fuzz.h"

#include "pflink/agent_client.h"
#include "pflink/pci.h"
#include "ask_agent.h"

#include <errno.h>
#include <string.h>

static void check_pf(const cJSON *o, int vf_index)
{
	struct pf_info pf;
	char canon[PCI_BDF_LEN];
	unsigned k;
	int r;

	memset(&pf, 0x5a, sizeof(pf));
	r = ask_agent_parse_pf(o, vf_index, &pf);
	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENODEV);
	if (r < 0)
		return;
	FUZZ_CHECK(pci_bdf_parse(pf.bdf, canon) == 0 && !strcmp(canon, pf.bdf));
	FUZZ_CHECK(FUZZ_TERMINATED(pf.driver) && FUZZ_TERMINATED(pf.representor));
	FUZZ_CHECK(pf.numvfs <= 65535 && pf.totalvfs <= 65535);
	FUZZ_CHECK(pf.n_netdevs >= 1 && pf.n_netdevs <= PF_NETDEV_MAX);
	if (vf_index < 0)
		FUZZ_CHECK(!pf.representor[0]);
	for (k = 0; k < pf.n_netdevs; k++) {
		const struct pf_netdev *d = &pf.netdevs[k];

		FUZZ_CHECK(FUZZ_TERMINATED(d->name) && d->name[0]);
		FUZZ_CHECK(FUZZ_TERMINATED(d->mac) && FUZZ_TERMINATED(d->netns));
		FUZZ_CHECK(FUZZ_TERMINATED(d->phys_port_name) && FUZZ_TERMINATED(d->switch_id));
		FUZZ_CHECK(strcmp(d->netns, "host"));
		FUZZ_CHECK(d->ifindex >= 0);
	}
}

static void check_pfs(const cJSON *o)
{
	check_pf(o, -1);
	check_pf(o, 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *resp = NULL;
	const cJSON *v, *ok, *it;
	const char *e;
	int r;

	r = agent_parse_response(fuzz_guarded(data, size), size, &resp);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EMSGSIZE);
		FUZZ_CHECK(resp == NULL);
		return 0;
	}
	FUZZ_CHECK(r == 0 && cJSON_IsObject(resp));
	v = cJSON_GetObjectItemCaseSensitive(resp, "v");
	ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
	FUZZ_CHECK(cJSON_IsNumber(v) && v->valuedouble == AGENT_CLIENT_PROTOCOL);
	FUZZ_CHECK(cJSON_IsBool(ok));
	e = agent_response_error(resp);
	FUZZ_CHECK(cJSON_IsTrue(ok) ? e == NULL : e != NULL && e[0]);

	check_pfs(cJSON_GetObjectItemCaseSensitive(resp, "pf"));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(resp, "pfs"))
		check_pfs(it);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(resp, "attachments"))
		check_pfs(cJSON_GetObjectItemCaseSensitive(it, "pf"));
	cJSON_Delete(resp);
	return 0;
}

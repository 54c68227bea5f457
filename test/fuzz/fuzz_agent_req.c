/* SPDX-License-Identifier: MIT */
/*
 * agent_req_parse on one request line, as pflinkd's serving loop hands it
 * over (the bytes before the newline), with reason buffers of several
 * sizes.
 *
 * Properties: success or -EBADMSG/-EINVAL only; on failure the reason is
 * non-empty, NUL-terminated within its buffer and the request owns
 * nothing; on success the op is one of the six, pf/vf carry a canonical
 * PCI address, pod a namespace and a name, netns only on pf and nudge;
 * the answer does not depend on the reason buffer's size.
 */
#include "fuzz.h"

#include "request.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>

static void check_ok(const struct agent_req *r)
{
	char canon[PCI_BDF_LEN];

	FUZZ_CHECK(r->root != NULL && cJSON_IsObject(r->root));
	FUZZ_CHECK(r->op >= AGENT_OP_HEALTH && r->op < AGENT_OP_N);
	if (r->op == AGENT_OP_PF || r->op == AGENT_OP_VF)
		FUZZ_CHECK(pci_bdf_parse(r->bdf, canon) == 0 && !strcmp(canon, r->bdf));
	if (r->op == AGENT_OP_POD)
		FUZZ_CHECK(r->pod_ns && r->pod_name);
	if (r->netns)
		FUZZ_CHECK(r->op == AGENT_OP_PF || r->op == AGENT_OP_NUDGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 1, 8, 300 };
	const char *buf = fuzz_guarded(data, size);
	int first = 1;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct agent_req r;
		char why[300];
		int rc;

		memset(&r, 0x5a, sizeof(r));
		memset(why, 'x', sizeof(why));
		rc = agent_req_parse(buf, size, &r, why, lens[i]);
		FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EINVAL);
		if (first == 1)
			first = rc == 0 ? 2 : rc;
		FUZZ_CHECK((first == 2 ? 0 : first) == rc);
		if (rc < 0) {
			FUZZ_CHECK(memchr(why, '\0', lens[i]) != NULL);
			FUZZ_CHECK(lens[i] == 1 || why[0]);
			continue;
		}
		check_ok(&r);
		agent_req_free(&r);
		FUZZ_CHECK(r.root == NULL);
	}
	return 0;
}

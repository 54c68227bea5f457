/* SPDX-License-Identifier: MIT */
/*
 * pod_bundle_parse (agent/pods/bundle.c) on arbitrary bytes, as both
 * runtimes: a container runtime's config.json is anyone's who can create
 * a pod (annotations are copied in).
 *
 * Properties: only 0, -EBADMSG, -ENODATA, -EINVAL, -E2BIG; on success
 * every string is terminated within its field, namespace and name are not
 * empty, a sandbox ID is empty or a valid container ID (it may become a
 * path), a sandbox names no container, the device count is in bounds and
 * zero for a privileged container; parsing is deterministic.
 */
#include "fuzz.h"

#include "pods/bundle.h"

#include <errno.h>
#include <string.h>

static void check(enum pod_runtime rt, const char *buf, size_t size)
{
	struct pod_bundle a, b;
	int r = pod_bundle_parse(rt, buf, size, &a);

	FUZZ_CHECK(r == 0 || r == -EBADMSG || r == -ENODATA || r == -EINVAL || r == -E2BIG);
	if (r < 0)
		return;
	FUZZ_CHECK(FUZZ_TERMINATED(a.ns) && FUZZ_TERMINATED(a.name) && FUZZ_TERMINATED(a.uid));
	FUZZ_CHECK(FUZZ_TERMINATED(a.sandbox_id) && FUZZ_TERMINATED(a.container) && FUZZ_TERMINATED(a.netns));
	FUZZ_CHECK(a.ns[0] && a.name[0]);
	FUZZ_CHECK(!a.sandbox_id[0] || pod_id_valid(a.sandbox_id));
	FUZZ_CHECK(a.kind == POD_KIND_SANDBOX || a.kind == POD_KIND_CONTAINER);
	FUZZ_CHECK(a.kind == POD_KIND_CONTAINER || !a.container[0]);
	FUZZ_CHECK(a.n_dev <= POD_DEVS_MAX);
	FUZZ_CHECK(!a.all_devices || a.n_dev == 0);
	FUZZ_CHECK(pod_bundle_parse(rt, buf, size, &b) == 0 && !memcmp(&a, &b, sizeof(a)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = fuzz_guarded(data, size);

	check(POD_RT_CONTAINERD, buf, size);
	check(POD_RT_CRIO, buf, size);
	return 0;
}

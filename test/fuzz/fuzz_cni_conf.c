/* SPDX-License-Identifier: MIT */
/*
 * cni_conf_parse on arbitrary stdin bytes, then what the verbs do with a
 * parsed config: result_read on prevResult (CHECK), result_build (ADD) and
 * cni_attachment_valid (GC).
 */
#include "fuzz.h"

#include "cni.h"
#include "pflink/pci.h"
#include "result.h"

#include <errno.h>
#include <string.h>

#define IFNAME "net1"

static const struct vf_info vf = {
	.ifname = IFNAME, .ifindex = 7, .mac = "02:00:00:00:00:07",
	.bdf = "0000:18:02.5", .pf = "0000:18:00.0", .pci_driver = "iavf", .vf_index = 5,
};

static const struct pf_info pf = {
	.bdf = "0000:18:00.0", .driver = "ice", .numvfs = 8, .totalvfs = 64, .n_netdevs = 2,
	.netdevs = {
		{ .name = "ens1f0", .ifindex = 4, .mac = "b4:96:91:00:00:01" },
		{ .name = "ens1f0d1", .ifindex = 5 },
	},
};

static bool abs_path(const char *s)
{
	return s && s[0] == '/';
}

static void check_record(const struct result_record *rec)
{
	char again[PCI_BDF_LEN];

	FUZZ_CHECK(FUZZ_TERMINATED(rec->vf_pci));
	FUZZ_CHECK(FUZZ_TERMINATED(rec->vf_mac));
	if (rec->vf_pci[0]) {
		FUZZ_CHECK(rec->has_sandbox_if);
		FUZZ_CHECK(pci_bdf_parse(rec->vf_pci, again) == 0 && !strcmp(again, rec->vf_pci));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf c;
	struct result_record rec;
	const char *field = "unset";
	const cJSON *a;
	int r, prev_ok = 0;

	r = cni_conf_parse(fuzz_guarded(data, size), size, &c, &field);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL);
		FUZZ_CHECK(field != NULL);	/* the error message names it */
		return 0;
	}
	FUZZ_CHECK(r == 0 && field == NULL);
	FUZZ_CHECK(cJSON_IsObject(c.root));
	FUZZ_CHECK(abs_path(c.sysfs_root) && abs_path(c.state_dir) && abs_path(c.devinfo_dir));
	FUZZ_CHECK(!c.devinfo_file || abs_path(c.devinfo_file));
	FUZZ_CHECK(!c.agent_socket || c.agent_socket[0]);
	FUZZ_CHECK(c.log_level && (!strcmp(c.log_level, "error") || !strcmp(c.log_level, "warning") ||
				   !strcmp(c.log_level, "info") || !strcmp(c.log_level, "debug")));
	FUZZ_CHECK(!c.prev_result || cJSON_IsObject(c.prev_result));
	FUZZ_CHECK(!c.valid_attachments || cJSON_IsArray(c.valid_attachments));

	/* CHECK reads back what ADD recorded in prevResult. */
	if (c.prev_result) {
		r = result_read(c.prev_result, IFNAME, &rec);
		FUZZ_CHECK(r == 0 || r == -EINVAL);
		if (r == 0) {
			check_record(&rec);
			prev_ok = 1;
		}
		(void)result_has_host_if(c.prev_result, "ens1f0");
	}

	/* ADD: build our result on prevResult, as the plugin does once it has
	 * a supported version; what it wrote must read back. */
	if (c.cni_version && cni_version_supported(c.cni_version)) {
		cJSON *res = result_build(c.prev_result, c.cni_version, IFNAME,
					  "/var/run/netns/pod", &vf, &pf);
		const cJSON *v;
		unsigned k;

		FUZZ_CHECK(res != NULL);
		v = cJSON_GetObjectItemCaseSensitive(res, "cniVersion");
		FUZZ_CHECK(cJSON_IsString(v) && !strcmp(v->valuestring, c.cni_version));
		for (k = 0; k < pf.n_netdevs; k++)
			FUZZ_CHECK(result_has_host_if(res, pf.netdevs[k].name));
		r = result_read(res, IFNAME, &rec);
		/* Only a bad pciID that was already in prevResult may fail it. */
		FUZZ_CHECK(r == 0 || (r == -EINVAL && c.prev_result && !prev_ok));
		if (r == 0) {
			check_record(&rec);
			FUZZ_CHECK(rec.has_sandbox_if);
			if (result_has_pci_id(c.cni_version))
				FUZZ_CHECK(!strcmp(rec.vf_pci, vf.bdf));
		}
		cJSON_Delete(res);
	}

	/* GC: every listed attachment is valid; an absent list has none. */
	FUZZ_CHECK(!cni_attachment_valid(NULL, "", ""));
	cJSON_ArrayForEach(a, c.valid_attachments) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "containerID");
		const cJSON *ifn = cJSON_GetObjectItemCaseSensitive(a, "ifname");

		FUZZ_CHECK(cJSON_IsString(id) && cJSON_IsString(ifn));
		FUZZ_CHECK(cni_attachment_valid(c.valid_attachments, id->valuestring, ifn->valuestring));
	}

	cni_conf_free(&c);
	FUZZ_CHECK(c.root == NULL);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * devinfo_merge with the input as the existing device-info document (as
 * written by the device plugin, sriov-cni, or pflink itself).  Idempotence:
 * merging the same facts into the merged output again must succeed and give
 * byte-identical output, since ADD may run again (CNI retries) on the file
 * it wrote.  Run once without and once with a representor.
 */
#include "fuzz.h"

#include "devinfo.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VF "0000:18:02.5"
#define PF "0000:18:00.0"
#define REP "ens1f0_5"

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void check_doc(const char *out, const char *rep)
{
	cJSON *d = cJSON_Parse(out);
	const cJSON *pci;
	const char *v;

	FUZZ_CHECK(cJSON_IsObject(d));
	FUZZ_CHECK((v = str(d, "type")) && !strcmp(v, "pci"));
	FUZZ_CHECK((v = str(d, "version")) && !strcmp(v, "1.1.0"));
	pci = cJSON_GetObjectItemCaseSensitive(d, "pci");
	FUZZ_CHECK(cJSON_IsObject(pci));
	FUZZ_CHECK((v = str(pci, "pci-address")) && !strcmp(v, VF));
	FUZZ_CHECK((v = str(pci, "pf-pci-address")) && !strcmp(v, PF));
	if (rep)
		FUZZ_CHECK((v = str(pci, "representor-device")) && !strcmp(v, rep));
	cJSON_Delete(d);
}

static void one(const char *doc, size_t size, const char *rep)
{
	char *out = NULL, *again = NULL;
	int r;

	r = devinfo_merge(doc, size, VF, PF, rep, &out);
	if (r < 0) {
		/* The documented errors, or a refusal to write an output
		 * bigger than a reader accepts. */
		FUZZ_CHECK(r == -EINVAL || r == -EEXIST || r == -EXDEV || r == -EFBIG || r == -E2BIG ||
			   r == -ENOMEM);
		FUZZ_CHECK(out == NULL);
		return;
	}
	FUZZ_CHECK(out != NULL);
	check_doc(out, rep);
	{
		char v[PCI_BDF_LEN], p[PCI_BDF_LEN];

		/* What pflink wrote, pflink reads back (a netdev-less VF's
		 * address is taken from this file). */
		FUZZ_CHECK(devinfo_addresses(out, strlen(out), v, p) == 0 && !strcmp(v, VF) && !strcmp(p, PF));
	}

	r = devinfo_merge(out, strlen(out), VF, PF, rep, &again);
	if (r < 0 || strcmp(out, again)) {
		fprintf(stderr, "devinfo_merge not idempotent (r=%d, %zu bytes):\n%s\n---\n%s\n", r,
			strlen(out), out, again ? again : "(none)");
		__builtin_trap();
	}
	free(again);
	free(out);
}

static void addresses(const char *doc, size_t size)
{
	char v[PCI_BDF_LEN], p[PCI_BDF_LEN], c[PCI_BDF_LEN];
	int r = devinfo_addresses(doc, size, v, p);

	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EBADMSG);
	if (r < 0)
		return;
	FUZZ_CHECK(!v[0] || (pci_bdf_parse(v, c) == 0 && !strcmp(c, v)));
	FUZZ_CHECK(!p[0] || (pci_bdf_parse(p, c) == 0 && !strcmp(c, p)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size)
		addresses(fuzz_guarded(data, size), size);
	/* An empty input is "no existing file" (devinfo_update passes
	 * len 0); a NULL document must always work. */
	one(size ? fuzz_guarded(data, size) : NULL, size, NULL);
	one(size ? fuzz_guarded(data, size) : NULL, size, REP);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * record_from_json on arbitrary bytes.  Round trip: whatever parses must
 * serialise (record_to_json) into something that parses back to the same
 * record, field by field -- the state file pflink writes at ADD is what
 * CHECK, DEL, GC and the agent read later.
 */
#include "fuzz.h"

#include "pflink/pci.h"
#include "pflink/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define F(field) { #field, offsetof(struct pf_record, field), sizeof(((struct pf_record *)0)->field) }
static const struct {
	const char *name;
	size_t off, size;
} strs[] = {
	F(network), F(container_id), F(ifname), F(netns), F(cni_version), F(vf), F(vf_mac),
	F(vf_driver), F(pf), F(pf_netdev), F(pf_mac), F(pf_netns), F(representor),
	F(pod_namespace), F(pod_name), F(pod_uid), F(devinfo_path),
};
#undef F

static const char *field(const struct pf_record *s, size_t i)
{
	return (const char *)s + strs[i].off;
}

static void check_valid(const struct pf_record *s)
{
	char canon[PCI_BDF_LEN];
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		FUZZ_CHECK(memchr(field(s, i), '\0', strs[i].size) != NULL);
	FUZZ_CHECK(s->container_id[0] && s->ifname[0]);
	/* The BDFs are stored canonical. */
	FUZZ_CHECK(pci_bdf_parse(s->vf, canon) == 0 && !strcmp(canon, s->vf));
	FUZZ_CHECK(pci_bdf_parse(s->pf, canon) == 0 && !strcmp(canon, s->pf));
	FUZZ_CHECK(s->vf_index >= -1 && s->vf_index < 65536);
	FUZZ_CHECK(s->created >= 0);
}

static void check_same(const struct pf_record *a, const struct pf_record *b)
{
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (strcmp(field(a, i), field(b, i))) {
			fprintf(stderr, "round trip changed %s: \"%s\" -> \"%s\"\n", strs[i].name,
				field(a, i), field(b, i));
			__builtin_trap();
		}
	}
	FUZZ_CHECK(a->vf_index == b->vf_index);
	FUZZ_CHECK(a->devinfo_created == b->devinfo_created);
	FUZZ_CHECK(a->created == b->created);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_record s, t;
	char name[512], *json;
	int r;

	r = record_from_json(fuzz_guarded(data, size), size, &s);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL);
		return 0;
	}
	FUZZ_CHECK(r == 0);
	check_valid(&s);

	json = record_to_json(&s);
	FUZZ_CHECK(json != NULL);
	/* record_read refuses files above RECORD_MAX: what we write must fit. */
	FUZZ_CHECK(strlen(json) <= RECORD_MAX);
	memset(&t, 0xa5, sizeof(t));
	r = record_from_json(json, strlen(json), &t);
	if (r < 0) {
		fprintf(stderr, "record_to_json wrote what record_from_json refuses:\n%s\n", json);
		__builtin_trap();
	}
	check_same(&s, &t);
	free(json);

	/* The file name derived from the record is either refused or safe. */
	r = record_file_name(s.container_id, s.ifname, name, sizeof(name));
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r == 0)
		FUZZ_CHECK(!strchr(name, '/') && strcmp(name, ".") && strcmp(name, ".."));
	return 0;
}

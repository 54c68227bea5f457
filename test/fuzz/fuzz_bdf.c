/* SPDX-License-Identifier: MIT */
/*
 * The small string parsers that guard paths and lookups:
 *
 *  - pci_bdf_parse on the input (up to its first NUL): success means the
 *    output has the exact canonical shape, re-parses to itself, parses the
 *    same in place (state.c does that), and equals the input when the input
 *    was already canonical.
 *  - cni_args_get with the input split at its first '\n' into key and
 *    CNI_ARGS (no '\n': key K8S_POD_NAME, the whole input as args), checked
 *    against a straightforward model and for output-buffer bounds.
 *  - classify_port on the input: the numbers it reports fit the kind
 *    (1-5 digit decimal runs), and a representor printed back as devlink
 *    would print it classifies the same.
 */
#include "fuzz.h"

#include "cni.h"
#include "pflink/pci.h"
#include "pflink/classify.h"
#include "pflink/resolve.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool lhex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static unsigned hexval(const char *s, size_t n)
{
	unsigned v = 0;

	while (n--) {
		char c = *s++;

		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return v;
}

/* dddd[dddd]:bb:dd.f, lower-case hex, domain 4-8 digits without a leading
 * zero beyond four, device <= 0x1f, function 0-7. */
static bool canonical(const char *s)
{
	size_t d = 0, i;

	while (lhex(s[d]))
		d++;
	if (d < 4 || d > 8 || (d > 4 && s[0] == '0') || s[d] != ':')
		return false;
	s += d + 1;
	for (i = 0; i < 2; i++)
		if (!lhex(s[i]))
			return false;
	if (s[2] != ':' || !lhex(s[3]) || !lhex(s[4]) || hexval(s + 3, 2) > 0x1f || s[5] != '.')
		return false;
	return s[6] >= '0' && s[6] <= '7' && s[7] == '\0';
}

static void fuzz_bdf(const char *s)
{
	char out[PCI_BDF_LEN + 8], again[PCI_BDF_LEN], inplace[64];
	int r;

	memset(out, 'x', sizeof(out));
	r = pci_bdf_parse(s, out);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r < 0) {
		FUZZ_CHECK(!canonical(s));
		FUZZ_CHECK(!pci_bdf_eq(s, s));
		return;
	}
	FUZZ_CHECK(memchr(out, '\0', PCI_BDF_LEN) != NULL);	/* stays inside PCI_BDF_LEN */
	FUZZ_CHECK(canonical(out));
	FUZZ_CHECK(pci_bdf_parse(out, again) == 0 && !strcmp(again, out));
	FUZZ_CHECK(pci_bdf_eq(s, out));
	if (canonical(s))
		FUZZ_CHECK(!strcmp(s, out));
	/* Same result when parsing in place (input and output alias). */
	if (strlen(s) < sizeof(inplace)) {
		strcpy(inplace, s);
		FUZZ_CHECK(pci_bdf_parse(inplace, inplace) == 0 && !strcmp(inplace, out));
	}
}

/* The reference: first ';'-separated entry "key=value" wins. */
static int model_args_get(const char *args, const char *key, const char **val, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = args;

	for (;;) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n >= klen + 1 && !memcmp(p, key, klen) && p[klen] == '=') {
			*val = p + klen + 1;
			*vlen = n - klen - 1;
			return 0;
		}
		if (!end)
			return -ENOENT;
		p = end + 1;
	}
}

static void fuzz_args(const char *key, const char *args)
{
	static const size_t lens[] = { 0, 1, 8, 256 };
	const char *mval = NULL;
	size_t mlen = 0, i;
	int m = model_args_get(args, key, &mval, &mlen);

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char buf[256 + 1];
		int r;

		memset(buf, 'x', sizeof(buf));
		r = cni_args_get(args, key, buf, lens[i]);
		FUZZ_CHECK(buf[lens[i]] == 'x');	/* never writes past len */
		if (m < 0) {
			FUZZ_CHECK(r == -ENOENT);
		} else if (mlen >= lens[i]) {
			FUZZ_CHECK(r == -ENAMETOOLONG);
		} else {
			FUZZ_CHECK(r == 0 && strlen(buf) == mlen && !memcmp(buf, mval, mlen));
		}
	}
}

static void fuzz_port_name(const char *s)
{
	struct port_id p, q;
	enum port_kind k = classify_port(s, &p);
	char canon[64];

	FUZZ_CHECK(k == p.kind && k >= PORT_NONE && k <= PORT_OTHER);
	FUZZ_CHECK(p.controller >= -1 && p.controller <= 99999 && p.pf >= -1 && p.pf <= 99999);
	FUZZ_CHECK(p.vf >= -1 && p.vf <= 99999 && p.sf >= -1 && p.sf <= 99999);
	FUZZ_CHECK((p.vf >= 0) == (k == PORT_VF_REP) && (p.sf >= 0) == (k == PORT_SF_REP));
	FUZZ_CHECK((p.pf >= 0) == classify_is_representor(k));
	FUZZ_CHECK(k != PORT_NONE || !*s);
	FUZZ_CHECK(classify_is_pf_netdev(s) == !classify_is_representor(k));
	if (!classify_is_representor(k))
		return;
	/* The same representor, printed as devlink would, classifies the same. */
	if (p.controller >= 0)
		snprintf(canon, sizeof(canon), "c%dpf%d", p.controller, p.pf);
	else
		snprintf(canon, sizeof(canon), "pf%d", p.pf);
	if (k == PORT_VF_REP)
		snprintf(canon + strlen(canon), sizeof(canon) - strlen(canon), "vf%d", p.vf);
	if (k == PORT_SF_REP)
		snprintf(canon + strlen(canon), sizeof(canon) - strlen(canon), "sf%d", p.sf);
	if (k == PORT_PF_REP && strchr(s + 2, 's'))
		return;	/* nfp's split PF port: its split number is not kept */
	FUZZ_CHECK(classify_port(canon, &q) == k && q.controller == p.controller && q.pf == p.pf &&
		   q.vf == p.vf && q.sf == p.sf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nl;

	FUZZ_CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_bdf(s);
	fuzz_port_name(s);
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		fuzz_args(s, nl + 1);
	} else {
		fuzz_args("K8S_POD_NAME", s);
	}
	free(s);
	return 0;
}

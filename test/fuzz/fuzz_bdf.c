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
 *  - classify_vf_port on the input: success means it is
 *    [c<n>]pf<n>vf<n> with 1-5 digit decimal runs.
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
	const char *p = s;
	int pf = -1, vf = -1, r;
	size_t n;

	r = classify_vf_port(s, &pf, &vf);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r < 0)
		return;
	FUZZ_CHECK(pf >= 0 && pf <= 99999 && vf >= 0 && vf <= 99999);
	/* Shape: [c D{1,5}] pf D{1,5} vf D{1,5}, and the numbers are those. */
	if (*p == 'c') {
		n = strspn(p + 1, "0123456789");
		FUZZ_CHECK(n >= 1 && n <= 5);
		p += 1 + n;
	}
	FUZZ_CHECK(!strncmp(p, "pf", 2));
	n = strspn(p + 2, "0123456789");
	FUZZ_CHECK(n >= 1 && n <= 5 && atoi(p + 2) == pf);
	p += 2 + n;
	FUZZ_CHECK(!strncmp(p, "vf", 2));
	n = strspn(p + 2, "0123456789");
	FUZZ_CHECK(n >= 1 && n <= 5 && atoi(p + 2) == vf && p[2 + n] == '\0');
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

/* SPDX-License-Identifier: MIT */
/*
 * pci: BDF parsing (pure) and the sysfs walk on the standard fixture tree
 * (argv[1], built by test/fixtures/sysfs.sh; see test/fixtures/README.md),
 * plus a small private tree for escape attempts the standard one cannot
 * express.
 */
#include "t.h"

#include "pflink/pci.h"

#include <fcntl.h>
#include <sys/stat.h>

#define SENTINEL "untouched"

static void bdf_ok(const char *in, const char *canon, int line)
{
	char out[PCI_BDF_LEN] = "";
	int r = pci_bdf_parse(in, out);

	t_check(r == 0, __FILE__, line, "pci_bdf_parse(\"%s\") = %d, want 0", in, r);
	t_check(!strcmp(out, canon), __FILE__, line, "pci_bdf_parse(\"%s\") -> \"%s\", want \"%s\"",
		in, out, canon);
}

static void bdf_bad(const char *in, int line)
{
	char out[PCI_BDF_LEN] = "untouched";
	int r = pci_bdf_parse(in, out);

	t_check(r == -EINVAL, __FILE__, line, "pci_bdf_parse(\"%s\") = %d, want -EINVAL", in, r);
	t_check(!strcmp(out, "untouched"), __FILE__, line,
		"pci_bdf_parse(\"%s\") wrote \"%s\" although it failed", in, out);
}

static void test_bdf_parse(void)
{
	char forty[41];

	T_SECTION("pci_bdf_parse valid");
	bdf_ok("0000:01:10.0", "0000:01:10.0", __LINE__);
	bdf_ok("0000:00:1f.6", "0000:00:1f.6", __LINE__);
	bdf_ok("0000:ff:1f.7", "0000:ff:1f.7", __LINE__);
	bdf_ok("0000:00:00.0", "0000:00:00.0", __LINE__);
	bdf_ok("ABCD:0A:1F.7", "abcd:0a:1f.7", __LINE__);	/* upper case normalised */
	bdf_ok("0000:0a:1F.3", "0000:0a:1f.3", __LINE__);
	bdf_ok("10000:01:10.0", "10000:01:10.0", __LINE__);	/* VMD 5-digit domain */
	bdf_ok("FFFFFFFF:e3:00.1", "ffffffff:e3:00.1", __LINE__);	/* 8 digits, max */
	bdf_ok("1234567:01:00.0", "1234567:01:00.0", __LINE__);

	T_SECTION("pci_bdf_parse rejects");
	bdf_bad("", __LINE__);
	bdf_bad("usb-1.2", __LINE__);
	bdf_bad("usb-0000:00:14.0-1", __LINE__);
	bdf_bad("../../etc", __LINE__);
	bdf_bad("../0000:01:00.0", __LINE__);
	bdf_bad("0000:01:10.0/", __LINE__);
	bdf_bad("0000:01:10.0/../../x", __LINE__);
	bdf_bad("0000:01:10.8", __LINE__);	/* function > 7 */
	bdf_bad("0000:01:10.9", __LINE__);
	bdf_bad("0000:01:10.a", __LINE__);
	bdf_bad("0000:01:20.0", __LINE__);	/* device > 0x1f */
	bdf_bad("0000:01:ff.0", __LINE__);
	bdf_bad("000:01:10.0", __LINE__);	/* 3-digit domain */
	bdf_bad("0000:1:10.0", __LINE__);	/* 1-digit bus */
	bdf_bad("0000:001:10.0", __LINE__);	/* 3-digit bus */
	bdf_bad("0000:01:1.0", __LINE__);	/* 1-digit device */
	bdf_bad("0000:01:10.", __LINE__);
	bdf_bad("0000:01:10.07", __LINE__);
	bdf_bad("0000:01:10", __LINE__);
	bdf_bad("0000.01:10.0", __LINE__);
	bdf_bad("0000:01.10.0", __LINE__);
	bdf_bad("0000:01:10:0", __LINE__);
	bdf_bad(" 0000:01:10.0", __LINE__);
	bdf_bad("0000:01:10.0 ", __LINE__);
	bdf_bad("0000:01:10.0\n", __LINE__);
	bdf_bad("00000:01:10.0", __LINE__);	/* 5 digits with leading zero */
	bdf_bad("000000000:01:10.0", __LINE__);	/* 9 digits */
	bdf_bad("100000000:01:10.0", __LINE__);	/* 9 digits, no leading zero */
	bdf_bad("0x00:01:10.0", __LINE__);
	bdf_bad("+000:01:10.0", __LINE__);
	bdf_bad("g000:01:10.0", __LINE__);
	memset(forty, 'a', 40);
	forty[40] = '\0';
	bdf_bad(forty, __LINE__);
	/* 40 chars that start like a valid BDF */
	snprintf(forty, sizeof(forty), "0000:01:10.0%028d", 0);
	CHECK_EQ_INT(strlen(forty), 40);
	bdf_bad(forty, __LINE__);
	/* 40 chars: an over-long domain */
	snprintf(forty, sizeof(forty), "%032d:01:10.0", 1);
	CHECK_EQ_INT(strlen(forty), 40);
	bdf_bad(forty, __LINE__);
	{
		char out[PCI_BDF_LEN];

		CHECK_EQ_INT(pci_bdf_parse(NULL, out), -EINVAL);
	}

	T_SECTION("pci_bdf_eq");
	CHECK(pci_bdf_eq("0000:01:10.0", "0000:01:10.0"));
	CHECK(pci_bdf_eq("0000:0A:1F.2", "0000:0a:1f.2"));
	CHECK(pci_bdf_eq("ABCDE:0a:1f.2", "abcde:0A:1F.2"));
	CHECK(!pci_bdf_eq("0000:01:10.0", "0000:01:10.2"));
	CHECK(!pci_bdf_eq("0000:01:10.0", "0001:01:10.0"));
	CHECK(!pci_bdf_eq("0000:01:10.0", "0000:02:10.0"));
	CHECK(!pci_bdf_eq("0000:01:10.0", "0000:01:11.0"));
	/* invalid input is never equal, not even to itself */
	CHECK(!pci_bdf_eq("usb-1.2", "usb-1.2"));
	CHECK(!pci_bdf_eq("", ""));
	CHECK(!pci_bdf_eq("0000:01:10.0", "0000:01:10.0 "));
	CHECK(!pci_bdf_eq("00000:01:10.0", "0000:01:10.0"));
}

static int open_fixture(const char *root)
{
	int fd = -1, r = pci_sysfs_open(root, &fd);

	if (!CHECK_EQ_INT(r, 0) || !CHECK(fd >= 0)) {
		printf("cannot open the fixture tree %s; nothing else can be checked\n", root);
		t_done();
		exit(1);
	}
	return fd;
}

static void test_sysfs_open(const char *root)
{
	char *tmp = t_mkdtemp(), path[4096];
	int fd = -42, r;

	T_SECTION("pci_sysfs_open");
	r = pci_sysfs_open(root, &fd);
	CHECK_EQ_INT(r, 0);
	CHECK(fd >= 0);
	if (fd >= 0) {
		/* O_CLOEXEC, as every fd of the project */
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}

	/* an existing directory without bus/pci/devices */
	fd = -42;
	r = pci_sysfs_open(tmp, &fd);
	CHECK_EQ_INT(r, -ENOENT);
	CHECK_EQ_INT(fd, -42);
	/* the same in two steps: the root opens, the probe says what it lacks */
	r = pci_sysfs_open_root(tmp, &fd);
	CHECK_EQ_INT(r, 0);
	if (fd >= 0) {
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		CHECK_EQ_INT(pci_sysfs_probe(fd), -ENOENT);
		close(fd);
	}
	fd = -42;
	r = pci_sysfs_open_root(root, &fd);
	CHECK_EQ_INT(r, 0);
	if (fd >= 0) {
		CHECK_EQ_INT(pci_sysfs_probe(fd), 0);
		close(fd);
	}
	fd = -42;

	/* bus/pci exists, devices does not */
	snprintf(path, sizeof(path), "%s/bus", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/bus/pci", tmp);
	mkdir(path, 0755);
	r = pci_sysfs_open(tmp, &fd);
	CHECK(r < 0);
	CHECK_EQ_INT(fd, -42);

	/* devices is a regular file, not a directory */
	snprintf(path, sizeof(path), "%s/bus/pci/devices", tmp);
	t_write(path, "x", 1);
	r = pci_sysfs_open(tmp, &fd);
	CHECK_EQ_INT(r, -ENOTDIR);
	CHECK_EQ_INT(fd, -42);

	/* absent root; a root that is a file */
	snprintf(path, sizeof(path), "%s/nonexistent", tmp);
	CHECK_EQ_INT(pci_sysfs_open(path, &fd), -ENOENT);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", tmp);
	CHECK_EQ_INT(pci_sysfs_open(path, &fd), -ENOTDIR);
	CHECK_EQ_INT(fd, -42);

	t_rmrf(tmp);
	free(tmp);
}

static void test_fn_exists(int fd)
{
	T_SECTION("pci_fn_exists");
	CHECK_EQ_INT(pci_fn_exists(fd, "0000:01:00.0"), 0);
	CHECK_EQ_INT(pci_fn_exists(fd, "0000:01:10.6"), 0);
	CHECK_EQ_INT(pci_fn_exists(fd, "0000:00:1F.6"), 0);	/* canonicalised first */
	CHECK_EQ_INT(pci_fn_exists(fd, "0000:01:10.1"), -ENOENT);
	CHECK_EQ_INT(pci_fn_exists(fd, "0000:05:00.0"), -ENOENT);
	CHECK_EQ_INT(pci_fn_exists(fd, "../../etc"), -EINVAL);
	CHECK_EQ_INT(pci_fn_exists(fd, ""), -EINVAL);
}

static void physfn_is(int fd, const char *vf, int want_r, const char *want_pf, int line)
{
	char pf[PCI_BDF_LEN] = SENTINEL;
	int r = pci_physfn(fd, vf, pf);

	t_check(r == want_r, __FILE__, line, "pci_physfn(%s) = %d (%s), want %d (%s)", vf, r,
		strerror(-r), want_r, strerror(-want_r));
	if (want_pf)
		t_check(!strcmp(pf, want_pf), __FILE__, line, "pci_physfn(%s) -> \"%s\", want \"%s\"",
			vf, pf, want_pf);
	else
		t_check(!strcmp(pf, SENTINEL), __FILE__, line,
			"pci_physfn(%s) failed but wrote \"%s\" to its output", vf, pf);
}

static void test_physfn(int fd)
{
	char pf[PCI_BDF_LEN] = SENTINEL;
	int r;

	T_SECTION("pci_physfn");
	physfn_is(fd, "0000:01:10.0", 0, "0000:01:00.0", __LINE__);
	physfn_is(fd, "0000:01:10.2", 0, "0000:01:00.0", __LINE__);
	physfn_is(fd, "0000:01:10.4", 0, "0000:01:00.0", __LINE__);
	physfn_is(fd, "0000:01:10.6", 0, "0000:01:00.0", __LINE__);
	physfn_is(fd, "0000:02:10.2", 0, "0000:02:00.0", __LINE__);
	physfn_is(fd, "0000:03:00.1", 0, "0000:03:00.0", __LINE__);
	/* half torn down: physfn resolves, the PF just has no virtfn back */
	physfn_is(fd, "0000:08:10.0", 0, "0000:08:00.0", __LINE__);

	/* not a VF */
	physfn_is(fd, "0000:01:00.0", -ENOENT, NULL, __LINE__);
	physfn_is(fd, "0000:03:00.0", -ENOENT, NULL, __LINE__);
	physfn_is(fd, "0000:00:1f.6", -ENOENT, NULL, __LINE__);
	/* dangling: physfn -> ../0000:05:00.0 which does not exist */
	physfn_is(fd, "0000:05:10.0", -ENXIO, NULL, __LINE__);
	/* physfn -> physfn: openat2() follows it until the kernel's 40-link
	 * limit and fails with ELOOP, which pci_physfn passes on; -EINVAL
	 * would only come from the basename check, which "physfn" fails too,
	 * but that check runs after the open. */
	physfn_is(fd, "0000:06:10.0", -ELOOP, NULL, __LINE__);
	/* physfn -> /etc: RESOLVE_IN_ROOT makes that ROOT/etc, which does not
	 * exist, so it is dangling (-ENXIO) -- never the host's /etc. */
	r = pci_physfn(fd, "0000:07:10.0", pf);
	CHECK(r == -ENXIO || r == -EINVAL);
	CHECK_EQ_INT(r, -ENXIO);
	CHECK_STR(pf, SENTINEL);
	/* absent function, malformed input */
	physfn_is(fd, "0000:09:10.0", -ENOENT, NULL, __LINE__);
	physfn_is(fd, "../0000:01:10.0", -EINVAL, NULL, __LINE__);
	physfn_is(fd, "", -EINVAL, NULL, __LINE__);
}

static void test_vf_index(int fd)
{
	static const struct { const char *pf, *vf; int idx; } ok[] = {
		{ "0000:01:00.0", "0000:01:10.0", 0 },
		{ "0000:01:00.0", "0000:01:10.2", 1 },
		{ "0000:01:00.0", "0000:01:10.4", 2 },
		{ "0000:01:00.0", "0000:01:10.6", 3 },
		{ "0000:02:00.0", "0000:02:10.0", 0 },
		{ "0000:02:00.0", "0000:02:10.2", 1 },
		{ "0000:03:00.0", "0000:03:00.1", 0 },
	};
	unsigned i;
	int idx;

	T_SECTION("pci_vf_index");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		idx = -42;
		t_check(pci_vf_index(fd, ok[i].pf, ok[i].vf, &idx) == 0 && idx == ok[i].idx,
			__FILE__, __LINE__, "pci_vf_index(%s, %s) -> %d, want %d", ok[i].pf,
			ok[i].vf, idx, ok[i].idx);
	}
	/* upper-case VF spelling still matches */
	idx = -42;
	CHECK_EQ_INT(pci_vf_index(fd, "0000:01:00.0", "0000:01:10.6", &idx), 0);
	CHECK_EQ_INT(idx, 3);

	idx = -42;
	/* half torn down: no virtfn points back */
	CHECK_EQ_INT(pci_vf_index(fd, "0000:08:00.0", "0000:08:10.0", &idx), -ENOENT);
	/* a VF of another PF */
	CHECK_EQ_INT(pci_vf_index(fd, "0000:01:00.0", "0000:02:10.0", &idx), -ENOENT);
	/* the PF itself, a plain function */
	CHECK_EQ_INT(pci_vf_index(fd, "0000:01:00.0", "0000:01:00.0", &idx), -ENOENT);
	CHECK_EQ_INT(pci_vf_index(fd, "0000:00:1f.6", "0000:01:10.0", &idx), -ENOENT);
	/* absent PF; malformed BDFs */
	CHECK_EQ_INT(pci_vf_index(fd, "0000:09:00.0", "0000:01:10.0", &idx), -ENOENT);
	CHECK_EQ_INT(pci_vf_index(fd, "0000:01:00.0", "../x", &idx), -EINVAL);
	CHECK_EQ_INT(pci_vf_index(fd, "../x", "0000:01:10.0", &idx), -EINVAL);
	CHECK_EQ_INT(idx, -42);
}

static void test_driver_uint(int fd)
{
	char name[64];
	unsigned v;

	T_SECTION("pci_driver");
	strcpy(name, SENTINEL);
	CHECK_EQ_INT(pci_driver(fd, "0000:01:00.0", name, sizeof(name)), 0);
	CHECK_STR(name, "igb");
	CHECK_EQ_INT(pci_driver(fd, "0000:01:10.2", name, sizeof(name)), 0);
	CHECK_STR(name, "igbvf");
	CHECK_EQ_INT(pci_driver(fd, "0000:03:00.1", name, sizeof(name)), 0);
	CHECK_STR(name, "mlx4_core");
	CHECK_EQ_INT(pci_driver(fd, "0000:00:1f.6", name, sizeof(name)), 0);
	CHECK_STR(name, "e1000e");
	/* exactly fits ("igb" + NUL) / one byte short */
	CHECK_EQ_INT(pci_driver(fd, "0000:01:00.0", name, 4), 0);
	CHECK_STR(name, "igb");
	CHECK(pci_driver(fd, "0000:01:00.0", name, 3) < 0);
	CHECK_EQ_INT(pci_driver(fd, "0000:09:00.0", name, sizeof(name)), -ENOENT);
	CHECK_EQ_INT(pci_driver(fd, "usb-1", name, sizeof(name)), -EINVAL);

	T_SECTION("pci_read_int");
	{
		int n = 4242;

		CHECK_EQ_INT(pci_read_int(fd, "0000:02:00.0", "numa_node", &n), 0);
		CHECK_EQ_INT(n, 1);
		CHECK_EQ_INT(pci_read_int(fd, "0000:01:00.0", "numa_node", &n), 0);
		CHECK_EQ_INT(n, -1);
		CHECK_EQ_INT(pci_read_int(fd, "0000:01:00.0", "sriov_numvfs", &n), 0);
		CHECK_EQ_INT(n, 4);
		n = 4242;
		/* 0x-hex is not a signed decimal */
		CHECK_EQ_INT(pci_read_int(fd, "0000:01:00.0", "class", &n), -EINVAL);
		CHECK_EQ_INT(pci_read_int(fd, "0000:09:00.0", "numa_node", &n), -ENOENT);
		CHECK_EQ_INT(pci_read_int(fd, "../x", "numa_node", &n), -EINVAL);
		CHECK_EQ_INT(n, 4242);
	}

	T_SECTION("pci_read_uint");
	v = 4242;
	CHECK_EQ_INT(pci_read_uint(fd, "0000:01:00.0", "sriov_numvfs", &v), 0);
	CHECK_EQ_INT(v, 4);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:01:00.0", "sriov_totalvfs", &v), 0);
	CHECK_EQ_INT(v, 8);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:02:00.0", "sriov_numvfs", &v), 0);
	CHECK_EQ_INT(v, 2);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:03:00.0", "sriov_totalvfs", &v), 0);
	CHECK_EQ_INT(v, 4);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:03:00.0", "sriov_numvfs", &v), 0);
	CHECK_EQ_INT(v, 1);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:08:00.0", "sriov_numvfs", &v), 0);
	CHECK_EQ_INT(v, 0);
	v = 4242;
	/* a VF / plain function has no sriov_* */
	CHECK_EQ_INT(pci_read_uint(fd, "0000:01:10.0", "sriov_totalvfs", &v), -ENOENT);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:00:1f.6", "sriov_numvfs", &v), -ENOENT);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:09:00.0", "sriov_numvfs", &v), -ENOENT);
	CHECK_EQ_INT(pci_read_uint(fd, "usb-1.2", "sriov_numvfs", &v), -EINVAL);
	CHECK_EQ_INT(v, 4242);
	/* 0x-hex attributes (pci.h: "decimal (sriov_numvfs) or 0x-hex (class)") */
	CHECK_EQ_INT(pci_read_uint(fd, "0000:01:00.0", "vendor", &v), 0);
	CHECK_EQ_INT(v, 0x8086);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:01:00.0", "device", &v), 0);
	CHECK_EQ_INT(v, 0x10c9);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:01:10.0", "device", &v), 0);
	CHECK_EQ_INT(v, 0x10ca);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:03:00.0", "device", &v), 0);
	CHECK_EQ_INT(v, 0x1003);
	CHECK_EQ_INT(pci_read_uint(fd, "0000:01:00.0", "class", &v), 0);
	CHECK_EQ_INT(v, 0x020000);
}

static void test_describe(int fd)
{
	struct pci_fn fn;
	int r;

	T_SECTION("pci_describe PF");
	memset(&fn, 0xa5, sizeof(fn));
	CHECK_EQ_INT(pci_describe(fd, "0000:01:00.0", &fn), 0);
	CHECK_STR(fn.bdf, "0000:01:00.0");
	CHECK_STR(fn.driver, "igb");
	CHECK(fn.is_pf);
	CHECK(!fn.is_vf);
	CHECK_EQ_INT(fn.numvfs, 4);
	CHECK_EQ_INT(fn.totalvfs, 8);
	CHECK_EQ_INT(fn.vf_index, -1);
	CHECK_STR(fn.pf, "");

	T_SECTION("pci_describe VF");
	memset(&fn, 0xa5, sizeof(fn));
	CHECK_EQ_INT(pci_describe(fd, "0000:01:10.4", &fn), 0);
	CHECK_STR(fn.bdf, "0000:01:10.4");
	CHECK_STR(fn.driver, "igbvf");
	CHECK(!fn.is_pf);
	CHECK(fn.is_vf);
	CHECK_STR(fn.pf, "0000:01:00.0");
	CHECK_EQ_INT(fn.vf_index, 2);
	CHECK_EQ_INT(fn.numvfs, 0);
	CHECK_EQ_INT(fn.totalvfs, 0);

	memset(&fn, 0xa5, sizeof(fn));
	CHECK_EQ_INT(pci_describe(fd, "0000:03:00.1", &fn), 0);
	CHECK(fn.is_vf);
	CHECK_STR(fn.pf, "0000:03:00.0");
	CHECK_EQ_INT(fn.vf_index, 0);
	CHECK_STR(fn.driver, "mlx4_core");

	/* VF whose PF does not list it: still a VF, index unknown */
	memset(&fn, 0xa5, sizeof(fn));
	CHECK_EQ_INT(pci_describe(fd, "0000:08:10.0", &fn), 0);
	CHECK(fn.is_vf);
	CHECK_STR(fn.pf, "0000:08:00.0");
	CHECK_EQ_INT(fn.vf_index, -1);

	T_SECTION("pci_describe plain");
	memset(&fn, 0xa5, sizeof(fn));
	CHECK_EQ_INT(pci_describe(fd, "0000:00:1F.6", &fn), 0);
	CHECK_STR(fn.bdf, "0000:00:1f.6");
	CHECK_STR(fn.driver, "e1000e");
	CHECK(!fn.is_pf);
	CHECK(!fn.is_vf);
	CHECK_EQ_INT(fn.vf_index, -1);
	CHECK_EQ_INT(fn.numvfs, 0);
	CHECK_EQ_INT(fn.totalvfs, 0);

	T_SECTION("pci_describe failures");
	memset(&fn, 0xa5, sizeof(fn));
	CHECK_EQ_INT(pci_describe(fd, "0000:09:00.0", &fn), -ENOENT);
	CHECK_EQ_INT(pci_describe(fd, "0000:05:10.0", &fn), -ENXIO);
	CHECK_EQ_INT(pci_describe(fd, "0000:06:10.0", &fn), -ELOOP);
	r = pci_describe(fd, "0000:07:10.0", &fn);
	CHECK(r == -ENXIO || r == -EINVAL);
	CHECK_EQ_INT(pci_describe(fd, "usb-1.2", &fn), -EINVAL);
	/* output written only on success */
	CHECK_EQ_INT((unsigned char)fn.bdf[0], 0xa5);
	CHECK_EQ_INT(fn.vf_index, (int)0xa5a5a5a5);
}

/* A tree of our own: a PF, and VFs whose physfn points at a directory
 * that really exists outside the root (absolute and via ".." past the
 * root).  Opened without RESOLVE_IN_ROOT, those would resolve to a real
 * directory named like the PF, and pci_physfn would succeed. */
static void mk(const char *root, const char *rel)
{
	char p[4096];

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", root, rel) >= sizeof(p)) {
		printf("FAIL: path too long: %s/%s\n", root, rel);
		exit(1);
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		printf("FAIL: mkdir %s: %s\n", p, strerror(errno));
		exit(1);
	}
}

static void ln(const char *target, const char *root, const char *rel)
{
	char p[4096];

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", root, rel) >= sizeof(p)) {
		printf("FAIL: path too long: %s/%s\n", root, rel);
		exit(1);
	}
	if (symlink(target, p) < 0) {
		printf("FAIL: symlink %s -> %s: %s\n", p, target, strerror(errno));
		exit(1);
	}
}

/* tmp/root with the directories every tree has. */
static void mk_root(const char *tmp, char *root, size_t len)
{
	snprintf(root, len, "%s/root", tmp);
	mk(tmp, "root");
	mk(root, "devices");
	mk(root, "devices/pci0000:00");
	mk(root, "bus");
	mk(root, "bus/pci");
	mk(root, "bus/pci/devices");
}

static void test_escape(void)
{
	char *tmp = t_mkdtemp(), root[1024], target[2048], rel[4096];
	char pf[PCI_BDF_LEN] = SENTINEL;
	int fd = -1, depth, r;

	mk_root(tmp, root, sizeof(root));
	mk(root, "devices/pci0000:00/0000:01:00.0");
	ln("../../../devices/pci0000:00/0000:01:00.0", root, "bus/pci/devices/0000:01:00.0");
	for (int i = 0; i < 2; i++) {
		const char *vf = i ? "0000:09:10.2" : "0000:09:10.0";

		snprintf(rel, sizeof(rel), "devices/pci0000:00/%s", vf);
		mk(root, rel);
		snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", vf);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s", vf);
		ln(target, root, rel);
	}
	/* A real directory outside the root, named like the PF. */
	mk(tmp, "outside");
	mk(tmp, "outside/0000:01:00.0");
	snprintf(target, sizeof(target), "%s/outside/0000:01:00.0", tmp);
	ln(target, root, "devices/pci0000:00/0000:09:10.0/physfn");
	/* ".." far past the root, landing on the same outside directory */
	depth = 0;
	for (const char *p = root; *p; p++)
		depth += *p == '/';
	rel[0] = '\0';
	for (int i = 0; i < depth + 5; i++)
		strcat(rel, "../");
	strcat(rel, target + 1);
	ln(rel, root, "devices/pci0000:00/0000:09:10.2/physfn");

	/* a plain function with no driver and malformed attribute files */
	mk(root, "devices/pci0000:00/0000:0a:00.0");
	ln("../../../devices/pci0000:00/0000:0a:00.0", root, "bus/pci/devices/0000:0a:00.0");
	{
		static const struct { const char *name, *data; } attrs[] = {
			{ "empty", "" }, { "word", "abc\n" }, { "trail", "12x\n" },
			{ "neg", "-1\n" }, { "huge", "4294967296\n" }, { "max", "4294967295\n" },
			{ "nonl", "7" },
		};

		for (unsigned i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
			snprintf(rel, sizeof(rel), "%s/devices/pci0000:00/0000:0a:00.0/%s", root, attrs[i].name);
			t_write(rel, attrs[i].data, strlen(attrs[i].data));
		}
	}

	T_SECTION("private tree: unbound driver, malformed attributes");
	r = pci_sysfs_open(root, &fd);
	CHECK_EQ_INT(r, 0);
	if (r == 0) {
		char name[64] = "untouched";
		struct pci_fn fn;
		unsigned v = 4242;

		CHECK_EQ_INT(pci_driver(fd, "0000:0a:00.0", name, sizeof(name)), -ENOENT);
		CHECK_STR(name, "untouched");
		CHECK_EQ_INT(pci_describe(fd, "0000:0a:00.0", &fn), 0);
		CHECK_STR(fn.driver, "");
		CHECK(!fn.is_pf && !fn.is_vf);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:0a:00.0", "empty", &v), -EINVAL);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:0a:00.0", "word", &v), -EINVAL);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:0a:00.0", "trail", &v), -EINVAL);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:0a:00.0", "neg", &v), -EINVAL);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:0a:00.0", "huge", &v), -EINVAL);
		CHECK_EQ_INT(v, 4242);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:0a:00.0", "max", &v), 0);
		CHECK_EQ_INT(v, 4294967295u);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:0a:00.0", "nonl", &v), 0);
		CHECK_EQ_INT(v, 7);
		close(fd);
		fd = -1;
	}

	T_SECTION("pci_physfn never leaves the root");
	/* sanity: the escape targets really resolve from the host's view */
	snprintf(rel, sizeof(rel), "%s/devices/pci0000:00/0000:09:10.0/physfn", root);
	CHECK(access(rel, F_OK) == 0);
	snprintf(rel, sizeof(rel), "%s/devices/pci0000:00/0000:09:10.2/physfn", root);
	CHECK(access(rel, F_OK) == 0);

	r = pci_sysfs_open(root, &fd);
	CHECK_EQ_INT(r, 0);
	if (r == 0) {
		r = pci_physfn(fd, "0000:09:10.0", pf);
		CHECK(r == -ENXIO || r == -EINVAL);
		CHECK_STR(pf, SENTINEL);
		r = pci_physfn(fd, "0000:09:10.2", pf);
		CHECK(r == -ENXIO || r == -EINVAL);
		CHECK_STR(pf, SENTINEL);
		close(fd);
	}
	t_rmrf(tmp);
	free(tmp);
}

/* pci_vf_index() reads the virtfn that sriov_offset/sriov_stride point at
 * first; when the capability's arithmetic does not match the links (or
 * cannot be done), the links are the truth. */
static void test_stride(void)
{
	char *tmp = t_mkdtemp(), root[1024], rel[4096], vf[PCI_BDF_LEN];
	static const struct { const char *pf, *off, *stride, *links[4]; } pfs[] = {
		/* as the kernel lays out an 82576: VF n at 128 + 2n */
		{ "0000:20:00.0", "128\n", "2\n", { "0000:20:10.0", "0000:20:10.2", NULL } },
		/* the links disagree with the arithmetic: they win */
		{ "0000:21:00.0", "128\n", "2\n", { "0000:21:10.2", "0000:21:10.0", NULL } },
		/* stride 0: no arithmetic at all */
		{ "0000:22:00.0", "128\n", "0\n", { "0000:22:10.0", "0000:22:10.2", "not-a-bdf", NULL } },
	};
	int fd = -1, idx;

	mk_root(tmp, root, sizeof(root));
	for (unsigned i = 0; i < sizeof(pfs) / sizeof(pfs[0]); i++) {
		char dev[256], target[512];

		snprintf(dev, sizeof(dev), "devices/pci0000:00/%s", pfs[i].pf);
		mk(root, dev);
		snprintf(target, sizeof(target), "../../../%s", dev);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s", pfs[i].pf);
		ln(target, root, rel);
		snprintf(rel, sizeof(rel), "%s/%s/sriov_offset", root, dev);
		t_write(rel, pfs[i].off, strlen(pfs[i].off));
		snprintf(rel, sizeof(rel), "%s/%s/sriov_stride", root, dev);
		t_write(rel, pfs[i].stride, strlen(pfs[i].stride));
		for (unsigned k = 0; pfs[i].links[k]; k++) {
			snprintf(target, sizeof(target), "../%s", pfs[i].links[k]);
			snprintf(rel, sizeof(rel), "%s/virtfn%u", dev, k);
			ln(target, root, rel);
		}
	}

	T_SECTION("pci_vf_index: sriov_offset/sriov_stride first, the links decide");
	if (!CHECK_EQ_INT(pci_sysfs_open(root, &fd), 0))
		goto out;
	CHECK_EQ_INT(pci_vf_index(fd, "0000:20:00.0", "0000:20:10.2", &idx), 0);
	CHECK_EQ_INT(idx, 1);
	CHECK_EQ_INT(pci_vf_index(fd, "0000:21:00.0", "0000:21:10.2", &idx), 0);
	CHECK_EQ_INT(idx, 0);
	CHECK_EQ_INT(pci_vf_index(fd, "0000:21:00.0", "0000:21:10.0", &idx), 0);
	CHECK_EQ_INT(idx, 1);
	CHECK_EQ_INT(pci_vf_index(fd, "0000:22:00.0", "0000:22:10.2", &idx), 0);
	CHECK_EQ_INT(idx, 1);
	/* on the grid, but no virtfn names it */
	CHECK_EQ_INT(pci_vf_index(fd, "0000:20:00.0", "0000:20:10.4", &idx), -ENOENT);
	/* another domain, below the offset */
	CHECK_EQ_INT(pci_vf_index(fd, "0000:20:00.0", "0001:20:10.0", &idx), -ENOENT);
	CHECK_EQ_INT(pci_vf_index(fd, "0000:20:00.0", "0000:20:00.1", &idx), -ENOENT);

	T_SECTION("pci_virtfn");
	CHECK_EQ_INT(pci_virtfn(fd, "0000:22:00.0", 1, vf), 0);
	CHECK_STR(vf, "0000:22:10.2");
	CHECK_EQ_INT(pci_virtfn(fd, "0000:22:00.0", 3, vf), -ENOENT);
	CHECK_EQ_INT(pci_virtfn(fd, "0000:22:00.0", 2, vf), -EINVAL);
	CHECK_EQ_INT(pci_virtfn(fd, "0000:22:00.0", -1, vf), -EINVAL);
	CHECK_EQ_INT(pci_virtfn(fd, "0000:23:00.0", 0, vf), -ENOENT);

	T_SECTION("pci_read_uint: one attribute name, never a path");
	{
		unsigned v = 7;

		CHECK_EQ_INT(pci_read_uint(fd, "0000:20:00.0", "sriov_offset", &v), 0);
		CHECK_EQ_INT(v, 128);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:20:00.0", "../0000:21:00.0/sriov_offset", &v), -EINVAL);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:20:00.0", "..", &v), -EINVAL);
		CHECK_EQ_INT(pci_read_uint(fd, "0000:20:00.0", "", &v), -EINVAL);
	}

	T_SECTION("pci_netdev_names: what net/ lists, bounded, inside the root");
	{
		char names[4][IF_NAMESIZE], p[512];
		unsigned n = 99;

		mk(root, "devices/pci0000:00/0000:20:00.0/net");
		mk(root, "devices/pci0000:00/0000:20:00.0/net/eth0");
		mk(root, "devices/pci0000:00/0000:20:00.0/net/enp32s0f0np1");
		CHECK_EQ_INT(pci_netdev_names(fd, "0000:20:00.0", names, 4, &n), 0);
		CHECK_EQ_INT(n, 2);
		CHECK((!strcmp(names[0], "eth0") && !strcmp(names[1], "enp32s0f0np1")) ||
		      (!strcmp(names[1], "eth0") && !strcmp(names[0], "enp32s0f0np1")));
		CHECK_EQ_INT(pci_netdev_names(fd, "0000:20:00.0", names, 1, &n), -E2BIG);
		/* no net/: a function without a netdev driver */
		CHECK_EQ_INT(pci_netdev_names(fd, "0000:22:00.0", names, 4, &n), -ENOENT);
		CHECK_EQ_INT(n, 0);
		/* an empty net/ */
		mk(root, "devices/pci0000:00/0000:21:00.0/net");
		CHECK_EQ_INT(pci_netdev_names(fd, "0000:21:00.0", names, 4, &n), 0);
		CHECK_EQ_INT(n, 0);
		/* a name no interface can have */
		mk(root, "devices/pci0000:00/0000:21:00.0/net/sixteen-chars-xx");
		CHECK_EQ_INT(pci_netdev_names(fd, "0000:21:00.0", names, 4, &n), -EINVAL);
		/* net/ a link out of the root: refused like every other walk */
		mk(tmp, "elsewhere");
		mk(tmp, "elsewhere/eth9");
		snprintf(p, sizeof(p), "%s/elsewhere", tmp);
		ln(p, root, "devices/pci0000:00/0000:22:00.0/net");
		CHECK(pci_netdev_names(fd, "0000:22:00.0", names, 4, &n) < 0);
		CHECK_EQ_INT(n, 0);
	}
	close(fd);
out:
	t_rmrf(tmp);
	free(tmp);
}

/* pci_foreach_vf_driver against pci_foreach_vf and pci_driver. */
struct vf_seen {
	unsigned n;
	int idx[16];
	char vf[16][PCI_BDF_LEN], drv[16][64];
};

static int seen_vf(int idx, const char *vf, void *arg)
{
	struct vf_seen *s = arg;

	if (s->n == 16)
		return -E2BIG;
	s->idx[s->n] = idx;
	memcpy(s->vf[s->n++], vf, PCI_BDF_LEN);
	return 0;
}

static int seen_vf_drv(int idx, const char *vf, const char *drv, void *arg)
{
	struct vf_seen *s = arg;
	int r = seen_vf(idx, vf, arg);

	if (r == 0 && snprintf(s->drv[s->n - 1], sizeof(s->drv[0]), "%s", drv) >= (int)sizeof(s->drv[0]))
		return -E2BIG;
	return r;
}

static void test_vf_drivers(int fd)
{
	static const char *const pfs[] = { "0000:01:00.0", "0000:02:00.0", "0000:03:00.0" };
	unsigned p, i, j;

	T_SECTION("pci_foreach_vf_driver: the fixture, as pci_foreach_vf + pci_driver");
	for (p = 0; p < sizeof(pfs) / sizeof(pfs[0]); p++) {
		struct vf_seen a = { 0 }, b = { 0 };

		CHECK_EQ_INT(pci_foreach_vf(fd, pfs[p], seen_vf, &a), 0);
		CHECK_EQ_INT(pci_foreach_vf_driver(fd, pfs[p], seen_vf_drv, &b), 0);
		CHECK(a.n > 0);
		CHECK_EQ_INT((int)b.n, (int)a.n);
		for (i = 0; i < a.n && i < b.n; i++) {
			char want[64];

			if (pci_driver(fd, a.vf[i], want, sizeof(want)) < 0)
				want[0] = '\0';
			for (j = 0; j < b.n && strcmp(b.vf[j], a.vf[i]); j++)
				;
			CHECK(j < b.n);
			if (j < b.n) {
				CHECK_EQ_INT(b.idx[j], a.idx[i]);
				CHECK_STR(b.drv[j], want);
			}
		}
	}
	{
		struct vf_seen b = { 0 };

		CHECK_EQ_INT(pci_foreach_vf_driver(fd, "0000:99:00.0", seen_vf_drv, &b), -ENOENT);
		CHECK_EQ_INT((int)b.n, 0);
	}
}

/* A VF beside its PF read from there; a "VF" beside it that is a link
 * out of the root, and a virtfn that leads elsewhere, through the root. */
static void test_vf_drivers_private(void)
{
	char *tmp = t_mkdtemp(), root[1024], target[2048];
	struct vf_seen b = { 0 };
	int fd = -1, r;
	unsigned i;

	mk_root(tmp, root, sizeof(root));
	mk(root, "bus/pci/drivers");
	mk(root, "bus/pci/drivers/igbvf");
	mk(root, "bus/pci/drivers/ixgbevf");
	mk(root, "devices/pci0000:00/0000:05:00.0");
	ln("../../../devices/pci0000:00/0000:05:00.0", root, "bus/pci/devices/0000:05:00.0");
	/* virtfn0: beside the PF, bound */
	mk(root, "devices/pci0000:00/0000:05:10.0");
	ln("../../../devices/pci0000:00/0000:05:10.0", root, "bus/pci/devices/0000:05:10.0");
	ln("../../../bus/pci/drivers/igbvf", root, "devices/pci0000:00/0000:05:10.0/driver");
	ln("../0000:05:10.0", root, "devices/pci0000:00/0000:05:00.0/virtfn0");
	/* virtfn1: beside the PF by name, but a link to a directory outside
	 * the root whose driver says "outside": never read. */
	mk(tmp, "outside");
	mk(tmp, "outside/dev");
	ln("/outside-driver/outside", tmp, "outside/dev/driver");
	snprintf(target, sizeof(target), "%s/outside/dev", tmp);
	ln(target, root, "devices/pci0000:00/0000:05:10.1");
	ln("../0000:05:10.1", root, "devices/pci0000:00/0000:05:00.0/virtfn1");
	/* virtfn2: on a bus of its own (not beside the PF), bound */
	mk(root, "devices/pci0000:00/0000:00:03.0");
	mk(root, "devices/pci0000:00/0000:00:03.0/0000:06:00.0");
	ln("../../../devices/pci0000:00/0000:00:03.0/0000:06:00.0", root, "bus/pci/devices/0000:06:00.0");
	ln("../../../../bus/pci/drivers/ixgbevf", root, "devices/pci0000:00/0000:00:03.0/0000:06:00.0/driver");
	ln("../0000:00:03.0/0000:06:00.0", root, "devices/pci0000:00/0000:05:00.0/virtfn2");
	/* virtfn3: beside the PF, no driver */
	mk(root, "devices/pci0000:00/0000:05:10.3");
	ln("../0000:05:10.3", root, "devices/pci0000:00/0000:05:00.0/virtfn3");

	T_SECTION("pci_foreach_vf_driver: beside the PF, a link out, elsewhere, unbound");
	r = pci_sysfs_open(root, &fd);
	CHECK_EQ_INT(r, 0);
	if (r == 0) {
		CHECK_EQ_INT(pci_foreach_vf_driver(fd, "0000:05:00.0", seen_vf_drv, &b), 0);
		CHECK_EQ_INT((int)b.n, 4);
		for (i = 0; i < b.n; i++) {
			const char *want = b.idx[i] == 0 ? "igbvf" : b.idx[i] == 2 ? "ixgbevf" : "";

			CHECK_STR(b.drv[i], want);
		}
		close(fd);
	}
	t_rmrf(tmp);
	free(tmp);
}

int main(int argc, char **argv)
{
	int fd;

	test_bdf_parse();
	/* "--walk": the same checks through the user-space walk that stands
	 * in for openat2 on kernels without it. */
	if (argc > 2 && !strcmp(argv[2], "--walk"))
		pci_sysfs_force_walk(true);
	if (argc < 2) {
		printf("FAIL: usage: %s FIXTURE_SYSFS_ROOT\n", argv[0]);
		return 1;
	}
	test_sysfs_open(argv[1]);
	fd = open_fixture(argv[1]);
	test_fn_exists(fd);
	test_physfn(fd);
	test_vf_index(fd);
	test_driver_uint(fd);
	test_vf_drivers(fd);
	test_describe(fd);
	close(fd);
	test_escape();
	test_vf_drivers_private();
	test_stride();
	return t_done();
}

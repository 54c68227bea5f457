/* SPDX-License-Identifier: MIT */
/*
 * resolve: the pure parts (switchdev port names) and the PF's PCI facts on
 * the standard fixture tree (argv[1]).  The netns/netlink/ethtool steps are
 * covered by the root integration suite.
 */
#include "t.h"

#include "pflink/classify.h"
#include "pflink/resolve.h"

static void port_ok(const char *s, int pf, int vf, int line)
{
	int p = -42, v = -42, r = classify_vf_port(s, &p, &v);

	t_check(r == 0 && p == pf && v == vf, __FILE__, line,
		"classify_vf_port(\"%s\") = %d -> pf %d vf %d, want 0 -> pf %d vf %d", s, r, p,
		v, pf, vf);
}

static void port_bad(const char *s, int line)
{
	int p = -42, v = -42, r = classify_vf_port(s, &p, &v);

	t_check(r == -EINVAL && p == -42 && v == -42, __FILE__, line,
		"classify_vf_port(\"%s\") = %d (pf %d vf %d), want -EINVAL and no output", s,
		r, p, v);
}

static void test_port_names(void)
{
	T_SECTION("classify_vf_port accepts");
	port_ok("pf0vf3", 0, 3, __LINE__);
	port_ok("pf0vf0", 0, 0, __LINE__);
	port_ok("c1pf0vf3", 0, 3, __LINE__);
	port_ok("c0pf1vf2", 1, 2, __LINE__);
	port_ok("pf12vf127", 12, 127, __LINE__);
	port_ok("pf1vf65535", 1, 65535, __LINE__);

	T_SECTION("classify_vf_port rejects");
	port_bad("p0", __LINE__);
	port_bad("pf0", __LINE__);
	port_bad("pf0vf", __LINE__);
	port_bad("pf-1vf2", __LINE__);
	port_bad("pf0vf-2", __LINE__);
	port_bad("pf+1vf2", __LINE__);
	port_bad("pf 0vf3", __LINE__);
	port_bad("pf0vf3 ", __LINE__);
	port_bad(" pf0vf3", __LINE__);
	port_bad("pf0vf3x", __LINE__);
	port_bad("pf0vf3\n", __LINE__);
	port_bad("vf3", __LINE__);
	port_bad("", __LINE__);
	port_bad("c", __LINE__);
	port_bad("cpf0vf3", __LINE__);
	port_bad("c1", __LINE__);
	port_bad("c1vf3", __LINE__);
	port_bad("pf0sf3", __LINE__);	/* subfunction, not a VF */
	port_bad("p0pf0vf3", __LINE__);
	port_bad("PF0VF3", __LINE__);
	port_bad("pfvf3", __LINE__);
	port_bad("pf0vf1234567", __LINE__);	/* more digits than any real VF */
}

static void test_pf_pci(const char *root)
{
	struct pf_info pf;
	int fd = -1;

	T_SECTION("resolve_pf_pci");
	if (!CHECK_EQ_INT(pci_sysfs_open(root, &fd), 0))
		return;
	memset(&pf, 0, sizeof(pf));
	CHECK_EQ_INT(resolve_pf_pci(fd, "0000:01:00.0", &pf), 0);
	CHECK_STR(pf.bdf, "0000:01:00.0");
	CHECK_STR(pf.driver, "igb");
	CHECK_EQ_INT(pf.numvfs, 4);
	CHECK_EQ_INT(pf.totalvfs, 8);
	CHECK_EQ_INT(pf.n_netdevs, 0);
	memset(&pf, 0, sizeof(pf));
	CHECK_EQ_INT(resolve_pf_pci(fd, "0000:03:00.0", &pf), 0);
	CHECK_STR(pf.driver, "mlx4_core");
	CHECK_EQ_INT(pf.numvfs, 1);
	CHECK_EQ_INT(pf.totalvfs, 4);
	memset(&pf, 0, sizeof(pf));
	CHECK_EQ_INT(resolve_pf_pci(fd, "0000:08:00.0", &pf), 0);
	CHECK_EQ_INT(pf.numvfs, 0);
	CHECK_EQ_INT(pf.totalvfs, 8);
	strcpy(pf.bdf, "untouched");
	CHECK_EQ_INT(resolve_pf_pci(fd, "0000:09:00.0", &pf), -ENOENT);
	CHECK_EQ_INT(resolve_pf_pci(fd, "usb-1.2", &pf), -EINVAL);
	CHECK_STR(pf.bdf, "untouched");
	close(fd);
}

int main(int argc, char **argv)
{
	test_port_names();
	/* "--walk": the same checks through the user-space walk that stands
	 * in for openat2 on kernels without it. */
	if (argc > 2 && !strcmp(argv[2], "--walk"))
		pci_sysfs_force_walk(true);
	if (argc < 2) {
		printf("FAIL: usage: %s FIXTURE_SYSFS_ROOT\n", argv[0]);
		return 1;
	}
	test_pf_pci(argv[1]);
	return t_done();
}

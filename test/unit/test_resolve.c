/* SPDX-License-Identifier: MIT */
/*
 * resolve: the PF's PCI facts on
 * the standard fixture tree (argv[1]).  The netns/netlink/ethtool steps are
 * covered by the root integration suite.
 */
#include "t.h"

#include "pflink/resolve.h"

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

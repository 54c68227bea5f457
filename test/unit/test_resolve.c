/* SPDX-License-Identifier: MIT */
/*
 * resolve: a VF's and its PF's PCI facts on the standard fixture tree
 * (argv[1]).  The netns/netlink/ethtool steps are
 * covered by the root integration suite.
 */
#include "t.h"

#include "pflink/resolve.h"

/* resolve_vf_pci() of one VF; returns its error, *st the step. */
static int vf(int fd, const char *bdf, struct vf_info *v, enum resolve_step *st)
{
	memset(v, 0, sizeof(*v));
	v->vf_index = -1;
	return resolve_vf_pci(fd, bdf, true, v, st);
}

static void test_vf_pci(const char *root)
{
	struct vf_info v;
	enum resolve_step st;
	char path[4096];
	int fd = -1;

	T_SECTION("resolve_vf_pci: the VF, its PF and the PF's facts");
	if (!CHECK_EQ_INT(pci_sysfs_open(root, &fd), 0))
		return;
	CHECK_EQ_INT(vf(fd, "0000:01:10.4", &v, &st), 0);
	CHECK_EQ_INT(st, RS_OK);
	CHECK_STR(v.bdf, "0000:01:10.4");
	CHECK_STR(v.pci_driver, "igbvf");
	CHECK_STR(v.pf, "0000:01:00.0");
	CHECK_EQ_INT(v.vf_index, 2);
	CHECK_STR(v.pf_driver, "igb");
	CHECK_EQ_INT(v.pf_numvfs, 4);
	CHECK_EQ_INT(v.pf_totalvfs, 8);
	CHECK(v.pf_sriov);
	CHECK_EQ_INT(v.numa_node, -1);	/* the fixture's: no NUMA */
	/* The VF's numa_node, read with its other facts (the record's). */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:01:10.4/numa_node", root);
	t_write(path, "1\n", 2);
	CHECK_EQ_INT(vf(fd, "0000:01:10.4", &v, &st), 0);
	CHECK_EQ_INT(v.numa_node, 1);
	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(resolve_vf_pci(fd, "0000:01:10.4", false, &v, &st), 0);
	CHECK_EQ_INT(v.numa_node, -1);	/* not asked: not read */
	t_write(path, "-7\n", 3);
	CHECK_EQ_INT(vf(fd, "0000:01:10.4", &v, &st), 0);
	CHECK_EQ_INT(v.numa_node, -1);
	t_write(path, "-1\n", 3);
	CHECK_EQ_INT(vf(fd, "0000:03:00.1", &v, &st), 0);
	CHECK_STR(v.pf, "0000:03:00.0");
	CHECK_EQ_INT(v.vf_index, 0);
	CHECK_STR(v.pf_driver, "mlx4_core");
	CHECK_EQ_INT(v.pf_numvfs, 1);
	CHECK_EQ_INT(v.pf_totalvfs, 4);

	T_SECTION("resolve_vf_pci: a half torn-down VF keeps its PF, index unknown");
	CHECK_EQ_INT(vf(fd, "0000:08:10.0", &v, &st), 0);
	CHECK_STR(v.pf, "0000:08:00.0");
	CHECK_EQ_INT(v.vf_index, -1);
	CHECK_EQ_INT(v.pf_numvfs, 0);
	CHECK_EQ_INT(v.pf_totalvfs, 8);

	T_SECTION("resolve_vf_pci: each failure names its step");
	CHECK_EQ_INT(vf(fd, "0000:09:00.0", &v, &st), -ENOENT);
	CHECK_EQ_INT(st, RS_NO_FN);
	CHECK_EQ_INT(vf(fd, "usb-1.2", &v, &st), -EINVAL);
	CHECK_EQ_INT(st, RS_NO_FN);
	CHECK_EQ_INT(vf(fd, "0000:00:1f.6", &v, &st), -ENOENT);
	CHECK_EQ_INT(st, RS_NOT_VF);
	CHECK_STR(v.pci_driver, "e1000e");
	CHECK_EQ_INT(vf(fd, "0000:05:10.0", &v, &st), -ENXIO);
	CHECK_EQ_INT(st, RS_PHYSFN);
	CHECK_EQ_INT(vf(fd, "0000:06:10.0", &v, &st), -ELOOP);
	CHECK_EQ_INT(st, RS_PHYSFN);
	CHECK_EQ_INT(vf(fd, "0000:07:10.0", &v, &st) < 0, 1);
	CHECK_EQ_INT(st, RS_PHYSFN);
	CHECK_EQ_INT(vf(fd, "0000:01:00.0", &v, &st), -ENOENT);
	CHECK_EQ_INT(st, RS_NOT_VF);
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
	test_vf_pci(argv[1]);
	return t_done();
}

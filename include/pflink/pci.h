/* SPDX-License-Identifier: MIT */
/*
 * PCI addresses and the PCI topology in sysfs.
 *
 * Every sysfs access goes through one choke point that opens paths beneath a
 * root directory fd with openat2(RESOLVE_IN_ROOT): the root is configurable
 * (the DaemonSet mounts the host's /sys elsewhere; tests use a fixture tree)
 * and no symlink, absolute or "..", can lead outside it.
 *
 * Only /sys/bus/pci/devices/<BDF>/ is used, and for device numbers
 * dev/char, kernel/iommu_groups, class/vfio and class/vfio-dev.
 * /sys/class/net and the net/ subdirectory of a PCI device show the netns
 * of whoever mounted that sysfs, so they are never consulted.
 */
#ifndef PFLINK_PCI_H
#define PFLINK_PCI_H

#include <net/if.h>
#include <stdbool.h>

/* "dddddddd:bb:dd.f" + NUL; the kernel prints the domain with %04x, so it
 * is four hex digits except on hosts with more than 65536 domains (VMD). */
#define PCI_BDF_LEN 17

/* Strictly validate s as DDDD:BB:DD.F (4-8 hex domain, 2 hex bus, device
 * <= 0x1f, function 0-7) and write its canonical lower-case form.  Anything
 * else -- "", "usb-1.2", "../x", trailing bytes -- is -EINVAL.  Validation
 * happens before a bus address ever becomes part of a path. */
int pci_bdf_parse(const char *s, char out[PCI_BDF_LEN]);
bool pci_bdf_eq(const char *a, const char *b);

/* Open the sysfs root (a directory containing bus/pci/devices). */
int pci_sysfs_open(const char *root, int *rootfd_out);
/* The same in two steps: the root alone (O_PATH), and the check that it
 * has bus/pci/devices, which a caller whose first look is beneath
 * bus/pci/devices anyway can leave to the moment that look fails. */
int pci_sysfs_open_root(const char *root, int *rootfd_out);
int pci_sysfs_probe(int rootfd);

/* Paths beneath the root resolve with openat2(RESOLVE_IN_ROOT); where the
 * kernel (before 5.6) or a seccomp profile answers ENOSYS, with the same
 * rules walked one component at a time in user space.  Forcing the walk
 * lets the tests run both. */
void pci_sysfs_force_walk(bool on);

struct pci_fn {
	char bdf[PCI_BDF_LEN];
	char driver[64];	/* "" when no driver is bound */
	bool is_pf;		/* has sriov_totalvfs */
	bool is_vf;		/* has physfn */
	char pf[PCI_BDF_LEN];	/* is_vf: the PF */
	int vf_index;		/* is_vf: N of the PF's virtfnN, -1 if none links back */
	unsigned numvfs, totalvfs;	/* is_pf */
};

/* -ENOENT: no such PCI function under the root. */
int pci_fn_exists(int rootfd, const char *bdf);

/* The function's directory, opened O_PATH through the same choke point
 * (for a watch on it: pflinkd's sysfs cache). */
int pci_fn_open(int rootfd, const char *bdf, int *fd_out);

/* The PF of a VF.  -ENOENT: no physfn (not a VF); -ENXIO: physfn names a
 * PF that is absent; -ELOOP: physfn loops; -EINVAL: physfn does not end in
 * a PCI address. */
int pci_physfn(int rootfd, const char *vf, char pf_out[PCI_BDF_LEN]);

/* N such that <pf>/virtfnN points back at vf.  -ENOENT if none does.
 * The N that sriov_offset/sriov_stride give is read first, then every
 * virtfn if that is not it. */
int pci_vf_index(int rootfd, const char *pf, const char *vf, int *idx_out);

/* The VF <pf>/virtfn<idx> names.  -ENOENT: no such virtfn; -EINVAL: it
 * does not name a PCI address. */
int pci_virtfn(int rootfd, const char *pf, int idx, char vf_out[PCI_BDF_LEN]);

/* cb(N, vf) for each virtfnN of pf; cb returns 0 to go on, >0 to stop, <0
 * to stop with that error. */
typedef int (*pci_vf_cb)(int index, const char *vf, void *arg);
int pci_foreach_vf(int rootfd, const char *pf, pci_vf_cb cb, void *arg);

/* The same, with each VF's driver ("" when none is bound, as pci_driver
 * reads it).  A VF that sits beside its PF in sysfs (virtfnN is
 * "../<vf>", as the kernel makes it) costs one readlinkat beside the PF,
 * not a walk from the root: pflinkd lists a PF's VFs on every lookup. */
typedef int (*pci_vf_driver_cb)(int index, const char *vf, const char *driver, void *arg);
int pci_foreach_vf_driver(int rootfd, const char *pf, pci_vf_driver_cb cb, void *arg);

/* cb(bdf) for each function in bus/pci/devices; same return convention. */
int pci_foreach_fn(int rootfd, int (*cb)(const char *bdf, void *arg), void *arg);

/* The names sysfs lists under the function's net/ directory: its netdevs,
 * but only those in the netns that mounted this sysfs, and as they were
 * named a moment ago; a hint to check, never an answer.  -ENOENT: no
 * net/ (no netdev driver); -E2BIG: more than max; -EINVAL: a name that
 * is no interface name. */
int pci_netdev_names(int rootfd, const char *bdf, char (*names)[IF_NAMESIZE], unsigned max, unsigned *n);

/* Bound driver's name; -ENOENT when unbound. */
int pci_driver(int rootfd, const char *bdf, char *name, unsigned len);

/* The PCI function a vDPA device hangs off: the last component of its
 * bus/vdpa/devices/<name> link (read, never followed) that is a PCI
 * address.  name must be "vdpa<N>".  -EINVAL for another name, -ENOENT
 * when the vdpa bus has no such device, -ENXIO when it hangs off no PCI
 * function (vdpa_sim). */
int pci_vdpa_function(int rootfd, const char *name, char bdf_out[PCI_BDF_LEN]);

/* The PCI functions a character device stands for, by its number as
 * <root>/dev/char/<major>:<minor> names it: a device whose "device" link
 * is a PCI function (a vfio device cdev /dev/vfio/devices/vfioN, an RDMA
 * uverbs) is that function; a vfio group (/dev/vfio/<N>: class vfio, no
 * device link) is every function of IOMMU group N
 * (kernel/iommu_groups/N/devices).  cb(bdf) for each, same return
 * convention as pci_foreach_fn.  -ENOENT: sysfs knows no such device; 0
 * without a call: a character device of no PCI function (a tty, the vfio
 * container /dev/vfio/vfio). */
int pci_chardev_functions(int rootfd, unsigned major, unsigned minor, int (*cb)(const char *bdf, void *arg),
			  void *arg);

/* cb(major, minor) for each vfio group (class/vfio/<N>) and vfio device
 * cdev (class/vfio-dev/vfioN) sysfs lists, by the numbers of their dev
 * files; same return convention.  0 without a call when there is none
 * (no vfio module loaded). */
int pci_foreach_vfio(int rootfd, int (*cb)(unsigned major, unsigned minor, void *arg), void *arg);

/* Numeric attribute file: decimal (sriov_numvfs) or 0x-hex (class).
 * attr is one name, never a path (-EINVAL). */
int pci_read_uint(int rootfd, const char *bdf, const char *attr, unsigned *out);
/* Signed decimal attribute file: numa_node is -1 on a machine without NUMA
 * (or when the firmware names no node). */
int pci_read_int(int rootfd, const char *bdf, const char *attr, int *out);

/* The NUMA nodes of the machine: for each node N < NUMA_NODES_MAX that
 * devices/system/node/online names (under the sysfs root), its
 * node<N>/cpulist; up to max into out (by node number), their number in
 * *n.  A node whose cpulist is empty (memory only) or unreadable is left
 * out; no node/online (no NUMA support) is 0 nodes. */
struct numa_node;
int pci_numa_nodes(int rootfd, struct numa_node *out, unsigned max, unsigned *n);

/* Everything above in one call.  Fails only when the function itself is
 * absent (-ENOENT) or its physfn is broken (the pci_physfn errors). */
int pci_describe(int rootfd, const char *bdf, struct pci_fn *out);

/* What pci_describe_vf() reads beside the VF's own facts. */
struct pci_vf_extra {
	bool numa;		/* in: read numa_node too */
	struct pci_fn pf;	/* pci_describe_pf() of the VF's PF; pf.bdf "" if none */
	int numa_node;		/* the VF's numa_node (if asked), -1 if none or unreadable */
};

/* pci_describe(), saying where a failure came from: *fn_failed is true
 * when the function could not be opened at all (absent, or its entry
 * broken), false when its physfn is broken.  Into *extra, the PF (read
 * through the directory the physfn check opened, not opened again) and
 * the VF's numa_node if extra->numa.  A VF's is_pf is false without a look: the kernel
 * shows sriov_* on PFs only. */
int pci_describe_vf(int rootfd, const char *bdf, struct pci_fn *out, struct pci_vf_extra *extra,
		    bool *fn_failed);

/* pci_describe() of a function known to be a PF (the physfn of a VF):
 * without its own physfn, which a PF does not have. */
int pci_describe_pf(int rootfd, const char *bdf, struct pci_fn *out);

#endif

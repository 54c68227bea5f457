/* SPDX-License-Identifier: MIT */
/*
 * agent/uevent.c (the parser) on kernel-shaped messages, and
 * agent/sysfs_cache.c on a private copy of the fixture tree (argv[1]):
 * a PF read once and then served from the cache; a VF's driver link, a
 * new VF, a VF's directory gone, each dropping it (inotify, the tree is
 * not sysfs); sriov_numvfs read on every hit; a PF between two states
 * answered but not kept; what is not a PF, or absent.
 */
#include "t.h"
#include "sysfs_cache.h"
#include "uevent.h"
#include "pflink/util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MSG(s) s, sizeof(s)	/* the literal with its last NUL */

static void test_parse(void)
{
	struct uevent ev;
	char big[600];

	T_SECTION("uevent_parse");
	CHECK_EQ_INT(uevent_parse(MSG("bind@/devices/pci0000:00/0000:01:10.0\0ACTION=bind\0SUBSYSTEM=pci\0DRIVER=igbvf\0"
				      "SEQNUM=7"), &ev), 0);
	CHECK_STR(ev.action, "bind");
	CHECK_STR(ev.devpath, "/devices/pci0000:00/0000:01:10.0");
	CHECK_STR(ev.subsystem, "pci");
	CHECK(uevent_is_pci(&ev));
	CHECK_EQ_INT(uevent_parse(MSG("add@/devices/virtual/net/veth0\0ACTION=add\0SUBSYSTEM=net\0IFINDEX=3"), &ev), 0);
	CHECK_STR(ev.subsystem, "net");
	CHECK(!uevent_is_pci(&ev));
	/* No SUBSYSTEM: not PCI as far as it says. */
	CHECK_EQ_INT(uevent_parse(MSG("change@/x"), &ev), 0);
	CHECK_STR(ev.subsystem, "");
	CHECK(!uevent_is_pci(&ev));
	/* "pcie" or "pci_bus" is not "pci". */
	CHECK_EQ_INT(uevent_parse(MSG("add@/x\0SUBSYSTEM=pci_bus"), &ev), 0);
	CHECK(!uevent_is_pci(&ev));

	CHECK_EQ_INT(uevent_parse("", 0, &ev), -EINVAL);
	CHECK_EQ_INT(uevent_parse(MSG("no header"), &ev), -EINVAL);
	CHECK_EQ_INT(uevent_parse(MSG("@/devices/x"), &ev), -EINVAL);
	CHECK_EQ_INT(uevent_parse(MSG("add@"), &ev), -EINVAL);
	/* A field not NUL-terminated: the message was cut. */
	CHECK_EQ_INT(uevent_parse("add@/x\0SUBSYSTEM=pci", 20, &ev), -EINVAL);
	CHECK_EQ_INT(uevent_parse("add@/x", 6, &ev), -EINVAL);
	/* A udev daemon's message. */
	CHECK_EQ_INT(uevent_parse(MSG("libudev\0\xfe\xed\xca\xfe"), &ev), -EINVAL);
	/* Long values are cut, not refused. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "add@/", 5);
	big[sizeof(big) - 1] = '\0';
	CHECK_EQ_INT(uevent_parse(big, sizeof(big), &ev), 0);
	CHECK_EQ_INT((long long)strlen(ev.devpath), (long long)sizeof(ev.devpath) - 1);
}

static char root[1024];

static void path_of(char *out, size_t len, const char *bdf, const char *sub)
{
	char link[2048], dir[PATH_MAX];

	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", root, bdf);
	if (!realpath(link, dir))
		dir[0] = '\0';
	snprintf(out, len, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
}

static void relink(const char *bdf, const char *target)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), bdf, "driver");
	unlink(p);
	if (target && symlink(target, p) < 0)
		CHECK(!"symlink");
}

static void write_attr(const char *bdf, const char *attr, const char *val)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), bdf, attr);
	t_write(p, val, strlen(val));
}

static void test_cache(const char *fixture)
{
	char cmd[3 * PATH_MAX], *tmp = t_mkdtemp(), p[PATH_MAX];
	const struct pci_fn *fn;
	const struct sfc_vf *v;
	struct sfc_stats st;
	struct sfc *c = NULL;
	unsigned n;
	int sysfd = -1;

	T_SECTION("sysfs cache");
	snprintf(root, sizeof(root), "%s/sys", tmp);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", fixture, root);
	if (!CHECK(system(cmd) == 0))
		return;
	if (!CHECK(pci_sysfs_open(root, &sysfd) == 0) || !CHECK(sfc_open(sysfd, &c) == 0))
		return;
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(st.signal, SFC_INOTIFY);
	CHECK(sfc_fd(c) >= 0);

	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	CHECK_STR(fn->driver, "igb");
	CHECK_EQ_INT(fn->numvfs, 4);
	CHECK_EQ_INT(n, 4);
	CHECK(n == 4 && v[0].idx == 0 && v[3].idx == 3 && !strcmp(v[2].bdf, "0000:01:10.4") &&
	      !strcmp(v[0].drv, "igbvf"));
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(st.misses, 1);
	CHECK_EQ_INT(st.hits, 2);
	CHECK_EQ_INT(st.pfs, 1);

	/* Nothing changed: a sync drops nothing. */
	sfc_sync(c);
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(st.drops, 0);
	CHECK_EQ_INT(st.hits, 3);

	/* VF 1 unbound: the change is seen at the next sync. */
	relink("0000:01:10.2", NULL);
	sfc_sync(c);
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	CHECK(n == 4 && !strcmp(v[1].drv, "") && !strcmp(v[0].drv, "igbvf"));
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(st.drops, 1);
	CHECK_EQ_INT(st.misses, 2);
	/* ... and bound to vfio-pci. */
	relink("0000:01:10.2", "../../../../bus/pci/drivers/vfio-pci");
	sfc_sync(c);
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	CHECK(n == 4 && !strcmp(v[1].drv, "vfio-pci"));

	/* sriov_numvfs is read on every hit, even with no sync between. */
	write_attr("0000:01:00.0", "sriov_numvfs", "3\n");
	path_of(p, sizeof(p), "0000:01:00.0", "virtfn3");
	unlink(p);
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	CHECK_EQ_INT(fn->numvfs, 3);
	CHECK_EQ_INT(n, 3);
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(st.stale, 1);
	sfc_sync(c);

	/* A PF between two states (numvfs 5, two virtfn links): answered
	 * as read, never kept. */
	write_attr("0000:02:00.0", "sriov_numvfs", "5\n");
	sfc_sync(c);
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(sfc_pf(c, "0000:02:00.0", &fn, &v, &n), 0);
	CHECK(fn->numvfs == 5 && n == 2);
	CHECK_EQ_INT(sfc_pf(c, "0000:02:00.0", &fn, &v, &n), 0);
	{
		struct sfc_stats s2;

		sfc_get_stats(c, &s2);
		CHECK_EQ_INT(s2.misses, st.misses + 2);
		CHECK_EQ_INT(s2.hits, st.hits);
	}

	/* Not a PF, absent, not an address. */
	CHECK_EQ_INT(sfc_pf(c, "0000:00:1f.6", &fn, &v, &n), 0);
	CHECK(!fn->is_pf && n == 0);
	CHECK_EQ_INT(sfc_pf(c, "0000:77:00.0", &fn, &v, &n), -ENOENT);
	CHECK_EQ_INT(sfc_pf(c, "../x", &fn, &v, &n), -EINVAL);

	/* The cached PF's directory gone: dropped, then not found. */
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), 0);
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(st.pfs, 1);
	path_of(p, sizeof(p), "0000:01:00.0", NULL);
	t_rmrf(p);
	if ((size_t)snprintf(p, sizeof(p), "%s/bus/pci/devices/0000:01:00.0", root) < sizeof(p))
	unlink(p);
	sfc_sync(c);
	sfc_get_stats(c, &st);
	CHECK_EQ_INT(st.pfs, 0);
	CHECK_EQ_INT(sfc_pf(c, "0000:01:00.0", &fn, &v, &n), -ENOENT);

	sfc_free(c);
	close(sysfd);
	t_rmrf(tmp);
	free(tmp);
}

int main(int argc, char **argv)
{
	test_parse();
	if (argc > 1)
		test_cache(argv[1]);
	else
		CHECK(!"usage: unit_sysfs_cache FIXTURE");
	return t_done();
}

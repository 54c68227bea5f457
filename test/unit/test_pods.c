/* SPDX-License-Identifier: MIT */
/*
 * agent/pods: the bundle parser on what containerd 1.6 and CRI-O write
 * (shapes measured in the VM test bed, and read from CRI-O's source), the
 * cgroup parser on both drivers and both cgroup versions, and the index
 * on a real directory tree: the bad-input table (truncated JSON, a 10 MiB
 * config.json, bad container IDs, annotations with newlines and quotes,
 * symlinked bundles, a FIFO), inotify keeping it current, the joins by
 * netns inode and by device number through a sysfs tree.
 */
#include "t.h"
#include "pods/bundle.h"
#include "pods/cgroup.h"
#include "pods/index.h"
#include "pods/inotify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define UID "0b0a7b4c-1f6e-4c1e-9c31-5a9d2e6f0d11"
#define SID "4f2c1d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"
#define CID "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"

/* A containerd 1.6 sandbox's config.json, as the VM test bed showed it
 * (trimmed to what matters, plus noise the parser must skip). */
static char *ctd_sandbox(const char *name, const char *netns)
{
	char *s = NULL;

	if (asprintf(&s,
		     "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"/pause\"]},"
		     "\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
		     "\"io.kubernetes.cri.sandbox-id\":\"" SID "\","
		     "\"io.kubernetes.cri.sandbox-log-directory\":\"/var/log/pods/x\","
		     "\"io.kubernetes.cri.sandbox-name\":\"%s\","
		     "\"io.kubernetes.cri.sandbox-namespace\":\"team-a\","
		     "\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"},"
		     "\"linux\":{\"cgroupsPath\":\"/kubepods/besteffort/pod" UID "/" SID "\","
		     "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},"
		     "{\"type\":\"network\",\"path\":\"%s\"}]}}",
		     name, netns) < 0)
		return NULL;
	return s;
}

static int parse(enum pod_runtime rt, const char *s, struct pod_bundle *b)
{
	return pod_bundle_parse(rt, s, strlen(s), b);
}

static void test_ids(void)
{
	char long_id[100];

	T_SECTION("container IDs: containerd's identifier rule before a path");
	CHECK(pod_id_valid(SID));
	CHECK(pod_id_valid("a") && pod_id_valid("a.b-c_d") && pod_id_valid("A9"));
	CHECK(!pod_id_valid("") && !pod_id_valid(".") && !pod_id_valid(".."));
	CHECK(!pod_id_valid("../x") && !pod_id_valid("a/b") && !pod_id_valid("...evil"));
	CHECK(!pod_id_valid("a..b") && !pod_id_valid("-a") && !pod_id_valid("a-") && !pod_id_valid(".a"));
	CHECK(!pod_id_valid("a b") && !pod_id_valid("a\nb") && !pod_id_valid("a\xc3\xa9"));
	memset(long_id, 'a', sizeof(long_id));
	long_id[76] = '\0';
	CHECK(pod_id_valid(long_id));
	long_id[76] = 'a';
	long_id[77] = '\0';
	CHECK(!pod_id_valid(long_id));
}

static void test_bundles(void)
{
	struct pod_bundle b;
	char *s;

	T_SECTION("containerd: sandbox");
	s = ctd_sandbox("web-0", "/var/run/netns/cni-1234");
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, s, &b), 0);
	CHECK_EQ_INT(b.kind, POD_KIND_SANDBOX);
	CHECK_STR(b.ns, "team-a");
	CHECK_STR(b.name, "web-0");
	CHECK_STR(b.uid, UID);
	CHECK_STR(b.sandbox_id, SID);
	CHECK_STR(b.netns, "/var/run/netns/cni-1234");
	CHECK_STR(b.container, "");
	CHECK_EQ_INT(b.n_dev, 0);
	/* CRI-O's keys are not containerd's: no pod of CRI-O's there */
	CHECK_EQ_INT(parse(POD_RT_CRIO, s, &b), -ENODATA);
	free(s);

	T_SECTION("containerd: a container given a vfio group (path inside the container, number the host's)");
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD,
			   "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
			   "\"io.kubernetes.cri.container-name\":\"dpdk\",\"io.kubernetes.cri.image-name\":\"x\","
			   "\"io.kubernetes.cri.sandbox-id\":\"" SID "\",\"io.kubernetes.cri.sandbox-name\":\"web-0\","
			   "\"io.kubernetes.cri.sandbox-namespace\":\"team-a\",\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"},"
			   "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"}],"
			   "\"devices\":[{\"path\":\"/dev/vfio/9\",\"type\":\"c\",\"major\":246,\"minor\":0,\"fileMode\":438},"
			   "{\"path\":\"/dev/vfio/vfio\",\"type\":\"c\",\"major\":10,\"minor\":196},"
			   "{\"path\":\"/dev/sdb\",\"type\":\"b\",\"major\":8,\"minor\":16}],"
			   "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
			   "{\"allow\":true,\"type\":\"c\",\"major\":246,\"minor\":0,\"access\":\"rwm\"}]}}}",
			   &b), 0);
	CHECK_EQ_INT(b.kind, POD_KIND_CONTAINER);
	CHECK_STR(b.container, "dpdk");
	CHECK_STR(b.netns, "/proc/4242/ns/net");
	CHECK_EQ_INT(b.n_dev, 2);	/* the block device is not kept */
	CHECK(b.n_dev == 2 && b.dev[0].major == 246 && b.dev[0].minor == 0 && b.dev[1].major == 10);
	CHECK(!b.all_devices);

	T_SECTION("containerd: a privileged container's devices are the host's, not given");
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD,
			   "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
			   "\"io.kubernetes.cri.sandbox-name\":\"p\",\"io.kubernetes.cri.sandbox-namespace\":\"n\"},"
			   "\"linux\":{\"devices\":[{\"path\":\"/dev/vfio/9\",\"type\":\"c\",\"major\":246,\"minor\":0}],"
			   "\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}}}",
			   &b), 0);
	CHECK(b.all_devices && b.n_dev == 0);

	T_SECTION("containerd before 1.6: the UID from the cgroup path (systemd driver)");
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD,
			   "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
			   "\"io.kubernetes.cri.sandbox-name\":\"p\",\"io.kubernetes.cri.sandbox-namespace\":\"n\"},"
			   "\"linux\":{\"cgroupsPath\":\"kubepods-burstable-pod0b0a7b4c_1f6e_4c1e_9c31_5a9d2e6f0d11.slice:cri-containerd:" SID "\"}}",
			   &b), 0);
	CHECK_STR(b.uid, UID);

	T_SECTION("CRI-O: sandbox and container, shaped from its source");
	CHECK_EQ_INT(parse(POD_RT_CRIO,
			   "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
			   "\"io.kubernetes.cri-o.SandboxID\":\"" SID "\",\"io.kubernetes.cri-o.Namespace\":\"team-b\","
			   "\"io.kubernetes.cri-o.KubeName\":\"db-0\",\"io.container.manager\":\"cri-o\","
			   "\"io.kubernetes.pod.name\":\"db-0\",\"io.kubernetes.pod.namespace\":\"team-b\","
			   "\"io.kubernetes.pod.uid\":\"" UID "\",\"io.kubernetes.container.name\":\"POD\","
			   "\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.pod.name\\\":\\\"db-0\\\"}\"},"
			   "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/var/run/netns/5f1e\"}]}}",
			   &b), 0);
	CHECK(b.kind == POD_KIND_SANDBOX && !strcmp(b.name, "db-0") && !strcmp(b.ns, "team-b"));
	CHECK_STR(b.container, "");
	CHECK_STR(b.netns, "/var/run/netns/5f1e");
	CHECK_EQ_INT(parse(POD_RT_CRIO,
			   "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"container\","
			   "\"io.kubernetes.cri-o.SandboxID\":\"" SID "\",\"io.container.manager\":\"cri-o\","
			   "\"io.kubernetes.pod.name\":\"db-0\",\"io.kubernetes.pod.namespace\":\"team-b\","
			   "\"io.kubernetes.pod.uid\":\"" UID "\",\"io.kubernetes.container.name\":\"app\"},"
			   "\"linux\":{\"devices\":[{\"path\":\"/dev/vfio/devices/vfio0\",\"type\":\"c\",\"major\":511,\"minor\":0}]}}",
			   &b), 0);
	CHECK(b.kind == POD_KIND_CONTAINER && !strcmp(b.container, "app") && b.n_dev == 1 && b.dev[0].major == 511);
	/* podman's own containers share the storage: not a pod */
	CHECK_EQ_INT(parse(POD_RT_CRIO,
			   "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\",\"io.container.manager\":\"libpod\","
			   "\"io.kubernetes.pod.name\":\"x\",\"io.kubernetes.pod.namespace\":\"y\"}}",
			   &b), -ENODATA);

	T_SECTION("bundles that are no pod's, or bad");
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, "{\"ociVersion\":\"1.0.2\"}", &b), -ENODATA);
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\"}}", &b),
		     -ENODATA);	/* no name, no namespace */
	s = ctd_sandbox("web-0", "/x");
	s[strlen(s) / 2] = '\0';
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, s, &b), -EBADMSG);	/* truncated */
	free(s);
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, "[1]", &b), -EBADMSG);
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, "", &b), -EBADMSG);
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD,
			   "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
			   "\"io.kubernetes.cri.container-type\":\"container\"}}", &b), -EBADMSG);	/* a repeated key */
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, "{\"annotations\":{\"io.kubernetes.cri.container-type\":7}}", &b), -EINVAL);
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"vm\"}}", &b),
		     -EINVAL);
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, "{\"annotations\":[]}", &b), -EINVAL);
	/* a sandbox ID that would climb out of a root */
	s = ctd_sandbox("web-0", "/x");
	{
		char *p = strstr(s, SID);

		memcpy(p, "../../../../etc/", 16);
	}
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, s, &b), -EINVAL);
	free(s);
	/* a name beyond Kubernetes' 253 */
	{
		char name[300];

		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		s = ctd_sandbox(name, "/x");
		CHECK_EQ_INT(parse(POD_RT_CONTAINERD, s, &b), -E2BIG);
		free(s);
	}
	/* a device whose number is no number */
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD,
			   "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
			   "\"io.kubernetes.cri.sandbox-name\":\"p\",\"io.kubernetes.cri.sandbox-namespace\":\"n\"},"
			   "\"linux\":{\"devices\":[{\"type\":\"c\",\"major\":-1,\"minor\":0}]}}", &b), -EINVAL);

	T_SECTION("annotations with newlines and quotes: kept as they are (printing escapes them)");
	s = ctd_sandbox("we\\\"b\\n0", "/x");
	CHECK_EQ_INT(parse(POD_RT_CONTAINERD, s, &b), 0);
	CHECK_STR(b.name, "we\"b\n0");
	free(s);
}

static void test_cgroups(void)
{
	struct pod_cgroup cg;

	T_SECTION("cgroup: cgroupfs driver, v2 and v1");
	{
		const char *t = "0::/kubepods/besteffort/pod" UID "/" SID "\n";

		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK_STR(cg.uid, UID);
		CHECK_STR(cg.container_id, SID);
		CHECK_EQ_INT(cg.qos, POD_QOS_BESTEFFORT);
		t = "12:pids:/kubepods/pod" UID "/" CID "\n11:memory:/kubepods/pod" UID "/" CID "\n0::/\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK_STR(cg.container_id, CID);
		CHECK_EQ_INT(cg.qos, POD_QOS_GUARANTEED);
		/* CRI-O, cgroupfs */
		t = "0::/kubepods/burstable/pod" UID "/crio-" CID "\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK(!strcmp(cg.container_id, CID) && cg.qos == POD_QOS_BURSTABLE);

		T_SECTION("cgroup: systemd driver");
		t = "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b0a7b4c_1f6e_4c1e_9c31_5a9d2e6f0d11.slice/cri-containerd-" CID ".scope\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK(!strcmp(cg.uid, UID) && !strcmp(cg.container_id, CID) && cg.qos == POD_QOS_BESTEFFORT);
		t = "1:name=systemd:/kubepods.slice/kubepods-pod0b0a7b4c_1f6e_4c1e_9c31_5a9d2e6f0d11.slice/crio-" CID ".scope\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK(!strcmp(cg.uid, UID) && !strcmp(cg.container_id, CID) && cg.qos == POD_QOS_GUARANTEED);
		t = "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b0a7b4c_1f6e_4c1e_9c31_5a9d2e6f0d11.slice/crio-conmon-" CID ".scope\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK_STR(cg.container_id, CID);

		T_SECTION("cgroup: seen from inside a cgroup namespace");
		t = "0::/../../besteffort/pod" UID "/" SID "\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK(!strcmp(cg.uid, UID) && !strcmp(cg.container_id, SID));
		t = "0::/../pod" UID "\n";	/* the pod's own cgroup */
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK_STR(cg.container_id, "");

		T_SECTION("cgroup: no pod");
		t = "0::/system.slice/podman.service\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), -ENOENT);
		t = "0::/\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), -ENOENT);
		t = "0::/kubepods/besteffort/podxyz/abc\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), -ENOENT);
		t = "garbage without colons\n::\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), -ENOENT);
		/* a container component that is no ID: the pod, no container */
		t = "0::/kubepods/pod" UID "/..\n";
		CHECK_EQ_INT(pod_cgroup_parse(t, strlen(t), &cg), 0);
		CHECK_STR(cg.container_id, "");
	}
}

/* ---- the index, on a directory tree ----------------------------------- */

static char root[256];

static void put_file(const char *rel, const char *data, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	if (!f || fwrite(data, 1, len, f) != len) {
		printf("cannot write %s\n", p);
		exit(1);
	}
	fclose(f);
}

static void mkdir_in(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	mkdir(p, 0755);
}

static void link_in(const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p) < 0) {
		printf("symlink %s: %s\n", p, strerror(errno));
		exit(1);
	}
}

/* A bundle of the containerd root: dir ctd/<id>, its config.json. */
static void bundle(const char *id, const char *json)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "ctd/%s", id);
	mkdir_in(rel);
	snprintf(rel, sizeof(rel), "ctd/%s/config.json", id);
	put_file(rel, json, strlen(json));
}

static void container_json(char *buf, size_t len, const char *pod, unsigned major, unsigned minor)
{
	snprintf(buf, len,
		 "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
		 "\"io.kubernetes.cri.container-name\":\"c-%s\",\"io.kubernetes.cri.sandbox-name\":\"%s\","
		 "\"io.kubernetes.cri.sandbox-namespace\":\"team-a\",\"io.kubernetes.cri.sandbox-uid\":\"uid-%s\"},"
		 "\"linux\":{\"devices\":[{\"path\":\"/dev/vfio/7\",\"type\":\"c\",\"major\":%u,\"minor\":%u}]}}",
		 pod, pod, pod, major, minor);
}

/* Read what inotify says and every queued bundle, until quiet. */
static void settle(struct pods_index *x)
{
	struct pollfd p = { .fd = pods_index_fd(x), .events = POLLIN };

	while (poll(&p, 1, 50) > 0 || pods_index_busy(x)) {
		pods_index_events(x);
		pods_index_work(x, 1000000000ull);
	}
}

static void test_index(void)
{
	struct pods_opts o = { .proc = "/proc", .sysfd = -1 };
	struct pods_index *x = NULL;
	struct pods_root_info ri;
	const struct pods_entry *e, *ents[4];
	struct netns_id id;
	struct stat st;
	char p[PATH_MAX + 300], buf[2048], *big;
	char *s;
	unsigned n;

	snprintf(root, sizeof(root), "/tmp/pflink-unit-pods.XXXXXX");
	if (!mkdtemp(root)) {
		CHECK(!"mkdtemp");
		return;
	}
	mkdir_in("ctd");
	mkdir_in("crio");
	/* sysfs: vfio group 7 (240:7) holds VF 0000:01:10.4; a cdev 241:0 is 0000:01:10.6's */
	mkdir_in("sys");
	mkdir_in("sys/dev");
	mkdir_in("sys/dev/char");
	mkdir_in("sys/class");
	mkdir_in("sys/class/vfio");
	mkdir_in("sys/devices");
	mkdir_in("sys/devices/virtual");
	mkdir_in("sys/devices/virtual/vfio");
	mkdir_in("sys/devices/virtual/vfio/7");
	link_in("../../../../class/vfio", "sys/devices/virtual/vfio/7/subsystem");
	put_file("sys/devices/virtual/vfio/7/dev", "240:7\n", 6);
	link_in("../../devices/virtual/vfio/7", "sys/dev/char/240:7");
	mkdir_in("sys/kernel");
	mkdir_in("sys/kernel/iommu_groups");
	mkdir_in("sys/kernel/iommu_groups/7");
	mkdir_in("sys/kernel/iommu_groups/7/devices");
	link_in("../../../../devices/pci/0000:01:10.4", "sys/kernel/iommu_groups/7/devices/0000:01:10.4");
	mkdir_in("sys/devices/pci");
	mkdir_in("sys/devices/pci/0000:01:10.6");
	mkdir_in("sys/devices/pci/0000:01:10.6/vfio-dev");
	mkdir_in("sys/devices/pci/0000:01:10.6/vfio-dev/vfio0");
	link_in("../../../0000:01:10.6", "sys/devices/pci/0000:01:10.6/vfio-dev/vfio0/device");
	link_in("../../devices/pci/0000:01:10.6/vfio-dev/vfio0", "sys/dev/char/241:0");
	snprintf(p, sizeof(p), "%s/sys", root);
	o.sysfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* a file standing in for a netns bind mount: the join is by inode */
	put_file("netns-a", "", 0);
	snprintf(p, sizeof(p), "%s/netns-a", root);
	stat(p, &st);

	T_SECTION("index: start-up, and the bad-input table");
	s = ctd_sandbox("web-0", p);
	bundle(SID, s);
	free(s);
	container_json(buf, sizeof(buf), "dpdk-0", 240, 7);
	bundle("ctr-dpdk", buf);
	s = ctd_sandbox("web-0", p);
	bundle("truncated", s);
	snprintf(p, sizeof(p), "ctd/truncated/config.json");
	put_file(p, s, strlen(s) / 2);
	free(s);
	big = malloc(10u << 20);
	memset(big, ' ', 10u << 20);
	big[0] = '{';
	big[(10u << 20) - 1] = '}';
	mkdir_in("ctd/huge");
	put_file("ctd/huge/config.json", big, 10u << 20);
	free(big);
	mkdir_in("ctd/...evil");				/* not a container ID */
	put_file("ctd/...evil/config.json", buf, strlen(buf));
	mkdir_in("ctd/has space");
	link_in("ctr-dpdk", "ctd/symlinked");			/* a symlinked bundle */
	mkdir_in("ctd/cfglink");
	link_in("../ctr-dpdk/config.json", "ctd/cfglink/config.json");
	mkdir_in("ctd/fifo");
	snprintf(p, sizeof(p), "%s/ctd/fifo/config.json", root);
	mkfifo(p, 0600);
	s = ctd_sandbox("we\\\"b\\n0", "/nonexistent/netns");	/* newline, quote; a netns not there */
	bundle("quoted", s);
	free(s);
	bundle("notapod", "{\"ociVersion\":\"1.0.2\"}");
	mkdir_in("ctd/noconfig");				/* config.json not written yet */

	snprintf(p, sizeof(p), "%s/ctd", root);
	o.root[POD_RT_CONTAINERD] = p;
	{
		char q[PATH_MAX];

		snprintf(q, sizeof(q), "%s/nothere", root);
		o.root[POD_RT_CRIO] = q;
		CHECK_EQ_INT(pods_index_new(&o, &x), 0);
	}
	if (!x)
		return;
	pods_index_root(x, POD_RT_CONTAINERD, &ri);
	CHECK_EQ_INT(ri.state, PODS_ROOT_OK);
	CHECK_EQ_INT(ri.entries, 3);	/* the sandbox, the dpdk container, the quoted sandbox */
	CHECK_EQ_INT(ri.skipped[PODS_SKIP_MALFORMED], 2);	/* truncated, the FIFO */
	CHECK_EQ_INT(ri.skipped[PODS_SKIP_TOO_BIG], 1);
	CHECK_EQ_INT(ri.skipped[PODS_SKIP_BAD_ID], 2);
	CHECK_EQ_INT(ri.skipped[PODS_SKIP_SYMLINK], 2);	/* the bundle, the config.json */
	pods_index_root(x, POD_RT_CRIO, &ri);
	CHECK_EQ_INT(ri.state, PODS_ROOT_ABSENT);
	CHECK_EQ_INT(ri.err, ENOENT);
	CHECK_EQ_INT(ri.unavailable, 1);
	CHECK(pods_index_any_root(x));

	T_SECTION("index: joins by netns inode, by device number");
	id.dev = st.st_dev;
	id.ino = st.st_ino;
	e = pods_index_by_netns(x, &id);
	CHECK(e && !strcmp(e->name, "web-0") && !strcmp(e->uid, UID) && !strcmp(e->id, SID));
	n = pods_index_by_function(x, "0000:01:10.4", ents, 4);
	CHECK(n == 1 && !strcmp(ents[0]->name, "dpdk-0") && !strcmp(ents[0]->container, "c-dpdk-0"));
	CHECK_EQ_INT(pods_index_by_function(x, "0000:01:10.6", ents, 4), 0);

	T_SECTION("index: inotify keeps it current");
	container_json(buf, sizeof(buf), "cdev-0", 241, 0);
	bundle("ctr-cdev", buf);		/* dir, then config.json */
	mkdir_in("ctd/late");			/* dir now, config.json later */
	settle(x);
	put_file("ctd/noconfig/config.json", buf, strlen(buf));
	settle(x);
	CHECK_EQ_INT(pods_index_by_function(x, "0000:01:10.6", ents, 4), 2);
	container_json(buf, sizeof(buf), "late-0", 240, 7);
	put_file("ctd/late/config.json", buf, strlen(buf));
	settle(x);
	CHECK_EQ_INT(pods_index_by_function(x, "0000:01:10.4", ents, 4), 2);
	snprintf(p, sizeof(p), "%s/ctd/late/config.json", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/ctd/late", root);
	rmdir(p);
	settle(x);
	n = pods_index_by_function(x, "0000:01:10.4", ents, 4);
	CHECK(n == 1 && !strcmp(ents[0]->name, "dpdk-0"));
	link_in("ctr-cdev", "ctd/late-link");	/* a symlink made later: refused */
	settle(x);
	pods_index_root(x, POD_RT_CONTAINERD, &ri);
	CHECK_EQ_INT(ri.skipped[PODS_SKIP_SYMLINK], 3);

	T_SECTION("index: a root that appears later, on a recheck");
	snprintf(p, sizeof(p), "%s/nothere", root);
	mkdir(p, 0755);
	CHECK(pods_index_recheck(x));
	pods_index_root(x, POD_RT_CRIO, &ri);
	CHECK_EQ_INT(ri.state, PODS_ROOT_OK);
	CHECK(!pods_index_recheck(x));
	pods_index_free(x);
	close(o.sysfd);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			printf("warning: %s left behind\n", root);
	}
}

static void on_ev(int wd, uint32_t mask, const char *name, void *arg)
{
	unsigned *n = arg;

	(void)wd;
	(void)mask;
	if (!strcmp(name, "x.json"))
		(*n)++;
}

static void test_inotify(void)
{
	unsigned char buf[64] = { 0 };
	struct inotify_event ev = { .wd = 1, .mask = IN_CREATE, .len = 16 };
	unsigned n = 0;

	T_SECTION("inotify events, unaligned, cut short");
	memcpy(buf + 1, &ev, sizeof(ev));
	memcpy(buf + 1 + sizeof(ev), "x.json", 7);
	CHECK_EQ_INT(pods_inotify_each(buf + 1, sizeof(ev) + 16, on_ev, &n), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(pods_inotify_each(buf + 1, sizeof(ev) + 15, on_ev, &n), -EINVAL);
	CHECK_EQ_INT(pods_inotify_each(buf + 1, 3, on_ev, &n), -EINVAL);
}

int main(void)
{
	test_ids();
	test_bundles();
	test_cgroups();
	test_inotify();
	test_index();
	return t_done();
}

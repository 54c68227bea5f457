/* SPDX-License-Identifier: MIT */
/*
 * agent/metrics.c and agent/leaks.c on hand-made snapshots: label
 * escaping, the order of families and series, which counters are
 * reported (igb's all-zero IFLA_VF_STATS are not), the leaks, the
 * histograms.  argv[1], when given, receives a full exposition for
 * `promtool check metrics` (the unit_metrics_promtool test).
 */
#include "t.h"
#include "leaks.h"
#include "metrics.h"
#include "mx_t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mx_snap snap;
static struct mx_pf pfs[2];
static struct mx_vf vfs[5];
static struct mx_stale stale[1];
static struct pod_holder holders[4];

static struct pod_holder *holder(unsigned i, enum pod_source src, enum pod_via via, const char *ns, const char *name,
				 const char *uid, const char *cid)
{
	struct pod_holder *h = &holders[i];

	memset(h, 0, sizeof(*h));
	h->src = src;
	h->via = via;
	snprintf(h->ns, sizeof(h->ns), "%s", ns);
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->uid, sizeof(h->uid), "%s", uid);
	snprintf(h->container_id, sizeof(h->container_id), "%s", cid);
	return h;
}

static struct mx_vf *vf(unsigned i, const char *pf, const char *bdf, int idx, const char *drv)
{
	struct mx_vf *v = &vfs[i];

	memset(v, 0, sizeof(*v));
	snprintf(v->pf, sizeof(v->pf), "%s", pf);
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	v->index = idx;
	snprintf(v->driver, sizeof(v->driver), "%s", drv);
	v->numa = -1;
	v->spoofchk = v->trust = v->linkstate = -1;
	return v;
}

/* PF A: igb, its IFLA_VF_STATS all zero; PF B: mlx5, one VF counting. */
static void build(void)
{
	struct mx_vf *v;

	memset(&snap, 0, sizeof(snap));
	memset(pfs, 0, sizeof(pfs));
	snprintf(pfs[0].bdf, sizeof(pfs[0].bdf), "0000:01:00.0");
	snprintf(pfs[0].driver, sizeof(pfs[0].driver), "igb");
	snprintf(pfs[0].netdev, sizeof(pfs[0].netdev), "enp1s0f0");
	snprintf(pfs[0].netns, sizeof(pfs[0].netns), "host");
	pfs[0].numvfs = 3;
	pfs[0].totalvfs = 7;
	pfs[0].numa = 0;
	snprintf(pfs[1].bdf, sizeof(pfs[1].bdf), "0000:0a:00.0");
	snprintf(pfs[1].driver, sizeof(pfs[1].driver), "mlx5_core");
	snprintf(pfs[1].eswitch, sizeof(pfs[1].eswitch), "switchdev");
	pfs[1].numvfs = 2;
	pfs[1].totalvfs = 8;
	pfs[1].numa = 1;

	v = vf(0, "0000:01:00.0", "0000:01:10.0", 0, "igbvf");	/* in a pod, counting */
	snprintf(v->netdev, sizeof(v->netdev), "net1");
	snprintf(v->netns, sizeof(v->netns), "/run/netns/cni-\xff\"x\\y");
	snprintf(v->netdev_mac, sizeof(v->netdev_mac), "02:00:00:00:00:01");
	v->has_pod = true;
	snprintf(v->pod_ns, sizeof(v->pod_ns), "team-a");
	snprintf(v->pod, sizeof(v->pod), "web-\"0\"\nb\xc3\xa9");
	snprintf(v->pod_uid, sizeof(v->pod_uid), "u1");
	snprintf(v->ifname, sizeof(v->ifname), "net1");
	snprintf(v->network, sizeof(v->network), "sriov-a");
	v->has_config = true;
	v->vlan = 10;
	v->trust = 1;
	v->spoofchk = 0;
	v->linkstate = 0;
	v->has_vf_stats = true;	/* all zero: igb */
	/* record and runtime agree: one pod, no finding */
	v->n_holders = 2;
	holder(0, POD_SRC_RECORD, POD_VIA_NETNS, "team-a", "web-0", "u1", "c1");
	holder(1, POD_SRC_RUNTIME, POD_VIA_NETNS, "team-a", "web-0", "u1", "s1");
	v->has_netdev_stats = true;
	v->netdev_stats = (struct mx_ctr){ .rx_bytes = 1000, .rx_packets = 10, .tx_bytes = 2000, .tx_packets = 20,
					   .multicast = 3 };
	v = vf(1, "0000:01:00.0", "0000:01:10.2", 1, "igbvf");	/* back in the host, record kept */
	snprintf(v->netdev, sizeof(v->netdev), "dev7");
	snprintf(v->netns, sizeof(v->netns), "host");
	snprintf(v->netdev_mac, sizeof(v->netdev_mac), "02:00:00:00:00:01");	/* v0's MAC */
	v->in_host = true;
	v->has_pod = true;
	snprintf(v->pod_ns, sizeof(v->pod_ns), "team-b");
	snprintf(v->pod, sizeof(v->pod), "gone-0");
	v->orphan = leak_orphan(v->pod_ns, false, v->netdev, true);
	v->has_vf_stats = true;
	v = vf(2, "0000:01:00.0", "0000:01:10.4", 2, "igbvf");	/* no netdev anywhere */
	v->has_vf_stats = true;
	v = vf(3, "0000:0a:00.0", "0000:0a:00.2", 0, "vfio-pci");	/* DPDK pod: counters from the PF only */
	/* named by the runtime (a container given its vfio group), while a
	 * record names another pod: double allocated */
	v->has_pod = true;
	v->pod_source = POD_SRC_RUNTIME;
	snprintf(v->pod_ns, sizeof(v->pod_ns), "dpdk");
	snprintf(v->pod, sizeof(v->pod), "testpmd-0");
	v->holder0 = 2;
	v->n_holders = 2;
	holder(2, POD_SRC_RECORD, POD_VIA_NETNS, "team-x", "other-0", "u9", "c9");
	holder(3, POD_SRC_RUNTIME, POD_VIA_DEVICE, "dpdk", "testpmd-0", "u3", "ctr3");
	v->has_vf_stats = true;
	v->vf_stats = (struct mx_ctr){ .rx_bytes = 5, .rx_packets = 1, .broadcast = 1 };
	v = vf(4, "0000:0a:00.0", "0000:0a:00.3", 1, "mlx5_core");	/* idle VF of a counting PF */
	snprintf(v->netdev, sizeof(v->netdev), "eth5");
	snprintf(v->netns, sizeof(v->netns), "host");
	v->in_host = true;
	v->has_vf_stats = true;
	memset(stale, 0, sizeof(stale));
	snprintf(stale[0].vf, sizeof(stale[0].vf), "0000:01:10.4");
	snprintf(stale[0].pod_ns, sizeof(stale[0].pod_ns), "team-c");
	snprintf(stale[0].pod, sizeof(stale[0].pod), "old-0");
	snprintf(stale[0].netns, sizeof(stale[0].netns), "/run/netns/cni-dead");
	snprintf(stale[0].file, sizeof(stale[0].file), "c9_net1.json");
	snap.pfs = pfs;
	snap.n_pfs = 2;
	snap.vfs = vfs;
	snap.n_vfs = 5;
	snap.stale = stale;
	snap.n_stale = 1;
	snap.holders = holders;
	snap.n_holders = 4;
	snap.agent.runtime[POD_RT_CONTAINERD].state = PODS_ROOT_OK;
	snprintf(snap.agent.runtime[POD_RT_CONTAINERD].path, 256, "/run/containerd/io.containerd.runtime.v2.task/k8s.io");
	snap.agent.runtime[POD_RT_CONTAINERD].entries = 3;
	snap.agent.runtime[POD_RT_CONTAINERD].skipped[PODS_SKIP_SYMLINK] = 1;
	snap.agent.runtime[POD_RT_CRIO].state = PODS_ROOT_ABSENT;
	snprintf(snap.agent.runtime[POD_RT_CRIO].path, 256, "/run/containers/storage/overlay-containers");
	snap.agent.runtime[POD_RT_CRIO].unavailable = 1;
	snap.counters = true;
	snap.agent.netns = 12;
	snap.agent.now_ns = 2000000000ull;
	mx_hist_observe(&snap.agent.answer[3], 70000);		/* pf: 70 us */
	mx_hist_observe(&snap.agent.answer[3], 2000000000ull);	/* 2 s: +Inf */
}

static char *render(void)
{
	struct mx_render_opts o = { .version = "9.9.9", .now_ns = 2500000000ull, .collections = 4 };

	return mx_t_render(&snap, &o);
}

static bool has(const char *text, const char *line)
{
	return mx_t_has(text, line);
}

static unsigned count(const char *text, const char *needle)
{
	unsigned n = 0;
	const char *p = text;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void test_labels(const char *t)
{
	T_SECTION("labels: escaping, invalid UTF-8, every VF listed once");
	CHECK(has(t, "pflink_vf_info{pf=\"0000:01:00.0\",pf_netdev=\"enp1s0f0\",vf=\"0\",vf_index=\"0\","
		     "vf_pci_address=\"0000:01:10.0\",driver=\"igbvf\",netdev=\"net1\","
		     "netns=\"/run/netns/cni-?\\\"x\\\\y\",pod_namespace=\"team-a\",pod=\"web-\\\"0\\\"\\nb\xc3\xa9\","
		     "pod_uid=\"u1\",pod_source=\"record\",interface=\"net1\",network=\"sriov-a\",mac=\"02:00:00:00:00:01\",vlan=\"10\","
		     "trust=\"on\",spoofchk=\"off\",link_state=\"auto\",numa_node=\"-1\"} 1"));
	CHECK_EQ_INT(count(t, "\npflink_vf_info{"), 5);
	CHECK(strstr(t, "vf_pci_address=\"0000:0a:00.2\",driver=\"vfio-pci\",netdev=\"\",netns=\"\","
			"pod_namespace=\"dpdk\",pod=\"testpmd-0\",pod_uid=\"\",pod_source=\"runtime\"") != NULL);
	/* no pod: no source */
	CHECK(strstr(t, "vf_pci_address=\"0000:0a:00.3\",driver=\"mlx5_core\",netdev=\"eth5\",netns=\"host\","
			"pod_namespace=\"\",pod=\"\",pod_uid=\"\",pod_source=\"\"") != NULL);

	T_SECTION("holders: every one, with its source");
	CHECK(has(t, "pflink_vf_holder{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"record\","
		     "via=\"netns\",pod_namespace=\"team-a\",pod=\"web-0\",pod_uid=\"u1\",container_id=\"c1\",container=\"\"} 1"));
	CHECK(has(t, "pflink_vf_holder{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"runtime\","
		     "via=\"netns\",pod_namespace=\"team-a\",pod=\"web-0\",pod_uid=\"u1\",container_id=\"s1\",container=\"\"} 1"));
	CHECK_EQ_INT(count(t, "\npflink_vf_holder{"), 4);
	/* VFs in the snapshot's order: PF, then index */
	CHECK(strstr(t, "vf_pci_address=\"0000:01:10.4\"") < strstr(t, "vf_pci_address=\"0000:0a:00.2\""));
}

static void test_counters(const char *t)
{
	T_SECTION("counters: igb's zero IFLA_VF_STATS are not traffic, a counting PF's are, zeros included");
	CHECK(has(t, "pflink_vf_receive_bytes_total{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"netdev\"} 1000"));
	CHECK(has(t, "pflink_vf_transmit_packets_total{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"netdev\"} 20"));
	CHECK(has(t, "pflink_vf_receive_multicast_total{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"netdev\"} 3"));
	CHECK(!strstr(t, "pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"vf_stats\""));
	CHECK(!strstr(t, "pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.2\",source="));
	CHECK(has(t, "pflink_vf_receive_bytes_total{pf=\"0000:0a:00.0\",vf_pci_address=\"0000:0a:00.2\",source=\"vf_stats\"} 5"));
	CHECK(has(t, "pflink_vf_receive_broadcast_total{pf=\"0000:0a:00.0\",vf_pci_address=\"0000:0a:00.2\",source=\"vf_stats\"} 1"));
	CHECK(has(t, "pflink_vf_receive_bytes_total{pf=\"0000:0a:00.0\",vf_pci_address=\"0000:0a:00.3\",source=\"vf_stats\"} 0"));
	/* link counters have no broadcast */
	CHECK(!strstr(t, "pflink_vf_receive_broadcast_total{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"netdev\"}"));
	CHECK(has(t, "pflink_pf_info{pf=\"0000:01:00.0\",pf_netdev=\"enp1s0f0\",driver=\"igb\",netns=\"host\","
		     "mac=\"\",numa_node=\"0\",vf_stats=\"zero\",eswitch_mode=\"\"} 1"));
	CHECK(strstr(t, "pf=\"0000:0a:00.0\",pf_netdev=\"\",driver=\"mlx5_core\",netns=\"\",mac=\"\",numa_node=\"1\","
			"vf_stats=\"reported\",eswitch_mode=\"switchdev\"} 1") != NULL);
	CHECK_EQ_INT(count(t, "# TYPE pflink_vf_receive_bytes_total counter\n"), 1);
}

static void test_pf_vfs(const char *t)
{
	T_SECTION("pflink_pf_vfs by state");
	CHECK(has(t, "pflink_pf_vfs{pf=\"0000:01:00.0\",state=\"total\"} 7"));
	CHECK(has(t, "pflink_pf_vfs{pf=\"0000:01:00.0\",state=\"configured\"} 3"));
	CHECK(has(t, "pflink_pf_vfs{pf=\"0000:01:00.0\",state=\"in_pod\"} 1"));
	CHECK(has(t, "pflink_pf_vfs{pf=\"0000:01:00.0\",state=\"host\"} 1"));
	CHECK(has(t, "pflink_pf_vfs{pf=\"0000:01:00.0\",state=\"no_netdev\"} 1"));
	CHECK(has(t, "pflink_pf_vfs{pf=\"0000:01:00.0\",state=\"orphaned\"} 1"));
	CHECK(has(t, "pflink_pf_vfs{pf=\"0000:0a:00.0\",state=\"in_pod\"} 1"));	/* the vfio-pci VF */
}

static void test_leaks(const char *t)
{
	struct leak *l = NULL;
	unsigned n = 0;

	T_SECTION("leaks: each kind");
	CHECK(has(t, "pflink_leaks{kind=\"vf_orphaned\"} 1"));
	CHECK(has(t, "pflink_leaks{kind=\"record_stale\"} 1"));
	CHECK(has(t, "pflink_leaks{kind=\"vf_unseen\"} 1"));
	CHECK(has(t, "pflink_leaks{kind=\"mac_duplicate\"} 2"));
	CHECK(has(t, "pflink_leaks{kind=\"vf_double_allocated\"} 1"));
	CHECK(has(t, "pflink_vf_double_allocated{pf=\"0000:0a:00.0\",vf_pci_address=\"0000:0a:00.2\",source=\"record\","
		     "pod_namespace=\"team-x\",pod=\"other-0\",pod_uid=\"u9\",container_id=\"c9\"} 1"));
	CHECK(has(t, "pflink_vf_double_allocated{pf=\"0000:0a:00.0\",vf_pci_address=\"0000:0a:00.2\",source=\"runtime\","
		     "pod_namespace=\"dpdk\",pod=\"testpmd-0\",pod_uid=\"u3\",container_id=\"ctr3\"} 1"));
	/* the VF whose record and runtime agree is no finding */
	CHECK(!strstr(t, "pflink_vf_double_allocated{pf=\"0000:01:00.0\""));
	CHECK(has(t, "pflink_vf_orphaned{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.2\",netdev=\"dev7\","
		     "netns=\"host\",pod_namespace=\"team-b\",pod=\"gone-0\",reason=\"pod_gone\"} 1"));
	CHECK(strstr(t, "pflink_record_stale{pf=\"\",vf_pci_address=\"0000:01:10.4\",pod_namespace=\"team-c\","
			"pod=\"old-0\"") != NULL);
	/* a netdev-less VF on vfio-pci is not unseen; one on igbvf is */
	CHECK(has(t, "pflink_vf_unseen{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.4\",driver=\"igbvf\"} 1"));
	CHECK(has(t, "pflink_vf_mac_duplicate{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",mac=\"02:00:00:00:00:01\"} 1"));
	CHECK(has(t, "pflink_vf_mac_duplicate{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.2\",mac=\"02:00:00:00:00:01\"} 1"));
	CHECK_EQ_INT(leaks_find(&snap, &l, &n), 0);
	CHECK_EQ_INT(n, 6);
	if (n == 6) {
		char w[512];

		CHECK_EQ_INT(l[0].kind, LEAK_VF_ORPHANED);
		leak_words(&l[0], w, sizeof(w));
		CHECK_STR(w, "pod team-b/gone-0 is gone: VF is back in the host netns as dev7 (renamed by the kernel)");
		CHECK_EQ_INT(l[1].kind, LEAK_RECORD_STALE);
		CHECK_EQ_INT(l[4].kind, LEAK_MAC_DUPLICATE);
		CHECK_EQ_INT(l[5].kind, LEAK_VF_DOUBLE_ALLOCATED);
		CHECK_EQ_INT(l[5].pods, 2);
		leak_words(&l[5], w, sizeof(w));
		CHECK_STR(w, "VF held by 2 pods: team-x/other-0 (record), dpdk/testpmd-0 (runtime)");
	}
	free(l);

	T_SECTION("leak_orphan: when a VF is abandoned");
	CHECK_EQ_INT(leak_orphan("ns", false, "net1", false), MX_ORPHAN_NONE);	/* in its pod */
	CHECK_EQ_INT(leak_orphan("ns", false, "eth3", true), MX_ORPHAN_POD_GONE);
	CHECK_EQ_INT(leak_orphan("ns", true, NULL, false), MX_ORPHAN_NETNS_GONE);
	CHECK_EQ_INT(leak_orphan("ns", false, NULL, false), MX_ORPHAN_NONE);	/* vfio-pci in a live pod */
	CHECK_EQ_INT(leak_orphan(NULL, false, "dev12", true), MX_ORPHAN_RENAMED);
	CHECK_EQ_INT(leak_orphan(NULL, false, "dev12x", true), MX_ORPHAN_NONE);
	CHECK_EQ_INT(leak_orphan(NULL, false, "dev12", false), MX_ORPHAN_NONE);
	CHECK(!leak_kernel_renamed("dev") && leak_kernel_renamed("dev0") && !leak_kernel_renamed("eth0"));
}

static void test_hist(const char *t)
{
	T_SECTION("histograms: cumulative buckets, +Inf is the count");
	CHECK(has(t, "pflink_agent_answer_duration_seconds_bucket{op=\"pf\",le=\"5e-05\"} 0"));
	CHECK(has(t, "pflink_agent_answer_duration_seconds_bucket{op=\"pf\",le=\"0.0001\"} 1"));
	CHECK(has(t, "pflink_agent_answer_duration_seconds_bucket{op=\"pf\",le=\"1\"} 1"));
	CHECK(has(t, "pflink_agent_answer_duration_seconds_bucket{op=\"pf\",le=\"+Inf\"} 2"));
	CHECK(has(t, "pflink_agent_answer_duration_seconds_count{op=\"pf\"} 2"));
	CHECK(has(t, "pflink_agent_answer_duration_seconds_sum{op=\"pf\"} 2.000070000"));
	CHECK(has(t, "pflink_agent_answer_duration_seconds_count{op=\"leaks\"} 0"));
	CHECK(has(t, "pflink_build_info{version=\"9.9.9\",protocol=\"1\"} 1"));
	CHECK(has(t, "pflink_agent_netns{state=\"tracked\"} 12"));
	CHECK(has(t, "pflink_agent_snapshot_age_seconds 0.5"));
	CHECK(has(t, "pflink_agent_snapshots_total 4"));

	T_SECTION("runtime roots: readable or not, a counter each");
	CHECK(has(t, "pflink_agent_runtime_root_readable{runtime=\"containerd\",root=\"/run/containerd/io.containerd.runtime.v2.task/k8s.io\",state=\"ok\"} 1"));
	CHECK(has(t, "pflink_agent_runtime_root_readable{runtime=\"cri-o\",root=\"/run/containers/storage/overlay-containers\",state=\"absent\"} 0"));
	CHECK(has(t, "pflink_agent_runtime_root_unavailable_total{runtime=\"cri-o\"} 1"));
	CHECK(has(t, "pflink_agent_runtime_entries{runtime=\"containerd\"} 3"));
	CHECK(has(t, "pflink_agent_runtime_bundles_skipped_total{runtime=\"containerd\",reason=\"symlink\"} 1"));
	CHECK(has(t, "pflink_agent_runtime_bundles_skipped_total{runtime=\"cri-o\",reason=\"malformed\"} 0"));
}

static void test_holders(void)
{
	struct pod_holder a = { 0 }, b = { 0 }, c = { 0 }, list[3];
	unsigned n = 0;

	T_SECTION("holders: when two name different pods");
	snprintf(a.uid, sizeof(a.uid), "u1");
	snprintf(b.uid, sizeof(b.uid), "u1");
	snprintf(b.ns, sizeof(b.ns), "x");
	snprintf(b.name, sizeof(b.name), "y");
	CHECK(!pod_holders_differ(&a, &b));	/* by UID */
	snprintf(b.uid, sizeof(b.uid), "u2");
	CHECK(pod_holders_differ(&a, &b));
	a.uid[0] = '\0';
	CHECK(!pod_holders_differ(&a, &b));	/* a names no pod: cannot tell */
	snprintf(a.ns, sizeof(a.ns), "x");
	snprintf(a.name, sizeof(a.name), "z");
	CHECK(pod_holders_differ(&a, &b));	/* no UID on one side: by namespace/name */
	CHECK_EQ_INT(pod_holders_pods(&c, 1), 0);	/* c names nothing */
	list[0] = c;
	list[1] = a;
	list[2] = b;
	CHECK_EQ_INT(pod_holders_pods(list, 3), 2);
	CHECK(pod_holders_add(list, &n, 2, &a) && pod_holders_add(list, &n, 2, &a) && n == 1);
	CHECK(pod_holders_add(list, &n, 2, &b) && n == 2);
	CHECK(!pod_holders_add(list, &n, 2, &c) && n == 2);
	b.src = POD_SRC_CGROUP;
	list[1].src = POD_SRC_RUNTIME;
	CHECK(pod_holders_first(list, 2) == &list[0]);	/* a: a record (0) */
	list[0].src = POD_SRC_CGROUP;
	CHECK(pod_holders_first(list, 2) == &list[1]);	/* the runtime's before a cgroup's */
	CHECK(pod_holders_first(list, 0) == NULL);
}

int main(int argc, char **argv)
{
	char *t;

	build();
	t = render();
	if (!CHECK(t != NULL))
		return t_done();
	test_labels(t);
	test_counters(t);
	test_pf_vfs(t);
	test_leaks(t);
	test_hist(t);
	test_holders();
	if (argc > 1) {
		FILE *f = fopen(argv[1], "w");

		CHECK(f && fputs(t, f) >= 0 && fclose(f) == 0);
	}
	free(t);
	T_SECTION("without counters (the leaks op's snapshot): no counter families");
	snap.counters = false;
	t = render();
	CHECK(t && !strstr(t, "pflink_vf_receive_bytes_total") && strstr(t, "pflink_vf_info{"));
	free(t);
	return t_done();
}

/* SPDX-License-Identifier: MIT */
/*
 * The vf_dirty and numa_misaligned findings (agent/leaks.c) and their
 * series (agent/metrics.c) on a hand-made snapshot, and the CPU-list and
 * NUMA helpers they rest on (lib/numa.c).
 */
#include "t.h"
#include "leaks.h"
#include "metrics.h"
#include "mx_t.h"
#include "pflink/numa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mx_snap snap;
static struct mx_pf pfs[2];
static struct mx_vf vfs[8];

static struct mx_vf *vf(unsigned i, const char *pf, const char *bdf, int idx)
{
	struct mx_vf *v = &vfs[i];

	memset(v, 0, sizeof(*v));
	snprintf(v->pf, sizeof(v->pf), "%s", pf);
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	v->index = idx;
	v->numa = -1;
	/* igb's VF never configured, as measured (docs/metrics.md) */
	v->has_config = true;
	snprintf(v->admin_mac, sizeof(v->admin_mac), "00:00:00:00:00:00");
	v->spoofchk = 1;
	v->trust = 0;
	v->linkstate = 0;
	snprintf(v->netdev, sizeof(v->netdev), "eth%u", i + 2);
	snprintf(v->netns, sizeof(v->netns), "host");
	v->in_host = true;
	return v;
}

static void pod(struct mx_vf *v, const char *name)
{
	v->has_pod = true;
	snprintf(v->pod_ns, sizeof(v->pod_ns), "team");
	snprintf(v->pod, sizeof(v->pod), "%s", name);
	snprintf(v->netdev, sizeof(v->netdev), "net1");
	snprintf(v->netns, sizeof(v->netns), "/run/netns/%s", name);
	v->in_host = false;
}

static void cpus(struct mx_vf *v, const char *list, uint64_t nodes)
{
	v->has_cpus = true;
	snprintf(v->cpus, sizeof(v->cpus), "%s", list);
	v->cpu_nodes = nodes;
}

/* PF A igb (node -1), PF B an unknown driver (node 1). */
static void build(void)
{
	struct mx_vf *v;

	memset(&snap, 0, sizeof(snap));
	memset(pfs, 0, sizeof(pfs));
	snprintf(pfs[0].bdf, sizeof(pfs[0].bdf), "0000:01:00.0");
	snprintf(pfs[0].driver, sizeof(pfs[0].driver), "igb");
	pfs[0].numa = -1;
	snprintf(pfs[1].bdf, sizeof(pfs[1].bdf), "0000:81:00.0");
	snprintf(pfs[1].driver, sizeof(pfs[1].driver), "newnic");
	pfs[1].numa = 1;

	vf(0, "0000:01:00.0", "0000:01:10.0", 0);	/* fresh: clean */
	v = vf(1, "0000:01:00.0", "0000:01:10.2", 1);	/* left behind by pod old-0 */
	snprintf(v->admin_mac, sizeof(v->admin_mac), "02:dd:00:00:00:03");
	v->vlan = 42;
	v->qos = 3;
	v->trust = 1;
	v->spoofchk = 0;
	v->max_rate = 100;
	v->min_rate = 10;
	v->linkstate = 2;
	snprintf(v->last_pod_ns, sizeof(v->last_pod_ns), "team");
	snprintf(v->last_pod, sizeof(v->last_pod), "old-0");
	v = vf(2, "0000:01:00.0", "0000:01:10.4", 2);	/* in a pod, configured: not dirty */
	pod(v, "web-0");
	v->vlan = 10;
	v->numa = 1;	/* its pod's CPUs unread (its process exited): unknown */
	v = vf(3, "0000:01:00.0", "0000:01:10.6", 3);	/* no pod, another VF's MAC, no netdev (vfio) */
	snprintf(v->admin_mac, sizeof(v->admin_mac), "02:dd:00:00:00:03");
	v->netdev[0] = v->netns[0] = '\0';
	v->in_host = false;
	v = vf(4, "0000:81:00.0", "0000:81:10.0", 0);	/* unknown driver: spoof-check off is not judged */
	v->numa = 1;
	v->spoofchk = 0;
	v = vf(5, "0000:81:00.0", "0000:81:10.2", 1);	/* pod on node 0's CPUs, VF on node 1 */
	v->numa = 1;
	pod(v, "far-0");
	cpus(v, "0-3", 1);
	v = vf(6, "0000:81:00.0", "0000:81:10.4", 2);	/* pod on both nodes' CPUs */
	v->numa = 1;
	pod(v, "near-0");
	cpus(v, "0-7", 3);
	v = vf(7, "0000:01:00.0", "0000:01:11.0", 4);	/* numa_node -1: never misaligned */
	pod(v, "any-0");
	cpus(v, "0-3", 1);
	snap.pfs = pfs;
	snap.n_pfs = 2;
	snap.vfs = vfs;
	snap.n_vfs = 8;
}

static char *render(void)
{
	struct mx_render_opts o = { .version = "9.9.9" };

	return mx_t_render(&snap, &o);
}

static bool has(const char *text, const char *line)
{
	return mx_t_has(text, line);
}

static void test_dirty(void)
{
	struct leak *l = NULL;
	unsigned n = 0, i, dirty = 0, misaligned = 0;
	char w[1024];
	char *t;

	T_SECTION("leak_vf_dirty: each setting against igb's defaults");
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[0], "igb"), 0);
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[1], "igb"),
		     VF_DIRTY_MAC | VF_DIRTY_MAC_SHARED | VF_DIRTY_VLAN | VF_DIRTY_QOS | VF_DIRTY_TRUST |
			     VF_DIRTY_SPOOFCHK | VF_DIRTY_MIN_RATE | VF_DIRTY_MAX_RATE | VF_DIRTY_LINK_STATE);
	/* an unknown driver: spoof-check off is not judged, the rest is */
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[4], "newnic"), 0);
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[1], "newnic") & VF_DIRTY_SPOOFCHK, 0);
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[1], NULL) & VF_DIRTY_TRUST, VF_DIRTY_TRUST);
	CHECK(leak_vf_defaults_of("igb") && leak_vf_defaults_of("igb")->spoofchk == 1);
	CHECK(!leak_vf_defaults_of("newnic"));
	/* the driver did not say (-1): nothing */
	vfs[0].spoofchk = vfs[0].trust = vfs[0].linkstate = -1;
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[0], "igb"), 0);
	/* forced enable counts like disable; a VF without a table entry none */
	vfs[0].linkstate = 1;
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[0], "igb"), VF_DIRTY_LINK_STATE);
	vfs[0].has_config = false;
	CHECK_EQ_INT(leak_vf_dirty(&snap, &vfs[0], "igb"), 0);
	build();
	CHECK_STR(leak_dirty_name(VF_DIRTY_MAX_RATE), "max_rate");
	CHECK_STR(leak_dirty_name(3), "");

	T_SECTION("leaks_find: vf_dirty for VFs no pod holds, numa_misaligned for far-0 alone");
	CHECK_EQ_INT(leaks_find(&snap, &l, &n), 0);
	for (i = 0; i < n; i++) {
		if (l[i].kind == LEAK_VF_DIRTY) {
			dirty++;
			CHECK(l[i].vf == &vfs[1] || l[i].vf == &vfs[3]);
			if (l[i].vf == &vfs[1]) {
				leak_words(&l[i], w, sizeof(w));
				CHECK_STR(w, "no pod holds it and it still has mac 02:dd:00:00:00:03, mac_shared "
					     "02:dd:00:00:00:03, vlan 42, qos 3, trust on, spoofchk off, min_rate 10, "
					     "max_rate 100, link_state disable (last held by team/old-0)");
			} else {
				CHECK_EQ_INT(l[i].dirty, VF_DIRTY_MAC | VF_DIRTY_MAC_SHARED);
			}
		}
		if (l[i].kind == LEAK_NUMA_MISALIGNED) {
			misaligned++;
			CHECK(l[i].vf == &vfs[5]);
			leak_words(&l[i], w, sizeof(w));
			CHECK_STR(w, "pod team/far-0 may run only on CPUs 0-3 (NUMA node 0); its VF is on node 1");
		}
	}
	CHECK_EQ_INT(dirty, 2);
	CHECK_EQ_INT(misaligned, 1);
	free(l);

	T_SECTION("leak_numa_aligned");
	CHECK_EQ_INT(leak_numa_aligned(&vfs[5]), 0);
	CHECK_EQ_INT(leak_numa_aligned(&vfs[6]), 1);
	CHECK_EQ_INT(leak_numa_aligned(&vfs[7]), 1);	/* numa_node -1 */
	vfs[7].has_cpus = false;			/* ... its CPUs are not read */
	CHECK_EQ_INT(leak_numa_aligned(&vfs[7]), 1);
	vfs[7].has_cpus = true;
	CHECK_EQ_INT(leak_numa_aligned(&vfs[2]), -1);	/* CPUs unread (its process exited) */
	CHECK_EQ_INT(leak_numa_aligned(&vfs[0]), -1);	/* no pod */

	T_SECTION("the series");
	t = render();
	if (!CHECK(t != NULL))
		return;
	CHECK(has(t, "pflink_leaks{kind=\"vf_dirty\"} 2"));
	CHECK(has(t, "pflink_leaks{kind=\"numa_misaligned\"} 1"));
	CHECK(has(t, "pflink_vf_dirty{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.2\",setting=\"vlan\",value=\"42\","
		     "last_pod_namespace=\"team\",last_pod=\"old-0\"} 1"));
	CHECK(has(t, "pflink_vf_dirty{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.2\",setting=\"spoofchk\",value=\"off\","
		     "last_pod_namespace=\"team\",last_pod=\"old-0\"} 1"));
	CHECK(has(t, "pflink_vf_dirty{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.6\",setting=\"mac_shared\","
		     "value=\"02:dd:00:00:00:03\",last_pod_namespace=\"\",last_pod=\"\"} 1"));
	CHECK(!strstr(t, "pflink_vf_dirty{pf=\"0000:81:00.0\""));
	CHECK(!strstr(t, "pflink_vf_dirty{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.4\""));
	CHECK(has(t, "pflink_vf_numa_aligned{pf=\"0000:81:00.0\",vf_pci_address=\"0000:81:10.2\",pod_namespace=\"team\","
		     "pod=\"far-0\",numa_node=\"1\",cpus=\"0-3\",cpu_nodes=\"0\"} 0"));
	CHECK(has(t, "pflink_vf_numa_aligned{pf=\"0000:81:00.0\",vf_pci_address=\"0000:81:10.4\",pod_namespace=\"team\","
		     "pod=\"near-0\",numa_node=\"1\",cpus=\"0-7\",cpu_nodes=\"0,1\"} 1"));
	CHECK(has(t, "pflink_vf_numa_aligned{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:11.0\",pod_namespace=\"team\","
		     "pod=\"any-0\",numa_node=\"-1\",cpus=\"0-3\",cpu_nodes=\"0\"} 1"));
	CHECK(!strstr(t, "pod=\"web-0\",numa_node"));
	free(t);
}

static void test_numa(void)
{
	struct numa_cpus c;
	struct numa_node nodes[2];
	char buf[128];
	static const char status[] = "Name:\tsleep\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1,5\nMems_allowed_list:\t0\n";

	T_SECTION("numa_cpulist_parse");
	CHECK_EQ_INT(numa_cpulist_parse("0-3,8,10-11\n", 12, &c), 0);
	numa_cpulist_fmt(&c, buf, sizeof(buf));
	CHECK_STR(buf, "0-3,8,10-11");
	CHECK_EQ_INT(numa_cpulist_parse("7", 1, &c), 0);
	numa_cpulist_fmt(&c, buf, sizeof(buf));
	CHECK_STR(buf, "7");
	CHECK_EQ_INT(numa_cpulist_parse("4095", 4, &c), 0);
	CHECK_EQ_INT(numa_cpulist_parse("", 0, &c), -EINVAL);
	CHECK_EQ_INT(numa_cpulist_parse("\n", 1, &c), -EINVAL);	/* a memory-only node's cpulist */
	CHECK_EQ_INT(numa_cpulist_parse("3-1", 3, &c), -EINVAL);
	CHECK_EQ_INT(numa_cpulist_parse("1,", 2, &c), -EINVAL);
	CHECK_EQ_INT(numa_cpulist_parse("1-", 2, &c), -EINVAL);
	CHECK_EQ_INT(numa_cpulist_parse("a", 1, &c), -EINVAL);
	CHECK_EQ_INT(numa_cpulist_parse("-1", 2, &c), -EINVAL);
	CHECK_EQ_INT(numa_cpulist_parse("4096", 4, &c), -EINVAL);	/* names no CPU it can hold */
	CHECK_EQ_INT(numa_cpulist_parse("1234567890", 10, &c), -EINVAL);
	CHECK_EQ_INT(numa_cpulist_parse("0-999999999", 11, &c), 0);	/* cut at NUMA_CPUS_MAX */
	numa_cpulist_fmt(&c, buf, sizeof(buf));
	CHECK_STR(buf, "0-4095");
	numa_cpulist_fmt(&c, buf, 4);	/* cut to fit: whole ranges only */
	CHECK_STR(buf, "");

	T_SECTION("numa_status_cpus: a process's status, whole and cut short");
	CHECK_EQ_INT(numa_status_cpus(status, sizeof(status) - 1, &c), 0);
	numa_cpulist_fmt(&c, buf, sizeof(buf));
	CHECK_STR(buf, "0-1,5");
	/* the process exited while it was read: the line cut, or missing */
	CHECK_EQ_INT(numa_status_cpus(status, strstr(status, ",5") - status, &c), -ENOENT);
	CHECK_EQ_INT(numa_status_cpus(status, 20, &c), -ENOENT);
	CHECK_EQ_INT(numa_status_cpus("", 0, &c), -ENOENT);
	CHECK_EQ_INT(numa_status_cpus("Cpus_allowed_list:\tx\n", 21, &c), -EINVAL);

	T_SECTION("numa_nodes_of");
	memset(nodes, 0, sizeof(nodes));
	nodes[0].node = 0;
	CHECK_EQ_INT(numa_cpulist_parse("0-3", 3, &nodes[0].cpus), 0);
	nodes[1].node = 1;
	CHECK_EQ_INT(numa_cpulist_parse("4-7,100", 7, &nodes[1].cpus), 0);
	CHECK_EQ_INT(numa_cpulist_parse("1", 1, &c), 0);
	CHECK_EQ_INT(numa_nodes_of(&c, nodes, 2), 1);
	CHECK_EQ_INT(numa_cpulist_parse("100", 3, &c), 0);
	CHECK_EQ_INT(numa_nodes_of(&c, nodes, 2), 2);
	CHECK_EQ_INT(numa_cpulist_parse("3-4", 3, &c), 0);
	CHECK_EQ_INT(numa_nodes_of(&c, nodes, 2), 3);
	CHECK_EQ_INT(numa_cpulist_parse("200", 3, &c), 0);
	CHECK_EQ_INT(numa_nodes_of(&c, nodes, 2), 0);	/* a CPU of no node known */
	numa_mask_fmt(5, buf, sizeof(buf));
	CHECK_STR(buf, "0,2");
}

int main(void)
{
	build();
	test_dirty();
	test_numa();
	return t_done();
}

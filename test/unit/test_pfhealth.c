/* SPDX-License-Identifier: MIT */
/*
 * agent/pfhealth.c and its series in agent/metrics.c on a hand-made
 * snapshot: how a link's flags, operstate and carrier are judged; which
 * PFs are findings (down with pods on them; never unknown, never without
 * pods); a VF forced down (IFLA_VF_LINK_STATE disable, which igb cannot
 * set, so only here and not in the VM) under a pod and not.
 */
#include "t.h"
#include "pfhealth.h"
#include "metrics.h"

#include <linux/if.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mx_snap snap;
static struct mx_pf pfs[3];
static struct mx_vf vfs[5];

static struct mx_link link_of(bool up, int oper, int carrier)
{
	return (struct mx_link){ .known = true, .admin_up = up, .operstate = oper, .carrier = carrier,
				 .carrier_changes = 4, .speed_mbps = up && carrier ? 1000 : -1 };
}

static void pod(struct mx_vf *v, const char *pf, const char *bdf, const char *name)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->pf, sizeof(v->pf), "%s", pf);
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	v->spoofchk = v->trust = v->linkstate = -1;
	if (!name)
		return;
	v->has_pod = true;
	snprintf(v->pod_ns, sizeof(v->pod_ns), "team");
	snprintf(v->pod, sizeof(v->pod), "%s", name);
	snprintf(v->ifname, sizeof(v->ifname), "net1");
}

static void test_state(void)
{
	struct mx_link l = { 0 };

	T_SECTION("state");
	CHECK_EQ_INT(pfh_state(&l), PFH_UNKNOWN);
	l = link_of(true, IF_OPER_UP, 1);
	CHECK_EQ_INT(pfh_state(&l), PFH_UP);
	l = link_of(true, IF_OPER_UNKNOWN, 1);	/* a driver that sets no operstate */
	CHECK_EQ_INT(pfh_state(&l), PFH_UP);
	l = link_of(true, -1, -1);		/* a message with neither */
	CHECK_EQ_INT(pfh_state(&l), PFH_UP);
	l = link_of(false, IF_OPER_DOWN, 0);
	CHECK_EQ_INT(pfh_state(&l), PFH_ADMIN_DOWN);
	l = link_of(true, IF_OPER_LOWERLAYERDOWN, 0);
	CHECK_EQ_INT(pfh_state(&l), PFH_NO_CARRIER);
	l = link_of(true, IF_OPER_DOWN, 1);
	CHECK_EQ_INT(pfh_state(&l), PFH_NO_CARRIER);
	l = link_of(true, IF_OPER_DORMANT, 1);
	CHECK_EQ_INT(pfh_state(&l), PFH_NOT_READY);
	CHECK_STR(pfh_state_name(PFH_NO_CARRIER), "no_carrier");
	CHECK_STR(pfh_operstate_name(IF_OPER_LOWERLAYERDOWN), "lowerlayerdown");
	CHECK_STR(pfh_operstate_name(-1), "");
	CHECK_STR(pfh_operstate_name(99), "");
}

/* PF A admin down with two pods and a free VF; PF B up, its pod's VF
 * forced disable; PF C's netdev not seen (link unknown), with a pod. */
static void build(void)
{
	memset(&snap, 0, sizeof(snap));
	memset(pfs, 0, sizeof(pfs));
	snprintf(pfs[0].bdf, sizeof(pfs[0].bdf), "0000:01:00.0");
	snprintf(pfs[0].netdev, sizeof(pfs[0].netdev), "enp1s0");
	pfs[0].link = link_of(false, IF_OPER_DOWN, 0);
	snprintf(pfs[1].bdf, sizeof(pfs[1].bdf), "0000:02:00.0");
	snprintf(pfs[1].netdev, sizeof(pfs[1].netdev), "enp2s0");
	pfs[1].link = link_of(true, IF_OPER_UP, 1);
	snprintf(pfs[2].bdf, sizeof(pfs[2].bdf), "0000:03:00.0");
	pod(&vfs[0], "0000:01:00.0", "0000:01:10.0", "web-a");
	pod(&vfs[1], "0000:01:00.0", "0000:01:10.2", NULL);
	pod(&vfs[2], "0000:01:00.0", "0000:01:10.4", "web-c");
	pod(&vfs[3], "0000:02:00.0", "0000:02:10.0", "web-b");
	vfs[3].has_config = true;
	vfs[3].linkstate = IFLA_VF_LINK_STATE_DISABLE;
	pod(&vfs[4], "0000:03:00.0", "0000:03:10.0", "web-d");
	snap.pfs = pfs;
	snap.n_pfs = 3;
	snap.vfs = vfs;
	snap.n_vfs = 5;
}

static void test_find(void)
{
	struct pfh_finding *f = NULL;
	unsigned n = 0;
	char words[512];

	T_SECTION("find");
	build();
	if (!CHECK(pfh_find(&snap, &f, &n) == 0))
		return;
	if (CHECK_EQ_INT(n, 2)) {
		CHECK_EQ_INT(f[0].kind, PFH_PF_DOWN);
		CHECK(f[0].pf == &pfs[0]);
		CHECK_EQ_INT(f[0].state, PFH_ADMIN_DOWN);
		CHECK_EQ_INT(f[0].n_vfs, 3);
		CHECK_EQ_INT(f[0].pods, 2);
		pfh_words(&f[0], words, sizeof(words));
		CHECK_STR(words, "PF 0000:01:00.0 enp1s0 is admin_down: 2 pod VFs without network: team/web-a, team/web-c");
		CHECK_EQ_INT(f[1].kind, PFH_VF_LINK_DISABLED);
		CHECK(f[1].vfs == &vfs[3]);
		pfh_words(&f[1], words, sizeof(words));
		CHECK_STR(words, "VF 0000:02:10.0 of pod team/web-b is forced down by its PF (link_state disable)");
	}
	free(f);

	/* An orphaned VF is no pod's; a forced-down VF without a pod is no
	 * finding; PF A's pods gone: no finding for PF A either. */
	vfs[0].orphan = MX_ORPHAN_POD_GONE;
	vfs[2].has_pod = false;
	vfs[3].has_pod = false;
	f = NULL;
	if (CHECK(pfh_find(&snap, &f, &n) == 0))
		CHECK_EQ_INT(n, 0);
	free(f);

	/* A small buffer cuts the words, never overruns. */
	build();
	if (CHECK(pfh_find(&snap, &f, &n) == 0) && n) {
		pfh_words(&f[0], words, 20);
		CHECK_EQ_INT(strlen(words), 19);
	}
	free(f);
}

static void test_series(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct mx_render_opts o = { .version = "t" };

	T_SECTION("series");
	build();
	if (!CHECK(m != NULL) || !CHECK(metrics_render(m, &snap, &o) == 0) || !CHECK(fclose(m) == 0))
		return;
	CHECK(strstr(buf, "\npflink_pf_link_up{pf=\"0000:01:00.0\",pf_netdev=\"enp1s0\",state=\"admin_down\",operstate=\"down\"} 0\n"));
	CHECK(strstr(buf, "\npflink_pf_link_up{pf=\"0000:02:00.0\",pf_netdev=\"enp2s0\",state=\"up\",operstate=\"up\"} 1\n"));
	CHECK(!strstr(buf, "pflink_pf_link_up{pf=\"0000:03:00.0\""));
	CHECK(strstr(buf, "\npflink_pf_link_speed_bytes{pf=\"0000:02:00.0\",pf_netdev=\"enp2s0\"} 125000000\n"));
	CHECK(!strstr(buf, "pflink_pf_link_speed_bytes{pf=\"0000:01:00.0\""));
	CHECK(strstr(buf, "\npflink_pf_carrier_changes_total{pf=\"0000:01:00.0\",pf_netdev=\"enp1s0\"} 4\n"));
	CHECK(strstr(buf, "\npflink_vf_pf_usable{pf=\"0000:01:00.0\",pf_netdev=\"enp1s0\",pf_state=\"admin_down\",vf_pci_address=\"0000:01:10.0\",pod_namespace=\"team\",pod=\"web-a\",pod_uid=\"\",interface=\"net1\"} 0\n"));
	CHECK(strstr(buf, "pod=\"web-b\",pod_uid=\"\",interface=\"net1\"} 1\n"));
	CHECK(!strstr(buf, "pflink_vf_pf_usable{pf=\"0000:03:00.0\""));
	CHECK(!strstr(buf, "pf_state=\"admin_down\",vf_pci_address=\"0000:01:10.2\""));	/* no pod */
	CHECK(strstr(buf, "\npflink_vf_link_disabled{pf=\"0000:02:00.0\",vf_pci_address=\"0000:02:10.0\",pod_namespace=\"team\",pod=\"web-b\",pod_uid=\"\",interface=\"net1\"} 1\n"));
	CHECK(strstr(buf, "\npflink_pf_health_findings{kind=\"pf_down\"} 1\n"));
	CHECK(strstr(buf, "\npflink_pf_health_findings{kind=\"vf_link_disabled\"} 1\n"));
	free(buf);
}

int main(void)
{
	test_state();
	test_find();
	test_series();
	return t_done();
}

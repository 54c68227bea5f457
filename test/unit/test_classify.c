/* SPDX-License-Identifier: MIT */
/*
 * classify: switchdev port names as the drivers and devlink really make
 * them (the format strings quoted are the kernel's), and the netdev-less
 * drivers.
 */
#include "t.h"

#include "pflink/classify.h"

struct row {
	const char *name, *source;
	enum port_kind kind;
	int controller, pf, vf, sf;
};

static const struct row rows[] = {
	/* devlink (__devlink_port_phys_port_name_get): mlx5, ice with
	 * devlink ports, bnxt and nfp through their devlink ports too */
	{ "p0", "devlink PHYSICAL p%u (mlx5/nfp uplink)", PORT_UPLINK, -1, -1, -1, -1 },
	{ "p1", "devlink PHYSICAL, second port", PORT_UPLINK, -1, -1, -1, -1 },
	{ "p0s1", "devlink PHYSICAL split p%us%u (nfp)", PORT_UPLINK, -1, -1, -1, -1 },
	{ "pf0vf3", "devlink PCI_VF pf%uvf%u (mlx5 VF rep)", PORT_VF_REP, -1, 0, 3, -1 },
	{ "pf1vf0", "devlink PCI_VF, second PF (mlx5 on 0000:03:00.1)", PORT_VF_REP, -1, 1, 0, -1 },
	{ "pf0vf127", "mlx5 ConnectX-6, highest VF", PORT_VF_REP, -1, 0, 127, -1 },
	{ "c1pf0vf3", "devlink PCI_VF external c%upf%uvf%u (BlueField host VF)", PORT_VF_REP, 1, 0, 3, -1 },
	{ "pf0sf88", "devlink PCI_SF pf%usf%u (mlx5 SF rep)", PORT_SF_REP, -1, 0, -1, 88 },
	{ "c1pf0sf1", "devlink PCI_SF external (BlueField host SF)", PORT_SF_REP, 1, 0, -1, 1 },
	{ "pf0", "devlink PCI_PF pf%u (BlueField ECPF rep)", PORT_PF_REP, -1, 0, -1, -1 },
	{ "c1pf0", "devlink PCI_PF external c%upf%u (BlueField host PF rep)", PORT_PF_REP, 1, 0, -1, -1 },
	/* the drivers' own, before devlink named their ports */
	{ "pf0vfr2", "ice_repr_get_phys_port_name pf%dvfr%d", PORT_VF_REP, -1, 0, 2, -1 },
	{ "pf1vfr15", "ice, second PF", PORT_VF_REP, -1, 1, 15, -1 },
	{ "pf0vf1", "bnxt_vf_rep_get_phys_port_name pf%dvf%d", PORT_VF_REP, -1, 0, 1, -1 },
	{ "pf2vf7", "nfp_port_get_phys_port_name VF_PORT pf%dvf%d", PORT_VF_REP, -1, 2, 7, -1 },
	{ "pf0s1", "nfp_port_get_phys_port_name PF_PORT split pf%ds%d", PORT_PF_REP, -1, 0, -1, -1 },
	{ "pf3", "nfp PF_PORT pf%d", PORT_PF_REP, -1, 3, -1, -1 },
	/* a netdev without a port name: legacy mode, or a VF's own */
	{ "", "no IFLA_PHYS_PORT_NAME", PORT_NONE, -1, -1, -1, -1 },
	/* not any of these shapes */
	{ "pf0vf", "no VF number", PORT_OTHER, -1, -1, -1, -1 },
	{ "pf-1vf2", "a sign", PORT_OTHER, -1, -1, -1, -1 },
	{ "pf 0vf3", "a blank", PORT_OTHER, -1, -1, -1, -1 },
	{ "pf0vf3 ", "trailing blank", PORT_OTHER, -1, -1, -1, -1 },
	{ "pf0vf3x", "trailing byte", PORT_OTHER, -1, -1, -1, -1 },
	{ "PF0VF3", "upper case", PORT_OTHER, -1, -1, -1, -1 },
	{ "pf0vf123456", "six digits", PORT_OTHER, -1, -1, -1, -1 },
	{ "cpf0vf3", "c without a number", PORT_OTHER, -1, -1, -1, -1 },
	{ "c1", "controller only", PORT_OTHER, -1, -1, -1, -1 },
	{ "c1pf0vfr2", "ice never names an external controller", PORT_OTHER, -1, -1, -1, -1 },
	{ "c1p0", "devlink never names a physical port's controller", PORT_OTHER, -1, -1, -1, -1 },
	{ "p", "no number", PORT_OTHER, -1, -1, -1, -1 },
	{ "n0", "unknown", PORT_OTHER, -1, -1, -1, -1 },
	{ "vf3", "no PF", PORT_OTHER, -1, -1, -1, -1 },
};

static void test_port_names(void)
{
	size_t i;

	T_SECTION("classify_port on real port names");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct port_id p;
		enum port_kind k = classify_port(w->name, &p);

		t_check(k == w->kind && p.kind == k && p.controller == w->controller && p.pf == w->pf &&
			p.vf == w->vf && p.sf == w->sf, __FILE__, __LINE__,
			"\"%s\" (%s): %s c%d pf%d vf%d sf%d, want %s c%d pf%d vf%d sf%d", w->name, w->source,
			classify_port_kind_name(k), p.controller, p.pf, p.vf, p.sf,
			classify_port_kind_name(w->kind), w->controller, w->pf, w->vf, w->sf);
		CHECK_EQ_INT(classify_is_pf_netdev(w->name), !classify_is_representor(w->kind));
	}
	{
		struct port_id p;

		CHECK_EQ_INT(classify_port(NULL, &p), PORT_NONE);
	}
}

static void test_rep_of(void)
{
	const char *sw = "b8599f0300aabbcc";

	T_SECTION("classify_is_vf_rep_of: same switch, this host, that PF, that VF");
	CHECK(classify_is_vf_rep_of("pf0vf3", sw, sw, 0, 3));
	CHECK(classify_is_vf_rep_of("pf0vfr3", sw, sw, 0, 3));	/* ice */
	CHECK(!classify_is_vf_rep_of("pf0vf3", sw, sw, 0, 2));	/* another VF */
	CHECK(!classify_is_vf_rep_of("pf1vf3", sw, sw, 0, 3));	/* another PF on a shared switch */
	CHECK(!classify_is_vf_rep_of("c1pf0vf3", sw, sw, 0, 3));	/* the SmartNIC host's VF 3 */
	CHECK(!classify_is_vf_rep_of("pf0vf3", "b8599f0300aabbcd", sw, 0, 3));	/* another switch */
	CHECK(!classify_is_vf_rep_of("pf0vf3", "", "", 0, 3));	/* legacy mode: no switch */
	CHECK(!classify_is_vf_rep_of("pf0vf3", sw, "", 0, 3));
	CHECK(!classify_is_vf_rep_of("pf0sf3", sw, sw, 0, 3));	/* an SF */
	CHECK(!classify_is_vf_rep_of("pf0", sw, sw, 0, 0));		/* the PF's representor */
	CHECK(!classify_is_vf_rep_of("p0", sw, sw, 0, 0));		/* the uplink */
	CHECK(!classify_is_vf_rep_of("pf0vf0", sw, sw, 0, -1));	/* VF index unknown */

	T_SECTION("classify_pf_number");
	CHECK_EQ_INT(classify_pf_number("0000:03:00.1"), 1);
	CHECK_EQ_INT(classify_pf_number("0000:01:00.0"), 0);
	CHECK_EQ_INT(classify_pf_number("10000:01:00.7"), 7);
	CHECK_EQ_INT(classify_pf_number("0000:01:00.8"), -1);
	CHECK_EQ_INT(classify_pf_number(""), -1);
	CHECK_EQ_INT(classify_pf_number(NULL), -1);
}

static void test_drivers(void)
{
	T_SECTION("classify_driver_netdevless");
	CHECK(classify_driver_netdevless("vfio-pci"));
	CHECK(classify_driver_netdevless("mlx5_vfio_pci"));
	CHECK(classify_driver_netdevless("hisi_acc_vfio_pci"));
	CHECK(classify_driver_netdevless("uio_pci_generic"));
	CHECK(classify_driver_netdevless("igb_uio"));
	CHECK(classify_driver_netdevless("pci-stub"));
	CHECK(!classify_driver_netdevless("igbvf"));
	CHECK(!classify_driver_netdevless("iavf"));
	CHECK(!classify_driver_netdevless("mlx5_core"));
	CHECK(!classify_driver_netdevless("ixgbevf"));
	CHECK(!classify_driver_netdevless("bnxt_en"));
	CHECK(!classify_driver_netdevless("virtio-pci"));
	CHECK(!classify_driver_netdevless(""));
	CHECK(!classify_driver_netdevless(NULL));
}

int main(void)
{
	test_port_names();
	test_rep_of();
	test_drivers();
	return t_done();
}

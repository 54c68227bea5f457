/* SPDX-License-Identifier: MIT */
/*
 * agent/render.c on hand-made answers: the tree's shape, alignment,
 * colour, odd and hostile input.  (The canned node seen through the real
 * binary is test_pflinkctl's.)
 */
#include "t.h"
#include "render.h"
#include "pflink/util.h"

#include <cjson/cJSON.h>

struct out {
	char *text;
	int r;
};

enum view { V_TOPO, V_PF, V_VF, V_POD, V_HEALTH, V_DEVLINK, V_PF_HEALTH };
static unsigned findings;	/* render_pf_health's count */

static struct out render(enum view v, const char *json, bool color)
{
	struct out o = { 0 };
	cJSON *a = cJSON_Parse(json);
	struct render_opts ro = { .color = color };
	size_t len;
	FILE *f;

	if (!a) {
		printf("FAIL: test JSON does not parse: %s\n", json);
		exit(1);
	}
	f = open_memstream(&o.text, &len);
	if (!f)
		exit(1);
	switch (v) {
	case V_TOPO:
		o.r = render_topology(f, a, &ro);
		break;
	case V_PF:
		o.r = render_pf(f, a, &ro);
		break;
	case V_VF:
		o.r = render_vf(f, a, &ro);
		break;
	case V_POD:
		o.r = render_pod(f, a, "team-a", "web-0", &ro);
		break;
	case V_HEALTH:
		o.r = render_health(f, a, &ro);
		break;
	case V_DEVLINK:
		o.r = render_devlink(f, a, &ro);
		break;
	case V_PF_HEALTH:
		o.r = render_pf_health(f, a, &ro, &findings);
		break;
	}
	fclose(f);
	cJSON_Delete(a);
	return o;
}

#define CHECK_HAS(hay, needle) t_check(strstr((hay), (needle)) != NULL, __FILE__, __LINE__, \
				       "output has \"%s\"; got:\n%s", (needle), (hay))
#define CHECK_HASNT(hay, needle) t_check(strstr((hay), (needle)) == NULL, __FILE__, __LINE__, \
					 "output lacks \"%s\"; got:\n%s", (needle), (hay))

/* Display column (code points) of the first needle on each line that has
 * one; all equal, and at least n lines. */
static bool same_column(const char *s, const char *needle, unsigned n)
{
	long col = -1;
	unsigned lines = 0;

	while (*s) {
		const char *e = strchr(s, '\n'), *hit;

		if (!e)
			e = s + strlen(s);
		hit = strstr(s, needle);
		if (hit && hit < e) {
			long c = 0;

			for (const char *p = s; p < hit; p++)
				c += ((unsigned char)*p & 0xc0) != 0x80;
			if (col >= 0 && c != col)
				return false;
			col = c;
			lines++;
		}
		s = *e ? e + 1 : e;
	}
	return lines >= n;
}

#define NETDEV(n, ns) "{\"name\":\"" n "\",\"ifindex\":3,\"mac\":\"aa:bb:cc:dd:ee:ff\",\"netns\":\"" ns "\",\"portName\":\"\",\"switchId\":\"\"}"
#define PFOBJ(bdf, nds, vfs) "{\"pciAddress\":\"" bdf "\",\"driver\":\"igb\",\"numvfs\":2,\"totalvfs\":7,\"netdevs\":[" nds "]" vfs "}"
#define VFOBJ(i, bdf, nds, extra) "{\"index\":" #i ",\"pciAddress\":\"" bdf "\",\"driver\":\"igbvf\",\"netdevs\":[" nds "]" extra "}"

static void test_topology(void)
{
	struct out o;

	T_SECTION("empty node");
	o = render(V_TOPO, "{\"v\":1,\"ok\":true,\"pfs\":[],\"netns\":3}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_STR(o.text, "0 PFs, 0 VFs; 3 netns tracked\nno SR-IOV PF on this node\n");
	free(o.text);

	T_SECTION("one PF, VF index width");
	o = render(V_TOPO, "{\"v\":1,\"ok\":true,\"netns\":1,\"pfs\":[" PFOBJ("0000:01:00.0", NETDEV("eth0", "host"),
		   ",\"vfs\":[" VFOBJ(9, "0000:01:11.1", NETDEV("eth9", "host"), "") ","
		   VFOBJ(10, "0000:01:11.2", NETDEV("net1", "/run/netns/x"), ",\"pod\":{\"namespace\":\"a\",\"name\":\"b\"}")
		   "]") "]}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "PF        0000:01:00.0  igb    eth0  host          VFs 2/7  mac aa:bb:cc:dd:ee:ff\n");
	CHECK_HAS(o.text, "\n├─ VF  9  0000:01:11.1  igbvf  eth9  host          -\n");
	CHECK_HAS(o.text, "\n└─ VF 10  0000:01:11.2  igbvf  net1  /run/netns/x  a/b\n");
	CHECK_HAS(o.text, "\n1 PF, 2 VFs (1 in pods); 1 netns tracked\n");
	CHECK_HASNT(o.text, "\033");
	free(o.text);

	T_SECTION("a switchdev PF says so; legacy, the default, is not said");
	o = render(V_TOPO, "{\"v\":1,\"ok\":true,\"netns\":1,\"pfs\":["
		   "{\"pciAddress\":\"0000:03:00.0\",\"driver\":\"mlx5_core\",\"numvfs\":1,\"totalvfs\":8,"
		   "\"eswitchMode\":\"switchdev\",\"netdevs\":[" NETDEV("ens3f0np0", "host") "],\"vfs\":["
		   VFOBJ(0, "0000:03:00.2", NETDEV("net1", "/run/netns/x"), ",\"representor\":\"ens3f0_0\",\"representorFrom\":\"devlink\"")
		   "]}," PFOBJ("0000:01:00.0", NETDEV("eth0", "host"), ",\"eswitchMode\":\"legacy\"") "]}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "VFs 1/8  mac aa:bb:cc:dd:ee:ff  switchdev\n");
	CHECK_HAS(o.text, "representor ens3f0_0\n");
	CHECK_HAS(o.text, "VFs 2/7  mac aa:bb:cc:dd:ee:ff\n");
	CHECK_HASNT(o.text, "legacy");
	free(o.text);

	T_SECTION("colour");
	o = render(V_TOPO, "{\"v\":1,\"ok\":true,\"pfs\":[" PFOBJ("0000:01:00.0", "",
		   ",\"vfs\":[" VFOBJ(0, "0000:01:10.0", "", ",\"orphan\":\"gone\",\"pod\":{\"namespace\":\"a\",\"name\":\"b\"}") "]") "]}",
		   true);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "\033[1mPF\033[0m");
	CHECK_HAS(o.text, "\033[1m0000:01:00.0\033[0m");
	CHECK_HAS(o.text, "\033[2m(no netdev)\033[0m");
	CHECK_HAS(o.text, "\033[32ma/b\033[0m");
	CHECK_HAS(o.text, "\033[1;31m⚠ orphan: gone\033[0m");
	free(o.text);

	T_SECTION("many VFs line up");
	{
		char *json = NULL, *p;
		size_t len = 0;
		FILE *f = open_memstream(&json, &len);

		fputs("{\"v\":1,\"ok\":true,\"pfs\":[{\"pciAddress\":\"0000:81:00.0\",\"driver\":\"mlx5_core\","
		      "\"numvfs\":128,\"totalvfs\":128,\"netdevs\":[" NETDEV("ens1f0np0", "host") "],\"vfs\":[", f);
		for (int i = 0; i < 128; i++)
			fprintf(f, "%s{\"index\":%d,\"pciAddress\":\"0000:81:%02x.%d\",\"driver\":\"mlx5_core\","
				"\"netdevs\":[{\"name\":\"%s%d\",\"netns\":\"%s\"}]}",
				i ? "," : "", i, 0x10 + i / 8, i % 8, i % 3 ? "eth" : "ens1f0v", i,
				i % 5 ? "host" : "/var/run/netns/cni-0123456789abcdef");
		fputs("]}]}", f);
		fclose(f);
		o = render(V_TOPO, json, false);
		free(json);
		CHECK_EQ_INT(o.r, 0);
		CHECK(same_column(o.text, "0000:81:", 129));
		CHECK(same_column(o.text, "mlx5_core", 129));
		CHECK_HAS(o.text, "├─ VF   0  ");
		CHECK_HAS(o.text, "└─ VF 127  ");
		CHECK_HAS(o.text, "1 PF, 128 VFs");
		/* no trailing blanks anywhere */
		CHECK_HASNT(o.text, " \n");
		p = strstr(o.text, "ens1f0v0 ");
		CHECK(p != NULL);
		free(o.text);
	}

	T_SECTION("wrong types everywhere: placeholders, no crash");
	o = render(V_TOPO, "{\"v\":1,\"ok\":true,\"netns\":\"x\",\"pfs\":[1,\"a\",null,"
		   "{\"pciAddress\":5,\"driver\":[],\"numvfs\":\"4\",\"totalvfs\":1e300,\"netdevs\":{},"
		   "\"vfs\":[{},{\"index\":-1,\"netdevs\":[7,{\"name\":3}],\"config\":[],\"pod\":\"p\"},"
		   "{\"index\":2.5,\"config\":{\"mac\":1,\"vlan\":\"10\",\"spoofchk\":0,\"trust\":1}},7]}]}",
		   false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "PF        ?  -");
	CHECK_HAS(o.text, "VFs ?/?");
	CHECK_HAS(o.text, "├─ VF  ?  ?");
	CHECK_HAS(o.text, "├─ VF -1  ?");
	CHECK_HAS(o.text, "1 PF, 3 VFs (3 without netdev)\n");
	free(o.text);

	T_SECTION("shape errors");
	o = render(V_TOPO, "{\"v\":1,\"ok\":true}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	CHECK_STR(o.text, "");
	free(o.text);
	o = render(V_TOPO, "{\"v\":1,\"ok\":true,\"pfs\":{}}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	free(o.text);
	o = render(V_PF, "{\"v\":1,\"ok\":true,\"pf\":[]}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	free(o.text);
	o = render(V_VF, "{\"v\":1,\"ok\":true,\"vf\":{}}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	free(o.text);
	o = render(V_POD, "{\"v\":1,\"ok\":true}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	free(o.text);
	o = render(V_HEALTH, "{\"v\":1}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	free(o.text);
}

static void test_config_notes(void)
{
	struct out o;

	T_SECTION("VF config: only what differs from a fresh VF");
	o = render(V_PF, "{\"v\":1,\"ok\":true,\"pf\":" PFOBJ("0000:01:00.0", NETDEV("eth0", "host"), ",\"vfs\":["
		   VFOBJ(0, "0000:01:10.0", "", ",\"config\":{\"mac\":\"00:00:00:00:00:00\",\"vlan\":0,\"qos\":0,"
			 "\"spoofchk\":true,\"trust\":false,\"linkState\":\"auto\"}") ","
		   VFOBJ(1, "0000:01:10.1", "", ",\"config\":{\"mac\":\"02:00:00:00:00:01\",\"vlan\":4094,\"qos\":7,"
			 "\"spoofchk\":false,\"trust\":true,\"linkState\":\"disable\"},\"representor\":\"eth0_1\"") "]") "}",
		   false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "├─ VF 0  0000:01:10.0  igbvf  -     (no netdev)  -\n");
	CHECK_HAS(o.text, "└─ VF 1  0000:01:10.1  igbvf  -     (no netdev)  -        "
		  "mac 02:00:00:00:00:01  vlan 4094  qos 7  spoofchk off  trust on  link disable  representor eth0_1\n");
	CHECK_HASNT(o.text, "PFs");
	free(o.text);
}

static void test_vf_pod(void)
{
	struct out o;

	T_SECTION("vf");
	o = render(V_VF, "{\"v\":1,\"ok\":true,\"pf\":" PFOBJ("0000:01:00.0", NETDEV("eth0", "host") "," NETDEV("eth0d1", "host"), "")
		   ",\"vf\":" VFOBJ(3, "0000:01:10.6", NETDEV("net1", "/run/netns/p") "," NETDEV("net1b", "/run/netns/p"), "") "}",
		   false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_STR(o.text,
		  "PF       0000:01:00.0  igb    eth0    host          VFs 2/7  mac aa:bb:cc:dd:ee:ff\n"
		  "│                             eth0d1  host                   mac aa:bb:cc:dd:ee:ff\n"
		  "└─ VF 3  0000:01:10.6  igbvf  net1    /run/netns/p  -\n"
		  "                              net1b   /run/netns/p\n");
	free(o.text);

	T_SECTION("pod: grouped by PF, sorted, gone VF and container-only records");
	o = render(V_POD, "{\"v\":1,\"ok\":true,\"attachments\":["
		   "{\"pf\":" PFOBJ("0000:02:00.0", "", "") ",\"vf\":" VFOBJ(1, "0000:02:10.1", "", ",\"pod\":{\"namespace\":\"team-a\",\"name\":\"web-0\"}") "},"
		   "{\"pf\":" PFOBJ("0000:01:00.0", "", "") ",\"vf\":" VFOBJ(0, "0000:01:10.0", "", ",\"pod\":{\"namespace\":\"\",\"name\":\"\",\"containerID\":\"c0ffee0123456789abcdef\"}") "},"
		   "{\"pf\":" PFOBJ("0000:02:00.0", "", "") ",\"vf\":" VFOBJ(2, "0000:02:10.2", "", ",\"pod\":{\"namespace\":\"team-a\",\"name\":\"web-0\"}") "},"
		   "{\"pf\":" PFOBJ("0000:02:00.0", "", "") ",\"vf\":null},"
		   "{\"vf\":{}}]}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "pod team-a/web-0: 4 VFs\n\nPF  ");
	{
		const char *a = strstr(o.text, "0000:01:00.0"), *b = strstr(o.text, "0000:02:00.0");

		CHECK(a && b && a < b);
		CHECK_EQ_INT(strstr(b + 1, "0000:02:00.0") == NULL, 1);	/* one PF line */
	}
	CHECK_HAS(o.text, "└─ VF 0  0000:01:10.0");
	CHECK_HAS(o.text, "container c0ffee012345\n");
	CHECK_HAS(o.text, "├─ VF 1  0000:02:10.1");
	CHECK_HAS(o.text, "├─ VF 2  0000:02:10.2");
	CHECK_HAS(o.text, "└─ VF ?");
	CHECK_HAS(o.text, "⚠ VF no longer found under this PF\n");
	free(o.text);

	o = render(V_POD, "{\"v\":1,\"ok\":true,\"attachments\":[]}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_STR(o.text, "pod team-a/web-0: holds no VF pflinkd knows of\n");
	free(o.text);

	T_SECTION("vf: the pod's source, and a holder that is another pod");
	o = render(V_VF, "{\"v\":1,\"ok\":true,\"pf\":" PFOBJ("0000:01:00.0", "", "")
		   ",\"vf\":" VFOBJ(2, "0000:01:10.4", "",
				     ",\"pod\":{\"source\":\"runtime\",\"namespace\":\"team-a\",\"name\":\"dpdk-0\",\"uid\":\"u2\"},"
				     "\"holders\":[{\"source\":\"record\",\"namespace\":\"team-x\",\"name\":\"other-0\",\"uid\":\"u9\"},"
				     "{\"source\":\"runtime\",\"namespace\":\"team-a\",\"name\":\"dpdk-0\",\"uid\":\"u2\"},"
				     "{\"source\":\"cgroup\",\"namespace\":\"\",\"name\":\"\",\"uid\":\"u7\"}]") "}",
		   false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "team-a/dpdk-0 [runtime]  also record: team-x/other-0  also cgroup: pod u7\n");
	free(o.text);
	o = render(V_VF, "{\"v\":1,\"ok\":true,\"pf\":" PFOBJ("0000:01:00.0", "", "")
		   ",\"vf\":" VFOBJ(2, "0000:01:10.4", "",
				     ",\"pod\":{\"source\":\"cgroup\",\"namespace\":\"\",\"name\":\"\",\"uid\":\"4f4e\\u001b[2J\",\"containerID\":\"c5\"},"
				     "\"holders\":[{\"source\":\"cgroup\",\"namespace\":\"\",\"name\":\"\",\"uid\":\"4f4e\\u001b[2J\"}]") "}",
		   false);
	CHECK_HAS(o.text, "pod 4f4e?[2J [cgroup]\n");
	free(o.text);
}

static void test_health(void)
{
	struct out o;

	T_SECTION("health");
	o = render(V_HEALTH, "{\"v\":1,\"ok\":true,\"uptimeSec\":59,\"netns\":1,\"pfs\":0,\"vfs\":0,"
		   "\"scans\":1,\"events\":0,\"lastScanMs\":12}", false);
	CHECK_STR(o.text, "pflinkd ok: up 59s, 1 netns, 0 PFs, 0 VFs, 1 scans, 0 events, last scan 12 ms\n");
	free(o.text);
	o = render(V_HEALTH, "{\"v\":1,\"ok\":true,\"uptimeSec\":90061}", false);
	CHECK_STR(o.text, "pflinkd ok: up 1d01h, ? netns, ? PFs, ? VFs, ? scans, ? events, last scan ? ms\n");
	free(o.text);
	o = render(V_HEALTH, "{\"v\":1,\"ok\":true,\"uptimeSec\":3600}", true);
	CHECK_HAS(o.text, "pflinkd \033[32mok\033[0m: up 1h00m,");
	free(o.text);
	o = render(V_HEALTH, "{\"v\":1,\"ok\":true,\"uptimeSec\":61}", false);
	CHECK_HAS(o.text, "up 1m01s,");
	free(o.text);
	o = render(V_HEALTH, "{\"v\":1,\"ok\":false,\"error\":\"no\\u001b[2Jpe\"}", false);
	CHECK_STR(o.text, "pflinkd NOT OK: no?[2Jpe\n");
	free(o.text);
	o = render(V_HEALTH, "{\"v\":1,\"ok\":false}", false);
	CHECK_STR(o.text, "pflinkd NOT OK: no reason given\n");
	free(o.text);

	T_SECTION("health: a line per runtime root");
	o = render(V_HEALTH, "{\"v\":1,\"ok\":true,\"uptimeSec\":1,\"runtimes\":["
		   "{\"runtime\":\"containerd\",\"root\":\"/r/k8s.io\",\"state\":\"ok\",\"error\":\"\",\"entries\":12,"
		   "\"skipped\":{\"malformed\":1,\"too_big\":0,\"bad_id\":2,\"symlink\":0}},"
		   "{\"runtime\":\"cri-o\",\"root\":\"/r/oc\\n\",\"state\":\"absent\",\"error\":\"No such file or directory\"}]}",
		   false);
	CHECK_HAS(o.text, "\n  containerd bundles /r/k8s.io: 12 indexed, 3 skipped\n");
	CHECK_HAS(o.text, "\n  cri-o bundles /r/oc?: absent (No such file or directory): pods it runs are named by record or cgroup only\n");
	free(o.text);
}

static void test_safe_text(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "tab\there", "tab?here" },
		{ "esc\033[31m", "esc?[31m" },
		{ "del\x7f", "del?" },
		{ "c1\xc2\x9b", "c1?" },
		{ "nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe2\x94\x9c box", "\xe2\x94\x9c box" },
		{ "rlo\xe2\x80\xae", "rlo?" },
		{ "lri\xe2\x81\xa6", "lri?" },
		{ "zwsp\xe2\x80\x8b", "zwsp?" },
		{ "bad\xff\xfe", "bad??" },
		{ "overlong\xc0\xaf", "overlong??" },
		{ "surrogate\xed\xa0\x80", "surrogate???" },
		{ "cut\xe2\x94", "cut??" },
		{ "emoji\xf0\x9f\x98\x80", "emoji\xf0\x9f\x98\x80" },
		{ "toobig\xf4\x90\x80\x80", "toobig????" },
	};

	T_SECTION("render_safe_text");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = render_safe_text(cases[i].in);

		CHECK_STR(s, cases[i].want);
		free(s);
	}
	{
		char *s = render_safe_text(NULL);

		CHECK_STR(s, "");
		free(s);
	}
}

static void test_devlink(void)
{
	struct out o;

	T_SECTION("devlink: instances, their mode, their ports");
	o = render(V_DEVLINK, "{\"v\":1,\"ok\":true,\"devlink\":[{\"bus\":\"netdevsim\",\"dev\":\"netdevsim10\","
		   "\"eswitchMode\":\"switchdev\",\"ports\":[{\"index\":0,\"flavour\":\"physical\",\"netdev\":\"eni10np1\","
		   "\"portName\":\"p0\",\"agrees\":true},{\"index\":1,\"flavour\":\"pcivf\",\"pf\":0,\"vf\":0,"
		   "\"netdev\":\"eni10npf0vf0\",\"portName\":\"pf0vf0\",\"agrees\":true},{\"index\":2,\"flavour\":\"pcivf\","
		   "\"pf\":0,\"vf\":1,\"netdev\":\"rep\\u001b[1m\",\"portName\":\"pf0vf7\",\"agrees\":false}]},"
		   "{\"bus\":\"pci\",\"dev\":\"0000:03:00.0\",\"ports\":[]}]}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "netdevsim/netdevsim10  eswitch switchdev\n");
	CHECK_HAS(o.text, "  port 0      physical   eni10np1  port name p0\n");
	CHECK_HAS(o.text, "  port 1      pcivf     pf 0 vf 0    eni10npf0vf0  port name pf0vf0\n");
	CHECK_HAS(o.text, "rep?[1m  port name pf0vf7  (port name disagrees: devlink's tie is used)\n");
	CHECK_HAS(o.text, "pci/0000:03:00.0  eswitch -\n");
	free(o.text);
	o = render(V_DEVLINK, "{\"v\":1,\"ok\":true,\"devlink\":[],\"devlinkError\":\"devlink is not available\"}", false);
	CHECK_STR(o.text, "no devlink instance (devlink is not available)\n");
	free(o.text);
	o = render(V_DEVLINK, "{\"v\":1,\"ok\":true}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	free(o.text);
}

static void test_pf_health(void)
{
	struct out o;

	T_SECTION("pf-health: each PF's link, each finding with its pods");
	findings = 99;
	o = render(V_PF_HEALTH, "{\"v\":1,\"ok\":true,\"pfs\":[{\"pf\":\"0000:01:00.0\",\"netdev\":\"enp1s0\","
		   "\"state\":\"admin_down\",\"link\":{\"state\":\"admin_down\",\"usable\":false,\"carrierChanges\":3},"
		   "\"podVfs\":1},{\"pf\":\"0000:02:00.0\",\"netdev\":\"\",\"state\":\"unknown\",\"podVfs\":0}],"
		   "\"findings\":[{\"kind\":\"pf_down\",\"pf\":\"0000:01:00.0\",\"detail\":\"PF 0000:01:00.0 enp1s0 is admin_down\","
		   "\"pods\":[{\"namespace\":\"team\",\"name\":\"web\\u001b[2J\",\"vf\":\"0000:01:10.0\",\"interface\":\"net1\"},7]}],"
		   "\"counts\":{\"pf_down\":1,\"vf_link_disabled\":0}}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_EQ_INT(findings, 1);
	CHECK_HAS(o.text, "PF 0000:01:00.0  enp1s0          admin_down pod VFs 1  carrier changes 3\n");
	CHECK_HAS(o.text, "PF 0000:02:00.0  -               unknown    pod VFs 0\n");
	CHECK_HAS(o.text, "pf_down          0000:01:00.0  PF 0000:01:00.0 enp1s0 is admin_down\n");
	CHECK_HAS(o.text, "  pod team/web?[2J  VF 0000:01:10.0  net1\n");
	CHECK_HAS(o.text, "1 finding: pods without network\n");
	free(o.text);
	o = render(V_PF_HEALTH, "{\"v\":1,\"ok\":true,\"pfs\":[],\"findings\":[]}", false);
	CHECK_EQ_INT(findings, 0);
	CHECK_STR(o.text, "no PF down under a pod\n");
	free(o.text);
	o = render(V_PF_HEALTH, "{\"v\":1,\"ok\":true,\"pfs\":[]}", false);
	CHECK_EQ_INT(o.r, -EBADMSG);
	free(o.text);

	T_SECTION("the tree marks a down PF, its pods, and a VF forced down");
	o = render(V_PF, "{\"v\":1,\"ok\":true,\"pf\":" PFOBJ("0000:01:00.0", NETDEV("enp1s0", "host"),
		   ",\"link\":{\"state\":\"no_carrier\",\"usable\":false},\"vfs\":["
		   VFOBJ(0, "0000:01:10.0", NETDEV("net1", "/run/netns/a"), ",\"pod\":{\"namespace\":\"team\",\"name\":\"web-a\"}") ","
		   VFOBJ(1, "0000:01:10.2", NETDEV("enp1s0v1", "host"), "") "]") "}", false);
	CHECK_EQ_INT(o.r, 0);
	CHECK_HAS(o.text, "⚠ link no_carrier: 1 pod VF without network\n");
	CHECK_HAS(o.text, "team/web-a  ⚠ no network: PF link no_carrier\n");
	CHECK_HASNT(o.text, "enp1s0v1  host          -  ⚠");
	free(o.text);
	o = render(V_PF, "{\"v\":1,\"ok\":true,\"pf\":" PFOBJ("0000:01:00.0", NETDEV("enp1s0", "host"),
		   ",\"link\":{\"state\":\"up\",\"usable\":true},\"vfs\":["
		   VFOBJ(0, "0000:01:10.0", NETDEV("net1", "/run/netns/a"), ",\"config\":{\"linkState\":\"disable\"},\"pod\":{\"namespace\":\"team\",\"name\":\"web-a\"}") "]") "}", false);
	CHECK_HASNT(o.text, "⚠ link");
	CHECK_HAS(o.text, "⚠ no network: VF link forced disable\n");
	free(o.text);
}

int main(void)
{
	test_pf_health();
	test_topology();
	test_devlink();
	test_config_notes();
	test_vf_pod();
	test_health();
	test_safe_text();
	return t_done();
}

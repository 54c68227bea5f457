/* SPDX-License-Identifier: MIT */
/* result: the CNI result pflink prints, built on prevResult. */
#include "t.h"

#include "result.h"

#define NETNS "/var/run/netns/cni-1234"

static const char *prev_full =
	"{\"cniVersion\":\"1.0.0\","
	"\"interfaces\":[{\"name\":\"net1\",\"mac\":\"aa:bb:cc:dd:ee:01\",\"sandbox\":\"" NETNS "\"}],"
	"\"ips\":[{\"address\":\"10.1.1.5/24\",\"gateway\":\"10.1.1.1\",\"interface\":0}],"
	"\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.1.1\"}],"
	"\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"search\":[\"svc.cluster.local\"]},"
	"\"x-vendor\":{\"k\":[1,2,{\"n\":null}]}}";

static struct vf_info vf;
static struct pf_info pf;

static void setup(void)
{
	memset(&vf, 0, sizeof(vf));
	strcpy(vf.ifname, "net1");
	strcpy(vf.mac, "aa:bb:cc:dd:ee:01");
	strcpy(vf.bdf, "0000:01:10.2");
	strcpy(vf.pf, "0000:01:00.0");
	vf.vf_index = 1;
	memset(&pf, 0, sizeof(pf));
	strcpy(pf.bdf, "0000:01:00.0");
	strcpy(pf.driver, "igb");
	pf.n_netdevs = 1;
	strcpy(pf.netdevs[0].name, "enp1s0f0");
	strcpy(pf.netdevs[0].mac, "00:1b:21:00:00:01");
}

static cJSON *ifs_of(const cJSON *r)
{
	return cJSON_GetObjectItemCaseSensitive(r, "interfaces");
}

static const char *sget(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* How many interface entries are named name (sandbox or not). */
static int count_named(const cJSON *r, const char *name)
{
	const cJSON *i;
	int n = 0;

	cJSON_ArrayForEach(i, ifs_of(r)) {
		const char *s = sget(i, "name");

		n += s && !strcmp(s, name);
	}
	return n;
}

static bool same(const cJSON *a, const cJSON *b)
{
	return a && b && cJSON_Compare(a, b, true);
}

static void test_has_pci_id(void)
{
	T_SECTION("result_has_pci_id");
	CHECK(result_has_pci_id("1.1.0"));
	CHECK(result_has_pci_id("1.2.0"));
	CHECK(!result_has_pci_id("1.0.0"));
	CHECK(!result_has_pci_id("0.4.0"));
	CHECK(!result_has_pci_id("0.3.1"));
	CHECK(!result_has_pci_id("0.3.0"));
	CHECK(!result_has_pci_id(NULL));
	CHECK(!result_has_pci_id(""));
}

static void test_build_full(void)
{
	cJSON *prev = cJSON_Parse(prev_full), *pristine = cJSON_Parse(prev_full), *r, *ifs, *sb, *h;
	static const char *const pass[] = { "ips", "routes", "dns", "x-vendor" };
	unsigned i;

	T_SECTION("result_build 1.1.0");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (!CHECK(cJSON_IsObject(r)))
		goto out;
	CHECK_STR(sget(r, "cniVersion"), "1.1.0");
	ifs = ifs_of(r);
	CHECK_EQ_INT(cJSON_GetArraySize(ifs), 2);
	/* sandbox interface annotated in place (still index 0, which ips refer to) */
	sb = cJSON_GetArrayItem(ifs, 0);
	CHECK_STR(sget(sb, "name"), "net1");
	CHECK_STR(sget(sb, "sandbox"), NETNS);
	CHECK_STR(sget(sb, "mac"), "aa:bb:cc:dd:ee:01");
	CHECK_STR(sget(sb, "pciID"), "0000:01:10.2");
	CHECK_EQ_INT(cJSON_GetArraySize(sb), 4);
	CHECK_EQ_INT(count_named(r, "net1"), 1);
	/* host-side PF entry */
	h = cJSON_GetArrayItem(ifs, 1);
	CHECK_STR(sget(h, "name"), "enp1s0f0");
	CHECK_STR(sget(h, "mac"), "00:1b:21:00:00:01");
	CHECK_STR(sget(h, "pciID"), "0000:01:00.0");
	CHECK(!cJSON_HasObjectItem(h, "sandbox"));
	/* everything else passes through unchanged */
	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		t_check(same(cJSON_GetObjectItemCaseSensitive(r, pass[i]),
			     cJSON_GetObjectItemCaseSensitive(pristine, pass[i])),
			__FILE__, __LINE__, "prevResult's \"%s\" changed", pass[i]);
	CHECK_EQ_INT(cJSON_GetArraySize(r), cJSON_GetArraySize(pristine));
	/* prevResult itself not modified */
	CHECK(same(prev, pristine));

	T_SECTION("result_build is idempotent (re-chained result)");
	{
		cJSON *again = result_build(r, "1.1.0", "net1", NETNS, &vf, &pf);

		CHECK(same(again, r));
		CHECK_EQ_INT(count_named(again, "enp1s0f0"), 1);
		cJSON_Delete(again);
	}

	T_SECTION("result_read / result_has_host_if on a built result");
	{
		struct result_record rec;

		memset(&rec, 0x5a, sizeof(rec));
		CHECK_EQ_INT(result_read(r, "net1", &rec), 0);
		CHECK(rec.has_sandbox_if);
		CHECK_STR(rec.vf_pci, "0000:01:10.2");
		CHECK_STR(rec.vf_mac, "aa:bb:cc:dd:ee:01");
		memset(&rec, 0x5a, sizeof(rec));
		CHECK_EQ_INT(result_read(r, "net2", &rec), 0);
		CHECK(!rec.has_sandbox_if);
		CHECK_STR(rec.vf_pci, "");
		CHECK_STR(rec.vf_mac, "");
		/* the PF is a host interface; net1 is in the sandbox */
		CHECK(result_has_host_if(r, "enp1s0f0"));
		CHECK(!result_has_host_if(r, "net1"));
		CHECK(!result_has_host_if(r, "enp1s0f1"));
		CHECK(!result_has_host_if(prev, "enp1s0f0"));
	}
	cJSON_Delete(r);

	T_SECTION("result_build 1.0.0 / 0.4.0: no pciID");
	{
		static const char *const old[] = { "1.0.0", "0.4.0", "0.3.1", "0.3.0" };

		for (i = 0; i < 4; i++) {
			r = result_build(prev, old[i], "net1", NETNS, &vf, &pf);
			if (!CHECK(r))
				continue;
			CHECK_STR(sget(r, "cniVersion"), old[i]);
			ifs = ifs_of(r);
			CHECK_EQ_INT(cJSON_GetArraySize(ifs), 2);
			sb = cJSON_GetArrayItem(ifs, 0);
			h = cJSON_GetArrayItem(ifs, 1);
			CHECK(!cJSON_HasObjectItem(sb, "pciID"));
			CHECK(!cJSON_HasObjectItem(h, "pciID"));
			CHECK_STR(sget(h, "name"), "enp1s0f0");
			CHECK_STR(sget(h, "mac"), "00:1b:21:00:00:01");
			CHECK(same(cJSON_GetObjectItemCaseSensitive(r, "ips"),
				   cJSON_GetObjectItemCaseSensitive(pristine, "ips")));
			cJSON_Delete(r);
		}
	}
out:
	cJSON_Delete(prev);
	cJSON_Delete(pristine);
}

static void test_build_variants(void)
{
	cJSON *prev, *r, *ifs, *sb;

	T_SECTION("result_build adds a missing sandbox interface");
	prev = cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"" NETNS "\"}],"
			   "\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":0}]}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		ifs = ifs_of(r);
		CHECK_EQ_INT(cJSON_GetArraySize(ifs), 3);
		CHECK(same(cJSON_GetArrayItem(ifs, 0), cJSON_GetArrayItem(ifs_of(prev), 0)));
		sb = cJSON_GetArrayItem(ifs, 1);
		CHECK_STR(sget(sb, "name"), "net1");
		CHECK_STR(sget(sb, "sandbox"), NETNS);
		CHECK_STR(sget(sb, "mac"), "aa:bb:cc:dd:ee:01");
		CHECK_STR(sget(sb, "pciID"), "0000:01:10.2");
		CHECK_STR(sget(cJSON_GetArrayItem(ifs, 2), "name"), "enp1s0f0");
		CHECK_EQ_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "ips"), 0), "interface")), 0);
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);

	/* a host-side entry that happens to be named like ifname is not the
	 * sandbox interface */
	prev = cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"net1\"}]}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		ifs = ifs_of(r);
		CHECK_EQ_INT(cJSON_GetArraySize(ifs), 3);
		CHECK(!cJSON_HasObjectItem(cJSON_GetArrayItem(ifs, 0), "pciID"));
		CHECK_STR(sget(cJSON_GetArrayItem(ifs, 1), "sandbox"), NETNS);
		CHECK_STR(sget(cJSON_GetArrayItem(ifs, 1), "pciID"), "0000:01:10.2");
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);

	T_SECTION("result_build without interfaces / without prev");
	prev = cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"ips\":[]}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		ifs = ifs_of(r);
		CHECK(cJSON_IsArray(ifs));
		CHECK_EQ_INT(cJSON_GetArraySize(ifs), 2);
		CHECK_STR(sget(cJSON_GetArrayItem(ifs, 0), "name"), "net1");
		CHECK(cJSON_IsArray(cJSON_GetObjectItem(r, "ips")));
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);
	r = result_build(NULL, "1.0.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		CHECK_STR(sget(r, "cniVersion"), "1.0.0");
		CHECK_EQ_INT(cJSON_GetArraySize(ifs_of(r)), 2);
		CHECK_STR(sget(cJSON_GetArrayItem(ifs_of(r), 0), "sandbox"), NETNS);
		cJSON_Delete(r);
	}
	/* no PF netdevs known: only the sandbox interface */
	r = result_build(NULL, "1.1.0", "net1", NETNS, &vf, NULL);
	if (CHECK(r)) {
		CHECK_EQ_INT(cJSON_GetArraySize(ifs_of(r)), 1);
		cJSON_Delete(r);
	}

	T_SECTION("result_build: several PF netdevs, each once");
	pf.n_netdevs = 3;
	strcpy(pf.netdevs[1].name, "enp3s0d1");
	strcpy(pf.netdevs[1].mac, "00:1b:21:00:00:02");
	strcpy(pf.netdevs[2].name, "enp1s0f0");	/* listed twice */
	strcpy(pf.netdevs[2].mac, "00:1b:21:00:00:01");
	r = result_build(NULL, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		CHECK_EQ_INT(cJSON_GetArraySize(ifs_of(r)), 3);
		CHECK_EQ_INT(count_named(r, "enp1s0f0"), 1);
		CHECK_EQ_INT(count_named(r, "enp3s0d1"), 1);
		CHECK(result_has_host_if(r, "enp3s0d1"));
		CHECK_STR(sget(cJSON_GetArrayItem(ifs_of(r), 2), "pciID"), "0000:01:00.0");
		cJSON_Delete(r);
	}
	setup();

	T_SECTION("result_build: a PF netdev in another netns is not a host-side interface");
	pf.n_netdevs = 2;
	strcpy(pf.netdevs[1].name, "enp3s0d1");
	strcpy(pf.netdevs[1].netns, "/run/netns/pf-home");
	r = result_build(NULL, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		CHECK_EQ_INT(cJSON_GetArraySize(ifs_of(r)), 2);	/* net1, enp1s0f0 */
		CHECK(result_has_host_if(r, "enp1s0f0"));
		CHECK_EQ_INT(count_named(r, "enp3s0d1"), 0);
		cJSON_Delete(r);
	}
	strcpy(pf.netdevs[0].netns, "pid:4242");
	r = result_build(NULL, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		CHECK_EQ_INT(cJSON_GetArraySize(ifs_of(r)), 1);	/* net1 alone */
		CHECK_STR(sget(cJSON_GetArrayItem(ifs_of(r), 0), "name"), "net1");
		cJSON_Delete(r);
	}
	setup();

	T_SECTION("result_build: PF already in prevResult");
	/* a prevResult (e.g. a 1.0.0 result re-versioned, or a second pflink
	 * in the chain) that lists the PF already: annotated, not duplicated */
	prev = cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"interfaces\":["
			   "{\"name\":\"net1\",\"sandbox\":\"" NETNS "\"},"
			   "{\"name\":\"enp1s0f0\",\"x\":1}]}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		cJSON *h = cJSON_GetArrayItem(ifs_of(r), 1);

		CHECK_EQ_INT(cJSON_GetArraySize(ifs_of(r)), 2);
		CHECK_EQ_INT(count_named(r, "enp1s0f0"), 1);
		CHECK_STR(sget(h, "pciID"), "0000:01:00.0");
		CHECK_STR(sget(h, "mac"), "00:1b:21:00:00:01");
		CHECK_EQ_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(h, "x")), 1);
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);

	T_SECTION("result_build: stale pciID on the sandbox interface replaced");
	prev = cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"interfaces\":["
			   "{\"name\":\"net1\",\"sandbox\":\"" NETNS "\",\"pciID\":\"0000:99:00.0\"}]}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		CHECK_STR(sget(cJSON_GetArrayItem(ifs_of(r), 0), "pciID"), "0000:01:10.2");
		CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetArrayItem(ifs_of(r), 0)), 3);
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);

	/* "cniVersion" replaced, not duplicated */
	prev = cJSON_Parse("{\"cniVersion\":\"0.4.0\"}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		cJSON *it;
		int n = 0;

		cJSON_ArrayForEach(it, r)
			n += !strcmp(it->string, "cniVersion");
		CHECK_EQ_INT(n, 1);
		CHECK_STR(sget(r, "cniVersion"), "1.1.0");
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);
}

/* How many members of o are called key (cJSON keeps duplicates). */
static int count_key(const cJSON *o, const char *key)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, o)
		n += it->string && !strcmp(it->string, key);
	return n;
}

/* A prevResult with a repeated key: pflink (cJSON) reads the first one,
 * Go's encoding/json (libcni, the runtime) the last.  The result must come
 * out with one "interfaces" array that holds what pflink added.  CORE BUG
 * (also in the fuzz corpus as crash-prev-dup-interfaces.json): result.c
 * replaces the first, non-array "interfaces" by a new array appended at the
 * end, and then keeps reading the second one, so the output has two
 * "interfaces" keys and the PF entry is not where result_has_host_if()
 * (or libcni) looks. */
/* The netns of NETNS spelt as a previous plugin might: a /proc path. */
static bool same_as_proc(const char *sandbox, void *arg)
{
	(*(unsigned *)arg)++;
	return !strcmp(sandbox, "/proc/4242/ns/net");
}

static void test_build_same_netns(void)
{
	cJSON *prev, *r, *ifs, *sb;
	unsigned asked = 0;

	T_SECTION("result_build_in: the sandbox interface by the netns' identity, not its spelling");
	prev = cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"net1\",\"sandbox\":\"/proc/4242/ns/net\","
			   "\"mac\":\"aa:bb:cc:dd:ee:01\"}],\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":0}]}");
	r = result_build_in(prev, "1.1.0", "net1", NETNS, same_as_proc, &asked, &vf, &pf);
	if (CHECK(r)) {
		ifs = ifs_of(r);
		CHECK_EQ_INT(cJSON_GetArraySize(ifs), 2);	/* net1 once, the PF */
		sb = cJSON_GetArrayItem(ifs, 0);
		CHECK_STR(sget(sb, "sandbox"), "/proc/4242/ns/net");	/* as the plugin before wrote it */
		CHECK_STR(sget(sb, "pciID"), "0000:01:10.2");
		CHECK(asked >= 1);
		cJSON_Delete(r);
	}
	/* Another netns (same() says no): a second net1, in NETNS. */
	asked = 0;
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(ifs_of(prev), 0), "sandbox", cJSON_CreateString("/proc/1/ns/net"));
	r = result_build_in(prev, "1.1.0", "net1", NETNS, same_as_proc, &asked, &vf, &pf);
	if (CHECK(r)) {
		ifs = ifs_of(r);
		CHECK_EQ_INT(cJSON_GetArraySize(ifs), 3);
		CHECK(!cJSON_HasObjectItem(cJSON_GetArrayItem(ifs, 0), "pciID"));
		CHECK_STR(sget(cJSON_GetArrayItem(ifs, 1), "sandbox"), NETNS);
		CHECK(asked >= 1);
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);
}

static void test_dup_keys(void)
{
	cJSON *prev, *r;

	T_SECTION("result_build: duplicate keys in prevResult");
	prev = cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"interfaces\":0,\"interfaces\":[]}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		CHECK_EQ_INT(count_key(r, "interfaces"), 1);
		CHECK(result_has_host_if(r, "enp1s0f0"));
		CHECK_EQ_INT(count_key(r, "cniVersion"), 1);
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);
	/* same with "cniVersion": set_str() replaces the first, the second
	 * (the one Go reads) survives */
	prev = cJSON_Parse("{\"cniVersion\":\"1.0.0\",\"cniVersion\":\"0.4.0\",\"interfaces\":[]}");
	r = result_build(prev, "1.1.0", "net1", NETNS, &vf, &pf);
	if (CHECK(r)) {
		CHECK_EQ_INT(count_key(r, "cniVersion"), 1);
		cJSON_Delete(r);
	}
	cJSON_Delete(prev);
}

static void test_read(void)
{
	struct result_record rec;
	cJSON *p;

	T_SECTION("result_read");
	p = cJSON_Parse("{\"interfaces\":[{\"name\":\"net1\",\"sandbox\":\"/x\",\"pciID\":\"0000:0A:10.2\",\"mac\":\"02:00:00:00:00:01\"}]}");
	CHECK_EQ_INT(result_read(p, "net1", &rec), 0);
	CHECK(rec.has_sandbox_if);
	CHECK_STR(rec.vf_pci, "0000:0a:10.2");	/* canonical */
	CHECK_STR(rec.vf_mac, "02:00:00:00:00:01");
	cJSON_Delete(p);
	/* sandbox interface without pciID (a 1.0.0 result) */
	p = cJSON_Parse("{\"interfaces\":[{\"name\":\"net1\",\"sandbox\":\"/x\"}]}");
	CHECK_EQ_INT(result_read(p, "net1", &rec), 0);
	CHECK(rec.has_sandbox_if);
	CHECK_STR(rec.vf_pci, "");
	cJSON_Delete(p);
	/* a host-side net1 is not the sandbox interface */
	p = cJSON_Parse("{\"interfaces\":[{\"name\":\"net1\",\"pciID\":\"0000:01:10.2\"}]}");
	CHECK_EQ_INT(result_read(p, "net1", &rec), 0);
	CHECK(!rec.has_sandbox_if);
	CHECK_STR(rec.vf_pci, "");
	cJSON_Delete(p);
	/* a pciID that is not a BDF */
	p = cJSON_Parse("{\"interfaces\":[{\"name\":\"net1\",\"sandbox\":\"/x\",\"pciID\":\"../../etc\"}]}");
	memset(&rec, 0x5a, sizeof(rec));
	CHECK_EQ_INT(result_read(p, "net1", &rec), -EINVAL);
	CHECK_EQ_INT((unsigned char)rec.vf_pci[0], 0x5a);
	cJSON_Delete(p);
	/* nothing at all */
	CHECK_EQ_INT(result_read(NULL, "net1", &rec), 0);
	CHECK(!rec.has_sandbox_if);
	p = cJSON_Parse("{\"interfaces\":\"bogus\"}");
	CHECK_EQ_INT(result_read(p, "net1", &rec), 0);
	CHECK(!rec.has_sandbox_if);
	CHECK(!result_has_host_if(p, "bogus"));
	cJSON_Delete(p);

	T_SECTION("result_has_host_if");
	p = cJSON_Parse("{\"interfaces\":[{\"name\":\"a\"},{\"name\":\"b\",\"sandbox\":\"\"},"
			"{\"name\":\"c\",\"sandbox\":\"/x\"},\"junk\",{\"name\":5}]}");
	CHECK(result_has_host_if(p, "a"));
	CHECK(result_has_host_if(p, "b"));	/* empty sandbox = host */
	CHECK(!result_has_host_if(p, "c"));
	CHECK(!result_has_host_if(p, "junk"));
	CHECK(!result_has_host_if(p, "d"));
	CHECK(!result_has_host_if(NULL, "a"));
	cJSON_Delete(p);
}

int main(void)
{
	setup();
	test_has_pci_id();
	test_build_full();
	test_build_variants();
	test_build_same_netns();
	test_dup_keys();
	test_read();
	return t_done();
}

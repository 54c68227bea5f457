/* SPDX-License-Identifier: MIT */
/* devinfo: NPWG device-info 1.1.0 (type pci) documents and files. */
#include "t.h"

#include "devinfo.h"

#include <cjson/cJSON.h>
#include <sys/stat.h>

#define VF "0000:01:10.2"
#define PF "0000:01:00.0"

static const char *sget(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Merge and parse the result back; NULL when the merge failed (r set). */
static cJSON *merge(const char *existing, const char *rep, int *r)
{
	char *out = NULL;
	cJSON *doc;

	*r = devinfo_merge(existing, existing ? strlen(existing) : 0, VF, PF, rep, &out);
	if (*r < 0)
		return NULL;
	doc = cJSON_Parse(out);
	free(out);
	return doc;
}

static void bad_merge(const char *existing, size_t len, int want, int line)
{
	char *out = (char *)"untouched";
	int r = devinfo_merge(existing, len, VF, PF, NULL, &out);

	t_check(r == want, __FILE__, line, "devinfo_merge(%.60s) = %d, want %d", existing, r, want);
	t_check(!strcmp(out, "untouched"), __FILE__, line, "devinfo_merge(%.60s) wrote *out on failure", existing);
	if (r == 0)
		free(out);
}

static void test_merge(void)
{
	cJSON *d, *pci;
	int r;

	T_SECTION("devinfo_merge new document");
	d = merge(NULL, NULL, &r);
	CHECK_EQ_INT(r, 0);
	CHECK_STR(sget(d, "type"), "pci");
	CHECK_STR(sget(d, "version"), "1.1.0");
	pci = cJSON_GetObjectItemCaseSensitive(d, "pci");
	CHECK(cJSON_IsObject(pci));
	CHECK_STR(sget(pci, "pci-address"), VF);
	CHECK_STR(sget(pci, "pf-pci-address"), PF);
	CHECK(!cJSON_HasObjectItem(pci, "representor-device"));
	CHECK_EQ_INT(cJSON_GetArraySize(d), 3);
	CHECK_EQ_INT(cJSON_GetArraySize(pci), 2);
	cJSON_Delete(d);
	/* empty representor: absent too */
	d = merge(NULL, "", &r);
	CHECK_EQ_INT(r, 0);
	CHECK(!cJSON_HasObjectItem(cJSON_GetObjectItem(d, "pci"), "representor-device"));
	cJSON_Delete(d);
	d = merge(NULL, "eth5", &r);
	CHECK_EQ_INT(r, 0);
	CHECK_STR(sget(cJSON_GetObjectItem(d, "pci"), "representor-device"), "eth5");
	CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(d, "pci")), 3);
	cJSON_Delete(d);

	T_SECTION("devinfo_merge into the device plugin's document");
	d = merge("{\"type\":\"pci\",\"version\":\"1.0.0\",\"pci\":{\"pci-address\":\"" VF "\","
		  "\"rdma-device\":\"mlx5_0\",\"vhost-net\":null},\"extra\":{\"a\":[1,2]},\"x\":\"y\"}",
		  "pf0vf1", &r);
	CHECK_EQ_INT(r, 0);
	CHECK_STR(sget(d, "type"), "pci");
	CHECK_STR(sget(d, "version"), "1.1.0");
	CHECK_STR(sget(d, "x"), "y");
	{
		cJSON *want = cJSON_Parse("{\"a\":[1,2]}");

		CHECK(cJSON_Compare(cJSON_GetObjectItem(d, "extra"), want, true));
		cJSON_Delete(want);
	}
	pci = cJSON_GetObjectItemCaseSensitive(d, "pci");
	CHECK_STR(sget(pci, "pci-address"), VF);
	CHECK_STR(sget(pci, "pf-pci-address"), PF);
	CHECK_STR(sget(pci, "rdma-device"), "mlx5_0");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(pci, "vhost-net")));
	CHECK_STR(sget(pci, "representor-device"), "pf0vf1");
	CHECK_EQ_INT(cJSON_GetArraySize(d), 5);
	CHECK_EQ_INT(cJSON_GetArraySize(pci), 5);
	cJSON_Delete(d);

	/* no type, no pci object: both added */
	d = merge("{\"version\":\"1.0.0\"}", NULL, &r);
	CHECK_EQ_INT(r, 0);
	CHECK_STR(sget(d, "type"), "pci");
	CHECK_STR(sget(d, "version"), "1.1.0");
	CHECK_STR(sget(cJSON_GetObjectItem(d, "pci"), "pci-address"), VF);
	cJSON_Delete(d);
	/* the device plugin says another PF than sysfs: refused, as another VF is */
	d = merge("{\"type\":\"pci\",\"pci\":{\"pf-pci-address\":\"0000:99:00.0\"}}", NULL, &r);
	CHECK_EQ_INT(r, -EXDEV);
	CHECK(d == NULL);
	cJSON_Delete(d);
	d = merge("{\"type\":\"pci\",\"pci\":{\"pf-pci-address\":\"" PF "\"}}", NULL, &r);
	CHECK_EQ_INT(r, 0);
	CHECK_STR(sget(cJSON_GetObjectItem(d, "pci"), "pf-pci-address"), PF);
	cJSON_Delete(d);

	T_SECTION("devinfo_addresses");
	{
		char v[PCI_BDF_LEN], p[PCI_BDF_LEN];
		const char *doc = "{\"type\":\"pci\",\"pci\":{\"pci-address\":\"0000:0B:10.0\",\"pf-pci-address\":\"0000:0b:00.0\"}}";

		CHECK_EQ_INT(devinfo_addresses(doc, strlen(doc), v, p), 0);
		CHECK_STR(v, "0000:0b:10.0");
		CHECK_STR(p, "0000:0b:00.0");
		doc = "{\"type\":\"pci\",\"pci\":{}}";
		CHECK_EQ_INT(devinfo_addresses(doc, strlen(doc), v, p), 0);
		CHECK_STR(v, "");
		CHECK_STR(p, "");
		doc = "{\"pci\":{\"pci-address\":\"../x\"}}";
		CHECK_EQ_INT(devinfo_addresses(doc, strlen(doc), v, p), -EBADMSG);
		doc = "{\"pci\":{\"pci-address\":5}}";
		CHECK_EQ_INT(devinfo_addresses(doc, strlen(doc), v, p), -EBADMSG);
		doc = "{\"type\":\"vdpa\"}";
		CHECK_EQ_INT(devinfo_addresses(doc, strlen(doc), v, p), -EINVAL);
		doc = "[1]";
		CHECK_EQ_INT(devinfo_addresses(doc, strlen(doc), v, p), -EINVAL);
		doc = "{\"type\":\"pci\"} x";
		CHECK_EQ_INT(devinfo_addresses(doc, strlen(doc), v, p), -EINVAL);
	}
	/* the same VF spelt in upper case is the same VF */
	{
		char *out = NULL;

		CHECK_EQ_INT(devinfo_merge("{\"pci\":{\"pci-address\":\"0000:0A:10.2\"}}",
					   strlen("{\"pci\":{\"pci-address\":\"0000:0A:10.2\"}}"),
					   "0000:0a:10.2", PF, NULL, &out), 0);
		free(out);
	}
	/* empty existing buffer: a new document */
	d = merge("", NULL, &r);
	CHECK_EQ_INT(r, 0);
	CHECK_STR(sget(d, "type"), "pci");
	cJSON_Delete(d);

	T_SECTION("devinfo_merge refusals");
#define BADM(s, want) bad_merge((s), strlen(s), (want), __LINE__)
	BADM("{\"type\":\"pci\",\"pci\":{\"pci-address\":\"0000:01:10.4\"}}", -EEXIST);
	BADM("{\"pci\":{\"pci-address\":\"0000:02:10.2\"}}", -EEXIST);
	BADM("[]", -EINVAL);
	BADM("\"pci\"", -EINVAL);
	BADM("42", -EINVAL);
	BADM("null", -EINVAL);
	BADM("{", -EINVAL);
	BADM("not json", -EINVAL);
	BADM("{\"type\":\"vdpa\",\"vdpa\":{\"parent-device\":\"vdpa:0000:65:00.3\"}}", -EINVAL);
	BADM("{\"type\":\"PCI\"}", -EINVAL);
	BADM("{\"type\":5}", -EINVAL);
	BADM("{\"type\":null}", -EINVAL);
	BADM("{\"type\":\"pci\",\"pci\":\"0000:01:10.2\"}", -EINVAL);
	BADM("{\"type\":\"pci\",\"pci\":[]}", -EINVAL);
	BADM("{\"type\":\"pci\",\"pci\":null}", -EINVAL);
	{
		static const char nul[] = "{\"type\":\"pci\"}\0";
		char *big = malloc(DEVINFO_MAX + 2);

		bad_merge(nul, sizeof(nul) - 1, -EINVAL, __LINE__);
		if (CHECK(big)) {
			size_t n;

			strcpy(big, "{\"type\":\"pci\",\"pad\":\"");
			n = strlen(big);
			memset(big + n, 'p', DEVINFO_MAX + 1 - n - 2);
			memcpy(big + DEVINFO_MAX - 1, "\"}", 3);
			CHECK_EQ_INT(strlen(big), DEVINFO_MAX + 1);
			bad_merge(big, DEVINFO_MAX + 1, -EINVAL, __LINE__);
			free(big);
		}
	}
}

static void test_update(void)
{
	char *tmp = t_mkdtemp(), path[4096], *s;
	cJSON *d, *pci;
	struct devinfo_undo u = { .existed = true, .old = NULL, .len = 42 };
	struct stat st;

	umask(022);
	T_SECTION("devinfo_update creates the file (and its directories)");
	snprintf(path, sizeof(path), "%s/devinfo/cni/net-cid_net1-device-info.json", tmp);
	CHECK_EQ_INT(devinfo_update(path, VF, PF, "", &u), 0);
	CHECK(!u.existed);
	devinfo_undo_free(&u);
	s = t_slurp(path, NULL);
	d = cJSON_Parse(s);
	free(s);
	CHECK_STR(sget(d, "type"), "pci");
	CHECK_STR(sget(d, "version"), "1.1.0");
	pci = cJSON_GetObjectItem(d, "pci");
	CHECK_STR(sget(pci, "pci-address"), VF);
	CHECK_STR(sget(pci, "pf-pci-address"), PF);
	CHECK(!cJSON_HasObjectItem(pci, "representor-device"));
	cJSON_Delete(d);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0644);

	T_SECTION("devinfo_update a second time");
	CHECK_EQ_INT(devinfo_update(path, VF, PF, "pf0vf1", &u), 0);
	CHECK(u.existed && u.old && u.len);
	devinfo_undo_free(&u);
	s = t_slurp(path, NULL);
	d = cJSON_Parse(s);
	free(s);
	CHECK_STR(sget(cJSON_GetObjectItem(d, "pci"), "representor-device"), "pf0vf1");
	CHECK_STR(sget(cJSON_GetObjectItem(d, "pci"), "pci-address"), VF);
	cJSON_Delete(d);

	T_SECTION("devinfo_update merges a device plugin's file");
	snprintf(path, sizeof(path), "%s/dp.json", tmp);
	s = (char *)"{\"type\":\"pci\",\"version\":\"1.0.0\",\"pci\":{\"pci-address\":\"" VF "\",\"rdma-device\":\"mlx5_3\"}}";
	t_write(path, s, strlen(s));
	CHECK_EQ_INT(devinfo_update(path, VF, PF, NULL, &u), 0);
	CHECK(u.existed);
	s = t_slurp(path, NULL);
	d = cJSON_Parse(s);
	free(s);
	CHECK_STR(sget(d, "version"), "1.1.0");
	CHECK_STR(sget(cJSON_GetObjectItem(d, "pci"), "rdma-device"), "mlx5_3");
	CHECK_STR(sget(cJSON_GetObjectItem(d, "pci"), "pf-pci-address"), PF);
	cJSON_Delete(d);

	T_SECTION("devinfo_undo puts the device plugin's file back byte for byte");
	CHECK_EQ_INT(devinfo_undo(path, &u), 0);
	CHECK(u.old == NULL);
	s = t_slurp(path, NULL);
	CHECK_STR(s, "{\"type\":\"pci\",\"version\":\"1.0.0\",\"pci\":{\"pci-address\":\"" VF "\",\"rdma-device\":\"mlx5_3\"}}");
	free(s);
	CHECK_EQ_INT(devinfo_update(path, VF, PF, NULL, &u), 0);
	devinfo_undo_free(&u);

	T_SECTION("devinfo_undo removes a file the update made");
	{
		char made[4096];

		snprintf(made, sizeof(made), "%s/made-by-add.json", tmp);
		CHECK_EQ_INT(devinfo_update(made, VF, PF, NULL, &u), 0);
		CHECK_EQ_INT(access(made, F_OK), 0);
		CHECK_EQ_INT(devinfo_undo(made, &u), 0);
		CHECK(access(made, F_OK) < 0 && errno == ENOENT);
	}

	T_SECTION("devinfo_update refuses another VF's file, leaves it alone");
	{
		char *before = t_slurp(path, NULL), *after;

		CHECK_EQ_INT(devinfo_update(path, "0000:01:10.4", PF, NULL, &u), -EEXIST);
		after = t_slurp(path, NULL);
		CHECK(before && after && !strcmp(before, after));
		free(before);
		free(after);
	}
	snprintf(path, sizeof(path), "%s/vdpa.json", tmp);
	s = (char *)"{\"type\":\"vdpa\"}";
	t_write(path, s, strlen(s));
	CHECK_EQ_INT(devinfo_update(path, VF, PF, NULL, &u), -EINVAL);
	s = t_slurp(path, NULL);
	CHECK_STR(s, "{\"type\":\"vdpa\"}");
	free(s);
	/* DESIGN.md convention 3: outputs written only on success. */
	T_SECTION("devinfo_update leaves *undo alone on failure");
	u = (struct devinfo_undo){ .existed = true, .old = NULL, .len = 42 };
	CHECK_EQ_INT(devinfo_update(path, VF, PF, NULL, &u), -EINVAL);
	CHECK(u.existed && !u.old && u.len == 42);

	t_rmrf(tmp);
	free(tmp);
}

static void test_default_path(void)
{
	char out[512];

	T_SECTION("devinfo_default_path");
	CHECK_EQ_INT(devinfo_default_path("/var/run/k8s.cni.cncf.io/devinfo/cni", "sriov-net",
					  "0123abcdef", "net1", out, sizeof(out)), 0);
	CHECK_STR(out, "/var/run/k8s.cni.cncf.io/devinfo/cni/sriov-net-0123abcdef_net1-device-info.json");
	/* unsafe network-name bytes become %XX (one-to-one: "a/b" and
	 * "a-b" are two networks, and two files) */
	CHECK_EQ_INT(devinfo_default_path("/d", "ns/my net", "c1", "net1", out, sizeof(out)), 0);
	CHECK_STR(out, "/d/ns%2Fmy%20net-c1_net1-device-info.json");
	CHECK_EQ_INT(devinfo_default_path("/d", "../../etc/x", "c1", "net1", out, sizeof(out)), 0);
	CHECK_STR(out, "/d/..%2F..%2Fetc%2Fx-c1_net1-device-info.json");
	CHECK(!strchr(out + 3, '/'));
	CHECK_EQ_INT(devinfo_default_path("/d", "caf\xc3\xa9", "c1", "net1", out, sizeof(out)), 0);
	CHECK_STR(out, "/d/caf%C3%A9-c1_net1-device-info.json");
	CHECK_EQ_INT(devinfo_default_path("/d", "100%", "c1", "net1", out, sizeof(out)), 0);
	CHECK_STR(out, "/d/100%25-c1_net1-device-info.json");

	T_SECTION("devinfo_default_path: no two attachments share a file");
	{
		static const char *const att[][3] = {
			{ "n", "a_b", "c" }, { "n", "a", "b_c" },	/* the '_' of the ID or the ifname */
			{ "a-b", "c", "d" }, { "a", "b-c", "d" },	/* the '-' of the network or the ID */
			{ "n-a", "b_c", "d" }, { "n", "a-b", "c_d" }, { "n", "a-b_c", "d" },
			{ "n_a", "b", "c" }, { "n", "a%5Fb", "c" },
		};
		char names[sizeof(att) / sizeof(att[0])][512];
		size_t i, j;

		for (i = 0; i < sizeof(att) / sizeof(att[0]); i++)
			if (devinfo_default_path("/d", att[i][0], att[i][1], att[i][2], names[i],
						 sizeof(names[i])) < 0)
				snprintf(names[i], sizeof(names[i]), "(refused %zu)", i);
		for (i = 0; i < sizeof(att) / sizeof(att[0]); i++)
			for (j = i + 1; j < sizeof(att) / sizeof(att[0]); j++)
				t_check(strcmp(names[i], names[j]) != 0, __FILE__, __LINE__,
					"(%s, %s, %s) and (%s, %s, %s) share %s", att[i][0], att[i][1],
					att[i][2], att[j][0], att[j][1], att[j][2], names[i]);
		CHECK_STR(names[0], "/d/n-a%5Fb_c-device-info.json");
		CHECK_STR(names[1], "/d/n-a_b%5Fc-device-info.json");
		CHECK_STR(names[3], "/d/a-b%2Dc_d-device-info.json");
	}
	/* The container ID must be safe (the CNI spec's characters), the
	 * ifname a name the kernel takes, its unsafe bytes escaped. */
	strcpy(out, "untouched");
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "../x", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "a/b", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "..", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "c1", "../x", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "c1", "", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "c1", "0123456789abcdef", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "c1", "a:b", out, sizeof(out)), -EINVAL);
	CHECK_STR(out, "untouched");
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "c1", "n@2", out, sizeof(out)), 0);
	CHECK_STR(out, "/d/n-c1_n%402-device-info.json");
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "c1", "0123456789abcde", out, sizeof(out)), 0);
	CHECK_STR(out, "/d/n-c1_0123456789abcde-device-info.json");
	/* does not fit */
	CHECK_EQ_INT(devinfo_default_path("/d", "n", "c1", "net1", out, 10), -ENAMETOOLONG);
	{
		char lng[300];

		memset(lng, 'n', sizeof(lng) - 1);
		lng[sizeof(lng) - 1] = '\0';
		CHECK_EQ_INT(devinfo_default_path("/d", lng, "c1", "net1", out, sizeof(out)), -ENAMETOOLONG);
	}
}

int main(void)
{
	test_merge();
	test_update();
	test_default_path();
	return t_done();
}

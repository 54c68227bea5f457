/* SPDX-License-Identifier: MIT */
/* state: per-attachment JSON records and their files. */
#include "t.h"

#include "pflink/record.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <sys/stat.h>

static void fill(struct pf_record *s, const char *cid, const char *ifname)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->network, "sriov-net");
	strcpy(s->container_id, cid);
	strcpy(s->ifname, ifname);
	strcpy(s->netns, "/var/run/netns/cni-5e1f");
	strcpy(s->cni_version, "1.1.0");
	strcpy(s->vf, "0000:01:10.6");
	strcpy(s->vf_mac, "02:11:22:33:44:55");
	strcpy(s->vf_driver, "igbvf");
	s->vf_index = 3;
	s->vf_numa_node = 1;
	strcpy(s->pf, "0000:01:00.0");
	strcpy(s->pf_netdev, "enp1s0f0");
	strcpy(s->pf_mac, "00:1b:21:aa:bb:cc");
	strcpy(s->pf_netns, "/run/netns/infra");
	strcpy(s->representor, "pf0vf3");
	strcpy(s->pod_namespace, "default");
	strcpy(s->pod_name, "web-0");
	strcpy(s->pod_uid, "0d6f0c4e-1111-2222-3333-444455556666");
	strcpy(s->devinfo_path, "/var/run/k8s.cni.cncf.io/devinfo/cni/sriov-net-abc_net1-device-info.json");
	s->devinfo_created = true;
	s->created = 1732353980;
}

static bool state_eq(const struct pf_record *a, const struct pf_record *b)
{
#define F(x) (!strcmp(a->x, b->x))
	return F(network) && F(container_id) && F(ifname) && F(netns) && F(cni_version) &&
	       F(vf) && F(vf_mac) && F(vf_driver) && a->vf_index == b->vf_index &&
	       a->vf_numa_node == b->vf_numa_node && F(pf) &&
	       F(pf_netdev) && F(pf_mac) && F(pf_netns) && F(representor) &&
	       F(pod_namespace) && F(pod_name) && F(pod_uid) && F(devinfo_path) &&
	       a->devinfo_created == b->devinfo_created && a->created == b->created;
#undef F
}

/* record_to_json, then edit the tree, then record_from_json. */
static int from_edited(const struct pf_record *s, void (*edit)(cJSON *o, const void *arg),
		       const void *arg, struct pf_record *out)
{
	char *j = record_to_json(s), *j2;
	cJSON *o = cJSON_Parse(j);
	int r;

	free(j);
	edit(o, arg);
	j2 = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	r = record_from_json(j2, strlen(j2), out);
	free(j2);
	return r;
}

static void del_key(cJSON *o, const void *k)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
}

struct kv { const char *k; const char *json; };
static void set_key(cJSON *o, const void *arg)
{
	const struct kv *kv = arg;

	cJSON_DeleteItemFromObjectCaseSensitive(o, kv->k);
	cJSON_AddItemToObject(o, kv->k, cJSON_Parse(kv->json));
}

static void test_json(void)
{
	struct pf_record s, t;
	char *j;
	cJSON *o;

	T_SECTION("record_to_json / record_from_json round trip");
	fill(&s, "0123456789abcdef", "net1");
	j = record_to_json(&s);
	if (!CHECK(j))
		return;
	o = cJSON_Parse(j);
	CHECK(cJSON_IsObject(o));
	CHECK_EQ_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "version")), 1);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "vfPciAddress")), "0000:01:10.6");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "containerID")), "0123456789abcdef");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(o, "deviceInfoCreated")));
	cJSON_Delete(o);
	memset(&t, 0x5a, sizeof(t));
	CHECK_EQ_INT(record_from_json(j, strlen(j), &t), 0);
	CHECK(state_eq(&s, &t));
	free(j);

	/* other values: vf_index -1, devinfo_created false, empty optionals,
	 * maximum-length strings */
	fill(&s, "c", "eth0");
	s.vf_index = -1;
	s.devinfo_created = false;
	s.created = 0;
	s.representor[0] = s.pf_netns[0] = s.pod_uid[0] = '\0';
	memset(s.netns, 'n', sizeof(s.netns) - 1);
	s.netns[0] = '/';
	s.netns[sizeof(s.netns) - 1] = '\0';
	memset(s.container_id, 'c', 255);
	s.container_id[255] = '\0';
	strcpy(s.ifname, "123456789012345");
	j = record_to_json(&s);
	memset(&t, 0x5a, sizeof(t));
	CHECK_EQ_INT(record_from_json(j, strlen(j), &t), 0);
	CHECK(state_eq(&s, &t));
	CHECK_EQ_INT(t.vf_index, -1);
	CHECK(!t.devinfo_created);
	free(j);

	/* BDFs come back canonical */
	fill(&s, "c", "net1");
	strcpy(s.vf, "0000:0A:10.6");
	j = record_to_json(&s);
	CHECK_EQ_INT(record_from_json(j, strlen(j), &t), 0);
	CHECK_STR(t.vf, "0000:0a:10.6");
	free(j);

	T_SECTION("record_from_json: optional keys absent");
	fill(&s, "c", "net1");
	{
		static const char *const opt[] = { "network", "vfMac", "representor", "podName", "vfIndex", "vfNumaNode",
						   "deviceInfoCreated", "created", "deviceInfoFile" };
		unsigned i;

		for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
			t_check(from_edited(&s, del_key, opt[i], &t) == 0, __FILE__, __LINE__,
				"state without \"%s\" refused", opt[i]);
		CHECK_EQ_INT(from_edited(&s, del_key, "vfIndex", &t), 0);
		CHECK_EQ_INT(t.vf_index, -1);
		/* A record pflink wrote before it knew the VF's NUMA node. */
		CHECK_EQ_INT(from_edited(&s, del_key, "vfNumaNode", &t), 0);
		CHECK_EQ_INT(t.vf_numa_node, -1);
		CHECK_EQ_INT(from_edited(&s, del_key, "deviceInfoCreated", &t), 0);
		CHECK(!t.devinfo_created);
	}

	T_SECTION("record_from_json rejects");
	memset(&t, 0x5a, sizeof(t));
	CHECK_EQ_INT(from_edited(&s, del_key, "containerID", &t), -EINVAL);
	CHECK_EQ_INT(from_edited(&s, del_key, "ifName", &t), -EINVAL);
	CHECK_EQ_INT(from_edited(&s, del_key, "vfPciAddress", &t), -EINVAL);
	CHECK_EQ_INT(from_edited(&s, del_key, "pfPciAddress", &t), -EINVAL);
	CHECK_EQ_INT(from_edited(&s, del_key, "version", &t), -EINVAL);
	{
		static const struct kv bad[] = {
			{ "containerID", "\"\"" }, { "ifName", "\"\"" }, { "containerID", "7" },
			{ "vfPciAddress", "\"usb-1.2\"" }, { "vfPciAddress", "\"../../etc\"" },
			{ "pfPciAddress", "\"0000:01:00.8\"" }, { "pfPciAddress", "\"\"" },
			{ "version", "2" }, { "version", "0" }, { "version", "\"1\"" }, { "version", "1.5" },
			{ "network", "[]" }, { "podName", "null" },
			{ "ifName", "\"0123456789abcdef\"" },	/* 16 > IF_NAMESIZE - 1 */
			{ "cniVersion", "\"0123456789abcdef\"" },	/* does not fit 16 */
		};
		unsigned i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			t_check(from_edited(&s, set_key, &bad[i], &t) == -EINVAL, __FILE__, __LINE__,
				"state with %s = %s accepted", bad[i].k, bad[i].json);
	}
	CHECK_EQ_INT((unsigned char)t.container_id[0], 0x5a);	/* untouched */
	{
		static const char *const junk[] = { "", "{", "[]", "null", "\"x\"", "{\"version\":1}" };
		static const char nul[] = "{\"version\":1}\0";
		unsigned i;

		for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
			t_check(record_from_json(junk[i], strlen(junk[i]), &t) == -EINVAL, __FILE__,
				__LINE__, "state \"%s\" accepted", junk[i]);
		CHECK_EQ_INT(record_from_json(nul, sizeof(nul) - 1, &t), -EINVAL);
		/* a valid record with a NUL behind it */
		j = record_to_json(&s);
		{
			size_t n = strlen(j);
			char *k = malloc(n + 2);

			memcpy(k, j, n + 1);
			k[n + 1] = 'x';
			CHECK_EQ_INT(record_from_json(k, n + 2, &t), -EINVAL);
			CHECK_EQ_INT(record_from_json(k, n, &t), 0);
			free(k);
		}
		free(j);
	}
	/* over RECORD_MAX: padding a valid record */
	{
		char *big = malloc(RECORD_MAX + 64), *j0 = record_to_json(&s);
		size_t n = strlen(j0);

		memcpy(big, j0, n);
		memset(big + n, ' ', RECORD_MAX + 1 - n);	/* trailing whitespace only */
		CHECK_EQ_INT(record_from_json(big, RECORD_MAX + 1, &t), -EINVAL);
		CHECK_EQ_INT(record_from_json(big, RECORD_MAX, &t), 0);
		free(big);
		free(j0);
	}
	/* out-of-range numbers fall back to defaults, not garbage */
	{
		static const struct kv idx = { "vfIndex", "1e12" }, neg = { "created", "-5" };

		CHECK_EQ_INT(from_edited(&s, set_key, &idx, &t), 0);
		CHECK_EQ_INT(t.vf_index, -1);
		/* A record pflink wrote before it knew the VF's NUMA node. */
		CHECK_EQ_INT(from_edited(&s, del_key, "vfNumaNode", &t), 0);
		CHECK_EQ_INT(t.vf_numa_node, -1);
		CHECK_EQ_INT(from_edited(&s, set_key, &neg, &t), 0);
		CHECK_EQ_INT(t.created, 0);
	}
}

static void test_file_name(void)
{
	char out[512], lng[300];

	T_SECTION("record_file_name");
	CHECK_EQ_INT(record_file_name("abc123", "net1", out, sizeof(out)), 0);
	CHECK_STR(out, "abc123_net1.json");
	CHECK_EQ_INT(record_file_name("a_b", "c", out, sizeof(out)), 0);
	CHECK_STR(out, "a%5Fb_c.json");
	CHECK_EQ_INT(record_file_name("a", "b_c", out, sizeof(out)), 0);
	CHECK_STR(out, "a_b_c.json");
	strcpy(out, "untouched");
	CHECK_EQ_INT(record_file_name("../x", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("a/b", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("..", "net1", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("abc", "../x", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("abc", "a/b", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("abc", "", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("abc", "0123456789abcdef", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("abc", "a:b", out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(record_file_name("abc", "n@2", out, sizeof(out)), 0);
	CHECK_STR(out, "abc_n%402.json");
	CHECK_EQ_INT(record_file_name("abc", "a%b", out, sizeof(out)), 0);
	CHECK_STR(out, "abc_a%25b.json");
	strcpy(out, "untouched");
	memset(lng, 'c', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	CHECK_EQ_INT(record_file_name(lng, "net1", out, sizeof(out)), -EINVAL);
	lng[256] = '\0';
	CHECK_EQ_INT(record_file_name(lng, "net1", out, sizeof(out)), -EINVAL);
	CHECK_STR(out, "untouched");
	lng[255] = '\0';
	CHECK_EQ_INT(record_file_name(lng, "0123456789abcde", out, sizeof(out)), 0);
	CHECK_EQ_INT(strlen(out), 255 + 1 + 15 + 5);
	CHECK_EQ_INT(record_file_name("abc", "net1", out, 8), -ENAMETOOLONG);
}

struct seen { unsigned n; char cids[8][300]; };
static int collect(const struct pf_record *s, const char *file, void *arg)
{
	struct seen *x = arg;

	if (x->n < 8)
		snprintf(x->cids[x->n], sizeof(x->cids[0]), "%s/%s@%s", s->container_id, s->ifname, file);
	x->n++;
	return 0;
}
static int stop_at_first(const struct pf_record *s, const char *file, void *arg)
{
	(void)s;
	(void)file;
	++*(unsigned *)arg;
	return -ECANCELED;
}
static bool saw(const struct seen *x, const char *what)
{
	for (unsigned i = 0; i < x->n && i < 8; i++)
		if (!strcmp(x->cids[i], what))
			return true;
	return false;
}

static void test_files(void)
{
	char *tmp = t_mkdtemp(), dir[4096], path[4200];
	struct pf_record s, t;
	struct seen seen = { 0 };
	unsigned bad, calls;
	struct stat st;

	umask(022);
	snprintf(dir, sizeof(dir), "%s/state/pflink", tmp);	/* made by record_write */

	T_SECTION("record_write / record_read / record_remove");
	fill(&s, "cid1", "net1");
	CHECK_EQ_INT(record_write(dir, &s), 0);
	snprintf(path, sizeof(path), "%s/cid1_net1.json", dir);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	CHECK_EQ_INT(stat(dir, &st), 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0700);
	memset(&t, 0, sizeof(t));
	CHECK_EQ_INT(record_read(dir, "cid1", "net1", &t), 0);
	CHECK(state_eq(&s, &t));
	/* overwrite */
	strcpy(s.pod_name, "web-1");
	CHECK_EQ_INT(record_write(dir, &s), 0);
	CHECK_EQ_INT(record_read(dir, "cid1", "net1", &t), 0);
	CHECK_STR(t.pod_name, "web-1");
	CHECK_EQ_INT(record_read(dir, "cid1", "net2", &t), -ENOENT);
	CHECK_EQ_INT(record_read(dir, "../x", "net1", &t), -ENOENT);
	/* unsafe names are never written */
	fill(&s, "../evil", "net1");
	CHECK_EQ_INT(record_write(dir, &s), -EINVAL);
	fill(&s, "cid", "a/b");
	CHECK_EQ_INT(record_write(dir, &s), -EINVAL);

	CHECK_EQ_INT(record_remove(dir, "cid1", "net1"), 0);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	CHECK_EQ_INT(record_remove(dir, "cid1", "net1"), 0);	/* twice: still 0 */
	CHECK_EQ_INT(record_read(dir, "cid1", "net1", &t), -ENOENT);
	CHECK_EQ_INT(record_remove(dir, "../x", "net1"), 0);
	snprintf(path, sizeof(path), "%s/nodir", tmp);
	CHECK_EQ_INT(record_remove(path, "cid1", "net1"), 0);

	T_SECTION("record_foreach");
	fill(&s, "cidA", "net1");
	CHECK_EQ_INT(record_write(dir, &s), 0);
	fill(&s, "cidB", "net2");
	CHECK_EQ_INT(record_write(dir, &s), 0);
	/* dot files (our temp files) are skipped, even if parseable */
	{
		char *j = record_to_json(&s);

		snprintf(path, sizeof(path), "%s/.cidB_net2.json.123.tmp", dir);
		t_write(path, j, strlen(j));
		snprintf(path, sizeof(path), "%s/.hidden.json", dir);
		t_write(path, j, strlen(j));
		free(j);
	}
	/* unparseable ones are counted */
	snprintf(path, sizeof(path), "%s/broken_net1.json", dir);
	t_write(path, "{not json", 9);
	snprintf(path, sizeof(path), "%s/nobdf_net1.json", dir);
	t_write(path, "{\"version\":1,\"containerID\":\"x\",\"ifName\":\"y\"}", 44);
	/* other names are ignored */
	snprintf(path, sizeof(path), "%s/README", dir);
	t_write(path, "x", 1);
	snprintf(path, sizeof(path), "%s/x.json.bak", dir);
	t_write(path, "x", 1);
	bad = 0;
	CHECK_EQ_INT(record_foreach(dir, collect, &seen, &bad), 0);
	CHECK_EQ_INT(seen.n, 2);
	CHECK(saw(&seen, "cidA/net1@cidA_net1.json"));
	CHECK(saw(&seen, "cidB/net2@cidB_net2.json"));
	CHECK_EQ_INT(bad, 2);
	/* bad may be NULL */
	seen.n = 0;
	CHECK_EQ_INT(record_foreach(dir, collect, &seen, NULL), 0);
	CHECK_EQ_INT(seen.n, 2);
	/* a callback error stops the walk and is returned */
	calls = 0;
	CHECK_EQ_INT(record_foreach(dir, stop_at_first, &calls, NULL), -ECANCELED);
	CHECK_EQ_INT(calls, 1);
	/* no directory: nothing to do */
	snprintf(path, sizeof(path), "%s/nodir", tmp);
	seen.n = 0;
	CHECK_EQ_INT(record_foreach(path, collect, &seen, NULL), 0);
	CHECK_EQ_INT(seen.n, 0);

	T_SECTION("(a_b, c) and (a, b_c) have a record each");
	fill(&s, "a_b", "c");
	CHECK_EQ_INT(record_write(dir, &s), 0);
	fill(&t, "a", "b_c");
	CHECK_EQ_INT(record_write(dir, &t), 0);
	CHECK_EQ_INT(record_read(dir, "a_b", "c", &t), 0);
	CHECK_STR(t.container_id, "a_b");
	CHECK_STR(t.ifname, "c");
	CHECK_EQ_INT(record_read(dir, "a", "b_c", &t), 0);
	CHECK_STR(t.container_id, "a");
	CHECK_STR(t.ifname, "b_c");
	CHECK_EQ_INT(record_remove(dir, "a_b", "c"), 0);
	CHECK_EQ_INT(record_read(dir, "a", "b_c", &t), 0);
	CHECK_EQ_INT(record_remove(dir, "a", "b_c"), 0);
	CHECK_EQ_INT(record_read(dir, "a", "b_c", &t), -ENOENT);

	T_SECTION("a record under the name earlier versions gave it");
	{
		char *j;

		fill(&s, "x_y", "net1");
		j = record_to_json(&s);
		snprintf(path, sizeof(path), "%s/x_y_net1.json", dir);
		t_write(path, j, strlen(j));
		free(j);
		/* read for its own attachment ... */
		CHECK_EQ_INT(record_read(dir, "x_y", "net1", &t), 0);
		CHECK_STR(t.container_id, "x_y");
		/* ... never for the attachment its old name also fits */
		CHECK_EQ_INT(record_read(dir, "x", "y_net1", &t), -ENOENT);
		CHECK_EQ_INT(record_remove(dir, "x", "y_net1"), 0);
		CHECK_EQ_INT(access(path, F_OK), 0);
		/* and removed with it */
		CHECK_EQ_INT(record_remove(dir, "x_y", "net1"), 0);
		CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	}

	t_rmrf(tmp);
	free(tmp);
}

int main(void)
{
	test_json();
	test_file_name();
	test_files();
	return t_done();
}

/* SPDX-License-Identifier: MIT */
#include "pflink/record.h"
#include "pflink/util.h"

#include "pflink/json.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* One table drives both directions, so writer and reader cannot drift. */
#define S(key, field) { key, offsetof(struct pf_record, field), sizeof(((struct pf_record *)0)->field) }
static const struct {
	const char *key;
	size_t off, size;
} str_fields[] = {
	S("network", network), S("containerID", container_id), S("ifName", ifname),
	S("netns", netns), S("cniVersion", cni_version), S("vfPciAddress", vf),
	S("vfMac", vf_mac), S("vfDriver", vf_driver), S("pfPciAddress", pf),
	S("pfNetdev", pf_netdev), S("pfMac", pf_mac), S("pfNetns", pf_netns),
	S("representor", representor), S("podNamespace", pod_namespace),
	S("podName", pod_name), S("podUID", pod_uid), S("deviceInfoFile", devinfo_path),
};
#undef S

char *record_to_json(const struct pf_record *s)
{
	cJSON *o = cJSON_CreateObject();
	char *out;
	size_t i;

	if (!o)
		return NULL;
	json_add_int(o, "version", 1);
	for (i = 0; i < ARRAY_SIZE(str_fields); i++)
		json_add_str(o, str_fields[i].key, (const char *)s + str_fields[i].off);
	json_add_int(o, "vfIndex", s->vf_index);
	json_add_int(o, "vfNumaNode", s->vf_numa_node);
	json_add_bool(o, "deviceInfoCreated", s->devinfo_created);
	json_add_int(o, "created", s->created);
	out = cJSON_Print(o);
	cJSON_Delete(o);
	return out;
}

int record_from_json(const char *buf, size_t len, struct pf_record *out)
{
	struct pf_record s = { .vf_index = -1, .vf_numa_node = -1 };
	cJSON *o, *it;
	size_t i;
	int r = -EINVAL;

	if (len > RECORD_MAX)
		return -EINVAL;
	o = json_parse_exact(buf, len);
	if (!cJSON_IsObject(o))
		goto done;
	it = cJSON_GetObjectItemCaseSensitive(o, "version");
	if (!cJSON_IsNumber(it) || it->valuedouble != 1)
		goto done;
	for (i = 0; i < ARRAY_SIZE(str_fields); i++) {
		it = cJSON_GetObjectItemCaseSensitive(o, str_fields[i].key);
		if (!it)
			continue;
		if (!cJSON_IsString(it) ||
		    pf_strscpy((char *)&s + str_fields[i].off, it->valuestring, str_fields[i].size) < 0)
			goto done;
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "vfIndex");
	if (cJSON_IsNumber(it) && it->valuedouble >= -1 && it->valuedouble < 65536)
		s.vf_index = (int)it->valuedouble;
	/* Records written before pflink knew it have none: -1. */
	it = cJSON_GetObjectItemCaseSensitive(o, "vfNumaNode");
	if (cJSON_IsNumber(it) && it->valuedouble >= -1 && it->valuedouble < 65536)
		s.vf_numa_node = (int)it->valuedouble;
	s.devinfo_created = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "deviceInfoCreated"));
	it = cJSON_GetObjectItemCaseSensitive(o, "created");
	if (cJSON_IsNumber(it) && it->valuedouble >= 0 && it->valuedouble < 1e15)
		s.created = (long long)it->valuedouble;
	/* A record without its key fields identifies nothing. */
	if (!s.container_id[0] || !s.ifname[0] || pci_bdf_parse(s.vf, s.vf) < 0 ||
	    pci_bdf_parse(s.pf, s.pf) < 0)
		goto done;
	*out = s;
	r = 0;
done:
	cJSON_Delete(o);
	return r;
}

/* "<containerID>_<ifname>.json" with '_' in the container ID written %5F:
 * the first '_' always ends the container ID, so (a_b, c) and (a, b_c)
 * cannot share a file.  An ifname's bytes that are unsafe in a file name
 * ("n@2", which the kernel takes) are written %XX.  Usual names (hex
 * container IDs, "net1") keep the name earlier pflink versions gave them. */
int record_file_name(const char *container_id, const char *ifname, char *out, size_t len)
{
	char cid[3 * 256], ifn[3 * IF_NAMESIZE];

	if (!pf_safe_component(container_id, 255) || !pf_ifname_valid(ifname))
		return -EINVAL;
	if (pf_escape_name(container_id, "_", cid, sizeof(cid)) < 0 ||
	    pf_escape_name(ifname, "", ifn, sizeof(ifn)) < 0)
		return -ENAMETOOLONG;
	if ((size_t)snprintf(out, len, "%s_%s" RECORD_SUFFIX, cid, ifn) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* The name pflink gave records before the escaping above; it differs only
 * when the container ID has a '_', and such a file may then belong to
 * another attachment: only a record naming this one is taken for it. */
static int legacy_name(const char *container_id, const char *ifname, char *out, size_t len)
{
	char now[512];

	if (record_file_name(container_id, ifname, now, sizeof(now)) < 0 ||
	    (size_t)snprintf(out, len, "%s_%s" RECORD_SUFFIX, container_id, ifname) >= len ||
	    !strcmp(now, out))
		return -ENOENT;
	return 0;
}

int record_read_file(const char *dir, const char *name, struct pf_record *out)
{
	_cleanup_free_ char *buf = NULL;
	char path[PATH_MAX];
	size_t len;
	int r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	r = pf_read_file_at(AT_FDCWD, path, RECORD_MAX, &buf, &len);
	if (r < 0)
		return r;
	return record_from_json(buf, len, out);
}

int record_write(const char *dir, const struct pf_record *s)
{
	_cleanup_free_ char *json = NULL;
	char name[512];
	int r = record_file_name(s->container_id, s->ifname, name, sizeof(name));

	if (r < 0)
		return r;
	json = record_to_json(s);
	if (!json)
		return -ENOMEM;
	return pf_write_file_atomic_mkdir(dir, 0700, name, json, strlen(json), 0600);
}

static bool names_attachment(const struct pf_record *s, const char *container_id, const char *ifname)
{
	return !strcmp(s->container_id, container_id) && !strcmp(s->ifname, ifname);
}

int record_read(const char *dir, const char *container_id, const char *ifname, struct pf_record *out)
{
	char name[512];
	struct pf_record s;
	int r = record_file_name(container_id, ifname, name, sizeof(name));

	if (r < 0)
		return -ENOENT;	/* nothing unsafe was ever written */
	r = record_read_file(dir, name, &s);
	if (r == -ENOENT && legacy_name(container_id, ifname, name, sizeof(name)) == 0) {
		r = record_read_file(dir, name, &s);
		if (r == -EINVAL)
			return -ENOENT;	/* someone else's, or nobody's */
	}
	if (r < 0)
		return r;
	/* The name may be an earlier version's for another attachment
	 * ("x_y" "net1" then was what "x" "y_net1" is now). */
	if (!names_attachment(&s, container_id, ifname))
		return -ENOENT;
	*out = s;
	return 0;
}

int record_remove_file(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	if (unlink(path) < 0 && errno != ENOENT) {
		int e = -errno;
		struct stat st;

		/* A read-only stateDir answers EROFS even for a file that is
		 * not there: only a record that exists failed to go. */
		if (lstat(path, &st) < 0 && errno == ENOENT)
			return 0;
		return e;
	}
	return 0;
}

/* Remove dir/name unless it is readable and names another attachment. */
static int remove_own(const char *dir, const char *name, const char *container_id, const char *ifname)
{
	struct pf_record s;

	if (record_read_file(dir, name, &s) == 0 && !names_attachment(&s, container_id, ifname))
		return 0;
	return record_remove_file(dir, name);
}

int record_remove(const char *dir, const char *container_id, const char *ifname)
{
	char name[512];
	int r;

	if (record_file_name(container_id, ifname, name, sizeof(name)) < 0)
		return 0;
	r = remove_own(dir, name, container_id, ifname);
	if (r < 0 || legacy_name(container_id, ifname, name, sizeof(name)) < 0)
		return r;
	return remove_own(dir, name, container_id, ifname);
}

int record_foreach(const char *dir, record_cb cb, void *arg, unsigned *bad)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (r >= 0 && (de = readdir(d))) {
		_cleanup_free_ char *buf = NULL;
		size_t n = strlen(de->d_name), len;
		struct pf_record s;

		/* Skip dot files: they include our own in-flight temp files. */
		if (de->d_name[0] == '.' || n <= strlen(RECORD_SUFFIX) ||
		    strcmp(de->d_name + n - strlen(RECORD_SUFFIX), RECORD_SUFFIX))
			continue;
		if (pf_read_file_at(dirfd(d), de->d_name, RECORD_MAX, &buf, &len) < 0 ||
		    record_from_json(buf, len, &s) < 0) {
			if (bad)
				(*bad)++;
			continue;
		}
		r = cb(&s, de->d_name, arg);
	}
	closedir(d);
	return r < 0 ? r : 0;
}

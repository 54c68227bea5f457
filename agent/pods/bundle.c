/* SPDX-License-Identifier: MIT */
#include "bundle.h"
#include "cgroup.h"
#include "pflink/json.h"
#include "pflink/util.h"

#include <errno.h>
#include <string.h>

static const struct keys {
	const char *type, *sandbox_id, *name, *ns, *uid, *container, *manager;
} keys[POD_RT_N] = {
	[POD_RT_CONTAINERD] = {
		.type = "io.kubernetes.cri.container-type",
		.sandbox_id = "io.kubernetes.cri.sandbox-id",
		.name = "io.kubernetes.cri.sandbox-name",
		.ns = "io.kubernetes.cri.sandbox-namespace",
		.uid = "io.kubernetes.cri.sandbox-uid",
		.container = "io.kubernetes.cri.container-name",
	},
	[POD_RT_CRIO] = {
		.type = "io.kubernetes.cri-o.ContainerType",
		.sandbox_id = "io.kubernetes.cri-o.SandboxID",
		.name = "io.kubernetes.pod.name",
		.ns = "io.kubernetes.pod.namespace",
		.uid = "io.kubernetes.pod.uid",
		.container = "io.kubernetes.container.name",
		.manager = "io.container.manager",
	},
};

/* o[k]: NULL when absent, -EINVAL (through *err) when not a string. */
static const char *str_of(const cJSON *o, const char *k, int *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!it)
		return NULL;
	if (!cJSON_IsString(it) || !it->valuestring) {
		*err = -EINVAL;
		return NULL;
	}
	return it->valuestring;
}

/* Copy a value that must fit its bound (a longer one is no pod's). */
static int put(char *dst, size_t size, const char *v)
{
	if (!v) {
		dst[0] = '\0';
		return 0;
	}
	return pf_strscpy(dst, v, size) < 0 ? -E2BIG : 0;
}

static const cJSON *member(const cJSON *o, const char *k, bool (*is)(const cJSON *), int *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (it && !is(it)) {
		*err = -EINVAL;
		return NULL;
	}
	return it;
}

static bool is_obj(const cJSON *j) { return cJSON_IsObject(j); }
static bool is_arr(const cJSON *j) { return cJSON_IsArray(j); }

/* A whole number 0..2^32-1, as the spec's major and minor are. */
static bool u32_of(const cJSON *it, unsigned *out)
{
	double d;

	if (!cJSON_IsNumber(it))
		return false;
	d = it->valuedouble;
	if (!(d >= 0 && d <= 4294967295.0) || (double)(unsigned)d != d)
		return false;
	*out = (unsigned)d;
	return true;
}

/* Does a device cgroup rule allow every device?  {"allow":true} with no
 * type (or "a") and no major, minor: what both runtimes give a
 * privileged container. */
static int all_allowed(const cJSON *linux_, bool *all)
{
	const cJSON *res, *devs, *r;
	int err = 0;

	*all = false;
	res = member(linux_, "resources", is_obj, &err);
	devs = res ? member(res, "devices", is_arr, &err) : NULL;
	if (err)
		return err;
	cJSON_ArrayForEach(r, devs) {
		const cJSON *allow = cJSON_GetObjectItemCaseSensitive(r, "allow");
		const char *type;

		if (!cJSON_IsObject(r))
			return -EINVAL;
		type = str_of(r, "type", &err);
		if (err)
			return err;
		if (cJSON_IsTrue(allow) && (!type || !strcmp(type, "a")) &&
		    !cJSON_GetObjectItemCaseSensitive(r, "major") && !cJSON_GetObjectItemCaseSensitive(r, "minor"))
			*all = true;
	}
	return 0;
}

static int devices_of(const cJSON *linux_, struct pod_bundle *b)
{
	const cJSON *devs, *d;
	int err = 0;

	devs = member(linux_, "devices", is_arr, &err);
	if (err)
		return err;
	cJSON_ArrayForEach(d, devs) {
		const char *type;
		struct pod_devnum n;

		if (!cJSON_IsObject(d))
			return -EINVAL;
		type = str_of(d, "type", &err);
		if (err)
			return err;
		if (!type || (strcmp(type, "c") && strcmp(type, "u")))
			continue;
		if (!u32_of(cJSON_GetObjectItemCaseSensitive(d, "major"), &n.major) ||
		    !u32_of(cJSON_GetObjectItemCaseSensitive(d, "minor"), &n.minor))
			return -EINVAL;
		if (b->n_dev == POD_DEVS_MAX)
			return -E2BIG;
		b->dev[b->n_dev++] = n;
	}
	return 0;
}

static int netns_of(const cJSON *linux_, struct pod_bundle *b)
{
	const cJSON *nss, *n;
	int err = 0;

	nss = member(linux_, "namespaces", is_arr, &err);
	if (err)
		return err;
	cJSON_ArrayForEach(n, nss) {
		const char *type, *path;

		if (!cJSON_IsObject(n))
			return -EINVAL;
		type = str_of(n, "type", &err);
		path = str_of(n, "path", &err);
		if (err)
			return err;
		if (type && !strcmp(type, "network"))
			return put(b->netns, sizeof(b->netns), path);
	}
	return 0;
}

static int parse(enum pod_runtime rt, const cJSON *root, struct pod_bundle *b)
{
	const struct keys *k = &keys[rt];
	const cJSON *ann, *linux_;
	const char *type, *manager = NULL, *uid, *cgpath;
	int err = 0, r;

	if (!cJSON_IsObject(root))
		return -EBADMSG;
	ann = member(root, "annotations", is_obj, &err);
	linux_ = member(root, "linux", is_obj, &err);
	if (err)
		return err;
	if (!ann)
		return -ENODATA;
	type = str_of(ann, k->type, &err);
	if (k->manager)
		manager = str_of(ann, k->manager, &err);
	if (err)
		return err;
	if (!type || (manager && strcmp(manager, "cri-o")))
		return -ENODATA;
	if (!strcmp(type, "sandbox"))
		b->kind = POD_KIND_SANDBOX;
	else if (!strcmp(type, "container"))
		b->kind = POD_KIND_CONTAINER;
	else
		return -EINVAL;
	uid = str_of(ann, k->uid, &err);
	if ((r = put(b->ns, sizeof(b->ns), str_of(ann, k->ns, &err))) < 0 ||
	    (r = put(b->name, sizeof(b->name), str_of(ann, k->name, &err))) < 0 ||
	    (r = put(b->uid, sizeof(b->uid), uid)) < 0 ||
	    (r = put(b->sandbox_id, sizeof(b->sandbox_id), str_of(ann, k->sandbox_id, &err))) < 0)
		return r;
	if (b->kind == POD_KIND_CONTAINER &&
	    (r = put(b->container, sizeof(b->container), str_of(ann, k->container, &err))) < 0)
		return r;
	if (err)
		return err;
	if (!b->ns[0] || !b->name[0])
		return -ENODATA;
	/* It may become part of a path (the sandbox's bundle): the same rule
	 * as a bundle's own ID. */
	if (b->sandbox_id[0] && !pod_id_valid(b->sandbox_id))
		return -EINVAL;
	if (!linux_)
		return 0;
	cgpath = str_of(linux_, "cgroupsPath", &err);
	if (err)
		return err;
	/* containerd before 1.6 wrote no sandbox UID; kubelet's cgroup
	 * names the pod by it. */
	if (!uid && cgpath) {
		struct pod_cgroup cg;
		/* The systemd driver's "slice:prefix:id": the slice names the pod. */
		const char *colon = strchr(cgpath, ':');

		if (pod_cgroup_path(cgpath, colon ? (size_t)(colon - cgpath) : strlen(cgpath), &cg) == 0)
			memcpy(b->uid, cg.uid, sizeof(b->uid));
	}
	if ((r = netns_of(linux_, b)) < 0 || (r = all_allowed(linux_, &b->all_devices)) < 0)
		return r;
	return b->all_devices ? 0 : devices_of(linux_, b);
}

int pod_bundle_parse(enum pod_runtime rt, const char *buf, size_t len, struct pod_bundle *out)
{
	struct pod_bundle b;
	cJSON *root;
	int r;

	if (rt >= POD_RT_N)
		return -EINVAL;
	root = json_parse_exact(buf, len);
	if (!root)
		return -EBADMSG;
	memset(&b, 0, sizeof(b));
	r = parse(rt, root, &b);
	cJSON_Delete(root);
	if (r == 0)
		*out = b;
	return r;
}

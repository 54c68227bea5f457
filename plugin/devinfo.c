/* SPDX-License-Identifier: MIT */
#include "devinfo.h"
#include "pflink/util.h"

#include "pflink/json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static void put(cJSON *o, const char *k, const char *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, cJSON_CreateString(v));
	else
		cJSON_AddStringToObject(o, k, v);
}

int devinfo_merge(const char *existing, size_t len, const char *vf_bdf,
		  const char *pf_bdf, const char *representor, char **out)
{
	cJSON *doc, *pci, *t, *addr;
	char *s;
	int r = -EINVAL;

	if (existing && len) {
		if (len > DEVINFO_MAX)
			return -EINVAL;
		doc = json_parse_exact(existing, len);
	} else {
		doc = cJSON_CreateObject();
	}
	if (!doc)
		return existing ? -EINVAL : -ENOMEM;
	if (!cJSON_IsObject(doc))
		goto done;
	t = cJSON_GetObjectItemCaseSensitive(doc, "type");
	if (t && !(cJSON_IsString(t) && !strcmp(t->valuestring, "pci")))
		goto done;
	if (!t)
		cJSON_AddStringToObject(doc, "type", "pci");
	put(doc, "version", "1.1.0");
	pci = cJSON_GetObjectItemCaseSensitive(doc, "pci");
	if (pci && !cJSON_IsObject(pci))
		goto done;
	if (!pci && !(pci = cJSON_AddObjectToObject(doc, "pci"))) {
		r = -ENOMEM;
		goto done;
	}
	/* The device plugin wrote the VF it allocated; if that is not the
	 * one in the pod, someone is confused and we must not paper over it. */
	addr = cJSON_GetObjectItemCaseSensitive(pci, "pci-address");
	if (cJSON_IsString(addr) && strcasecmp(addr->valuestring, vf_bdf)) {
		r = -EEXIST;
		goto done;
	}
	/* Nor when it says the VF has another PF than sysfs does. */
	addr = cJSON_GetObjectItemCaseSensitive(pci, "pf-pci-address");
	if (cJSON_IsString(addr) && addr->valuestring[0] && strcasecmp(addr->valuestring, pf_bdf)) {
		r = -EXDEV;
		goto done;
	}
	put(pci, "pci-address", vf_bdf);
	put(pci, "pf-pci-address", pf_bdf);
	if (representor && *representor)
		put(pci, "representor-device", representor);
	s = cJSON_Print(doc);
	if (!s) {
		r = -ENOMEM;
		goto done;
	}
	/* Indentation and escapes can grow a document past what pflink (and
	 * the next plugin) will read back: never write such a file. */
	if (strlen(s) > DEVINFO_MAX) {
		free(s);
		r = -EFBIG;
		goto done;
	}
	*out = s;
	r = 0;
done:
	cJSON_Delete(doc);
	return r;
}

int devinfo_addresses(const char *buf, size_t len, char vf[PCI_BDF_LEN], char pf[PCI_BDF_LEN])
{
	cJSON *doc = len <= DEVINFO_MAX ? json_parse_exact(buf, len) : NULL;
	const cJSON *t, *pci, *a;
	char v[PCI_BDF_LEN] = "", p[PCI_BDF_LEN] = "";
	int r = -EINVAL;

	if (!cJSON_IsObject(doc))
		goto done;
	t = cJSON_GetObjectItemCaseSensitive(doc, "type");
	if (t && !(cJSON_IsString(t) && !strcmp(t->valuestring, "pci")))
		goto done;
	pci = cJSON_GetObjectItemCaseSensitive(doc, "pci");
	r = -EBADMSG;
	if ((a = cJSON_GetObjectItemCaseSensitive(pci, "pci-address")) &&
	    (!cJSON_IsString(a) || pci_bdf_parse(a->valuestring, v) < 0))
		goto done;
	if ((a = cJSON_GetObjectItemCaseSensitive(pci, "pf-pci-address")) &&
	    (!cJSON_IsString(a) || pci_bdf_parse(a->valuestring, p) < 0))
		goto done;
	memcpy(vf, v, PCI_BDF_LEN);
	memcpy(pf, p, PCI_BDF_LEN);
	r = 0;
done:
	cJSON_Delete(doc);
	return r;
}

int devinfo_update(const char *path, const char *vf_bdf, const char *pf_bdf,
		   const char *representor, struct devinfo_undo *undo)
{
	_cleanup_free_ char *old = NULL, *doc = NULL;
	char dir[PATH_MAX], base[PATH_MAX];
	size_t len = 0;
	int r, is_new;

	if (pf_strscpy(dir, path, sizeof(dir)) < 0 || pf_strscpy(base, path, sizeof(base)) < 0)
		return -ENAMETOOLONG;
	r = pf_read_file_at(AT_FDCWD, path, DEVINFO_MAX, &old, &len);
	if (r < 0 && r != -ENOENT)
		return r;
	is_new = r == -ENOENT;
	r = devinfo_merge(old, len, vf_bdf, pf_bdf, representor, &doc);
	if (r < 0)
		return r;
	/* POSIX dirname()/basename() may modify their argument: two copies. */
	const char *d = dirname(dir), *b = basename(base);

	r = pf_write_file_atomic_mkdir(d, 0755, b, doc, strlen(doc), 0644);
	if (r < 0)
		return r;
	undo->existed = !is_new;
	undo->old = TAKE_PTR(old);
	undo->len = len;
	return 0;
}

int devinfo_undo(const char *path, struct devinfo_undo *undo)
{
	char dir[PATH_MAX], base[PATH_MAX];
	int r = 0;

	if (!undo->existed) {
		if (unlink(path) < 0 && errno != ENOENT)
			r = -errno;
	} else if (pf_strscpy(dir, path, sizeof(dir)) < 0 || pf_strscpy(base, path, sizeof(base)) < 0) {
		r = -ENAMETOOLONG;
	} else {
		r = pf_write_file_atomic(dirname(dir), basename(base), undo->old ? undo->old : "",
					 undo->len, 0644);
	}
	devinfo_undo_free(undo);
	return r;
}

void devinfo_undo_free(struct devinfo_undo *undo)
{
	free(undo->old);
	undo->old = NULL;
	undo->len = 0;
}

/* The name Multus gives CNI-written files, "<network>-<containerID>_<ifname>",
 * made one-to-one: the network name's and the ifname's unsafe bytes, a '-'
 * or '_' in the container ID and a '_' in the ifname are written %XX.  Then the last '_'
 * ends the container ID and the last '-' before it the network name, so
 * no two attachments share a file; the usual names (a network "sriov-net",
 * a runtime's hex container ID, "net1") are left exactly as Multus has
 * them. */
int devinfo_default_path(const char *dir, const char *network, const char *container_id,
			 const char *ifname, char *out, size_t len)
{
	char net[3 * 256], cid[3 * 256], ifn[3 * 16];

	if (!pf_safe_component(container_id, 256) || !pf_ifname_valid(ifname))
		return -EINVAL;
	if (strlen(network) > 255 || pf_escape_name(network, "", net, sizeof(net)) < 0 ||
	    pf_escape_name(container_id, "-_", cid, sizeof(cid)) < 0 ||
	    pf_escape_name(ifname, "_", ifn, sizeof(ifn)) < 0)
		return -ENAMETOOLONG;
	if ((size_t)snprintf(out, len, "%s/%s-%s_%s-device-info.json", dir, net, cid, ifn) >= len)
		return -ENAMETOOLONG;
	return 0;
}

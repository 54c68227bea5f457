/* SPDX-License-Identifier: MIT */
#include "cni.h"
#include "pflink/json.h"
#include "pflink/log.h"
#include "pflink/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

bool cni_version_supported(const char *v)
{
	const char *const *p;

	for (p = cni_versions; v && *p; p++)
		if (!strcmp(*p, v))
			return true;
	return false;
}

static bool triple(const char *v, unsigned t[3])
{
	int n = 0;

	/* sscanf's %u takes a sign and wraps "-1": digits only. */
	return v && v[0] >= '0' && v[0] <= '9' && !strpbrk(v, "+- \t") &&
	       sscanf(v, "%u.%u.%u%n", &t[0], &t[1], &t[2], &n) == 3 && !v[n];
}

bool cni_version_at_least(const char *v, const char *min)
{
	unsigned a[3], b[3];
	int i;

	if (!triple(v, a) || !triple(min, b))
		return false;
	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] > b[i];
	return true;
}

/* A string member, or def when absent; -EINVAL when present but not a
 * non-empty string, so a typo'd type never silently becomes a default. */
static int opt_str(const cJSON *obj, const char *key, const char *def, const char **out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!it || cJSON_IsNull(it)) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsString(it) || !it->valuestring[0])
		return -EINVAL;
	*out = it->valuestring;
	return 0;
}

int cni_conf_parse(const char *buf, size_t len, struct cni_conf *out, const char **field)
{
	struct cni_conf c = { 0 };
	const cJSON *rc, *it;
	static const struct {
		const char *key;
		const char *def;
		size_t off;
	} keys[] = {
		{ "cniVersion", NULL, offsetof(struct cni_conf, cni_version) },
		{ "name", NULL, offsetof(struct cni_conf, name) },
		{ "type", NULL, offsetof(struct cni_conf, type) },
		{ "sysfsRoot", "/sys", offsetof(struct cni_conf, sysfs_root) },
		{ "stateDir", "/run/pflink/state", offsetof(struct cni_conf, state_dir) },
		{ "deviceInfoDir", "/var/run/k8s.cni.cncf.io/devinfo/cni", offsetof(struct cni_conf, devinfo_dir) },
		{ "logFile", NULL, offsetof(struct cni_conf, log_file) },
		{ "logLevel", "warning", offsetof(struct cni_conf, log_level) },
		{ "deviceID", NULL, offsetof(struct cni_conf, device_id) },
	};
	size_t i;

	*field = "JSON";
	if (len > CNI_CONFIG_MAX)
		return -EINVAL;
	/* JSON between systems is UTF-8 without a BOM (RFC 8259 8.1).  cJSON
	 * skips a BOM and keeps invalid bytes; Go (libcni, every runtime)
	 * rejects the one and turns the other into U+FFFD: such a config
	 * would mean different things to pflink and to its peers. */
	if (!buf || (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) ||
	    !pf_utf8_valid(buf, len))
		return -EINVAL;
	c.root = json_parse_exact(buf, len);
	if (!c.root || !cJSON_IsObject(c.root))
		goto bad;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		*field = keys[i].key;
		if (opt_str(c.root, keys[i].key, keys[i].def,
			    (const char **)((char *)&c + keys[i].off)) < 0)
			goto bad;
	}
	/* host-device takes the VF as pciBusID; Multus injects deviceID. */
	*field = "pciBusID";
	if (!c.device_id && opt_str(c.root, "pciBusID", NULL, &c.device_id) < 0)
		goto bad;
	*field = "logLevel";
	if (pf_log_level_parse(c.log_level) < 0)
		goto bad;
	/* An explicit "" disables the agent; any other path must be absolute. */
	*field = "agentSocket";
	it = cJSON_GetObjectItemCaseSensitive(c.root, "agentSocket");
	if (!it || cJSON_IsNull(it))
		c.agent_socket = "/run/pflink/pflinkd.sock";
	else if (!cJSON_IsString(it) || (it->valuestring[0] && it->valuestring[0] != '/'))
		goto bad;
	else
		c.agent_socket = it->valuestring[0] ? it->valuestring : NULL;
	*field = "agentTimeoutMs";
	it = cJSON_GetObjectItemCaseSensitive(c.root, "agentTimeoutMs");
	c.agent_timeout_ms = 250;
	if (it && !cJSON_IsNull(it)) {
		if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 10000)
			goto bad;
		c.agent_timeout_ms = (unsigned)it->valuedouble;
	}
	*field = "sysfsRoot";
	if (c.sysfs_root[0] != '/')
		goto bad;
	/* Where pflink writes, as root, is the network config's author's to
	 * choose (a namespace admin, not the node's): absolute, no . or ..,
	 * not /proc, /sys, /dev (pf_path_trusted() checks the node's side). */
	*field = "stateDir";
	if (!pf_path_clean(c.state_dir))
		goto bad;
	*field = "deviceInfoDir";
	if (!pf_path_clean(c.devinfo_dir))
		goto bad;
	*field = "logFile";
	if (c.log_file && !pf_path_clean(c.log_file))
		goto bad;

	*field = "prevResult";
	it = cJSON_GetObjectItemCaseSensitive(c.root, "prevResult");
	if (it && !cJSON_IsNull(it)) {
		if (!cJSON_IsObject(it))
			goto bad;
		c.prev_result = it;
	}
	*field = "runtimeConfig";
	rc = cJSON_GetObjectItemCaseSensitive(c.root, "runtimeConfig");
	if (rc && !cJSON_IsNull(rc)) {
		if (!cJSON_IsObject(rc))
			goto bad;
		*field = "runtimeConfig.CNIDeviceInfoFile";
		if (opt_str(rc, "CNIDeviceInfoFile", NULL, &c.devinfo_file) < 0 ||
		    (c.devinfo_file && c.devinfo_file[0] != '/'))
			goto bad;
	}
	*field = "cni.dev/valid-attachments";
	it = cJSON_GetObjectItemCaseSensitive(c.root, "cni.dev/valid-attachments");
	if (it && !cJSON_IsNull(it)) {
		const cJSON *a;

		if (!cJSON_IsArray(it))
			goto bad;
		cJSON_ArrayForEach(a, it) {
			if (!cJSON_IsObject(a) ||
			    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "containerID")) ||
			    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "ifname")))
				goto bad;
		}
		c.valid_attachments = it;
	}
	*field = NULL;
	*out = c;
	return 0;
bad:
	cJSON_Delete(c.root);
	return -EINVAL;
}

void cni_conf_free(struct cni_conf *c)
{
	cJSON_Delete(c->root);
	c->root = NULL;
}

int cni_args_get(const char *args, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = args;

	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t vlen = n - klen - 1;

			if (vlen >= len)
				return -ENAMETOOLONG;
			memcpy(out, p + klen + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

char *cni_error_json(const char *version, int code, const char *msg, const char *details)
{
	cJSON *e = cJSON_CreateObject();
	char *s;

	if (!e)
		return NULL;
	cJSON_AddStringToObject(e, "cniVersion", version && cni_version_supported(version) ? version : "1.1.0");
	json_add_int(e, "code", code);
	cJSON_AddStringToObject(e, "msg", msg ? msg : "");
	if (details && *details)
		cJSON_AddStringToObject(e, "details", details);
	s = cJSON_PrintUnformatted(e);
	cJSON_Delete(e);
	return s;
}

bool cni_attachment_valid(const cJSON *valid, const char *container_id, const char *ifname)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, valid) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "containerID");
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(a, "ifname");

		if (cJSON_IsString(c) && cJSON_IsString(i) &&
		    !strcmp(c->valuestring, container_id) && !strcmp(i->valuestring, ifname))
			return true;
	}
	return false;
}

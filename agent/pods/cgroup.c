/* SPDX-License-Identifier: MIT */
#include "cgroup.h"

#include <errno.h>
#include <string.h>

const char *pod_qos_name(enum pod_qos q)
{
	switch (q) {
	case POD_QOS_GUARANTEED: return "guaranteed";
	case POD_QOS_BURSTABLE: return "burstable";
	case POD_QOS_BESTEFFORT: return "besteffort";
	case POD_QOS_UNKNOWN: break;
	}
	return "";
}

static bool starts(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && !memcmp(s, p, pl);
}

static bool ends(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && !memcmp(s + n - pl, p, pl);
}

static bool hexc(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A pod UID as kubelet spells it in a cgroup name: hex digits and sep
 * ('-' for cgroupfs, '_' for systemd, which escapes '-'), 8..63 bytes.
 * Written with dashes into uid. */
static bool uid_of(const char *s, size_t n, char sep, char uid[POD_UID_MAX])
{
	size_t i;

	if (n < 8 || n >= POD_UID_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == sep)
			uid[i] = '-';
		else if (hexc(s[i]))
			uid[i] = s[i];
		else
			return false;
	}
	uid[n] = '\0';
	return true;
}

static enum pod_qos qos_of(const char *s, size_t n)
{
	if (n == 10 && !memcmp(s, "besteffort", 10))
		return POD_QOS_BESTEFFORT;
	if (n == 9 && !memcmp(s, "burstable", 9))
		return POD_QOS_BURSTABLE;
	if (n == 8 && !memcmp(s, "kubepods", 8))
		return POD_QOS_GUARANTEED;
	return POD_QOS_UNKNOWN;
}

/* Is component c (n bytes) a pod's?  cgroupfs "pod<uid>", systemd
 * "kubepods[-<qos>]-pod<uid_>.slice". */
static bool pod_component(const char *c, size_t n, const char *prev, size_t prevn, struct pod_cgroup *out)
{
	const char *dash;
	size_t m;

	if (ends(c, n, ".slice")) {
		m = n - 6;
		/* the last '-' before ".slice" starts "-pod<uid_>" */
		for (dash = c + m; dash > c && dash[-1] != '-'; dash--)
			;
		if (dash == c || !starts(dash, (size_t)(c + m - dash), "pod") ||
		    !uid_of(dash + 3, (size_t)(c + m - dash) - 3, '_', out->uid))
			return false;
		/* "kubepods-besteffort-pod..." / "kubepods-pod..." */
		m = (size_t)(dash - 1 - c);
		out->qos = starts(c, m, "kubepods-") ? qos_of(c + 9, m - 9) : qos_of(c, m);
		return true;
	}
	if (!starts(c, n, "pod") || !uid_of(c + 3, n - 3, '-', out->uid))
		return false;
	out->qos = prev ? qos_of(prev, prevn) : POD_QOS_UNKNOWN;
	return true;
}

/* The container ID in the component after the pod's. */
static void container_of(const char *c, size_t n, struct pod_cgroup *out)
{
	static const char *const prefixes[] = { "cri-containerd-", "crio-conmon-", "crio-", "docker-" };
	char id[POD_ID_MAX];
	size_t i;

	if (ends(c, n, ".scope"))
		n -= 6;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (starts(c, n, prefixes[i])) {
			c += strlen(prefixes[i]);
			n -= strlen(prefixes[i]);
			break;
		}
	if (n == 0 || n >= sizeof(id))
		return;
	memcpy(id, c, n);
	id[n] = '\0';
	if (pod_id_valid(id))
		memcpy(out->container_id, id, n + 1);
}

int pod_cgroup_path(const char *path, size_t len, struct pod_cgroup *out)
{
	const char *p = path, *end = path + len, *prev = NULL;
	size_t prevn = 0;
	struct pod_cgroup cg;

	/* The last pod component wins: a pod's cgroup inside another's
	 * (nested runtimes) names the inner one. */
	bool found = false;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *c = p, *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = (size_t)((slash ? slash : end) - c);

		p = slash ? slash + 1 : end;
		if (!n)
			continue;
		memset(&cg, 0, sizeof(cg));
		if (pod_component(c, n, prev, prevn, &cg)) {
			const char *nc = p, *ns = memchr(p, '/', (size_t)(end - p));

			if (nc < end)
				container_of(nc, (size_t)((ns ? ns : end) - nc), &cg);
			*out = cg;
			found = true;
		}
		prev = c;
		prevn = n;
	}
	return found ? 0 : -ENOENT;
}

int pod_cgroup_parse(const char *buf, size_t len, struct pod_cgroup *out)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		/* "ID:controllers:path": the path is what follows the second ':'
		 * (a path may hold ':' itself). */
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;

		if (c2 && pod_cgroup_path(c2 + 1, (size_t)(le - c2 - 1), out) == 0)
			return 0;
		p = nl ? nl + 1 : end;
	}
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

/* SPDX-License-Identifier: MIT */
/*
 * CNI semantics of pflink: which verb needs what, and how every failure
 * becomes one error code and a message naming the interface, the netns and
 * what to do about it.
 */
#include "verbs.h"
#include "ask_agent.h"
#include "cni.h"
#include "devinfo.h"
#include "result.h"
#include "pflink/classify.h"
#include "pflink/record.h"
#include "pflink/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct run {
	const struct pflink_req *req;
	struct pf_log *log;
	struct pflink_err *err;
	struct cni_conf conf;
	int sysfd;
	int nsfd;
	/* stateDir, deviceInfoDir, logFile as pf_path_trusted() made them. */
	char paths[3][PATH_MAX];
	/* At logLevel debug, how long each phase of the verb took
	 * (hack/phases.sh): one line at the end, written after the last
	 * stamp, so the log's own writes are in no phase. */
	unsigned long long stamp;
	char phases[256];
	size_t phases_len;
};

#define logf_(r, lvl, ...) pf_logf((r)->log, lvl, __VA_ARGS__)

/* The phase that ends now, in µs since the last one ended (debug only). */
static void phase(struct run *r, const char *name)
{
	unsigned long long now;
	int n;

	if (!r->log || r->log->level < PF_LOG_DEBUG)
		return;
	now = pf_now_ns();
	n = snprintf(r->phases + r->phases_len, sizeof(r->phases) - r->phases_len, " %s=%llu", name,
		     (now - r->stamp) / 1000);
	if (n > 0 && (size_t)n < sizeof(r->phases) - r->phases_len)
		r->phases_len += (size_t)n;
	r->stamp = now;
}

/* Fill the error and return -1: callers write "return fail(...)". */
__attribute__((format(printf, 4, 5)))
static int fail(struct run *r, int code, const char *details, const char *fmt, ...)
{
	va_list ap;

	r->err->code = code;
	va_start(ap, fmt);
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	snprintf(r->err->details, sizeof(r->err->details), "%s", details ? details : "");
	/* Messages quote what the kernel and the environment said (bus_info,
	 * driver, CNI_NETNS): the error object must stay UTF-8 JSON.  (A
	 * message cut by the buffer may end in a partial sequence: same.) */
	pf_utf8_scrub(r->err->msg);
	pf_utf8_scrub(r->err->details);
	logf_(r, PF_LOG_ERROR, "%s %s/%s: %s%s%s", r->req->command ? r->req->command : "?",
	      r->req->container_id ? r->req->container_id : "-",
	      r->req->ifname ? r->req->ifname : "-", r->err->msg, *r->err->details ? ": " : "",
	      r->err->details);
	return -1;
}

/* result_same_netns: the sandbox path a previous plugin wrote names the
 * netns of CNI_NETNS however it is spelt (/proc/PID/ns/net, a bind mount
 * elsewhere): their identities match.  stat() opens nothing, so no FIFO
 * there can block it. */
static bool same_netns(const char *sandbox, void *arg)
{
	const struct run *r = arg;
	struct netns_id want;
	struct stat st;

	if (r->nsfd < 0 || netns_id(r->nsfd, &want) < 0 || stat(sandbox, &st) < 0)
		return false;
	return netns_id_eq(&want, &(struct netns_id){ .dev = st.st_dev, .ino = st.st_ino });
}

static int need_env(struct run *r, const char *val, const char *name)
{
	if (val && *val)
		return 0;
	return fail(r, CNI_ERR_INVALID_ENV, NULL,
		    "%s is not set: pflink must be run by a CNI runtime (or cnitool), which sets it",
		    name);
}

static int parse_conf(struct run *r, char version[16])
{
	const char *field = NULL;
	const struct pflink_req *q = r->req;

	if (!q->conf || cni_conf_parse(q->conf, q->conf_len, &r->conf, &field) < 0) {
		if (!field || !strcmp(field, "JSON"))
			return fail(r, CNI_ERR_DECODE, NULL,
				    "network config on stdin is not one JSON object of at most %u bytes (UTF-8 without BOM, no key repeated in an object)",
				    CNI_CONFIG_MAX);
		return fail(r, CNI_ERR_INVALID_CONFIG, NULL,
			    "network config field \"%s\" is invalid: see pflink(8) for its type and values",
			    field);
	}
	if (r->log) {
		/* cni_conf_parse() accepted only a known level. */
		r->log->level = (enum pf_log_level)pf_log_level_parse(r->conf.log_level);
		r->log->file = r->conf.log_file;
	}
	if (r->conf.cni_version && cni_version_supported(r->conf.cni_version))
		snprintf(version, 16, "%s", r->conf.cni_version);
	return 0;
}

/* The paths a network config names for pflink to write at, as this node
 * makes them (pf_path_trusted): its author is not the node's admin. */
static int trusted_paths(struct run *r)
{
	const struct {
		const char *key;
		const char **path;
	} v[] = {
		{ "logFile", &r->conf.log_file },
		{ "stateDir", &r->conf.state_dir },
		{ "deviceInfoDir", &r->conf.devinfo_dir },
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		int e = *v[i].path ? pf_path_trusted(*v[i].path, r->paths[i], sizeof(r->paths[i])) : 0;

		/* Only what the policy refuses is refused here; a path that is
		 * merely unusable (a file in the way, no permission) fails
		 * where it is used, as an I/O error (code 5, never on DEL). */
		if (e < 0 && e != -EINVAL && e != -ELOOP && e != -EPERM) {
			pf_strscpy(r->paths[i], *v[i].path, sizeof(r->paths[i]));
			e = 0;
		}
		if (e < 0) {
			if (i == 0 && r->log)
				r->log->file = NULL;	/* say it where the runtime looks */
			return fail(r, CNI_ERR_INVALID_CONFIG, strerror(-e),
				    "%s %s is refused: %s", v[i].key, *v[i].path,
				    e == -ELOOP ? "it goes through a symlink someone other than root could have made (only a symlink of root's, in a directory only root may write, is followed: /var/run -> /run)" :
				    e == -EPERM ? "it leads into /proc, /sys or /dev" :
				    "it must be absolute, without . or .., outside /proc, /sys and /dev");
		}
		if (*v[i].path)
			*v[i].path = r->paths[i];
	}
	if (r->log)
		r->log->file = r->conf.log_file;
	return 0;
}

static int check_version(struct run *r, const char *min)
{
	const char *v = r->conf.cni_version;

	if (!cni_version_supported(v))
		return fail(r, CNI_ERR_INCOMPATIBLE_VERSION, "supported: 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0",
			    "cniVersion \"%s\" is not supported by pflink", v ? v : "(absent)");
	if (min && !cni_version_at_least(v, min))
		return fail(r, CNI_ERR_INCOMPATIBLE_VERSION, NULL,
			    "%s needs cniVersion %s or later, the config says %s", r->req->command, min, v);
	return 0;
}

static int open_netns(struct run *r)
{
	struct stat st;
	int e;

	/* A netns is a regular file (nsfs bind mount, /proc/PID/ns/net);
	 * opening a FIFO put there instead would block forever. */
	if (stat(r->req->netns, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		e = -EINVAL;
	else
		e = netns_open(r->req->netns, &r->nsfd);

	if (e == -ENOENT)
		return fail(r, CNI_ERR_UNKNOWN_CONTAINER, NULL,
			    "CNI_NETNS %s does not exist: the pod sandbox is gone", r->req->netns);
	if (e == -EINVAL)
		return fail(r, CNI_ERR_INVALID_ENV, NULL,
			    "CNI_NETNS %s is not a network namespace (nsfs mount or /proc/PID/ns/net expected)",
			    r->req->netns);
	if (e < 0)
		return fail(r, CNI_ERR_IO, strerror(-e), "cannot open CNI_NETNS %s", r->req->netns);
	return 0;
}

static int sysfs_error(struct run *r, int e)
{
	return fail(r, CNI_ERR_IO, strerror(-e),
		    "sysfsRoot %s has no readable bus/pci/devices: set sysfsRoot to the host's sysfs",
		    r->conf.sysfs_root);
}

/* The root only: whether it has bus/pci/devices is asked when resolving
 * the VF fails (sysfs_probe()), as every look of that resolution starts
 * there.  Two system calls fewer on every pod start. */
static int open_sysfs(struct run *r)
{
	int e = pci_sysfs_open_root(r->conf.sysfs_root, &r->sysfd);

	return e < 0 ? sysfs_error(r, e) : 0;
}

/* After a failure to resolve the VF: a sysfsRoot without bus/pci/devices
 * is the error to report, before any about the pod's interface (the
 * order the errors had when the root was checked on open). */
static int sysfs_probe(struct run *r)
{
	int e = pci_sysfs_probe(r->sysfd);

	return e < 0 ? sysfs_error(r, e) : 0;
}

/* Turn a failed resolve_vf() into the error a person can act on. */
static int vf_error(struct run *r, int e, enum resolve_step st, const struct vf_info *vf)
{
	const char *ifn = r->req->ifname, *ns = r->req->netns;

	switch (st) {
	case RS_LINK:
		if (e == -EAGAIN)
			return fail(r, CNI_ERR_TRY_AGAIN, NULL,
				    "interface %s in netns %s was renamed while pflink asked its driver: try again",
				    ifn, ns);
		if (e == -ENODEV && !strcmp(r->req->command, "CHECK"))
			return fail(r, PFLINK_ERR_NO_INTERFACE, NULL,
				    "interface %s is no longer in netns %s: the VF left the pod or was removed (sriov_numvfs changed?); recreate the pod",
				    ifn, ns);
		if (e == -ENODEV)
			return fail(r, PFLINK_ERR_NO_INTERFACE, NULL,
				    "interface %s not found in netns %s: the plugin before pflink (sriov-cni, host-device) must move the VF there as CNI_IFNAME",
				    ifn, ns);
		break;
	case RS_ETHTOOL:
		if (e == -EOPNOTSUPP || e == -ENODEV)
			return fail(r, PFLINK_ERR_NOT_PCI, strerror(-e),
				    "interface %s in netns %s has no ethtool driver info, so no bus address: pflink handles SR-IOV VFs only",
				    ifn, ns);
		break;
	case RS_NOT_PCI:
		return fail(r, PFLINK_ERR_NOT_PCI, NULL,
			    "interface %s in netns %s (driver %s) reports bus address \"%s\", not a PCI address: pflink handles SR-IOV VFs only",
			    ifn, ns, vf->eth.driver, vf->eth.bus_info);
	case RS_NO_FN:
		return fail(r, PFLINK_ERR_NOT_PCI, strerror(-e),
			    "interface %s in netns %s is PCI function %s, which %s/bus/pci/devices does not list: is sysfsRoot the host's sysfs?",
			    ifn, ns, vf->bdf, r->conf.sysfs_root);
	case RS_NOT_VF:
		return fail(r, PFLINK_ERR_NOT_VF, NULL,
			    "interface %s in netns %s is PCI function %s (driver %s), which is not an SR-IOV VF (no physfn): chain pflink only on VF networks",
			    ifn, ns, vf->bdf, vf->pci_driver[0] ? vf->pci_driver : vf->eth.driver);
	case RS_PHYSFN:
		return fail(r, PFLINK_ERR_PF_NOT_FOUND, strerror(-e),
			    "VF %s (interface %s in netns %s) has a broken physfn link: its PF is %s",
			    vf->bdf, ifn, ns,
			    e == -ENXIO ? "absent (removed or SR-IOV being torn down)" :
			    e == -ELOOP ? "behind a symlink loop" : "not named by a PCI address");
	case RS_OK:
		break;
	}
	return fail(r, CNI_ERR_IO, strerror(-e), "cannot resolve interface %s in netns %s", ifn, ns);
}

static int check_device_id(struct run *r, const struct vf_info *vf)
{
	char want[PCI_BDF_LEN];

	if (!r->conf.device_id)
		return 0;
	if (pci_bdf_parse(r->conf.device_id, want) < 0)
		return fail(r, CNI_ERR_INVALID_CONFIG, NULL,
			    "deviceID/pciBusID \"%s\" is not a PCI address", r->conf.device_id);
	if (strcmp(want, vf->bdf))
		return fail(r, PFLINK_ERR_DEVICE_MISMATCH, NULL,
			    "deviceID says VF %s but interface %s in netns %s is %s: the device plugin allocated one VF and the pod got another",
			    want, r->req->ifname, r->req->netns, vf->bdf);
	return 0;
}

/* The agent's PF, checked against what sysfs says: the PF asked for, a PF
 * indeed, and its PCI facts read here rather than taken on trust. */
/* What the agent says about netdevs is its own; the PCI facts are sysfs',
 * read with the VF's (resolve_vf_pci), so a stale or wrong agent can name
 * the wrong netdev at worst, never the wrong PF. */
static void pf_facts(const struct vf_info *vf, struct pf_info *pf)
{
	memcpy(pf->bdf, vf->pf, sizeof(pf->bdf));
	memcpy(pf->driver, vf->pf_driver, sizeof(pf->driver));
	pf->numvfs = vf->pf_numvfs;
	pf->totalvfs = vf->pf_totalvfs;
}

static int agent_pf_confirmed(const struct vf_info *vf, struct pf_info *pf)
{
	if (strcmp(pf->bdf, vf->pf) || !vf->pf_sriov || !vf->pf_totalvfs)
		return -ESTALE;
	pf_facts(vf, pf);
	return 0;
}

static int find_pf(struct run *r, const struct vf_info *vf, struct pf_info *pf)
{
	const char *const *dirs = r->req->netns_dirs ? r->req->netns_dirs : resolve_default_netns_dirs;
	unsigned long long t0 = pf_now_ns();
	const char *why = "disabled (agentSocket \"\")";
	int e;

	/* A PF whose netdevs sysfs lists, and the kernel confirms, in this
	 * (the host) netns: no question to anyone (design notes 21).  The
	 * agent is for the rest: a PF in another netns, a switchdev PF with
	 * its representors. */
	memset(pf, 0, sizeof(*pf));
	pf_facts(vf, pf);
	if (resolve_pf_local(r->sysfd, vf->vf_index, pf) == 0) {
		logf_(r, PF_LOG_INFO, "PF %s is %s (host netns), from sysfs checked by netlink in %.0f us",
		      pf->bdf, pf->netdevs[0].name, (double)(pf_now_ns() - t0) / 1e3);
		return 0;
	}
	memset(pf, 0, sizeof(*pf));
	if (r->conf.agent_socket &&
	    ask_agent_pf(r->conf.agent_socket, r->conf.agent_timeout_ms, vf->pf, r->req->netns,
			 vf->vf_index, r->log, pf, &why) == 0) {
		if (agent_pf_confirmed(vf, pf) == 0) {
			logf_(r, PF_LOG_INFO, "PF %s is %s (%s), from pflinkd in %.0f us", pf->bdf,
			      pf->netdevs[0].name,
			      pf->netdevs[0].netns[0] ? pf->netdevs[0].netns : "host netns",
			      (double)(pf_now_ns() - t0) / 1e3);
			return 0;
		}
		why = "answered a PF that sysfs does not confirm";
	}
	/* Info, not warning: a node without the agent would log it on every
	 * pod start; the answer is the same, only PFs in pod netns are missed. */
	if (r->conf.agent_socket)
		logf_(r, PF_LOG_INFO, "pflinkd at %s %s: resolving PF %s directly (host and bind-mounted netns only)",
		      r->conf.agent_socket, why, vf->pf);
	memset(pf, 0, sizeof(*pf));
	pf_facts(vf, pf);
	e = resolve_pf_netdevs(dirs, vf->vf_index, pf);
	if (e == -ENODEV)
		return fail(r, PFLINK_ERR_PF_NOT_FOUND, NULL,
			    "PF %s (driver %s) of VF %s has no netdev in the host netns or any bind-mounted netns: is the PF bound to a kernel netdev driver? A PF inside a pod netns is found by pflinkd",
			    pf->bdf, pf->driver[0] ? pf->driver : "none", vf->bdf);
	if (e < 0)
		return fail(r, CNI_ERR_IO, strerror(-e), "cannot scan network namespaces for PF %s", pf->bdf);
	logf_(r, PF_LOG_INFO, "PF %s is %s (%s), by direct scan in %.0f us", pf->bdf,
	      pf->netdevs[0].name, pf->netdevs[0].netns[0] ? pf->netdevs[0].netns : "host netns",
	      (double)(pf_now_ns() - t0) / 1e3);
	return 0;
}

static void pod_args(struct run *r, struct pf_record *s)
{
	const char *a = r->req->args;

	if (!a)
		return;
	if (cni_args_get(a, "K8S_POD_NAMESPACE", s->pod_namespace, sizeof(s->pod_namespace)) < 0)
		s->pod_namespace[0] = '\0';
	if (cni_args_get(a, "K8S_POD_NAME", s->pod_name, sizeof(s->pod_name)) < 0)
		s->pod_name[0] = '\0';
	if (cni_args_get(a, "K8S_POD_UID", s->pod_uid, sizeof(s->pod_uid)) < 0)
		s->pod_uid[0] = '\0';
}

static void record_fill(struct run *r, struct pf_record *s, const struct vf_info *vf,
		       const struct pf_info *pf)
{
	const struct pflink_req *q = r->req;

	memset(s, 0, sizeof(*s));
	snprintf(s->network, sizeof(s->network), "%s", r->conf.name ? r->conf.name : "");
	snprintf(s->container_id, sizeof(s->container_id), "%s", q->container_id);
	snprintf(s->ifname, sizeof(s->ifname), "%s", q->ifname);
	snprintf(s->netns, sizeof(s->netns), "%s", q->netns);
	snprintf(s->cni_version, sizeof(s->cni_version), "%s", r->conf.cni_version);
	memcpy(s->vf, vf->bdf, sizeof(s->vf));
	memcpy(s->vf_mac, vf->mac, sizeof(s->vf_mac));
	snprintf(s->vf_driver, sizeof(s->vf_driver), "%s", vf->pci_driver);
	s->vf_index = vf->vf_index;
	s->vf_numa_node = vf->numa_node;	/* read with the VF's other facts */
	memcpy(s->pf, pf->bdf, sizeof(s->pf));
	memcpy(s->pf_netdev, pf->netdevs[0].name, sizeof(s->pf_netdev));
	memcpy(s->pf_mac, pf->netdevs[0].mac, sizeof(s->pf_mac));
	memcpy(s->pf_netns, pf->netdevs[0].netns, sizeof(s->pf_netns));
	memcpy(s->representor, pf->representor, sizeof(s->representor));
	s->created = (long long)time(NULL);
	pod_args(r, s);
}

/* ADD records the VF's NUMA node; CHECK compares nothing with it. */
static bool want_numa(const struct run *r)
{
	return !strcmp(r->req->command, "ADD");
}

/* Where a VF the pod holds without a netdev is named: the config's
 * deviceID or pciBusID (Multus, sriov-cni, host-device), the device
 * plugin's device-info (Multus' CNIDeviceInfoFile), and, for CHECK, what
 * the attachment was made with.  0 with *from saying which; -ENOENT when
 * nothing names one; -1 with r->err filled when they disagree or are
 * malformed. */
static int netdevless_address(struct run *r, const char *known, char bdf[PCI_BDF_LEN],
			      const char **from)
{
	char dp[PCI_BDF_LEN] = "", dp_pf[PCI_BDF_LEN];
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (r->conf.devinfo_file &&
	    pf_read_file_at(AT_FDCWD, r->conf.devinfo_file, DEVINFO_MAX, &buf, &len) == 0 &&
	    devinfo_addresses(buf, len, dp, dp_pf) < 0)
		return fail(r, CNI_ERR_DECODE, NULL,
			    "device-info file %s is not a type \"pci\" device-info JSON object with PCI addresses, so it cannot name the pod's VF",
			    r->conf.devinfo_file);
	if (r->conf.device_id) {
		if (pci_bdf_parse(r->conf.device_id, bdf) < 0)
			return fail(r, CNI_ERR_INVALID_CONFIG, NULL,
				    "deviceID/pciBusID \"%s\" is not a PCI address", r->conf.device_id);
		if (dp[0] && strcmp(dp, bdf))
			return fail(r, PFLINK_ERR_DEVICE_MISMATCH, NULL,
				    "deviceID says VF %s but the device plugin's device-info file %s says %s: the device plugin allocated one VF and the pod got another",
				    bdf, r->conf.devinfo_file, dp);
		*from = "deviceID";
		return 0;
	}
	if (dp[0]) {
		memcpy(bdf, dp, PCI_BDF_LEN);
		*from = "the device plugin's device-info";
		return 0;
	}
	if (known && known[0] && pci_bdf_parse(known, bdf) == 0) {
		*from = "the attachment's record";
		return 0;
	}
	return -ENOENT;
}

/* The pod's VF when CNI_IFNAME is not a PCI netdev in its netns: a VF
 * bound to a driver that gives it no netdev (vfio-pci for DPDK and
 * KubeVirt, uio, pci-stub), named by the config.  st/e say why the
 * netdev path stopped (for the error when nothing names a VF);
 * was_driver is the driver the record saw at ADD ("" if none). */
static int vf_without_netdev(struct run *r, int e, enum resolve_step st, struct vf_info *vf,
			     const char *known, const char *was_driver)
{
	const char *ifn = r->req->ifname, *ns = r->req->netns, *from = NULL;
	struct vf_info v = { .vf_index = -1 };
	char bdf[PCI_BDF_LEN];
	enum resolve_step st2;
	int x = netdevless_address(r, known, bdf, &from);

	/* A config that names the VF badly is said so first; after that, a
	 * sysfsRoot without bus/pci/devices before anything sysfs answers. */
	if (x == -1 || (x < 0 && sysfs_probe(r) < 0))
		return -1;
	if (x < 0) {
		if (st == RS_LINK && e == -ENODEV && strcmp(r->req->command, "CHECK"))
			return fail(r, PFLINK_ERR_NO_INTERFACE, NULL,
				    "interface %s not found in netns %s: the plugin before pflink (sriov-cni, host-device) must move the VF there as CNI_IFNAME; for a VF without a netdev (bound to vfio-pci for DPDK or KubeVirt) set deviceID or pciBusID to its PCI address (Multus sets deviceID)",
				    ifn, ns);
		return vf_error(r, e, st, vf);
	}
	pf_strscpy(v.ifname, ifn, sizeof(v.ifname));
	x = resolve_vf_pci(r->sysfd, bdf, want_numa(r), &v, &st2);
	if (x < 0 && sysfs_probe(r) < 0)
		return -1;
	if (x < 0 && st2 == RS_NO_FN)
		return fail(r, PFLINK_ERR_NOT_PCI, strerror(-x),
			    "%s names PCI function %s, which %s/bus/pci/devices does not list (interface %s is not in netns %s): is it the VF's address, and sysfsRoot the host's sysfs?",
			    from, bdf, r->conf.sysfs_root, ifn, ns);
	if (x < 0 && st2 == RS_NOT_VF)
		return fail(r, PFLINK_ERR_NOT_VF, NULL,
			    "%s names PCI function %s (driver %s), which is not an SR-IOV VF (no physfn): chain pflink only on VF networks",
			    from, bdf, v.pci_driver[0] ? v.pci_driver : "none");
	if (x < 0)
		return vf_error(r, x, st2, &v);
	if (!classify_driver_netdevless(v.pci_driver)) {
		if (was_driver && classify_driver_netdevless(was_driver))
			return fail(r, PFLINK_ERR_DRIFT, NULL,
				    "VF %s was attached bound to %s and is now bound to %s: the pod's VF changed under it; recreate the pod",
				    bdf, was_driver, v.pci_driver[0] ? v.pci_driver : "no driver");
		if (!v.pci_driver[0])
			return fail(r, PFLINK_ERR_NO_INTERFACE, NULL,
				    "VF %s (%s) is bound to no driver and interface %s is not in netns %s: bind it to vfio-pci (DPDK, KubeVirt) or to its netdev driver",
				    bdf, from, ifn, ns);
		return fail(r, PFLINK_ERR_NO_INTERFACE, NULL,
			    "VF %s (%s) is bound to %s, a netdev driver, but interface %s is not in netns %s: the plugin before pflink (sriov-cni, host-device) must move its netdev there as CNI_IFNAME",
			    bdf, from, v.pci_driver, ifn, ns);
	}
	v.netdevless = true;
	*vf = v;
	logf_(r, PF_LOG_INFO, "%s is not a PCI netdev in %s: VF %s from %s, bound to %s (no netdev)", ifn, ns,
	      bdf, from, v.pci_driver);
	return 0;
}

/* ADD and CHECK share the chain up to the PF.  known (CHECK) is the VF
 * the attachment was made with, was_driver its driver then; a VF without
 * a netdev is looked for only when netdevless allows. */
static int resolve_all(struct run *r, struct vf_info *vf, struct pf_info *pf, bool netdevless,
		       const char *known, const char *was_driver)
{
	enum resolve_step st;
	int e;

	if (open_netns(r) < 0 || open_sysfs(r) < 0)
		return -1;
	phase(r, "open");
	e = resolve_vf(r->nsfd, r->sysfd, r->req->ifname, want_numa(r), vf, &st);
	phase(r, "vf");
	if (e < 0) {
		/* No such interface, or not a PCI one (RS_NO_FN: a PCI
		 * address sysfs does not know is an error of its own). */
		bool absent = (st == RS_LINK && e == -ENODEV) || st == RS_NOT_PCI ||
			      (st == RS_ETHTOOL && (e == -EOPNOTSUPP || e == -ENODEV));

		if (!netdevless || !absent)
			return sysfs_probe(r) < 0 ? -1 : vf_error(r, e, st, vf);
		if (vf_without_netdev(r, e, st, vf, known, was_driver) < 0)
			return -1;
		return find_pf(r, vf, pf);
	}
	logf_(r, PF_LOG_DEBUG, "%s in %s: bus_info %s driver %s -> VF %s of PF %s index %d",
	      r->req->ifname, r->req->netns, vf->eth.bus_info, vf->eth.driver, vf->bdf, vf->pf,
	      vf->vf_index);
	if (check_device_id(r, vf) < 0)
		return -1;
	return find_pf(r, vf, pf);
}

/* ADD and CHECK (netns): every variable there, and names pflink can
 * record before any work is done.  DEL takes what it is given: an
 * attachment such names could never have been made is simply not there. */
static int need_attachment_env(struct run *r, bool netns)
{
	if (need_env(r, r->req->container_id, "CNI_CONTAINERID") < 0 ||
	    need_env(r, r->req->ifname, "CNI_IFNAME") < 0 ||
	    (netns && need_env(r, r->req->netns, "CNI_NETNS") < 0))
		return -1;
	if (!netns)
		return 0;
	if (!pf_ifname_valid(r->req->ifname))
		return fail(r, CNI_ERR_INVALID_ENV, NULL,
			    "CNI_IFNAME \"%s\" is not an interface name the kernel takes: 1 to 15 bytes, not \".\" or \"..\", no '/', ':' or white space",
			    r->req->ifname);
	if (!pf_safe_component(r->req->container_id, 255))
		return fail(r, CNI_ERR_INVALID_ENV, NULL,
			    "CNI_CONTAINERID \"%s\" is not a container ID the CNI spec allows: 1 to 255 of [A-Za-z0-9_.-]",
			    r->req->container_id);
	return 0;
}

static int cmd_add(struct run *r, char **out)
{
	struct vf_info vf;
	struct pf_info pf;
	struct pf_record s, prev;
	char path[4096];
	struct devinfo_undo undo;
	bool made_before;
	int e;
	cJSON *res;

	if (check_version(r, NULL) < 0 || need_attachment_env(r, true) < 0)
		return -1;
	if (!r->conf.prev_result)
		return fail(r, CNI_ERR_INVALID_CONFIG, NULL,
			    "pflink is a meta-plugin and needs a prevResult: chain it after sriov-cni or host-device in a conflist");
	if (resolve_all(r, &vf, &pf, true, NULL, NULL) < 0)
		return -1;
	phase(r, "pf");

	record_fill(r, &s, &vf, &pf);
	if (r->conf.devinfo_file)
		e = pf_strscpy(path, r->conf.devinfo_file, sizeof(path));
	else
		e = devinfo_default_path(r->conf.devinfo_dir, r->conf.name ? r->conf.name : "pflink",
					 r->req->container_id, r->req->ifname, path, sizeof(path));
	if (e < 0)
		return fail(r, CNI_ERR_INVALID_ENV, NULL,
			    "cannot name a device-info file for container %s interface %s: use [A-Za-z0-9_.-] only",
			    r->req->container_id, r->req->ifname);
	/* An ADD of an attachment that is there already (a runtime trying
	 * again): the device-info file its first ADD made is there now, and
	 * still pflink's to remove. */
	made_before = record_read(r->conf.state_dir, r->req->container_id, r->req->ifname, &prev) == 0 &&
		      prev.devinfo_created && !strcmp(prev.devinfo_path, path);
	e = devinfo_update(path, vf.bdf, pf.bdf, pf.representor, &undo);
	if (e == -EEXIST)
		return fail(r, PFLINK_ERR_DEVICE_MISMATCH, NULL,
			    "device-info file %s names another VF than %s (interface %s in netns %s): the device plugin allocated one VF and the pod got another",
			    path, vf.bdf, r->req->ifname, r->req->netns);
	if (e == -EXDEV)
		return fail(r, PFLINK_ERR_DEVICE_MISMATCH, NULL,
			    "device-info file %s names another PF than %s, the PF sysfs gives VF %s: the device plugin's view of the card is not the kernel's",
			    path, pf.bdf, vf.bdf);
	if (e == -EINVAL || e == -EFBIG)
		return fail(r, CNI_ERR_DECODE, NULL,
			    "device-info file %s is not a type \"pci\" device-info JSON object of at most 64 KiB; pflink will not overwrite it",
			    path);
	if (e < 0)
		return fail(r, CNI_ERR_IO, strerror(-e), "cannot write device-info file %s", path);
	phase(r, "devinfo");
	snprintf(s.devinfo_path, sizeof(s.devinfo_path), "%s", path);
	/* Multus' file is Multus': pflink merges into it and never removes
	 * it, even when it made it (Multus reads it after the chain). */
	s.devinfo_created = (!undo.existed || made_before) && !r->conf.devinfo_file;

	e = record_write(r->conf.state_dir, &s);
	if (e < 0) {
		/* Leave nothing half-done: put the device-info back as it was
		 * (a merge without a record would never be undone). */
		int u = devinfo_undo(path, &undo);

		if (u < 0)
			logf_(r, PF_LOG_ERROR, "ADD %s/%s: cannot restore device-info file %s: %s",
			      r->req->container_id, r->req->ifname, path, strerror(-u));
		return fail(r, e == -EINVAL ? CNI_ERR_INVALID_ENV : CNI_ERR_IO, strerror(-e),
			    "cannot record attachment %s/%s in stateDir %s", r->req->container_id,
			    r->req->ifname, r->conf.state_dir);
	}
	devinfo_undo_free(&undo);
	phase(r, "record");
	res = result_build_in(r->conf.prev_result, r->conf.cni_version, r->req->ifname, r->req->netns,
			      same_netns, r, &vf, &pf);
	if (!res || !(*out = cJSON_PrintUnformatted(res))) {
		cJSON_Delete(res);
		return fail(r, CNI_ERR_IO, NULL, "out of memory building the result");
	}
	cJSON_Delete(res);
	phase(r, "result");
	logf_(r, PF_LOG_DEBUG, "ADD %s/%s: phases (µs):%s", r->req->container_id, r->req->ifname, r->phases);
	logf_(r, PF_LOG_INFO, "ADD %s/%s: VF %s (index %d) of PF %s (%s)", r->req->container_id,
	      r->req->ifname, vf.bdf, vf.vf_index, pf.bdf, pf.netdevs[0].name);
	return 0;
}

static int cmd_check(struct run *r, char **out)
{
	struct result_record rec;
	struct vf_info vf;
	struct pf_info pf;
	struct pf_record s;
	const char *want_vf = NULL;
	unsigned i, host;
	bool have_state;
	int e;

	(void)out;
	if (check_version(r, "0.4.0") < 0 || need_attachment_env(r, true) < 0)
		return -1;
	if (!r->conf.prev_result)
		return fail(r, CNI_ERR_INVALID_CONFIG, NULL,
			    "CHECK needs the prevResult of the attachment: pflink is a chained plugin");
	if (result_read(r->conf.prev_result, r->req->ifname, &rec) < 0)
		return fail(r, CNI_ERR_DECODE, NULL, "prevResult carries a pciID that is not a PCI address");
	/* No record (an ADD by a pflink without one): compare with the
	 * prevResult only.  A record that is there but unreadable is not
	 * "no record": CHECK would silently skip what it records. */
	e = record_read(r->conf.state_dir, r->req->container_id, r->req->ifname, &s);
	if (e < 0 && e != -ENOENT)
		return fail(r, CNI_ERR_IO, strerror(-e),
			    "the record of attachment %s/%s in stateDir %s is unreadable or corrupt, so CHECK cannot compare with it: DEL and ADD the attachment again (recreate the pod)",
			    r->req->container_id, r->req->ifname, r->conf.state_dir);
	have_state = e == 0;
	/* A VF attached without a netdev is looked for the same way again;
	 * one attached with a netdev must still have it in the pod. */
	if (resolve_all(r, &vf, &pf, !have_state || classify_driver_netdevless(s.vf_driver),
			have_state ? s.vf : rec.vf_pci, have_state ? s.vf_driver : NULL) < 0)
		return -1;
	if (have_state && classify_driver_netdevless(s.vf_driver) && !vf.netdevless)
		return fail(r, PFLINK_ERR_DRIFT, NULL,
			    "VF %s was attached bound to %s, without a netdev, and interface %s in netns %s is now a netdev (driver %s): recreate the pod",
			    s.vf, s.vf_driver, r->req->ifname, r->req->netns, vf.pci_driver);

	if (have_state)
		want_vf = s.vf;
	else if (rec.vf_pci[0])
		want_vf = rec.vf_pci;
	if (want_vf && strcmp(want_vf, vf.bdf))
		return fail(r, PFLINK_ERR_DRIFT, NULL,
			    "interface %s in netns %s is now VF %s, but the attachment was made with VF %s: recreate the pod",
			    r->req->ifname, r->req->netns, vf.bdf, want_vf);
	if (have_state && strcmp(s.pf, vf.pf))
		return fail(r, PFLINK_ERR_DRIFT, NULL,
			    "VF %s now belongs to PF %s, but the attachment recorded PF %s: recreate the pod",
			    vf.bdf, vf.pf, s.pf);
	if (have_state && s.pf_netdev[0]) {
		for (i = 0; i < pf.n_netdevs; i++)
			if (!strcmp(pf.netdevs[i].name, s.pf_netdev))
				break;
		if (i == pf.n_netdevs)
			return fail(r, PFLINK_ERR_DRIFT, NULL,
				    "PF %s was recorded as netdev %s, which it no longer has (now %s: renamed or moved): the result's host-side interface is stale",
				    pf.bdf, s.pf_netdev, pf.netdevs[0].name);
	}
	/* The PF entries of the result are what consumers read: one for a
	 * netdev of the PF in the host netns (ADD lists no other). */
	for (i = 0, host = 0; i < pf.n_netdevs; i++) {
		if (pf.netdevs[i].netns[0])
			continue;
		host++;
		if (result_has_host_if(r->conf.prev_result, pf.netdevs[i].name))
			break;
	}
	if (host && i == pf.n_netdevs)
		return fail(r, PFLINK_ERR_DRIFT, NULL,
			    "prevResult has no host-side interface for PF %s (%s): was pflink's ADD result lost?",
			    pf.bdf, pf.netdevs[0].name);
	logf_(r, PF_LOG_INFO, "CHECK %s/%s: VF %s of PF %s ok", r->req->container_id,
	      r->req->ifname, vf.bdf, pf.bdf);
	return 0;
}

/* Device-info first, the record last: while the record stays, a later
 * GC (or pflinkd's report of leftovers) still knows what to remove.  0 when
 * everything is gone; else -errno, logged at error, and the record kept. */
static int remove_attachment(struct run *r, const struct pf_record *s, const char *file,
			     const char *cid, const char *ifname)
{
	char path[4096];
	int e;

	if (s && s->devinfo_created && s->devinfo_path[0]) {
		if (unlink(s->devinfo_path) < 0 && errno != ENOENT && errno != ENOTDIR) {
			e = -errno;
			logf_(r, PF_LOG_ERROR,
			      "%s %s/%s: cannot remove device-info file %s: %s; the record stays in stateDir %s for GC to retry",
			      r->req->command, cid, ifname, s->devinfo_path, strerror(-e), r->conf.state_dir);
			return e;
		}
	} else if (!s && r->conf.name &&
		   devinfo_default_path(r->conf.devinfo_dir, r->conf.name, cid, ifname, path,
					sizeof(path)) == 0) {
		/* State lost: the file under pflink's own name is pflink's. */
		unlink(path);
	}
	e = file ? record_remove_file(r->conf.state_dir, file) : record_remove(r->conf.state_dir, cid, ifname);
	if (e < 0 && e != -ENOTDIR) {
		logf_(r, PF_LOG_ERROR, "%s %s/%s: cannot remove its record from stateDir %s: %s",
		      r->req->command, cid, ifname, r->conf.state_dir, strerror(-e));
		return e;
	}
	return 0;
}

static int cmd_del(struct run *r)
{
	struct pf_record s;
	bool have;
	int e;

	if (check_version(r, NULL) < 0 || need_attachment_env(r, false) < 0)
		return -1;
	/* DEL succeeds whatever is already gone: the netns, the VF, the
	 * state.  Only pflink's own files are touched.  And it succeeds when
	 * they cannot be removed: libcni runs a chain's DEL in reverse and
	 * stops at the first error, so failing here would keep sriov-cni or
	 * host-device from giving the VF back and IPAM from freeing the
	 * address, on every retry.  What stays is logged and left to GC. */
	have = record_read(r->conf.state_dir, r->req->container_id, r->req->ifname, &s) == 0;
	e = remove_attachment(r, have ? &s : NULL, NULL, r->req->container_id, r->req->ifname);
	logf_(r, PF_LOG_INFO, "DEL %s/%s%s", r->req->container_id, r->req->ifname,
	      e < 0 ? ": files left for GC (see the error above)" : have ? "" : " (no state: nothing to do)");
	return 0;
}

struct gc_ctx {
	struct run *r;
	unsigned kept, removed;
};

static int gc_one(const struct pf_record *s, const char *file, void *arg)
{
	struct gc_ctx *g = arg;
	const char *net = g->r->conf.name ? g->r->conf.name : "";

	/* Each network's GC names only its own attachments. */
	if (strcmp(s->network, net) ||
	    cni_attachment_valid(g->r->conf.valid_attachments, s->container_id, s->ifname)) {
		g->kept++;
		return 0;
	}
	/* One attachment GC cannot remove (logged) must not stop the rest. */
	if (remove_attachment(g->r, s, file, s->container_id, s->ifname) == 0)
		g->removed++;
	return 0;
}

static int cmd_gc(struct run *r)
{
	struct gc_ctx g = { .r = r };
	unsigned bad = 0;
	int e;

	if (check_version(r, "1.1.0") < 0)
		return -1;
	/* The runtime's list of what is still in use.  Without it every
	 * record of this network would look stale. */
	if (!r->conf.valid_attachments)
		return fail(r, CNI_ERR_INVALID_CONFIG, NULL,
			    "GC of network %s needs \"cni.dev/valid-attachments\" (the attachments still in use, possibly []): without it every attachment would be removed; nothing was",
			    r->conf.name ? r->conf.name : "(unnamed)");
	e = record_foreach(r->conf.state_dir, gc_one, &g, &bad);
	if (e < 0)
		return fail(r, CNI_ERR_IO, strerror(-e), "cannot read stateDir %s", r->conf.state_dir);
	logf_(r, PF_LOG_INFO, "GC %s: removed %u, kept %u, unreadable %u", r->conf.name,
	      g.removed, g.kept, bad);
	return 0;
}

static int cmd_status(struct run *r)
{
	if (check_version(r, "1.1.0") < 0)
		return -1;
	if (pci_sysfs_open(r->conf.sysfs_root, &r->sysfd) < 0)
		return fail(r, CNI_ERR_NOT_AVAILABLE, NULL,
			    "sysfsRoot %s has no readable bus/pci/devices: pflink cannot resolve VFs",
			    r->conf.sysfs_root);
	return 0;
}

static int cmd_version(struct run *r, const char *version, char **out)
{
	cJSON *o = cJSON_CreateObject(), *a;
	const char *const *v;

	if (!o)
		return fail(r, CNI_ERR_IO, NULL, "out of memory");
	cJSON_AddStringToObject(o, "cniVersion", version);
	a = cJSON_AddArrayToObject(o, "supportedVersions");
	for (v = cni_versions; *v; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v));
	*out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return *out ? 0 : fail(r, CNI_ERR_IO, NULL, "out of memory");
}

int pflink_cni_run(const struct pflink_req *req, struct pf_log *log, char **out,
		   struct pflink_err *err, char version[16])
{
	struct run r = { .req = req, .log = log, .err = err, .sysfd = -1, .nsfd = -1, .stamp = pf_now_ns() };
	const char *cmd = req->command;
	int ret;

	*out = NULL;
	snprintf(version, 16, "1.1.0");
	memset(err, 0, sizeof(*err));
	if (need_env(&r, cmd, "CNI_COMMAND") < 0)
		return -1;
	if (!strcmp(cmd, "VERSION")) {
		/* VERSION's stdin may be legacy or absent: answer regardless. */
		struct cni_conf c;
		const char *field;

		if (req->conf && cni_conf_parse(req->conf, req->conf_len, &c, &field) == 0) {
			if (c.cni_version && cni_version_supported(c.cni_version))
				snprintf(version, 16, "%s", c.cni_version);
			cni_conf_free(&c);
		}
		return cmd_version(&r, version, out);
	}
	if (strcmp(cmd, "ADD") && strcmp(cmd, "CHECK") && strcmp(cmd, "DEL") &&
	    strcmp(cmd, "GC") && strcmp(cmd, "STATUS"))
		return fail(&r, CNI_ERR_INVALID_ENV, NULL,
			    "CNI_COMMAND \"%s\" is not one of ADD CHECK DEL GC STATUS VERSION", cmd);
	if (parse_conf(&r, version) < 0 || trusted_paths(&r) < 0) {
		cni_conf_free(&r.conf);
		return -1;
	}
	phase(&r, "parse");
	if (!strcmp(cmd, "ADD"))
		ret = cmd_add(&r, out);
	else if (!strcmp(cmd, "CHECK"))
		ret = cmd_check(&r, out);
	else if (!strcmp(cmd, "DEL"))
		ret = cmd_del(&r);
	else if (!strcmp(cmd, "GC"))
		ret = cmd_gc(&r);
	else
		ret = cmd_status(&r);
	if (r.nsfd >= 0)
		close(r.nsfd);
	if (r.sysfd >= 0)
		close(r.sysfd);
	cni_conf_free(&r.conf);
	return ret;
}

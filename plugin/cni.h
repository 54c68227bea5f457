/* SPDX-License-Identifier: MIT */
/*
 * CNI wire format: network config in, result or error out.  Pure functions
 * over buffers and cJSON trees; no I/O, so they can be fuzzed.
 */
#ifndef PFLINK_CNI_H
#define PFLINK_CNI_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Spec error codes (CNI 1.1 "Error" section) and pflink's own (>= 100). */
enum cni_code {
	CNI_ERR_INCOMPATIBLE_VERSION = 1,
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_INVALID_ENV = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_INVALID_CONFIG = 7,
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_NOT_AVAILABLE = 50,
	PFLINK_ERR_NOT_PCI = 100,
	PFLINK_ERR_NOT_VF = 101,
	PFLINK_ERR_PF_NOT_FOUND = 102,
	PFLINK_ERR_DEVICE_MISMATCH = 103,
	PFLINK_ERR_DRIFT = 104,
	PFLINK_ERR_NO_INTERFACE = 105,
};

extern const char *const cni_versions[];	/* NULL-terminated */
bool cni_version_supported(const char *v);
/* true when v >= min (both dotted triples). */
bool cni_version_at_least(const char *v, const char *min);

#define CNI_CONFIG_MAX (1u << 20)	/* bigger stdin is refused (code 6) */

struct cni_attachment {
	const char *container_id;
	const char *ifname;
};

struct cni_conf {
	cJSON *root;			/* owns everything below */
	const char *cni_version;	/* NULL if absent */
	const char *name;
	const char *type;
	const cJSON *prev_result;	/* NULL if absent */
	const char *sysfs_root;		/* defaults filled in */
	const char *state_dir;
	const char *devinfo_dir;
	const char *log_file;		/* NULL: stderr */
	const char *log_level;		/* "error" "warning" "info" "debug" */
	const char *agent_socket;	/* NULL: "", explicitly disabled */
	unsigned agent_timeout_ms;	/* whole exchange with pflinkd, default 250 */
	const char *device_id;		/* Multus deviceID / pciBusID */
	const char *devinfo_file;	/* runtimeConfig.CNIDeviceInfoFile */
	const cJSON *valid_attachments;	/* GC: cni.dev/valid-attachments */
};

/* Parse the network config.  On -EINVAL, *field names what is wrong
 * ("JSON", "cniVersion", "name", "sysfsRoot", ...) for the message. */
int cni_conf_parse(const char *buf, size_t len, struct cni_conf *out, const char **field);
void cni_conf_free(struct cni_conf *c);

/* CNI_ARGS "K=V;K=V": value of key copied into out; -ENOENT if absent. */
int cni_args_get(const char *args, const char *key, char *out, size_t len);

/* {"cniVersion","code","msg","details"} as a heap string. */
char *cni_error_json(const char *version, int code, const char *msg, const char *details);

/* GC: is (container_id, ifname) among valid-attachments? */
bool cni_attachment_valid(const cJSON *valid, const char *container_id, const char *ifname);

#endif

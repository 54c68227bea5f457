/* SPDX-License-Identifier: MIT */
/*
 * The pflink CNI verbs.  plugin/pflink.c only gathers the environment and
 * stdin, calls pflink_cni_run() and prints what it returns.
 */
#ifndef PFLINK_PLUGIN_H
#define PFLINK_PLUGIN_H

#include <stddef.h>

enum pf_log_level { PF_LOG_ERROR, PF_LOG_WARNING, PF_LOG_INFO, PF_LOG_DEBUG };

/* "error" "warning" "info" "debug", and back (-1 for anything else). */
const char *pf_log_level_name(enum pf_log_level l);
int pf_log_level_parse(const char *s);

struct pflink_req {
	const char *command;		/* CNI_COMMAND */
	const char *container_id;	/* CNI_CONTAINERID */
	const char *netns;		/* CNI_NETNS */
	const char *ifname;		/* CNI_IFNAME */
	const char *args;		/* CNI_ARGS */
	const char *conf;		/* stdin */
	size_t conf_len;
	/* Where to look for bind-mounted netns when resolving without the
	 * agent; NULL means resolve_default_netns_dirs. */
	const char *const *netns_dirs;
};

struct pflink_err {
	int code;
	char msg[768];
	char details[1024];
};

/* The core never prints; it reports through this, and the main decides
 * where lines go (stderr or the netconf's logFile). */
struct pflink_log {
	void (*fn)(void *ud, enum pf_log_level lvl, const char *msg);
	void *ud;
	enum pf_log_level level;	/* set from the netconf once parsed */
	const char *file;		/* netconf logFile, NULL: stderr */
};

/* Runs one CNI command.  0: *out is the JSON to print (NULL when the verb
 * prints nothing).  <0: err is filled.  version receives the cniVersion to
 * answer in (the request's when it had a usable one). */
int pflink_cni_run(const struct pflink_req *req, struct pflink_log *log, char **out,
		   struct pflink_err *err, char version[16]);

#endif

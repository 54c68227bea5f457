/* SPDX-License-Identifier: MIT */
/*
 * The pflink CNI verbs.  plugin/main.c only gathers the environment and
 * stdin, calls pflink_cni_run() and prints what it returns.
 */
#ifndef PFLINK_VERBS_H
#define PFLINK_VERBS_H

#include "pflink/log.h"

#include <stddef.h>

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

/* Runs one CNI command.  0: *out is the JSON to print (NULL when the verb
 * prints nothing).  <0: err is filled.  version receives the cniVersion to
 * answer in (the request's when it had a usable one). */
int pflink_cni_run(const struct pflink_req *req, struct pf_log *log, char **out,
		   struct pflink_err *err, char version[16]);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * A pflinkd request line (docs/agent-protocol.md), parsed apart from any
 * socket or map so it can be fuzzed: what the serving loop and the answers
 * read of a request, and nothing else.
 */
#ifndef PFLINK_AGENT_REQUEST_H
#define PFLINK_AGENT_REQUEST_H

#include "pflink/pci.h"

#include <stddef.h>

enum agent_op {
	AGENT_OP_HEALTH, AGENT_OP_NUDGE, AGENT_OP_TOPOLOGY, AGENT_OP_PF, AGENT_OP_VF, AGENT_OP_POD, AGENT_OP_LEAKS,
	AGENT_OP_DEVLINK,
	AGENT_OP_PF_HEALTH,
	AGENT_OP_N
};

#define AGENT_VFS_ALL  (-1)	/* pf without "vfIndex": every VF */
#define AGENT_VFS_NONE (-2)	/* "vfIndex": -1 */

struct agent_req {
	struct cJSON *root;		/* owns the strings below */
	enum agent_op op;
	char bdf[PCI_BDF_LEN];		/* pf, vf: canonical */
	const char *netns;		/* pf, nudge: a netns path to track now; NULL */
	int vf_index;			/* pf: AGENT_VFS_ALL, AGENT_VFS_NONE or one VF's index */
	const char *pod_ns, *pod_name;	/* pod */
};

/* Parse one request line (no newline; buf need not be NUL-terminated).
 * 0 and *out filled (free with agent_req_free); else why holds the error
 * answer's words (NUL-terminated, cut to whylen) and the result is
 * -EBADMSG when the line is not a JSON object at all (the client is then
 * dropped) or -EINVAL for an object that is not a valid request. */
int agent_req_parse(const char *buf, size_t len, struct agent_req *out, char *why, size_t whylen);
void agent_req_free(struct agent_req *r);

/* The op's name on the wire ("health", ...). */
const char *agent_op_name(enum agent_op op);

#endif

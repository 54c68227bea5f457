/* SPDX-License-Identifier: MIT */
/*
 * Step 6 of the resolution chain through pflinkd: the PF's netdevs from the
 * node agent's "pf" answer (docs/agent-protocol.md), read into the same
 * struct the direct scan fills, so the plugin's answer does not depend on
 * who found the PF.
 */
#ifndef PFLINK_ASK_AGENT_H
#define PFLINK_ASK_AGENT_H

#include "pflink/log.h"
#include "pflink/resolve.h"

struct cJSON;

/* Ask the agent at sock (whole exchange within timeout_ms) for PF pf_bdf,
 * naming the pod's netns so the agent tracks it before the pod runs.
 * 0 and *pf filled, or <0 with *why saying, for the log, why the plugin
 * resolves on its own instead. */
int ask_agent_pf(const char *sock, unsigned timeout_ms, const char *pf_bdf, const char *netns,
		 int vf_index, const struct pf_log *log, struct pf_info *pf, const char **why);

/* The "pf" object of a "pf" answer into pf, with the representor of
 * vf_index.  Netdevs whose port name makes them representors are left out
 * (classify.h).  Pure (fuzzed); -EBADMSG on a malformed object, -ENODEV
 * when it lists no PF netdev. */
int ask_agent_parse_pf(const struct cJSON *pf_obj, int vf_index, struct pf_info *pf);

#endif

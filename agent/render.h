/* SPDX-License-Identifier: MIT */
/*
 * pflinkctl's views: a pflinkd answer (docs/agent-protocol.md) in, text out.
 * Pure: no socket, no environment, no tty probing -- the caller decides on
 * colour and hands in the stream (a memstream in the tests).
 *
 * Every string that came from the agent is printed through a filter that
 * replaces control characters, invalid UTF-8 and bidi overrides with '?':
 * pod names and netns paths reach the agent from other parties, and must
 * not drive the operator's terminal.
 *
 * Each function returns 0, -EBADMSG when the answer lacks what its op
 * promises (e.g. "pfs" is not an array), or -ENOMEM.  Write errors are left
 * in the stream for the caller's ferror().
 */
#ifndef PFLINK_RENDER_H
#define PFLINK_RENDER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

struct render_opts {
	bool color;	/* ANSI SGR: PF bold, pod green, orphan red, absent dim */
};

/* op "topology": every PF as a tree of its VFs, then a one-line summary. */
int render_topology(FILE *f, const cJSON *answer, const struct render_opts *o);
/* op "pf": one PF and its VFs. */
int render_pf(FILE *f, const cJSON *answer, const struct render_opts *o);
/* op "vf": the VF under its PF. */
int render_vf(FILE *f, const cJSON *answer, const struct render_opts *o);
/* op "pod": the pod's VFs, grouped under their PFs. */
int render_pod(FILE *f, const cJSON *answer, const char *ns, const char *name,
	       const struct render_opts *o);
/* op "health": one line (also for an "ok":false answer). */
int render_health(FILE *f, const cJSON *answer, const struct render_opts *o);

/* op "leaks": one line per leak (kind, VF, words), then their number;
 * *count is that number. */
int render_leaks(FILE *f, const cJSON *answer, const struct render_opts *o, unsigned *count);

/* op "pf-health": each PF's link, then one line per finding (kind, PF,
 * words) and each pod it names; *count is the number of findings. */
int render_pf_health(FILE *f, const cJSON *answer, const struct render_opts *o, unsigned *count);

/* op "devlink": each instance with its eswitch mode, its ports (flavour,
 * PF and VF numbers, netdev, port name) under it. */
int render_devlink(FILE *f, const cJSON *answer, const struct render_opts *o);

/* A heap copy of s with the same filter, for text the caller prints itself
 * (the agent's error messages).  NULL when out of memory. */
char *render_safe_text(const char *s);

#endif

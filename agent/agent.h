/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's core: a live map of every PCI netdev in every network namespace
 * of the node, kept current by link events, and served on a unix socket
 * (docs/agent-protocol.md).
 *
 * A socket holds a reference on the netns it was made in.  The agent keeps
 * an event socket in each netns it tracks, so it must let go of a netns as
 * soon as nothing else holds it, or a dead pod's netns would live on and
 * its VF would never return to the host.  Discovery is therefore re-run on
 * every mount change (bind-mounted netns), on a timer (netns held only by
 * processes) and on request, and a netns it no longer finds is dropped.
 */
#ifndef PFLINK_AGENT_H
#define PFLINK_AGENT_H

#include "pflink/log.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

struct agent_opts {
	const char *socket;	/* default /run/pflink/pflinkd.sock */
	const char *sysfs;	/* default /sys */
	const char *proc;	/* default /proc */
	const char *state_dir;	/* pflink's stateDir, default /run/pflink/state */
	unsigned rescan_ms;	/* periodic discovery, default 5000 */
	const char *metrics_address;	/* /metrics on "ADDR:PORT"; NULL: off */
	/* Links a netns may have before it is marked and only its links with
	 * a parent device are kept (default AGENT_LINK_BUDGET). */
	unsigned link_budget;
	/* Track netns owned by a user namespace other than the host's even
	 * when discovery is what finds them (pflink's ADD always is). */
	bool track_userns;
	/* The runtimes' bundle roots (pods/index.h); NULL: the default, "": not read. */
	const char *containerd_root, *crio_root;
	/* Find our nsfs mounts in mountinfo, never by listmount (the path of
	 * kernels before 6.8; docs/design-notes.md §30). */
	bool mountinfo;
	struct pf_log *log;
};

#define AGENT_LINK_BUDGET 4096

struct agent;

/* On failure why (whylen bytes) names what could not be used: the sysfs,
 * the procfs, the host netns. */
int agent_new(const struct agent_opts *o, struct agent **out, char *why, size_t whylen);
void agent_free(struct agent *a);

/* Discover netns (new ones are scanned, vanished ones dropped), and
 * wait until every new one is tracked. */
int agent_discover(struct agent *a);
/* The same for a loop that serves meanwhile: the walk and the drops now,
 * the new netns entered by a worker thread and taken by
 * agent_discover_step when agent_discover_fd is readable.  fd_limit > 0
 * is the descriptor the worker's sockets must stay below (the map's
 * share of RLIMIT_NOFILE, without the headroom the loop keeps).  While
 * one runs, another start only sets agent_discover_again. */
int agent_discover_start(struct agent *a, int fd_limit);
/* Take what the worker has done (all of it, waiting, with wait); returns
 * 1 when the discovery ended. */
int agent_discover_step(struct agent *a, bool wait);
bool agent_discover_busy(const struct agent *a);
/* The worker has done netns the loop has not taken yet (a step takes a
 * slice of them): call agent_discover_step again without waiting. */
bool agent_discover_ready(const struct agent *a);
/* An eventfd readable when the worker has done more, or -1. */
int agent_discover_fd(const struct agent *a);
/* True (once) when a discovery was asked for while one ran. */
bool agent_discover_again(struct agent *a);
/* Track the netns at path now (pflink's nudge). */
int agent_track_path(struct agent *a, const char *path);
/* The same without waiting: a thread enters it and makes its sockets,
 * the loop attaches them in agent_track_step (agent_discover_fd says when)
 * or agent_track_settle (waits for every one pending).  fd_limit as for
 * agent_discover_start. */
int agent_track_start(struct agent *a, const char *path, int fd_limit);
void agent_track_step(struct agent *a);
void agent_track_settle(struct agent *a);
/* True when the netns at path is tracked already (its pending events are
 * then read): no descriptor taken, so no budget needed. */
bool agent_track_known(struct agent *a, const char *path);
/* Read pending link events of every netns; returns events handled. */
int agent_poll_events(struct agent *a, int timeout_ms);
/* The serving loop's share of dumps that go on in the background (a
 * netns over its link budget): one slice, or a due dump begun.  Returns
 * how long the loop may wait before calling again: 0, ms, or -1 (no
 * dump pending). */
int agent_dump_work(struct agent *a);

/* Answer one parsed protocol request (the caller frames it, and does the
 * tracking a "pf" or "nudge" asks for first). */
struct agent_req;
cJSON *agent_answer(struct agent *a, const struct agent_req *req);

/* The serving loop: listens on o->socket until SIGTERM/SIGINT.  On a
 * failure to start serving, why names what. */
int agent_serve(struct agent *a, char *why, size_t whylen);
/* Calls that may track new netns (agent_new, agent_discover,
 * agent_track_path) belong between agent_fd_map_mode(true) and (false):
 * they then leave a headroom of RLIMIT_NOFILE to the serving loop. */
void agent_fd_map_mode(bool map);

struct agent_stats {
	unsigned netns, devices, pfs, vfs, representors;
	unsigned long long scans, events, last_scan_ns;
	unsigned long long deferred, overflows, probes;
	/* The last discovery: netns found but not tracked, and why (an errno;
	 * EMFILE/ENFILE when any of them was for want of descriptors). */
	unsigned ns_skipped;
	int skip_err;
	/* Processes and tasks whose ns/net the kernel refused to show us. */
	unsigned ns_denied;
	/* The last discovery: netns owned by another user namespace, not
	 * tracked (--track-userns-netns tracks them). */
	unsigned ns_userns;
	/* Tracked netns over the link budget now. */
	unsigned ns_over_budget;
};
void agent_get_stats(const struct agent *a, struct agent_stats *s);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * A snapshot (snapshot.h) as Prometheus' text exposition format 0.0.4:
 * pure, no I/O but the stream it is handed.  Names and labels follow
 * Prometheus' conventions: snake_case, base units, _total counters, _info
 * series of value 1 carrying the metadata to join on.  The series and
 * what each means: docs/metrics.md.
 */
#ifndef PFLINK_AGENT_METRICS_H
#define PFLINK_AGENT_METRICS_H

#include "snapshot.h"

#include <stdio.h>

struct mx_render_opts {
	const char *version;		/* pflink_build_info's */
	unsigned long long now_ns;	/* CLOCK_MONOTONIC at rendering: the snapshot's age */
	unsigned long long collections;	/* snapshots taken since start */
};

/* Write every series of s to f; -ENOMEM, or 0 (write errors are left in
 * f for the caller's ferror()). */
int metrics_render(FILE *f, const struct mx_snap *s, const struct mx_render_opts *o);

/* A PF's IFLA_VF_STATS, as metrics_render judges them: "reported" (some
 * VF's counter is not 0), "zero" (every VF's counters are 0: igb and other
 * drivers without ndo_get_vf_stats send zeros, which are not traffic),
 * "none" (no VF table, or not read). */
const char *metrics_vf_stats_state(const struct mx_snap *s, const struct mx_pf *p);

#endif

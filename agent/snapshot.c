/* SPDX-License-Identifier: MIT */
#include "snapshot.h"

#include <stdlib.h>

/* Lookups take 50-500 us, a netns dump 0.1-5 ms, a discovery of 1000
 * netns 0.1-0.3 s: one set of bounds covers all three. */
const double mx_hist_bounds[MX_HIST_BUCKETS] = {
	0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
	0.001, 0.0025, 0.005, 0.01, 0.1, 1,
};

void mx_hist_observe(struct mx_hist *h, unsigned long long ns)
{
	unsigned i;

	for (i = 0; i < MX_HIST_BUCKETS && (double)ns > mx_hist_bounds[i] * 1e9; i++)
		;
	h->bucket[i]++;
	h->count++;
	h->sum_ns += ns;
}

void mx_snap_free(struct mx_snap *s)
{
	if (!s)
		return;
	free(s->pfs);
	free(s->vfs);
	free(s->stale);
	free(s->holders);
	free(s);
}

const struct pod_holder *mx_vf_holders(const struct mx_snap *s, const struct mx_vf *v, unsigned *n)
{
	*n = v->holder0 + v->n_holders <= s->n_holders ? v->n_holders : 0;
	return *n ? s->holders + v->holder0 : NULL;
}

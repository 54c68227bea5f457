/* SPDX-License-Identifier: MIT */
/* For the tests of agent/metrics.c: a snapshot rendered to text, and a
 * whole-line search in it. */
#ifndef PFLINK_TEST_MX_T_H
#define PFLINK_TEST_MX_T_H

#include "t.h"
#include "metrics.h"

#include <stdio.h>
#include <string.h>

static inline char *mx_t_render(const struct mx_snap *s, const struct mx_render_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	CHECK_EQ_INT(metrics_render(f, s, o), 0);
	fclose(f);
	return buf;
}

/* text has line as a whole line */
static inline bool mx_t_has(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

#endif

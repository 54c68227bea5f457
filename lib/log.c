/* SPDX-License-Identifier: MIT */
#include "pflink/log.h"
#include "pflink/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const log_levels[] = { "error", "warning", "info", "debug" };

const char *pf_log_level_name(enum pf_log_level l)
{
	return (unsigned)l < ARRAY_SIZE(log_levels) ? log_levels[l] : "?";
}

int pf_log_level_parse(const char *s)
{
	unsigned i;

	for (i = 0; s && i < ARRAY_SIZE(log_levels); i++)
		if (!strcmp(s, log_levels[i]))
			return (int)i;
	return -1;
}

void pf_logf(const struct pf_log *log, enum pf_log_level lvl, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!log || !log->fn || lvl > log->level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log->fn(log->ud, lvl, buf);
}

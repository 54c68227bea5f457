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

void pf_log_escape(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!len)
		return;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x20 && c != 0x7f) {
			if (o + 1 >= len)
				break;
			out[o++] = (char)c;
			continue;
		}
		if (o + 4 >= len)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
}

void pf_vlogf(const struct pf_log *log, enum pf_log_level lvl, const char *fmt, va_list ap)
{
	char raw[1024], buf[1024];

	if (!log || !log->fn || lvl > log->level)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* What is logged quotes configs, the environment and the kernel: a
	 * deviceID holding a newline must not make a line of its own. */
	pf_log_escape(raw, buf, sizeof(buf));
	log->fn(log->ud, lvl, buf);
}

void pf_logf(const struct pf_log *log, enum pf_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pf_vlogf(log, lvl, fmt, ap);
	va_end(ap);
}

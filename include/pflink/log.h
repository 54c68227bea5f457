/* SPDX-License-Identifier: MIT */
/*
 * Logging without printing: the core reports through a struct pf_log, and
 * each main decides where the lines go (pflink: stderr or the netconf's
 * logFile; pflinkd: stderr).
 */
#ifndef PFLINK_LOG_H
#define PFLINK_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum pf_log_level { PF_LOG_ERROR, PF_LOG_WARNING, PF_LOG_INFO, PF_LOG_DEBUG };

/* "error" "warning" "info" "debug", and back (-1 for anything else). */
const char *pf_log_level_name(enum pf_log_level l);
int pf_log_level_parse(const char *s);

struct pf_log {
	void (*fn)(void *ud, enum pf_log_level lvl, const char *msg);
	void *ud;
	enum pf_log_level level;	/* lines above it are not formatted at all */
	const char *file;		/* where the sink writes; NULL: its default */
};

/* Format and hand one line to log->fn when lvl is within log->level, its
 * control characters written \xNN (pf_log_escape): one message is one
 * line, whatever it quotes.  A NULL log, or one without fn, takes
 * nothing. */
__attribute__((format(printf, 3, 4)))
void pf_logf(const struct pf_log *log, enum pf_log_level lvl, const char *fmt, ...);
__attribute__((format(printf, 3, 0)))
void pf_vlogf(const struct pf_log *log, enum pf_log_level lvl, const char *fmt, va_list ap);

/* in with C0 control characters and DEL written \xNN, into out (len
 * bytes, always terminated; cut where the rest does not fit). */
void pf_log_escape(const char *in, char *out, size_t len);

#endif

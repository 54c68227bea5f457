/* SPDX-License-Identifier: MIT */
/*
 * pflink: CNI meta-plugin.  Reads the environment and stdin, runs the verb,
 * prints exactly one JSON object on stdout (result or error).  Logs go to
 * stderr or the netconf's logFile, never stdout.
 */
#include "cni.h"
#include "verbs.h"
#include "pflink/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

static void log_line(void *ud, enum pf_log_level lvl, const char *msg)
{
	struct pf_log *log = ud;
	char ts[32], line[1400];
	time_t now = time(NULL);
	struct tm tm;
	int fd = 2, n;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s pflink[%d] %s: %s\n", ts, (int)getpid(), pf_log_level_name(lvl), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (log->file)
		fd = open(log->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fd = 2;	/* an unwritable logFile must not lose the line */
	/* One write(2) per line: concurrent plugins appending to one logFile
	 * do not interleave within a line. */
	if (write(fd, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
	if (fd != 2)
		close(fd);
}

/* stdin up to the config limit; one byte more marks "too big". */
static char *read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > CNI_CONFIG_MAX)
				break;
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(0, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

/* The answer and a newline on stdout, in as few write(2)s as the pipe
 * takes: stdio would first fstat stdout and ask whether it is a tty. */
static int emit(const char *s)
{
	struct iovec iov[2] = { { (void *)s, strlen(s) }, { (void *)"\n", 1 } };
	unsigned i = 0;

	while (i < 2) {
		ssize_t w = writev(1, iov + i, (int)(2 - i));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		for (; i < 2 && (size_t)w >= iov[i].iov_len; i++)
			w -= (ssize_t)iov[i].iov_len;
		if (i < 2) {
			iov[i].iov_base = (char *)iov[i].iov_base + w;
			iov[i].iov_len -= (size_t)w;
		}
	}
	return 0;
}

int main(void)
{
	struct pf_log log = { .fn = log_line, .level = PF_LOG_WARNING };
	struct pflink_req req = {
		.command = getenv("CNI_COMMAND"),
		.container_id = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
		.args = getenv("CNI_ARGS"),
	};
	_cleanup_free_ char *in = NULL, *out = NULL;
	struct pflink_err err;
	char version[16];
	size_t len = 0;

	log.ud = &log;
	/* VERSION may come with no stdin at all (a terminal): do not wait. */
	if (!(req.command && !strcmp(req.command, "VERSION") && isatty(0))) {
		in = read_stdin(&len);
		req.conf = in;
		req.conf_len = len;
	}
	if (pflink_cni_run(&req, &log, &out, &err, version) < 0) {
		_cleanup_free_ char *e = cni_error_json(version, err.code, err.msg, err.details);

		if (e)
			emit(e);
		return 1;
	}
	return out && emit(out) < 0 ? 1 : 0;
}

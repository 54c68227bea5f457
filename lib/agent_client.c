/* SPDX-License-Identifier: MIT */
#include "pflink/agent_client.h"
#include "pflink/json.h"
#include "pflink/util.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int agent_parse_response(const char *buf, size_t len, cJSON **out)
{
	_cleanup_agent_json_ cJSON *o = NULL;
	const cJSON *v, *ok;

	if (!buf || !out)
		return -EINVAL;
	if (len > AGENT_CLIENT_RESPONSE_MAX)
		return -EMSGSIZE;
	/* Exactly one value, no NUL, no repeated key: an answer with "ok"
	 * twice means one thing to cJSON and another to a Go client. */
	o = json_parse_exact(buf, len);
	if (!o)
		return -EBADMSG;
	if (!cJSON_IsObject(o))
		return -EBADMSG;
	v = cJSON_GetObjectItemCaseSensitive(o, "v");
	if (!cJSON_IsNumber(v))
		return -EBADMSG;
	if (v->valuedouble != AGENT_CLIENT_PROTOCOL)
		return -EPROTONOSUPPORT;
	ok = cJSON_GetObjectItemCaseSensitive(o, "ok");
	if (!cJSON_IsBool(ok))
		return -EBADMSG;
	*out = TAKE_PTR(o);
	return 0;
}

const char *agent_response_error(const cJSON *resp)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
	const cJSON *err;

	if (cJSON_IsTrue(ok))
		return NULL;
	err = cJSON_GetObjectItemCaseSensitive(resp, "error");
	if (cJSON_IsString(err) && err->valuestring[0])
		return err->valuestring;
	return "no reason given";
}

/* Milliseconds left until deadline (ns, monotonic), rounded up, so a poll
 * never returns just before the deadline and spins; 0 once it has passed. */
static int ms_left(unsigned long long deadline)
{
	unsigned long long now = pf_now_ns(), ms;

	if (now >= deadline)
		return 0;
	ms = (deadline - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static int wait_fd(int fd, short events, unsigned long long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int ms = ms_left(deadline), r;

		if (ms == 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* POLLERR/POLLHUP: the next send/recv reports what happened. */
		if (r > 0)
			return 0;
	}
}

static int connect_by(int fd, const struct sockaddr_un *sa, unsigned long long deadline)
{
	int pause_ms = 1;

	for (;;) {
		int ms, err = 0;
		socklen_t elen = sizeof(err);

		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		switch (errno) {
		case EINTR:
			continue;
		case EINPROGRESS: {
			int r = wait_fd(fd, POLLOUT, deadline);

			if (r < 0)
				return r;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
				return -errno;
			return -err;
		}
		case EAGAIN:
			/* AF_UNIX does not queue a non-blocking connect when the
			 * listener's backlog is full (an agent that stopped
			 * accepting): it fails with EAGAIN and there is nothing to
			 * poll on.  Retry, backing off, until the deadline. */
			ms = ms_left(deadline);
			if (ms == 0)
				return -ETIMEDOUT;
			poll(NULL, 0, ms < pause_ms ? ms : pause_ms);
			if (pause_ms < 50)
				pause_ms *= 2;
			continue;
		default:
			return -errno;
		}
	}
}

static int send_all(int fd, const char *p, size_t n, unsigned long long deadline)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			int r;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			r = wait_fd(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One answer line, newline excluded.  *eof tells whether the peer closed
 * before sending a newline (then the buffer holds what came). */
/* How long to ask again for an answer before sleeping in poll(): the
 * agent answers a pod start's question in tens of microseconds, and a
 * thread that sleeps first pays a wake-up on top (~40 us on a VM whose
 * idle CPU halts).  Bounded: a slow agent costs this much CPU once. */
#define SPIN_NS 60000ull

static int recv_line(int fd, unsigned long long deadline, char **out, size_t *out_len, bool *eof)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, len = 0;
	unsigned long long spin_until = pf_now_ns() + SPIN_NS;

	*eof = false;
	for (;;) {
		ssize_t n;
		char *nl;

		if (len == cap) {
			/* Room for the longest accepted line plus its newline. */
			size_t max = (size_t)AGENT_CLIENT_RESPONSE_MAX + 1, ncap;
			char *nb;

			if (cap >= max)
				return -EMSGSIZE;
			ncap = cap ? cap * 2 : 4096;
			if (ncap > max)
				ncap = max;
			nb = realloc(buf, ncap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			cap = ncap;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0) {
			int r;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			if (pf_now_ns() < spin_until)
				continue;
			r = wait_fd(fd, POLLIN, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (n == 0) {
			if (len == 0)
				return -ECONNRESET;
			*eof = true;
			break;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			len = (size_t)(nl - buf);
			break;
		}
	}
	*out = TAKE_PTR(buf);
	*out_len = len;
	return 0;
}

static int read_answer(int fd, unsigned long long deadline, cJSON **resp)
{
	_cleanup_free_ char *line = NULL;
	size_t len = 0;
	bool eof;
	int r;

	r = recv_line(fd, deadline, &line, &len, &eof);
	if (r < 0)
		return r;
	r = agent_parse_response(line, len, resp);
	/* Closed mid-answer (the agent died while writing): say so, rather
	 * than blame the agent for sending bad JSON. */
	if (r == -EBADMSG && eof)
		return -ECONNRESET;
	return r;
}

int agent_request(const char *sock_path, const cJSON *req, unsigned timeout_ms, cJSON **resp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *line = NULL;
	unsigned long long deadline;
	size_t n;
	int r;

	if (!sock_path || !*sock_path || !cJSON_IsObject(req) || !resp || timeout_ms == 0)
		return -EINVAL;
	deadline = pf_now_ns() + (unsigned long long)timeout_ms * 1000000ull;
	if (pf_strscpy(sa.sun_path, sock_path, sizeof(sa.sun_path)) < 0)
		return -ENAMETOOLONG;

	line = cJSON_PrintUnformatted(req);
	if (!line)
		return -ENOMEM;
	/* cJSON escapes control characters in strings, so the printed object
	 * holds no newline of its own and the framing below is sound. */
	n = strlen(line);
	if (n + 1 > AGENT_CLIENT_REQUEST_MAX)
		return -E2BIG;
	{
		char *nb = realloc(line, n + 2);

		if (!nb)
			return -ENOMEM;
		line = nb;
		line[n++] = '\n';
		line[n] = '\0';
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	r = connect_by(fd, &sa, deadline);
	if (r < 0)
		return r;
	r = send_all(fd, line, n, deadline);
	if (r == -EPIPE || r == -ECONNRESET) {
		/* The agent hung up before taking the request -- it refuses a
		 * peer with one error line, then closes.  That line is the
		 * answer worth showing, if it got here. */
		if (read_answer(fd, deadline, resp) == 0)
			return 0;
		return -ECONNRESET;
	}
	if (r < 0)
		return r;
	return read_answer(fd, deadline, resp);
}

int agent_request_simple(const char *sock_path, const char *op, const char *key,
			 const char *val, unsigned timeout_ms, cJSON **resp)
{
	_cleanup_agent_json_ cJSON *req = NULL;

	if (!op || (key && !val))
		return -EINVAL;
	req = cJSON_CreateObject();
	if (!req ||
	    !json_add_int(req, "v", AGENT_CLIENT_PROTOCOL) ||
	    !cJSON_AddStringToObject(req, "op", op) ||
	    (key && !cJSON_AddStringToObject(req, key, val)))
		return -ENOMEM;
	return agent_request(sock_path, req, timeout_ms, resp);
}

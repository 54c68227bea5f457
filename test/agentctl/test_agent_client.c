/* SPDX-License-Identifier: MIT */
/*
 * lib/agent_client.c: the answer parser, and agent_request() against
 * in-process servers that answer, stall, refuse, overflow or hang up.
 */
#include "t.h"
#include "pflink/agent_client.h"
#include "pflink/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

static char *tmp;

/* ---- agent_parse_response ------------------------------------------- */

static int parse(const char *s, cJSON **out)
{
	return agent_parse_response(s, strlen(s), out);
}

static void test_parse(void)
{
	static const struct {
		const char *in;
		int want;
	} cases[] = {
		{ "{\"v\":1,\"ok\":true}", 0 },
		{ "{\"v\":1,\"ok\":true}\n", 0 },
		{ "{\"v\":1,\"ok\":true}\r\n", 0 },
		{ "  {\"ok\":false,\"v\":1,\"error\":\"PF 0000:01:00.0 not found\"}  ", 0 },
		{ "{\"v\":1.0,\"ok\":true,\"pfs\":[]}", 0 },
		{ "", -EBADMSG },
		{ "\n", -EBADMSG },
		{ "this is not json", -EBADMSG },
		{ "[{\"v\":1,\"ok\":true}]", -EBADMSG },
		{ "1", -EBADMSG },
		{ "\"v\"", -EBADMSG },
		{ "null", -EBADMSG },
		{ "{}", -EBADMSG },
		{ "{\"v\":1}", -EBADMSG },
		{ "{\"ok\":true}", -EBADMSG },
		{ "{\"v\":\"1\",\"ok\":true}", -EBADMSG },
		{ "{\"v\":null,\"ok\":true}", -EBADMSG },
		{ "{\"v\":1,\"ok\":\"yes\"}", -EBADMSG },
		{ "{\"v\":1,\"ok\":1}", -EBADMSG },
		{ "{\"v\":1,\"ok\":true", -EBADMSG },
		{ "{\"v\":1,\"ok\":true}{\"v\":1,\"ok\":true}", -EBADMSG },
		{ "{\"v\":1,\"ok\":true}\n{\"v\":1,\"ok\":true}", -EBADMSG },
		{ "{\"v\":1,\"ok\":true} x", -EBADMSG },
		/* cJSON reads the first "ok", a Go client the last. */
		{ "{\"v\":1,\"ok\":true,\"ok\":false}", -EBADMSG },
		{ "{\"v\":1,\"ok\":true,\"pf\":{\"a\":1,\"a\":2}}", -EBADMSG },
		{ "{\"v\":2,\"ok\":true}", -EPROTONOSUPPORT },
		{ "{\"v\":0,\"ok\":true}", -EPROTONOSUPPORT },
		{ "{\"v\":1.5,\"ok\":true}", -EPROTONOSUPPORT },
	};
	cJSON *sentinel = (cJSON *)&sentinel;

	T_SECTION("agent_parse_response");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cJSON *out = sentinel;
		int r = parse(cases[i].in, &out);

		t_check(r == cases[i].want, __FILE__, __LINE__, "parse(%s) = %d, want %d",
			cases[i].in, r, cases[i].want);
		if (r == 0) {
			CHECK(cJSON_IsObject(out));
			cJSON_Delete(out);
		} else {
			CHECK(out == sentinel);	/* untouched on failure */
		}
	}
	{
		static const char nul[] = "{\"v\":1,\"ok\":true}\0junk";
		cJSON *out = sentinel;

		CHECK_EQ_INT(agent_parse_response(nul, sizeof(nul) - 1, &out), -EBADMSG);
		CHECK(out == sentinel);
		/* Not NUL-terminated: only len bytes are read (ASan watches). */
		char *exact = malloc(17);

		memcpy(exact, "{\"v\":1,\"ok\":true}", 17);
		CHECK_EQ_INT(agent_parse_response(exact, 17, &out), 0);
		cJSON_Delete(out);
		out = sentinel;
		CHECK_EQ_INT(agent_parse_response(exact, 12, &out), -EBADMSG);
		free(exact);
	}
	{
		size_t n = (size_t)AGENT_CLIENT_RESPONSE_MAX + 1;
		char *big = malloc(n);
		cJSON *out = sentinel;

		CHECK(big != NULL);
		if (big) {
			memset(big, ' ', n);
			CHECK_EQ_INT(agent_parse_response(big, n, &out), -EMSGSIZE);
			free(big);
		}
		CHECK(out == sentinel);
	}
	CHECK_EQ_INT(agent_parse_response(NULL, 0, &sentinel), -EINVAL);

	T_SECTION("agent_response_error");
	{
		cJSON *o = NULL;

		CHECK_EQ_INT(parse("{\"v\":1,\"ok\":true,\"error\":\"ignored\"}", &o), 0);
		CHECK(agent_response_error(o) == NULL);
		cJSON_Delete(o);
		CHECK_EQ_INT(parse("{\"v\":1,\"ok\":false,\"error\":\"VF 0000:01:10.0 not found\"}", &o), 0);
		CHECK_STR(agent_response_error(o), "VF 0000:01:10.0 not found");
		cJSON_Delete(o);
		CHECK_EQ_INT(parse("{\"v\":1,\"ok\":false}", &o), 0);
		CHECK_STR(agent_response_error(o), "no reason given");
		cJSON_Delete(o);
		CHECK_EQ_INT(parse("{\"v\":1,\"ok\":false,\"error\":\"\"}", &o), 0);
		CHECK_STR(agent_response_error(o), "no reason given");
		cJSON_Delete(o);
	}
}

/* ---- in-process servers --------------------------------------------- */

enum mode {
	M_ANSWER,	/* read a line, send .answer (raw bytes), close */
	M_SILENT,	/* read, hold the connection until stopped */
	M_NOACCEPT,	/* backlog full, never accept */
	M_HANGUP,	/* accept, close at once */
	M_TRICKLE,	/* read a line, send .answer a byte at a time */
	M_REFUSE,	/* send .answer without reading, close */
};

struct srv {
	enum mode mode;
	char path[256];
	int lfd, stop[2], filler;
	const char *answer;
	size_t answer_len;
	unsigned conns;		/* connections to serve */
	char request[4096];	/* the last request line received */
	pthread_t th;
};

static bool stopped(struct srv *s, int ms)
{
	struct pollfd p = { .fd = s->stop[0], .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

static void srv_read_line(struct srv *s, int fd)
{
	size_t n = 0;

	while (n < sizeof(s->request) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 5000) <= 0)
			break;
		k = read(fd, s->request + n, 1);
		if (k <= 0)
			break;
		if (s->request[n++] == '\n')
			break;
	}
	s->request[n] = '\0';
}

static void srv_send(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	if (s->mode == M_NOACCEPT) {
		stopped(s, -1);
		return NULL;
	}
	for (unsigned c = 0; c < s->conns; c++) {
		struct pollfd p[2] = { { .fd = s->lfd, .events = POLLIN },
				       { .fd = s->stop[0], .events = POLLIN } };
		int fd;

		if (poll(p, 2, -1) <= 0 || (p[1].revents & POLLIN))
			return NULL;
		fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return NULL;
		switch (s->mode) {
		case M_ANSWER:
			srv_read_line(s, fd);
			srv_send(fd, s->answer, s->answer_len);
			break;
		case M_SILENT:
			srv_read_line(s, fd);
			stopped(s, -1);
			break;
		case M_HANGUP:
			break;
		case M_TRICKLE:
			srv_read_line(s, fd);
			for (size_t i = 0; i < s->answer_len; i++) {
				srv_send(fd, s->answer + i, 1);
				if (stopped(s, 2))
					break;
			}
			break;
		case M_REFUSE:
			srv_send(fd, s->answer, s->answer_len);
			break;
		case M_NOACCEPT:
			break;
		}
		close(fd);
	}
	return NULL;
}

static struct srv *srv_start(enum mode mode, const char *answer, size_t len, unsigned conns)
{
	static unsigned seq;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct srv *s = calloc(1, sizeof(*s));

	if (!s)
		exit(1);
	s->mode = mode;
	s->answer = answer;
	s->answer_len = len;
	s->conns = conns;
	s->filler = -1;
	snprintf(s->path, sizeof(s->path), "%s/s%u.sock", tmp, seq++);
	if (pf_strscpy(sa.sun_path, s->path, sizeof(sa.sun_path)) < 0)
		exit(1);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->lfd, mode == M_NOACCEPT ? 0 : 8) < 0 || pipe2(s->stop, O_CLOEXEC) < 0) {
		printf("FAIL: server setup: %s\n", strerror(errno));
		exit(1);
	}
	if (mode == M_NOACCEPT) {
		/* A backlog of 0 has room for one: take it. */
		s->filler = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (connect(s->filler, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			printf("FAIL: filler connect: %s\n", strerror(errno));
			exit(1);
		}
	}
	if (pthread_create(&s->th, NULL, srv_main, s) != 0)
		exit(1);
	return s;
}

/* Stop, join, free; the request line the server got goes to req (if
 * non-NULL, 4096 bytes). */
static void srv_stop_req(struct srv *s, char *req)
{
	(void)!write(s->stop[1], "x", 1);
	pthread_join(s->th, NULL);
	if (req)
		memcpy(req, s->request, sizeof(s->request));
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	if (s->filler >= 0)
		close(s->filler);
	unlink(s->path);
	free(s);
}

static void srv_stop(struct srv *s)
{
	srv_stop_req(s, NULL);
}

static double now_s(void)
{
	return (double)pf_now_ns() / 1e9;
}

static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#define OK_ANSWER "{\"v\":1,\"ok\":true,\"uptimeSec\":5}\n"

static void test_request(void)
{
	cJSON *sentinel = (cJSON *)&sentinel, *resp;
	struct srv *s;
	double t0;
	int r;

	T_SECTION("round trip");
	{
		char got[4096];

		s = srv_start(M_ANSWER, OK_ANSWER, strlen(OK_ANSWER), 1);
		resp = sentinel;
		CHECK_EQ_INT(agent_request_simple(s->path, "health", NULL, NULL, 2000, &resp), 0);
		CHECK(resp != sentinel && cJSON_IsTrue(cJSON_GetObjectItem(resp, "ok")));
		CHECK_EQ_INT(cJSON_GetObjectItem(resp, "uptimeSec")->valueint, 5);
		cJSON_Delete(resp);
		srv_stop_req(s, got);
		/* One compact line: the framing is the protocol's. */
		CHECK_STR(got, "{\"v\":1,\"op\":\"health\"}\n");

		s = srv_start(M_ANSWER, OK_ANSWER, strlen(OK_ANSWER), 1);
		resp = NULL;
		CHECK_EQ_INT(agent_request_simple(s->path, "pf", "pciAddress", "0000:01:00.0", 2000, &resp), 0);
		cJSON_Delete(resp);
		srv_stop_req(s, got);
		CHECK_STR(got, "{\"v\":1,\"op\":\"pf\",\"pciAddress\":\"0000:01:00.0\"}\n");
	}

	T_SECTION("answer in one-byte pieces");
	s = srv_start(M_TRICKLE, OK_ANSWER, strlen(OK_ANSWER), 1);
	resp = NULL;
	CHECK_EQ_INT(agent_request_simple(s->path, "health", NULL, NULL, 5000, &resp), 0);
	cJSON_Delete(resp);
	srv_stop(s);

	T_SECTION("two lines: the first is the answer");
	{
		static const char two[] = "{\"v\":1,\"ok\":true,\"n\":1}\n{\"v\":1,\"ok\":false}\n";

		s = srv_start(M_ANSWER, two, sizeof(two) - 1, 1);
		resp = NULL;
		CHECK_EQ_INT(agent_request_simple(s->path, "health", NULL, NULL, 2000, &resp), 0);
		CHECK_EQ_INT(cJSON_GetObjectItem(resp, "n")->valueint, 1);
		cJSON_Delete(resp);
		srv_stop(s);
	}

	T_SECTION("whole answer, no newline, then close");
	{
		static const char nonl[] = "{\"v\":1,\"ok\":true}";

		s = srv_start(M_ANSWER, nonl, sizeof(nonl) - 1, 1);
		resp = NULL;
		CHECK_EQ_INT(agent_request_simple(s->path, "health", NULL, NULL, 2000, &resp), 0);
		cJSON_Delete(resp);
		srv_stop(s);
	}

	T_SECTION("no socket");
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/absent.sock", tmp);
		resp = sentinel;
		CHECK_EQ_INT(agent_request_simple(path, "health", NULL, NULL, 2000, &resp), -ENOENT);
		CHECK(resp == sentinel);
	}

	T_SECTION("stale socket");
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/stale.sock", tmp);
		CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		close(fd);
		CHECK_EQ_INT(agent_request_simple(sa.sun_path, "health", NULL, NULL, 2000, &resp), -ECONNREFUSED);
		unlink(sa.sun_path);
		/* A regular file is no better. */
		t_write(sa.sun_path, "x", 1);
		CHECK_EQ_INT(agent_request_simple(sa.sun_path, "health", NULL, NULL, 2000, &resp), -ECONNREFUSED);
		unlink(sa.sun_path);
	}

	/* Lower bounds only: the deadline was waited out.  How soon after it
	 * the client gives up is the bench's (test/bench/deadlines.sh). */
	T_SECTION("silent agent: -ETIMEDOUT, not before the deadline");
	s = srv_start(M_SILENT, NULL, 0, 1);
	t0 = now_s();
	resp = sentinel;
	r = agent_request_simple(s->path, "health", NULL, NULL, 250, &resp);
	t0 = now_s() - t0;
	CHECK_EQ_INT(r, -ETIMEDOUT);
	CHECK(resp == sentinel);
	t_check(t0 >= 0.24, __FILE__, __LINE__, "timed out after %.3f s, want >= 0.25", t0);
	srv_stop(s);

	T_SECTION("agent not accepting, backlog full: -ETIMEDOUT, not before the deadline");
	s = srv_start(M_NOACCEPT, NULL, 0, 0);
	t0 = now_s();
	r = agent_request_simple(s->path, "health", NULL, NULL, 250, &resp);
	t0 = now_s() - t0;
	CHECK_EQ_INT(r, -ETIMEDOUT);
	t_check(t0 >= 0.24, __FILE__, __LINE__, "timed out after %.3f s, want >= 0.25", t0);
	srv_stop(s);

	T_SECTION("trickle slower than the deadline");
	s = srv_start(M_TRICKLE, OK_ANSWER, strlen(OK_ANSWER), 1);
	t0 = now_s();
	/* ~34 bytes at >= 2 ms each cannot make it in 20 ms: the deadline
	 * covers the whole answer, not each read (a deadline per read would
	 * take the whole answer, ~70 ms later, and succeed). */
	r = agent_request_simple(s->path, "health", NULL, NULL, 20, &resp);
	t0 = now_s() - t0;
	CHECK_EQ_INT(r, -ETIMEDOUT);
	CHECK(t0 >= 0.019);
	srv_stop(s);

	T_SECTION("hang-ups");
	s = srv_start(M_HANGUP, NULL, 0, 1);
	r = agent_request_simple(s->path, "health", NULL, NULL, 2000, &resp);
	CHECK(r == -ECONNRESET);
	srv_stop(s);
	{
		static const char half[] = "{\"v\":1,\"ok\":tr";

		s = srv_start(M_ANSWER, half, sizeof(half) - 1, 1);
		CHECK_EQ_INT(agent_request_simple(s->path, "health", NULL, NULL, 2000, &resp), -ECONNRESET);
		srv_stop(s);
	}

	T_SECTION("refused peer: the agent's one line is the answer");
	{
		static const char no[] = "{\"v\":1,\"ok\":false,\"error\":\"uid 1000 is not served\"}\n";

		/* The agent may close before or after the request arrives;
		 * either way the caller gets the error line, and no SIGPIPE. */
		for (int i = 0; i < 20; i++) {
			s = srv_start(M_REFUSE, no, sizeof(no) - 1, 1);
			resp = NULL;
			r = agent_request_simple(s->path, "health", NULL, NULL, 2000, &resp);
			t_check(r == 0, __FILE__, __LINE__, "refused, round %d: %d", i, r);
			if (r == 0)
				CHECK_STR(agent_response_error(resp), "uid 1000 is not served");
			cJSON_Delete(resp);
			srv_stop(s);
		}
	}

	T_SECTION("answer size limit");
	{
		/* {"v":1,"ok":true,"p":"aaa..."}: exactly MAX bytes, then one more. */
		size_t max = AGENT_CLIENT_RESPONSE_MAX, head = strlen("{\"v\":1,\"ok\":true,\"p\":\"");
		char *big = malloc(max + 2);

		CHECK(big != NULL);
		if (big) {
			memcpy(big, "{\"v\":1,\"ok\":true,\"p\":\"", head);
			memset(big + head, 'a', max - head - 2);
			memcpy(big + max - 2, "\"}\n", 3);
			s = srv_start(M_ANSWER, big, max + 1, 1);
			resp = NULL;
			CHECK_EQ_INT(agent_request_simple(s->path, "topology", NULL, NULL, 10000, &resp), 0);
			CHECK_EQ_INT(strlen(cJSON_GetObjectItem(resp, "p")->valuestring), max - head - 2);
			cJSON_Delete(resp);
			srv_stop(s);

			memcpy(big + max - 2, "a\"}", 3);
			big[max + 1] = '\n';
			s = srv_start(M_ANSWER, big, max + 2, 1);
			resp = sentinel;
			CHECK_EQ_INT(agent_request_simple(s->path, "topology", NULL, NULL, 10000, &resp), -EMSGSIZE);
			CHECK(resp == sentinel);
			srv_stop(s);
			free(big);
		}
	}

	T_SECTION("bad arguments");
	{
		cJSON *arr = cJSON_CreateArray(), *req = cJSON_CreateObject();
		char longpath[200];
		char *huge = malloc(AGENT_CLIENT_REQUEST_MAX + 1);

		memset(longpath, 'x', sizeof(longpath) - 1);
		longpath[0] = '/';
		longpath[sizeof(longpath) - 1] = '\0';
		cJSON_AddNumberToObject(req, "v", 1);
		cJSON_AddStringToObject(req, "op", "health");
		resp = sentinel;
		CHECK_EQ_INT(agent_request("/x", req, 0, &resp), -EINVAL);
		CHECK_EQ_INT(agent_request(NULL, req, 100, &resp), -EINVAL);
		CHECK_EQ_INT(agent_request("", req, 100, &resp), -EINVAL);
		CHECK_EQ_INT(agent_request("/x", NULL, 100, &resp), -EINVAL);
		CHECK_EQ_INT(agent_request("/x", arr, 100, &resp), -EINVAL);
		CHECK_EQ_INT(agent_request("/x", req, 100, NULL), -EINVAL);
		CHECK_EQ_INT(agent_request(longpath, req, 100, &resp), -ENAMETOOLONG);
		CHECK_EQ_INT(agent_request_simple("/x", NULL, NULL, NULL, 100, &resp), -EINVAL);
		CHECK_EQ_INT(agent_request_simple("/x", "pf", "pciAddress", NULL, 100, &resp), -EINVAL);
		if (huge) {
			memset(huge, 'a', AGENT_CLIENT_REQUEST_MAX);
			huge[AGENT_CLIENT_REQUEST_MAX] = '\0';
			cJSON_AddStringToObject(req, "netns", huge);
			CHECK_EQ_INT(agent_request("/x", req, 100, &resp), -E2BIG);
			free(huge);
		}
		CHECK(resp == sentinel);
		cJSON_Delete(arr);
		cJSON_Delete(req);
	}
}

static void test_no_fd_leak(void)
{
	unsigned before, after;
	char path[512];
	cJSON *resp;

	T_SECTION("no fd leak");
	snprintf(path, sizeof(path), "%s/absent.sock", tmp);
	before = count_fds();
	for (int i = 0; i < 10; i++) {
		struct srv *s = srv_start(M_ANSWER, OK_ANSWER, strlen(OK_ANSWER), 1);

		resp = NULL;
		CHECK_EQ_INT(agent_request_simple(s->path, "health", NULL, NULL, 2000, &resp), 0);
		cJSON_Delete(resp);
		srv_stop(s);
		CHECK_EQ_INT(agent_request_simple(path, "health", NULL, NULL, 2000, &resp), -ENOENT);
		s = srv_start(M_SILENT, NULL, 0, 1);
		CHECK_EQ_INT(agent_request_simple(s->path, "health", NULL, NULL, 5, &resp), -ETIMEDOUT);
		srv_stop(s);
	}
	after = count_fds();
	CHECK_EQ_INT(after, before);
}

int main(void)
{
	tmp = t_mkdtemp();
	test_parse();
	test_request();
	test_no_fd_leak();
	t_rmrf(tmp);
	free(tmp);
	return t_done();
}

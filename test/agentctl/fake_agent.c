/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for pflinkd, for pflinkctl's tests only: it serves canned
 * protocol answers (docs/agent-protocol.md) from a topology file, or
 * misbehaves in one chosen way.
 *
 *   fake_agent MODE SOCKET [TOPOLOGY.json [REQUEST-LOG]]
 *
 * Prints "ready" on stdout once it listens; runs until killed.  Modes:
 *
 *   serve      answers health/topology/pf/vf/pod from TOPOLOGY.json, and
 *              checks every request as strictly as the protocol states
 *              (an off-spec request gets "ok":false, so the test notices);
 *              each request line is appended to REQUEST-LOG when given
 *   unhealthy  every answer is {"v":1,"ok":false,"error":"netns scan failing"}
 *   silent     accepts, reads, never answers
 *   noaccept   never accepts, and fills its own backlog so a non-blocking
 *              connect gets EAGAIN
 *   garbage    answers "this is not json"
 *   array      answers a JSON array
 *   nov        answers an object without "v"
 *   v2         answers {"v":2,"ok":true}
 *   close      reads the request, closes without a word
 *   partial    sends half an answer, closes
 *   huge       sends an answer line longer than 16 MiB
 *   refuse     like pflinkd refusing a peer: one error line, close, without
 *              reading the request
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static cJSON *topo;
static const char *reqlog;

__attribute__((noreturn))
static void die(const char *what)
{
	fprintf(stderr, "fake_agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		die(path);
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die(path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;	/* the client went away: its business */
		}
		p += w;
		n -= (size_t)w;
	}
}

static void answer(int fd, cJSON *a)
{
	char *s = cJSON_PrintUnformatted(a);

	if (s) {
		write_all(fd, s, strlen(s));
		write_all(fd, "\n", 1);
	}
	free(s);
	cJSON_Delete(a);
}

static cJSON *fail(const char *msg)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddNumberToObject(a, "v", 1);
	cJSON_AddBoolToObject(a, "ok", 0);
	cJSON_AddStringToObject(a, "error", msg);
	return a;
}

static cJSON *okay(void)
{
	cJSON *a = cJSON_CreateObject();

	cJSON_AddNumberToObject(a, "v", 1);
	cJSON_AddBoolToObject(a, "ok", 1);
	return a;
}

static const char *sget(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static cJSON *pf_without_vfs(const cJSON *pf)
{
	cJSON *c = cJSON_Duplicate(pf, 1);

	cJSON_DeleteItemFromObjectCaseSensitive(c, "vfs");
	return c;
}

static cJSON *serve_one(const char *line)
{
	cJSON *req = cJSON_Parse(line), *a = NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "v");
	const cJSON *pfs = cJSON_GetObjectItemCaseSensitive(topo, "pfs"), *pf, *vf;
	const char *op = sget(req, "op");
	char msg[256];

	if (!cJSON_IsObject(req) || !cJSON_IsNumber(v) || v->valuedouble != 1 || !op) {
		a = fail("bad request: want an object with \"v\":1 and \"op\"");
		goto out;
	}
	if (cJSON_GetArraySize(req) != 2 + (!strcmp(op, "pf") || !strcmp(op, "vf")) +
					   2 * !strcmp(op, "pod")) {
		a = fail("bad request: unexpected members");
		goto out;
	}
	if (!strcmp(op, "topology")) {
		a = cJSON_Duplicate(topo, 1);
	} else if (!strcmp(op, "health")) {
		int nvf = 0;

		cJSON_ArrayForEach(pf, pfs)
			nvf += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pf, "vfs"));
		a = okay();
		cJSON_AddNumberToObject(a, "uptimeSec", 3725);
		cJSON_AddNumberToObject(a, "netns", 6);
		cJSON_AddNumberToObject(a, "pfs", cJSON_GetArraySize(pfs));
		cJSON_AddNumberToObject(a, "vfs", nvf);
		cJSON_AddNumberToObject(a, "scans", 42);
		cJSON_AddNumberToObject(a, "events", 1234);
		cJSON_AddNumberToObject(a, "lastScanMs", 3);
	} else if (!strcmp(op, "pf") || !strcmp(op, "vf")) {
		const char *want = sget(req, "pciAddress");

		if (!want) {
			a = fail("bad request: no pciAddress");
			goto out;
		}
		cJSON_ArrayForEach(pf, pfs) {
			if (!strcmp(op, "pf") && !strcmp(sget(pf, "pciAddress"), want)) {
				a = okay();
				cJSON_AddItemToObject(a, "pf", cJSON_Duplicate(pf, 1));
				goto out;
			}
			cJSON_ArrayForEach(vf, cJSON_GetObjectItemCaseSensitive(pf, "vfs")) {
				if (!strcmp(op, "vf") && !strcmp(sget(vf, "pciAddress"), want)) {
					a = okay();
					cJSON_AddItemToObject(a, "vf", cJSON_Duplicate(vf, 1));
					cJSON_AddItemToObject(a, "pf", pf_without_vfs(pf));
					goto out;
				}
			}
		}
		snprintf(msg, sizeof(msg), "%s %s not found", !strcmp(op, "pf") ? "PF" : "VF", want);
		a = fail(msg);
	} else if (!strcmp(op, "pod")) {
		const char *ns = sget(req, "namespace"), *name = sget(req, "name");
		cJSON *atts;

		if (!ns || !name) {
			a = fail("bad request: pod wants namespace and name");
			goto out;
		}
		a = okay();
		atts = cJSON_AddArrayToObject(a, "attachments");
		cJSON_ArrayForEach(pf, pfs) {
			cJSON_ArrayForEach(vf, cJSON_GetObjectItemCaseSensitive(pf, "vfs")) {
				const cJSON *pod = cJSON_GetObjectItemCaseSensitive(vf, "pod");
				cJSON *one;

				if (!pod || strcmp(sget(pod, "namespace"), ns) || strcmp(sget(pod, "name"), name))
					continue;
				one = cJSON_CreateObject();
				cJSON_AddItemToObject(one, "vf", cJSON_Duplicate(vf, 1));
				cJSON_AddItemToObject(one, "pf", pf_without_vfs(pf));
				cJSON_AddItemToArray(atts, one);
			}
		}
	} else {
		snprintf(msg, sizeof(msg), "unknown op %s", op);
		a = fail(msg);
	}
out:
	cJSON_Delete(req);
	return a;
}

/* Serve request lines on one connection until the client closes. */
static void serve_conn(int fd, bool healthy)
{
	char buf[65536];
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			return;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return;
		len += (size_t)n;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			if (reqlog) {
				FILE *f = fopen(reqlog, "a");

				if (f) {
					fprintf(f, "%s\n", buf);
					fclose(f);
				}
			}
			answer(fd, healthy ? serve_one(buf) : fail("netns scan failing"));
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1)
			return;
	}
}

static void read_request(int fd)
{
	char buf[65536];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 5000) > 0)
		(void)!read(fd, buf, sizeof(buf));
}

static void say(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *mode, *path;
	int lfd, keep[64], nkeep = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: fake_agent MODE SOCKET [TOPOLOGY.json [REQUEST-LOG]]\n");
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	if (argc > 3) {
		char *txt = slurp(argv[3]);

		topo = cJSON_Parse(txt);
		free(txt);
		if (!topo) {
			fprintf(stderr, "fake_agent: %s: not JSON\n", argv[3]);
			return 1;
		}
	}
	if (argc > 4)
		reqlog = argv[4];
	signal(SIGPIPE, SIG_IGN);

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "fake_agent: socket path too long\n");
		return 1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(lfd, !strcmp(mode, "noaccept") ? 0 : 16) < 0)
		die("listen");
	if (!strcmp(mode, "noaccept")) {
		/* Fill the backlog of 0 (room for one) ourselves. */
		for (int i = 0; i < 4; i++) {
			int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

			if (c >= 0 && connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == EAGAIN) {
				close(c);
				break;
			}
		}
		printf("ready\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	printf("ready\n");
	fflush(stdout);

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		if (!strcmp(mode, "serve") || !strcmp(mode, "unhealthy")) {
			if (!topo && !strcmp(mode, "serve")) {
				fprintf(stderr, "fake_agent: serve needs a topology file\n");
				return 2;
			}
			serve_conn(fd, !strcmp(mode, "serve"));
		} else if (!strcmp(mode, "silent")) {
			read_request(fd);
			if (nkeep < (int)(sizeof(keep) / sizeof(keep[0]))) {
				keep[nkeep++] = fd;	/* held open, never answered */
				continue;
			}
		} else if (!strcmp(mode, "garbage")) {
			read_request(fd);
			say(fd, "this is not json\n");
		} else if (!strcmp(mode, "array")) {
			read_request(fd);
			say(fd, "[{\"v\":1,\"ok\":true}]\n");
		} else if (!strcmp(mode, "nov")) {
			read_request(fd);
			say(fd, "{\"ok\":true}\n");
		} else if (!strcmp(mode, "v2")) {
			read_request(fd);
			say(fd, "{\"v\":2,\"ok\":true}\n");
		} else if (!strcmp(mode, "close")) {
			read_request(fd);
		} else if (!strcmp(mode, "partial")) {
			read_request(fd);
			say(fd, "{\"v\":1,\"ok\":true,\"pfs\":[{\"pciAdd");
		} else if (!strcmp(mode, "huge")) {
			static char chunk[1 << 16];
			size_t sent = 0;

			read_request(fd);
			memset(chunk, 'a', sizeof(chunk));
			say(fd, "{\"v\":1,\"ok\":true,\"pad\":\"");
			while (sent < (17u << 20)) {
				ssize_t w = send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL);

				if (w <= 0)
					break;	/* the client gave up, as it should */
				sent += (size_t)w;
			}
		} else if (!strcmp(mode, "refuse")) {
			say(fd, "{\"v\":1,\"ok\":false,\"error\":\"permission denied: pflinkd serves uid 0 only\"}\n");
		} else {
			fprintf(stderr, "fake_agent: unknown mode %s\n", mode);
			return 2;
		}
		close(fd);
	}
}

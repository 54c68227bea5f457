// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtt.c - a raw line-protocol client of pflinkd for hack/bench.sh (libc
 * only, no JSON parser: answers are matched as strings).  BENCH ONLY.
 *
 *	rtt rtt SOCK N REQUEST	N requests on one connection;
 *				prints "n failures median_us p99_us mean_us max_us"
 *	rtt paced SOCK RATE SECONDS REQUEST EXPECT
 *				RATE requests a second for SECONDS, a new
 *				connection each (as the plugin asks); an
 *				answer without the substring EXPECT is a
 *				failure; same output as rtt
 *	rtt start SOCK -- PROG ARG...
 *				fork/exec PROG (the agent), poll health until
 *				it answers ok; prints "us pid" then the
 *				health answer; PROG keeps running
 *	rtt move SOCK NSA NSB IFNAME BDF REPS
 *				move IFNAME between /run/netns/NSA and NSB
 *				(one RTM_NEWLINK each) and poll "vf BDF"
 *				until the agent shows it in the new netns;
 *				prints "n timeouts median_us p99_us mean_us max_us"
 *				three times: from sending the move, the
 *				kernel's move alone (to its netlink ack),
 *				and from the ack to the map showing it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char rbuf[1 << 20];
static size_t rlen;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rlen = 0;
	return fd;
}

/* Send one request line, read one answer line into rbuf (NUL-terminated,
 * no newline).  Returns the answer's length or -1. */
static ssize_t ask(int fd, const char *req, size_t len)
{
	char *nl;

	if (write(fd, req, len) != (ssize_t)len)
		return -1;
	for (;;) {
		ssize_t r;

		if ((nl = memchr(rbuf, '\n', rlen))) {
			size_t l = (size_t)(nl - rbuf);

			*nl = 0;
			/* one request at a time: nothing can follow the line */
			rlen = 0;
			return (ssize_t)l;
		}
		if (rlen == sizeof(rbuf) - 1)
			return -1;
		r = read(fd, rbuf + rlen, sizeof(rbuf) - 1 - rlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		rlen += (size_t)r;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void stats(double *us, int n, unsigned bad)
{
	double sum = 0;
	int i, p99 = (n * 99 + 99) / 100 - 1;

	if (n <= 0) {
		printf("0 %u 0 0 0 0\n", bad);
		return;
	}
	for (i = 0; i < n; i++)
		sum += us[i];
	qsort(us, (size_t)n, sizeof(double), cmp);
	printf("%d %u %.1f %.1f %.1f %.1f\n", n, bad,
	       n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2, us[p99], sum / n, us[n - 1]);
}

static int do_paced(const char *sock, int rate, int secs, const char *req, const char *expect)
{
	char line[4096];
	int n = rate * secs, i, done = 0;
	double *us = calloc((size_t)n, sizeof(double)), start = now_us();
	unsigned bad = 0;
	size_t len = (size_t)snprintf(line, sizeof(line), "%s\n", req);

	for (i = 0; i < n; i++) {
		double due = start + 1e6 * i / rate, t0 = now_us();
		int fd;

		if (t0 < due) {
			struct timespec ts = { 0, (long)((due - t0) * 1000) };

			nanosleep(&ts, NULL);
		}
		t0 = now_us();
		fd = dial(sock);
		if (fd < 0 || ask(fd, line, len) < 0) {
			if (bad < 5)
				fprintf(stderr, "rtt: request %d at %.3f s: %s: %s\n", i, (t0 - start) / 1e6,
					fd < 0 ? "cannot connect" : "no answer", strerror(errno));
			bad++;
		} else {
			us[done++] = now_us() - t0;
			if (!strstr(rbuf, expect)) {
				if (bad < 5)
					fprintf(stderr, "rtt: request %d at %.3f s: unexpected answer: %.300s\n", i,
						(t0 - start) / 1e6, rbuf);
				bad++;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	stats(us, done, bad);
	free(us);
	return 0;
}

static int do_rtt(const char *sock, int n, const char *req)
{
	char line[4096];
	double *us = calloc((size_t)n, sizeof(double));
	unsigned bad = 0;
	int fd = dial(sock), i;
	size_t len = (size_t)snprintf(line, sizeof(line), "%s\n", req);

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	for (i = 0; i < n; i++) {
		double t0 = now_us();

		if (ask(fd, line, len) < 0) {
			fprintf(stderr, "rtt: connection lost after %d\n", i);
			return 1;
		}
		us[i] = now_us() - t0;
		if (!strstr(rbuf, "\"ok\":true"))
			bad++;
	}
	if (bad)
		fprintf(stderr, "rtt: %u answers not ok, last: %.200s\n", bad, rbuf);
	stats(us, n, bad);
	return 0;
}

static int do_start(const char *sock, char **argv)
{
	static const char req[] = "{\"v\":1,\"op\":\"health\"}\n";
	double t0 = now_us();
	pid_t pid = fork();

	if (pid == 0) {
		dup2(2, 1);	/* not our stdout: a $(...) would wait for the agent */
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return 1;
	while (now_us() - t0 < 120e6) {
		int fd = dial(sock);

		if (fd >= 0) {
			ssize_t r = ask(fd, req, sizeof(req) - 1);

			close(fd);
			if (r > 0 && strstr(rbuf, "\"ok\":true")) {
				printf("%.1f %d\n%s\n", now_us() - t0, (int)pid, rbuf);
				return 0;
			}
		}
		usleep(200);
	}
	fprintf(stderr, "rtt: agent did not answer in 120 s\n");
	printf("-1 %d\n{}\n", (int)pid);
	return 1;
}

/* RTM_NEWLINK ifindex IFLA_NET_NS_FD=to, on a netlink socket in the
 * current netns; waits for the ack. */
static int move_link(int nl, int ifindex, int to)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char a[64];
	} m = { 0 };
	struct rtattr *ra;
	char ack[1024];
	ssize_t r;

	m.n.nlmsg_len = NLMSG_LENGTH(sizeof(m.i));
	m.n.nlmsg_type = RTM_NEWLINK;
	m.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m.i.ifi_family = AF_UNSPEC;
	m.i.ifi_index = ifindex;
	ra = (struct rtattr *)((char *)&m + NLMSG_ALIGN(m.n.nlmsg_len));
	ra->rta_type = IFLA_NET_NS_FD;
	ra->rta_len = RTA_LENGTH(sizeof(int));
	memcpy(RTA_DATA(ra), &to, sizeof(int));
	m.n.nlmsg_len = NLMSG_ALIGN(m.n.nlmsg_len) + RTA_ALIGN(ra->rta_len);
	if (send(nl, &m, m.n.nlmsg_len, 0) < 0)
		return -errno;
	r = recv(nl, ack, sizeof(ack), 0);
	if (r < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		return -EIO;
	return ((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)ack))->error;
}

static int do_move(const char *sock, const char *nsa, const char *nsb, const char *ifn,
		   const char *bdf, int reps)
{
	char path[2][256], req[256], want[2][600];
	int nsfd[2], fd = dial(sock), i, k;
	double *us = calloc((size_t)reps, sizeof(double));
	double *ack = calloc((size_t)reps, sizeof(double));
	double *after = calloc((size_t)reps, sizeof(double));
	unsigned timeouts = 0;
	size_t rq;

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	snprintf(path[0], sizeof(path[0]), "/run/netns/%s", nsa);
	snprintf(path[1], sizeof(path[1]), "/run/netns/%s", nsb);
	for (k = 0; k < 2; k++) {
		nsfd[k] = open(path[k], O_RDONLY | O_CLOEXEC);
		if (nsfd[k] < 0) {
			perror(path[k]);
			return 1;
		}
		snprintf(want[k], sizeof(want[k]), "\"netns\":\"%s\"", path[k]);
	}
	rq = (size_t)snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"vf\",\"pciAddress\":\"%s\"}\n", bdf);
	for (i = 0; i < reps; i++) {
		int from = i % 2, to = !from, nl, ifindex, r;
		double t0, t, ta;

		if (setns(nsfd[from], CLONE_NEWNET) < 0) {
			perror("setns");
			return 1;
		}
		nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		ifindex = (int)if_nametoindex(ifn);
		if (nl < 0 || !ifindex) {
			fprintf(stderr, "rtt: %s not in %s\n", ifn, path[from]);
			return 1;
		}
		t0 = now_us();
		r = move_link(nl, ifindex, nsfd[to]);
		ta = now_us();
		close(nl);
		if (r < 0) {
			fprintf(stderr, "rtt: move: %s\n", strerror(-r));
			return 1;
		}
		for (;;) {
			if (ask(fd, req, rq) < 0) {
				fprintf(stderr, "rtt: connection lost\n");
				return 1;
			}
			t = now_us() - t0;
			if (strstr(rbuf, want[to]))
				break;
			if (t > 2e6) {
				timeouts++;
				break;
			}
		}
		us[i] = t;
		ack[i] = ta - t0;
		after[i] = t + t0 - ta;
	}
	/* line 1: from the request; 2: the kernel's move (to its ack);
	 * 3: from the ack to the map showing it */
	stats(us, reps, timeouts);
	stats(ack, reps, 0);
	stats(after, reps, timeouts);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 7 && !strcmp(argv[1], "paced"))
		return do_paced(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5], argv[6]);
	if (argc >= 5 && !strcmp(argv[1], "rtt"))
		return do_rtt(argv[2], atoi(argv[3]), argv[4]);
	if (argc >= 5 && !strcmp(argv[1], "start") && !strcmp(argv[3], "--"))
		return do_start(argv[2], argv + 4);
	if (argc >= 8 && !strcmp(argv[1], "move"))
		return do_move(argv[2], argv[3], argv[4], argv[5], argv[6], atoi(argv[7]));
	fprintf(stderr, "usage: rtt rtt SOCK N REQ | rtt start SOCK -- PROG ARG... |\n"
			"       rtt move SOCK NSA NSB IFNAME BDF REPS\n");
	return 2;
}

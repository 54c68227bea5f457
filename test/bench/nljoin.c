// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nljoin.c - what one RTNLGRP_LINK join costs as the machine's joined
 * netlink sockets grow: N netns made one after another, each given a
 * NETLINK_ROUTE socket joined to the group, as pflinkd gives every netns
 * it tracks.  Prints the mean socket+bind and join time per quarter.
 * BENCH ONLY (docs/performance.md, "Issue 22 at the end").
 *
 *	nljoin N	(root; the netns live as long as the program)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* A new netns for this thread, a joined socket in it, then home again. */
static void one(int home, double *t_sock, double *t_join)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int g = RTNLGRP_LINK, fd;
	double a, b;

	if (unshare(CLONE_NEWNET) < 0) {
		perror("unshare");
		exit(1);
	}
	a = now_us();
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netlink socket");
		exit(1);
	}
	b = now_us();
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
		perror("NETLINK_ADD_MEMBERSHIP");
		exit(1);
	}
	*t_sock += b - a;
	*t_join += now_us() - b;
	if (setns(home, CLONE_NEWNET) < 0) {
		perror("setns home");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int q, i;

	if (home < 0 || n < 4) {
		fprintf(stderr, "usage: nljoin N (N >= 4, root)\n");
		return 2;
	}
	for (q = 0; q < 4; q++) {
		double ts = 0, tj = 0;

		for (i = 0; i < n / 4; i++)
			one(home, &ts, &tj);
		printf("netns %d-%d: socket+bind %.1f us, join %.1f us (means)\n",
		       q * (n / 4) + 1, (q + 1) * (n / 4), ts / (n / 4), tj / (n / 4));
	}
	return 0;
}

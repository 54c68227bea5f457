/* SPDX-License-Identifier: MIT */
/*
 * holdconn - open N connections to a unix stream socket, send nothing, and
 * watch the server close them.  TEST ONLY (agent_faults.sh).
 *
 *	holdconn SOCKET N WAIT_MS
 *
 * Prints "connected K" once K of the N connects succeeded (each connect
 * gives up after 5 s), then waits up to WAIT_MS for the server to close
 * them, and prints "closed C of K, first after F ms, last after L ms,
 * with-error E": C connections saw end of file (or a reset), the first F
 * ms and the last L ms after the connects were done, E of them got a line
 * with "ok":false first.  With
 * WAIT_MS 0 it holds the connections until stdin closes, then reports the
 * same.  Exit status 0 unless it could not run at all.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	struct rlimit rl;
	struct pollfd *pf;
	char *end;
	long n, wait_ms, k = 0, i, closed = 0, witherr = 0;
	long long t0, first = 0, last = 0;

	if (argc != 4 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: holdconn SOCKET N WAIT_MS\n");
		return 2;
	}
	n = strtol(argv[2], &end, 10);
	if (*end || n < 1 || n > 100000)
		return 2;
	wait_ms = strtol(argv[3], &end, 10);
	if (*end || wait_ms < 0)
		return 2;
	strcpy(sa.sun_path, argv[1]);
	/* N connections need N descriptors: take the hard limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	pf = calloc((size_t)n + 1, sizeof(*pf));
	if (!pf)
		return 1;
	for (i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			fprintf(stderr, "holdconn: socket: %s\n", strerror(errno));
			break;
		}
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "holdconn: connect %ld: %s\n", i, strerror(errno));
			close(fd);
			break;
		}
		pf[k].fd = fd;
		pf[k].events = POLLIN;
		k++;
	}
	printf("connected %ld\n", k);
	fflush(stdout);
	t0 = now_ms();
	/* With WAIT_MS 0, stdin is the last entry: its end stops the wait. */
	pf[k].fd = wait_ms ? -1 : 0;
	pf[k].events = POLLIN;
	while (closed < k) {
		int left = wait_ms ? (int)(t0 + wait_ms - now_ms()) : -1;
		int r;

		if (wait_ms && left <= 0)
			break;
		r = poll(pf, (nfds_t)k + 1, left);
		if (r < 0 && errno != EINTR)
			break;
		if (pf[k].revents) {
			char c;

			if (read(0, &c, 1) <= 0)
				break;
		}
		for (i = 0; r > 0 && i < k; i++) {
			char buf[512];
			ssize_t got;

			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			got = recv(pf[i].fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
			if (got > 0) {
				buf[got] = '\0';
				if (strstr(buf, "\"ok\":false"))
					witherr++;
				continue;
			}
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			close(pf[i].fd);
			pf[i].fd = -1;	/* poll ignores it from now on */
			if (!closed++)
				first = now_ms() - t0;
			last = now_ms() - t0;
		}
	}
	printf("closed %ld of %ld, first after %lld ms, last after %lld ms, with-error %ld\n",
	       closed, k, first, last, witherr);
	fflush(stdout);
	for (i = 0; i < k; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(pf);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spawn.c - wall-clock latency of fork/exec'd programs fed a stdin buffer,
 * the way a container runtime runs a CNI plugin.  BENCH ONLY (hack/bench.sh).
 *
 *	spawn N SPEC...
 *
 * Each SPEC file holds lines "name X", "stdin FILE", "stderr FILE",
 * "env K=V" (repeatable; the child gets only these) and "arg A"
 * (repeatable; argv, arg 1 is the program).  The SPECs run round-robin, in
 * the order given, N timed rounds after a few untimed ones; stdout goes to
 * /dev/null.  One line per SPEC on stdout:
 *	name n failures median_us p99_us mean_us
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct spec {
	char name[64];
	char *in;
	size_t in_len;
	char *envp[64];
	char *argv[32];
	int nenv, narg, err_fd;
	double *us;
	unsigned fails;
	int first_rc;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *b;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return NULL;
	b = malloc((size_t)n + 1);
	if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		return NULL;
	fclose(f);
	b[n] = 0;
	*len = (size_t)n;
	return b;
}

static int load(struct spec *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192];

	if (!f)
		return -1;
	s->err_fd = -1;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ' ');

		line[strcspn(line, "\n")] = 0;
		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(line, "name"))
			snprintf(s->name, sizeof(s->name), "%s", v);
		else if (!strcmp(line, "stdin") && !(s->in = slurp(v, &s->in_len)))
			return -1;
		else if (!strcmp(line, "stderr"))
			s->err_fd = open(v, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		else if (!strcmp(line, "env") && s->nenv < 63)
			s->envp[s->nenv++] = strdup(v);
		else if (!strcmp(line, "arg") && s->narg < 31)
			s->argv[s->narg++] = strdup(v);
	}
	fclose(f);
	return s->narg ? 0 : -1;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Returns wall µs; *rc the exit status (or 128+signal). */
static double run(struct spec *s, int null_fd, int *rc)
{
	double t0 = now_us();
	int p[2], st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("pipe");
		exit(2);
	}
	/* Configs are far below the pipe's 64 KiB: one write, no deadlock. */
	if (s->in_len && write(p[1], s->in, s->in_len) != (ssize_t)s->in_len) {
		perror("write");
		exit(2);
	}
	close(p[1]);
	pid = fork();
	if (pid == 0) {
		dup2(p[0], 0);
		dup2(null_fd, 1);
		dup2(s->err_fd >= 0 ? s->err_fd : null_fd, 2);
		execve(s->argv[0], s->argv, s->envp);
		_exit(127);
	}
	close(p[0]);
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return now_us() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n, ns = argc - 2, i, j, null_fd, warm;
	struct spec *s;

	if (argc < 3 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: spawn N SPEC...\n");
		return 2;
	}
	s = calloc((size_t)ns, sizeof(*s));
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	for (j = 0; j < ns; j++) {
		if (load(&s[j], argv[j + 2]) < 0) {
			fprintf(stderr, "spawn: bad spec %s\n", argv[j + 2]);
			return 2;
		}
		s[j].us = calloc((size_t)n, sizeof(double));
		s[j].first_rc = -1;
	}
	warm = n / 10 < 20 ? n / 10 : 20;
	for (i = -warm; i < n; i++)
		for (j = 0; j < ns; j++) {
			int rc;
			double us = run(&s[j], null_fd, &rc);

			if (i < 0)
				continue;
			s[j].us[i] = us;
			if (rc) {
				if (!s[j].fails)
					s[j].first_rc = rc;
				s[j].fails++;
			}
		}
	for (j = 0; j < ns; j++) {
		double sum = 0;
		size_t p99 = (size_t)((n * 99 + 99) / 100) - 1;

		for (i = 0; i < n; i++)
			sum += s[j].us[i];
		qsort(s[j].us, (size_t)n, sizeof(double), cmp);
		printf("%s %d %u %.1f %.1f %.1f\n", s[j].name, n, s[j].fails,
		       n % 2 ? s[j].us[n / 2] : (s[j].us[n / 2 - 1] + s[j].us[n / 2]) / 2,
		       s[j].us[p99], sum / n);
		if (s[j].fails)
			fprintf(stderr, "spawn: %s failed %u times (first exit %d)\n", s[j].name,
				s[j].fails, s[j].first_rc);
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * pflinkctl end to end against fake_agent (a canned pflinkd):
 *
 *   test_pflinkctl PFLINKCTL FAKE_AGENT DATA_DIR
 *
 * Runs the real binary with its stdout on a pipe (or on a pty, for the
 * colour rules), and checks the lines that matter rather than whole
 * screens: every VF line carries its netdev, netns, pod and notes; the
 * columns line up; errors are one line naming the socket; nothing waits
 * longer than its timeout.
 */
#include "t.h"
#include "pflink/util.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

static const char *ctl, *fake, *data;
static char *tmp;

struct run {
	int status;		/* exit status, or 128+signal */
	char *out, *err;
	double secs;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	*r = (struct run){ 0 };
}

static void append(char **buf, size_t *len, const char *p, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);

	if (!nb)
		exit(1);
	memcpy(nb + *len, p, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
}

/* Run argv (NULL-terminated); env: "NAME=value" to set in the child (or
 * NULL).  pty: the child's stdout is a terminal.  A child still running
 * after 30 s is killed (and the status says so). */
static struct run run_env(char *const argv[], const char *env, bool pty)
{
	struct run r = { .status = -1 };
	int po[2] = { -1, -1 }, pe[2], slave = -1;
	size_t olen = 0, elen = 0;
	double t0 = now_s();
	struct pollfd p[2];
	pid_t pid;
	int st, i;

	r.out = strdup("");
	r.err = strdup("");
	if (pipe2(pe, O_CLOEXEC) < 0)
		exit(1);
	if (pty) {
		/* The parent keeps the slave open too, so the master never
		 * hangs up early; it drains the master once the child is gone. */
		po[0] = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (po[0] < 0 || grantpt(po[0]) < 0 || unlockpt(po[0]) < 0 ||
		    (slave = open(ptsname(po[0]), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
			printf("FAIL: no pty: %s\n", strerror(errno));
			exit(1);
		}
		po[1] = slave;
	} else if (pipe2(po, O_CLOEXEC) < 0) {
		exit(1);
	}
	pid = fork();
	if (pid < 0)
		exit(1);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (env)
			putenv((char *)env);
		execv(argv[0], argv);
		_exit(127);
	}
	if (!pty)
		close(po[1]);
	close(pe[1]);

	p[0] = (struct pollfd){ .fd = po[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
	/* Until stderr closes: the child (and anything it left behind) is gone. */
	while (p[1].fd >= 0) {
		char buf[65536];
		int n = poll(p, 2, 200);

		if (n < 0 && errno != EINTR)
			break;
		if (now_s() - t0 > 30) {
			kill(pid, SIGKILL);
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t k;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			k = read(p[i].fd, buf, sizeof(buf));
			if (k > 0) {
				if (i == 0)
					append(&r.out, &olen, buf, (size_t)k);
				else
					append(&r.err, &elen, buf, (size_t)k);
			} else if (k == 0 || errno != EINTR) {
				close(p[i].fd);
				p[i].fd = -1;
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (p[0].fd >= 0) {
		char buf[65536];
		ssize_t k;

		fcntl(p[0].fd, F_SETFL, O_NONBLOCK);
		while ((k = read(p[0].fd, buf, sizeof(buf))) > 0 || (k < 0 && errno == EINTR))
			if (k > 0)
				append(&r.out, &olen, buf, (size_t)k);
		close(p[0].fd);
	}
	if (p[1].fd >= 0)
		close(p[1].fd);
	if (slave >= 0)
		close(slave);
	r.secs = now_s() - t0;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return r;
}

#define RUN(...) run_env((char *const[]){ (char *)ctl, __VA_ARGS__, NULL }, NULL, false)

struct agent {
	pid_t pid;
	char sock[256];
};

/* Start fake_agent in mode on a fresh socket; returns once it listens. */
static struct agent agent_start(const char *mode, const char *topology, const char *reqlog)
{
	static unsigned seq;
	struct agent a = { .pid = -1 };
	char ready[16] = "";
	int p[2];

	snprintf(a.sock, sizeof(a.sock), "%s/agent%u.sock", tmp, seq++);
	if (pipe2(p, O_CLOEXEC) < 0)
		exit(1);
	a.pid = fork();
	if (a.pid < 0)
		exit(1);
	if (a.pid == 0) {
		dup2(p[1], 1);
		execl(fake, fake, mode, a.sock, topology, reqlog, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	{
		struct pollfd pf = { .fd = p[0], .events = POLLIN };

		if (poll(&pf, 1, 10000) <= 0 || read(p[0], ready, sizeof(ready) - 1) <= 0 ||
		    strncmp(ready, "ready", 5)) {
			printf("FAIL: fake_agent %s did not start\n", mode);
			kill(a.pid, SIGKILL);
			exit(1);
		}
	}
	close(p[0]);
	return a;
}

static void agent_stop(struct agent *a)
{
	if (a->pid > 0) {
		kill(a->pid, SIGTERM);
		waitpid(a->pid, NULL, 0);
	}
	unlink(a->sock);
	a->pid = -1;
}

static char *data_path(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", data, name);
	return buf;
}

/* The line of s containing needle, as a fresh string ("" if none). */
static char *line_with(const char *s, const char *needle)
{
	const char *hit = strstr(s, needle), *b, *e;

	if (!hit)
		return strdup("");
	for (b = hit; b > s && b[-1] != '\n'; b--)
		;
	e = strchr(hit, '\n');
	if (!e)
		e = hit + strlen(hit);
	return strndup(b, (size_t)(e - b));
}

static unsigned count(const char *s, const char *needle)
{
	unsigned n = 0;
	size_t l = strlen(needle);

	for (s = strstr(s, needle); s; s = strstr(s + l, needle))
		n++;
	return n;
}

/* Display column (code points) at which needle starts on the line of s
 * that contains key; -1 when absent. */
static long column_of(const char *s, const char *key, const char *needle)
{
	char *line = line_with(s, key);
	const char *hit = strstr(line, needle), *p;
	long col = 0;

	if (!*line || !hit) {
		free(line);
		return -1;
	}
	for (p = line; p < hit; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			col++;
	free(line);
	return col;
}

#define CHECK_HAS(hay, needle) t_check(strstr((hay), (needle)) != NULL, __FILE__, __LINE__, \
				       "output has \"%s\"; got:\n%s", (needle), (hay))
#define CHECK_HASNT(hay, needle) t_check(strstr((hay), (needle)) == NULL, __FILE__, __LINE__, \
					 "output lacks \"%s\"; got:\n%s", (needle), (hay))
/* All needles on the one line that contains key. */
#define CHECK_LINE(hay, key, ...) check_line(__FILE__, __LINE__, (hay), (key), \
					     (const char *[]){ __VA_ARGS__, NULL })

static void check_line(const char *file, int lineno, const char *hay, const char *key,
		       const char *const *needles)
{
	char *line = line_with(hay, key);

	t_check(*line != '\0', file, lineno, "a line with \"%s\"; got:\n%s", key, hay);
	for (; *needles; needles++)
		t_check(strstr(line, *needles) != NULL, file, lineno,
			"line \"%s\" has \"%s\"", line, *needles);
	free(line);
}

#define CHECK_LINE_LACKS(hay, key, needle) check_line_lacks(__FILE__, __LINE__, (hay), (key), (needle))

static void check_line_lacks(const char *file, int lineno, const char *hay, const char *key,
			     const char *needle)
{
	char *line = line_with(hay, key);

	t_check(*line && !strstr(line, needle), file, lineno,
		"line with \"%s\" lacks \"%s\": \"%s\"", key, needle, line);
	free(line);
}

static bool one_line(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '\n' && memchr(s, '\n', n - 1) == NULL;
}

static void test_show(void)
{
	struct agent a = agent_start("serve", data_path("topology.json"), NULL);
	struct run r;
	long col;

	T_SECTION("show");
	r = RUN("--socket", a.sock, "show");
	CHECK_EQ_INT(r.status, 0);
	CHECK_STR(r.err, "");
	CHECK_HASNT(r.out, "\033");	/* a pipe: no colour */
	/* The PFs, with driver, netdev, netns and VF counts. */
	CHECK_LINE(r.out, "PF  ", "0000:01:00.0", "igb", "enp7s0f0", "host", "VFs 4/8", "mac 00:e0:ed:19:7f:e4");
	CHECK_LINE(r.out, "0000:03:00.0", "PF", "mlx5_core", "ens3f0np0", "VFs 2/8", "port p0");
	/* The PF's second netdev: a continuation line under the tree. */
	CHECK_LINE(r.out, "ens3f0d1", "│", "host", "mac 0c:42:a1:00:00:02");
	CHECK_LINE_LACKS(r.out, "ens3f0d1", "0000:");
	/* VF in a pod, with its non-default config. */
	CHECK_LINE(r.out, "0000:01:10.0", "├─ VF 0", "igbvf", "net1", "/run/netns/cni-1234",
		   "team-a/web-0", "mac 02:00:00:00:10:00", "vlan 10");
	CHECK_LINE_LACKS(r.out, "0000:01:10.0", "spoofchk");
	CHECK_LINE_LACKS(r.out, "0000:01:10.0", "trust");
	/* The orphan. */
	CHECK_LINE(r.out, "0000:01:10.2", "├─ VF 1", "enp7s0f0v1", "host",
		   "⚠ orphan: pod team-a/db-1 is gone");
	CHECK_LINE_LACKS(r.out, "0000:01:10.2", "mac 00:00:00:00:00:00");
	/* DPDK VF: in a pod, no netdev. */
	CHECK_LINE(r.out, "0000:01:10.4", "vfio-pci", "(no netdev)", "team-b/dpdk-0", "trust on");
	/* No driver, no netdev, no pod: the last branch. */
	CHECK_LINE(r.out, "0000:01:10.6", "└─ VF 3", "(no driver)", "(no netdev)");
	/* Switchdev VF: representor and config. */
	CHECK_LINE(r.out, "0000:03:00.2", "├─ VF 0", "net1", "/run/netns/cni-5678", "team-a/web-0",
		   "vlan 20", "qos 3", "spoofchk off", "representor ens3f0_0");
	/* A VF with two netdevs: the second on a line of its own, no stem
	 * below the last branch. */
	CHECK_LINE(r.out, "0000:03:00.3", "└─ VF 1", "eth0", "pid:4242", "team-c/cache-0",
		   "link enable", "representor ens3f0_1");
	CHECK_LINE(r.out, "eth1 ", "pid:4242");
	CHECK_LINE_LACKS(r.out, "eth1 ", "│");
	CHECK_LINE_LACKS(r.out, "eth1 ", "team-c");
	/* Columns line up across both PFs and all VFs. */
	col = column_of(r.out, "0000:01:00.0", "0000:");
	CHECK(col > 0);
	CHECK_EQ_INT(column_of(r.out, "0000:01:10.6", "0000:"), col);
	CHECK_EQ_INT(column_of(r.out, "0000:03:00.0", "0000:"), col);
	CHECK_EQ_INT(column_of(r.out, "0000:03:00.3", "0000:"), col);
	col = column_of(r.out, "0000:01:10.0", "net1");
	CHECK_EQ_INT(column_of(r.out, "0000:01:00.0", "enp7s0f0"), col);
	CHECK_EQ_INT(column_of(r.out, "ens3f0d1", "ens3f0d1"), col);
	CHECK_EQ_INT(column_of(r.out, "eth1 ", "eth1"), col);
	CHECK_EQ_INT(column_of(r.out, "0000:01:10.4", "(no netdev)"), column_of(r.out, "0000:01:10.0", "/run/"));
	CHECK_EQ_INT(column_of(r.out, "0000:01:10.0", "team-a/web-0"),
		     column_of(r.out, "0000:03:00.3", "team-c/cache-0"));
	/* No trailing blanks. */
	CHECK_HASNT(r.out, " \n");
	/* The summary. */
	CHECK_HAS(r.out, "2 PFs, 6 VFs (4 in pods, 1 orphan, 2 without netdev); 6 netns tracked\n");
	run_free(&r);
	agent_stop(&a);
}

static void test_queries(void)
{
	char log[4096];
	struct agent a;
	struct run r;
	char *reqs;

	snprintf(log, sizeof(log), "%s/requests.log", tmp);
	unlink(log);
	a = agent_start("serve", data_path("topology.json"), log);

	T_SECTION("pf");
	r = RUN("-s", a.sock, "pf", "0000:03:00.0");
	CHECK_EQ_INT(r.status, 0);
	CHECK_LINE(r.out, "0000:03:00.0", "PF", "ens3f0np0", "VFs 2/8");
	CHECK_LINE(r.out, "0000:03:00.2", "├─ VF 0");
	CHECK_LINE(r.out, "0000:03:00.3", "└─ VF 1");
	CHECK_HASNT(r.out, "0000:01:");
	CHECK_HASNT(r.out, "PFs");	/* no node summary for one PF */
	run_free(&r);
	/* lspci's short form and upper case are accepted, and sent canonical. */
	r = RUN("-s", a.sock, "pf", "01:00.0");
	CHECK_EQ_INT(r.status, 0);
	CHECK_LINE(r.out, "0000:01:00.0", "PF", "enp7s0f0");
	CHECK_EQ_INT(count(r.out, " VF "), 4);
	run_free(&r);
	r = RUN("-s", a.sock, "pf", "0000:0A:00.0");
	CHECK_EQ_INT(r.status, 1);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "pflinkctl: pflinkd: PF 0000:0a:00.0 not found\n");
	run_free(&r);

	T_SECTION("vf");
	r = RUN("-s", a.sock, "vf", "0000:01:10.2");
	CHECK_EQ_INT(r.status, 0);
	CHECK_LINE(r.out, "0000:01:00.0", "PF", "enp7s0f0", "VFs 4/8");
	CHECK_LINE(r.out, "0000:01:10.2", "└─ VF 1", "orphan");
	CHECK_EQ_INT(count(r.out, " VF "), 1);
	run_free(&r);
	r = RUN("-s", a.sock, "vf", "0000:09:10.0");
	CHECK_EQ_INT(r.status, 1);
	CHECK_HAS(r.err, "VF 0000:09:10.0 not found");
	run_free(&r);

	T_SECTION("pod");
	r = RUN("-s", a.sock, "pod", "team-a/web-0");
	CHECK_EQ_INT(r.status, 0);
	CHECK_HAS(r.out, "pod team-a/web-0: 2 VFs\n");
	CHECK_LINE(r.out, "0000:01:00.0", "PF");
	CHECK_LINE(r.out, "0000:01:10.0", "└─ VF 0", "net1", "team-a/web-0");
	CHECK_LINE(r.out, "0000:03:00.0", "PF");
	CHECK_LINE(r.out, "0000:03:00.2", "└─ VF 0", "net1", "team-a/web-0");
	CHECK_HASNT(r.out, "0000:01:10.2");
	run_free(&r);
	r = RUN("-s", a.sock, "pod", "team-x/none");
	CHECK_EQ_INT(r.status, 0);
	CHECK_STR(r.out, "pod team-x/none: holds no VF pflinkd knows of\n");
	run_free(&r);

	T_SECTION("health");
	r = RUN("-s", a.sock, "health");
	CHECK_EQ_INT(r.status, 0);
	CHECK_STR(r.out, "pflinkd ok: up 1h02m, 6 netns, 2 PFs, 6 VFs, 42 scans, 1234 events, last scan 3 ms\n");
	CHECK_STR(r.err, "");
	run_free(&r);

	T_SECTION("json");
	r = RUN("-s", a.sock, "--json", "show");
	CHECK_EQ_INT(r.status, 0);
	{
		cJSON *j = cJSON_Parse(r.out);

		CHECK(cJSON_IsObject(j));
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
		CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "pfs")), 2);
		cJSON_Delete(j);
	}
	CHECK_HAS(r.out, "\n\t\"pfs\":");	/* pretty */
	run_free(&r);
	/* Options after the command work too. */
	r = RUN("-s", a.sock, "vf", "0000:03:00.3", "--json");
	CHECK_EQ_INT(r.status, 0);
	CHECK_HAS(r.out, "\"representor\":\t\"ens3f0_1\"");
	run_free(&r);
	r = RUN("-s", a.sock, "-j", "pf", "0000:0b:00.0");
	CHECK_EQ_INT(r.status, 1);	/* ok:false is still a failure */
	CHECK_HAS(r.out, "\"ok\":\tfalse");
	run_free(&r);

	/* Every request was protocol v1, one line each, canonical addresses. */
	T_SECTION("requests");
	reqs = t_slurp(log, NULL);
	CHECK(reqs != NULL);
	if (reqs) {
		CHECK_HAS(reqs, "{\"v\":1,\"op\":\"pf\",\"pciAddress\":\"0000:01:00.0\"}\n");
		CHECK_HAS(reqs, "{\"v\":1,\"op\":\"pf\",\"pciAddress\":\"0000:0a:00.0\"}\n");
		CHECK_HAS(reqs, "{\"v\":1,\"op\":\"pod\",\"namespace\":\"team-a\",\"name\":\"web-0\"}\n");
		CHECK_HAS(reqs, "{\"v\":1,\"op\":\"topology\"}\n");
		CHECK_HAS(reqs, "{\"v\":1,\"op\":\"health\"}\n");
		free(reqs);
	}
	agent_stop(&a);
}

static void test_color(void)
{
	struct agent a = agent_start("serve", data_path("topology.json"), NULL);
	struct run r;

	T_SECTION("colour on a tty");
	r = run_env((char *const[]){ (char *)ctl, "-s", a.sock, "show", NULL }, NULL, true);
	CHECK_EQ_INT(r.status, 0);
	CHECK_HAS(r.out, "\033[1mPF\033[0m");
	CHECK_HAS(r.out, "\033[32mteam-a/web-0\033[0m");
	CHECK_HAS(r.out, "\033[1;31m⚠ orphan");
	CHECK_HAS(r.out, "\033[2m(no netdev)\033[0m");
	run_free(&r);

	T_SECTION("NO_COLOR");
	r = run_env((char *const[]){ (char *)ctl, "-s", a.sock, "show", NULL }, "NO_COLOR=1", true);
	CHECK_EQ_INT(r.status, 0);
	CHECK_HAS(r.out, "team-a/web-0");
	CHECK_HASNT(r.out, "\033");
	run_free(&r);
	/* Empty NO_COLOR does not count (no-color.org). */
	r = run_env((char *const[]){ (char *)ctl, "-s", a.sock, "show", NULL }, "NO_COLOR=", true);
	CHECK_HAS(r.out, "\033[");
	run_free(&r);

	T_SECTION("--no-color");
	r = run_env((char *const[]){ (char *)ctl, "--no-color", "-s", a.sock, "show", NULL }, NULL, true);
	CHECK_EQ_INT(r.status, 0);
	CHECK_HAS(r.out, "team-a/web-0");
	CHECK_HASNT(r.out, "\033");
	run_free(&r);

	T_SECTION("--json on a tty");
	r = run_env((char *const[]){ (char *)ctl, "--json", "-s", a.sock, "show", NULL }, NULL, true);
	CHECK_EQ_INT(r.status, 0);
	CHECK_HASNT(r.out, "\033");
	run_free(&r);
	agent_stop(&a);
}

/* The agent's strings come from pod specs and netns names: they must not
 * reach the terminal as control sequences. */
static void test_hostile(void)
{
	static const char hostile[] =
		"{\"v\":1,\"ok\":true,\"netns\":1,\"pfs\":[{\"pciAddress\":\"0000:05:00.0\\u001b[2J\","
		"\"driver\":\"igb\\u009b31m\",\"numvfs\":1,\"totalvfs\":1,"
		"\"netdevs\":[{\"name\":\"eth\\nX\",\"netns\":\"host\\u202eevil\"}],"
		"\"vfs\":[{\"index\":0,\"pciAddress\":\"0000:05:10.0\",\"driver\":\"igbvf\",\"netdevs\":[],"
		"\"pod\":{\"namespace\":\"ns\\u0007\",\"name\":\"bad\xff\xfe-\xc3\xa9\"},"
		"\"orphan\":\"gone\\u001b]0;pwned\\u0007\"}]}]}";
	char path[4096];
	struct agent a;
	struct run r;

	snprintf(path, sizeof(path), "%s/hostile.json", tmp);
	t_write(path, hostile, sizeof(hostile) - 1);
	a = agent_start("serve", path, NULL);

	T_SECTION("hostile strings");
	r = run_env((char *const[]){ (char *)ctl, "-s", a.sock, "show", NULL }, NULL, true);
	CHECK_EQ_INT(r.status, 0);
	CHECK_HASNT(r.out, "\033[2J");
	CHECK_HASNT(r.out, "\033]0;");
	CHECK_HASNT(r.out, "\a");
	CHECK_HASNT(r.out, "\xc2\x9b");
	CHECK_HASNT(r.out, "\xe2\x80\xae");
	CHECK_HASNT(r.out, "\xff");
	CHECK_HAS(r.out, "0000:05:00.0?[2J");
	CHECK_HAS(r.out, "igb?31m");
	CHECK_HAS(r.out, "eth?X");
	CHECK_HAS(r.out, "host?evil");
	CHECK_HAS(r.out, "ns?/bad?" "?-\xc3\xa9");	/* valid UTF-8 (é) is kept */
	CHECK_HAS(r.out, "orphan: gone?]0;pwned?");
	run_free(&r);
	agent_stop(&a);
}

static void test_failures(void)
{
	char sock[4096];
	struct agent a;
	struct run r;

	T_SECTION("absent socket");
	snprintf(sock, sizeof(sock), "%s/nobody.sock", tmp);
	r = RUN("--socket", sock, "show");
	CHECK_EQ_INT(r.status, 1);
	CHECK_STR(r.out, "");
	CHECK(one_line(r.err));
	CHECK_HAS(r.err, "pflinkd is not running: no socket at ");
	CHECK_HAS(r.err, sock);
	CHECK_HAS(r.err, "(start pflinkd, or pass --socket)");
	run_free(&r);
	r = RUN("--socket", sock, "health");
	CHECK_EQ_INT(r.status, 1);
	CHECK(one_line(r.err));
	run_free(&r);

	T_SECTION("stale socket");
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/stale.sock", tmp);
		CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
		close(fd);
		r = RUN("--socket", sa.sun_path, "health");
		CHECK_EQ_INT(r.status, 1);
		CHECK(one_line(r.err));
		CHECK_HAS(r.err, "nothing listens on ");
		CHECK_HAS(r.err, sa.sun_path);
		run_free(&r);
		unlink(sa.sun_path);
	}

	/* Lower bounds only: the timeout was waited out.  How soon after it
	 * pflinkctl gives up is the bench's (test/bench/deadlines.sh). */
	T_SECTION("timeout: accepts, never answers");
	a = agent_start("silent", NULL, NULL);
	r = RUN("--socket", a.sock, "--timeout", "300", "health");
	CHECK_EQ_INT(r.status, 1);
	CHECK(r.secs >= 0.25);
	CHECK(one_line(r.err));
	CHECK_HAS(r.err, "did not answer within 300 ms on ");
	CHECK_HAS(r.err, a.sock);
	printf("  silent agent, --timeout 300: gave up after %.3f s\n", r.secs);
	run_free(&r);
	/* The probe's default: 2 s. */
	r = RUN("--socket", a.sock, "health");
	CHECK_EQ_INT(r.status, 1);
	CHECK(r.secs >= 1.9);
	CHECK_HAS(r.err, "within 2000 ms");
	printf("  silent agent, default timeout: gave up after %.3f s\n", r.secs);
	run_free(&r);
	agent_stop(&a);

	T_SECTION("timeout: never accepts, backlog full");
	a = agent_start("noaccept", NULL, NULL);
	r = RUN("--socket", a.sock, "--timeout", "300", "health");
	CHECK_EQ_INT(r.status, 1);
	CHECK(r.secs >= 0.25);
	CHECK_HAS(r.err, "did not answer within 300 ms");
	printf("  agent not accepting, --timeout 300: gave up after %.3f s\n", r.secs);
	run_free(&r);
	agent_stop(&a);

	static const struct {
		const char *mode, *want;
	} bad[] = {
		{ "garbage", "is not pflinkd protocol v1 JSON" },
		{ "array", "is not pflinkd protocol v1 JSON" },
		{ "nov", "is not pflinkd protocol v1 JSON" },
		{ "v2", "speaks another protocol version" },
		{ "close", "closed the connection without a whole answer" },
		{ "partial", "closed the connection without a whole answer" },
		{ "huge", "larger than 16 MiB" },
		{ "refuse", "pflinkctl: pflinkd: permission denied: pflinkd serves uid 0 only" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		T_SECTION(bad[i].mode);
		a = agent_start(bad[i].mode, NULL, NULL);
		r = RUN("--socket", a.sock, "show");
		CHECK_EQ_INT(r.status, 1);
		CHECK_STR(r.out, "");
		CHECK(one_line(r.err));
		CHECK_HAS(r.err, bad[i].want);
		if (strcmp(bad[i].mode, "refuse"))
			CHECK_HAS(r.err, a.sock);
		run_free(&r);
		r = RUN("--socket", a.sock, "health");
		CHECK_EQ_INT(r.status, 1);
		run_free(&r);
		agent_stop(&a);
	}

	T_SECTION("unhealthy agent");
	a = agent_start("unhealthy", data_path("topology.json"), NULL);
	r = RUN("--socket", a.sock, "health");
	CHECK_EQ_INT(r.status, 1);
	CHECK_STR(r.out, "pflinkd NOT OK: netns scan failing\n");
	run_free(&r);
	r = RUN("--socket", a.sock, "show");
	CHECK_EQ_INT(r.status, 1);
	CHECK_STR(r.err, "pflinkctl: pflinkd: netns scan failing\n");
	run_free(&r);
	agent_stop(&a);
}

static void test_usage(void)
{
	static const char *const bad[][4] = {
		{ NULL },
		{ "frobnicate" },
		{ "show", "extra" },
		{ "pf" },
		{ "pf", "eth0" },
		{ "pf", "0000:01:00.0", "0000:01:00.1" },
		{ "vf", "../x" },
		{ "pod", "web-0" },
		{ "pod", "/web-0" },
		{ "pod", "team-a/" },
		{ "pod", "a/b/c" },
		{ "--timeout", "0", "health" },
		{ "--timeout", "soon", "health" },
		{ "--timeout", "-5", "health" },
		{ "--socket", "", "health" },
		{ "--bogus", "show" },
		{ "show", "--timeout" },
	};
	struct run r;

	T_SECTION("usage");
	r = RUN("-h");
	CHECK_EQ_INT(r.status, 0);
	CHECK_HAS(r.out, "Usage: pflinkctl");
	CHECK_HAS(r.out, "/run/pflink/pflinkd.sock");
	run_free(&r);
	r = RUN("--version");
	CHECK_EQ_INT(r.status, 0);
	CHECK_HAS(r.out, "pflinkctl ");
	run_free(&r);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *argv[6] = { (char *)ctl };

		for (size_t k = 0; k < 4 && bad[i][k]; k++)
			argv[k + 1] = (char *)bad[i][k];
		r = run_env(argv, NULL, false);
		t_check(r.status == 2, __FILE__, __LINE__, "usage case %zu (%s %s): exit %d, want 2",
			i, bad[i][0] ? bad[i][0] : "", bad[i][0] && bad[i][1] ? bad[i][1] : "", r.status);
		CHECK_STR(r.out, "");
		CHECK(one_line(r.err));
		CHECK_HAS(r.err, "--help");
		run_free(&r);
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s PFLINKCTL FAKE_AGENT DATA_DIR\n", argv[0]);
		return 2;
	}
	ctl = argv[1];
	fake = argv[2];
	data = argv[3];
	/* The colour rules are under test: start from a known environment. */
	unsetenv("NO_COLOR");
	signal(SIGPIPE, SIG_IGN);
	tmp = t_mkdtemp();

	test_usage();
	test_show();
	test_queries();
	test_color();
	test_hostile();
	test_failures();

	t_rmrf(tmp);
	free(tmp);
	return t_done();
}

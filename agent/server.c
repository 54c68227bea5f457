/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's event loop.  One epoll holds: the listening socket, clients,
 * the nested epoll of every netns' link events, /proc/self/mountinfo
 * (EPOLLPRI on any mount or umount: a netns bind-mounted or released;
 * changes within 20 ms are one discovery), an
 * inotify on pflink's state dir, devlink's events (its table read again
 * 20 ms after them), the rescan timer and the signals.  Nothing
 * a client sends can stop it: every request is bounded in size and time.
 */
#include "map.h"
#include "request.h"
#include "collect.h"
#include "http.h"
#include "devlink/reps.h"
#include "pflink/json.h"
#include "pflink/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#define REQ_MAX (64 * 1024)
#define CLIENT_IDLE_MS 5000
#define CLIENT_SEND_MS 2000
#define CLIENTS_MAX 1024
/* Descriptors the map may not take (see agent_fd_map_mode), and of those
 * the ones a client may not take: answering reads sysfs and state files. */
#define FD_HEADROOM 64
#define FD_ANSWER_RESERVE 16

enum src_kind { SRC_LISTEN, SRC_CLIENT, SRC_NETNS, SRC_MOUNTS, SRC_SETTLE, SRC_STATE, SRC_DEBOUNCE, SRC_TIMER,
		SRC_SIGNAL, SRC_METRICS, SRC_DEVLINK, SRC_DL_SETTLE, SRC_PODS, SRC_SYSFS,
		SRC_DISC };

/* The runtime index's share of one turn of the loop: one bundle (a read,
 * a parse and its joins: tens of microseconds), the rest on the next
 * turns: a burst of pod starts must not keep a lookup waiting longer than
 * a lookup takes (hack/bench.sh measures it). */
#define PODS_SLICE_NS 0ull

/* How long record changes gather before they are read: a burst of pod
 * starts is one read of each file it touched, not one per event. */
#define RECORD_DEBOUNCE_MS 20

/* How long mount changes gather before a discovery: a pod's stop and the
 * next one's start (a netns unmounted, another mounted) are one walk of
 * mountinfo and /proc, not two.  On a node with a thousand netns the
 * kernel's rendering of mountinfo alone is most of a discovery
 * (hack/scale.sh).  A netns a request names is tracked at once anyway. */
#define MOUNT_SETTLE_MS 20

/* How long devlink events gather before its table is read again: a PF
 * going to switchdev mode with 64 VFs adds 64 ports, one event each. */
#define DEVLINK_SETTLE_MS 20

struct src {
	enum src_kind kind;
	int fd;
};

struct client {
	struct src s;		/* first: the epoll cookie */
	char buf[REQ_MAX + 1];
	size_t len;
	unsigned long long deadline;
};

struct server {
	struct agent *a;
	int ep;
	struct src listen, netns, mounts, settle, state, debounce, timer, sig, pods;
	struct src devlink, dl_settle;	/* devlink's events (devlink/reps.h) */
	struct src sysfs;		/* the sysfs cache's change signal (sysfs_cache.h) */
	struct src disc;		/* a discovery's worker: one more netns entered */
	bool dl_settle_armed;
	/* /metrics (http.h): the HTTP thread's request for a snapshot, and
	 * the snapshot being taken, a slice per turn of the loop. */
	struct ag_http *http;
	struct src metrics;
	struct ag_collect *job;
	bool watching;			/* the state dir is watched (else: reread on the timer) */
	bool debounce_armed;
	bool settle_armed;		/* a discovery is due when settle fires */
	struct client *cl[CLIENTS_MAX];
	unsigned n_cl;
	int reserve;			/* /dev/null, given up to refuse a client at EMFILE */
	unsigned ns_skipped;		/* netns found but not tracked, last discovery */
	unsigned ns_denied;		/* processes whose ns/net we may not open, last discovery */
	unsigned long long refused;	/* clients refused for lack of descriptors or slots */
	char last_error[256];
	char why[256];			/* what setup could not do */
};

/* ---- descriptor budget ------------------------------------------------ */

static rlim_t fd_saved_soft = RLIM_INFINITY;

static rlim_t fd_headroom(rlim_t soft)
{
	return soft / 4 < FD_HEADROOM ? soft / 4 : FD_HEADROOM;
}

/* Every tracked netns holds three sockets.  Left alone, discovery takes
 * descriptors until the process has none, and then the agent can neither
 * accept a client nor read sysfs to answer one.  So calls that may track
 * new netns run with RLIMIT_NOFILE lowered by a headroom, which the
 * serving loop keeps for itself: clients and answers.
 *
 * Discovery first walks /proc and mountinfo, which takes a descriptor or
 * two of its own; with the map's share used up to the last one, the walk
 * would fail and nothing would ever be dropped, even once the netns are
 * gone.  So the limit leaves at least FD_WALK descriptors free: enough for
 * the walk, too few for the three sockets of one more netns, so the map
 * cannot outgrow its share this way. */
#define FD_WALK 2

void agent_fd_map_mode(bool map)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (map) {
		rlim_t lim;
		int low;

		fd_saved_soft = rl.rlim_cur;
		if (rl.rlim_cur == RLIM_INFINITY)
			return;
		lim = rl.rlim_cur - fd_headroom(rl.rlim_cur);
		/* The lowest free descriptor: all below it are taken. */
		low = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (low >= 0) {
			close(low);
			if ((rlim_t)low + FD_WALK > lim)
				lim = (rlim_t)low + FD_WALK;
		}
		rl.rlim_cur = lim < rl.rlim_cur ? lim : rl.rlim_cur;
	} else {
		if (fd_saved_soft == RLIM_INFINITY)
			return;
		rl.rlim_cur = fd_saved_soft;
		fd_saved_soft = RLIM_INFINITY;
	}
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void set_error(struct server *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct server *sv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sv->last_error, sizeof(sv->last_error), fmt, ap);
	va_end(ap);
}

/* Report the last discovery's count of processes whose netns we may not
 * open and of netns found but not tracked, once per change (the second
 * wins lastError when both change at once). */
static void note_skipped(struct server *sv)
{
	struct agent_stats st;

	agent_get_stats(sv->a, &st);
	/* Not a count of netns (several processes share one), but each of
	 * them may hold a netns nothing else shows. */
	if (st.ns_denied && !sv->ns_denied) {
		set_error(sv, "the netns of %u processes cannot be opened: permission denied by the "
			  "ptrace access check (pflinkd needs CAP_SYS_PTRACE; an LSM or a process in another "
			  "user namespace can refuse it still)", st.ns_denied);
		ag_log(sv->a, PF_LOG_WARNING, "%s", sv->last_error);
	} else if (!st.ns_denied && sv->ns_denied) {
		ag_log(sv->a, PF_LOG_INFO, "the netns of every process can be opened again");
	}
	sv->ns_denied = st.ns_denied;
	if (st.ns_skipped && st.ns_skipped != sv->ns_skipped) {
		struct rlimit rl = { 0 };

		getrlimit(RLIMIT_NOFILE, &rl);
		set_error(sv, "%u netns found but not tracked: %s (RLIMIT_NOFILE %llu)", st.ns_skipped,
			  st.skip_err == EMFILE || st.skip_err == ENFILE ? "out of file descriptors"
									: strerror(st.skip_err),
			  (unsigned long long)rl.rlim_cur);
		ag_log(sv->a, PF_LOG_WARNING, "%s", sv->last_error);
	} else if (!st.ns_skipped && sv->ns_skipped) {
		ag_log(sv->a, PF_LOG_INFO, "every netns found is tracked again");
	}
	sv->ns_skipped = st.ns_skipped;
}

/* Each runtime root's state, in the log, when it is not what it was. */
static void note_runtimes(struct server *sv)
{
	struct agent *a = sv->a;
	unsigned rt;

	for (rt = 0; a->pods && rt < POD_RT_N; rt++) {
		struct pods_root_info ri;

		pods_index_root(a->pods, rt, &ri);
		if (ri.state == PODS_ROOT_OFF)
			continue;
		if (ri.state == PODS_ROOT_OK)
			ag_log(a, PF_LOG_INFO, "%s bundles under %s: %u pods' sandboxes and device holders indexed",
			       pod_runtime_name(rt), ri.path, ri.entries);
		else
			ag_log(a, PF_LOG_INFO, "%s bundles under %s cannot be read (%s: %s): pods it runs are named by record or cgroup only",
			       pod_runtime_name(rt), ri.path, pods_root_state_name(ri.state), strerror(ri.err));
	}
}

/* The descriptor a worker's sockets must stay below: the map's share,
 * without the walk's floor (agent_fd_map_mode): a floor taken while
 * clients hold descriptors would let the worker fill them once the
 * clients are gone, and leave the loop none.  0: no limit. */
static int map_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= INT_MAX)
		return 0;
	return (int)(rl.rlim_cur - fd_headroom(rl.rlim_cur));
}

/* Discovery, within the map's descriptor budget.  The loop's own
 * (a mount change, the timer) goes on in the background: the walk and the
 * drops now, the new netns taken as the worker enters them (on_disc), so
 * a worker waiting for RTNL delays no answer.  The budget is the limit
 * agent_fd_map_mode sets, handed to the worker rather than kept lowered
 * for the process while the loop serves.  A client's nudge waits for
 * its end: it asked for a discovery's outcome. */
static int discover_as(struct server *sv, bool wait)
{
	int r, lim = wait ? 0 : map_fd_limit();

	agent_fd_map_mode(true);
	if (wait) {
		r = agent_discover(sv->a);
	} else {
		r = agent_discover_start(sv->a, lim);
		if (r == 0 && agent_discover_fd(sv->a) < 0)
			agent_discover_step(sv->a, true);
	}
	agent_fd_map_mode(false);
	if (r < 0)
		set_error(sv, "netns discovery failed: %s", strerror(-r));
	else if (!agent_discover_busy(sv->a))
		note_skipped(sv);
	return r;
}

static int discover(struct server *sv)
{
	return discover_as(sv, false);
}

/* The worker has entered more netns: take them; at the end, what the
 * discovery found, and another if one was asked for meanwhile. */
static void on_disc(struct server *sv)
{
	int ended = agent_discover_step(sv->a, false);

	agent_track_step(sv->a);
	if (ended <= 0)
		return;
	note_skipped(sv);
	if (agent_discover_again(sv->a))
		discover(sv);
}

static int ep_add(struct server *sv, struct src *s, unsigned events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	return epoll_ctl(sv->ep, EPOLL_CTL_ADD, s->fd, &ev) < 0 ? -errno : 0;
}

/* Refuse to steal the socket of a running agent; replace a stale one. */
static int listen_on(const char *path, int *fd_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	_cleanup_close_ int fd = -1;
	struct stat st;
	mode_t old;
	int r;

	if (pf_strscpy(sa.sun_path, path, sizeof(sa.sun_path)) < 0 || pf_strscpy(dir, path, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	r = pf_mkdir_p(dirname(dir), 0755);
	if (r < 0)
		return r;
	if (lstat(path, &st) == 0) {
		_cleanup_close_ int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return -EADDRINUSE;
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Born 0600: no window in which another user could connect. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, 128) < 0)
		return -errno;
	*fd_out = TAKE_FD(fd);
	return 0;
}

static void client_close(struct server *sv, struct client *c)
{
	unsigned i;

	epoll_ctl(sv->ep, EPOLL_CTL_DEL, c->s.fd, NULL);
	close(c->s.fd);
	for (i = 0; i < sv->n_cl; i++)
		if (sv->cl[i] == c) {
			sv->cl[i] = sv->cl[--sv->n_cl];
			break;
		}
	free(c);
}

/* Whole answer or nothing; a client that does not read is dropped. */
static int send_all(int fd, const char *p, size_t n)
{
	unsigned long long end = pf_now_ns() + CLIENT_SEND_MS * 1000000ull;

	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (pf_now_ns() >= end)
			return -ETIMEDOUT;
		{
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			poll(&pfd, 1, 50);
		}
	}
	return 0;
}

/* Answers are printed into one buffer that lives as long as the serving
 * loop (the only thread that answers): a 64-VF PF's answer at 1000 netns
 * is ~150 KiB, and printing it into a fresh buffer grown by realloc took
 * a third of the lookup in copies, mmap and page faults (docs/performance.md).
 * The buffer keeps the largest answer's size up to ANSWER_BUF_KEEP. */
#define ANSWER_BUF_MIN (64u << 10)
#define ANSWER_BUF_KEEP (1u << 20)
static char *answer_buf;
static size_t answer_cap;

static void answer_buf_free(void)
{
	free(answer_buf);
	answer_buf = NULL;
	answer_cap = 0;
}

static int send_json(int fd, cJSON *o)
{
	size_t n;
	int r;

	if (!o)
		return -ENOMEM;
	/* One byte kept for the newline: the line and its newline in one
	 * send (sent apart, a client that waits for the newline wakes up
	 * twice).  cJSON says only "did not fit": double until it does. */
	for (;;) {
		if (answer_cap && cJSON_PrintPreallocated(o, answer_buf, (int)(answer_cap - 1), false))
			break;
		if (answer_cap >= INT_MAX / 2) {
			cJSON_Delete(o);
			return -ENOMEM;
		}
		{
			size_t cap = answer_cap ? 2 * answer_cap : ANSWER_BUF_MIN;
			char *b = malloc(cap);

			if (!b) {
				cJSON_Delete(o);
				return -ENOMEM;
			}
			free(answer_buf);
			answer_buf = b;
			answer_cap = cap;
		}
	}
	cJSON_Delete(o);
	n = strlen(answer_buf);
	answer_buf[n++] = '\n';
	r = send_all(fd, answer_buf, n);
	if (answer_cap > ANSWER_BUF_KEEP)
		answer_buf_free();
	return r;
}

static cJSON *err_answer(const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	json_add_int(o, "v", (long long)(1));
	json_add_bool(o, "ok", false);
	json_add_str(o, "error", msg);
	return o;
}

/* Refuse a client in words, without a descriptor to spare: the reserve
 * is given up for the moment it takes (else a listener that cannot accept
 * stays readable and the loop spins). */
static void refuse(struct server *sv, int fd, const char *why)
{
	sv->refused++;
	send_json(fd, err_answer(why));
	close(fd);
}

static void on_accept(struct server *sv)
{
	for (;;) {
		int fd = accept4(sv->listen.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ucred cr;
		socklen_t crl = sizeof(cr);
		struct rlimit rl;
		struct client *c;

		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && sv->reserve >= 0) {
			int e = errno;

			close(sv->reserve);
			fd = accept4(sv->listen.fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0) {
				set_error(sv, "refusing clients: %s", strerror(e));
				refuse(sv, fd, "pflinkd is out of file descriptors, try again");
			}
			sv->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd >= 0)
				continue;
			errno = e;
		}
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				set_error(sv, "accept: %s", strerror(errno));
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0 || cr.uid != 0) {
			ag_log(sv->a, PF_LOG_WARNING, "refused client pid %d uid %d: root only",
			       (int)cr.pid, (int)cr.uid);
			send_json(fd, err_answer("permission denied: pflinkd serves root only"));
			close(fd);
			continue;
		}
		/* Keep descriptors to answer with: one client more would leave
		 * too few for sysfs and the state files. */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    (rlim_t)fd + FD_ANSWER_RESERVE >= rl.rlim_cur) {
			set_error(sv, "refusing clients: %u connected, descriptors near RLIMIT_NOFILE %llu",
				  sv->n_cl, (unsigned long long)rl.rlim_cur);
			refuse(sv, fd, "pflinkd is out of file descriptors, try again");
			continue;
		}
		if (sv->n_cl == CLIENTS_MAX || !(c = calloc(1, sizeof(*c)))) {
			refuse(sv, fd, "too many clients, try again");
			continue;
		}
		c->s.kind = SRC_CLIENT;
		c->s.fd = fd;
		c->deadline = pf_now_ns() + CLIENT_IDLE_MS * 1000000ull;
		if (ep_add(sv, &c->s, EPOLLIN | EPOLLRDHUP) < 0) {
			close(fd);
			free(c);
			continue;
		}
		sv->cl[sv->n_cl++] = c;
	}
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void record_named(const char *name, void *arg)
{
	ag_record_changed(arg, name);
}

/* One-shot timer t in ms: false when it cannot be set (the caller then
 * does at once what the timer would have started). */
static bool arm_once(struct src *t, long ms)
{
	struct itimerspec its = { .it_value.tv_nsec = ms * 1000000L };

	return timerfd_settime(t->fd, 0, &its, NULL) == 0;
}

/* The state dir's inotify events: note the names, read them after the
 * debounce (or right away when a request comes first). */
static void on_state(struct server *sv)
{
	/* Aligned as the kernel wants for struct inotify_event. */
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(sv->state.fd, buf, sizeof(buf))) > 0) {
		bool overflow = false;

		if (ag_inotify_names(buf, (size_t)n, record_named, sv->a, &overflow) < 0 || overflow)
			ag_load_attachments(sv->a);	/* names lost: read them all */
	}
	if (ag_records_pending(sv->a) && !sv->debounce_armed &&
	    !(sv->debounce_armed = arm_once(&sv->debounce, RECORD_DEBOUNCE_MS)))
		ag_records_flush(sv->a);	/* no timer: read them now */
}

/* What pflink wrote before a request was sent is in its answer. */
static void records_current(struct server *sv)
{
	on_state(sv);
	ag_records_flush(sv->a);
}

/* Track the netns at path, within the map's descriptor budget. */
static int track(struct server *sv, const char *path)
{
	int r;

	/* Known already (every retry, and every netns discovery saw first):
	 * one stat, no descriptor. */
	if (agent_track_known(sv->a, path))
		return 0;
	agent_fd_map_mode(true);
	r = agent_track_path(sv->a, path);
	agent_fd_map_mode(false);
	return r;
}

/* A pod's netns a `pf` request named, entered by a thread of its own
 * (agent_track_start): a worker waiting for RTNL holds up no answer.
 * Every question but `pf` waits for it first (handle), so whatever asks
 * after the ADD but the next ADD sees the VF in its pod. */
static void track_bg(struct server *sv, const char *path)
{
	int lim;

	if (agent_track_known(sv->a, path))
		return;
	lim = map_fd_limit();
	agent_fd_map_mode(true);
	agent_track_start(sv->a, path, lim);
	agent_fd_map_mode(false);
}

/* One request.  What may track new netns (nudge) runs within the map's
 * descriptor budget here; the answer itself is made with the headroom, so
 * reading sysfs cannot fail for want of descriptors.  A pf's "netns" is
 * tracked after its answer is sent (after_answer). */
static cJSON *handle(struct server *sv, const struct agent_req *req)
{
	unsigned long long t0;
	cJSON *ans;
	int r;

	/* Pods' netns named by earlier `pf` requests, still being entered:
	 * only another `pf` (the PF's facts, what a plugin asks) goes on
	 * without them. */
	if (req->op != AGENT_OP_PF)
		agent_track_settle(sv->a);
	if (req->netns && req->op == AGENT_OP_NUDGE) {
		r = track(sv, req->netns);
		if (r < 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "cannot track netns %.400s: %s", req->netns, strerror(-r));
			return err_answer(msg);
		}
	} else if (req->op == AGENT_OP_NUDGE) {
		char msg[300];

		r = discover_as(sv, true);
		if (r < 0) {
			snprintf(msg, sizeof(msg), "discovery failed: %s", strerror(-r));
			return err_answer(msg);
		}
	}
	records_current(sv);
	t0 = pf_now_ns();
	/* Changes sysfs signalled before the request was sent: read now. */
	sfc_sync(sv->a->sfc);
	ans = agent_answer(sv->a, req);
	mx_hist_observe(&sv->a->hist.answer[req->op], pf_now_ns() - t0);
	if (req->op == AGENT_OP_HEALTH && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans, "ok"))) {
		json_add_int(ans, "nsSkipped", (long long)(sv->ns_skipped));
		json_add_int(ans, "nsDenied", (long long)(sv->ns_denied));
		json_add_int(ans, "clientsRefused", (long long)(sv->refused));
		json_add_str(ans, "lastError", sv->last_error);
	}
	return ans;
}

static void on_client(struct server *sv, struct client *c)
{
	bool eof = false;
	char *nl;

	for (;;) {
		ssize_t n = recv(c->s.fd, c->buf + c->len, REQ_MAX + 1 - c->len, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			/* A client may send its lines and shut its side down
			 * at once: answer what arrived before closing. */
			eof = true;
			break;
		}
		c->len += (size_t)n;
		if (c->len > REQ_MAX)
			break;
	}
	c->deadline = pf_now_ns() + CLIENT_IDLE_MS * 1000000ull;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t line = (size_t)(nl - c->buf);
		struct agent_req req;
		char why[300];
		cJSON *ans;
		int r = agent_req_parse(c->buf, line, &req, why, sizeof(why));

		if (r == -EBADMSG) {
			send_json(c->s.fd, err_answer(why));
			client_close(sv, c);
			return;
		}
		ans = r < 0 ? err_answer(why) : handle(sv, &req);
		if (send_json(c->s.fd, ans) < 0) {
			if (r == 0)
				agent_req_free(&req);
			client_close(sv, c);
			return;
		}
		/* The pod's netns, which pflink's ADD names, holds its VF and
		 * not the PF the answer is about: tracking it (a netns entered,
		 * three sockets, a dump) need not delay that ADD, nor another
		 * pod's (track_bg). */
		if (r == 0 && req.op == AGENT_OP_PF && req.netns)
			track_bg(sv, req.netns);
		if (r == 0)
			agent_req_free(&req);
		memmove(c->buf, nl + 1, c->len - line - 1);
		c->len -= line + 1;
	}
	if (c->len > REQ_MAX) {
		send_json(c->s.fd, err_answer("request longer than 64 KiB"));
		client_close(sv, c);
	} else if (eof) {
		client_close(sv, c);
	}
}

static void expire_clients(struct server *sv)
{
	unsigned long long now = pf_now_ns();
	unsigned i;

	for (i = 0; i < sv->n_cl;) {
		struct client *c = sv->cl[i];

		if (c->deadline > now) {
			i++;
			continue;
		}
		send_json(c->s.fd, err_answer("idle for 5 s: closing"));
		client_close(sv, c);	/* moves the last into slot i */
	}
}

static int setup(struct server *sv)
{
	struct agent *a = sv->a;
	struct itimerspec its = { 0 };
	sigset_t ss;
	int r;

	sv->ep = epoll_create1(EPOLL_CLOEXEC);
	if (sv->ep < 0)
		return -errno;
	sv->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (sv->reserve < 0)
		return -errno;
	r = listen_on(a->o.socket, &sv->listen.fd);
	if (r < 0)
		return r;
	sv->listen.kind = SRC_LISTEN;
	sv->netns = (struct src){ SRC_NETNS, a->nsep };
	if ((r = ep_add(sv, &sv->listen, EPOLLIN)) < 0 || (r = ep_add(sv, &sv->netns, EPOLLIN)) < 0)
		return r;

	/* Mount table changes are how bind-mounted netns come and go. */
	sv->mounts = (struct src){ SRC_MOUNTS, open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC) };
	if (sv->mounts.fd >= 0 && (r = ep_add(sv, &sv->mounts, EPOLLPRI)) < 0)
		return r;

	sv->state = (struct src){ SRC_STATE, inotify_init1(IN_NONBLOCK | IN_CLOEXEC) };
	if (sv->state.fd < 0)
		return -errno;
	pf_mkdir_p(a->o.state_dir, 0700);
	sv->watching = inotify_add_watch(sv->state.fd, a->o.state_dir,
					 IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) >= 0;
	if (!sv->watching)
		ag_log(a, PF_LOG_WARNING, "cannot watch %s: %s (pod names update on rescan only)",
		       a->o.state_dir, strerror(errno));
	if ((r = ep_add(sv, &sv->state, EPOLLIN)) < 0)
		return r;
	sv->debounce = (struct src){ SRC_DEBOUNCE, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC) };
	if (sv->debounce.fd < 0)
		return -errno;
	if ((r = ep_add(sv, &sv->debounce, EPOLLIN)) < 0)
		return r;

	sv->settle = (struct src){ SRC_SETTLE, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC) };
	if (sv->settle.fd < 0)
		return -errno;
	if ((r = ep_add(sv, &sv->settle, EPOLLIN)) < 0)
		return r;

	sv->timer = (struct src){ SRC_TIMER, timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC) };
	if (sv->timer.fd < 0)
		return -errno;
	its.it_interval.tv_sec = a->o.rescan_ms / 1000;
	its.it_interval.tv_nsec = (long)(a->o.rescan_ms % 1000) * 1000000;
	its.it_value = its.it_interval;
	if (timerfd_settime(sv->timer.fd, 0, &its, NULL) < 0 || (r = ep_add(sv, &sv->timer, EPOLLIN)) < 0)
		return r < 0 ? r : -errno;

	/* The runtimes' bundles: inotify on their roots and bundles. */
	sv->pods = (struct src){ SRC_PODS, a->pods ? pods_index_fd(a->pods) : -1 };
	if (sv->pods.fd >= 0 && (r = ep_add(sv, &sv->pods, EPOLLIN)) < 0)
		return r;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	sv->sig = (struct src){ SRC_SIGNAL, signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC) };
	if (sv->sig.fd < 0)
		return -errno;
	if ((r = ep_add(sv, &sv->sig, EPOLLIN)) < 0)
		return r;
	/* devlink: eswitch modes and the ports that tie representors to
	 * VFs.  Without it (or its events) the agent serves as before. */
	ag_dl_start(a);
	sv->devlink = (struct src){ SRC_DEVLINK, ag_dl_event_fd(a) };
	if (sv->devlink.fd >= 0) {
		sv->dl_settle = (struct src){ SRC_DL_SETTLE,
					      timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC) };
		if (sv->dl_settle.fd < 0)
			return -errno;
		if ((r = ep_add(sv, &sv->devlink, EPOLLIN)) < 0 || (r = ep_add(sv, &sv->dl_settle, EPOLLIN)) < 0)
			return r;
	}
	/* Read while idle too: the signal must not overflow between requests. */
	sv->sysfs = (struct src){ SRC_SYSFS, sfc_fd(a->sfc) };
	if (sv->sysfs.fd >= 0 && (r = ep_add(sv, &sv->sysfs, EPOLLIN)) < 0)
		return r;
	/* The agent's own: without it, discoveries wait for their worker. */
	sv->disc = (struct src){ SRC_DISC, agent_discover_fd(a) };
	if (sv->disc.fd >= 0 && (r = ep_add(sv, &sv->disc, EPOLLIN)) < 0)
		return r;
	/* After the signal mask: the HTTP thread inherits it. */
	if (a->o.metrics_address) {
		r = ag_http_start(a->o.metrics_address, &sv->http, sv->why, sizeof(sv->why));
		if (r < 0)
			return r;
		sv->metrics = (struct src){ SRC_METRICS, ag_http_fd(sv->http) };
		if ((r = ep_add(sv, &sv->metrics, EPOLLIN)) < 0)
			return r;
		ag_log(a, PF_LOG_INFO, "serving /metrics on http://%s/metrics", a->o.metrics_address);
	}
	return 0;
}

/* A scrape waits: take a snapshot, a slice per turn of the loop. */
static void on_metrics(struct server *sv)
{
	if (!ag_http_wanted(sv->http) || sv->job)
		return;
	records_current(sv);
	if (ag_collect_start(sv->a, true, &sv->job) < 0)
		ag_http_deliver(sv->http, NULL);
}

static void metrics_slice(struct server *sv)
{
	int r = ag_collect_step(sv->a, sv->job);
	struct mx_snap *s;

	if (r == 0)
		return;
	s = r > 0 ? ag_collect_take(sv->job) : NULL;
	if (s)
		s->agent.refused = sv->refused;
	ag_collect_free(sv->job);
	sv->job = NULL;
	ag_http_deliver(sv->http, s);
}

static void teardown(struct server *sv)
{
	ag_http_stop(sv->http);
	ag_collect_free(sv->job);
	while (sv->n_cl)
		client_close(sv, sv->cl[0]);
	if (sv->listen.fd >= 0) {
		close(sv->listen.fd);
		unlink(sv->a->o.socket);
	}
	if (sv->mounts.fd >= 0)
		close(sv->mounts.fd);
	if (sv->state.fd >= 0)
		close(sv->state.fd);
	if (sv->timer.fd >= 0)
		close(sv->timer.fd);
	if (sv->debounce.fd >= 0)
		close(sv->debounce.fd);
	if (sv->settle.fd >= 0)
		close(sv->settle.fd);
	if (sv->dl_settle.fd >= 0)
		close(sv->dl_settle.fd);
	ag_dl_free(sv->a);
	if (sv->sig.fd >= 0)
		close(sv->sig.fd);
	if (sv->reserve >= 0)
		close(sv->reserve);
	if (sv->ep >= 0)
		close(sv->ep);
	answer_buf_free();
}

int agent_serve(struct agent *a, char *why, size_t whylen)
{
	struct server sv = { .a = a, .ep = -1, .reserve = -1 };
	int r, running = 1, dump_wait = agent_dump_work(a);

	sv.listen.fd = sv.mounts.fd = sv.settle.fd = sv.state.fd = sv.debounce.fd = sv.timer.fd = sv.sig.fd = -1;
	sv.metrics.fd = sv.devlink.fd = sv.dl_settle.fd = sv.sysfs.fd = sv.disc.fd = -1;
	r = setup(&sv);
	if (r < 0) {
		if (sv.why[0])
			snprintf(why, whylen, "%s", sv.why);
		else
			snprintf(why, whylen, "cannot serve on %s (its directory must be writable: the host's /run/pflink)",
				 a->o.socket);
		teardown(&sv);
		return r;
	}
	note_skipped(&sv);
	note_runtimes(&sv);
	ag_log(a, PF_LOG_INFO, "serving on %s: %u netns tracked", a->o.socket, a->n_ns);
	while (running) {
		struct epoll_event evs[32];
		/* A snapshot, a dump or bundles to read in progress: look for
		 * clients, then one slice of each. */
		int timeout = sv.job || (a->pods && pods_index_busy(a->pods)) || agent_discover_ready(a) ? 0 : 500;
		int i, n;

		if (dump_wait >= 0 && dump_wait < timeout)
			timeout = dump_wait;
		n = epoll_wait(sv.ep, evs, ARRAY_SIZE(evs), timeout);

		if (n < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			struct src *s = evs[i].data.ptr;

			switch (s->kind) {
			case SRC_LISTEN:
				on_accept(&sv);
				break;
			case SRC_CLIENT:
				on_client(&sv, (struct client *)s);
				break;
			case SRC_NETNS:
				agent_poll_events(a, 0);
				break;
			case SRC_MOUNTS:
				if (!sv.settle_armed && !(sv.settle_armed = arm_once(&sv.settle, MOUNT_SETTLE_MS)))
					discover(&sv);	/* no timer: discover now */
				break;
			case SRC_SETTLE:
				drain(s->fd);
				sv.settle_armed = false;
				discover(&sv);
				break;
			case SRC_STATE:
				on_state(&sv);
				break;
			case SRC_DEBOUNCE:
				drain(s->fd);
				sv.debounce_armed = false;
				ag_records_flush(a);
				break;
			case SRC_TIMER:
				drain(s->fd);
				/* A runtime root that was absent may be there now;
				 * a sandbox's netns path may resolve now. */
				if (a->pods && pods_index_recheck(a->pods))
					note_runtimes(&sv);
				discover(&sv);
				/* A mode change with no port to add or remove
				 * sends no devlink event. */
				ag_dl_refresh(a, true);
				/* Without a watch, the timer is how records are seen. */
				if (!sv.watching)
					ag_load_attachments(a);
				break;
			case SRC_SIGNAL:
				drain(s->fd);
				running = 0;
				break;
			case SRC_METRICS:
				on_metrics(&sv);
				break;
			case SRC_DEVLINK:
				ag_dl_events(a);
				if (!sv.dl_settle_armed && !(sv.dl_settle_armed = arm_once(&sv.dl_settle, DEVLINK_SETTLE_MS)))
					ag_dl_refresh(a, false);
				break;
			case SRC_DL_SETTLE:
				drain(s->fd);
				sv.dl_settle_armed = false;
				ag_dl_refresh(a, false);
				break;
			case SRC_PODS:
				pods_index_events(a->pods);
				break;
			case SRC_SYSFS:
				sfc_sync(a->sfc);
				break;
			case SRC_DISC:
				on_disc(&sv);
				break;
			}
		}
		expire_clients(&sv);
		if (a->pods && pods_index_busy(a->pods))
			pods_index_work(a->pods, PODS_SLICE_NS);
		if (sv.job)
			metrics_slice(&sv);
		if (agent_discover_ready(a))
			on_disc(&sv);	/* the next slice of what the worker did */
		dump_wait = agent_dump_work(a);
	}
	ag_log(a, PF_LOG_INFO, "stopping");
	teardown(&sv);
	return r < 0 ? r : 0;
}

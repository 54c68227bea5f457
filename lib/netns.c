/* SPDX-License-Identifier: MIT */
#include "pflink/netns.h"
#include "pflink/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/nsfs.h>

int netns_open(const char *path, int *fd_out)
{
	_cleanup_close_ int fd = -1;
	struct statfs sfs;
	int type;

	/* O_NONBLOCK: a FIFO put where a netns was named would block the
	 * open until a writer came (the agent's whole event loop with it);
	 * for an nsfs file it changes nothing. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	/* A bind-mounted netns and /proc/PID/ns/net both live on nsfs; a
	 * regular file or a directory would make setns() fail much later with
	 * a less helpful EINVAL, so refuse early. */
	if ((unsigned long)sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	/* nsfs also holds pid, mnt, user... namespaces: only a netns will do. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET)
		return -EINVAL;
	*fd_out = TAKE_FD(fd);
	return 0;
}

int netns_open_expect(const char *path, const struct netns_id *want, int *fd_out)
{
	_cleanup_close_ int fd = -1;
	struct netns_id id;
	int r = netns_open(path, &fd);

	if (r < 0)
		return r;
	if (netns_id(fd, &id) < 0 || !netns_id_eq(&id, want))
		return -ESTALE;
	*fd_out = TAKE_FD(fd);
	return 0;
}

int netns_id(int fd, struct netns_id *out)
{
	struct stat st;

	if (fd >= 0 ? fstat(fd, &st) : stat("/proc/self/ns/net", &st))
		return -errno;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return 0;
}

bool netns_id_eq(const struct netns_id *a, const struct netns_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

int netns_owner(int nsfd, struct netns_id *userns)
{
	_cleanup_close_ int fd = ioctl(nsfd, NS_GET_USERNS);

	if (fd < 0)
		return -errno;
	return netns_id(fd, userns);
}

struct sock_job {
	int nsfd;
	struct netns_sock_req *reqs;
	unsigned n;
	int err;
};

static void make_sockets(struct sock_job *job)
{
	unsigned i;

	for (i = 0; i < job->n; i++) {
		struct netns_sock_req *r = &job->reqs[i];
		int err = 0;

		r->fd = socket(r->domain, r->type | SOCK_CLOEXEC, r->proto);
		if (r->fd < 0)
			err = -errno;
		else if (r->prep && (err = r->prep(r->fd, r->prep_arg)) < 0)
			close(r->fd);
		if (err < 0) {
			job->err = err;
			r->fd = -1;
			while (i--) {
				close(job->reqs[i].fd);
				job->reqs[i].fd = -1;
			}
			return;
		}
	}
}

/* The caller's own netns, opened once per thread: the way back. */
static _Thread_local int home_fd = -1;
/* Set when a setns() back home failed: from then on this thread is in some
 * other netns, and nothing it makes "in its own netns" can be trusted. */
static _Thread_local bool stranded;

int netns_sockets(int nsfd, struct netns_sock_req *reqs, unsigned n)
{
	struct sock_job job = { .nsfd = nsfd, .reqs = reqs, .n = n };

	if (stranded)
		return -ENOTRECOVERABLE;
	if (nsfd < 0) {
		make_sockets(&job);
		return job.err;
	}
	/* There and back on the calling thread: setns(CLONE_NEWNET) affects
	 * only this thread, and a socket stays in the netns it was made in.
	 * A throwaway thread would never need the way back, but costs a
	 * clone, an 8 MiB stack mapping and its teardown: most of what a
	 * pod start pays for entering the netns (docs/performance.md). */
	if (home_fd < 0) {
		home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home_fd < 0)
			return -errno;
	}
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	make_sockets(&job);
	/* The only way this fails is the kernel out of memory for a new
	 * nsproxy; the thread then stays where it is, and says so. */
	if (setns(home_fd, CLONE_NEWNET) < 0) {
		stranded = true;
		for (unsigned i = 0; !job.err && i < n; i++) {
			close(reqs[i].fd);
			reqs[i].fd = -1;
		}
		return -ENOTRECOVERABLE;
	}
	return job.err;
}

struct netns_batch {
	struct netns_job *jobs;
	unsigned n, done;
	int fd_limit, notify_fd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t t;
};

static int enter(const struct netns_job *job)
{
	_cleanup_close_ int fd = -1;
	int r = netns_open_expect(job->path, &job->id, &fd);

	if (r < 0)
		return r;
	return setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
}

/* The caller's descriptor budget, while it serves others meanwhile: what
 * RLIMIT_NOFILE would refuse at fd_limit, refused here instead, so the
 * process-wide limit need not stay lowered for as long as the batch runs
 * (descriptors go lowest first, so one at or above the limit means every
 * one below is taken).  The sockets are closed; the job fails EMFILE. */
static bool over_limit(struct netns_job *job, int fd_limit)
{
	unsigned k;
	bool over = false;

	if (fd_limit <= 0)
		return false;
	for (k = 0; k < job->n; k++)
		over |= job->req[k].fd >= fd_limit;
	if (!over)
		return false;
	for (k = 0; k < job->n; k++) {
		close(job->req[k].fd);
		job->req[k].fd = -1;
	}
	return true;
}

static void *batch_thread(void *arg)
{
	struct netns_batch *b = arg;
	unsigned i;

	/* This thread wanders from netns to netns and then dies; no other
	 * thread of the process ever leaves its own. */
	for (i = 0; i < b->n; i++) {
		struct netns_job *job = &b->jobs[i];
		struct sock_job sj = { .reqs = job->req, .n = job->n };
		unsigned k;

		for (k = 0; k < job->n; k++)
			job->req[k].fd = -1;
		job->err = enter(job);
		if (!job->err) {
			make_sockets(&sj);
			job->err = sj.err;
		}
		if (!job->err && over_limit(job, b->fd_limit))
			job->err = -EMFILE;
		pthread_mutex_lock(&b->mu);
		b->done = i + 1;
		pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
		if (b->notify_fd >= 0) {
			uint64_t one = 1;

			/* An eventfd: it cannot fill up short of 2^64 - 1. */
			if (write(b->notify_fd, &one, sizeof(one)) < 0) {
				/* nothing to do: the caller also polls done */
			}
		}
	}
	return NULL;
}

int netns_batch_start(struct netns_job *jobs, unsigned n, int fd_limit, int notify_fd, struct netns_batch **out)
{
	struct netns_batch *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	b->jobs = jobs;
	b->n = n;
	b->fd_limit = fd_limit;
	b->notify_fd = notify_fd;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	r = pthread_create(&b->t, NULL, batch_thread, b);
	if (r) {
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
		free(b);
		return -r;
	}
	*out = b;
	return 0;
}

int netns_batch_wait(struct netns_batch *b, unsigned i)
{
	pthread_mutex_lock(&b->mu);
	while (b->done <= i)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
	return b->jobs[i].err;
}

unsigned netns_batch_done(struct netns_batch *b)
{
	unsigned done;

	pthread_mutex_lock(&b->mu);
	done = b->done;
	pthread_mutex_unlock(&b->mu);
	return done;
}

void netns_batch_end(struct netns_batch *b)
{
	if (!b)
		return;
	pthread_join(b->t, NULL);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

int netns_socket(int nsfd, int domain, int type, int proto, int *sock_out)
{
	struct netns_sock_req req = { .domain = domain, .type = type, .proto = proto, .fd = -1 };
	int r = netns_sockets(nsfd, &req, 1);

	if (r < 0)
		return r;
	*sock_out = req.fd;
	return 0;
}

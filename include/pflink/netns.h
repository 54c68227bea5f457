/* SPDX-License-Identifier: MIT */
/*
 * Network namespaces.  Sockets are made inside a target netns and handed
 * back; a socket stays bound to the netns it was created in, so the caller
 * never works "in" another netns.  The calling thread steps into the target
 * and straight back (netns_sockets), or a worker thread wanders (a batch).
 */
#ifndef PFLINK_NETNS_H
#define PFLINK_NETNS_H

#include <stdbool.h>
#include <sys/types.h>

struct netns_id {
	dev_t dev;
	ino_t ino;
};

/* Open path O_RDONLY and check it is an nsfs network namespace.
 * -ENOENT: no such path; -EINVAL: not a netns (wrong fs or ns type). */
int netns_open(const char *path, int *fd_out);

/* netns_open, then -ESTALE unless the netns is still the one with identity
 * *want (the path may have been re-pointed, or the pid reused, since). */
int netns_open_expect(const char *path, const struct netns_id *want, int *fd_out);

/* Identity of an open netns fd (or of the caller's own when fd < 0); any
 * nsfs file's works the same. */
int netns_id(int fd, struct netns_id *out);
bool netns_id_eq(const struct netns_id *a, const struct netns_id *b);

/* The identity of the user namespace that owns the netns nsfd
 * (NS_GET_USERNS).  -EPERM when it is outside the caller's. */
int netns_owner(int nsfd, struct netns_id *userns);

/* socket(domain, type|SOCK_CLOEXEC, proto) created inside netns nsfd.
 * nsfd < 0 means the caller's own netns (no thread). */
int netns_socket(int nsfd, int domain, int type, int proto, int *sock_out);

/* Several sockets in one trip into nsfd: the calling thread enters it,
 * makes them and returns to its own netns.  -ENOTRECOVERABLE when the
 * return failed (the kernel out of memory): the thread is then stuck in
 * nsfd, and every later call on it fails the same way -- a long-lived
 * caller should exit, a plugin fail the verb. */
struct netns_sock_req {
	int domain, type, proto;
	int fd;		/* out */
	/* Optional: made ready by the thread that made it, before it is
	 * handed over (0, or -errno: the sockets are closed).  A batch's
	 * worker thus does what needs no netns -- netlink's bind and group
	 * join (nl.h: nl_sock_prepare) -- beside the caller's own work. */
	int (*prep)(int fd, int arg);
	int prep_arg;
};
int netns_sockets(int nsfd, struct netns_sock_req *reqs, unsigned n);

/* Many netns in one trip, for a scan: one worker thread takes the jobs in
 * order, opens each job's path itself (so the caller holds no netns fd),
 * checks it still names job->id, enters it and makes its sockets.  The
 * caller takes each job as soon as it is done: the kernel's work of making
 * sockets in netns i+1 overlaps whatever the caller does with netns i, and
 * a thread is made once per batch, not once per netns. */
#define NETNS_JOB_SOCKS 4
struct netns_job {
	const char *path;
	struct netns_id id;	/* -ESTALE when path names another netns by now */
	struct netns_sock_req req[NETNS_JOB_SOCKS];
	unsigned n;
	int err;		/* out: 0, or why this netns has no sockets */
};
struct netns_batch;
/* fd_limit > 0: a job whose sockets got a descriptor at or above it fails
 * EMFILE (its sockets closed), as if RLIMIT_NOFILE were fd_limit for the
 * worker alone.  notify_fd >= 0: an eventfd the worker adds 1 to after
 * each job, for a caller that polls rather than waits. */
int netns_batch_start(struct netns_job *jobs, unsigned n, int fd_limit, int notify_fd,
		      struct netns_batch **out);
/* How many jobs are done (0..n), without waiting. */
unsigned netns_batch_done(struct netns_batch *b);
/* Wait for job i (taken in order) and return its err.  The sockets of a
 * job with err == 0 are the caller's to keep or close. */
int netns_batch_wait(struct netns_batch *b, unsigned i);
/* Wait for the worker to finish every job, and free the batch. */
void netns_batch_end(struct netns_batch *b);

#endif

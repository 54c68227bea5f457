/* SPDX-License-Identifier: MIT */
/*
 * Network namespaces.  The calling thread never changes netns: sockets are
 * made inside a target netns by a throwaway thread and handed back, and a
 * socket stays bound to the netns it was created in.
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

/* Identity of an open netns fd (or of the caller's own when fd < 0). */
int netns_id(int fd, struct netns_id *out);
bool netns_id_eq(const struct netns_id *a, const struct netns_id *b);

/* socket(domain, type|SOCK_CLOEXEC, proto) created inside netns nsfd.
 * nsfd < 0 means the caller's own netns (no thread). */
int netns_socket(int nsfd, int domain, int type, int proto, int *sock_out);

/* Several sockets in one trip into nsfd (one thread for all of them). */
struct netns_sock_req {
	int domain, type, proto;
	int fd;		/* out */
};
int netns_sockets(int nsfd, struct netns_sock_req *reqs, unsigned n);

#endif

/* SPDX-License-Identifier: MIT */
/* RTNETLINK talk: one link, a dump of a netns, link events. */
#include "pflink/nl.h"
#include "pflink/nlmsg.h"
#include "pflink/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct nl_handle {
	int fd;
	unsigned seq;
};

/* A link dump of a busy host netns does not fit one page; the kernel
 * sizes each dump skb to the largest link message (a PF's VF table with
 * statistics is ~300 bytes a VF), so 32 KiB holds any message without VF
 * tables and most with them.  A bigger one arrives truncated (MSG_TRUNC
 * says by how much) and the request is made again with a buffer that
 * fits.  The buffer lives for one request only: the agent holds two
 * handles per netns, and 32 KiB each would be most of its memory. */
#define RX_START 32768u
#define RX_MAX (4u << 20)

int nl_sock_prepare(int fd, int unused)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	(void)unused;
	/* nl_pid 0: the kernel picks the port.  Answers are told apart by
	 * sequence number, and only the kernel's are read (recv_one). */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	/* Without strict checking, old kernels ignore an IFLA_IFNAME filter
	 * they do not understand; ask for it where it exists, ignore failure. */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return 0;
}

int nl_sock_prepare_events(int fd, int rcvbuf)
{
	int grp = RTNLGRP_LINK, fl;
	/* Bound first: a bind() after the join, even with nl_groups 0, would
	 * set the socket's first 32 groups to none (netlink_bind). */
	int r = nl_sock_prepare(fd, 0);

	if (r < 0)
		return r;
	/* The join recomputes the group's listener mask over every member
	 * socket of NETLINK_ROUTE, in every netns, under netlink's global
	 * table lock: O(members), so a scan of N netns pays O(N^2) here.
	 * That is why a scan's worker thread does it (netns.h: prep). */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		return -errno;
	/* A bigger buffer than the default (~200 KiB, a hundred or two link
	 * events) rides out a burst (a pod start moves and renames links)
	 * without ENOBUFS.  SO_RCVBUF is capped at net.core.rmem_max;
	 * SO_RCVBUFFORCE (CAP_NET_ADMIN, which pflinkd has) is not. */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int nl_handle_wrap(int fd, struct nl_handle **out)
{
	struct nl_handle *h = calloc(1, sizeof(*h));

	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	h->fd = fd;
	h->seq = (unsigned)time(NULL);
	*out = h;
	return 0;
}

int nl_handle_open(int fd, struct nl_handle **out)
{
	int r = nl_sock_prepare(fd, 0);

	if (r < 0) {
		close(fd);
		return r;
	}
	return nl_handle_wrap(fd, out);
}

void nl_handle_close(struct nl_handle *h)
{
	if (!h)
		return;
	close(h->fd);
	free(h);
}

int nl_handle_fd(const struct nl_handle *h)
{
	return h->fd;
}

struct run_ctx {
	nl_link_cb cb;
	void *arg;
	int err;
	int stop;
};

static void msg_cb(const struct nlmsghdr *nlh, struct run_ctx *c)
{
	struct nl_link l;
	int r;

	if (c->stop)
		return;		/* drain the rest of a dump */
	if (nl_link_parse(nlh, nlh->nlmsg_len, &l) < 0)
		return;		/* a link we cannot read is not the one we want */
	r = c->cb(&l, c->arg);
	if (r < 0) {
		c->err = r;
		c->stop = 1;
	} else if (r > 0) {
		c->stop = 1;
	}
}

/* One datagram into *buf (grown to fit the next one when it was cut):
 * its length, -EMSGSIZE when it was cut (the datagram is lost), or
 * -errno. */
static ssize_t recv_one(struct nl_handle *h, char **buf, size_t *cap, int flags)
{
	struct iovec iov = { *buf, *cap };
	struct sockaddr_nl sa;
	struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(h->fd, &m, flags | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n > *cap) {
		size_t want = ((size_t)n + 4095) & ~(size_t)4095;
		char *nb = want <= RX_MAX ? realloc(*buf, want) : NULL;

		if (nb) {
			*buf = nb;
			*cap = want;
		}
		return -EMSGSIZE;
	}
	/* Only the kernel talks to us (a forged unicast could lie). */
	if (sa.nl_pid != 0)
		return 0;
	return n;
}

/* The messages of one datagram that answer seq, handed to c: 1 when the
 * answer is complete (NLMSG_DONE, the ACK of a get, or with one its one
 * message), 0 when more follow, -errno for an error answer.  *links
 * counts the messages handed on; *intr is set by NLM_F_DUMP_INTR. */
static int take(const char *buf, long len, unsigned seq, bool one, struct run_ctx *c, bool *intr,
		unsigned *links)
{
	const struct nlmsghdr *nlh;

	for (nlh = (const struct nlmsghdr *)buf; nlm_ok(nlh, len); nlh = nlm_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq)
			continue;	/* not an answer to this request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = nlm_payload(nlh);

			if (nlh->nlmsg_len < nlm_size(sizeof(*e)))
				return -EBADMSG;
			return e->error ? e->error : 1;	/* 0: the ACK of a get */
		}
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			msg_cb(nlh, c);
			(*links)++;
			if (one)
				return 1;
		}
	}
	return 0;
}

/* After -EMSGSIZE: the rest of this answer is useless without the lost
 * part; read it to its end (a dump's kernel side refills the socket on
 * every read until it is done). */
static void drain_answer(struct nl_handle *h, char **buf, size_t *cap)
{
	ssize_t n;

	do
		n = recv_one(h, buf, cap, MSG_DONTWAIT);
	while (n >= 0 || n == -EMSGSIZE);
}

static int send_req(struct nl_handle *h, const struct nlmsghdr *req)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(h->fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* One request's answers.  A dump with a message flagged NLM_F_DUMP_INTR
 * (links changed during the dump) is read to its end, not abandoned there
 * (which would leave the rest in the socket for the next request), and
 * -EINTR returned after, so the caller can retry it whole. */
static int run_once(struct nl_handle *h, struct nlmsghdr *req, char **buf, size_t *cap,
		    struct run_ctx *c)
{
	/* A get without NLM_F_ACK is answered by one message: the link, or
	 * an error.  Not waiting for an ACK saves a receive per request. */
	bool one = !(req->nlmsg_flags & (NLM_F_DUMP | NLM_F_ACK));
	bool intr = false;
	unsigned links = 0;
	int r = send_req(h, req);

	while (r == 0) {
		ssize_t n = recv_one(h, buf, cap, 0);

		if (n == -EMSGSIZE) {
			drain_answer(h, buf, cap);
			return -EMSGSIZE;
		}
		if (n < 0)
			return n == -ENOBUFS ? -EAGAIN : (int)n;
		r = take(*buf, (long)n, req->nlmsg_seq, one, c, &intr, &links);
	}
	if (r < 0)
		return r;
	if (c->err)
		return c->err;
	return intr ? -EINTR : 0;
}

/* A request in its own buffer, made again (new sequence number) after an
 * answer too big for the receive buffer.  Callbacks have then seen part of
 * it: only requests whose callbacks tolerate a restart retry (a get stops
 * at its one link; dump callers start from scratch on any error). */
static int run(struct nl_handle *h, struct nlmsghdr *req, struct run_ctx *c)
{
	size_t cap = RX_START;
	char *buf = malloc(cap);
	int r, tries = 0;

	if (!buf)
		return -ENOMEM;
	do {
		if (tries) {
			req->nlmsg_seq = ++h->seq;
			c->err = c->stop = 0;
		}
		r = run_once(h, req, &buf, &cap, c);
	} while (r == -EMSGSIZE && ++tries < 4);
	free(buf);
	return r;
}

static struct nlmsghdr *getlink_req(struct nl_handle *h, char *buf, unsigned flags, unsigned want)
{
	struct nlmsghdr *nlh = nlm_put_header(buf);
	struct ifinfomsg *ifm;
	unsigned mask = 0;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++h->seq;
	ifm = nlm_put_extra(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	/* The plugin wants the link, not its counters or VF table. */
	if (want & NL_WANT_VFS)
		mask |= RTEXT_FILTER_VF;
	if (!(want & NL_WANT_STATS))
		mask |= RTEXT_FILTER_SKIP_STATS;
	nla_put_u32(nlh, IFLA_EXT_MASK, mask);
	return nlh;
}

static int take_one(const struct nl_link *l, void *arg)
{
	*(struct nl_link *)arg = *l;
	return 1;
}

#define REQ_BUF 256	/* a getlink: header, ifinfomsg, ext mask, a name */

int nl_link_get(struct nl_handle *h, const char *name, struct nl_link *out)
{
	char req[REQ_BUF] = { 0 };
	struct nlmsghdr *nlh;
	struct nl_link l = { 0 };
	struct run_ctx c = { .cb = take_one, .arg = &l };
	int r;

	if (strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	nlh = getlink_req(h, req, 0, 0);
	nla_put_strz(nlh, IFLA_IFNAME, name);
	r = run(h, nlh, &c);
	if (r < 0)
		return r;
	if (!l.ifindex)
		return -ENODEV;
	/* The message it came from is gone with the request. */
	l.msg = NULL;
	l.msg_len = 0;
	*out = l;
	return 0;
}

struct query_ctx {
	nl_link_cb cb;
	void *arg;
	int ifindex;
	bool seen;
};

static int query_one(const struct nl_link *l, void *arg)
{
	struct query_ctx *q = arg;

	if (l->ifindex != q->ifindex)
		return 0;
	q->seen = true;
	return q->cb(l, q->arg) < 0 ? -ECANCELED : 1;
}

int nl_link_query(struct nl_handle *h, int ifindex, unsigned want, nl_link_cb cb, void *arg)
{
	char req[REQ_BUF] = { 0 };
	struct nlmsghdr *nlh = getlink_req(h, req, 0, want);
	struct query_ctx q = { .cb = cb, .arg = arg, .ifindex = ifindex };
	struct run_ctx c = { .cb = query_one, .arg = &q };
	int r;

	((struct ifinfomsg *)nlm_payload(nlh))->ifi_index = ifindex;
	r = run(h, nlh, &c);
	if (r < 0)
		return r;
	return q.seen ? 0 : -ENODEV;
}

int nl_link_dump(struct nl_handle *h, unsigned want, nl_link_cb cb, void *arg)
{
	char req[REQ_BUF] = { 0 };
	struct run_ctx c = { .cb = cb, .arg = arg };

	return run(h, getlink_req(h, req, NLM_F_DUMP, want), &c);
}

struct nl_dump {
	struct nl_handle *h;
	char req[REQ_BUF];
	char *buf;		/* grown to the largest datagram; kept across restarts */
	size_t cap;
	bool intr, done;
};

/* The sequence number of a dump sent by nl_sock_prepare_dump: a handle's
 * own start at time(NULL) and only grow, so never meet it. */
#define PREP_DUMP_SEQ 1u

static int dump_new(struct nl_handle *h, unsigned want, bool sent, struct nl_dump **out)
{
	struct nl_dump *d = calloc(1, sizeof(*d));
	struct nlmsghdr *req;
	int r;

	if (!d || !(d->buf = malloc(RX_START))) {
		free(d);
		return -ENOMEM;
	}
	d->h = h;
	d->cap = RX_START;
	req = getlink_req(h, d->req, NLM_F_DUMP, want);
	if (sent) {
		req->nlmsg_seq = PREP_DUMP_SEQ;
	} else if ((r = send_req(h, req)) < 0) {
		d->done = true;
		nl_link_dump_free(d, true);
		return r;
	}
	*out = d;
	return 0;
}

int nl_link_dump_start(struct nl_handle *h, unsigned want, struct nl_dump **out)
{
	return dump_new(h, want, false, out);
}

int nl_link_dump_sent(struct nl_handle *h, unsigned want, struct nl_dump **out)
{
	return dump_new(h, want, true, out);
}

int nl_sock_prepare_dump(int fd, int want)
{
	char req[REQ_BUF] = { 0 };
	struct nl_handle h = { .fd = fd, .seq = PREP_DUMP_SEQ - 1 };
	int r = nl_sock_prepare(fd, 0);

	if (r < 0)
		return r;
	/* The kernel fills the first answer (for a pod's netns, all of it)
	 * inside this sendto(): that work is now the preparing thread's. */
	return send_req(&h, getlink_req(&h, req, NLM_F_DUMP, (unsigned)want));
}

int nl_link_dump_restart(struct nl_dump *d)
{
	struct nlmsghdr *req = (struct nlmsghdr *)d->req;

	if (!d->done)
		drain_answer(d->h, &d->buf, &d->cap);
	req->nlmsg_seq = ++d->h->seq;
	d->intr = d->done = false;
	return send_req(d->h, req);
}

int nl_link_dump_step(struct nl_dump *d, unsigned max, nl_link_cb cb, void *arg)
{
	struct run_ctx c = { .cb = cb, .arg = arg };
	unsigned links = 0;

	if (d->done)
		return -EALREADY;
	for (;;) {
		ssize_t n = recv_one(d->h, &d->buf, &d->cap, 0);
		int r;

		if (n == -EMSGSIZE) {
			/* The buffer grew: the caller dumps again. */
			drain_answer(d->h, &d->buf, &d->cap);
			d->done = true;
			return -EMSGSIZE;
		}
		if (n < 0)
			return n == -ENOBUFS ? -EAGAIN : (int)n;
		r = take(d->buf, (long)n, ((struct nlmsghdr *)d->req)->nlmsg_seq, false, &c, &d->intr, &links);
		if (r != 0)
			d->done = true;
		if (r < 0)
			return r;
		if (c.err)
			return c.err;	/* the rest stays queued: restart or free */
		if (r > 0)
			return d->intr ? -EINTR : 1;
		if (max && links >= max)
			return 0;
	}
}

void nl_link_dump_free(struct nl_dump *d, bool drain)
{
	if (!d)
		return;
	if (drain && !d->done)
		drain_answer(d->h, &d->buf, &d->cap);
	free(d->buf);
	free(d);
}

int nl_link_rcvbuf(const struct nl_handle *h)
{
	int got;
	socklen_t len = sizeof(got);

	/* The kernel reports twice what it was asked (bookkeeping overhead). */
	if (getsockopt(h->fd, SOL_SOCKET, SO_RCVBUF, &got, &len) < 0)
		return 0;
	return got;
}

void nl_link_drain(struct nl_handle *h)
{
	char buf[4096];
	int fd = h->fd;
	ssize_t n;

	/* MSG_TRUNC: a datagram longer than buf is consumed whole. */
	do
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	while (n >= 0 || errno == EINTR || errno == ENOBUFS);
}

int nl_link_events(struct nl_handle *h, unsigned max, nl_link_cb cb, void *arg)
{
	struct run_ctx c = { .cb = cb, .arg = arg };
	size_t cap = RX_START;
	char *buf = malloc(cap);
	unsigned got = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (!max || got < max) {
		const struct nlmsghdr *nlh;
		ssize_t n = recv_one(h, &buf, &cap, MSG_DONTWAIT);
		long len;

		if (n == -EAGAIN)
			break;
		/* An event too big to read is one lost, as with ENOBUFS. */
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			r = -ENOBUFS;
			break;
		}
		if (n < 0) {
			r = (int)n;
			break;
		}
		len = (long)n;
		for (nlh = (const struct nlmsghdr *)buf; nlm_ok(nlh, len); nlh = nlm_next(nlh, &len)) {
			if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
				c.stop = 0;
				msg_cb(nlh, &c);
			}
			got++;
		}
	}
	free(buf);
	if (r < 0)
		return r;
	return c.err ? c.err : (int)got;
}

/* SPDX-License-Identifier: MIT */
/* The plugin's RTNETLINK talk: one link by name, or one dump of a netns. */
#include "pflink/nl.h"
#include "pflink/util.h"

#include <errno.h>
#include <stdbool.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nl_handle {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	/* A link dump of a busy host netns does not fit one page; the kernel
	 * sizes each dump skb to fit, so 32 KiB messages are the safe bound. */
	char buf[32768];
};

int nl_handle_open(int fd, struct nl_handle **out)
{
	struct nl_handle *h = calloc(1, sizeof(*h));

	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	h->nl = mnl_socket_fdopen(fd);
	if (!h->nl) {
		int r = -errno;

		close(fd);
		free(h);
		return r ? r : -EINVAL;
	}
	if (mnl_socket_bind(h->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;

		nl_handle_close(h);
		return r;
	}
	/* Without strict checking, old kernels ignore an IFLA_IFNAME filter
	 * they do not understand; ask for it where it exists, ignore failure. */
	{
		int one = 1;

		mnl_socket_setsockopt(h->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	}
	h->portid = mnl_socket_get_portid(h->nl);
	h->seq = (unsigned)time(NULL);
	*out = h;
	return 0;
}

void nl_handle_close(struct nl_handle *h)
{
	if (!h)
		return;
	mnl_socket_close(h->nl);
	free(h);
}

struct run_ctx {
	nl_link_cb cb;
	void *arg;
	int err;
	int stop;
};

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run_ctx *c = data;
	struct nl_link l;
	int r;

	if (c->stop)
		return MNL_CB_OK;	/* drain the rest of a dump */
	if (nl_link_parse(nlh, nlh->nlmsg_len, &l) < 0)
		return MNL_CB_OK;	/* a link we cannot read is not the one we want */
	r = c->cb(&l, c->arg);
	if (r < 0) {
		c->err = r;
		c->stop = 1;
	} else if (r > 0) {
		c->stop = 1;
	}
	return MNL_CB_OK;
}

/* Our own receive loop rather than mnl_cb_run(): libmnl stops at the first
 * message flagged NLM_F_DUMP_INTR (links changed during the dump), leaving
 * the rest of the dump in the socket.  Here the dump is read to its end and
 * -EINTR returned after, so the caller can retry it whole. */
static int run(struct nl_handle *h, struct nlmsghdr *req, struct run_ctx *c)
{
	unsigned seq = req->nlmsg_seq;
	bool intr = false;
	ssize_t n;

	if (mnl_socket_sendto(h->nl, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *nlh;
		int len;

		n = mnl_socket_recvfrom(h->nl, h->buf, sizeof(h->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ENOBUFS ? -EAGAIN : -errno;
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)h->buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || (nlh->nlmsg_pid && nlh->nlmsg_pid != h->portid))
				continue;	/* not an answer to this request */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE)
				goto done;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
					return -EBADMSG;
				if (e->error)
					return e->error;
				goto done;	/* the ACK of a get */
			}
			if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
				msg_cb(nlh, c);
		}
	}
done:
	if (c->err)
		return c->err;
	return intr ? -EINTR : 0;
}

static struct nlmsghdr *getlink_req(struct nl_handle *h, unsigned flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(h->buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++h->seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	/* No VF table, no stats: the plugin wants the link, not its counters. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nlh;
}

static int take_one(const struct nl_link *l, void *arg)
{
	*(struct nl_link *)arg = *l;
	return 1;
}

int nl_link_get(struct nl_handle *h, const char *name, struct nl_link *out)
{
	struct nlmsghdr *nlh;
	struct nl_link l = { 0 };
	struct run_ctx c = { .cb = take_one, .arg = &l };
	int r;

	if (strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	nlh = getlink_req(h, NLM_F_ACK);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	r = run(h, nlh, &c);
	if (r < 0)
		return r;
	if (!l.ifindex)
		return -ENODEV;
	*out = l;
	return 0;
}

int nl_link_dump(struct nl_handle *h, nl_link_cb cb, void *arg)
{
	struct run_ctx c = { .cb = cb, .arg = arg };

	return run(h, getlink_req(h, NLM_F_DUMP), &c);
}

/* SPDX-License-Identifier: MIT */
/*
 * devlink over generic netlink, through libnl-genl-3: pflinkd's one choke
 * point for it.  Every answer goes to dl_parse() (parse.c) as the bytes
 * the kernel sent; nothing of libnl leaves this file and parse.c.
 */
#include "devlink.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/devlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct dl_sock {
	struct nl_sock *sk;	/* requests */
	struct nl_sock *ev;	/* the "config" group, once subscribed */
	int family;
};

/* libnl's sockets are SOCK_CLOEXEC where the libc has it; be sure. */
static void cloexec(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk);

	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void dl_close(struct dl_sock *s)
{
	if (!s)
		return;
	nl_socket_free(s->sk);	/* closes it; NULL is fine */
	nl_socket_free(s->ev);
	free(s);
}

int dl_open(struct dl_sock **out)
{
	struct dl_sock *s = calloc(1, sizeof(*s));

	if (!s || !(s->sk = nl_socket_alloc())) {
		free(s);
		return -ENOMEM;
	}
	if (genl_connect(s->sk) < 0) {
		dl_close(s);
		return -EIO;
	}
	cloexec(s->sk);
	/* One answer per request: the reply, or the kernel's error. */
	nl_socket_disable_auto_ack(s->sk);
	s->family = genl_ctrl_resolve(s->sk, DEVLINK_GENL_NAME);
	if (s->family < 0) {
		dl_close(s);
		return -ENOENT;
	}
	*out = s;
	return 0;
}

struct rx {
	const struct dl_sock *s;
	struct dl_table *t;
	int err;		/* the kernel's, or -ENOMEM */
	bool intr;		/* NLM_F_DUMP_INTR: the dump may be inconsistent */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct rx *x = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct dl_msg m;

	if (h->nlmsg_type != x->s->family)
		return NL_SKIP;
	/* An answer we cannot read names nothing we could use. */
	if (dl_parse(h, h->nlmsg_len, &m) < 0)
		return NL_SKIP;
	if (dl_table_add(x->t, &m) < 0) {
		x->err = -ENOMEM;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct rx *x = arg;

	(void)who;
	x->err = e->error < 0 ? e->error : -EIO;
	return NL_STOP;
}

/* libnl would stop at a dump's first NLM_F_DUMP_INTR and leave the rest
 * of it in the socket; read it to the end and say so after. */
static int on_intr(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct rx *)arg)->intr = true;
	return NL_OK;
}

/* One request (h: the instance it names, or NULL) and its answers into
 * t.  The kernel's error, -EINTR for an interrupted dump, -EIO when the
 * socket failed (the caller opens a new one). */
static int request(struct dl_sock *s, int cmd, int flags, const struct dl_handle *h, struct dl_table *t)
{
	struct rx x = { .s = s, .t = t };
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r = -ENOMEM;

	if (!msg || !cb)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s->family, 0, flags, (uint8_t)cmd, DEVLINK_GENL_VERSION) ||
	    (h && (nla_put_string(msg, DEVLINK_ATTR_BUS_NAME, h->bus) < 0 ||
		   nla_put_string(msg, DEVLINK_ATTR_DEV_NAME, h->dev) < 0)))
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, &x);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &x);
	r = -EIO;
	if (nl_send_auto(s->sk, msg) < 0)
		goto out;
	r = nl_recvmsgs(s->sk, cb);
	if (x.err)
		r = x.err;
	else if (r < 0)
		r = -EIO;
	else
		r = x.intr ? -EINTR : 0;
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	return r;
}

static int read_once(struct dl_sock *s, struct dl_table *t)
{
	unsigned i, n;
	int r;

	r = request(s, DEVLINK_CMD_GET, NLM_F_DUMP, NULL, t);
	if (r < 0)
		return r;
	n = t->n_devs;
	for (i = 0; i < n; i++) {
		struct dl_handle h = t->devs[i].h;

		/* No eswitch (most drivers), or no CAP_NET_ADMIN (the
		 * kernel asks it of ESWITCH_GET): the instance has no mode. */
		r = request(s, DEVLINK_CMD_ESWITCH_GET, 0, &h, t);
		if (r == -EIO || r == -ENOMEM)
			return r;
		if (r < 0)
			t->devs[i].eswitch_err = r;
	}
	return request(s, DEVLINK_CMD_PORT_GET, NLM_F_DUMP, NULL, t);
}

int dl_read(struct dl_sock *s, struct dl_table *out)
{
	struct dl_table t = { 0 };
	int r, tries = 0;

	/* Ports coming and going during the dump: read it again. */
	do {
		dl_table_free(&t);
		r = read_once(s, &t);
	} while (r == -EINTR && ++tries < 4);
	if (r < 0) {
		dl_table_free(&t);
		return r;
	}
	dl_table_free(out);
	*out = t;
	return 0;
}

int dl_subscribe(struct dl_sock *s)
{
	int grp;

	if (s->ev)
		return 0;
	if (!(s->ev = nl_socket_alloc()))
		return -ENOMEM;
	/* Notifications carry sequence number 0. */
	nl_socket_disable_seq_check(s->ev);
	if (genl_connect(s->ev) < 0)
		goto fail;
	cloexec(s->ev);
	grp = genl_ctrl_resolve_grp(s->ev, DEVLINK_GENL_NAME, DEVLINK_GENL_MCGRP_CONFIG_NAME);
	if (grp < 0 || nl_socket_add_membership(s->ev, grp) < 0 || nl_socket_set_nonblocking(s->ev) < 0)
		goto fail;
	return 0;
fail:
	nl_socket_free(s->ev);
	s->ev = NULL;
	return -EIO;
}

int dl_event_fd(const struct dl_sock *s)
{
	return s && s->ev ? nl_socket_get_fd(s->ev) : -1;
}

bool dl_events_drain(struct dl_sock *s)
{
	char buf[8192];
	int fd = dl_event_fd(s);
	bool any = false;
	ssize_t n;

	if (fd < 0)
		return false;
	/* Only "something changed" matters: the table is read again whole,
	 * so a lost event (ENOBUFS) is one more reason to read it. */
	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n >= 0 || errno == ENOBUFS) {
			any = true;
			continue;
		}
		if (errno != EINTR)
			break;
	}
	return any;
}

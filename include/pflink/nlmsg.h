/* SPDX-License-Identifier: MIT */
/*
 * Netlink messages and attributes: the few primitives lib/nl.c (requests,
 * the receive loop) and lib/nl_parse.c (RTM_NEWLINK, the VF table) are
 * built on, on the kernel's own layout (linux/netlink.h).  Every walk is
 * bounded by the length it is given and never reads a byte past it; a
 * message or attribute that claims more than there is ends the walk.
 *
 * Why not libmnl: the plugin is copied onto hosts the image does not
 * control, so it is one static binary, and Debian ships no static libmnl
 * (an LGPL library, too).  What pflink used of it is the dozen one-line
 * helpers below.  test/fuzz/gen_nl_seed.c still builds its seed messages
 * with libmnl: an encoder that is not ours, for our parser to read.
 */
#ifndef PFLINK_NLMSG_H
#define PFLINK_NLMSG_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- messages ---------------------------------------------------------- */

static inline bool nlm_ok(const struct nlmsghdr *h, long len)
{
	return len >= (long)sizeof(*h) && h->nlmsg_len >= sizeof(*h) && (long)h->nlmsg_len <= len;
}

static inline const struct nlmsghdr *nlm_next(const struct nlmsghdr *h, long *len)
{
	long step = (long)NLMSG_ALIGN(h->nlmsg_len);

	*len -= step;
	return (const struct nlmsghdr *)((const char *)h + step);
}

static inline void *nlm_payload(const struct nlmsghdr *h)
{
	return (char *)h + NLMSG_HDRLEN;
}

/* Header plus a payload of len bytes. */
static inline size_t nlm_size(size_t len)
{
	return NLMSG_HDRLEN + len;
}

/* A zeroed header at the start of buf (the caller's, big enough). */
static inline struct nlmsghdr *nlm_put_header(void *buf)
{
	struct nlmsghdr *h = buf;

	memset(h, 0, NLMSG_HDRLEN);
	h->nlmsg_len = NLMSG_HDRLEN;
	return h;
}

/* size zeroed bytes (a family header such as struct ifinfomsg), padded. */
static inline void *nlm_put_extra(struct nlmsghdr *h, size_t size)
{
	char *p = (char *)h + h->nlmsg_len;

	memset(p, 0, NLMSG_ALIGN(size));
	h->nlmsg_len += (uint32_t)NLMSG_ALIGN(size);
	return p;
}

/* ---- attributes -------------------------------------------------------- */

static inline bool nla_ok(const struct nlattr *a, long len)
{
	return len >= (long)sizeof(*a) && a->nla_len >= sizeof(*a) && (long)a->nla_len <= len;
}

static inline const struct nlattr *nla_next(const struct nlattr *a, long *len)
{
	long step = (long)NLA_ALIGN(a->nla_len);

	*len -= step;
	return (const struct nlattr *)((const char *)a + step);
}

/* The type without the nested and byte-order flags. */
static inline unsigned nla_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline const void *nla_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* Each attribute a of the len bytes at start (rem: what is left). */
#define nla_for_each(a, start, len, rem)                                            \
	for ((a) = (const struct nlattr *)(start), (rem) = (long)(len); nla_ok((a), (rem)); \
	     (a) = nla_next((a), &(rem)))

/* The attributes of a message after its family header of hdrlen bytes. */
#define nla_for_each_in_msg(a, h, hdrlen, rem)                                           \
	nla_for_each(a, (const char *)(h) + NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen),                \
		     (long)(h)->nlmsg_len - (long)(NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen)), rem)

/* The attributes nested in a. */
#define nla_for_each_nested(a, parent, rem) nla_for_each(a, nla_data(parent), nla_len(parent), rem)

/* Append an attribute (the caller's buffer is big enough), padded. */
static inline void nla_put(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + h->nlmsg_len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(a->nla_len) - a->nla_len);
	h->nlmsg_len += (uint32_t)NLA_ALIGN(a->nla_len);
}

static inline void nla_put_u32(struct nlmsghdr *h, uint16_t type, uint32_t v)
{
	nla_put(h, type, &v, sizeof(v));
}

static inline void nla_put_strz(struct nlmsghdr *h, uint16_t type, const char *s)
{
	nla_put(h, type, s, strlen(s) + 1);
}

#endif

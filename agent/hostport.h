/* SPDX-License-Identifier: MIT */
/*
 * pflinkd's --metrics-address: "[ADDR]:PORT" (IPv6 or IPv4 between the
 * brackets) or "IPv4:PORT", numeric only.  Pure: no name is resolved, no
 * socket made; fuzzed (test/fuzz/fuzz_hostport.c).
 */
#ifndef PFLINK_AGENT_HOSTPORT_H
#define PFLINK_AGENT_HOSTPORT_H

#include <stddef.h>
#include <sys/socket.h>

/* The address s names into *ss (*len its length).  -EINVAL with why
 * (whylen bytes) saying what is wrong: an IPv6 address needs brackets,
 * because "2001:db8::5:9478" is itself an IPv6 address. */
int ag_hostport_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *why,
		      size_t whylen);

#endif

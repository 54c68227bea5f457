/* SPDX-License-Identifier: MIT */
#include "hostport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host part: INET6_ADDRSTRLEN and some. */
#define HOST_MAX 64

static int bad(char *why, size_t whylen, const char *s, const char *what)
{
	snprintf(why, whylen, "--metrics-address %.200s: %s", s, what);
	return -EINVAL;
}

/* The DaemonSet writes "[$(NODE_IP)]:9478" so that one argument is right
 * on IPv4, IPv6 and dual-stack nodes alike: kubelet puts status.hostIP,
 * either family, in NODE_IP.  So the brackets are taken around an IPv4
 * address too, as Go's net.SplitHostPort takes them. */
int ag_hostport_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *why,
		      size_t whylen)
{
	static const char want[] = "want [ADDRESS]:PORT or IPv4:PORT, numeric (e.g. [2001:db8::5]:9478, [192.0.2.5]:9478, 192.0.2.5:9478)";
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
	const char *host, *port, *end;
	char h[HOST_MAX];
	unsigned long p;
	size_t hl;
	char *pe;
	bool bracketed = s[0] == '[';

	if (bracketed) {
		host = s + 1;
		end = strchr(host, ']');
		if (!end)
			return bad(why, whylen, s, "no ']' closes the address");
		if (end[1] != ':')
			return bad(why, whylen, s, "want :PORT after the ']'");
		port = end + 2;
	} else {
		host = s;
		end = strchr(s, ':');
		if (!end)
			return bad(why, whylen, s, want);
		if (strchr(end + 1, ':'))
			/* "2001:db8::5:9478" is itself an IPv6 address:
			 * which part is the port cannot be told. */
			return bad(why, whylen, s,
				   "an IPv6 address needs brackets, [ADDRESS]:PORT (e.g. [2001:db8::5]:9478)");
		port = end + 1;
	}
	hl = (size_t)(end - host);
	if (hl == 0 || hl >= sizeof(h))
		return bad(why, whylen, s, want);
	memcpy(h, host, hl);
	h[hl] = '\0';
	/* Digits only: strtoul would take a sign or blanks. */
	if (!*port || strspn(port, "0123456789") != strlen(port) || strlen(port) > 5)
		return bad(why, whylen, s, "the port must be a number 1..65535");
	p = strtoul(port, &pe, 10);
	if (*pe || p == 0 || p > 65535)
		return bad(why, whylen, s, "the port must be a number 1..65535");
	/* inet_pton, not getaddrinfo: dotted quads only ("127.1" and hex
	 * are not taken), no name resolved, no interface looked up. */
	if (inet_pton(AF_INET, h, &v4.sin_addr) == 1) {
		v4.sin_port = htons((unsigned short)p);
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, &v4, sizeof(v4));
		*len = sizeof(v4);
	} else if (bracketed && inet_pton(AF_INET6, h, &v6.sin6_addr) == 1) {
		v6.sin6_port = htons((unsigned short)p);
		memset(ss, 0, sizeof(*ss));
		memcpy(ss, &v6, sizeof(v6));
		*len = sizeof(v6);
	} else {
		return bad(why, whylen, s, "not a numeric IPv4 or IPv6 address (names are not resolved, zones not taken)");
	}
	return 0;
}

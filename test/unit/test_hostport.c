/* SPDX-License-Identifier: MIT */
/*
 * agent/hostport.c: --metrics-address as the DaemonSet expands it on
 * IPv4, IPv6 and dual-stack nodes ("[$(NODE_IP)]:9478"), the plain
 * IPv4 form, and what is refused, each with words that say why.
 */
#include "t.h"
#include "hostport.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static bool parses(const char *s, int family, const char *addr, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char why[512], txt[INET6_ADDRSTRLEN];
	const void *a;
	unsigned p;

	if (ag_hostport_parse(s, &ss, &len, why, sizeof(why)) < 0) {
		printf("  %s: %s\n", s, why);
		return false;
	}
	if (ss.ss_family != family)
		return false;
	if (family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ss;

		a = &v4->sin_addr;
		p = ntohs(v4->sin_port);
		if (len != sizeof(*v4))
			return false;
	} else {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&ss;

		a = &v6->sin6_addr;
		p = ntohs(v6->sin6_port);
		if (len != sizeof(*v6))
			return false;
	}
	return inet_ntop(family, a, txt, sizeof(txt)) && !strcmp(txt, addr) && p == port;
}

/* Refused, and the words contain hint. */
static bool refused(const char *s, const char *hint)
{
	struct sockaddr_storage ss;
	socklen_t len = 7;
	char why[512] = "";
	int r = ag_hostport_parse(s, &ss, &len, why, sizeof(why));

	return r == -EINVAL && len == 7 && strstr(why, "--metrics-address") && strstr(why, hint);
}

int main(void)
{
	T_SECTION("the DaemonSet's \"[$(NODE_IP)]:9478\" on every node family");
	CHECK(parses("[192.0.2.5]:9478", AF_INET, "192.0.2.5", 9478));
	CHECK(parses("[2001:db8::5]:9478", AF_INET6, "2001:db8::5", 9478));
	CHECK(parses("[::1]:9478", AF_INET6, "::1", 9478));
	CHECK(parses("[::ffff:192.0.2.5]:9478", AF_INET6, "::ffff:192.0.2.5", 9478));
	CHECK(parses("[0.0.0.0]:1", AF_INET, "0.0.0.0", 1));

	T_SECTION("IPv4:PORT");
	CHECK(parses("127.0.0.1:9478", AF_INET, "127.0.0.1", 9478));
	CHECK(parses("10.0.0.5:65535", AF_INET, "10.0.0.5", 65535));

	T_SECTION("what main's parser took for IPv4:PORT: an IPv6 node's expansion");
	/* "2001:db8::5:9478" is itself an IPv6 address: refused, with the fix. */
	CHECK(refused("2001:db8::5:9478", "needs brackets"));
	CHECK(refused("::1:9478", "[ADDRESS]:PORT"));
	CHECK(refused("fe80::1:80", "needs brackets"));

	T_SECTION("refused: not numeric, not whole, out of range");
	CHECK(refused("localhost:9478", "not a numeric"));
	CHECK(refused("[localhost]:9478", "not a numeric"));
	CHECK(refused("127.1:9478", "not a numeric"));
	CHECK(refused("0x7f.0.0.1:9478", "not a numeric"));
	CHECK(refused("[fe80::1%lo]:9478", "zones not taken"));
	CHECK(refused("[2001:db8::5]", ":PORT"));
	CHECK(refused("[2001:db8::5]9478", ":PORT"));
	CHECK(refused("[2001:db8::5:9478", "no ']'"));
	CHECK(refused("192.0.2.5", "want"));
	CHECK(refused("192.0.2.5:", "port"));
	CHECK(refused("192.0.2.5:0", "port"));
	CHECK(refused("192.0.2.5:65536", "port"));
	CHECK(refused("192.0.2.5:+80", "port"));
	CHECK(refused("192.0.2.5: 80", "port"));
	CHECK(refused("192.0.2.5:080a", "port"));
	CHECK(refused("192.0.2.5:0000009478", "port"));
	CHECK(refused("[]:9478", "want"));
	CHECK(refused(":9478", "want"));
	CHECK(refused("", "want"));
	CHECK(refused("[1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd]:1", "want"));
	return t_done();
}

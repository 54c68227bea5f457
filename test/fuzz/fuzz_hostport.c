/* SPDX-License-Identifier: MIT */
/*
 * ag_hostport_parse on the input up to its first NUL (an argv string).
 *
 * Properties: on success the family is IPv4 or IPv6 with its own length,
 * the port is 1..65535, an unbracketed input is IPv4, and the address
 * printed back as "[ADDRESS]:PORT" parses to the same bytes; on failure
 * the output is untouched and the reason names the option; never reads
 * or writes past its buffers.
 */
#include "fuzz.h"

#include "hostport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), why[96], txt[INET6_ADDRSTRLEN], again[INET6_ADDRSTRLEN + 16];
	struct sockaddr_storage ss, ss2;
	socklen_t len = 1, len2 = 0;
	unsigned port;
	int r;

	FUZZ_CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&ss, 0xa5, sizeof(ss));
	r = ag_hostport_parse(s, &ss, &len, why, sizeof(why));
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (r < 0) {
		FUZZ_CHECK(len == 1 && ((unsigned char *)&ss)[0] == 0xa5);
		FUZZ_CHECK(FUZZ_TERMINATED(why) && !strncmp(why, "--metrics-address", 17));
		free(s);
		return 0;
	}
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ss;

		FUZZ_CHECK(len == sizeof(*v4));
		port = ntohs(v4->sin_port);
		FUZZ_CHECK(inet_ntop(AF_INET, &v4->sin_addr, txt, sizeof(txt)) != NULL);
	} else {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&ss;

		FUZZ_CHECK(ss.ss_family == AF_INET6 && len == sizeof(*v6) && s[0] == '[');
		port = ntohs(v6->sin6_port);
		FUZZ_CHECK(inet_ntop(AF_INET6, &v6->sin6_addr, txt, sizeof(txt)) != NULL);
	}
	FUZZ_CHECK(port >= 1 && port <= 65535);
	snprintf(again, sizeof(again), "[%s]:%u", txt, port);
	FUZZ_CHECK(ag_hostport_parse(again, &ss2, &len2, why, sizeof(why)) == 0);
	FUZZ_CHECK(len2 == len && !memcmp(&ss, &ss2, len));
	free(s);
	return 0;
}

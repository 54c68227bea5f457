// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * drvinfo_probe.c - ask ETHTOOL_GDRVINFO the way pflink does (AF_INET
 * datagram socket in the current netns) and print the answer.  TEST ONLY.
 *
 *	drvinfo_probe IFNAME	print "driver=<d> bus_info=<b>", exit 1 on error
 *	drvinfo_probe -		the same for each name read from stdin, one
 *				line each ("error=<strerror>" on failure), so
 *				that one process can watch the shim's cache
 *				follow edits of the map file
 */

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int query(int fd, const char *name)
{
	struct ethtool_drvinfo info;
	struct ifreq ifr;

	if (strlen(name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memset(&info, 0, sizeof(info));
	strcpy(ifr.ifr_name, name);
	info.cmd = ETHTOOL_GDRVINFO;
	ifr.ifr_data = (char *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -1;
	/* The kernel NUL-terminates; do not trust a shim to have done so. */
	printf("driver=%.*s bus_info=%.*s\n", (int)sizeof(info.driver),
	       info.driver, (int)sizeof(info.bus_info), info.bus_info);
	return 0;
}

int main(int argc, char **argv)
{
	char line[256];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME|-\n", argv[0]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "socket: %s\n", strerror(errno));
		return 1;
	}

	if (strcmp(argv[1], "-") != 0) {
		if (query(fd, argv[1]) < 0) {
			fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
			close(fd);
			return 1;
		}
		close(fd);
		return 0;
	}

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (query(fd, line) < 0)
			printf("error=%s\n", strerror(errno));
		fflush(stdout);
	}
	close(fd);
	return 0;
}

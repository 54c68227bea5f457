/* SPDX-License-Identifier: MIT */
#include "pflink/ethtool.h"
#include "pflink/util.h"

#include <errno.h>
#include <net/if_arp.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>

static int ifindex_of(int sock, const char *ifname)
{
	struct ifreq ifr = { 0 };

	if (pf_strscpy(ifr.ifr_name, ifname, IFNAMSIZ) < 0 || ioctl(sock, SIOCGIFINDEX, &ifr) < 0)
		return -1;
	return ifr.ifr_ifindex;
}

int ethtool_drvinfo_of(int sock, const char *ifname, int ifindex, struct ethtool_info *out)
{
	struct ethtool_info e;
	int r;

	if (ifindex_of(sock, ifname) != ifindex)
		return -ESTALE;
	r = ethtool_drvinfo(sock, ifname, &e);
	/* Failed or not, an answer about a name that moved is not ours. */
	if (ifindex_of(sock, ifname) != ifindex)
		return -ESTALE;
	if (r < 0)
		return r;
	*out = e;
	return 0;
}

static int speed(int sock, const char *ifname, int *mbps)
{
	/* GSET, not GLINKSETTINGS: one ioctl instead of the latter's
	 * two-call handshake, and a speed fits its 32 bits. */
	struct ethtool_cmd cmd = { .cmd = ETHTOOL_GSET };
	struct ifreq ifr = { 0 };
	__u32 s;

	if (pf_strscpy(ifr.ifr_name, ifname, IFNAMSIZ) < 0)
		return -ENAMETOOLONG;
	ifr.ifr_data = (void *)&cmd;
	if (ioctl(sock, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	s = ethtool_cmd_speed(&cmd);
	*mbps = s == 0 || s == (__u32)SPEED_UNKNOWN || s > 0x7fffffffu ? -1 : (int)s;
	return 0;
}

int ethtool_speed_of(int sock, const char *ifname, int ifindex, int *mbps)
{
	int r, v = -1;

	if (ifindex_of(sock, ifname) != ifindex)
		return -ESTALE;
	r = speed(sock, ifname, &v);
	if (ifindex_of(sock, ifname) != ifindex)
		return -ESTALE;
	if (r < 0)
		return r;
	*mbps = v;
	return 0;
}

int ethtool_drvinfo(int sock, const char *ifname, struct ethtool_info *out)
{
	struct ethtool_drvinfo drv = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };

	if (pf_strscpy(ifr.ifr_name, ifname, IFNAMSIZ) < 0)
		return -ENAMETOOLONG;
	ifr.ifr_data = (void *)&drv;
	if (ioctl(sock, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	/* The kernel NUL-terminates both fields, but a driver (or a test shim)
	 * filling all 32 bytes must not make us read past them. */
	drv.driver[sizeof(drv.driver) - 1] = '\0';
	drv.bus_info[sizeof(drv.bus_info) - 1] = '\0';
	memcpy(out->driver, drv.driver, sizeof(out->driver));
	memcpy(out->bus_info, drv.bus_info, sizeof(out->bus_info));
	return 0;
}

int ethtool_link(int sock, const char *ifname, int *ifindex, unsigned char mac[ETHTOOL_HWADDR_MAX],
		 unsigned *maclen)
{
	struct ifreq ifr = { 0 };
	int idx;

	if (pf_strscpy(ifr.ifr_name, ifname, IFNAMSIZ) < 0)
		return -ENODEV;
	if (ioctl(sock, SIOCGIFINDEX, &ifr) < 0)
		return errno == ENODEV ? -ENODEV : -errno;
	idx = ifr.ifr_ifindex;
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) < 0)
		return errno == ENODEV ? -ENODEV : -errno;
	/* The ioctl copies at most sizeof(sa_data) bytes of an address and
	 * does not say how long it was: only types of known length are
	 * taken from it. */
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		*maclen = 6;
		break;
	case ARPHRD_NONE:
	case ARPHRD_VOID:
		*maclen = 0;
		break;
	default:
		return -EMSGSIZE;
	}
	*ifindex = idx;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The ethtool choke point: every ETHTOOL_GDRVINFO the project makes goes
 * through ethtool_drvinfo(), so a test can answer it from a table; and
 * the netdevice ioctls by name that go with it (index, hardware address).
 */
#ifndef PFLINK_ETHTOOL_H
#define PFLINK_ETHTOOL_H

#define ETHTOOL_BUS_LEN 32	/* sizeof(struct ethtool_drvinfo.bus_info) */
#define ETHTOOL_DRV_LEN 32

struct ethtool_info {
	char driver[ETHTOOL_DRV_LEN];
	char bus_info[ETHTOOL_BUS_LEN];	/* may be "" or "usb-..." or anything */
};

/* sock: an AF_INET/SOCK_DGRAM socket made in the interface's netns. */
int ethtool_drvinfo(int sock, const char *ifname, struct ethtool_info *out);

/* The same for the link a netlink message named (ifname, ifindex): the
 * ioctl goes by name, and a rename between the message and the ioctl
 * would give this ifindex another link's answer (or another link's
 * ENODEV).  -ESTALE when the name was not ifindex's just before and just
 * after the ioctl, whatever the ioctl said. */
int ethtool_drvinfo_of(int sock, const char *ifname, int ifindex, struct ethtool_info *out);

/* The link's speed in Mb/s (ETHTOOL_GSET, which the kernel answers from
 * the driver's link settings), checked against ifindex as
 * ethtool_drvinfo_of is; *mbps -1 when the driver does not know it (no
 * carrier: SPEED_UNKNOWN).  -EOPNOTSUPP when the driver has no settings. */
int ethtool_speed_of(int sock, const char *ifname, int ifindex, int *mbps);

/* A link by name in the socket's netns: its ifindex and hardware address
 * (SIOCGIFINDEX, SIOCGIFHWADDR), the two ioctls a pod start needs instead
 * of a netlink socket and a whole RTM_NEWLINK.  -ENODEV: no such link;
 * -EMSGSIZE: its address does not fit the ioctl's 14 bytes (IPoIB's 20):
 * ask netlink.  *maclen is the address' length for ARPHRD_ETHER (6) and
 * 0 for a link without one. */
#define ETHTOOL_HWADDR_MAX 14
int ethtool_link(int sock, const char *ifname, int *ifindex, unsigned char mac[ETHTOOL_HWADDR_MAX],
		 unsigned *maclen);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * What a PCI netdev is, from its switchdev port name (IFLA_PHYS_PORT_NAME):
 * the one place plugin and agent decide it.
 */
#ifndef PFLINK_CLASSIFY_H
#define PFLINK_CLASSIFY_H

/* "pf0vf3" or "c1pf0vf3" -> pf 0, vf 3.  -EINVAL for anything else. */
int classify_vf_port(const char *port_name, int *pf, int *vf);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * CPU lists and NUMA nodes: which nodes the CPUs a process may run on sit
 * on.  The parsers take buffers (fuzzed); the node table is read from
 * sysfs by pci_numa_nodes() (pci.h, the sysfs choke point), a process's
 * list from /proc/PID/status by the agent.
 */
#ifndef PFLINK_NUMA_H
#define PFLINK_NUMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CPUs a list may name; a CPU beyond is ignored (a list naming none of
 * these is refused). */
#define NUMA_CPUS_MAX 4096
/* Nodes a mask holds: node N is bit N. */
#define NUMA_NODES_MAX 64

struct numa_cpus {
	uint64_t w[NUMA_CPUS_MAX / 64];
};

struct numa_node {
	int node;
	struct numa_cpus cpus;
};

/* "0-3,8,10-11\n" (the kernel's cpulist format: sysfs cpulist,
 * Cpus_allowed_list, cpuset.cpus.effective) into *out.  -EINVAL when it
 * is malformed or names no CPU below NUMA_CPUS_MAX.  Pure, fuzzed. */
int numa_cpulist_parse(const char *buf, size_t len, struct numa_cpus *out);

/* The Cpus_allowed_list line of a /proc/PID/status buffer, parsed.
 * -ENOENT when there is none (a status cut short: the process exited
 * while it was read); -EINVAL when it is malformed.  Pure, fuzzed. */
int numa_status_cpus(const char *buf, size_t len, struct numa_cpus *out);

/* cpus has a CPU. */
bool numa_cpus_any(const struct numa_cpus *cpus);

/* The nodes (bit N: node N) whose CPUs cpus has any of. */
uint64_t numa_nodes_of(const struct numa_cpus *cpus, const struct numa_node *nodes, unsigned n);

/* The first CPUs of cpus as a cpulist ("0-3,8"), cut to fit len. */
void numa_cpulist_fmt(const struct numa_cpus *cpus, char *out, size_t len);

/* "0,1" for a node mask. */
void numa_mask_fmt(uint64_t mask, char *out, size_t len);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * NPWG device-info (k8snetworkplumbingwg device-info-spec 1.1.0, type pci).
 */
#ifndef PFLINK_DEVINFO_H
#define PFLINK_DEVINFO_H

#include <stdbool.h>
#include "pflink/pci.h"

#include <stddef.h>

#define DEVINFO_MAX (64u * 1024)

/* Merge the VF/PF facts into an existing device-info document (existing may
 * be NULL: a new one).  Keeps every key it does not own, sets type "pci" if
 * absent, version "1.1.0".  -EINVAL if existing is not a JSON object or its
 * type is not "pci"; -EEXIST if it names another pci-address, -EXDEV if it
 * names another pf-pci-address.  *out is a heap string. */
int devinfo_merge(const char *existing, size_t len, const char *vf_bdf,
		  const char *pf_bdf, const char *representor, char **out);

/* What a device-info document says of the function: its pci-address and
 * pf-pci-address ("" when absent), canonical.  Pure.  -EINVAL when it is
 * not a JSON object of type "pci" (or of no type), -EBADMSG when an
 * address is there but not a PCI address. */
int devinfo_addresses(const char *buf, size_t len, char vf[PCI_BDF_LEN], char pf[PCI_BDF_LEN]);

/* What an update replaced, to put back when the ADD fails after it. */
struct devinfo_undo {
	bool existed;	/* false: pflink made the file (DEL may remove it) */
	char *old;	/* the previous content, when it existed */
	size_t len;
};

/* Read-merge-write path atomically (the file may not exist yet); *undo
 * (written on success only) says what was there. */
int devinfo_update(const char *path, const char *vf_bdf, const char *pf_bdf,
		   const char *representor, struct devinfo_undo *undo);
/* Put back what *undo says was there (remove a file the update made);
 * frees it. */
int devinfo_undo(const char *path, struct devinfo_undo *undo);
void devinfo_undo_free(struct devinfo_undo *undo);

/* <dir>/<network>-<containerID>_<ifname>-device-info.json, the name Multus
 * uses for CNI-written files, with %XX escapes where a name holds bytes
 * that would be unsafe in a file name or would make the name ambiguous
 * (see devinfo.c). */
int devinfo_default_path(const char *dir, const char *network, const char *container_id,
			 const char *ifname, char *out, size_t len);

#endif

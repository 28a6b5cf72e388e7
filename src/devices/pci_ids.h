/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names of PCI vendors, devices and subsystems from the pci.ids database (read-only; absent is fine). */
#ifndef VIRTIOCTL_PCI_IDS_H
#define VIRTIOCTL_PCI_IDS_H

#include <stdbool.h>
#include <stdint.h>

struct pci_id_names {
	char vendor[128];        /* "" when unknown */
	char device[128];
	char subsystem[128];     /* the subsystem's own entry under the device */
};

/*
 * Looks the ids up in `path`, or, when path is NULL, in the first of
 * /usr/share/misc/pci.ids, /usr/share/hwdata/pci.ids and /usr/share/pci.ids
 * that exists.  Returns true when the vendor was found; names not found
 * stay "".  Lines are read with a bound and anything malformed is skipped.
 */
bool pci_ids_lookup(const char *path, uint16_t vendor, uint16_t device, uint16_t subsys_vendor, uint16_t subsys_id,
		    struct pci_id_names *out);

#endif

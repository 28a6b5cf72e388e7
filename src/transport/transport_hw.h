/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening the hardware transports (pci-modern, pci-legacy, virtio-mmio) over a register window. */
#ifndef VIRTIOCTL_TRANSPORT_HW_H
#define VIRTIOCTL_TRANSPORT_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bar_access.h"
#include "pci_cap_virtio.h"
#include "transport.h"

/*
 * Each opener borrows `a` (it must outlive the transport) and writes
 * nothing to the device: opening only reads capabilities and ids.  On
 * failure: negative errno and one sentence in why.
 */

/* Through the common, notify, ISR and device capabilities of dec. */
int transport_open_pci_modern(struct bar_access *a, const struct pci_cfg_decode *dec, uint32_t device_id,
			      struct transport **out, char *why, size_t why_len);
/* Through the legacy header in I/O BAR 0; msix_enabled moves the device configuration from 20 to 24. */
int transport_open_pci_legacy(struct bar_access *a, bool msix_enabled, uint32_t device_id, struct transport **out,
			      char *why, size_t why_len);
/* An MMIO window mapped as region 0: checks magic and version (1 or 2), takes the device id from it. */
int transport_open_mmio(struct bar_access *a, struct transport **out, char *why, size_t why_len);

#endif

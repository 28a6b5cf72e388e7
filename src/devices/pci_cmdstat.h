/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PCI Command and Status registers by bit name: what decides whether a function decodes, masters DMA and interrupts. */
#ifndef VIRTIOCTL_PCI_CMDSTAT_H
#define VIRTIOCTL_PCI_CMDSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emit.h"

#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_BUS_MASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_INTX 0x0008

/* Name of bit `bit` (0-15) of the Command (command true) or Status register; NULL for reserved bits. */
const char *pci_cmdstat_bit_name(bool command, unsigned bit);
/* DEVSEL timing of a Status value: "fast", "medium", "slow" or "reserved". */
const char *pci_devsel_name(uint16_t status);

/* Command and Status of a configuration space (at least 8 bytes), inside the "pci" object. */
void pci_cmdstat_render(struct emit *e, const uint8_t *config, size_t len);

#endif

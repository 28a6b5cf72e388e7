/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PCI Command and Status registers by bit name: what decides whether a function decodes, masters DMA and interrupts. */
#include "pci_cmdstat.h"

#include <stdio.h>

#include "pci_cap_virtio.h"

/* PCI Local Bus 3.0, 6.2.2 (Command, offset 4) and 6.2.3 (Status, offset 6); bit 0 of Status is PCIe's. */
static const char *const command_bits[16] = {
	"IO", "MEMORY", "BUS_MASTER", "SPECIAL_CYCLES", "MWI_ENABLE", "VGA_PALETTE_SNOOP", "PARITY_ERROR_RESPONSE",
	"STEPPING", "SERR_ENABLE", "FAST_B2B_ENABLE", "INTX_DISABLE",
};
static const char *const status_bits[16] = {
	[0] = "IMMEDIATE_READINESS", [3] = "INTX_STATUS", [4] = "CAP_LIST", [5] = "66MHZ", [6] = "UDF",
	[7] = "FAST_B2B", [8] = "MASTER_DATA_PARITY_ERROR",
	/* 9-10: DEVSEL timing, a field */
	[11] = "SIGNALED_TARGET_ABORT", [12] = "RECEIVED_TARGET_ABORT", [13] = "RECEIVED_MASTER_ABORT",
	[14] = "SIGNALED_SYSTEM_ERROR", [15] = "DETECTED_PARITY_ERROR",
};
#define PCI_STATUS_DEVSEL_MASK 0x0600

const char *pci_cmdstat_bit_name(bool command, unsigned bit)
{
	return bit < 16 ? (command ? command_bits : status_bits)[bit] : NULL;
}

const char *pci_devsel_name(uint16_t status)
{
	static const char *const names[] = { "fast", "medium", "slow", "reserved" };

	return names[(status & PCI_STATUS_DEVSEL_MASK) >> 9];
}

/* Names of the set bits; a set bit without a name shows as its mask ("0x800"), as status_names does. */
static void emit_bit_names(struct emit *e, const char *key, bool command, uint16_t v)
{
	bool first = true;

	emit_array_begin(e, key);
	for (unsigned bit = 0; bit < 16; bit++) {
		const char *name = pci_cmdstat_bit_name(command, bit);
		char buf[8];

		if (!(v & (1u << bit)) || (!command && (1u << bit) & PCI_STATUS_DEVSEL_MASK))
			continue;
		if (!name) {
			snprintf(buf, sizeof(buf), "0x%x", 1u << bit);
			name = buf;
		}
		emit_str(e, NULL, first ? "%s" : " %s", name);
		first = false;
	}
	if (first)
		emit_text(e, "none");
	emit_array_end(e);
}

void pci_cmdstat_render(struct emit *e, const uint8_t *config, size_t len)
{
	uint16_t cmd, st;

	if (!config || len < 8) {
		emit_absent(e, "pci_command", "pci_command_names", "pci_status", "pci_status_names", "pci_devsel", NULL);
		return;
	}
	cmd = pci_cfg_le16(config + 4);
	st = pci_cfg_le16(config + 6);
	emit_hex(e, "pci_command", "pci command: 0x%04llx (", cmd);
	emit_bit_names(e, "pci_command_names", true, cmd);
	emit_text(e, ")");
	/* The two facts people look for when DMA or interrupts go wrong, said in words. */
	if (!(cmd & PCI_CMD_BUS_MASTER))
		emit_text(e, ": bus mastering off, the device cannot DMA");
	emit_text(e, "\n");
	emit_hex(e, "pci_status", "pci status: 0x%04llx (", st);
	emit_bit_names(e, "pci_status_names", false, st);
	emit_str(e, "pci_devsel", "), DEVSEL %s", pci_devsel_name(st));
	if ((st & PCI_STATUS_INTX) && !(cmd & PCI_CMD_INTX_DISABLE))
		emit_text(e, ": INTx asserted");
	else if (st & PCI_STATUS_INTX)
		emit_text(e, ": INTx pending but disabled by the Command register");
	emit_text(e, "\n");
}

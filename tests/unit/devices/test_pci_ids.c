/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pci.ids lookups on a hand-written fragment (overlong and malformed lines included) and the Command/Status bit names. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pci_cmdstat.h"
#include "pci_ids.h"

static char ids[PATH_MAX];

static void test_lookup(void **state)
{
	struct pci_id_names n;

	(void)state;
	assert_true(pci_ids_lookup(ids, 0x1af4, 0x1000, 0x1af4, 0x0001, &n));
	assert_string_equal(n.vendor, "Test Vendor, Inc.");
	assert_string_equal(n.device, "Test network device");
	assert_string_equal(n.subsystem, "Test subsystem of 1000");
	/* The subsystem belongs to the device it is listed under, not to the next one. */
	assert_true(pci_ids_lookup(ids, 0x1af4, 0x1042, 0x1af4, 0x0001, &n));
	assert_string_equal(n.subsystem, "");
	/* Control characters never reach the output. */
	assert_string_equal(n.device, "Test block?device");
	assert_true(pci_ids_lookup(ids, 0x1af4, 0x1042, 0x1af4, 0x1101, &n));
	assert_string_equal(n.subsystem, "Other subsystem");
	/* An overlong name is cut to the buffer; its tail is not read as a line of its own. */
	assert_true(pci_ids_lookup(ids, 0x1af4, 0x1041, 0, 0, &n));
	assert_int_equal(strlen(n.device), sizeof(n.device) - 1);
	assert_memory_equal(n.device, "Long name Long name", 19);
	/* A device of another vendor with the same id is not taken. */
	assert_true(pci_ids_lookup(ids, 0x1af4, 0x1043, 0, 0, &n));
	assert_string_equal(n.device, "");
	assert_true(pci_ids_lookup(ids, 0x1af5, 0x1043, 0, 0, &n));
	assert_string_equal(n.vendor, "Next Vendor");
	assert_string_equal(n.device, "Device of the next vendor");
	/* Unknown vendor; class lines ("C 02") are not vendors. */
	assert_false(pci_ids_lookup(ids, 0x1234, 0x1000, 0, 0, &n));
	assert_string_equal(n.vendor, "");
	/* An absent database is no error, only no names. */
	assert_false(pci_ids_lookup("/nonexistent/pci.ids", 0x1af4, 0x1000, 0, 0, &n));
	assert_string_equal(n.device, "");
}

static void test_bit_names(void **state)
{
	(void)state;
	/* PCI 3.0 6.2.2: bit 2 Bus Master, bit 10 Interrupt Disable; 11-15 reserved. */
	assert_string_equal(pci_cmdstat_bit_name(true, 2), "BUS_MASTER");
	assert_string_equal(pci_cmdstat_bit_name(true, 10), "INTX_DISABLE");
	assert_null(pci_cmdstat_bit_name(true, 11));
	/* 6.2.3: bit 3 Interrupt Status, bit 4 Capabilities List, 13 Received Master Abort. */
	assert_string_equal(pci_cmdstat_bit_name(false, 3), "INTX_STATUS");
	assert_string_equal(pci_cmdstat_bit_name(false, 4), "CAP_LIST");
	assert_string_equal(pci_cmdstat_bit_name(false, 13), "RECEIVED_MASTER_ABORT");
	assert_null(pci_cmdstat_bit_name(false, 9));
	assert_string_equal(pci_devsel_name(0x0010), "fast");
	assert_string_equal(pci_devsel_name(0x0210), "medium");
	assert_string_equal(pci_devsel_name(0x0410), "slow");
	assert_string_equal(pci_devsel_name(0x0600), "reserved");
}

static void test_render(void **state)
{
	/* Command 0x0002 (memory only: no bus mastering), Status 0x0018 (INTx pending, capabilities). */
	const uint8_t cfg[8] = { 0xf4, 0x1a, 0x41, 0x10, 0x02, 0x00, 0x18, 0x00 };
	struct emit e;
	size_t len;

	(void)state;
	emit_init(&e, EMIT_TEXT, false, false);
	pci_cmdstat_render(&e, cfg, sizeof(cfg));
	assert_string_equal(emit_result(&e, &len),
			    "pci command: 0x0002 (MEMORY): bus mastering off, the device cannot DMA\n"
			    "pci status: 0x0018 (INTX_STATUS CAP_LIST), DEVSEL fast: INTx asserted\n");
	emit_free(&e);
	emit_init(&e, EMIT_JSON, false, false);
	emit_object_begin(&e, NULL);
	pci_cmdstat_render(&e, cfg, sizeof(cfg));
	emit_object_end(&e);
	assert_string_equal(emit_result(&e, &len),
			    "{\"pci_command\":\"0x2\",\"pci_command_names\":[\"MEMORY\"],\"pci_status\":\"0x18\","
			    "\"pci_status_names\":[\"INTX_STATUS\",\"CAP_LIST\"],\"pci_devsel\":\"fast\"}\n");
	emit_free(&e);
	/* Fewer than 8 bytes: every key null. */
	emit_init(&e, EMIT_JSON, false, false);
	emit_object_begin(&e, NULL);
	pci_cmdstat_render(&e, cfg, 6);
	emit_object_end(&e);
	assert_string_equal(emit_result(&e, &len),
			    "{\"pci_command\":null,\"pci_command_names\":null,\"pci_status\":null,\"pci_status_names\":null,"
			    "\"pci_devsel\":null}\n");
	emit_free(&e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_bit_names),
		cmocka_unit_test(test_render),
	};

	snprintf(ids, sizeof(ids), "%s/pci.ids", argc > 1 ? argv[1] : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The list table's fitting: FEATURES cut at whole names with an exact +N, columns dropped in the documented order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "list_table.h"

static void test_cut(void **state)
{
	char buf[128];

	(void)state;
	/* "CSUM,MAC,EVENT_IDX" is 18 characters: it fits in 18, not in 17. */
	assert_string_equal(list_features_cut("CSUM,MAC,EVENT_IDX", 3, 0, buf, sizeof(buf)), "CSUM,MAC,EVENT_IDX");
	assert_string_equal(list_features_cut("CSUM,MAC,EVENT_IDX", 3, 18, buf, sizeof(buf)), "CSUM,MAC,EVENT_IDX");
	/* 17: "CSUM,MAC,+1" (11) fits, "CSUM,MAC,EVENT_IDX" does not. */
	assert_string_equal(list_features_cut("CSUM,MAC,EVENT_IDX", 3, 17, buf, sizeof(buf)), "CSUM,MAC,+1");
	assert_string_equal(list_features_cut("CSUM,MAC,EVENT_IDX", 3, 11, buf, sizeof(buf)), "CSUM,MAC,+1");
	/* 10: "CSUM,+2" (7) is the longest whole-name prefix. */
	assert_string_equal(list_features_cut("CSUM,MAC,EVENT_IDX", 3, 10, buf, sizeof(buf)), "CSUM,+2");
	/* Not even one name: the count alone. */
	assert_string_equal(list_features_cut("GUEST_CSUM,MAC", 2, 5, buf, sizeof(buf)), "+2");
	/* One name is never replaced by "+1": it is shown whole. */
	assert_string_equal(list_features_cut("VERSION_1", 1, 4, buf, sizeof(buf)), "VERSION_1");
	/* Twelve names: the count's width changes with the names kept. */
	assert_string_equal(list_features_cut("A,B,C,D,E,F,G,H,I,J,K,L", 12, 8, buf, sizeof(buf)), "A,B,C,+9");
	assert_string_equal(list_features_cut("A,B,C,D,E,F,G,H,I,J,K,L", 12, 7, buf, sizeof(buf)), "A,B,+10");
}

static struct list_table table_of(const char *features, unsigned n)
{
	struct list_table t = { 0 };
	struct list_row *r = list_table_add(&t);

	assert_non_null(r);
	/* Cells of known widths: ADDRESS 12, every other column its header's width or less. */
	snprintf(r->cell[LIST_COL_ADDRESS], LIST_CELL_MAX, "0000:00:03.0");
	snprintf(r->cell[LIST_COL_TYPE], LIST_CELL_MAX, "net");
	snprintf(r->cell[LIST_COL_DRIVER], LIST_CELL_MAX, "virtio_net");
	snprintf(r->cell[LIST_COL_KERNEL], LIST_CELL_MAX, "eth0");
	snprintf(r->cell[LIST_COL_VIRTIO], LIST_CELL_MAX, "virtio2");
	snprintf(r->cell[LIST_COL_TRANSPORT], LIST_CELL_MAX, "pci-modern");
	snprintf(r->cell[LIST_COL_STATUS], LIST_CELL_MAX, "0x0f DRIVER_OK");
	snprintf(r->cell[LIST_COL_QUEUES], LIST_CELL_MAX, ">=2");
	snprintf(r->cell[LIST_COL_IRQ], LIST_CELL_MAX, "msix:3");
	r->features = strdup(features);
	r->n_features = n;
	return t;
}

static void test_fit(void **state)
{
	/* 40 characters of names. */
	struct list_table t = table_of("CSUM,GUEST_CSUM,MAC,GUEST_TSO4,EVENT_IDX", 5);
	bool shown[LIST_NCOLS];
	size_t w[LIST_NCOLS], fw;

	(void)state;
	/* Widths: ADDRESS 12, TYPE 4, DRIVER 10, KERNEL 6, VIRTIO 7, TRANSPORT 10, STATUS 14, QUEUES 6, IRQ 6:
	 * 75, 84 with one space after each, FEATURES 40 more. */
	list_table_fit(&t, 0, shown, w, &fw);
	assert_int_equal(fw, 0);
	for (int c = 0; c < LIST_NCOLS; c++)
		assert_true(shown[c]);
	assert_int_equal(w[LIST_COL_ADDRESS], 12);
	assert_int_equal(w[LIST_COL_STATUS], 14);
	list_table_fit(&t, 124, shown, w, &fw);
	assert_int_equal(fw, 0);
	/* 123: everything stays, FEATURES gets 39 (more than LIST_FEATURES_MIN) and is cut. */
	list_table_fit(&t, 123, shown, w, &fw);
	assert_true(shown[LIST_COL_QUEUES]);
	assert_int_equal(fw, 39);
	/* 84 + 16 = 100 keeps all; 99 drops QUEUES (7): 77 fixed, 22 for FEATURES. */
	list_table_fit(&t, 100, shown, w, &fw);
	assert_true(shown[LIST_COL_QUEUES]);
	assert_int_equal(fw, 16);
	list_table_fit(&t, 99, shown, w, &fw);
	assert_false(shown[LIST_COL_QUEUES]);
	assert_true(shown[LIST_COL_IRQ]);
	assert_int_equal(fw, 22);
	/* 50: QUEUES, IRQ, TRANSPORT, VIRTIO and STATUS all go (fixed 12+4+10+6 + 4 = 36), FEATURES 14. */
	list_table_fit(&t, 50, shown, w, &fw);
	assert_false(shown[LIST_COL_STATUS] || shown[LIST_COL_VIRTIO] || shown[LIST_COL_TRANSPORT]);
	assert_true(shown[LIST_COL_ADDRESS] && shown[LIST_COL_TYPE] && shown[LIST_COL_DRIVER] && shown[LIST_COL_KERNEL]);
	assert_int_equal(fw, 14);
	/* 20: the essential columns alone are wider; FEATURES keeps its header's width. */
	list_table_fit(&t, 20, shown, w, &fw);
	assert_int_equal(fw, strlen("FEATURES"));
	list_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: virtio_features_parse on any string, its hex round trip, and a fixed ring decoded with the result. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "virtio_features.h"
#include "vq_mem.h"

/*
 * A split ring of 4 (desc 0x1000, avail 0x2000, used 0x3000) with an
 * indirect descriptor, a used entry and event fields, so each feature bit
 * the decoder looks at changes what it walks.  Packed when the features
 * say RING_PACKED: the same bytes read as a packed ring.
 */
static const uint8_t desc_table[64] = {
	/* 0: indirect table at 0x4000, 32 bytes, INDIRECT */
	0x00, 0x40, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0x04, 0x00, 0, 0,
	/* 1: 16 bytes at 0x5000, NEXT -> 2 */
	0x00, 0x50, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0x01, 0x00, 2, 0,
	/* 2: 512 bytes at 0x6000, WRITE; packed: AVAIL */
	0x00, 0x60, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0x82, 0x00, 0, 0,
	/* 3: 1 byte at 0x7000, WRITE, USED|AVAIL for packed */
	0x00, 0x70, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x82, 0x80, 1, 0,
};
static const uint8_t indirect_table[32] = {
	0x00, 0x80, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0x01, 0x00, 1, 0,
	0x00, 0x90, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 0x02, 0x00, 0, 0,
};
/* flags 0, idx 2, ring {0, 1, 0, 0}, used_event 1 */
static const uint8_t avail_ring[14] = { 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0 };
/* flags 0, idx 1, ring[0] = {id 0, len 64}, avail_event 2 */
static const uint8_t used_ring[38] = { 0, 0, 1, 0, 0, 0, 0, 0, 64, 0, 0, 0, [36] = 2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_features f, back;
	struct rd_error err = { 0 };
	char hex[40];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (virtio_features_parse(s, &f, &err) < 0) {
		FUZZ_ASSERT(err.err < 0);
		free(s);
		return 0;
	}
	free(s);

	virtio_features_format_hex(&f, hex, sizeof(hex));
	FUZZ_ASSERT(virtio_features_parse(hex, &back, &err) == 0);
	FUZZ_ASSERT(back.w[0] == f.w[0] && back.w[1] == f.w[1]);

	struct vq_snapshot snap = {
		.ring_type = virtio_features_test(&f, VIRTIO_F_RING_PACKED_BIT) ? VQ_RING_PACKED : VQ_RING_SPLIT,
		.size = 4,
		.features = f,
		.desc_addr = 0x1000,
		.driver_addr = 0x2000,
		.device_addr = 0x3000,
	};
	vq_mem_add(&snap.mem, 0x1000, desc_table, sizeof(desc_table), false, "desc", 0);
	vq_mem_add(&snap.mem, 0x2000, avail_ring, sizeof(avail_ring), false, "avail", 0);
	vq_mem_add(&snap.mem, 0x3000, used_ring, sizeof(used_ring), false, "used", 0);
	vq_mem_add(&snap.mem, 0x4000, indirect_table, sizeof(indirect_table), false, "indirect", 0);
	fuzz_decode_render(&snap);
	vq_mem_free(&snap.mem);
	return 0;
}

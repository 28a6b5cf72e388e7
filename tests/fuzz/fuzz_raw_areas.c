/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: a fuzz input cut into ring metadata, desc/driver/device areas and extra memory, then decoded. */
#include <string.h>

#include "fuzz_common.h"
#include "vq_mem.h"

/*
 * Input: 10 header bytes, then the areas back to back, each as long as the
 * ring needs or as the input has left, then the rest as memory at
 * FUZZ_EXTRA_ADDR (where descriptors can point for indirect tables).
 *   byte 0: bit 0 packed, 1 EVENT_IDX, 2 INDIRECT_DESC, 3 IN_ORDER,
 *           4 last_avail_idx / driver position, 5 last_used_idx / device
 *           position, 6 driver used position, 7 the areas overlap in one
 *           legacy-style block instead of separate addresses
 *   byte 1-2: size selector; bytes 3-8: state values; byte 9: wrap bits 0-2,
 *   bit 3 legacy big-endian (split)
 */
#define FUZZ_EXTRA_ADDR 0x100000ull
#define FUZZ_HEADER 10

static uint64_t take(uint64_t want, size_t *left)
{
	uint64_t n = want < *left ? want : *left;

	*left -= (size_t)n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_snapshot s = { .queue_index = 0 };

	if (size < FUZZ_HEADER)
		return 0;
	uint8_t f = data[0];
	uint16_t sel = (uint16_t)(data[1] | data[2] << 8);
	s.ring_type = (f & 1) ? VQ_RING_PACKED : VQ_RING_SPLIT;
	/* Small queues keep each run fast; every size up to 512 is reachable. */
	s.size = s.ring_type == VQ_RING_SPLIT ? 1u << (sel % 10) : sel % 512 + 1;
	if (f & 2)
		virtio_features_set(&s.features, VIRTIO_RING_F_EVENT_IDX_BIT);
	if (f & 4)
		virtio_features_set(&s.features, VIRTIO_RING_F_INDIRECT_DESC_BIT);
	if (f & 8)
		virtio_features_set(&s.features, VIRTIO_F_IN_ORDER_BIT);
	/* Byte 9 bit 3: a legacy big-endian split ring instead of VERSION_1. */
	if (data[9] & 8 && s.ring_type == VQ_RING_SPLIT)
		s.legacy_endian_big = true;
	else
		virtio_features_set(&s.features, VIRTIO_F_VERSION_1_BIT);
	if (s.ring_type == VQ_RING_PACKED)
		virtio_features_set(&s.features, VIRTIO_F_RING_PACKED_BIT);
	uint16_t v1 = (uint16_t)(data[3] | data[4] << 8), v2 = (uint16_t)(data[5] | data[6] << 8);
	uint16_t v3 = (uint16_t)(data[7] | data[8] << 8);
	if (s.ring_type == VQ_RING_SPLIT) {
		s.has_last_avail_idx = f & 0x10, s.last_avail_idx = v1;
		s.has_last_used_idx = f & 0x20, s.last_used_idx = v2;
	} else {
		s.has_driver_pos = f & 0x10, s.driver_next = (uint16_t)(v1 % s.size), s.driver_wrap = data[9] & 1;
		s.has_device_pos = f & 0x20, s.device_next = (uint16_t)(v2 % s.size), s.device_wrap = data[9] & 2;
		s.has_driver_used_pos = f & 0x40, s.driver_used_next = (uint16_t)(v3 % s.size),
		s.driver_used_wrap = data[9] & 4;
	}

	const uint8_t *p = data + FUZZ_HEADER;
	size_t left = size - FUZZ_HEADER;
	if (f & 0x80) {
		/* One block; areas at offsets inside it (a legacy ring, or areas that overlap). */
		s.desc_addr = 0x10000000;
		s.driver_addr = s.desc_addr + (v3 % 4096) * 4;
		s.device_addr = s.driver_addr + ((unsigned)data[9] << 4);
		vq_mem_add(&s.mem, s.desc_addr, p, left, false, "block", 0);
	} else {
		s.desc_addr = 0x10000000;
		s.driver_addr = 0x20000000;
		s.device_addr = 0x30000000;
		uint64_t n = take(vq_desc_area_size(&s), &left);
		vq_mem_add(&s.mem, s.desc_addr, p, n, false, "desc", 0);
		p += n;
		n = take(vq_driver_area_size(&s), &left);
		vq_mem_add(&s.mem, s.driver_addr, p, n, false, "driver", 0);
		p += n;
		n = take(vq_device_area_size(&s), &left);
		vq_mem_add(&s.mem, s.device_addr, p, n, false, "device", 0);
		p += n;
		vq_mem_add(&s.mem, FUZZ_EXTRA_ADDR, p, left, false, "extra", 0);
	}
	fuzz_decode_render(&s);
	vq_mem_free(&s.mem);
	return 0;
}

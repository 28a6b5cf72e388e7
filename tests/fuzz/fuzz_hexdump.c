/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: hexdump_text_parse, then the bytes decoded as a .vqdump or as a legacy split ring. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "vq_input.h"

static void decode_bytes(const uint8_t *b, size_t n)
{
	struct vq_snapshot s;
	struct rd_error err = { 0 };
	uint64_t avail, used, total;

	if (n >= 8 && !memcmp(b, VQDUMP_MAGIC, 8)) {
		if (vqdump_parse(b, n, "text", &s, &err) == 0) {
			fuzz_decode_render(&s);
			vq_snapshot_free(&s);
		}
		return;
	}
	/* The largest legacy ring (64-byte alignment) the bytes hold, or a size-1 ring with gaps. */
	uint32_t size = 1;
	while (size < 256 && vq_legacy_layout(size * 2, 64, &avail, &used, &total) == 0 && total <= n)
		size *= 2;
	FUZZ_ASSERT(vq_legacy_layout(size, 64, &avail, &used, &total) == 0);
	s = (struct vq_snapshot){ .ring_type = VQ_RING_SPLIT, .size = size, .desc_addr = 0x4000 };
	s.driver_addr = s.desc_addr + avail;
	s.device_addr = s.desc_addr + used;
	vq_mem_add(&s.mem, s.desc_addr, b, n, false, "text", 0);
	fuzz_decode_render(&s);
	vq_mem_free(&s.mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *bytes = NULL;
	size_t n = 0;
	struct rd_error err = { 0 };

	int r = hexdump_text_parse(data, size, "fuzz", &bytes, &n, &err);
	FUZZ_ASSERT(r == 0 || r == 1 || r < 0);
	if (r < 0) {
		FUZZ_ASSERT(bytes == NULL && err.has_offset && err.offset <= size);
		return 0;
	}
	if (r == 0) {
		FUZZ_ASSERT(hexdump_text_detect(data, size) == HEXDUMP_NONE);
		return 0;
	}
	FUZZ_ASSERT(hexdump_text_detect(data, size) != HEXDUMP_NONE);
	FUZZ_ASSERT(n <= HEXDUMP_MAX_BYTES);
	decode_bytes(bytes, n);
	free(bytes);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: elfcore_parse on arbitrary bytes, then a ring decoded from the first segment's memory. */
#include "fuzz_common.h"
#include "vq_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_snapshot s = { .ring_type = VQ_RING_SPLIT, .size = 16 };
	struct rd_error err = { 0 };
	uint64_t avail, used, total;

	if (elfcore_parse(data, size, "fuzz", &s.mem, &err) < 0) {
		FUZZ_ASSERT(err.has_offset && err.offset <= size);
		vq_mem_free(&s.mem);
		return 0;
	}
	FUZZ_ASSERT(s.mem.n > 0);
	for (size_t i = 0; i < s.mem.n; i++) {
		/* Referenced segments point inside the input. */
		FUZZ_ASSERT(s.mem.segs[i].data >= data && s.mem.segs[i].len <= size);
		FUZZ_ASSERT((size_t)(s.mem.segs[i].data - data) + s.mem.segs[i].len <= size);
	}
	FUZZ_ASSERT(vq_legacy_layout(s.size, 16, &avail, &used, &total) == 0);
	s.desc_addr = s.mem.segs[0].addr;
	s.driver_addr = s.desc_addr + avail;
	s.device_addr = s.desc_addr + used;
	fuzz_decode_render(&s);
	vq_mem_free(&s.mem);
	return 0;
}

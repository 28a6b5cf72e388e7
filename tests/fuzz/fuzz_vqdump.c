/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: vqdump_parse on arbitrary bytes, decode+render, and write/parse being a fixed point. */
#include <string.h>

#include "fuzz_common.h"
#include "vq_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq_snapshot s, again;
	struct rd_error err = { 0 };
	struct emit_buf first = { 0 }, second = { 0 };

	if (vqdump_parse(data, size, "fuzz", &s, &err) < 0) {
		FUZZ_ASSERT(err.has_offset && err.offset <= size);
		FUZZ_ASSERT(s.mem.n == 0);
		return 0;
	}
	fuzz_decode_render(&s);

	/* What the writer produces, the parser reads back to the same bytes. */
	FUZZ_ASSERT(vqdump_write(&s, &first, &err) == 0);
	FUZZ_ASSERT(vqdump_parse((const uint8_t *)first.data, first.len, "again", &again, &err) == 0);
	FUZZ_ASSERT(vqdump_write(&again, &second, &err) == 0);
	FUZZ_ASSERT(first.len == second.len && !memcmp(first.data, second.data, first.len));
	FUZZ_ASSERT(again.size == s.size && again.ring_type == s.ring_type && again.mem.n == s.mem.n);

	emit_buf_free(&first);
	emit_buf_free(&second);
	vq_snapshot_free(&again);
	vq_snapshot_free(&s);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding and rendering every snapshot a fuzzer builds, with checks of what the result promises. */
#include <string.h>

#include "emit.h"
#include "fuzz_common.h"
#include "vq_decode.h"

static void render(const struct vq_snapshot *s, const struct vq_decode_result *r, enum emit_mode mode,
		   unsigned flags)
{
	struct emit e;
	size_t len;

	emit_init(&e, mode, mode == EMIT_JSON, false);
	vq_render(&e, s, r, flags);
	const char *out = emit_result(&e, &len);
	/* Allocation failure is the only reason for NULL; the output is one NUL-terminated string. */
	if (out)
		FUZZ_ASSERT(strlen(out) == len);
	emit_free(&e);
}

void fuzz_decode_render(const struct vq_snapshot *s)
{
	struct vq_decode_result *r = NULL;
	struct rd_error err = { 0 };

	if (vq_decode(s, &r, &err) < 0) {
		FUZZ_ASSERT(r == NULL && err.err < 0);
		return;
	}
	FUZZ_ASSERT(r != NULL);
	FUZZ_ASSERT(r->size == s->size);
	FUZZ_ASSERT(r->n_anomalies <= r->n_anomalies_total);
	FUZZ_ASSERT(r->n_anomalies <= VQ_MAX_ANOMALIES + 1);
	for (size_t i = 0; i < r->n_anomalies; i++)
		FUZZ_ASSERT((unsigned)r->anomalies[i].code < VQ_ANOMALY__COUNT);
	render(s, r, EMIT_TEXT, 0);
	render(s, r, EMIT_TEXT, VQ_RENDER_VERBOSE);
	render(s, r, EMIT_JSON, VQ_RENDER_VERBOSE);
	vq_decode_result_free(r);
}

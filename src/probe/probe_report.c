/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The probe report: features by name, configuration decoded, queues, self-tests, violations; one walk for text and JSON. */
#include <stdio.h>

#include "probe.h"
#include "vdev_render.h"
#include "virtio_spec.h"

static const char *result_name(enum probe_result r)
{
	return r == PROBE_PASS ? "pass" : r == PROBE_FAIL ? "fail" : "skip";
}

static void render_features(struct emit *e, const struct probe *p)
{
	struct virtio_features refused = { { p->offered.w[0] & ~p->accepted.w[0], p->offered.w[1] & ~p->accepted.w[1] } };
	const struct {
		const char *key, *names_key, *label;
		const struct virtio_features *f;
	} sets[] = {
		{ "features_offered", "features_offered_names", "offered", &p->offered },
		{ "features_negotiated", "features_negotiated_names", "accepted", &p->accepted },
		{ "features_refused", "features_refused_names", "refused", &refused },
	};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		emit_text(e, "features %-8s ", sets[i].label);
		emit_hex128(e, sets[i].key, "%s", sets[i].f->w[0], sets[i].f->w[1]);
		emit_text(e, " (%u): ", vdev_feature_count(sets[i].f));
		vdev_emit_feature_names(e, sets[i].names_key, p->device_id, sets[i].f, " ", 0);
		emit_text(e, "\n");
	}
}

static void render_queues(struct emit *e, const struct probe *p)
{
	emit_uint(e, "num_queues", "queues: %llu", p->num_queues);
	emit_text(e, "%s\n", p->queues_truncated ? " (first ones shown)" : "");
	emit_array_begin(e, "queues");
	for (uint16_t q = 0; q < p->num_queues; q++) {
		const struct probe_queue *pq = &p->queues[q];

		emit_object_begin(e, NULL);
		emit_uint(e, "queue", "  queue %llu:", q);
		emit_uint(e, "index", NULL, q);
		emit_uint(e, "max_size", " max size %llu", pq->state.max_size);
		if (pq->vq) {
			uint16_t avail, used;
			bool avail_wrap, used_wrap;

			vq_driver_positions(pq->vq, &avail, &avail_wrap, &used, &used_wrap);
			emit_uint(e, "size", ", set up with %llu", vq_size(pq->vq));
			emit_str(e, "ring_type", " (%s", vq_ring_type_of(pq->vq) == VQ_RING_PACKED ? "packed" : "split");
			/* the driver's positions: split free-running indices, packed ring positions with wrap counters */
			emit_uint(e, "avail_idx", ", avail %llu", avail);
			if (vq_ring_type_of(pq->vq) == VQ_RING_PACKED)
				emit_uint(e, "avail_wrap_counter", "/w%llu", avail_wrap);
			else
				emit_null(e, "avail_wrap_counter");
			emit_uint(e, "used_idx", ", used %llu", used);
			if (vq_ring_type_of(pq->vq) == VQ_RING_PACKED)
				emit_uint(e, "used_wrap_counter", "/w%llu", used_wrap);
			else
				emit_null(e, "used_wrap_counter");
			emit_text(e, ")");
		} else {
			emit_null(e, "size");
			emit_null(e, "ring_type");
			emit_null(e, "avail_idx");
			emit_null(e, "avail_wrap_counter");
			emit_null(e, "used_idx");
			emit_null(e, "used_wrap_counter");
			emit_text(e, ", not set up");
		}
		emit_opt_uint(e, "notify_off", pq->has_notify ? ", notify offset %llu" : NULL, pq->has_notify,
				   pq->notify.notify_off);
		emit_opt_uint(e, "notify_bar", pq->has_notify ? " (BAR %llu" : NULL, pq->has_notify, pq->notify.bar);
		emit_opt_hex(e, "notify_offset", pq->has_notify ? " + 0x%llx)" : NULL, pq->has_notify,
				  pq->notify.offset);
		/* 0xffff is VIRTIO_MSI_NO_VECTOR: the device refused a vector, the queue was polled */
		bool vec = pq->has_vector && pq->vector != 0xffff;

		emit_opt_uint(e, "vector", vec ? ", vector %llu" : NULL, vec, pq->vector);
		if (pq->vq)
			emit_text(e, pq->irq_fd_index >= 0 ? ", interrupts" : ", polled");
		emit_uint(e, "requests", pq->requests ? ", %llu requests" : NULL, pq->requests);
		emit_uint(e, "bytes_out", pq->requests ? ", %llu bytes out" : NULL, pq->bytes_out);
		emit_uint(e, "bytes_in", pq->requests ? ", %llu in" : NULL, pq->bytes_in);
		emit_text(e, "\n");
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_tests(struct emit *e, const struct probe *p)
{
	emit_text(e, "tests:\n");
	emit_array_begin(e, "tests");
	for (size_t i = 0; i < p->n_results; i++) {
		const struct probe_test_result *t = &p->results[i];

		emit_object_begin(e, NULL);
		emit_style(e, t->result == PROBE_FAIL ? EMIT_STYLE_ERROR : t->result == PROBE_SKIP ? EMIT_STYLE_DIM
												 : EMIT_STYLE_NONE);
		emit_str(e, "result", "  %-4s", result_name(t->result));
		emit_style(e, EMIT_STYLE_NONE);
		emit_str(e, "name", " %-20s", t->name);
		emit_str(e, "detail", " %s", t->detail);
		emit_uint(e, "bytes", t->bytes ? " [%llu bytes" : NULL, t->bytes);
		if (t->has_latency) {
			emit_uint(e, "latency_us", t->bytes ? ", %llu us]" : " [%llu us]", t->latency_ns / 1000);
		} else {
			emit_null(e, "latency_us");
			if (t->bytes)
				emit_text(e, "]");
		}
		emit_text(e, "\n");
		emit_object_end(e);
	}
	emit_array_end(e);
}

static void render_violations(struct emit *e, const struct probe *p)
{
	if (p->violations.n)
		emit_text(e, "violations:\n");
	emit_array_begin(e, "violations");
	for (size_t i = 0; i < p->violations.n; i++) {
		const struct violation *v = &p->violations.v[i];

		emit_object_begin(e, NULL);
		emit_style(e, EMIT_STYLE_WARN);
		emit_str(e, "code", "  %s", v->code);
		emit_style(e, EMIT_STYLE_NONE);
		emit_str(e, "section", " (spec %s)", v->section);
		emit_str(e, "message", ": %s\n", v->message);
		emit_object_end(e);
	}
	emit_array_end(e);
	emit_uint(e, "violations_dropped", p->violations.dropped ? "  (%llu more not recorded)\n" : NULL,
		  p->violations.dropped);
}

void probe_render(struct emit *e, const struct probe *p, const char *address, const char *transport_name,
		  const char *dma_mode, const char *interrupts)
{
	const struct virtio_device_type *type = virtio_device_type_by_id(p->device_id);

	emit_object_begin(e, NULL);
	emit_style(e, EMIT_STYLE_BOLD);
	emit_str(e, "address", "%s", address);
	emit_style(e, EMIT_STYLE_NONE);
	emit_opt_str(e, "type", ": %s", type ? type->name : NULL);
	emit_uint(e, "device_id", " (device id %llu)", p->device_id);
	emit_str(e, "transport", ", %s", transport_name);
	emit_opt_str(e, "dma", ", DMA %s", dma_mode);
	emit_opt_str(e, "interrupts", ", interrupts %s", interrupts);
	emit_text(e, "\n");
	emit_hex(e, "status", "status 0x%02llx", p->status);
	emit_text(e, " (%s)\n", vdev_status_summary(p->status));
	render_features(e, p);
	if (p->config && p->device_id) {
		virtio_config_render(e, "config", p->device_id, p->config, p->config_len, &p->accepted);
	} else {
		emit_null(e, "config");
	}
	render_queues(e, p);
	render_tests(e, p);
	render_violations(e, p);
	if (p->error[0]) {
		emit_style(e, EMIT_STYLE_ERROR);
		emit_str(e, "stopped", "stopped: %s\n", p->error);
		emit_style(e, EMIT_STYLE_NONE);
	} else {
		emit_null(e, "stopped");
	}
	emit_object_end(e);
}

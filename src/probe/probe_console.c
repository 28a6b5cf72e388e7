/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Console device self-tests (spec 5.3): configuration, multiport control messages, a write the host sees. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_tests.h"

enum {
	CONSOLE_F_SIZE = 0,
	CONSOLE_F_MULTIPORT = 1,
	CFG_COLS = 0,
	CFG_ROWS = 2,
	CFG_MAX_NR_PORTS = 4,
	/* control events (5.3.6.2) */
	EV_DEVICE_READY = 0,
	EV_PORT_ADD = 1,
	EV_PORT_READY = 3,
	EV_CONSOLE_PORT = 4,
	EV_PORT_OPEN = 6,
	EV_PORT_NAME = 7,
	CTRL_MSG_BYTES = 8,
	CTRL_RX_BUFS = 8,
	CTRL_RX_BYTES = 256,
	MAX_PORTS_SHOWN = 8,
};

/* The line the write test sends; the VM scenario looks for it on the host side of port 0. */
#define CONSOLE_TEST_LINE "virtioctl probe: console port 0 write test\n"

static bool multiport(const struct probe *p) { return virtio_features_test(&p->accepted, CONSOLE_F_MULTIPORT); }

static int test_config(struct probe *p)
{
	char detail[160] = "";
	size_t n = 0;

	if (virtio_features_test(&p->accepted, CONSOLE_F_SIZE))
		n += (size_t)snprintf(detail, sizeof(detail), "%ux%u, ", (unsigned)probe_config_le(p, CFG_COLS, 2),
				      (unsigned)probe_config_le(p, CFG_ROWS, 2));
	if (multiport(p))
		snprintf(detail + n, sizeof(detail) - n, "max %u ports", (unsigned)probe_config_le(p, CFG_MAX_NR_PORTS, 4));
	else
		snprintf(detail + n, sizeof(detail) - n, "single port (no MULTIPORT)");
	probe_result(p, "console.config", PROBE_PASS, "%s", detail);
	return 0;
}

static int send_control(struct probe *p, uint32_t id, uint16_t event, uint16_t value)
{
	struct dma_chunk b;
	uint32_t used;
	int r = probe_dma(p, CTRL_MSG_BYTES, &b);

	if (r < 0)
		return r;
	vq_put_le32(b.vaddr, id);
	vq_put_le16((uint8_t *)b.vaddr + 4, event);
	vq_put_le16((uint8_t *)b.vaddr + 6, value);
	struct vq_sg sg = { b.bus_addr, CTRL_MSG_BYTES };

	return probe_request(p, &p->queues[3], &sg, 1, 0, &used, NULL);
}

/* DEVICE_READY, then answer each PORT_ADD with PORT_READY and collect what the device says about its ports. */
static int test_multiport(struct probe *p)
{
	if (!multiport(p)) {
		probe_result(p, "console.multiport", PROBE_SKIP, "VIRTIO_CONSOLE_F_MULTIPORT not negotiated");
		return 0;
	}
	struct dma_chunk rx[CTRL_RX_BUFS];
	int r;

	for (unsigned i = 0; i < CTRL_RX_BUFS; i++) {
		struct vq_sg sg;

		if ((r = probe_dma(p, CTRL_RX_BYTES, &rx[i])) < 0)
			return r;
		sg = (struct vq_sg){ rx[i].bus_addr, CTRL_RX_BYTES };
		if ((r = vq_add(p->queues[2].vq, &sg, 0, 1, &rx[i])) < 0)
			return r;
	}
	(void)vq_kick(p->queues[2].vq);
	if ((r = send_control(p, 0, EV_DEVICE_READY, 1)) < 0)
		return r;
	unsigned added = 0, consoles = 0, opened = 0, messages = 0;
	char ports[96] = "";

	/* Control messages until a quiet second: the device sends them all right after DEVICE_READY. */
	const struct probe_opts *orig = p->opts;
	struct probe_opts quiet = *orig;

	quiet.timeout_ms = orig->timeout_ms < 1000 ? orig->timeout_ms : 1000;
	p->opts = &quiet;
	for (; messages < 64; messages++) {
		void *cookie;
		uint32_t len;

		r = probe_wait_used(p, &p->queues[2], &cookie, &len);
		if (r == -ETIMEDOUT) {
			p->error[0] = '\0';
			break;
		}
		if (r < 0)
			break;
		struct dma_chunk *b = cookie;
		const uint8_t *m = b->vaddr;

		if (len >= CTRL_MSG_BYTES) {
			uint32_t id = vq_le32(m);
			uint16_t ev = vq_le16(m + 4);

			if (ev == EV_PORT_ADD) {
				size_t n = strlen(ports);

				if (added++ < MAX_PORTS_SHOWN)
					snprintf(ports + n, sizeof(ports) - n, "%s%u", n ? " " : "", id);
				if ((r = send_control(p, id, EV_PORT_READY, 1)) < 0)
					break;
			}
			consoles += ev == EV_CONSOLE_PORT;
			opened += ev == EV_PORT_OPEN && vq_le16(m + 6);
		}
		struct vq_sg sg = { b->bus_addr, CTRL_RX_BYTES };

		(void)vq_add(p->queues[2].vq, &sg, 0, 1, b);
		(void)vq_kick(p->queues[2].vq);
	}
	p->opts = orig;
	if (r < 0 && r != -ETIMEDOUT)
		return r;
	probe_result(p, "console.multiport", added ? PROBE_PASS : PROBE_FAIL,
		     "%u control messages: ports added [%s], %u console port%s, %u opened by the host", messages, ports,
		     consoles, consoles == 1 ? "" : "s", opened);
	return 0;
}

static int test_write(struct probe *p)
{
	struct dma_chunk b;
	uint32_t used;
	uint64_t lat;
	size_t len = strlen(CONSOLE_TEST_LINE);
	int r = probe_dma(p, len, &b);

	if (r < 0)
		return r;
	memcpy(b.vaddr, CONSOLE_TEST_LINE, len);
	struct vq_sg sg = { b.bus_addr, (uint32_t)len };

	if ((r = probe_request(p, &p->queues[1], &sg, 1, 0, &used, &lat)) < 0)
		return r;
	probe_result_traffic(probe_result(p, "console.write", PROBE_PASS, "%zu bytes written to port 0", len), len, lat);
	return 0;
}

static size_t console_queues(const struct probe *p, uint16_t *out, size_t max)
{
	size_t n = 0;

	if (max < 4)
		return 0;
	out[n++] = 0;
	out[n++] = 1;
	if (multiport(p)) {
		out[n++] = 2;
		out[n++] = 3;
	}
	return n;
}

static const struct probe_test console_tests[] = {
	{ "console.config", "size and port count from the configuration", test_config },
	{ "console.multiport", "DEVICE_READY, PORT_ADD / PORT_READY over the control queues", test_multiport },
	{ "console.write", "write a line to port 0 (the host side sees it)", test_write },
	{ 0 },
};

const struct probe_suite probe_suite_console = {
	.name = "console",
	.device_id = 3,
	.queues = console_queues,
	.tests = console_tests,
};

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GPU device self-tests (spec 5.7): configuration, GET_DISPLAY_INFO, GET_EDID, a 2D resource shown on scanout 0. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe_tests.h"

/* Spec 5.7.4 configuration, 5.7.6.7 control header, 5.7.6.8 commands and responses. */
enum {
	GPU_F_EDID = 1,
	CFG_EVENTS_READ = 0,
	CFG_NUM_SCANOUTS = 8,
	CFG_NUM_CAPSETS = 12,
	CFG_LEN = 16,
	MAX_SCANOUTS = 16,
	CONTROLQ = 0,
	HDR_BYTES = 24,              /* type, flags, fence_id, ctx_id, ring_idx, padding[3] */
	FLAG_FENCE = 1,
	CMD_GET_DISPLAY_INFO = 0x0100,
	CMD_RESOURCE_CREATE_2D = 0x0101,
	CMD_RESOURCE_UNREF = 0x0102,
	CMD_SET_SCANOUT = 0x0103,
	CMD_RESOURCE_FLUSH = 0x0104,
	CMD_TRANSFER_TO_HOST_2D = 0x0105,
	CMD_RESOURCE_ATTACH_BACKING = 0x0106,
	CMD_GET_EDID = 0x010a,
	RESP_OK_NODATA = 0x1100,
	RESP_OK_DISPLAY_INFO = 0x1101,
	RESP_OK_EDID = 0x1104,
	DISPLAY_INFO_BYTES = HDR_BYTES + MAX_SCANOUTS * 24,
	EDID_MAX = 1024,
	EDID_RESP_BYTES = HDR_BYTES + 8 + EDID_MAX,
	FORMAT_B8G8R8X8 = 2,
	/* The scanout test's image: 64x64, four coloured quadrants the VM scenario finds in QEMU's screendump. */
	IMG_SIDE = 64,
	IMG_BYTES = IMG_SIDE * IMG_SIDE * 4,
	RESOURCE_ID = 1,
	CMD_BUF = 4096,              /* request at 0, response at CMD_BUF / 2 */
};

/* A fence id the device must echo (5.7.6.7); differs per command. */
static uint64_t next_fence = 0x7e57000000000001ull;

/*
 * One control command with a fence: req (req_len bytes, header filled in
 * here) and a response of resp_len bytes.  Returns the response type, or a
 * negative errno; a response without the fence echoed is a violation.
 */
static int gpu_cmd(struct probe *p, struct dma_chunk *b, uint32_t type, size_t req_len, size_t resp_len,
		   uint64_t *lat)
{
	uint8_t *req = b->vaddr, *resp = (uint8_t *)b->vaddr + CMD_BUF / 2;
	uint64_t fence = next_fence++;
	uint32_t used;

	vq_put_le32(req, type);
	vq_put_le32(req + 4, FLAG_FENCE);
	vq_put_le64(req + 8, fence);
	memset(req + 16, 0, 8);
	memset(resp, 0, resp_len);
	struct vq_sg sg[2] = { { b->bus_addr, (uint32_t)req_len }, { b->bus_addr + CMD_BUF / 2, (uint32_t)resp_len } };
	int r = probe_request(p, &p->queues[CONTROLQ], sg, 1, 1, &used, lat);

	if (r < 0)
		return r;
	if (used < HDR_BYTES) {
		violation_add(&p->violations, "gpu_short_response", "5.7.6.7",
			      "command 0x%04x answered with %u bytes, less than the %u-byte header", type, used, HDR_BYTES);
		return probe_fail(p, -EPROTO, "the GPU answered command 0x%04x with %u bytes, no response header", type, used);
	}
	if (!(vq_le32(resp + 4) & FLAG_FENCE) || vq_le64(resp + 8) != fence)
		violation_add(&p->violations, "gpu_fence_not_echoed", "5.7.6.7",
			      "command 0x%04x with VIRTIO_GPU_FLAG_FENCE and fence_id 0x%llx: response flags 0x%x fence_id 0x%llx",
			      type, (unsigned long long)fence, vq_le32(resp + 4), (unsigned long long)vq_le64(resp + 8));
	return (int)vq_le32(resp);
}

static int gpu_buf(struct probe *p, struct dma_chunk *b)
{
	int r = probe_dma(p, CMD_BUF, b);

	if (r == 0)
		memset(b->vaddr, 0, CMD_BUF);
	return r;
}

static int test_config(struct probe *p)
{
	uint32_t scanouts = (uint32_t)probe_config_le(p, CFG_NUM_SCANOUTS, 4);

	if (p->config_len < CFG_LEN) {
		probe_result(p, "gpu.config", PROBE_FAIL, "configuration is %zu bytes, shorter than %u", p->config_len, CFG_LEN);
		return 0;
	}
	/* 5.7.4: num_scanouts is 1..16. */
	probe_result(p, "gpu.config", scanouts >= 1 && scanouts <= MAX_SCANOUTS ? PROBE_PASS : PROBE_FAIL,
		     "%u scanout%s, %u capsets, events_read 0x%x%s", scanouts, scanouts == 1 ? "" : "s",
		     (unsigned)probe_config_le(p, CFG_NUM_CAPSETS, 4), (unsigned)probe_config_le(p, CFG_EVENTS_READ, 4),
		     virtio_features_test(&p->accepted, GPU_F_EDID) ? ", EDID" : "");
	return 0;
}

/* Scanout 0's size as GET_DISPLAY_INFO reported it, for the EDID and scanout tests (0: not known). */
static uint32_t scanout0_w, scanout0_h;

static int test_display_info(struct probe *p)
{
	struct dma_chunk b;
	uint64_t lat;
	int r;

	if ((r = gpu_buf(p, &b)) < 0 || (r = gpu_cmd(p, &b, CMD_GET_DISPLAY_INFO, HDR_BYTES, DISPLAY_INFO_BYTES, &lat)) < 0)
		return r;
	if (r != RESP_OK_DISPLAY_INFO) {
		probe_result(p, "gpu.display_info", PROBE_FAIL, "response type 0x%04x, not OK_DISPLAY_INFO", (unsigned)r);
		return 0;
	}
	const uint8_t *pm = (const uint8_t *)b.vaddr + CMD_BUF / 2 + HDR_BYTES;
	uint32_t scanouts = (uint32_t)probe_config_le(p, CFG_NUM_SCANOUTS, 4);
	char list[200] = "";
	unsigned enabled = 0;

	for (uint32_t i = 0; i < MAX_SCANOUTS; i++, pm += 24) {
		if (!vq_le32(pm + 16))
			continue;
		enabled++;
		if (i == 0) {
			scanout0_w = vq_le32(pm + 8);
			scanout0_h = vq_le32(pm + 12);
		}
		size_t n = strlen(list);

		if (n + 1 < sizeof(list))
			snprintf(list + n, sizeof(list) - n, "%sscanout %u %ux%u+%u+%u", n ? ", " : "", i, vq_le32(pm + 8),
				 vq_le32(pm + 12), vq_le32(pm), vq_le32(pm + 4));
		if (i >= scanouts)
			violation_add(&p->violations, "gpu_scanout_beyond_count", "5.7.4",
				      "GET_DISPLAY_INFO shows scanout %u enabled, num_scanouts is %u", i, scanouts);
	}
	probe_result_traffic(probe_result(p, "gpu.display_info", PROBE_PASS, "%u enabled: %s", enabled,
					  enabled ? list : "none"),
			     DISPLAY_INFO_BYTES, lat);
	return 0;
}

/* The preferred mode of an EDID base block: its first detailed timing descriptor (EDID 1.3/1.4, bytes 54..71). */
static void edid_preferred(const uint8_t *e, uint32_t *w, uint32_t *h)
{
	const uint8_t *d = e + 54;

	*w = (uint32_t)d[2] | (uint32_t)(d[4] >> 4) << 8;
	*h = (uint32_t)d[5] | (uint32_t)(d[7] >> 4) << 8;
}

static int test_edid(struct probe *p)
{
	static const uint8_t magic[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
	struct dma_chunk b;
	uint64_t lat;
	int r;

	if (!virtio_features_test(&p->accepted, GPU_F_EDID)) {
		probe_result(p, "gpu.edid", PROBE_SKIP, "VIRTIO_GPU_F_EDID not negotiated");
		return 0;
	}
	if ((r = gpu_buf(p, &b)) < 0)
		return r;
	vq_put_le32((uint8_t *)b.vaddr + HDR_BYTES, 0);   /* scanout 0 */
	if ((r = gpu_cmd(p, &b, CMD_GET_EDID, HDR_BYTES + 8, EDID_RESP_BYTES, &lat)) < 0)
		return r;
	if (r != RESP_OK_EDID) {
		probe_result(p, "gpu.edid", PROBE_FAIL, "scanout 0: response type 0x%04x, not OK_EDID", (unsigned)r);
		return 0;
	}
	const uint8_t *resp = (const uint8_t *)b.vaddr + CMD_BUF / 2, *e = resp + HDR_BYTES + 8;
	uint32_t size = vq_le32(resp + HDR_BYTES), w, h;

	if (size < 128 || size > EDID_MAX || size % 128) {
		probe_result(p, "gpu.edid", PROBE_FAIL, "EDID size %u: not a whole number of 128-byte blocks up to %u", size,
			     EDID_MAX);
		return 0;
	}
	unsigned bad_sum = 0;

	for (uint32_t blk = 0; blk < size / 128; blk++) {
		uint8_t sum = 0;

		for (int i = 0; i < 128; i++)
			sum = (uint8_t)(sum + e[blk * 128 + i]);
		bad_sum += sum != 0;
	}
	bool header = !memcmp(e, magic, sizeof(magic));

	edid_preferred(e, &w, &h);
	probe_result_traffic(probe_result(p, "gpu.edid", header && !bad_sum ? PROBE_PASS : PROBE_FAIL,
					  "scanout 0: %u bytes, EDID %u.%u, preferred mode %ux%u%s%s%s", size, e[18], e[19], w,
					  h, header ? "" : ", header magic missing", bad_sum ? ", a block checksum is wrong" : "",
					  scanout0_w && (w != scanout0_w || h != scanout0_h) ? ", not the display info's size"
											    : ""),
			     size, lat);
	return 0;
}

/* Quadrant colours as B, G, R bytes: red, green (top), blue, white (bottom). */
static void fill_image(uint8_t *img)
{
	static const uint8_t colours[4][3] = { { 0, 0, 255 }, { 0, 255, 0 }, { 255, 0, 0 }, { 255, 255, 255 } };

	for (int y = 0; y < IMG_SIDE; y++)
		for (int x = 0; x < IMG_SIDE; x++) {
			const uint8_t *c = colours[(y >= IMG_SIDE / 2) * 2 + (x >= IMG_SIDE / 2)];
			uint8_t *px = img + (y * IMG_SIDE + x) * 4;

			px[0] = c[0];
			px[1] = c[1];
			px[2] = c[2];
			px[3] = 0xff;
		}
}

/* rect at off: x, y, width, height. */
static void put_rect(uint8_t *at, uint32_t w, uint32_t h)
{
	vq_put_le32(at, 0);
	vq_put_le32(at + 4, 0);
	vq_put_le32(at + 8, w);
	vq_put_le32(at + 12, h);
}

/*
 * Spec 5.7.6.1: create a 2D resource, attach guest memory, transfer, set
 * it as scanout 0, flush.  The image stays on the scanout until the final
 * reset, so a pause lets the hypervisor's screendump show it.
 */
static int test_scanout(struct probe *p)
{
	struct dma_chunk b, img;
	uint64_t lat, total = 0;
	static const char *const steps[] = { "RESOURCE_CREATE_2D", "RESOURCE_ATTACH_BACKING", "TRANSFER_TO_HOST_2D",
					     "SET_SCANOUT", "RESOURCE_FLUSH" };
	int r;

	if ((r = gpu_buf(p, &b)) < 0 || (r = probe_dma(p, IMG_BYTES, &img)) < 0)
		return r;
	fill_image(img.vaddr);
	uint8_t *q = (uint8_t *)b.vaddr + HDR_BYTES;

	for (unsigned step = 0; step < 5; step++) {
		uint32_t type = 0;
		size_t len = HDR_BYTES;

		memset(b.vaddr, 0, CMD_BUF / 2);
		switch (step) {
		case 0:
			type = CMD_RESOURCE_CREATE_2D;
			vq_put_le32(q, RESOURCE_ID);
			vq_put_le32(q + 4, FORMAT_B8G8R8X8);
			vq_put_le32(q + 8, IMG_SIDE);
			vq_put_le32(q + 12, IMG_SIDE);
			len += 16;
			break;
		case 1:
			type = CMD_RESOURCE_ATTACH_BACKING;
			vq_put_le32(q, RESOURCE_ID);
			vq_put_le32(q + 4, 1);
			vq_put_le64(q + 8, img.bus_addr);
			vq_put_le32(q + 16, IMG_BYTES);
			len += 24;
			break;
		case 2:
			type = CMD_TRANSFER_TO_HOST_2D;
			put_rect(q, IMG_SIDE, IMG_SIDE);
			vq_put_le32(q + 24, RESOURCE_ID);   /* offset 0 at q + 16 */
			len += 32;
			break;
		case 3:
			type = CMD_SET_SCANOUT;
			put_rect(q, IMG_SIDE, IMG_SIDE);
			vq_put_le32(q + 16, 0);
			vq_put_le32(q + 20, RESOURCE_ID);
			len += 24;
			break;
		default:
			type = CMD_RESOURCE_FLUSH;
			put_rect(q, IMG_SIDE, IMG_SIDE);
			vq_put_le32(q + 16, RESOURCE_ID);
			len += 24;
			break;
		}
		if ((r = gpu_cmd(p, &b, type, len, HDR_BYTES, &lat)) < 0)
			return r;
		total += lat;
		if (r != RESP_OK_NODATA) {
			probe_result(p, "gpu.scanout", PROBE_FAIL, "%s answered 0x%04x, not OK_NODATA", steps[step], (unsigned)r);
			return 0;
		}
	}
	probe_result_traffic(probe_result(p, "gpu.scanout", PROBE_PASS,
					  "%ux%u B8G8R8X8 resource on scanout 0: quadrants red green / blue white", IMG_SIDE,
					  IMG_SIDE),
			     IMG_BYTES, total / 5);
	return 0;
}

static size_t gpu_queues(const struct probe *p, uint16_t *out, size_t max)
{
	(void)p;
	if (!max)
		return 0;
	out[0] = CONTROLQ;
	return 1;
}

static const struct probe_test gpu_tests[] = {
	{ "gpu.config", "scanouts, capsets and events from the configuration", test_config },
	{ "gpu.display_info", "GET_DISPLAY_INFO: enabled scanouts and their sizes", test_display_info },
	{ "gpu.edid", "GET_EDID of scanout 0 when offered: header, checksums, preferred mode", test_edid },
	{ "gpu.scanout", "a 64x64 2D resource created, transferred, set as scanout 0 and flushed", test_scanout },
	{ 0 },
};

const struct probe_suite probe_suite_gpu = {
	.name = "gpu",
	.device_id = 16,
	.queues = gpu_queues,
	.tests = gpu_tests,
};

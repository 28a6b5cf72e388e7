/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SCSI host self-tests (spec 5.6): configuration, INQUIRY, REPORT LUNS, READ CAPACITY(10/16), READs compared. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "probe_tests.h"

/* Spec 5.6.4 configuration offsets, 5.6.6.1 request layout and response codes. */
enum {
	SCSI_CFG_NUM_QUEUES = 0,
	SCSI_CFG_SEG_MAX = 4,
	SCSI_CFG_MAX_SECTORS = 8,
	SCSI_CFG_CMD_PER_LUN = 12,
	SCSI_CFG_SENSE_SIZE = 20,
	SCSI_CFG_CDB_SIZE = 24,
	SCSI_CFG_MAX_CHANNEL = 28,
	SCSI_CFG_MAX_TARGET = 30,
	SCSI_CFG_MAX_LUN = 32,
	SCSI_CFG_LEN = 36,
	SCSI_REQUESTQ = 2,           /* controlq 0, eventq 1, then the request queues */
	/* virtio_scsi_req_cmd: lun[8], id, task_attr, prio, crn, then cdb[cdb_size] */
	REQ_LUN = 0,
	REQ_ID = 8,
	REQ_CDB = 19,
	/* virtio_scsi_resp_cmd: sense_len, residual, status_qualifier, status, response, then sense[sense_size] */
	RESP_SENSE_LEN = 0,
	RESP_RESIDUAL = 4,
	RESP_STATUS = 10,
	RESP_RESPONSE = 11,
	RESP_SENSE = 12,
	S_OK = 0,
	MAX_CDB = 256,               /* both sizes are u32 in the configuration; larger ones are refused */
	MAX_SENSE = 256,
	STATUS_GOOD = 0,
	STATUS_CHECK_CONDITION = 2,
	SENSE_UNIT_ATTENTION = 6,
	UA_RETRIES = 4,
	/* SCSI commands (SPC/SBC) */
	OP_TEST_UNIT_READY = 0x00,
	OP_INQUIRY = 0x12,
	OP_READ_CAPACITY_10 = 0x25,
	OP_READ_10 = 0x28,
	OP_SERVICE_ACTION_IN_16 = 0x9e,
	SA_READ_CAPACITY_16 = 0x10,
	OP_REPORT_LUNS = 0xa0,
	INQUIRY_LEN = 96,
	REPORT_LUNS_LEN = 8 + 8 * 64,
	READ_BLOCKS = 64,
	HDR_OFF = 0,
	RESP_OFF = 512,              /* after the largest request header (19 + MAX_CDB) */
	DATA_OFF = 1024,             /* after the largest response (12 + MAX_SENSE) */
};

static const char *const response_names[] = {
	"OK", "OVERRUN", "ABORTED", "BAD_TARGET", "RESET", "BUSY", "TRANSPORT_FAILURE", "TARGET_FAILURE",
	"NEXUS_FAILURE", "FAILURE",
};

static const char *response_name(uint8_t r)
{
	return r < sizeof(response_names) / sizeof(response_names[0]) ? response_names[r] : "unknown";
}

/* One command's buffers and its outcome. */
struct scsi_cmd {
	struct dma_chunk buf;        /* request header, response, data-in at DATA_OFF */
	uint8_t *data;
	uint32_t data_len;
	uint32_t used;               /* bytes the device wrote, as its used entry says */
	uint64_t latency_ns;
	uint8_t response, status;
	uint8_t sense_key, asc, ascq;
	uint32_t residual;
};

/* The CDB and sense sizes the device uses (5.6.4: defaults 32 and 96, both as read from its configuration). */
static int scsi_sizes(const struct probe *p, uint32_t *cdb, uint32_t *sense)
{
	*cdb = (uint32_t)probe_config_le(p, SCSI_CFG_CDB_SIZE, 4);
	*sense = (uint32_t)probe_config_le(p, SCSI_CFG_SENSE_SIZE, 4);
	if (p->config_len < SCSI_CFG_LEN || *cdb < 16 || *cdb > MAX_CDB || *sense > MAX_SENSE)
		return -ERANGE;
	return 0;
}

static int scsi_cmd_alloc(struct probe *p, struct scsi_cmd *c, uint32_t data_len)
{
	int r = probe_dma(p, DATA_OFF + (data_len ? data_len : 1), &c->buf);

	if (r < 0)
		return r;
	c->data = (uint8_t *)c->buf.vaddr + DATA_OFF;
	c->data_len = data_len;
	return 0;
}

/* Spec 5.6.6.1: lun[0] = 1, lun[1] = target, lun[2..3] = the LUN in flat (0x4000) single-level format. */
static void put_lun(uint8_t *req, uint16_t target, uint16_t lun)
{
	memset(req + REQ_LUN, 0, 8);
	req[REQ_LUN] = 1;
	req[REQ_LUN + 1] = (uint8_t)target;
	req[REQ_LUN + 2] = (uint8_t)(0x40 | ((lun >> 8) & 0x3f));
	req[REQ_LUN + 3] = (uint8_t)lun;
}

/* Sense key and additional sense code from fixed (0x70/0x71) or descriptor (0x72/0x73) sense data. */
static void parse_sense(struct scsi_cmd *c, const uint8_t *sense, uint32_t len)
{
	c->sense_key = c->asc = c->ascq = 0;
	if (len >= 14 && ((sense[0] & 0x7f) == 0x70 || (sense[0] & 0x7f) == 0x71)) {
		c->sense_key = sense[2] & 0x0f;
		c->asc = sense[12];
		c->ascq = sense[13];
	} else if (len >= 4 && ((sense[0] & 0x7f) == 0x72 || (sense[0] & 0x7f) == 0x73)) {
		c->sense_key = sense[1] & 0x0f;
		c->asc = sense[2];
		c->ascq = sense[3];
	}
}

/*
 * One command on the first request queue: header (device-readable), then
 * response and data-in (device-writable), the data split into n_seg
 * descriptors.  Returns 0 with the response filled in, or a negative errno
 * when the queue failed.  A used length shorter than the response or a
 * sense_len beyond sense_size is a violation (5.6.6.1).
 */
static int scsi_exec(struct probe *p, struct scsi_cmd *c, uint16_t target, uint16_t lun, const uint8_t *cdb,
		     size_t cdb_len, unsigned n_seg)
{
	uint32_t cdb_size, sense_size;
	uint8_t *hdr = c->buf.vaddr, *resp = (uint8_t *)c->buf.vaddr + RESP_OFF;
	struct vq_sg sg[VQ_MAX_SG];
	unsigned n = 0;

	if (scsi_sizes(p, &cdb_size, &sense_size) < 0 || cdb_len > cdb_size)
		return probe_fail(p, -ERANGE, "configuration cdb_size/sense_size out of range (cdb %u, sense %u)",
				  (unsigned)probe_config_le(p, SCSI_CFG_CDB_SIZE, 4),
				  (unsigned)probe_config_le(p, SCSI_CFG_SENSE_SIZE, 4));
	memset(hdr, 0, REQ_CDB + cdb_size);
	put_lun(hdr, target, lun);
	vq_put_le64(hdr + REQ_ID, (uint64_t)(uintptr_t)c);
	memcpy(hdr + REQ_CDB, cdb, cdb_len);
	/* Not a response value: catches a device that never writes the response. */
	memset(resp, 0xee, RESP_SENSE + sense_size);
	sg[n++] = (struct vq_sg){ c->buf.bus_addr + HDR_OFF, REQ_CDB + cdb_size };
	sg[n++] = (struct vq_sg){ c->buf.bus_addr + RESP_OFF, RESP_SENSE + sense_size };
	if (n_seg < 1)
		n_seg = 1;
	for (unsigned i = 0; c->data_len && i < n_seg; i++)
		sg[n++] = (struct vq_sg){ c->buf.bus_addr + DATA_OFF + (uint64_t)i * (c->data_len / n_seg),
					  c->data_len / n_seg };
	int r = probe_request(p, &p->queues[SCSI_REQUESTQ], sg, 1, n - 1, &c->used, &c->latency_ns);

	if (r < 0)
		return r;
	if (c->used < RESP_SENSE) {
		violation_add(&p->violations, "scsi_short_response", "5.6.6.1",
			      "used length %u does not cover the %u-byte response header", c->used, RESP_SENSE);
		return probe_fail(p, -EPROTO, "the device answered a SCSI command with %u bytes, no response header", c->used);
	}
	c->response = resp[RESP_RESPONSE];
	c->status = resp[RESP_STATUS];
	c->residual = vq_le32(resp + RESP_RESIDUAL);
	uint32_t sense_len = vq_le32(resp + RESP_SENSE_LEN);

	if (sense_len > sense_size) {
		violation_add(&p->violations, "scsi_sense_len", "5.6.6.1",
			      "sense_len %u is larger than sense_size %u", sense_len, sense_size);
		sense_len = sense_size;
	}
	parse_sense(c, resp + RESP_SENSE, sense_len);
	return 0;
}

/*
 * Runs a command; a CHECK CONDITION with UNIT ATTENTION (what a target
 * reports first after a reset, SAM-5 5.14) is answered by repeating the
 * command, up to UA_RETRIES times.  *ua counts them.
 */
static int scsi_exec_ua(struct probe *p, struct scsi_cmd *c, uint16_t target, uint16_t lun, const uint8_t *cdb,
			size_t cdb_len, unsigned n_seg, unsigned *ua)
{
	for (unsigned i = 0;; i++) {
		int r = scsi_exec(p, c, target, lun, cdb, cdb_len, n_seg);

		if (r < 0 || i == UA_RETRIES || c->response != S_OK || c->status != STATUS_CHECK_CONDITION ||
		    c->sense_key != SENSE_UNIT_ATTENTION)
			return r;
		(*ua)++;
	}
}

/* One line for a command that did not succeed: virtio response, SCSI status, sense. */
static void describe_failure(const struct scsi_cmd *c, const char *what, char *buf, size_t len)
{
	if (c->response != S_OK)
		snprintf(buf, len, "%s: virtio response %u (%s)", what, c->response, response_name(c->response));
	else
		snprintf(buf, len, "%s: SCSI status 0x%02x, sense key 0x%x asc 0x%02x ascq 0x%02x", what, c->status,
			 c->sense_key, c->asc, c->ascq);
}

static bool cmd_good(const struct scsi_cmd *c) { return c->response == S_OK && c->status == STATUS_GOOD; }

static uint32_t be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }
static uint64_t be64(const uint8_t *b) { return (uint64_t)be32(b) << 32 | be32(b + 4); }

/* The LUN the disk tests use: the lowest one REPORT LUNS listed (0 until it ran). */
static uint16_t disk_lun(const struct probe *p);

static int test_config(struct probe *p)
{
	uint32_t cdb, sense;

	if (scsi_sizes(p, &cdb, &sense) < 0) {
		probe_result(p, "scsi.config", PROBE_FAIL, "configuration %zu bytes, cdb_size %u, sense_size %u: out of range",
			     p->config_len, (unsigned)probe_config_le(p, SCSI_CFG_CDB_SIZE, 4),
			     (unsigned)probe_config_le(p, SCSI_CFG_SENSE_SIZE, 4));
		return 0;
	}
	uint32_t nq = (uint32_t)probe_config_le(p, SCSI_CFG_NUM_QUEUES, 4);
	bool ok = nq >= 1 && p->num_queues >= 2 + nq;

	probe_result(p, "scsi.config", ok ? PROBE_PASS : PROBE_FAIL,
		     "%u request queue%s (device has %u queues), seg_max %u, max_sectors %u, cmd_per_lun %u, cdb %u, "
		     "sense %u, max channel %u target %u lun %u",
		     nq, nq == 1 ? "" : "s", p->num_queues, (unsigned)probe_config_le(p, SCSI_CFG_SEG_MAX, 4),
		     (unsigned)probe_config_le(p, SCSI_CFG_MAX_SECTORS, 4), (unsigned)probe_config_le(p, SCSI_CFG_CMD_PER_LUN, 4),
		     cdb, sense, (unsigned)probe_config_le(p, SCSI_CFG_MAX_CHANNEL, 2),
		     (unsigned)probe_config_le(p, SCSI_CFG_MAX_TARGET, 2), (unsigned)probe_config_le(p, SCSI_CFG_MAX_LUN, 4));
	return 0;
}

/* Copies a space-padded ASCII field, trimmed, unprintable bytes as '?'. */
static void ascii_field(char *out, const uint8_t *in, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		out[n++] = in[i] >= 0x20 && in[i] <= 0x7e ? (char)in[i] : '?';
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static int test_inquiry(struct probe *p)
{
	static const uint8_t cdb[6] = { OP_INQUIRY, 0, 0, 0, INQUIRY_LEN, 0 };
	struct scsi_cmd c;
	int r;

	if ((r = scsi_cmd_alloc(p, &c, INQUIRY_LEN)) < 0 || (r = scsi_exec(p, &c, 0, disk_lun(p), cdb, sizeof(cdb), 1)) < 0)
		return r;
	uint32_t got = c.data_len - (c.residual <= c.data_len ? c.residual : c.data_len);
	char why[160];

	if (!cmd_good(&c)) {
		describe_failure(&c, "INQUIRY", why, sizeof(why));
		probe_result(p, "scsi.inquiry", PROBE_FAIL, "%s", why);
		return 0;
	}
	if (got < 36) {
		probe_result(p, "scsi.inquiry", PROBE_FAIL, "INQUIRY returned %u bytes, fewer than the 36 of standard data", got);
		return 0;
	}
	char vendor[9], product[17], revision[5];

	ascii_field(vendor, c.data + 8, 8);
	ascii_field(product, c.data + 16, 16);
	ascii_field(revision, c.data + 32, 4);
	probe_result_traffic(probe_result(p, "scsi.inquiry", PROBE_PASS,
					  "target 0 lun %u: peripheral type 0x%02x, vendor \"%s\" product \"%s\" revision \"%s\"",
					  disk_lun(p), c.data[0] & 0x1f, vendor, product, revision),
			     got, c.latency_ns);
	return 0;
}

/* LUNs REPORT LUNS listed on target 0, lowest first (one probe per process); none until it ran. */
static uint16_t reported_luns[64];
static size_t n_reported_luns;

static uint16_t disk_lun(const struct probe *p)
{
	(void)p;
	return n_reported_luns ? reported_luns[0] : 0;
}

/* A REPORT LUNS entry (SAM-5 4.7): peripheral (method 0, bus 0) or flat (method 1) single-level addressing. */
static bool decode_lun(const uint8_t *e, uint16_t *lun)
{
	for (int i = 2; i < 8; i++)
		if (e[i])
			return false;
	if (e[0] >> 6 == 0 && !(e[0] & 0x3f))
		*lun = e[1];
	else if (e[0] >> 6 == 1)
		*lun = (uint16_t)((e[0] & 0x3f) << 8 | e[1]);
	else
		return false;
	return true;
}

static int test_report_luns(struct probe *p)
{
	uint8_t cdb[12] = { OP_REPORT_LUNS };
	struct scsi_cmd c;
	unsigned ua = 0;
	int r;

	cdb[6] = (uint8_t)(REPORT_LUNS_LEN >> 24);
	cdb[7] = (uint8_t)(REPORT_LUNS_LEN >> 16);
	cdb[8] = (uint8_t)(REPORT_LUNS_LEN >> 8);
	cdb[9] = (uint8_t)REPORT_LUNS_LEN;
	n_reported_luns = 0;
	if ((r = scsi_cmd_alloc(p, &c, REPORT_LUNS_LEN)) < 0 ||
	    (r = scsi_exec_ua(p, &c, 0, 0, cdb, sizeof(cdb), 1, &ua)) < 0)
		return r;
	char why[160], list[160] = "";

	if (!cmd_good(&c)) {
		describe_failure(&c, "REPORT LUNS", why, sizeof(why));
		probe_result(p, "scsi.report_luns", PROBE_FAIL, "%s", why);
		return 0;
	}
	uint32_t list_len = be32(c.data), entries = list_len / 8, shown = entries < 64 ? entries : 64, bad = 0;

	for (uint32_t i = 0; i < shown && 8 + 8 * (i + 1) <= REPORT_LUNS_LEN; i++) {
		uint16_t lun;

		if (!decode_lun(c.data + 8 + 8 * i, &lun)) {
			bad++;
			continue;
		}
		/* Kept sorted so the disk tests use the lowest. */
		size_t k = n_reported_luns++;

		while (k && reported_luns[k - 1] > lun) {
			reported_luns[k] = reported_luns[k - 1];
			k--;
		}
		reported_luns[k] = lun;
	}
	for (size_t i = 0; i < n_reported_luns; i++) {
		size_t n = strlen(list);

		snprintf(list + n, sizeof(list) - n, "%s%u", i ? " " : "", reported_luns[i]);
	}
	bool ok = entries > 0 && !bad && list_len % 8 == 0;

	probe_result_traffic(probe_result(p, "scsi.report_luns", ok ? PROBE_PASS : PROBE_FAIL,
					  "target 0: %u LUN%s [%s]%s%s", entries, entries == 1 ? "" : "s", list,
					  bad ? ", some entries in an addressing method not decoded" : "",
					  list_len % 8 ? ", list length not a multiple of 8" : ""),
			     8 + (uint64_t)shown * 8, c.latency_ns);
	return 0;
}

static int test_capacity(struct probe *p)
{
	uint8_t cdb10[10] = { OP_READ_CAPACITY_10 }, cdb16[16] = { OP_SERVICE_ACTION_IN_16, SA_READ_CAPACITY_16 };
	struct scsi_cmd c10, c16;
	unsigned ua = 0;
	char why[160];
	int r;

	cdb16[13] = 32;
	if ((r = scsi_cmd_alloc(p, &c10, 8)) < 0 || (r = scsi_cmd_alloc(p, &c16, 32)) < 0)
		return r;
	/* The first command after a reset other than INQUIRY or REPORT LUNS meets the unit attention. */
	if ((r = scsi_exec_ua(p, &c10, 0, disk_lun(p), cdb10, sizeof(cdb10), 1, &ua)) < 0 ||
	    (r = scsi_exec_ua(p, &c16, 0, disk_lun(p), cdb16, sizeof(cdb16), 1, &ua)) < 0)
		return r;
	if (!cmd_good(&c10) || !cmd_good(&c16)) {
		describe_failure(cmd_good(&c10) ? &c16 : &c10, cmd_good(&c10) ? "READ CAPACITY(16)" : "READ CAPACITY(10)", why,
				 sizeof(why));
		probe_result(p, "scsi.capacity", PROBE_FAIL, "%s", why);
		return 0;
	}
	uint32_t last10 = be32(c10.data), bs10 = be32(c10.data + 4), bs16 = be32(c16.data + 8);
	uint64_t last16 = be64(c16.data);
	/* READ CAPACITY(10) says 0xffffffff when the last LBA does not fit (SBC-3 5.16.2). */
	bool agree = bs10 == bs16 && (last10 == 0xffffffffu ? last16 >= 0xffffffffull : last10 == last16);
	struct probe_test_result *res =
		probe_result(p, "scsi.capacity", agree && bs16 ? PROBE_PASS : PROBE_FAIL,
			     "lun %u: %llu blocks of %u bytes (%llu bytes)%s%s", disk_lun(p), (unsigned long long)last16 + 1,
			     bs16, (unsigned long long)(last16 + 1) * bs16,
			     agree ? ", READ CAPACITY(10) and (16) agree" : ", READ CAPACITY(10) differs: ",
			     ua ? ", after a unit attention" : "");

	if (!agree)
		snprintf(res->detail + strlen(res->detail), sizeof(res->detail) - strlen(res->detail),
			 "last LBA %u block %u", last10, bs10);
	probe_result_traffic(res, 40, (c10.latency_ns + c16.latency_ns) / 2);
	return 0;
}

/* READ(10) of the first blocks in one data descriptor and again in several: the same bytes, CRC-32 reported. */
static int test_read(struct probe *p)
{
	uint8_t cdb[10] = { OP_READ_CAPACITY_10 };
	struct scsi_cmd cap, a, b;
	unsigned ua = 0;
	char why[160];
	int r;

	if ((r = scsi_cmd_alloc(p, &cap, 8)) < 0 ||
	    (r = scsi_exec_ua(p, &cap, 0, disk_lun(p), cdb, sizeof(cdb), 1, &ua)) < 0)
		return r;
	uint32_t bs = be32(cap.data + 4), last = be32(cap.data);

	if (!cmd_good(&cap) || !bs || bs > 4096) {
		probe_result(p, "scsi.read", PROBE_SKIP, "no usable READ CAPACITY(10) answer (block size %u)", bs);
		return 0;
	}
	uint32_t blocks = last + 1u < READ_BLOCKS && last != 0xffffffffu ? last + 1u : READ_BLOCKS, len = blocks * bs;
	unsigned seg = 8;

	while (blocks % seg)
		seg--;
	if ((r = scsi_cmd_alloc(p, &a, len)) < 0 || (r = scsi_cmd_alloc(p, &b, len)) < 0)
		return r;
	memset(a.data, 0xa5, len);
	memset(b.data, 0x5a, len);
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = OP_READ_10;
	cdb[7] = (uint8_t)(blocks >> 8);
	cdb[8] = (uint8_t)blocks;
	if ((r = scsi_exec_ua(p, &a, 0, disk_lun(p), cdb, sizeof(cdb), 1, &ua)) < 0 ||
	    (r = scsi_exec_ua(p, &b, 0, disk_lun(p), cdb, sizeof(cdb), seg, &ua)) < 0)
		return r;
	struct probe_test_result *res;

	if (!cmd_good(&a) || !cmd_good(&b)) {
		describe_failure(cmd_good(&a) ? &b : &a, "READ(10)", why, sizeof(why));
		res = probe_result(p, "scsi.read", PROBE_FAIL, "%s", why);
	} else if (a.residual || b.residual) {
		res = probe_result(p, "scsi.read", PROBE_FAIL, "residual %u/%u bytes of a %u-byte read", a.residual,
				   b.residual, len);
	} else if (memcmp(a.data, b.data, len)) {
		res = probe_result(p, "scsi.read", PROBE_FAIL,
				   "blocks 0..%u differ between a 1-descriptor and a %u-descriptor read", blocks - 1, seg);
	} else {
		res = probe_result(p, "scsi.read", PROBE_PASS, "lun %u blocks 0..%u crc32 0x%08lx, same in 1 and %u data descriptors",
				   disk_lun(p), blocks - 1, crc32(crc32(0L, Z_NULL, 0), a.data, len), seg);
	}
	probe_result_traffic(res, 2ull * len, (a.latency_ns + b.latency_ns) / 2);
	return 0;
}

static size_t scsi_queues(const struct probe *p, uint16_t *out, size_t max)
{
	(void)p;
	if (!max)
		return 0;
	out[0] = SCSI_REQUESTQ;
	return 1;
}

static const struct probe_test scsi_tests[] = {
	{ "scsi.config", "queues, sizes and limits from the configuration", test_config },
	{ "scsi.report_luns", "REPORT LUNS on target 0", test_report_luns },
	{ "scsi.inquiry", "INQUIRY: peripheral type, vendor, product, revision", test_inquiry },
	{ "scsi.capacity", "READ CAPACITY(10) and (16) agree", test_capacity },
	{ "scsi.read", "READ(10) of the first blocks in 1 and in several data descriptors; compare", test_read },
	{ 0 },
};

const struct probe_suite probe_suite_scsi = {
	.name = "scsi",
	.device_id = 8,
	.queues = scsi_queues,
	.tests = scsi_tests,
};

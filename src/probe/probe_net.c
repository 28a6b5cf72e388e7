/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Network device self-tests (spec 5.1): configuration, an ARP exchange with the gateway, control-queue commands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "probe_tests.h"

enum {
	NET_F_MTU = 3,
	NET_F_MAC = 5,
	NET_F_STATUS = 16,
	NET_F_CTRL_VQ = 17,
	NET_F_CTRL_RX = 18,
	NET_F_MQ = 22,
	NET_CFG_MAC = 0,
	NET_CFG_STATUS = 6,
	NET_CFG_MAX_PAIRS = 8,
	NET_CFG_MTU = 10,
	NET_S_LINK_UP = 1,
	RX_BUFS = 8,
	RX_BUF_BYTES = 2048,
	CTRL_RX = 0,
	CTRL_RX_PROMISC = 0,
	CTRL_MAC = 1,
	CTRL_MAC_TABLE_SET = 0,
	CTRL_OK = 0,
};

/*
 * QEMU's user networking (-netdev user) puts the guest at 10.0.2.15 and
 * answers ARP for its gateway 10.0.2.2; the test asks for that address.
 */
static const uint8_t guest_ip[4] = { 10, 0, 2, 15 }, gateway_ip[4] = { 10, 0, 2, 2 };

/* virtio_net_hdr: 12 bytes with VERSION_1 (num_buffers always there), 10 for legacy without MRG_RXBUF (5.1.6). */
static size_t net_hdr_len(const struct probe *p)
{
	return virtio_features_test(&p->accepted, VIRTIO_F_VERSION_1_BIT) ? 12 : 10;
}

static void our_mac(const struct probe *p, uint8_t mac[6])
{
	static const uint8_t fallback[6] = { 0x02, 0x76, 0x69, 0x6f, 0x00, 0x01 };   /* locally administered */

	if (virtio_features_test(&p->accepted, NET_F_MAC) && p->config_len >= 6)
		memcpy(mac, p->config + NET_CFG_MAC, 6);
	else
		memcpy(mac, fallback, 6);
}

static int test_config(struct probe *p)
{
	uint8_t mac[6];
	char detail[200];
	size_t n = 0;

	our_mac(p, mac);
	n += (size_t)snprintf(detail + n, sizeof(detail) - n, "mac %02x:%02x:%02x:%02x:%02x:%02x%s", mac[0], mac[1], mac[2],
			      mac[3], mac[4], mac[5], virtio_features_test(&p->accepted, NET_F_MAC) ? "" : " (ours; no MAC)");
	bool link_down = false;

	if (virtio_features_test(&p->accepted, NET_F_STATUS)) {
		uint16_t st = (uint16_t)probe_config_le(p, NET_CFG_STATUS, 2);

		link_down = !(st & NET_S_LINK_UP);
		n += (size_t)snprintf(detail + n, sizeof(detail) - n, ", link %s", link_down ? "down" : "up");
	}
	if (virtio_features_test(&p->accepted, NET_F_MTU))
		n += (size_t)snprintf(detail + n, sizeof(detail) - n, ", mtu %u", (unsigned)probe_config_le(p, NET_CFG_MTU, 2));
	if (virtio_features_test(&p->accepted, NET_F_MQ))
		snprintf(detail + n, sizeof(detail) - n, ", max queue pairs %u",
			 (unsigned)probe_config_le(p, NET_CFG_MAX_PAIRS, 2));
	probe_result(p, "net.config", link_down ? PROBE_FAIL : PROBE_PASS, "%s", detail);
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void build_arp_request(uint8_t *f, const uint8_t mac[6])
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;                  /* ARP */
	f[14] = 0, f[15] = 1;                        /* Ethernet */
	f[16] = 0x08, f[17] = 0x00;                  /* IPv4 */
	f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 1;  /* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memcpy(f + 38, gateway_ip, 4);
}

/* An ARP reply from the gateway to us: "10.0.2.2 is at ..." */
static bool is_arp_reply(const uint8_t *f, uint32_t len, const uint8_t mac[6], uint8_t gw_mac[6])
{
	if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 || f[21] != 2)
		return false;
	if (memcmp(f + 28, gateway_ip, 4) || memcmp(f + 32, mac, 6))
		return false;
	memcpy(gw_mac, f + 22, 6);
	return true;
}

static int post_rx(struct probe *p, struct dma_chunk *bufs, unsigned i)
{
	struct vq_sg sg = { bufs[i].bus_addr, RX_BUF_BYTES };
	int r = vq_add(p->queues[0].vq, &sg, 0, 1, &bufs[i]);

	if (r == 0)
		r = vq_kick(p->queues[0].vq) < 0 ? -EIO : 0;
	return r;
}

static int test_arp(struct probe *p)
{
	struct dma_chunk rx[RX_BUFS], tx;
	uint8_t mac[6], gw[6];
	size_t hl = net_hdr_len(p);
	int r;

	our_mac(p, mac);
	for (unsigned i = 0; i < RX_BUFS; i++) {
		if ((r = probe_dma(p, RX_BUF_BYTES, &rx[i])) < 0)
			return r;
		if ((r = post_rx(p, rx, i)) < 0) {
			snprintf(p->error, sizeof(p->error), "queue 0: posting receive buffers failed: %s", strerror(-r));
			return r;
		}
	}
	if ((r = probe_dma(p, 128, &tx)) < 0)
		return r;
	build_arp_request((uint8_t *)tx.vaddr + hl, mac);   /* the header stays zero: no offloads */
	struct vq_sg sg = { tx.bus_addr, (uint32_t)(hl + 60) };
	uint32_t used;
	uint64_t start = mono_ns(), tx_lat;

	if ((r = probe_request(p, &p->queues[1], &sg, 1, 0, &used, &tx_lat)) < 0)
		return r;
	/* Frames other than the answer (router solicitations, ...) are read and their buffers posted again. */
	for (unsigned frames = 0; frames < 64; frames++) {
		void *cookie;
		uint32_t len;

		r = probe_wait_used(p, &p->queues[0], &cookie, &len);
		if (r == -ETIMEDOUT) {
			probe_result(p, "net.arp", PROBE_FAIL, "no ARP reply from 10.0.2.2 within %u ms (%u other frames): %s",
				     p->opts->timeout_ms, frames, p->error);
			p->error[0] = '\0';
			return 0;
		}
		if (r < 0)
			return r;
		struct dma_chunk *b = cookie;
		const uint8_t *frame = (const uint8_t *)b->vaddr + hl;

		p->queues[0].bytes_in += len;
		if (len > hl && is_arp_reply(frame, len - (uint32_t)hl, mac, gw)) {
			probe_result_traffic(probe_result(p, "net.arp", PROBE_PASS,
							  "10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x, answered in %.2f ms",
							  gw[0], gw[1], gw[2], gw[3], gw[4], gw[5],
							  (double)(mono_ns() - start) / 1e6),
					     hl + 60 + len, mono_ns() - start);
			return 0;
		}
		if ((r = post_rx(p, rx, (unsigned)(b - rx))) < 0) {
			snprintf(p->error, sizeof(p->error), "queue 0: posting a receive buffer again failed: %s", strerror(-r));
			return r;
		}
	}
	probe_result(p, "net.arp", PROBE_FAIL, "64 frames received, none an ARP reply from 10.0.2.2");
	return 0;
}

static uint16_t ctrl_queue_index(const struct probe *p)
{
	if (virtio_features_test(&p->accepted, NET_F_MQ))
		return (uint16_t)(2 * probe_config_le(p, NET_CFG_MAX_PAIRS, 2));
	return 2;
}

/* One control command (5.1.6.5): class, command, data readable; the ack byte writable. */
static int ctrl_command(struct probe *p, uint8_t cls, uint8_t cmd, const void *data, uint32_t len, uint8_t *ack)
{
	struct dma_chunk b;
	uint32_t used;
	int r = probe_dma(p, 256, &b);

	if (r < 0)
		return r;
	uint8_t *m = b.vaddr;

	m[0] = cls;
	m[1] = cmd;
	memcpy(m + 2, data, len);
	m[200] = 0xee;
	struct vq_sg sg[3] = { { b.bus_addr, 2 }, { b.bus_addr + 2, len }, { b.bus_addr + 200, 1 } };

	r = probe_request(p, &p->queues[ctrl_queue_index(p)], sg, 2, 1, &used, NULL);
	*ack = m[200];
	return r;
}

static int test_ctrl(struct probe *p)
{
	if (!virtio_features_test(&p->accepted, NET_F_CTRL_VQ) || !virtio_features_test(&p->accepted, NET_F_CTRL_RX)) {
		probe_result(p, "net.ctrl", PROBE_SKIP, "VIRTIO_NET_F_CTRL_VQ and CTRL_RX not both negotiated");
		return 0;
	}
	uint8_t on = 1, off = 0, a1, a2, a3;
	/* MAC filter: no unicast entries, no multicast entries (two le32 counts) */
	uint8_t table[8] = { 0 };
	int r;

	if ((r = ctrl_command(p, CTRL_RX, CTRL_RX_PROMISC, &on, 1, &a1)) < 0 ||
	    (r = ctrl_command(p, CTRL_RX, CTRL_RX_PROMISC, &off, 1, &a2)) < 0 ||
	    (r = ctrl_command(p, CTRL_MAC, CTRL_MAC_TABLE_SET, table, sizeof(table), &a3)) < 0)
		return r;
	bool ok = a1 == CTRL_OK && a2 == CTRL_OK && a3 == CTRL_OK;

	probe_result(p, "net.ctrl", ok ? PROBE_PASS : PROBE_FAIL, "promisc on: ack %u, promisc off: ack %u, MAC table set: ack %u",
		     a1, a2, a3);
	return 0;
}

static size_t net_queues(const struct probe *p, uint16_t *out, size_t max)
{
	size_t n = 0;

	if (max < 3)
		return 0;
	out[n++] = 0;
	out[n++] = 1;
	if (virtio_features_test(&p->accepted, NET_F_CTRL_VQ))
		out[n++] = ctrl_queue_index(p);
	return n;
}

static const struct probe_test net_tests[] = {
	{ "net.config", "MAC, link status, MTU, max queue pairs", test_config },
	{ "net.arp", "send an ARP request for 10.0.2.2 (QEMU user networking), receive the reply", test_arp },
	{ "net.ctrl", "control queue: promiscuous on/off, MAC filter table", test_ctrl },
	{ 0 },
};

const struct probe_suite probe_suite_net = {
	.name = "net",
	.device_id = 1,
	.queues = net_queues,
	.tests = net_tests,
};

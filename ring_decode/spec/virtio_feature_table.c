/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Feature bit names per spec version: transport bits (spec "Reserved Feature Bits") and each device's bits. */
#include "virtio_spec.h"

#define V12 VIRTIO_SPEC_1_2
#define V13 VIRTIO_SPEC_1_3
#define V14 VIRTIO_SPEC_1_4

/* T: transport bit; D: device bit of device id ID; L* marks legacy-only bits (spec "Legacy Interface" lists). */
#define T(SHORT, BIT, SINCE, SUM) { BIT, "VIRTIO_F_" #SHORT, #SHORT, 0, false, SINCE, SUM }
#define TL(SHORT, BIT, SUM) { BIT, "VIRTIO_F_" #SHORT, #SHORT, 0, true, V12, SUM }
#define D(DEV, ID, SHORT, BIT, SINCE, SUM) { BIT, "VIRTIO_" #DEV "_F_" #SHORT, #SHORT, ID, false, SINCE, SUM }
#define DL(DEV, ID, SHORT, BIT, SUM) { BIT, "VIRTIO_" #DEV "_F_" #SHORT, #SHORT, ID, true, V12, SUM }

/* Sorted by device id, then bit: the lookup scans, the command prints in bit order anyway. */
static const struct virtio_feature_bit feature_bits[] = {
	TL(NOTIFY_ON_EMPTY, 24, "notify when a queue runs out of available buffers"),
	TL(ANY_LAYOUT, 27, "any split of a request across descriptors"),
	T(INDIRECT_DESC, 28, V12, "indirect descriptor tables"),
	T(EVENT_IDX, 29, V12, "used_event/avail_event notification suppression"),
	/* The spec names bit 30 just "UNUSED": QEMU uses it to catch broken early drivers. */
	{ 30, "UNUSED", "UNUSED", 0, true, V12, "must not be negotiated" },
	T(VERSION_1, 32, V12, "virtio 1.x interface (not legacy)"),
	T(ACCESS_PLATFORM, 33, V12, "device memory access goes through the platform (IOMMU)"),
	T(RING_PACKED, 34, V12, "packed virtqueue layout"),
	T(IN_ORDER, 35, V12, "buffers are used in the order they were made available"),
	T(ORDER_PLATFORM, 36, V12, "platform memory ordering (hardware device)"),
	T(SR_IOV, 37, V12, "PCI SR-IOV capability"),
	T(NOTIFICATION_DATA, 38, V12, "driver notifications carry the queue position"),
	T(NOTIF_CONFIG_DATA, 39, V12, "driver notifications carry a device-supplied value"),
	T(RING_RESET, 40, V12, "queues can be reset one by one"),
	T(ADMIN_VQ, 41, V13, "administration virtqueues"),
	T(SUSPEND, 43, V14, "driver can suspend the device with the SUSPEND status bit"),

	D(NET, 1, CSUM, 0, V12, "device handles partially checksummed packets"),
	D(NET, 1, GUEST_CSUM, 1, V12, "driver handles partially checksummed packets"),
	D(NET, 1, CTRL_GUEST_OFFLOADS, 2, V12, "offloads reconfigurable on the control queue"),
	D(NET, 1, MTU, 3, V12, "device reports its maximum MTU"),
	D(NET, 1, MAC, 5, V12, "device has a MAC address"),
	DL(NET, 1, GSO, 6, "any GSO type"),
	D(NET, 1, GUEST_TSO4, 7, V12, "driver receives TCPv4 segmentation offload"),
	D(NET, 1, GUEST_TSO6, 8, V12, "driver receives TCPv6 segmentation offload"),
	D(NET, 1, GUEST_ECN, 9, V12, "driver receives TSO with ECN"),
	D(NET, 1, GUEST_UFO, 10, V12, "driver receives UDP fragmentation offload"),
	D(NET, 1, HOST_TSO4, 11, V12, "device receives TCPv4 segmentation offload"),
	D(NET, 1, HOST_TSO6, 12, V12, "device receives TCPv6 segmentation offload"),
	D(NET, 1, HOST_ECN, 13, V12, "device receives TSO with ECN"),
	D(NET, 1, HOST_UFO, 14, V12, "device receives UDP fragmentation offload"),
	D(NET, 1, MRG_RXBUF, 15, V12, "driver merges receive buffers"),
	D(NET, 1, STATUS, 16, V12, "link status in config space"),
	D(NET, 1, CTRL_VQ, 17, V12, "control virtqueue"),
	D(NET, 1, CTRL_RX, 18, V12, "receive mode control (promiscuous, all-multicast)"),
	D(NET, 1, CTRL_VLAN, 19, V12, "VLAN filtering"),
	/* Used by 1.2's text but first listed among the feature bits in 1.3. */
	D(NET, 1, CTRL_RX_EXTRA, 20, V12, "extra receive mode control"),
	D(NET, 1, GUEST_ANNOUNCE, 21, V12, "driver sends gratuitous packets on request"),
	D(NET, 1, MQ, 22, V12, "multiqueue with automatic receive steering"),
	D(NET, 1, CTRL_MAC_ADDR, 23, V12, "MAC address set on the control queue"),
	DL(NET, 1, GUEST_RSC4, 41, "device coalesces TCPv4 packets"),
	DL(NET, 1, GUEST_RSC6, 42, "device coalesces TCPv6 packets"),
	D(NET, 1, DEVICE_STATS, 50, V14, "device statistics on the control queue"),
	D(NET, 1, HASH_TUNNEL, 51, V13, "inner header hash of encapsulated packets"),
	D(NET, 1, VQ_NOTF_COAL, 52, V13, "per-virtqueue notification coalescing"),
	D(NET, 1, NOTF_COAL, 53, V13, "notification coalescing"),
	D(NET, 1, GUEST_USO4, 54, V13, "driver receives UDPv4 segmentation offload"),
	D(NET, 1, GUEST_USO6, 55, V13, "driver receives UDPv6 segmentation offload"),
	D(NET, 1, HOST_USO, 56, V12, "device receives UDP segmentation offload"),
	D(NET, 1, HASH_REPORT, 57, V12, "per-packet hash reports"),
	D(NET, 1, GUEST_HDRLEN, 59, V12, "driver gives the exact hdr_len"),
	D(NET, 1, RSS, 60, V12, "receive-side scaling"),
	D(NET, 1, RSC_EXT, 61, V12, "coalescing reports segments and duplicated ACKs"),
	D(NET, 1, STANDBY, 62, V12, "standby for a primary device with the same MAC"),
	D(NET, 1, SPEED_DUPLEX, 63, V12, "device reports speed and duplex"),
	D(NET, 1, RSS_CONTEXT, 64, V14, "multiple RSS contexts"),
	D(NET, 1, GUEST_UDP_TUNNEL_GSO, 65, V14, "driver receives GSO inside UDP tunnels"),
	D(NET, 1, GUEST_UDP_TUNNEL_GSO_CSUM, 66, V14, "driver handles partial outer checksum of UDP tunnels"),
	D(NET, 1, HOST_UDP_TUNNEL_GSO, 67, V14, "device receives GSO inside UDP tunnels"),
	D(NET, 1, HOST_UDP_TUNNEL_GSO_CSUM, 68, V14, "device handles partial outer checksum of UDP tunnels"),
	D(NET, 1, OUT_NET_HEADER, 69, V14, "driver gives the outer network header offset"),
	D(NET, 1, IPSEC, 70, V14, "inline IPsec processing"),

	DL(BLK, 2, BARRIER, 0, "request barriers"),
	D(BLK, 2, SIZE_MAX, 1, V12, "maximum segment size in size_max"),
	D(BLK, 2, SEG_MAX, 2, V12, "maximum segments per request in seg_max"),
	D(BLK, 2, GEOMETRY, 4, V12, "disk geometry in config space"),
	D(BLK, 2, RO, 5, V12, "read-only device"),
	D(BLK, 2, BLK_SIZE, 6, V12, "block size in blk_size"),
	DL(BLK, 2, SCSI, 7, "SCSI command passthrough"),
	D(BLK, 2, FLUSH, 9, V12, "cache flush command"),
	D(BLK, 2, TOPOLOGY, 10, V12, "optimal I/O alignment in config space"),
	D(BLK, 2, CONFIG_WCE, 11, V12, "cache mode in the writeback field"),
	D(BLK, 2, MQ, 12, V12, "multiple request queues"),
	D(BLK, 2, DISCARD, 13, V12, "discard command"),
	D(BLK, 2, WRITE_ZEROES, 14, V12, "write zeroes command"),
	D(BLK, 2, LIFETIME, 15, V12, "device lifetime information"),
	D(BLK, 2, SECURE_ERASE, 16, V12, "secure erase command"),
	D(BLK, 2, ZONED, 17, V13, "zoned block device"),

	D(CONSOLE, 3, SIZE, 0, V12, "console size in cols and rows"),
	D(CONSOLE, 3, MULTIPORT, 1, V12, "multiple ports and control queues"),
	D(CONSOLE, 3, EMERG_WRITE, 2, V12, "emergency write register"),

	D(BALLOON, 5, MUST_TELL_HOST, 0, V12, "device must be told before balloon pages are reused"),
	D(BALLOON, 5, STATS_VQ, 1, V12, "memory statistics virtqueue"),
	D(BALLOON, 5, DEFLATE_ON_OOM, 2, V12, "deflate when the guest runs out of memory"),
	D(BALLOON, 5, FREE_PAGE_HINT, 3, V12, "free page hinting"),
	D(BALLOON, 5, PAGE_POISON, 4, V12, "driver reports its page poison value"),
	D(BALLOON, 5, PAGE_REPORTING, 5, V12, "free page reporting"),

	D(SCSI, 8, INOUT, 0, V12, "requests with both readable and writable data"),
	D(SCSI, 8, HOTPLUG, 1, V12, "hot-plug and hot-unplug events"),
	D(SCSI, 8, CHANGE, 2, V12, "LUN parameter change events"),
	D(SCSI, 8, T10_PI, 3, V12, "T10 protection information fields"),

	D(GPU, 16, VIRGL, 0, V12, "virgl 3D mode"),
	D(GPU, 16, EDID, 1, V12, "EDID"),
	D(GPU, 16, RESOURCE_UUID, 2, V12, "resource UUIDs for export"),
	D(GPU, 16, RESOURCE_BLOB, 3, V12, "blob resources"),
	D(GPU, 16, CONTEXT_INIT, 4, V12, "multiple context types and timelines"),
	D(GPU, 16, BLOB_ALIGNMENT, 5, V14, "blob_alignment in config space"),

	D(RTC, 17, ALARM, 0, V14, "alarms"),

	D(VSOCK, 19, STREAM, 0, V12, "stream sockets"),
	D(VSOCK, 19, SEQPACKET, 1, V12, "seqpacket sockets"),
	D(VSOCK, 19, NO_IMPLIED_STREAM, 2, V13, "stream sockets not implied"),

	D(CRYPTO, 20, REVISION_1, 0, V12, "revision 1 request format"),
	D(CRYPTO, 20, CIPHER_STATELESS_MODE, 1, V12, "stateless CIPHER requests"),
	D(CRYPTO, 20, HASH_STATELESS_MODE, 2, V12, "stateless HASH requests"),
	D(CRYPTO, 20, MAC_STATELESS_MODE, 3, V12, "stateless MAC requests"),
	D(CRYPTO, 20, AEAD_STATELESS_MODE, 4, V12, "stateless AEAD requests"),
	D(CRYPTO, 20, AKCIPHER_STATELESS_MODE, 5, V13, "stateless AKCIPHER requests"),

	D(IOMMU, 23, INPUT_RANGE, 0, V12, "virtual address range in input_range"),
	D(IOMMU, 23, DOMAIN_RANGE, 1, V12, "domain number range in domain_range"),
	D(IOMMU, 23, MAP_UNMAP, 2, V12, "map and unmap requests"),
	D(IOMMU, 23, BYPASS, 3, V12, "unattached endpoints bypass translation"),
	D(IOMMU, 23, PROBE, 4, V12, "probe requests"),
	D(IOMMU, 23, MMIO, 5, V12, "MMIO mapping flag"),
	D(IOMMU, 23, BYPASS_CONFIG, 6, V12, "bypass mode in the bypass field"),

	D(MEM, 24, ACPI_PXM, 0, V12, "node_id is an ACPI proximity domain"),
	D(MEM, 24, UNPLUGGED_INACCESSIBLE, 1, V12, "unplugged memory must not be accessed"),
	D(MEM, 24, PERSISTENT_SUSPEND, 2, V14, "guest may suspend to RAM"),

	D(SND, 25, CTLS, 0, V13, "control elements"),

	D(FS, 26, NOTIFICATION, 0, V12, "FUSE notifications on virtqueue 1"),

	D(PMEM, 27, SHMEM_REGION, 0, V12, "memory range as a shared memory region"),

	D(SCMI, 32, P2A_CHANNELS, 0, V12, "notifications or delayed responses"),
	D(SCMI, 32, SHARED_MEMORY, 1, V12, "statistics shared memory region"),

	D(I2C, 34, ZERO_LENGTH_REQUEST, 0, V12, "zero-length requests (mandatory)"),

	D(CAN, 36, CAN_CLASSIC, 0, V14, "classic CAN frames"),
	D(CAN, 36, CAN_FD, 1, V14, "CAN FD frames"),
	D(CAN, 36, RTR_FRAMES, 2, V14, "remote transmission request frames"),
	D(CAN, 36, LATE_TX_ACK, 3, V14, "transmissions acknowledged once on the bus"),

	D(GPIO, 41, IRQ, 0, V12, "interrupts on GPIO lines"),
};

#define N_FEATURE_BITS (sizeof(feature_bits) / sizeof(feature_bits[0]))

static const struct virtio_feature_bit *find_bit(uint32_t device_id, unsigned bit, enum virtio_spec_version v)
{
	for (size_t i = 0; i < N_FEATURE_BITS; i++) {
		const struct virtio_feature_bit *f = &feature_bits[i];

		if (f->device_id == device_id && f->bit == bit && f->since <= v)
			return f;
	}
	return NULL;
}

const struct virtio_feature_bit *virtio_feature_lookup_for(uint32_t device_id, unsigned bit,
							   enum virtio_spec_version v, bool modern)
{
	const struct virtio_feature_bit *dev = device_id ? find_bit(device_id, bit, v) : NULL;
	const struct virtio_feature_bit *transport = find_bit(0, bit, v);

	if (dev && (!modern || !dev->legacy || !transport))
		return dev;
	return transport;
}

const struct virtio_feature_bit *virtio_feature_lookup(uint32_t device_id, unsigned bit,
						       enum virtio_spec_version v)
{
	return virtio_feature_lookup_for(device_id, bit, v, false);
}

bool virtio_feature_is_device_range(unsigned bit)
{
	return bit < 24 || (bit >= 50 && bit < VIRTIO_FEATURES_BITS);
}

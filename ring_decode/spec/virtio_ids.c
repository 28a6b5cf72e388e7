/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Spec versions, device ids (spec "Device Types") and device status bits (spec "Device Status Field"). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "virtio_spec.h"

#define V12 VIRTIO_SPEC_1_2
#define V13 VIRTIO_SPEC_1_3
#define V14 VIRTIO_SPEC_1_4

const char *virtio_spec_version_name(enum virtio_spec_version v)
{
	switch (v) {
	case VIRTIO_SPEC_1_2: return "1.2";
	case VIRTIO_SPEC_1_3: return "1.3";
	case VIRTIO_SPEC_1_4: return "1.4";
	}
	return NULL;
}

int virtio_spec_version_parse(const char *s, enum virtio_spec_version *out)
{
	static const enum virtio_spec_version all[] = { V12, V13, V14 };

	for (size_t i = 0; s && i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(s, virtio_spec_version_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

/* Ids 14, 15 and 37 are unassigned; names changed in 1.3 (network) and 1.4 (rtc, spi). */
static const struct virtio_device_type device_types[] = {
	{ 1, "net", "network device", "network card", V12 },
	{ 2, "blk", "block device", NULL, V12 },
	{ 3, "console", "console", NULL, V12 },
	{ 4, "rng", "entropy source", NULL, V12 },
	{ 5, "balloon", "memory ballooning (traditional)", NULL, V12 },
	{ 6, "iomem", "ioMemory", NULL, V12 },
	{ 7, "rpmsg", "rpmsg", NULL, V12 },
	{ 8, "scsi", "SCSI host", NULL, V12 },
	{ 9, "9p", "9P transport", NULL, V12 },
	{ 10, "wlan", "mac80211 wlan", NULL, V12 },
	{ 11, "rproc-serial", "rproc serial", NULL, V12 },
	{ 12, "caif", "virtio CAIF", NULL, V12 },
	{ 13, "memballoon", "memory balloon", NULL, V12 },
	{ 16, "gpu", "GPU device", NULL, V12 },
	{ 17, "rtc", "RTC (Real Time Clock) device", "Timer/Clock device", V12 },
	{ 18, "input", "Input device", NULL, V12 },
	{ 19, "vsock", "Socket device", NULL, V12 },
	{ 20, "crypto", "Crypto device", NULL, V12 },
	{ 21, "sdm", "Signal Distribution Module", NULL, V12 },
	{ 22, "pstore", "pstore device", NULL, V12 },
	{ 23, "iommu", "IOMMU device", NULL, V12 },
	{ 24, "mem", "Memory device", NULL, V12 },
	{ 25, "sound", "Sound device", "Audio device", V12 },
	{ 26, "fs", "file system device", NULL, V12 },
	{ 27, "pmem", "PMEM device", NULL, V12 },
	{ 28, "rpmb", "RPMB device", NULL, V12 },
	{ 29, "hwsim", "mac80211 hwsim wireless simulation device", NULL, V12 },
	{ 30, "video-encoder", "Video encoder device", NULL, V12 },
	{ 31, "video-decoder", "Video decoder device", NULL, V12 },
	{ 32, "scmi", "SCMI device", NULL, V12 },
	{ 33, "nsm", "NitroSecureModule", NULL, V12 },
	{ 34, "i2c", "I2C adapter", NULL, V12 },
	{ 35, "watchdog", "Watchdog", NULL, V12 },
	{ 36, "can", "CAN device", NULL, V12 },
	{ 38, "param-server", "Parameter Server", NULL, V12 },
	{ 39, "audio-policy", "Audio policy device", NULL, V12 },
	{ 40, "bluetooth", "Bluetooth device", NULL, V12 },
	{ 41, "gpio", "GPIO device", NULL, V12 },
	{ 42, "rdma", "RDMA device", NULL, V12 },
	{ 43, "camera", "Camera device", NULL, V13 },
	{ 44, "ism", "ISM device", NULL, V13 },
	{ 45, "spi", "SPI controller", "SPI master", V13 },
	{ 46, "tee", "TEE device", NULL, V14 },
	{ 47, "cpu-balloon", "CPU balloon device", NULL, V14 },
	{ 48, "media", "Media device", NULL, V14 },
	{ 49, "usb", "USB controller", NULL, V14 },
};

#define N_DEVICE_TYPES (sizeof(device_types) / sizeof(device_types[0]))

const struct virtio_device_type *virtio_device_type_at(size_t i)
{
	return i < N_DEVICE_TYPES ? &device_types[i] : NULL;
}

const struct virtio_device_type *virtio_device_type_by_id(uint32_t id)
{
	for (size_t i = 0; i < N_DEVICE_TYPES; i++)
		if (device_types[i].id == id)
			return &device_types[i];
	return NULL;
}

const struct virtio_device_type *virtio_device_type_lookup(const char *s)
{
	if (!s || !*s)
		return NULL;
	for (size_t i = 0; i < N_DEVICE_TYPES; i++) {
		const struct virtio_device_type *t = &device_types[i];

		if (!strcasecmp(s, t->name) || !strcasecmp(s, t->spec_name) ||
		    (t->former_name && !strcasecmp(s, t->former_name)))
			return t;
	}
	/* A number as sysfs prints it ("0x0001") or as a person types it ("1"). */
	if (*s < '0' || *s > '9')
		return NULL;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	char *end;
	errno = 0;
	/* Base 10 unless 0x: "010" is ten, not an octal eight. */
	unsigned long v = strtoul(hex ? s + 2 : s, &end, hex ? 16 : 10);
	if (hex && !isxdigit((unsigned char)s[2]))
		return NULL;
	if (errno || *end || v > UINT32_MAX)
		return NULL;
	return virtio_device_type_by_id((uint32_t)v);
}

/* Initialization order (ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK), then the rest by value. */
static const struct virtio_status_bit status_bits[] = {
	{ 0x01, "ACKNOWLEDGE", V12 },
	{ 0x02, "DRIVER", V12 },
	{ 0x08, "FEATURES_OK", V12 },
	{ 0x04, "DRIVER_OK", V12 },
	{ 0x10, "SUSPEND", V14 },
	{ 0x40, "DEVICE_NEEDS_RESET", V12 },
	{ 0x80, "FAILED", V12 },
};

const struct virtio_status_bit *virtio_status_bit_at(size_t i)
{
	return i < sizeof(status_bits) / sizeof(status_bits[0]) ? &status_bits[i] : NULL;
}

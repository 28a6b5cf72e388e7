/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device model: reads rings as a device would, independently of the driver code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_vq_device.h"
#include "vq_decode.h"
#include "vq_mem.h"

void fake_vq_attach_addrs(struct fake_vq_device *d, enum vq_ring_type type, uint32_t size, uint64_t desc,
			  uint64_t driver, uint64_t device)
{
	*d = (struct fake_vq_device){
		.ring_type = type,
		.size = size,
		.desc = (uint8_t *)(uintptr_t)desc,
		.driver = (uint8_t *)(uintptr_t)driver,
		.device = (uint8_t *)(uintptr_t)device,
		.avail_wrap = true,
		.used_wrap = true,
	};
}

void fake_vq_attach(struct fake_vq_device *d, const struct virtqueue *vq)
{
	uint64_t desc, driver, device;

	vq_area_addrs(vq, &desc, &driver, &device);
	fake_vq_attach_addrs(d, vq_ring_type_of(vq), vq_size(vq), desc, driver, device);
}

static void add_elem(struct fake_vq_request *r, uint64_t addr, uint32_t len, bool write)
{
	assert_true(r->n < VQ_MAX_SG);
	r->elems[r->n] = (struct vq_sg){ .bus = addr, .len = len };
	r->writable[r->n] = write;
	if (write)
		r->writable_bytes += len;
	r->n++;
}

/* An indirect table: split entries chain through next, packed ones are in order. */
static void read_indirect(struct fake_vq_request *r, uint64_t addr, uint32_t len, bool packed)
{
	const uint8_t *t = (const uint8_t *)(uintptr_t)addr;
	unsigned n = len / 16;

	assert_int_equal(len % 16, 0);
	r->indirect = true;
	for (unsigned i = 0; i < n;) {
		const uint8_t *e = t + 16 * i;
		uint16_t flags = vq_le16(e + (packed ? 14 : 12));

		add_elem(r, vq_le64(e), vq_le32(e + 8), flags & VQ_DESC_F_WRITE);
		if (packed) {
			i++;
			continue;
		}
		if (!(flags & VQ_DESC_F_NEXT))
			break;
		i = vq_le16(e + 14);
		assert_true(i < n);
	}
}

static int pop_split(struct fake_vq_device *d, struct fake_vq_request *r)
{
	if (vq_le16(d->driver + 2) == d->last_avail)
		return 0;
	uint16_t head = vq_le16(d->driver + 4 + 2 * (d->last_avail % d->size)), i = head;

	d->last_avail++;
	/* As a device with EVENT_IDX does: kick me again once the driver passes what I have taken (2.7.10). */
	vq_put_le16(d->device + 4 + 8 * d->size, d->last_avail);
	r->id = head;
	for (unsigned guard = 0;; guard++) {
		const uint8_t *e = d->desc + 16 * i;
		uint16_t flags = vq_le16(e + 12);

		assert_true(guard < d->size);
		r->n_ring_desc++;
		if (flags & VQ_DESC_F_INDIRECT) {
			read_indirect(r, vq_le64(e), vq_le32(e + 8), false);
			break;
		}
		add_elem(r, vq_le64(e), vq_le32(e + 8), flags & VQ_DESC_F_WRITE);
		if (!(flags & VQ_DESC_F_NEXT))
			break;
		i = vq_le16(e + 14);
		assert_true(i < d->size);
	}
	return 1;
}

static int pop_packed(struct fake_vq_device *d, struct fake_vq_request *r)
{
	uint16_t flags = vq_le16(d->desc + 16 * d->avail_pos + 14);
	bool a = flags & VQ_DESC_F_AVAIL, u = flags & VQ_DESC_F_USED;

	if (a != d->avail_wrap || u == d->avail_wrap)
		return 0;
	for (unsigned guard = 0;; guard++) {
		const uint8_t *e = d->desc + 16 * d->avail_pos;

		assert_true(guard < d->size);
		flags = vq_le16(e + 14);
		r->id = vq_le16(e + 12);
		r->n_ring_desc++;
		if (flags & VQ_DESC_F_INDIRECT)
			read_indirect(r, vq_le64(e), vq_le32(e + 8), true);
		else
			add_elem(r, vq_le64(e), vq_le32(e + 8), flags & VQ_DESC_F_WRITE);
		if (++d->avail_pos == d->size) {
			d->avail_pos = 0;
			d->avail_wrap = !d->avail_wrap;
		}
		if (!(flags & VQ_DESC_F_NEXT))
			break;
	}
	return 1;
}

int fake_vq_pop(struct fake_vq_device *d, struct fake_vq_request *r)
{
	memset(r, 0, sizeof(*r));
	return d->ring_type == VQ_RING_SPLIT ? pop_split(d, r) : pop_packed(d, r);
}

void fake_vq_push(struct fake_vq_device *d, uint32_t id, uint32_t len, unsigned skip)
{
	if (d->ring_type == VQ_RING_SPLIT) {
		uint8_t *e = d->device + 4 + 8 * (d->used_idx % d->size);

		vq_put_le32(e, id);
		vq_put_le32(e + 4, len);
		d->used_idx = (uint16_t)(d->used_idx + skip);
		vq_put_le16(d->device + 2, d->used_idx);
		return;
	}
	uint8_t *e = d->desc + 16 * d->used_pos;

	vq_put_le16(e + 12, (uint16_t)id);
	vq_put_le32(e + 8, len);
	vq_put_le16(e + 14, d->used_wrap ? (VQ_DESC_F_AVAIL | VQ_DESC_F_USED) : 0);
	d->used_pos = (uint16_t)(d->used_pos + skip);
	if (d->used_pos >= d->size) {
		d->used_pos = (uint16_t)(d->used_pos - d->size);
		d->used_wrap = !d->used_wrap;
	}
}

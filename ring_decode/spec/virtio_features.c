/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Parsing feature sets as users give them (0x hex, decimal, or the 0/1 string of sysfs `features`) and printing them. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "virtio_features.h"
#include "rd_text.h"

#define INPUT "feature value"

static int parse_hex(const char *s, size_t start, size_t end, struct virtio_features *out, struct rd_error *err)
{
	size_t significant = 0;

	if (start == end)
		return rd_fail(err, -EINVAL, INPUT, true, start, "'0x' has no hex digits after it");
	for (size_t i = start; i < end; i++) {
		int d = rd_hex_digit(s[i]);

		if (d < 0)
			return rd_fail(err, -EINVAL, INPUT, true, i,
				       "'%c' is not a hex digit; give hex (0x...) or a sysfs string of 0 and 1",
				       isprint((unsigned char)s[i]) ? s[i] : '?');
		if (significant || d)
			significant++;
		if (significant > VIRTIO_FEATURES_BITS / 4)
			return rd_fail(err, -ERANGE, INPUT, true, i,
				       "more than 32 significant hex digits: feature sets have 128 bits");
		out->w[1] = out->w[1] << 4 | out->w[0] >> 60;
		out->w[0] = out->w[0] << 4 | (unsigned)d;
	}
	return 0;
}

/* Linux prints one character per bit, bit 0 first: 64 of them, or 128 on kernels with wide features. */
static int parse_bits(const char *s, size_t start, size_t end, struct virtio_features *out, struct rd_error *err)
{
	for (size_t i = start; i < end; i++) {
		size_t bit = i - start;

		if (s[i] != '0' && s[i] != '1')
			return rd_fail(err, -EINVAL, INPUT, true, i,
				       "'%c' is not 0 or 1 (a value of %zu digits is read as a sysfs bit string)",
				       isprint((unsigned char)s[i]) ? s[i] : '?', end - start);
		if (s[i] == '1' && bit >= VIRTIO_FEATURES_BITS)
			return rd_fail(err, -ERANGE, INPUT, true, i, "bit %zu is set; feature sets have 128 bits", bit);
		if (s[i] == '1')
			virtio_features_set(out, (unsigned)bit);
	}
	return 0;
}

static int parse_decimal(const char *s, size_t start, size_t end, struct virtio_features *out, struct rd_error *err)
{
	unsigned __int128 v = 0;
	const unsigned __int128 max = ~(unsigned __int128)0;

	for (size_t i = start; i < end; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (max - d) / 10)
			return rd_fail(err, -ERANGE, INPUT, true, i,
				       "the decimal number does not fit in 128 bits: feature sets have 128 bits");
		v = v * 10 + d;
	}
	out->w[0] = (uint64_t)v;
	out->w[1] = (uint64_t)(v >> 64);
	return 0;
}

/* A run of 0 and 1 this long could be a cut sysfs string as well as a decimal number. */
#define AMBIGUOUS_BITS_LEN 9

int virtio_features_parse(const char *s, struct virtio_features *out, struct rd_error *err)
{
	struct virtio_features f = { { 0, 0 } };
	size_t start = 0, end, i;
	int r;

	if (!s)
		return rd_fail(err, -EINVAL, INPUT, false, 0, "no feature value given");
	end = strlen(s);
	while (start < end && isspace((unsigned char)s[start]))
		start++;
	while (end > start && isspace((unsigned char)s[end - 1]))
		end--;
	if (start == end)
		return rd_fail(err, -EINVAL, INPUT, true, start,
			       "empty; give hex (0x...), decimal, or the sysfs string of 0 and 1");
	if (end - start >= 2 && s[start] == '0' && (s[start + 1] == 'x' || s[start + 1] == 'X')) {
		r = parse_hex(s, start + 2, end, &f, err);
	} else {
		bool only_bits = true;

		for (i = start; i < end && isdigit((unsigned char)s[i]); i++)
			only_bits = only_bits && (s[i] == '0' || s[i] == '1');
		if (i < end) {
			bool hex = rd_hex_digit(s[i]) >= 0;

			return rd_fail(err, -EINVAL, INPUT, true, i,
				       hex ? "'%c' is not a decimal digit: hex needs 0x (0x%.*s)" :
					     "'%c' is not a digit; give hex (0x...), decimal, or the sysfs string of 0 and 1",
				       isprint((unsigned char)s[i]) ? s[i] : '?', (int)(end - start), s + start);
		}
		/* Exactly as sysfs writes it: 64 (or 128, ...) characters, one per bit. */
		if ((end - start) % 64 == 0)
			r = parse_bits(s, start, end, &f, err);
		else if (only_bits && end - start >= AMBIGUOUS_BITS_LEN)
			return rd_fail(err, -EINVAL, INPUT, true, start,
				       "%zu characters of 0 and 1 could be a cut sysfs bit string or a decimal number: "
				       "give the whole sysfs string (64 or 128 characters), or 0x... for hex",
				       end - start);
		else
			r = parse_decimal(s, start, end, &f, err);
	}
	if (r < 0)
		return r;
	*out = f;
	return 0;
}

void virtio_features_format_hex(const struct virtio_features *f, char *buf, size_t len)
{
	if (!buf || !len)
		return;
	if (f->w[1])
		snprintf(buf, len, "0x%llx%016llx", (unsigned long long)f->w[1], (unsigned long long)f->w[0]);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)f->w[0]);
}

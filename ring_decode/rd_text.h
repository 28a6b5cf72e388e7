/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Character helpers shared by the text parsers (hexdump text, feature strings). */
#ifndef RING_DECODE_RD_TEXT_H
#define RING_DECODE_RD_TEXT_H

/* Value of a hex digit, or -1; locale-independent, unlike isxdigit(). */
static inline int rd_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif

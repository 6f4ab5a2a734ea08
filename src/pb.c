/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pb.h"

void
pb_varint(struct buf *b, uint64_t v)
{
	buf_reserve(b, 10);
	while (v >= 0x80) {
		b->data[b->len++] = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	b->data[b->len++] = (uint8_t) v;
}

void
pb_tag(struct buf *b, unsigned int field, unsigned int wire)
{
	pb_varint(b, (uint64_t) field << 3 | wire);
}

void
pb_uint(struct buf *b, unsigned int field, uint64_t v)
{
	if (!v)
		return;
	pb_tag(b, field, PB_VARINT);
	pb_varint(b, v);
}

void
pb_int(struct buf *b, unsigned int field, int64_t v)
{
	/* int64 is not zigzag-encoded: a negative value takes 10 bytes. */
	pb_uint(b, field, (uint64_t) v);
}

void
pb_bool(struct buf *b, unsigned int field, bool v)
{
	pb_uint(b, field, v ? 1 : 0);
}

void
pb_bytes(struct buf *b, unsigned int field, const void *p, size_t n)
{
	pb_tag(b, field, PB_LEN);
	pb_varint(b, n);
	buf_append(b, p, n);
}

void
pb_message(struct buf *b, unsigned int field, const struct buf *msg)
{
	pb_bytes(b, field, msg->data, msg->len);
}

void
pb_packed(struct buf *b, unsigned int field, const uint64_t *v, size_t n)
{
	struct buf tmp;
	size_t i;

	if (!n)
		return;
	buf_init(&tmp);
	for (i = 0; i < n; i++)
		pb_varint(&tmp, v[i]);
	pb_message(b, field, &tmp);
	buf_free(&tmp);
}

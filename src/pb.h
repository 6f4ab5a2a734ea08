/*
 * A protocol buffers writer, enough for pprof: varints and
 * length-delimited fields.  Pure.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_PB_H
# define PIDPROF_PB_H

# include "buf.h"

enum {
	PB_VARINT = 0,
	PB_LEN = 2,
};

void pb_varint(struct buf *b, uint64_t v);
void pb_tag(struct buf *b, unsigned int field, unsigned int wire);
/* A varint field; zero values are skipped (proto3 default). */
void pb_uint(struct buf *b, unsigned int field, uint64_t v);
void pb_int(struct buf *b, unsigned int field, int64_t v);
void pb_bool(struct buf *b, unsigned int field, bool v);
void pb_bytes(struct buf *b, unsigned int field, const void *p, size_t n);
/* An embedded message already encoded in @msg. */
void pb_message(struct buf *b, unsigned int field, const struct buf *msg);
/* A packed repeated varint field (skipped when empty). */
void pb_packed(struct buf *b, unsigned int field, const uint64_t *v,
	       size_t n);

#endif /* !PIDPROF_PB_H */

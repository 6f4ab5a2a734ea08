/*
 * A growable byte buffer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_BUF_H
# define PIDPROF_BUF_H

# include "common.h"

struct buf {
	uint8_t *data;
	size_t len, cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reserve(struct buf *b, size_t more);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_putc(struct buf *b, uint8_t c);
void buf_printf(struct buf *b, const char *fmt, ...) ATTR_FORMAT(2, 3);

#endif /* !PIDPROF_BUF_H */

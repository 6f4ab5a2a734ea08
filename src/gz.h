/*
 * gzip, the only user of zlib.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PIDPROF_GZ_H
# define PIDPROF_GZ_H

# include "buf.h"
# include "err.h"

/* Appends the gzip stream of @in to @out. */
int gz_compress(const uint8_t *in, size_t len, struct buf *out,
		struct pp_err *err);
/* Appends the decompressed @in (gzip) to @out, at most @limit bytes. */
int gz_decompress(const uint8_t *in, size_t len, struct buf *out,
		  size_t limit, struct pp_err *err);

#endif /* !PIDPROF_GZ_H */

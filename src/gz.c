/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "gz.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

int
gz_compress(const uint8_t *in, size_t len, struct buf *out,
	    struct pp_err *err)
{
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof(zs));
	/* 15 + 16: a gzip header, as pprof files have on disk. */
	if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return pp_err_set(err, ENOMEM, "zlib: cannot start deflate");
	zs.next_in = (Bytef *) in;
	zs.avail_in = len;
	do {
		buf_reserve(out, 64 * 1024);
		zs.next_out = out->data + out->len;
		zs.avail_out = out->cap - out->len;
		rc = deflate(&zs, Z_FINISH);
		out->len = out->cap - zs.avail_out;
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return pp_err_set(err, EIO, "zlib: deflate failed (%d)", rc);
	return 0;
}

int
gz_decompress(const uint8_t *in, size_t len, struct buf *out, size_t limit,
	      struct pp_err *err)
{
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return pp_err_set(err, ENOMEM, "zlib: cannot start inflate");
	zs.next_in = (Bytef *) in;
	zs.avail_in = len;
	do {
		if (out->len >= limit) {
			inflateEnd(&zs);
			return pp_err_set(err, EFBIG,
					  "decompressed data exceeds %zu bytes",
					  limit);
		}
		buf_reserve(out, 64 * 1024);
		zs.next_out = out->data + out->len;
		zs.avail_out = out->cap - out->len;
		rc = inflate(&zs, Z_NO_FLUSH);
		out->len = out->cap - zs.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return pp_err_set(err, EINVAL, "not valid gzip data (%s)",
				  zs.msg ? zs.msg : "truncated");
	return 0;
}

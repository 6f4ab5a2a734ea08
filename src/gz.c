/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "gz.h"
#include "xmalloc.h"

#include <errno.h>
#include <stdlib.h>
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

/* The decompressed size of @in, without keeping it; EFBIG past @limit. */
static int
gz_measure(const uint8_t *in, size_t len, size_t limit, size_t *size,
	   struct pp_err *err)
{
	uint8_t *scratch = xmalloc(64 * 1024);
	z_stream zs;
	int rc;

	*size = 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK) {
		free(scratch);
		return pp_err_set(err, ENOMEM, "zlib: cannot start inflate");
	}
	zs.next_in = (Bytef *) in;
	zs.avail_in = len;
	do {
		zs.next_out = scratch;
		zs.avail_out = 64 * 1024;
		rc = inflate(&zs, Z_NO_FLUSH);
		*size += 64 * 1024 - zs.avail_out;
		if (*size > limit) {
			inflateEnd(&zs);
			free(scratch);
			return pp_err_set(err, EFBIG,
					  "decompressed data exceeds %zu bytes",
					  limit);
		}
	} while (rc == Z_OK);
	inflateEnd(&zs);
	free(scratch);
	if (rc != Z_STREAM_END)
		return pp_err_set(err, EINVAL, "not valid gzip data (%s)",
				  zs.msg ? zs.msg : "truncated");
	return 0;
}

int
gz_decompress(const uint8_t *in, size_t len, struct buf *out, size_t limit,
	      struct pp_err *err)
{
	z_stream zs;
	size_t size;
	int rc;

	/* Measured first, so that the buffer is the size of the data, not
	 * up to twice the limit. */
	if (gz_measure(in, len, limit, &size, err) < 0)
		return -1;
	if (out->cap - out->len < size + 1) {
		out->data = xrealloc(out->data, out->len + size + 1);
		out->cap = out->len + size + 1;
	}
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return pp_err_set(err, ENOMEM, "zlib: cannot start inflate");
	zs.next_in = (Bytef *) in;
	zs.avail_in = len;
	zs.next_out = out->data + out->len;
	zs.avail_out = size + 1;
	rc = inflate(&zs, Z_FINISH);
	out->len += size + 1 - zs.avail_out;
	inflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return pp_err_set(err, EINVAL, "not valid gzip data (%s)",
				  zs.msg ? zs.msg : "truncated");
	return 0;
}

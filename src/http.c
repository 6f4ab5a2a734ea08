/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "http.h"
#include "attach.h"
#include "xmalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int
http_global_init(struct pp_err *err)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc != CURLE_OK)
		return pp_err_set(err, EIO, "cannot start libcurl: %s",
				  curl_easy_strerror(rc));
	return 0;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

const char *
http_version(void)
{
	return curl_version();
}

static size_t
on_data(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n, room;

	room = b->len < HTTP_REPLY_MAX ? HTTP_REPLY_MAX - b->len : 0;
	buf_append(b, data, len < room ? len : room);
	return len;
}

static long
ms(uint64_t ns)
{
	long v = (long) (ns / 1000000);

	return v > 0 ? v : 1;
}

int
http_post(const struct http_request *rq, struct http_reply *rp,
	  struct pp_err *err)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL, *h;
	uint64_t t0 = now_ns();
	CURLcode rc;
	CURL *c;
	size_t i;
	int ret = 0;

	memset(rp, 0, sizeof(*rp));
	buf_init(&rp->body);
	c = curl_easy_init();
	if (!c)
		return pp_err_set(err, ENOMEM, "cannot make an HTTP request");
	errbuf[0] = '\0';
	/* No "Expect: 100-continue": one round trip less. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	for (i = 0; hdrs && i < rq->nheaders; i++) {
		h = curl_slist_append(hdrs, rq->headers[i]);
		if (!h)
			break;
		hdrs = h;
	}
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pidprof/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 ms(rq->connect_timeout_ns));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms(rq->timeout_ns));
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t) rq->len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (rq->user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, rq->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
				 rq->password ? rq->password : "");
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rp->body);
	rc = curl_easy_perform(c);
	rp->elapsed_ns = now_ns() - t0;
	if (rc != CURLE_OK) {
		pp_err_set(err, EIO, "%s",
			   errbuf[0] ? errbuf : curl_easy_strerror(rc));
		/* A reply cut short is no reply. */
		buf_free(&rp->body);
		ret = -1;
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rp->status);
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return ret;
}

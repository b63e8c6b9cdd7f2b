/*
 * http.h -- the small part of HTTP dugout parses itself: query strings,
 * URL decoding and CORS decisions.  Pure.
 */
#ifndef DUGOUT_HTTP_H
#define DUGOUT_HTTP_H

#include <stddef.h>

#include "err.h"
#include "span.h"

struct buf;

/*
 * Find the first `key` in a query string (a=b&c=d, '+' is a space,
 * %XX escapes) and append its decoded value to out.  Names are decoded
 * too before comparing.  ERR_NOTFOUND when absent; ERR_PROTO on a bad
 * %-escape or a decoded NUL in the value; ERR_LIMIT when the value does
 * not fit out's cap.  A key without '=' has value "".  On error out is
 * unchanged.
 */
enum err	 http_query_get(struct span qs, const char *key,
		    struct buf *out) MUSTCHECK;

/*
 * CORS (protocol.md §9): 1 when `origin` (the Origin header, may be NULL)
 * is in the allow list.  The list holds exact origins
 * ("https://example.org", compared byte for byte) or the entry "*"
 * meaning any origin.  A NULL or invalid (http_origin_valid) origin is
 * never allowed, so an allowed origin is always safe to echo in a header.
 */
int		 http_origin_allowed(const char *origin,
		    char *const *allow, size_t nallow);

/* 1 when `origin` is a syntactically valid Origin value: "null" or
 * scheme://host[:port] with no path, in printable ASCII. */
int		 http_origin_valid(const char *origin);

#endif

/*
 * buf.h -- the one growable byte buffer, with a hard cap.  Pure.
 *
 * Binary-safe and always NUL-terminated (data may be NULL while cap is 0).
 * Appends past `max` fail with ERR_LIMIT and leave the buffer unchanged.
 * The caller owns the struct; buf_init never allocates; buf_free releases
 * the bytes (the struct itself stays the caller's).
 */
#ifndef DUGOUT_BUF_H
#define DUGOUT_BUF_H

#include <stddef.h>

#include "err.h"
#include "span.h"

struct buf {
	char	*data;	/* owned; NUL-terminated when cap > 0 */
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* invariant: len <= max */
};

void		 buf_init(struct buf *, size_t max);
void		 buf_reset(struct buf *);	/* len = 0, keeps memory */
void		 buf_free(struct buf *);
enum err	 buf_append(struct buf *, const void *, size_t) MUSTCHECK;
enum err	 buf_puts(struct buf *, const char *) MUSTCHECK;
enum err	 buf_putc(struct buf *, char) MUSTCHECK;
enum err	 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3))) MUSTCHECK;
/* Borrowed view of the contents, valid until the next append or free. */
struct span	 buf_span(const struct buf *);
/* Hands the bytes to the caller (free with free()); the buffer is reset. */
char		*buf_steal(struct buf *);

#endif

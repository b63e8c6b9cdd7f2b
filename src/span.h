/*
 * span.h -- a borrowed view of bytes.  Pure, header only.
 *
 * A span never owns its bytes and never outlives its source; it is not
 * NUL-terminated.
 */
#ifndef DUGOUT_SPAN_H
#define DUGOUT_SPAN_H

#include <stddef.h>
#include <string.h>

struct span {
	const char	*p;
	size_t		 len;
};

#define SPAN_LIT(s)	((struct span){ (s), sizeof(s) - 1 })

static inline struct span
span_of(const char *s)
{
	return (struct span){ s, s == NULL ? 0 : strlen(s) };
}

static inline int
span_eq(struct span a, const char *s)
{
	size_t n = strlen(s);

	return a.len == n && memcmp(a.p, s, n) == 0;
}

#endif

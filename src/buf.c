/*
 * buf.c -- growable byte buffer with a hard cap (see buf.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Make room for n more bytes plus the NUL; limits checked in subtraction
 * form before any arithmetic, so nothing can wrap. */
static enum err
buf_grow(struct buf *b, size_t n)
{
	char	*np;
	size_t	 cap;

	if (n > b->max - b->len)
		return ERR_LIMIT;
	if (b->len + n + 1 <= b->cap)
		return ERR_OK;
	for (cap = b->cap ? b->cap : 256; cap < b->len + n + 1; cap *= 2)
		continue;	/* max is far below SIZE_MAX / 2: cannot wrap */
	if ((np = realloc(b->data, cap)) == NULL)
		return ERR_NOMEM;
	b->data = np;
	b->cap = cap;
	return ERR_OK;
}

enum err
buf_append(struct buf *b, const void *p, size_t n)
{
	enum err	 er;

	if ((er = buf_grow(b, n)) != ERR_OK)
		return er;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ERR_OK;
}

enum err
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum err
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

enum err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list		 ap;
	int		 n;
	enum err	 er;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_PROTO;
	if ((er = buf_grow(b, (size_t)n)) != ERR_OK)
		return er;
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return ERR_OK;
}

struct span
buf_span(const struct buf *b)
{
	return (struct span){ b->data == NULL ? "" : b->data, b->len };
}

char *
buf_steal(struct buf *b)
{
	char	*p;

	if (b->data == NULL && (b->data = calloc(1, 1)) == NULL)
		return NULL;
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/*
 * http.c -- query strings and CORS decisions (see http.h).
 */
#include "config.h"

#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "http.h"

/* --------------------------------------------------- query strings */

static int
http_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode the character of s at *ip (application/x-www-form-urlencoded:
 * '+' is a space, %XX a byte) into *c and advance *ip.  0 on a short or
 * non-hex escape.
 */
static int
http_pct_next(struct span s, size_t *ip, char *c)
{
	int	 hi, lo;

	if (s.p[*ip] == '+') {
		*c = ' ';
		(*ip)++;
		return 1;
	}
	if (s.p[*ip] != '%') {
		*c = s.p[(*ip)++];
		return 1;
	}
	if (s.len - *ip < 3 || (hi = http_hexval(s.p[*ip + 1])) < 0 ||
	    (lo = http_hexval(s.p[*ip + 2])) < 0)
		return 0;
	*c = (char)(hi << 4 | lo);
	*ip += 3;
	return 1;
}

/* 1 when name decodes to exactly key; a bad escape never matches. */
static int
http_name_is(struct span name, const char *key)
{
	size_t	 i = 0;
	char	 c;

	while (i < name.len) {
		if (!http_pct_next(name, &i, &c) || *key == '\0' || c != *key)
			return 0;
		key++;
	}
	return *key == '\0';
}

/* Append the decoded value to out; ERR_PROTO on a bad escape or NUL. */
static enum err
http_value_decode(struct span v, struct buf *out)
{
	size_t		 i = 0, mark = out->len;
	char		 c;
	enum err	 er = ERR_OK;

	while (i < v.len && er == ERR_OK) {
		if (!http_pct_next(v, &i, &c) || c == '\0')
			er = ERR_PROTO;
		else
			er = buf_putc(out, c);
	}
	if (er != ERR_OK && out->data != NULL) {
		out->len = mark;	/* all or nothing */
		out->data[mark] = '\0';
	}
	return er;
}

enum err
http_query_get(struct span qs, const char *key, struct buf *out)
{
	const char	*amp, *eq;
	struct span	 pair, name, value;

	while (qs.len > 0) {
		amp = memchr(qs.p, '&', qs.len);
		pair.p = qs.p;
		pair.len = amp == NULL ? qs.len : (size_t)(amp - qs.p);
		qs.p += pair.len;
		qs.len -= pair.len;
		if (amp != NULL) {
			qs.p++;
			qs.len--;
		}
		eq = memchr(pair.p, '=', pair.len);
		name.p = pair.p;
		name.len = eq == NULL ? pair.len : (size_t)(eq - pair.p);
		if (!http_name_is(name, key))
			continue;
		value.p = eq == NULL ? pair.p + pair.len : eq + 1;
		value.len = pair.len - (size_t)(value.p - pair.p);
		return http_value_decode(value, out);
	}
	return ERR_NOTFOUND;
}

/* ------------------------------------------------------------ CORS */

static int
http_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
http_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) then "://". */
static const char *
http_origin_scheme(const char *s)
{
	if (!http_isalpha(*s))
		return NULL;
	while (http_isalpha(*s) || http_isdigit(*s) || *s == '+' ||
	    *s == '-' || *s == '.')
		s++;
	return strncmp(s, "://", 3) == 0 ? s + 3 : NULL;
}

/* RFC 3986 §3.2.2 host: a reg-name of letters, digits, '-', '.', '_', '~'
 * or an IPv6 literal in brackets.  Returns the end, or NULL. */
static const char *
http_origin_host(const char *s)
{
	const char	*start = s;

	if (*s == '[') {
		for (s++; http_hexval(*s) >= 0 || *s == ':' || *s == '.'; s++)
			continue;
		return *s == ']' && s - start > 1 ? s + 1 : NULL;
	}
	while (http_isalpha(*s) || http_isdigit(*s) || *s == '-' ||
	    *s == '.' || *s == '_' || *s == '~')
		s++;
	return s > start ? s : NULL;
}

int
http_origin_valid(const char *origin)
{
	const char	*s;
	unsigned	 port = 0;
	size_t		 ndig = 0;

	if (origin == NULL || strlen(origin) > HTTP_MAX_HEADER)
		return 0;
	if (strcmp(origin, "null") == 0)
		return 1;
	if ((s = http_origin_scheme(origin)) == NULL ||
	    (s = http_origin_host(s)) == NULL)
		return 0;
	if (*s == ':') {
		for (s++; http_isdigit(*s) && ndig < 5; s++, ndig++)
			port = port * 10 + (unsigned)(*s - '0');
		if (ndig == 0 || port > 65535)
			return 0;
	}
	return *s == '\0';
}

int
http_origin_allowed(const char *origin, char *const *allow, size_t nallow)
{
	size_t	 i;

	if (!http_origin_valid(origin))
		return 0;
	for (i = 0; i < nallow; i++)
		if (strcmp(allow[i], "*") == 0 || strcmp(allow[i], origin) == 0)
			return 1;
	return 0;
}

/*
 * eio.c -- Engine.IO v4 long-polling codec and request routing (see eio.h).
 * Section numbers cite ../shared/protocol.md.
 */
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "eio.h"

#define EIO_SEP		'\x1e'		/* §5: record separator */

/* ------------------------------------------------------------ UTF-8 */

/*
 * Length of the well-formed UTF-8 sequence at p[0..n), or 0.  Follows
 * Unicode 15 table 3-7: no overlongs, no surrogates, nothing above
 * U+10FFFF.
 */
static size_t
eio_utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;	/* continuation, C0, C1 or F5..FF lead */
	if (p[0] == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (p[0] == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90;	/* overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f;	/* above U+10FFFF */
	if (len > n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

int
eio_utf8_valid(struct span s)
{
	const unsigned char	*p = (const unsigned char *)s.p;
	size_t			 i, n;

	for (i = 0; i < s.len; i += n)
		if ((n = eio_utf8_seq(p + i, s.len - i)) == 0)
			return 0;
	return 1;
}

/* ----------------------------------------------------------- base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of a standard base64 character, or -1. */
static int
eio_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode one 4-character group into out[0..3) and return the byte count
 * (1..3), or 0 when the group is invalid.  `last` allows '=' padding.
 * Canonical only: the bits a padded group drops must be zero, as in
 * libsodium's decoder, so each byte string has exactly one encoding.
 */
static size_t
eio_b64_quad(const char *q, int last, unsigned char out[3])
{
	int		 v[4], i, pad = 0;
	uint32_t	 w;

	if (last && q[3] == '=')
		pad = q[2] == '=' ? 2 : 1;
	for (i = 0; i < 4 - pad; i++)
		if ((v[i] = eio_b64_value((unsigned char)q[i])) < 0)
			return 0;
	for (; i < 4; i++)
		v[i] = 0;
	w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
	    (uint32_t)v[2] << 6 | (uint32_t)v[3];
	if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
		return 0;
	out[0] = (unsigned char)(w >> 16);
	out[1] = (unsigned char)(w >> 8);
	out[2] = (unsigned char)w;
	return (size_t)(3 - pad);
}

/* Run over base64 text, handing decoded groups to out (may be NULL to
 * only validate).  ERR_PROTO when the text is not canonical, padded,
 * standard base64 (RFC 4648 §4). */
static enum err
eio_b64_walk(struct span b64, struct buf *out)
{
	unsigned char	 grp[3];
	size_t		 i, n;
	enum err	 er;

	if (b64.len % 4 != 0)
		return ERR_PROTO;
	for (i = 0; i < b64.len; i += 4) {
		n = eio_b64_quad(b64.p + i, i + 4 == b64.len, grp);
		if (n == 0)
			return ERR_PROTO;
		if (out != NULL && (er = buf_append(out, grp, n)) != ERR_OK)
			return er;
	}
	return ERR_OK;
}

enum err
eio_base64_decode(struct span b64, struct buf *out)
{
	size_t		 mark = out->len;
	enum err	 er;

	if ((er = eio_b64_walk(b64, NULL)) != ERR_OK)
		return er;
	if ((er = eio_b64_walk(b64, out)) != ERR_OK && out->data != NULL) {
		out->len = mark;	/* all or nothing */
		out->data[mark] = '\0';
	}
	return er;
}

/* Append base64 of p[0..n) (RFC 4648 §4, padded). */
static enum err
eio_b64_encode(struct buf *out, const unsigned char *p, size_t n)
{
	char		 q[4];
	uint32_t	 w;
	size_t		 i, k;
	enum err	 er;

	for (i = 0; i < n; i += 3) {
		k = n - i < 3 ? n - i : 3;
		w = (uint32_t)p[i] << 16;
		if (k > 1)
			w |= (uint32_t)p[i + 1] << 8;
		if (k > 2)
			w |= p[i + 2];
		q[0] = b64_alphabet[w >> 18 & 63];
		q[1] = b64_alphabet[w >> 12 & 63];
		q[2] = k > 1 ? b64_alphabet[w >> 6 & 63] : '=';
		q[3] = k > 2 ? b64_alphabet[w & 63] : '=';
		if ((er = buf_append(out, q, sizeof(q))) != ERR_OK)
			return er;
	}
	return ERR_OK;
}

/* ---------------------------------------------------------- payload */

/* §5: one packet of a payload; data borrows from s. */
static enum err
eio_packet_parse(struct span s, struct eio_packet *pk)
{
	if (s.len == 0)
		return ERR_PROTO;	/* empty packet */
	pk->data = (struct span){ s.p + 1, s.len - 1 };
	if (s.p[0] == 'b') {
		pk->type = EIO_MESSAGE;
		pk->binary = 1;
		return eio_b64_walk(pk->data, NULL);
	}
	if (s.p[0] < '0' || s.p[0] >= '0' + EIO__MAX)
		return ERR_PROTO;
	pk->type = (enum eio_type)(s.p[0] - '0');
	pk->binary = 0;
	return ERR_OK;
}

enum err
eio_payload_decode(struct span in, struct eio_packet *pk, size_t max,
    size_t *np)
{
	const char	*sep;
	struct span	 rest = in, one;
	size_t		 n = 0;
	enum err	 er = ERR_OK;

	*np = 0;
	/* A NUL is valid UTF-8 but no text packet carries one (JSON escapes
	 * it), and everything downstream holds packets as C strings. */
	if (in.len == 0 || !eio_utf8_valid(in) ||
	    memchr(in.p, '\0', in.len) != NULL)
		return ERR_PROTO;
	for (;;) {
		sep = memchr(rest.p, EIO_SEP, rest.len);
		one.p = rest.p;
		one.len = sep == NULL ? rest.len : (size_t)(sep - rest.p);
		if (n == max) {
			er = ERR_LIMIT;
			break;
		}
		if ((er = eio_packet_parse(one, &pk[n])) != ERR_OK)
			break;
		n++;
		if (sep == NULL)
			break;
		rest.p = sep + 1;	/* trailing 0x1e: an empty packet */
		rest.len -= one.len + 1;
	}
	if (er == ERR_OK)
		*np = n;
	return er;
}

/* Restore out to mark after a failed append, so appends are all or
 * nothing. */
static void
eio_buf_rewind(struct buf *out, size_t mark)
{
	if (out->data == NULL)
		return;
	out->len = mark;
	out->data[mark] = '\0';
}

enum err
eio_payload_append(struct buf *out, enum eio_type type, struct span data)
{
	size_t		 mark = out->len;
	enum err	 er = ERR_OK;

	assert((unsigned)type < EIO__MAX);
	assert(data.len == 0 || memchr(data.p, EIO_SEP, data.len) == NULL);
	if ((out->len == 0 || (er = buf_putc(out, EIO_SEP)) == ERR_OK) &&
	    (er = buf_putc(out, (char)('0' + type))) == ERR_OK &&
	    (er = buf_append(out, data.p, data.len)) == ERR_OK)
		return ERR_OK;
	eio_buf_rewind(out, mark);
	return er;
}

enum err
eio_payload_append_binary(struct buf *out, const void *p, size_t n)
{
	size_t		 mark = out->len;
	enum err	 er = ERR_OK;

	if ((out->len == 0 || (er = buf_putc(out, EIO_SEP)) == ERR_OK) &&
	    (er = buf_putc(out, 'b')) == ERR_OK &&
	    (er = eio_b64_encode(out, p, n)) == ERR_OK)
		return ERR_OK;
	eio_buf_rewind(out, mark);
	return er;
}

/* ------------------------------------------------------- handshake */

enum err
eio_open_encode(struct buf *out, const char *sid, const char *upgrades,
    unsigned ping_interval_ms, unsigned ping_timeout_ms, size_t max_payload)
{
	size_t		 mark = out->len;
	enum err	 er;

	assert(eio_sid_valid(sid));	/* ours: needs no JSON escaping */
	er = buf_printf(out, "0{\"sid\":\"%s\",\"upgrades\":%s,"
	    "\"pingInterval\":%u,\"pingTimeout\":%u,\"maxPayload\":%zu}",
	    sid, upgrades, ping_interval_ms, ping_timeout_ms, max_payload);
	if (er != ERR_OK)
		eio_buf_rewind(out, mark);
	return er;
}

/* ----------------------------------------------------------- errors */

/* §7, [ref] engine.io 6.6 Server.errorMessages. */
static const struct {
	int		 status;
	const char	*message;
} eio_errors[EIO_ERR__MAX] = {
	[EIO_ERR_TRANSPORT_UNKNOWN] = { 400, "Transport unknown" },
	[EIO_ERR_SID_UNKNOWN] = { 400, "Session ID unknown" },
	[EIO_ERR_BAD_HANDSHAKE_METHOD] = { 400, "Bad handshake method" },
	[EIO_ERR_BAD_REQUEST] = { 400, "Bad request" },
	[EIO_ERR_FORBIDDEN] = { 403, "Forbidden" },
	[EIO_ERR_UNSUPPORTED_PROTOCOL] = { 400,
	    "Unsupported protocol version" },
};

/* Out-of-range codes are a caller bug; answer them as "Bad request". */
static enum eio_error
eio_error_clamp(enum eio_error e)
{
	return (unsigned)e < EIO_ERR__MAX ? e : EIO_ERR_BAD_REQUEST;
}

int
eio_error_status(enum eio_error e)
{
	return eio_errors[eio_error_clamp(e)].status;
}

const char *
eio_error_message(enum eio_error e)
{
	return eio_errors[eio_error_clamp(e)].message;
}

/* Append s as the inside of a JSON string (RFC 8259 §7). */
static enum err
eio_json_escape(struct buf *out, const char *s)
{
	enum err	 er = ERR_OK;

	for (; *s != '\0' && er == ERR_OK; s++) {
		if (*s == '"' || *s == '\\')
			er = buf_printf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			er = buf_printf(out, "\\u%04x", (unsigned char)*s);
		else
			er = buf_putc(out, *s);
	}
	return er;
}

enum err
eio_error_encode(struct buf *out, enum eio_error e, const char *message)
{
	size_t		 mark = out->len;
	enum err	 er;

	e = eio_error_clamp(e);
	if (message == NULL)
		message = eio_errors[e].message;
	if ((er = buf_printf(out, "{\"code\":%d,\"message\":\"",
	    (int)e)) == ERR_OK &&
	    (er = eio_json_escape(out, message)) == ERR_OK &&
	    (er = buf_puts(out, "\"}")) == ERR_OK)
		return ERR_OK;
	eio_buf_rewind(out, mark);
	return er;
}

/* ---------------------------------------------------------- routing */

/*
 * §7 check order of the reference: preflight (§9, answered before any
 * EIO check), transport (code 0), then with a sid the method decides;
 * without one it is a handshake: method (code 2), then EIO (code 5).
 * Origin, sid lookup and allowRequest need state and are the caller's.
 */
enum eio_route
eio_route(const struct eio_request *rq, enum eio_error *errp)
{
	if (rq->method == EIO_OPTIONS)
		return EIO_ROUTE_PREFLIGHT;
	if (rq->transport == NULL || strcmp(rq->transport, "polling") != 0) {
		*errp = EIO_ERR_TRANSPORT_UNKNOWN;
		return EIO_ROUTE_ERROR;
	}
	if (rq->sid != NULL) {
		/* §7 code 3: every session here is v4, so another (or no)
		 * EIO value cannot match it. */
		if (rq->eio == NULL || strcmp(rq->eio, "4") != 0) {
			*errp = EIO_ERR_BAD_REQUEST;
			return EIO_ROUTE_ERROR;
		}
		if (rq->method == EIO_GET)
			return EIO_ROUTE_POLL;
		if (rq->method == EIO_POST)
			return EIO_ROUTE_SEND;
		return EIO_ROUTE_BAD_METHOD;
	}
	if (rq->method != EIO_GET) {
		*errp = EIO_ERR_BAD_HANDSHAKE_METHOD;
		return EIO_ROUTE_ERROR;
	}
	if (rq->eio == NULL || strcmp(rq->eio, "4") != 0) {
		*errp = EIO_ERR_UNSUPPORTED_PROTOCOL;
		return EIO_ROUTE_ERROR;
	}
	return EIO_ROUTE_HANDSHAKE;
}

int
eio_sid_valid(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < EIO_SID_LEN; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;	/* also stops at a short string's NUL */
	}
	return s[EIO_SID_LEN] == '\0';
}

/*
 * check_eio.c -- unit tests of eio.c (protocol.md §3, §5, §7).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "check_util.h"
#include "eio.h"

#define RS	"\x1e"		/* §5 record separator; ends a hex escape */

/* A test input with an explicit length (it may hold NUL bytes). */
struct bytes {
	const char	*p;
	size_t		 len;
};
#define B(s)	{ (s), sizeof(s) - 1 }

static struct span
span_bytes(struct bytes b)
{
	return (struct span){ b.p, b.len };
}

/* ----------------------------------------------------------- decode */

struct want_packet {
	enum eio_type	 type;
	int		 binary;
	const char	*data;
};

static const struct {
	struct bytes		 in;
	size_t			 n;
	struct want_packet	 pk[4];
} good_payloads[] = {
	{ B("4hello"), 1, { { EIO_MESSAGE, 0, "hello" } } },
	{ B("4hello" RS "bAQIDBA=="), 2,
	    { { EIO_MESSAGE, 0, "hello" }, { EIO_MESSAGE, 1, "AQIDBA==" } } },
	{ B("3"), 1, { { EIO_PONG, 0, "" } } },
	{ B("1"), 1, { { EIO_CLOSE, 0, "" } } },
	{ B("2probe"), 1, { { EIO_PING, 0, "probe" } } },
	{ B("6"), 1, { { EIO_NOOP, 0, "" } } },
	{ B("0{}"), 1, { { EIO_OPEN, 0, "{}" } } },
	{ B("5"), 1, { { EIO_UPGRADE, 0, "" } } },
	{ B("b"), 1, { { EIO_MESSAGE, 1, "" } } },
	{ B("3" RS "40" RS "42[\"x\"]" RS "41"), 4,
	    { { EIO_PONG, 0, "" }, { EIO_MESSAGE, 0, "0" },
	      { EIO_MESSAGE, 0, "2[\"x\"]" }, { EIO_MESSAGE, 0, "1" } } },
	{ B("452-[\"m\",{\"_placeholder\":true,\"num\":0},"
	    "{\"_placeholder\":true,\"num\":1}]" RS "bAQID" RS "bBAUG"), 3,
	    { { EIO_MESSAGE, 0, "52-[\"m\",{\"_placeholder\":true,\"num\":0},"
	      "{\"_placeholder\":true,\"num\":1}]" },
	      { EIO_MESSAGE, 1, "AQID" }, { EIO_MESSAGE, 1, "BAUG" } } },
	{ B("4\xe2\x82\xac"), 1, { { EIO_MESSAGE, 0, "\xe2\x82\xac" } } },
	{ B("4\xf0\x9f\x98\x80"), 1,
	    { { EIO_MESSAGE, 0, "\xf0\x9f\x98\x80" } } },
	{ B("4\xef\xbf\xbf"), 1, { { EIO_MESSAGE, 0, "\xef\xbf\xbf" } } },
	{ B("4\xf4\x8f\xbf\xbf"), 1,	/* U+10FFFF, the last one */
	    { { EIO_MESSAGE, 0, "\xf4\x8f\xbf\xbf" } } },
	{ B("4\xed\x9f\xbf"), 1,		/* U+D7FF, below surrogates */
	    { { EIO_MESSAGE, 0, "\xed\x9f\xbf" } } },
	{ B("4\xc2\x80"), 1, { { EIO_MESSAGE, 0, "\xc2\x80" } } },
};

START_TEST(test_decode_good)
{
	struct eio_packet	 pk[8];
	size_t			 n = 99, k;

	ck_assert_err(eio_payload_decode(span_bytes(good_payloads[_i].in),
	    pk, 8, &n), ERR_OK);
	ck_assert_uint_eq(n, good_payloads[_i].n);
	for (k = 0; k < n; k++) {
		ck_assert_int_eq(pk[k].type, good_payloads[_i].pk[k].type);
		ck_assert_int_eq(pk[k].binary,
		    good_payloads[_i].pk[k].binary);
		ck_assert_span_eq(pk[k].data, good_payloads[_i].pk[k].data);
	}
}
END_TEST

/* Packets borrow from the input: data points inside it. */
START_TEST(test_decode_borrows)
{
	static const char	 in[] = "4ab" RS "2";
	struct eio_packet	 pk[2];
	size_t			 n;

	ck_assert_err(eio_payload_decode(SPAN_LIT(in), pk, 2, &n), ERR_OK);
	ck_assert_ptr_eq(pk[0].data.p, in + 1);
	ck_assert_ptr_eq(pk[1].data.p, in + 5);
}
END_TEST

/* A NUL byte is refused: no text packet carries one (JSON escapes it), and
 * the server keeps packets as C strings, which it would cut short. */
START_TEST(test_decode_nul)
{
	struct eio_packet	 pk[2];
	size_t			 n = 7;

	ck_assert_err(eio_payload_decode((struct span){ "4a\0b", 4 }, pk, 1,
	    &n), ERR_PROTO);
	ck_assert_uint_eq(n, 0);
	ck_assert_err(eio_payload_decode((struct span){ "40/a\0b,{}", 10 }, pk,
	    1, &n), ERR_PROTO);
	ck_assert_err(eio_payload_decode((struct span){ "4ok\x1e\0", 5 }, pk,
	    2, &n), ERR_PROTO);
}
END_TEST

static const struct bytes bad_payloads[] = {
	B(""),				/* empty body */
	B(RS),				/* two empty packets */
	B("4hello" RS RS "2"),		/* empty packet */
	B("4hello" RS),			/* trailing separator */
	B(RS "4hello"),			/* leading separator */
	B("9"),				/* unknown type digit */
	B("7"),
	B("x"),
	B("B"),
	B("/"),				/* '0' - 1 */
	B(":"),				/* '9' + 1 */
	B("4ok" RS "9"),
	B("4ok" RS "x1"),
	B("bAQI"),			/* truncated base64 (3 bytes short) */
	B("bAQ"),
	B("bA"),
	B("bAQIDBA="),			/* length not a multiple of 4 */
	B("bAQIDBA"),
	B("b!!!!"),			/* invalid characters */
	B("bAQ-_"),			/* base64url is not the wire form */
	B("bAQID BA=="),
	B("bAQIDBA==\n"),
	B("bA==="),			/* three pads */
	B("b===="),
	B("b=AAA"),			/* pad first */
	B("bAQ=D"),			/* pad in the middle */
	B("bAQ==AQID"),			/* pad before the end */
	B("bAR=="),			/* non-canonical: dropped bits set */
	B("bAQJ="),
	B("4ok" RS "bAQI"),
	B("4\xc0\xaf"),			/* overlong '/' */
	B("4\xc1\xbf"),
	B("4\xe0\x80\xaf"),		/* overlong, 3 bytes */
	B("4\xf0\x80\x80\xaf"),		/* overlong, 4 bytes */
	B("4\x80"),			/* lone continuation */
	B("4a\xbf"),
	B("4\xed\xa0\x80"),		/* surrogate U+D800 */
	B("4\xed\xbf\xbf"),		/* surrogate U+DFFF */
	B("4\xf4\x90\x80\x80"),		/* U+110000 */
	B("4\xf5\x80\x80\x80"),
	B("4\xff"),
	B("4\xfe"),
	B("4\xc3"),			/* truncated at the end */
	B("4\xe2\x82"),
	B("4\xe2\x82" RS "4"),		/* truncated before a separator */
	B("4\xe2" "a" "\xac"),
	B("\xc3\xa9"),			/* UTF-8 type character */
};

START_TEST(test_decode_malformed)
{
	struct eio_packet	 pk[4];
	size_t			 n = 99;

	ck_assert_err(eio_payload_decode(span_bytes(bad_payloads[_i]), pk,
	    4, &n), ERR_PROTO);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ----------------------------------------------------------- base64 */

static const struct {
	const char	*b64;
	struct bytes	 raw;
} good_b64[] = {
	{ "", B("") },
	{ "AQ==", B("\x01") },
	{ "AQI=", B("\x01\x02") },
	{ "AQID", B("\x01\x02\x03") },
	{ "AQIDBA==", B("\x01\x02\x03\x04") },
	{ "/+8=", B("\xff\xef") },
	{ "AAAA", B("\0\0\0") },
	{ "aGVsbG8=", B("hello") },
};

START_TEST(test_base64_good)
{
	struct buf	 b;

	buf_init(&b, 64);
	ck_assert_err(buf_puts(&b, ">"), ERR_OK);
	ck_assert_err(eio_base64_decode(span_of(good_b64[_i].b64), &b),
	    ERR_OK);
	ck_assert_uint_eq(b.len, 1 + good_b64[_i].raw.len);
	ck_assert_int_eq(memcmp(b.data + 1, good_b64[_i].raw.p,
	    good_b64[_i].raw.len), 0);
	buf_free(&b);
}
END_TEST

static const char *const bad_b64[] = {
	"AQI", "A", "AQ=", "AQ=I", "A===", "====", "AR==", "AQJ=",
	"AQ\n=", "-_8=", "AQ==AQ==", "AQI*", " AQI",
};

START_TEST(test_base64_malformed)
{
	struct buf	 b;

	buf_init(&b, 64);
	ck_assert_err(buf_puts(&b, "keep"), ERR_OK);
	ck_assert_err(eio_base64_decode(span_of(bad_b64[_i]), &b), ERR_PROTO);
	ck_assert_span_eq(buf_span(&b), "keep");
	buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------- encode */

static const struct {
	struct bytes	 raw;
	const char	*want;
} bin_encodes[] = {
	{ B(""), "b" },
	{ B("\x01"), "bAQ==" },
	{ B("\x01\x02"), "bAQI=" },
	{ B("\x01\x02\x03"), "bAQID" },
	{ B("\x01\x02\x03\x04"), "bAQIDBA==" },
	{ B("\xff\xef"), "b/+8=" },
	{ B("hello"), "baGVsbG8=" },
};

START_TEST(test_encode_binary)
{
	struct buf	 b;

	buf_init(&b, 64);
	ck_assert_err(eio_payload_append_binary(&b, bin_encodes[_i].raw.p,
	    bin_encodes[_i].raw.len), ERR_OK);
	ck_assert_span_eq(buf_span(&b), bin_encodes[_i].want);
	buf_free(&b);
}
END_TEST

START_TEST(test_encode_payload)
{
	struct buf	 b;

	buf_init(&b, 256);
	ck_assert_err(eio_payload_append(&b, EIO_MESSAGE, SPAN_LIT("hello")),
	    ERR_OK);
	ck_assert_span_eq(buf_span(&b), "4hello");
	ck_assert_err(eio_payload_append_binary(&b, "\x01\x02\x03\x04", 4),
	    ERR_OK);
	ck_assert_span_eq(buf_span(&b), "4hello" RS "bAQIDBA==");
	ck_assert_err(eio_payload_append(&b, EIO_PING, SPAN_LIT("")), ERR_OK);
	ck_assert_err(eio_payload_append(&b, EIO_NOOP, SPAN_LIT("")), ERR_OK);
	ck_assert_err(eio_payload_append(&b, EIO_CLOSE, SPAN_LIT("")), ERR_OK);
	ck_assert_span_eq(buf_span(&b),
	    "4hello" RS "bAQIDBA==" RS "2" RS "6" RS "1");
	buf_free(&b);
}
END_TEST

/* Every byte value survives encode -> decode -> base64 decode. */
START_TEST(test_round_trip)
{
	unsigned char		 raw[256];
	struct buf		 b, bin;
	struct eio_packet	 pk[3];
	size_t			 n, i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)i;
	buf_init(&b, 4096);
	buf_init(&bin, 4096);
	ck_assert_err(eio_payload_append(&b, EIO_MESSAGE,
	    SPAN_LIT("2[\"x\"]")), ERR_OK);
	ck_assert_err(eio_payload_append_binary(&b, raw, sizeof(raw)),
	    ERR_OK);
	ck_assert_err(eio_payload_append_binary(&b, raw + 1, 1), ERR_OK);
	ck_assert_err(eio_payload_decode(buf_span(&b), pk, 3, &n), ERR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_span_eq(pk[0].data, "2[\"x\"]");
	ck_assert_int_eq(pk[1].binary, 1);
	ck_assert_err(eio_base64_decode(pk[1].data, &bin), ERR_OK);
	ck_assert_uint_eq(bin.len, sizeof(raw));
	ck_assert_int_eq(memcmp(bin.data, raw, sizeof(raw)), 0);
	ck_assert_span_eq(pk[2].data, "AQ==");
	buf_free(&b);
	buf_free(&bin);
}
END_TEST

START_TEST(test_open)
{
	struct buf	 b;

	buf_init(&b, 512);
	ck_assert_err(eio_open_encode(&b, "lv_VI97HAXpY6yYWAAAC", "[]", 25000,
	    20000, 1000000), ERR_OK);
	ck_assert_span_eq(buf_span(&b), "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\","
	    "\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
	    "\"maxPayload\":1000000}");
	buf_reset(&b);
	ck_assert_err(eio_open_encode(&b, "AAAAAAAAAAAAAAAAAAA-",
	    "[\"websocket\"]", 300, 200, 1000000), ERR_OK);
	ck_assert_span_eq(buf_span(&b), "0{\"sid\":\"AAAAAAAAAAAAAAAAAAA-\","
	    "\"upgrades\":[\"websocket\"],\"pingInterval\":300,"
	    "\"pingTimeout\":200,\"maxPayload\":1000000}");
	buf_free(&b);
}
END_TEST

/* ----------------------------------------------------------- errors */

static const struct {
	enum eio_error	 e;
	int		 status;
	const char	*message;
	const char	*body;
} errors[] = {
	{ EIO_ERR_TRANSPORT_UNKNOWN, 400, "Transport unknown",
	    "{\"code\":0,\"message\":\"Transport unknown\"}" },
	{ EIO_ERR_SID_UNKNOWN, 400, "Session ID unknown",
	    "{\"code\":1,\"message\":\"Session ID unknown\"}" },
	{ EIO_ERR_BAD_HANDSHAKE_METHOD, 400, "Bad handshake method",
	    "{\"code\":2,\"message\":\"Bad handshake method\"}" },
	{ EIO_ERR_BAD_REQUEST, 400, "Bad request",
	    "{\"code\":3,\"message\":\"Bad request\"}" },
	{ EIO_ERR_FORBIDDEN, 403, "Forbidden",
	    "{\"code\":4,\"message\":\"Forbidden\"}" },
	{ EIO_ERR_UNSUPPORTED_PROTOCOL, 400, "Unsupported protocol version",
	    "{\"code\":5,\"message\":\"Unsupported protocol version\"}" },
	{ EIO_ERR__MAX, 400, "Bad request",	/* out of range */
	    "{\"code\":3,\"message\":\"Bad request\"}" },
};

START_TEST(test_errors)
{
	struct buf	 b;

	buf_init(&b, 256);
	ck_assert_int_eq(eio_error_status(errors[_i].e), errors[_i].status);
	ck_assert_str_eq(eio_error_message(errors[_i].e), errors[_i].message);
	ck_assert_err(eio_error_encode(&b, errors[_i].e, NULL), ERR_OK);
	ck_assert_span_eq(buf_span(&b), errors[_i].body);
	buf_free(&b);
}
END_TEST

START_TEST(test_error_custom)
{
	struct buf	 b;

	buf_init(&b, 256);
	ck_assert_err(eio_error_encode(&b, EIO_ERR_FORBIDDEN,
	    "no \"way\"\\\n\x1e" "\xc3\xa9"), ERR_OK);
	ck_assert_span_eq(buf_span(&b), "{\"code\":4,\"message\":"
	    "\"no \\\"way\\\"\\\\\\u000a\\u001e\xc3\xa9\"}");
	buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------- routing */

#define NONE	EIO_ERR__MAX	/* *errp left alone */

static const struct {
	enum eio_method	 method;
	const char	*eio;
	const char	*transport;
	const char	*sid;
	enum eio_route	 route;
	enum eio_error	 err;
} routes[] = {
	{ EIO_OPTIONS, NULL, NULL, NULL, EIO_ROUTE_PREFLIGHT, NONE },
	{ EIO_OPTIONS, "3", "websocket", "x", EIO_ROUTE_PREFLIGHT, NONE },
	{ EIO_GET, "4", "polling", NULL, EIO_ROUTE_HANDSHAKE, NONE },
	{ EIO_GET, "4", NULL, NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_TRANSPORT_UNKNOWN },
	{ EIO_GET, "4", "websocket", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_TRANSPORT_UNKNOWN },
	{ EIO_GET, "4", "webtransport", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_TRANSPORT_UNKNOWN },
	{ EIO_GET, "4", "Polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_TRANSPORT_UNKNOWN },
	{ EIO_GET, "4", "", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_TRANSPORT_UNKNOWN },
	{ EIO_POST, "3", "websocket", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_TRANSPORT_UNKNOWN },	/* transport first */
	{ EIO_POST, "4", "websocket", "x", EIO_ROUTE_ERROR,
	    EIO_ERR_TRANSPORT_UNKNOWN },
	{ EIO_POST, "4", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_BAD_HANDSHAKE_METHOD },
	{ EIO_OTHER, "4", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_BAD_HANDSHAKE_METHOD },
	{ EIO_POST, "3", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_BAD_HANDSHAKE_METHOD },	/* method before EIO */
	{ EIO_GET, "3", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_UNSUPPORTED_PROTOCOL },
	{ EIO_GET, NULL, "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_UNSUPPORTED_PROTOCOL },
	{ EIO_GET, "", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_UNSUPPORTED_PROTOCOL },
	{ EIO_GET, "04", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_UNSUPPORTED_PROTOCOL },
	{ EIO_GET, "4.0", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_UNSUPPORTED_PROTOCOL },
	{ EIO_GET, "5", "polling", NULL, EIO_ROUTE_ERROR,
	    EIO_ERR_UNSUPPORTED_PROTOCOL },
	{ EIO_GET, "4", "polling", "lv_VI97HAXpY6yYWAAAC", EIO_ROUTE_POLL,
	    NONE },
	{ EIO_POST, "4", "polling", "lv_VI97HAXpY6yYWAAAC", EIO_ROUTE_SEND,
	    NONE },
	{ EIO_OTHER, "4", "polling", "lv_VI97HAXpY6yYWAAAC",
	    EIO_ROUTE_BAD_METHOD, NONE },
	{ EIO_GET, "4", "polling", "", EIO_ROUTE_POLL, NONE },
	{ EIO_GET, NULL, "polling", "lv_VI97HAXpY6yYWAAAC", EIO_ROUTE_ERROR,
	    EIO_ERR_BAD_REQUEST },	/* the session's version is 4 */
	{ EIO_POST, "3", "polling", "lv_VI97HAXpY6yYWAAAC", EIO_ROUTE_ERROR,
	    EIO_ERR_BAD_REQUEST },
};

START_TEST(test_route)
{
	struct eio_request	 rq;
	enum eio_error		 e = NONE;

	rq.method = routes[_i].method;
	rq.eio = routes[_i].eio;
	rq.transport = routes[_i].transport;
	rq.sid = routes[_i].sid;
	ck_assert_int_eq(eio_route(&rq, &e), routes[_i].route);
	ck_assert_int_eq(e, routes[_i].err);
}
END_TEST

static const struct {
	const char	*sid;
	int		 valid;
} sids[] = {
	{ "lv_VI97HAXpY6yYWAAAC", 1 },
	{ "abcdefghijABCDEFGH09", 1 },
	{ "--------------------", 1 },
	{ "____________________", 1 },
	{ "lv_VI97HAXpY6yYWAAA", 0 },		/* 19 */
	{ "lv_VI97HAXpY6yYWAAACx", 0 },		/* 21 */
	{ "lv_VI97HAXpY6yYWAA+C", 0 },
	{ "lv_VI97HAXpY6yYWAA/C", 0 },
	{ "lv_VI97HAXpY6yYWAAA=", 0 },
	{ "lv_VI97HAXpY6yYWAA C", 0 },
	{ "lv_VI97HAXpY6yYWAA\xc3\xa9", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

START_TEST(test_sid_valid)
{
	ck_assert_int_eq(eio_sid_valid(sids[_i].sid), sids[_i].valid);
}
END_TEST

/* ----------------------------------------------------------- limits */

/* `n` packets "6" joined by RS, decoded with room for `max`. */
static const struct {
	size_t		 n;
	size_t		 max;
	enum err	 want;
} counts[] = {
	{ 1, 1, ERR_OK },
	{ 3, 3, ERR_OK },
	{ 4, 3, ERR_LIMIT },
	{ 1, 0, ERR_LIMIT },
	{ EIO_MAX_PACKETS, EIO_MAX_PACKETS, ERR_OK },
	{ EIO_MAX_PACKETS + 1, EIO_MAX_PACKETS, ERR_LIMIT },
};

START_TEST(test_packet_count)
{
	struct eio_packet	*pk;
	struct buf		 b;
	size_t			 i, n = 99;

	buf_init(&b, 2 * counts[_i].n);
	for (i = 0; i < counts[_i].n; i++)
		ck_assert_err(eio_payload_append(&b, EIO_NOOP, SPAN_LIT("")),
		    ERR_OK);
	pk = calloc(counts[_i].max + 1, sizeof(*pk));
	ck_assert_ptr_nonnull(pk);
	ck_assert_err(eio_payload_decode(buf_span(&b), pk, counts[_i].max,
	    &n), counts[_i].want);
	ck_assert_uint_eq(n, counts[_i].want == ERR_OK ? counts[_i].n : 0);
	free(pk);
	buf_free(&b);
}
END_TEST

START_TEST(test_append_cap)
{
	struct buf	 b;

	buf_init(&b, 8);
	ck_assert_err(eio_payload_append(&b, EIO_MESSAGE, SPAN_LIT("hello")),
	    ERR_OK);
	/* Would need 3 more bytes: RS, '4', 'x'; nothing may be left. */
	ck_assert_err(eio_payload_append(&b, EIO_MESSAGE, SPAN_LIT("xyz")),
	    ERR_LIMIT);
	ck_assert_span_eq(buf_span(&b), "4hello");
	ck_assert_err(eio_payload_append_binary(&b, "\x01\x02", 2),
	    ERR_LIMIT);
	ck_assert_span_eq(buf_span(&b), "4hello");
	ck_assert_err(eio_payload_append(&b, EIO_PING, SPAN_LIT("")), ERR_OK);
	ck_assert_span_eq(buf_span(&b), "4hello" RS "2");
	buf_free(&b);
}
END_TEST

START_TEST(test_base64_cap)
{
	struct buf	 b;

	buf_init(&b, 3);
	ck_assert_err(buf_putc(&b, '>'), ERR_OK);
	ck_assert_err(eio_base64_decode(SPAN_LIT("AQID"), &b), ERR_LIMIT);
	ck_assert_span_eq(buf_span(&b), ">");
	ck_assert_err(eio_base64_decode(SPAN_LIT("AQI="), &b), ERR_OK);
	ck_assert_uint_eq(b.len, 3);
	buf_free(&b);
}
END_TEST

START_TEST(test_error_cap)
{
	struct buf	 b;

	buf_init(&b, 20);
	ck_assert_err(eio_error_encode(&b, EIO_ERR_SID_UNKNOWN, NULL),
	    ERR_LIMIT);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_err(eio_open_encode(&b, "lv_VI97HAXpY6yYWAAAC", "[]", 1, 1,
	    1), ERR_LIMIT);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

/* Empty spans may have a NULL pointer (span_of(NULL)). */
START_TEST(test_null_spans)
{
	struct eio_packet	 pk[1];
	struct buf		 b;
	size_t			 n;

	buf_init(&b, 16);
	ck_assert_err(eio_payload_decode(span_of(NULL), pk, 1, &n),
	    ERR_PROTO);
	ck_assert_err(eio_base64_decode(span_of(NULL), &b), ERR_OK);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_err(eio_payload_append(&b, EIO_NOOP, span_of(NULL)),
	    ERR_OK);
	ck_assert_span_eq(buf_span(&b), "6");
	buf_free(&b);
}
END_TEST

static Suite *
eio_suite(void)
{
	Suite	*s = suite_create("eio");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_table(tc, test_decode_good, good_payloads);
	tcase_add_test(tc, test_decode_borrows);
	tcase_add_test(tc, test_decode_nul);
	tcase_add_table(tc, test_base64_good, good_b64);
	tcase_add_table(tc, test_encode_binary, bin_encodes);
	tcase_add_test(tc, test_encode_payload);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_open);
	tcase_add_table(tc, test_errors, errors);
	tcase_add_test(tc, test_error_custom);
	tcase_add_table(tc, test_route, routes);
	tcase_add_table(tc, test_sid_valid, sids);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_table(tc, test_packet_count, counts);
	tcase_add_test(tc, test_append_cap);
	tcase_add_test(tc, test_base64_cap);
	tcase_add_test(tc, test_error_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_table(tc, test_decode_malformed, bad_payloads);
	tcase_add_table(tc, test_base64_malformed, bad_b64);
	tcase_add_test(tc, test_null_spans);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(eio_suite());
}

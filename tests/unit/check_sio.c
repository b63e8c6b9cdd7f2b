/*
 * check_sio.c -- unit tests of sio.c (protocol.md §8).
 *
 * Tables hold packets as they appear on the wire, inside an Engine.IO
 * message, so they read like protocol.md: "42[\"x\"]" is decoded as the
 * Socket.IO packet "2[\"x\"]".
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bounds.h"
#include "buf.h"
#include "check_util.h"
#include "sio.h"

#define PH(n)	"{\"_placeholder\":true,\"num\":" #n "}"

/* The Socket.IO packet inside the Engine.IO message `wire`. */
static struct span
sio_of_wire(const char *wire, size_t len)
{
	ck_assert_msg(len >= 1 && wire[0] == '4', "not a message: %s", wire);
	return (struct span){ wire + 1, len - 1 };
}

/* Compact JSON of v, or NULL when v is NULL; owned by the caller. */
static char *
json_text(struct json_object *v)
{
	struct buf	 b;

	if (v == NULL)
		return NULL;
	buf_init(&b, 1 << 20);
	ck_assert_err(sio_json_append(&b, v), ERR_OK);
	return buf_steal(&b);
}

/* ------------------------------------------------------- good input */

static const struct {
	const char	*wire;
	enum sio_type	 type;
	unsigned	 attachments;
	const char	*nsp;
	int64_t		 ack_id;
	const char	*data;		/* compact JSON; NULL: absent */
	const char	*name;		/* sio_event_name */
	const char	*reencoded;	/* SIO packet from sio_packet_encode */
} good[] = {
	{ "40", SIO_CONNECT, 0, "/", -1, NULL, NULL, "0" },
	{ "40{\"token\":\"x\"}", SIO_CONNECT, 0, "/", -1, "{\"token\":\"x\"}",
	    NULL, "0{\"token\":\"x\"}" },
	{ "40/admin,{\"token\":\"x\"}", SIO_CONNECT, 0, "/admin", -1,
	    "{\"token\":\"x\"}", NULL, "0/admin,{\"token\":\"x\"}" },
	{ "40/admin", SIO_CONNECT, 0, "/admin", -1, NULL, NULL, "0/admin," },
	{ "40/admin,", SIO_CONNECT, 0, "/admin", -1, NULL, NULL,
	    "0/admin," },
	{ "40/,{}", SIO_CONNECT, 0, "/", -1, "{}", NULL, "0{}" },
	{ "40 {\"a\":[1, 2]} ", SIO_CONNECT, 0, "/", -1, "{\"a\":[1,2]}",
	    NULL, "0{\"a\":[1,2]}" },
	{ "41", SIO_DISCONNECT, 0, "/", -1, NULL, NULL, "1" },
	{ "41/admin,", SIO_DISCONNECT, 0, "/admin", -1, NULL, NULL,
	    "1/admin," },
	{ "42[\"x\"]", SIO_EVENT, 0, "/", -1, "[\"x\"]", "x", "2[\"x\"]" },
	{ "4212[\"x\",1]", SIO_EVENT, 0, "/", 12, "[\"x\",1]", "x",
	    "212[\"x\",1]" },
	{ "42/admin,3[\"x\"]", SIO_EVENT, 0, "/admin", 3, "[\"x\"]", "x",
	    "2/admin,3[\"x\"]" },
	{ "420[\"x\"]", SIO_EVENT, 0, "/", 0, "[\"x\"]", "x", "20[\"x\"]" },
	/* a NUL in a value is the value's business (valid.h); an escaped
	 * backslash before u0000 in a key is no NUL */
	{ "42[\"x\",{\"k\\\\u0000\":\"a\\u0000b\"}]", SIO_EVENT, 0, "/", -1,
	    "[\"x\",{\"k\\\\u0000\":\"a\\u0000b\"}]", "x",
	    "2[\"x\",{\"k\\\\u0000\":\"a\\u0000b\"}]" },
	{ "42999999999999[\"x\"]", SIO_EVENT, 0, "/", SIO_MAX_ACK_ID,
	    "[\"x\"]", "x", "2999999999999[\"x\"]" },
	{ "42[7,\"x\"]", SIO_EVENT, 0, "/", -1, "[7,\"x\"]", NULL,
	    "2[7,\"x\"]" },
	{ "42[1.5,\"x\"]", SIO_EVENT, 0, "/", -1, "[1.5,\"x\"]", NULL,
	    "2[1.5,\"x\"]" },
	{ "42[\"connected\",true,false,null,-1]", SIO_EVENT, 0, "/", -1,
	    "[\"connected\",true,false,null,-1]", "connected",
	    "2[\"connected\",true,false,null,-1]" },
	{ "42[\"a/b\",\"\\u001e\",\"\xc3\xa9\"]", SIO_EVENT, 0, "/", -1,
	    "[\"a/b\",\"\\u001e\",\"\xc3\xa9\"]", "a/b",
	    "2[\"a/b\",\"\\u001e\",\"\xc3\xa9\"]" },
	{ "42[\"x\"," PH(0) "]", SIO_EVENT, 0, "/", -1,	/* not binary */
	    "[\"x\"," PH(0) "]", "x", "2[\"x\"," PH(0) "]" },
	{ "435[]", SIO_ACK, 0, "/", 5, "[]", NULL, "35[]" },
	{ "43/admin,0[\"a\",{\"b\":null}]", SIO_ACK, 0, "/admin", 0,
	    "[\"a\",{\"b\":null}]", NULL, "3/admin,0[\"a\",{\"b\":null}]" },
	{ "44{\"message\":\"x\"}", SIO_CONNECT_ERROR, 0, "/", -1,
	    "{\"message\":\"x\"}", NULL, "4{\"message\":\"x\"}" },
	{ "44/random,{\"message\":\"Invalid namespace\"}", SIO_CONNECT_ERROR,
	    0, "/random", -1, "{\"message\":\"Invalid namespace\"}", NULL,
	    "4/random,{\"message\":\"Invalid namespace\"}" },
	{ "44\"Not authorized\"", SIO_CONNECT_ERROR, 0, "/", -1,
	    "\"Not authorized\"", NULL, "4\"Not authorized\"" },
	{ "452-[\"message\"," PH(0) "," PH(1) "]", SIO_BINARY_EVENT, 2, "/",
	    -1, "[\"message\"," PH(0) "," PH(1) "]", "message",
	    "52-[\"message\"," PH(0) "," PH(1) "]" },
	{ "452-[\"m\"," PH(1) "," PH(0) "]", SIO_BINARY_EVENT, 2, "/",
	    -1, "[\"m\"," PH(1) "," PH(0) "]", "m",
	    "52-[\"m\"," PH(1) "," PH(0) "]" },
	{ "451-/admin,7[\"up\",{\"f\":[" PH(0) "]}]", SIO_BINARY_EVENT, 1,
	    "/admin", 7, "[\"up\",{\"f\":[" PH(0) "]}]", "up",
	    "51-/admin,7[\"up\",{\"f\":[" PH(0) "]}]" },
	{ "462-789[" PH(0) "," PH(1) "]", SIO_BINARY_ACK, 2, "/", 789,
	    "[" PH(0) "," PH(1) "]", NULL, "62-789[" PH(0) "," PH(1) "]" },
	{ "4610-[" PH(0) "," PH(1) "," PH(2) "," PH(3) "," PH(4) "," PH(5)
	    "," PH(6) "," PH(7) "," PH(8) "," PH(9) "]", SIO_BINARY_ACK, 10,
	    "/", -1, "[" PH(0) "," PH(1) "," PH(2) "," PH(3) "," PH(4) ","
	    PH(5) "," PH(6) "," PH(7) "," PH(8) "," PH(9) "]", NULL,
	    "610-[" PH(0) "," PH(1) "," PH(2) "," PH(3) "," PH(4) "," PH(5)
	    "," PH(6) "," PH(7) "," PH(8) "," PH(9) "]" },
};

START_TEST(test_decode_good)
{
	struct sio_packet	 p;
	struct buf		 b;
	char			*text;
	const char		*name;

	ck_assert_err(sio_packet_decode(sio_of_wire(good[_i].wire,
	    strlen(good[_i].wire)), &p), ERR_OK);
	ck_assert_int_eq(p.type, good[_i].type);
	ck_assert_uint_eq(p.attachments, good[_i].attachments);
	ck_assert_span_eq(p.nsp, good[_i].nsp);
	ck_assert_int_eq(p.ack_id, good[_i].ack_id);
	text = json_text(p.data);
	if (good[_i].data == NULL)
		ck_assert_ptr_null(p.data);
	else
		ck_assert_str_eq(text, good[_i].data);
	free(text);
	name = sio_event_name(&p);
	if (good[_i].name == NULL)
		ck_assert_ptr_null(name);
	else
		ck_assert_str_eq(name, good[_i].name);

	buf_init(&b, 4096);
	ck_assert_err(sio_packet_encode(&b, p.type, p.nsp, p.ack_id, p.data),
	    ERR_OK);
	ck_assert_span_eq(buf_span(&b), good[_i].reencoded);
	buf_free(&b);
	sio_packet_reset(&p);
	ck_assert_ptr_null(p.data);
	sio_packet_reset(&p);	/* twice is harmless */
}
END_TEST

/* The namespace borrows from the input. */
START_TEST(test_decode_borrows)
{
	static const char	 in[] = "2/chat,[\"x\"]";
	struct sio_packet	 p;

	ck_assert_err(sio_packet_decode(SPAN_LIT(in), &p), ERR_OK);
	ck_assert_ptr_eq(p.nsp.p, in + 1);
	ck_assert_uint_eq(p.nsp.len, 5);
	sio_packet_reset(&p);
}
END_TEST

/* --------------------------------------------------------- malformed */

struct wire {
	const char	*p;
	size_t		 len;
};
#define W(s)	{ (s), sizeof(s) - 1 }

static const struct wire bad[] = {
	W("4"),					/* empty */
	W("47"), W("48"), W("49"), W("4x"), W("4/"), W("4-"), W("4 0"),
	W("4abc"), W("4\xc3\xa9"),
	/* EVENT payload shape */
	W("42"), W("425"), W("42{}"), W("42abc[\"x\"]"), W("42[]"),
	W("42[{}]"), W("42[[]]"), W("42[null]"), W("42[true]"),
	W("42null"), W("42\"x\""), W("427"), W("42[\"a\\u0000b\"]"),
	W("42[\"connect\\u0000\"]"),
	/* reserved event names */
	W("42[\"connect\"]"), W("42[\"connect_error\"]"),
	W("42[\"disconnect\"]"), W("42[\"disconnecting\"]"),
	W("42[\"newListener\"]"), W("42[\"removeListener\"]"),
	W("42/admin,1[\"connect\",1]"),
	W("451-[\"disconnect\"," PH(0) "]"),
	/* DISCONNECT carries nothing */
	W("41{}"), W("41[]"), W("41\"x\""), W("41null"), W("41/admin,{}"),
	/* CONNECT: object or absent */
	W("40[]"), W("40\"x\""), W("40null"), W("40[\"x\"]"),
	/* ACK: array */
	W("43"), W("435"), W("435{}"), W("435\"x\""), W("43null"),
	/* CONNECT_ERROR: object or string */
	W("44"), W("44[]"), W("441"), W("44null"), W("44true"),
	/* attachment counts */
	W("450-[\"x\"]"), W("4511-[\"x\"," PH(0) "]"), W("45[\"x\"]"),
	W("451[\"x\"," PH(0) "]"), W("45-[\"x\"]"), W("46-[]"),
	W("4599999999999999999999-[\"x\"]"), W("451"), W("451-"),
	W("45a-[\"x\"]"),
	/* attachments on a non-binary type */
	W("421-[\"x\"," PH(0) "]"), W("401-{}"), W("431-[" PH(0) "]"),
	/* placeholders */
	W("451-[\"x\"]"), W("461-[]"), W("461-5[]"),
	W("452-[\"x\"," PH(0) "]"),
	W("452-[\"x\"," PH(0) ",{\"_placeholder\":false,\"num\":1}]"),
	W("452-[\"x\"," PH(0) "," PH(0) "]"),
	W("451-[\"x\"," PH(1) "]"),
	W("451-[\"x\"," PH(-1) "]"),
	W("451-[\"x\"," PH(0) "," PH(1) "]"),
	W("451-[\"x\",{\"_placeholder\":true}]"),
	W("451-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]"),
	W("451-[\"x\",{\"_placeholder\":true,\"num\":0.0}]"),
	W("451-[\"x\",{\"_placeholder\":true,\"num\":null}]"),
	W("451-[\"x\",{\"a\":[" PH(0) "," PH(0) "]}]"),
	/* ack ids */
	W("42999999999999999999[\"x\"]"), W("421000000000000[\"x\"]"),
	W("429223372036854775808[\"x\"]"),
	/* namespaces */
	W("42admin,[\"x\"]"), W("40admin,{}"), W("40admin"),
	W("42 /admin,[\"x\"]"),
	/* invalid JSON */
	W("42[\"x\""), W("42[\"x\",]"), W("42['x']"), W("42[NaN]"),
	W("42[\"x\",Infinity]"), W("42[\"x\",-Infinity]"), W("42[1.]"),
	W("42[-01]"), W("42[\"x\",00]"), W("42[\"x\",-00.5]"),
	W("42[\"x\",-.5]"), W("42[\"x\",.5]"), W("42[+1]"),
	W("42[\"x\",1e]"), W("42[\"x\",0x1]"), W("42[\"a\x01\"]"),
	W("42[\"a\tb\"]"), W("42[\"\\x41\"]"), W("42[\"\\'\"]"),
	W("40{a:1}"), W("40{\"a\":1,}"), W("42[\"x\"]x"),
	W("42[\"x\"][\"y\"]"), W("42[\"x\"]\0"), W("42[\"x\"]//"),
	W("42/*c*/[\"x\"]"), W("42[\"x\",tru]"), W("42[\"x\",True]"),
	W("42[\"x\"\0]"), W("42[\"a\0b\"]"),
	/* invalid UTF-8 inside JSON strings */
	W("42[\"\xc0\xaf\"]"), W("42[\"\xed\xa0\x80\"]"),
	W("42[\"\xf4\x90\x80\x80\"]"), W("42[\"\x80\"]"),
	W("42[\"\xe2\x82\"]"), W("40{\"\xff\":1}"),
	/* a NUL in an object key (json-c would cut the key short) */
	W("42[\"x\",{\"game_id\\u0000x\":1}]"),
	W("42[\"x\",{\"a\":{\"\\u0000\" :1}}]"),
	W("40{\"token\\u0000\"\n:\"t\"}"),
};

START_TEST(test_decode_malformed)
{
	struct sio_packet	 p;

	memset(&p, 0xa5, sizeof(p));
	ck_assert_err(sio_packet_decode(sio_of_wire(bad[_i].p, bad[_i].len),
	    &p), ERR_PROTO);
	ck_assert_ptr_null(p.data);	/* nothing owned after failure */
}
END_TEST

/* Empty spans may have a NULL pointer (span_of(NULL)). */
START_TEST(test_null_spans)
{
	struct sio_packet	 p;
	struct json_object	*v;
	struct buf		 b;

	ck_assert_err(sio_packet_decode(span_of(NULL), &p), ERR_PROTO);
	ck_assert_err(sio_json_parse(span_of(NULL), &v), ERR_PROTO);
	ck_assert_ptr_null(v);
	buf_init(&b, 16);
	ck_assert_err(sio_packet_encode(&b, SIO_DISCONNECT, span_of(NULL), -1,
	    NULL), ERR_OK);
	ck_assert_span_eq(buf_span(&b), "1");
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------- JSON */

static const struct {
	const char	*text;
	enum err	 want;
	const char	*out;		/* compact; NULL: *out is NULL */
} jsons[] = {
	{ "null", ERR_OK, NULL },
	{ "1", ERR_OK, "1" },
	{ "-0.5e3", ERR_OK, "-0.5e3" },
	{ "true", ERR_OK, "true" },
	{ " [1] \n", ERR_OK, "[1]" },
	{ "\"a\"", ERR_OK, "\"a\"" },
	{ "{\"a\":{\"b\":[]}}", ERR_OK, "{\"a\":{\"b\":[]}}" },
	{ "", ERR_PROTO, NULL },
	{ " ", ERR_PROTO, NULL },
	{ "nul", ERR_PROTO, NULL },
	{ "01", ERR_PROTO, NULL },
	{ "1 2", ERR_PROTO, NULL },
	{ "[1] x", ERR_PROTO, NULL },
	{ "NaN", ERR_PROTO, NULL },
	{ "'a'", ERR_PROTO, NULL },
};

START_TEST(test_json_parse)
{
	struct json_object	*v = (struct json_object *)&v;
	char			*text;

	ck_assert_err(sio_json_parse(span_of(jsons[_i].text), &v),
	    jsons[_i].want);
	text = json_text(v);
	if (jsons[_i].out == NULL)
		ck_assert_ptr_null(v);
	else
		ck_assert_str_eq(text, jsons[_i].out);
	free(text);
	json_object_put(v);
}
END_TEST

/* ----------------------------------------------------------- encode */

static const struct {
	enum sio_type	 type;
	const char	*nsp;
	int64_t		 ack_id;
	const char	*data;		/* JSON text; NULL: none */
	const char	*want;
} encodes[] = {
	{ SIO_CONNECT, "/", -1, "{\"sid\":\"abc\"}", "0{\"sid\":\"abc\"}" },
	{ SIO_CONNECT, "", -1, "{\"sid\":\"abc\"}", "0{\"sid\":\"abc\"}" },
	{ SIO_CONNECT, "/admin", -1, "{\"sid\":\"x\",\"pid\":\"y\"}",
	    "0/admin,{\"sid\":\"x\",\"pid\":\"y\"}" },
	{ SIO_DISCONNECT, "/", -1, NULL, "1" },
	{ SIO_DISCONNECT, "/admin", -1, NULL, "1/admin," },
	{ SIO_EVENT, "/", -1, "[\"tick\",1,\"Q89oTY3\"]",
	    "2[\"tick\",1,\"Q89oTY3\"]" },
	{ SIO_EVENT, "/", 12, "[\"x\",1]", "212[\"x\",1]" },
	{ SIO_EVENT, "/", 0, "[\"x\"]", "20[\"x\"]" },
	{ SIO_EVENT, "/", -1, "[\"</a>\"]", "2[\"</a>\"]" },
	{ SIO_ACK, "/admin", 3, "[]", "3/admin,3[]" },
	{ SIO_CONNECT_ERROR, "/", -1,
	    "{\"message\":\"Not authorized\",\"data\":{\"a\":1}}",
	    "4{\"message\":\"Not authorized\",\"data\":{\"a\":1}}" },
	{ SIO_CONNECT_ERROR, "/random", -1,
	    "{\"message\":\"Invalid namespace\"}",
	    "4/random,{\"message\":\"Invalid namespace\"}" },
	{ SIO_BINARY_EVENT, "/", -1, "[\"message\"," PH(0) "," PH(1) "]",
	    "52-[\"message\"," PH(0) "," PH(1) "]" },
	{ SIO_BINARY_ACK, "/", 789, "[" PH(0) "]",
	    "61-789[" PH(0) "]" },
	{ SIO_BINARY_EVENT, "/x", 1, "[\"m\",{\"a\":[" PH(0) "]}]",
	    "51-/x,1[\"m\",{\"a\":[" PH(0) "]}]" },
};

START_TEST(test_encode)
{
	struct json_object	*v = NULL;
	struct buf		 b;

	if (encodes[_i].data != NULL) {
		ck_assert_err(sio_json_parse(span_of(encodes[_i].data), &v),
		    ERR_OK);
		ck_assert_ptr_nonnull(v);
	}
	buf_init(&b, 4096);
	ck_assert_err(buf_puts(&b, "4"), ERR_OK);
	ck_assert_err(sio_packet_encode(&b, encodes[_i].type,
	    span_of(encodes[_i].nsp), encodes[_i].ack_id, v), ERR_OK);
	ck_assert_str_eq(b.data + 1, encodes[_i].want);
	buf_free(&b);
	json_object_put(v);
}
END_TEST

static const struct {
	enum sio_type	 type;
	const char	*nsp;
	const char	*data;
} bad_encodes[] = {
	{ SIO_BINARY_EVENT, "/", "[\"x\"]" },		/* no placeholder */
	{ SIO_BINARY_ACK, "/", NULL },
	{ SIO_BINARY_EVENT, "/", "[\"x\"," PH(0) "," PH(1) "," PH(2) ","
	    PH(3) "," PH(4) "," PH(5) "," PH(6) "," PH(7) "," PH(8) ","
	    PH(9) "," PH(10) "]" },			/* 11 */
	{ SIO_EVENT, "admin", "[\"x\"]" },
	{ SIO_EVENT, "/a,b", "[\"x\"]" },
	{ SIO__MAX, "/", "[\"x\"]" },
};

START_TEST(test_encode_bad)
{
	struct json_object	*v = NULL;
	struct buf		 b;

	if (bad_encodes[_i].data != NULL)
		ck_assert_err(sio_json_parse(span_of(bad_encodes[_i].data),
		    &v), ERR_OK);
	buf_init(&b, 4096);
	ck_assert_err(buf_puts(&b, "keep"), ERR_OK);
	ck_assert_err(sio_packet_encode(&b, bad_encodes[_i].type,
	    span_of(bad_encodes[_i].nsp), 5, v), ERR_PROTO);
	ck_assert_span_eq(buf_span(&b), "keep");
	buf_free(&b);
	json_object_put(v);
}
END_TEST

/* §5: 0x1e must never reach the wire inside a packet; json-c must escape
 * it (and every other control character) as \u00XX. */
START_TEST(test_encode_escapes_controls)
{
	struct json_object	*a;
	struct buf		 b;
	char			 all[32];
	size_t			 i;

	a = json_object_new_array();
	ck_assert_ptr_nonnull(a);
	/* json_object_array_add steals the new string */
	ck_assert_int_eq(json_object_array_add(a,
	    json_object_new_string("a\x1e" "b")), 0);
	buf_init(&b, 4096);
	ck_assert_err(sio_packet_encode(&b, SIO_EVENT, SPAN_LIT("/"), -1, a),
	    ERR_OK);
	ck_assert_span_eq(buf_span(&b), "2[\"a\\u001eb\"]");
	json_object_put(a);

	for (i = 1; i < sizeof(all); i++)
		all[i - 1] = (char)i;
	all[sizeof(all) - 1] = '\0';
	a = json_object_new_array();
	ck_assert_int_eq(json_object_array_add(a,
	    json_object_new_string(all)), 0);
	buf_reset(&b);
	ck_assert_err(sio_json_append(&b, a), ERR_OK);
	for (i = 0; i < b.len; i++)
		ck_assert_msg((unsigned char)b.data[i] >= 0x20,
		    "raw control 0x%02x at %zu", b.data[i], i);
	ck_assert_ptr_nonnull(strstr(b.data, "\\u001e"));
	ck_assert_ptr_nonnull(strstr(b.data, "\\u001f"));
	json_object_put(a);
	buf_free(&b);
}
END_TEST

/* ----------------------------------------------------------- limits */

/* An EVENT nested `depth` arrays deep: 2["x",[[...]]]. */
static char *
nested_event(size_t depth)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 4096);
	ck_assert_err(buf_puts(&b, depth > 1 ? "2[\"x\"," : "2[\"x\""),
	    ERR_OK);
	for (i = 1; i < depth; i++)
		ck_assert_err(buf_putc(&b, '['), ERR_OK);
	for (i = 1; i < depth; i++)
		ck_assert_err(buf_putc(&b, ']'), ERR_OK);
	ck_assert_err(buf_putc(&b, ']'), ERR_OK);
	return buf_steal(&b);
}

static const struct {
	size_t		 depth;
	enum err	 want;
} depths[] = {
	{ 1, ERR_OK },
	{ SIO_JSON_DEPTH, ERR_OK },
	{ SIO_JSON_DEPTH + 1, ERR_PROTO },
	{ 1000, ERR_PROTO },
};

START_TEST(test_depth)
{
	struct sio_packet	 p;
	char			*s;

	s = nested_event(depths[_i].depth);
	ck_assert_err(sio_packet_decode(span_of(s), &p), depths[_i].want);
	sio_packet_reset(&p);
	free(s);
}
END_TEST

/* "0" + "/" + (n - 1) 'a' + ",{}": a namespace of n bytes. */
static const struct {
	size_t		 n;
	enum err	 want;
} nsps[] = {
	{ 1, ERR_OK },
	{ SIO_MAX_NSP, ERR_OK },
	{ SIO_MAX_NSP + 1, ERR_PROTO },
	{ 100000, ERR_PROTO },
};

START_TEST(test_nsp_length)
{
	struct sio_packet	 p;
	struct buf		 b;
	size_t			 i;

	buf_init(&b, 200000);
	ck_assert_err(buf_puts(&b, "0/"), ERR_OK);
	for (i = 1; i < nsps[_i].n; i++)
		ck_assert_err(buf_putc(&b, 'a'), ERR_OK);
	ck_assert_err(buf_puts(&b, ",{}"), ERR_OK);
	ck_assert_err(sio_packet_decode(buf_span(&b), &p), nsps[_i].want);
	if (nsps[_i].want == ERR_OK)
		ck_assert_uint_eq(p.nsp.len, nsps[_i].n);
	sio_packet_reset(&p);
	buf_free(&b);
}
END_TEST

/* Binary events with n attachments and n placeholders. */
static const struct {
	unsigned	 n;
	enum err	 want;
} attachments[] = {
	{ 1, ERR_OK },
	{ SIO_MAX_ATTACHMENTS, ERR_OK },
	{ SIO_MAX_ATTACHMENTS + 1, ERR_PROTO },
	{ 31, ERR_PROTO },
	{ 40, ERR_PROTO },
};

START_TEST(test_attachment_count)
{
	struct sio_packet	 p;
	struct buf		 b;
	unsigned		 i;

	buf_init(&b, 4096);
	ck_assert_err(buf_printf(&b, "5%u-[\"x\"", attachments[_i].n),
	    ERR_OK);
	for (i = 0; i < attachments[_i].n; i++)
		ck_assert_err(buf_printf(&b, ",{\"_placeholder\":true,"
		    "\"num\":%u}", i), ERR_OK);
	ck_assert_err(buf_putc(&b, ']'), ERR_OK);
	ck_assert_err(sio_packet_decode(buf_span(&b), &p),
	    attachments[_i].want);
	if (attachments[_i].want == ERR_OK)
		ck_assert_uint_eq(p.attachments, attachments[_i].n);
	sio_packet_reset(&p);
	buf_free(&b);
}
END_TEST

START_TEST(test_encode_cap)
{
	struct json_object	*v = NULL;
	struct buf		 b;

	ck_assert_err(sio_json_parse(SPAN_LIT("[\"xyz\"]"), &v), ERR_OK);
	buf_init(&b, 8);
	ck_assert_err(buf_puts(&b, "4"), ERR_OK);
	ck_assert_err(sio_packet_encode(&b, SIO_EVENT, SPAN_LIT("/"), -1, v),
	    ERR_LIMIT);
	ck_assert_span_eq(buf_span(&b), "4");
	ck_assert_err(sio_packet_encode(&b, SIO_EVENT, SPAN_LIT("/"), 1, v),
	    ERR_LIMIT);	/* 9 bytes */
	ck_assert_span_eq(buf_span(&b), "4");
	buf_free(&b);
	json_object_put(v);
}
END_TEST

static Suite *
sio_suite(void)
{
	Suite	*s = suite_create("sio");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_table(tc, test_decode_good, good);
	tcase_add_test(tc, test_decode_borrows);
	tcase_add_table(tc, test_json_parse, jsons);
	tcase_add_table(tc, test_encode, encodes);
	tcase_add_table(tc, test_encode_bad, bad_encodes);
	tcase_add_test(tc, test_encode_escapes_controls);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_table(tc, test_depth, depths);
	tcase_add_table(tc, test_nsp_length, nsps);
	tcase_add_table(tc, test_attachment_count, attachments);
	tcase_add_test(tc, test_encode_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_table(tc, test_decode_malformed, bad);
	tcase_add_test(tc, test_null_spans);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(sio_suite());
}

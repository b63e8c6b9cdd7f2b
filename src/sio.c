/*
 * sio.c -- Socket.IO v5 packet codec (see sio.h).  Section numbers cite
 * ../shared/protocol.md §8; [ref] is socket.io-parser 4.2.x.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "bounds.h"
#include "buf.h"
#include "eio.h"
#include "sio.h"

_Static_assert(SIO_MAX_ATTACHMENTS < 32, "placeholder bitmask is 32 bits");
_Static_assert(EIO_MAX_PAYLOAD_CEILING < INT_MAX, "json-c takes int");

/* [ref] RESERVED_EVENTS: names a client may not emit. */
static const char *const sio_reserved[] = {
	"connect", "connect_error", "disconnect", "disconnecting",
	"newListener", "removeListener",
};

/* ------------------------------------------------------- JSON lexer */

/*
 * json-c's strict mode still takes NaN, Infinity, "1.", "-01", '-.5',
 * single-quoted strings, raw control characters in strings and overlong
 * UTF-8 (checked on 0.16).  JSON.parse, which the peer's encoder targets,
 * takes none of them, so tokens are checked here first (RFC 8259) and
 * json-c only builds the value and checks the grammar.
 */

static int
sio_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 8259 §6 number starting at *ip; advances *ip past it. */
static int
sio_lex_number(struct span s, size_t *ip)
{
	size_t	 i = *ip;

	if (i < s.len && s.p[i] == '-')
		i++;
	if (i >= s.len || !sio_isdigit(s.p[i]))
		return 0;
	if (s.p[i] == '0') {
		if (++i < s.len && sio_isdigit(s.p[i]))
			return 0;	/* no leading zeros */
	} else
		while (i < s.len && sio_isdigit(s.p[i]))
			i++;
	if (i < s.len && s.p[i] == '.') {
		if (++i >= s.len || !sio_isdigit(s.p[i]))
			return 0;
		while (i < s.len && sio_isdigit(s.p[i]))
			i++;
	}
	if (i < s.len && (s.p[i] == 'e' || s.p[i] == 'E')) {
		if (++i < s.len && (s.p[i] == '+' || s.p[i] == '-'))
			i++;
		if (i >= s.len || !sio_isdigit(s.p[i]))
			return 0;
		while (i < s.len && sio_isdigit(s.p[i]))
			i++;
	}
	*ip = i;
	return 1;
}

/* 1 when the escape at s.p[i] (a backslash) is \u0000. */
static int
sio_lex_nul_escape(struct span s, size_t i)
{
	return s.len - i >= 6 && memcmp(s.p + i, "\\u0000", 6) == 0;
}

/* RFC 8259 §7 string whose opening quote is at *ip; escapes themselves
 * are left to json-c, which rejects unknown ones.  *nul is set when the
 * string holds a \u0000 escape. */
static int
sio_lex_string(struct span s, size_t *ip, int *nul)
{
	size_t	 i;

	*nul = 0;
	for (i = *ip + 1; i < s.len; i++) {
		if (s.p[i] == '"') {
			*ip = i + 1;
			return 1;
		}
		if ((unsigned char)s.p[i] < 0x20)
			return 0;
		if (s.p[i] == '\\') {
			if (sio_lex_nul_escape(s, i))
				*nul = 1;
			i++;
		}
	}
	return 0;
}

/* 1 when the next token from s.p[i] on (past whitespace) is ':': the
 * string that ends before i is an object key. */
static int
sio_lex_is_key(struct span s, size_t i)
{
	while (i < s.len && (s.p[i] == ' ' || s.p[i] == '\t' ||
	    s.p[i] == '\n' || s.p[i] == '\r'))
		i++;
	return i < s.len && s.p[i] == ':';
}

/* 1 when s starts a literal at *ip; advances past it. */
static int
sio_lex_literal(struct span s, size_t *ip)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t		 k, n;

	for (k = 0; k < sizeof(lits) / sizeof(lits[0]); k++) {
		n = strlen(lits[k]);
		if (s.len - *ip >= n && memcmp(s.p + *ip, lits[k], n) == 0) {
			*ip += n;
			return 1;
		}
	}
	return 0;
}

/*
 * 1 when every token of s is an RFC 8259 token and s is UTF-8.  An
 * object key holding \u0000 is refused too: json-c keeps keys as C
 * strings, so {"game_id\u0000x":…} would be read as game_id, a key that
 * JSON.parse (and anything between the client and us) sees as another.
 */
static int
sio_json_lex(struct span s)
{
	size_t	 i = 0;
	int	 ok = 1, nul;

	if (!eio_utf8_valid(s))
		return 0;
	while (ok && i < s.len) {
		switch (s.p[i]) {
		case ' ': case '\t': case '\n': case '\r':
		case '{': case '}': case '[': case ']': case ',': case ':':
			i++;
			break;
		case '"':
			ok = sio_lex_string(s, &i, &nul) &&
			    !(nul && sio_lex_is_key(s, i));
			break;
		case '-': case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			ok = sio_lex_number(s, &i);
			break;
		default:
			ok = sio_lex_literal(s, &i);
			break;
		}
	}
	return ok;
}

enum err
sio_json_parse(struct span text, struct json_object **out)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*v = NULL;
	enum err		 er = ERR_PROTO;

	*out = NULL;
	if (text.len == 0 || text.len > EIO_MAX_PAYLOAD_CEILING ||
	    !sio_json_lex(text))
		goto out;
	if ((tok = json_tokener_new_ex(SIO_JSON_DEPTH)) == NULL) {
		er = ERR_NOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	v = json_tokener_parse_ex(tok, text.p, (int)text.len);
	if (json_tokener_get_error(tok) == json_tokener_continue &&
	    json_tokener_get_parse_end(tok) == text.len) {
		/* A top-level number or literal only ends at a delimiter:
		 * feed one space (whitespace is always allowed after). */
		v = json_tokener_parse_ex(tok, " ", 1);
		if (json_tokener_get_error(tok) != json_tokener_success)
			goto out;
	} else if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != text.len)
		goto out;	/* also trailing bytes */
	*out = v;		/* NULL for the JSON value null */
	v = NULL;
	er = ERR_OK;
out:
	json_object_put(v);
	if (tok != NULL)
		json_tokener_free(tok);	/* not NULL-safe in 0.16 */
	return er;
}

enum err
sio_json_append(struct buf *out, struct json_object *v)
{
	const char	*s;
	size_t		 n;

	/* Owned by v; PLAIN escapes every control character as \u00XX. */
	s = json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (s == NULL)
		return ERR_NOMEM;
	return buf_append(out, s, n);
}

/* ------------------------------------------------------ placeholders */

/* 1 when o is {"_placeholder":true,...} (the [ref] hasBinary marker). */
static int
sio_is_placeholder(struct json_object *o)
{
	struct json_object	*flag;	/* borrowed */

	return json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "_placeholder", &flag) &&
	    json_object_is_type(flag, json_type_boolean) &&
	    json_object_get_boolean(flag);
}

/*
 * Depth-first walk counting placeholders into *count and marking their
 * `num` in *seen.  ERR_PROTO for a num that is not an integer in
 * [0, limit) or repeats.  With limit 0 the nums are not checked (the
 * encoder only counts).  Recursion is bounded by SIO_JSON_DEPTH.
 */
static enum err
sio_placeholders(struct json_object *v, unsigned limit, unsigned *count,
    uint32_t *seen)
{
	struct json_object	*num;	/* borrowed */
	int64_t			 i;
	size_t			 k, n;
	enum err		 er;

	if (sio_is_placeholder(v)) {
		(*count)++;
		if (limit == 0)
			return ERR_OK;
		if (!json_object_object_get_ex(v, "num", &num) ||
		    !json_object_is_type(num, json_type_int))
			return ERR_PROTO;
		i = json_object_get_int64(num);
		if (i < 0 || i >= limit || (*seen & (UINT32_C(1) << i)))
			return ERR_PROTO;
		*seen |= UINT32_C(1) << i;
		return ERR_OK;
	}
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (k = 0; k < n; k++) {
			er = sio_placeholders(json_object_array_get_idx(v, k),
			    limit, count, seen);
			if (er != ERR_OK)
				return er;
		}
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			(void)key;
			er = sio_placeholders(val, limit, count, seen);
			if (er != ERR_OK)
				return er;
		}
	}
	return ERR_OK;
}

/* ----------------------------------------------------------- decode */

/* Consume decimal digits at *ip into *v; ERR_PROTO past max. */
static enum err
sio_parse_uint(struct span in, size_t *ip, int64_t max, int64_t *v)
{
	int64_t	 d;

	*v = 0;
	for (; *ip < in.len && sio_isdigit(in.p[*ip]); (*ip)++) {
		d = in.p[*ip] - '0';
		if (*v > (max - d) / 10)
			return ERR_PROTO;
		*v = *v * 10 + d;
	}
	return ERR_OK;
}

/* `<n>-` of types 5/6: 1..SIO_MAX_ATTACHMENTS, then '-'. */
static enum err
sio_parse_attachments(struct span in, size_t *ip, unsigned *n)
{
	size_t		 start = *ip;
	int64_t		 v;

	if (sio_parse_uint(in, ip, SIO_MAX_ATTACHMENTS, &v) != ERR_OK ||
	    *ip == start || v < 1 || *ip >= in.len || in.p[*ip] != '-')
		return ERR_PROTO;
	(*ip)++;
	*n = (unsigned)v;
	return ERR_OK;
}

/* §8: the namespace runs from '/' to the first ',' or the end. */
static enum err
sio_parse_nsp(struct span in, size_t *ip, struct span *nsp)
{
	const char	*comma;
	size_t		 n;

	*nsp = SPAN_LIT("/");
	if (*ip >= in.len || in.p[*ip] != '/')
		return ERR_OK;
	comma = memchr(in.p + *ip, ',', in.len - *ip);
	n = comma == NULL ? in.len - *ip : (size_t)(comma - (in.p + *ip));
	if (n > SIO_MAX_NSP)
		return ERR_PROTO;
	*nsp = (struct span){ in.p + *ip, n };
	*ip += comma == NULL ? n : n + 1;
	return ERR_OK;
}

/* 1 when the first element of an EVENT is a number or a non-reserved
 * string. */
static int
sio_event_head_ok(struct json_object *a)
{
	struct json_object	*h;	/* borrowed */
	const char		*name;
	size_t			 k;

	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) == 0)
		return 0;
	h = json_object_array_get_idx(a, 0);
	if (json_object_is_type(h, json_type_int) ||
	    json_object_is_type(h, json_type_double))
		return 1;
	if (!json_object_is_type(h, json_type_string))
		return 0;
	name = json_object_get_string(h);
	if (strlen(name) != (size_t)json_object_get_string_len(h))
		return 0;	/* "\u0000" would cut the name short */
	for (k = 0; k < sizeof(sio_reserved) / sizeof(sio_reserved[0]); k++)
		if (strcmp(name, sio_reserved[k]) == 0)
			return 0;
	return 1;
}

/* [ref] Decoder.isPayloadValid, stricter: payloads are required where
 * the type is useless without one. */
static int
sio_payload_ok(enum sio_type t, int present, struct json_object *v)
{
	switch (t) {
	case SIO_CONNECT:
		return !present || json_object_is_type(v, json_type_object);
	case SIO_DISCONNECT:
		return !present;
	case SIO_EVENT:
	case SIO_BINARY_EVENT:
		return present && sio_event_head_ok(v);
	case SIO_ACK:
	case SIO_BINARY_ACK:
		return present && json_object_is_type(v, json_type_array);
	case SIO_CONNECT_ERROR:
		return present && (json_object_is_type(v, json_type_object) ||
		    json_object_is_type(v, json_type_string));
	default:
		return 0;
	}
}

/* Binary packets carry exactly their placeholders, each num once. */
static enum err
sio_check_attachments(const struct sio_packet *p)
{
	unsigned	 count = 0;
	uint32_t	 seen = 0;
	enum err	 er;

	if (p->type != SIO_BINARY_EVENT && p->type != SIO_BINARY_ACK)
		return ERR_OK;
	er = sio_placeholders(p->data, p->attachments, &count, &seen);
	if (er != ERR_OK)
		return er;
	return count == p->attachments ? ERR_OK : ERR_PROTO;
}

enum err
sio_packet_decode(struct span in, struct sio_packet *p)
{
	struct span	 rest;
	size_t		 i = 1;
	enum err	 er = ERR_PROTO;

	p->type = SIO_CONNECT;
	p->attachments = 0;
	p->nsp = SPAN_LIT("/");
	p->ack_id = -1;
	p->data = NULL;
	if (in.len == 0 || in.p[0] < '0' || in.p[0] >= '0' + SIO__MAX)
		goto out;
	p->type = (enum sio_type)(in.p[0] - '0');
	if ((p->type == SIO_BINARY_EVENT || p->type == SIO_BINARY_ACK) &&
	    (er = sio_parse_attachments(in, &i, &p->attachments)) != ERR_OK)
		goto out;
	if ((er = sio_parse_nsp(in, &i, &p->nsp)) != ERR_OK)
		goto out;
	if (i < in.len && sio_isdigit(in.p[i]) &&
	    (er = sio_parse_uint(in, &i, SIO_MAX_ACK_ID, &p->ack_id)) !=
	    ERR_OK)
		goto out;
	rest = (struct span){ in.p + i, in.len - i };
	if (rest.len > 0 && (er = sio_json_parse(rest, &p->data)) != ERR_OK)
		goto out;
	er = ERR_PROTO;
	if (!sio_payload_ok(p->type, rest.len > 0, p->data))
		goto out;
	er = sio_check_attachments(p);
out:
	if (er != ERR_OK)
		sio_packet_reset(p);
	return er;
}

void
sio_packet_reset(struct sio_packet *p)
{
	json_object_put(p->data);
	p->data = NULL;
	p->attachments = 0;
	p->nsp = SPAN_LIT("/");
	p->ack_id = -1;
}

const char *
sio_event_name(const struct sio_packet *p)
{
	struct json_object	*h;	/* borrowed */

	if ((p->type != SIO_EVENT && p->type != SIO_BINARY_EVENT) ||
	    !json_object_is_type(p->data, json_type_array) ||
	    json_object_array_length(p->data) == 0)
		return NULL;
	h = json_object_array_get_idx(p->data, 0);
	if (!json_object_is_type(h, json_type_string))
		return NULL;
	return json_object_get_string(h);	/* owned by h */
}

/* ----------------------------------------------------------- encode */

/* The header before the JSON: type, `<n>-` for binary types (n counted
 * from the placeholders in data), `<nsp>,` unless "/", the ack id. */
static enum err
sio_header_encode(struct buf *out, enum sio_type t, struct span nsp,
    int64_t ack_id, struct json_object *data)
{
	unsigned	 count = 0;
	uint32_t	 seen = 0;
	enum err	 er;

	if ((er = buf_putc(out, (char)('0' + t))) != ERR_OK)
		return er;
	if (t == SIO_BINARY_EVENT || t == SIO_BINARY_ACK) {
		if ((er = sio_placeholders(data, 0, &count, &seen)) != ERR_OK)
			return er;
		if (count < 1 || count > SIO_MAX_ATTACHMENTS)
			return ERR_PROTO;
		if ((er = buf_printf(out, "%u-", count)) != ERR_OK)
			return er;
	}
	if (nsp.len > 0 && !span_eq(nsp, "/")) {
		if (nsp.p[0] != '/' || memchr(nsp.p, ',', nsp.len) != NULL)
			return ERR_PROTO;
		if ((er = buf_append(out, nsp.p, nsp.len)) != ERR_OK ||
		    (er = buf_putc(out, ',')) != ERR_OK)
			return er;
	}
	if (ack_id >= 0)
		return buf_printf(out, "%lld", (long long)ack_id);
	return ERR_OK;
}

enum err
sio_packet_encode(struct buf *out, enum sio_type t, struct span nsp,
    int64_t ack_id, struct json_object *data)
{
	size_t		 mark = out->len;
	enum err	 er = ERR_PROTO;

	if ((unsigned)t >= SIO__MAX)
		goto out;
	if ((er = sio_header_encode(out, t, nsp, ack_id, data)) != ERR_OK)
		goto out;
	if (data != NULL)
		er = sio_json_append(out, data);
out:
	if (er != ERR_OK && out->data != NULL) {
		out->len = mark;	/* all or nothing */
		out->data[mark] = '\0';
	}
	return er;
}

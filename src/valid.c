/*
 * valid.c -- event payload checks (see valid.h).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <json-c/json.h>

#include "valid.h"

/* Messages per field: static text, so a verdict never allocates. */
struct field_msgs {
	const char	*field;
	const char	*missing;
	const char	*format;
};

static const struct field_msgs msgs[] = {
	{ "game_id", "Missing game_id", "Invalid game_id format" },
	{ "role", "Missing role", "Invalid role: expected player or spectator" },
	{ "outcome", "Missing outcome", "Invalid outcome" },
	{ "hit_location", "Missing hit_location", "Invalid hit_location: "
	    "expected one of P, C, 1B, 2B, 3B, SS, LF, CF, RF" },
	{ "error_bases", "Missing error_bases",
	    "Invalid error_bases: expected 1, 2 or 3" },
	{ "fc_out_from", "Missing fc_out_from",
	    "Invalid fc_out_from: expected base 1, 2 or 3" },
	{ "base", "Missing base", "Invalid base: expected 1, 2 or 3" },
	{ "steal_result", "Missing steal_result",
	    "Invalid steal_result: expected safe or out" },
	{ "advances", "Missing advances", "Invalid advances: expected a list "
	    "of {from: 1-3, result: safe or out}, one per runner" },
	{ "runners", "Missing runners",
	    "Invalid runners: expected a list of distinct bases 1, 2, 3" },
	{ "alignment", "Missing alignment", "Invalid alignment: expected "
	    "normal, shifted_left, shifted_right or extreme_shift" },
	{ "infield_depth", "Missing infield_depth", "Invalid infield_depth: "
	    "expected in, normal, back or double_play" },
	{ "outfield_depth", "Missing outfield_depth",
	    "Invalid outfield_depth: expected in, normal or back" },
	{ "hold_runners", "Missing hold_runners",
	    "Invalid hold_runners: expected a list of distinct bases 1, 2, 3" },
	{ "approach", "Missing approach", "Invalid approach: expected "
	    "normal, contact, power or patient" },
	{ "steal_attempts", "Missing steal_attempts", "Invalid "
	    "steal_attempts: expected a list of distinct bases 1, 2, 3" },
	{ "hit_and_run", "Missing hit_and_run",
	    "Invalid hit_and_run: expected true or false" },
	{ "bunt_attempt", "Missing bunt_attempt",
	    "Invalid bunt_attempt: expected true or false" },
	{ "team_id", "Missing team_id",
	    "Invalid team_id: expected a positive integer" },
	{ "player_out_lineup_id", "Missing player_out_lineup_id",
	    "Invalid player_out_lineup_id: expected a positive integer" },
	{ "player_in_card_id", "Missing player_in_card_id",
	    "Invalid player_in_card_id: expected a positive integer" },
	{ "new_position", "Missing new_position", "Invalid new_position: "
	    "expected P, C, 1B, 2B, 3B, SS, LF, CF, RF or DH" },
};

static const struct field_msgs *
msgs_of(const char *field)
{
	size_t	 i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		if (strcmp(msgs[i].field, field) == 0)
			return &msgs[i];
	return NULL;
}

static int
fail(struct valid_err *e, const char *code, const char *field,
    const char *message)
{
	e->code = code;
	e->field = field;
	e->message = message;
	return 0;
}

int
valid_object(struct json_object *payload, struct valid_err *e)
{
	if (payload == NULL || !json_object_is_type(payload, json_type_object))
		return fail(e, "INVALID_PAYLOAD", NULL,
		    "Invalid payload: expected a JSON object");
	return 1;
}

int
valid_is_uuid(const char *s, size_t len)
{
	size_t	 i;

	if (len != VALID_UUID_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
valid_uuid(struct json_object *o, const char *field,
    char out[VALID_UUID_LEN + 1], struct valid_err *e)
{
	const struct field_msgs	*m = msgs_of(field);
	struct json_object	*v;	/* borrowed from o */
	const char		*s;
	size_t			 i;

	if (!json_object_object_get_ex(o, field, &v) || v == NULL)
		return fail(e, "MISSING_FIELD", field,
		    m ? m->missing : "Missing field");
	if (!json_object_is_type(v, json_type_string) ||
	    !valid_is_uuid(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v)))
		return fail(e, "INVALID_FORMAT", field,
		    m ? m->format : "Invalid format");
	s = json_object_get_string(v);
	for (i = 0; i < VALID_UUID_LEN; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[VALID_UUID_LEN] = '\0';
	return 1;
}

int
valid_choice(struct json_object *o, const char *field,
    const char *const *choices, const char *dflt, const char **out,
    struct valid_err *e)
{
	const struct field_msgs	*m = msgs_of(field);
	struct json_object	*v;	/* borrowed from o */
	const char		*s;
	size_t			 i, len;

	if (!json_object_object_get_ex(o, field, &v) || v == NULL) {
		if (dflt == NULL)
			return fail(e, "MISSING_FIELD", field,
			    m ? m->missing : "Missing field");
		*out = dflt;
		return 1;
	}
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		for (i = 0; choices[i] != NULL; i++)
			if (strlen(choices[i]) == len &&
			    memcmp(s, choices[i], len) == 0) {
				*out = choices[i];
				return 1;
			}
	}
	return fail(e, "INVALID_FORMAT", field,
	    m ? m->format : "Invalid value");
}

/* The member `field` of o, NULL when absent or JSON null; borrowed. */
static struct json_object *
member(struct json_object *o, const char *field)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, field, &v))
		return NULL;
	return v;
}

static int
missing(struct valid_err *e, const char *field)
{
	const struct field_msgs	*m = msgs_of(field);

	return fail(e, "MISSING_FIELD", field, m ? m->missing : "Missing field");
}

static int
malformed(struct valid_err *e, const char *field)
{
	const struct field_msgs	*m = msgs_of(field);

	return fail(e, "INVALID_FORMAT", field, m ? m->format : "Invalid value");
}

int
valid_malformed(const char *field, struct valid_err *e)
{
	return malformed(e, field);
}

int
valid_named(const char *value, int parsed, const char *field,
    struct valid_err *ve)
{
	return value == NULL || parsed || valid_malformed(field, ve);
}

int
valid_int(struct json_object *o, const char *field, int64_t lo, int64_t hi,
    int required, int64_t *out, struct valid_err *e)
{
	struct json_object	*v = member(o, field);
	int64_t			 n;

	if (v == NULL)
		return required ? missing(e, field) : 1;
	if (!json_object_is_type(v, json_type_int))
		return malformed(e, field);
	/*
	 * json-c clamps integers beyond int64: below to INT64_MIN, above to
	 * a uint64 that reads back as INT64_MAX.  Neither clamp may pass as
	 * the value, or 1e20 written out would be a valid id (ranges up to
	 * INT64_MAX exist); INT64_MIN itself is in no range we use.
	 */
	n = json_object_get_int64(v);
	if ((n == INT64_MAX &&
	    json_object_get_uint64(v) != (uint64_t)INT64_MAX) ||
	    n == INT64_MIN || n < lo || n > hi)
		return malformed(e, field);
	*out = n;
	return 1;
}

int
valid_bool(struct json_object *o, const char *field, int *out,
    struct valid_err *e)
{
	struct json_object	*v = member(o, field);

	if (v == NULL)
		return 1;
	if (!json_object_is_type(v, json_type_boolean))
		return malformed(e, field);
	*out = json_object_get_boolean(v);
	return 1;
}

int
valid_bases(struct json_object *o, const char *field, unsigned *mask,
    struct valid_err *e)
{
	struct json_object	*v = member(o, field), *b;
	size_t			 i, n;
	int64_t			 base;

	if (v == NULL)
		return 1;
	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > 3)
		return malformed(e, field);
	*mask = 0;
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(v, i);
		if (b == NULL || !json_object_is_type(b, json_type_int))
			return malformed(e, field);
		base = json_object_get_int64(b);
		if (base < 1 || base > 3 || (*mask & (1u << base)))
			return malformed(e, field);
		*mask |= 1u << base;
	}
	return 1;
}

int
valid_string(struct json_object *o, const char *field, size_t maxlen,
    int required, const char **out, struct valid_err *e)
{
	struct json_object	*v = member(o, field);

	if (v == NULL)
		return required ? missing(e, field) : 1;
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) > maxlen ||
	    strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v))
		return malformed(e, field);
	*out = json_object_get_string(v);
	return 1;
}

int
valid_advances(struct json_object *o, const char *field,
    struct valid_advance out[4], int *n, struct valid_err *e)
{
	struct json_object	*v = member(o, field), *a, *f, *r;
	size_t			 i, len, rlen;
	unsigned		 seen = 0;
	int64_t			 from;
	const char		*res;
	int			 safe;

	*n = 0;
	if (v == NULL)
		return 1;
	if (!json_object_is_type(v, json_type_array) ||
	    (len = json_object_array_length(v)) > 4)
		return malformed(e, field);
	for (i = 0; i < len; i++) {
		a = json_object_array_get_idx(v, i);
		if (a == NULL || !json_object_is_type(a, json_type_object) ||
		    !json_object_object_get_ex(a, "from", &f) ||
		    f == NULL || !json_object_is_type(f, json_type_int) ||
		    !json_object_object_get_ex(a, "result", &r) ||
		    r == NULL || !json_object_is_type(r, json_type_string))
			return malformed(e, field);
		from = json_object_get_int64(f);
		/* by length: "safe\u0000x" is not "safe" */
		res = json_object_get_string(r);
		rlen = (size_t)json_object_get_string_len(r);
		safe = rlen == 4 && memcmp(res, "safe", 4) == 0;
		if (from < 0 || from > 3 || (seen & (1u << from)) ||
		    (!safe && !(rlen == 3 && memcmp(res, "out", 3) == 0)))
			return malformed(e, field);
		seen |= 1u << from;
		out[*n].from = (int)from;
		out[*n].safe = safe;
		(*n)++;
	}
	return 1;
}

/* How many of s's first n bytes end on a UTF-8 character boundary; 0
 * when s is not valid UTF-8 (PostgreSQL would refuse it).  A sequence cut
 * short at the end (a message cut by emit.c) ends the string. */
size_t
valid_utf8_cut(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, k, len, end = 0;

	for (len = strlen(s); i < len; i += k) {
		k = u[i] < 0x80 ? 1 : (u[i] & 0xe0) == 0xc0 ? 2 :
		    (u[i] & 0xf0) == 0xe0 ? 3 : (u[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (k > len - i)
			break;
		if (k == 0)
			return 0;
		for (size_t j = 1; j < k; j++)
			if ((u[i + j] & 0xc0) != 0x80)
				return 0;
		if (i + k <= n)
			end = i + k;
	}
	return end;
}

/*
 * check_valid.c -- unit tests of valid.c (events.md error codes).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check_util.h"
#include "valid.h"

#define UUID	"123e4567-e89b-12d3-a456-426614174000"

/* Parse a table's JSON text; NULL stays NULL.  Owned (json_object_put). */
static struct json_object *
json_of(const char *text)
{
	struct json_object	*o;

	if (text == NULL)
		return NULL;
	o = json_tokener_parse(text);
	ck_assert_msg(o != NULL || strcmp(text, "null") == 0,
	    "bad fixture %s", text);
	return o;
}

/* Assert a verdict, naming the row on failure. */
static void
verdict_assert(const char *row, int got, int want, const struct valid_err *e,
    const char *code, const char *field, const char *msg)
{
	ck_assert_msg(got == want, "%s: returned %d", row, got);
	if (want)
		return;
	ck_assert_msg(e->code != NULL && strcmp(e->code, code) == 0,
	    "%s: code %s, want %s", row, e->code, code);
	ck_assert_msg(e->message != NULL && strcmp(e->message, msg) == 0,
	    "%s: message \"%s\", want \"%s\"", row, e->message, msg);
	if (field == NULL)
		ck_assert_msg(e->field == NULL, "%s: field %s", row, e->field);
	else
		ck_assert_msg(e->field != NULL && strcmp(e->field, field) == 0,
		    "%s: field %s, want %s", row, e->field, field);
}

/* ------------------------------------------------------------- core */

static const struct {
	const char	*json;		/* NULL: a NULL payload */
	int		 want;
} objects[] = {
	{ "{}", 1 },
	{ "{\"game_id\":\"" UUID "\"}", 1 },
	{ "{\"a\":{\"b\":[1,2]}}", 1 },
	{ NULL, 0 },
	{ "null", 0 },
	{ "[]", 0 },
	{ "[{}]", 0 },
	{ "\"{}\"", 0 },
	{ "\"x\"", 0 },
	{ "42", 0 },
	{ "4.2", 0 },
	{ "true", 0 },
};

START_TEST(test_object)
{
	struct json_object	*o = json_of(objects[_i].json);
	struct valid_err	 e = { "unset", "unset", "unset" };

	verdict_assert(objects[_i].json ? objects[_i].json : "(NULL)",
	    valid_object(o, &e), objects[_i].want, &e, "INVALID_PAYLOAD",
	    NULL, "Invalid payload: expected a JSON object");
	json_object_put(o);
}
END_TEST

#define MISS_GID	"Missing game_id"
#define BAD_GID		"Invalid game_id format"

struct uuid_case {
	const char	*json;
	const char	*field;
	int		 want;
	const char	*code;		/* when want is 0 */
	const char	*msg;
	const char	*out;		/* when want is 1 */
};

static const struct uuid_case uuids[] = {
	{ "{\"game_id\":\"" UUID "\"}", "game_id", 1, NULL, NULL, UUID },
	{ "{\"game_id\":\"123E4567-E89B-12D3-A456-426614174ABC\"}", "game_id",
	    1, NULL, NULL, "123e4567-e89b-12d3-a456-426614174abc" },
	{ "{\"game_id\":\"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\"}", "game_id",
	    1, NULL, NULL, "ffffffff-ffff-ffff-ffff-ffffffffffff" },
	{ "{\"game_id\":\"00000000-0000-0000-0000-000000000000\"}", "game_id",
	    1, NULL, NULL, "00000000-0000-0000-0000-000000000000" },
	{ "{\"x\":1,\"game_id\":\"" UUID "\",\"y\":2}", "game_id", 1, NULL,
	    NULL, UUID },
	{ "{}", "game_id", 0, "MISSING_FIELD", MISS_GID, NULL },
	{ "{\"gameId\":\"" UUID "\"}", "game_id", 0, "MISSING_FIELD",
	    MISS_GID, NULL },
	{ "{\"game_id\":null}", "game_id", 0, "MISSING_FIELD", MISS_GID,
	    NULL },
	{ "{}", "other_id", 0, "MISSING_FIELD", "Missing field", NULL },
	{ "{\"other_id\":\"" UUID "\"}", "other_id", 1, NULL, NULL, UUID },
};

static const struct uuid_case uuid_bads[] = {
	{ "{\"game_id\":1}", "game_id", 0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":true}", "game_id", 0, "INVALID_FORMAT", BAD_GID,
	    NULL },
	{ "{\"game_id\":[\"" UUID "\"]}", "game_id", 0, "INVALID_FORMAT",
	    BAD_GID, NULL },
	{ "{\"game_id\":{\"id\":\"" UUID "\"}}", "game_id", 0,
	    "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"\"}", "game_id", 0, "INVALID_FORMAT", BAD_GID,
	    NULL },
	{ "{\"game_id\":\"not-a-uuid\"}", "game_id", 0, "INVALID_FORMAT",
	    BAD_GID, NULL },
	/* 35 and 37 characters */
	{ "{\"game_id\":\"123e4567-e89b-12d3-a456-42661417400\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e4567-e89b-12d3-a456-4266141740000\"}",
	    "game_id", 0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\" " UUID "\"}", "game_id", 0, "INVALID_FORMAT",
	    BAD_GID, NULL },
	{ "{\"game_id\":\"{123e4567-e89b-12d3-a456-4266141740}\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	/* non-hex */
	{ "{\"game_id\":\"123e4567-e89b-12d3-a456-42661417400g\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"g23e4567-e89b-12d3-a456-426614174000\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e4567-e89b-12d3-a456-42661417400\\u0000\"}",
	    "game_id", 0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e4567-e89b-12d3-a456-42661417400\\u00e9\"}",
	    "game_id", 0, "INVALID_FORMAT", BAD_GID, NULL },
	/* dashes in the wrong places, or none */
	{ "{\"game_id\":\"123e4567e-89b-12d3-a456-426614174000\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e456-7e89b-12d3-a456-426614174000\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e4567-e89b-12d3-a4564-26614174000\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e4567-e89b-12d3-a456_426614174000\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e4567-e89b-12d3-a456-4266-4174000\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"123e4567e89b12d3a456426614174000abcd\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	{ "{\"game_id\":\"------------------------------------\"}", "game_id",
	    0, "INVALID_FORMAT", BAD_GID, NULL },
	/* A field without its own messages gets the generic one. */
	{ "{\"other_id\":\"x\"}", "other_id", 0, "INVALID_FORMAT",
	    "Invalid format", NULL },
};

static void
uuid_run(const struct uuid_case *c)
{
	struct json_object	*o = json_of(c->json);
	struct valid_err	 e = { "unset", "unset", "unset" };
	char			 out[VALID_UUID_LEN + 1];
	int			 r;

	memset(out, '*', sizeof(out));
	r = valid_uuid(o, c->field, out, &e);
	verdict_assert(c->json, r, c->want, &e, c->code, c->field, c->msg);
	if (r)
		ck_assert_str_eq(out, c->out);
	else
		ck_assert_ptr_eq(e.field, c->field);
	json_object_put(o);
}

START_TEST(test_uuid)
{
	uuid_run(&uuids[_i]);
}
END_TEST

START_TEST(test_uuid_bad)
{
	uuid_run(&uuid_bads[_i]);
}
END_TEST

/* valid_is_uuid on exact bytes. */
static const struct {
	const char	*s;
	size_t		 len;
	int		 want;
} isuuids[] = {
	{ UUID, 36, 1 },
	{ "ABCDEF01-2345-6789-abcd-ef0123456789", 36, 1 },
	{ UUID, 35, 0 },
	{ UUID "0", 37, 0 },
	{ UUID, 0, 0 },
	{ "", 0, 0 },
	{ "123e4567+e89b-12d3-a456-426614174000", 36, 0 },
	{ "123e4567-e89b+12d3-a456-426614174000", 36, 0 },
	{ "123e4567-e89b-12d3+a456-426614174000", 36, 0 },
	{ "123e4567-e89b-12d3-a456+426614174000", 36, 0 },
	{ "-23e4567-e89b-12d3-a456-426614174000", 36, 0 },
	{ "123e4567-e89b-12d3-a456-42661417400-", 36, 0 },
	{ "123e4567-e89b-12d3-a456-4266141\0" "4000", 36, 0 },
};

START_TEST(test_is_uuid)
{
	ck_assert_int_eq(valid_is_uuid(isuuids[_i].s, isuuids[_i].len),
	    isuuids[_i].want);
}
END_TEST

static const char *const roles[] = { "player", "spectator", NULL };
static const char other_default[] = "spectator";

#define BAD_ROLE	"Invalid role: expected player or spectator"

struct choice_case {
	const char	*json;
	const char	*field;
	const char	*dflt;
	int		 want;
	const char	*out;		/* when 1: the exact pointer; NULL:
					 * the table's entry */
	const char	*code;		/* when 0 */
	const char	*msg;
};

static const struct choice_case choices[] = {
	{ "{\"role\":\"player\"}", "role", NULL, 1, NULL, NULL, NULL },
	{ "{\"role\":\"spectator\"}", "role", NULL, 1, NULL, NULL, NULL },
	{ "{\"role\":\"spectator\"}", "role", other_default, 1, NULL, NULL,
	    NULL },
	{ "{}", "role", other_default, 1, other_default, NULL, NULL },
	{ "{\"x\":\"player\"}", "role", other_default, 1, other_default,
	    NULL, NULL },
	{ "{\"role\":null}", "role", other_default, 1, other_default, NULL,
	    NULL },
	{ "{}", "role", NULL, 0, NULL, "MISSING_FIELD", "Missing role" },
	{ "{\"role\":null}", "role", NULL, 0, NULL, "MISSING_FIELD",
	    "Missing role" },
	{ "{}", "mode", NULL, 0, NULL, "MISSING_FIELD", "Missing field" },
	{ "{\"mode\":\"player\"}", "mode", NULL, 1, NULL, NULL, NULL },
};

static const struct choice_case choice_bads[] = {
	{ "{\"role\":\"Player\"}", "role", NULL, 0, NULL, "INVALID_FORMAT",
	    BAD_ROLE },
	{ "{\"role\":\"referee\"}", "role", other_default, 0, NULL,
	    "INVALID_FORMAT", BAD_ROLE },
	{ "{\"role\":\"\"}", "role", NULL, 0, NULL, "INVALID_FORMAT",
	    BAD_ROLE },
	{ "{\"role\":\" player\"}", "role", NULL, 0, NULL, "INVALID_FORMAT",
	    BAD_ROLE },
	{ "{\"role\":\"player \"}", "role", NULL, 0, NULL, "INVALID_FORMAT",
	    BAD_ROLE },
	{ "{\"role\":\"play\"}", "role", NULL, 0, NULL, "INVALID_FORMAT",
	    BAD_ROLE },
	{ "{\"role\":1}", "role", NULL, 0, NULL, "INVALID_FORMAT", BAD_ROLE },
	{ "{\"role\":true}", "role", other_default, 0, NULL,
	    "INVALID_FORMAT", BAD_ROLE },
	{ "{\"role\":[\"player\"]}", "role", NULL, 0, NULL, "INVALID_FORMAT",
	    BAD_ROLE },
	{ "{\"role\":{\"player\":1}}", "role", NULL, 0, NULL,
	    "INVALID_FORMAT", BAD_ROLE },
	/* Equal up to an embedded NUL is not equal. */
	{ "{\"role\":\"player\\u0000x\"}", "role", NULL, 0, NULL,
	    "INVALID_FORMAT", BAD_ROLE },
	/* A field without its own messages gets the generic one. */
	{ "{\"mode\":\"x\"}", "mode", NULL, 0, NULL, "INVALID_FORMAT",
	    "Invalid value" },
};

static void
choice_run(const struct choice_case *c)
{
	struct json_object	*o = json_of(c->json);
	struct json_object	*v;	/* borrowed from o */
	struct valid_err	 e = { "unset", "unset", "unset" };
	const char		*out = "unset";
	const char		*want = c->out;
	int			 r;

	r = valid_choice(o, c->field, roles, c->dflt, &out, &e);
	verdict_assert(c->json, r, c->want, &e, c->code, c->field, c->msg);
	if (r && want == NULL) {
		/* Found in the table: the table's pointer, not the JSON's. */
		ck_assert(json_object_object_get_ex(o, c->field, &v));
		want = strcmp(json_object_get_string(v), roles[0]) == 0 ?
		    roles[0] : roles[1];
		ck_assert_ptr_ne(out, json_object_get_string(v));
	}
	if (r)
		ck_assert_ptr_eq(out, want);
	json_object_put(o);
}

START_TEST(test_choice)
{
	choice_run(&choices[_i]);
}
END_TEST

START_TEST(test_choice_bad)
{
	choice_run(&choice_bads[_i]);
}
END_TEST

/* ------------------------------------------- ints, bools, bases, strings */

#define BAD_ERRB	"Invalid error_bases: expected 1, 2 or 3"
#define BAD_TEAM	"Invalid team_id: expected a positive integer"
#define BAD_HOLD	"Invalid hold_runners: expected a list of distinct bases 1, 2, 3"
#define BAD_HNR		"Invalid hit_and_run: expected true or false"
#define BAD_OUTC	"Invalid outcome"
#define BAD_ADV		"Invalid advances: expected a list of {from: 1-3, " \
			"result: safe or out}, one per runner"

/* kind: 'i' valid_int(field, lo 1, hi 3 or INT64_MAX for ids), 'b' bool,
 * 'm' bases, 's' string (max 20), 'a' advances.  want_n: the int, bool,
 * mask, string length or advance count on success. */
static const struct {
	char		 kind;
	const char	*json;
	const char	*field;
	int		 required;
	int		 want;
	int64_t		 want_n;
	const char	*code;
	const char	*msg;
} scalars[] = {
	{ 'i', "{\"error_bases\":2}", "error_bases", 0, 1, 2, NULL, NULL },
	{ 'i', "{}", "error_bases", 0, 1, -7, NULL, NULL },	/* default kept */
	{ 'i', "{\"error_bases\":null}", "error_bases", 0, 1, -7, NULL, NULL },
	{ 'i', "{\"error_bases\":0}", "error_bases", 0, 0, 0, "INVALID_FORMAT", BAD_ERRB },
	{ 'i', "{\"error_bases\":4}", "error_bases", 0, 0, 0, "INVALID_FORMAT", BAD_ERRB },
	{ 'i', "{\"error_bases\":\"2\"}", "error_bases", 0, 0, 0, "INVALID_FORMAT", BAD_ERRB },
	{ 'i', "{\"error_bases\":2.0}", "error_bases", 0, 0, 0, "INVALID_FORMAT", BAD_ERRB },
	{ 'i', "{\"error_bases\":true}", "error_bases", 0, 0, 0, "INVALID_FORMAT", BAD_ERRB },
	{ 'i', "{\"error_bases\":99999999999999999999999}", "error_bases", 0, 0, 0, "INVALID_FORMAT", BAD_ERRB },
	{ 'I', "{\"team_id\":7}", "team_id", 1, 1, 7, NULL, NULL },
	{ 'I', "{\"team_id\":9007199254740993}", "team_id", 1, 1, 9007199254740993LL, NULL, NULL },
	{ 'I', "{}", "team_id", 1, 0, 0, "MISSING_FIELD", "Missing team_id" },
	{ 'I', "{\"team_id\":0}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	{ 'I', "{\"team_id\":-1}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	{ 'I', "{\"team_id\":\"1; DROP TABLE game\"}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	{ 'I', "{\"team_id\":[1]}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	/* past int64: json-c's clamps are not the value */
	{ 'I', "{\"team_id\":9223372036854775807}", "team_id", 1, 1, INT64_MAX, NULL, NULL },
	{ 'I', "{\"team_id\":9223372036854775808}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	{ 'I', "{\"team_id\":99999999999999999999}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	{ 'I', "{\"team_id\":999999999999999999999999999}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	{ 'I', "{\"team_id\":-9223372036854775809}", "team_id", 1, 0, 0, "INVALID_FORMAT", BAD_TEAM },
	{ 'b', "{\"hit_and_run\":true}", "hit_and_run", 0, 1, 1, NULL, NULL },
	{ 'b', "{\"hit_and_run\":false}", "hit_and_run", 0, 1, 0, NULL, NULL },
	{ 'b', "{}", "hit_and_run", 0, 1, -7, NULL, NULL },
	{ 'b', "{\"hit_and_run\":1}", "hit_and_run", 0, 0, 0, "INVALID_FORMAT", BAD_HNR },
	{ 'b', "{\"hit_and_run\":\"true\"}", "hit_and_run", 0, 0, 0, "INVALID_FORMAT", BAD_HNR },
	{ 'm', "{\"hold_runners\":[]}", "hold_runners", 0, 1, 0, NULL, NULL },
	{ 'm', "{\"hold_runners\":[1,3]}", "hold_runners", 0, 1, 10, NULL, NULL },
	{ 'm', "{\"hold_runners\":[3,2,1]}", "hold_runners", 0, 1, 14, NULL, NULL },
	{ 'm', "{}", "hold_runners", 0, 1, -7, NULL, NULL },
	{ 'm', "{\"hold_runners\":[1,1]}", "hold_runners", 0, 0, 0, "INVALID_FORMAT", BAD_HOLD },
	{ 'm', "{\"hold_runners\":[0]}", "hold_runners", 0, 0, 0, "INVALID_FORMAT", BAD_HOLD },
	{ 'm', "{\"hold_runners\":[4]}", "hold_runners", 0, 0, 0, "INVALID_FORMAT", BAD_HOLD },
	{ 'm', "{\"hold_runners\":[1,2,3,1]}", "hold_runners", 0, 0, 0, "INVALID_FORMAT", BAD_HOLD },
	{ 'm', "{\"hold_runners\":[\"1\"]}", "hold_runners", 0, 0, 0, "INVALID_FORMAT", BAD_HOLD },
	{ 'm', "{\"hold_runners\":3}", "hold_runners", 0, 0, 0, "INVALID_FORMAT", BAD_HOLD },
	{ 's', "{\"outcome\":\"single_1\"}", "outcome", 1, 1, 8, NULL, NULL },
	{ 's', "{}", "outcome", 1, 0, 0, "MISSING_FIELD", "Missing outcome" },
	{ 's', "{\"outcome\":null}", "outcome", 1, 0, 0, "MISSING_FIELD", "Missing outcome" },
	{ 's', "{\"outcome\":5}", "outcome", 1, 0, 0, "INVALID_FORMAT", BAD_OUTC },
	{ 's', "{\"outcome\":\"x\\u0000y\"}", "outcome", 1, 0, 0, "INVALID_FORMAT", BAD_OUTC },
	{ 's', "{\"outcome\":\"abcdefghijklmnopqrstu\"}", "outcome", 1, 0, 0, "INVALID_FORMAT", BAD_OUTC },
	{ 'a', "{\"advances\":[{\"from\":2,\"result\":\"safe\"}]}", "advances", 0, 1, 1, NULL, NULL },
	{ 'a', "{\"advances\":[{\"from\":3,\"result\":\"out\"},{\"from\":0,\"result\":\"safe\"}]}", "advances", 0, 1, 2, NULL, NULL },
	{ 'a', "{}", "advances", 0, 1, 0, NULL, NULL },
	{ 'a', "{\"advances\":[{\"from\":2,\"result\":\"maybe\"}]}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	{ 'a', "{\"advances\":[{\"from\":4,\"result\":\"safe\"}]}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	{ 'a', "{\"advances\":[{\"from\":2,\"result\":\"safe\"},{\"from\":2,\"result\":\"out\"}]}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	{ 'a', "{\"advances\":[{\"result\":\"safe\"}]}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	{ 'a', "{\"advances\":{\"from\":2}}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	/* a result is its whole string */
	{ 'a', "{\"advances\":[{\"from\":2,\"result\":\"safe\\u0000\"}]}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	{ 'a', "{\"advances\":[{\"from\":2,\"result\":\"out\\u0000x\"}]}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	{ 'a', "{\"advances\":[{\"from\":2,\"result\":\"saf\"}]}", "advances", 0, 0, 0, "INVALID_FORMAT", BAD_ADV },
	/* a name refused by the caller's own parser */
	{ 'x', "{}", "hit_and_run", 0, 0, 0, "INVALID_FORMAT", BAD_HNR },
	{ 'x', "{}", "no_such_field", 0, 0, 0, "INVALID_FORMAT", "Invalid value" },
};

START_TEST(test_scalar)
{
	struct json_object	*o = json_of(scalars[_i].json);
	struct valid_err	 e = { "unset", "unset", "unset" };
	struct valid_advance	 adv[4];
	int64_t			 n = -7;
	int			 b = -7, na = 0, r = 0;
	unsigned		 mask = (unsigned)-7;
	const char		*str = NULL;

	switch (scalars[_i].kind) {
	case 'i':
		r = valid_int(o, scalars[_i].field, 1, 3, scalars[_i].required,
		    &n, &e);
		break;
	case 'I':
		r = valid_int(o, scalars[_i].field, 1, INT64_MAX,
		    scalars[_i].required, &n, &e);
		break;
	case 'b':
		r = valid_bool(o, scalars[_i].field, &b, &e);
		n = b;
		break;
	case 'm':
		r = valid_bases(o, scalars[_i].field, &mask, &e);
		n = mask == (unsigned)-7 ? -7 : (int64_t)mask;
		break;
	case 's':
		r = valid_string(o, scalars[_i].field, 20,
		    scalars[_i].required, &str, &e);
		n = str ? (int64_t)strlen(str) : -7;
		break;
	case 'a':
		r = valid_advances(o, scalars[_i].field, adv, &na, &e);
		n = na;
		break;
	case 'x':
		r = valid_malformed(scalars[_i].field, &e);
		break;
	}
	verdict_assert(scalars[_i].json, r, scalars[_i].want, &e,
	    scalars[_i].code, scalars[_i].field, scalars[_i].msg);
	if (r)
		ck_assert_msg(n == scalars[_i].want_n, "%s: got %lld",
		    scalars[_i].json, (long long)n);
	json_object_put(o);
}
END_TEST

static Suite *
valid_suite(void)
{
	Suite	*s = suite_create("valid");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_table(tc, test_object, objects);
	tcase_add_table(tc, test_uuid, uuids);
	tcase_add_table(tc, test_choice, choices);
	tcase_add_table(tc, test_scalar, scalars);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_table(tc, test_is_uuid, isuuids);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_table(tc, test_uuid_bad, uuid_bads);
	tcase_add_table(tc, test_choice_bad, choice_bads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(valid_suite());
}

/*
 * fuzz_valid.c -- libFuzzer target: the event payload validators.
 *
 * The input is parsed as the server parses an event's payload
 * (sio_json_parse), then every field check the gameplay events make
 * (valid.c, and game.h's name parsers for the enum fields) runs on it.
 * Each verdict must keep its promise: a refusal names a code and a
 * message; an accepted value is within the bounds asked for.  Then the
 * whole submit_manual_outcome parser (game_json_submission, shared by the
 * server and `dugoutctl audit --replay`) runs on it, with the same
 * promises for the submission it fills.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "game.h"
#include "game_json.h"
#include "sio.h"
#include "valid.h"
#include "fuzz.h"

/* A refusal must say what and why. */
static void
verdict(int ok, const struct valid_err *ve)
{
	if (!ok)
		check(ve->code != NULL && ve->message != NULL);
}

static void
ints(struct json_object *p)
{
	static const struct { const char *f; int64_t lo, hi; } f[] = {
		{ "error_bases", 1, 3 }, { "fc_out_from", 1, 3 },
		{ "base", 1, 3 }, { "limit", 1, 200 },
		{ "player_out_lineup_id", 1, INT64_C(9007199254740991) },
		{ "player_in_card_id", 1, INT64_C(9007199254740991) },
		{ "team_id", 1, INT64_C(9007199254740991) },
	};
	struct valid_err	 ve;
	size_t			 i;
	int64_t			 v;
	int			 ok;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		v = -7;
		ok = valid_int(p, f[i].f, f[i].lo, f[i].hi, (int)(i & 1), &v,
		    &ve);
		verdict(ok, &ve);
		check(!ok || v == -7 || (v >= f[i].lo && v <= f[i].hi));
	}
}

static void
names(struct json_object *p)
{
	struct valid_err	 ve;
	const char		*s;
	enum g_outcome		 oc;
	enum g_loc		 loc;
	enum g_pos		 pos;
	enum g_align		 al;
	enum g_infield		 in;
	enum g_outfield		 of;
	enum g_approach		 ap;
	int			 ok;

	s = NULL;
	verdict(ok = valid_string(p, "outcome", 40, 1, &s, &ve), &ve);
	if (ok) {
		check(s != NULL && strlen(s) <= 40);
		(void)game_outcome_parse(s, &oc);
	}
	s = NULL;
	if (valid_string(p, "hit_location", 8, 0, &s, &ve) && s != NULL)
		(void)game_loc_parse(s, &loc);
	s = NULL;
	if (valid_string(p, "new_position", 8, 0, &s, &ve) && s != NULL)
		(void)game_pos_parse(s, &pos);
	s = NULL;
	if (valid_string(p, "alignment", 32, 0, &s, &ve) && s != NULL)
		(void)game_align_parse(s, &al);
	s = NULL;
	if (valid_string(p, "infield_depth", 32, 0, &s, &ve) && s != NULL)
		(void)game_infield_parse(s, &in);
	s = NULL;
	if (valid_string(p, "outfield_depth", 32, 0, &s, &ve) && s != NULL)
		(void)game_outfield_parse(s, &of);
	s = NULL;
	if (valid_string(p, "approach", 32, 0, &s, &ve) && s != NULL)
		(void)game_approach_parse(s, &ap);
}

static void
others(struct json_object *p)
{
	static const char *const results[] = { "safe", "out", NULL };
	struct valid_advance	 adv[4];
	struct valid_err	 ve;
	char			 id[VALID_UUID_LEN + 1];
	const char		*c;
	unsigned		 mask, seen = 0;
	int			 ok, b, n, i;

	verdict(ok = valid_uuid(p, "game_id", id, &ve), &ve);
	if (ok) {
		check(strlen(id) == VALID_UUID_LEN);
		check(valid_is_uuid(id, VALID_UUID_LEN));
		for (i = 0; id[i] != '\0'; i++)
			check(!isupper((unsigned char)id[i]));
	}
	mask = 0;
	verdict(ok = valid_bases(p, "steal_attempts", &mask, &ve), &ve);
	check(!ok || (mask & ~0xeu) == 0);
	mask = 0;
	verdict(ok = valid_bases(p, "hold_runners", &mask, &ve), &ve);
	check(!ok || (mask & ~0xeu) == 0);
	b = 5;
	verdict(ok = valid_bool(p, "hit_and_run", &b, &ve), &ve);
	check(!ok || b == 5 || b == 0 || b == 1);
	c = NULL;
	verdict(ok = valid_choice(p, "steal_result", results, "", &c, &ve),
	    &ve);
	check(!ok || c != NULL);
	n = -1;
	verdict(ok = valid_advances(p, "advances", adv, &n, &ve), &ve);
	if (ok) {
		check(n >= 0 && n <= 4);
		for (i = 0; i < n; i++) {
			check(adv[i].from >= 0 && adv[i].from <= 3);
			check((seen & (1u << adv[i].from)) == 0);
			seen |= 1u << adv[i].from;
		}
	}
}

static void
submission(struct json_object *p)
{
	struct g_submit		 s;
	struct valid_err	 ve;
	int			 ok, i;

	memset(&s, 0, sizeof(s));
	verdict(ok = game_json_submission(p, &s, &ve), &ve);
	if (!ok)
		return;
	check((int)s.outcome >= 0 && s.outcome < G_OUTCOME__MAX);
	check(s.error_bases >= 0 && s.error_bases <= 3);
	check(s.fc_out_from >= 0 && s.fc_out_from <= 3);
	check(s.base >= 0 && s.base <= 3);
	check(s.steal_result >= -1 && s.steal_result <= 1);
	check((s.runners & ~0xeu) == 0);
	check(s.nadv >= 0 && s.nadv <= 4);
	for (i = 0; i < s.nadv; i++)
		check(s.adv[i].from >= 0 && s.adv[i].from <= 3);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*p = NULL;
	struct valid_err	 ve;

	if (sio_json_parse((struct span){ (const char *)data, size }, &p) !=
	    ERR_OK)
		return 0;
	if (valid_object(p, &ve)) {
		ints(p);
		names(p);
		others(p);
		submission(p);
	} else
		verdict(0, &ve);
	json_object_put(p);
	return 0;
}

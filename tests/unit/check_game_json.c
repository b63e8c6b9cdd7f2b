/*
 * check_game_json.c -- unit tests of game_json.c: the state document
 * survives a round trip, and a document the loader got wrong is refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check_util.h"
#include "game_json.h"

/* A mid-game state with every field away from its zero value. */
static void
sample(struct game_state *st)
{
	int	 s, i;

	memset(st, 0, sizeof(*st));
	st->status = G_ACTIVE;
	st->scheduled_innings = 7;
	st->use_dh = 1;
	st->extra_runner = 1;
	st->inning = 6;
	st->half = G_BOTTOM;
	st->outs = 2;
	st->base[0] = (struct g_runner){ 14, 3, 1 };
	st->base[2] = (struct g_runner){ 17, 3, 0 };
	st->phantom_outs = 1;
	st->def_set = 1;
	st->def.alignment = G_ALIGN_SHIFT_RIGHT;
	st->def.infield = G_IF_DOUBLE_PLAY;
	st->def.outfield = G_OF_IN;
	st->def.hold = 1u << 1;
	st->roll_pending = 1;
	st->play_count = 51;
	st->winner = -1;
	for (s = 0; s < 2; s++) {
		struct g_team	*t = &st->team[s];

		for (i = 0; i < 10; i++) {
			t->active[i].id = 100 * (s + 1) + i;
			t->active[i].card = 1000 * (s + 1) + i;
			t->active[i].pos = (enum g_pos)(i + 1);
			t->active[i].order = i < 9 ? i + 1 : 0;
		}
		t->active[3].pos = G_POS_PH;
		t->active[3].inherit = G_POS_2B;
		t->nactive = 10;
		t->next_slot = 4 + s;
		t->pitcher = 100 * (s + 1);
		t->score = 3 - s;
		t->goahead_w = 100 * (s + 1);
		t->goahead_l = s ? 0 : 200;
		t->pitchers[0] = (struct g_pitcher){ 100 * (s + 1), 15, 22, 1,
			0, 0, 0, 0, 1 };
		t->pitchers[1] = (struct g_pitcher){ 100 * (s + 1) + 50, 2, 4,
			0, 2, 1, 1, 1, 0 };
		t->npitchers = 2;
	}
}

START_TEST(test_round_trip)
{
	struct game_state	 a, b;
	struct json_object	*doc, *again, *doc2;

	sample(&a);
	ck_assert_ptr_nonnull(doc = game_json_state(&a));
	/* through text, as it travels to PostgreSQL and back */
	again = json_tokener_parse(json_object_to_json_string(doc));
	ck_assert_ptr_nonnull(again);
	ck_assert_int_eq(game_json_read(again, &b), ERR_OK);
	ck_assert_ptr_nonnull(doc2 = game_json_state(&b));
	ck_assert_str_eq(json_object_to_json_string(doc),
	    json_object_to_json_string(doc2));
	/* and the fields themselves, not only their rendering */
	ck_assert_int_eq(b.status, G_ACTIVE);
	ck_assert_int_eq(b.half, G_BOTTOM);
	ck_assert_int_eq(b.outs, 2);
	ck_assert_int_eq(b.base[0].id, 14);
	ck_assert_int_eq(b.base[0].unearned, 1);
	ck_assert_int_eq(b.base[1].id, 0);
	ck_assert_int_eq(b.base[2].pitcher, 3);
	ck_assert_int_eq(b.def_set, 1);
	ck_assert_int_eq(b.off_set, 0);
	ck_assert_int_eq(b.def.infield, G_IF_DOUBLE_PLAY);
	ck_assert_uint_eq(b.def.hold, 1u << 1);
	ck_assert_int_eq(b.winner, -1);
	ck_assert_int_eq(b.team[1].next_slot, 5);
	ck_assert_int_eq(b.team[1].goahead_l, 0);
	ck_assert_int_eq(b.team[0].active[3].pos, G_POS_PH);
	ck_assert_int_eq(b.team[0].active[3].inherit, G_POS_2B);
	ck_assert_int_eq(b.team[0].active[9].order, 0);
	ck_assert_int_eq(b.team[1].npitchers, 2);
	ck_assert_int_eq(b.team[1].pitchers[1].save_sit, 1);
	ck_assert_int_eq(b.team[1].pitchers[1].entry_lead, 2);
	json_object_put(doc);
	json_object_put(doc2);
	json_object_put(again);
}
END_TEST

START_TEST(test_decisions_default)
{
	struct game_state	 st;
	struct json_object	*d;

	memset(&st, 0, sizeof(st));
	ck_assert_ptr_nonnull(d = game_json_decisions(&st));
	ck_assert_str_eq(json_object_to_json_string_ext(d,
	    JSON_C_TO_STRING_PLAIN),
	    "{\"defensive\":{\"alignment\":\"normal\",\"infield_depth\":"
	    "\"normal\",\"outfield_depth\":\"normal\",\"hold_runners\":[]},"
	    "\"offensive\":{\"approach\":\"normal\",\"steal_attempts\":[],"
	    "\"hit_and_run\":false,\"bunt_attempt\":false}}");
	json_object_put(d);
}
END_TEST

/* Each edit breaks the sample document in one place. */
static const struct {
	const char	*key;		/* top-level key to replace */
	const char	*value;		/* JSON; NULL removes the key */
} breaks[] = {
	{ "status", NULL },
	{ "status", "\"paused\"" },
	{ "half", "\"middle\"" },
	{ "outs", "4" },
	{ "outs", "\"1\"" },
	{ "inning", "0" },
	{ "use_dh", "1" },
	{ "bases", "[null, null]" },
	{ "bases", "[{\"id\": 1}, null, null]" },
	{ "defense", "{\"alignment\": \"normal\"}" },
	{ "defense", "{\"alignment\": \"zone\", \"infield_depth\": \"normal\", "
	    "\"outfield_depth\": \"normal\", \"hold_runners\": []}" },
	{ "offense", "{\"approach\": \"normal\", \"steal_attempts\": [4], "
	    "\"hit_and_run\": false, \"bunt_attempt\": false}" },
	{ "teams", "[]" },
	{ "teams", NULL },
	{ "winner", "\"nobody\"" },
	{ "play_count", "-1" },
};

START_TEST(test_broken)
{
	struct game_state	 a, b;
	struct json_object	*doc, *v = NULL;

	sample(&a);
	ck_assert_ptr_nonnull(doc = game_json_state(&a));
	json_object_object_del(doc, breaks[_i].key);
	if (breaks[_i].value != NULL) {
		v = json_tokener_parse(breaks[_i].value);
		ck_assert_ptr_nonnull(v);
		ck_assert_int_eq(json_object_object_add(doc, breaks[_i].key,
		    v), 0);
	}
	ck_assert_msg(game_json_read(doc, &b) == ERR_PROTO, "%s=%s accepted",
	    breaks[_i].key, breaks[_i].value ? breaks[_i].value : "(absent)");
	json_object_put(doc);
}
END_TEST

START_TEST(test_play_keys)
{
	static const char *const keys[] = { "play_number", "outcome",
		"hit_location", "error_bases", "inning", "half", "outs_before",
		"outs_after", "before", "after", "batter", "pitcher",
		"batting_side", "score_before", "score_after", "moves", "outs",
		"runs", "rbi", "earned_runs", "pa", "ab", "h", "b2", "b3", "hr",
		"bb", "ibb", "hbp", "so", "sh", "sf", "ci", "gidp", "e", "wp",
		"pb", "bk", "sb", "cs", "bphr", "bp1b", "bpfo", "bplo", "lob",
		"team_lob", "is_hit", "is_out", "is_walk", "hit_value",
		"batter_result", "ends_half", "ends_game", "winner",
		"description", NULL };
	struct g_play		 p;
	struct json_object	*doc, *v, *m;
	int			 i;

	memset(&p, 0, sizeof(p));
	p.number = 12;
	p.outcome = G_SINGLE_1;
	p.loc = G_LOC_CF;
	p.batting_side = G_HOME;
	p.half = G_BOTTOM;
	p.nmoves = 2;
	p.moves[0] = (struct g_move){ 7, 2, 4, 0, 1, 1, 1, 31, 0, 0 };
	p.moves[1] = (struct g_move){ 9, 0, 1, 0, 0, 0, 0, 31, 0, 0 };
	p.batter_result = "1B";
	(void)snprintf(p.description, sizeof(p.description), "%s",
	    "Kim singles to CF; Ortega scores.");
	ck_assert_ptr_nonnull(doc = game_json_play(&p));
	for (i = 0; keys[i] != NULL; i++)
		ck_assert_msg(json_object_object_get_ex(doc, keys[i], &v),
		    "missing %s", keys[i]);
	ck_assert(json_object_object_get_ex(doc, "hit_location", &v));
	ck_assert_str_eq(json_object_get_string(v), "CF");
	ck_assert(json_object_object_get_ex(doc, "moves", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 2);
	m = json_object_array_get_idx(v, 0);
	ck_assert(json_object_object_get_ex(m, "to", &v));
	ck_assert_int_eq(json_object_get_int(v), 4);
	ck_assert(json_object_object_get_ex(doc, "winner", &v));
	ck_assert_ptr_null(v);	/* not a game-ending play */
	json_object_put(doc);
}
END_TEST

static Suite *
game_json_suite(void)
{
	Suite	*s = suite_create("game_json");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_decisions_default);
	tcase_add_test(tc, test_play_keys);
	tcase_add_table(tc, test_broken, breaks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(game_json_suite());
}

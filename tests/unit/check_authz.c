/*
 * check_authz.c -- unit tests of authz.c: the rules of authz.h as a
 * table, then every combination of facts against the invariants the
 * rules promise.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "check_util.h"

#define GAME	"123e4567-e89b-12d3-a456-426614174000"
#define OUT	AUTHZ_OUTSIDE
#define SPEC	AUTHZ_SPECTATOR
#define PLAYER	AUTHZ_PLAYER

static const struct {
	const char		*row;
	struct authz_who	 who;	/* expired, admin, role, manages */
	struct authz_ask	 ask;	/* act, side, game_id, team_id */
	const char		*code;	/* NULL: allowed */
	const char		*field;
	const char		*message;
} rules[] = {
	/* 1: an expired token, whatever else is true */
	{ "expired, any event", { 1, 0, OUT, { 0, 0 } },
	  { AUTHZ_ANY, -1, NULL, 0 }, "AUTH_EXPIRED", NULL,
	  "Token expired: reconnect with a fresh token" },
	{ "expired admin player", { 1, 1, PLAYER, { 1, 1 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, "AUTH_EXPIRED", NULL,
	  "Token expired: reconnect with a fresh token" },
	{ "expired, watch", { 1, 0, OUT, { 0, 0 } },
	  { AUTHZ_WATCH, -1, GAME, 0 }, "AUTH_EXPIRED", NULL,
	  "Token expired: reconnect with a fresh token" },
	/* 2: watching */
	{ "anyone, any event", { 0, 0, OUT, { 0, 0 } },
	  { AUTHZ_ANY, -1, NULL, 0 }, NULL, NULL, NULL },
	{ "anyone joins as spectator", { 0, 0, OUT, { 0, 0 } },
	  { AUTHZ_WATCH, -1, GAME, 0 }, NULL, NULL, NULL },
	/* 3: joining as player */
	{ "stranger joins as player", { 0, 0, OUT, { 0, 0 } },
	  { AUTHZ_JOIN_PLAYER, -1, GAME, 0 }, "NOT_AUTHORIZED", "role",
	  "Not authorized to join as player: you manage neither team of "
	  "this game (join as spectator)" },
	{ "spectator asks to become player", { 0, 0, SPEC, { 0, 0 } },
	  { AUTHZ_JOIN_PLAYER, -1, GAME, 0 }, "NOT_AUTHORIZED", "role",
	  "Not authorized to join as player: you manage neither team of "
	  "this game (join as spectator)" },
	{ "away manager joins as player", { 0, 0, OUT, { 1, 0 } },
	  { AUTHZ_JOIN_PLAYER, -1, GAME, 0 }, NULL, NULL, NULL },
	{ "home manager joins as player", { 0, 0, OUT, { 0, 1 } },
	  { AUTHZ_JOIN_PLAYER, -1, GAME, 0 }, NULL, NULL, NULL },
	{ "admin joins as player", { 0, 1, OUT, { 0, 0 } },
	  { AUTHZ_JOIN_PLAYER, -1, GAME, 0 }, NULL, NULL, NULL },
	/* 4: membership first */
	{ "read before joining", { 0, 0, OUT, { 1, 1 } },
	  { AUTHZ_READ, -1, GAME, 0 }, "NOT_IN_GAME", "game_id",
	  "Not in game " GAME ": join_game first" },
	{ "admin acts before joining", { 0, 1, OUT, { 0, 0 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, "NOT_IN_GAME", "game_id",
	  "Not in game " GAME ": join_game first" },
	{ "manager decides before joining", { 0, 0, OUT, { 0, 1 } },
	  { AUTHZ_DEFENSE, 1, GAME, 0 }, "NOT_IN_GAME", "game_id",
	  "Not in game " GAME ": join_game first" },
	{ "bench in no room", { 0, 0, OUT, { 0, 0 } },
	  { AUTHZ_READ, -1, NULL, 0 }, "NOT_IN_GAME", NULL,
	  "Not in any game: join_game first" },
	/* 5: spectators read */
	{ "spectator reads", { 0, 0, SPEC, { 0, 0 } },
	  { AUTHZ_READ, -1, GAME, 0 }, NULL, NULL, NULL },
	{ "spectator rolls", { 0, 0, SPEC, { 0, 0 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, "NOT_AUTHORIZED", NULL,
	  "Spectators can only watch: join as player to act" },
	{ "manager who joined as spectator rolls", { 0, 0, SPEC, { 1, 0 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, "NOT_AUTHORIZED", NULL,
	  "Spectators can only watch: join as player to act" },
	{ "admin spectator substitutes", { 0, 1, SPEC, { 0, 0 } },
	  { AUTHZ_SUBSTITUTE, 0, GAME, 7 }, "NOT_AUTHORIZED", NULL,
	  "Spectators can only watch: join as player to act" },
	/* 6: playing the at-bat */
	{ "away manager rolls", { 0, 0, PLAYER, { 1, 0 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, NULL, NULL, NULL },
	{ "home manager rolls", { 0, 0, PLAYER, { 0, 1 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, NULL, NULL, NULL },
	{ "player removed from his team rolls", { 0, 0, PLAYER, { 0, 0 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, "NOT_AUTHORIZED", NULL,
	  "You no longer manage a team of this game" },
	{ "admin player rolls", { 0, 1, PLAYER, { 0, 0 } },
	  { AUTHZ_PLAY, -1, GAME, 0 }, NULL, NULL, NULL },
	/* 7: a side's decision */
	{ "fielding manager sets the defence", { 0, 0, PLAYER, { 0, 1 } },
	  { AUTHZ_DEFENSE, 1, GAME, 0 }, NULL, NULL, NULL },
	{ "batting manager sets the defence", { 0, 0, PLAYER, { 1, 0 } },
	  { AUTHZ_DEFENSE, 1, GAME, 0 }, "NOT_YOUR_TURN", NULL,
	  "Only the fielding team's manager may submit the defensive "
	  "decision" },
	{ "fielding manager sets the offence", { 0, 0, PLAYER, { 0, 1 } },
	  { AUTHZ_OFFENSE, 0, GAME, 0 }, "NOT_YOUR_TURN", NULL,
	  "Only the batting team's manager may submit the offensive "
	  "decision" },
	{ "ex-manager sets the offence", { 0, 0, PLAYER, { 0, 0 } },
	  { AUTHZ_OFFENSE, 0, GAME, 0 }, "NOT_AUTHORIZED", NULL,
	  "You no longer manage a team of this game" },
	{ "manager of both sets either", { 0, 0, PLAYER, { 1, 1 } },
	  { AUTHZ_OFFENSE, 0, GAME, 0 }, NULL, NULL, NULL },
	{ "admin sets the defence", { 0, 1, PLAYER, { 0, 0 } },
	  { AUTHZ_DEFENSE, 0, GAME, 0 }, NULL, NULL, NULL },
	{ "no such side", { 0, 0, PLAYER, { 1, 1 } },
	  { AUTHZ_DEFENSE, 2, GAME, 0 }, "NOT_AUTHORIZED", NULL,
	  "No such side" },
	/* 8: substitutions name a team */
	{ "substitute for a team not in the game", { 0, 0, PLAYER, { 1, 1 } },
	  { AUTHZ_SUBSTITUTE, -1, GAME, 99 }, "NOT_AUTHORIZED", "team_id",
	  "Team 99 is not playing in this game" },
	{ "admin substitutes for a team not in it", { 0, 1, PLAYER, { 0, 0 } },
	  { AUTHZ_SUBSTITUTE, -1, GAME, -5 }, "NOT_AUTHORIZED", "team_id",
	  "Team -5 is not playing in this game" },
	{ "substitute for the other team", { 0, 0, PLAYER, { 1, 0 } },
	  { AUTHZ_SUBSTITUTE, 1, GAME, 8 }, "NOT_AUTHORIZED", "team_id",
	  "Only the home team's manager may substitute for it" },
	{ "substitute for one's own team", { 0, 0, PLAYER, { 1, 0 } },
	  { AUTHZ_SUBSTITUTE, 0, GAME, 7 }, NULL, NULL, NULL },
	{ "admin substitutes for either", { 0, 1, PLAYER, { 0, 0 } },
	  { AUTHZ_SUBSTITUTE, 1, GAME, 8 }, NULL, NULL, NULL },
	/* an act authz does not know is refused, never allowed */
	{ "unknown act", { 0, 1, PLAYER, { 1, 1 } },
	  { (enum authz_act)99, 0, GAME, 0 }, "NOT_AUTHORIZED", NULL,
	  "Not authorized" },
};

START_TEST(test_rules)
{
	struct authz_no	 no;
	int		 ok;

	memset(&no, 0, sizeof(no));
	ok = authz_check(&rules[_i].who, &rules[_i].ask, &no);
	if (rules[_i].code == NULL) {
		ck_assert_msg(ok == 1, "%s: refused %s \"%s\"", rules[_i].row,
		    no.code, no.message);
		return;
	}
	ck_assert_msg(ok == 0, "%s: allowed", rules[_i].row);
	ck_assert_msg(no.code != NULL && strcmp(no.code, rules[_i].code) == 0,
	    "%s: code %s, want %s", rules[_i].row, no.code, rules[_i].code);
	ck_assert_msg(strcmp(no.message, rules[_i].message) == 0,
	    "%s: message \"%s\", want \"%s\"", rules[_i].row, no.message,
	    rules[_i].message);
	if (rules[_i].field == NULL)
		ck_assert_msg(no.field == NULL, "%s: field %s", rules[_i].row,
		    no.field);
	else
		ck_assert_msg(no.field != NULL &&
		    strcmp(no.field, rules[_i].field) == 0,
		    "%s: field %s, want %s", rules[_i].row, no.field,
		    rules[_i].field);
}
END_TEST

/*
 * Every combination of facts, act and side: the promises of authz.h that
 * hold whatever the rows above forgot.
 */
START_TEST(test_invariants)
{
	static const enum authz_act acts[] = { AUTHZ_ANY, AUTHZ_WATCH,
		AUTHZ_JOIN_PLAYER, AUTHZ_READ, AUTHZ_PLAY, AUTHZ_DEFENSE,
		AUTHZ_OFFENSE, AUTHZ_SUBSTITUTE };
	unsigned	 bits, a;
	int		 side, n = 0;

	for (bits = 0; bits < 16; bits++)
	for (int role = OUT; role <= PLAYER; role++)
	for (a = 0; a < NELEM(acts); a++)
	for (side = -1; side <= 1; side++) {
		struct authz_who	 w = { bits & 1, (bits >> 1) & 1,
			(enum authz_role)role, { (bits >> 2) & 1,
			(bits >> 3) & 1 } };
		struct authz_ask	 q = { acts[a], side, GAME, 42 };
		struct authz_no		 no;
		char			 what[96];
		int			 ok, own;

		(void)snprintf(what, sizeof(what), "expired %d admin %d role "
		    "%d manages %d/%d act %d side %d", w.expired, w.admin,
		    role, w.manages[0], w.manages[1], (int)q.act, side);
		memset(&no, 0, sizeof(no));
		ok = authz_check(&w, &q, &no);
		n++;
		if (!ok)
			ck_assert_msg(no.code != NULL && no.message[0] != '\0',
			    "%s: a refusal without code or message", what);
		if (w.expired) {
			ck_assert_msg(!ok && strcmp(no.code, "AUTH_EXPIRED")
			    == 0, "%s: an expired token acted", what);
			continue;
		}
		if (q.act == AUTHZ_ANY || q.act == AUTHZ_WATCH)
			ck_assert_msg(ok, "%s: watching refused", what);
		if (q.act == AUTHZ_JOIN_PLAYER)
			ck_assert_msg(ok == (w.admin || w.manages[0] ||
			    w.manages[1]), "%s: join as player", what);
		if (q.act >= AUTHZ_READ && w.role == OUT)
			ck_assert_msg(!ok && strcmp(no.code, "NOT_IN_GAME") ==
			    0, "%s: acted outside the room", what);
		if (q.act >= AUTHZ_PLAY && w.role != PLAYER)
			ck_assert_msg(!ok, "%s: a spectator acted", what);
		own = w.admin || (side >= 0 && w.manages[side]);
		if (q.act >= AUTHZ_DEFENSE && ok)
			ck_assert_msg(own, "%s: acted for a side not "
			    "managed", what);
		if (q.act >= AUTHZ_DEFENSE && w.role == PLAYER && own &&
		    side >= 0)
			ck_assert_msg(ok, "%s: own side refused", what);
		if (q.act == AUTHZ_READ && w.role != OUT)
			ck_assert_msg(ok, "%s: a member may not read", what);
	}
	ck_assert_int_eq(n, 16 * 3 * (int)NELEM(acts) * 3);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("authz");
	TCase	*tc = tcase_create("rules");

	tcase_add_table(tc, test_rules, rules);
	tcase_add_test(tc, test_invariants);
	suite_add_tcase(s, tc);
	return check_main(s);
}

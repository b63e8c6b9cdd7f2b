/*
 * check_db.c -- the database layer against a private PostgreSQL: every
 * statement of query.c prepares, and the transport functions of sql/
 * behave, including the outbox ordering trap of design.md decision 3 as a
 * real race between connections.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>	/* tests inspect tables directly */

#include "../unit/check_util.h"
#include "db.h"
#include "notify.h"
#include "pgtmp.h"

static struct pgtmp	 pg;
static int		 pg_state = -1;

/* A raw libpq connection for inspection and for racing transactions. */
static PGconn *
raw(void)
{
	PGconn	*c;

	ck_assert_int_eq(pg_state, 0);
	c = PQconnectdb(pg.conninfo);
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	return c;
}

static void
exec_ok(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);
	ExecStatusType	 st = PQresultStatus(r);

	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* The single value of a query, copied into out. */
static void
value(PGconn *c, const char *sql, char *out, size_t n)
{
	PGresult	*r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
	    PQerrorMessage(c));
	ck_assert_int_eq(PQntuples(r), 1);
	snprintf(out, n, "%s", PQgetisnull(r, 0, 0) ? "NULL" :
	    PQgetvalue(r, 0, 0));
	PQclear(r);
}

static void
new_session(PGconn *c, const char *sid)
{
	char	 sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO eio_session (sid, "
	    "ping_due_at, expires_at) VALUES ('%s', now() + interval '25 s', "
	    "now() + interval '45 s')", sid);
	exec_ok(c, sql);
}

/* Two teams (abbreviations a and b) and a game between them; its id into
 * game. */
static void
new_game(PGconn *c, const char *a, const char *b, char *game, size_t n)
{
	char	 t1[16], t2[16], sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO team (name, abbrev) VALUES "
	    "('%s', '%s') RETURNING id", a, a);
	value(c, sql, t1, sizeof(t1));
	snprintf(sql, sizeof(sql), "INSERT INTO team (name, abbrev) VALUES "
	    "('%s', '%s') RETURNING id", b, b);
	value(c, sql, t2, sizeof(t2));
	snprintf(sql, sizeof(sql), "INSERT INTO game (home_team_id, "
	    "away_team_id) VALUES (%s, %s) RETURNING id", t1, t2);
	value(c, sql, game, n);
}

/* What a poll of sid delivers now, joined by '|'. */
static void
take(PGconn *c, const char *sid, char *out, size_t n)
{
	char	 sql[256];

	snprintf(sql, sizeof(sql), "SELECT array_to_string(out_packets, '|') "
	    "FROM dugout_poll_take('%s', 'test', 25000, 20000, true)", sid);
	value(c, sql, out, n);
}

/* Wait until the backend pid is waiting for a lock (or give up after 5 s,
 * which fails the calling test). */
static void
wait_blocked(PGconn *c, int pid)
{
	char	 sql[256], got[16];
	int	 i;

	snprintf(sql, sizeof(sql), "SELECT wait_event_type IS NOT DISTINCT "
	    "FROM 'Lock' FROM pg_stat_activity WHERE pid = %d", pid);
	for (i = 0; i < 500; i++) {
		value(c, sql, got, sizeof(got));
		if (strcmp(got, "t") == 0)
			return;
		usleep(10000);
	}
	ck_abort_msg("backend %d never waited for a lock", pid);
}

/* sql fails with SQLSTATE state (e.g. "23505" unique_violation). */
static void
exec_fails(PGconn *c, const char *sql, const char *state)
{
	PGresult	*r = PQexec(c, sql);
	const char	*got;

	ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR,
	    "%s: did not fail", sql);
	got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	ck_assert_msg(got != NULL && strcmp(got, state) == 0,
	    "%s: SQLSTATE %s, wanted %s: %s", sql, got != NULL ? got : "?",
	    state, PQerrorMessage(c));
	PQclear(r);
}

/*
 * Cards, rosters and starting lineups for both teams of game: per team 13
 * cards on the roster -- C, 1B, 2B, 3B, SS, LF, CF, RF, a DH (a 1B card),
 * a starting pitcher, two relievers and a shortstop on the bench -- the
 * first ten in the lineup (DH in slot 9, the pitcher not batting,
 * pitcher_seq 1).
 */
static void
setup_lineups(PGconn *c, const char *game)
{
	char	 sql[2048];

	snprintf(sql, sizeof(sql),
	    "DO $$ DECLARE g game; t bigint; cid bigint; "
	    "pos text[] := ARRAY['C', '1B', '2B', '3B', 'SS', 'LF', 'CF', "
	    "'RF', 'DH', 'P', 'P', 'P', 'SS']; "
	    "BEGIN SELECT * INTO g FROM game WHERE id = '%s'; "
	    "FOREACH t IN ARRAY ARRAY[g.away_team_id, g.home_team_id] LOOP "
	    "FOR i IN 1..13 LOOP "
	    "INSERT INTO card (name, positions, pitcher_role) VALUES "
	    "(format('T%%s-%%s', t, i), ARRAY[CASE pos[i] WHEN 'DH' THEN '1B' "
	    "ELSE pos[i] END], CASE WHEN i = 10 THEN 'SP' WHEN i IN (11, 12) "
	    "THEN 'RP' END) RETURNING id INTO cid; "
	    "INSERT INTO roster (team_id, card_id) VALUES (t, cid); "
	    "IF i <= 10 THEN INSERT INTO lineup_entry (game_id, team_id, "
	    "card_id, position, batting_order, is_starter, pitcher_seq) VALUES "
	    "(g.id, t, cid, pos[i], CASE WHEN i <= 9 THEN i END, true, "
	    "CASE WHEN i = 10 THEN 1 END); END IF; "
	    "END LOOP; END LOOP; END $$", game);
	exec_ok(c, sql);
}

/* A game with both lineups set up; its id into game. */
static void
new_full_game(PGconn *c, const char *a, const char *b, char *game, size_t n)
{
	new_game(c, a, b, game, n);
	setup_lineups(c, game);
}

/* The lineup id of the away team's batter in slot (0: its pitcher), or
 * the home team's with home set. */
static void
entry_id(PGconn *c, const char *game, int home, int slot, char *out,
    size_t n)
{
	char	 sql[512];

	snprintf(sql, sizeof(sql), "SELECT l.id FROM lineup_entry l JOIN game "
	    "g ON g.id = l.game_id AND l.team_id = CASE WHEN %d = 1 THEN "
	    "g.home_team_id ELSE g.away_team_id END WHERE g.id = '%s' AND "
	    "l.is_active AND %s", home, game, slot == 0 ? "l.position = 'P'" :
	    slot == 1 ? "l.batting_order = 1" : slot == 2 ?
	    "l.batting_order = 2" : "l.batting_order = 3");
	value(c, sql, out, n);
}

/*
 * The play document of game_json.h (top of the first, away batting):
 * with runs 0 a single by batter off pitcher with nobody on, else a solo
 * home run.
 */
static void
play_doc(char *out, size_t n, int number, const char *batter,
    const char *pitcher, int away_before, int runs)
{
	snprintf(out, n, "{\"play_number\": %d, \"outcome\": \"%s\", "
	    "\"hit_location\": %s, \"error_bases\": 0, \"inning\": 1, "
	    "\"half\": \"top\", \"outs_before\": 0, \"outs_after\": 0, "
	    "\"before\": [null, null, null], \"after\": [%s, null, null], "
	    "\"batter\": %s, \"pitcher\": %s, \"batting_side\": \"away\", "
	    "\"score_before\": {\"away\": %d, \"home\": 0}, "
	    "\"score_after\": {\"away\": %d, \"home\": 0}, "
	    "\"moves\": [{\"id\": %s, \"from\": 0, \"to\": %d, \"out\": false, "
	    "\"scored\": %s, \"earned\": %s, \"rbi\": %s, \"pitcher\": %s, "
	    "\"sb\": false, \"cs\": false}], "
	    "\"outs\": 0, \"runs\": %d, \"rbi\": %d, \"earned_runs\": %d, "
	    "\"pa\": 1, \"ab\": 1, \"h\": 1, \"b2\": 0, \"b3\": 0, \"hr\": %d, "
	    "\"bb\": 0, \"ibb\": 0, \"hbp\": 0, \"so\": 0, \"sh\": 0, "
	    "\"sf\": 0, \"ci\": 0, \"gidp\": 0, \"e\": 0, \"wp\": 0, "
	    "\"pb\": 0, \"bk\": 0, "
	    "\"sb\": 0, \"cs\": 0, \"bphr\": 0, \"bp1b\": 0, \"bpfo\": 0, "
	    "\"bplo\": 0, \"lob\": 0, \"team_lob\": 0, \"is_hit\": true, "
	    "\"is_out\": false, \"is_walk\": false, \"hit_value\": %d, "
	    "\"batter_result\": \"%s\", \"ends_half\": false, "
	    "\"ends_game\": false, \"winner\": null, \"description\": "
	    "\"a %s\"}",
	    number, runs ? "homerun" : "single_1", runs ? "\"LF\"" : "null",
	    runs ? "null" : batter, batter, pitcher, away_before,
	    away_before + runs, batter, runs ? 4 : 1,
	    runs ? "true" : "false", runs ? "true" : "false",
	    runs ? "true" : "false", pitcher, runs, runs, runs, runs ? 1 : 0,
	    runs ? 4 : 1, runs ? "HR" : "1B", runs ? "home run" : "single");
}

START_TEST(test_prepare_all)
{
	struct db	*db = NULL;
	enum query	 failed = Q__MAX;

	ck_assert_int_eq(pg_state, 0);
	ck_assert_err(db_open(pg.conninfo, &db), ERR_OK);
	ck_assert_msg(db_prepare_all(db, &failed) == ERR_OK,
	    "statement %s does not prepare",
	    failed < Q__MAX ? query_get(failed)->name : "?");
	db_free(db);
}
END_TEST

/*
 * Decision 3: transaction A draws the lower outbox id but commits after
 * B.  A poll between the two commits delivers B's row; a cursor scheme
 * ("ids above the last delivered") would now skip A's row for ever.
 * Fan-out on write with DELETE delivers it on the next poll.
 */
START_TEST(test_outbox_late_commit)
{
	PGconn	*a = raw(), *b = raw(), *c = raw();
	char	 got[256], ida[32], idb[32];

	new_session(c, "RACERACERACERACERACE");
	exec_ok(a, "BEGIN");
	exec_ok(a, "SELECT dugout_queue('RACERACERACERACERACE', '4a')");
	exec_ok(b, "BEGIN");
	exec_ok(b, "SELECT dugout_queue('RACERACERACERACERACE', '4b')");
	exec_ok(b, "COMMIT");
	take(c, "RACERACERACERACERACE", got, sizeof(got));
	ck_assert_str_eq(got, "4b");
	value(a, "SELECT id FROM eio_outbox WHERE packet = '4a'", ida,
	    sizeof(ida));
	exec_ok(a, "COMMIT");
	/* The trap was real: A's id is below the one already delivered. */
	value(c, "SELECT last_value FROM eio_outbox_id_seq", idb, sizeof(idb));
	ck_assert_int_lt(atol(ida), atol(idb));
	take(c, "RACERACERACERACERACE", got, sizeof(got));
	ck_assert_str_eq(got, "4a");
	take(c, "RACERACERACERACERACE", got, sizeof(got));
	ck_assert_str_eq(got, "");
	PQfinish(a);
	PQfinish(b);
	PQfinish(c);
}
END_TEST

/* Room broadcasts serialise on the game row: a second broadcaster waits
 * for the first to commit, so every member sees commit order. */
START_TEST(test_room_order_under_lock)
{
	PGconn	*a = raw(), *b = raw(), *c = raw();
	char	 got[256], game[64], sql[512];
	PGresult *r;

	new_game(c, "RAA", "RBB", game, sizeof(game));
	new_session(c, "MEMBERMEMBERMEMBER01");
	exec_ok(c, "INSERT INTO sio_socket (id, sid, user_id, "
	    "token_expires_at) VALUES ('sock1', 'MEMBERMEMBERMEMBER01', 'u1', "
	    "now() + interval '1 h')");
	snprintf(sql, sizeof(sql), "INSERT INTO room_member (socket_id, "
	    "game_id, role) VALUES ('sock1', '%s', 'spectator')", game);
	exec_ok(c, sql);
	exec_ok(a, "BEGIN");
	snprintf(sql, sizeof(sql), "SELECT 1 FROM game WHERE id = '%s' FOR "
	    "UPDATE", game);
	exec_ok(a, sql);
	exec_ok(b, "BEGIN");
	/* B asks for the lock without waiting for it. */
	ck_assert_int_eq(PQsendQuery(b, sql), 1);
	wait_blocked(c, PQbackendPID(b));
	snprintf(sql, sizeof(sql), "SELECT dugout_room_emit('%s', '4first', "
	    "NULL)", game);
	exec_ok(a, sql);
	exec_ok(a, "COMMIT");
	while ((r = PQgetResult(b)) != NULL)
		PQclear(r);
	snprintf(sql, sizeof(sql), "SELECT dugout_room_emit('%s', '4second', "
	    "NULL)", game);
	exec_ok(b, sql);
	exec_ok(b, "COMMIT");
	take(c, "MEMBERMEMBERMEMBER01", got, sizeof(got));
	ck_assert_str_eq(got, "4first|4second");
	PQfinish(a);
	PQfinish(b);
	PQfinish(c);
}
END_TEST

/*
 * sql/012_limits.sql: a session's queue stops at its max_queued.  The
 * broadcast that finds it full runs under the game lock while another
 * transaction holds the session row (as a poll or a sweep does): it must
 * not wait for it (statement_timeout would fail it).  The full session is
 * marked, gets nothing more, and its next GET ends it: user_disconnected
 * to the room, its queue gone, the sid unknown.
 */
START_TEST(test_outbox_bound)
{
	PGconn	*a = raw(), *b = raw(), *c = raw();
	char	 got[512], game[64], sql[512];
	int	 i;

	new_game(c, "QAA", "QBB", game, sizeof(game));
	new_session(c, "BOUNDBOUNDBOUNDBOUND");
	new_session(c, "OTHEROTHEROTHEROTHER");
	exec_ok(c, "UPDATE eio_session SET max_queued = 3 WHERE sid = "
	    "'BOUNDBOUNDBOUNDBOUND'");
	exec_ok(c, "INSERT INTO sio_socket (id, sid, user_id, "
	    "token_expires_at) VALUES ('qsock1', 'BOUNDBOUNDBOUNDBOUND', "
	    "'slow', now() + interval '1 h'), ('qsock2', "
	    "'OTHEROTHEROTHEROTHER', 'fast', now() + interval '1 h')");
	snprintf(sql, sizeof(sql), "INSERT INTO room_member (socket_id, "
	    "game_id, role) VALUES ('qsock1', '%s', 'spectator'), "
	    "('qsock2', '%s', 'spectator')", game, game);
	exec_ok(c, sql);
	exec_ok(b, "BEGIN");
	exec_ok(b, "SELECT 1 FROM eio_session WHERE sid = "
	    "'BOUNDBOUNDBOUNDBOUND' FOR NO KEY UPDATE");
	exec_ok(a, "BEGIN");
	exec_ok(a, "SET LOCAL statement_timeout = '3s'");
	snprintf(sql, sizeof(sql), "SELECT 1 FROM game WHERE id = '%s' FOR "
	    "UPDATE", game);
	exec_ok(a, sql);
	for (i = 1; i <= 5; i++) {
		snprintf(sql, sizeof(sql), "SELECT dugout_room_emit('%s', "
		    "'4p%d', NULL)", game, i);
		exec_ok(a, sql);
	}
	exec_ok(a, "SELECT dugout_queue('BOUNDBOUNDBOUNDBOUND', '4direct')");
	exec_ok(a, "COMMIT");
	exec_ok(b, "COMMIT");
	value(c, "SELECT string_agg(packet, '|' ORDER BY id) FROM eio_outbox "
	    "WHERE sid = 'BOUNDBOUNDBOUNDBOUND'", got, sizeof(got));
	ck_assert_str_eq(got, "4p1|4p2|4p3");
	value(c, "SELECT count(*) FROM eio_overflow WHERE sid = "
	    "'BOUNDBOUNDBOUNDBOUND'", got, sizeof(got));
	ck_assert_str_eq(got, "1");
	value(c, "SELECT state FROM dugout_get_take('BOUNDBOUNDBOUNDBOUND', "
	    "'test', 1000, 25000, 20000)", got, sizeof(got));
	ck_assert_str_eq(got, "unknown");
	value(c, "SELECT (SELECT count(*) FROM eio_session WHERE sid = "
	    "'BOUNDBOUNDBOUNDBOUND') + (SELECT count(*) FROM eio_outbox WHERE "
	    "sid = 'BOUNDBOUNDBOUNDBOUND') + (SELECT count(*) FROM "
	    "eio_overflow) + (SELECT count(*) FROM sio_socket WHERE id = "
	    "'qsock1')", got, sizeof(got));
	ck_assert_str_eq(got, "0");
	take(c, "OTHEROTHEROTHEROTHER", got, sizeof(got));
	snprintf(sql, sizeof(sql), "4p1|4p2|4p3|4p4|4p5|42[\"user_"
	    "disconnected\", {\"game_id\": \"%s\", \"user_id\": "
	    "\"slow\"}]", game);
	ck_assert_str_eq(got, sql);
	PQfinish(a);
	PQfinish(b);
	PQfinish(c);
}
END_TEST

/* protocol.md §4: a second GET while one is held closes the session and
 * the held GET carries the close packet; then the sid is unknown. */
START_TEST(test_concurrent_get)
{
	PGconn	*c = raw();
	char	 got[64];

	new_session(c, "GETGETGETGETGETGETGE");
	value(c, "SELECT state FROM dugout_get_take('GETGETGETGETGETGETGE', "
	    "'p1', 30000, 25000, 20000)", got, sizeof(got));
	ck_assert_str_eq(got, "ok");
	value(c, "SELECT state FROM dugout_get_take('GETGETGETGETGETGETGE', "
	    "'p2', 30000, 25000, 20000)", got, sizeof(got));
	ck_assert_str_eq(got, "conflict");
	take(c, "GETGETGETGETGETGETGE", got, sizeof(got));
	ck_assert_str_eq(got, "1");
	value(c, "SELECT count(*) FROM eio_session WHERE sid = "
	    "'GETGETGETGETGETGETGE'", got, sizeof(got));
	ck_assert_str_eq(got, "0");
	PQfinish(c);
}
END_TEST

/* A session nobody polls expires; its rooms hear user_disconnected. */
START_TEST(test_sweep_expiry)
{
	PGconn	*c = raw();
	char	 got[512], game[64], sql[512];

	new_game(c, "SCC", "SDD", game, sizeof(game));
	new_session(c, "STAYSTAYSTAYSTAYSTAY");
	new_session(c, "GONEGONEGONEGONEGONE");
	exec_ok(c, "UPDATE eio_session SET expires_at = now() - interval "
	    "'1 s' WHERE sid = 'GONEGONEGONEGONEGONE'");
	exec_ok(c, "INSERT INTO sio_socket (id, sid, user_id, "
	    "token_expires_at) VALUES ('stay', 'STAYSTAYSTAYSTAYSTAY', 'u-stay',"
	    " now() + interval '1 h'), ('gone', 'GONEGONEGONEGONEGONE', "
	    "'u-gone', now() + interval '1 h')");
	snprintf(sql, sizeof(sql), "INSERT INTO room_member (socket_id, "
	    "game_id, role) VALUES ('stay', '%s', 'player'), ('gone', '%s', "
	    "'spectator')", game, game);
	exec_ok(c, sql);
	value(c, "SELECT dugout_sweep(45000)", got, sizeof(got));
	ck_assert_int_ge(atoi(got), 1);
	take(c, "STAYSTAYSTAYSTAYSTAY", got, sizeof(got));
	snprintf(sql, sizeof(sql), "42[\"user_disconnected\", {\"game_id\": "
	    "\"%s\", \"user_id\": \"u-gone\"}]", game);
	ck_assert_str_eq(got, sql);
	value(c, "SELECT count(*) FROM eio_session WHERE sid = "
	    "'GONEGONEGONEGONEGONE'", got, sizeof(got));
	ck_assert_str_eq(got, "0");
	PQfinish(c);
}
END_TEST

/* The ping is due: a poll carries '2' first, and a pong re-arms it. */
START_TEST(test_ping_pong)
{
	PGconn	*c = raw();
	char	 got[64];

	new_session(c, "PINGPINGPINGPINGPING");
	exec_ok(c, "UPDATE eio_session SET ping_due_at = now() - interval "
	    "'1 ms' WHERE sid = 'PINGPINGPINGPINGPING'");
	exec_ok(c, "SELECT dugout_queue('PINGPINGPINGPINGPING', '4x')");
	take(c, "PINGPINGPINGPINGPING", got, sizeof(got));
	ck_assert_str_eq(got, "2|4x");
	take(c, "PINGPINGPINGPINGPING", got, sizeof(got));
	ck_assert_str_eq(got, "");	/* no second ping before the pong */
	value(c, "SELECT dugout_pong('PINGPINGPINGPINGPING', 25000, 20000)",
	    got, sizeof(got));
	ck_assert_str_eq(got, "t");
	value(c, "SELECT pong_due_at IS NULL AND ping_due_at > now() FROM "
	    "eio_session WHERE sid = 'PINGPINGPINGPINGPING'", got, sizeof(got));
	ck_assert_str_eq(got, "t");
	PQfinish(c);
}
END_TEST

/*
 * A disconnect racing a join: A joins (socket FOR SHARE, game FOR UPDATE,
 * membership, user_connected) and has not committed when B ends that
 * socket.  B must wait for A and then see the membership, so the room
 * hears user_disconnected after user_connected, and nobody stays a member.
 */
START_TEST(test_join_close_race)
{
	PGconn		*a = raw(), *b = raw(), *c = raw();
	PGresult	*r;
	char		 got[1024], game[64], sql[512];

	new_game(c, "JEE", "JFF", game, sizeof(game));
	new_session(c, "WATCHWATCHWATCHWATCH");
	new_session(c, "JOINJOINJOINJOINJOIN");
	exec_ok(c, "INSERT INTO sio_socket (id, sid, user_id, "
	    "token_expires_at) VALUES ('watch', 'WATCHWATCHWATCHWATCH', 'w', "
	    "now() + interval '1 h'), ('joiner', 'JOINJOINJOINJOINJOIN', 'j', "
	    "now() + interval '1 h')");
	snprintf(sql, sizeof(sql), "INSERT INTO room_member (socket_id, "
	    "game_id, role) VALUES ('watch', '%s', 'spectator')", game);
	exec_ok(c, sql);
	exec_ok(a, "BEGIN");
	exec_ok(a, "SELECT 1 FROM sio_socket WHERE id = 'joiner' FOR SHARE");
	snprintf(sql, sizeof(sql), "SELECT 1 FROM game WHERE id = '%s' FOR "
	    "UPDATE", game);
	exec_ok(a, sql);
	snprintf(sql, sizeof(sql), "INSERT INTO room_member (socket_id, "
	    "game_id, role) VALUES ('joiner', '%s', 'spectator')", game);
	exec_ok(a, sql);
	snprintf(sql, sizeof(sql), "SELECT dugout_room_emit('%s', "
	    "'4connected', NULL)", game);
	exec_ok(a, sql);
	ck_assert_int_eq(PQsendQuery(b, "SELECT dugout_socket_end('joiner')"),
	    1);
	wait_blocked(c, PQbackendPID(b));	/* B now waits on A's locks */
	exec_ok(a, "COMMIT");
	while ((r = PQgetResult(b)) != NULL) {
		ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
		PQclear(r);
	}
	take(c, "WATCHWATCHWATCHWATCH", got, sizeof(got));
	snprintf(sql, sizeof(sql), "4connected|42[\"user_disconnected\", "
	    "{\"game_id\": \"%s\", \"user_id\": \"j\"}]", game);
	ck_assert_str_eq(got, sql);
	value(c, "SELECT count(*) FROM room_member WHERE socket_id = 'joiner'",
	    got, sizeof(got));
	ck_assert_str_eq(got, "0");
	PQfinish(a);
	PQfinish(b);
	PQfinish(c);
}
END_TEST

/* Every table, column and function of ours carries a COMMENT ON, so a DBA
 * can read the schema from the database itself. */
START_TEST(test_everything_commented)
{
	PGconn	*c = raw();
	char	 got[4096];

	value(c, "SELECT coalesce(string_agg(c.relname || '.' || a.attname, "
	    "', '), '') FROM pg_class c JOIN pg_namespace n ON n.oid = "
	    "c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE "
	    "n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm') AND "
	    "a.attnum > 0 AND NOT a.attisdropped AND "
	    "col_description(c.oid, a.attnum) IS NULL", got, sizeof(got));
	ck_assert_msg(got[0] == '\0', "columns without a comment: %s", got);
	value(c, "SELECT coalesce(string_agg(c.relname, ', '), '') FROM "
	    "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
	    "n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm') AND "
	    "obj_description(c.oid, 'pg_class') IS NULL", got, sizeof(got));
	ck_assert_msg(got[0] == '\0', "tables without a comment: %s", got);
	value(c, "SELECT coalesce(string_agg(p.proname, ', '), '') FROM "
	    "pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE "
	    "n.nspname = 'public' AND p.proname LIKE 'dugout\\_%' AND "
	    "obj_description(p.oid, 'pg_proc') IS NULL", got, sizeof(got));
	ck_assert_msg(got[0] == '\0', "functions without a comment: %s", got);
	PQfinish(c);
}
END_TEST

/* A second concurrent POST closes the session like a second GET. */
START_TEST(test_concurrent_post)
{
	PGconn	*c = raw();
	char	 got[64];

	new_session(c, "POSTPOSTPOSTPOSTPOST");
	value(c, "SELECT dugout_post_begin('POSTPOSTPOSTPOSTPOST', 30000)",
	    got, sizeof(got));
	ck_assert_str_eq(got, "ok");
	value(c, "SELECT dugout_post_begin('POSTPOSTPOSTPOSTPOST', 30000)",
	    got, sizeof(got));
	ck_assert_str_eq(got, "conflict");
	value(c, "SELECT closing FROM eio_session WHERE sid = "
	    "'POSTPOSTPOSTPOSTPOST'", got, sizeof(got));
	ck_assert_str_eq(got, "t");
	take(c, "POSTPOSTPOSTPOSTPOST", got, sizeof(got));
	ck_assert_str_eq(got, "1");
	value(c, "SELECT dugout_post_begin('POSTPOSTPOSTPOSTPOST', 30000)",
	    got, sizeof(got));
	ck_assert_str_eq(got, "unknown");
	PQfinish(c);
}
END_TEST

/*
 * Box-score views of sql/005_stats.sql over a two-inning game written by
 * hand (st_fixture): away 3, home 2.  Covers a HR, walks, strikeouts, two
 * double plays, a sac fly, an error, a stolen base, a pitching change with
 * an inherited runner who scores, unearned runs, a pinch hitter who stays
 * in as the DH, and team LOB at the half ends.  Every expected figure was
 * computed by hand from the plays below (rules.md §3).
 */
static void
st_fixture(PGconn *c, char *game, size_t n)
{
	char	 sql[8192];

	new_game(c, "STHOM", "STAWY", game, n);
	/* code -> lineup id, for this connection only */
	exec_ok(c, "CREATE TEMP TABLE st_who (code text PRIMARY KEY, "
	    "lineup_id bigint)");
	snprintf(sql, sizeof(sql),
	    "WITH g AS (SELECT id, home_team_id AS h, away_team_id AS a "
	    "FROM game WHERE id = '%s'), "
	    "spec (code, side, pos, slot, seq, starter) AS (VALUES "
	    "('A1', 'a', 'CF', 1, NULL, true), ('A2', 'a', 'SS', 2, NULL, true),"
	    "('A3', 'a', '1B', 3, NULL, true), ('A4', 'a', 'DH', 4, NULL, true),"
	    "('A5', 'a', 'LF', 5, NULL, true), ('A6', 'a', 'C', 6, NULL, true),"
	    "('AP1', 'a', 'P', NULL, 1, true), ('AP2', 'a', 'P', NULL, 2, false),"
	    "('A7', 'a', 'DH', 4, NULL, false),"
	    "('H1', 'h', '2B', 1, NULL, true), ('H2', 'h', 'LF', 2, NULL, true),"
	    "('H3', 'h', 'C', 3, NULL, true), ('H4', 'h', 'RF', 4, NULL, true),"
	    "('H5', 'h', 'SS', 5, NULL, true), ('H6', 'h', 'DH', 6, NULL, true),"
	    "('HP1', 'h', 'P', NULL, 1, true)), "
	    "cards AS (INSERT INTO card (name, positions) SELECT 'Stats ' || "
	    "code, ARRAY[CASE pos WHEN 'DH' THEN 'LF' ELSE pos END] FROM spec "
	    "RETURNING id, name), "
	    "le AS (INSERT INTO lineup_entry (game_id, team_id, card_id, "
	    "position, batting_order, is_starter, is_active, entered_play, "
	    "left_play, pitcher_seq) "
	    "SELECT g.id, CASE s.side WHEN 'a' THEN g.a ELSE g.h END, k.id, "
	    "s.pos, s.slot, s.starter, s.code NOT IN ('AP1', 'A4'), "
	    "CASE s.code WHEN 'AP2' THEN 9 WHEN 'A7' THEN 17 ELSE 0 END, "
	    "CASE s.code WHEN 'AP1' THEN 9 WHEN 'A4' THEN 17 END, s.seq "
	    "FROM spec s JOIN cards k ON k.name = 'Stats ' || s.code, g "
	    "RETURNING id, card_id) "
	    "INSERT INTO st_who SELECT substr(k.name, 7), le.id "
	    "FROM le JOIN cards k ON k.id = le.card_id", game);
	exec_ok(c, sql);
	/* The pitching change after play 9, the pinch hitter after 17. */
	snprintf(sql, sizeof(sql),
	    "UPDATE lineup_entry SET replaced_id = CASE id "
	    "WHEN (SELECT lineup_id FROM st_who WHERE code = 'AP2') THEN "
	    "(SELECT lineup_id FROM st_who WHERE code = 'AP1') ELSE "
	    "(SELECT lineup_id FROM st_who WHERE code = 'A4') END, "
	    "inherit_position = CASE position WHEN 'DH' THEN 'DH' END "
	    "WHERE id IN (SELECT lineup_id FROM st_who WHERE code IN "
	    "('AP2', 'A7'));"
	    "INSERT INTO substitution (game_id, team_id, type, player_out_id, "
	    "player_in_id, position, batting_order, after_play, inning, half, "
	    "outs, requested_by) SELECT '%s', g.away_team_id, t.type, o.lineup_id,"
	    " i.lineup_id, t.pos, t.slot, t.after, t.inning, t.half, t.outs, "
	    "'test' FROM game g, (VALUES ('pitching_change', 'AP1', 'AP2', 'P', "
	    "NULL::int, 9, 1, 'bottom', 1), ('pinch_hitter', 'A4', 'A7', 'PH', 4,"
	    " 17, 2, 'top', 2)) AS t(type, o, i, pos, slot, after, inning, half,"
	    " outs) JOIN st_who o ON o.code = t.o JOIN st_who i ON i.code = t.i "
	    "WHERE g.id = '%s'", game, game);
	exec_ok(c, sql);
	/* Plays: number, inning, half, outs before/after, runners on 1st,
	 * 2nd, 3rd before, batter, pitcher, outcome, runs, and the counters
	 * (k=v, or a boolean column's name). */
	exec_ok(c, "CREATE TEMP TABLE st_play (n int, inning int, half text, "
	    "ob int, oa int, r1 text, r2 text, r3 text, bat text, pit text, "
	    "outcome text, runs int, c text)");
	exec_ok(c, "INSERT INTO st_play VALUES "
	    "(1, 1, 'top', 0, 0, NULL, NULL, NULL, 'A1', 'HP1', 'walk', 0, "
	    "'pa=1 bb=1 is_walk'),"
	    "(2, 1, 'top', 0, 0, 'A1', NULL, NULL, 'A2', 'HP1', 'stolen_base', "
	    "0, 'sb=1'),"
	    "(3, 1, 'top', 0, 1, NULL, 'A1', NULL, 'A2', 'HP1', 'strikeout', 0, "
	    "'pa=1 ab=1 so=1 outs=1 lob=1 is_out'),"
	    "(4, 1, 'top', 1, 1, NULL, 'A1', NULL, 'A3', 'HP1', 'homerun', 2, "
	    "'pa=1 ab=1 h=1 hr=1 rbi=2 earned_runs=2 hit_value=4 is_hit'),"
	    "(5, 1, 'top', 1, 1, NULL, NULL, NULL, 'A4', 'HP1', 'single_1', 0, "
	    "'pa=1 ab=1 h=1 hit_value=1 is_hit'),"
	    "(6, 1, 'top', 1, 3, 'A4', NULL, NULL, 'A5', 'HP1', 'groundball_a', "
	    "0, 'pa=1 ab=1 gidp=1 outs=2 is_out ends_half'),"
	    "(7, 1, 'bottom', 0, 0, NULL, NULL, NULL, 'H1', 'AP1', 'error', 0, "
	    "'pa=1 ab=1 e=1'),"
	    "(8, 1, 'bottom', 0, 0, 'H1', NULL, NULL, 'H2', 'AP1', 'single_2', "
	    "0, 'pa=1 ab=1 h=1 hit_value=1 is_hit'),"
	    "(9, 1, 'bottom', 0, 1, 'H2', NULL, 'H1', 'H3', 'AP1', 'flyball_b', "
	    "1, 'pa=1 sf=1 outs=1 rbi=1 lob=1 is_out'),"
	    "(10, 1, 'bottom', 1, 1, 'H2', NULL, NULL, 'H4', 'AP2', 'walk', 0, "
	    "'pa=1 bb=1 is_walk'),"
	    "(11, 1, 'bottom', 1, 2, 'H4', 'H2', NULL, 'H5', 'AP2', 'strikeout',"
	    " 0, 'pa=1 ab=1 so=1 outs=1 lob=2 is_out'),"
	    "(12, 1, 'bottom', 2, 2, 'H4', 'H2', NULL, 'H6', 'AP2', 'single_1', "
	    "1, 'pa=1 ab=1 h=1 rbi=1 hit_value=1 is_hit'),"
	    "(13, 1, 'bottom', 2, 3, 'H6', 'H4', NULL, 'H1', 'AP2', 'popout', 0,"
	    " 'pa=1 ab=1 outs=1 lob=2 team_lob=2 is_out ends_half'),"
	    "(14, 2, 'top', 0, 0, NULL, NULL, NULL, 'A6', 'HP1', 'single_1', 0, "
	    "'pa=1 ab=1 h=1 hit_value=1 is_hit'),"
	    "(15, 2, 'top', 0, 0, 'A6', NULL, NULL, 'A1', 'HP1', 'double_3', 1, "
	    "'pa=1 ab=1 h=1 b2=1 rbi=1 earned_runs=1 hit_value=2 is_hit'),"
	    "(16, 2, 'top', 0, 1, NULL, 'A1', NULL, 'A2', 'HP1', 'strikeout', 0,"
	    " 'pa=1 ab=1 so=1 outs=1 lob=1 is_out'),"
	    "(17, 2, 'top', 1, 2, NULL, 'A1', NULL, 'A3', 'HP1', 'lineout', 0, "
	    "'pa=1 ab=1 outs=1 lob=1 is_out'),"
	    "(18, 2, 'top', 2, 3, NULL, 'A1', NULL, 'A7', 'HP1', 'groundball_c',"
	    " 0, 'pa=1 ab=1 outs=1 lob=1 team_lob=1 is_out ends_half'),"
	    "(19, 2, 'bottom', 0, 1, NULL, NULL, NULL, 'H2', 'AP2', 'strikeout', "
	    "0, 'pa=1 ab=1 so=1 outs=1 is_out'),"
	    "(20, 2, 'bottom', 1, 1, NULL, NULL, NULL, 'H3', 'AP2', 'hbp', 0, "
	    "'pa=1 hbp=1'),"
	    "(21, 2, 'bottom', 1, 3, 'H3', NULL, NULL, 'H4', 'AP2', "
	    "'groundball_a', 0, 'pa=1 ab=1 gidp=1 outs=2 is_out ends_half "
	    "ends_game')");
	exec_ok(c, "CREATE FUNCTION pg_temp.st_c(c text, k text) RETURNS "
	    "smallint LANGUAGE sql AS $$ SELECT coalesce(substring(' ' || c || "
	    "' ' FROM ' ' || k || '=([0-9]+) '), '0')::smallint $$;"
	    "CREATE FUNCTION pg_temp.st_f(c text, k text) RETURNS boolean "
	    "LANGUAGE sql AS $$ SELECT position(' ' || k || ' ' IN ' ' || c || "
	    "' ') > 0 $$");
	snprintf(sql, sizeof(sql),
	    "INSERT INTO play (game_id, play_number, inning, half, outs_before,"
	    " outs_after, on_base_code, runner_1_before, runner_2_before, "
	    "runner_3_before, batter_id, pitcher_id, batting_team_id, "
	    "fielding_team_id, outcome, away_score_before, home_score_before, "
	    "away_score_after, home_score_after, outs, runs, rbi, earned_runs, "
	    "pa, ab, h, b2, b3, hr, bb, ibb, hbp, so, sh, sf, ci, gidp, e, wp, "
	    "pb, bk, sb, cs, lob, team_lob, hit_value, is_hit, is_out, is_walk,"
	    " ends_half, ends_game) "
	    "SELECT g.id, p.n, p.inning, p.half, p.ob, p.oa, "
	    "(r1.lineup_id IS NOT NULL)::int::text || "
	    "(r2.lineup_id IS NOT NULL)::int::text || "
	    "(r3.lineup_id IS NOT NULL)::int::text, r1.lineup_id, r2.lineup_id,"
	    " r3.lineup_id, b.lineup_id, q.lineup_id, "
	    "CASE p.half WHEN 'top' THEN g.away_team_id ELSE g.home_team_id END,"
	    " CASE p.half WHEN 'top' THEN g.home_team_id ELSE g.away_team_id END,"
	    " p.outcome, s.a - s.ar, s.h - s.hr, s.a, s.h, "
	    "pg_temp.st_c(p.c, 'outs'), p.runs, pg_temp.st_c(p.c, 'rbi'), "
	    "pg_temp.st_c(p.c, 'earned_runs'), pg_temp.st_c(p.c, 'pa'), pg_temp.st_c(p.c, 'ab'), "
	    "pg_temp.st_c(p.c, 'h'), pg_temp.st_c(p.c, 'b2'), pg_temp.st_c(p.c, 'b3'), pg_temp.st_c(p.c, 'hr'),"
	    " pg_temp.st_c(p.c, 'bb'), pg_temp.st_c(p.c, 'ibb'), pg_temp.st_c(p.c, 'hbp'), "
	    "pg_temp.st_c(p.c, 'so'), pg_temp.st_c(p.c, 'sh'), pg_temp.st_c(p.c, 'sf'), "
	    "pg_temp.st_c(p.c, 'ci'), pg_temp.st_c(p.c, 'gidp'), pg_temp.st_c(p.c, 'e'), "
	    "pg_temp.st_c(p.c, 'wp'), pg_temp.st_c(p.c, 'pb'), pg_temp.st_c(p.c, 'bk'), "
	    "pg_temp.st_c(p.c, 'sb'), pg_temp.st_c(p.c, 'cs'), pg_temp.st_c(p.c, 'lob'), "
	    "pg_temp.st_c(p.c, 'team_lob'), pg_temp.st_c(p.c, 'hit_value'), "
	    "pg_temp.st_f(p.c, 'is_hit'), pg_temp.st_f(p.c, 'is_out'), pg_temp.st_f(p.c, 'is_walk'), "
	    "pg_temp.st_f(p.c, 'ends_half'), pg_temp.st_f(p.c, 'ends_game') "
	    "FROM st_play p CROSS JOIN game g "
	    "JOIN st_who b ON b.code = p.bat JOIN st_who q ON q.code = p.pit "
	    "LEFT JOIN st_who r1 ON r1.code = p.r1 "
	    "LEFT JOIN st_who r2 ON r2.code = p.r2 "
	    "LEFT JOIN st_who r3 ON r3.code = p.r3 "
	    "JOIN (SELECT n, coalesce(sum(runs) FILTER (WHERE half = 'top') "
	    "OVER w, 0) AS a, coalesce(sum(runs) FILTER (WHERE half = "
	    "'bottom') OVER w, 0) AS h, "
	    "CASE half WHEN 'top' THEN runs ELSE 0 END AS ar, "
	    "CASE half WHEN 'bottom' THEN runs ELSE 0 END AS hr FROM st_play "
	    "WINDOW w AS (ORDER BY n)) s ON s.n = p.n "
	    "WHERE g.id = '%s' ORDER BY p.n", game);
	exec_ok(c, sql);
	/* Runner movements: play, runner, from, to, flags, charged pitcher. */
	snprintf(sql, sizeof(sql),
	    "INSERT INTO play_runner (play_id, lineup_id, from_base, to_base, "
	    "out, scored, earned, rbi, sb, cs, responsible_pitcher_id) "
	    "SELECT p.id, w.lineup_id, t.f, t.t, pg_temp.st_f(t.fl, 'out'), "
	    "pg_temp.st_f(t.fl, 'scored'), pg_temp.st_f(t.fl, 'earned'), pg_temp.st_f(t.fl, 'rbi'), "
	    "pg_temp.st_f(t.fl, 'sb'), pg_temp.st_f(t.fl, 'cs'), rp.lineup_id "
	    "FROM (VALUES (1, 'A1', 0, 1, '', 'HP1'), (2, 'A1', 1, 2, 'sb', "
	    "'HP1'), (4, 'A1', 2, 4, 'scored earned rbi', 'HP1'), "
	    "(4, 'A3', 0, 4, 'scored earned rbi', 'HP1'), "
	    "(5, 'A4', 0, 1, '', 'HP1'), (6, 'A4', 1, 2, 'out', 'HP1'), "
	    "(6, 'A5', 0, 1, 'out', 'HP1'), (7, 'H1', 0, 1, '', 'AP1'), "
	    "(8, 'H1', 1, 3, '', 'AP1'), (8, 'H2', 0, 1, '', 'AP1'), "
	    /* reached on an error: unearned */
	    "(9, 'H1', 3, 4, 'scored rbi', 'AP1'), "
	    "(10, 'H2', 1, 2, '', 'AP1'), (10, 'H4', 0, 1, '', 'AP2'), "
	    /* 2 outs + the error's phantom out: unearned (§3.4 rule 3) */
	    "(12, 'H2', 2, 4, 'scored rbi', 'AP1'), "
	    "(12, 'H4', 1, 2, '', 'AP2'), (12, 'H6', 0, 1, '', 'AP2'), "
	    "(14, 'A6', 0, 1, '', 'HP1'), "
	    "(15, 'A6', 1, 4, 'scored earned rbi', 'HP1'), "
	    "(15, 'A1', 0, 2, '', 'HP1'), (20, 'H3', 0, 1, '', 'AP2'), "
	    "(21, 'H3', 1, 2, 'out', 'AP2'), (21, 'H4', 0, 1, 'out', 'AP2')) "
	    "AS t(n, who, f, t, fl, rp) "
	    "JOIN play p ON p.game_id = '%s' AND p.play_number = t.n "
	    "JOIN st_who w ON w.code = t.who JOIN st_who rp ON rp.code = t.rp",
	    game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO pitcher_decision (game_id, lineup_id, decision) "
	    "SELECT '%s', w.lineup_id, t.d FROM (VALUES ('AP2', 'W'), "
	    "('AP2', 'BS'), ('HP1', 'L')) AS t(who, d) JOIN st_who w ON "
	    "w.code = t.who;"
	    "UPDATE game SET status = 'final', inning = 2, half = 'bottom', "
	    "away_score = 3, home_score = 2, play_count = 21, "
	    "winner_team_id = away_team_id WHERE id = '%s'", game, game);
	exec_ok(c, sql);
}

/* The rows of a query over the fixture, one per line joined by '|'. */
static void
st_rows(PGconn *c, const char *sql, char *out, size_t n)
{
	char	 q[4096];

	snprintf(q, sizeof(q), "SELECT coalesce(string_agg(l, '|' ORDER BY "
	    "o), '') FROM (%s) AS r(l, o)", sql);
	value(c, q, out, n);
}

START_TEST(test_stats_views)
{
	PGconn	*c = raw();
	char	 game[64], sql[2048], got[4096];

	st_fixture(c, game, sizeof(game));

	/* code pos pa ab r h 2b 3b hr rbi bb ibb so hbp sh sf sb cs gidp lob
	 * tb, in box-score order: away first, A7 (PH-DH) after A4. */
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', w.code, b.position,"
	    " b.pa, b.ab, b.r, b.h, b.doubles, b.triples, b.hr, b.rbi, b.bb, "
	    "b.ibb, b.so, b.hbp, b.sh, b.sf, b.sb, b.cs, b.gidp, b.lob, b.tb),"
	    " b.rn FROM (SELECT *, row_number() OVER () AS rn FROM "
	    "batting_line WHERE game_id = '%s') b JOIN st_who w ON "
	    "w.lineup_id = b.lineup_id", game);
	st_rows(c, sql, got, sizeof(got));
	ck_assert_str_eq(got,
	    "A1 CF 2 1 1 1 1 0 0 1 1 0 0 0 0 0 1 0 0 0 2|"
	    "A2 SS 2 2 0 0 0 0 0 0 0 0 2 0 0 0 0 0 0 2 0|"
	    "A3 1B 2 2 1 1 0 0 1 2 0 0 0 0 0 0 0 0 0 1 4|"
	    "A4 DH 1 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1|"
	    "A7 PH-DH 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0|"
	    "A5 LF 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0|"
	    "A6 C 1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1|"
	    "H1 2B 2 2 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2 0|"
	    "H2 LF 2 2 1 1 0 0 0 0 0 0 1 0 0 0 0 0 0 0 1|"
	    "H3 C 2 0 0 0 0 0 0 1 0 0 0 1 0 1 0 0 0 1 0|"
	    "H4 RF 2 1 0 0 0 0 0 0 1 0 0 0 0 0 0 0 1 0 0|"
	    "H5 SS 1 1 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 2 0|"
	    "H6 DH 1 1 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 1");

	/* code seq ip outs bf h r er bb ibb so hr hbp wp bk ir irs gs dec.
	 * AP2 inherits H2 (charged to AP1, unearned), who scores on him. */
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', w.code, "
	    "p.pitcher_seq, p.ip, p.outs, p.bf, p.h, p.r, p.er, p.bb, p.ibb, "
	    "p.so, p.hr, p.hbp, p.wp, p.bk, p.ir, p.irs, p.gs, "
	    "coalesce(p.decision, '-')), p.rn FROM (SELECT *, row_number() "
	    "OVER () AS rn FROM pitching_line WHERE game_id = '%s') p JOIN "
	    "st_who w ON w.lineup_id = p.lineup_id", game);
	st_rows(c, sql, got, sizeof(got));
	ck_assert_str_eq(got,
	    "AP1 1 0.1 1 3 1 2 0 0 0 0 0 0 0 0 0 0 t -|"
	    "AP2 2 1.2 5 7 1 0 0 1 0 2 0 1 0 0 1 1 f W|"
	    "HP1 1 2.0 6 10 4 3 3 1 0 2 1 0 0 0 0 0 t L");

	/* side r h e lob pa ab bb hbp sh sf ci outs_made */
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', t.side, t.r, t.h, "
	    "t.e, t.lob, t.pa, t.ab, t.bb, t.hbp, t.sh, t.sf, t.ci, "
	    "t.outs_made), t.side FROM team_line t WHERE t.game_id = '%s'",
	    game);
	st_rows(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "away 3 4 1 1 10 9 1 0 0 0 0 6|"
	    "home 2 2 0 2 10 7 1 1 0 1 0 6");

	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', l.half, l.inning, "
	    "l.runs), l.inning * 2 + (l.half = 'bottom')::int FROM line_score "
	    "l WHERE l.game_id = '%s'", game);
	st_rows(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "top 1 2|bottom 1 2|top 2 1|bottom 2 0");

	/* rules.md §3.1: 10 = 10 for both teams. */
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', i.lhs, i.rhs, i.ok),"
	    " i.team_id FROM box_score_identity i WHERE i.game_id = '%s'",
	    game);
	st_rows(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "10 10 t|10 10 t");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
	    "dugout_check_identity() WHERE game_id = '%s'", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "0");

	/* game_summary */
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', away_abbrev, "
	    "away_score, home_abbrev, home_score, innings, winner_abbrev, "
	    "winning_pitcher, losing_pitcher, coalesce(save_pitcher, '-')) "
	    "FROM game_summary WHERE game_id = '%s'", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "STAWY 3 STHOM 2 2 STAWY Stats AP2 Stats HP1 -");

	/* A box-score identity that fails is reported (then restored). */
	snprintf(sql, sizeof(sql), "UPDATE play SET team_lob = 3 WHERE "
	    "game_id = '%s' AND play_number = 13", game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', lhs, rhs) FROM "
	    "dugout_check_identity() WHERE game_id = '%s'", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "10 11");
	snprintf(sql, sizeof(sql), "UPDATE play SET team_lob = 2 WHERE "
	    "game_id = '%s' AND play_number = 13", game);
	exec_ok(c, sql);

	/* dugout_box_score is events.md's box_score value, from the same
	 * views. */
	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE st_box AS SELECT "
	    "dugout_box_score('%s')::jsonb AS j", game);
	exec_ok(c, sql);
	value(c, "SELECT string_agg(k, ',' ORDER BY k COLLATE \"C\") FROM st_box, "
	    "jsonb_object_keys(j) k", got, sizeof(got));
	ck_assert_str_eq(got, "batting_stats,linescore,pitching_stats,"
	    "team_stats");
	value(c, "SELECT string_agg(k, ',' ORDER BY k COLLATE \"C\") FROM st_box, "
	    "jsonb_object_keys(j->'batting_stats'->0) k", got, sizeof(got));
	ck_assert_str_eq(got, "ab,batting_order,bb,card_id,cs,doubles,gidp,"
	    "h,hbp,hr,ibb,lineup_id,lob,name,pa,position,r,rbi,sb,sf,sh,so,"
	    "team_id,triples");
	value(c, "SELECT string_agg(k, ',' ORDER BY k COLLATE \"C\") FROM st_box, "
	    "jsonb_object_keys(j->'pitching_stats'->0) k", got, sizeof(got));
	ck_assert_str_eq(got, "bb,bf,bk,card_id,decision,er,h,hbp,hr,ibb,ip,"
	    "lineup_id,name,outs,r,so,team_id,wp");
	value(c, "SELECT (j->'team_stats')::text || ' ' || "
	    "(j->'linescore')::text FROM st_box", got, sizeof(got));
	ck_assert_str_eq(got, "{\"away\": {\"e\": 1, \"h\": 4, \"r\": 3, "
	    "\"lob\": 1}, \"home\": {\"e\": 0, \"h\": 2, \"r\": 2, \"lob\": 2}} "
	    "{\"away\": [2, 1], \"home\": [2, 0]}");
	/* Order and the lines themselves: the same as the views'. */
	value(c, "SELECT string_agg(e->>'name' || ':' || (e->>'position') || "
	    "':' || (e->>'ab'), ',' ORDER BY o) FROM st_box, "
	    "jsonb_array_elements(j->'batting_stats') WITH ORDINALITY AS "
	    "t(e, o)", got, sizeof(got));
	ck_assert_str_eq(got, "Stats A1:CF:1,Stats A2:SS:2,Stats A3:1B:2,"
	    "Stats A4:DH:1,Stats A7:PH-DH:1,Stats A5:LF:1,Stats A6:C:1,"
	    "Stats H1:2B:2,Stats H2:LF:2,Stats H3:C:0,Stats H4:RF:1,"
	    "Stats H5:SS:1,Stats H6:DH:1");
	value(c, "SELECT string_agg(e->>'name' || ':' || (e->>'ip') || ':' || "
	    "coalesce(e->>'decision', 'null'), ',' ORDER BY o) FROM st_box, "
	    "jsonb_array_elements(j->'pitching_stats') WITH ORDINALITY AS "
	    "t(e, o)", got, sizeof(got));
	ck_assert_str_eq(got, "Stats AP1:0.1:null,Stats AP2:1.2:W,"
	    "Stats HP1:2.0:L");
	value(c, "SELECT jsonb_typeof(j->'pitching_stats'->0->'decision') "
	    "FROM st_box", got, sizeof(got));
	ck_assert_str_eq(got, "null");
	value(c, "SELECT dugout_box_score(gen_random_uuid()) IS NULL", got,
	    sizeof(got));
	ck_assert_str_eq(got, "t");

	/* Season materialized views: without the game until refreshed, then
	 * its numbers; the refresh is CONCURRENTLY (it needs the unique
	 * indexes) and can run again at once. */
	value(c, "SELECT count(*) FROM season_batting s JOIN st_who w ON "
	    "s.card_id = (SELECT card_id FROM lineup_entry WHERE id = "
	    "w.lineup_id)", got, sizeof(got));
	ck_assert_str_eq(got, "0");
	exec_ok(c, "SELECT dugout_refresh_stats()");
	exec_ok(c, "SELECT dugout_refresh_stats()");
	/* code g pa ab r h 2b 3b hr rbi bb so sb cs avg obp slg ops */
	value(c, "SELECT string_agg(concat_ws(' ', w.code, s.g, s.pa, s.ab, "
	    "s.r, s.h, s.doubles, s.triples, s.hr, s.rbi, s.bb, s.so, s.sb, "
	    "s.cs, coalesce(s.avg::text, '-'), coalesce(s.obp::text, '-'), "
	    "coalesce(s.slg::text, '-'), coalesce(s.ops::text, '-')), '|' "
	    "ORDER BY w.code) FROM season_batting s JOIN lineup_entry le ON "
	    "le.card_id = s.card_id AND le.team_id = s.team_id JOIN st_who w "
	    "ON w.lineup_id = le.id WHERE w.code IN ('A1', 'A3', 'H3')", got,
	    sizeof(got));
	ck_assert_str_eq(got,
	    "A1 1 2 1 1 1 1 0 0 1 1 0 1 0 1.000 1.000 2.000 3.000|"
	    "A3 1 2 2 1 1 0 0 1 2 0 0 0 0 0.500 0.500 2.000 2.500|"
	    "H3 1 2 0 0 0 0 0 0 1 0 0 0 0 - 0.500 - -");
	/* code g gs w l sv hld outs ip h r er bb so hr era whip */
	value(c, "SELECT string_agg(concat_ws(' ', w.code, s.g, s.gs, s.w, "
	    "s.l, s.sv, s.hld, s.outs, s.ip, s.h, s.r, s.er, s.bb, s.so, s.hr,"
	    " s.era, s.whip), '|' ORDER BY w.code) FROM season_pitching s "
	    "JOIN lineup_entry le ON le.card_id = s.card_id AND le.team_id = "
	    "s.team_id JOIN st_who w ON w.lineup_id = le.id", got,
	    sizeof(got));
	ck_assert_str_eq(got,
	    "AP1 1 1 0 0 0 0 1 0.1 1 2 0 0 0 0 0.00 3.00|"
	    "AP2 1 0 1 0 0 0 5 1.2 1 0 0 1 2 0 0.00 1.20|"
	    "HP1 1 1 0 1 0 0 6 2.0 4 3 3 1 2 1 13.50 2.50");
	value(c, "SELECT bs FROM season_pitching s JOIN lineup_entry le ON "
	    "le.card_id = s.card_id JOIN st_who w ON w.lineup_id = le.id "
	    "WHERE w.code = 'AP2'", got, sizeof(got));
	ck_assert_str_eq(got, "1");
	PQfinish(c);
}
END_TEST

/* dugout_game_load of a game set up but not started has every key of the
 * state document of src/game_json.h, and the lineups in it. */
START_TEST(test_game_load_keys)
{
	PGconn	*c = raw();
	char	 game[64], sql[2048], got[1024], p[32];

	new_full_game(c, "LKA", "LKB", game, sizeof(game));
	snprintf(sql, sizeof(sql), "WITH d AS (SELECT dugout_game_load('%s')"
	    "::jsonb AS d) SELECT coalesce(string_agg(k, ','), '') FROM d, "
	    "unnest(ARRAY['status', 'scheduled_innings', 'use_dh', "
	    "'extra_runner', 'inning', 'half', 'outs', 'phantom_outs', "
	    "'play_count', 'roll_pending', 'winner', 'bases', 'defense', "
	    "'offense', 'teams', 'pending_decision', 'names', 'team_ids', "
	    "'t.next_slot', 't.pitcher', 't.score', 't.goahead_w', "
	    "'t.goahead_l', 't.active', 't.pitchers', 'a.id', 'a.card', "
	    "'a.position', 'a.batting_order', 'a.inherit', 'p.id', 'p.outs', "
	    "'p.bf', 'p.starter', 'p.entry_lead', 'p.entry_runners', "
	    "'p.save_sit', 'p.blown', 'p.entry_half_done']) k WHERE NOT "
	    "CASE split_part(k, '.', 1) "
	    "WHEN 't' THEN d #> '{teams,1}' ? split_part(k, '.', 2) "
	    "WHEN 'a' THEN d #> '{teams,1,active,0}' ? split_part(k, '.', 2) "
	    "WHEN 'p' THEN d #> '{teams,1,pitchers,0}' ? split_part(k, '.', 2) "
	    "ELSE d ? k END", game);
	value(c, sql, got, sizeof(got));
	ck_assert_msg(got[0] == '\0', "keys missing: %s", got);

	entry_id(c, game, 1, 0, p, sizeof(p));
	snprintf(sql, sizeof(sql), "WITH d AS (SELECT dugout_game_load('%s')"
	    "::jsonb AS d) SELECT concat_ws(' ', d->>'status', "
	    "jsonb_array_length(d->'teams'), "
	    "jsonb_array_length(d #> '{teams,0,active}'), "
	    "jsonb_array_length(d #> '{teams,1,pitchers}'), "
	    "d #>> '{teams,1,pitcher}' = '%s', "
	    "d #>> '{teams,1,pitchers,0,id}' = '%s', "
	    "d #>> '{teams,1,pitchers,0,starter}', "
	    "d #>> '{teams,0,active,9,batting_order}', "
	    "d #>> '{teams,0,active,9,position}', "
	    "(SELECT count(*) FROM jsonb_object_keys(d->'names')), "
	    "d->'bases', d->'defense' IS NULL OR d->'defense' = 'null', "
	    "d->>'roll_pending', d->>'pending_decision') FROM d", game, p, p);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "pending 2 10 1 t t true 0 P 20 "
	    "[null, null, null] t false defensive");
	PQfinish(c);
}
END_TEST

/* A state saved is the state loaded: game columns, runners, slots,
 * positions, pitcher flags survive the trip unchanged. */
START_TEST(test_game_save_roundtrip)
{
	PGconn	*c = raw();
	char	 game[64], sql[4096], got[256], r1[32], p[32];

	new_full_game(c, "RTA", "RTB", game, sizeof(game));
	entry_id(c, game, 1, 1, r1, sizeof(r1));
	entry_id(c, game, 0, 0, p, sizeof(p));
	exec_ok(c, "BEGIN");
	snprintf(sql, sizeof(sql), "SELECT 1 FROM game WHERE id = '%s' FOR "
	    "UPDATE", game);
	exec_ok(c, sql);
	/* Bottom of the 3rd, two out, a home runner on second charged to
	 * the away starter, the home 1st and 2nd slots swapped between
	 * C and 1B, the away starter's flags set. */
	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE want AS SELECT "
	    "(d || jsonb_build_object('status', 'active', 'inning', 3, "
	    "'half', 'bottom', 'outs', 2, 'phantom_outs', 1, 'play_count', 17, "
	    "'pending_decision', 'offensive', 'bases', jsonb_build_array(NULL, "
	    "jsonb_build_object('id', %s, 'pitcher', %s, 'unearned', true), "
	    "NULL)))"
	    " #- '{x}' AS d FROM (SELECT jsonb_set(jsonb_set(jsonb_set("
	    "jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set("
	    "dugout_game_load('%s')::jsonb, "
	    "'{teams,0,score}', '2'), '{teams,1,score}', '1'), "
	    "'{teams,1,next_slot}', '4'), "
	    "'{teams,1,active,0,position}', '\"1B\"'), "
	    "'{teams,1,active,1,position}', '\"C\"'), "
	    "'{teams,0,pitchers,0,entry_half_done}', 'true'), "
	    "'{teams,0,pitchers,0,blown}', 'true'), "
	    "'{teams,0,goahead_w}', to_jsonb(%s)) AS d) x",
	    r1, p, game, p);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT dugout_game_save('%s', (SELECT "
	    "d::json FROM want))", game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT (SELECT d FROM want) = "
	    "dugout_game_load('%s')::jsonb", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t");
	/* and again, from what was loaded */
	snprintf(sql, sizeof(sql), "SELECT dugout_game_save('%s', "
	    "dugout_game_load('%s'))", game, game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT (SELECT d FROM want) = "
	    "dugout_game_load('%s')::jsonb", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t");
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', status, "
	    "started_at IS NOT NULL, finished_at IS NULL, runner_2_unearned, "
	    "home_score, away_score, outs) FROM game WHERE id = '%s'", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "active t t t 1 2 2");
	exec_ok(c, "COMMIT");
	PQfinish(c);
}
END_TEST

/* A roll becomes pending; the play that uses it is recorded with its
 * runner rows and marks it used; a second play with it is refused. */
START_TEST(test_play_record)
{
	PGconn	*c = raw();
	char	 game[64], sql[4096], doc[3072], got[1024], roll[32], b[32],
		 p[32];

	new_full_game(c, "PRA", "PRB", game, sizeof(game));
	entry_id(c, game, 0, 1, b, sizeof(b));
	entry_id(c, game, 1, 0, p, sizeof(p));
	snprintf(sql, sizeof(sql), "SELECT dugout_decision_record('%s', "
	    "'defensive', (SELECT home_team_id FROM game WHERE id = '%s'), "
	    "'u-home', '{\"infield_depth\": \"in\", \"hold_runners\": [1]}')",
	    game, game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT dugout_roll_new('%s', 'u-away', "
	    "'sock', 4, 3, 5, 1, 12, true, false, 600)->>'roll_id'", game);
	value(c, sql, roll, sizeof(roll));
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', "
	    "g.pending_roll_id = %s, g.pending_decision, "
	    "dugout_game_load(g.id)->>'roll_pending', "
	    "dugout_game_state(g.id) #>> '{pending_roll,roll_id}' = '%s', "
	    "dugout_game_state(g.id) #>> '{pending_roll,d6_two_total}', "
	    "dugout_game_state(g.id) #>> "
	    "'{decisions,defensive,infield_depth}', "
	    "r.play_number, r.used_at IS NULL) "
	    "FROM game g JOIN dice_roll r ON r.id = g.pending_roll_id "
	    "WHERE g.id = '%s'", roll, roll, game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t outcome true t 8 in 1 t");

	play_doc(doc, sizeof(doc), 1, b, p, 0, 0);
	snprintf(sql, sizeof(sql), "SELECT dugout_play_record('%s', %s, "
	    "'u-away', '%s')", game, roll, doc);
	value(c, sql, got, sizeof(got));
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', r.used_at IS NOT "
	    "NULL, r.play_id = p.id, p.on_base_code, p.runner_1_after = %s, "
	    "p.defensive_decision_id IS NOT NULL, "
	    "p.offensive_decision_id IS NULL, p.batting_team_id = "
	    "g.away_team_id, p.h, p.hit_value, p.submitted_by, "
	    "(SELECT string_agg(concat_ws(':', x.from_base, x.to_base, "
	    "x.lineup_id = %s, x.responsible_pitcher_id = %s), ',') "
	    "FROM play_runner x WHERE x.play_id = p.id)) "
	    "FROM play p JOIN dice_roll r ON r.id = p.roll_id "
	    "JOIN game g ON g.id = p.game_id WHERE p.id = %s", b, b, p, got);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t t 000 t t t t 1 1 u-away 0:1:t:t");
	snprintf(sql, sizeof(sql), "SELECT (SELECT dugout_play_json(id) FROM "
	    "play WHERE game_id = '%s')::jsonb - 'game_id' = "
	    "'{\"play_number\": "
	    "1, \"outcome\": \"single_1\", \"hit_location\": null, "
	    "\"description\": \"a single\", \"outs_recorded\": 0, "
	    "\"runs_scored\": 0, \"batter_result\": \"1B\", "
	    "\"runners_advanced\": [{\"from\": 0, \"to\": 1}], "
	    "\"is_hit\": true, "
	    "\"is_out\": false, \"is_walk\": false, \"roll_id\": %s, "
	    "\"inning\": 1, \"half\": \"top\", \"outs_after\": 0, \"score\": "
	    "{\"home\": 0, \"away\": 0}}'::jsonb", game, roll);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t");

	/* Used once: the same roll again fails on play.roll_id UNIQUE. */
	play_doc(doc, sizeof(doc), 2, b, p, 0, 0);
	snprintf(sql, sizeof(sql), "SELECT dugout_play_record('%s', %s, "
	    "'u-away', '%s')", game, roll, doc);
	exec_fails(c, sql, "23505");
	/* And a play number is used once too. */
	play_doc(doc, sizeof(doc), 1, b, p, 0, 0);
	snprintf(sql, sizeof(sql), "SELECT dugout_play_record('%s', NULL, "
	    "'u-away', '%s')", game, doc);
	exec_fails(c, sql, "23505");
	/* A second play, a home run without a roll: recent plays, oldest
	 * first, and the line score sums the runs. */
	play_doc(doc, sizeof(doc), 2, b, p, 0, 1);
	snprintf(sql, sizeof(sql), "SELECT dugout_play_record('%s', NULL, "
	    "'u-away', '%s')", game, doc);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "UPDATE game SET status = 'active', "
	    "away_score = 1 WHERE id = '%s'", game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', "
	    "json_array_length(dugout_recent_plays('%s', 10)), "
	    "dugout_recent_plays('%s', 10) -> 0 ->> 'play_number', "
	    "dugout_recent_plays('%s', 1) -> 0 ->> 'play_number', "
	    "dugout_recent_plays('%s', 1) -> 0 -> 'runners_advanced', "
	    "dugout_game_state('%s') -> 'linescore')",
	    game, game, game, game, game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "2 1 2 [{\"from\" : 0, \"to\" : 4}] "
	    "{\"away\": [1], \"home\": []}");
	PQfinish(c);
}
END_TEST

/*
 * The audit trail (sql/011_audit.sql): an accepted roll and the
 * submission that consumed it, joined by audit_trail to the dice and the
 * play; the constraints keep an accepted row without a code, a refused
 * one with a code and no links, and a play only on a submission; the
 * read-only role reads it.
 */
START_TEST(test_audit)
{
	PGconn	*c = raw();
	char	 game[64], sql[4096], doc[3072], got[1024], roll[32], b[32],
		 p[32], play[32];
	static const char ins[] = "INSERT INTO audit_event (game_id, event, "
	    "user_id, is_admin, socket_id, payload, outcome, code, message, "
	    "roll_id, play_id) VALUES ";

	new_full_game(c, "AUA", "AUB", game, sizeof(game));
	entry_id(c, game, 0, 1, b, sizeof(b));
	entry_id(c, game, 1, 0, p, sizeof(p));
	snprintf(sql, sizeof(sql), "SELECT dugout_roll_new('%s', 'u-away', "
	    "'sock', 4, 3, 5, 7, 12, false, false, 600)->>'roll_id'", game);
	value(c, sql, roll, sizeof(roll));
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u-away', false, "
	    "'sock', '{\"game_id\": \"%s\"}', 'ok', NULL, NULL, %s, NULL)",
	    ins, game, game, roll);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u-away', false, "
	    "'sock', '{}', 'refused', 'ROLL_PENDING', 'A roll is already "
	    "pending', NULL, NULL)", ins, game);
	exec_ok(c, sql);
	play_doc(doc, sizeof(doc), 1, b, p, 0, 0);
	snprintf(sql, sizeof(sql), "SELECT dugout_play_record('%s', %s, "
	    "'u-away', '%s')", game, roll, doc);
	value(c, sql, play, sizeof(play));
	snprintf(sql, sizeof(sql), "%s('%s', 'submit_manual_outcome', "
	    "'admin-1', true, 'sock2', '{\"outcome\": \"single_1\"}', 'ok', "
	    "NULL, NULL, %s, %s)", ins, game, roll, play);
	exec_ok(c, sql);
	/* in order; the roll's row shows the play that consumed it */
	snprintf(sql, sizeof(sql), "SELECT string_agg(concat_ws(':', event, "
	    "outcome, coalesce(code, '-'), d6_two_total, roll_play_id = %s, "
	    "play_id = %s, play_outcome, is_admin), ' ' ORDER BY id) "
	    "FROM audit_trail WHERE game_id = '%s'", play, play, game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "roll_dice:ok:-:8:t:f "
	    "roll_dice:refused:ROLL_PENDING:f "
	    "submit_manual_outcome:ok:-:8:t:t:single_1:t");
	snprintf(sql, sizeof(sql), "SELECT count(*) || ' ' || "
	    "bool_and(line LIKE '%%roll_dice user=u-away socket=sock ok roll=%%') "
	    "FROM (SELECT line FROM dugout_audit_lines('%s') LIMIT 1) x",
	    game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "1 true");
	/* constraints */
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u', false, 's', "
	    "'{}', 'refused', NULL, 'no code', NULL, NULL)", ins, game);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u', false, 's', "
	    "'{}', 'ok', 'ROLL_PENDING', NULL, NULL, NULL)", ins, game);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u', false, 's', "
	    "'{}', 'refused', 'ROLL_PENDING', 'x', %s, NULL)", ins, game,
	    roll);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u', false, 's', "
	    "'{}', 'ok', NULL, NULL, NULL, %s)", ins, game, play);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u', false, 's', "
	    "'[]', 'ok', NULL, NULL, NULL, NULL)", ins, game);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "%s('%s', 'roll_dice', 'u', false, 's', "
	    "'{}', 'maybe', NULL, NULL, NULL, NULL)", ins, game);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "%s(NULL, 'Roll Dice', 'u', false, 's', "
	    "'{}', 'ok', NULL, NULL, NULL, NULL)", ins);
	exec_fails(c, sql, "23514");
	/* a refusal for a game that does not exist is kept: no FK */
	snprintf(sql, sizeof(sql), "%s(gen_random_uuid(), 'roll_dice', 'u', "
	    "false, 's', '{}', 'refused', 'GAME_NOT_FOUND', 'x', NULL, NULL)",
	    ins);
	exec_ok(c, sql);
	value(c, "SELECT has_table_privilege('dugout_readonly', "
	    "'audit_event', 'SELECT') AND has_table_privilege("
	    "'dugout_readonly', 'audit_trail', 'SELECT') AND NOT "
	    "has_table_privilege('dugout_readonly', 'audit_event', 'INSERT')",
	    got, sizeof(got));
	ck_assert_str_eq(got, "t");
	PQfinish(c);
}
END_TEST

/* An expired roll is simply not pending, in the engine's state and in
 * the public one, though the game still points at it. */
START_TEST(test_roll_expired)
{
	PGconn	*c = raw();
	char	 game[64], sql[1024], got[256];

	new_full_game(c, "EXA", "EXB", game, sizeof(game));
	snprintf(sql, sizeof(sql), "SELECT dugout_roll_new('%s', 'u', NULL, "
	    "1, 1, 1, 20, 20, false, false, 600)", game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "UPDATE dice_roll SET rolled_at = now() - "
	    "interval '11 min', expires_at = now() - interval '1 min' "
	    "WHERE game_id = '%s'", game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', "
	    "pending_roll_id IS NOT NULL, "
	    "dugout_game_load(id)->>'roll_pending', "
	    "dugout_game_state(id)->'pending_roll') FROM game WHERE id = '%s'",
	    game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t false null");
	PQfinish(c);
}
END_TEST

/* A pitching change: the starter leaves (inactive, left_play), the
 * reliever enters as pitcher 2 with a substitution row; a card already
 * in the game cannot enter again. */
START_TEST(test_lineup_enter)
{
	PGconn	*c = raw();
	char	 game[64], sql[2048], got[512], p[32], id[32], team[32],
		 card[32];

	new_full_game(c, "LEA", "LEB", game, sizeof(game));
	entry_id(c, game, 1, 0, p, sizeof(p));
	snprintf(sql, sizeof(sql), "SELECT home_team_id FROM game WHERE id = "
	    "'%s'", game);
	value(c, sql, team, sizeof(team));
	snprintf(sql, sizeof(sql), "SELECT c.id FROM card c JOIN roster r ON "
	    "r.card_id = c.id WHERE r.team_id = %s AND c.pitcher_role = 'RP' "
	    "ORDER BY c.id LIMIT 1", team);
	value(c, sql, card, sizeof(card));
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', in_roster, appeared, "
	    "positions) FROM dugout_card_status('%s', %s, %s)", game, team,
	    card);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t f {P}");
	snprintf(sql, sizeof(sql), "UPDATE game SET play_count = 5, "
	    "status = 'active' WHERE id = '%s'", game);
	exec_ok(c, sql);
	exec_ok(c, "BEGIN");
	snprintf(sql, sizeof(sql), "SELECT dugout_lineup_enter('%s', %s, %s, "
	    "'P', NULL, %s, 'pitching_change', 'u-home', NULL)", game, team,
	    card, p);
	value(c, sql, id, sizeof(id));
	snprintf(sql, sizeof(sql), "SELECT dugout_game_save('%s', jsonb_set("
	    "dugout_game_load('%s')::jsonb, '{teams,1,pitcher}', '%s')::json)",
	    game, game, id);
	exec_ok(c, sql);
	exec_ok(c, "COMMIT");
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', o.is_active, "
	    "o.left_play, n.is_active, n.is_starter, n.entered_play, "
	    "n.pitcher_seq, n.replaced_id = o.id, n.batting_order IS NULL, "
	    "s.type, s.after_play, s.inning, s.half, g.home_pitcher_id = n.id, "
	    "dugout_game_state(g.id) #>> '{pitcher,lineup_id}' = n.id::text, "
	    "json_array_length(dugout_game_load(g.id) #> "
	    "'{teams,1,pitchers}'), "
	    "json_array_length(dugout_lineup(g.id, %s) -> 'players'), "
	    "json_array_length(dugout_lineup(g.id, %s) -> 'bench'), "
	    "dugout_lineup(g.id, %s) #>> '{players,10,is_active}') "
	    "FROM lineup_entry o JOIN lineup_entry n ON n.id = %s "
	    "JOIN substitution s ON s.player_in_id = n.id "
	    "JOIN game g ON g.id = n.game_id WHERE o.id = %s",
	    team, team, team, id, p);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "f 5 t f 5 2 t t pitching_change 5 1 top t t "
	    "2 11 2 false");
	snprintf(sql, sizeof(sql), "SELECT appeared FROM "
	    "dugout_card_status('%s', %s, %s)", game, team, card);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t");
	/* No re-entry: the starter's card again, for his replacement. */
	snprintf(sql, sizeof(sql), "SELECT dugout_lineup_enter('%s', %s, "
	    "(SELECT card_id FROM lineup_entry WHERE id = %s), 'P', NULL, %s, "
	    "'pitching_change', 'u-home', NULL)", game, team, p, id);
	exec_fails(c, sql, "23505");
	/* Nor can a player leave twice. */
	snprintf(sql, sizeof(sql), "SELECT dugout_lineup_enter('%s', %s, "
	    "(SELECT max(id) FROM card), 'P', NULL, %s, 'pitching_change', "
	    "'u-home', NULL)", game, team, p);
	exec_fails(c, sql, "P0002");
	PQfinish(c);
}
END_TEST

/* dugout_game_state has every key of events.md "Game state". */
START_TEST(test_game_state_keys)
{
	PGconn	*c = raw();
	char	 game[64], sql[2048], got[1024];

	new_full_game(c, "GSA", "GSB", game, sizeof(game));
	snprintf(sql, sizeof(sql), "WITH d AS (SELECT dugout_game_state('%s') "
	    "AS d) SELECT coalesce(string_agg(k, ','), '') FROM d, "
	    "unnest(ARRAY['game_id', 'status', 'inning', 'half', 'outs', "
	    "'score', 'linescore', 'runners', 'batter', 'pitcher', 'on_deck', "
	    "'home_team', 'away_team', 'batting_team_id', 'pending_decision', "
	    "'decisions', 'pending_roll', 'play_count', 'winner_team_id', "
	    "'score.home', 'score.away', 'linescore.home', 'linescore.away', "
	    "'runners.first', 'runners.second', 'runners.third', "
	    "'home_team.id', 'home_team.name', 'home_team.abbrev', "
	    "'away_team.id', 'away_team.name', 'away_team.abbrev', "
	    "'batter.lineup_id', 'batter.card_id', 'batter.name', "
	    "'batter.position', 'batter.batting_order', 'batter.team_id', "
	    "'decisions.defensive', 'decisions.offensive']) k WHERE NOT CASE "
	    "WHEN k LIKE '%%.%%' THEN d -> split_part(k, '.', 1) ? "
	    "split_part(k, '.', 2) ELSE d ? k END", game);
	value(c, sql, got, sizeof(got));
	ck_assert_msg(got[0] == '\0', "keys missing: %s", got);
	snprintf(sql, sizeof(sql), "WITH d AS (SELECT dugout_game_state(id) "
	    "AS d, away_team_id, home_team_id FROM game WHERE id = '%s') "
	    "SELECT concat_ws(' ', (d->>'batting_team_id')::bigint = "
	    "away_team_id, d #>> '{batter,batting_order}', "
	    "d #>> '{on_deck,batting_order}', d #>> '{pitcher,position}', "
	    "(d #>> '{pitcher,team_id}')::bigint = home_team_id, "
	    "d->'pending_roll', d->'decisions', d->'linescore') FROM d", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t 1 2 P t null {\"defensive\": "
	    "{\"alignment\": \"normal\", \"hold_runners\": [], "
	    "\"infield_depth\": \"normal\", \"outfield_depth\": \"normal\"}, "
	    "\"offensive\": {\"approach\": \"normal\", \"hit_and_run\": false, "
	    "\"bunt_attempt\": false, \"steal_attempts\": []}} "
	    "{\"away\": [], \"home\": []}");
	/* The bottom of the 2nd has begun: both halves show two innings. */
	snprintf(sql, sizeof(sql), "UPDATE game SET status = 'active', "
	    "inning = 2, half = 'bottom', home_next_slot = 9 WHERE id = '%s'",
	    game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT concat_ws(' ', d->'linescore', "
	    "d #>> '{batter,batting_order}', d #>> '{on_deck,batting_order}') "
	    "FROM dugout_game_state('%s') d", game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "{\"away\": [0, 0], \"home\": [0, 0]} 9 1");
	PQfinish(c);
}
END_TEST

/* CHECK constraints refuse what the rules forbid. */
START_TEST(test_game_checks)
{
	PGconn	*c = raw();
	char	 game[64], sql[4096], doc[3072], b[32], p[32];

	new_full_game(c, "CKA", "CKB", game, sizeof(game));
	snprintf(sql, sizeof(sql), "UPDATE game SET outs = 3 WHERE id = '%s'",
	    game);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "UPDATE game SET pending_decision = "
	    "'dance' WHERE id = '%s'", game);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "UPDATE game SET winner_team_id = "
	    "home_team_id WHERE id = '%s'", game);	/* not final */
	exec_fails(c, sql, "23514");
	entry_id(c, game, 0, 1, b, sizeof(b));
	entry_id(c, game, 1, 0, p, sizeof(p));
	play_doc(doc, sizeof(doc), 1, b, p, 0, 0);
	snprintf(sql, sizeof(sql), "SELECT dugout_play_record('%s', NULL, "
	    "'u', replace('%s', 'single_1', 'x_check')::json)", game, doc);
	exec_fails(c, sql, "23514");
	/* the score must move by the runs */
	snprintf(sql, sizeof(sql), "SELECT dugout_play_record('%s', NULL, "
	    "'u', replace('%s', '\"runs\": 0', '\"runs\": 1')::json)", game,
	    doc);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "SELECT dugout_decision_record('%s', "
	    "'defensive', (SELECT home_team_id FROM game WHERE id = '%s'), "
	    "'u', "
	    "'{\"alignment\": \"sideways\"}')", game, game);
	exec_fails(c, sql, "23514");
	snprintf(sql, sizeof(sql), "SELECT dugout_decision_record('%s', "
	    "'offensive', (SELECT away_team_id FROM game WHERE id = '%s'), "
	    "'u', "
	    "'{\"steal_attempts\": [4]}')", game, game);
	exec_fails(c, sql, "23514");
	exec_fails(c, "INSERT INTO card (name, positions) VALUES ('X', "
	    "'{DH}')", "23514");
	exec_fails(c, "INSERT INTO card (name, positions) VALUES ('X', '{}')",
	    "23514");
	/* two active catchers */
	snprintf(sql, sizeof(sql), "UPDATE lineup_entry SET position = 'C' "
	    "WHERE game_id = '%s' AND position = '1B'", game);
	exec_fails(c, sql, "23P01");
	PQfinish(c);
}
END_TEST

/* Pitching decisions replace those recorded before; a pitcher of another
 * game is refused; deleting a game removes all of it. */
START_TEST(test_decisions_record)
{
	PGconn	*c = raw();
	char	 game[64], other[64], sql[1024], got[256], w[32], l[32],
		 x[32];

	new_full_game(c, "DRA", "DRB", game, sizeof(game));
	new_full_game(c, "DRC", "DRD", other, sizeof(other));
	entry_id(c, game, 1, 0, w, sizeof(w));
	entry_id(c, game, 0, 0, l, sizeof(l));
	entry_id(c, other, 0, 0, x, sizeof(x));
	snprintf(sql, sizeof(sql), "SELECT dugout_decisions_record('%s', "
	    "'{\"win\": %s, \"loss\": %s, \"save\": null, \"holds\": [], "
	    "\"blown\": [%s]}')", game, w, w, l);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "3");
	snprintf(sql, sizeof(sql), "SELECT dugout_decisions_record('%s', "
	    "'{\"win\": %s, \"loss\": %s, \"save\": 0, \"holds\": [], "
	    "\"blown\": []}')", game, w, l);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "2");
	snprintf(sql, sizeof(sql), "SELECT string_agg(decision || ':' || "
	    "(lineup_id = %s), ',' ORDER BY decision) FROM pitcher_decision "
	    "WHERE game_id = '%s'", w, game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "L:false,W:true");
	snprintf(sql, sizeof(sql), "SELECT dugout_decisions_record('%s', "
	    "'{\"win\": %s, \"loss\": null, \"save\": null, \"holds\": [], "
	    "\"blown\": []}')", game, x);
	exec_fails(c, sql, "23503");

	snprintf(sql, sizeof(sql), "SELECT dugout_roll_new('%s', 'u', NULL, "
	    "1, 1, 1, 20, 20, false, false, 600)", game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "DELETE FROM game WHERE id = '%s'", game);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM lineup_entry "
	    "WHERE game_id = '%s') + (SELECT count(*) FROM dice_roll WHERE "
	    "game_id = '%s') + (SELECT count(*) FROM pitcher_decision WHERE "
	    "game_id = '%s')", game, game, game);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "0");
	PQfinish(c);
}
END_TEST

/* The token bucket of events.md: a burst, then refusals, then a refill at
 * the rate; separate buckets per event; a gone socket is refused. */
/*
 * A broadcast wakes its room with one NOTIFY (sql/013_fast_paths.sql):
 * the members' wake keys, space separated, in sid order; none for the
 * member left out.  l LISTENs already.
 */
static void
room_wakes(PGconn *c, PGconn *l)
{
	static const char *const sids[3] = { "ROOMWAKEROOMWAKE0001",
		"ROOMWAKEROOMWAKE0002", "ROOMWAKEROOMWAKE0003" };
	PGnotify	*n = NULL;
	char		 game[64], sql[512], want[3 * (NOTIFY_KEY_LEN + 1)];
	char		 key[NOTIFY_KEY_LEN + 1];
	int		 i;

	new_game(c, "WKA", "WKB", game, sizeof(game));
	want[0] = '\0';
	for (i = 0; i < 3; i++) {
		new_session(c, sids[i]);
		snprintf(sql, sizeof(sql), "INSERT INTO sio_socket (id, sid, "
		    "user_id, token_expires_at) VALUES ('wk%d', '%s', 'u%d', "
		    "now() + interval '1 h')", i, sids[i], i);
		exec_ok(c, sql);
		snprintf(sql, sizeof(sql), "INSERT INTO room_member (socket_id, "
		    "game_id, role) VALUES ('wk%d', '%s', 'spectator')", i,
		    game);
		exec_ok(c, sql);
		if (i == 1)
			continue;	/* the one left out below */
		notify_wake_key(sids[i], key);
		if (want[0] != '\0')
			strcat(want, " ");
		strcat(want, key);
	}
	snprintf(sql, sizeof(sql), "SELECT dugout_room_emit('%s', '4x', '%s')",
	    game, sids[1]);
	exec_ok(c, sql);
	for (i = 0; i < 200 && n == NULL; i++) {
		ck_assert_int_eq(PQconsumeInput(l), 1);
		if ((n = PQnotifies(l)) == NULL)
			usleep(10000);
	}
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->extra, want);
	PQfreemem(n);
	ck_assert_ptr_null(PQnotifies(l));
}

/*
 * A NOTIFY names a session by its wake key, never by its id (a bearer
 * secret any LISTENer could read), and the key SQL sends is the one the
 * parking thread computes.
 */
START_TEST(test_wake_key)
{
	PGconn		*c = raw(), *l = raw();
	PGnotify	*n = NULL;
	const char	*sid = "WAKEWAKEWAKEWAKEWAKE";
	char		 key[NOTIFY_KEY_LEN + 1], got[128];
	int		 i;

	notify_wake_key(sid, key);
	ck_assert_uint_eq(strlen(key), NOTIFY_KEY_LEN);
	/* SHA-256("abc") starts ba7816bf8f01cfea414140de5dae2223 */
	notify_wake_key("abc", got);
	ck_assert_str_eq(got, "ba7816bf8f01cfea414140de5dae2223");
	value(c, "SELECT dugout_wake_key('abc')", got, sizeof(got));
	ck_assert_str_eq(got, "ba7816bf8f01cfea414140de5dae2223");

	new_session(c, sid);
	exec_ok(l, "LISTEN dugout");
	exec_ok(c, "SELECT dugout_queue('WAKEWAKEWAKEWAKEWAKE', '6')");
	for (i = 0; i < 200 && n == NULL; i++) {
		ck_assert_int_eq(PQconsumeInput(l), 1);
		if ((n = PQnotifies(l)) == NULL)
			usleep(10000);
	}
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->extra, key);
	ck_assert_ptr_null(strstr(n->extra, sid));
	PQfreemem(n);
	/* a session's end wakes its poll the same way */
	exec_ok(c, "SELECT dugout_session_end('WAKEWAKEWAKEWAKEWAKE')");
	for (n = NULL, i = 0; i < 200 && n == NULL; i++) {
		ck_assert_int_eq(PQconsumeInput(l), 1);
		if ((n = PQnotifies(l)) == NULL)
			usleep(10000);
	}
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->extra, key);
	PQfreemem(n);
	room_wakes(c, l);
	PQfinish(l);
	PQfinish(c);
}
END_TEST

START_TEST(test_rate_limit)
{
	PGconn	*c = raw();
	char	 got[64];
	int	 i;

	new_session(c, "RATERATERATERATERATE");
	exec_ok(c, "INSERT INTO sio_socket (id, sid, user_id, "
	    "token_expires_at) VALUES ('rate1', 'RATERATERATERATERATE', 'u1', "
	    "now() + interval '1 h')");
	/* burst 3 at 2/s: three pass at once, the fourth is refused */
	for (i = 0; i < 3; i++) {
		value(c, "SELECT dugout_rate_take('rate1', 'roll_dice', 2, 3)",
		    got, sizeof(got));
		ck_assert_str_eq(got, "t");
	}
	value(c, "SELECT dugout_rate_take('rate1', 'roll_dice', 2, 3)", got,
	    sizeof(got));
	ck_assert_str_eq(got, "NULL");
	/* another event has its own bucket */
	value(c, "SELECT dugout_rate_take('rate1', 'heartbeat', 2, 3)", got,
	    sizeof(got));
	ck_assert_str_eq(got, "t");
	/* half a second later one token has come back, and only one */
	exec_ok(c, "SELECT pg_sleep(0.55)");
	value(c, "SELECT dugout_rate_take('rate1', 'roll_dice', 2, 3)", got,
	    sizeof(got));
	ck_assert_str_eq(got, "t");
	value(c, "SELECT dugout_rate_take('rate1', 'roll_dice', 2, 3)", got,
	    sizeof(got));
	ck_assert_str_eq(got, "NULL");
	/* never above the burst, however long the wait */
	exec_ok(c, "UPDATE sio_rate SET refilled_at = refilled_at - "
	    "interval '1 hour' WHERE socket_id = 'rate1'");
	value(c, "SELECT dugout_rate_take('rate1', 'roll_dice', 2, 3)", got,
	    sizeof(got));
	value(c, "SELECT round(tokens)::int FROM sio_rate WHERE socket_id = "
	    "'rate1' AND event = 'roll_dice'", got, sizeof(got));
	ck_assert_str_eq(got, "2");
	/* a socket that does not exist gets no bucket */
	value(c, "SELECT dugout_rate_take('nosuch', 'roll_dice', 2, 3)", got,
	    sizeof(got));
	ck_assert_str_eq(got, "NULL");
	/* the buckets go with the socket */
	exec_ok(c, "DELETE FROM sio_socket WHERE id = 'rate1'");
	value(c, "SELECT count(*) FROM sio_rate WHERE socket_id = 'rate1'",
	    got, sizeof(got));
	ck_assert_str_eq(got, "0");
	PQfinish(c);
}
END_TEST

/*
 * sql/008_lobby.sql: the lobby's order (active, pending, final; newest
 * first within each), its status filter and limit, my_team_ids for a
 * manager, a stranger and an admin; the room's presence (one line per
 * user, player when any of his sockets is, live sockets only, by user id).
 */
START_TEST(test_lobby)
{
	PGconn	*c = raw();
	char	 got[4096], sql[1024], home[24], away[24], g[4][48];
	/* our four games, newest first: pending P2, active A, pending P1,
	 * final F (created a day ahead, so no other test's game is newer) */
	static const char *const mk[4][2] = {
		{ "pending", "4 min" }, { "active", "3 min" },
		{ "pending", "2 min" }, { "final", "1 min" } };
	int	 i;

	value(c, "INSERT INTO team (name, abbrev) VALUES ('Lobby Home', "
	    "'LBH') RETURNING id", home, sizeof(home));
	value(c, "INSERT INTO team (name, abbrev) VALUES ('Lobby Away', "
	    "'LBA') RETURNING id", away, sizeof(away));
	snprintf(sql, sizeof(sql), "INSERT INTO team_manager (team_id, "
	    "user_id) VALUES (%s, 'lobby-home')", home);
	exec_ok(c, sql);
	for (i = 0; i < 4; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO game (home_team_id, "
		    "away_team_id, status, created_at, home_score, away_score, "
		    "winner_team_id) VALUES (%s, %s, '%s', now() + interval "
		    "'1 day' + interval '%s', %d, 2, %s) RETURNING id", home,
		    away, mk[i][0], mk[i][1], i, strcmp(mk[i][0], "final") ==
		    0 ? away : "NULL");
		value(c, sql, g[i], sizeof(g[i]));
	}
	/* the order of our games in the full list: A, P2, P1, F */
	snprintf(sql, sizeof(sql), "SELECT string_agg(CASE e->>'game_id' "
	    "WHEN '%s' THEN 'P2' WHEN '%s' THEN 'A' WHEN '%s' THEN 'P1' "
	    "WHEN '%s' THEN 'F' END, ' ' ORDER BY n) FROM jsonb_array_elements("
	    "dugout_list_games('lobby-home', false, NULL, 200)) WITH "
	    "ORDINALITY AS x(e, n) WHERE e->>'game_id' IN ('%s', '%s', '%s', "
	    "'%s')", g[0], g[1], g[2], g[3], g[0], g[1], g[2], g[3]);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "A P2 P1 F");
	/* status and limit: the two newest pending games are ours */
	value(c, "SELECT string_agg(e->>'status' || ':' || (e->'score'->>"
	    "'home'), ' ' ORDER BY n) FROM jsonb_array_elements("
	    "dugout_list_games('lobby-home', false, 'pending', 2)) WITH "
	    "ORDINALITY AS x(e, n)", got, sizeof(got));
	ck_assert_str_eq(got, "pending:0 pending:2");
	value(c, "SELECT jsonb_array_length(dugout_list_games('x', false, "
	    "'active', 1))", got, sizeof(got));
	ck_assert_str_eq(got, "1");
	value(c, "SELECT dugout_list_games('x', false, 'nonsense', 5)::text",
	    got, sizeof(got));
	ck_assert_str_eq(got, "[]");
	/* one entry, whole: the final game, for its home manager */
	snprintf(sql, sizeof(sql), "SELECT e - 'game_id' = jsonb_build_object("
	    "'status', 'final', 'inning', 1, 'half', 'top', 'outs', 0, "
	    "'score', jsonb_build_object('home', 3, 'away', 2), 'home_team', "
	    "jsonb_build_object('id', %s, 'name', 'Lobby Home', 'abbrev', "
	    "'LBH'), 'away_team', jsonb_build_object('id', %s, 'name', "
	    "'Lobby Away', 'abbrev', 'LBA'), 'winner_team_id', %s, "
	    "'my_team_ids', jsonb_build_array(%s)) FROM jsonb_array_elements("
	    "dugout_list_games('lobby-home', false, 'final', 200)) e WHERE "
	    "e->>'game_id' = '%s'", home, away, away, home, g[3]);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t");
	/* my_team_ids: none for a stranger, both (home first) for an admin */
	snprintf(sql, sizeof(sql), "SELECT dugout_my_teams('%s', 'someone', "
	    "false)::text || ' ' || dugout_my_teams('%s', 'someone', true)::text"
	    " || ' ' || dugout_my_teams('%s', 'lobby-home', false)::text",
	    g[1], g[1], g[1]);
	value(c, sql, got, sizeof(got));
	snprintf(sql, sizeof(sql), "[] [%s, %s] [%s]", home, away, home);
	ck_assert_str_eq(got, sql);
	snprintf(sql, sizeof(sql), "SELECT e->'my_team_ids' = '[]' FROM "
	    "jsonb_array_elements(dugout_list_games('someone', false, "
	    "'active', 200)) e WHERE e->>'game_id' = '%s'", g[1]);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "t");

	/* presence: u-b with a player and a spectator socket, u-a spectator,
	 * u-c only on an expired session */
	new_session(c, "LOBBYLOBBYLOBBYLOBB1");
	new_session(c, "LOBBYLOBBYLOBBYLOBB2");
	new_session(c, "LOBBYLOBBYLOBBYLOBB3");
	new_session(c, "LOBBYLOBBYLOBBYLOBB4");
	exec_ok(c, "UPDATE eio_session SET expires_at = now() - interval "
	    "'1 s' WHERE sid = 'LOBBYLOBBYLOBBYLOBB3'");
	exec_ok(c, "INSERT INTO sio_socket (id, sid, user_id, "
	    "token_expires_at) VALUES "
	    "('lob1', 'LOBBYLOBBYLOBBYLOBB1', 'u-b', now() + interval '1 h'), "
	    "('lob2', 'LOBBYLOBBYLOBBYLOBB2', 'u-b', now() + interval '1 h'), "
	    "('lob3', 'LOBBYLOBBYLOBBYLOBB4', 'u-a', now() + interval '1 h'), "
	    "('lob4', 'LOBBYLOBBYLOBBYLOBB3', 'u-c', now() + interval '1 h')");
	snprintf(sql, sizeof(sql), "INSERT INTO room_member (socket_id, "
	    "game_id, role) VALUES ('lob1', '%s', 'spectator'), ('lob2', '%s', "
	    "'player'), ('lob3', '%s', 'spectator'), ('lob4', '%s', 'player')",
	    g[1], g[1], g[1], g[1]);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "SELECT dugout_presence('%s')::text", g[1]);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "[{\"role\": \"spectator\", \"sockets\": 1, "
	    "\"user_id\": \"u-a\"}, {\"role\": \"player\", \"sockets\": 2, "
	    "\"user_id\": \"u-b\"}]");
	snprintf(sql, sizeof(sql), "SELECT dugout_presence('%s')::text", g[0]);
	value(c, sql, got, sizeof(got));
	ck_assert_str_eq(got, "[]");
	PQfinish(c);
}
END_TEST

int
main(void)
{
	Suite	*s;
	TCase	*tc;
	int	 rc;

	/* One cluster for the run, started before Check forks the tests. */
	if ((pg_state = pgtmp_start(&pg)) == 77)
		return 77;	/* no PostgreSQL server here: SKIP */
	if (pg_state != 0) {
		pgtmp_stop(&pg);
		return EXIT_FAILURE;
	}
	s = suite_create("db");
	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_prepare_all);
	tcase_add_test(tc, test_outbox_late_commit);
	tcase_add_test(tc, test_room_order_under_lock);
	tcase_add_test(tc, test_outbox_bound);
	tcase_add_test(tc, test_concurrent_get);
	tcase_add_test(tc, test_sweep_expiry);
	tcase_add_test(tc, test_ping_pong);
	tcase_add_test(tc, test_everything_commented);
	tcase_add_test(tc, test_concurrent_post);
	tcase_add_test(tc, test_join_close_race);
	tcase_add_test(tc, test_game_load_keys);
	tcase_add_test(tc, test_game_save_roundtrip);
	tcase_add_test(tc, test_play_record);
	tcase_add_test(tc, test_roll_expired);
	tcase_add_test(tc, test_lineup_enter);
	tcase_add_test(tc, test_game_state_keys);
	tcase_add_test(tc, test_game_checks);
	tcase_add_test(tc, test_decisions_record);
	tcase_add_test(tc, test_stats_views);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_lobby);
	tcase_add_test(tc, test_wake_key);
	tcase_add_test(tc, test_audit);
	suite_add_tcase(s, tc);
	rc = check_main(s);
	pgtmp_stop(&pg);
	return rc;
}

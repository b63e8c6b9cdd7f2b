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

/* protocol.md §4: a second GET while one is held closes the session and
 * the held GET carries the close packet; then the sid is unknown. */
START_TEST(test_concurrent_get)
{
	PGconn	*c = raw();
	char	 got[64];

	new_session(c, "GETGETGETGETGETGETGE");
	value(c, "SELECT dugout_get_begin('GETGETGETGETGETGETGE', 'p1', "
	    "30000)", got, sizeof(got));
	ck_assert_str_eq(got, "ok");
	value(c, "SELECT dugout_get_begin('GETGETGETGETGETGETGE', 'p2', "
	    "30000)", got, sizeof(got));
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
	tcase_add_test(tc, test_concurrent_get);
	tcase_add_test(tc, test_sweep_expiry);
	tcase_add_test(tc, test_ping_pong);
	tcase_add_test(tc, test_everything_commented);
	tcase_add_test(tc, test_concurrent_post);
	tcase_add_test(tc, test_join_close_race);
	suite_add_tcase(s, tc);
	rc = check_main(s);
	pgtmp_stop(&pg);
	return rc;
}

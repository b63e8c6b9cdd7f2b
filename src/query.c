/*
 * query.c -- the statement table (see query.h).  One line of SQL per
 * statement; the write paths are functions in sql/002_*.sql.
 */
#include "config.h"

#include <stddef.h>

#include "query.h"

#define MS(p)	"make_interval(secs => " p "::int / 1000.0)"

static const struct query_def queries[Q__MAX] = {
	[Q_MIGRATION_LIST] = { "migration_list", 0,
	    "SELECT version FROM schema_migration ORDER BY version" },
	[Q_MIGRATION_ADD] = { "migration_add", 2,
	    "INSERT INTO schema_migration (version, name) VALUES ($1::int, $2)" },
	/* One migrator at a time, even from several hosts. */
	[Q_MIGRATION_LOCK] = { "migration_lock", 0,
	    "SELECT pg_advisory_lock(2024112301)" },
	[Q_MIGRATION_UNLOCK] = { "migration_unlock", 0,
	    "SELECT pg_advisory_unlock(2024112301)" },
	/* dugoutctl check: is there a schema at all, and what is applied. */
	[Q_MIGRATION_TABLE] = { "migration_table", 0,
	    "SELECT to_regclass('schema_migration') IS NOT NULL" },
	[Q_MIGRATION_APPLIED] = { "migration_applied", 0,
	    "SELECT version, name FROM schema_migration ORDER BY version" },
	/* $4: the session's queue bound, max_queued (sql/012_limits.sql). */
	[Q_SESSION_NEW] = { "session_new", 4,
	    "INSERT INTO eio_session (sid, ping_due_at, expires_at, "
	    "max_queued) VALUES ($1, clock_timestamp() + " MS("$2") ", "
	    "clock_timestamp() + " MS("$2") " + " MS("$3") ", $4::int)" },
	[Q_SESSION_END] = { "session_end", 1,
	    "SELECT dugout_session_end($1)" },
	[Q_SESSION_CLOSE] = { "session_close", 2,
	    "SELECT dugout_session_close($1, $2::int)" },
	[Q_SESSION_SWEEP] = { "session_sweep", 1,
	    "SELECT dugout_sweep($1::int)" },
	/* A GET in one round trip (sql/013_fast_paths.sql). */
	[Q_GET_TAKE] = { "get_take", 5,
	    "SELECT state, payload, wait_ms FROM dugout_get_take($1, $2, "
	    "$3::int, $4::int, $5::int)" },
	[Q_GET_RELEASE] = { "get_release", 2,
	    "SELECT dugout_get_release($1, $2)" },
	[Q_GET_RELEASE_OWNER] = { "get_release_owner", 1,
	    "SELECT dugout_get_release_owner($1)" },
	[Q_POST_BEGIN] = { "post_begin", 2,
	    "SELECT dugout_post_claim($1, $2::int)" },
	/* A POST of one pong in one call (sql/013_fast_paths.sql). */
	[Q_POST_PONG] = { "post_pong", 3,
	    "SELECT dugout_post_pong($1, $2::int, $3::int)" },
	[Q_POST_END] = { "post_end", 1,
	    "SELECT dugout_post_end($1)" },
	[Q_POLL_TAKE] = { "poll_take", 5,
	    "SELECT out_state, array_to_string(out_packets, chr(30)), "
	    "greatest(0, (extract(epoch FROM out_wait_until - "
	    "clock_timestamp()) * 1000)::bigint) "
	    "FROM dugout_poll_take($1, $2, $3::int, $4::int, $5::boolean)" },
	[Q_POLL_TAKE_MANY] = { "poll_take_many", 5,
	    "SELECT ord, state, payload, wait_ms FROM "
	    "dugout_poll_take_many($1::text[], $2, $3::int, $4::int, "
	    "$5::boolean)" },
	[Q_PONG] = { "pong", 3,
	    "SELECT dugout_pong($1, $2::int, $3::int)" },
	[Q_QUEUE] = { "queue", 2,
	    "SELECT dugout_queue($1, $2)" },
	[Q_BINARY_EXPECT] = { "binary_expect", 5,
	    "UPDATE eio_session SET attachments_due = $2::int, "
	    "binary_nsp = $3, binary_ack_id = $4::bigint, "
	    "binary_echo = $5::boolean WHERE sid = $1" },
	[Q_BINARY_ARRIVED] = { "binary_arrived", 1,
	    "UPDATE eio_session SET attachments_due = attachments_due - 1 "
	    "WHERE sid = $1 AND attachments_due > 0 "
	    "RETURNING attachments_due, binary_nsp, binary_ack_id, binary_echo" },
	[Q_SOCKET_GET] = { "socket_get", 2,
	    "SELECT id, user_id, is_admin, "
	    "token_expires_at <= clock_timestamp() "
	    "FROM sio_socket WHERE sid = $1 AND nsp = $2" },
	[Q_SOCKET_NEW] = { "socket_new", 6,
	    "INSERT INTO sio_socket (id, sid, nsp, user_id, is_admin, "
	    "token_expires_at) VALUES ($1, $2, $3, $4, $5::boolean, "
	    "to_timestamp($6::bigint))" },
	[Q_SOCKET_END] = { "socket_end", 1,
	    "SELECT dugout_socket_end($1)" },
	[Q_ACK_REQUEST] = { "ack_request", 2,
	    "WITH k AS (UPDATE sio_socket SET next_ack_id = next_ack_id + 1 "
	    "WHERE id = $1 RETURNING next_ack_id - 1 AS ack) "
	    "INSERT INTO sio_ack_pending (socket_id, ack_id, event) "
	    "SELECT $1, ack, $2 FROM k RETURNING ack_id" },
	[Q_ACK_RECEIVED] = { "ack_received", 2,
	    "UPDATE sio_ack_pending SET acked_at = clock_timestamp() "
	    "WHERE socket_id = $1 AND ack_id = $2::bigint "
	    "AND acked_at IS NULL" },
	[Q_GAME_LOCK] = { "game_lock", 1,
	    "SELECT status, home_team_id, away_team_id FROM game "
	    "WHERE id = $1::uuid FOR UPDATE" },
	[Q_GAME_STATE] = { "game_state", 1,
	    "SELECT dugout_game_state($1::uuid)::text" },
	/* Returns a row only when the membership is new or its role changed:
	 * a repeated join is not broadcast again. */
	[Q_ROOM_JOIN] = { "room_join", 3,
	    "INSERT INTO room_member (socket_id, game_id, role) "
	    "VALUES ($1, $2::uuid, $3) ON CONFLICT (socket_id, game_id) "
	    "DO UPDATE SET role = EXCLUDED.role "
	    "WHERE room_member.role IS DISTINCT FROM EXCLUDED.role "
	    "RETURNING socket_id" },
	/* Lock order socket, then game (see dugout_socket_end). */
	[Q_SOCKET_LOCK] = { "socket_lock", 1,
	    "SELECT 1 FROM sio_socket WHERE id = $1 FOR SHARE" },
	[Q_ROOM_LEAVE] = { "room_leave", 2,
	    "DELETE FROM room_member WHERE socket_id = $1 "
	    "AND game_id = $2::uuid RETURNING socket_id" },
	[Q_ROOM_EMIT] = { "room_emit", 3,
	    "SELECT dugout_room_emit($1::uuid, $2, $3)" },
	[Q_TEAM_ADD] = { "team_add", 2,
	    "INSERT INTO team (name, abbrev) VALUES ($1, $2) RETURNING id" },
	[Q_TEAM_MANAGER_ADD] = { "team_manager_add", 2,
	    "INSERT INTO team_manager (team_id, user_id) "
	    "VALUES ($1::bigint, $2)" },
	[Q_GAME_CREATE] = { "game_create", 2,
	    "INSERT INTO game (home_team_id, away_team_id) "
	    "VALUES ($1::bigint, $2::bigint) RETURNING id" },
	[Q_ROOM_ROLE] = { "room_role", 2,
	    "SELECT role FROM room_member WHERE socket_id = $1 "
	    "AND game_id = $2::uuid" },
	/* Does user $2 manage the away / home team, and their ids. */
	[Q_GAME_SIDES] = { "game_sides", 2,
	    "SELECT EXISTS (SELECT 1 FROM team_manager WHERE team_id = "
	    "g.away_team_id AND user_id = $2), EXISTS (SELECT 1 FROM "
	    "team_manager WHERE team_id = g.home_team_id AND user_id = $2), "
	    "g.away_team_id, g.home_team_id FROM game g WHERE g.id = $1::uuid" },
	/* A game action's locks and facts in one call
	 * (sql/017_one_call_actions.sql). */
	[Q_ACTION_OPEN] = { "action_open", 3,
	    "SELECT socket_ok, game_ok, role, manages_away, manages_home, "
	    "away_team, home_team, doc "
	    "FROM dugout_action_open($1, $2::uuid, $3)" },
	[Q_GAME_SAVE] = { "game_save", 2,
	    "SELECT dugout_game_save($1::uuid, $2::json)" },
	/* The pending roll, while unused and unexpired (the same test as
	 * dugout_game_load's roll_pending). */
	[Q_PENDING_ROLL] = { "pending_roll", 1,
	    "SELECT r.id FROM game g JOIN dice_roll r ON r.id = "
	    "g.pending_roll_id WHERE g.id = $1::uuid AND r.used_at IS NULL "
	    "AND r.expires_at > clock_timestamp()" },
	[Q_PLAY_RECORD] = { "play_record", 4,
	    "SELECT dugout_play_record($1::uuid, $2::bigint, $3, $4::json)" },
	[Q_PLAY_JSON] = { "play_json", 1,
	    "SELECT dugout_play_json($1::bigint)::text" },
	[Q_ROLL_NEW] = { "roll_new", 11,
	    "SELECT dugout_roll_new($1::uuid, $2, $3, $4::int, $5::int, "
	    "$6::int, $7::int, $8::int, $9::boolean, $10::boolean, "
	    "$11::int)::text" },
	[Q_DECISION_RECORD] = { "decision_record", 5,
	    "SELECT dugout_decision_record($1::uuid, $2, $3::bigint, $4, "
	    "$5::json)" },
	[Q_DECISIONS_RECORD] = { "decisions_record", 2,
	    "SELECT dugout_decisions_record($1::uuid, $2::json)" },
	[Q_CARD_STATUS] = { "card_status", 3,
	    "SELECT in_roster, appeared, name FROM "
	    "dugout_card_status($1::uuid, $2::bigint, $3::bigint)" },
	[Q_LINEUP_ENTER] = { "lineup_enter", 9,
	    "SELECT dugout_lineup_enter($1::uuid, $2::bigint, $3::bigint, $4, "
	    "$5::int, $6::bigint, $7, $8, $9)" },
	[Q_LINEUP] = { "lineup", 2,
	    "SELECT dugout_lineup($1::uuid, $2::bigint)::text" },
	[Q_RECENT_PLAYS] = { "recent_plays", 2,
	    "SELECT dugout_recent_plays($1::uuid, $2::int)::text" },
	[Q_BOX_SCORE] = { "box_score", 1,
	    "SELECT dugout_box_score($1::uuid)::text" },
	[Q_RATE_TAKE] = { "rate_take", 4,
	    "SELECT dugout_rate_take($1, $2, $3::float8, $4::float8)" },
	/* Season materialized views (sql/005_stats.sql). */
	[Q_STATS_REFRESH] = { "stats_refresh", 0,
	    "SELECT dugout_refresh_stats()" },
	/* Starting lineups and the demo league (sql/006_demo.sql). */
	[Q_LINEUP_CHECK] = { "lineup_check", 3,
	    "SELECT dugout_lineup_check($1::uuid, $2::bigint, $3::json)" },
	[Q_LINEUP_SET] = { "lineup_set", 3,
	    "SELECT dugout_lineup_set($1::uuid, $2::bigint, $3::json)" },
	[Q_LINEUP_DEFAULT] = { "lineup_default", 2,
	    "SELECT dugout_lineup_default($1::bigint, $2::boolean)::text" },
	[Q_ROSTER_COUNT] = { "roster_count", 1,
	    "SELECT count(*) FROM roster WHERE team_id = $1::bigint" },
	/* NULL keeps the column's value; returns whether the game uses the DH. */
	[Q_GAME_OPTIONS] = { "game_options", 3,
	    "UPDATE game SET scheduled_innings = "
	    "coalesce($2::int, scheduled_innings), "
	    "use_dh = coalesce($3::boolean, use_dh) "
	    "WHERE id = $1::uuid RETURNING use_dh" },
	[Q_DEMO] = { "demo", 2,
	    "SELECT dugout_demo($1, $2)::text" },
	/* dugoutctl bench-setup: $1 new pending games between the two bench
	 * teams (made on the first run, reused after), one statement and so
	 * one transaction; no rosters, so no lineups: join_game needs none. */
	[Q_BENCH_SETUP] = { "bench_setup", 1,
	    "WITH t AS (INSERT INTO team (name, abbrev) VALUES "
	    "('Bench Home', 'BNCHH'), ('Bench Away', 'BNCHA') "
	    "ON CONFLICT (abbrev) DO UPDATE SET abbrev = EXCLUDED.abbrev "
	    "RETURNING id, abbrev) "
	    "INSERT INTO game (home_team_id, away_team_id) "
	    "SELECT h.id, a.id FROM t h, t a, generate_series(1, $1::int) "
	    "WHERE h.abbrev = 'BNCHH' AND a.abbrev = 'BNCHA' RETURNING id" },
	/* The page's reads (sql/008_lobby.sql, docs/ui.md). */
	[Q_GAME_MY_TEAMS] = { "game_my_teams", 3,
	    "SELECT dugout_my_teams($1::uuid, $2, $3::boolean)::text" },
	[Q_GAMES_LIST] = { "games_list", 4,
	    "SELECT dugout_list_games($1, $2::boolean, $3, $4::int)::text" },
	[Q_PRESENCE] = { "presence", 1,
	    "SELECT dugout_presence($1::uuid)::text" },
	/* GET /healthz: is schema_migration there at all (a missing table
	 * would fail the next statement like a lost connection does), then
	 * which of the migrations this build knows ($1, an int[] literal)
	 * are applied, and which are missing. */
	[Q_HEALTH_SCHEMA] = { "health_schema", 0,
	    "SELECT to_regclass('schema_migration') IS NOT NULL" },
	[Q_HEALTH_MIGRATIONS] = { "health_migrations", 1,
	    "SELECT count(m.version), coalesce(string_agg(k.v::text, ',' "
	    "ORDER BY k.v) FILTER (WHERE m.version IS NULL), '') "
	    "FROM unnest($1::int[]) AS k(v) "
	    "LEFT JOIN schema_migration m ON m.version = k.v" },
	/* GET /metrics: sessions alive, whichever process serves them. */
	[Q_SESSIONS_OPEN] = { "sessions_open", 0,
	    "SELECT count(*) FROM eio_session WHERE NOT closing "
	    "AND expires_at > clock_timestamp()" },
	/* Socket.IO CONNECT limits (sql/012_limits.sql): user, sid, nsp,
	 * max_sessions_per_user, max_sockets_per_session; in the CONNECT's
	 * transaction, before the socket's insert. */
	[Q_CONNECT_CHECK] = { "connect_check", 5,
	    "SELECT dugout_connect_check($1, $2, $3, $4::int, $5::int)" },
	/* The audit trail (sql/011_audit.sql): one row per game action,
	 * accepted (in its transaction) or refused (after the rollback). */
	[Q_AUDIT_ADD] = { "audit_add", 11,
	    "INSERT INTO audit_event (game_id, event, user_id, is_admin, "
	    "socket_id, payload, outcome, code, message, roll_id, play_id) "
	    "VALUES ($1::uuid, $2, $3, $4::boolean, $5, $6::jsonb, $7, $8, "
	    "$9, $10::bigint, $11::bigint)" },
	[Q_AUDIT_LINES] = { "audit_lines", 1,
	    "SELECT line, doc FROM dugout_audit_lines($1::uuid)" },
	/* A play's engine input and output (sql/014_replay.sql). */
	[Q_PLAY_REPLAY_ADD] = { "play_replay_add", 3,
	    "INSERT INTO play_replay (play_id, state_before, play_doc) "
	    "VALUES ($1::bigint, $2::jsonb, $3::jsonb)" },
	/* dugoutctl audit --replay: each play of a game with its accepted
	 * submission, in the order they took effect. */
	[Q_PLAY_REPLAYS] = { "play_replays", 2,
	    "SELECT a.id, r.play_id, a.payload::text, a.roll_id IS NOT NULL, "
	    "r.state_before::text, r.play_doc::text "
	    "FROM audit_event a JOIN play_replay r ON r.play_id = a.play_id "
	    "WHERE a.game_id = $1::uuid AND a.outcome = 'ok' "
	    "AND a.event = 'submit_manual_outcome' "
	    "AND ($2::bigint IS NULL OR r.play_id = $2::bigint) ORDER BY a.id" },
	/* The bench event's rooms, each game row locked as a game action
	 * locks it, in id order so two sockets in the same rooms cannot
	 * deadlock. */
	[Q_BENCH_ROOMS] = { "bench_rooms", 1,
	    "SELECT g.id FROM room_member m JOIN game g ON g.id = m.game_id "
	    "WHERE m.socket_id = $1 ORDER BY g.id FOR UPDATE OF g" },
};

/*
 * The transport tables are queues: every delivery deletes a row of
 * eio_outbox, thousands a second under load, and autovacuum looks at a
 * table once a minute (naptime) at best.  Until then every look-up of a
 * session's queue walks the dead entries of the index, and a plan cached
 * while the tables were small keeps their sizes of then: at 1,000 clients
 * and 600 events/s a fresh stack served p99 1.3 s against 16 ms once
 * vacuumed and analyzed.  Both VACUUM (it sets the tables' sizes) and
 * ANALYZE invalidate the plans cached on these tables.  The sweeper
 * vacuums often and analyzes now and then (ANALYZE samples every row of
 * a small table: half a second under load).  SKIP_LOCKED: another
 * process's sweeper may be at it.
 */
const char query_vacuum[] = "VACUUM (SKIP_LOCKED) eio_outbox, eio_session, "
    "eio_overflow, sio_socket, sio_rate, room_member";
const char query_analyze[] = "ANALYZE (SKIP_LOCKED) eio_outbox, "
    "eio_session, eio_overflow, sio_socket, sio_rate, room_member";

const struct query_def *
query_get(enum query q)
{
	return &queries[q];
}

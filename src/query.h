/*
 * query.h -- every SQL statement the C code issues, by name (R9).  The
 * texts live in query.c; heavy logic lives in sql/ as functions.
 */
#ifndef DUGOUT_QUERY_H
#define DUGOUT_QUERY_H

enum query {
	Q_MIGRATION_LIST,
	Q_MIGRATION_ADD,
	Q_MIGRATION_LOCK,
	Q_MIGRATION_UNLOCK,
	Q_MIGRATION_TABLE,
	Q_MIGRATION_APPLIED,
	Q_SESSION_NEW,
	Q_SESSION_END,
	Q_SESSION_CLOSE,
	Q_SESSION_SWEEP,
	Q_GET_TAKE,
	Q_GET_RELEASE,
	Q_GET_RELEASE_OWNER,
	Q_POST_BEGIN,
	Q_POST_PONG,
	Q_POST_END,
	Q_POLL_TAKE,
	Q_POLL_TAKE_MANY,
	Q_PONG,
	Q_QUEUE,
	Q_BINARY_EXPECT,
	Q_BINARY_ARRIVED,
	Q_SOCKET_GET,
	Q_SOCKET_NEW,
	Q_SOCKET_END,
	Q_SOCKET_LOCK,
	Q_ACK_REQUEST,
	Q_ACK_RECEIVED,
	Q_GAME_LOCK,
	Q_GAME_STATE,
	Q_ROOM_JOIN,
	Q_ROOM_LEAVE,
	Q_ROOM_EMIT,
	Q_TEAM_ADD,
	Q_TEAM_MANAGER_ADD,
	Q_GAME_CREATE,
	Q_ROOM_ROLE,
	Q_GAME_SIDES,
	Q_ACTION_OPEN,
	Q_GAME_SAVE,
	Q_PENDING_ROLL,
	Q_PLAY_RECORD,
	Q_PLAY_JSON,
	Q_ROLL_NEW,
	Q_DECISION_RECORD,
	Q_DECISIONS_RECORD,
	Q_CARD_STATUS,
	Q_LINEUP_ENTER,
	Q_LINEUP,
	Q_RECENT_PLAYS,
	Q_BOX_SCORE,
	Q_RATE_TAKE,
	Q_STATS_REFRESH,
	Q_LINEUP_CHECK,
	Q_LINEUP_SET,
	Q_LINEUP_DEFAULT,
	Q_ROSTER_COUNT,
	Q_GAME_OPTIONS,
	Q_DEMO,
	Q_BENCH_SETUP,
	Q_GAME_MY_TEAMS,
	Q_GAMES_LIST,
	Q_PRESENCE,
	Q_HEALTH_SCHEMA,
	Q_HEALTH_MIGRATIONS,
	Q_SESSIONS_OPEN,
	Q_CONNECT_CHECK,
	Q_AUDIT_ADD,
	Q_AUDIT_LINES,
	Q_PLAY_REPLAY_ADD,
	Q_PLAY_REPLAYS,
	Q_BENCH_ROOMS,
	Q__MAX
};

struct query_def {
	const char	*name;		/* prepared statement name */
	int		 nparams;
	const char	*sql;
};

/* The statement of q; never NULL for q < Q__MAX. */
const struct query_def	*query_get(enum query q);

/* Not prepared statements (VACUUM and ANALYZE cannot be): the daemon's
 * sweeper runs them with db_script (service.h svc_vacuum). */
extern const char	 query_vacuum[];
extern const char	 query_analyze[];

#endif

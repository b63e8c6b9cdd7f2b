/*
 * events.h -- the Socket.IO events dugout answers: one table from event
 * name to handler (R20).  Does I/O through db.h and emit.h.
 *
 * A handler validates its payload with no I/O (valid.h), then runs one
 * transaction (db_tx_run) that takes the game row lock when a game is
 * involved, changes state and queues every reply and broadcast.  Client
 * mistakes become `error` events (and a failed ack), never a closed
 * session.
 */
#ifndef DUGOUT_EVENTS_H
#define DUGOUT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "span.h"

struct conf;
struct db;
struct json_object;

/* The socket an event arrived on, and the event. All borrowed. */
struct ev_ctx {
	struct db		*db;
	const struct conf	*conf;
	const char		*sid;		/* Engine.IO session */
	struct span		 nsp;
	const char		*socket_id;
	const char		*user_id;
	int			 admin;
	int64_t			 ack_id;	/* -1: no ack wanted */
	struct json_object	*args;		/* [name, arg...] */
};

/* One row of an event table. */
struct events_handler {
	const char	*name;
	enum err	(*fn)(struct ev_ctx *);
};

/* The gameplay events (gameplay.c), NULL-terminated. */
extern const struct events_handler gameplay_handlers[];

/* For the handlers: {"ok": true, <extra's members>} as the ack when one
 * was asked for (extra may be NULL; borrowed). */
enum err	 events_ack_ok(const struct ev_ctx *, struct json_object *extra)
		    MUSTCHECK;

/* A new {"game_id": game_id}, the start of most replies; NULL when out of
 * memory.  Owned. */
struct json_object	*events_obj_game(const char *game_id);

/* The public game state of events.md (dugout_game_state); owned. */
enum err	 events_game_state(struct db *, const char *game_id,
		    struct json_object **out) MUSTCHECK;

/*
 * The audit trail (sql/011_audit.sql, docs/game.md "Audit trail").
 * events_audited: is `name` (events_name's) a game action it records?
 * events_audit: record c's event on db, in the caller's transaction (an
 * accepted action) or alone (a refusal, after the rollback); nothing for
 * an event that is not a game action.  outcome is "ok", "refused" or
 * "error"; code and message NULL when "ok"; game_id NULL or a validated
 * UUID; roll_id and play_id NULL or decimal ids.  The payload recorded is
 * the event contract's fields of c's payload, bounded, never anything
 * else.
 */
int		 events_audited(const char *name);
enum err	 events_audit(struct db *, const struct ev_ctx *c,
		    const char *game_id, const char *outcome, const char *code,
		    const char *message, const char *roll_id,
		    const char *play_id) MUSTCHECK;

/* The event table's own name for args[0] (static storage), or "other"
 * for a name not in the table or not a string: the bounded set that logs
 * and metrics use, never the client's text. */
const char	*events_name(struct json_object *args);

/* The i-th name of the event table (every handler), NULL past the end. */
const char	*events_name_at(size_t i);

/*
 * Run the handler of args[0].  An unknown name answers `error`
 * UNKNOWN_EVENT.  ERR_DB etc. only for failures of our own (the caller
 * logs them and answers INTERNAL); client mistakes return ERR_OK.
 */
enum err	 events_dispatch(struct ev_ctx *) MUSTCHECK;

/* The conformance fixture's events (message -> message-back,
 * message-with-ack -> ack); others are ignored. */
enum err	 events_dispatch_conformance(struct ev_ctx *) MUSTCHECK;

#endif

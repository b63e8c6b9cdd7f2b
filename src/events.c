/*
 * events.c -- event table and handlers of the transport layer (see
 * events.h and ../shared/events.md).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "authz.h"
#include "bounds.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "emit.h"
#include "events.h"
#include "log.h"
#include "valid.h"

/* list_games: limit 1..LIST_GAMES_MAX, LIST_GAMES_DEFAULT when absent
 * (docs/ui.md "Server events added for the page"). */
#define LIST_GAMES_MAX		200
#define LIST_GAMES_DEFAULT	50
#define STR_(x)			#x
#define STR(x)			STR_(x)

struct join_tx {
	struct ev_ctx	*ctx;
	char		 game_id[VALID_UUID_LEN + 1];
	const char	*role;
	struct authz_no	 no;
	int		 gone;	/* the socket ended meanwhile: nothing to do */
};

static struct json_object *
payload_of(const struct ev_ctx *c)
{
	/* borrowed from c->args */
	return json_object_array_get_idx(c->args, 1);
}

static enum err
fail(const struct ev_ctx *c, const struct valid_err *e)
{
	return emit_error(c->db, c->sid, c->nsp, c->ack_id, e->code,
	    e->message, e->field);
}

static enum err
refuse(const struct ev_ctx *c, const struct authz_no *r)
{
	return emit_error(c->db, c->sid, c->nsp, c->ack_id, r->code,
	    r->message, r->field);
}

/* {"ok": true, <key>: <value>...} as the ack, when one was asked for.
 * `extra` (may be NULL) is borrowed; its members are copied in. */
enum err
events_ack_ok(const struct ev_ctx *c, struct json_object *extra)
{
	struct json_object	*o = NULL, *args = NULL;
	enum err		 er = ERR_NOMEM;

	if (c->ack_id < 0)
		return ERR_OK;
	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "ok", json_object_new_boolean(1)) != 0)
		goto out;
	if (extra != NULL) {
		json_object_object_foreach(extra, k, v)
			if (json_object_object_add(o, k,
			    json_object_get(v)) != 0)
				goto out;
	}
	if ((args = json_object_new_array()) == NULL ||
	    json_object_array_add(args, o) != 0)
		goto out;
	o = NULL;	/* stolen by args */
	er = emit_ack(c->db, c->sid, c->nsp, c->ack_id, args);
out:
	json_object_put(o);
	json_object_put(args);
	return er;
}

struct json_object *
events_obj_game(const char *game_id)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "game_id",
	    json_object_new_string(game_id)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* o[k] = v, stealing v; v is released when it cannot be added. */
static enum err
obj_steal(struct json_object *o, const char *k, struct json_object *v)
{
	if (v == NULL || json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

static enum err
obj_add_str(struct json_object *o, const char *k, const char *v)
{
	return json_object_object_add(o, k, json_object_new_string(v)) == 0 ?
	    ERR_OK : ERR_NOMEM;
}

/*
 * Lock the socket (FOR SHARE), then the game row: the order
 * dugout_socket_end uses too, so a join or leave and a disconnect of the
 * same socket serialise instead of missing each other.  ERR_NOTFOUND with
 * t->gone set when the socket has ended, with t->no filled
 * (GAME_NOT_FOUND) when the game does not exist.
 */
static enum err
room_lock(struct db *db, struct join_tx *t)
{
	struct db_rows	*rows = NULL;
	const char	*sp[1] = { t->ctx->socket_id }, *gp[1] = { t->game_id };
	enum err	 er;

	t->no.code = NULL;
	t->gone = 0;
	if ((er = db_run(db, Q_SOCKET_LOCK, sp, &rows)) != ERR_OK)
		goto out;
	if (db_rows_count(rows) != 1) {
		t->gone = 1;
		er = ERR_NOTFOUND;
		goto out;
	}
	db_rows_free(rows);
	rows = NULL;
	if ((er = db_run(db, Q_GAME_LOCK, gp, &rows)) != ERR_OK)
		goto out;
	if (db_rows_count(rows) != 1) {
		t->no.code = "GAME_NOT_FOUND";
		t->no.field = "game_id";
		(void)snprintf(t->no.message, sizeof(t->no.message),
		    "Game %s not found", t->game_id);
		er = ERR_NOTFOUND;
	}
out:
	db_rows_free(rows);
	return er;
}

/* After a join or leave transaction: a refusal is told, a vanished socket
 * needs nothing, anything else is ours. */
static enum err
tx_outcome(const struct ev_ctx *c, const struct join_tx *t, enum err er)
{
	if (er == ERR_NOTFOUND && t->gone)
		return ERR_OK;
	if (er == ERR_NOTFOUND && t->no.code != NULL)
		return refuse(c, &t->no);
	return er;
}

/* A JSON value computed by SQL (one row, one column); owned. */
static enum err
sql_json(struct db *db, enum query q, const char *const *params,
    struct json_object **out)
{
	struct db_rows	*rows = NULL;
	const char	*txt;
	enum err	 er;

	*out = NULL;
	if ((er = db_run(db, q, params, &rows)) != ERR_OK)
		goto out;
	if ((txt = db_rows_get(rows, 0, 0)) == NULL ||
	    (*out = json_tokener_parse(txt)) == NULL)
		er = ERR_DB;
out:
	db_rows_free(rows);
	return er;
}

/* The public game state, as JSON text parsed back into an object; owned. */
enum err
events_game_state(struct db *db, const char *game_id, struct json_object **out)
{
	const char	*params[1] = { game_id };

	return sql_json(db, Q_GAME_STATE, params, out);
}

/* game_joined.team_ids (docs/ui.md): the game's teams the user manages,
 * both for an admin, none for a spectator; owned. */
static enum err
team_ids(struct db *db, const struct join_tx *t, struct json_object **out)
{
	const struct ev_ctx	*c = t->ctx;
	const char		*params[3] = { t->game_id, c->user_id,
		c->admin ? "true" : "false" };

	if (strcmp(t->role, "player") != 0) {
		*out = json_object_new_array();
		return *out != NULL ? ERR_OK : ERR_NOMEM;
	}
	return sql_json(db, Q_GAME_MY_TEAMS, params, out);
}

/*
 * What authz needs to know about t's socket and game (authz.h), read
 * under the game's row lock: the socket's membership of the room and the
 * teams of the game its user manages.
 */
static enum err
room_who(struct db *db, const struct join_tx *t, struct authz_who *who)
{
	const struct ev_ctx	*c = t->ctx;
	struct db_rows		*rows = NULL;
	const char		*mp[2] = { c->socket_id, t->game_id };
	const char		*up[2] = { t->game_id, c->user_id }, *v;
	enum err		 er;
	int			 i;

	memset(who, 0, sizeof(*who));
	who->admin = c->admin;
	if ((er = db_run(db, Q_ROOM_ROLE, mp, &rows)) != ERR_OK)
		goto out;
	v = db_rows_get(rows, 0, 0);
	who->role = v == NULL ? AUTHZ_OUTSIDE : strcmp(v, "player") == 0 ?
	    AUTHZ_PLAYER : AUTHZ_SPECTATOR;
	db_rows_free(rows);
	rows = NULL;
	if ((er = db_run(db, Q_GAME_SIDES, up, &rows)) != ERR_OK)
		goto out;
	for (i = 0; i < 2; i++)
		who->manages[i] = (v = db_rows_get(rows, 0, (size_t)i)) !=
		    NULL && strcmp(v, "t") == 0;
out:
	db_rows_free(rows);
	return er;
}

/* room_who, then authz_check: ERR_NOTFOUND with t->no filled when
 * refused. */
static enum err
room_allow(struct db *db, struct join_tx *t, enum authz_act act)
{
	struct authz_who	 who;
	struct authz_ask	 ask = { act, -1, t->game_id, 0 };
	enum err		 er;

	if ((er = room_who(db, t, &who)) != ERR_OK)
		return er;
	return authz_check(&who, &ask, &t->no) ? ERR_OK : ERR_NOTFOUND;
}

/* ---------------------------------------------------------- audit trail */

/* Bounds of what a payload copy keeps (sql/011_audit.sql): strings cut at
 * AUDIT_MAX_STRING bytes, containers at AUDIT_MAX_ITEMS members and
 * AUDIT_MAX_DEPTH levels; the contract's payloads fit well within. */
#define AUDIT_MAX_STRING	200
#define AUDIT_MAX_ITEMS		16
#define AUDIT_MAX_DEPTH		3
#define AUDIT_MAX_MESSAGE	255

/* The game actions recorded, and the payload fields of each (events.md). */
static const struct audited {
	const char		*name;
	const char *const	 fields[10];
} audited[] = {
	{ "submit_defensive_decision", { "game_id", "alignment",
	    "infield_depth", "outfield_depth", "hold_runners", NULL } },
	{ "submit_offensive_decision", { "game_id", "approach",
	    "steal_attempts", "hit_and_run", "bunt_attempt", NULL } },
	{ "roll_dice", { "game_id", NULL } },
	{ "submit_manual_outcome", { "game_id", "outcome", "hit_location",
	    "error_bases", "advances", "fc_out_from", "base", "steal_result",
	    "runners", NULL } },
	{ "request_pinch_hitter", { "game_id", "player_out_lineup_id",
	    "player_in_card_id", "team_id", NULL } },
	{ "request_pinch_runner", { "game_id", "player_out_lineup_id",
	    "player_in_card_id", "team_id", NULL } },
	{ "request_defensive_replacement", { "game_id",
	    "player_out_lineup_id", "player_in_card_id", "new_position",
	    "team_id", NULL } },
	{ "request_pitching_change", { "game_id", "player_out_lineup_id",
	    "player_in_card_id", "team_id", NULL } },
	{ "join_game", { "game_id", "role", NULL } },
	{ "leave_game", { "game_id", NULL } },
};

static const struct audited *
audited_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(audited) / sizeof(audited[0]); i++)
		if (strcmp(audited[i].name, name) == 0)
			return &audited[i];
	return NULL;
}

int
events_audited(const char *name)
{
	return name != NULL && audited_find(name) != NULL;
}

/* A bounded copy of a client's JSON value (see AUDIT_MAX_*); owned, NULL
 * for JSON null or when out of memory (*er). */
static struct json_object *
audit_copy(struct json_object *v, int depth, enum err *er)
{
	struct json_object	*o = NULL, *x;
	const char		*str;
	size_t			 i, n;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return NULL;
	case json_type_boolean:
	case json_type_int:
	case json_type_double:
		return json_object_get(v);
	case json_type_string:
		str = json_object_get_string(v);	/* stops at a NUL */
		o = json_object_new_string_len(str,
		    (int)valid_utf8_cut(str, AUDIT_MAX_STRING));
		break;
	case json_type_array:
		if (depth >= AUDIT_MAX_DEPTH ||
		    (o = json_object_new_array()) == NULL)
			break;
		n = json_object_array_length(v);
		for (i = 0; i < n && i < AUDIT_MAX_ITEMS && *er == ERR_OK;
		    i++) {
			x = audit_copy(json_object_array_get_idx(v, i),
			    depth + 1, er);
			if (json_object_array_add(o, x) != 0) {
				json_object_put(x);
				*er = ERR_NOMEM;
			}
		}
		return o;
	case json_type_object:
		if (depth >= AUDIT_MAX_DEPTH ||
		    (o = json_object_new_object()) == NULL)
			break;
		i = 0;
		json_object_object_foreach(v, k, val) {
			if (i++ >= AUDIT_MAX_ITEMS || *er != ERR_OK)
				break;
			if (valid_utf8_cut(k, 32) != strlen(k))
				continue;	/* a long or odd key: left out */
			x = audit_copy(val, depth + 1, er);
			if (json_object_object_add(o, k, x) != 0) {
				json_object_put(x);
				*er = ERR_NOMEM;
			}
		}
		return o;
	}
	if (o == NULL && depth < AUDIT_MAX_DEPTH)
		*er = ERR_NOMEM;
	return o;
}

/* args[1]'s fields of the event's contract, as JSON text in b. */
static enum err
audit_payload(const struct audited *a, struct json_object *args,
    struct buf *b)
{
	struct json_object	*p = json_object_array_get_idx(args, 1);
	struct json_object	*o = NULL, *v, *x;
	enum err		 er = ERR_NOMEM;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		goto out;
	er = ERR_OK;
	for (i = 0; a->fields[i] != NULL && er == ERR_OK; i++) {
		if (p == NULL || !json_object_is_type(p, json_type_object) ||
		    !json_object_object_get_ex(p, a->fields[i], &v))
			continue;
		x = audit_copy(v, 1, &er);
		if (json_object_object_add(o, a->fields[i], x) != 0) {
			json_object_put(x);
			er = ERR_NOMEM;
		}
	}
	if (er == ERR_OK)
		er = buf_puts(b, json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN));
out:
	json_object_put(o);
	return er;
}

enum err
events_audit(struct db *db, const struct ev_ctx *c, const char *game_id,
    const char *outcome, const char *code, const char *message,
    const char *roll_id, const char *play_id)
{
	const struct audited	*a = audited_find(events_name(c->args));
	const char		*params[11];
	char			 msg[AUDIT_MAX_MESSAGE + 1];
	struct buf		 pl;
	enum err		 er;

	if (a == NULL)
		return ERR_OK;
	buf_init(&pl, EIO_MAX_PAYLOAD_CEILING);
	if ((er = audit_payload(a, c->args, &pl)) != ERR_OK)
		goto out;
	msg[0] = '\0';
	if (message != NULL)
		(void)snprintf(msg, sizeof(msg), "%.*s",
		    (int)valid_utf8_cut(message, AUDIT_MAX_MESSAGE), message);
	params[0] = game_id;
	params[1] = a->name;
	params[2] = c->user_id;
	params[3] = c->admin ? "true" : "false";
	params[4] = c->socket_id;
	params[5] = pl.data;
	params[6] = outcome;
	params[7] = code;
	params[8] = message != NULL ? msg : NULL;
	params[9] = roll_id;
	params[10] = play_id;
	er = db_run(db, Q_AUDIT_ADD, params, NULL);
out:
	buf_free(&pl);
	return er;
}

/* ------------------------------------------------------------ join_game */

static enum err
join_run(struct db *db, void *arg)
{
	struct join_tx		*t = arg;
	struct ev_ctx		*c = t->ctx;
	struct json_object	*joined = NULL, *state = NULL, *conn = NULL;
	struct json_object	*teams = NULL;
	struct db_rows		*rows = NULL;
	const char		*params[3];
	int			 changed;
	enum err		 er;

	if ((er = room_lock(db, t)) != ERR_OK ||
	    (er = room_allow(db, t, strcmp(t->role, "player") == 0 ?
	    AUTHZ_JOIN_PLAYER : AUTHZ_WATCH)) != ERR_OK)
		goto out;
	params[0] = c->socket_id;
	params[1] = t->game_id;
	params[2] = t->role;
	if ((er = db_run(db, Q_ROOM_JOIN, params, &rows)) != ERR_OK)
		goto out;
	changed = db_rows_count(rows) == 1;
	if ((er = events_audit(db, c, t->game_id, "ok", NULL, NULL, NULL,
	    NULL)) != ERR_OK || (er = team_ids(db, t, &teams)) != ERR_OK)
		goto out;
	er = ERR_NOMEM;
	if ((joined = events_obj_game(t->game_id)) == NULL ||
	    obj_add_str(joined, "role", t->role) != ERR_OK ||
	    obj_steal(joined, "team_ids", json_object_get(teams)) != ERR_OK ||
	    (conn = events_obj_game(t->game_id)) == NULL ||
	    obj_add_str(conn, "user_id", c->user_id) != ERR_OK ||
	    obj_add_str(conn, "role", t->role) != ERR_OK)
		goto out;
	if ((er = events_game_state(db, t->game_id, &state)) != ERR_OK ||
	    (er = emit_event(db, c->sid, c->nsp, -1, "game_joined",
	    joined)) != ERR_OK ||
	    (er = events_ack_ok(c, joined)) != ERR_OK ||
	    (er = emit_event(db, c->sid, c->nsp, -1, "game_state",
	    state)) != ERR_OK || !changed)
		goto out;	/* a repeated join is not broadcast again */
	er = emit_room(db, t->game_id, "user_connected", conn, NULL);
out:
	db_rows_free(rows);
	json_object_put(joined);
	json_object_put(state);
	json_object_put(conn);
	json_object_put(teams);
	return er;
}

static enum err
ev_join_game(struct ev_ctx *c)
{
	static const char *const roles[] = { "player", "spectator", NULL };
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct join_tx		 t;

	memset(&t, 0, sizeof(t));
	t.ctx = c;
	if (!valid_object(p, &ve) || !valid_uuid(p, "game_id", t.game_id, &ve) ||
	    !valid_choice(p, "role", roles, "spectator", &t.role, &ve))
		return fail(c, &ve);
	return tx_outcome(c, &t, db_tx_run(c->db, join_run, &t));
}

/* ----------------------------------------------------------- leave_game */

static enum err
leave_run(struct db *db, void *arg)
{
	struct join_tx		*t = arg;
	struct ev_ctx		*c = t->ctx;
	struct json_object	*left = NULL, *ul = NULL;
	struct db_rows		*rows = NULL;
	const char		*params[2];
	enum err		 er;

	/* leaving is the least of what a member may do */
	if ((er = room_lock(db, t)) != ERR_OK ||
	    (er = room_allow(db, t, AUTHZ_READ)) != ERR_OK)
		goto out;
	params[0] = c->socket_id;
	params[1] = t->game_id;
	if ((er = db_run(db, Q_ROOM_LEAVE, params, &rows)) != ERR_OK)
		goto out;
	if ((er = events_audit(db, c, t->game_id, "ok", NULL, NULL, NULL,
	    NULL)) != ERR_OK)
		goto out;
	er = ERR_NOMEM;
	if ((left = events_obj_game(t->game_id)) == NULL ||
	    (ul = events_obj_game(t->game_id)) == NULL ||
	    obj_add_str(ul, "user_id", c->user_id) != ERR_OK)
		goto out;
	if ((er = emit_event(db, c->sid, c->nsp, -1, "game_left",
	    left)) != ERR_OK || (er = events_ack_ok(c, left)) != ERR_OK)
		goto out;
	er = emit_room(db, t->game_id, "user_left", ul, NULL);
out:
	db_rows_free(rows);
	json_object_put(left);
	json_object_put(ul);
	return er;
}

static enum err
ev_leave_game(struct ev_ctx *c)
{
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct join_tx		 t;

	memset(&t, 0, sizeof(t));
	t.ctx = c;
	if (!valid_object(p, &ve) || !valid_uuid(p, "game_id", t.game_id, &ve))
		return fail(c, &ve);
	return tx_outcome(c, &t, db_tx_run(c->db, leave_run, &t));
}

/* ------------------------------------------------------------ heartbeat */

static enum err
heartbeat_run(struct db *db, void *arg)
{
	struct ev_ctx		*c = arg;
	struct json_object	*empty;
	enum err		 er;

	(void)db;
	if ((empty = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	if ((er = emit_event(c->db, c->sid, c->nsp, -1, "heartbeat_ack",
	    empty)) == ERR_OK)
		er = events_ack_ok(c, NULL);
	json_object_put(empty);
	return er;
}

static enum err
ev_heartbeat(struct ev_ctx *c)
{
	return db_tx_run(c->db, heartbeat_run, c);
}

/* ----------------------------------------------------------- list_games */

struct list_tx {
	struct ev_ctx	*ctx;
	const char	*status;	/* NULL: every status */
	char		 limit[24];	/* ours: a validated integer */
};

static enum err
list_run(struct db *db, void *arg)
{
	struct list_tx		*t = arg;
	struct ev_ctx		*c = t->ctx;
	struct json_object	*games = NULL, *msg = NULL;
	const char		*params[4] = { c->user_id,
		c->admin ? "true" : "false", t->status, t->limit };
	enum err		 er;

	if ((er = sql_json(db, Q_GAMES_LIST, params, &games)) != ERR_OK)
		goto out;
	er = ERR_NOMEM;
	if ((msg = json_object_new_object()) == NULL ||
	    obj_steal(msg, "games", json_object_get(games)) != ERR_OK)
		goto out;
	if ((er = emit_event(db, c->sid, c->nsp, -1, "games_list",
	    msg)) == ERR_OK)
		er = events_ack_ok(c, msg);
out:
	json_object_put(games);
	json_object_put(msg);
	return er;
}

/*
 * list_games {status?, limit?} (docs/ui.md): any authenticated socket, no
 * room needed.  No payload at all counts as {}; anything else but an
 * object is INVALID_PAYLOAD, a bad status or limit INVALID_FORMAT on its
 * field.
 */
static enum err
ev_list_games(struct ev_ctx *c)
{
	static const char *const statuses[] = { "pending", "active", "final",
		NULL };
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct list_tx		 t;
	int64_t			 limit = LIST_GAMES_DEFAULT;

	memset(&t, 0, sizeof(t));
	t.ctx = c;
	if (json_object_array_length(c->args) > 1) {
		if (!valid_object(p, &ve))
			return fail(c, &ve);
		if (!valid_choice(p, "status", statuses, "", &t.status, &ve)) {
			ve.message = "Invalid status: expected pending, active "
			    "or final";
			return fail(c, &ve);
		}
		if (!valid_int(p, "limit", 1, LIST_GAMES_MAX, 0, &limit,
		    &ve)) {
			ve.message = "Invalid limit: expected an integer from "
			    "1 to " STR(LIST_GAMES_MAX);
			return fail(c, &ve);
		}
		if (*t.status == '\0')
			t.status = NULL;
	}
	(void)snprintf(t.limit, sizeof(t.limit), "%" PRId64, limit);
	return db_tx_run(c->db, list_run, &t);
}

/* ---------------------------------------------------------------- bench */

struct bench_tx {
	struct ev_ctx		*ctx;
	struct json_object	*echo;		/* {from, payload}; borrowed */
	int			 gone;		/* the socket has ended */
	struct authz_no		 no;
};

/*
 * The whole path of a game action, for measuring it (issue 7): the
 * socket locked, each of its rooms' game rows locked, the echo queued to
 * the room and NOTIFY at commit.  Only the rules engine is left out.
 */
static enum err
bench_run(struct db *db, void *arg)
{
	struct bench_tx		*t = arg;
	struct ev_ctx		*c = t->ctx;
	struct db_rows		*rows = NULL;
	const char		*sp[1] = { c->socket_id };
	struct authz_who	 who = { 0, c->admin, AUTHZ_OUTSIDE, { 0, 0 } };
	struct authz_ask	 ask = { AUTHZ_READ, -1, NULL, 0 };
	size_t			 i, n;
	enum err		 er;

	t->gone = 0;
	if ((er = db_run(db, Q_SOCKET_LOCK, sp, &rows)) != ERR_OK)
		goto out;
	if (db_rows_count(rows) != 1) {
		t->gone = 1;		/* a socket that ended is owed nothing */
		er = ERR_NOTFOUND;
		goto out;
	}
	db_rows_free(rows);
	rows = NULL;
	if ((er = db_run(db, Q_BENCH_ROOMS, sp, &rows)) != ERR_OK)
		goto out;
	if ((n = db_rows_count(rows)) > 0)
		who.role = AUTHZ_SPECTATOR;	/* at least */
	if (!authz_check(&who, &ask, &t->no)) {
		er = ERR_NOTFOUND;
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((er = emit_room(db, db_rows_get(rows, i, 0), "bench_echo",
		    t->echo, NULL)) != ERR_OK)
			goto out;
	er = events_ack_ok(c, NULL);
out:
	db_rows_free(rows);
	return er;
}

/*
 * bench <any JSON> (bench_events = on only; otherwise it does not
 * exist): bench_echo {from: socket id, payload} to every room the socket
 * has joined, sender included.  No payload is null.
 */
static enum err
ev_bench(struct ev_ctx *c)
{
	struct valid_err	 ve = { "UNKNOWN_EVENT", NULL, "Unknown event" };
	struct json_object	*p = json_object_array_get_idx(c->args, 1);
	struct bench_tx		 t;
	enum err		 er = ERR_NOMEM;

	if (!c->conf->bench_events)
		return fail(c, &ve);
	memset(&t, 0, sizeof(t));
	t.ctx = c;
	if ((t.echo = json_object_new_object()) == NULL ||
	    obj_add_str(t.echo, "from", c->socket_id) != ERR_OK)
		goto out;
	/* json-c stores a NULL member as JSON null */
	if (json_object_object_add(t.echo, "payload", json_object_get(p)) !=
	    0) {
		json_object_put(p);	/* the add did not take our reference */
		goto out;
	}
	if ((er = db_tx_run(c->db, bench_run, &t)) == ERR_NOTFOUND &&
	    !t.gone)
		er = refuse(c, &t.no);
	else if (er == ERR_NOTFOUND)
		er = ERR_OK;
out:
	json_object_put(t.echo);
	return er;
}

/* ---------------------------------------------------------------- table */

static const struct events_handler handlers[] = {
	{ "join_game", ev_join_game },
	{ "leave_game", ev_leave_game },
	{ "heartbeat", ev_heartbeat },
	{ "list_games", ev_list_games },
	{ "bench", ev_bench },
	{ NULL, NULL },
};

const char *
events_name_at(size_t i)
{
	size_t	 n = sizeof(handlers) / sizeof(handlers[0]) - 1, j;

	if (i < n)
		return handlers[i].name;
	for (j = 0; gameplay_handlers[j].name != NULL; j++)
		if (j == i - n)
			return gameplay_handlers[j].name;
	return NULL;
}

const char *
events_name(struct json_object *args)
{
	struct json_object	*n = json_object_array_get_idx(args, 0);
	const char		*name, *known;
	size_t			 i;

	if (n == NULL || !json_object_is_type(n, json_type_string))
		return "other";
	name = json_object_get_string(n);
	for (i = 0; (known = events_name_at(i)) != NULL; i++)
		if (strcmp(known, name) == 0)
			return known;
	return "other";
}

/*
 * Take a token from the socket's bucket for this event (events.md: per
 * socket and per event kind; roll_dice has its own lower rate, burst
 * equal to it).  *ok is 0 when the event must be refused.
 */
static enum err
rate_take(const struct ev_ctx *c, const char *event, int *ok)
{
	struct db_rows	*rows = NULL;
	const char	*params[4], *v;
	char		 rate[16], burst[16];
	int		 roll = strcmp(event, "roll_dice") == 0;
	enum err	 er;

	(void)snprintf(rate, sizeof(rate), "%u",
	    roll ? c->conf->rate_roll_dice : c->conf->rate_limit);
	(void)snprintf(burst, sizeof(burst), "%u",
	    roll ? c->conf->rate_roll_dice : c->conf->rate_burst);
	params[0] = c->socket_id;
	params[1] = event;
	params[2] = rate;
	params[3] = burst;
	*ok = 0;
	if ((er = db_run(c->db, Q_RATE_TAKE, params, &rows)) == ERR_OK)
		*ok = (v = db_rows_get(rows, 0, 0)) != NULL && strcmp(v, "t") == 0;
	db_rows_free(rows);
	return er;
}

enum err
events_dispatch(struct ev_ctx *c)
{
	struct json_object	*n = json_object_array_get_idx(c->args, 0);
	const char		*name = NULL;
	size_t			 i;
	enum err		 (*fn)(struct ev_ctx *) = NULL;
	int			 ok;
	enum err		 er;
	struct valid_err	 ve = { "UNKNOWN_EVENT", NULL, "Unknown event" };
	struct valid_err	 rl = { "RATE_LIMITED", NULL,
		"Too many events of this kind: slow down and try again" };

	if (n != NULL && json_object_is_type(n, json_type_string)) {
		name = json_object_get_string(n);
		for (i = 0; fn == NULL && handlers[i].name != NULL; i++)
			if (strcmp(handlers[i].name, name) == 0)
				fn = handlers[i].fn;
		for (i = 0; fn == NULL && gameplay_handlers[i].name != NULL; i++)
			if (strcmp(gameplay_handlers[i].name, name) == 0)
				fn = gameplay_handlers[i].fn;
	}
	/* unknown names share one bucket: a flood of them is limited too */
	if ((er = rate_take(c, fn != NULL ? name : "*", &ok)) != ERR_OK)
		return er;
	if (!ok)
		return fail(c, &rl);
	return fn != NULL ? fn(c) : fail(c, &ve);
}

/* --------------------------------------------------------- conformance */

/* The arguments after the event name, as a new array; owned. */
static struct json_object *
args_rest(struct json_object *args)
{
	struct json_object	*a;
	size_t			 i, n = json_object_array_length(args);

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 1; i < n; i++)
		if (json_object_array_add(a, json_object_get(
		    json_object_array_get_idx(args, i))) != 0) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

enum err
events_dispatch_conformance(struct ev_ctx *c)
{
	struct json_object	*n = json_object_array_get_idx(c->args, 0);
	struct json_object	*rest = NULL, *ev = NULL;
	const char		*name;
	enum err		 er = ERR_OK;

	if (n == NULL || !json_object_is_type(n, json_type_string))
		return ERR_OK;
	name = json_object_get_string(n);
	if ((rest = args_rest(c->args)) == NULL)
		return ERR_NOMEM;
	if (strcmp(name, "message") == 0) {
		/* ["message-back", ...same args] */
		er = ERR_NOMEM;
		if ((ev = json_object_new_array()) == NULL ||
		    json_object_array_add(ev,
		    json_object_new_string("message-back")) != 0)
			goto out;
		for (size_t i = 0; i < json_object_array_length(rest); i++)
			if (json_object_array_add(ev, json_object_get(
			    json_object_array_get_idx(rest, i))) != 0)
				goto out;
		er = emit_event_args(c->db, c->sid, c->nsp, -1, ev);
	} else if (strcmp(name, "message-with-ack") == 0)
		er = emit_ack(c->db, c->sid, c->nsp, c->ack_id, rest);
out:
	json_object_put(ev);
	json_object_put(rest);
	return er;
}

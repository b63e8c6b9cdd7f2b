/*
 * gameplay.c -- the gameplay events of events.md: decisions, dice,
 * outcomes, substitutions and the read-only game queries.
 *
 * Every handler follows design.md decision 2: validate the payload with no
 * I/O (valid.h), then one transaction that locks the socket (FOR SHARE)
 * and the game row (FOR UPDATE), loads the state document
 * (dugout_game_load), asks the engine (game.h), writes the result and
 * queues every reply and broadcast.  A refusal rolls the transaction back
 * and is sent afterwards, so a refused action changes nothing.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "authz.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "dice.h"
#include "emit.h"
#include "events.h"
#include "game.h"
#include "game_json.h"
#include "valid.h"

#define ID_MAX	INT64_MAX

/* One gameplay transaction: its input, what it decided, and the refusal
 * to send after a rollback. */
struct gp {
	struct ev_ctx		*ctx;
	char			 game_id[VALID_UUID_LEN + 1];
	const char		*refusal_event;	/* for rule refusals */
	/* decided inside the transaction */
	int			 gone;		/* the socket has ended */
	int			 refused;
	const char		*event;		/* "error", "outcome_rejected"... */
	const char		*code;
	const char		*field;
	char			 message[200];
	int64_t			 team_ids[2];	/* away, home */
	struct authz_who	 who;		/* for authz_check */
	struct json_object	*doc;		/* state document, for names */
	struct game_state	 st;
	int			 started;	/* gp_open started the game */
};

/* Start (or restart, on a retried transaction) a run. */
static void
gp_reset(struct gp *g)
{
	g->gone = g->refused = g->started = 0;
	g->event = g->code = g->field = NULL;
	g->message[0] = '\0';
	json_object_put(g->doc);
	g->doc = NULL;
}

static enum err __attribute__((format(printf, 5, 6)))
gp_refuse(struct gp *g, const char *event, const char *code,
    const char *field, const char *fmt, ...)
{
	va_list	 ap;

	g->refused = 1;
	g->event = event;
	g->code = code;
	g->field = field;
	va_start(ap, fmt);
	(void)vsnprintf(g->message, sizeof(g->message), fmt, ap);
	va_end(ap);
	return ERR_NOTFOUND;	/* roll back; gp_finish sends it */
}

static enum err
gp_refuse_engine(struct gp *g, const char *event, const struct g_error *e)
{
	return gp_refuse(g, event, e->code, e->field, "%s", e->message);
}

/* After the transaction: send a refusal, ignore a vanished socket. */
static enum err
gp_finish(struct gp *g, enum err er)
{
	struct ev_ctx	*c = g->ctx;

	json_object_put(g->doc);
	g->doc = NULL;
	if (er == ERR_NOTFOUND && g->gone)
		return ERR_OK;
	if (er == ERR_NOTFOUND && g->refused)
		return emit_refusal(c->db, c->sid, c->nsp, c->ack_id,
		    g->event, g->code, g->message, g->field);
	return er;
}

static enum err
fail_as(const struct ev_ctx *c, const char *event, const struct valid_err *e)
{
	return emit_refusal(c->db, c->sid, c->nsp, c->ack_id, event, e->code,
	    e->message, e->field);
}

static struct json_object *
payload_of(const struct ev_ctx *c)
{
	return json_object_array_get_idx(c->args, 1);
}

/* One text value of a one-row result, NULL for none. */
static enum err
value(struct db *db, enum query q, const char *const *params, char **out)
{
	struct db_rows	*rows = NULL;
	const char	*v;
	enum err	 er;

	*out = NULL;
	if ((er = db_run(db, q, params, &rows)) != ERR_OK)
		return er;
	if ((v = db_rows_get(rows, 0, 0)) != NULL &&
	    (*out = strdup(v)) == NULL)
		er = ERR_NOMEM;
	db_rows_free(rows);
	return er;
}

/* A boolean column: "t" is true, "f" and NULL are not. */
static int
is_true(const char *v)
{
	return v != NULL && strcmp(v, "t") == 0;
}

/* A JSON value computed by SQL; owned. */
static enum err
json_value(struct db *db, enum query q, const char *const *params,
    struct json_object **out)
{
	char		*txt = NULL;
	enum err	 er;

	*out = NULL;
	if ((er = value(db, q, params, &txt)) == ERR_OK &&
	    (txt == NULL || (*out = json_tokener_parse(txt)) == NULL))
		er = ERR_DB;
	free(txt);
	return er;
}

static enum err
obj_set(struct json_object *o, const char *k, struct json_object *v)
{
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

/* Append v to a, which takes it; v is released if it cannot. */
static enum err
arr_add(struct json_object *a, struct json_object *v)
{
	if (v == NULL || json_object_array_add(a, v) != 0) {
		json_object_put(v);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

/* Ask authz (authz.h) about g's socket; a refusal is recorded in g and
 * sent after the rollback.  ERR_NOTFOUND when refused. */
static enum err
gp_allow(struct gp *g, enum authz_act act, int side, int64_t team_id)
{
	struct authz_ask	 ask = { act, side, g->game_id, team_id };
	struct authz_no		 no;

	if (authz_check(&g->who, &ask, &no))
		return ERR_OK;
	return gp_refuse(g, act == AUTHZ_SUBSTITUTE ? "substitution_error" :
	    "error", no.code, no.field, "%s", no.message);
}

/*
 * Lock and load, in one call (dugout_action_open): socket, game row,
 * membership, the sides the user manages and the state document; then
 * ask authz for `act` (AUTHZ_READ or AUTHZ_PLAY; the side's own checks
 * come later, once the state says whose turn it is).  AUTHZ_PLAY starts
 * a pending game (game_start checks both lineups).
 */
static enum err
gp_open(struct db *db, struct gp *g, enum authz_act act, const char *nf_event)
{
	struct ev_ctx		*c = g->ctx;
	struct db_rows		*rows = NULL;
	const char		*params[3] = { c->socket_id, g->game_id,
	    c->user_id }, *role, *txt;
	struct g_error		 ge;
	enum err		 er;
	int			 i;

	gp_reset(g);
	if ((er = db_run(db, Q_ACTION_OPEN, params, &rows)) != ERR_OK)
		goto out;
	if (!is_true(db_rows_get(rows, 0, 0))) {
		g->gone = 1;
		er = ERR_NOTFOUND;
		goto out;
	}
	if (!is_true(db_rows_get(rows, 0, 1))) {
		er = gp_refuse(g, nf_event, "GAME_NOT_FOUND",
		    strcmp(nf_event, "outcome_rejected") == 0 ? NULL :
		    "game_id", "Game %s not found", g->game_id);
		goto out;
	}
	memset(&g->who, 0, sizeof(g->who));
	g->who.admin = c->admin;
	role = db_rows_get(rows, 0, 2);
	g->who.role = role == NULL ? AUTHZ_OUTSIDE :
	    strcmp(role, "player") == 0 ? AUTHZ_PLAYER : AUTHZ_SPECTATOR;
	for (i = 0; i < 2; i++) {
		const char	*t = db_rows_get(rows, 0, (size_t)i + 5);

		g->who.manages[i] = is_true(db_rows_get(rows, 0,
		    (size_t)i + 3));
		g->team_ids[i] = t != NULL ? strtoll(t, NULL, 10) : 0;
	}
	if ((er = gp_allow(g, act, -1, 0)) != ERR_OK)
		goto out;
	if ((txt = db_rows_get(rows, 0, 7)) == NULL ||
	    (g->doc = json_tokener_parse(txt)) == NULL ||
	    (er = game_json_read(g->doc, &g->st)) != ERR_OK) {
		er = ERR_DB;
		goto out;
	}
	if (act == AUTHZ_PLAY && g->st.status == G_PENDING) {
		if (game_start(&g->st, &ge))
			g->started = 1;
		else
			er = gp_refuse(g, "error", "GAME_NOT_READY", NULL,
			    "The game cannot start yet: %s", ge.message);
	}
out:
	db_rows_free(rows);
	return er;
}

static enum err
gp_save(struct db *db, struct gp *g)
{
	struct json_object	*doc;
	const char		*params[2];
	enum err		 er;

	if ((doc = game_json_state(&g->st)) == NULL)
		return ERR_NOMEM;
	params[0] = g->game_id;
	params[1] = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	er = db_run(db, Q_GAME_SAVE, params, NULL);
	json_object_put(doc);
	return er;
}

/*
 * The accepted action's audit row (events_audit, sql/011_audit.sql),
 * written in the action's own transaction by every write path, so a
 * committed action always has its row and a rolled-back one none; a
 * refusal's row is written by service.c after the rollback.  roll_id and
 * play_id: decimal ids or NULL.
 */
static enum err
gp_audit(struct db *db, const struct gp *g, const char *roll_id,
    const char *play_id)
{
	return events_audit(db, g->ctx, g->game_id, "ok", NULL, NULL, roll_id,
	    play_id);
}

/* The public game_state, broadcast to the room. */
static enum err
gp_broadcast_state(struct db *db, struct gp *g)
{
	struct json_object	*state = NULL;
	enum err		 er;

	if ((er = events_game_state(db, g->game_id, &state)) == ERR_OK)
		er = emit_room(db, g->game_id, "game_state", state, NULL);
	json_object_put(state);
	return er;
}

/* ------------------------------------------------------------ decisions */

/*
 * Record the decision now in force for one side as a `decision` row and
 * point the game at it (dugout_decision_record).  *out (may be NULL)
 * receives the decision object, owned by the caller.
 */
static enum err
decision_write(struct db *db, struct gp *g, int defensive, const char *by,
    struct json_object **out)
{
	struct json_object	*ds, *d;
	const char		*params[5];
	char			 team[24];
	int			 side;
	enum err		 er = ERR_NOMEM;

	if (out != NULL)
		*out = NULL;
	side = defensive ? GAME_FIELDING(&g->st) : GAME_BATTING(&g->st);
	if ((ds = game_json_decisions(&g->st)) == NULL ||
	    !json_object_object_get_ex(ds, defensive ? "defensive" :
	    "offensive", &d))
		goto out;
	(void)snprintf(team, sizeof(team), "%" PRId64, g->team_ids[side]);
	params[0] = g->game_id;
	params[1] = defensive ? "defensive" : "offensive";
	params[2] = team;
	params[3] = by;
	params[4] = json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN);
	if ((er = db_run(db, Q_DECISION_RECORD, params, NULL)) == ERR_OK &&
	    out != NULL)
		*out = json_object_get(d);
out:
	json_object_put(ds);
	return er;
}

/*
 * A runner event can change the decisions in force without ending the
 * plate appearance: a resolved steal is no longer declared, a hold on a
 * base now empty is dropped.  The adjusted decision is recorded as a new
 * row by "dugout", so the game row never points at a call that no longer
 * holds and the submitted one stays on record as it was.
 */
static enum err
decisions_adjusted(struct db *db, struct gp *g, const struct g_defense *def,
    const struct g_offense *off)
{
	const struct g_defense	*nd = &g->st.def;
	const struct g_offense	*no = &g->st.off;
	enum err		 er = ERR_OK;

	if (g->st.def_set && (def->alignment != nd->alignment ||
	    def->infield != nd->infield || def->outfield != nd->outfield ||
	    def->hold != nd->hold))
		er = decision_write(db, g, 1, "dugout", NULL);
	if (er == ERR_OK && g->st.off_set && (off->approach != no->approach ||
	    off->steal != no->steal || off->hit_and_run != no->hit_and_run ||
	    off->bunt != no->bunt))
		er = decision_write(db, g, 0, "dugout", NULL);
	return er;
}

struct decision_tx {
	struct gp		 g;
	int			 defensive;
	struct g_defense	 def;
	struct g_offense	 off;
};

static enum err
decision_run(struct db *db, void *arg)
{
	struct decision_tx	*t = arg;
	struct gp		*g = &t->g;
	struct ev_ctx		*c = g->ctx;
	struct json_object	*d = NULL, *msg = NULL;
	struct g_error		 ge;
	int			 side;
	enum err		 er;

	if ((er = gp_open(db, g, AUTHZ_PLAY, "error")) != ERR_OK)
		goto out;
	side = t->defensive ? GAME_FIELDING(&g->st) : GAME_BATTING(&g->st);
	if ((er = gp_allow(g, t->defensive ? AUTHZ_DEFENSE : AUTHZ_OFFENSE,
	    side, 0)) != ERR_OK)
		goto out;
	if (t->defensive ? !game_defense(&g->st, &t->def, &ge) :
	    !game_offense(&g->st, &t->off, &ge)) {
		er = gp_refuse_engine(g, "error", &ge);
		goto out;
	}
	if ((er = decision_write(db, g, t->defensive, c->user_id, &d)) !=
	    ERR_OK || (er = gp_save(db, g)) != ERR_OK ||
	    (er = gp_audit(db, g, NULL, NULL)) != ERR_OK)
		goto out;
	er = ERR_NOMEM;
	if ((msg = events_obj_game(g->game_id)) == NULL ||
	    obj_set(msg, "decision", json_object_get(d)) != ERR_OK ||
	    obj_set(msg, "pending_decision", json_object_new_string(
	    game_pending_decision(&g->st))) != ERR_OK)
		goto out;
	if ((er = emit_room(db, g->game_id, t->defensive ?
	    "defensive_decision_submitted" : "offensive_decision_submitted",
	    msg, NULL)) != ERR_OK ||
	    (er = events_ack_ok(c, msg)) != ERR_OK)
		goto out;
	er = gp_broadcast_state(db, g);
out:
	json_object_put(d);
	json_object_put(msg);
	return er;
}

static enum err
ev_defensive(struct ev_ctx *c)
{
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct decision_tx	 t;
	const char		*a = NULL, *i = NULL, *o = NULL;

	memset(&t, 0, sizeof(t));
	t.g.ctx = c;
	t.defensive = 1;
	if (!valid_object(p, &ve) ||
	    !valid_uuid(p, "game_id", t.g.game_id, &ve) ||
	    !valid_string(p, "alignment", 32, 0, &a, &ve) ||
	    !valid_named(a, a && game_align_parse(a, &t.def.alignment),
	    "alignment", &ve) ||
	    !valid_string(p, "infield_depth", 32, 0, &i, &ve) ||
	    !valid_named(i, i && game_infield_parse(i, &t.def.infield),
	    "infield_depth", &ve) ||
	    !valid_string(p, "outfield_depth", 32, 0, &o, &ve) ||
	    !valid_named(o, o && game_outfield_parse(o, &t.def.outfield),
	    "outfield_depth", &ve) ||
	    !valid_bases(p, "hold_runners", &t.def.hold, &ve))
		return fail_as(c, "error", &ve);
	return gp_finish(&t.g, db_tx_run(c->db, decision_run, &t));
}

static enum err
ev_offensive(struct ev_ctx *c)
{
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct decision_tx	 t;
	const char		*a = NULL;

	memset(&t, 0, sizeof(t));
	t.g.ctx = c;
	if (!valid_object(p, &ve) ||
	    !valid_uuid(p, "game_id", t.g.game_id, &ve) ||
	    !valid_string(p, "approach", 32, 0, &a, &ve) ||
	    !valid_named(a, a && game_approach_parse(a, &t.off.approach),
	    "approach", &ve) ||
	    !valid_bases(p, "steal_attempts", &t.off.steal, &ve) ||
	    !valid_bool(p, "hit_and_run", &t.off.hit_and_run, &ve) ||
	    !valid_bool(p, "bunt_attempt", &t.off.bunt, &ve))
		return fail_as(c, "error", &ve);
	return gp_finish(&t.g, db_tx_run(c->db, decision_run, &t));
}

/* ----------------------------------------------------------------- dice */

static int
any_runner(const struct game_state *st)
{
	return st->base[0].id || st->base[1].id || st->base[2].id;
}

static enum err
roll_run(struct db *db, void *arg)
{
	struct gp		*g = arg;
	struct ev_ctx		*c = g->ctx;
	struct json_object	*roll = NULL, *msg = NULL, *id;
	struct dice_ab		 d;
	const char		*params[11];
	char			 n[7][21];	/* int64 text: 20 + NUL */
	int			 wp, pb, i;
	enum err		 er;

	if ((er = gp_open(db, g, AUTHZ_PLAY, "error")) != ERR_OK)
		goto out;
	if (g->st.status == G_FINAL) {
		er = gp_refuse(g, "error", "GAME_OVER", "game_id",
		    "Game is over");
		goto out;
	}
	if (g->st.roll_pending) {
		er = gp_refuse(g, "error", "ROLL_PENDING", "game_state",
		    "A roll is already pending: submit its outcome first");
		goto out;
	}
	dice_at_bat(&d);
	/* rules.md §6 #10: no wild-pitch or passed-ball check with the
	 * bases empty */
	wp = d.chaos_d20 == 1 && any_runner(&g->st);
	pb = d.chaos_d20 == 2 && any_runner(&g->st);
	/* dugout_roll_new points the game at the roll and sets the step; the
	 * rest of the state changes only when this roll started the game
	 * (a save is the costliest statement of a roll, issue 7) */
	g->st.roll_pending = 1;
	if (g->started && (er = gp_save(db, g)) != ERR_OK)
		goto out;
	(void)snprintf(n[0], sizeof(n[0]), "%d", d.d6_one);
	(void)snprintf(n[1], sizeof(n[1]), "%d", d.d6_two_a);
	(void)snprintf(n[2], sizeof(n[2]), "%d", d.d6_two_b);
	(void)snprintf(n[3], sizeof(n[3]), "%d", d.chaos_d20);
	(void)snprintf(n[4], sizeof(n[4]), "%d", d.resolution_d20);
	(void)snprintf(n[5], sizeof(n[5]), "%u", c->conf->roll_expiry / 1000);
	params[0] = g->game_id;
	params[1] = c->user_id;
	params[2] = c->socket_id;
	for (i = 0; i < 5; i++)
		params[3 + i] = n[i];
	params[8] = wp ? "true" : "false";
	params[9] = pb ? "true" : "false";
	params[10] = n[5];
	if ((er = json_value(db, Q_ROLL_NEW, params, &roll)) != ERR_OK)
		goto out;
	if (!json_object_object_get_ex(roll, "roll_id", &id) ||
	    !json_object_is_type(id, json_type_int)) {
		er = ERR_DB;
		goto out;
	}
	(void)snprintf(n[6], sizeof(n[6]), "%" PRId64,
	    json_object_get_int64(id));
	if ((er = gp_audit(db, g, n[6], NULL)) != ERR_OK)
		goto out;
	er = ERR_NOMEM;
	if ((msg = events_obj_game(g->game_id)) == NULL)
		goto out;
	json_object_object_foreach(roll, k, v)
		if (obj_set(msg, k, json_object_get(v)) != ERR_OK)
			goto out;
	if (obj_set(msg, "message", json_object_new_string(
	    wp ? "Dice rolled - wild pitch check: read the pitcher's WP "
	    "rating against the resolution d20" :
	    pb ? "Dice rolled - passed ball check: read the catcher's PB "
	    "rating against the resolution d20" :
	    "Dice rolled - read your card and submit outcome")) != ERR_OK)
		goto out;
	if ((er = emit_room(db, g->game_id, "dice_rolled", msg, NULL)) !=
	    ERR_OK || (er = events_ack_ok(c, msg)) != ERR_OK)
		goto out;
	er = gp_broadcast_state(db, g);
out:
	json_object_put(roll);
	json_object_put(msg);
	return er;
}

static enum err
ev_roll_dice(struct ev_ctx *c)
{
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct gp		 g;

	memset(&g, 0, sizeof(g));
	g.ctx = c;
	if (!valid_object(p, &ve) || !valid_uuid(p, "game_id", g.game_id, &ve))
		return fail_as(c, "error", &ve);
	return gp_finish(&g, db_tx_run(c->db, roll_run, &g));
}

/* -------------------------------------------------------------- outcome */

struct outcome_tx {
	struct gp	 g;
	struct g_submit	 sub;
	struct g_play	 play;
};

static enum err
outcome_emit(struct db *db, struct outcome_tx *t, const char *play_id)
{
	struct gp		*g = &t->g;
	struct ev_ctx		*c = g->ctx;
	struct json_object	*acc = NULL, *resolved = NULL;
	const char		*params[1] = { play_id }, *loc;
	enum err		 er = ERR_NOMEM;

	loc = game_loc_name(t->play.loc);
	if ((acc = json_object_new_object()) == NULL ||
	    obj_set(acc, "outcome", json_object_new_string(
	    game_outcome(t->play.outcome)->name)) != ERR_OK ||
	    obj_set(acc, "hit_location", loc ? json_object_new_string(loc) :
	    NULL) != ERR_OK)
		goto out;
	if ((er = emit_event(db, c->sid, c->nsp, -1, "outcome_accepted",
	    acc)) != ERR_OK ||
	    (er = json_value(db, Q_PLAY_JSON, params, &resolved)) != ERR_OK ||
	    (er = emit_room(db, g->game_id, "play_resolved", resolved,
	    NULL)) != ERR_OK ||
	    (er = events_ack_ok(c, resolved)) != ERR_OK)
		goto out;
	er = gp_broadcast_state(db, g);
out:
	json_object_put(acc);
	json_object_put(resolved);
	return er;
}

static enum err
decisions_record(struct db *db, struct gp *g)
{
	struct g_decisions	 d;
	struct json_object	*o = NULL, *a;
	const char		*params[2];
	enum err		 er = ERR_NOMEM;
	int			 i;

	game_decisions(&g->st, &d);
	if ((o = json_object_new_object()) == NULL ||
	    obj_set(o, "win", d.win ? json_object_new_int64(d.win) : NULL) ||
	    obj_set(o, "loss", d.loss ? json_object_new_int64(d.loss) : NULL) ||
	    obj_set(o, "save", d.save ? json_object_new_int64(d.save) : NULL) ||
	    (a = json_object_new_array()) == NULL ||
	    obj_set(o, "holds", a) != ERR_OK)
		goto out;
	for (i = 0; i < d.nholds; i++)
		if (arr_add(a, json_object_new_int64(d.holds[i])) != ERR_OK)
			goto out;
	if ((a = json_object_new_array()) == NULL ||
	    obj_set(o, "blown", a) != ERR_OK)
		goto out;
	for (i = 0; i < d.nblown; i++)
		if (arr_add(a, json_object_new_int64(d.blown[i])) != ERR_OK)
			goto out;
	params[0] = g->game_id;
	params[1] = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	er = db_run(db, Q_DECISIONS_RECORD, params, NULL);
out:
	json_object_put(o);
	return er;
}

static enum err
outcome_run(struct db *db, void *arg)
{
	struct outcome_tx	*t = arg;
	struct gp		*g = &t->g;
	struct ev_ctx		*c = g->ctx;
	struct json_object	*doc = NULL;
	struct g_error		 ge;
	struct g_defense	 def;
	struct g_offense	 off;
	const char		*gp1[1] = { g->game_id }, *params[4], *rp[3];
	char			*roll = NULL, *play_id = NULL;
	int			 had_roll;
	enum err		 er;

	if ((er = gp_open(db, g, AUTHZ_PLAY, "outcome_rejected")) != ERR_OK)
		goto out;
	if ((er = value(db, Q_PENDING_ROLL, gp1, &roll)) != ERR_OK)
		goto out;
	/* the row, not the loader's flag, decides: one clock reading */
	had_roll = g->st.roll_pending = roll != NULL;
	def = g->st.def;
	off = g->st.off;
	if (!game_submit(&g->st, &t->sub, game_json_name, g->doc, &t->play,
	    &ge)) {
		er = gp_refuse_engine(g, "outcome_rejected", &ge);
		goto out;
	}
	/*
	 * A pending roll is used by the next submission, whatever it is: a
	 * runner event read off a wild-pitch check consumes the roll that
	 * showed it, and the batter gets a fresh one (rules.md §1.6).
	 */
	g->st.roll_pending = 0;
	er = ERR_NOMEM;
	if ((doc = game_json_play(&t->play)) == NULL)
		goto out;
	params[0] = g->game_id;
	params[1] = had_roll ? roll : NULL;
	params[2] = c->user_id;
	params[3] = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	if ((er = value(db, Q_PLAY_RECORD, params, &play_id)) != ERR_OK)
		goto out;
	if (play_id == NULL) {
		er = ERR_DB;
		goto out;
	}
	/* what a replay needs besides the submission (sql/014_replay.sql) */
	rp[0] = play_id;
	rp[1] = json_object_to_json_string_ext(g->doc, JSON_C_TO_STRING_PLAIN);
	rp[2] = params[3];
	if ((er = db_run(db, Q_PLAY_REPLAY_ADD, rp, NULL)) != ERR_OK)
		goto out;
	if (t->play.ends_game && (er = decisions_record(db, g)) != ERR_OK)
		goto out;
	/* after the play (which keeps the decisions it was played under)
	 * and the save (so they count for the next play) */
	if ((er = gp_save(db, g)) != ERR_OK ||
	    (er = decisions_adjusted(db, g, &def, &off)) != ERR_OK ||
	    (er = gp_audit(db, g, had_roll ? roll : NULL, play_id)) != ERR_OK)
		goto out;
	er = outcome_emit(db, t, play_id);
out:
	json_object_put(doc);
	free(roll);
	free(play_id);
	return er;
}

/*
 * The original answers an unknown outcome with the validator's list of
 * errors (seed, "Validation Errors"): [{loc, msg, input}], msg naming the
 * accepted values.
 */
/* The seed's errors[].input echoes what the client sent; bounded here, so
 * one refusal cannot queue a megabyte back (max_queued counts packets,
 * not bytes).  A string keeps its first ECHO_MAX bytes (whole UTF-8
 * characters), another value is echoed only when that small; a new
 * reference, or NULL for JSON null (or out of memory). */
#define ECHO_MAX	200

static struct json_object *
echo_of(struct json_object *in)
{
	const char	*s;

	if (in == NULL)
		return NULL;
	if (json_object_is_type(in, json_type_string)) {
		s = json_object_get_string(in);
		if ((size_t)json_object_get_string_len(in) <= ECHO_MAX)
			return json_object_get(in);
		return json_object_new_string_len(s,
		    (int)valid_utf8_cut(s, ECHO_MAX));
	}
	if (strlen(json_object_to_json_string_ext(in,
	    JSON_C_TO_STRING_PLAIN)) <= ECHO_MAX)
		return json_object_get(in);
	return json_object_new_string("(too long to repeat)");
}

/* Hand over *v, leaving NULL behind: for a reference given away in the
 * middle of a chain of calls that may stop before it. */
static struct json_object *
take(struct json_object **v)
{
	struct json_object	*t = *v;

	*v = NULL;
	return t;
}

static enum err
outcome_unknown(const struct ev_ctx *c, struct json_object *p,
    const struct valid_err *ve)
{
	struct json_object	*errs = NULL, *e = NULL, *loc, *in = NULL;
	struct json_object	*raw = NULL;
	struct buf		 msg;
	enum err		 er = ERR_NOMEM;
	int			 i;

	buf_init(&msg, 2048);
	if (buf_puts(&msg, "Input should be one of:") != ERR_OK)
		goto out;
	for (i = 0; i < G_OUTCOME__MAX; i++)
		if (buf_printf(&msg, "%s %s", i ? "," : "",
		    game_outcome((enum g_outcome)i)->name) != ERR_OK)
			goto out;
	(void)json_object_object_get_ex(p, "outcome", &raw);
	if ((in = echo_of(raw)) == NULL && raw != NULL)
		goto out;
	if ((errs = json_object_new_array()) == NULL ||
	    (e = json_object_new_object()) == NULL ||
	    (loc = json_object_new_array()) == NULL ||
	    obj_set(e, "loc", loc) != ERR_OK ||
	    arr_add(loc, json_object_new_string("outcome")) != ERR_OK ||
	    obj_set(e, "msg", json_object_new_string(msg.data)) != ERR_OK ||
	    obj_set(e, "input", take(&in)) != ERR_OK ||
	    json_object_array_add(errs, e) != 0)
		goto out;	/* e is still ours, released below */
	e = NULL;	/* owned by errs */
	er = emit_refusal_errors(c->db, c->sid, c->nsp, c->ack_id,
	    "outcome_rejected", ve->code, ve->message, ve->field, errs);
out:
	json_object_put(in);
	json_object_put(e);
	json_object_put(errs);
	buf_free(&msg);
	return er;
}

static enum err
ev_outcome(struct ev_ctx *c)
{
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct outcome_tx	*t;
	enum err		 er;

	/* struct g_play is a few KB: keep it off the worker's stack */
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_NOMEM;
	t->g.ctx = c;
	if (!valid_object(p, &ve) ||
	    !valid_uuid(p, "game_id", t->g.game_id, &ve) ||
	    !game_json_submission(p, &t->sub, &ve))
		er = ve.field != NULL && strcmp(ve.field, "outcome") == 0 &&
		    strcmp(ve.code, "INVALID_FORMAT") == 0 ?
		    outcome_unknown(c, p, &ve) :
		    fail_as(c, "outcome_rejected", &ve);
	else
		er = gp_finish(&t->g, db_tx_run(c->db, outcome_run, t));
	free(t);
	return er;
}

/* -------------------------------------------------------- substitutions */

struct sub_tx {
	struct gp	 g;
	struct g_sub	 sub;
	int64_t		 team_id;
	int64_t		 new_id;
	char		 name[120];
	enum g_pos	 pos;
	int		 order;
};

static const char *
sub_message(struct sub_tx *t, char *buf, size_t len)
{
	const char	*pos = game_pos_name(t->pos);

	switch (t->sub.type) {
	case G_SUB_PINCH_HITTER:
		(void)snprintf(buf, len, "Pinch hitter: %s now batting #%d",
		    t->name, t->order);
		break;
	case G_SUB_PINCH_RUNNER:
		(void)snprintf(buf, len, "Pinch runner: %s runs for #%d",
		    t->name, t->order);
		break;
	case G_SUB_DEFENSIVE:
		(void)snprintf(buf, len, "Defensive replacement: %s at %s",
		    t->name, pos ? pos : "?");
		break;
	case G_SUB_PITCHING:
		(void)snprintf(buf, len, "Pitching change: %s now pitching",
		    t->name);
		break;
	}
	return buf;
}

static enum err
sub_emit(struct db *db, struct sub_tx *t)
{
	struct gp		*g = &t->g;
	struct ev_ctx		*c = g->ctx;
	struct json_object	*m = NULL;
	char			 text[200];
	const char		*pos = game_pos_name(t->pos);
	enum err		 er = ERR_NOMEM;

	if ((m = json_object_new_object()) == NULL ||
	    obj_set(m, "game_id", json_object_new_string(g->game_id)) ||
	    obj_set(m, "type", json_object_new_string(
	    game_sub_name(t->sub.type))) ||
	    obj_set(m, "player_out_lineup_id",
	    json_object_new_int64(t->sub.out_id)) ||
	    obj_set(m, "player_in_card_id",
	    json_object_new_int64(t->sub.in_card)) ||
	    obj_set(m, "new_lineup_id", json_object_new_int64(t->new_id)) ||
	    obj_set(m, "position", pos ? json_object_new_string(pos) : NULL) ||
	    obj_set(m, "batting_order", t->order ?
	    json_object_new_int(t->order) : NULL) ||
	    obj_set(m, "team_id", json_object_new_int64(t->team_id)) ||
	    obj_set(m, "message", json_object_new_string(
	    sub_message(t, text, sizeof(text)))))
		goto out;
	if ((er = emit_room(db, g->game_id, "player_substituted", m,
	    NULL)) != ERR_OK ||
	    (er = emit_event(db, c->sid, c->nsp, -1, "substitution_confirmed",
	    m)) != ERR_OK || (er = events_ack_ok(c, m)) != ERR_OK)
		goto out;
	er = gp_broadcast_state(db, g);
out:
	json_object_put(m);
	return er;
}

static enum err
sub_run(struct db *db, void *arg)
{
	struct sub_tx		*t = arg;
	struct gp		*g = &t->g;
	struct ev_ctx		*c = g->ctx;
	struct db_rows		*rows = NULL;
	struct g_error		 ge;
	const char		*params[9], *v, *inherit = NULL;
	char			 team[24], card[24], out_id[24], order[12];
	char			*newid = NULL;
	int			 i, side = -1;
	enum err		 er;

	if ((er = gp_open(db, g, AUTHZ_PLAY, "error")) != ERR_OK)
		goto out;
	for (i = 0; i < 2; i++)
		if (g->team_ids[i] == t->team_id)
			side = i;
	if ((er = gp_allow(g, AUTHZ_SUBSTITUTE, side, t->team_id)) != ERR_OK)
		goto out;
	t->sub.side = side;
	(void)snprintf(team, sizeof(team), "%" PRId64, t->team_id);
	(void)snprintf(card, sizeof(card), "%" PRId64, t->sub.in_card);
	params[0] = g->game_id;
	params[1] = team;
	params[2] = card;
	if ((er = db_run(db, Q_CARD_STATUS, params, &rows)) != ERR_OK)
		goto out;
	t->sub.in_roster = (v = db_rows_get(rows, 0, 0)) && strcmp(v, "t") == 0;
	t->sub.appeared = (v = db_rows_get(rows, 0, 1)) && strcmp(v, "t") == 0;
	(void)snprintf(t->name, sizeof(t->name), "%s",
	    (v = db_rows_get(rows, 0, 2)) ? v : "the substitute");
	if (!game_substitute(&g->st, &t->sub, 0, &t->pos, &t->order, &ge)) {
		er = gp_refuse_engine(g, "substitution_error", &ge);
		goto out;
	}
	/* a pinch hitter or runner keeps the field position of the player
	 * he replaced until the manager changes it (game.h, inherit) */
	for (i = 0; i < g->st.team[side].nactive; i++) {
		const struct g_member	*m = &g->st.team[side].active[i];

		if (m->id != t->sub.out_id)
			continue;
		/* for a pinch hitter or runner replaced in turn, the position
		 * he was to take passes on */
		inherit = game_pos_name(m->pos == G_POS_PH ||
		    m->pos == G_POS_PR ? m->inherit : m->pos);
	}
	if (t->sub.type != G_SUB_PINCH_HITTER &&
	    t->sub.type != G_SUB_PINCH_RUNNER)
		inherit = NULL;
	(void)snprintf(out_id, sizeof(out_id), "%" PRId64, t->sub.out_id);
	(void)snprintf(order, sizeof(order), "%d", t->order);
	params[3] = game_pos_name(t->pos);
	params[4] = t->order ? order : NULL;
	params[5] = out_id;
	params[6] = game_sub_name(t->sub.type);
	params[7] = c->user_id;
	params[8] = inherit;
	if ((er = value(db, Q_LINEUP_ENTER, params, &newid)) != ERR_OK)
		goto out;
	if (newid == NULL) {
		er = ERR_DB;
		goto out;
	}
	t->sub.in_id = t->new_id = strtoll(newid, NULL, 10);
	if (!game_substitute(&g->st, &t->sub, 1, &t->pos, &t->order, &ge)) {
		er = gp_refuse_engine(g, "substitution_error", &ge);
		goto out;
	}
	if ((er = gp_save(db, g)) != ERR_OK ||
	    (er = gp_audit(db, g, NULL, NULL)) != ERR_OK)
		goto out;
	er = sub_emit(db, t);
out:
	free(newid);
	db_rows_free(rows);
	return er;
}

static enum err
ev_substitute(struct ev_ctx *c, enum g_sub_type type)
{
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct sub_tx		 t;
	const char		*pos = NULL;
	int64_t			 out = 0, card = 0;

	memset(&t, 0, sizeof(t));
	t.g.ctx = c;
	t.sub.type = type;
	if (!valid_object(p, &ve) ||
	    !valid_uuid(p, "game_id", t.g.game_id, &ve) ||
	    !valid_int(p, "player_out_lineup_id", 1, ID_MAX, 1, &out, &ve) ||
	    !valid_int(p, "player_in_card_id", 1, ID_MAX, 1, &card, &ve) ||
	    !valid_int(p, "team_id", 1, ID_MAX, 1, &t.team_id, &ve) ||
	    (type == G_SUB_DEFENSIVE &&
	    (!valid_string(p, "new_position", 8, 1, &pos, &ve) ||
	    /* a place on the field or DH; PH and PR are not positions */
	    !valid_named(pos, game_pos_parse(pos, &t.sub.pos) &&
	    t.sub.pos != G_POS_PH && t.sub.pos != G_POS_PR, "new_position",
	    &ve))))
		return fail_as(c, "substitution_error", &ve);
	t.sub.out_id = out;
	t.sub.in_card = card;
	return gp_finish(&t.g, db_tx_run(c->db, sub_run, &t));
}

static enum err
ev_pinch_hitter(struct ev_ctx *c)
{
	return ev_substitute(c, G_SUB_PINCH_HITTER);
}

static enum err
ev_pinch_runner(struct ev_ctx *c)
{
	return ev_substitute(c, G_SUB_PINCH_RUNNER);
}

static enum err
ev_defensive_replacement(struct ev_ctx *c)
{
	return ev_substitute(c, G_SUB_DEFENSIVE);
}

static enum err
ev_pitching_change(struct ev_ctx *c)
{
	return ev_substitute(c, G_SUB_PITCHING);
}

/* ------------------------------------------------------------- queries */

struct read_tx {
	struct gp	 g;
	int		 kind;		/* 'l' lineup, 'b' box score, 's' sync,
					 * 'p' presence */
	int64_t		 team_id;
};

/*
 * lineup_data.pitching_change (docs/ui.md): may `side` change its pitcher
 * now?  The engine decides, on a hypothetical fresh reliever (on the
 * roster, not yet in the game) for the current pitcher; a pending game is
 * first started on a copy, as a real request_pitching_change would, so
 * the answer and its message are the ones that request would get.
 * Owned.
 */
static enum err
pitching_change(const struct game_state *st, int side,
    struct json_object **out)
{
	struct game_state	*tmp = NULL;
	struct json_object	*o = NULL;
	struct g_sub		 sub;
	struct g_error		 ge;
	char			 msg[200];
	int			 ok;
	enum err		 er = ERR_NOMEM;

	*out = NULL;
	if ((tmp = malloc(sizeof(*tmp))) == NULL)
		goto out;
	*tmp = *st;
	memset(&sub, 0, sizeof(sub));
	sub.type = G_SUB_PITCHING;
	sub.side = side;
	sub.out_id = tmp->team[side].pitcher;
	sub.in_roster = 1;
	sub.appeared = 0;
	msg[0] = '\0';
	if (tmp->status == G_PENDING && !game_start(tmp, &ge)) {
		ok = 0;
		(void)snprintf(msg, sizeof(msg),
		    "The game cannot start yet: %s", ge.message);
	} else if (!(ok = game_substitute(tmp, &sub, 0, NULL, NULL, &ge)))
		(void)snprintf(msg, sizeof(msg), "%s", ge.message);
	if ((o = json_object_new_object()) == NULL ||
	    obj_set(o, "allowed", json_object_new_boolean(ok)) != ERR_OK ||
	    (!ok && obj_set(o, "message", json_object_new_string(msg)) !=
	    ERR_OK))
		goto out;
	*out = o;
	o = NULL;
	er = ERR_OK;
out:
	json_object_put(o);
	free(tmp);
	return er;
}

static enum err
iso_now(char *buf, size_t len)
{
	struct timespec	 ts;
	struct tm	 tm;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return ERR_IO;
	(void)snprintf(buf + strlen(buf), len - strlen(buf), ".%03ldZ",
	    ts.tv_nsec / 1000000);
	return ERR_OK;
}

static enum err
read_run(struct db *db, void *arg)
{
	struct read_tx		*t = arg;
	struct gp		*g = &t->g;
	struct ev_ctx		*c = g->ctx;
	struct json_object	*v = NULL, *msg = NULL, *st = NULL;
	struct json_object	*pc = NULL;
	const char		*params[2] = { g->game_id, NULL }, *ev;
	char			 team[24], now[40];
	enum err		 er;

	if ((er = gp_open(db, g, AUTHZ_READ, "error")) != ERR_OK)
		goto out;
	if ((msg = events_obj_game(g->game_id)) == NULL) {
		er = ERR_NOMEM;
		goto out;
	}
	switch (t->kind) {
	case 'l':
		if (t->team_id != g->team_ids[0] &&
		    t->team_id != g->team_ids[1]) {
			er = gp_refuse(g, "error", "INVALID_FORMAT", "team_id",
			    "Team %" PRId64 " is not playing in this game",
			    t->team_id);
			goto out;
		}
		(void)snprintf(team, sizeof(team), "%" PRId64, t->team_id);
		params[1] = team;
		if ((er = json_value(db, Q_LINEUP, params, &v)) != ERR_OK ||
		    (er = obj_set(msg, "team_id",
		    json_object_new_int64(t->team_id))) != ERR_OK)
			goto out;
		json_object_object_foreach(v, k, x)
			if ((er = obj_set(msg, k, json_object_get(x))) != ERR_OK)
				goto out;
		if ((er = pitching_change(&g->st, t->team_id ==
		    g->team_ids[G_HOME] ? G_HOME : G_AWAY, &pc)) != ERR_OK ||
		    (er = obj_set(msg, "pitching_change",
		    json_object_get(pc))) != ERR_OK)
			goto out;
		ev = "lineup_data";
		break;
	case 'p':
		if ((er = json_value(db, Q_PRESENCE, params, &v)) != ERR_OK ||
		    (er = obj_set(msg, "members", json_object_get(v))) !=
		    ERR_OK)
			goto out;
		ev = "presence_data";
		break;
	case 'b':
		if ((er = json_value(db, Q_BOX_SCORE, params, &v)) != ERR_OK ||
		    (er = obj_set(msg, "box_score", json_object_get(v))) !=
		    ERR_OK)
			goto out;
		ev = "box_score_data";
		break;
	default:
		params[1] = "10";
		if ((er = events_game_state(db, g->game_id, &st)) != ERR_OK ||
		    (er = json_value(db, Q_RECENT_PLAYS, params, &v)) !=
		    ERR_OK || (er = iso_now(now, sizeof(now))) != ERR_OK ||
		    (er = obj_set(msg, "state", json_object_get(st))) != ERR_OK ||
		    (er = obj_set(msg, "recent_plays", json_object_get(v))) !=
		    ERR_OK || (er = obj_set(msg, "timestamp",
		    json_object_new_string(now))) != ERR_OK)
			goto out;
		ev = "game_state_sync";
		break;
	}
	if ((er = emit_event(db, c->sid, c->nsp, -1, ev, msg)) == ERR_OK)
		er = events_ack_ok(c, msg);
out:
	json_object_put(v);
	json_object_put(st);
	json_object_put(pc);
	json_object_put(msg);
	return er;
}

static enum err
ev_read(struct ev_ctx *c, int kind)
{
	struct json_object	*p = payload_of(c);
	struct valid_err	 ve;
	struct read_tx		 t;

	memset(&t, 0, sizeof(t));
	t.g.ctx = c;
	t.kind = kind;
	if (!valid_object(p, &ve) ||
	    !valid_uuid(p, "game_id", t.g.game_id, &ve) ||
	    (kind == 'l' && !valid_int(p, "team_id", 1, ID_MAX, 1, &t.team_id,
	    &ve)))
		return fail_as(c, "error", &ve);
	return gp_finish(&t.g, db_tx_run(c->db, read_run, &t));
}

static enum err
ev_get_lineup(struct ev_ctx *c)
{
	return ev_read(c, 'l');
}

static enum err
ev_get_box_score(struct ev_ctx *c)
{
	return ev_read(c, 'b');
}

static enum err
ev_request_game_state(struct ev_ctx *c)
{
	return ev_read(c, 's');
}

static enum err
ev_get_presence(struct ev_ctx *c)
{
	return ev_read(c, 'p');
}

/* ---------------------------------------------------------------- table */

const struct events_handler gameplay_handlers[] = {
	{ "submit_defensive_decision", ev_defensive },
	{ "submit_offensive_decision", ev_offensive },
	{ "roll_dice", ev_roll_dice },
	{ "submit_manual_outcome", ev_outcome },
	{ "request_pinch_hitter", ev_pinch_hitter },
	{ "request_pinch_runner", ev_pinch_runner },
	{ "request_defensive_replacement", ev_defensive_replacement },
	{ "request_pitching_change", ev_pitching_change },
	{ "get_lineup", ev_get_lineup },
	{ "get_box_score", ev_get_box_score },
	{ "request_game_state", ev_request_game_state },
	{ "get_presence", ev_get_presence },
	{ NULL, NULL },
};

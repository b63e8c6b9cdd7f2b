/*
 * game_json.c -- engine state and plays to and from JSON (see
 * game_json.h).  The document is written by our own SQL, so a missing key
 * is a loader bug: it is reported, never guessed.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "game_json.h"
#include "valid.h"

/* --------------------------------------------------------------- read */

static int
get(struct json_object *o, const char *k, json_type t,
    struct json_object **v)
{
	if (!json_object_object_get_ex(o, k, v))
		return 0;
	if (t == json_type_null)
		return 1;
	return json_object_is_type(*v, t);
}

static int
get_int(struct json_object *o, const char *k, int64_t *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (v == NULL) {	/* null: nobody */
		*out = 0;
		return 1;
	}
	if (!json_object_is_type(v, json_type_int))
		return 0;
	*out = json_object_get_int64(v);
	return 1;
}

static int
get_small(struct json_object *o, const char *k, int lo, int hi, int *out)
{
	int64_t	 v;

	if (!get_int(o, k, &v) || v < lo || v > hi)
		return 0;
	*out = (int)v;
	return 1;
}

static int
get_bool(struct json_object *o, const char *k, int *out)
{
	struct json_object	*v;

	if (!get(o, k, json_type_boolean, &v))
		return 0;
	*out = json_object_get_boolean(v);
	return 1;
}

/* A string key, NULL when the value is null. */
static int
get_str(struct json_object *o, const char *k, const char **out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (v == NULL) {
		*out = NULL;
		return 1;
	}
	if (!json_object_is_type(v, json_type_string))
		return 0;
	*out = json_object_get_string(v);
	return 1;
}

/* [bases] -> mask of bits 1..3. */
static int
get_bases(struct json_object *o, const char *k, unsigned *mask)
{
	struct json_object	*a, *e;
	size_t			 i;
	int64_t			 b;

	*mask = 0;
	if (!get(o, k, json_type_array, &a))
		return 0;
	for (i = 0; i < json_object_array_length(a); i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_int))
			return 0;
		b = json_object_get_int64(e);
		if (b < 1 || b > 3)
			return 0;
		*mask |= 1u << b;
	}
	return 1;
}

static int
read_side(const char *s, int *out)
{
	if (s == NULL)
		*out = -1;
	else if (strcmp(s, "away") == 0)
		*out = G_AWAY;
	else if (strcmp(s, "home") == 0)
		*out = G_HOME;
	else
		return 0;
	return 1;
}

static int
read_status(const char *s, enum g_status *out)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "pending") == 0)
		*out = G_PENDING;
	else if (strcmp(s, "active") == 0)
		*out = G_ACTIVE;
	else if (strcmp(s, "final") == 0)
		*out = G_FINAL;
	else
		return 0;
	return 1;
}

static int
read_half(const char *s, int *out)
{
	if (s != NULL && strcmp(s, "top") == 0)
		*out = G_TOP;
	else if (s != NULL && strcmp(s, "bottom") == 0)
		*out = G_BOTTOM;
	else
		return 0;
	return 1;
}

static int
read_runner(struct json_object *r, struct g_runner *out)
{
	memset(out, 0, sizeof(*out));
	if (r == NULL)
		return 1;
	return json_object_is_type(r, json_type_object) &&
	    get_int(r, "id", &out->id) &&
	    get_int(r, "pitcher", &out->pitcher) &&
	    get_bool(r, "unearned", &out->unearned);
}

static int
read_defense(struct json_object *d, struct g_defense *out, int *set)
{
	const char	*a, *i, *o;

	memset(out, 0, sizeof(*out));
	*set = d != NULL;
	if (d == NULL)
		return 1;
	return json_object_is_type(d, json_type_object) &&
	    get_str(d, "alignment", &a) && a != NULL &&
	    game_align_parse(a, &out->alignment) &&
	    get_str(d, "infield_depth", &i) && i != NULL &&
	    game_infield_parse(i, &out->infield) &&
	    get_str(d, "outfield_depth", &o) && o != NULL &&
	    game_outfield_parse(o, &out->outfield) &&
	    get_bases(d, "hold_runners", &out->hold);
}

static int
read_offense(struct json_object *d, struct g_offense *out, int *set)
{
	const char	*a;

	memset(out, 0, sizeof(*out));
	*set = d != NULL;
	if (d == NULL)
		return 1;
	return json_object_is_type(d, json_type_object) &&
	    get_str(d, "approach", &a) && a != NULL &&
	    game_approach_parse(a, &out->approach) &&
	    get_bases(d, "steal_attempts", &out->steal) &&
	    get_bool(d, "hit_and_run", &out->hit_and_run) &&
	    get_bool(d, "bunt_attempt", &out->bunt);
}

static int
read_pos(struct json_object *o, const char *k, enum g_pos *out)
{
	const char	*s;

	if (!get_str(o, k, &s))
		return 0;
	if (s == NULL) {
		*out = G_POS_NONE;
		return 1;
	}
	return game_pos_parse(s, out);
}

static int
read_member(struct json_object *m, struct g_member *out)
{
	int	 order;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(m, json_type_object) ||
	    !get_int(m, "id", &out->id) || !get_int(m, "card", &out->card) ||
	    !read_pos(m, "position", &out->pos) ||
	    !read_pos(m, "inherit", &out->inherit))
		return 0;
	/* batting_order null: not in the order (a pitcher with the DH) */
	if (!get_small(m, "batting_order", 0, G_SLOTS, &order))
		return 0;
	out->order = order;
	return 1;
}

static int
read_pitcher(struct json_object *p, struct g_pitcher *out)
{
	memset(out, 0, sizeof(*out));
	return json_object_is_type(p, json_type_object) &&
	    get_int(p, "id", &out->id) &&
	    get_small(p, "outs", 0, 1000, &out->outs) &&
	    get_small(p, "bf", 0, 1000, &out->bf) &&
	    get_bool(p, "starter", &out->starter) &&
	    get_small(p, "entry_lead", -1000, 1000, &out->entry_lead) &&
	    get_small(p, "entry_runners", 0, 3, &out->entry_runners) &&
	    get_bool(p, "save_sit", &out->save_sit) &&
	    get_bool(p, "blown", &out->blown) &&
	    get_bool(p, "entry_half_done", &out->entry_half_done);
}

static int
read_team(struct json_object *t, struct g_team *out)
{
	struct json_object	*a;
	size_t			 i, n;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(t, json_type_object) ||
	    !get_small(t, "next_slot", 1, G_SLOTS, &out->next_slot) ||
	    !get_int(t, "pitcher", &out->pitcher) ||
	    !get_small(t, "score", 0, 100000, &out->score) ||
	    !get_int(t, "goahead_w", &out->goahead_w) ||
	    !get_int(t, "goahead_l", &out->goahead_l))
		return 0;
	if (!get(t, "active", json_type_array, &a) ||
	    (n = json_object_array_length(a)) >
	    sizeof(out->active) / sizeof(out->active[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!read_member(json_object_array_get_idx(a, i),
		    &out->active[i]))
			return 0;
	out->nactive = (int)n;
	if (!get(t, "pitchers", json_type_array, &a) ||
	    (n = json_object_array_length(a)) > G_MAX_PITCHERS)
		return 0;
	for (i = 0; i < n; i++)
		if (!read_pitcher(json_object_array_get_idx(a, i),
		    &out->pitchers[i]))
			return 0;
	out->npitchers = (int)n;
	return 1;
}

enum err
game_json_read(struct json_object *doc, struct game_state *st)
{
	struct json_object	*bases, *teams, *d;
	const char		*s;
	int			 i;

	memset(st, 0, sizeof(*st));
	if (doc == NULL || !json_object_is_type(doc, json_type_object) ||
	    !get_str(doc, "status", &s) || !read_status(s, &st->status) ||
	    !get_small(doc, "scheduled_innings", 1, G_MAX_INNINGS,
	    &st->scheduled_innings) ||
	    !get_bool(doc, "use_dh", &st->use_dh) ||
	    !get_bool(doc, "extra_runner", &st->extra_runner) ||
	    !get_small(doc, "inning", 1, 100000, &st->inning) ||
	    !get_str(doc, "half", &s) || !read_half(s, &st->half) ||
	    /* 3 only in a final game: the out that ended it */
	    !get_small(doc, "outs", 0, 3, &st->outs) ||
	    !get_small(doc, "phantom_outs", 0, 1000, &st->phantom_outs) ||
	    !get_small(doc, "play_count", 0, 1000000, &st->play_count) ||
	    !get_bool(doc, "roll_pending", &st->roll_pending) ||
	    !get_str(doc, "winner", &s) || !read_side(s, &st->winner))
		return ERR_PROTO;
	if (!get(doc, "bases", json_type_array, &bases) ||
	    json_object_array_length(bases) != 3)
		return ERR_PROTO;
	for (i = 0; i < 3; i++)
		if (!read_runner(json_object_array_get_idx(bases, i),
		    &st->base[i]))
			return ERR_PROTO;
	if (!get(doc, "defense", json_type_null, &d) ||
	    !read_defense(d, &st->def, &st->def_set) ||
	    !get(doc, "offense", json_type_null, &d) ||
	    !read_offense(d, &st->off, &st->off_set))
		return ERR_PROTO;
	if (!get(doc, "teams", json_type_array, &teams) ||
	    json_object_array_length(teams) != 2)
		return ERR_PROTO;
	for (i = 0; i < 2; i++)
		if (!read_team(json_object_array_get_idx(teams, i),
		    &st->team[i]))
			return ERR_PROTO;
	return ERR_OK;
}

/* -------------------------------------------------------------- write */

/*
 * Builders that stop at the first failure: every add goes through b_*,
 * which does nothing once b->ok is 0, so a function checks once at the
 * end instead of after each key.
 */
struct bld {
	int	 ok;
};

static void
b_add(struct bld *b, struct json_object *o, const char *k,
    struct json_object *v)
{
	if (!b->ok || o == NULL) {
		json_object_put(v);
		b->ok = 0;
		return;
	}
	/* a NULL v is JSON null, which is what we mean */
	if (json_object_object_add(o, k, v) != 0) {
		json_object_put(v);
		b->ok = 0;
	}
}

static void
b_push(struct bld *b, struct json_object *a, struct json_object *v)
{
	if (!b->ok || a == NULL) {
		json_object_put(v);
		b->ok = 0;
		return;
	}
	if (json_object_array_add(a, v) != 0) {
		json_object_put(v);
		b->ok = 0;
	}
}

static struct json_object *
j_int(int64_t v)
{
	return json_object_new_int64(v);
}

/* A lineup id, null for nobody. */
static struct json_object *
j_id(int64_t v)
{
	return v == 0 ? NULL : json_object_new_int64(v);
}

static struct json_object *
j_bool(int v)
{
	return json_object_new_boolean(v != 0);
}

static struct json_object *
j_str(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

static struct json_object *
j_side(int side)
{
	return side == G_AWAY ? json_object_new_string("away") :
	    side == G_HOME ? json_object_new_string("home") : NULL;
}

static struct json_object *
j_bases(struct bld *b, unsigned mask)
{
	struct json_object	*a = json_object_new_array();
	int			 i;

	for (i = 1; i <= 3; i++)
		if (mask & (1u << i))
			b_push(b, a, j_int(i));
	return a;
}

static struct json_object *
j_runner(struct bld *b, const struct g_runner *r)
{
	struct json_object	*o;

	if (r->id == 0)
		return NULL;
	o = json_object_new_object();
	b_add(b, o, "id", j_int(r->id));
	b_add(b, o, "pitcher", j_id(r->pitcher));
	b_add(b, o, "unearned", j_bool(r->unearned));
	return o;
}

static struct json_object *
j_defense(struct bld *b, const struct g_defense *d)
{
	struct json_object	*o = json_object_new_object();

	b_add(b, o, "alignment", j_str(game_align_name(d->alignment)));
	b_add(b, o, "infield_depth", j_str(game_infield_name(d->infield)));
	b_add(b, o, "outfield_depth", j_str(game_outfield_name(d->outfield)));
	b_add(b, o, "hold_runners", j_bases(b, d->hold));
	return o;
}

static struct json_object *
j_offense(struct bld *b, const struct g_offense *d)
{
	struct json_object	*o = json_object_new_object();

	b_add(b, o, "approach", j_str(game_approach_name(d->approach)));
	b_add(b, o, "steal_attempts", j_bases(b, d->steal));
	b_add(b, o, "hit_and_run", j_bool(d->hit_and_run));
	b_add(b, o, "bunt_attempt", j_bool(d->bunt));
	return o;
}

static struct json_object *
j_team(struct bld *b, const struct g_team *t)
{
	struct json_object	*o = json_object_new_object(), *a, *m;
	int			 i;

	b_add(b, o, "next_slot", j_int(t->next_slot));
	b_add(b, o, "pitcher", j_id(t->pitcher));
	b_add(b, o, "score", j_int(t->score));
	b_add(b, o, "goahead_w", j_id(t->goahead_w));
	b_add(b, o, "goahead_l", j_id(t->goahead_l));
	a = json_object_new_array();
	for (i = 0; i < t->nactive; i++) {
		const struct g_member	*p = &t->active[i];

		m = json_object_new_object();
		b_add(b, m, "id", j_int(p->id));
		b_add(b, m, "card", j_int(p->card));
		b_add(b, m, "position", j_str(game_pos_name(p->pos)));
		b_add(b, m, "batting_order", p->order == 0 ? NULL :
		    j_int(p->order));
		b_add(b, m, "inherit", j_str(game_pos_name(p->inherit)));
		b_push(b, a, m);
	}
	b_add(b, o, "active", a);
	a = json_object_new_array();
	for (i = 0; i < t->npitchers; i++) {
		const struct g_pitcher	*p = &t->pitchers[i];

		m = json_object_new_object();
		b_add(b, m, "id", j_int(p->id));
		b_add(b, m, "outs", j_int(p->outs));
		b_add(b, m, "bf", j_int(p->bf));
		b_add(b, m, "starter", j_bool(p->starter));
		b_add(b, m, "entry_lead", j_int(p->entry_lead));
		b_add(b, m, "entry_runners", j_int(p->entry_runners));
		b_add(b, m, "save_sit", j_bool(p->save_sit));
		b_add(b, m, "blown", j_bool(p->blown));
		b_add(b, m, "entry_half_done", j_bool(p->entry_half_done));
		b_push(b, a, m);
	}
	b_add(b, o, "pitchers", a);
	return o;
}

static const char *
status_name(enum g_status s)
{
	return s == G_ACTIVE ? "active" : s == G_FINAL ? "final" : "pending";
}

struct json_object *
game_json_state(const struct game_state *st)
{
	struct bld		 b = { 1 };
	struct json_object	*o = json_object_new_object(), *a;
	int			 i;

	b_add(&b, o, "status", j_str(status_name(st->status)));
	b_add(&b, o, "scheduled_innings", j_int(st->scheduled_innings));
	b_add(&b, o, "use_dh", j_bool(st->use_dh));
	b_add(&b, o, "extra_runner", j_bool(st->extra_runner));
	b_add(&b, o, "inning", j_int(st->inning));
	b_add(&b, o, "half", j_str(st->half == G_TOP ? "top" : "bottom"));
	b_add(&b, o, "outs", j_int(st->outs));
	b_add(&b, o, "phantom_outs", j_int(st->phantom_outs));
	b_add(&b, o, "play_count", j_int(st->play_count));
	b_add(&b, o, "roll_pending", j_bool(st->roll_pending));
	b_add(&b, o, "winner", j_side(st->winner));
	b_add(&b, o, "pending_decision", j_str(game_pending_decision(st)));
	a = json_object_new_array();
	for (i = 0; i < 3; i++)
		b_push(&b, a, j_runner(&b, &st->base[i]));
	b_add(&b, o, "bases", a);
	b_add(&b, o, "defense", st->def_set ? j_defense(&b, &st->def) : NULL);
	b_add(&b, o, "offense", st->off_set ? j_offense(&b, &st->off) : NULL);
	a = json_object_new_array();
	for (i = 0; i < 2; i++)
		b_push(&b, a, j_team(&b, &st->team[i]));
	b_add(&b, o, "teams", a);
	if (!b.ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *
game_json_decisions(const struct game_state *st)
{
	struct bld		 b = { 1 };
	struct json_object	*o = json_object_new_object();

	/* not submitted: the defaults in force, all zero */
	b_add(&b, o, "defensive", j_defense(&b, &st->def));
	b_add(&b, o, "offensive", j_offense(&b, &st->off));
	if (!b.ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *
j_ids(struct bld *b, const struct g_runner r[3])
{
	struct json_object	*a = json_object_new_array();
	int			 i;

	for (i = 0; i < 3; i++)
		b_push(b, a, j_id(r[i].id));
	return a;
}

static struct json_object *
j_score(struct bld *b, const int s[2])
{
	struct json_object	*o = json_object_new_object();

	b_add(b, o, "away", j_int(s[G_AWAY]));
	b_add(b, o, "home", j_int(s[G_HOME]));
	return o;
}

struct json_object *
game_json_play(const struct g_play *p)
{
	struct bld		 b = { 1 };
	struct json_object	*o = json_object_new_object(), *a, *m;
	int			 i;
	const struct {
		const char	*k;
		int		 v;
	} counters[] = {
		{ "outs", p->outs }, { "runs", p->runs }, { "rbi", p->rbi },
		{ "earned_runs", p->earned_runs }, { "pa", p->pa },
		{ "ab", p->ab }, { "h", p->h }, { "b2", p->b2 },
		{ "b3", p->b3 }, { "hr", p->hr }, { "bb", p->bb },
		{ "ibb", p->ibb }, { "hbp", p->hbp }, { "so", p->so },
		{ "sh", p->sh }, { "sf", p->sf }, { "ci", p->ci },
		{ "gidp", p->gidp }, { "e", p->e }, { "wp", p->wp },
		{ "pb", p->pb }, { "bk", p->bk }, { "sb", p->sb },
		{ "cs", p->cs }, { "bphr", p->bphr }, { "bp1b", p->bp1b },
		{ "bpfo", p->bpfo }, { "bplo", p->bplo }, { "lob", p->lob },
		{ "team_lob", p->team_lob }, { "hit_value", p->hit_value },
		{ "play_number", p->number }, { "error_bases", p->error_bases },
		{ "inning", p->inning }, { "outs_before", p->outs_before },
		{ "outs_after", p->outs_after },
	};

	for (i = 0; i < (int)(sizeof(counters) / sizeof(counters[0])); i++)
		b_add(&b, o, counters[i].k, j_int(counters[i].v));
	b_add(&b, o, "outcome", j_str(game_outcome(p->outcome)->name));
	b_add(&b, o, "hit_location", j_str(game_loc_name(p->loc)));
	b_add(&b, o, "half", j_str(p->half == G_TOP ? "top" : "bottom"));
	b_add(&b, o, "before", j_ids(&b, p->before));
	b_add(&b, o, "after", j_ids(&b, p->after));
	b_add(&b, o, "batter", j_id(p->batter));
	b_add(&b, o, "pitcher", j_id(p->pitcher));
	b_add(&b, o, "batting_side", j_side(p->batting_side));
	b_add(&b, o, "score_before", j_score(&b, p->score_before));
	b_add(&b, o, "score_after", j_score(&b, p->score_after));
	a = json_object_new_array();
	for (i = 0; i < p->nmoves; i++) {
		const struct g_move	*mv = &p->moves[i];

		m = json_object_new_object();
		b_add(&b, m, "id", j_int(mv->id));
		b_add(&b, m, "from", j_int(mv->from));
		b_add(&b, m, "to", j_int(mv->to));
		b_add(&b, m, "out", j_bool(mv->out));
		b_add(&b, m, "scored", j_bool(mv->scored));
		b_add(&b, m, "earned", j_bool(mv->earned));
		b_add(&b, m, "rbi", j_bool(mv->rbi));
		b_add(&b, m, "pitcher", j_id(mv->pitcher));
		b_add(&b, m, "sb", j_bool(mv->sb));
		b_add(&b, m, "cs", j_bool(mv->cs));
		b_push(&b, a, m);
	}
	b_add(&b, o, "moves", a);
	b_add(&b, o, "is_hit", j_bool(p->is_hit));
	b_add(&b, o, "is_out", j_bool(p->is_out));
	b_add(&b, o, "is_walk", j_bool(p->is_walk));
	b_add(&b, o, "batter_result", j_str(p->batter_result));
	b_add(&b, o, "ends_half", j_bool(p->ends_half));
	b_add(&b, o, "ends_game", j_bool(p->ends_game));
	b_add(&b, o, "winner", p->ends_game ? j_side(p->winner) : NULL);
	b_add(&b, o, "description", j_str(p->description));
	if (!b.ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* -------------------------------------------------- submission, names */

/* The modifiers of rules.md §1.1: events.md's submit_manual_outcome
 * payload.  The caller has zeroed s. */
int
game_json_submission(struct json_object *p, struct g_submit *s,
    struct valid_err *ve)
{
	static const char *const results[] = { "safe", "out", NULL };
	struct valid_advance	 adv[4];
	const char		*name = NULL, *loc = NULL, *sr = NULL;
	int64_t			 eb = 0, fc = 0, base = 0;
	int			 i, n;

	if (!valid_string(p, "outcome", 40, 1, &name, ve))
		return 0;
	if (!game_outcome_parse(name, &s->outcome)) {
		ve->code = "INVALID_FORMAT";
		ve->field = "outcome";
		ve->message = strcmp(name, "x_check") == 0 ?
		    "Invalid outcome: x_check is not a final outcome; resolve "
		    "the fielding chart and submit its result" :
		    "Invalid outcome";
		return 0;
	}
	if (!valid_string(p, "hit_location", 8, 0, &loc, ve))
		return 0;
	if (!valid_named(loc, loc && game_loc_parse(loc, &s->loc), "hit_location",
	    ve))
		return 0;
	if (!valid_int(p, "error_bases", 1, 3, 0, &eb, ve) ||
	    !valid_int(p, "fc_out_from", 1, 3, 0, &fc, ve) ||
	    !valid_int(p, "base", 1, 3, 0, &base, ve) ||
	    !valid_choice(p, "steal_result", results, "", &sr, ve) ||
	    !valid_bases(p, "runners", &s->runners, ve) ||
	    !valid_advances(p, "advances", adv, &n, ve))
		return 0;
	s->error_bases = (int)eb;
	s->fc_out_from = (int)fc;
	s->base = (int)base;
	s->steal_result = *sr == '\0' ? -1 : strcmp(sr, "safe") == 0;
	for (i = 0; i < n; i++) {
		s->adv[i].from = adv[i].from;
		s->adv[i].safe = adv[i].safe;
	}
	s->nadv = n;
	return 1;
}

const char *
game_json_name(void *doc, int64_t id)
{
	struct json_object	*names, *n;
	char			 key[24];

	if (doc == NULL || !json_object_object_get_ex(doc, "names", &names) ||
	    names == NULL)
		return NULL;
	(void)snprintf(key, sizeof(key), "%" PRId64, id);
	if (!json_object_object_get_ex(names, key, &n) || n == NULL ||
	    !json_object_is_type(n, json_type_string))
		return NULL;
	return json_object_get_string(n);
}

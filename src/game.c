/*
 * game.c -- the rules engine (../shared/rules.md).  Pure: no I/O, no clock,
 * no randomness, no mutable globals.
 *
 * A submission goes through five steps, each driven by a table:
 *   1. outcome_defs[]  -- the catalogue of §1.1 (what is accepted);
 *   2. rewrites[]      -- outcome + decisions/base state -> resolution kind
 *                         (hit-and-run, double-play depth, outfield in);
 *   3. rows[]          -- kind + conditions -> a program of steps (§1.3)
 *                         and the optional advances it allows (§1.2 rule 6);
 *   4. scoring         -- third-out rule, walk-off, RBI, earned runs (§2, §3);
 *   5. state update    -- outs, bases, batting slot, half and game end.
 * A rule changes by editing a row of 2 or 3.
 *
 * Everything works on a copy of the state; the caller's state is written
 * only when the submission was accepted.
 */
#include "config.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "game.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(b)		(1u << (b))
#define BASES_MASK	(BIT(1) | BIT(2) | BIT(3))

/* ============================================================ catalogue */

#define LB(l)		(1u << (l))
#define LOC_IF		(LB(G_LOC_P) | LB(G_LOC_C) | LB(G_LOC_1B) | \
			    LB(G_LOC_2B) | LB(G_LOC_3B) | LB(G_LOC_SS))
#define LOC_OF		(LB(G_LOC_LF) | LB(G_LOC_CF) | LB(G_LOC_RF))
#define LOC_ANY		(LOC_IF | LOC_OF)
#define LOC_FOUL	(LB(G_LOC_C) | LB(G_LOC_1B) | LB(G_LOC_3B) | \
			    LB(G_LOC_LF) | LB(G_LOC_RF))

/*
 * rules.md §1.1.  Columns: name, pa, loc, loc_ok, is_hit, is_out, is_walk,
 * needs_roll, batter_result.
 */
static const struct g_outcome_def outcome_defs[G_OUTCOME__MAX] = {
	[G_STRIKEOUT] =		{ "strikeout", 1, G_LOC_NO, 0,
				    0, 1, 0, 1, "K" },
	[G_GROUNDBALL_A] =	{ "groundball_a", 1, G_LOC_REQ, LOC_IF,
				    0, 1, 0, 1, "out" },
	[G_GROUNDBALL_B] =	{ "groundball_b", 1, G_LOC_REQ, LOC_IF,
				    0, 1, 0, 1, "out" },
	[G_GROUNDBALL_C] =	{ "groundball_c", 1, G_LOC_REQ, LOC_IF,
				    0, 1, 0, 1, "out" },
	[G_FLYBALL_A] =		{ "flyball_a", 1, G_LOC_REQ, LOC_OF,
				    0, 1, 0, 1, "out" },
	[G_FLYBALL_B] =		{ "flyball_b", 1, G_LOC_REQ, LOC_OF,
				    0, 1, 0, 1, "out" },
	[G_FLYBALL_BQ] =	{ "flyball_bq", 1, G_LOC_REQ, LOC_OF,
				    0, 1, 0, 1, "out" },
	[G_FLYBALL_C] =		{ "flyball_c", 1, G_LOC_REQ, LOC_OF,
				    0, 1, 0, 1, "out" },
	[G_LINEOUT] =		{ "lineout", 1, G_LOC_REQ, LOC_ANY,
				    0, 1, 0, 1, "out" },
	[G_LINEOUT_MAX] =	{ "lineout_max", 1, G_LOC_REQ, LOC_ANY,
				    0, 1, 0, 1, "out" },
	[G_POPOUT] =		{ "popout", 1, G_LOC_REQ, LOC_IF,
				    0, 1, 0, 1, "out" },
	[G_FOULOUT] =		{ "foulout", 1, G_LOC_REQ, LOC_FOUL,
				    0, 1, 0, 1, "out" },
	[G_SAC_BUNT] =		{ "sac_bunt", 1, G_LOC_REQ, LOC_IF,
				    0, 1, 0, 1, "SH" },
	[G_FIELDERS_CHOICE] =	{ "fielders_choice", 1, G_LOC_REQ, LOC_IF,
				    0, 1, 0, 1, "FC" },
	[G_SINGLE_1] =		{ "single_1", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "1B" },
	[G_SINGLE_2] =		{ "single_2", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "1B" },
	[G_SINGLE_UNCAPPED] =	{ "single_uncapped", 1, G_LOC_REQ, LOC_OF,
				    1, 0, 0, 1, "1B" },
	[G_DOUBLE_2] =		{ "double_2", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "2B" },
	[G_DOUBLE_3] =		{ "double_3", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "2B" },
	[G_DOUBLE_UNCAPPED] =	{ "double_uncapped", 1, G_LOC_REQ, LOC_OF,
				    1, 0, 0, 1, "2B" },
	[G_TRIPLE] =		{ "triple", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "3B" },
	[G_HOMERUN] =		{ "homerun", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "HR" },
	[G_BP_HOMERUN] =	{ "bp_homerun", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "HR" },
	[G_BP_SINGLE] =		{ "bp_single", 1, G_LOC_OPT, LOC_ANY,
				    1, 0, 0, 1, "1B" },
	[G_BP_FLYOUT] =		{ "bp_flyout", 1, G_LOC_REQ, LOC_OF,
				    0, 1, 0, 1, "out" },
	[G_BP_LINEOUT] =	{ "bp_lineout", 1, G_LOC_REQ, LOC_ANY,
				    0, 1, 0, 1, "out" },
	[G_WALK] =		{ "walk", 1, G_LOC_NO, 0,
				    0, 0, 1, 1, "BB" },
	[G_INTENTIONAL_WALK] =	{ "intentional_walk", 1, G_LOC_NO, 0,
				    0, 0, 1, 0, "IBB" },
	[G_HBP] =		{ "hbp", 1, G_LOC_NO, 0,
				    0, 0, 0, 1, "HBP" },
	[G_CATCHER_INTERFERENCE] = { "catcher_interference", 1, G_LOC_NO, 0,
				    0, 0, 0, 1, "CI" },
	[G_ERROR] =		{ "error", 1, G_LOC_REQ, LOC_ANY,
				    0, 0, 0, 1, "E" },
	[G_STOLEN_BASE] =	{ "stolen_base", 0, G_LOC_NO, 0,
				    0, 0, 0, 0, NULL },
	[G_CAUGHT_STEALING] =	{ "caught_stealing", 0, G_LOC_NO, 0,
				    0, 1, 0, 0, NULL },
	[G_PICKOFF] =		{ "pickoff", 0, G_LOC_NO, 0,
				    0, 1, 0, 0, NULL },
	[G_WILD_PITCH] =	{ "wild_pitch", 0, G_LOC_NO, 0,
				    0, 0, 0, 0, NULL },
	[G_PASSED_BALL] =	{ "passed_ball", 0, G_LOC_NO, 0,
				    0, 0, 0, 0, NULL },
	[G_BALK] =		{ "balk", 0, G_LOC_NO, 0,
				    0, 0, 0, 0, NULL },
};

/*
 * Per-outcome scoring facts (§3): hit value, whether a caught fly may be a
 * sacrifice fly, and the verb of the description.
 */
static const struct {
	int		 hit;		/* bases of a safe hit, 0 if none */
	int		 fly;		/* sacrifice fly possible (§3.1) */
	const char	*verb;		/* "<batter> <verb>[ to <loc>]" */
} outcome_aux[G_OUTCOME__MAX] = {
	[G_STRIKEOUT] =		{ 0, 0, "strikes out" },
	[G_GROUNDBALL_A] =	{ 0, 0, "grounds out" },
	[G_GROUNDBALL_B] =	{ 0, 0, "grounds out" },
	[G_GROUNDBALL_C] =	{ 0, 0, "grounds out" },
	[G_FLYBALL_A] =		{ 0, 1, "flies out" },
	[G_FLYBALL_B] =		{ 0, 1, "flies out" },
	[G_FLYBALL_BQ] =	{ 0, 1, "flies out" },
	[G_FLYBALL_C] =		{ 0, 0, "flies out" },
	[G_LINEOUT] =		{ 0, 0, "lines out" },
	[G_LINEOUT_MAX] =	{ 0, 0, "lines out" },
	[G_POPOUT] =		{ 0, 0, "pops out" },
	[G_FOULOUT] =		{ 0, 0, "fouls out" },
	[G_SAC_BUNT] =		{ 0, 0, "bunts out" },
	[G_FIELDERS_CHOICE] =	{ 0, 0, "reaches on a fielder's choice" },
	[G_SINGLE_1] =		{ 1, 0, "singles" },
	[G_SINGLE_2] =		{ 1, 0, "singles" },
	[G_SINGLE_UNCAPPED] =	{ 1, 0, "singles" },
	[G_DOUBLE_2] =		{ 2, 0, "doubles" },
	[G_DOUBLE_3] =		{ 2, 0, "doubles" },
	[G_DOUBLE_UNCAPPED] =	{ 2, 0, "doubles" },
	[G_TRIPLE] =		{ 3, 0, "triples" },
	[G_HOMERUN] =		{ 4, 0, "homers" },
	[G_BP_HOMERUN] =	{ 4, 0, "hits a ballpark home run" },
	[G_BP_SINGLE] =		{ 1, 0, "hits a ballpark single" },
	[G_BP_FLYOUT] =		{ 0, 1, "flies out (missed ballpark home run)" },
	[G_BP_LINEOUT] =	{ 0, 0, "lines out (missed ballpark single)" },
	[G_WALK] =		{ 0, 0, "walks" },
	[G_INTENTIONAL_WALK] =	{ 0, 0, "is intentionally walked" },
	[G_HBP] =		{ 0, 0, "is hit by a pitch" },
	[G_CATCHER_INTERFERENCE] = { 0, 0, "reaches on catcher's interference" },
	[G_ERROR] =		{ 0, 0, "reaches on an error" },
	[G_STOLEN_BASE] =	{ 0, 0, "" },
	[G_CAUGHT_STEALING] =	{ 0, 0, "" },
	[G_PICKOFF] =		{ 0, 0, "" },
	[G_WILD_PITCH] =	{ 0, 0, "Wild pitch" },
	[G_PASSED_BALL] =	{ 0, 0, "Passed ball" },
	[G_BALK] =		{ 0, 0, "Balk" },
};

/* Input aliases, rules.md §1.1 [proposal]. */
static const struct {
	const char	*alias;
	enum g_outcome	 o;
} outcome_aliases[] = {
	{ "single", G_SINGLE_1 },		{ "double", G_DOUBLE_2 },
	{ "hit_by_pitch", G_HBP },		{ "ibb", G_INTENTIONAL_WALK },
	{ "flyout_a", G_FLYBALL_A },		{ "flyout_b", G_FLYBALL_B },
	{ "flyout_bq", G_FLYBALL_BQ },		{ "flyout_c", G_FLYBALL_C },
	{ "fly_b_question", G_FLYBALL_BQ },	{ "pick_off", G_PICKOFF },
	{ "sacrifice_bunt", G_SAC_BUNT },	{ "fc", G_FIELDERS_CHOICE },
};

static const char *const loc_names[G_LOC__MAX] = {
	[G_LOC_P] = "P", [G_LOC_C] = "C", [G_LOC_1B] = "1B",
	[G_LOC_2B] = "2B", [G_LOC_3B] = "3B", [G_LOC_SS] = "SS",
	[G_LOC_LF] = "LF", [G_LOC_CF] = "CF", [G_LOC_RF] = "RF",
};

static const char *const pos_names[G_POS__MAX] = {
	[G_POS_P] = "P", [G_POS_C] = "C", [G_POS_1B] = "1B",
	[G_POS_2B] = "2B", [G_POS_3B] = "3B", [G_POS_SS] = "SS",
	[G_POS_LF] = "LF", [G_POS_CF] = "CF", [G_POS_RF] = "RF",
	[G_POS_DH] = "DH", [G_POS_PH] = "PH", [G_POS_PR] = "PR",
};

static const char *const align_names[] = { "normal", "shifted_left",
	"shifted_right", "extreme_shift" };
static const char *const infield_names[] = { "normal", "back", "in",
	"double_play" };
static const char *const outfield_names[] = { "normal", "back", "in" };
static const char *const approach_names[] = { "normal", "contact", "power",
	"patient" };
static const char *const sub_names[] = { "pinch_hitter", "pinch_runner",
	"defensive_replacement", "pitching_change" };

/* "first" .. "home" for descriptions and messages; [0] is the plate. */
static const char *const base_names[5] = { "the plate", "first", "second",
	"third", "home" };

const struct g_outcome_def *
game_outcome(enum g_outcome o)
{
	assert((unsigned)o < G_OUTCOME__MAX);
	return &outcome_defs[o];
}

/* Index of name in names[0..n), or -1; names[i] may be NULL. */
static int
name_find(const char *const *names, size_t n, const char *name)
{
	size_t	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

int
game_outcome_parse(const char *name, enum g_outcome *out)
{
	size_t	 i;

	if (name == NULL)
		return 0;
	for (i = 0; i < G_OUTCOME__MAX; i++)
		if (strcmp(outcome_defs[i].name, name) == 0) {
			*out = (enum g_outcome)i;
			return 1;
		}
	for (i = 0; i < NELEM(outcome_aliases); i++)
		if (strcmp(outcome_aliases[i].alias, name) == 0) {
			*out = outcome_aliases[i].o;
			return 1;
		}
	return 0;
}

int
game_loc_parse(const char *name, enum g_loc *out)
{
	int	 i;

	if ((i = name_find(loc_names, G_LOC__MAX, name)) <= 0)
		return 0;
	*out = (enum g_loc)i;
	return 1;
}

int
game_pos_parse(const char *name, enum g_pos *out)
{
	int	 i;

	if ((i = name_find(pos_names, G_POS__MAX, name)) <= 0)
		return 0;
	*out = (enum g_pos)i;
	return 1;
}

const char *
game_loc_name(enum g_loc l)
{
	return (unsigned)l < G_LOC__MAX ? loc_names[l] : NULL;
}

const char *
game_pos_name(enum g_pos p)
{
	return (unsigned)p < G_POS__MAX ? pos_names[p] : NULL;
}

#define NAME_OF(tab, v) \
	((unsigned)(v) < NELEM(tab) ? (tab)[(v)] : NULL)
#define PARSE_INTO(tab, s, out, type) do {				\
	int	 i_ = name_find((tab), NELEM(tab), (s));		\
	if (i_ < 0)							\
		return 0;						\
	*(out) = (type)i_;						\
	return 1;							\
} while (0)

const char *
game_align_name(enum g_align v)
{
	return NAME_OF(align_names, v);
}

const char *
game_infield_name(enum g_infield v)
{
	return NAME_OF(infield_names, v);
}

const char *
game_outfield_name(enum g_outfield v)
{
	return NAME_OF(outfield_names, v);
}

const char *
game_approach_name(enum g_approach v)
{
	return NAME_OF(approach_names, v);
}

const char *
game_sub_name(enum g_sub_type v)
{
	return NAME_OF(sub_names, v);
}

int
game_align_parse(const char *s, enum g_align *out)
{
	PARSE_INTO(align_names, s, out, enum g_align);
}

int
game_infield_parse(const char *s, enum g_infield *out)
{
	PARSE_INTO(infield_names, s, out, enum g_infield);
}

int
game_outfield_parse(const char *s, enum g_outfield *out)
{
	PARSE_INTO(outfield_names, s, out, enum g_outfield);
}

int
game_approach_parse(const char *s, enum g_approach *out)
{
	PARSE_INTO(approach_names, s, out, enum g_approach);
}

/* ============================================================== helpers */

/* Fill err; returns 0 so callers can `return fail(...)`. */
static int fail(struct g_error *, const char *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct g_error *err, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	err->code = code;
	err->field = field;
	va_start(ap, fmt);
	(void)vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return 0;
}

/* Runner mask of the bases: bit b set when base b (1..3) is occupied. */
static unsigned
bases_mask(const struct g_runner base[3])
{
	unsigned	 m = 0;
	int		 b;

	for (b = 1; b <= 3; b++)
		if (base[b - 1].id != 0)
			m |= BIT(b);
	return m;
}

static int
runners_on(const struct g_runner base[3])
{
	return (base[0].id != 0) + (base[1].id != 0) + (base[2].id != 0);
}

static struct g_member *
member_find(struct g_team *t, int64_t id)
{
	int	 i;

	if (id == 0)
		return NULL;
	for (i = 0; i < t->nactive; i++)
		if (t->active[i].id == id)
			return &t->active[i];
	return NULL;
}

static const struct g_member *
member_find_c(const struct g_team *t, int64_t id)
{
	return member_find((struct g_team *)(uintptr_t)t, id);
}

static struct g_pitcher *
pitcher_find(struct g_team *t, int64_t id)
{
	int	 i;

	for (i = 0; i < t->npitchers; i++)
		if (t->pitchers[i].id == id)
			return &t->pitchers[i];
	return NULL;
}

/* The lineup id batting in slot `slot` (1..9) for side, 0 if nobody. */
static int64_t
slot_player(const struct game_state *st, int side, int slot)
{
	const struct g_team	*t = &st->team[side];
	int			 i;

	for (i = 0; i < t->nactive; i++)
		if (t->active[i].order == slot)
			return t->active[i].id;
	return 0;
}

int64_t
game_batter(const struct game_state *st)
{
	return slot_player(st, GAME_BATTING(st),
	    st->team[GAME_BATTING(st)].next_slot);
}

int64_t
game_on_deck(const struct game_state *st)
{
	return slot_player(st, GAME_BATTING(st),
	    st->team[GAME_BATTING(st)].next_slot % G_SLOTS + 1);
}

const char *
game_pending_decision(const struct game_state *st)
{
	if (st->status != G_ACTIVE)
		return "none";
	if (st->roll_pending)
		return "outcome";
	if (!st->def_set)
		return "defensive";
	if (!st->off_set)
		return "offensive";
	return "resolution";
}

/* Decisions back to their defaults (rules.md §1.5: per PA). */
static void
decisions_reset(struct game_state *st)
{
	memset(&st->def, 0, sizeof(st->def));
	memset(&st->off, 0, sizeof(st->off));
	st->def_set = st->off_set = 0;
}

/* A refusal common to every action: the game is not in play. */
static int
check_active(const struct game_state *st, struct g_error *err)
{
	if (st->status == G_FINAL)
		return fail(err, "GAME_OVER", NULL, "Game is over");
	if (st->status != G_ACTIVE)
		return fail(err, "NOT_YOUR_TURN", NULL,
		    "Game has not started");
	return 1;
}

/*
 * Steals from the bases of mask (rules.md §1.3, §1.5): every base occupied,
 * the base ahead empty or vacated by another stealer (home is always free).
 */
static int
steal_check(const struct g_runner base[3], unsigned mask, const char *field,
    struct g_error *err)
{
	unsigned	 occ = bases_mask(base);
	int		 b;

	if (mask & ~BASES_MASK)
		return fail(err, "INVALID_FORMAT", field,
		    "Steal bases must be 1, 2 or 3");
	for (b = 3; b >= 1; b--) {
		if (!(mask & BIT(b)))
			continue;
		if (!(occ & BIT(b)))
			return fail(err, "INVALID_FORMAT", field,
			    "No runner on %s to steal", base_names[b]);
		if (b < 3 && (occ & BIT(b + 1)) && !(mask & BIT(b + 1)))
			return fail(err, "INVALID_FORMAT", field,
			    "Runner on %s cannot steal: %s base is occupied",
			    base_names[b], base_names[b + 1]);
	}
	return 1;
}

/* ============================================================ decisions */

/*
 * events.md: "once both are in they hold for that at-bat" -- neither side
 * may change its call after seeing the other's.  A pinch hitter reopens
 * the defence's (SOM order of play), which clears def_set.
 */
static int
decisions_open(const struct game_state *st, struct g_error *err)
{
	if (st->def_set && st->off_set)
		return fail(err, "NOT_YOUR_TURN", NULL,
		    "Both decisions are in: they hold for this at-bat");
	return 1;
}

int
game_defense(struct game_state *st, const struct g_defense *d,
    struct g_error *err)
{
	unsigned	 occ = bases_mask(st->base);
	int		 b;

	if (!check_active(st, err))
		return 0;
	if (st->roll_pending)
		return fail(err, "NOT_YOUR_TURN", NULL,
		    "A roll is pending: submit its outcome first");
	if (!decisions_open(st, err))
		return 0;
	if ((unsigned)d->alignment > G_ALIGN_EXTREME)
		return fail(err, "INVALID_FORMAT", "alignment",
		    "Invalid alignment");
	if ((unsigned)d->infield > G_IF_DOUBLE_PLAY)
		return fail(err, "INVALID_FORMAT", "infield_depth",
		    "Invalid infield_depth");
	if ((unsigned)d->outfield > G_OF_IN)
		return fail(err, "INVALID_FORMAT", "outfield_depth",
		    "Invalid outfield_depth");
	if (d->hold & ~BASES_MASK)
		return fail(err, "INVALID_FORMAT", "hold_runners",
		    "hold_runners bases must be 1, 2 or 3");
	for (b = 1; b <= 3; b++)
		if ((d->hold & BIT(b)) && !(occ & BIT(b)))
			return fail(err, "INVALID_FORMAT", "hold_runners",
			    "Cannot hold a runner on %s: the base is empty",
			    base_names[b]);
	if (d->infield == G_IF_IN && (!(occ & BIT(3)) || st->outs >= 2))
		return fail(err, "INVALID_FORMAT", "infield_depth",
		    "Infield in needs a runner on third and fewer than two "
		    "outs");
	if (d->infield == G_IF_DOUBLE_PLAY &&
	    (!(occ & BIT(1)) || st->outs >= 2))
		return fail(err, "INVALID_FORMAT", "infield_depth",
		    "Double-play depth needs a runner on first and fewer than "
		    "two outs");
	st->def = *d;
	st->def_set = 1;
	return 1;
}

int
game_offense(struct game_state *st, const struct g_offense *o,
    struct g_error *err)
{
	unsigned	 occ = bases_mask(st->base);

	if (!check_active(st, err))
		return 0;
	if (st->roll_pending)
		return fail(err, "NOT_YOUR_TURN", NULL,
		    "A roll is pending: submit its outcome first");
	if (!decisions_open(st, err))
		return 0;
	if ((unsigned)o->approach > G_APP_PATIENT)
		return fail(err, "INVALID_FORMAT", "approach",
		    "Invalid approach");
	if (!steal_check(st->base, o->steal, "steal_attempts", err))
		return 0;
	if (o->hit_and_run && o->bunt)
		return fail(err, "INVALID_FORMAT", "hit_and_run",
		    "hit_and_run cannot be combined with bunt_attempt");
	if (o->hit_and_run && !(occ & (BIT(1) | BIT(2))))
		return fail(err, "INVALID_FORMAT", "hit_and_run",
		    "hit_and_run needs a runner on first or second");
	st->off = *o;
	st->off.hit_and_run = o->hit_and_run != 0;
	st->off.bunt = o->bunt != 0;
	st->off_set = 1;
	return 1;
}

/* ================================================================ start */

/* Check one side's lineup (rules.md §2.2); name is "Away" / "Home". */
static int
lineup_check(const struct game_state *st, int side, struct g_error *err)
{
	const struct g_team	*t = &st->team[side];
	const char		*name = side == G_AWAY ? "Away" : "Home";
	int			 slots[G_SLOTS + 1] = { 0 };
	int			 pos[G_POS__MAX] = { 0 };
	int			 i, j;
	const struct g_member	*m;

	if (t->nactive < G_SLOTS || t->nactive > (int)NELEM(t->active))
		return fail(err, "INVALID_FORMAT", "lineup",
		    "%s lineup: %d players, need 9 to %d", name, t->nactive,
		    (int)NELEM(t->active));
	for (i = 0; i < t->nactive; i++) {
		m = &t->active[i];
		if (m->id == 0)
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: a player has no lineup id", name);
		for (j = 0; j < i; j++)
			if (t->active[j].id == m->id)
				return fail(err, "INVALID_FORMAT", "lineup",
				    "%s lineup: lineup id %lld listed twice",
				    name, (long long)m->id);
		if (m->order < 0 || m->order > G_SLOTS)
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: batting slot %d out of range", name,
			    m->order);
		if (m->pos <= G_POS_NONE || m->pos > G_POS_DH)
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: every starter needs a position "
			    "(P..RF or DH)", name);
		if (m->order > 0 && slots[m->order]++)
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: batting slot %d is filled twice",
			    name, m->order);
		if (pos[m->pos]++)
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: position %s is held twice", name,
			    pos_names[m->pos]);
		if (m->pos == G_POS_DH && (!st->use_dh || m->order == 0))
			return fail(err, "INVALID_FORMAT", "lineup",
			    st->use_dh ? "%s lineup: the DH must bat" :
			    "%s lineup: no DH in this game", name);
		if (m->pos == G_POS_P && st->use_dh && m->order != 0)
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: the pitcher does not bat with a DH",
			    name);
	}
	for (i = 1; i <= G_SLOTS; i++)
		if (!slots[i])
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: batting slot %d is empty", name, i);
	for (i = G_POS_P; i <= G_POS_RF; i++)
		if (!pos[i])
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: nobody plays %s", name, pos_names[i]);
	if (st->use_dh && !pos[G_POS_DH])
		return fail(err, "INVALID_FORMAT", "lineup",
		    "%s lineup: the DH is missing", name);
	return 1;
}

/* The id of the side's active player at pos, 0 if none. */
static int64_t
pos_holder(const struct g_team *t, enum g_pos pos)
{
	int	 i;

	for (i = 0; i < t->nactive; i++)
		if (t->active[i].pos == pos)
			return t->active[i].id;
	return 0;
}

int
game_start(struct game_state *st, struct g_error *err)
{
	struct g_team	*t;
	int64_t		 p;
	int		 side;

	if (st->status == G_FINAL)
		return fail(err, "GAME_OVER", NULL, "Game is over");
	if (st->status != G_PENDING)
		return fail(err, "INVALID_FORMAT", NULL,
		    "Game has already started");
	if (st->scheduled_innings == 0)
		st->scheduled_innings = 9;
	if (st->scheduled_innings < 1 || st->scheduled_innings > G_MAX_INNINGS)
		return fail(err, "INVALID_FORMAT", "scheduled_innings",
		    "scheduled_innings must be 1..%d", G_MAX_INNINGS);
	for (side = 0; side < 2; side++) {
		if (!lineup_check(st, side, err))
			return 0;
		p = pos_holder(&st->team[side], G_POS_P);
		if (st->team[side].pitcher != 0 && st->team[side].pitcher != p)
			return fail(err, "INVALID_FORMAT", "lineup",
			    "%s lineup: the starting pitcher does not play P",
			    side == G_AWAY ? "Away" : "Home");
	}
	for (side = 0; side < 2; side++) {
		t = &st->team[side];
		t->pitcher = pos_holder(t, G_POS_P);
		memset(t->pitchers, 0, sizeof(t->pitchers));
		t->pitchers[0].id = t->pitcher;
		t->pitchers[0].starter = 1;
		t->npitchers = 1;
		t->next_slot = 1;
		t->score = 0;
		t->goahead_w = t->goahead_l = 0;
	}
	st->status = G_ACTIVE;
	st->inning = 1;
	st->half = G_TOP;
	st->outs = 0;
	memset(st->base, 0, sizeof(st->base));
	st->phantom_outs = 0;
	decisions_reset(st);
	st->roll_pending = 0;
	st->play_count = 0;
	st->winner = -1;
	return 1;
}

/* ======================================================== resolution */

/* Conditions a rewrite, row or step may test (all of `when`, none of
 * `unless`). */
enum {
	C_R1 = 1 << 0, C_R2 = 1 << 1, C_R3 = 1 << 2,
	C_TWO = 1 << 3,		/* two out before the play */
	C_CUT = 1 << 4,		/* infield in in effect: in, R3, < 2 out */
	C_LOADED = 1 << 5,
	C_HOLD3 = 1 << 6,	/* R3 holds on a grounder: C_CUT, not loaded */
	C_HNR = 1 << 7,		/* hit-and-run in effect: R1 or R2 on */
	C_DPD = 1 << 8,		/* double-play depth in effect: R1, < 2 out */
	C_MIDDLE = 1 << 9,	/* ball hit to 2B or SS */
	C_RIGHT = 1 << 10,	/* ball hit to 1B or 2B (right side) */
	C_OFIN = 1 << 11	/* outfield in */
};

/* Resolution kinds: what an outcome means after the decisions (§1.3). */
enum kind {
	K_HOLD_OUT, K_GB_A, K_GB_B, K_GB_C, K_GB_HNR, K_FLY_A, K_FLY_B,
	K_FLY_BQ, K_FLY_C, K_LINEOUT_MAX, K_LINEOUT_HNR, K_K_HNR, K_SAC_BUNT,
	K_FC, K_SINGLE_1, K_SINGLE_2, K_SINGLE_UNC, K_DOUBLE_2, K_DOUBLE_3,
	K_DOUBLE_UNC, K_TRIPLE, K_HR, K_WALK, K_ERROR, K_STEAL, K_CS,
	K_PICKOFF, K_ADVANCE, K__MAX
};

/* Groundball kinds: a double play on them is a GIDP (§3.3). */
static const unsigned char kind_gb[K__MAX] = {
	[K_GB_A] = 1, [K_GB_B] = 1, [K_GB_C] = 1, [K_GB_HNR] = 1,
};

/* Outcome -> kind; first row whose conditions all hold (§1.3). */
static const struct rewrite {
	enum g_outcome	 o;
	unsigned	 when;
	enum kind	 k;
} rewrites[] = {
	{ G_STRIKEOUT,		C_HNR,		K_K_HNR },
	{ G_STRIKEOUT,		0,		K_HOLD_OUT },
	{ G_GROUNDBALL_A,	C_HNR,		K_GB_HNR },
	{ G_GROUNDBALL_A,	0,		K_GB_A },
	{ G_GROUNDBALL_B,	C_HNR,		K_GB_HNR },
	{ G_GROUNDBALL_B,	C_DPD | C_MIDDLE, K_GB_A },
	{ G_GROUNDBALL_B,	0,		K_GB_B },
	{ G_GROUNDBALL_C,	0,		K_GB_C },
	{ G_FLYBALL_A,		C_OFIN,		K_FLY_B },	/* §6 #5 */
	{ G_FLYBALL_A,		0,		K_FLY_A },
	{ G_FLYBALL_B,		C_OFIN,		K_FLY_BQ },
	{ G_FLYBALL_B,		0,		K_FLY_B },
	{ G_FLYBALL_BQ,		C_OFIN,		K_FLY_C },
	{ G_FLYBALL_BQ,		0,		K_FLY_BQ },
	{ G_FLYBALL_C,		0,		K_FLY_C },
	{ G_BP_FLYOUT,		C_OFIN,		K_FLY_BQ },	/* as flyball_b */
	{ G_BP_FLYOUT,		0,		K_FLY_B },
	{ G_LINEOUT,		C_HNR,		K_LINEOUT_HNR },
	{ G_LINEOUT,		0,		K_HOLD_OUT },
	{ G_LINEOUT_MAX,	0,		K_LINEOUT_MAX },
	{ G_POPOUT,		0,		K_HOLD_OUT },
	{ G_FOULOUT,		0,		K_HOLD_OUT },
	{ G_BP_LINEOUT,		C_HNR,		K_LINEOUT_HNR },	/* as lineout */
	{ G_BP_LINEOUT,		0,		K_HOLD_OUT },
	{ G_SAC_BUNT,		0,		K_SAC_BUNT },
	{ G_FIELDERS_CHOICE,	0,		K_FC },
	{ G_SINGLE_1,		C_HNR,		K_SINGLE_2 },
	{ G_SINGLE_1,		0,		K_SINGLE_1 },
	{ G_BP_SINGLE,		C_HNR,		K_SINGLE_2 },	/* as single_1 */
	{ G_BP_SINGLE,		0,		K_SINGLE_1 },
	{ G_SINGLE_2,		0,		K_SINGLE_2 },
	{ G_SINGLE_UNCAPPED,	0,		K_SINGLE_UNC },
	{ G_DOUBLE_2,		0,		K_DOUBLE_2 },
	{ G_DOUBLE_3,		0,		K_DOUBLE_3 },
	{ G_DOUBLE_UNCAPPED,	0,		K_DOUBLE_UNC },
	{ G_TRIPLE,		0,		K_TRIPLE },
	{ G_HOMERUN,		0,		K_HR },
	{ G_BP_HOMERUN,		0,		K_HR },
	{ G_WALK,		0,		K_WALK },
	{ G_INTENTIONAL_WALK,	0,		K_WALK },
	{ G_HBP,		0,		K_WALK },
	{ G_CATCHER_INTERFERENCE, 0,		K_WALK },
	{ G_ERROR,		0,		K_ERROR },
	{ G_STOLEN_BASE,	0,		K_STEAL },
	{ G_CAUGHT_STEALING,	0,		K_CS },
	{ G_PICKOFF,		0,		K_PICKOFF },
	{ G_WILD_PITCH,		0,		K_ADVANCE },
	{ G_PASSED_BALL,	0,		K_ADVANCE },
	{ G_BALK,		0,		K_ADVANCE },
};

/*
 * Steps.  `a` names a participant by the base he started on (0 = the
 * batter), `b` a base.  A step on a participant who is absent or already
 * out does nothing.
 */
enum op {
	OP_END = 0,
	OP_OUT,		/* retire a; b = base where the out is made */
	OP_TO,		/* a to base b */
	OP_ALL,		/* every runner (not the batter) a bases, lead first */
	OP_UP_OPEN,	/* a one base up when that base is free */
	OP_FORCE,	/* batter to first, forced runners one up (walk) */
	OP_LEAD_OUT,	/* lead runner doubled off at his base */
	OP_FC,		/* fielder's choice: fc_out_from or lead forced out */
	OP_GOING_OUT,	/* hit-and-run lineout: lead going runner doubled off */
	OP_HNR_STEAL,	/* hit-and-run strikeout: going runners per steal_result */
	OP_STEAL,	/* declared stealers one up; a = 1: lead one caught */
	OP_PICKOFF,	/* the runner on `base` out at his base */
	OP_ERROR	/* batter to base e, runners e up */
};

struct step {
	unsigned char	 op;
	signed char	 a, b;
	unsigned short	 when, unless;
};

/* An optional advance (rules.md §1.2 rule 6): the participant who started
 * on `from` may try for `to`.  Listed lead runner first. */
struct opt {
	signed char	 from, to;
};

struct row {
	enum kind	 k;
	unsigned	 when, unless;
	struct step	 steps[5];
	struct opt	 opts[3];	/* ends at to == 0 */
};

#define S_OUT(a, b)		{ OP_OUT, a, b, 0, 0 }
#define S_TO(a, b)		{ OP_TO, a, b, 0, 0 }
#define S_ALL(n)		{ OP_ALL, n, 0, 0, 0 }
#define S_OP(o)			{ o, 0, 0, 0, 0 }
#define S_IF(o, a, b, w, u)	{ o, a, b, w, u }

/*
 * rules.md §1.3 as data.  First row of the kind whose conditions hold.
 * §1.2 rule 3 (two out: a batted-ball out retires the batter, nothing
 * else) comes first.
 */
static const struct row rows[] = {
	{ K_GB_A, C_TWO, 0, { S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_GB_B, C_TWO, 0, { S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_GB_C, C_TWO, 0, { S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_GB_HNR, C_TWO, 0, { S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_SAC_BUNT, C_TWO, 0, { S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_FLY_A, C_TWO, 0, { S_OUT(0, 0) }, { { 0, 0 } } },
	{ K_FLY_B, C_TWO, 0, { S_OUT(0, 0) }, { { 0, 0 } } },
	{ K_FLY_BQ, C_TWO, 0, { S_OUT(0, 0) }, { { 0, 0 } } },
	{ K_LINEOUT_MAX, C_TWO, 0, { S_OUT(0, 0) }, { { 0, 0 } } },
	{ K_LINEOUT_HNR, C_TWO, 0, { S_OUT(0, 0) }, { { 0, 0 } } },
	{ K_K_HNR, C_TWO, 0, { S_OUT(0, 0) }, { { 0, 0 } } },

	{ K_HOLD_OUT, 0, 0, { S_OUT(0, 0) }, { { 0, 0 } } },
	{ K_FLY_C, 0, 0, { S_OUT(0, 0) }, { { 0, 0 } } },
	{ K_FLY_A, 0, 0, { S_OUT(0, 0), S_ALL(1) }, { { 0, 0 } } },
	{ K_FLY_B, 0, 0, { S_OUT(0, 0), S_TO(3, 4) }, { { 2, 3 } } },
	{ K_FLY_BQ, 0, 0, { S_OUT(0, 0) }, { { 3, 4 } } },
	{ K_LINEOUT_MAX, 0, 0, { S_OUT(0, 0), S_OP(OP_LEAD_OUT) },
	    { { 0, 0 } } },
	{ K_LINEOUT_HNR, 0, 0, { S_OUT(0, 0), S_OP(OP_GOING_OUT) },
	    { { 0, 0 } } },
	{ K_K_HNR, 0, 0, { S_OUT(0, 0), S_OP(OP_HNR_STEAL) }, { { 0, 0 } } },

	/* groundballs, fewer than two out */
	{ K_GB_C, 0, 0, { S_ALL(1), S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_GB_HNR, 0, 0, { S_IF(OP_TO, 3, 4, 0, C_HOLD3),
	    S_IF(OP_UP_OPEN, 2, 0, 0, 0), S_IF(OP_UP_OPEN, 1, 0, 0, 0),
	    S_OUT(0, 1) }, { { 0, 0 } } },
	/* infield in, bases loaded: the play goes home */
	{ K_GB_A, C_CUT | C_LOADED, 0, { S_OUT(3, 4), S_TO(2, 3), S_TO(1, 2),
	    S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_GB_B, C_CUT | C_LOADED, 0, { S_OUT(3, 4), S_TO(2, 3), S_TO(1, 2),
	    S_TO(0, 1) }, { { 0, 0 } } },
	/* R1 on: the play at second */
	{ K_GB_A, C_R1, 0, { S_IF(OP_TO, 3, 4, 0, C_CUT),
	    S_IF(OP_UP_OPEN, 2, 0, 0, 0), S_OUT(1, 2), S_OUT(0, 1) },
	    { { 0, 0 } } },
	{ K_GB_B, C_R1, 0, { S_IF(OP_TO, 3, 4, 0, C_CUT),
	    S_IF(OP_UP_OPEN, 2, 0, 0, 0), S_OUT(1, 2), S_TO(0, 1) },
	    { { 0, 0 } } },
	/* no R1: batter out at first; R2 alone advances on the right side */
	{ K_GB_A, 0, 0, { S_IF(OP_TO, 3, 4, 0, C_CUT),
	    S_IF(OP_UP_OPEN, 2, 0, C_R3, 0),
	    S_IF(OP_UP_OPEN, 2, 0, C_RIGHT, C_R3), S_OUT(0, 1) },
	    { { 0, 0 } } },
	{ K_GB_B, 0, 0, { S_IF(OP_TO, 3, 4, 0, C_CUT),
	    S_IF(OP_UP_OPEN, 2, 0, C_R3, 0),
	    S_IF(OP_UP_OPEN, 2, 0, C_RIGHT, C_R3), S_OUT(0, 1) },
	    { { 0, 0 } } },

	{ K_SAC_BUNT, 0, 0, { S_ALL(1), S_OUT(0, 1) }, { { 0, 0 } } },
	{ K_FC, 0, 0, { S_OP(OP_FC) }, { { 0, 0 } } },

	{ K_SINGLE_1, 0, 0, { S_ALL(1), S_TO(0, 1) }, { { 0, 0 } } },
	{ K_SINGLE_2, 0, 0, { S_ALL(2), S_TO(0, 1) }, { { 0, 0 } } },
	{ K_SINGLE_UNC, 0, 0, { S_ALL(1), S_TO(0, 1) },
	    { { 2, 4 }, { 1, 3 }, { 0, 2 } } },
	{ K_DOUBLE_2, 0, 0, { S_ALL(2), S_TO(0, 2) }, { { 0, 0 } } },
	{ K_DOUBLE_3, 0, 0, { S_ALL(3), S_TO(0, 2) }, { { 0, 0 } } },
	{ K_DOUBLE_UNC, 0, 0, { S_ALL(2), S_TO(0, 2) },
	    { { 1, 4 }, { 0, 3 } } },
	{ K_TRIPLE, 0, 0, { S_ALL(3), S_TO(0, 3) }, { { 0, 0 } } },
	{ K_HR, 0, 0, { S_ALL(4), S_TO(0, 4) }, { { 0, 0 } } },
	{ K_WALK, 0, 0, { S_OP(OP_FORCE) }, { { 0, 0 } } },
	{ K_ERROR, 0, 0, { S_OP(OP_ERROR) }, { { 0, 0 } } },

	{ K_STEAL, 0, 0, { S_IF(OP_STEAL, 0, 0, 0, 0) }, { { 0, 0 } } },
	{ K_CS, 0, 0, { S_IF(OP_STEAL, 1, 0, 0, 0) }, { { 0, 0 } } },
	{ K_PICKOFF, 0, 0, { S_OP(OP_PICKOFF) }, { { 0, 0 } } },
	{ K_ADVANCE, 0, 0, { S_ALL(1) }, { { 0, 0 } } },
};

/* One play being resolved.  Participants are indexed by the base they
 * started on; 0 is the batter (absent on runner events). */
struct res {
	const struct game_state	*st;
	const struct g_submit	*sub;
	unsigned	 conds;
	enum kind	 kind;
	const struct row *row;
	unsigned	 steal;		/* declared stealers (from-bases) */
	int		 e;		/* error bases of the play */
	int		 here[4], pos[4], out[4];
	int		 sb[4], cs[4];
	int		 err_from[4];	/* base before the error part, -1 */
	int		 opt_from_out;	/* optional runner whose out was
					 * the third, -1 */
	int		 bpos_default;	/* batter's base after the steps */
	int		 bout_default;	/* and whether he was out */
	int		 outs, outs_default;
};

static unsigned
conds_of(const struct game_state *st, const struct g_submit *sub)
{
	unsigned	 c = 0, occ = bases_mask(st->base);

	if (occ & BIT(1))
		c |= C_R1;
	if (occ & BIT(2))
		c |= C_R2;
	if (occ & BIT(3))
		c |= C_R3;
	if (occ == BASES_MASK)
		c |= C_LOADED;
	if (st->outs >= 2)
		c |= C_TWO;
	/* §6 #6: a decision the state no longer allows counts as normal */
	if (st->def_set && st->def.infield == G_IF_IN && (c & C_R3) &&
	    !(c & C_TWO))
		c |= C_CUT;
	if ((c & C_CUT) && !(c & C_LOADED))
		c |= C_HOLD3;
	if (st->def_set && st->def.infield == G_IF_DOUBLE_PLAY &&
	    (c & C_R1) && !(c & C_TWO))
		c |= C_DPD;
	if (st->def_set && st->def.outfield == G_OF_IN)
		c |= C_OFIN;
	if (st->off_set && st->off.hit_and_run && (c & (C_R1 | C_R2)))
		c |= C_HNR;
	if (sub->loc == G_LOC_2B || sub->loc == G_LOC_SS)
		c |= C_MIDDLE;
	if (sub->loc == G_LOC_1B || sub->loc == G_LOC_2B)
		c |= C_RIGHT;
	return c;
}

#define HOLDS(c, w, u)	(((c) & (w)) == (w) && ((c) & (u)) == 0)

static enum kind
kind_of(enum g_outcome o, unsigned c)
{
	size_t	 i;

	for (i = 0; i < NELEM(rewrites); i++)
		if (rewrites[i].o == o && HOLDS(c, rewrites[i].when, 0))
			return rewrites[i].k;
	assert(!"outcome without a rewrite row");
	return K_HOLD_OUT;
}

static const struct row *
row_of(enum kind k, unsigned c)
{
	size_t	 i;

	for (i = 0; i < NELEM(rows); i++)
		if (rows[i].k == k && HOLDS(c, rows[i].when, rows[i].unless))
			return &rows[i];
	assert(!"kind without a row");
	return &rows[0];
}

/* Is base b (1..3) taken by a participant other than `who`? */
static int
res_occupied(const struct res *r, int b, int who)
{
	int	 i;

	if (b >= 4)
		return 0;
	for (i = 0; i < 4; i++)
		if (i != who && r->here[i] && !r->out[i] && r->pos[i] == b)
			return 1;
	return 0;
}

static int
res_active(const struct res *r, int i)
{
	return r->here[i] && !r->out[i];
}

static void
res_retire(struct res *r, int i, int at)
{
	if (!res_active(r, i))
		return;
	r->out[i] = 1;
	r->pos[i] = at;
	r->outs++;
}

/* Move runner i up n bases, stopping short of an occupied base (§1.2). */
static void
res_up(struct res *r, int i, int n)
{
	int	 to;

	if (!res_active(r, i) || r->pos[i] >= 4)
		return;
	to = r->pos[i] + n > 4 ? 4 : r->pos[i] + n;
	while (to < 4 && res_occupied(r, to, i))
		to--;
	r->pos[i] = to;
}

/* Runners (not the batter) lead first: by base now, highest first. */
static void
res_all(struct res *r, int n)
{
	int	 b, i;

	for (b = 3; b >= 1; b--)
		for (i = 1; i <= 3; i++)
			if (res_active(r, i) && r->pos[i] == b)
				res_up(r, i, n);
}

/* Hit-and-run: the runners going with the pitch (§1.3) -- R2 when third
 * is empty, R1 when second is empty or R2 goes. */
static unsigned
going_mask(const struct res *r)
{
	unsigned	 m = 0;

	if (r->here[2] && !r->here[3])
		m |= BIT(2);
	if (r->here[1] && (!r->here[2] || (m & BIT(2))))
		m |= BIT(1);
	return m;
}

/* Declared runners of mask steal, lead first; caught: the lead one is out
 * at the base he tried for, no SB for the others (OBR 9.07). */
static void
res_steal(struct res *r, unsigned mask, int caught, int credit)
{
	int	 b, lead = 1;

	for (b = 3; b >= 1; b--) {
		if (!(mask & BIT(b)) || !res_active(r, b))
			continue;
		if (caught && lead) {
			res_retire(r, b, b + 1);
			r->cs[b] = 1;
		} else {
			r->pos[b] = b + 1;
			r->sb[b] = credit && !caught;
		}
		lead = 0;
	}
}

/* Fielder's choice (§1.3): fc_out_from (default: the lead forced runner)
 * is out at the next base, other forced runners one up, batter to first. */
static void
res_fc(struct res *r)
{
	int	 forced[4] = { 0 }, f, b;

	forced[1] = r->here[1];
	forced[2] = forced[1] && r->here[2];
	forced[3] = forced[2] && r->here[3];
	f = r->sub->fc_out_from;
	if (f == 0)
		for (f = 1; f < 3 && forced[f + 1]; f++)
			continue;
	for (b = 3; b >= 1; b--) {
		if (b == f)
			res_retire(r, b, b + 1);
		else if (forced[b])
			r->pos[b] = b + 1;
	}
	r->pos[0] = 1;
}

static void
res_step(struct res *r, const struct step *s)
{
	int	 b, i;

	switch (s->op) {
	case OP_OUT:
		res_retire(r, s->a, s->b);
		break;
	case OP_TO:
		if (res_active(r, s->a))
			r->pos[s->a] = s->b;
		break;
	case OP_ALL:
		res_all(r, s->a);
		break;
	case OP_UP_OPEN:
		if (res_active(r, s->a) && !res_occupied(r, r->pos[s->a] + 1,
		    s->a))
			r->pos[s->a]++;
		break;
	case OP_FORCE:
		if (res_occupied(r, 1, 0)) {
			if (res_occupied(r, 2, 0)) {
				if (res_occupied(r, 3, 0))
					r->pos[3] = 4;
				r->pos[2] = 3;
			}
			r->pos[1] = 2;
		}
		r->pos[0] = 1;
		break;
	case OP_FC:
		res_fc(r);
		break;
	case OP_LEAD_OUT:
		for (b = 3; b >= 1; b--)
			for (i = 1; i <= 3; i++)
				if (res_active(r, i) && r->pos[i] == b) {
					res_retire(r, i, b);
					return;
				}
		break;
	case OP_GOING_OUT:
		b = (going_mask(r) & BIT(2)) ? 2 : (going_mask(r) & BIT(1)) ?
		    1 : 0;
		if (b)
			res_retire(r, b, b);
		break;
	case OP_HNR_STEAL:
		res_steal(r, going_mask(r), r->sub->steal_result == 0, 1);
		break;
	case OP_STEAL:
		res_steal(r, r->steal, s->a, 1);
		break;
	case OP_PICKOFF:
		res_retire(r, r->sub->base, r->sub->base);
		break;
	case OP_ERROR:
		for (i = 3; i >= 0; i--)
			if (res_active(r, i))
				r->pos[i] = (i + r->e > 4) ? 4 : i + r->e;
		break;
	default:
		assert(!"unknown step");
	}
}

static void
res_init(struct res *r, const struct game_state *st,
    const struct g_submit *sub)
{
	int	 i;

	memset(r, 0, sizeof(*r));
	r->st = st;
	r->sub = sub;
	r->opt_from_out = -1;
	r->here[0] = outcome_defs[sub->outcome].pa;
	r->pos[0] = 0;
	r->err_from[0] = -1;
	for (i = 1; i <= 3; i++) {
		r->here[i] = st->base[i - 1].id != 0;
		r->pos[i] = i;
		r->err_from[i] = -1;
	}
	r->conds = conds_of(st, sub);
	r->kind = kind_of(sub->outcome, r->conds);
	r->row = row_of(r->kind, r->conds);
	r->e = sub->outcome == G_ERROR && sub->error_bases == 0 ? 1 :
	    sub->error_bases;
	if (sub->outcome == G_STOLEN_BASE || sub->outcome == G_CAUGHT_STEALING)
		r->steal = st->off_set && st->off.steal ? st->off.steal :
		    sub->runners;
}

static void
res_run(struct res *r)
{
	const struct step	*s;
	size_t			 i;

	for (i = 0; i < NELEM(r->row->steps); i++) {
		s = &r->row->steps[i];
		if (s->op == OP_END)
			break;
		if (HOLDS(r->conds, s->when, s->unless))
			res_step(r, s);
	}
	r->outs_default = r->outs;
	r->bpos_default = r->pos[0];
	r->bout_default = r->out[0];
}

/*
 * Has the winning run already crossed on this play (§2.5)?  Called before
 * an optional advance, when no third out has been made yet, so every
 * participant at home so far is a run that counts.
 */
static int
res_walked_off(const struct res *r)
{
	const struct game_state	*st = r->st;
	int			 i, runs = 0;

	if (GAME_BATTING(st) != G_HOME || st->inning < st->scheduled_innings)
		return 0;
	for (i = 0; i < 4; i++)
		if (res_active(r, i) && r->pos[i] == 4)
			runs++;
	return st->team[G_HOME].score + runs > st->team[G_AWAY].score;
}

/*
 * Optional advances (rules.md §1.2 rule 6, §1.3): each listed runner must
 * be eligible on this row, every eligible runner ahead of him must also
 * have tried, the batter goes only on a throw, and nobody runs once the
 * third out is made or the winning run has scored.  Returns 0 with err on
 * an illegal list.
 */
static int
res_options(struct res *r, struct g_error *err)
{
	const struct g_submit	*sub = r->sub;
	const struct opt	*o = r->row->opts;
	const char		*name = outcome_defs[sub->outcome].name;
	int			 tried[4] = { 0 }, safe[4] = { 0 };
	int			 i, k, j, f, any = 0, eligible;

	if (sub->nadv < 0 || sub->nadv > (int)NELEM(sub->adv))
		return fail(err, "INVALID_FORMAT", "advances",
		    "Too many advances");
	for (i = 0; i < sub->nadv; i++) {
		f = sub->adv[i].from;
		if (f < 0 || f > 3)
			return fail(err, "INVALID_FORMAT", "advances",
			    "advances: from must be 0 (batter) to 3");
		for (eligible = 0, k = 0; k < 3 && o[k].to != 0; k++)
			if (o[k].from == f)
				eligible = 1;
		if (!eligible || !res_active(r, f))
			return fail(err, "INVALID_FORMAT", "advances",
			    "%s is not eligible for an optional advance on "
			    "%s%s", f == 0 ? "The batter" : f == 1 ?
			    "The runner from first" : f == 2 ?
			    "The runner from second" : "The runner from third",
			    name, r->conds & C_TWO ? " with two out" : "");
		if (tried[f])
			return fail(err, "INVALID_FORMAT", "advances",
			    "advances lists the runner from %s twice",
			    f == 0 ? "the plate" : base_names[f]);
		tried[f] = 1;
		safe[f] = sub->adv[i].safe != 0;
	}
	for (k = 0; k < 3 && o[k].to != 0; k++) {
		f = o[k].from;
		if (!tried[f])
			continue;
		for (j = 0; j < k; j++)
			if (r->here[o[j].from] && !tried[o[j].from])
				return fail(err, "INVALID_FORMAT", "advances",
				    "A trailing runner may only try when every "
				    "runner ahead of him also tried");
		if (f == 0 && !any)
			return fail(err, "INVALID_FORMAT", "advances",
			    "The batter may take an extra base only on a "
			    "throw to another runner");
		if (r->st->outs + r->outs >= 3)
			return fail(err, "INVALID_FORMAT", "advances",
			    "No runner may advance after the third out");
		/* §2.5: the game ended when the winning run scored; the
		 * runners behind him are left on base, so an attempt by one
		 * of them (and an out on it) would happen after the end */
		if (res_walked_off(r))
			return fail(err, "INVALID_FORMAT", "advances",
			    "No runner may advance after the winning run has "
			    "scored");
		if (res_occupied(r, o[k].to, f))
			return fail(err, "INVALID_FORMAT", "advances",
			    "Cannot advance to %s: the base is occupied",
			    base_names[o[k].to]);
		any = 1;
		if (safe[f])
			r->pos[f] = o[k].to;
		else {
			res_retire(r, f, o[k].to);
			if (r->st->outs + r->outs == 3)
				r->opt_from_out = f;
		}
	}
	return 1;
}

/* Hit plus error (§1.2 rule 7): everybody safe moves e further. */
static void
res_error_part(struct res *r)
{
	int	 i;

	for (i = 3; i >= 0; i--)
		if (res_active(r, i) && r->pos[i] < 4) {
			r->err_from[i] = r->pos[i];
			r->pos[i] = r->pos[i] + r->e > 4 ? 4 : r->pos[i] + r->e;
		}
}

/* ======================================================== validation */

/* "P, C, 1B" for the locations of mask. */
static void
locs_list(unsigned mask, char *buf, size_t len)
{
	size_t	 n = 0;
	int	 l, w;

	buf[0] = '\0';
	for (l = G_LOC_P; l < G_LOC__MAX; l++) {
		if (!(mask & LB(l)) || n >= len)
			continue;
		w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
		    loc_names[l]);
		if (w < 0)
			return;
		n += (size_t)w;
	}
}

static int
check_location(const struct g_submit *sub, struct g_error *err)
{
	const struct g_outcome_def	*d = &outcome_defs[sub->outcome];
	char				 list[64];

	if ((unsigned)sub->loc >= G_LOC__MAX)
		return fail(err, "INVALID_FORMAT", "hit_location",
		    "Invalid hit_location");
	if (sub->loc == G_LOC_NONE) {
		if (d->loc == G_LOC_REQ)
			return fail(err, "MISSING_FIELD", "hit_location",
			    "Outcome %s requires hit_location", d->name);
		return 1;
	}
	if (d->loc == G_LOC_NO)
		return fail(err, "INVALID_FORMAT", "hit_location",
		    "Outcome %s takes no hit_location", d->name);
	if (!(d->loc_ok & LB(sub->loc))) {
		locs_list(d->loc_ok, list, sizeof(list));
		return fail(err, "INVALID_FORMAT", "hit_location",
		    "Invalid hit_location for %s: %s (one of %s)", d->name,
		    loc_names[sub->loc], list);
	}
	return 1;
}

static int
check_modifiers(const struct game_state *st, const struct g_submit *sub,
    struct g_error *err)
{
	const struct g_outcome_def	*d = &outcome_defs[sub->outcome];
	unsigned			 occ = bases_mask(st->base);

	if (sub->error_bases < 0 || sub->error_bases > 3)
		return fail(err, "INVALID_FORMAT", "error_bases",
		    "error_bases must be 1, 2 or 3");
	if (sub->error_bases != 0 && sub->outcome != G_ERROR &&
	    (!d->is_hit || outcome_aux[sub->outcome].hit == 4))
		return fail(err, "INVALID_FORMAT", "error_bases",
		    "error_bases is only accepted with error or a hit "
		    "(not a home run)");
	if (sub->error_bases != 0 && sub->nadv != 0 && d->is_hit)
		return fail(err, "INVALID_FORMAT", "advances",
		    "advances cannot be combined with a hit plus error");
	if (sub->steal_result < -1 || sub->steal_result > 1)
		return fail(err, "INVALID_FORMAT", "steal_result",
		    "steal_result must be safe or out");
	if (sub->outcome == G_FIELDERS_CHOICE) {
		if (!(occ & BIT(1)))
			return fail(err, "INVALID_FORMAT", "outcome",
			    "fielders_choice needs a runner on first (a "
			    "force)");
		if (sub->fc_out_from < 0 || sub->fc_out_from > 3 ||
		    (sub->fc_out_from != 0 && !(occ & BIT(sub->fc_out_from))))
			return fail(err, "INVALID_FORMAT", "fc_out_from",
			    "fc_out_from must name an occupied base");
	}
	return 1;
}

static int
check_runner_event(const struct game_state *st, const struct g_submit *sub,
    struct g_error *err)
{
	const char	*name = outcome_defs[sub->outcome].name;
	unsigned	 occ = bases_mask(st->base), steal;

	switch (sub->outcome) {
	case G_WILD_PITCH:
	case G_PASSED_BALL:
	case G_BALK:
		if (occ == 0)
			return fail(err, "INVALID_FORMAT", "outcome",
			    "Outcome %s needs a runner on base", name);
		return 1;
	case G_PICKOFF:
		if (sub->base == 0)
			return fail(err, "MISSING_FIELD", "base",
			    "Outcome pickoff requires base");
		if (sub->base < 1 || sub->base > 3)
			return fail(err, "INVALID_FORMAT", "base",
			    "base must be 1, 2 or 3");
		if (!(occ & BIT(sub->base)))
			return fail(err, "INVALID_FORMAT", "base",
			    "No runner on %s to pick off",
			    base_names[sub->base]);
		return 1;
	case G_STOLEN_BASE:
	case G_CAUGHT_STEALING:
		steal = st->off_set && st->off.steal ? st->off.steal :
		    sub->runners;
		if (steal == 0)
			return fail(err, "INVALID_FORMAT", "runners",
			    "Outcome %s needs the stealing runners "
			    "(steal_attempts or runners)", name);
		return steal_check(st->base, steal, "runners", err);
	default:
		return 1;
	}
}

/* Everything that can be told from the submission and state alone. */
static int
submit_check(const struct game_state *st, const struct g_submit *sub,
    struct g_error *err)
{
	if (!check_active(st, err))
		return 0;
	if ((unsigned)sub->outcome >= G_OUTCOME__MAX)
		return fail(err, "INVALID_FORMAT", "outcome", "Unknown outcome");
	/* the original service checks the hit location before the roll */
	if (!check_location(sub, err))
		return 0;
	if (outcome_defs[sub->outcome].needs_roll && !st->roll_pending)
		return fail(err, "NO_PENDING_ROLL", "game_state",
		    "No pending dice roll - call roll_dice first");
	/* rules.md §1.5: declared steals are resolved before the at-bat */
	if (st->off_set && st->off.steal && outcome_defs[sub->outcome].pa)
		return fail(err, "INVALID_FORMAT", "outcome",
		    "Steals were declared: submit stolen_base or "
		    "caught_stealing for them before the at-bat's outcome");
	if (!check_modifiers(st, sub, err) || !check_runner_event(st, sub, err))
		return 0;
	return 1;
}

/* ======================================================== scoring */

/* Lead-first order of participants: start base 3, 2, 1, then batter. */
static const int lead_order[4] = { 3, 2, 1, 0 };

/* The play being recorded, with what apply needs besides g_play. */
struct tally {
	int	 counted[4];	/* run counts */
	int	 left[4];	/* reached home but the run does not count */
	int	 walkoff;	/* the winning run scored (§2.5) */
	int	 winning;	/* participant who scored it */
	int	 gidp;
	int	 ends_by_outs;
};

static int64_t
res_id(const struct res *r, int i)
{
	return i == 0 ? game_batter(r->st) : r->st->base[i - 1].id;
}

/*
 * Which runs count: none on a third-out play unless the third out was an
 * optional advance (then those ahead of him count, §1.2 rules 4 and 6);
 * in a walk-off, none behind the winning run except on a home run (§2.5).
 * Updates the scores in ns and the go-ahead bookkeeping of §3.5.
 */
static void
score_runs(const struct res *r, struct game_state *ns, struct tally *t)
{
	const struct game_state	*st = r->st;
	int			 bat = GAME_BATTING(st), fld = GAME_FIELDING(st);
	int			 k, i, hr, ahead_of;
	int64_t			 pitcher;

	t->ends_by_outs = st->outs + r->outs >= 3;
	ahead_of = 5;			/* no run counts */
	if (!t->ends_by_outs)
		ahead_of = -1;		/* every run counts */
	else if (st->outs + r->outs_default < 3 && r->opt_from_out >= 0)
		ahead_of = r->opt_from_out;
	hr = outcome_aux[r->sub->outcome].hit == 4;
	for (k = 0; k < 4; k++) {
		i = lead_order[k];
		if (!res_active(r, i) || r->pos[i] != 4)
			continue;
		if (i <= ahead_of || (t->walkoff && !hr)) {
			t->left[i] = 1;
			continue;
		}
		t->counted[i] = 1;
		if (ns->team[bat].score == ns->team[fld].score) {
			/* the go-ahead run (§3.5) */
			pitcher = i == 0 ? st->team[fld].pitcher :
			    st->base[i - 1].pitcher;
			ns->team[bat].goahead_w = st->team[bat].pitcher;
			ns->team[bat].goahead_l = pitcher;
		}
		ns->team[bat].score++;
		if (!t->walkoff && bat == G_HOME &&
		    st->inning >= st->scheduled_innings &&
		    ns->team[G_HOME].score > ns->team[G_AWAY].score) {
			t->walkoff = 1;
			t->winning = i;
		}
	}
}

/* Per-run credits: RBI (§3.3), earned (§3.4), and the move records. */
static void
play_moves(const struct res *r, const struct tally *t, struct g_play *p)
{
	const struct game_state	*st = r->st;
	enum g_outcome		 o = r->sub->outcome;
	struct g_move		*m;
	int			 k, i, err_run, er_outs, rbi_ok, earned_ok;
	int			 batter_unearned;

	er_outs = st->outs + r->outs > 2 ? 2 : st->outs + r->outs;
	earned_ok = o != G_ERROR && o != G_CATCHER_INTERFERENCE &&
	    o != G_PASSED_BALL && er_outs + st->phantom_outs < 3;
	rbi_ok = outcome_defs[o].pa && o != G_ERROR && !t->gidp;
	batter_unearned = o == G_ERROR || o == G_CATCHER_INTERFERENCE;
	for (k = 0; k < 4; k++) {
		i = lead_order[k];
		if (!r->here[i])
			continue;
		if (i != 0 && !r->out[i] && r->pos[i] == i)
			continue;	/* did not move */
		m = &p->moves[p->nmoves++];
		m->id = res_id(r, i);
		m->from = i;
		m->to = r->pos[i];
		m->out = r->out[i];
		m->pitcher = i == 0 ? st->team[GAME_FIELDING(st)].pitcher :
		    st->base[i - 1].pitcher;
		m->sb = r->sb[i];
		m->cs = r->cs[i];
		p->sb += m->sb;
		p->cs += m->cs;
		if (i == 0 && t->walkoff && p->hit_value > 0 && !m->out &&
		    m->to < 4)
			m->to = p->hit_value;	/* credited bases, §2.5 */
		if (!t->counted[i])
			continue;
		err_run = r->err_from[i] >= 0 && r->err_from[i] < 4;
		m->scored = 1;
		m->rbi = rbi_ok && !err_run;
		m->earned = earned_ok && !err_run && !(i == 0 ?
		    batter_unearned : st->base[i - 1].unearned);
		p->runs++;
		p->rbi += m->rbi;
		p->earned_runs += m->earned;
	}
}

/* Credited bases of a safe hit: a walk-off hit counts only as far as the
 * winning runner advanced, a home run in full (§2.5). */
static int
hit_value(const struct res *r, const struct tally *t)
{
	int	 hit = outcome_aux[r->sub->outcome].hit, adv;

	if (hit == 0 || hit == 4 || !t->walkoff)
		return hit;
	adv = 4 - t->winning;
	return adv < hit ? adv : hit;
}

/* The counters of §3.1-§3.3 and §5.4 (hit_value and runs already set). */
static void
play_credits(const struct res *r, const struct tally *t, struct g_play *p)
{
	const struct game_state		*st = r->st;
	enum g_outcome			 o = r->sub->outcome;
	const struct g_outcome_def	*d = &outcome_defs[o];

	p->pa = d->pa;
	p->is_hit = d->is_hit;
	p->is_out = d->is_out;
	p->is_walk = d->is_walk;
	p->h = outcome_aux[o].hit > 0;
	p->b2 = p->hit_value == 2;
	p->b3 = p->hit_value == 3;
	p->hr = p->hit_value == 4;
	p->bb = o == G_WALK || o == G_INTENTIONAL_WALK;
	p->ibb = o == G_INTENTIONAL_WALK;
	p->hbp = o == G_HBP;
	p->ci = o == G_CATCHER_INTERFERENCE;
	p->so = o == G_STRIKEOUT;
	p->sf = outcome_aux[o].fly && st->outs < 2 && p->runs > 0;
	p->sh = o == G_SAC_BUNT && st->outs < 2 && runners_on(st->base) > 0;
	p->ab = d->pa && !p->bb && !p->hbp && !p->ci && !p->sf && !p->sh;
	p->gidp = t->gidp;
	p->e = o == G_ERROR || o == G_CATCHER_INTERFERENCE ||
	    (d->is_hit && r->e > 0);
	p->wp = o == G_WILD_PITCH;
	p->pb = o == G_PASSED_BALL;
	p->bk = o == G_BALK;
	p->bphr = o == G_BP_HOMERUN;
	p->bp1b = o == G_BP_SINGLE;
	p->bpfo = o == G_BP_FLYOUT;
	p->bplo = o == G_BP_LINEOUT;
}

static const char *
batter_result(const struct res *r, const struct g_play *p)
{
	static const char *const hits[5] = { NULL, "1B", "2B", "3B", "HR" };
	enum g_outcome	 o = r->sub->outcome;

	if (!outcome_defs[o].pa)
		return NULL;
	if (p->hit_value > 0)
		return hits[p->hit_value];
	if (p->sf)
		return "SF";
	if (o == G_SAC_BUNT)
		return p->sh ? "SH" : "out";
	if (kind_gb[r->kind] && !r->out[0])
		return "FC";		/* safe on a force (§3.2: no hit) */
	return outcome_defs[o].batter_result;
}

/* ===================================================== description */

struct desc {
	char	*p;
	size_t	 len, cap;
};

static void desc_add(struct desc *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Append, truncating silently at the buffer's end (it stays NUL-ended). */
static void
desc_add(struct desc *d, const char *fmt, ...)
{
	va_list	 ap;
	int	 w;

	if (d->len + 1 >= d->cap)
		return;
	va_start(ap, fmt);
	w = vsnprintf(d->p + d->len, d->cap - d->len, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	d->len = (size_t)w >= d->cap - d->len ? d->cap - 1 : d->len +
	    (size_t)w;
}

static const char *
name_of(g_name_fn fn, void *arg, int64_t id, const char *fallback)
{
	const char	*n = fn != NULL ? fn(arg, id) : NULL;

	return n != NULL && n[0] != '\0' ? n : fallback;
}

/*
 * The batter's clause: "Ruiz singles to CF", "Ruiz grounds into a double
 * play (SS)" -- plays made by an infielder on a runner name the fielder
 * in parentheses.
 */
static void
desc_head(struct desc *d, const struct res *r, const struct g_play *p,
    const char *bn)
{
	enum g_outcome	 o = r->sub->outcome;
	const char	*verb = outcome_aux[o].verb;
	const char	*loc = r->sub->loc ? loc_names[r->sub->loc] : NULL;
	int		 paren = 0;

	if (p->gidp || (o == G_LINEOUT_MAX && r->outs >= 2)) {
		verb = o == G_LINEOUT_MAX ? "lines into a double play" :
		    "grounds into a double play";
		paren = 1;
	} else if (p->sf)
		verb = "hits a sacrifice fly";
	else if (p->sh) {
		verb = "sacrifices";
		paren = 1;
	} else if (kind_gb[r->kind] && !r->out[0]) {
		verb = "grounds into a force out";
		paren = 1;
	} else if (o == G_FIELDERS_CHOICE || o == G_SAC_BUNT)
		paren = 1;
	else if (p->is_hit && p->hit_value >= 1 && p->hit_value <= 3 &&
	    p->hit_value != outcome_aux[o].hit) {
		/* a walk-off hit is told as what it is scored (§2.5) */
		static const char *const credited[] = { NULL, "singles",
			"doubles", "triples" };

		verb = credited[p->hit_value];
	}
	if (o == G_ERROR)
		desc_add(d, "%s reaches on an error by %s", bn, loc);
	else if (loc == NULL)
		desc_add(d, "%s %s", bn, verb);
	else
		desc_add(d, paren ? "%s %s (%s)" : "%s %s to %s", bn, verb, loc);
	if (outcome_defs[o].is_hit && r->e > 0)
		desc_add(d, ", plus an error%s%s", loc ? " by " : "",
		    loc ? loc : "");
}

/* One clause per runner who moved: "Kim to third". */
static void
desc_clause(struct desc *d, const struct res *r, const struct g_move *m,
    const char *n)
{
	if (m->cs)
		desc_add(d, "%s is caught stealing %s", n, base_names[m->to]);
	else if (m->out && r->sub->outcome == G_PICKOFF)
		desc_add(d, "%s is picked off %s", n, base_names[m->to]);
	else if (m->out)
		desc_add(d, "%s out at %s", n, base_names[m->to]);
	else if (m->sb)
		desc_add(d, "%s steals %s", n, base_names[m->to]);
	else if (m->scored)
		desc_add(d, "%s scores%s", n, m->earned ||
		    !outcome_defs[r->sub->outcome].pa ? "" : " (unearned)");
	else
		desc_add(d, "%s to %s", n, base_names[m->to]);
}

/*
 * "Ruiz singles to CF; Ortega scores, Kim to third." -- the batter's
 * clause, then one per runner who moved, lead first (rules.md §1.7).  The
 * batter gets a clause of his own only when he went past (or was thrown
 * out beyond) what his outcome gave him.
 */
static void
play_describe(const struct res *r, const struct g_play *p, int walkoff,
    g_name_fn fn, void *arg, char *out, size_t len)
{
	struct desc		 d = { out, 0, len };
	const struct g_move	*m;
	const char		*n;
	int			 k, nclause = 0;

	out[0] = '\0';
	if (outcome_defs[r->sub->outcome].pa)
		desc_head(&d, r, p, name_of(fn, arg, p->batter, "The batter"));
	else
		desc_add(&d, "%s", outcome_aux[r->sub->outcome].verb);
	for (k = 0; k < p->nmoves; k++) {
		m = &p->moves[k];
		if (m->from == 0 && (walkoff || (m->to == r->bpos_default &&
		    m->out == r->bout_default)))
			continue;
		if (m->to == 4 && !m->scored && !m->out)
			continue;	/* the run did not count */
		desc_add(&d, "%s", nclause ? ", " : d.len ? "; " : "");
		n = name_of(fn, arg, m->id, m->from == 0 ? "the batter" :
		    d.len ? "the runner" : "The runner");
		desc_clause(&d, r, m, n);
		nclause++;
	}
	desc_add(&d, ".");
}

/* ======================================================= state update */

/* Register id as side's new current pitcher (§3.5 entry facts). */
static void
pitcher_add(struct game_state *st, int side, int64_t id, int half_done)
{
	struct g_team	*t = &st->team[side];
	struct g_pitcher *p;
	int		 lead, on;

	if (t->npitchers >= G_MAX_PITCHERS)
		return;
	p = &t->pitchers[t->npitchers++];
	memset(p, 0, sizeof(*p));
	lead = t->score - st->team[1 - side].score;
	on = side == GAME_FIELDING(st) ? runners_on(st->base) : 0;
	p->id = id;
	p->entry_lead = lead;
	p->entry_runners = on;
	p->save_sit = lead > 0 && (lead <= 3 || lead <= on + 2);
	p->entry_half_done = half_done;
	t->pitcher = id;
}

/*
 * A pinch hitter or runner still in the game takes the position of the
 * player he replaced when his side takes the field (our documented choice
 * for rules.md §4).  One who takes P becomes the pitcher; having entered
 * as a batter he may be replaced before facing anyone.
 */
static void
team_take_field(struct game_state *st, int side)
{
	struct g_team	*t = &st->team[side];
	struct g_member	*m;
	int		 i;

	for (i = 0; i < t->nactive; i++) {
		m = &t->active[i];
		if ((m->pos != G_POS_PH && m->pos != G_POS_PR) ||
		    m->inherit == G_POS_NONE)
			continue;
		m->pos = m->inherit;
		m->inherit = G_POS_NONE;
		if (m->pos == G_POS_P)
			pitcher_add(st, side, m->id, 1);
	}
}

/* The game is over: status, winner, no pending roll (§2.4). */
static void
game_end(struct game_state *st, int winner)
{
	st->status = G_FINAL;
	st->winner = winner;
	st->roll_pending = 0;
	decisions_reset(st);
}

/*
 * Three out (§2.3 rule 5, §2.4): bases cleared, the half ends, the game
 * may end, else the other side bats and fields its pinch hitters.
 */
static void
half_end(struct game_state *st)
{
	struct g_pitcher	*p;
	int			 home = st->team[G_HOME].score;
	int			 away = st->team[G_AWAY].score;
	int			 slot;

	p = pitcher_find(&st->team[GAME_FIELDING(st)],
	    st->team[GAME_FIELDING(st)].pitcher);
	if (p != NULL)
		p->entry_half_done = 1;
	memset(st->base, 0, sizeof(st->base));
	st->phantom_outs = 0;
	decisions_reset(st);
	if (st->inning >= st->scheduled_innings &&
	    ((st->half == G_TOP && home > away) ||
	    (st->half == G_BOTTOM && home != away))) {
		game_end(st, home > away ? G_HOME : G_AWAY);
		return;
	}
	st->outs = 0;
	if (st->half == G_BOTTOM)
		st->inning++;
	st->half = 1 - st->half;
	team_take_field(st, GAME_FIELDING(st));
	if (st->extra_runner && st->inning > st->scheduled_innings) {
		/* §6 #16: the batter before the leadoff man starts on second,
		 * charged to the pitcher as if he reached on an error */
		slot = (st->team[GAME_BATTING(st)].next_slot + G_SLOTS - 2) %
		    G_SLOTS + 1;
		st->base[1].id = slot_player(st, GAME_BATTING(st), slot);
		st->base[1].pitcher = st->team[GAME_FIELDING(st)].pitcher;
		st->base[1].unearned = 1;
	}
}

/* The bases the play leaves (before any half-inning end). */
static void
bases_after(const struct res *r, struct g_runner *b)
{
	const struct game_state	*st = r->st;
	int			 i;

	memset(b, 0, 3 * sizeof(*b));
	for (i = 0; i < 4; i++) {
		if (!res_active(r, i) || r->pos[i] < 1 || r->pos[i] > 3)
			continue;
		assert(b[r->pos[i] - 1].id == 0);	/* §1.2 rule 1 */
		if (i == 0) {
			b[r->pos[i] - 1].id = game_batter(st);
			b[r->pos[i] - 1].pitcher =
			    st->team[GAME_FIELDING(st)].pitcher;
			b[r->pos[i] - 1].unearned =
			    r->sub->outcome == G_ERROR ||
			    r->sub->outcome == G_CATCHER_INTERFERENCE;
		} else
			b[r->pos[i] - 1] = st->base[i - 1];
	}
}

/* Runners left when the play ends the half or the game (§3.6). */
static int
left_on(const struct res *r, const struct tally *t)
{
	int	 i, n = 0;

	for (i = 0; i < 4; i++)
		if (res_active(r, i) && !t->counted[i])
			n++;
	return n;
}

/* Apply the resolved play to ns (a copy of r->st). */
static void
state_apply(const struct res *r, const struct tally *t, struct g_play *p,
    struct game_state *ns)
{
	const struct game_state	*st = r->st;
	int			 bat = GAME_BATTING(st), fld = GAME_FIELDING(st);
	struct g_pitcher	*pp;
	int			 lead_before;

	pp = pitcher_find(&ns->team[fld], st->team[fld].pitcher);
	if (pp != NULL) {
		pp->outs += r->outs;
		pp->bf += p->pa;
		lead_before = st->team[fld].score - st->team[bat].score;
		if (pp->save_sit && !pp->blown && lead_before > 0 &&
		    ns->team[bat].score >= ns->team[fld].score)
			pp->blown = 1;	/* the tying run scored (§3.5) */
	}
	if (p->pa)
		ns->team[bat].next_slot = st->team[bat].next_slot % G_SLOTS + 1;
	memcpy(ns->base, p->after, sizeof(ns->base));
	ns->outs = st->outs + r->outs;
	if (r->sub->outcome == G_ERROR ||
	    r->sub->outcome == G_CATCHER_INTERFERENCE)
		ns->phantom_outs++;
	ns->roll_pending = 0;
	ns->play_count++;
	if (p->pa)
		decisions_reset(ns);
	else {
		/* runner event: the steal is done; holds follow the runners */
		ns->off.steal = 0;
		ns->def.hold &= bases_mask(ns->base);
	}
	if (t->walkoff) {
		p->ends_half = p->ends_game = 1;
		p->team_lob = left_on(r, t);
		memset(ns->base, 0, sizeof(ns->base));
		game_end(ns, G_HOME);
	} else if (ns->outs >= 3) {
		p->ends_half = 1;
		p->team_lob = left_on(r, t);
		half_end(ns);
		p->ends_game = ns->status == G_FINAL;
	}
	p->winner = p->ends_game ? ns->winner : -1;
}

/* ============================================================== submit */

int
game_submit(struct game_state *st, const struct g_submit *sub,
    g_name_fn namef, void *name_arg, struct g_play *play,
    struct g_error *err)
{
	struct game_state	 ns;
	struct res		 r;
	struct tally		 t;
	struct g_play		 p;
	int			 i;

	if (!submit_check(st, sub, err))
		return 0;
	res_init(&r, st, sub);
	if (r.kind == K_K_HNR && !(r.conds & C_TWO) && going_mask(&r) != 0 &&
	    sub->steal_result < 0)
		return fail(err, "INVALID_FORMAT", "steal_result",
		    "A strikeout on the hit-and-run needs steal_result "
		    "(safe or out)");
	res_run(&r);
	if (!res_options(&r, err))
		return 0;
	if (outcome_defs[sub->outcome].is_hit && r.e > 0)
		res_error_part(&r);

	ns = *st;
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	t.gidp = kind_gb[r.kind] && r.outs_default >= 2;
	score_runs(&r, &ns, &t);

	p.number = st->play_count + 1;
	p.outcome = sub->outcome;
	p.loc = sub->loc;
	p.error_bases = outcome_defs[sub->outcome].is_hit ||
	    sub->outcome == G_ERROR ? r.e : 0;
	p.inning = st->inning;
	p.half = st->half;
	p.outs_before = st->outs;
	p.outs = r.outs;
	p.outs_after = st->outs + r.outs;
	memcpy(p.before, st->base, sizeof(p.before));
	p.batter = game_batter(st);
	p.pitcher = st->team[GAME_FIELDING(st)].pitcher;
	p.batting_side = GAME_BATTING(st);
	for (i = 0; i < 2; i++) {
		p.score_before[i] = st->team[i].score;
		p.score_after[i] = ns.team[i].score;
	}
	p.hit_value = hit_value(&r, &t);	/* moves use it */
	play_moves(&r, &t, &p);
	play_credits(&r, &t, &p);	/* sf needs the runs */
	p.batter_result = batter_result(&r, &p);
	bases_after(&r, p.after);
	if (p.pa && r.out[0])
		p.lob = runners_on(p.after) +
		    (t.left[1] + t.left[2] + t.left[3]);
	state_apply(&r, &t, &p, &ns);
	play_describe(&r, &p, t.walkoff, namef, name_arg, p.description,
	    sizeof(p.description));
	*st = ns;
	*play = p;
	return 1;
}

/* ======================================================= substitutions */

static int
sub_pinch(struct game_state *st, const struct g_sub *s, int apply,
    struct g_member *m, enum g_pos *pos_out, struct g_error *err)
{
	enum g_pos	 inherit;
	int		 b = 0, i;

	if (s->side != GAME_BATTING(st))
		return fail(err, s->type == G_SUB_PINCH_HITTER ?
		    "NOT_CURRENT_BATTER" : "INVALID_FORMAT", NULL,
		    "Only the team at bat may send a pinch %s",
		    s->type == G_SUB_PINCH_HITTER ? "hitter" : "runner");
	if (s->type == G_SUB_PINCH_HITTER) {
		if (st->roll_pending)
			return fail(err, "NOT_CURRENT_BATTER", NULL,
			    "The at-bat roll has been made: too late to "
			    "pinch-hit");
		if (m->id != game_batter(st))
			return fail(err, "NOT_CURRENT_BATTER", NULL,
			    "Player %lld is not the current batter",
			    (long long)m->id);
	} else {
		for (i = 1; i <= 3; i++)
			if (st->base[i - 1].id == m->id)
				b = i;
		if (b == 0)
			return fail(err, "INVALID_FORMAT", NULL,
			    "Player %lld is not on base", (long long)m->id);
	}
	*pos_out = s->type == G_SUB_PINCH_HITTER ? G_POS_PH : G_POS_PR;
	if (!apply)
		return 1;
	inherit = m->pos == G_POS_PH || m->pos == G_POS_PR ? m->inherit :
	    m->pos;
	if (b != 0)
		st->base[b - 1].id = s->in_id;	/* keeps pitcher, unearned */
	m->id = s->in_id;
	m->card = s->in_card;
	m->pos = *pos_out;
	m->inherit = inherit;
	if (s->type == G_SUB_PINCH_HITTER) {
		/* SOM order of play: the defence may re-decide (§4) */
		memset(&st->def, 0, sizeof(st->def));
		st->def_set = 0;
	}
	return 1;
}

static int
sub_defensive(struct game_state *st, const struct g_sub *s, int apply,
    struct g_member *m, enum g_pos *pos_out, struct g_error *err)
{
	const struct g_team	*t = &st->team[s->side];
	int			 i;

	if (s->side != GAME_FIELDING(st))
		return fail(err, "INVALID_FORMAT", NULL,
		    "Defensive replacements are made by the team in the "
		    "field");
	if (s->pos == G_POS_P || m->pos == G_POS_P)
		return fail(err, "INVALID_POSITION", "new_position",
		    "Use a pitching change to replace the pitcher");
	if ((unsigned)s->pos >= G_POS__MAX || s->pos < G_POS_C ||
	    s->pos > G_POS_RF)
		return fail(err, "INVALID_POSITION", "new_position",
		    "%s is not a field position",
		    (unsigned)s->pos < G_POS__MAX && pos_names[s->pos] ?
		    pos_names[s->pos] : "That");
	if (m->pos == G_POS_DH)
		return fail(err, "INVALID_POSITION", "new_position",
		    "Moving the DH into the field is not supported");
	for (i = 0; i < t->nactive; i++)
		if (&t->active[i] != m && t->active[i].pos == s->pos)
			return fail(err, "INVALID_POSITION", "new_position",
			    "%s is already taken by player %lld",
			    pos_names[s->pos], (long long)t->active[i].id);
	*pos_out = s->pos;
	if (!apply)
		return 1;
	m->id = s->in_id;
	m->card = s->in_card;
	m->pos = s->pos;
	m->inherit = G_POS_NONE;
	return 1;
}

static int
sub_pitching(struct game_state *st, const struct g_sub *s, int apply,
    struct g_member *m, enum g_pos *pos_out, struct g_error *err)
{
	struct g_team		*t = &st->team[s->side];
	const struct g_pitcher	*p;

	if (s->side != GAME_FIELDING(st))
		return fail(err, "INVALID_FORMAT", NULL,
		    "A pitching change is made by the team in the field");
	if (m->id != t->pitcher || m->pos != G_POS_P)
		return fail(err, "INVALID_POSITION", NULL,
		    "Player %lld is not the current pitcher",
		    (long long)m->id);
	p = pitcher_find(t, t->pitcher);
	if (p != NULL && p->bf == 0 && !p->entry_half_done)
		return fail(err, "PITCHER_MUST_FACE_BATTER", NULL,
		    "The pitcher must face at least one batter before he is "
		    "replaced");
	if (t->npitchers >= G_MAX_PITCHERS)
		return fail(err, "INVALID_FORMAT", NULL,
		    "No more than %d pitchers per side", G_MAX_PITCHERS);
	*pos_out = G_POS_P;
	if (!apply)
		return 1;
	m->id = s->in_id;
	m->card = s->in_card;
	m->pos = G_POS_P;
	m->inherit = G_POS_NONE;
	pitcher_add(st, s->side, s->in_id, 0);
	return 1;
}

int
game_substitute(struct game_state *st, const struct g_sub *s, int apply,
    enum g_pos *pos_out, int *order_out, struct g_error *err)
{
	struct g_member	*m;
	enum g_pos	 pos = G_POS_NONE;
	int		 ok, order;

	if (!check_active(st, err))
		return 0;
	if ((unsigned)s->type > G_SUB_PITCHING)
		return fail(err, "INVALID_FORMAT", "type",
		    "Unknown substitution type");
	if (st->roll_pending && s->type != G_SUB_PINCH_HITTER)
		return fail(err, "NOT_YOUR_TURN", NULL,
		    "A roll is pending: submit its outcome first");
	if (s->side != G_AWAY && s->side != G_HOME)
		return fail(err, "INVALID_FORMAT", "team_id", "Unknown team");
	if ((m = member_find(&st->team[s->side], s->out_id)) == NULL)
		return fail(err, "PLAYER_ALREADY_OUT", "player_out_lineup_id",
		    "Player %lld is not in the game", (long long)s->out_id);
	if (!s->in_roster)
		return fail(err, "NOT_IN_ROSTER", "player_in_card_id",
		    "That card is not on the team's roster");
	if (s->appeared)
		return fail(err, "ALREADY_ACTIVE", "player_in_card_id",
		    "That player has already appeared in this game");
	/* the caller creates the entrant's lineup row only once the change
	 * is known to be legal, so only the applying call carries its id */
	if (apply && (s->in_id == 0 ||
	    member_find_c(&st->team[0], s->in_id) != NULL ||
	    member_find_c(&st->team[1], s->in_id) != NULL))
		return fail(err, "INVALID_FORMAT", NULL,
		    "The entrant needs a new lineup id");
	order = m->order;
	switch (s->type) {
	case G_SUB_PINCH_HITTER:
	case G_SUB_PINCH_RUNNER:
		ok = sub_pinch(st, s, apply, m, &pos, err);
		break;
	case G_SUB_DEFENSIVE:
		ok = sub_defensive(st, s, apply, m, &pos, err);
		break;
	default:
		ok = sub_pitching(st, s, apply, m, &pos, err);
		break;
	}
	if (!ok)
		return 0;
	if (pos_out != NULL)
		*pos_out = pos;
	if (order_out != NULL)
		*order_out = order;
	return 1;
}

/* ============================================================ decisions */

/* Relief pitcher of side with the most outs (first entered on a tie). */
static const struct g_pitcher *
best_reliever(const struct g_team *t)
{
	const struct g_pitcher	*best = NULL;
	int			 i;

	for (i = 0; i < t->npitchers; i++)
		if (!t->pitchers[i].starter &&
		    (best == NULL || t->pitchers[i].outs > best->outs))
			best = &t->pitchers[i];
	return best;
}

static const struct g_pitcher *
pitcher_find_c(const struct g_team *t, int64_t id)
{
	return pitcher_find((struct g_team *)(uintptr_t)t, id);
}

/* rules.md §3.5 save rule for the finisher f of the winning team. */
static int
is_save(const struct g_pitcher *f, int64_t win)
{
	int	 lead = f->entry_lead;

	if (f->starter || f->id == win || f->outs < 1 || f->blown)
		return 0;
	return (lead > 0 && lead <= 3 && f->outs >= 3) ||
	    (lead > 0 && lead <= f->entry_runners + 2) || f->outs >= 9;
}

void
game_decisions(const struct game_state *st, struct g_decisions *d)
{
	const struct g_team	*w;
	const struct g_pitcher	*p, *f, *rel;
	int			 side, i, need;

	memset(d, 0, sizeof(*d));
	if (st->status != G_FINAL || (st->winner != G_AWAY &&
	    st->winner != G_HOME))
		return;
	w = &st->team[st->winner];
	d->win = w->goahead_w;
	d->loss = w->goahead_l;
	p = pitcher_find_c(w, d->win);
	need = 3 * (st->scheduled_innings - 1 < 5 ?
	    st->scheduled_innings - 1 : 5);
	if (p != NULL && p->starter && p->outs < need &&
	    (rel = best_reliever(w)) != NULL)
		d->win = rel->id;
	f = pitcher_find_c(w, w->pitcher);
	if (f != NULL && is_save(f, d->win))
		d->save = f->id;
	/* holds[] and blown[] have room for G_MAX_PITCHERS, one side's
	 * worth, but both sides fill them: stop when full */
	for (side = 0; side < 2; side++)
		for (i = 0; i < st->team[side].npitchers; i++) {
			p = &st->team[side].pitchers[i];
			if (p->blown) {
				if (d->nblown < (int)NELEM(d->blown))
					d->blown[d->nblown++] = p->id;
			} else if (p->save_sit && !p->starter && p->outs >= 1 &&
			    p->id != st->team[side].pitcher &&
			    p->id != d->win && p->id != d->save &&
			    d->nholds < (int)NELEM(d->holds))
				d->holds[d->nholds++] = p->id;
		}
}

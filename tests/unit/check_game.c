/*
 * check_game.c -- unit tests of game.c, the rules engine (rules.md).
 *
 * 1. The advancement tables of rules.md §1.4, every outcome x base state
 *    x outs x decision, from game_tables.inc (generated from the spec's
 *    rules-tables.py by gen_game_tables.py; see there to regenerate).
 * 2. Validation and scoring cases, each a table or a short script.
 * 3. A property test: thousands of seeded random games played to the end,
 *    checking conservation and the box-score identity after every play.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "game.h"

#define BIT(b)	(1u << (b))

/*
 * Check reports a checkpoint through a pipe on every ck_assert; in the hot
 * loops of the property test only call it when the condition fails.
 */
#define ensure(c, ...) do {						\
	if (!(c))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)
#define ensure1(c)	ensure((c), "%s", #c)

struct table_row {
	enum g_outcome	 o;
	unsigned	 start;
	int		 outs;
	enum g_infield	 inf;
	enum g_outfield	 of;
	int		 hnr;
	enum g_loc	 loc;
	int		 eb;
	int		 send;
	int		 end;
	unsigned	 after;
	int		 outs_added;
	int		 runs;
};

#include "game_tables.inc"

/* ============================================================ fixtures */

/* Lineup ids: away 101..109 by slot, pitcher 110 (DH) or 109 (no DH);
 * home 201..209, pitcher 210 or 209.  Reliever ids are chosen by tests. */
static const enum g_pos slot_pos[G_SLOTS] = { G_POS_CF, G_POS_SS, G_POS_1B,
	G_POS_LF, G_POS_3B, G_POS_RF, G_POS_C, G_POS_2B, G_POS_DH };

static void
fixture_lineups(struct game_state *st, int use_dh, int innings)
{
	struct g_team	*t;
	int		 side, i, n;
	int64_t		 base;

	memset(st, 0, sizeof(*st));
	st->status = G_PENDING;
	st->scheduled_innings = innings;
	st->use_dh = use_dh;
	for (side = 0; side < 2; side++) {
		t = &st->team[side];
		base = side == G_AWAY ? 100 : 200;
		for (n = 0, i = 0; i < G_SLOTS; i++, n++) {
			t->active[n].id = base + i + 1;
			t->active[n].card = base + i + 1 + 1000;
			t->active[n].pos = slot_pos[i];
			t->active[n].order = i + 1;
		}
		if (use_dh) {
			t->active[n].id = base + 10;
			t->active[n].card = base + 1010;
			t->active[n].pos = G_POS_P;
			n++;
		} else
			t->active[G_SLOTS - 1].pos = G_POS_P;
		t->nactive = n;
	}
}

static void
fixture(struct game_state *st, int use_dh, int innings)
{
	struct g_error	 e;

	fixture_lineups(st, use_dh, innings);
	ck_assert_msg(game_start(st, &e), "start: %s", e.message);
}

static const char *
names(void *arg, int64_t id)
{
	static const struct {
		int64_t		 id;
		const char	*name;
	} tab[] = { { 101, "Ruiz" }, { 102, "Ortega" }, { 103, "Kim" },
		{ 104, "Lee" }, { 201, "Diaz" }, { 210, "Moss" } };
	size_t	 i;

	(void)arg;
	for (i = 0; i < NELEM(tab); i++)
		if (tab[i].id == id)
			return tab[i].name;
	return NULL;
}

/* Runners of the batting side on the bases of mask (bit b = base b):
 * slot 5+b players, charged to the current pitcher. */
static void
set_bases(struct game_state *st, unsigned mask)
{
	int	 b;

	memset(st->base, 0, sizeof(st->base));
	for (b = 1; b <= 3; b++)
		if (mask & BIT(b)) {
			st->base[b - 1].id = (GAME_BATTING(st) == G_AWAY ?
			    100 : 200) + 5 + b;
			st->base[b - 1].pitcher =
			    st->team[GAME_FIELDING(st)].pitcher;
		}
}

static unsigned
mask_of(const struct g_runner *base)
{
	return (base[0].id ? BIT(1) : 0) | (base[1].id ? BIT(2) : 0) |
	    (base[2].id ? BIT(3) : 0);
}

static struct g_submit
sub_of(enum g_outcome o, enum g_loc loc)
{
	struct g_submit	 s;

	memset(&s, 0, sizeof(s));
	s.outcome = o;
	s.loc = loc;
	s.steal_result = -1;
	return s;
}

/* Submit s (rolling first when it needs a roll); must be accepted. */
static struct g_play
play_sub(struct game_state *st, const struct g_submit *s)
{
	struct g_play	 p;
	struct g_error	 e;

	if (game_outcome(s->outcome)->needs_roll)
		st->roll_pending = 1;
	ck_assert_msg(game_submit(st, s, names, NULL, &p, &e),
	    "%s refused: %s (%s)", game_outcome(s->outcome)->name,
	    e.message, e.code);
	return p;
}

static struct g_play
play_ok(struct game_state *st, enum g_outcome o, enum g_loc loc)
{
	struct g_submit	 s = sub_of(o, loc);

	return play_sub(st, &s);
}

/* Strike out the side until the half (or the game) is over. */
static void
retire_side(struct game_state *st)
{
	int	 inning = st->inning, half = st->half;

	while (st->status == G_ACTIVE && st->inning == inning &&
	    st->half == half)
		(void)play_ok(st, G_STRIKEOUT, G_LOC_NONE);
}

static void
change_pitcher(struct game_state *st, int64_t in)
{
	struct g_sub	 s;
	struct g_error	 e;
	enum g_pos	 pos;
	int		 order;

	memset(&s, 0, sizeof(s));
	s.type = G_SUB_PITCHING;
	s.side = GAME_FIELDING(st);
	s.out_id = st->team[s.side].pitcher;
	s.in_id = in;
	s.in_card = in + 1000;
	s.in_roster = 1;
	ck_assert_msg(game_substitute(st, &s, 1, &pos, &order, &e),
	    "pitching change: %s", e.message);
}

/*
 * Play a script: K strikeout, H home run, S single_1, W walk, Pnnn
 * pitching change of the fielding side to id nnn; other characters are
 * ignored (spaces and '|' for readability).
 */
static void
script(struct game_state *st, const char *s)
{
	char	*end;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case 'K':
			(void)play_ok(st, G_STRIKEOUT, G_LOC_NONE);
			break;
		case 'H':
			(void)play_ok(st, G_HOMERUN, G_LOC_LF);
			break;
		case 'S':
			(void)play_ok(st, G_SINGLE_1, G_LOC_CF);
			break;
		case 'W':
			(void)play_ok(st, G_WALK, G_LOC_NONE);
			break;
		case 'P':
			change_pitcher(st, strtol(s + 1, &end, 10));
			s = end - 1;
			break;
		default:
			break;
		}
	}
}

/* ================================================= 1. §1.4 tables */

START_TEST(test_tables)
{
	struct game_state	 st;
	struct g_submit		 s;
	struct g_play		 p;
	struct g_error		 e;
	const struct table_row	*r;
	int			 i, n = 0, bad = 0;
	char			 first[256] = "";

	for (i = 0; i < GAME_TABLE_ROWS; i++) {
		r = &table_rows[i];
		if ((int)r->o != _i)
			continue;
		n++;
		fixture(&st, 1, 9);
		st.outs = r->outs;
		set_bases(&st, r->start);
		st.def_set = 1;
		st.def.infield = r->inf;
		st.def.outfield = r->of;
		st.off_set = 1;
		st.off.hit_and_run = r->hnr;
		st.roll_pending = 1;
		s = sub_of(r->o, r->loc);
		s.error_bases = r->eb;
		if (r->send) {
			s.adv[0].from = 3;
			s.adv[0].safe = 1;
			s.nadv = 1;
		}
		if (!game_submit(&st, &s, NULL, NULL, &p, &e)) {
			if (!bad++)
				(void)snprintf(first, sizeof(first),
				    "row %d refused: %s", i, e.message);
			continue;
		}
		if (p.ends_half != r->end || p.outs != r->outs_added ||
		    p.runs != (r->end ? 0 : r->runs) ||
		    (!r->end && (mask_of(st.base) != r->after ||
		    st.outs != r->outs + r->outs_added ||
		    st.team[G_AWAY].score != r->runs))) {
			if (!bad++)
				(void)snprintf(first, sizeof(first),
				    "row %d (%s start %x outs %d if %d of %d "
				    "hnr %d loc %s): got end %d bases %x "
				    "+%d outs %d runs; want end %d bases %x "
				    "+%d %d runs", i,
				    game_outcome(r->o)->name, r->start,
				    r->outs, r->inf, r->of, r->hnr,
				    game_loc_name(r->loc) ? game_loc_name(
				    r->loc) : "-", p.ends_half,
				    mask_of(st.base), p.outs, p.runs, r->end,
				    r->after, r->outs_added, r->runs);
		}
	}
	ck_assert_msg(bad == 0, "%s: %d of %d rows differ; first: %s",
	    game_outcome((enum g_outcome)_i)->name, bad, n, first);
}
END_TEST

/* ============================================= 2. catalogue, parsing */

static const struct {
	const char	*name;
	int		 ok;
	enum g_outcome	 want;
} parses[] = {
	{ "strikeout", 1, G_STRIKEOUT },
	{ "groundball_a", 1, G_GROUNDBALL_A },
	{ "single", 1, G_SINGLE_1 },
	{ "double", 1, G_DOUBLE_2 },
	{ "hit_by_pitch", 1, G_HBP },
	{ "ibb", 1, G_INTENTIONAL_WALK },
	{ "flyout_a", 1, G_FLYBALL_A },
	{ "flyout_bq", 1, G_FLYBALL_BQ },
	{ "fly_b_question", 1, G_FLYBALL_BQ },
	{ "pick_off", 1, G_PICKOFF },
	{ "sacrifice_bunt", 1, G_SAC_BUNT },
	{ "fc", 1, G_FIELDERS_CHOICE },
	{ "balk", 1, G_BALK },
	{ "x_check", 0, G_STRIKEOUT },
	{ "Strikeout", 0, G_STRIKEOUT },
	{ "", 0, G_STRIKEOUT },
};

START_TEST(test_outcome_parse)
{
	enum g_outcome	 o = G_OUTCOME__MAX;
	int		 ok = game_outcome_parse(parses[_i].name, &o);

	ck_assert_msg(ok == parses[_i].ok, "%s", parses[_i].name);
	if (ok)
		ck_assert_int_eq(o, parses[_i].want);
}
END_TEST

START_TEST(test_catalogue)
{
	enum g_outcome	 o, back;
	enum g_loc	 l, lb;
	enum g_pos	 p, pb;

	for (o = 0; o < G_OUTCOME__MAX; o++) {
		ck_assert_ptr_nonnull(game_outcome(o)->name);
		ck_assert(game_outcome_parse(game_outcome(o)->name, &back));
		ck_assert_int_eq(back, o);
		ck_assert_msg(game_outcome(o)->loc != G_LOC_NO ||
		    game_outcome(o)->loc_ok == 0, "%d", o);
		ck_assert_msg((game_outcome(o)->batter_result != NULL) ==
		    game_outcome(o)->pa, "%d", o);
	}
	for (l = G_LOC_P; l < G_LOC__MAX; l++) {
		ck_assert(game_loc_parse(game_loc_name(l), &lb));
		ck_assert_int_eq(l, lb);
	}
	ck_assert(!game_loc_parse("DH", &lb));
	ck_assert_ptr_null(game_loc_name(G_LOC_NONE));
	for (p = G_POS_P; p < G_POS__MAX; p++) {
		ck_assert(game_pos_parse(game_pos_name(p), &pb));
		ck_assert_int_eq(p, pb);
	}
	ck_assert_str_eq(game_infield_name(G_IF_DOUBLE_PLAY), "double_play");
	ck_assert_str_eq(game_align_name(G_ALIGN_EXTREME), "extreme_shift");
	ck_assert_str_eq(game_sub_name(G_SUB_DEFENSIVE),
	    "defensive_replacement");
	ck_assert_int_eq(game_outcome(G_INTENTIONAL_WALK)->needs_roll, 0);
	ck_assert_int_eq(game_outcome(G_WALK)->needs_roll, 1);
	ck_assert_int_eq(game_outcome(G_WILD_PITCH)->needs_roll, 0);
}
END_TEST

/* ============================================= 2. game_start */

enum { BREAK_NONE, BREAK_SLOT, BREAK_POS, BREAK_DH_BATS_NOT, BREAK_P_BATS,
	BREAK_DUP_ID, BREAK_NO_DH };

static const struct {
	int		 use_dh;
	int		 brk;
	const char	*msg;
} starts[] = {
	{ 1, BREAK_NONE, NULL },
	{ 0, BREAK_NONE, NULL },
	{ 1, BREAK_SLOT, "Away lineup: batting slot 4 is filled twice" },
	{ 1, BREAK_POS, "Away lineup: position SS is held twice" },
	{ 1, BREAK_DH_BATS_NOT, "Away lineup: the DH must bat" },
	{ 1, BREAK_P_BATS, "Away lineup: batting slot 9 is filled twice" },
	{ 1, BREAK_DUP_ID, "Away lineup: lineup id 101 listed twice" },
	{ 0, BREAK_NO_DH, "Away lineup: no DH in this game" },
};

START_TEST(test_start)
{
	struct game_state	 st;
	struct g_error		 e;
	struct g_team		*t = &st.team[G_AWAY];
	int			 ok;

	fixture_lineups(&st, starts[_i].use_dh, 9);
	switch (starts[_i].brk) {
	case BREAK_SLOT:
		t->active[2].order = 4;
		break;
	case BREAK_POS:
		t->active[0].pos = G_POS_SS;
		break;
	case BREAK_DH_BATS_NOT:
		t->active[8].order = 0;
		break;
	case BREAK_P_BATS:
		t->active[9].order = 9;
		break;
	case BREAK_DUP_ID:
		t->active[4].id = 101;
		break;
	case BREAK_NO_DH:
		t->active[8].pos = G_POS_DH;
		t->active[8].order = 9;
		break;
	default:
		break;
	}
	ok = game_start(&st, &e);
	if (starts[_i].msg == NULL) {
		ck_assert_msg(ok, "%s", e.message);
		ck_assert_int_eq(st.status, G_ACTIVE);
		ck_assert_int_eq(st.inning, 1);
		ck_assert_int_eq(st.half, G_TOP);
		ck_assert_int_eq(st.team[G_AWAY].next_slot, 1);
		ck_assert_int_eq(st.team[G_HOME].next_slot, 1);
		ck_assert_int_eq(game_batter(&st), 101);
		ck_assert_int_eq(game_on_deck(&st), 102);
		ck_assert_int_eq(st.team[G_HOME].pitcher,
		    starts[_i].use_dh ? 210 : 209);
		ck_assert_int_eq(st.team[G_HOME].npitchers, 1);
		ck_assert_str_eq(game_pending_decision(&st), "defensive");
	} else {
		ck_assert(!ok);
		ck_assert_str_eq(e.code, "INVALID_FORMAT");
		ck_assert_str_eq(e.message, starts[_i].msg);
	}
}
END_TEST

/* ============================================ 2. submit validation */

static const struct {
	const char	*what;
	unsigned	 bases;
	int		 outs, roll, final, hnr;
	enum g_outcome	 o;
	enum g_loc	 loc;
	int		 eb, base, adv_from, steal_result;
	unsigned	 runners;
	const char	*code, *field, *msg;	/* code NULL: accepted */
} submits[] = {
	{ "game over", 0, 0, 1, 1, 0, G_SINGLE_1, 0, 0, 0, -1, -1, 0,
	    "GAME_OVER", NULL, "Game is over" },
	{ "no roll", 0, 0, 0, 0, 0, G_SINGLE_1, 0, 0, 0, -1, -1, 0,
	    "NO_PENDING_ROLL", "game_state",
	    "No pending dice roll - call roll_dice first" },
	{ "ibb without roll", 0, 0, 0, 0, 0, G_INTENTIONAL_WALK, 0, 0, 0,
	    -1, -1, 0, NULL, NULL, NULL },
	{ "steal without roll", BIT(1), 0, 0, 0, 0, G_STOLEN_BASE, 0, 0, 0,
	    -1, -1, BIT(1), NULL, NULL, NULL },
	{ "missing location", 0, 0, 1, 0, 0, G_GROUNDBALL_C, 0, 0, 0, -1, -1,
	    0, "MISSING_FIELD", "hit_location",
	    "Outcome groundball_c requires hit_location" },
	{ "bad location", 0, 0, 1, 0, 0, G_GROUNDBALL_A, G_LOC_LF, 0, 0, -1,
	    -1, 0, "INVALID_FORMAT", "hit_location",
	    "Invalid hit_location for groundball_a: LF (one of P, C, 1B, 2B, "
	    "3B, SS)" },
	{ "foulout location", 0, 0, 1, 0, 0, G_FOULOUT, G_LOC_CF, 0, 0, -1,
	    -1, 0, "INVALID_FORMAT", "hit_location",
	    "Invalid hit_location for foulout: CF (one of C, 1B, 3B, LF, RF)" },
	{ "location on a walk", 0, 0, 1, 0, 0, G_WALK, G_LOC_SS, 0, 0, -1,
	    -1, 0, "INVALID_FORMAT", "hit_location",
	    "Outcome walk takes no hit_location" },
	{ "fc without R1", BIT(2), 0, 1, 0, 0, G_FIELDERS_CHOICE, G_LOC_SS, 0,
	    0, -1, -1, 0, "INVALID_FORMAT", "outcome",
	    "fielders_choice needs a runner on first (a force)" },
	{ "wild pitch, empty", 0, 0, 0, 0, 0, G_WILD_PITCH, 0, 0, 0, -1, -1,
	    0, "INVALID_FORMAT", "outcome",
	    "Outcome wild_pitch needs a runner on base" },
	{ "balk, empty", 0, 0, 0, 0, 0, G_BALK, 0, 0, 0, -1, -1, 0,
	    "INVALID_FORMAT", "outcome", "Outcome balk needs a runner on base" },
	{ "pickoff, no base", BIT(1), 0, 0, 0, 0, G_PICKOFF, 0, 0, 0, -1, -1,
	    0, "MISSING_FIELD", "base", "Outcome pickoff requires base" },
	{ "pickoff, empty base", BIT(1), 0, 0, 0, 0, G_PICKOFF, 0, 0, 2, -1,
	    -1, 0, "INVALID_FORMAT", "base", "No runner on second to pick off" },
	{ "steal, nobody declared", BIT(1), 0, 0, 0, 0, G_STOLEN_BASE, 0, 0,
	    0, -1, -1, 0, "INVALID_FORMAT", "runners",
	    "Outcome stolen_base needs the stealing runners (steal_attempts "
	    "or runners)" },
	{ "steal into an occupied base", BIT(1) | BIT(2), 0, 0, 0, 0,
	    G_CAUGHT_STEALING, 0, 0, 0, -1, -1, BIT(1), "INVALID_FORMAT",
	    "runners", "Runner on first cannot steal: second base is occupied" },
	{ "steal from an empty base", BIT(1), 0, 0, 0, 0, G_STOLEN_BASE, 0,
	    0, 0, -1, -1, BIT(3), "INVALID_FORMAT", "runners",
	    "No runner on third to steal" },
	{ "error_bases 4", 0, 0, 1, 0, 0, G_ERROR, G_LOC_SS, 4, 0, -1, -1, 0,
	    "INVALID_FORMAT", "error_bases", "error_bases must be 1, 2 or 3" },
	{ "error_bases on an out", 0, 0, 1, 0, 0, G_FLYBALL_A, G_LOC_LF, 1, 0,
	    -1, -1, 0, "INVALID_FORMAT", "error_bases",
	    "error_bases is only accepted with error or a hit (not a home "
	    "run)" },
	{ "advance not eligible", BIT(1), 0, 1, 0, 0, G_FLYBALL_B, G_LOC_LF,
	    0, 0, 1, -1, 0, "INVALID_FORMAT", "advances",
	    "The runner from first is not eligible for an optional advance on "
	    "flyball_b" },
	{ "advance with two out", BIT(2), 2, 1, 0, 0, G_FLYBALL_B, G_LOC_LF,
	    0, 0, 2, -1, 0, "INVALID_FORMAT", "advances",
	    "The runner from second is not eligible for an optional advance "
	    "on flyball_b with two out" },
	{ "advance out of order", BIT(1) | BIT(2), 0, 1, 0, 0,
	    G_SINGLE_UNCAPPED, G_LOC_CF, 0, 0, 1, -1, 0, "INVALID_FORMAT",
	    "advances", "A trailing runner may only try when every runner "
	    "ahead of him also tried" },
	{ "batter advance without a throw", BIT(1), 0, 1, 0, 0,
	    G_DOUBLE_UNCAPPED, G_LOC_CF, 0, 0, 0, -1, 0, "INVALID_FORMAT",
	    "advances", "A trailing runner may only try when every runner "
	    "ahead of him also tried" },
	{ "batter advance, nobody on", 0, 0, 1, 0, 0, G_DOUBLE_UNCAPPED,
	    G_LOC_CF, 0, 0, 0, -1, 0, "INVALID_FORMAT", "advances",
	    "The batter may take an extra base only on a throw to another "
	    "runner" },
	{ "hit-and-run strikeout", BIT(1), 0, 1, 0, 1, G_STRIKEOUT, 0, 0, 0,
	    -1, -1, 0, "INVALID_FORMAT", "steal_result",
	    "A strikeout on the hit-and-run needs steal_result (safe or out)" },
	{ "hit-and-run strikeout, two out", BIT(1), 2, 1, 0, 1, G_STRIKEOUT,
	    0, 0, 0, -1, -1, 0, NULL, NULL, NULL },
};

START_TEST(test_submit_refused)
{
	struct game_state	 st, before;
	struct g_submit		 s;
	struct g_play		 p;
	struct g_error		 e;
	int			 ok;

	fixture(&st, 1, 9);
	set_bases(&st, submits[_i].bases);
	st.outs = submits[_i].outs;
	st.roll_pending = submits[_i].roll;
	if (submits[_i].final)
		st.status = G_FINAL;
	if (submits[_i].hnr) {
		st.off_set = 1;
		st.off.hit_and_run = 1;
	}
	s = sub_of(submits[_i].o, submits[_i].loc);
	s.error_bases = submits[_i].eb;
	s.base = submits[_i].base;
	s.runners = submits[_i].runners;
	s.steal_result = submits[_i].steal_result;
	if (submits[_i].adv_from >= 0) {
		s.adv[0].from = submits[_i].adv_from;
		s.adv[0].safe = 1;
		s.nadv = 1;
	}
	before = st;
	ok = game_submit(&st, &s, NULL, NULL, &p, &e);
	if (submits[_i].code == NULL) {
		ck_assert_msg(ok, "%s: %s", submits[_i].what, e.message);
		return;
	}
	ck_assert_msg(!ok, "%s accepted", submits[_i].what);
	ck_assert_msg(memcmp(&st, &before, sizeof(st)) == 0,
	    "%s: state changed", submits[_i].what);
	ck_assert_str_eq(e.code, submits[_i].code);
	ck_assert_str_eq(e.message, submits[_i].msg);
	if (submits[_i].field == NULL)
		ck_assert_ptr_null(e.field);
	else
		ck_assert_str_eq(e.field, submits[_i].field);
}
END_TEST

/* ============================================ 2. decisions */

static const struct {
	const char	*what;
	unsigned	 bases;
	int		 outs, roll, offense;
	enum g_infield	 inf;
	unsigned	 hold, steal;
	int		 hnr, bunt;
	const char	*code, *field, *msg;
} decisions[] = {
	{ "defaults", 0, 0, 0, 0, G_IF_NORMAL, 0, 0, 0, 0, NULL, NULL, NULL },
	{ "roll pending", 0, 0, 1, 0, G_IF_NORMAL, 0, 0, 0, 0,
	    "NOT_YOUR_TURN", NULL, "A roll is pending: submit its outcome "
	    "first" },
	{ "infield in without R3", BIT(1), 0, 0, 0, G_IF_IN, 0, 0, 0, 0,
	    "INVALID_FORMAT", "infield_depth", "Infield in needs a runner on "
	    "third and fewer than two outs" },
	{ "infield in, two out", BIT(3), 2, 0, 0, G_IF_IN, 0, 0, 0, 0,
	    "INVALID_FORMAT", "infield_depth", "Infield in needs a runner on "
	    "third and fewer than two outs" },
	{ "infield in", BIT(3), 1, 0, 0, G_IF_IN, 0, 0, 0, 0, NULL, NULL,
	    NULL },
	{ "double play, two out", BIT(1), 2, 0, 0, G_IF_DOUBLE_PLAY, 0, 0, 0,
	    0, "INVALID_FORMAT", "infield_depth", "Double-play depth needs a "
	    "runner on first and fewer than two outs" },
	{ "double play without R1", BIT(2), 0, 0, 0, G_IF_DOUBLE_PLAY, 0, 0,
	    0, 0, "INVALID_FORMAT", "infield_depth", "Double-play depth needs "
	    "a runner on first and fewer than two outs" },
	{ "hold an empty base", BIT(1), 0, 0, 0, G_IF_NORMAL, BIT(2), 0, 0, 0,
	    "INVALID_FORMAT", "hold_runners", "Cannot hold a runner on second: "
	    "the base is empty" },
	{ "hold", BIT(1) | BIT(3), 0, 0, 0, G_IF_NORMAL, BIT(1) | BIT(3), 0,
	    0, 0, NULL, NULL, NULL },
	{ "steal into an occupied base", BIT(1) | BIT(2), 0, 0, 1,
	    G_IF_NORMAL, 0, BIT(1), 0, 0, "INVALID_FORMAT", "steal_attempts",
	    "Runner on first cannot steal: second base is occupied" },
	{ "double steal", BIT(1) | BIT(2), 0, 0, 1, G_IF_NORMAL, 0,
	    BIT(1) | BIT(2), 0, 0, NULL, NULL, NULL },
	{ "steal of home", BIT(3), 0, 0, 1, G_IF_NORMAL, 0, BIT(3), 0, 0,
	    NULL, NULL, NULL },
	{ "hit-and-run, nobody on", 0, 0, 0, 1, G_IF_NORMAL, 0, 0, 1, 0,
	    "INVALID_FORMAT", "hit_and_run", "hit_and_run needs a runner on "
	    "first or second" },
	{ "hit-and-run and bunt", BIT(1), 0, 0, 1, G_IF_NORMAL, 0, 0, 1, 1,
	    "INVALID_FORMAT", "hit_and_run", "hit_and_run cannot be combined "
	    "with bunt_attempt" },
	{ "hit-and-run", BIT(2), 0, 0, 1, G_IF_NORMAL, 0, 0, 1, 0, NULL, NULL,
	    NULL },
};

START_TEST(test_decisions)
{
	struct game_state	 st, before;
	struct g_defense	 d;
	struct g_offense	 o;
	struct g_error		 e;
	int			 ok;

	fixture(&st, 1, 9);
	set_bases(&st, decisions[_i].bases);
	st.outs = decisions[_i].outs;
	st.roll_pending = decisions[_i].roll;
	memset(&d, 0, sizeof(d));
	memset(&o, 0, sizeof(o));
	d.infield = decisions[_i].inf;
	d.hold = decisions[_i].hold;
	o.steal = decisions[_i].steal;
	o.hit_and_run = decisions[_i].hnr;
	o.bunt = decisions[_i].bunt;
	before = st;
	ok = decisions[_i].offense ? game_offense(&st, &o, &e) :
	    game_defense(&st, &d, &e);
	if (decisions[_i].code == NULL) {
		ck_assert_msg(ok, "%s: %s", decisions[_i].what, e.message);
		ck_assert_str_eq(game_pending_decision(&st),
		    decisions[_i].offense ? "defensive" : "offensive");
		return;
	}
	ck_assert_msg(!ok, "%s accepted", decisions[_i].what);
	ck_assert(memcmp(&st, &before, sizeof(st)) == 0);
	ck_assert_str_eq(e.code, decisions[_i].code);
	ck_assert_str_eq(e.message, decisions[_i].msg);
	if (decisions[_i].field == NULL)
		ck_assert_ptr_null(e.field);
	else
		ck_assert_str_eq(e.field, decisions[_i].field);
}
END_TEST

START_TEST(test_pending_flow)
{
	struct game_state	 st;
	struct g_defense	 d;
	struct g_offense	 o;
	struct g_error		 e;
	struct g_play		 p;

	fixture(&st, 1, 9);
	memset(&d, 0, sizeof(d));
	memset(&o, 0, sizeof(o));
	ck_assert_str_eq(game_pending_decision(&st), "defensive");
	ck_assert(game_offense(&st, &o, &e));	/* offence may come first */
	ck_assert_str_eq(game_pending_decision(&st), "defensive");
	ck_assert(game_defense(&st, &d, &e));
	ck_assert_str_eq(game_pending_decision(&st), "resolution");
	/* both in: they hold for the at-bat (events.md) */
	ck_assert(!game_defense(&st, &d, &e));
	ck_assert_str_eq(e.code, "NOT_YOUR_TURN");
	ck_assert_str_eq(e.message,
	    "Both decisions are in: they hold for this at-bat");
	ck_assert(!game_offense(&st, &o, &e));
	ck_assert_str_eq(e.code, "NOT_YOUR_TURN");
	st.roll_pending = 1;
	ck_assert_str_eq(game_pending_decision(&st), "outcome");
	p = play_ok(&st, G_WALK, G_LOC_NONE);
	ck_assert_int_eq(st.roll_pending, 0);
	ck_assert_int_eq(st.def_set, 0);
	ck_assert_int_eq(st.off_set, 0);
	ck_assert_str_eq(game_pending_decision(&st), "defensive");
	ck_assert_int_eq(p.number, 1);
	/* a runner event keeps the decisions but ends the steal */
	o.steal = BIT(1);
	d.hold = BIT(1);
	ck_assert(game_defense(&st, &d, &e));
	ck_assert(game_offense(&st, &o, &e));
	/* declared steals come before the at-bat's outcome (§1.5) */
	{
		struct game_state	 before;
		struct g_submit		 sub;

		st.roll_pending = 1;
		before = st;
		memset(&sub, 0, sizeof(sub));
		sub.outcome = G_WALK;
		sub.steal_result = -1;
		ck_assert(!game_submit(&st, &sub, NULL, NULL, &p, &e));
		ck_assert_str_eq(e.code, "INVALID_FORMAT");
		ck_assert_str_eq(e.field, "outcome");
		ck_assert_mem_eq(&st, &before, sizeof(st));
		st.roll_pending = 0;
	}
	p = play_ok(&st, G_STOLEN_BASE, G_LOC_NONE);
	ck_assert_int_eq(p.sb, 1);
	ck_assert_int_eq(st.off_set, 1);
	ck_assert_int_eq(st.off.steal, 0);
	ck_assert_int_eq(st.def.hold, 0);
	ck_assert_int_eq(st.team[G_AWAY].next_slot, 2);
	ck_assert_str_eq(p.description, "Ruiz steals second.");
	st.status = G_FINAL;
	ck_assert_str_eq(game_pending_decision(&st), "none");
	ck_assert(!game_defense(&st, &d, &e));
	ck_assert_str_eq(e.code, "GAME_OVER");
	ck_assert_str_eq(e.message, "Game is over");
}
END_TEST

/* ======================================= 2. single plays: credits */

enum { F_HNR = 1, F_DPD = 2, F_IN = 4, F_BOTTOM9 = 8 };

static const struct {
	const char	*what;
	unsigned	 bases;
	int		 outs, flags, home_lead;
	enum g_outcome	 o;
	enum g_loc	 loc;
	int		 eb, steal_result, adv_from, adv_safe, fc_out_from;
	/* expected */
	unsigned	 after;
	int		 outs_added, runs, rbi, earned, ab, sf, sh, gidp, e,
			 sb, cs, hit_value, ends_game;
	const char	*result;
} credits[] = {
	{ "groundout scores R3", BIT(3), 0, 0, 0, G_GROUNDBALL_C, G_LOC_SS,
	    0, -1, -1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
	    "out" },
	{ "GIDP scores R3: no RBI", BIT(1) | BIT(3), 0, 0, 0, G_GROUNDBALL_A,
	    G_LOC_SS, 0, -1, -1, 0, 0, 0, 2, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0,
	    0, "out" },
	{ "DP depth turns gbB into a GIDP", BIT(1), 0, F_DPD, 0,
	    G_GROUNDBALL_B, G_LOC_2B, 0, -1, -1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0,
	    1, 0, 0, 0, 0, 0, "out" },
	{ "force at second: batter safe", BIT(1), 0, 0, 0, G_GROUNDBALL_B,
	    G_LOC_3B, 0, -1, -1, 0, 0, BIT(1), 1, 0, 0, 0, 1, 0, 0, 0, 0, 0,
	    0, 0, 0, "FC" },
	{ "home-to-first DP", BIT(1) | BIT(2) | BIT(3), 0, F_IN, 0,
	    G_GROUNDBALL_A, G_LOC_P, 0, -1, -1, 0, 0, BIT(2) | BIT(3), 2, 0,
	    0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, "out" },
	{ "error scores R3: no RBI, unearned", BIT(3), 0, 0, 0, G_ERROR,
	    G_LOC_SS, 1, -1, -1, 0, 0, BIT(1), 0, 1, 0, 0, 1, 0, 0, 0, 1, 0,
	    0, 0, 0, "E" },
	{ "sacrifice fly", BIT(3), 1, 0, 0, G_FLYBALL_B, G_LOC_CF, 0, -1, -1,
	    0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, "SF" },
	{ "fly moving R2 only: no SF", BIT(2), 0, 0, 0, G_FLYBALL_A, G_LOC_RF,
	    0, -1, -1, 0, 0, BIT(3), 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
	    "out" },
	{ "flyball_bq, R3 sent, safe", BIT(3), 0, 0, 0, G_FLYBALL_BQ, G_LOC_LF,
	    0, -1, 3, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, "SF" },
	{ "flyball_bq, R3 sent, out", BIT(3), 0, 0, 0, G_FLYBALL_BQ, G_LOC_LF,
	    0, -1, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, "out" },
	{ "fly B, R2 thrown out for the third out: R3 counts", BIT(2) | BIT(3),
	    1, 0, 0, G_FLYBALL_B, G_LOC_CF, 0, -1, 2, 0, 0, 0, 2, 1, 1, 1, 0,
	    1, 0, 0, 0, 0, 0, 0, 0, "SF" },
	{ "sacrifice bunt", BIT(1), 0, 0, 0, G_SAC_BUNT, G_LOC_P, 0, -1, -1, 0,
	    0, BIT(2), 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, "SH" },
	{ "bunt, nobody on", 0, 0, 0, 0, G_SAC_BUNT, G_LOC_P, 0, -1, -1, 0, 0,
	    0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, "out" },
	{ "squeeze", BIT(3), 1, 0, 0, G_SAC_BUNT, G_LOC_1B, 0, -1, -1, 0, 0,
	    0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, "SH" },
	{ "bases-loaded walk: 1 RBI", BIT(1) | BIT(2) | BIT(3), 0, 0, 0,
	    G_WALK, 0, 0, -1, -1, 0, 0, BIT(1) | BIT(2) | BIT(3), 0, 1, 1, 1,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, "BB" },
	{ "catcher interference, loaded", BIT(1) | BIT(2) | BIT(3), 0, 0, 0,
	    G_CATCHER_INTERFERENCE, 0, 0, -1, -1, 0, 0,
	    BIT(1) | BIT(2) | BIT(3), 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
	    "CI" },
	{ "single plus error: error run unearned, no RBI", BIT(2), 0, 0, 0,
	    G_SINGLE_1, G_LOC_LF, 1, -1, -1, 0, 0, BIT(2), 0, 1, 0, 0, 1, 0, 0,
	    0, 1, 0, 0, 1, 0, "1B" },
	{ "single_2 scores R2 with RBI", BIT(2), 0, 0, 0, G_SINGLE_2, G_LOC_LF,
	    0, -1, -1, 0, 0, BIT(1), 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0,
	    "1B" },
	{ "uncapped single, R2 scores, R1 thrown out at third", BIT(1) | BIT(2),
	    0, 0, 0, G_SINGLE_UNCAPPED, G_LOC_RF, 0, -1, 2, 1, 0, BIT(1), 1, 1,
	    1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, "1B" },
	{ "hit-and-run turns single_1 into single_2", BIT(1), 0, F_HNR, 0,
	    G_SINGLE_1, G_LOC_CF, 0, -1, -1, 0, 0, BIT(1) | BIT(3), 0, 0, 0, 0,
	    1, 0, 0, 0, 0, 0, 0, 1, 0, "1B" },
	{ "hit-and-run strikeout, runner safe", BIT(1), 0, F_HNR, 0,
	    G_STRIKEOUT, 0, 0, 1, -1, 0, 0, BIT(2), 1, 0, 0, 0, 1, 0, 0, 0, 0,
	    1, 0, 0, 0, "K" },
	{ "hit-and-run strikeout, runner out", BIT(1), 0, F_HNR, 0,
	    G_STRIKEOUT, 0, 0, 0, -1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1,
	    0, 0, "K" },
	{ "hit-and-run lineout doubles off R2", BIT(1) | BIT(2), 0, F_HNR, 0,
	    G_LINEOUT, G_LOC_SS, 0, -1, -1, 0, 0, BIT(1), 2, 0, 0, 0, 1, 0, 0,
	    0, 0, 0, 0, 0, 0, "out" },
	/* bp_single resolves as single_1, bp_lineout as lineout (§1.1, §6
	 * #11), hit-and-run included */
	{ "hit-and-run turns bp_single into single_2", BIT(1), 0, F_HNR, 0,
	    G_BP_SINGLE, G_LOC_CF, 0, -1, -1, 0, 0, BIT(1) | BIT(3), 0, 0, 0,
	    0, 1, 0, 0, 0, 0, 0, 0, 1, 0, "1B" },
	{ "hit-and-run bp_lineout doubles off R2", BIT(1) | BIT(2), 0, F_HNR,
	    0, G_BP_LINEOUT, G_LOC_SS, 0, -1, -1, 0, 0, BIT(1), 2, 0, 0, 0, 1,
	    0, 0, 0, 0, 0, 0, 0, 0, "out" },
	{ "fc_out_from: R3 out at home", BIT(1) | BIT(3), 0, 0, 0,
	    G_FIELDERS_CHOICE, G_LOC_3B, 0, -1, -1, 0, 3, BIT(1) | BIT(2), 1,
	    0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, "FC" },
	{ "walk-off double in a tie: a single", BIT(3), 0, F_BOTTOM9, 0,
	    G_DOUBLE_2, G_LOC_LF, 0, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0,
	    0, 0, 0, 1, 1, "1B" },
	{ "walk-off: R1 on a double stays a double", BIT(1), 0, F_BOTTOM9, 0,
	    G_DOUBLE_3, G_LOC_LF, 0, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0,
	    0, 0, 0, 2, 1, "2B" },
	{ "walk-off single_2, loaded: one run counts", BIT(1) | BIT(2) |
	    BIT(3), 1, F_BOTTOM9, 0, G_SINGLE_2, G_LOC_CF, 0, -1, -1, 0, 0, 0,
	    0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, "1B" },
	{ "walk-off home run counts all", BIT(1) | BIT(2), 2, F_BOTTOM9, 1,
	    G_HOMERUN, G_LOC_LF, 0, -1, -1, 0, 0, 0, 0, 3, 3, 3, 1, 0, 0, 0, 0,
	    0, 0, 4, 1, "HR" },
	{ "walk-off walk", BIT(1) | BIT(2) | BIT(3), 2, F_BOTTOM9, 0, G_WALK,
	    0, 0, -1, -1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	    "BB" },
	{ "walk-off wild pitch", BIT(3), 2, F_BOTTOM9, 0, G_WILD_PITCH, 0, 0,
	    -1, -1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, NULL },
	{ "bottom 9, still behind", BIT(3), 0, F_BOTTOM9, 2, G_SINGLE_1,
	    G_LOC_LF, 0, -1, -1, 0, 0, BIT(1), 0, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	    0, 1, 0, "1B" },
	{ "passed ball run unearned", BIT(3), 0, 0, 0, G_PASSED_BALL, 0, 0,
	    -1, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
	{ "wild pitch run earned", BIT(3), 0, 0, 0, G_WILD_PITCH, 0, 0, -1,
	    -1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL },
	{ "caught stealing: lead runner", BIT(1) | BIT(2), 0, 0, 0,
	    G_CAUGHT_STEALING, 0, 0, -1, -1, 0, 0, BIT(2), 1, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 1, 0, 0, NULL },
};

START_TEST(test_credits)
{
	struct game_state	 st;
	struct g_submit		 s;
	struct g_play		 p;
	const char		*w = credits[_i].what;
	unsigned		 steal = credits[_i].bases;

	fixture(&st, 1, 9);
	if (credits[_i].flags & F_BOTTOM9) {
		st.inning = 9;
		st.half = G_BOTTOM;
		st.team[G_AWAY].score = 3;
		st.team[G_HOME].score = 3 - credits[_i].home_lead;
	}
	set_bases(&st, credits[_i].bases);
	st.outs = credits[_i].outs;
	if (credits[_i].flags & (F_HNR)) {
		st.off_set = 1;
		st.off.hit_and_run = 1;
	}
	if (credits[_i].flags & (F_DPD | F_IN)) {
		st.def_set = 1;
		st.def.infield = credits[_i].flags & F_DPD ? G_IF_DOUBLE_PLAY :
		    G_IF_IN;
	}
	s = sub_of(credits[_i].o, credits[_i].loc);
	s.error_bases = credits[_i].eb;
	s.steal_result = credits[_i].steal_result;
	s.fc_out_from = credits[_i].fc_out_from;
	s.runners = steal;
	if (credits[_i].adv_from >= 0) {
		s.nadv = 1;
		s.adv[0].from = credits[_i].adv_from;
		s.adv[0].safe = credits[_i].adv_safe;
		if (credits[_i].o == G_SINGLE_UNCAPPED) {
			/* R2 scores, then R1 thrown out at third */
			s.nadv = 2;
			s.adv[1].from = 1;
			s.adv[1].safe = 0;
		}
	}
	p = play_sub(&st, &s);
	if (!p.ends_half)
		ck_assert_msg(mask_of(st.base) == credits[_i].after,
		    "%s: bases %x", w, mask_of(st.base));
	ck_assert_msg(p.outs == credits[_i].outs_added, "%s: outs %d", w,
	    p.outs);
	ck_assert_msg(p.runs == credits[_i].runs, "%s: runs %d", w, p.runs);
	ck_assert_msg(p.rbi == credits[_i].rbi, "%s: rbi %d", w, p.rbi);
	ck_assert_msg(p.earned_runs == credits[_i].earned, "%s: er %d", w,
	    p.earned_runs);
	ck_assert_msg(p.ab == credits[_i].ab, "%s: ab %d", w, p.ab);
	ck_assert_msg(p.sf == credits[_i].sf, "%s: sf %d", w, p.sf);
	ck_assert_msg(p.sh == credits[_i].sh, "%s: sh %d", w, p.sh);
	ck_assert_msg(p.gidp == credits[_i].gidp, "%s: gidp %d", w, p.gidp);
	ck_assert_msg(p.e == credits[_i].e, "%s: e %d", w, p.e);
	ck_assert_msg(p.sb == credits[_i].sb, "%s: sb %d", w, p.sb);
	ck_assert_msg(p.cs == credits[_i].cs, "%s: cs %d", w, p.cs);
	ck_assert_msg(p.hit_value == credits[_i].hit_value, "%s: hit %d", w,
	    p.hit_value);
	ck_assert_msg(p.ends_game == credits[_i].ends_game, "%s: end %d", w,
	    p.ends_game);
	if (credits[_i].result == NULL)
		ck_assert_ptr_null(p.batter_result);
	else
		ck_assert_msg(p.batter_result != NULL &&
		    strcmp(p.batter_result, credits[_i].result) == 0,
		    "%s: result %s", w, p.batter_result);
	if (p.ends_game) {
		ck_assert_int_eq(st.status, G_FINAL);
		ck_assert_int_eq(st.winner, G_HOME);
		ck_assert_int_eq(p.winner, G_HOME);
		ck_assert_int_eq(st.team[G_HOME].score,
		    st.team[G_AWAY].score + (credits[_i].o == G_HOMERUN ?
		    2 : 1));
	}
}
END_TEST

/*
 * Optional advances in the bottom of the 9th (rules.md §2.5): once the
 * winning run has scored the game is over, so no runner behind him may
 * still try for a base (and be thrown out: an out after the end).  Home
 * trails by `behind` (0 = tied); msg NULL: accepted.
 */
static const struct {
	const char	*what;
	int		 behind;
	unsigned	 bases;
	int		 outs;
	enum g_outcome	 o;
	int		 nadv;
	struct g_advance adv[3];
	const char	*msg;
	int		 outs_added, runs, ends_game, team_lob;
} walkoff_advs[] = {
	{ "R2 scores the winning run on the throw", 0, BIT(1) | BIT(2), 0,
	    G_SINGLE_UNCAPPED, 1, { { 2, 1 } }, NULL, 0, 1, 1, 2 },
	{ "R1 thrown out behind the winning run", 0, BIT(1) | BIT(2), 0,
	    G_SINGLE_UNCAPPED, 2, { { 2, 1 }, { 1, 0 } },
	    "No runner may advance after the winning run has scored",
	    0, 0, 0, 0 },
	{ "batter to second behind the winning run", 0, BIT(2), 0,
	    G_SINGLE_UNCAPPED, 2, { { 2, 1 }, { 0, 1 } },
	    "No runner may advance after the winning run has scored",
	    0, 0, 0, 0 },
	{ "R3 won it; R2 thrown out at home as the third out", 0,
	    BIT(2) | BIT(3), 2, G_SINGLE_UNCAPPED, 1, { { 2, 0 } },
	    "No runner may advance after the winning run has scored",
	    0, 0, 0, 0 },
	{ "batter thrown out at third behind the winning run", 0, BIT(1), 0,
	    G_DOUBLE_UNCAPPED, 2, { { 1, 1 }, { 0, 0 } },
	    "No runner may advance after the winning run has scored",
	    0, 0, 0, 0 },
	{ "sac fly won it; R2 thrown out at third", 0, BIT(2) | BIT(3), 1,
	    G_FLYBALL_B, 1, { { 2, 0 } },
	    "No runner may advance after the winning run has scored",
	    0, 0, 0, 0 },
	{ "the tying run: the trailing runner may still try", 1,
	    BIT(1) | BIT(2), 0, G_SINGLE_UNCAPPED, 2, { { 2, 1 }, { 1, 0 } },
	    NULL, 1, 1, 0, 0 },
};

START_TEST(test_walkoff_advances)
{
	struct game_state	 st, before;
	struct g_submit		 s;
	struct g_play		 p;
	struct g_error		 e;
	const char		*w = walkoff_advs[_i].what;
	int			 ok, k;

	fixture(&st, 1, 9);
	st.inning = 9;
	st.half = G_BOTTOM;
	st.team[G_AWAY].score = 3;
	st.team[G_HOME].score = 3 - walkoff_advs[_i].behind;
	set_bases(&st, walkoff_advs[_i].bases);
	st.outs = walkoff_advs[_i].outs;
	st.roll_pending = 1;
	s = sub_of(walkoff_advs[_i].o, G_LOC_CF);
	s.nadv = walkoff_advs[_i].nadv;
	for (k = 0; k < s.nadv; k++)
		s.adv[k] = walkoff_advs[_i].adv[k];
	before = st;
	ok = game_submit(&st, &s, NULL, NULL, &p, &e);
	if (walkoff_advs[_i].msg != NULL) {
		ck_assert_msg(!ok, "%s accepted", w);
		ck_assert(memcmp(&st, &before, sizeof(st)) == 0);
		ck_assert_str_eq(e.code, "INVALID_FORMAT");
		ck_assert_str_eq(e.field, "advances");
		ck_assert_str_eq(e.message, walkoff_advs[_i].msg);
		return;
	}
	ck_assert_msg(ok, "%s: %s", w, e.message);
	ck_assert_msg(p.outs == walkoff_advs[_i].outs_added, "%s: outs %d", w,
	    p.outs);
	ck_assert_msg(p.runs == walkoff_advs[_i].runs, "%s: runs %d", w,
	    p.runs);
	ck_assert_msg(p.ends_game == walkoff_advs[_i].ends_game, "%s: end %d",
	    w, p.ends_game);
	ck_assert_msg(p.team_lob == walkoff_advs[_i].team_lob, "%s: lob %d", w,
	    p.team_lob);
}
END_TEST

/* ====================================== 2. descriptions */

static const struct {
	unsigned	 bases;
	enum g_outcome	 o;
	enum g_loc	 loc;
	const char	*want;
} descs[] = {
	{ BIT(1) | BIT(2), G_SINGLE_2, G_LOC_CF,
	    "Ruiz singles to CF; Kim scores, the runner to third." },
	{ BIT(1), G_GROUNDBALL_A, G_LOC_SS,
	    "Ruiz grounds into a double play (SS); the runner out at second." },
	{ 0, G_STRIKEOUT, 0, "Ruiz strikes out." },
	{ BIT(3), G_FLYBALL_B, G_LOC_LF,
	    "Ruiz hits a sacrifice fly to LF; the runner scores." },
	{ BIT(3), G_WILD_PITCH, 0, "Wild pitch; the runner scores." },
	{ BIT(1), G_PICKOFF, 0, "The runner is picked off first." },
	{ 0, G_ERROR, G_LOC_3B, "Ruiz reaches on an error by 3B." },
	{ 0, G_HOMERUN, 0, "Ruiz homers." },
	{ BIT(1), G_FIELDERS_CHOICE, G_LOC_SS,
	    "Ruiz reaches on a fielder's choice (SS); the runner out at "
	    "second." },
	{ BIT(1), G_SAC_BUNT, G_LOC_P, "Ruiz sacrifices (P); the runner to "
	    "second." },
	{ BIT(1), G_GROUNDBALL_B, G_LOC_3B, "Ruiz grounds into a force out "
	    "(3B); the runner out at second." },
	{ BIT(1) | BIT(2), G_CAUGHT_STEALING, 0, "Kim is caught stealing "
	    "third, the runner to second." },
};

START_TEST(test_describe)
{
	struct game_state	 st;
	struct g_submit		 s;
	struct g_play		 p;

	fixture(&st, 1, 9);
	set_bases(&st, descs[_i].bases);
	if (descs[_i].bases & BIT(2))
		st.base[1].id = 103;		/* Kim */
	s = sub_of(descs[_i].o, descs[_i].loc);
	s.base = 1;
	s.runners = descs[_i].bases;
	p = play_sub(&st, &s);
	ck_assert_str_eq(p.description, descs[_i].want);
}
END_TEST

/* ============================================= 2. game flow */

START_TEST(test_end_after_top_when_home_leads)
{
	struct game_state	 st;
	struct g_play		 p;

	fixture(&st, 1, 9);
	st.inning = 9;
	st.team[G_HOME].score = 2;
	st.team[G_AWAY].score = 1;
	(void)play_ok(&st, G_STRIKEOUT, 0);
	(void)play_ok(&st, G_SINGLE_1, 0);
	(void)play_ok(&st, G_STRIKEOUT, 0);
	p = play_ok(&st, G_STRIKEOUT, 0);
	ck_assert(p.ends_half && p.ends_game);
	ck_assert_int_eq(p.team_lob, 1);
	ck_assert_int_eq(p.winner, G_HOME);
	ck_assert_int_eq(st.status, G_FINAL);
	ck_assert_int_eq(st.inning, 9);
	ck_assert_int_eq(st.half, G_TOP);
	ck_assert_int_eq(mask_of(st.base), 0);
}
END_TEST

START_TEST(test_extra_innings)
{
	struct game_state	 st;
	struct g_play		 p;

	fixture(&st, 1, 9);
	st.inning = 9;
	st.half = G_BOTTOM;
	retire_side(&st);		/* 0-0 after nine: play on */
	ck_assert_int_eq(st.status, G_ACTIVE);
	ck_assert_int_eq(st.inning, 10);
	ck_assert_int_eq(st.half, G_TOP);
	script(&st, "HKKK");		/* away leads 1-0 in the 10th */
	ck_assert_int_eq(st.half, G_BOTTOM);
	ck_assert_int_eq(st.status, G_ACTIVE);
	script(&st, "KK");
	p = play_ok(&st, G_STRIKEOUT, 0);
	ck_assert(p.ends_game);
	ck_assert_int_eq(st.winner, G_AWAY);
	ck_assert_int_eq(st.inning, 10);
}
END_TEST

START_TEST(test_extra_runner)
{
	struct game_state	 st;

	fixture(&st, 1, 9);
	st.extra_runner = 1;
	st.inning = 9;
	st.half = G_BOTTOM;
	st.team[G_AWAY].next_slot = 4;
	retire_side(&st);
	ck_assert_int_eq(st.inning, 10);
	ck_assert_int_eq(st.base[1].id, 103);	/* slot 3 on second */
	ck_assert_int_eq(st.base[1].unearned, 1);
	ck_assert_int_eq(game_batter(&st), 104);
}
END_TEST

START_TEST(test_runner_event_third_out)
{
	struct game_state	 st;
	struct g_submit		 s;
	struct g_play		 p;

	fixture(&st, 1, 9);
	script(&st, "KKK");			/* slots 1-3 out */
	script(&st, "KKK");			/* bottom 1 */
	script(&st, "KK");			/* slots 4, 5 */
	(void)play_ok(&st, G_SINGLE_1, 0);	/* slot 6 on first */
	ck_assert_int_eq(game_batter(&st), 107);
	s = sub_of(G_CAUGHT_STEALING, 0);
	s.runners = BIT(1);
	p = play_sub(&st, &s);
	ck_assert(p.ends_half);
	ck_assert_int_eq(p.pa, 0);
	ck_assert_int_eq(p.cs, 1);
	ck_assert_int_eq(p.team_lob, 0);
	ck_assert_int_eq(st.team[G_AWAY].next_slot, 7);
	script(&st, "KKK");			/* bottom 2 */
	ck_assert_int_eq(game_batter(&st), 107);	/* leads off */
}
END_TEST

START_TEST(test_earned_runs)
{
	struct game_state	 st;
	struct g_submit		 s;
	struct g_play		 p;

	/* reached on error: his run unearned, the batter's earned */
	fixture(&st, 1, 9);
	s = sub_of(G_ERROR, G_LOC_SS);
	s.error_bases = 1;
	p = play_sub(&st, &s);
	ck_assert_int_eq(p.ab, 1);
	ck_assert_int_eq(st.base[0].unearned, 1);
	ck_assert_int_eq(st.phantom_outs, 1);
	p = play_ok(&st, G_HOMERUN, 0);
	ck_assert_int_eq(p.runs, 2);
	ck_assert_int_eq(p.rbi, 2);
	ck_assert_int_eq(p.earned_runs, 1);

	/* two out + an error = three phantom-adjusted outs: all unearned */
	fixture(&st, 1, 9);
	script(&st, "KK");
	p = play_sub(&st, &s);
	p = play_ok(&st, G_HOMERUN, 0);
	ck_assert_int_eq(p.runs, 2);
	ck_assert_int_eq(p.earned_runs, 0);
	ck_assert_int_eq(p.moves[0].earned, 0);
	ck_assert_int_eq(p.moves[1].earned, 0);
	retire_side(&st);
	ck_assert_int_eq(st.phantom_outs, 0);
}
END_TEST

/* Substitutions: table of refusals, then the effects. */
static const struct {
	const char	*what;
	enum g_sub_type	 type;
	int		 side, roll, final, in_roster, appeared;
	int64_t		 out_id;
	enum g_pos	 pos;
	const char	*code, *msg;
} subs[] = {
	{ "PH not for the batter", G_SUB_PINCH_HITTER, G_AWAY, 0, 0, 1, 0,
	    102, 0, "NOT_CURRENT_BATTER", "Player 102 is not the current "
	    "batter" },
	{ "PH after the roll", G_SUB_PINCH_HITTER, G_AWAY, 1, 0, 1, 0, 101, 0,
	    "NOT_CURRENT_BATTER", "The at-bat roll has been made: too late "
	    "to pinch-hit" },
	{ "PH by the fielding side", G_SUB_PINCH_HITTER, G_HOME, 0, 0, 1, 0,
	    201, 0, "NOT_CURRENT_BATTER", "Only the team at bat may send a "
	    "pinch hitter" },
	{ "player not in the game", G_SUB_PINCH_HITTER, G_AWAY, 0, 0, 1, 0,
	    999, 0, "PLAYER_ALREADY_OUT", "Player 999 is not in the game" },
	{ "not on the roster", G_SUB_PINCH_HITTER, G_AWAY, 0, 0, 0, 0, 101, 0,
	    "NOT_IN_ROSTER", "That card is not on the team's roster" },
	{ "already appeared", G_SUB_PINCH_HITTER, G_AWAY, 0, 0, 1, 1, 101, 0,
	    "ALREADY_ACTIVE", "That player has already appeared in this "
	    "game" },
	{ "game over", G_SUB_PINCH_HITTER, G_AWAY, 0, 1, 1, 0, 101, 0,
	    "GAME_OVER", "Game is over" },
	{ "defensive with a roll pending", G_SUB_DEFENSIVE, G_HOME, 1, 0, 1, 0,
	    202, G_POS_SS, "NOT_YOUR_TURN", "A roll is pending: submit its "
	    "outcome first" },
	{ "defensive to DH", G_SUB_DEFENSIVE, G_HOME, 0, 0, 1, 0, 202,
	    G_POS_DH, "INVALID_POSITION", "DH is not a field position" },
	{ "defensive to P", G_SUB_DEFENSIVE, G_HOME, 0, 0, 1, 0, 202, G_POS_P,
	    "INVALID_POSITION", "Use a pitching change to replace the "
	    "pitcher" },
	{ "defensive for the DH", G_SUB_DEFENSIVE, G_HOME, 0, 0, 1, 0, 209,
	    G_POS_LF, "INVALID_POSITION", "Moving the DH into the field is not "
	    "supported" },
	{ "defensive to a taken position", G_SUB_DEFENSIVE, G_HOME, 0, 0, 1,
	    0, 202, G_POS_CF, "INVALID_POSITION", "CF is already taken by "
	    "player 201" },
	{ "defensive", G_SUB_DEFENSIVE, G_HOME, 0, 0, 1, 0, 202, G_POS_SS,
	    NULL, NULL },
	{ "pitcher must face a batter", G_SUB_PITCHING, G_HOME, 0, 0, 1, 0,
	    210, G_POS_P, "PITCHER_MUST_FACE_BATTER", "The pitcher must face "
	    "at least one batter before he is replaced" },
	{ "pitching change for a non-pitcher", G_SUB_PITCHING, G_HOME, 0, 0,
	    1, 0, 202, G_POS_P, "INVALID_POSITION", "Player 202 is not the "
	    "current pitcher" },
	{ "pinch runner for a non-runner", G_SUB_PINCH_RUNNER, G_AWAY, 0, 0,
	    1, 0, 105, 0, "INVALID_FORMAT", "Player 105 is not on base" },
	{ "pinch hitter", G_SUB_PINCH_HITTER, G_AWAY, 0, 0, 1, 0, 101, 0,
	    NULL, NULL },
};

START_TEST(test_substitute)
{
	struct game_state	 st, before;
	struct g_sub		 s;
	struct g_error		 e;
	enum g_pos		 pos = G_POS_NONE;
	int			 order = -1, ok;

	fixture(&st, 1, 9);
	st.roll_pending = subs[_i].roll;
	if (subs[_i].final)
		st.status = G_FINAL;
	memset(&s, 0, sizeof(s));
	s.type = subs[_i].type;
	s.side = subs[_i].side;
	s.out_id = subs[_i].out_id;
	s.in_id = 500;
	s.in_card = 1500;
	s.pos = subs[_i].pos;
	s.in_roster = subs[_i].in_roster;
	s.appeared = subs[_i].appeared;
	before = st;
	ok = game_substitute(&st, &s, 0, &pos, &order, &e);
	ck_assert(memcmp(&st, &before, sizeof(st)) == 0);	/* apply 0 */
	if (subs[_i].code != NULL) {
		ck_assert_msg(!ok, "%s accepted", subs[_i].what);
		ck_assert_str_eq(e.code, subs[_i].code);
		ck_assert_str_eq(e.message, subs[_i].msg);
		return;
	}
	ck_assert_msg(ok, "%s: %s", subs[_i].what, e.message);
	ck_assert(game_substitute(&st, &s, 1, &pos, &order, &e));
	ck_assert_int_eq(order, (int)(subs[_i].out_id % 100));
	ck_assert_ptr_null(NULL);
	if (s.type == G_SUB_PINCH_HITTER) {
		ck_assert_int_eq(pos, G_POS_PH);
		ck_assert_int_eq(game_batter(&st), 500);
		ck_assert_int_eq(st.def_set, 0);
	} else {
		ck_assert_int_eq(pos, G_POS_SS);
	}
}
END_TEST

/* Find side's active member by id. */
static const struct g_member *
member(const struct game_state *st, int side, int64_t id)
{
	int	 i;

	for (i = 0; i < st->team[side].nactive; i++)
		if (st->team[side].active[i].id == id)
			return &st->team[side].active[i];
	return NULL;
}

START_TEST(test_pinch_runner_inherits)
{
	struct game_state	 st;
	struct g_sub		 s;
	struct g_submit		 es;
	struct g_error		 e;
	struct g_play		 p;
	enum g_pos		 pos;
	int			 order;

	fixture(&st, 1, 9);
	es = sub_of(G_ERROR, G_LOC_SS);		/* 101 reaches, unearned */
	(void)play_sub(&st, &es);
	memset(&s, 0, sizeof(s));
	s.type = G_SUB_PITCHING;		/* 210 faced a batter */
	s.side = G_HOME;
	s.out_id = 210;
	s.in_id = 250;
	s.in_roster = 1;
	ck_assert_msg(game_substitute(&st, &s, 1, &pos, &order, &e), "%s",
	    e.message);
	ck_assert_int_eq(st.team[G_HOME].pitcher, 250);
	ck_assert_int_eq(st.team[G_HOME].npitchers, 2);
	ck_assert_int_eq(st.team[G_HOME].pitchers[1].entry_runners, 1);
	s.type = G_SUB_PINCH_RUNNER;
	s.side = G_AWAY;
	s.out_id = 101;
	s.in_id = 150;
	ck_assert_msg(game_substitute(&st, &s, 1, &pos, &order, &e), "%s",
	    e.message);
	ck_assert_int_eq(pos, G_POS_PR);
	ck_assert_int_eq(order, 1);
	ck_assert_int_eq(st.base[0].id, 150);
	ck_assert_int_eq(st.base[0].pitcher, 210);	/* inherited runner */
	ck_assert_int_eq(st.base[0].unearned, 1);
	ck_assert_int_eq(member(&st, G_AWAY, 150)->inherit, G_POS_CF);
	ck_assert_ptr_null(member(&st, G_AWAY, 101));
	p = play_ok(&st, G_HOMERUN, 0);		/* 102 off the reliever */
	ck_assert_int_eq(p.runs, 2);
	ck_assert_int_eq(p.moves[0].id, 150);
	ck_assert_int_eq(p.moves[0].pitcher, 210);
	ck_assert_int_eq(p.moves[0].earned, 0);
	ck_assert_int_eq(p.moves[1].pitcher, 250);
	ck_assert_int_eq(p.moves[1].earned, 1);
	retire_side(&st);
	/* the pinch runner takes center field when his side fields */
	ck_assert_int_eq(member(&st, G_AWAY, 150)->pos, G_POS_CF);
	ck_assert_int_eq(member(&st, G_AWAY, 150)->inherit, G_POS_NONE);
}
END_TEST

START_TEST(test_pinch_hitter_takes_position)
{
	struct game_state	 st;
	struct g_sub		 s;
	struct g_error		 e;
	enum g_pos		 pos;
	int			 order;

	fixture(&st, 0, 9);			/* no DH: the pitcher bats */
	script(&st, "KKK KKKKKK");		/* to the top of the 2nd */
	script(&st, "KKKKK");			/* slots 7, 8 out in the 3rd... */
	/* top 2 saw slots 4-6, bottom 2, top 3 slots 7 8: now slot 9 (P) */
	ck_assert_int_eq(st.inning, 3);
	ck_assert_int_eq(game_batter(&st), 109);
	memset(&s, 0, sizeof(s));
	s.type = G_SUB_PINCH_HITTER;
	s.side = G_AWAY;
	s.out_id = 109;
	s.in_id = 160;
	s.in_roster = 1;
	ck_assert_msg(game_substitute(&st, &s, 1, &pos, &order, &e), "%s",
	    e.message);
	ck_assert_int_eq(order, 9);
	ck_assert_int_eq(st.team[G_AWAY].pitcher, 109);	/* of record */
	(void)play_ok(&st, G_STRIKEOUT, 0);		/* third out */
	ck_assert_int_eq(st.half, G_BOTTOM);
	ck_assert_int_eq(member(&st, G_AWAY, 160)->pos, G_POS_P);
	ck_assert_int_eq(st.team[G_AWAY].pitcher, 160);
	ck_assert_int_eq(st.team[G_AWAY].npitchers, 2);
	/* entered as a batter: may be replaced before facing anyone */
	change_pitcher(&st, 170);
	ck_assert_int_eq(st.team[G_AWAY].pitcher, 170);
	ck_assert_int_eq(member(&st, G_AWAY, 170)->order, 9);
}
END_TEST

/* ========================================= 2. pitching decisions */

static const struct {
	const char	*what;
	const char	*play;
	int		 winner;
	int64_t		 win, loss, save;
	int		 nholds;
	int64_t		 hold0;
	int		 nblown;
	int64_t		 blown0;
} pitchings[] = {
	{ "starter short of 15 outs: reliever with most outs wins",
	    "HKKK KKK | KKK KKK | KKK KKK | KKK KKK | KKK P150KKK | KKK KKK |"
	    " KKK P151KKK | KKK P152KKK | KKK KKK", G_AWAY, 150, 210, 152, 1,
	    151, 0, 0 },
	{ "starter with 15 outs wins",
	    "HKKK KKK | KKK KKK | KKK KKK | KKK KKK | KKK KKK | KKK P150KKK |"
	    " KKK P151KKK | KKK P152KKK | KKK KKK", G_AWAY, 110, 210, 152, 2,
	    150, 0, 0 },
	{ "blown save, then the win",
	    "HKKK KKK | KKK KKK | KKK KKK | KKK KKK | KKK KKK | KKK P150KKK |"
	    " KKK P151KKK | KKK P152HKKK | HKKK KKK", G_AWAY, 152, 210, 0, 2,
	    150, 1, 152 },
	{ "walk-off: home reliever of record wins",
	    "HKKK KKK | KKK KKK | KKK KKK | KKK KKK | KKK KKK | KKK KKK |"
	    " KKK KKK | KKK KKK | P250KKK HH", G_HOME, 250, 110, 0, 0, 0, 0,
	    0 },
};

START_TEST(test_pitching_decisions)
{
	struct game_state	 st;
	struct g_decisions	 d;

	fixture(&st, 1, 9);
	script(&st, pitchings[_i].play);
	ck_assert_msg(st.status == G_FINAL, "%s: not over (inning %d)",
	    pitchings[_i].what, st.inning);
	ck_assert_int_eq(st.winner, pitchings[_i].winner);
	game_decisions(&st, &d);
	ck_assert_msg(d.win == pitchings[_i].win, "%s: W %lld",
	    pitchings[_i].what, (long long)d.win);
	ck_assert_msg(d.loss == pitchings[_i].loss, "%s: L %lld",
	    pitchings[_i].what, (long long)d.loss);
	ck_assert_msg(d.save == pitchings[_i].save, "%s: SV %lld",
	    pitchings[_i].what, (long long)d.save);
	ck_assert_msg(d.nholds == pitchings[_i].nholds, "%s: %d holds",
	    pitchings[_i].what, d.nholds);
	if (d.nholds > 0)
		ck_assert_int_eq(d.holds[0], pitchings[_i].hold0);
	ck_assert_msg(d.nblown == pitchings[_i].nblown, "%s: %d blown",
	    pitchings[_i].what, d.nblown);
	if (d.nblown > 0)
		ck_assert_int_eq(d.blown[0], pitchings[_i].blown0);
}
END_TEST

/* Holds and blown saves are collected from both sides into arrays sized
 * for one side's pitchers: a marathon with many relievers in save
 * situations on both sides must not overrun them. */
START_TEST(test_decisions_many_relievers)
{
	struct game_state	 st;
	struct g_decisions	 d;
	struct g_team		*t;
	int			 side, i;

	fixture(&st, 1, 9);
	for (side = 0; side < 2; side++) {
		t = &st.team[side];
		t->npitchers = G_MAX_PITCHERS;
		for (i = 0; i < G_MAX_PITCHERS; i++) {
			memset(&t->pitchers[i], 0, sizeof(t->pitchers[i]));
			t->pitchers[i].id = side * 1000 + 300 + i;
			t->pitchers[i].starter = i == 0;
			t->pitchers[i].outs = 15;
			t->pitchers[i].save_sit = i > 0;
			t->pitchers[i].entry_lead = 1;
		}
		t->pitcher = t->pitchers[G_MAX_PITCHERS - 1].id;
	}
	st.status = G_FINAL;
	st.winner = G_HOME;
	st.team[G_HOME].score = 30;
	st.team[G_AWAY].score = 29;
	st.team[G_HOME].goahead_w = 1300;	/* the home starter */
	st.team[G_HOME].goahead_l = 300;
	game_decisions(&st, &d);
	ck_assert_int_eq(d.win, 1300);
	ck_assert_int_eq(d.loss, 300);
	ck_assert_int_eq(d.save, 1300 + G_MAX_PITCHERS - 1);
	ck_assert_int_eq(d.nblown, 0);
	ck_assert_int_eq(d.nholds, G_MAX_PITCHERS);	/* 44 earned, room 24 */
	ck_assert_int_eq(d.holds[0], 301);
}
END_TEST

/* ============================================= 3. random games */

struct prng {
	uint64_t	 s;
};

static uint32_t
prng_next(struct prng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

static int
prng_below(struct prng *r, int n)
{
	return (int)(prng_next(r) % (uint32_t)n);
}

/* Outcome weights for random play. */
static const struct {
	enum g_outcome	 o;
	int		 w;
} weights[] = {
	{ G_STRIKEOUT, 20 }, { G_GROUNDBALL_A, 8 }, { G_GROUNDBALL_B, 8 },
	{ G_GROUNDBALL_C, 8 }, { G_FLYBALL_A, 5 }, { G_FLYBALL_B, 5 },
	{ G_FLYBALL_BQ, 4 }, { G_FLYBALL_C, 5 }, { G_LINEOUT, 4 },
	{ G_LINEOUT_MAX, 1 }, { G_POPOUT, 3 }, { G_FOULOUT, 2 },
	{ G_SAC_BUNT, 1 }, { G_FIELDERS_CHOICE, 2 }, { G_SINGLE_1, 8 },
	{ G_SINGLE_2, 3 }, { G_SINGLE_UNCAPPED, 3 }, { G_DOUBLE_2, 3 },
	{ G_DOUBLE_3, 1 }, { G_DOUBLE_UNCAPPED, 2 }, { G_TRIPLE, 1 },
	{ G_HOMERUN, 3 }, { G_BP_HOMERUN, 1 }, { G_BP_SINGLE, 1 },
	{ G_BP_FLYOUT, 1 }, { G_BP_LINEOUT, 1 }, { G_WALK, 6 },
	{ G_INTENTIONAL_WALK, 1 }, { G_HBP, 1 }, { G_CATCHER_INTERFERENCE, 1 },
	{ G_ERROR, 2 }, { G_STOLEN_BASE, 1 }, { G_CAUGHT_STEALING, 1 },
	{ G_PICKOFF, 1 }, { G_WILD_PITCH, 1 }, { G_PASSED_BALL, 1 },
	{ G_BALK, 1 },
};

static enum g_outcome
random_outcome(struct prng *r)
{
	int	 total = 0, k;
	size_t	 i;

	for (i = 0; i < NELEM(weights); i++)
		total += weights[i].w;
	k = prng_below(r, total);
	for (i = 0; i < NELEM(weights); i++)
		if ((k -= weights[i].w) < 0)
			return weights[i].o;
	return G_STRIKEOUT;
}

static enum g_loc
random_loc(struct prng *r, enum g_outcome o)
{
	const struct g_outcome_def	*d = game_outcome(o);
	enum g_loc			 l;

	if (d->loc == G_LOC_NO || (d->loc == G_LOC_OPT && prng_below(r, 2)))
		return G_LOC_NONE;
	do
		l = (enum g_loc)(1 + prng_below(r, G_LOC__MAX - 1));
	while (!(d->loc_ok & (1u << l)));
	return l;
}

static unsigned
random_subset(struct prng *r, unsigned of)
{
	return of & ((unsigned)prng_below(r, 16) & 0xEu);
}

/* Per-team sums over the plays for the 9.03(c) identity. */
struct box {
	int	 ab, bb, hbp, sh, sf, ci, r, lob, outs;
};

static void
random_decisions(struct prng *r, struct game_state *st)
{
	struct game_state	 before = *st;
	struct g_defense	 d;
	struct g_offense	 o;
	struct g_error		 e;
	unsigned		 occ = mask_of(st->base);

	if (prng_below(r, 4) == 0) {
		memset(&d, 0, sizeof(d));
		d.alignment = (enum g_align)prng_below(r, 4);
		d.infield = (enum g_infield)prng_below(r, 4);
		d.outfield = (enum g_outfield)prng_below(r, 3);
		d.hold = random_subset(r, occ);
		if (!game_defense(st, &d, &e))
			ensure1(memcmp(st, &before, sizeof(*st)) == 0);
	}
	before = *st;
	if (prng_below(r, 4) == 0) {
		memset(&o, 0, sizeof(o));
		o.approach = (enum g_approach)prng_below(r, 4);
		o.steal = prng_below(r, 5) == 0 ? random_subset(r, occ) : 0;
		o.hit_and_run = prng_below(r, 5) == 0;
		o.bunt = prng_below(r, 8) == 0;
		if (!game_offense(st, &o, &e))
			ensure1(memcmp(st, &before, sizeof(*st)) == 0);
	}
}

static void
random_sub(struct prng *r, struct game_state *st, int64_t *fresh)
{
	struct game_state	 before = *st;
	struct g_sub		 s;
	struct g_error		 e;
	const struct g_team	*t;
	enum g_pos		 pos;
	int			 order, b, i;

	memset(&s, 0, sizeof(s));
	s.type = (enum g_sub_type)prng_below(r, 4);
	s.in_id = (*fresh)++;
	s.in_card = s.in_id + 1000;
	s.in_roster = 1;
	switch (s.type) {
	case G_SUB_PINCH_HITTER:
		s.side = GAME_BATTING(st);
		s.out_id = game_batter(st);
		break;
	case G_SUB_PINCH_RUNNER:
		s.side = GAME_BATTING(st);
		b = prng_below(r, 3);
		s.out_id = st->base[b].id;
		break;
	case G_SUB_DEFENSIVE:
		s.side = GAME_FIELDING(st);
		t = &st->team[s.side];
		i = prng_below(r, t->nactive);
		s.out_id = t->active[i].id;
		s.pos = t->active[i].pos;
		break;
	default:
		s.side = GAME_FIELDING(st);
		s.out_id = st->team[s.side].pitcher;
		break;
	}
	if (!game_substitute(st, &s, 1, &pos, &order, &e))
		ensure(memcmp(st, &before, sizeof(*st)) == 0,
		    "refused substitution changed the state: %s", e.message);
}

/* Runners who may try an extra base, lead first (rules.md §1.3). */
static const struct {
	enum g_outcome	 o;
	int		 from[3];
	int		 n;
} optionals[] = {
	{ G_FLYBALL_B, { 2 }, 1 },
	{ G_BP_FLYOUT, { 2 }, 1 },
	{ G_FLYBALL_BQ, { 3 }, 1 },
	{ G_SINGLE_UNCAPPED, { 2, 1, 0 }, 3 },
	{ G_DOUBLE_UNCAPPED, { 1, 0 }, 2 },
};

/* Mostly a legal prefix of the eligible runners; sometimes noise, which
 * the engine must refuse without harm. */
static void
random_advances(struct prng *r, const struct game_state *st,
    struct g_submit *s)
{
	size_t	 i;
	int	 k, f, want;

	if (prng_below(r, 12) == 0) {
		s->nadv = 1 + prng_below(r, 3);
		for (k = 0; k < s->nadv; k++) {
			s->adv[k].from = 3 - k - prng_below(r, 2);
			s->adv[k].safe = prng_below(r, 3) != 0;
		}
		return;
	}
	for (i = 0; i < NELEM(optionals); i++) {
		if (optionals[i].o != s->outcome || prng_below(r, 3) == 0)
			continue;
		want = 1 + prng_below(r, optionals[i].n);
		for (k = 0; k < optionals[i].n && s->nadv < want; k++) {
			f = optionals[i].from[k];
			if (f != 0 && st->base[f - 1].id == 0)
				continue;
			s->adv[s->nadv].from = f;
			s->adv[s->nadv].safe = prng_below(r, 3) != 0;
			s->nadv++;
		}
	}
}

/* Build a random submission for the current state. */
static struct g_submit
random_submit(struct prng *r, const struct game_state *st)
{
	struct g_submit	 s;

	if (st->off_set && st->off.steal && prng_below(r, 4) != 0)
		s = sub_of(prng_below(r, 2) ? G_STOLEN_BASE :
		    G_CAUGHT_STEALING, G_LOC_NONE);
	else
		s = sub_of(random_outcome(r), G_LOC_NONE);
	s.loc = random_loc(r, s.outcome);
	if (s.outcome == G_ERROR)
		s.error_bases = 1 + prng_below(r, 3);
	else if (game_outcome(s.outcome)->is_hit && prng_below(r, 10) == 0)
		s.error_bases = 1 + prng_below(r, 2);
	s.steal_result = prng_below(r, 2);
	s.base = 1 + prng_below(r, 3);
	s.runners = random_subset(r, mask_of(st->base));
	if (s.outcome == G_FIELDERS_CHOICE && prng_below(r, 3) == 0)
		s.fc_out_from = 1 + prng_below(r, 3);
	random_advances(r, st, &s);
	return s;
}

/* A description is one non-empty sentence. */
static int
description_ok(const struct g_play *p)
{
	size_t	 n = strlen(p->description);

	return n > 1 && p->description[n - 1] == '.' &&
	    strstr(p->description, "(null)") == NULL;
}

/* Check one accepted play against the state before and after it. */
static void
check_play(const struct game_state *b, const struct game_state *a,
    const struct g_play *p, struct box box[2])
{
	int	 bat = p->batting_side, on_before, on_after, i, j;

	on_before = (b->base[0].id != 0) + (b->base[1].id != 0) +
	    (b->base[2].id != 0);
	on_after = p->ends_half ? p->team_lob : (a->base[0].id != 0) +
	    (a->base[1].id != 0) + (a->base[2].id != 0);
	ensure(on_before + p->pa == on_after + p->runs + p->outs,
	    "conservation: %d + %d != %d + %d + %d (%s: %s)", on_before,
	    p->pa, on_after, p->runs, p->outs,
	    game_outcome(p->outcome)->name, p->description);
	ensure1((bat) == (b->half));
	ensure1((a->team[bat].score) == (b->team[bat].score + p->runs));
	ensure1((a->team[1 - bat].score) == (b->team[1 - bat].score));
	ensure1((a->team[bat].next_slot) == (p->pa ?
	    b->team[bat].next_slot % G_SLOTS + 1 : b->team[bat].next_slot));
	ensure1((a->team[1 - bat].next_slot) == (b->team[1 - bat].next_slot));
	ensure1(a->team[bat].next_slot >= 1 && a->team[bat].next_slot <= 9);
	ensure1(p->rbi <= p->runs && p->earned_runs <= p->runs);
	ensure1(p->outs_after == p->outs_before + p->outs);
	ensure1(p->outs_after <= 3);
	ensure1((p->ends_half) == (p->outs_after == 3 || p->ends_game));
	ensure1(description_ok(p));
	if (a->status == G_ACTIVE) {
		ensure1(a->outs >= 0 && a->outs <= 2);
		ensure1((a->roll_pending) == (0));
		for (i = 0; i < 3; i++)
			for (j = 0; j < i; j++)
				ensure1(a->base[i].id == 0 ||
				    a->base[i].id != a->base[j].id);
	}
	box[bat].ab += p->ab;
	box[bat].bb += p->bb;
	box[bat].hbp += p->hbp;
	box[bat].sh += p->sh;
	box[bat].sf += p->sf;
	box[bat].ci += p->ci;
	box[bat].r += p->runs;
	box[bat].lob += p->team_lob;
	box[bat].outs += p->outs;
}

/* Play one random game to the end, checking every play (seeded). */
static void
random_game(uint64_t seed)
{
	struct prng		 r = { seed * 0x9E3779B97F4A7C15ull + 1 };
	struct game_state	 st, before;
	struct g_submit		 s;
	struct g_play		 p;
	struct g_error		 e;
	struct g_decisions	 d;
	struct box		 box[2];
	int64_t			 fresh = 1000;
	int			 n, side, i, ok, w, lw, found;

	memset(box, 0, sizeof(box));
	fixture(&st, prng_below(&r, 4) != 0,
	    prng_below(&r, 5) == 0 ? 5 + prng_below(&r, 4) : 9);
	st.extra_runner = prng_below(&r, 10) == 0;
	for (n = 0; st.status == G_ACTIVE; n++) {
		ensure(n < 20000, "seed %llu: game does not end",
		    (unsigned long long)seed);
		if (prng_below(&r, 50) == 0)
			random_sub(&r, &st, &fresh);
		random_decisions(&r, &st);
		s = random_submit(&r, &st);
		if (game_outcome(s.outcome)->needs_roll ||
		    prng_below(&r, 8) == 0)
			st.roll_pending = 1;
		before = st;
		ok = game_submit(&st, &s, NULL, NULL, &p, &e);
		if (!ok && e.field != NULL && strcmp(e.field, "advances") == 0) {
			ensure1(memcmp(&st, &before, sizeof(st)) == 0);
			s.nadv = 0;
			ok = game_submit(&st, &s, NULL, NULL, &p, &e);
		}
		if (!ok) {
			ensure(memcmp(&st, &before, sizeof(st)) == 0,
			    "refusal changed the state: %s", e.message);
			ensure1(strcmp(e.code, "INVALID_FORMAT") == 0);
			st.roll_pending = 0;
			continue;
		}
		check_play(&before, &st, &p, box);
	}
	w = st.winner;
	ensure1(w == G_AWAY || w == G_HOME);
	ensure1((st.team[w].score) > (st.team[1 - w].score));
	ensure1((st.inning) >= (st.scheduled_innings));
	for (side = 0; side < 2 && !st.extra_runner; side++)
		ensure(box[side].ab + box[side].bb + box[side].hbp +
		    box[side].sh + box[side].sf + box[side].ci ==
		    box[side].r + box[side].lob + box[side].outs,
		    "seed %llu side %d: 9.03(c) %d+%d+%d+%d+%d+%d != %d+%d+%d",
		    (unsigned long long)seed, side, box[side].ab, box[side].bb,
		    box[side].hbp, box[side].sh, box[side].sf, box[side].ci,
		    box[side].r, box[side].lob, box[side].outs);
	for (side = 0; side < 2; side++)
		ensure1((box[side].r) == (st.team[side].score));
	game_decisions(&st, &d);
	for (lw = 0; lw < 2; lw++) {
		found = 0;
		for (i = 0; i < st.team[lw ? 1 - w : w].npitchers; i++)
			if (st.team[lw ? 1 - w : w].pitchers[i].id ==
			    (lw ? d.loss : d.win))
				found = 1;
		ensure(found, "seed %llu: %s %lld not on the %s side",
		    (unsigned long long)seed, lw ? "L" : "W",
		    (long long)(lw ? d.loss : d.win), lw ? "losing" :
		    "winning");
	}
	if (d.save != 0)
		ensure1(d.save != d.win);
}

#define GAMES_PER_RUN	750

START_TEST(test_random_games)
{
	int	 g;

	for (g = 0; g < GAMES_PER_RUN; g++)
		random_game((uint64_t)_i * GAMES_PER_RUN + (uint64_t)g);
}
END_TEST

/* ============================================================= suite */

static Suite *
game_suite(void)
{
	Suite	*s = suite_create("game");
	TCase	*tc;

	tc = tcase_create("tables");
	tcase_add_loop_test(tc, test_tables, 0, G_OUTCOME__MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("catalogue");
	tcase_add_table(tc, test_outcome_parse, parses);
	tcase_add_test(tc, test_catalogue);
	tcase_add_table(tc, test_start, starts);
	suite_add_tcase(s, tc);

	tc = tcase_create("validation");
	tcase_add_table(tc, test_submit_refused, submits);
	tcase_add_table(tc, test_decisions, decisions);
	tcase_add_test(tc, test_pending_flow);
	tcase_add_table(tc, test_substitute, subs);
	suite_add_tcase(s, tc);

	tc = tcase_create("scoring");
	tcase_add_table(tc, test_credits, credits);
	tcase_add_table(tc, test_walkoff_advances, walkoff_advs);
	tcase_add_table(tc, test_describe, descs);
	tcase_add_test(tc, test_end_after_top_when_home_leads);
	tcase_add_test(tc, test_extra_innings);
	tcase_add_test(tc, test_extra_runner);
	tcase_add_test(tc, test_runner_event_third_out);
	tcase_add_test(tc, test_earned_runs);
	tcase_add_test(tc, test_pinch_runner_inherits);
	tcase_add_test(tc, test_pinch_hitter_takes_position);
	tcase_add_table(tc, test_pitching_decisions, pitchings);
	tcase_add_test(tc, test_decisions_many_relievers);
	suite_add_tcase(s, tc);

	tc = tcase_create("property");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_random_games, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(game_suite());
}

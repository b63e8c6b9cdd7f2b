/*
 * game.h -- the rules engine (../shared/rules.md).  Pure: no I/O, no
 * clock, no randomness; state in, state and play out.
 *
 * The caller (events.c) loads a struct game_state from the locked game
 * row, asks the engine to check a decision, a substitution or an outcome
 * against it, and on success the engine changes the state in place and
 * describes the play in a struct g_play, which the caller writes to the
 * `play` and `play_runner` tables with the new state, in one transaction.
 *
 * Rules are data: the outcome catalogue (rules.md §1.1) is a table, and
 * the per-outcome runner movement of §1.3 is a small program of steps per
 * outcome, so a rule changes by editing a row.
 *
 * Sides: 0 = away, 1 = home.  The batting side is the half (top = away).
 * Bases: 0 batter, 1-3 bases, 4 home.  A lineup id of 0 means "nobody".
 */
#ifndef DUGOUT_GAME_H
#define DUGOUT_GAME_H

#include <stdint.h>

#define G_AWAY		0
#define G_HOME		1
#define G_TOP		0
#define G_BOTTOM	1
#define G_SLOTS		9	/* batting order */
#define G_MAX_PITCHERS	24	/* per side per game */
#define G_MAX_INNINGS	99
#define G_DESC_MAX	320	/* description text, including NUL */

enum g_status { G_PENDING, G_ACTIVE, G_FINAL };

/* Fielding positions; G_POS_DH bats only, G_POS_PH/PR hold no field
 * position (a pinch hitter or runner not yet placed). */
enum g_pos {
	G_POS_NONE = 0,
	G_POS_P, G_POS_C, G_POS_1B, G_POS_2B, G_POS_3B, G_POS_SS,
	G_POS_LF, G_POS_CF, G_POS_RF, G_POS_DH, G_POS_PH, G_POS_PR,
	G_POS__MAX
};

/* Hit locations: the nine fielders (rules.md §0.3). */
enum g_loc {
	G_LOC_NONE = 0,
	G_LOC_P, G_LOC_C, G_LOC_1B, G_LOC_2B, G_LOC_3B, G_LOC_SS,
	G_LOC_LF, G_LOC_CF, G_LOC_RF,
	G_LOC__MAX
};

enum g_outcome {
	G_STRIKEOUT, G_GROUNDBALL_A, G_GROUNDBALL_B, G_GROUNDBALL_C,
	G_FLYBALL_A, G_FLYBALL_B, G_FLYBALL_BQ, G_FLYBALL_C,
	G_LINEOUT, G_LINEOUT_MAX, G_POPOUT, G_FOULOUT, G_SAC_BUNT,
	G_FIELDERS_CHOICE,
	G_SINGLE_1, G_SINGLE_2, G_SINGLE_UNCAPPED, G_DOUBLE_2, G_DOUBLE_3,
	G_DOUBLE_UNCAPPED, G_TRIPLE, G_HOMERUN, G_BP_HOMERUN, G_BP_SINGLE,
	G_BP_FLYOUT, G_BP_LINEOUT,
	G_WALK, G_INTENTIONAL_WALK, G_HBP, G_CATCHER_INTERFERENCE, G_ERROR,
	G_STOLEN_BASE, G_CAUGHT_STEALING, G_PICKOFF, G_WILD_PITCH,
	G_PASSED_BALL, G_BALK,
	G_OUTCOME__MAX
};

/* Where a hit location is wanted (rules.md §1.1 "loc"). */
enum g_loc_rule { G_LOC_NO, G_LOC_OPT, G_LOC_REQ };

/* One row of the outcome catalogue. */
struct g_outcome_def {
	const char	*name;		/* canonical, e.g. "groundball_a" */
	int		 pa;		/* completes the plate appearance */
	enum g_loc_rule	 loc;
	unsigned	 loc_ok;	/* bit (1u << enum g_loc) per accepted loc */
	int		 is_hit, is_out, is_walk;
	int		 needs_roll;	/* consumes the pending at-bat roll */
	const char	*batter_result;	/* "K", "1B", ...; NULL for runner events */
};

/* The catalogue row of o (o < G_OUTCOME__MAX). */
const struct g_outcome_def	*game_outcome(enum g_outcome o);

/* Parse names (canonical or alias, rules.md §1.1); 1 on success. */
int		 game_outcome_parse(const char *name, enum g_outcome *out);
int		 game_loc_parse(const char *name, enum g_loc *out);
int		 game_pos_parse(const char *name, enum g_pos *out);
const char	*game_loc_name(enum g_loc);	/* "SS"; NULL for NONE */
const char	*game_pos_name(enum g_pos);	/* "SS", "DH", "PH"; NULL for NONE */

/* ------------------------------------------------------------- decisions */

enum g_align { G_ALIGN_NORMAL, G_ALIGN_SHIFT_LEFT, G_ALIGN_SHIFT_RIGHT,
	G_ALIGN_EXTREME };
enum g_infield { G_IF_NORMAL, G_IF_BACK, G_IF_IN, G_IF_DOUBLE_PLAY };
enum g_outfield { G_OF_NORMAL, G_OF_BACK, G_OF_IN };
enum g_approach { G_APP_NORMAL, G_APP_CONTACT, G_APP_POWER, G_APP_PATIENT };

/* Bases in hold/steal masks: bit (1u << base), base 1..3. */
struct g_defense {
	enum g_align	 alignment;
	enum g_infield	 infield;
	enum g_outfield	 outfield;
	unsigned	 hold;
};

struct g_offense {
	enum g_approach	 approach;
	unsigned	 steal;		/* from-bases of declared steals */
	int		 hit_and_run;
	int		 bunt;
};

/* Names for JSON and the database, and their parsers (1 on success). */
const char	*game_align_name(enum g_align);
const char	*game_infield_name(enum g_infield);
const char	*game_outfield_name(enum g_outfield);
const char	*game_approach_name(enum g_approach);
int		 game_align_parse(const char *, enum g_align *);
int		 game_infield_parse(const char *, enum g_infield *);
int		 game_outfield_parse(const char *, enum g_outfield *);
int		 game_approach_parse(const char *, enum g_approach *);

/* ----------------------------------------------------------------- state */

/* A runner on base: who, the pitcher charged with him (rules.md §3.4),
 * and whether his run would be unearned (reached on an error or CI). */
struct g_runner {
	int64_t		 id;		/* lineup id; 0 = base empty */
	int64_t		 pitcher;	/* responsible pitcher's lineup id */
	int		 unearned;
};

/* An active player of one side. */
struct g_member {
	int64_t		 id;		/* lineup id */
	int64_t		 card;		/* card id */
	enum g_pos	 pos;
	int		 order;		/* batting slot 1..9, 0 = not batting */
	enum g_pos	 inherit;	/* PH/PR: the field position he takes
					 * when his side next fields (that of
					 * the player he replaced) */
};

/* A pitcher who has appeared for a side (for decisions, §3.5). */
struct g_pitcher {
	int64_t		 id;
	int		 outs;		/* outs recorded while he pitched */
	int		 bf;		/* plate appearances completed against him */
	int		 starter;
	int		 entry_lead;	/* his side's lead when he entered */
	int		 entry_runners;	/* runners on base when he entered */
	int		 save_sit;	/* entered in a save situation */
	int		 blown;		/* blew a save (the tying run scored) */
	int		 entry_half_done;	/* the half he entered in has ended */
};

struct g_team {
	struct g_member	 active[G_SLOTS + 4];	/* every active player */
	int		 nactive;
	int		 next_slot;	/* 1..9: who bats next for this side */
	int64_t		 pitcher;	/* current pitcher (lineup id) */
	struct g_pitcher pitchers[G_MAX_PITCHERS];	/* in order of entry */
	int		 npitchers;
	int		 score;
	int64_t		 goahead_w;	/* pitcher of record when this side last took the lead */
	int64_t		 goahead_l;	/* pitcher charged with that go-ahead run */
};

struct game_state {
	enum g_status	 status;
	int		 scheduled_innings;	/* default 9 */
	int		 use_dh;		/* pitchers do not bat */
	int		 extra_runner;		/* rules.md §6 #16, default off */
	int		 inning;		/* 1.. */
	int		 half;			/* G_TOP / G_BOTTOM */
	int		 outs;			/* 0..2 while active */
	struct g_runner	 base[3];		/* [0] = first */
	int		 phantom_outs;		/* §3.4 rule 3, this half */
	struct g_team	 team[2];
	struct g_defense def;
	struct g_offense off;
	int		 def_set, off_set;	/* submitted for this PA */
	int		 roll_pending;		/* an at-bat roll awaits its outcome */
	int		 play_count;		/* plays recorded so far */
	int		 winner;		/* -1, G_AWAY or G_HOME (final) */
};

/* Side at bat and in the field. */
#define GAME_BATTING(s)		((s)->half)
#define GAME_FIELDING(s)	(1 - (s)->half)

/* The lineup id batting now / on deck for the side at bat. */
int64_t		 game_batter(const struct game_state *);
int64_t		 game_on_deck(const struct game_state *);

/* "defensive" | "offensive" | "resolution" | "outcome" | "none". */
const char	*game_pending_decision(const struct game_state *);

/*
 * Start a pending game whose two lineups are loaded (team[].active,
 * team[].pitcher, team[].pitchers[0] the starter): checks them (nine
 * batting slots, every field position once, DH per use_dh) and makes the
 * state inning 1, top, 0 outs, slots 1.  0 with err filled when a lineup
 * is not valid.
 */
struct g_error {
	const char	*code;		/* events.md code, e.g. "INVALID_FORMAT" */
	const char	*field;		/* payload field, or NULL */
	char		 message[160];
};
int		 game_start(struct game_state *, struct g_error *);

/* Check and record a decision for the current PA.  0 with err filled
 * (code INVALID_FORMAT or NOT_YOUR_TURN...) when the state forbids it. */
int		 game_defense(struct game_state *, const struct g_defense *,
		    struct g_error *);
int		 game_offense(struct game_state *, const struct g_offense *,
		    struct g_error *);

/* ------------------------------------------------------------- outcomes */

struct g_advance {
	int		 from;		/* base the runner started the play on */
	int		 safe;		/* 1 safe, 0 thrown out */
};

/* A submitted outcome with its modifiers (rules.md §1.1). */
struct g_submit {
	enum g_outcome	 outcome;
	enum g_loc	 loc;		/* G_LOC_NONE when not given */
	int		 error_bases;	/* 0 = none, 1..3 */
	struct g_advance adv[4];
	int		 nadv;
	int		 fc_out_from;	/* 0 = default (lead forced runner) */
	int		 base;		/* pickoff base; 0 = not given */
	int		 steal_result;	/* -1 not given, 0 out, 1 safe */
	unsigned	 runners;	/* steal from-bases when no decision */
};

/* One runner's (or the batter's) movement on a play. */
struct g_move {
	int64_t		 id;		/* lineup id */
	int		 from, to;	/* to = base reached, or where put out */
	int		 out;
	int		 scored;	/* crossed the plate and the run counts */
	int		 earned;	/* when scored */
	int		 rbi;		/* the batter gets an RBI for this run */
	int64_t		 pitcher;	/* responsible pitcher */
	int		 sb, cs;	/* stolen base / caught stealing credit */
};

/* The play, with every per-play counter the box score sums (§5.4). */
struct g_play {
	int		 number;	/* 1-based play number in the game */
	enum g_outcome	 outcome;
	enum g_loc	 loc;
	int		 error_bases;
	int		 inning, half, outs_before, outs_after;
	struct g_runner	 before[3], after[3];
	int64_t		 batter, pitcher;
	int		 batting_side;
	int		 score_before[2], score_after[2];
	struct g_move	 moves[4];	/* lead runner first, batter last */
	int		 nmoves;
	int		 outs, runs, rbi, earned_runs;
	/* counters, each 0 or 1 unless stated */
	int		 pa, ab, h, b2, b3, hr, bb, ibb, hbp, so, sh, sf, ci;
	int		 gidp, e, wp, pb, bk, sb, cs;	/* sb, cs: counts */
	int		 bphr, bp1b, bpfo, bplo;
	int		 lob;		/* batter's individual LOB (§3.6) */
	int		 team_lob;	/* runners left when this play ended the half */
	int		 is_hit, is_out, is_walk;
	int		 hit_value;	/* credited bases 1..4 after walk-off rules */
	const char	*batter_result;	/* NULL for runner events */
	int		 ends_half;
	int		 ends_game;
	int		 winner;	/* when ends_game */
	char		 description[G_DESC_MAX];
};

/*
 * Names for descriptions: the caller's lookup from lineup id to a display
 * name (may return NULL).  Pure as long as the callback is.
 */
typedef const char	*(*g_name_fn)(void *arg, int64_t lineup_id);

/*
 * Check the submission against the state and resolve it: on success the
 * state has advanced (outs, runners, score, half-inning and game end,
 * batting slot, decisions reset, pitcher outs/bf, W/L bookkeeping) and
 * play describes what happened; returns 1.  On refusal returns 0, the
 * state is unchanged and err says why, with the original service's
 * messages where it had one ("No pending dice roll - call roll_dice
 * first", field "game_state"; "Outcome groundball_c requires
 * hit_location", field "hit_location"; "Game is over" ...).
 */
int		 game_submit(struct game_state *, const struct g_submit *,
		    g_name_fn, void *name_arg, struct g_play *,
		    struct g_error *);

/* -------------------------------------------------------- substitutions */

enum g_sub_type { G_SUB_PINCH_HITTER, G_SUB_PINCH_RUNNER,
	G_SUB_DEFENSIVE, G_SUB_PITCHING };

/* "pinch_hitter", "pinch_runner", "defensive_replacement", "pitching_change". */
const char	*game_sub_name(enum g_sub_type);

struct g_sub {
	enum g_sub_type	 type;
	int		 side;		/* team making the change */
	int64_t		 out_id;	/* lineup id leaving */
	int64_t		 in_id;		/* lineup id the caller created for the entrant */
	int64_t		 in_card;
	enum g_pos	 pos;		/* defensive: the new position */
	int		 in_roster;	/* caller's lookups: card on the team's roster */
	int		 appeared;	/* card already appeared in this game */
};

/*
 * Check a substitution (rules.md §4; codes of events.md: NOT_CURRENT_BATTER,
 * PLAYER_ALREADY_OUT, NOT_IN_ROSTER, ALREADY_ACTIVE, INVALID_POSITION,
 * PITCHER_MUST_FACE_BATTER, GAME_OVER) and, when `apply` is set and it is
 * legal, make it: the entrant takes the slot (and base, for a runner) of
 * the player leaving.  *pos_out and *order_out tell the entrant's position
 * and batting slot.
 */
int		 game_substitute(struct game_state *, const struct g_sub *,
		    int apply, enum g_pos *pos_out, int *order_out,
		    struct g_error *);

/* ------------------------------------------------------------ decisions */

/* Pitching decisions of a final game (rules.md §3.5): lineup ids, 0 when none. */
struct g_decisions {
	int64_t		 win, loss, save;
	int64_t		 holds[G_MAX_PITCHERS];
	int		 nholds;
	int64_t		 blown[G_MAX_PITCHERS];
	int		 nblown;
};
void		 game_decisions(const struct game_state *, struct g_decisions *);

#endif

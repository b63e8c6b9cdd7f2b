/*
 * game_json.h -- the engine's state and plays as JSON, the form in which
 * they cross to and from PostgreSQL.  Pure (json-c only).
 *
 * The database keeps the state in columns of `game`, `lineup_entry` and
 * `dice_roll`; dugout_game_load(game_id) (sql/) assembles this document
 * and dugout_game_save(game_id, doc) writes it back, so the C side sends
 * and receives one JSON value per action instead of fifty parameters.
 *
 * State document (every key always present; ids are JSON numbers,
 * lineup ids of lineup_entry, 0 or null meaning nobody):
 *
 *   { "status": "pending"|"active"|"final",
 *     "scheduled_innings": 9, "use_dh": true, "extra_runner": false,
 *     "inning": 1, "half": "top"|"bottom", "outs": 0,
 *     "phantom_outs": 0, "play_count": 0, "roll_pending": false,
 *     "winner": null|"away"|"home",
 *     "bases": [R, R, R]        first, second, third; R is null or
 *                               {"id", "pitcher", "unearned": bool}
 *     "defense": null | {"alignment", "infield_depth", "outfield_depth",
 *                        "hold_runners": [bases]},
 *     "offense": null | {"approach", "steal_attempts": [bases],
 *                        "hit_and_run": bool, "bunt_attempt": bool},
 *     "teams": [AWAY, HOME] where each is
 *       { "next_slot": 1..9, "pitcher": id, "score": n,
 *         "goahead_w": id|null, "goahead_l": id|null,
 *         "active": [{"id", "card", "position": "SS"|"DH"|"PH"|...,
 *                     "batting_order": 0..9, "inherit": null|"SS"}],
 *         "pitchers": [{"id", "outs", "bf", "starter": bool,
 *                       "entry_lead", "entry_runners",
 *                       "save_sit": bool, "blown": bool,
 *                       "entry_half_done": bool}] } }
 *
 * "defense"/"offense" null means not submitted for this plate appearance
 * (def_set/off_set 0, defaults in force).  "pitchers" is in order of
 * entry; outs and bf are summed from `play` by the loader.
 *
 * Play document (dugout_play_record(game_id, roll_id, doc)):
 *
 *   { "play_number", "outcome", "hit_location": null|"SS",
 *     "error_bases", "inning", "half", "outs_before", "outs_after",
 *     "before": [id|null x3], "after": [id|null x3],
 *     "batter", "pitcher", "batting_side": "away"|"home",
 *     "score_before": {"away","home"}, "score_after": {"away","home"},
 *     "moves": [{"id", "from", "to", "out", "scored", "earned", "rbi",
 *                "pitcher", "sb", "cs"}],
 *     "outs", "runs", "rbi", "earned_runs",
 *     "pa", "ab", "h", "b2", "b3", "hr", "bb", "ibb", "hbp", "so", "sh",
 *     "sf", "ci", "gidp", "e", "wp", "pb", "bk", "sb", "cs",
 *     "bphr", "bp1b", "bpfo", "bplo", "lob", "team_lob",
 *     "is_hit", "is_out", "is_walk" (booleans), "hit_value",
 *     "batter_result": null|"1B"..., "ends_half", "ends_game" (booleans),
 *     "winner": null|"away"|"home", "description" }
 */
#ifndef DUGOUT_GAME_JSON_H
#define DUGOUT_GAME_JSON_H

#include "err.h"
#include "game.h"

struct json_object;
struct valid_err;

/* Fill st from a state document.  ERR_PROTO when a key is missing or of
 * the wrong type (a loader bug, never client input). */
enum err	 game_json_read(struct json_object *doc, struct game_state *st)
		    MUSTCHECK;

/* A new state document for st; NULL when out of memory.  Owned. */
struct json_object	*game_json_state(const struct game_state *st);

/* A new play document for p; NULL when out of memory.  Owned. */
struct json_object	*game_json_play(const struct g_play *p);

/* The decisions as the events.md "decisions" object:
 * {"defensive": {...}, "offensive": {...}} with defaults filled in. */
struct json_object	*game_json_decisions(const struct game_state *st);

/*
 * A submit_manual_outcome payload (events.md; the modifiers of rules.md
 * §1.1) into *s, which the caller has zeroed: 1, or 0 with the refusal
 * in *ve (INVALID_FORMAT, MISSING_FIELD... on its field).  The server's
 * handler and `dugoutctl audit --replay` read submissions with it.
 */
int		 game_json_submission(struct json_object *payload,
		    struct g_submit *s, struct valid_err *ve);

/* A g_name_fn over a state document's "names" {lineup id: name} (the
 * loader adds it): doc is the document; NULL when it names nobody. */
const char	*game_json_name(void *doc, int64_t id);

#endif

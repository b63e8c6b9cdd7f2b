-- 003_game: the game itself -- cards and rosters, lineups, the live state
-- of a game (columns of `game`), dice rolls, decisions, plays with their
-- runner movements, substitutions and pitching decisions.
--
-- Game tables are LOGGED (design.md "Data"): a committed play survives a
-- crash.  The rules engine (src/game.c) decides what is legal; the
-- constraints here carry what SQL can check on its own, so a DBA's manual
-- fix cannot leave a game in a shape the engine would never produce.
--
-- Conventions: bases 0 = batter, 1..3, 4 = home (rules.md §0.3); half
-- 'top' (away bats) or 'bottom' (home bats); a lineup entry is one
-- player's one stint in one game, and every id that names "a player in
-- this game" is a lineup_entry id, never a card id.
--
-- The live state of a game is read and written as one JSON document by
-- dugout_game_load / dugout_game_save (004, src/game_json.h).

-- ----------------------------------------------------------------- cards

CREATE TABLE card (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	bats		text CHECK (bats IN ('L', 'R', 'S')),
	throws		text CHECK (throws IN ('L', 'R')),
	positions	text[] NOT NULL
			CHECK (positions <@ ARRAY['P', 'C', '1B', '2B', '3B',
			    'SS', 'LF', 'CF', 'RF']
			  AND cardinality(positions) >= 1
			  AND array_ndims(positions) = 1
			  AND array_position(positions, NULL) IS NULL),
	pitcher_role	text CHECK (pitcher_role IN ('SP', 'RP')),
	created_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE card IS 'A player card: the physical card the managers read; the same card can be on one roster and play in many games.';
COMMENT ON COLUMN card.id IS 'Card id, used in events as card_id / player_in_card_id.';
COMMENT ON COLUMN card.name IS 'Player name printed on the card, shown in lineups and play descriptions.';
COMMENT ON COLUMN card.bats IS 'Batting hand: L, R or S (switch); NULL when unknown.';
COMMENT ON COLUMN card.throws IS 'Throwing hand: L or R; NULL when unknown.';
COMMENT ON COLUMN card.positions IS 'Field positions the card may play (P, C, 1B, 2B, 3B, SS, LF, CF, RF), at least one; DH needs no rating.';
COMMENT ON COLUMN card.pitcher_role IS 'SP (starter) or RP (reliever) for pitcher cards; NULL for position players.';
COMMENT ON COLUMN card.created_at IS 'When the card was added.';

CREATE TABLE roster (
	team_id		bigint NOT NULL REFERENCES team(id) ON DELETE CASCADE,
	card_id		bigint NOT NULL REFERENCES card(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, card_id)
);
CREATE INDEX roster_card ON roster(card_id);
COMMENT ON TABLE roster IS 'Which cards a team owns: its game roster, from which lineups and substitutes are drawn (rules.md §4).';
COMMENT ON COLUMN roster.team_id IS 'The team.';
COMMENT ON COLUMN roster.card_id IS 'A card on its roster.';

-- ------------------------------------------------------------ lineups

CREATE TABLE lineup_entry (
	id		bigserial PRIMARY KEY,
	game_id		uuid NOT NULL REFERENCES game(id) ON DELETE CASCADE,
	team_id		bigint NOT NULL REFERENCES team(id),
	card_id		bigint NOT NULL REFERENCES card(id),
	position	text NOT NULL CHECK (position IN ('P', 'C', '1B', '2B',
			    '3B', 'SS', 'LF', 'CF', 'RF', 'DH', 'PH', 'PR')),
	batting_order	integer CHECK (batting_order BETWEEN 1 AND 9),
	is_starter	boolean NOT NULL DEFAULT false,
	is_active	boolean NOT NULL DEFAULT true,
	inherit_position text CHECK (inherit_position IN ('P', 'C', '1B', '2B',
			    '3B', 'SS', 'LF', 'CF', 'RF', 'DH')),
	entered_play	integer NOT NULL DEFAULT 0 CHECK (entered_play >= 0),
	left_play	integer,
	replaced_id	bigint REFERENCES lineup_entry(id),
	pitcher_seq	integer CHECK (pitcher_seq >= 1),
	entry_lead	integer,
	entry_runners	integer CHECK (entry_runners BETWEEN 0 AND 3),
	save_situation	boolean NOT NULL DEFAULT false,
	blown_save	boolean NOT NULL DEFAULT false,
	entry_half_done	boolean NOT NULL DEFAULT false,
	-- No re-entry (rules.md §4, OBR 5.10(d)): a card plays one stint.
	CONSTRAINT lineup_entry_once UNIQUE (game_id, team_id, card_id),
	CONSTRAINT lineup_entry_left CHECK (left_play IS NULL
	    OR (NOT is_active AND left_play >= entered_play)),
	CONSTRAINT lineup_entry_starter CHECK (NOT is_starter
	    OR (replaced_id IS NULL AND entered_play = 0)),
	CONSTRAINT lineup_entry_not_self CHECK (replaced_id <> id),
	-- Pitchers are numbered per team in order of entry; see the note on
	-- deferral below.
	CONSTRAINT lineup_entry_pitcher_seq UNIQUE (game_id, team_id, pitcher_seq)
	    DEFERRABLE INITIALLY IMMEDIATE,
	-- One active player per batting slot, and per field position (DH
	-- counts as one), per team.  Deferrable, and checked at the end of
	-- each statement rather than per row, so that dugout_game_save can
	-- swap two players' slots or positions in one UPDATE;
	-- dugout_lineup_enter defers them until the engine's state is saved
	-- (a double switch), and dugout_game_save checks them again before it
	-- returns.  Exclusion constraints, because a unique index with a WHERE
	-- cannot be deferred.
	CONSTRAINT lineup_entry_active_order EXCLUDE USING btree
	    (game_id WITH =, team_id WITH =, batting_order WITH =)
	    WHERE (is_active AND batting_order IS NOT NULL)
	    DEFERRABLE INITIALLY IMMEDIATE,
	CONSTRAINT lineup_entry_active_position EXCLUDE USING btree
	    (game_id WITH =, team_id WITH =, position WITH =)
	    WHERE (is_active AND position IN ('P', 'C', '1B', '2B', '3B', 'SS',
	        'LF', 'CF', 'RF', 'DH'))
	    DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX lineup_entry_card ON lineup_entry(card_id);
CREATE INDEX lineup_entry_replaced ON lineup_entry(replaced_id)
    WHERE replaced_id IS NOT NULL;
COMMENT ON TABLE lineup_entry IS 'One player''s stint in one game for one team: starters, and every substitute as a new row (the one replaced is kept, inactive). Every "player" id of the game tables and events (lineup_id) is an id of this table.';
COMMENT ON COLUMN lineup_entry.id IS 'Lineup id, used in events as lineup_id and in the state document as a player id.';
COMMENT ON COLUMN lineup_entry.game_id IS 'The game.';
COMMENT ON COLUMN lineup_entry.team_id IS 'The team he plays for (home or away team of the game).';
COMMENT ON COLUMN lineup_entry.card_id IS 'His card.';
COMMENT ON COLUMN lineup_entry.position IS 'Current position: a field position, DH, or PH/PR for a pinch hitter or runner not yet placed in the field; for an inactive entry, the position he held when he left.';
COMMENT ON COLUMN lineup_entry.batting_order IS 'Batting slot 1..9; NULL when he does not bat (the pitcher with a DH).';
COMMENT ON COLUMN lineup_entry.is_starter IS 'In the starting lineup.';
COMMENT ON COLUMN lineup_entry.is_active IS 'Still in the game; false once replaced (no re-entry).';
COMMENT ON COLUMN lineup_entry.inherit_position IS 'For a PH/PR: the field position (or DH) of the player he replaced, which he takes when his side next fields unless changed.';
COMMENT ON COLUMN lineup_entry.entered_play IS 'game.play_count when he entered (0 for starters): he entered after that many plays.';
COMMENT ON COLUMN lineup_entry.left_play IS 'game.play_count when he was replaced; NULL while active.';
COMMENT ON COLUMN lineup_entry.replaced_id IS 'The entry he replaced; NULL for starters.';
COMMENT ON COLUMN lineup_entry.pitcher_seq IS 'For pitchers only: 1 = starting pitcher, 2 = first reliever, ... per team in order of entry.';
COMMENT ON COLUMN lineup_entry.entry_lead IS 'Pitchers: his team''s lead (negative when behind) when he entered, for saves and holds (rules.md §3.5).';
COMMENT ON COLUMN lineup_entry.entry_runners IS 'Pitchers: runners on base when he entered (inherited runners).';
COMMENT ON COLUMN lineup_entry.save_situation IS 'Pitchers: entered in a save situation (rules.md §3.5).';
COMMENT ON COLUMN lineup_entry.blown_save IS 'Pitchers: blew a save (the tying run scored while he pitched after entering in a save situation).';
COMMENT ON COLUMN lineup_entry.entry_half_done IS 'Pitchers: the half-inning in which he entered has ended (he may then be replaced without facing a batter, rules.md §4).';

-- ------------------------------------------------------------ dice rolls

CREATE TABLE dice_roll (
	id		bigserial PRIMARY KEY,
	game_id		uuid NOT NULL REFERENCES game(id) ON DELETE CASCADE,
	kind		text NOT NULL DEFAULT 'at_bat'
			CHECK (kind ~ '^[a-z][a-z_]{0,31}$'),
	d6_one		integer NOT NULL CHECK (d6_one BETWEEN 1 AND 6),
	d6_two_a	integer NOT NULL CHECK (d6_two_a BETWEEN 1 AND 6),
	d6_two_b	integer NOT NULL CHECK (d6_two_b BETWEEN 1 AND 6),
	d6_two_total	integer GENERATED ALWAYS AS (d6_two_a + d6_two_b) STORED,
	chaos_d20	integer NOT NULL CHECK (chaos_d20 BETWEEN 1 AND 20),
	resolution_d20	integer NOT NULL CHECK (resolution_d20 BETWEEN 1 AND 20),
	check_wild_pitch boolean NOT NULL DEFAULT false,
	check_passed_ball boolean NOT NULL DEFAULT false,
	rolled_by	text NOT NULL,
	socket_id	text,
	inning		integer NOT NULL CHECK (inning BETWEEN 1 AND 99),
	half		text NOT NULL CHECK (half IN ('top', 'bottom')),
	play_number	integer NOT NULL CHECK (play_number >= 1),
	rolled_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz,
	play_id		bigint,		-- FK added below, once play exists
	CHECK (NOT check_wild_pitch OR chaos_d20 = 1),
	CHECK (NOT check_passed_ball OR chaos_d20 = 2),
	CHECK (expires_at >= rolled_at),
	CHECK (play_id IS NULL OR used_at IS NOT NULL)
);
CREATE INDEX dice_roll_game ON dice_roll(game_id, id);
COMMENT ON TABLE dice_roll IS 'Every roll of the at-bat dice (rules.md §1.5: 1d6, 2d6, chaos d20, resolution d20), kept with the game for the audit trail; a roll is consumed by exactly one play (play.roll_id is UNIQUE).';
COMMENT ON COLUMN dice_roll.id IS 'Roll id, sent as roll_id in dice_rolled and play_resolved.';
COMMENT ON COLUMN dice_roll.game_id IS 'The game rolled for.';
COMMENT ON COLUMN dice_roll.kind IS 'What the roll is for; at_bat for the at-bat dice.';
COMMENT ON COLUMN dice_roll.d6_one IS 'The single d6: 1-3 read the batter''s card, 4-6 the pitcher''s; also the column.';
COMMENT ON COLUMN dice_roll.d6_two_a IS 'First die of the 2d6 row roll.';
COMMENT ON COLUMN dice_roll.d6_two_b IS 'Second die of the 2d6 row roll.';
COMMENT ON COLUMN dice_roll.d6_two_total IS 'The 2d6 row (2-12), computed.';
COMMENT ON COLUMN dice_roll.chaos_d20 IS 'The chaos d20: 1 = wild-pitch check, 2 = passed-ball check (with runners on).';
COMMENT ON COLUMN dice_roll.resolution_d20 IS 'The d20 that resolves split results and the WP/PB checks.';
COMMENT ON COLUMN dice_roll.check_wild_pitch IS 'This roll is a wild-pitch check (chaos d20 = 1 with a runner on).';
COMMENT ON COLUMN dice_roll.check_passed_ball IS 'This roll is a passed-ball check (chaos d20 = 2 with a runner on).';
COMMENT ON COLUMN dice_roll.rolled_by IS 'User id (JWT sub) of the manager who rolled.';
COMMENT ON COLUMN dice_roll.socket_id IS 'Socket that asked for the roll; no foreign key, sockets are transient.';
COMMENT ON COLUMN dice_roll.inning IS 'Inning when rolled.';
COMMENT ON COLUMN dice_roll.half IS 'Half-inning when rolled: top or bottom.';
COMMENT ON COLUMN dice_roll.play_number IS 'The play it was rolled for: game.play_count + 1 at the time.';
COMMENT ON COLUMN dice_roll.rolled_at IS 'When it was rolled (dice_rolled timestamp).';
COMMENT ON COLUMN dice_roll.expires_at IS 'After this the roll is no longer pending and cannot be used.';
COMMENT ON COLUMN dice_roll.used_at IS 'When the play that consumed it was recorded; NULL while unused.';
COMMENT ON COLUMN dice_roll.play_id IS 'The play that consumed it; NULL while unused.';

-- ------------------------------------------------------------ decisions

CREATE TABLE decision (
	id		bigserial PRIMARY KEY,
	game_id		uuid NOT NULL REFERENCES game(id) ON DELETE CASCADE,
	team_id		bigint NOT NULL REFERENCES team(id),
	side		text NOT NULL CHECK (side IN ('defensive', 'offensive')),
	play_number	integer NOT NULL CHECK (play_number >= 1),
	alignment	text CHECK (alignment IN ('normal', 'shifted_left',
			    'shifted_right', 'extreme_shift')),
	infield_depth	text CHECK (infield_depth IN ('in', 'normal', 'back',
			    'double_play')),
	outfield_depth	text CHECK (outfield_depth IN ('in', 'normal', 'back')),
	hold_runners	integer[] CHECK (hold_runners <@ ARRAY[1, 2, 3]
			    AND cardinality(hold_runners) <= 3
			    AND array_position(hold_runners, NULL) IS NULL),
	approach	text CHECK (approach IN ('normal', 'contact', 'power',
			    'patient')),
	steal_attempts	integer[] CHECK (steal_attempts <@ ARRAY[1, 2, 3]
			    AND cardinality(steal_attempts) <= 3
			    AND array_position(steal_attempts, NULL) IS NULL),
	hit_and_run	boolean,
	bunt_attempt	boolean,
	submitted_by	text NOT NULL,
	submitted_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	CONSTRAINT decision_defensive_columns CHECK (side <> 'defensive' OR (
	    alignment IS NOT NULL AND infield_depth IS NOT NULL
	    AND outfield_depth IS NOT NULL AND hold_runners IS NOT NULL
	    AND approach IS NULL AND steal_attempts IS NULL
	    AND hit_and_run IS NULL AND bunt_attempt IS NULL)),
	CONSTRAINT decision_offensive_columns CHECK (side <> 'offensive' OR (
	    approach IS NOT NULL AND steal_attempts IS NOT NULL
	    AND hit_and_run IS NOT NULL AND bunt_attempt IS NOT NULL
	    AND alignment IS NULL AND infield_depth IS NULL
	    AND outfield_depth IS NULL AND hold_runners IS NULL))
);
CREATE INDEX decision_game ON decision(game_id, play_number);
COMMENT ON TABLE decision IS 'A defensive or offensive decision submitted for a plate appearance (events.md "Decisions before a play"); the game row points at those in force.';
COMMENT ON COLUMN decision.id IS 'Decision id.';
COMMENT ON COLUMN decision.game_id IS 'The game.';
COMMENT ON COLUMN decision.team_id IS 'The team that submitted it (fielding team for defensive, batting team for offensive).';
COMMENT ON COLUMN decision.side IS 'defensive or offensive; the columns of the other side are NULL.';
COMMENT ON COLUMN decision.play_number IS 'The play it was made for: game.play_count + 1 when submitted.';
COMMENT ON COLUMN decision.alignment IS 'Defensive: normal, shifted_left, shifted_right or extreme_shift (stored, no effect in manual mode).';
COMMENT ON COLUMN decision.infield_depth IS 'Defensive: in, normal, back or double_play.';
COMMENT ON COLUMN decision.outfield_depth IS 'Defensive: in, normal or back.';
COMMENT ON COLUMN decision.hold_runners IS 'Defensive: bases (1-3) whose runners are held.';
COMMENT ON COLUMN decision.approach IS 'Offensive: normal, contact, power or patient (stored, no effect in manual mode).';
COMMENT ON COLUMN decision.steal_attempts IS 'Offensive: bases (1-3) whose runners are sent to steal.';
COMMENT ON COLUMN decision.hit_and_run IS 'Offensive: hit-and-run on.';
COMMENT ON COLUMN decision.bunt_attempt IS 'Offensive: the batter bunts.';
COMMENT ON COLUMN decision.submitted_by IS 'User id (JWT sub) of the manager who submitted it, or "dugout" for the server''s adjustment of one after a runner event (a resolved steal no longer declared, a hold on a base now empty dropped).';
COMMENT ON COLUMN decision.submitted_at IS 'When it was submitted.';

-- ------------------------------------------------- the live game state

ALTER TABLE game
	ADD COLUMN scheduled_innings integer NOT NULL DEFAULT 9
	    CHECK (scheduled_innings BETWEEN 1 AND 99),
	ADD COLUMN use_dh boolean NOT NULL DEFAULT true,
	ADD COLUMN extra_runner boolean NOT NULL DEFAULT false,
	ADD COLUMN inning integer NOT NULL DEFAULT 1
	    CHECK (inning BETWEEN 1 AND 99),
	ADD COLUMN half text NOT NULL DEFAULT 'top'
	    CHECK (half IN ('top', 'bottom')),
	ADD COLUMN outs integer NOT NULL DEFAULT 0 CHECK (outs BETWEEN 0 AND 3),
	ADD CONSTRAINT game_outs_final CHECK (outs < 3 OR status = 'final'),
	ADD COLUMN away_score integer NOT NULL DEFAULT 0 CHECK (away_score >= 0),
	ADD COLUMN home_score integer NOT NULL DEFAULT 0 CHECK (home_score >= 0),
	ADD COLUMN runner_1_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN runner_2_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN runner_3_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN runner_1_pitcher_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN runner_2_pitcher_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN runner_3_pitcher_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN runner_1_unearned boolean NOT NULL DEFAULT false,
	ADD COLUMN runner_2_unearned boolean NOT NULL DEFAULT false,
	ADD COLUMN runner_3_unearned boolean NOT NULL DEFAULT false,
	ADD COLUMN away_next_slot integer NOT NULL DEFAULT 1
	    CHECK (away_next_slot BETWEEN 1 AND 9),
	ADD COLUMN home_next_slot integer NOT NULL DEFAULT 1
	    CHECK (home_next_slot BETWEEN 1 AND 9),
	ADD COLUMN away_pitcher_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN home_pitcher_id bigint REFERENCES lineup_entry(id),
	ADD COLUMN away_goahead_w bigint REFERENCES lineup_entry(id),
	ADD COLUMN away_goahead_l bigint REFERENCES lineup_entry(id),
	ADD COLUMN home_goahead_w bigint REFERENCES lineup_entry(id),
	ADD COLUMN home_goahead_l bigint REFERENCES lineup_entry(id),
	ADD COLUMN phantom_outs integer NOT NULL DEFAULT 0
	    CHECK (phantom_outs >= 0),
	ADD COLUMN play_count integer NOT NULL DEFAULT 0 CHECK (play_count >= 0),
	ADD COLUMN pending_decision text NOT NULL DEFAULT 'defensive'
	    CHECK (pending_decision IN ('defensive', 'offensive', 'resolution',
	        'outcome', 'none')),
	ADD COLUMN defensive_decision_id bigint REFERENCES decision(id),
	ADD COLUMN offensive_decision_id bigint REFERENCES decision(id),
	ADD COLUMN pending_roll_id bigint REFERENCES dice_roll(id),
	ADD COLUMN winner_team_id bigint REFERENCES team(id),
	ADD COLUMN started_at timestamptz,
	ADD COLUMN finished_at timestamptz,
	ADD CONSTRAINT game_runner_1 CHECK (runner_1_id IS NOT NULL
	    OR (runner_1_pitcher_id IS NULL AND NOT runner_1_unearned)),
	ADD CONSTRAINT game_runner_2 CHECK (runner_2_id IS NOT NULL
	    OR (runner_2_pitcher_id IS NULL AND NOT runner_2_unearned)),
	ADD CONSTRAINT game_runner_3 CHECK (runner_3_id IS NOT NULL
	    OR (runner_3_pitcher_id IS NULL AND NOT runner_3_unearned)),
	-- NULL comparisons pass: only two occupied bases can clash.
	ADD CONSTRAINT game_runners_distinct CHECK (runner_1_id <> runner_2_id
	    AND runner_1_id <> runner_3_id AND runner_2_id <> runner_3_id),
	ADD CONSTRAINT game_winner CHECK (winner_team_id IS NULL
	    OR (status = 'final'
	        AND winner_team_id IN (home_team_id, away_team_id)));
COMMENT ON COLUMN game.scheduled_innings IS 'Regulation length in innings (default 9, rules.md §2.4).';
COMMENT ON COLUMN game.use_dh IS 'Designated hitter in use: pitchers do not bat.';
COMMENT ON COLUMN game.extra_runner IS 'Extra innings start with a runner on 2nd (rules.md §6 #16; default off).';
COMMENT ON COLUMN game.inning IS 'Current inning, 1..';
COMMENT ON COLUMN game.half IS 'Current half-inning: top (away bats) or bottom (home bats).';
COMMENT ON COLUMN game.outs IS 'Outs in the current half-inning, 0..2 (the third out ends the half); 3 only in a final game whose last play was an out.';
COMMENT ON COLUMN game.away_score IS 'Runs of the visiting team.';
COMMENT ON COLUMN game.home_score IS 'Runs of the home team.';
COMMENT ON COLUMN game.runner_1_id IS 'Runner on first (lineup entry); NULL when empty.';
COMMENT ON COLUMN game.runner_2_id IS 'Runner on second; NULL when empty.';
COMMENT ON COLUMN game.runner_3_id IS 'Runner on third; NULL when empty.';
COMMENT ON COLUMN game.runner_1_pitcher_id IS 'Pitcher responsible for the runner on first (charged with his run, rules.md §3.4).';
COMMENT ON COLUMN game.runner_2_pitcher_id IS 'Pitcher responsible for the runner on second.';
COMMENT ON COLUMN game.runner_3_pitcher_id IS 'Pitcher responsible for the runner on third.';
COMMENT ON COLUMN game.runner_1_unearned IS 'The runner on first reached on an error or interference: his run would be unearned.';
COMMENT ON COLUMN game.runner_2_unearned IS 'The runner on second would score an unearned run.';
COMMENT ON COLUMN game.runner_3_unearned IS 'The runner on third would score an unearned run.';
COMMENT ON COLUMN game.away_next_slot IS 'Visitors'' batting slot (1..9) due up next.';
COMMENT ON COLUMN game.home_next_slot IS 'Home batting slot (1..9) due up next.';
COMMENT ON COLUMN game.away_pitcher_id IS 'Visitors'' current pitcher (lineup entry).';
COMMENT ON COLUMN game.home_pitcher_id IS 'Home team''s current pitcher (lineup entry).';
COMMENT ON COLUMN game.away_goahead_w IS 'Visitors'' pitcher of record when they last took the lead (winning-pitcher candidate, rules.md §3.5).';
COMMENT ON COLUMN game.away_goahead_l IS 'Home pitcher charged with the run that last put the visitors ahead (losing-pitcher candidate).';
COMMENT ON COLUMN game.home_goahead_w IS 'Home pitcher of record when the home team last took the lead.';
COMMENT ON COLUMN game.home_goahead_l IS 'Visiting pitcher charged with the run that last put the home team ahead.';
COMMENT ON COLUMN game.phantom_outs IS 'Outs the defence should have made this half (errors, interference), for earned runs (rules.md §3.4).';
COMMENT ON COLUMN game.play_count IS 'Plays recorded so far; the next play is number play_count + 1.';
COMMENT ON COLUMN game.pending_decision IS 'What the game waited for after its last action: defensive, offensive, resolution, outcome (a roll awaits its outcome) or none (over).  When the pending roll has expired since, dugout_game_state reports the decision step instead of outcome.';
COMMENT ON COLUMN game.defensive_decision_id IS 'Defensive decision in force for the current plate appearance; NULL when none was submitted (defaults).';
COMMENT ON COLUMN game.offensive_decision_id IS 'Offensive decision in force for the current plate appearance; NULL when none was submitted (defaults).';
COMMENT ON COLUMN game.pending_roll_id IS 'The at-bat roll awaiting its outcome; it is pending only while unused and unexpired.';
COMMENT ON COLUMN game.winner_team_id IS 'The winning team, once final.';
COMMENT ON COLUMN game.started_at IS 'When the game became active.';
COMMENT ON COLUMN game.finished_at IS 'When the game became final.';

-- ----------------------------------------------------------------- plays

CREATE TABLE play (
	id		bigserial PRIMARY KEY,
	game_id		uuid NOT NULL REFERENCES game(id) ON DELETE CASCADE,
	play_number	integer NOT NULL CHECK (play_number >= 1),
	inning		integer NOT NULL CHECK (inning BETWEEN 1 AND 99),
	half		text NOT NULL CHECK (half IN ('top', 'bottom')),
	outs_before	integer NOT NULL CHECK (outs_before BETWEEN 0 AND 2),
	outs_after	integer NOT NULL CHECK (outs_after BETWEEN 0 AND 3),
	on_base_code	text NOT NULL CHECK (on_base_code ~ '^[01]{3}$'),
	runner_1_before	bigint REFERENCES lineup_entry(id),
	runner_2_before	bigint REFERENCES lineup_entry(id),
	runner_3_before	bigint REFERENCES lineup_entry(id),
	runner_1_after	bigint REFERENCES lineup_entry(id),
	runner_2_after	bigint REFERENCES lineup_entry(id),
	runner_3_after	bigint REFERENCES lineup_entry(id),
	batter_id	bigint NOT NULL REFERENCES lineup_entry(id),
	pitcher_id	bigint NOT NULL REFERENCES lineup_entry(id),
	batting_team_id	bigint NOT NULL REFERENCES team(id),
	fielding_team_id bigint NOT NULL REFERENCES team(id),
	outcome		text NOT NULL CHECK (outcome IN (
			    'strikeout', 'groundball_a', 'groundball_b',
			    'groundball_c', 'flyball_a', 'flyball_b',
			    'flyball_bq', 'flyball_c', 'lineout', 'lineout_max',
			    'popout', 'foulout', 'sac_bunt', 'fielders_choice',
			    'single_1', 'single_2', 'single_uncapped',
			    'double_2', 'double_3', 'double_uncapped', 'triple',
			    'homerun', 'bp_homerun', 'bp_single', 'bp_flyout',
			    'bp_lineout', 'walk', 'intentional_walk', 'hbp',
			    'catcher_interference', 'error', 'stolen_base',
			    'caught_stealing', 'pickoff', 'wild_pitch',
			    'passed_ball', 'balk')),
	hit_location	text CHECK (hit_location IN ('P', 'C', '1B', '2B', '3B',
			    'SS', 'LF', 'CF', 'RF')),
	error_bases	smallint NOT NULL DEFAULT 0 CHECK (error_bases BETWEEN 0 AND 3),
	roll_id		bigint UNIQUE REFERENCES dice_roll(id),
	defensive_decision_id bigint REFERENCES decision(id),
	offensive_decision_id bigint REFERENCES decision(id),
	description	text NOT NULL DEFAULT '',
	away_score_before integer NOT NULL CHECK (away_score_before >= 0),
	home_score_before integer NOT NULL CHECK (home_score_before >= 0),
	away_score_after integer NOT NULL CHECK (away_score_after >= 0),
	home_score_after integer NOT NULL CHECK (home_score_after >= 0),
	outs		smallint NOT NULL DEFAULT 0 CHECK (outs BETWEEN 0 AND 3),
	runs		smallint NOT NULL DEFAULT 0 CHECK (runs BETWEEN 0 AND 4),
	rbi		smallint NOT NULL DEFAULT 0 CHECK (rbi BETWEEN 0 AND 4),
	earned_runs	smallint NOT NULL DEFAULT 0 CHECK (earned_runs >= 0),
	pa		smallint NOT NULL DEFAULT 0 CHECK (pa BETWEEN 0 AND 1),
	ab		smallint NOT NULL DEFAULT 0 CHECK (ab >= 0),
	h		smallint NOT NULL DEFAULT 0 CHECK (h >= 0),
	b2		smallint NOT NULL DEFAULT 0 CHECK (b2 >= 0),
	b3		smallint NOT NULL DEFAULT 0 CHECK (b3 >= 0),
	hr		smallint NOT NULL DEFAULT 0 CHECK (hr >= 0),
	bb		smallint NOT NULL DEFAULT 0 CHECK (bb >= 0),
	ibb		smallint NOT NULL DEFAULT 0 CHECK (ibb >= 0),
	hbp		smallint NOT NULL DEFAULT 0 CHECK (hbp >= 0),
	so		smallint NOT NULL DEFAULT 0 CHECK (so >= 0),
	sh		smallint NOT NULL DEFAULT 0 CHECK (sh >= 0),
	sf		smallint NOT NULL DEFAULT 0 CHECK (sf >= 0),
	ci		smallint NOT NULL DEFAULT 0 CHECK (ci >= 0),
	gidp		smallint NOT NULL DEFAULT 0 CHECK (gidp >= 0),
	e		smallint NOT NULL DEFAULT 0 CHECK (e >= 0),
	wp		smallint NOT NULL DEFAULT 0 CHECK (wp >= 0),
	pb		smallint NOT NULL DEFAULT 0 CHECK (pb >= 0),
	bk		smallint NOT NULL DEFAULT 0 CHECK (bk >= 0),
	sb		smallint NOT NULL DEFAULT 0 CHECK (sb >= 0),
	cs		smallint NOT NULL DEFAULT 0 CHECK (cs >= 0),
	bphr		smallint NOT NULL DEFAULT 0 CHECK (bphr >= 0),
	bp1b		smallint NOT NULL DEFAULT 0 CHECK (bp1b >= 0),
	bpfo		smallint NOT NULL DEFAULT 0 CHECK (bpfo >= 0),
	bplo		smallint NOT NULL DEFAULT 0 CHECK (bplo >= 0),
	lob		smallint NOT NULL DEFAULT 0 CHECK (lob >= 0),
	team_lob	smallint NOT NULL DEFAULT 0 CHECK (team_lob >= 0),
	is_hit		boolean NOT NULL DEFAULT false,
	is_out		boolean NOT NULL DEFAULT false,
	is_walk		boolean NOT NULL DEFAULT false,
	hit_value	smallint NOT NULL DEFAULT 0 CHECK (hit_value BETWEEN 0 AND 4),
	batter_result	text,
	ends_half	boolean NOT NULL DEFAULT false,
	ends_game	boolean NOT NULL DEFAULT false,
	submitted_by	text,
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	CONSTRAINT play_number_once UNIQUE (game_id, play_number),
	CONSTRAINT play_teams CHECK (batting_team_id <> fielding_team_id),
	CONSTRAINT play_counts CHECK (ab <= pa AND h <= ab
	    AND earned_runs <= runs AND rbi <= runs),
	CONSTRAINT play_score CHECK (away_score_after + home_score_after
	    = away_score_before + home_score_before + runs),
	CONSTRAINT play_base_code CHECK (on_base_code =
	    (CASE WHEN runner_1_before IS NULL THEN '0' ELSE '1' END)
	    || (CASE WHEN runner_2_before IS NULL THEN '0' ELSE '1' END)
	    || (CASE WHEN runner_3_before IS NULL THEN '0' ELSE '1' END))
);
CREATE INDEX play_batter ON play(batter_id);
CREATE INDEX play_pitcher ON play(pitcher_id);
COMMENT ON TABLE play IS 'One row per resolved play (the play document of src/game_json.h), with every per-play counter the box score sums (rules.md §3, §5.4): box scores are SUM(...) GROUP BY player over this table.';
COMMENT ON COLUMN play.id IS 'Play id.';
COMMENT ON COLUMN play.game_id IS 'The game.';
COMMENT ON COLUMN play.play_number IS '1-based number of the play in its game.';
COMMENT ON COLUMN play.inning IS 'Inning of the play.';
COMMENT ON COLUMN play.half IS 'Half-inning of the play: top (away bats) or bottom (home bats).';
COMMENT ON COLUMN play.outs_before IS 'Outs when the play began.';
COMMENT ON COLUMN play.outs_after IS 'Outs when it ended (3 when it ended the half).';
COMMENT ON COLUMN play.on_base_code IS 'Base state before the play: three characters for 1st, 2nd, 3rd, 1 = occupied (rules.md §0.3), e.g. 101.';
COMMENT ON COLUMN play.runner_1_before IS 'Runner on first before the play.';
COMMENT ON COLUMN play.runner_2_before IS 'Runner on second before the play.';
COMMENT ON COLUMN play.runner_3_before IS 'Runner on third before the play.';
COMMENT ON COLUMN play.runner_1_after IS 'Runner on first after the play (NULL when the play ended the half).';
COMMENT ON COLUMN play.runner_2_after IS 'Runner on second after the play.';
COMMENT ON COLUMN play.runner_3_after IS 'Runner on third after the play.';
COMMENT ON COLUMN play.batter_id IS 'Batter at the plate (also for runner events, which do not end his plate appearance).';
COMMENT ON COLUMN play.pitcher_id IS 'Pitcher on the mound: credited with the outs, charged with the PA counters.';
COMMENT ON COLUMN play.batting_team_id IS 'Team at bat.';
COMMENT ON COLUMN play.fielding_team_id IS 'Team in the field.';
COMMENT ON COLUMN play.outcome IS 'Canonical outcome name of rules.md §1.1 (aliases are resolved before storing).';
COMMENT ON COLUMN play.hit_location IS 'Fielder the ball went to (P, C, 1B, 2B, 3B, SS, LF, CF, RF); charged with the error, if any.';
COMMENT ON COLUMN play.error_bases IS 'Bases given by an error: for error the bases the batter reached, on a hit the extra bases (0 = no error).';
COMMENT ON COLUMN play.roll_id IS 'The at-bat roll the play consumed; UNIQUE, so a roll is used once. NULL for runner events and rollless intentional walks.';
COMMENT ON COLUMN play.defensive_decision_id IS 'Defensive decision in force for the play; NULL = defaults.';
COMMENT ON COLUMN play.offensive_decision_id IS 'Offensive decision in force for the play; NULL = defaults.';
COMMENT ON COLUMN play.description IS 'Human description, as broadcast in play_resolved.';
COMMENT ON COLUMN play.away_score_before IS 'Visitors'' runs before the play.';
COMMENT ON COLUMN play.home_score_before IS 'Home runs before the play.';
COMMENT ON COLUMN play.away_score_after IS 'Visitors'' runs after the play.';
COMMENT ON COLUMN play.home_score_after IS 'Home runs after the play.';
COMMENT ON COLUMN play.outs IS 'Outs recorded on the play (credited to pitcher_id).';
COMMENT ON COLUMN play.runs IS 'Runs that counted on the play.';
COMMENT ON COLUMN play.rbi IS 'Runs batted in credited to the batter (rules.md §3.3).';
COMMENT ON COLUMN play.earned_runs IS 'Of runs, those earned (rules.md §3.4); charged per runner in play_runner.';
COMMENT ON COLUMN play.pa IS '1 when the play completed the batter''s plate appearance (batters faced for the pitcher).';
COMMENT ON COLUMN play.ab IS '1 when it is an official at-bat (rules.md §3.1).';
COMMENT ON COLUMN play.h IS '1 for a hit.';
COMMENT ON COLUMN play.b2 IS '1 for a double (after walk-off truncation).';
COMMENT ON COLUMN play.b3 IS '1 for a triple.';
COMMENT ON COLUMN play.hr IS '1 for a home run (including ballpark home runs).';
COMMENT ON COLUMN play.bb IS '1 for a base on balls, intentional or not.';
COMMENT ON COLUMN play.ibb IS '1 for an intentional walk.';
COMMENT ON COLUMN play.hbp IS '1 for a hit batsman.';
COMMENT ON COLUMN play.so IS '1 for a strikeout.';
COMMENT ON COLUMN play.sh IS '1 for a sacrifice bunt.';
COMMENT ON COLUMN play.sf IS '1 for a sacrifice fly.';
COMMENT ON COLUMN play.ci IS '1 for catcher''s interference (an error charged to the catcher).';
COMMENT ON COLUMN play.gidp IS '1 when the batter grounded into a double play.';
COMMENT ON COLUMN play.e IS 'Errors charged to the fielding team on the play (to the fielder at hit_location; to the catcher for ci).';
COMMENT ON COLUMN play.wp IS '1 for a wild pitch (charged to the pitcher).';
COMMENT ON COLUMN play.pb IS '1 for a passed ball (charged to the catcher).';
COMMENT ON COLUMN play.bk IS '1 for a balk (charged to the pitcher).';
COMMENT ON COLUMN play.sb IS 'Stolen bases on the play (credited per runner in play_runner.sb).';
COMMENT ON COLUMN play.cs IS 'Runners caught stealing on the play (per runner in play_runner.cs).';
COMMENT ON COLUMN play.bphr IS '1 for a ballpark home run.';
COMMENT ON COLUMN play.bp1b IS '1 for a ballpark single.';
COMMENT ON COLUMN play.bpfo IS '1 for a ballpark fly out (missed ballpark home run).';
COMMENT ON COLUMN play.bplo IS '1 for a ballpark line out (missed ballpark single).';
COMMENT ON COLUMN play.lob IS 'Batter''s individual LOB: runners left on base when he made an out (rules.md §3.6).';
COMMENT ON COLUMN play.team_lob IS 'Runners left on base when this play ended the half-inning (or the game); team LOB is its sum.';
COMMENT ON COLUMN play.is_hit IS 'The outcome kind is a hit (rules.md §1.1).';
COMMENT ON COLUMN play.is_out IS 'The outcome kind is an out (rules.md §1.1).';
COMMENT ON COLUMN play.is_walk IS 'The outcome kind is a walk (rules.md §1.1).';
COMMENT ON COLUMN play.hit_value IS 'Bases credited to a hit (1-4) after walk-off truncation; 0 otherwise.';
COMMENT ON COLUMN play.batter_result IS 'Scorebook result for the batter, e.g. K, 1B, HR; NULL for runner events.';
COMMENT ON COLUMN play.ends_half IS 'The play made the third out.';
COMMENT ON COLUMN play.ends_game IS 'The play ended the game.';
COMMENT ON COLUMN play.submitted_by IS 'User id (JWT sub) of the manager who submitted the outcome.';
COMMENT ON COLUMN play.created_at IS 'When the play was recorded.';

ALTER TABLE dice_roll ADD CONSTRAINT dice_roll_play_fk
	FOREIGN KEY (play_id) REFERENCES play(id) ON DELETE SET NULL;
CREATE INDEX dice_roll_play ON dice_roll(play_id) WHERE play_id IS NOT NULL;

CREATE TABLE play_runner (
	play_id		bigint NOT NULL REFERENCES play(id) ON DELETE CASCADE,
	lineup_id	bigint NOT NULL REFERENCES lineup_entry(id),
	from_base	smallint NOT NULL CHECK (from_base BETWEEN 0 AND 3),
	to_base		smallint NOT NULL CHECK (to_base BETWEEN 0 AND 4),
	out		boolean NOT NULL DEFAULT false,
	scored		boolean NOT NULL DEFAULT false,
	earned		boolean NOT NULL DEFAULT false,
	rbi		boolean NOT NULL DEFAULT false,
	responsible_pitcher_id bigint REFERENCES lineup_entry(id),
	sb		boolean NOT NULL DEFAULT false,
	cs		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (play_id, from_base),
	CONSTRAINT play_runner_forward CHECK (to_base >= from_base),
	CONSTRAINT play_runner_scored CHECK (NOT scored
	    OR (to_base = 4 AND NOT out)),
	CONSTRAINT play_runner_run_flags CHECK ((NOT earned AND NOT rbi)
	    OR scored),
	CONSTRAINT play_runner_steal CHECK (NOT (sb AND cs))
);
CREATE INDEX play_runner_lineup ON play_runner(lineup_id);
COMMENT ON TABLE play_runner IS 'Runner movement of a play: one row per runner or batter who moved, was put out or scored (lead runner first by from_base desc); runs, earned runs, SB and CS per player are sums over it.';
COMMENT ON COLUMN play_runner.play_id IS 'The play.';
COMMENT ON COLUMN play_runner.lineup_id IS 'The runner (or the batter, from_base 0).';
COMMENT ON COLUMN play_runner.from_base IS 'Base he started the play on: 0 batter, 1-3.';
COMMENT ON COLUMN play_runner.to_base IS 'Base he reached (4 = home), or, when out, the base where he was put out (0 for a batter retired before reaching base).';
COMMENT ON COLUMN play_runner.out IS 'He was put out on the play.';
COMMENT ON COLUMN play_runner.scored IS 'He crossed the plate and the run counts (R for him).';
COMMENT ON COLUMN play_runner.earned IS 'His run is earned (rules.md §3.4).';
COMMENT ON COLUMN play_runner.rbi IS 'The batter is credited with an RBI for his run.';
COMMENT ON COLUMN play_runner.responsible_pitcher_id IS 'Pitcher charged with his run (the one who put him on base, rules.md §3.4).';
COMMENT ON COLUMN play_runner.sb IS 'Credited with a stolen base.';
COMMENT ON COLUMN play_runner.cs IS 'Caught stealing.';

-- ---------------------------------------------------------- substitutions

CREATE TABLE substitution (
	id		bigserial PRIMARY KEY,
	game_id		uuid NOT NULL REFERENCES game(id) ON DELETE CASCADE,
	team_id		bigint NOT NULL REFERENCES team(id),
	type		text NOT NULL CHECK (type IN ('pinch_hitter', 'pinch_runner',
			    'defensive_replacement', 'pitching_change')),
	player_out_id	bigint NOT NULL REFERENCES lineup_entry(id),
	player_in_id	bigint NOT NULL UNIQUE REFERENCES lineup_entry(id),
	position	text NOT NULL CHECK (position IN ('P', 'C', '1B', '2B',
			    '3B', 'SS', 'LF', 'CF', 'RF', 'DH', 'PH', 'PR')),
	batting_order	integer CHECK (batting_order BETWEEN 1 AND 9),
	after_play	integer NOT NULL CHECK (after_play >= 0),
	inning		integer NOT NULL CHECK (inning BETWEEN 1 AND 99),
	half		text NOT NULL CHECK (half IN ('top', 'bottom')),
	outs		integer NOT NULL CHECK (outs BETWEEN 0 AND 2),
	requested_by	text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	CHECK (player_out_id <> player_in_id)
);
CREATE INDEX substitution_game ON substitution(game_id, id);
COMMENT ON TABLE substitution IS 'Every substitution made during a game (rules.md §4), with when it happened.';
COMMENT ON COLUMN substitution.id IS 'Substitution id.';
COMMENT ON COLUMN substitution.game_id IS 'The game.';
COMMENT ON COLUMN substitution.team_id IS 'The team that made it.';
COMMENT ON COLUMN substitution.type IS 'pinch_hitter, pinch_runner, defensive_replacement or pitching_change.';
COMMENT ON COLUMN substitution.player_out_id IS 'Lineup entry leaving the game.';
COMMENT ON COLUMN substitution.player_in_id IS 'Lineup entry created for the player entering.';
COMMENT ON COLUMN substitution.position IS 'Position the entrant took (PH/PR for pinch hitters and runners).';
COMMENT ON COLUMN substitution.batting_order IS 'Batting slot the entrant took; NULL when he does not bat.';
COMMENT ON COLUMN substitution.after_play IS 'game.play_count at the time: made after that many plays.';
COMMENT ON COLUMN substitution.inning IS 'Inning at the time.';
COMMENT ON COLUMN substitution.half IS 'Half-inning at the time.';
COMMENT ON COLUMN substitution.outs IS 'Outs at the time.';
COMMENT ON COLUMN substitution.requested_by IS 'User id (JWT sub) of the manager who asked for it.';
COMMENT ON COLUMN substitution.created_at IS 'When it was made.';

-- ------------------------------------------------------ pitching decisions

CREATE TABLE pitcher_decision (
	game_id		uuid NOT NULL REFERENCES game(id) ON DELETE CASCADE,
	lineup_id	bigint NOT NULL REFERENCES lineup_entry(id),
	decision	text NOT NULL CHECK (decision IN ('W', 'L', 'SV', 'HLD', 'BS')),
	PRIMARY KEY (game_id, lineup_id, decision)
);
CREATE INDEX pitcher_decision_lineup ON pitcher_decision(lineup_id);
CREATE UNIQUE INDEX pitcher_decision_one_each ON pitcher_decision(game_id, decision)
    WHERE decision IN ('W', 'L', 'SV');
COMMENT ON TABLE pitcher_decision IS 'Pitching decisions of a final game (rules.md §3.5): at most one W, one L and one SV per game; any number of HLD and BS.';
COMMENT ON COLUMN pitcher_decision.game_id IS 'The game.';
COMMENT ON COLUMN pitcher_decision.lineup_id IS 'The pitcher (lineup entry).';
COMMENT ON COLUMN pitcher_decision.decision IS 'W, L, SV, HLD or BS.';

-- FKs from game into the tables above were added with the columns; the
-- play -> dice_roll -> play cycle is closed by dice_roll_play_fk.

-- Deleting a game (a DBA's clean-up, a test) removes everything of it.
-- The ON DELETE CASCADE of each child table alone cannot: the cascades
-- run one table at a time, and lineup_entry rows are still referenced by
-- plays and substitutions not yet removed.  So the rows that point at
-- lineup entries go first.
CREATE FUNCTION dugout_game_before_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM play WHERE game_id = OLD.id;	-- and play_runner
	DELETE FROM substitution WHERE game_id = OLD.id;
	DELETE FROM pitcher_decision WHERE game_id = OLD.id;
	RETURN OLD;
END $$;
COMMENT ON FUNCTION dugout_game_before_delete() IS 'Trigger: before a game row is deleted, delete its plays, substitutions and pitching decisions, so the cascades to lineup_entry and the rest can follow.';
CREATE TRIGGER game_before_delete BEFORE DELETE ON game
	FOR EACH ROW EXECUTE FUNCTION dugout_game_before_delete();
COMMENT ON TRIGGER game_before_delete ON game IS 'Clears the rows that reference a game''s lineup entries before the game is deleted (see dugout_game_before_delete).';

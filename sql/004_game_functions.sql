-- 004_game_functions: what the C game handlers call, one statement each.
--
-- The engine (src/game.c) is pure; the handlers load its state as one JSON
-- document (dugout_game_load), let it decide, and write back the new state
-- (dugout_game_save), the play (dugout_play_record), the roll, decision or
-- substitution -- all in the transaction that holds the game row lock
-- (SELECT ... FOR UPDATE, taken by the caller; these functions do not lock
-- the game row themselves).  The documents are those of src/game_json.h;
-- the public views are those of events.md.
--
-- Ids: lineup ids are lineup_entry ids; in the state document 0 or null
-- means nobody, in the tables NULL does.  Batting order 0 in a document
-- is NULL in lineup_entry.batting_order.
--
-- A roll is pending while game.pending_roll_id points at it, it is unused
-- and clock_timestamp() < expires_at.  An expired roll is simply not
-- pending: nothing needs to clear it.

-- ---------------------------------------------------------------- state

CREATE FUNCTION dugout_game_load(p_game uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'status', g.status,
	    'scheduled_innings', g.scheduled_innings,
	    'use_dh', g.use_dh,
	    'extra_runner', g.extra_runner,
	    'inning', g.inning,
	    'half', g.half,
	    'outs', g.outs,
	    'phantom_outs', g.phantom_outs,
	    'play_count', g.play_count,
	    'roll_pending', EXISTS (SELECT 1 FROM dice_roll r
	        WHERE r.id = g.pending_roll_id AND r.used_at IS NULL
	          AND r.expires_at > clock_timestamp()),
	    'winner', CASE g.winner_team_id
	        WHEN g.away_team_id THEN 'away'
	        WHEN g.home_team_id THEN 'home' END,
	    'bases', json_build_array(
	        CASE WHEN g.runner_1_id IS NOT NULL THEN json_build_object(
	            'id', g.runner_1_id, 'pitcher', g.runner_1_pitcher_id,
	            'unearned', g.runner_1_unearned) END,
	        CASE WHEN g.runner_2_id IS NOT NULL THEN json_build_object(
	            'id', g.runner_2_id, 'pitcher', g.runner_2_pitcher_id,
	            'unearned', g.runner_2_unearned) END,
	        CASE WHEN g.runner_3_id IS NOT NULL THEN json_build_object(
	            'id', g.runner_3_id, 'pitcher', g.runner_3_pitcher_id,
	            'unearned', g.runner_3_unearned) END),
	    'defense', (SELECT json_build_object(
	            'alignment', d.alignment,
	            'infield_depth', d.infield_depth,
	            'outfield_depth', d.outfield_depth,
	            'hold_runners', to_json(d.hold_runners))
	        FROM decision d WHERE d.id = g.defensive_decision_id),
	    'offense', (SELECT json_build_object(
	            'approach', d.approach,
	            'steal_attempts', to_json(d.steal_attempts),
	            'hit_and_run', d.hit_and_run,
	            'bunt_attempt', d.bunt_attempt)
	        FROM decision d WHERE d.id = g.offensive_decision_id),
	    'teams', (SELECT json_agg(json_build_object(
	            'next_slot', t.next_slot,
	            -- A game set up but not started may not name its
	            -- pitchers yet: the active P is the current pitcher.
	            'pitcher', coalesce(t.pitcher,
	                (SELECT l.id FROM lineup_entry l
	                 WHERE l.game_id = g.id AND l.team_id = t.team_id
	                   AND l.is_active AND l.position = 'P'
	                 ORDER BY l.id LIMIT 1)),
	            'score', t.score,
	            'goahead_w', t.goahead_w,
	            'goahead_l', t.goahead_l,
	            'active', (SELECT coalesce(json_agg(json_build_object(
	                    'id', l.id,
	                    'card', l.card_id,
	                    'position', l.position,
	                    'batting_order', coalesce(l.batting_order, 0),
	                    'inherit', l.inherit_position)
	                    ORDER BY coalesce(l.batting_order, 10), l.id),
	                    '[]')
	                FROM lineup_entry l
	                WHERE l.game_id = g.id AND l.team_id = t.team_id
	                  AND l.is_active),
	            'pitchers', (SELECT coalesce(json_agg(json_build_object(
	                    'id', l.id,
	                    'outs', coalesce(s.outs, 0),
	                    'bf', coalesce(s.bf, 0),
	                    'starter', l.is_starter,
	                    'entry_lead', coalesce(l.entry_lead, 0),
	                    'entry_runners', coalesce(l.entry_runners, 0),
	                    'save_sit', l.save_situation,
	                    'blown', l.blown_save,
	                    'entry_half_done', l.entry_half_done)
	                    ORDER BY coalesce(l.pitcher_seq, 0), l.id), '[]')
	                FROM lineup_entry l
	                LEFT JOIN LATERAL (SELECT sum(p.outs) AS outs,
	                        sum(p.pa) AS bf
	                    FROM play p WHERE p.pitcher_id = l.id) s ON true
	                WHERE l.game_id = g.id AND l.team_id = t.team_id
	                  AND (l.pitcher_seq IS NOT NULL
	                       OR (l.is_starter AND l.position = 'P'))))
	            ORDER BY t.side)
	        FROM (VALUES
	            (0, g.away_team_id, g.away_next_slot, g.away_pitcher_id,
	             g.away_score, g.away_goahead_w, g.away_goahead_l),
	            (1, g.home_team_id, g.home_next_slot, g.home_pitcher_id,
	             g.home_score, g.home_goahead_w, g.home_goahead_l))
	            AS t(side, team_id, next_slot, pitcher, score, goahead_w,
	                 goahead_l)),
	    'pending_decision', g.pending_decision,
	    'names', (SELECT coalesce(json_object_agg(l.id, c.name
	            ORDER BY l.id), '{}')
	        FROM lineup_entry l JOIN card c ON c.id = l.card_id
	        WHERE l.game_id = g.id),
	    'team_ids', json_build_array(g.away_team_id, g.home_team_id))
	FROM game g
	WHERE g.id = p_game
$$;
COMMENT ON FUNCTION dugout_game_load(uuid) IS 'The engine''s state document (src/game_json.h) of a game, plus "pending_decision", "names" {lineup id: card name} and "team_ids" [away, home]; NULL for an unknown game. Call with the game row locked.';

CREATE FUNCTION dugout_game_save(p_game uuid, p_state json) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	s	jsonb := p_state::jsonb;
	g	game;
	v_status text := s->>'status';
	v_bad	bigint;
BEGIN
	SELECT * INTO g FROM game WHERE id = p_game;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dugout_game_save: no game %', p_game
		    USING ERRCODE = 'no_data_found';
	END IF;
	IF jsonb_typeof(s->'teams') IS DISTINCT FROM 'array'
	    OR jsonb_array_length(s->'teams') <> 2
	    OR jsonb_typeof(s->'bases') IS DISTINCT FROM 'array'
	    OR jsonb_array_length(s->'bases') <> 3 THEN
		RAISE EXCEPTION 'dugout_game_save: "teams" must hold 2 and "bases" 3 entries'
		    USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- Every active member and pitcher named must be this game's, of
	-- that side's team.
	SELECT x.id INTO v_bad
	FROM jsonb_array_elements(s->'teams') WITH ORDINALITY AS t(doc, k),
	    LATERAL (SELECT (m->>'id')::bigint AS id
	             FROM jsonb_array_elements(t.doc->'active') m
	             UNION ALL
	             SELECT (m->>'id')::bigint
	             FROM jsonb_array_elements(t.doc->'pitchers') m) x
	WHERE NOT EXISTS (SELECT 1 FROM lineup_entry l
	    WHERE l.id = x.id AND l.game_id = p_game
	      AND l.team_id = CASE t.k WHEN 1 THEN g.away_team_id
	                               ELSE g.home_team_id END)
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dugout_game_save: lineup id % is not of this game and side', v_bad
		    USING ERRCODE = 'foreign_key_violation';
	END IF;

	UPDATE game SET
	    status = v_status,
	    inning = (s->>'inning')::integer,
	    half = s->>'half',
	    outs = (s->>'outs')::integer,
	    away_score = (s#>>'{teams,0,score}')::integer,
	    home_score = (s#>>'{teams,1,score}')::integer,
	    runner_1_id = nullif((s#>>'{bases,0,id}')::bigint, 0),
	    runner_2_id = nullif((s#>>'{bases,1,id}')::bigint, 0),
	    runner_3_id = nullif((s#>>'{bases,2,id}')::bigint, 0),
	    runner_1_pitcher_id = CASE WHEN nullif((s#>>'{bases,0,id}')::bigint, 0)
	        IS NOT NULL THEN nullif((s#>>'{bases,0,pitcher}')::bigint, 0) END,
	    runner_2_pitcher_id = CASE WHEN nullif((s#>>'{bases,1,id}')::bigint, 0)
	        IS NOT NULL THEN nullif((s#>>'{bases,1,pitcher}')::bigint, 0) END,
	    runner_3_pitcher_id = CASE WHEN nullif((s#>>'{bases,2,id}')::bigint, 0)
	        IS NOT NULL THEN nullif((s#>>'{bases,2,pitcher}')::bigint, 0) END,
	    runner_1_unearned = coalesce(nullif((s#>>'{bases,0,id}')::bigint, 0)
	        IS NOT NULL AND (s#>>'{bases,0,unearned}')::boolean, false),
	    runner_2_unearned = coalesce(nullif((s#>>'{bases,1,id}')::bigint, 0)
	        IS NOT NULL AND (s#>>'{bases,1,unearned}')::boolean, false),
	    runner_3_unearned = coalesce(nullif((s#>>'{bases,2,id}')::bigint, 0)
	        IS NOT NULL AND (s#>>'{bases,2,unearned}')::boolean, false),
	    away_next_slot = (s#>>'{teams,0,next_slot}')::integer,
	    home_next_slot = (s#>>'{teams,1,next_slot}')::integer,
	    away_pitcher_id = nullif((s#>>'{teams,0,pitcher}')::bigint, 0),
	    home_pitcher_id = nullif((s#>>'{teams,1,pitcher}')::bigint, 0),
	    away_goahead_w = nullif((s#>>'{teams,0,goahead_w}')::bigint, 0),
	    away_goahead_l = nullif((s#>>'{teams,0,goahead_l}')::bigint, 0),
	    home_goahead_w = nullif((s#>>'{teams,1,goahead_w}')::bigint, 0),
	    home_goahead_l = nullif((s#>>'{teams,1,goahead_l}')::bigint, 0),
	    phantom_outs = (s->>'phantom_outs')::integer,
	    play_count = (s->>'play_count')::integer,
	    pending_decision = coalesce(s->>'pending_decision', g.pending_decision),
	    -- A submitted decision's id is set by dugout_decision_record; the
	    -- state only says whether one is still in force.
	    defensive_decision_id = CASE WHEN jsonb_typeof(s->'defense') = 'object'
	        THEN g.defensive_decision_id END,
	    offensive_decision_id = CASE WHEN jsonb_typeof(s->'offense') = 'object'
	        THEN g.offensive_decision_id END,
	    pending_roll_id = CASE WHEN (s->>'roll_pending')::boolean
	        THEN g.pending_roll_id END,
	    winner_team_id = CASE s->>'winner'
	        WHEN 'away' THEN g.away_team_id
	        WHEN 'home' THEN g.home_team_id END,
	    started_at = CASE WHEN v_status <> 'pending'
	        THEN coalesce(g.started_at, clock_timestamp()) ELSE g.started_at END,
	    finished_at = CASE WHEN v_status = 'final'
	        THEN coalesce(g.finished_at, clock_timestamp()) ELSE g.finished_at END
	WHERE id = p_game;

	-- Positions and slots of the active players (they change at half
	-- changes and substitutions), in one statement so that swaps pass the
	-- per-statement uniqueness checks.
	UPDATE lineup_entry l SET
	    position = a.position,
	    batting_order = a.batting_order,
	    inherit_position = a.inherit
	FROM (SELECT (m->>'id')::bigint AS id, m->>'position' AS position,
	             nullif((m->>'batting_order')::integer, 0) AS batting_order,
	             m->>'inherit' AS inherit
	      FROM jsonb_array_elements(s->'teams') AS t(doc),
	          jsonb_array_elements(t.doc->'active') AS m) a
	WHERE l.id = a.id AND l.game_id = p_game
	  AND (l.position, l.batting_order, l.inherit_position)
	      IS DISTINCT FROM (a.position, a.batting_order, a.inherit);

	-- Pitchers, numbered in the document's order of entry.
	UPDATE lineup_entry l SET
	    pitcher_seq = p.seq,
	    entry_lead = p.entry_lead,
	    entry_runners = p.entry_runners,
	    save_situation = p.save_sit,
	    blown_save = p.blown,
	    entry_half_done = p.entry_half_done
	FROM (SELECT (m->>'id')::bigint AS id, x.seq::integer AS seq,
	             (m->>'entry_lead')::integer AS entry_lead,
	             (m->>'entry_runners')::integer AS entry_runners,
	             coalesce((m->>'save_sit')::boolean, false) AS save_sit,
	             coalesce((m->>'blown')::boolean, false) AS blown,
	             coalesce((m->>'entry_half_done')::boolean, false)
	                 AS entry_half_done
	      FROM jsonb_array_elements(s->'teams') AS t(doc),
	          jsonb_array_elements(t.doc->'pitchers') WITH ORDINALITY
	              AS x(m, seq)) p
	WHERE l.id = p.id AND l.game_id = p_game
	  AND (l.pitcher_seq, l.entry_lead, l.entry_runners, l.save_situation,
	       l.blown_save, l.entry_half_done)
	      IS DISTINCT FROM (p.seq, p.entry_lead, p.entry_runners,
	       p.save_sit, p.blown, p.entry_half_done);

	-- dugout_lineup_enter deferred these; the lineup is whole again now,
	-- so check it here rather than at COMMIT.
	SET CONSTRAINTS lineup_entry_active_order, lineup_entry_active_position,
	    lineup_entry_pitcher_seq IMMEDIATE;
END $$;
COMMENT ON FUNCTION dugout_game_save(uuid, json) IS 'Write an engine state document back: game columns (the caller adds "pending_decision"), active players'' positions and slots, pitchers'' order and save/hold flags. "defense"/"offense" null clears the decision in force; "roll_pending" false clears the pending roll. Call with the game row locked.';

-- events.md "Game state".  One statement: it runs after every change.
CREATE OR REPLACE FUNCTION dugout_game_state(p_game uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	WITH g AS (
		SELECT g.*,
		    CASE g.half WHEN 'top' THEN g.away_team_id
		        ELSE g.home_team_id END AS bat_team,
		    CASE g.half WHEN 'top' THEN g.home_team_id
		        ELSE g.away_team_id END AS field_team,
		    CASE g.half WHEN 'top' THEN g.away_next_slot
		        ELSE g.home_next_slot END AS slot,
		    CASE g.half WHEN 'top' THEN g.home_pitcher_id
		        ELSE g.away_pitcher_id END AS field_pitcher
		FROM game g WHERE g.id = p_game
	), ent AS (
		SELECT l.id, l.team_id, l.is_active, l.position,
		    l.batting_order,
		    jsonb_build_object('lineup_id', l.id, 'card_id', l.card_id,
		        'name', c.name, 'position', l.position,
		        'batting_order', l.batting_order, 'team_id', l.team_id)
		        AS j
		FROM lineup_entry l JOIN card c ON c.id = l.card_id
		WHERE l.game_id = p_game
	), runs AS (
		SELECT p.half, p.inning, sum(p.runs)::integer AS r
		FROM play p WHERE p.game_id = p_game
		GROUP BY p.half, p.inning
	), span AS (
		-- Innings shown per half: those begun (active), those
		-- played (final: an unplayed bottom of the last is left out).
		SELECT CASE g.status
		        WHEN 'pending' THEN 0
		        WHEN 'final' THEN coalesce((SELECT max(inning) FROM runs
		            WHERE half = 'top'), 0)
		        ELSE g.inning END AS away_n,
		    CASE g.status
		        WHEN 'pending' THEN 0
		        WHEN 'final' THEN coalesce((SELECT max(inning) FROM runs
		            WHERE half = 'bottom'), 0)
		        ELSE g.inning - CASE g.half WHEN 'top' THEN 1 ELSE 0 END
		    END AS home_n
		FROM g
	)
	SELECT jsonb_build_object(
	    'game_id', g.id,
	    'status', g.status,
	    'inning', g.inning,
	    'half', g.half,
	    'outs', g.outs,
	    'score', jsonb_build_object('home', g.home_score,
	        'away', g.away_score),
	    'linescore', jsonb_build_object(
	        'home', (SELECT coalesce(jsonb_agg(coalesce(r.r, 0)
	                ORDER BY i), '[]')
	            FROM span, generate_series(1, span.home_n) i
	            LEFT JOIN runs r ON r.half = 'bottom' AND r.inning = i),
	        'away', (SELECT coalesce(jsonb_agg(coalesce(r.r, 0)
	                ORDER BY i), '[]')
	            FROM span, generate_series(1, span.away_n) i
	            LEFT JOIN runs r ON r.half = 'top' AND r.inning = i)),
	    'runners', jsonb_build_object(
	        'first', (SELECT j FROM ent WHERE id = g.runner_1_id),
	        'second', (SELECT j FROM ent WHERE id = g.runner_2_id),
	        'third', (SELECT j FROM ent WHERE id = g.runner_3_id)),
	    'batter', (SELECT j FROM ent WHERE team_id = g.bat_team
	        AND is_active AND batting_order = g.slot
	        ORDER BY id LIMIT 1),
	    'pitcher', coalesce((SELECT j FROM ent WHERE id = g.field_pitcher),
	        (SELECT j FROM ent WHERE team_id = g.field_team
	            AND is_active AND position = 'P' ORDER BY id LIMIT 1)),
	    'on_deck', (SELECT j FROM ent WHERE team_id = g.bat_team
	        AND is_active AND batting_order = g.slot % 9 + 1
	        ORDER BY id LIMIT 1),
	    'home_team', jsonb_build_object('id', h.id, 'name', h.name,
	        'abbrev', h.abbrev),
	    'away_team', jsonb_build_object('id', a.id, 'name', a.name,
	        'abbrev', a.abbrev),
	    'batting_team_id', g.bat_team,
	    -- a roll that expired since the last action no longer awaits its
	    -- outcome: the decision flow is where the engine would put it
	    'pending_decision', CASE
	        WHEN g.pending_decision <> 'outcome' OR r.id IS NOT NULL
	            THEN g.pending_decision
	        WHEN g.defensive_decision_id IS NULL THEN 'defensive'
	        WHEN g.offensive_decision_id IS NULL THEN 'offensive'
	        ELSE 'resolution' END,
	    'decisions', jsonb_build_object(
	        'defensive', jsonb_build_object(
	            'alignment', coalesce(dd.alignment, 'normal'),
	            'infield_depth', coalesce(dd.infield_depth, 'normal'),
	            'outfield_depth', coalesce(dd.outfield_depth, 'normal'),
	            'hold_runners', coalesce(to_jsonb(dd.hold_runners), '[]')),
	        'offensive', jsonb_build_object(
	            'approach', coalesce(od.approach, 'normal'),
	            'steal_attempts', coalesce(to_jsonb(od.steal_attempts), '[]'),
	            'hit_and_run', coalesce(od.hit_and_run, false),
	            'bunt_attempt', coalesce(od.bunt_attempt, false))),
	    'pending_roll', CASE WHEN r.id IS NOT NULL THEN jsonb_build_object(
	        'roll_id', r.id, 'd6_one', r.d6_one,
	        'd6_two_total', r.d6_two_total, 'chaos_d20', r.chaos_d20,
	        'resolution_d20', r.resolution_d20,
	        'check_wild_pitch', r.check_wild_pitch,
	        'check_passed_ball', r.check_passed_ball) END,
	    'play_count', g.play_count,
	    'winner_team_id', g.winner_team_id)
	FROM g JOIN team h ON h.id = g.home_team_id
	JOIN team a ON a.id = g.away_team_id
	LEFT JOIN decision dd ON dd.id = g.defensive_decision_id
	LEFT JOIN decision od ON od.id = g.offensive_decision_id
	LEFT JOIN dice_roll r ON r.id = g.pending_roll_id
	    AND r.used_at IS NULL AND r.expires_at > clock_timestamp()
$$;
COMMENT ON FUNCTION dugout_game_state(uuid) IS 'The public game state of events.md "Game state", sent as game_state to players and spectators alike: score, linescore, runners, batter, pitcher, on deck, teams, decisions in force, the pending roll (only while unused and unexpired).';

-- ----------------------------------------------------------------- plays

CREATE FUNCTION dugout_play_record(p_game uuid, p_roll bigint, p_user text,
    p_play json) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	d	jsonb := p_play::jsonb;
	g	game;
	v_bat	bigint;
	v_fld	bigint;
	v_id	bigint;
BEGIN
	SELECT * INTO g FROM game WHERE id = p_game;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dugout_play_record: no game %', p_game
		    USING ERRCODE = 'no_data_found';
	END IF;
	CASE d->>'batting_side'
	WHEN 'away' THEN
		v_bat := g.away_team_id;
		v_fld := g.home_team_id;
	WHEN 'home' THEN
		v_bat := g.home_team_id;
		v_fld := g.away_team_id;
	ELSE
		RAISE EXCEPTION 'dugout_play_record: batting_side must be away or home'
		    USING ERRCODE = 'invalid_parameter_value';
	END CASE;

	INSERT INTO play (game_id, play_number, inning, half, outs_before,
	    outs_after, on_base_code,
	    runner_1_before, runner_2_before, runner_3_before,
	    runner_1_after, runner_2_after, runner_3_after,
	    batter_id, pitcher_id, batting_team_id, fielding_team_id,
	    outcome, hit_location, error_bases, roll_id,
	    defensive_decision_id, offensive_decision_id, description,
	    away_score_before, home_score_before,
	    away_score_after, home_score_after,
	    outs, runs, rbi, earned_runs, pa, ab, h, b2, b3, hr, bb, ibb, hbp,
	    so, sh, sf, ci, gidp, e, wp, pb, bk, sb, cs,
	    bphr, bp1b, bpfo, bplo, lob, team_lob,
	    is_hit, is_out, is_walk, hit_value, batter_result,
	    ends_half, ends_game, submitted_by)
	SELECT p_game, (d->>'play_number')::integer,
	    (d->>'inning')::integer, d->>'half',
	    (d->>'outs_before')::integer, (d->>'outs_after')::integer,
	    (CASE WHEN b1 IS NULL THEN '0' ELSE '1' END)
	        || (CASE WHEN b2_ IS NULL THEN '0' ELSE '1' END)
	        || (CASE WHEN b3_ IS NULL THEN '0' ELSE '1' END),
	    b1, b2_, b3_,
	    nullif((d#>>'{after,0}')::bigint, 0),
	    nullif((d#>>'{after,1}')::bigint, 0),
	    nullif((d#>>'{after,2}')::bigint, 0),
	    nullif((d->>'batter')::bigint, 0),
	    nullif((d->>'pitcher')::bigint, 0),
	    v_bat, v_fld,
	    d->>'outcome', d->>'hit_location',
	    coalesce((d->>'error_bases')::smallint, 0), p_roll,
	    g.defensive_decision_id, g.offensive_decision_id,
	    coalesce(d->>'description', ''),
	    (d#>>'{score_before,away}')::integer,
	    (d#>>'{score_before,home}')::integer,
	    (d#>>'{score_after,away}')::integer,
	    (d#>>'{score_after,home}')::integer,
	    coalesce((d->>'outs')::smallint, 0),
	    coalesce((d->>'runs')::smallint, 0),
	    coalesce((d->>'rbi')::smallint, 0),
	    coalesce((d->>'earned_runs')::smallint, 0),
	    coalesce((d->>'pa')::smallint, 0),
	    coalesce((d->>'ab')::smallint, 0),
	    coalesce((d->>'h')::smallint, 0),
	    coalesce((d->>'b2')::smallint, 0),
	    coalesce((d->>'b3')::smallint, 0),
	    coalesce((d->>'hr')::smallint, 0),
	    coalesce((d->>'bb')::smallint, 0),
	    coalesce((d->>'ibb')::smallint, 0),
	    coalesce((d->>'hbp')::smallint, 0),
	    coalesce((d->>'so')::smallint, 0),
	    coalesce((d->>'sh')::smallint, 0),
	    coalesce((d->>'sf')::smallint, 0),
	    coalesce((d->>'ci')::smallint, 0),
	    coalesce((d->>'gidp')::smallint, 0),
	    coalesce((d->>'e')::smallint, 0),
	    coalesce((d->>'wp')::smallint, 0),
	    coalesce((d->>'pb')::smallint, 0),
	    coalesce((d->>'bk')::smallint, 0),
	    coalesce((d->>'sb')::smallint, 0),
	    coalesce((d->>'cs')::smallint, 0),
	    coalesce((d->>'bphr')::smallint, 0),
	    coalesce((d->>'bp1b')::smallint, 0),
	    coalesce((d->>'bpfo')::smallint, 0),
	    coalesce((d->>'bplo')::smallint, 0),
	    coalesce((d->>'lob')::smallint, 0),
	    coalesce((d->>'team_lob')::smallint, 0),
	    coalesce((d->>'is_hit')::boolean, false),
	    coalesce((d->>'is_out')::boolean, false),
	    coalesce((d->>'is_walk')::boolean, false),
	    coalesce((d->>'hit_value')::smallint, 0),
	    d->>'batter_result',
	    coalesce((d->>'ends_half')::boolean, false),
	    coalesce((d->>'ends_game')::boolean, false),
	    p_user
	FROM (SELECT nullif((d#>>'{before,0}')::bigint, 0) AS b1,
	             nullif((d#>>'{before,1}')::bigint, 0) AS b2_,
	             nullif((d#>>'{before,2}')::bigint, 0) AS b3_) b
	RETURNING id INTO v_id;

	INSERT INTO play_runner (play_id, lineup_id, from_base, to_base, out,
	    scored, earned, rbi, responsible_pitcher_id, sb, cs)
	SELECT v_id, (m->>'id')::bigint, (m->>'from')::smallint,
	    (m->>'to')::smallint,
	    coalesce((m->>'out')::boolean, false),
	    coalesce((m->>'scored')::boolean, false),
	    coalesce((m->>'earned')::boolean, false),
	    coalesce((m->>'rbi')::boolean, false),
	    nullif((m->>'pitcher')::bigint, 0),
	    coalesce((m->>'sb')::boolean, false),
	    coalesce((m->>'cs')::boolean, false)
	FROM jsonb_array_elements(coalesce(d->'moves', '[]')) AS m;

	-- The roll is used once: play.roll_id is UNIQUE, so a second play
	-- naming it has already failed above.
	IF p_roll IS NOT NULL THEN
		UPDATE dice_roll SET used_at = clock_timestamp(), play_id = v_id
		WHERE id = p_roll AND game_id = p_game;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'dugout_play_record: roll % is not of game %',
			    p_roll, p_game USING ERRCODE = 'foreign_key_violation';
		END IF;
	END IF;
	RETURN v_id;
END $$;
COMMENT ON FUNCTION dugout_play_record(uuid, bigint, text, json) IS 'Record a resolved play (the play document of src/game_json.h) with its play_runner rows, the decisions in force (so call it before dugout_game_save clears them) and the roll it consumed, which is marked used. Returns the play id.';

CREATE FUNCTION dugout_play_json(p_play_id bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'game_id', p.game_id,
	    'play_number', p.play_number,
	    'outcome', p.outcome,
	    'hit_location', p.hit_location,
	    'description', p.description,
	    'outs_recorded', p.outs,
	    'runs_scored', p.runs,
	    'batter_result', p.batter_result,
	    'runners_advanced', (SELECT coalesce(json_agg(CASE WHEN r.out
	            THEN json_build_object('from', r.from_base, 'to', r.to_base,
	                'out', true)
	            ELSE json_build_object('from', r.from_base, 'to', r.to_base)
	            END ORDER BY r.from_base DESC), '[]')
	        FROM play_runner r WHERE r.play_id = p.id),
	    'is_hit', p.is_hit,
	    'is_out', p.is_out,
	    'is_walk', p.is_walk,
	    'roll_id', p.roll_id,
	    'inning', p.inning,
	    'half', p.half,
	    'outs_after', p.outs_after,
	    'score', json_build_object('home', p.home_score_after,
	        'away', p.away_score_after))
	FROM play p WHERE p.id = p_play_id
$$;
COMMENT ON FUNCTION dugout_play_json(bigint) IS 'One play in the events.md play_resolved shape (runners lead first, batter last; "out": true only for runners put out).';

CREATE FUNCTION dugout_recent_plays(p_game uuid, p_n integer) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(dugout_play_json(x.id) ORDER BY x.play_number),
	    '[]')
	FROM (SELECT id, play_number FROM play WHERE game_id = p_game
	      ORDER BY play_number DESC LIMIT greatest(p_n, 0)) x
$$;
COMMENT ON FUNCTION dugout_recent_plays(uuid, integer) IS 'The last n plays of a game, oldest first, each in the play_resolved shape (game_state_sync recent_plays).';

-- ------------------------------------------------- rolls and decisions

CREATE FUNCTION dugout_roll_new(p_game uuid, p_user text, p_socket text,
    d6_one integer, d6_two_a integer, d6_two_b integer, chaos integer,
    resolution integer, check_wp boolean, check_pb boolean,
    p_expiry_s integer) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r	dice_roll;
BEGIN
	INSERT INTO dice_roll (game_id, d6_one, d6_two_a, d6_two_b, chaos_d20,
	    resolution_d20, check_wild_pitch, check_passed_ball, rolled_by,
	    socket_id, inning, half, play_number, rolled_at, expires_at)
	SELECT g.id, d6_one, d6_two_a, d6_two_b, chaos, resolution,
	    coalesce(check_wp, false), coalesce(check_pb, false), p_user,
	    p_socket, g.inning, g.half, g.play_count + 1, clock_timestamp(),
	    clock_timestamp() + make_interval(secs => greatest(p_expiry_s, 0))
	FROM game g WHERE g.id = p_game
	RETURNING * INTO r;
	IF r.id IS NULL THEN
		RAISE EXCEPTION 'dugout_roll_new: no game %', p_game
		    USING ERRCODE = 'no_data_found';
	END IF;
	UPDATE game SET pending_roll_id = r.id, pending_decision = 'outcome'
	WHERE id = p_game;
	RETURN json_build_object(
	    'roll_id', r.id,
	    'd6_one', r.d6_one,
	    'd6_two_total', r.d6_two_total,
	    'chaos_d20', r.chaos_d20,
	    'resolution_d20', r.resolution_d20,
	    'check_wild_pitch', r.check_wild_pitch,
	    'check_passed_ball', r.check_passed_ball,
	    'timestamp', to_char(r.rolled_at AT TIME ZONE 'UTC',
	        'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
END $$;
COMMENT ON FUNCTION dugout_roll_new(uuid, text, text, integer, integer, integer, integer, integer, boolean, boolean, integer) IS 'Store an at-bat roll (dice from libsodium, drawn by the caller) as the game''s pending roll, expiring after p_expiry_s seconds; pending_decision becomes outcome. Returns the dice_rolled fields {roll_id, d6_one, d6_two_total, chaos_d20, resolution_d20, check_wild_pitch, check_passed_ball, timestamp}.';

CREATE FUNCTION dugout_decision_record(p_game uuid, p_side text,
    p_team bigint, p_user text, p_decision json) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	d	jsonb := coalesce(p_decision::jsonb, '{}');
	v_id	bigint;
BEGIN
	IF p_side = 'defensive' THEN
		INSERT INTO decision (game_id, team_id, side, play_number,
		    alignment, infield_depth, outfield_depth, hold_runners,
		    submitted_by)
		SELECT g.id, p_team, p_side, g.play_count + 1,
		    coalesce(d->>'alignment', 'normal'),
		    coalesce(d->>'infield_depth', 'normal'),
		    coalesce(d->>'outfield_depth', 'normal'),
		    ARRAY(SELECT DISTINCT b::integer
		          FROM jsonb_array_elements_text(
		              coalesce(d->'hold_runners', '[]')) b ORDER BY 1),
		    p_user
		FROM game g WHERE g.id = p_game
		RETURNING id INTO v_id;
		UPDATE game SET defensive_decision_id = v_id WHERE id = p_game;
	ELSIF p_side = 'offensive' THEN
		INSERT INTO decision (game_id, team_id, side, play_number,
		    approach, steal_attempts, hit_and_run, bunt_attempt,
		    submitted_by)
		SELECT g.id, p_team, p_side, g.play_count + 1,
		    coalesce(d->>'approach', 'normal'),
		    ARRAY(SELECT DISTINCT b::integer
		          FROM jsonb_array_elements_text(
		              coalesce(d->'steal_attempts', '[]')) b ORDER BY 1),
		    coalesce((d->>'hit_and_run')::boolean, false),
		    coalesce((d->>'bunt_attempt')::boolean, false),
		    p_user
		FROM game g WHERE g.id = p_game
		RETURNING id INTO v_id;
		UPDATE game SET offensive_decision_id = v_id WHERE id = p_game;
	ELSE
		RAISE EXCEPTION 'dugout_decision_record: side must be defensive or offensive'
		    USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'dugout_decision_record: no game %', p_game
		    USING ERRCODE = 'no_data_found';
	END IF;
	RETURN v_id;
END $$;
COMMENT ON FUNCTION dugout_decision_record(uuid, text, bigint, text, json) IS 'Store a defensive or offensive decision (events.md payload fields, missing ones defaulted) for the next play and make it the one in force. Returns its id.';

-- ------------------------------------------------------- lineups and subs

CREATE FUNCTION dugout_card_status(p_game uuid, p_team bigint, p_card bigint)
RETURNS TABLE (in_roster boolean, appeared boolean, name text,
    positions text[])
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM roster r
	        WHERE r.team_id = p_team AND r.card_id = p_card),
	    EXISTS (SELECT 1 FROM lineup_entry l WHERE l.game_id = p_game
	        AND l.team_id = p_team AND l.card_id = p_card),
	    c.name, c.positions
	FROM (SELECT 1) one LEFT JOIN card c ON c.id = p_card
$$;
COMMENT ON FUNCTION dugout_card_status(uuid, bigint, bigint) IS 'What a substitution needs to know of a card: on the team''s roster, already appeared for it in this game (no re-entry), its name and positions. Always one row (name NULL for an unknown card).';

CREATE FUNCTION dugout_lineup_enter(p_game uuid, p_team bigint, p_card bigint,
    p_position text, p_order integer, p_replaces bigint, p_type text,
    p_user text, p_inherit text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	g	game;
	old	lineup_entry;
	v_seq	integer;
	v_order	integer;
	v_id	bigint;
BEGIN
	SELECT * INTO g FROM game WHERE id = p_game;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dugout_lineup_enter: no game %', p_game
		    USING ERRCODE = 'no_data_found';
	END IF;
	-- The engine fixes positions and slots when the state is saved
	-- (dugout_game_save checks them again); until then a double switch
	-- may hold two players in one slot.
	SET CONSTRAINTS lineup_entry_active_order, lineup_entry_active_position
	    DEFERRED;

	UPDATE lineup_entry SET is_active = false, left_play = g.play_count
	WHERE id = p_replaces AND game_id = p_game AND team_id = p_team
	  AND is_active
	RETURNING * INTO old;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'dugout_lineup_enter: % is not an active player of team % in game %',
		    p_replaces, p_team, p_game USING ERRCODE = 'no_data_found';
	END IF;

	IF p_type = 'pitching_change' THEN
		SELECT count(*) + 1 INTO v_seq FROM lineup_entry
		WHERE game_id = p_game AND team_id = p_team
		  AND (pitcher_seq IS NOT NULL
		       OR (is_starter AND position = 'P'));
	END IF;
	-- NULL: the replaced player's slot; 0: does not bat.
	v_order := CASE WHEN p_order IS NULL THEN old.batting_order
	    ELSE nullif(p_order, 0) END;

	INSERT INTO lineup_entry (game_id, team_id, card_id, position,
	    batting_order, is_starter, is_active, inherit_position,
	    entered_play, replaced_id, pitcher_seq)
	VALUES (p_game, p_team, p_card, p_position, v_order, false, true,
	    p_inherit, g.play_count, p_replaces, v_seq)
	RETURNING id INTO v_id;

	INSERT INTO substitution (game_id, team_id, type, player_out_id,
	    player_in_id, position, batting_order, after_play, inning, half,
	    outs, requested_by)
	VALUES (p_game, p_team, p_type, p_replaces, v_id, p_position, v_order,
	    g.play_count, g.inning, g.half, g.outs, p_user);
	RETURN v_id;
END $$;
COMMENT ON FUNCTION dugout_lineup_enter(uuid, bigint, bigint, text, integer, bigint, text, text, text) IS 'Make a substitution in the tables: the replaced entry leaves (inactive, left_play), a new entry enters (p_order NULL = the replaced player''s slot, 0 = none; pitcher_seq for a pitching change), a substitution row records it. Returns the new lineup id; a card already in the game fails on lineup_entry_once. The caller then applies it in the engine and saves the state.';

CREATE FUNCTION dugout_lineup(p_game uuid, p_team bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'players', (SELECT coalesce(json_agg(json_build_object(
	            'lineup_id', l.id,
	            'card_id', l.card_id,
	            'name', c.name,
	            'position', l.position,
	            'batting_order', l.batting_order,
	            'is_active', l.is_active,
	            'is_starter', l.is_starter)
	            ORDER BY l.is_active DESC, l.batting_order NULLS LAST,
	                l.id), '[]')
	        FROM lineup_entry l JOIN card c ON c.id = l.card_id
	        WHERE l.game_id = p_game AND l.team_id = p_team),
	    'bench', (SELECT coalesce(json_agg(json_build_object(
	            'card_id', c.id,
	            'name', c.name,
	            'positions', to_json(c.positions))
	            ORDER BY c.name, c.id), '[]')
	        FROM roster r JOIN card c ON c.id = r.card_id
	        WHERE r.team_id = p_team
	          AND NOT EXISTS (SELECT 1 FROM lineup_entry l
	              WHERE l.game_id = p_game AND l.team_id = p_team
	                AND l.card_id = r.card_id)))
$$;
COMMENT ON FUNCTION dugout_lineup(uuid, bigint) IS 'events.md lineup_data without game_id/team_id: {players: every entry of the team in the game, active first, by slot; bench: roster cards that have not appeared}.';

-- ------------------------------------------------------ pitching decisions

CREATE FUNCTION dugout_decisions_record(p_game uuid, p_decisions json)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	d	jsonb := p_decisions::jsonb;
	v_want	integer;
	v_n	integer;
BEGIN
	DELETE FROM pitcher_decision WHERE game_id = p_game;
	WITH want AS (
		SELECT nullif((d->>'win')::bigint, 0) AS id, 'W' AS decision
		UNION ALL SELECT nullif((d->>'loss')::bigint, 0), 'L'
		UNION ALL SELECT nullif((d->>'save')::bigint, 0), 'SV'
		UNION ALL SELECT nullif(h::bigint, 0), 'HLD'
		    FROM jsonb_array_elements_text(coalesce(d->'holds', '[]')) h
		UNION ALL SELECT nullif(b::bigint, 0), 'BS'
		    FROM jsonb_array_elements_text(coalesce(d->'blown', '[]')) b
	), w AS (
		SELECT DISTINCT id, decision FROM want WHERE id IS NOT NULL
	), ins AS (
		INSERT INTO pitcher_decision (game_id, lineup_id, decision)
		SELECT p_game, w.id, w.decision FROM w
		JOIN lineup_entry l ON l.id = w.id AND l.game_id = p_game
		RETURNING 1
	)
	SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM ins)
	INTO v_want, v_n;
	IF v_n <> v_want THEN
		RAISE EXCEPTION 'dugout_decisions_record: a pitcher named is not of game %',
		    p_game USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN v_n;
END $$;
COMMENT ON FUNCTION dugout_decisions_record(uuid, json) IS 'Store the pitching decisions of a final game ({"win", "loss", "save": lineup id or null, "holds": [], "blown": []}), replacing any recorded before. Returns how many rows.';

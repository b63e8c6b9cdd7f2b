-- 006_demo: starting lineups (validated and written in SQL), a default
-- lineup picked from a roster, and a demo league: two fictional teams with
-- full rosters and a ready-to-play game.  Used by dugoutctl game create
-- (--lineup-home/--lineup-away, or the default) and dugoutctl demo.
--
-- A lineup, as dugoutctl and these functions take it, is a JSON array of
-- {"card_id": 12, "position": "SS", "batting_order": 2}: nine batters in
-- slots 1..9 holding P C 1B 2B 3B SS LF CF RF once each; with the DH
-- (game.use_dh) one batter is the DH and the pitcher is a tenth entry,
-- position P, batting_order null (rules.md §2.2, §4).
--
-- Validation errors are raised as invalid_parameter_value (22023) by
-- dugout_lineup_set; dugout_lineup_check returns the same message as data,
-- so a caller can report it without parsing an error.

-- The first problem with a proposed starting lineup, NULL when it is valid.
CREATE FUNCTION dugout_lineup_check(p_game uuid, p_team bigint,
    p_lineup json)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	g		record;
	e		json;
	i		integer := 0;
	n		integer;
	v_card		bigint;
	v_pos		text;
	v_slot		integer;
	cards		bigint[] := '{}';
	poss		text[] := '{}';
	slots		integer[] := '{}';
	f		text;
	k		integer;
	r		record;
	starting	constant text[] := ARRAY['P', 'C', '1B', '2B', '3B',
	    'SS', 'LF', 'CF', 'RF', 'DH'];
BEGIN
	SELECT id, status, home_team_id, away_team_id, use_dh INTO g
	FROM game WHERE id = p_game;
	IF NOT FOUND THEN
		RETURN format('no game %s', p_game);
	END IF;
	IF p_team IS NULL OR p_team NOT IN (g.home_team_id, g.away_team_id)
	THEN
		RETURN format('team %s does not play in game %s', p_team,
		    p_game);
	END IF;
	IF g.status <> 'pending' THEN
		RETURN format('game %s is %s: a starting lineup can only be '
		    'set before the game starts', p_game, g.status);
	END IF;
	IF p_lineup IS NULL OR json_typeof(p_lineup) <> 'array' THEN
		RETURN 'the lineup must be a JSON array of {card_id, '
		    'position, batting_order}';
	END IF;

	-- The shape of each entry.
	FOR e IN SELECT x FROM json_array_elements(p_lineup) AS t(x) LOOP
		i := i + 1;
		IF json_typeof(e) <> 'object' THEN
			RETURN format('entry %s is not a JSON object', i);
		END IF;
		IF json_typeof(e->'card_id') IS DISTINCT FROM 'number' OR
		    (e->>'card_id') !~ '^[0-9]{1,18}$' THEN
			RETURN format('entry %s: card_id must be a card id '
			    '(a whole number)', i);
		END IF;
		v_card := (e->>'card_id')::bigint;
		IF json_typeof(e->'position') IS DISTINCT FROM 'string' THEN
			RETURN format('entry %s (card %s): position must be '
			    'a string', i, v_card);
		END IF;
		v_pos := upper(e->>'position');
		IF NOT v_pos = ANY (starting) THEN
			RETURN format('entry %s (card %s): position %s is not '
			    'a starting position (P C 1B 2B 3B SS LF CF RF '
			    'DH)', i, v_card, e->>'position');
		END IF;
		IF e->'batting_order' IS NULL OR
		    json_typeof(e->'batting_order') = 'null' THEN
			v_slot := NULL;
		ELSIF json_typeof(e->'batting_order') = 'number' AND
		    (e->>'batting_order') ~ '^[1-9]$' THEN
			v_slot := (e->>'batting_order')::integer;
		ELSE
			RETURN format('entry %s (card %s): batting_order must '
			    'be 1 to 9, or null for a pitcher who does not '
			    'bat', i, v_card);
		END IF;
		cards := cards || v_card;
		poss := poss || v_pos;
		slots := slots || v_slot;
	END LOOP;
	n := i;

	-- Cards: each once, each on the team's roster.
	SELECT u.c INTO v_card FROM unnest(cards) AS u(c) GROUP BY u.c
	HAVING count(*) > 1 ORDER BY u.c LIMIT 1;
	IF FOUND THEN
		RETURN format('card %s appears twice', v_card);
	END IF;
	FOR k IN 1 .. n LOOP
		PERFORM 1 FROM roster
		WHERE team_id = p_team AND card_id = cards[k];
		IF NOT FOUND THEN
			RETURN format('card %s is not on team %s''s roster',
			    cards[k], p_team);
		END IF;
	END LOOP;

	-- The size roughly, the DH rule, then the size exactly.
	IF n < 9 OR n > 10 THEN
		RETURN format('the lineup has %s %s; it needs nine batters '
		    'and, with the DH, the pitcher as a tenth', n,
		    CASE n WHEN 1 THEN 'entry' ELSE 'entries' END);
	END IF;
	IF g.use_dh THEN
		IF array_position(poss, 'DH') IS NULL THEN
			RETURN 'the game uses the DH: one batter must be '
			    'the DH';
		END IF;
		IF slots[array_position(poss, 'P')] IS NOT NULL THEN
			RETURN 'the game uses the DH: the pitcher does not '
			    'bat (give P a null batting_order)';
		END IF;
		IF n <> 10 THEN
			RETURN format('the lineup has %s entries; with the '
			    'DH it has 10 (nine batters and the pitcher)', n);
		END IF;
	ELSE
		IF array_position(poss, 'DH') IS NOT NULL THEN
			RETURN 'the game does not use the DH: no DH in the '
			    'lineup';
		END IF;
		IF n <> 9 THEN
			RETURN format('the lineup has %s entries; without '
			    'the DH it has 9 (the pitcher bats)', n);
		END IF;
	END IF;

	-- Every field position exactly once (the DH at most once).
	FOREACH f IN ARRAY starting LOOP
		SELECT count(*) INTO k FROM unnest(poss) AS p WHERE p = f;
		IF k > 1 THEN
			RETURN format('position %s is given %s times', f, k);
		END IF;
		IF k = 0 AND f <> 'DH' THEN
			RETURN format('position %s is missing', f);
		END IF;
	END LOOP;

	-- Batting slots 1..9 once each; only the pitcher (with the DH) sits.
	FOR k IN 1 .. n LOOP
		IF slots[k] IS NULL AND NOT (poss[k] = 'P' AND g.use_dh) THEN
			RETURN format('entry %s (card %s, %s): batting_order '
			    'is missing', k, cards[k], poss[k]);
		END IF;
	END LOOP;
	FOR k IN 1 .. 9 LOOP
		SELECT count(*) INTO i FROM unnest(slots) AS s WHERE s = k;
		IF i > 1 THEN
			RETURN format('batting slot %s is given %s times', k,
			    i);
		END IF;
		IF i = 0 THEN
			RETURN format('batting slot %s is empty', k);
		END IF;
	END LOOP;

	-- Each player at a position his card lists (any card may be the DH).
	FOR r IN
		SELECT c.id, c.name, c.positions, l.pos
		FROM unnest(cards, poss) WITH ORDINALITY AS l(card, pos, ord)
		JOIN card c ON c.id = l.card
		WHERE l.pos <> 'DH' AND NOT l.pos = ANY (c.positions)
		ORDER BY l.ord
	LOOP
		RETURN format('card %s (%s) cannot play %s: the card lists %s',
		    r.id, r.name, r.pos,
		    coalesce(nullif(array_to_string(r.positions, ' '), ''),
		        'no position'));
	END LOOP;
	RETURN NULL;
END $$;
COMMENT ON FUNCTION dugout_lineup_check(uuid, bigint, json) IS 'The first problem with a proposed starting lineup (JSON array of {card_id, position, batting_order}) for a team of a pending game, as a one-line message; NULL when it is valid.';

-- Write a team's starting lineup for a pending game, replacing any lineup
-- it had, and make its pitcher the team's current pitcher.
CREATE FUNCTION dugout_lineup_set(p_game uuid, p_team bigint, p_lineup json)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_problem	text;
	v_pitcher	bigint;
	v_home		boolean;
BEGIN
	-- The game row lock serialises every change to a game.
	SELECT home_team_id = p_team INTO v_home
	FROM game WHERE id = p_game FOR UPDATE;
	v_problem := dugout_lineup_check(p_game, p_team, p_lineup);
	IF v_problem IS NOT NULL THEN
		RAISE EXCEPTION '%', v_problem
		    USING ERRCODE = 'invalid_parameter_value';
	END IF;

	IF v_home THEN
		UPDATE game SET home_pitcher_id = NULL WHERE id = p_game;
	ELSE
		UPDATE game SET away_pitcher_id = NULL WHERE id = p_game;
	END IF;
	DELETE FROM lineup_entry WHERE game_id = p_game AND team_id = p_team;

	INSERT INTO lineup_entry (game_id, team_id, card_id, position,
	    batting_order, is_starter, is_active, pitcher_seq, entry_lead,
	    entry_runners)
	SELECT p_game, p_team, (e->>'card_id')::bigint,
	    upper(e->>'position'), (e->>'batting_order')::integer, true, true,
	    CASE WHEN upper(e->>'position') = 'P' THEN 1 END, 0, 0
	FROM json_array_elements(p_lineup) WITH ORDINALITY AS t(e, ord)
	ORDER BY (e->>'batting_order')::integer NULLS LAST, ord;

	SELECT id INTO v_pitcher FROM lineup_entry
	WHERE game_id = p_game AND team_id = p_team AND position = 'P';
	IF v_home THEN
		UPDATE game SET home_pitcher_id = v_pitcher WHERE id = p_game;
	ELSE
		UPDATE game SET away_pitcher_id = v_pitcher WHERE id = p_game;
	END IF;
END $$;
COMMENT ON FUNCTION dugout_lineup_set(uuid, bigint, json) IS 'Write a team''s starting lineup for a pending game (JSON array of {card_id, position, batting_order}), replacing any it had, and make its P the current pitcher; raises invalid_parameter_value with dugout_lineup_check''s message when the lineup is not valid.';

-- A valid starting lineup from a team's roster, deterministic:
--   P   the starting pitcher (pitcher_role SP) with the lowest card id, or
--       failing that the lowest-id card that lists P;
--   field positions in order of scarcity C, SS, 2B, CF, 3B, RF, LF, 1B:
--       each the unused card that lists it, position players before
--       pitchers, specialists (fewest listed positions) before utility
--       players (kept for the bench), then lowest card id;
--   DH  (p_use_dh) the unused non-pitcher with the fewest listed positions
--       (a bat, not a glove), then lowest card id;
--   batting order by position, a classic shape: CF, SS, RF, 1B, DH, 3B,
--       LF, 2B, C; without the DH: CF, SS, RF, 1B, 3B, LF, 2B, C, P.
-- The pick is greedy: a roster that can field a team only by moving a
-- utility player away from a scarce position may be refused.  Raises
-- check_violation naming the position no unused card can play.
CREATE FUNCTION dugout_lineup_default(p_team bigint,
    p_use_dh boolean DEFAULT true)
RETURNS json LANGUAGE plpgsql STABLE AS $$
DECLARE
	used	bigint[] := '{}';
	picks	text[] := '{}';
	f	text;
	v_card	bigint;
	field	constant text[] := ARRAY['C', 'SS', '2B', 'CF', '3B', 'RF',
	    'LF', '1B'];
	orders	constant text[] := CASE WHEN p_use_dh
	    THEN ARRAY['CF', 'SS', 'RF', '1B', 'DH', '3B', 'LF', '2B', 'C']
	    ELSE ARRAY['CF', 'SS', 'RF', '1B', '3B', 'LF', '2B', 'C', 'P'] END;
BEGIN
	SELECT c.id INTO v_card
	FROM roster r JOIN card c ON c.id = r.card_id
	WHERE r.team_id = p_team AND 'P' = ANY (c.positions)
	ORDER BY c.pitcher_role IS DISTINCT FROM 'SP', c.id
	LIMIT 1;
	IF v_card IS NULL THEN
		RAISE EXCEPTION 'team %''s roster has no pitcher', p_team
		    USING ERRCODE = 'check_violation';
	END IF;
	used := used || v_card;
	picks := picks || 'P'::text;

	FOREACH f IN ARRAY field LOOP
		SELECT c.id INTO v_card
		FROM roster r JOIN card c ON c.id = r.card_id
		WHERE r.team_id = p_team AND f = ANY (c.positions)
		  AND NOT c.id = ANY (used)
		ORDER BY 'P' = ANY (c.positions), cardinality(c.positions),
		    c.id
		LIMIT 1;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'team %''s roster has no card left '
			    'that plays %', p_team, f
			    USING ERRCODE = 'check_violation';
		END IF;
		used := used || v_card;
		picks := picks || f;
	END LOOP;

	IF p_use_dh THEN
		SELECT c.id INTO v_card
		FROM roster r JOIN card c ON c.id = r.card_id
		WHERE r.team_id = p_team AND NOT 'P' = ANY (c.positions)
		  AND NOT c.id = ANY (used)
		ORDER BY cardinality(c.positions), c.id
		LIMIT 1;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'team %''s roster has no position '
			    'player left to be the DH', p_team
			    USING ERRCODE = 'check_violation';
		END IF;
		used := used || v_card;
		picks := picks || 'DH'::text;
	END IF;

	RETURN (
		SELECT json_agg(json_build_object('card_id', u.card,
		    'position', u.pos,
		    'batting_order', array_position(orders, u.pos))
		    ORDER BY array_position(orders, u.pos) NULLS LAST)
		FROM unnest(used, picks) AS u(card, pos));
END $$;
COMMENT ON FUNCTION dugout_lineup_default(bigint, boolean) IS 'A valid, deterministic starting lineup from a team''s roster (with the DH unless p_use_dh is false), as dugout_lineup_set takes it; the rule is in the comment above its definition in 006_demo.sql. Raises check_violation when the roster cannot field a team.';

-- The demo league's cards: two fictional teams, 13 position players and
-- 13 pitchers (5 SP, 8 RP) each.  Every name is invented.  slot and pos
-- give the demo lineup (pos 'P' with a null slot: the starting pitcher).
CREATE FUNCTION dugout_demo_seed()
RETURNS TABLE (abbrev text, team_name text, seq integer, name text,
    bats text, throws text, positions text[], pitcher_role text,
    slot integer, pos text)
LANGUAGE sql IMMUTABLE AS $$
	SELECT t.abbrev, t.team_name, s.seq, s.name, s.bats, s.throws,
	    s.positions, s.pitcher_role, s.slot, s.pos
	FROM (VALUES
	    ('MBG', 'Marrow Bay Gulls'),
	    ('IVS', 'Ironvale Smelters')) AS t(abbrev, team_name)
	JOIN (VALUES
	    -- Marrow Bay Gulls: position players (the first nine start)
	    ('MBG',  1, 'Dario Fenwick',      'L', 'R', ARRAY['CF','LF'],      NULL, 1, 'CF'),
	    ('MBG',  2, 'Milo Tarrant',       'R', 'R', ARRAY['SS','2B'],      NULL, 2, 'SS'),
	    ('MBG',  3, 'Cass Holloway',      'L', 'L', ARRAY['RF','LF'],      NULL, 3, 'RF'),
	    ('MBG',  4, 'Bram Ostrander',     'R', 'R', ARRAY['1B'],           NULL, 4, '1B'),
	    ('MBG',  5, 'Jonas Pettibone',    'S', 'R', ARRAY['1B','LF'],      NULL, 5, 'DH'),
	    ('MBG',  6, 'Rafe Underhill',     'R', 'R', ARRAY['3B'],           NULL, 6, '3B'),
	    ('MBG',  7, 'Tomas Brightwater',  'L', 'R', ARRAY['LF','RF'],      NULL, 7, 'LF'),
	    ('MBG',  8, 'Ned Quarles',        'S', 'R', ARRAY['2B','SS','3B'], NULL, 8, '2B'),
	    ('MBG',  9, 'Gil Marchetti',      'R', 'R', ARRAY['C'],            NULL, 9, 'C'),
	    ('MBG', 10, 'Arlo Kestrel',       'L', 'R', ARRAY['C','1B'],       NULL, NULL, NULL),
	    ('MBG', 11, 'Pip Calloway',       'R', 'R', ARRAY['2B','3B','SS'], NULL, NULL, NULL),
	    ('MBG', 12, 'Shay Wickersham',    'L', 'L', ARRAY['CF','LF','RF'], NULL, NULL, NULL),
	    ('MBG', 13, 'Hollis Dunmore',     'R', 'R', ARRAY['1B','3B'],      NULL, NULL, NULL),
	    -- Marrow Bay Gulls: pitchers
	    ('MBG', 14, 'Orrin Blackwood',    'R', 'R', ARRAY['P'], 'SP', NULL, 'P'),
	    ('MBG', 15, 'Lucius Penhallow',   'L', 'L', ARRAY['P'], 'SP', NULL, NULL),
	    ('MBG', 16, 'Wade Kittredge',     'R', 'R', ARRAY['P'], 'SP', NULL, NULL),
	    ('MBG', 17, 'Emory Saltonstall',  'S', 'R', ARRAY['P'], 'SP', NULL, NULL),
	    ('MBG', 18, 'Finn Harrowgate',    'L', 'L', ARRAY['P'], 'SP', NULL, NULL),
	    ('MBG', 19, 'Corbin Ashby',       'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('MBG', 20, 'Dell Ravenscroft',   'L', 'L', ARRAY['P'], 'RP', NULL, NULL),
	    ('MBG', 21, 'Vance Tillinghast',  'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('MBG', 22, 'Jory Mabry',         'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('MBG', 23, 'Quint Ellery',       'L', 'L', ARRAY['P'], 'RP', NULL, NULL),
	    ('MBG', 24, 'Abe Lindqvist',      'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('MBG', 25, 'Sol Fairweather',    'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('MBG', 26, 'Rusty Cordwainer',   'L', 'L', ARRAY['P'], 'RP', NULL, NULL),
	    -- Ironvale Smelters: position players (the first nine start)
	    ('IVS',  1, 'Kip Esterbrook',     'L', 'R', ARRAY['2B','SS'],      NULL, 1, '2B'),
	    ('IVS',  2, 'Teo Marwick',        'R', 'R', ARRAY['CF'],           NULL, 2, 'CF'),
	    ('IVS',  3, 'Lars Brennecke',     'L', 'L', ARRAY['1B'],           NULL, 3, '1B'),
	    ('IVS',  4, 'Duke Arrowood',      'R', 'R', ARRAY['RF','1B'],      NULL, 4, 'RF'),
	    ('IVS',  5, 'Moss Kettleborough', 'L', 'R', ARRAY['1B','LF'],      NULL, 5, 'DH'),
	    ('IVS',  6, 'Benny Strathmore',   'R', 'R', ARRAY['3B','1B'],      NULL, 6, '3B'),
	    ('IVS',  7, 'Cyrus Pembrook',     'S', 'R', ARRAY['LF'],           NULL, 7, 'LF'),
	    ('IVS',  8, 'Wes Faircloth',      'R', 'R', ARRAY['C'],            NULL, 8, 'C'),
	    ('IVS',  9, 'Jem Castellane',     'R', 'R', ARRAY['SS'],           NULL, 9, 'SS'),
	    ('IVS', 10, 'Otis Greenhalgh',    'L', 'R', ARRAY['C'],            NULL, NULL, NULL),
	    ('IVS', 11, 'Rory Vantassel',     'S', 'R', ARRAY['2B','3B','SS'], NULL, NULL, NULL),
	    ('IVS', 12, 'Hal Winterbourne',   'L', 'L', ARRAY['LF','CF','RF'], NULL, NULL, NULL),
	    ('IVS', 13, 'Abner Quist',        'R', 'R', ARRAY['C','1B'],       NULL, NULL, NULL),
	    -- Ironvale Smelters: pitchers
	    ('IVS', 14, 'Silas Greaves',      'R', 'R', ARRAY['P'], 'SP', NULL, 'P'),
	    ('IVS', 15, 'Thaddeus Wren',      'L', 'L', ARRAY['P'], 'SP', NULL, NULL),
	    ('IVS', 16, 'Gus Hallorann',      'R', 'R', ARRAY['P'], 'SP', NULL, NULL),
	    ('IVS', 17, 'Ivo Petrakis',       'R', 'R', ARRAY['P'], 'SP', NULL, NULL),
	    ('IVS', 18, 'Mercer Lyle',        'L', 'L', ARRAY['P'], 'SP', NULL, NULL),
	    ('IVS', 19, 'Bo Castlemaine',     'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('IVS', 20, 'Enzo Frostwick',     'L', 'L', ARRAY['P'], 'RP', NULL, NULL),
	    ('IVS', 21, 'Clem Ashgrove',      'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('IVS', 22, 'Dex Harlan',         'S', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('IVS', 23, 'Nate Oldcastle',     'L', 'L', ARRAY['P'], 'RP', NULL, NULL),
	    ('IVS', 24, 'Ike Rivenhall',      'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('IVS', 25, 'Perry Stonebridge',  'R', 'R', ARRAY['P'], 'RP', NULL, NULL),
	    ('IVS', 26, 'Walt Quennell',      'L', 'L', ARRAY['P'], 'RP', NULL, NULL)
	) AS s(abbrev, seq, name, bats, throws, positions, pitcher_role, slot,
	    pos) ON s.abbrev = t.abbrev
	ORDER BY t.abbrev, s.seq
$$;
COMMENT ON FUNCTION dugout_demo_seed() IS 'The demo league''s invented teams and cards (two teams of 26: 13 position players, 5 SP, 8 RP), with each team''s demo lineup (slot 1..9 and position; the starting pitcher has pos P and no slot).';

-- One team of the demo, made or found by its abbreviation, with every
-- seed card on its roster and p_user among its managers.
CREATE FUNCTION dugout_demo_team(p_abbrev text, p_user text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_team	bigint;
	v_card	bigint;
	s	record;
BEGIN
	INSERT INTO team (name, abbrev)
	SELECT DISTINCT d.team_name, d.abbrev FROM dugout_demo_seed() d
	WHERE d.abbrev = p_abbrev
	ON CONFLICT (abbrev) DO NOTHING;
	SELECT id INTO STRICT v_team FROM team WHERE abbrev = p_abbrev;
	INSERT INTO team_manager (team_id, user_id) VALUES (v_team, p_user)
	ON CONFLICT DO NOTHING;
	FOR s IN SELECT * FROM dugout_demo_seed() d WHERE d.abbrev = p_abbrev
	    ORDER BY d.seq LOOP
		PERFORM 1 FROM roster r JOIN card c ON c.id = r.card_id
		WHERE r.team_id = v_team AND c.name = s.name;
		CONTINUE WHEN FOUND;
		INSERT INTO card (name, bats, throws, positions, pitcher_role)
		VALUES (s.name, s.bats, s.throws, s.positions, s.pitcher_role)
		RETURNING id INTO v_card;
		INSERT INTO roster (team_id, card_id) VALUES (v_team, v_card);
	END LOOP;
	RETURN v_team;
END $$;
COMMENT ON FUNCTION dugout_demo_team(text, text) IS 'Make (or find, by abbreviation) one demo team, put every seed card it lacks on its roster, add p_user as a manager; returns the team id.';

-- One side of dugout_demo's answer: the team, its manager, its batting
-- order (slots 1..9) and its starting pitcher, as lineup entries.
CREATE FUNCTION dugout_demo_side(p_game uuid, p_team bigint, p_user text)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'team_id', t.id,
	    'user_id', p_user,
	    'name', t.name,
	    'abbrev', t.abbrev,
	    'lineup', (
		SELECT json_agg(json_build_object('lineup_id', l.id,
		    'card_id', l.card_id, 'name', c.name,
		    'position', l.position, 'batting_order', l.batting_order)
		    ORDER BY l.batting_order)
		FROM lineup_entry l JOIN card c ON c.id = l.card_id
		WHERE l.game_id = p_game AND l.team_id = p_team
		  AND l.batting_order IS NOT NULL),
	    'pitcher', (
		SELECT json_build_object('lineup_id', l.id,
		    'card_id', l.card_id, 'name', c.name,
		    'position', l.position, 'batting_order', l.batting_order)
		FROM lineup_entry l JOIN card c ON c.id = l.card_id
		WHERE l.game_id = p_game AND l.team_id = p_team
		  AND l.position = 'P' AND l.is_active))
	FROM team t WHERE t.id = p_team
$$;
COMMENT ON FUNCTION dugout_demo_side(uuid, bigint, text) IS 'One team of a demo game as dugoutctl demo prints it: {team_id, user_id, name, abbrev, lineup: [lineup entries by slot], pitcher: lineup entry}.';

-- A new demo game: the two demo teams (made on the first call, reused
-- after), the given users as their managers, a pending nine-inning game
-- with the DH, and both demo lineups, which are always the same cards in
-- the same slots.  The home team is the Marrow Bay Gulls (MBG), the
-- visitors the Ironvale Smelters (IVS).
CREATE FUNCTION dugout_demo(p_home_user text, p_away_user text)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
	v_home	bigint;
	v_away	bigint;
	v_game	uuid;
	v_team	bigint;
	v_abbr	text;
BEGIN
	-- Two first calls at once would both make the cards.
	PERFORM pg_advisory_xact_lock(hashtext('dugout_demo'));
	v_home := dugout_demo_team('MBG', p_home_user);
	v_away := dugout_demo_team('IVS', p_away_user);
	INSERT INTO game (home_team_id, away_team_id, scheduled_innings,
	    use_dh)
	VALUES (v_home, v_away, 9, true) RETURNING id INTO v_game;
	FOREACH v_abbr IN ARRAY ARRAY['MBG', 'IVS'] LOOP
		v_team := CASE v_abbr WHEN 'MBG' THEN v_home ELSE v_away END;
		PERFORM dugout_lineup_set(v_game, v_team, (
			SELECT json_agg(json_build_object('card_id', c.id,
			    'position', d.pos, 'batting_order', d.slot)
			    ORDER BY d.slot NULLS LAST)
			FROM dugout_demo_seed() d
			JOIN card c ON c.name = d.name
			JOIN roster r ON r.card_id = c.id AND r.team_id = v_team
			WHERE d.abbrev = v_abbr AND d.pos IS NOT NULL));
	END LOOP;
	RETURN json_build_object('game_id', v_game,
	    'home', dugout_demo_side(v_game, v_home, p_home_user),
	    'away', dugout_demo_side(v_game, v_away, p_away_user));
END $$;
COMMENT ON FUNCTION dugout_demo(text, text) IS 'Make a new pending demo game (9 innings, DH) between the demo teams MBG (home, managed by p_home_user) and IVS (away, p_away_user), creating teams and cards on first use, with the fixed demo lineups; returns {game_id, home, away} (see dugout_demo_side).';

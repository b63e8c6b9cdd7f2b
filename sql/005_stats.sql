-- 005_stats: box scores and season statistics, as views over play and
-- play_runner (rules.md §3 and §5, events.md "Statistics").
--
-- The per-game views are plain views, so they are always current: the
-- box_score_data event (dugout_box_score) is built from them and a DBA's
-- query sees the same numbers.  Every play row carries its own counters
-- (pa, ab, h, ...), so a box-score column is a SUM over the plays of a
-- batter (batter_id) or pitcher (pitcher_id); runs, stolen bases and
-- caught stealing belong to a runner and come from play_runner.  Season
-- aggregates are materialized views over final games, refreshed by
-- dugout_refresh_stats() (dugoutctl refresh-stats).
--
-- Example DBA queries:
--
--   -- Who pitched the 7th inning of a game (each half)?
--   SELECT DISTINCT p.half, c.name
--   FROM play p JOIN lineup_entry le ON le.id = p.pitcher_id
--   JOIN card c ON c.id = le.card_id
--   WHERE p.game_id = '...' AND p.inning = 7;
--
--   -- Every home run this season, with batter and pitcher.
--   SELECT p.game_id, p.inning, p.half, cb.name AS batter,
--       cp.name AS pitcher, p.runs
--   FROM play p JOIN game g ON g.id = p.game_id AND g.status = 'final'
--   JOIN lineup_entry b ON b.id = p.batter_id JOIN card cb ON cb.id = b.card_id
--   JOIN lineup_entry q ON q.id = p.pitcher_id JOIN card cp ON cp.id = q.card_id
--   WHERE p.hr = 1 ORDER BY p.created_at;
--
--   -- The box score of a game, as the client sees it / line by line.
--   SELECT dugout_box_score('...');
--   SELECT * FROM batting_line WHERE game_id = '...';
--
--   -- Every game this season, and any final game whose box score does
--   -- not prove (rules.md §3.1; should return nothing).
--   SELECT * FROM game_summary ORDER BY created_at;
--   SELECT * FROM dugout_check_identity();
--
--   -- League leaders (after dugoutctl refresh-stats).
--   SELECT name, avg, obp, slg FROM season_batting WHERE pa >= 30
--   ORDER BY ops DESC LIMIT 10;

-- ------------------------------------------------------------ batting

CREATE VIEW batting_line AS
WITH bat AS (
	SELECT p.game_id, p.batter_id AS lineup_id,
	    sum(p.pa) AS pa, sum(p.ab) AS ab, sum(p.h) AS h,
	    sum(p.b2) AS doubles, sum(p.b3) AS triples, sum(p.hr) AS hr,
	    sum(p.rbi) AS rbi, sum(p.bb) AS bb, sum(p.ibb) AS ibb,
	    sum(p.so) AS so, sum(p.hbp) AS hbp, sum(p.sh) AS sh,
	    sum(p.sf) AS sf, sum(p.ci) AS ci, sum(p.gidp) AS gidp,
	    sum(p.lob) AS lob, sum(p.bphr) AS bphr, sum(p.bp1b) AS bp1b,
	    sum(p.bpfo) AS bpfo, sum(p.bplo) AS bplo
	FROM play p
	GROUP BY p.game_id, p.batter_id
), run AS (
	SELECT p.game_id, r.lineup_id, sum(r.scored::int) AS r,
	    sum(r.sb::int) AS sb, sum(r.cs::int) AS cs
	FROM play_runner r JOIN play p ON p.id = r.play_id
	GROUP BY p.game_id, r.lineup_id
)
SELECT le.game_id, le.id AS lineup_id, le.card_id, c.name, le.team_id,
    CASE WHEN le.team_id = g.home_team_id THEN 'home' ELSE 'away' END AS side,
    le.batting_order, le.is_starter, le.entered_play,
    CASE WHEN sub.how IS NULL THEN le.position
        WHEN le.position IN ('PH', 'PR') THEN sub.how
        ELSE sub.how || '-' || le.position END AS position,
    coalesce(b.pa, 0)::int AS pa, coalesce(b.ab, 0)::int AS ab,
    coalesce(x.r, 0)::int AS r, coalesce(b.h, 0)::int AS h,
    coalesce(b.doubles, 0)::int AS doubles,
    coalesce(b.triples, 0)::int AS triples, coalesce(b.hr, 0)::int AS hr,
    coalesce(b.rbi, 0)::int AS rbi, coalesce(b.bb, 0)::int AS bb,
    coalesce(b.ibb, 0)::int AS ibb, coalesce(b.so, 0)::int AS so,
    coalesce(b.hbp, 0)::int AS hbp, coalesce(b.sh, 0)::int AS sh,
    coalesce(b.sf, 0)::int AS sf, coalesce(b.ci, 0)::int AS ci,
    coalesce(x.sb, 0)::int AS sb, coalesce(x.cs, 0)::int AS cs,
    coalesce(b.gidp, 0)::int AS gidp, coalesce(b.lob, 0)::int AS lob,
    (coalesce(b.h, 0) + coalesce(b.doubles, 0) + 2 * coalesce(b.triples, 0)
        + 3 * coalesce(b.hr, 0))::int AS tb,
    coalesce(b.bphr, 0)::int AS bphr, coalesce(b.bp1b, 0)::int AS bp1b,
    coalesce(b.bpfo, 0)::int AS bpfo, coalesce(b.bplo, 0)::int AS bplo
FROM lineup_entry le
JOIN game g ON g.id = le.game_id
JOIN card c ON c.id = le.card_id
LEFT JOIN bat b ON b.game_id = le.game_id AND b.lineup_id = le.id
LEFT JOIN run x ON x.game_id = le.game_id AND x.lineup_id = le.id
LEFT JOIN LATERAL (
	SELECT CASE s.type WHEN 'pinch_hitter' THEN 'PH'
	    WHEN 'pinch_runner' THEN 'PR' END AS how
	FROM substitution s WHERE s.player_in_id = le.id
) sub ON true
WHERE le.batting_order IS NOT NULL
ORDER BY le.game_id, side, le.batting_order, le.is_starter DESC,
    le.entered_play, le.id;
COMMENT ON VIEW batting_line IS 'Box-score batting line (rules.md §5.1): one row per player who appeared in a batting slot, in slot order with substitutes after the player they replaced, away team first.  Sums of the play counters of his plate appearances; R, SB, CS from play_runner.';
COMMENT ON COLUMN batting_line.game_id IS 'The game.';
COMMENT ON COLUMN batting_line.lineup_id IS 'His lineup_entry id (events use it as lineup_id).';
COMMENT ON COLUMN batting_line.card_id IS 'His card.';
COMMENT ON COLUMN batting_line.name IS 'Card name.';
COMMENT ON COLUMN batting_line.team_id IS 'His team.';
COMMENT ON COLUMN batting_line.side IS 'away or home.';
COMMENT ON COLUMN batting_line.batting_order IS 'Batting slot 1..9.';
COMMENT ON COLUMN batting_line.is_starter IS 'In the starting lineup (false for a substitute).';
COMMENT ON COLUMN batting_line.entered_play IS 'Plays made before he entered (0 for starters); orders the substitutes of a slot.';
COMMENT ON COLUMN batting_line.position IS 'Box-score position: his position (the last one he held), prefixed for a pinch hitter or runner with how he entered: PH-1B, PR-CF, or PH alone when he never took the field.';
COMMENT ON COLUMN batting_line.pa IS 'Plate appearances.';
COMMENT ON COLUMN batting_line.ab IS 'At-bats: PA minus BB, HBP, SH, SF, CI (rules.md §3.1).';
COMMENT ON COLUMN batting_line.r IS 'Runs scored (play_runner rows where he scored).';
COMMENT ON COLUMN batting_line.h IS 'Hits.';
COMMENT ON COLUMN batting_line.doubles IS 'Doubles.';
COMMENT ON COLUMN batting_line.triples IS 'Triples.';
COMMENT ON COLUMN batting_line.hr IS 'Home runs (bp_homerun included).';
COMMENT ON COLUMN batting_line.rbi IS 'Runs batted in.';
COMMENT ON COLUMN batting_line.bb IS 'Walks, intentional included.';
COMMENT ON COLUMN batting_line.ibb IS 'Intentional walks.';
COMMENT ON COLUMN batting_line.so IS 'Strikeouts.';
COMMENT ON COLUMN batting_line.hbp IS 'Hit by pitch.';
COMMENT ON COLUMN batting_line.sh IS 'Sacrifice bunts.';
COMMENT ON COLUMN batting_line.sf IS 'Sacrifice flies.';
COMMENT ON COLUMN batting_line.ci IS 'Reached on catcher''s interference.';
COMMENT ON COLUMN batting_line.sb IS 'Stolen bases (play_runner.sb).';
COMMENT ON COLUMN batting_line.cs IS 'Caught stealing (play_runner.cs).';
COMMENT ON COLUMN batting_line.gidp IS 'Grounded into a double play.';
COMMENT ON COLUMN batting_line.lob IS 'Individual LOB: runners left on base by his outs (rules.md §3.6; not part of the §3.1 identity).';
COMMENT ON COLUMN batting_line.tb IS 'Total bases: H + 2B + 2*3B + 3*HR.';
COMMENT ON COLUMN batting_line.bphr IS 'Ballpark home runs.';
COMMENT ON COLUMN batting_line.bp1b IS 'Ballpark singles.';
COMMENT ON COLUMN batting_line.bpfo IS 'Ballpark fly outs.';
COMMENT ON COLUMN batting_line.bplo IS 'Ballpark line outs.';

-- ------------------------------------------------------------ pitching

-- IR is lineup_entry.entry_runners, which the engine saves when he
-- enters; failing that (rows written by hand) it is read from the bases
-- before his first play: he entered between plays, so whoever was on base
-- then was there when he came in (zero for one who started a half).  IRS counts runs scored while he
-- pitched by runners charged to someone else: a runner who reaches
-- against him is charged to him, so those can only be inherited runners.
CREATE VIEW pitching_line AS
WITH pit AS (
	SELECT p.game_id, p.pitcher_id AS lineup_id,
	    min(p.play_number) AS first_play,
	    sum(p.outs) AS outs, sum(p.pa) AS bf, sum(p.h) AS h,
	    sum(p.bb) AS bb, sum(p.ibb) AS ibb, sum(p.so) AS so,
	    sum(p.hr) AS hr, sum(p.hbp) AS hbp, sum(p.wp) AS wp,
	    sum(p.bk) AS bk
	FROM play p
	GROUP BY p.game_id, p.pitcher_id
), charged AS (
	SELECT p.game_id, r.responsible_pitcher_id AS lineup_id,
	    sum(r.scored::int) AS r,
	    sum((r.scored AND r.earned)::int) AS er
	FROM play_runner r JOIN play p ON p.id = r.play_id
	WHERE r.responsible_pitcher_id IS NOT NULL
	GROUP BY p.game_id, r.responsible_pitcher_id
), irs AS (
	SELECT p.game_id, p.pitcher_id AS lineup_id,
	    sum(r.scored::int) AS irs
	FROM play_runner r JOIN play p ON p.id = r.play_id
	WHERE r.responsible_pitcher_id IS DISTINCT FROM p.pitcher_id
	    AND r.from_base > 0
	GROUP BY p.game_id, p.pitcher_id
), dec AS (
	SELECT DISTINCT ON (d.game_id, d.lineup_id) d.game_id, d.lineup_id,
	    d.decision
	FROM pitcher_decision d
	ORDER BY d.game_id, d.lineup_id,
	    array_position(ARRAY['W', 'L', 'SV', 'HLD', 'BS'], d.decision::text)
)
SELECT le.game_id, le.id AS lineup_id, le.card_id, c.name, le.team_id,
    CASE WHEN le.team_id = g.home_team_id THEN 'home' ELSE 'away' END AS side,
    le.pitcher_seq,
    coalesce(t.outs, 0)::int AS outs,
    (coalesce(t.outs, 0) / 3) || '.' || (coalesce(t.outs, 0) % 3) AS ip,
    coalesce(t.bf, 0)::int AS bf, coalesce(t.h, 0)::int AS h,
    coalesce(ch.r, 0)::int AS r, coalesce(ch.er, 0)::int AS er,
    coalesce(t.bb, 0)::int AS bb, coalesce(t.ibb, 0)::int AS ibb,
    coalesce(t.so, 0)::int AS so, coalesce(t.hr, 0)::int AS hr,
    coalesce(t.hbp, 0)::int AS hbp, coalesce(t.wp, 0)::int AS wp,
    coalesce(t.bk, 0)::int AS bk,
    CASE WHEN le.pitcher_seq = 1 THEN 0
        ELSE coalesce(le.entry_runners,
            length(replace(fp.on_base_code, '0', '')), 0) END AS ir,
    CASE WHEN le.pitcher_seq = 1 THEN 0
        ELSE coalesce(i.irs, 0)::int END AS irs,
    le.pitcher_seq = 1 AS gs,
    d.decision::text AS decision
FROM lineup_entry le
JOIN game g ON g.id = le.game_id
JOIN card c ON c.id = le.card_id
LEFT JOIN pit t ON t.game_id = le.game_id AND t.lineup_id = le.id
LEFT JOIN play fp ON fp.game_id = le.game_id AND fp.play_number = t.first_play
LEFT JOIN charged ch ON ch.game_id = le.game_id AND ch.lineup_id = le.id
LEFT JOIN irs i ON i.game_id = le.game_id AND i.lineup_id = le.id
LEFT JOIN dec d ON d.game_id = le.game_id AND d.lineup_id = le.id
WHERE le.pitcher_seq IS NOT NULL
ORDER BY le.game_id, side, le.pitcher_seq;
COMMENT ON VIEW pitching_line IS 'Box-score pitching line (rules.md §5.2): one row per pitcher who appeared, in order of appearance, away team first.  Sums of the play counters of the plays he pitched; R/ER are the runs of runners charged to him (play_runner.responsible_pitcher_id), wherever they scored.';
COMMENT ON COLUMN pitching_line.game_id IS 'The game.';
COMMENT ON COLUMN pitching_line.lineup_id IS 'His lineup_entry id.';
COMMENT ON COLUMN pitching_line.card_id IS 'His card.';
COMMENT ON COLUMN pitching_line.name IS 'Card name.';
COMMENT ON COLUMN pitching_line.team_id IS 'His team.';
COMMENT ON COLUMN pitching_line.side IS 'away or home.';
COMMENT ON COLUMN pitching_line.pitcher_seq IS 'Order of appearance: 1 = starter.';
COMMENT ON COLUMN pitching_line.outs IS 'Outs recorded while he pitched (CS and pickoffs included).';
COMMENT ON COLUMN pitching_line.ip IS 'Innings pitched as text, whole.thirds: 16 outs = 5.1.';
COMMENT ON COLUMN pitching_line.bf IS 'Batters faced: plate appearances completed against him.';
COMMENT ON COLUMN pitching_line.h IS 'Hits allowed.';
COMMENT ON COLUMN pitching_line.r IS 'Runs charged (runners he put on base who scored).';
COMMENT ON COLUMN pitching_line.er IS 'Earned runs charged.';
COMMENT ON COLUMN pitching_line.bb IS 'Walks allowed, intentional included.';
COMMENT ON COLUMN pitching_line.ibb IS 'Intentional walks.';
COMMENT ON COLUMN pitching_line.so IS 'Strikeouts.';
COMMENT ON COLUMN pitching_line.hr IS 'Home runs allowed.';
COMMENT ON COLUMN pitching_line.hbp IS 'Batters hit.';
COMMENT ON COLUMN pitching_line.wp IS 'Wild pitches.';
COMMENT ON COLUMN pitching_line.bk IS 'Balks.';
COMMENT ON COLUMN pitching_line.ir IS 'Inherited runners: on base when he entered (0 for the starter).';
COMMENT ON COLUMN pitching_line.irs IS 'Inherited runners who scored while he pitched.';
COMMENT ON COLUMN pitching_line.gs IS 'Game started.';
COMMENT ON COLUMN pitching_line.decision IS 'W, L, SV, HLD, BS or NULL, from pitcher_decision (W/L/SV win over HLD/BS when he has two).';

-- ------------------------------------------------------------ team, game

CREATE VIEW team_line AS
WITH bat AS (
	SELECT p.game_id, p.batting_team_id AS team_id,
	    sum(p.runs) AS r, sum(p.h) AS h, sum(p.team_lob) AS lob,
	    sum(p.pa) AS pa, sum(p.ab) AS ab, sum(p.bb) AS bb,
	    sum(p.hbp) AS hbp, sum(p.sh) AS sh, sum(p.sf) AS sf,
	    sum(p.ci) AS ci, sum(p.outs) AS outs_made
	FROM play p
	GROUP BY p.game_id, p.batting_team_id
), fld AS (
	SELECT p.game_id, p.fielding_team_id AS team_id, sum(p.e) AS e
	FROM play p
	GROUP BY p.game_id, p.fielding_team_id
)
SELECT g.id AS game_id, s.team_id, s.side,
    coalesce(b.r, 0)::int AS r, coalesce(b.h, 0)::int AS h,
    coalesce(f.e, 0)::int AS e, coalesce(b.lob, 0)::int AS lob,
    coalesce(b.pa, 0)::int AS pa, coalesce(b.ab, 0)::int AS ab,
    coalesce(b.bb, 0)::int AS bb, coalesce(b.hbp, 0)::int AS hbp,
    coalesce(b.sh, 0)::int AS sh, coalesce(b.sf, 0)::int AS sf,
    coalesce(b.ci, 0)::int AS ci,
    coalesce(b.outs_made, 0)::int AS outs_made
FROM game g
CROSS JOIN LATERAL (VALUES (g.away_team_id, 'away'),
    (g.home_team_id, 'home')) AS s(team_id, side)
LEFT JOIN bat b ON b.game_id = g.id AND b.team_id = s.team_id
LEFT JOIN fld f ON f.game_id = g.id AND f.team_id = s.team_id;
COMMENT ON VIEW team_line IS 'Team totals of a game (rules.md §5.3), one row per team: R H E, team LOB, and the terms of the §3.1 box-score identity.';
COMMENT ON COLUMN team_line.game_id IS 'The game.';
COMMENT ON COLUMN team_line.team_id IS 'The team.';
COMMENT ON COLUMN team_line.side IS 'away or home.';
COMMENT ON COLUMN team_line.r IS 'Runs scored (runs that count, rules.md §2.5).';
COMMENT ON COLUMN team_line.h IS 'Hits.';
COMMENT ON COLUMN team_line.e IS 'Errors made by this team in the field.';
COMMENT ON COLUMN team_line.lob IS 'Team LOB: runners left when its half-innings ended, walk-off included.';
COMMENT ON COLUMN team_line.pa IS 'Plate appearances.';
COMMENT ON COLUMN team_line.ab IS 'At-bats.';
COMMENT ON COLUMN team_line.bb IS 'Walks.';
COMMENT ON COLUMN team_line.hbp IS 'Hit by pitch.';
COMMENT ON COLUMN team_line.sh IS 'Sacrifice bunts.';
COMMENT ON COLUMN team_line.sf IS 'Sacrifice flies.';
COMMENT ON COLUMN team_line.ci IS 'Catcher''s interference.';
COMMENT ON COLUMN team_line.outs_made IS 'Outs made while batting (the opponents'' putouts).';

CREATE VIEW line_score AS
SELECT p.game_id, p.batting_team_id AS team_id, p.inning, p.half,
    sum(p.runs)::int AS runs
FROM play p
GROUP BY p.game_id, p.batting_team_id, p.inning, p.half;
COMMENT ON VIEW line_score IS 'Runs per team and inning: a row for every half-inning that has been played (0 when scoreless); an unplayed bottom half (the X) has none.';
COMMENT ON COLUMN line_score.game_id IS 'The game.';
COMMENT ON COLUMN line_score.team_id IS 'The batting team.';
COMMENT ON COLUMN line_score.inning IS 'Inning number.';
COMMENT ON COLUMN line_score.half IS 'top (away bats) or bottom (home bats).';
COMMENT ON COLUMN line_score.runs IS 'Runs scored in that half-inning.';

CREATE VIEW box_score_identity AS
SELECT t.game_id, t.team_id,
    t.ab + t.bb + t.hbp + t.sh + t.sf + t.ci AS lhs,
    t.r + t.lob + t.outs_made AS rhs,
    t.ab + t.bb + t.hbp + t.sh + t.sf + t.ci = t.r + t.lob + t.outs_made
        AS ok
FROM team_line t JOIN game g ON g.id = t.game_id
WHERE g.status = 'final';
COMMENT ON VIEW box_score_identity IS 'The box-score proof of OBR 9.03(c) (rules.md §3.1) per final game and team: AB+BB+HBP+SH+SF+CI = R+LOB+opponents'' putouts.';
COMMENT ON COLUMN box_score_identity.game_id IS 'A final game.';
COMMENT ON COLUMN box_score_identity.team_id IS 'The batting team.';
COMMENT ON COLUMN box_score_identity.lhs IS 'AB + BB + HBP + SH + SF + CI.';
COMMENT ON COLUMN box_score_identity.rhs IS 'R + LOB + outs made.';
COMMENT ON COLUMN box_score_identity.ok IS 'lhs = rhs.';

CREATE FUNCTION dugout_check_identity()
RETURNS TABLE (game_id uuid, team_id bigint, lhs integer, rhs integer)
LANGUAGE sql STABLE AS $$
	SELECT i.game_id, i.team_id, i.lhs, i.rhs
	FROM box_score_identity i
	WHERE NOT i.ok
	ORDER BY i.game_id, i.team_id
$$;
COMMENT ON FUNCTION dugout_check_identity() IS 'Final games and teams whose box score does not prove (rules.md §3.1); empty when every box score is consistent.  SELECT * FROM dugout_check_identity();';

-- The box_score value of events.md's box_score_data, from the views
-- above so the client and a DBA see the same numbers.  NULL for an
-- unknown game.
CREATE FUNCTION dugout_box_score(p_game uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'batting_stats', coalesce((
		SELECT json_agg(json_build_object(
		    'lineup_id', b.lineup_id, 'card_id', b.card_id,
		    'name', b.name, 'team_id', b.team_id,
		    'batting_order', b.batting_order, 'position', b.position,
		    'pa', b.pa, 'ab', b.ab, 'r', b.r, 'h', b.h,
		    'doubles', b.doubles, 'triples', b.triples, 'hr', b.hr,
		    'rbi', b.rbi, 'bb', b.bb, 'ibb', b.ibb, 'so', b.so,
		    'hbp', b.hbp, 'sh', b.sh, 'sf', b.sf, 'sb', b.sb,
		    'cs', b.cs, 'gidp', b.gidp, 'lob', b.lob)
		    ORDER BY b.side, b.batting_order, b.is_starter DESC,
		    b.entered_play, b.lineup_id)
		FROM batting_line b WHERE b.game_id = g.id), '[]'::json),
	    'pitching_stats', coalesce((
		SELECT json_agg(json_build_object(
		    'lineup_id', p.lineup_id, 'card_id', p.card_id,
		    'name', p.name, 'team_id', p.team_id, 'outs', p.outs,
		    'ip', p.ip, 'bf', p.bf, 'h', p.h, 'r', p.r, 'er', p.er,
		    'bb', p.bb, 'ibb', p.ibb, 'so', p.so, 'hr', p.hr,
		    'hbp', p.hbp, 'wp', p.wp, 'bk', p.bk,
		    'decision', p.decision)
		    ORDER BY p.side, p.pitcher_seq)
		FROM pitching_line p WHERE p.game_id = g.id), '[]'::json),
	    'team_stats', (
		SELECT json_object_agg(t.side, json_build_object(
		    'r', t.r, 'h', t.h, 'e', t.e, 'lob', t.lob))
		FROM team_line t WHERE t.game_id = g.id),
	    'linescore', json_build_object(
		'home', coalesce((SELECT json_agg(l.runs ORDER BY l.inning)
		    FROM line_score l WHERE l.game_id = g.id
		    AND l.half = 'bottom'), '[]'::json),
		'away', coalesce((SELECT json_agg(l.runs ORDER BY l.inning)
		    FROM line_score l WHERE l.game_id = g.id
		    AND l.half = 'top'), '[]'::json)))
	FROM game g
	WHERE g.id = p_game
$$;
COMMENT ON FUNCTION dugout_box_score(uuid) IS 'The box_score value of events.md box_score_data: {batting_stats, pitching_stats, team_stats: {home, away}, linescore: {home, away}}, built from batting_line, pitching_line, team_line and line_score; NULL when there is no such game.';

CREATE VIEW game_summary AS
SELECT g.id AS game_id, g.status, g.created_at,
    g.away_team_id, ta.abbrev AS away_abbrev, ta.name AS away_team,
    g.home_team_id, th.abbrev AS home_abbrev, th.name AS home_team,
    g.away_score, g.home_score,
    (SELECT max(p.inning) FROM play p WHERE p.game_id = g.id) AS innings,
    g.winner_team_id, tw.abbrev AS winner_abbrev,
    (SELECT string_agg(c.name, ', ' ORDER BY d.lineup_id)
     FROM pitcher_decision d JOIN lineup_entry le ON le.id = d.lineup_id
     JOIN card c ON c.id = le.card_id
     WHERE d.game_id = g.id AND d.decision = 'W') AS winning_pitcher,
    (SELECT string_agg(c.name, ', ' ORDER BY d.lineup_id)
     FROM pitcher_decision d JOIN lineup_entry le ON le.id = d.lineup_id
     JOIN card c ON c.id = le.card_id
     WHERE d.game_id = g.id AND d.decision = 'L') AS losing_pitcher,
    (SELECT string_agg(c.name, ', ' ORDER BY d.lineup_id)
     FROM pitcher_decision d JOIN lineup_entry le ON le.id = d.lineup_id
     JOIN card c ON c.id = le.card_id
     WHERE d.game_id = g.id AND d.decision = 'SV') AS save_pitcher
FROM game g
JOIN team ta ON ta.id = g.away_team_id
JOIN team th ON th.id = g.home_team_id
LEFT JOIN team tw ON tw.id = g.winner_team_id;
COMMENT ON VIEW game_summary IS 'One line per game: teams, score, innings played, winner and the W/L/SV pitchers.  SELECT * FROM game_summary WHERE status = ''final'' ORDER BY created_at lists the season.';
COMMENT ON COLUMN game_summary.game_id IS 'The game.';
COMMENT ON COLUMN game_summary.status IS 'pending, active or final.';
COMMENT ON COLUMN game_summary.created_at IS 'When the game was created.';
COMMENT ON COLUMN game_summary.away_team_id IS 'Visiting team.';
COMMENT ON COLUMN game_summary.away_abbrev IS 'Visiting team''s abbreviation.';
COMMENT ON COLUMN game_summary.away_team IS 'Visiting team''s name.';
COMMENT ON COLUMN game_summary.home_team_id IS 'Home team.';
COMMENT ON COLUMN game_summary.home_abbrev IS 'Home team''s abbreviation.';
COMMENT ON COLUMN game_summary.home_team IS 'Home team''s name.';
COMMENT ON COLUMN game_summary.away_score IS 'Visitors'' runs.';
COMMENT ON COLUMN game_summary.home_score IS 'Home runs scored.';
COMMENT ON COLUMN game_summary.innings IS 'Innings played (the last inning with a play); NULL before the first play.';
COMMENT ON COLUMN game_summary.winner_team_id IS 'Winning team of a final game.';
COMMENT ON COLUMN game_summary.winner_abbrev IS 'Winning team''s abbreviation.';
COMMENT ON COLUMN game_summary.winning_pitcher IS 'Name of the pitcher credited with the win.';
COMMENT ON COLUMN game_summary.losing_pitcher IS 'Name of the pitcher charged with the loss.';
COMMENT ON COLUMN game_summary.save_pitcher IS 'Name of the pitcher credited with the save, if any.';

-- ------------------------------------------------------------ season

-- Materialized: a season's numbers are read far more often than games
-- end.  REFRESH ... CONCURRENTLY (dugout_refresh_stats) needs the unique
-- indexes and lets readers go on reading the old rows meanwhile.
CREATE MATERIALIZED VIEW season_batting AS
SELECT s.card_id, s.team_id, s.name, s.g, s.pa, s.ab, s.r, s.h, s.doubles,
    s.triples, s.hr, s.rbi, s.bb, s.so, s.hbp, s.sf, s.sb, s.cs, s.tb,
    round(s.h::numeric / nullif(s.ab, 0), 3) AS avg,
    round((s.h + s.bb + s.hbp)::numeric
        / nullif(s.ab + s.bb + s.hbp + s.sf, 0), 3) AS obp,
    round(s.tb::numeric / nullif(s.ab, 0), 3) AS slg,
    round((s.h + s.bb + s.hbp)::numeric
        / nullif(s.ab + s.bb + s.hbp + s.sf, 0)
        + s.tb::numeric / nullif(s.ab, 0), 3) AS ops
FROM (
	SELECT b.card_id, b.team_id, min(b.name) AS name,
	    count(DISTINCT b.game_id)::int AS g,
	    sum(b.pa)::int AS pa, sum(b.ab)::int AS ab, sum(b.r)::int AS r,
	    sum(b.h)::int AS h, sum(b.doubles)::int AS doubles,
	    sum(b.triples)::int AS triples, sum(b.hr)::int AS hr,
	    sum(b.rbi)::int AS rbi, sum(b.bb)::int AS bb,
	    sum(b.so)::int AS so, sum(b.hbp)::int AS hbp,
	    sum(b.sf)::int AS sf, sum(b.sb)::int AS sb,
	    sum(b.cs)::int AS cs, sum(b.tb)::int AS tb
	FROM batting_line b JOIN game g ON g.id = b.game_id
	WHERE g.status = 'final'
	GROUP BY b.card_id, b.team_id
) s;
CREATE UNIQUE INDEX season_batting_key ON season_batting (card_id, team_id);
COMMENT ON MATERIALIZED VIEW season_batting IS 'Season batting per card and team over final games (batting_line summed); as of the last dugout_refresh_stats().';
COMMENT ON COLUMN season_batting.card_id IS 'The card.';
COMMENT ON COLUMN season_batting.team_id IS 'The team he played for (a card traded mid-season has a row per team).';
COMMENT ON COLUMN season_batting.name IS 'Card name.';
COMMENT ON COLUMN season_batting.g IS 'Games with a batting line.';
COMMENT ON COLUMN season_batting.pa IS 'Plate appearances.';
COMMENT ON COLUMN season_batting.ab IS 'At-bats.';
COMMENT ON COLUMN season_batting.r IS 'Runs.';
COMMENT ON COLUMN season_batting.h IS 'Hits.';
COMMENT ON COLUMN season_batting.doubles IS 'Doubles.';
COMMENT ON COLUMN season_batting.triples IS 'Triples.';
COMMENT ON COLUMN season_batting.hr IS 'Home runs.';
COMMENT ON COLUMN season_batting.rbi IS 'Runs batted in.';
COMMENT ON COLUMN season_batting.bb IS 'Walks.';
COMMENT ON COLUMN season_batting.so IS 'Strikeouts.';
COMMENT ON COLUMN season_batting.hbp IS 'Hit by pitch.';
COMMENT ON COLUMN season_batting.sf IS 'Sacrifice flies.';
COMMENT ON COLUMN season_batting.sb IS 'Stolen bases.';
COMMENT ON COLUMN season_batting.cs IS 'Caught stealing.';
COMMENT ON COLUMN season_batting.tb IS 'Total bases.';
COMMENT ON COLUMN season_batting.avg IS 'H / AB, 3 decimals; NULL without an at-bat.';
COMMENT ON COLUMN season_batting.obp IS '(H + BB + HBP) / (AB + BB + HBP + SF), 3 decimals; NULL when the divisor is 0.';
COMMENT ON COLUMN season_batting.slg IS 'TB / AB, 3 decimals; NULL without an at-bat.';
COMMENT ON COLUMN season_batting.ops IS 'OBP + SLG (unrounded terms), 3 decimals; NULL without an at-bat.';

CREATE MATERIALIZED VIEW season_pitching AS
SELECT s.card_id, s.team_id, s.name, s.g, s.gs,
    coalesce(d.w, 0) AS w, coalesce(d.l, 0) AS l, coalesce(d.sv, 0) AS sv,
    coalesce(d.hld, 0) AS hld, coalesce(d.bs, 0) AS bs,
    s.outs, (s.outs / 3) || '.' || (s.outs % 3) AS ip,
    s.bf, s.h, s.r, s.er, s.bb, s.so, s.hr,
    round(27 * s.er::numeric / nullif(s.outs, 0), 2) AS era,
    round(3 * (s.bb + s.h)::numeric / nullif(s.outs, 0), 2) AS whip
FROM (
	SELECT p.card_id, p.team_id, min(p.name) AS name,
	    count(DISTINCT p.game_id)::int AS g,
	    count(DISTINCT p.game_id) FILTER (WHERE p.gs)::int AS gs,
	    sum(p.outs)::int AS outs, sum(p.bf)::int AS bf,
	    sum(p.h)::int AS h, sum(p.r)::int AS r, sum(p.er)::int AS er,
	    sum(p.bb)::int AS bb, sum(p.so)::int AS so, sum(p.hr)::int AS hr
	FROM pitching_line p JOIN game g ON g.id = p.game_id
	WHERE g.status = 'final'
	GROUP BY p.card_id, p.team_id
) s
LEFT JOIN (
	-- Every decision counts here (a vulture W after a BS is both).
	SELECT le.card_id, le.team_id,
	    count(*) FILTER (WHERE d.decision = 'W')::int AS w,
	    count(*) FILTER (WHERE d.decision = 'L')::int AS l,
	    count(*) FILTER (WHERE d.decision = 'SV')::int AS sv,
	    count(*) FILTER (WHERE d.decision = 'HLD')::int AS hld,
	    count(*) FILTER (WHERE d.decision = 'BS')::int AS bs
	FROM pitcher_decision d
	JOIN lineup_entry le ON le.id = d.lineup_id
	JOIN game g ON g.id = d.game_id
	WHERE g.status = 'final'
	GROUP BY le.card_id, le.team_id
) d ON d.card_id = s.card_id AND d.team_id = s.team_id;
CREATE UNIQUE INDEX season_pitching_key ON season_pitching (card_id, team_id);
COMMENT ON MATERIALIZED VIEW season_pitching IS 'Season pitching per card and team over final games (pitching_line summed, decisions from pitcher_decision); as of the last dugout_refresh_stats().';
COMMENT ON COLUMN season_pitching.card_id IS 'The card.';
COMMENT ON COLUMN season_pitching.team_id IS 'The team he pitched for.';
COMMENT ON COLUMN season_pitching.name IS 'Card name.';
COMMENT ON COLUMN season_pitching.g IS 'Games pitched.';
COMMENT ON COLUMN season_pitching.gs IS 'Games started.';
COMMENT ON COLUMN season_pitching.w IS 'Wins.';
COMMENT ON COLUMN season_pitching.l IS 'Losses.';
COMMENT ON COLUMN season_pitching.sv IS 'Saves.';
COMMENT ON COLUMN season_pitching.hld IS 'Holds.';
COMMENT ON COLUMN season_pitching.bs IS 'Blown saves.';
COMMENT ON COLUMN season_pitching.outs IS 'Outs recorded.';
COMMENT ON COLUMN season_pitching.ip IS 'Innings pitched as whole.thirds text.';
COMMENT ON COLUMN season_pitching.bf IS 'Batters faced.';
COMMENT ON COLUMN season_pitching.h IS 'Hits allowed.';
COMMENT ON COLUMN season_pitching.r IS 'Runs charged.';
COMMENT ON COLUMN season_pitching.er IS 'Earned runs charged.';
COMMENT ON COLUMN season_pitching.bb IS 'Walks allowed.';
COMMENT ON COLUMN season_pitching.so IS 'Strikeouts.';
COMMENT ON COLUMN season_pitching.hr IS 'Home runs allowed.';
COMMENT ON COLUMN season_pitching.era IS '9 * ER / IP = 27 * ER / outs, 2 decimals; NULL without an out.';
COMMENT ON COLUMN season_pitching.whip IS '(BB + H) / IP, 2 decimals; NULL without an out.';

CREATE FUNCTION dugout_refresh_stats() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	REFRESH MATERIALIZED VIEW CONCURRENTLY season_batting;
	REFRESH MATERIALIZED VIEW CONCURRENTLY season_pitching;
END $$;
COMMENT ON FUNCTION dugout_refresh_stats() IS 'Recompute season_batting and season_pitching from the final games (REFRESH ... CONCURRENTLY: readers are not blocked).  Run by dugoutctl refresh-stats, e.g. from cron.';

-- docs/queries.sql -- example queries for DBAs and reports (docs/database.md).
--
-- Each query follows a line "-- name: NAME" and the comment lines under it
-- say what it answers.  They read only tables and views the read-only role
-- dugout_readonly may read, and take psql variables:
--   psql "dbname=dugout user=reports" -v game_id=UUID -v team_id=N \
--        -v card_id=N -f docs/queries.sql
-- tests/integration/dbaqueries.test.mjs runs every one of them as a login
-- in dugout_readonly after finished games and checks the answers.

-- name: play_by_play
-- A game's play-by-play: every play in order, the situation before it,
-- what happened and the score after it.
SELECT p.play_number, p.inning, p.half, p.outs_before, p.on_base_code,
       cb.name AS batter, cp.name AS pitcher, p.outcome, p.description,
       p.away_score_after, p.home_score_after
  FROM play p
  JOIN lineup_entry b ON b.id = p.batter_id JOIN card cb ON cb.id = b.card_id
  JOIN lineup_entry q ON q.id = p.pitcher_id JOIN card cp ON cp.id = q.card_id
 WHERE p.game_id = :'game_id'
 ORDER BY p.play_number;

-- name: box_score_batting
-- The batting half of a game's box score, as the page shows it (away team
-- first, batting order, substitutes after the player they replaced).
SELECT side, batting_order, name, position, ab, r, h, rbi, bb, so, lob
  FROM batting_line
 WHERE game_id = :'game_id';

-- name: box_score_pitching
-- The pitching half of a game's box score, with the decisions.
SELECT side, name, ip, h, r, er, bb, so, hr, decision
  FROM pitching_line
 WHERE game_id = :'game_id';

-- name: runs_by_inning
-- The line score: runs per team and half-inning played.
SELECT t.abbrev, l.inning, l.half, l.runs
  FROM line_score l JOIN team t ON t.id = l.team_id
 WHERE l.game_id = :'game_id'
 ORDER BY l.inning, l.half DESC;

-- name: pitcher_decisions
-- Pitchers' decisions (W, L, SV, HLD, BS) of every final game, newest
-- game first.
SELECT g.id AS game_id, g.finished_at, d.decision, c.name AS pitcher,
       t.abbrev AS team
  FROM pitcher_decision d
  JOIN game g ON g.id = d.game_id
  JOIN lineup_entry le ON le.id = d.lineup_id
  JOIN card c ON c.id = le.card_id
  JOIN team t ON t.id = le.team_id
 ORDER BY g.finished_at DESC, g.id,
       array_position(ARRAY['W', 'L', 'SV', 'HLD', 'BS'], d.decision);

-- name: substitutions
-- A game's substitutions: when, who left, who came in, where.
SELECT s.inning, s.half, s.outs, s.type, t.abbrev AS team,
       co.name AS player_out, ci.name AS player_in, s.position,
       s.batting_order
  FROM substitution s
  JOIN team t ON t.id = s.team_id
  JOIN lineup_entry lo ON lo.id = s.player_out_id JOIN card co ON co.id = lo.card_id
  JOIN lineup_entry li ON li.id = s.player_in_id JOIN card ci ON ci.id = li.card_id
 WHERE s.game_id = :'game_id'
 ORDER BY s.id;

-- name: player_season_line
-- A player's (card's) season batting line over the final games, straight
-- from the plays (season_batting has the same once refreshed).
SELECT c.name, t.abbrev AS team, count(DISTINCT b.game_id) AS g,
       sum(b.pa) AS pa, sum(b.ab) AS ab, sum(b.r) AS r, sum(b.h) AS h,
       sum(b.hr) AS hr, sum(b.rbi) AS rbi, sum(b.bb) AS bb, sum(b.so) AS so,
       round(sum(b.h)::numeric / nullif(sum(b.ab), 0), 3) AS avg
  FROM batting_line b
  JOIN game g ON g.id = b.game_id AND g.status = 'final'
  JOIN card c ON c.id = b.card_id
  JOIN team t ON t.id = b.team_id
 WHERE b.card_id = :'card_id'
 GROUP BY c.name, t.abbrev;

-- name: earned_run_averages
-- Every pitcher's ERA over the final games: 9 x earned runs / innings.
SELECT p.name, t.abbrev AS team, count(*) AS g,
       (sum(p.outs) / 3) || '.' || (sum(p.outs) % 3) AS ip,
       sum(p.er) AS er,
       round(27.0 * sum(p.er) / nullif(sum(p.outs), 0), 2) AS era
  FROM pitching_line p
  JOIN game g ON g.id = p.game_id AND g.status = 'final'
  JOIN team t ON t.id = p.team_id
 GROUP BY p.card_id, p.name, t.abbrev
HAVING sum(p.outs) > 0
 ORDER BY era, p.name;

-- name: team_record
-- A team's record: wins, losses, runs for and against, over final games.
SELECT t.abbrev,
       count(*) FILTER (WHERE g.winner_team_id = t.id) AS w,
       count(*) FILTER (WHERE g.winner_team_id <> t.id) AS l,
       sum(CASE WHEN g.home_team_id = t.id THEN g.home_score
                ELSE g.away_score END) AS rs,
       sum(CASE WHEN g.home_team_id = t.id THEN g.away_score
                ELSE g.home_score END) AS ra
  FROM team t
  JOIN game g ON t.id IN (g.home_team_id, g.away_team_id)
       AND g.status = 'final'
 WHERE t.id = :'team_id'
 GROUP BY t.abbrev;

-- name: left_on_base
-- Runners left on base: each team's LOB in each final game (team_line), and
-- the batters' individual LOB summed.
SELECT tl.game_id, t.abbrev, tl.lob AS team_lob,
       (SELECT coalesce(sum(b.lob), 0) FROM batting_line b
         WHERE b.game_id = tl.game_id AND b.team_id = tl.team_id)
           AS batters_lob
  FROM team_line tl
  JOIN game g ON g.id = tl.game_id AND g.status = 'final'
  JOIN team t ON t.id = tl.team_id
 ORDER BY g.finished_at, tl.side;

-- name: longest_games
-- The longest final games: by plays, then by time from first to last
-- action.
SELECT s.game_id, s.away_abbrev, s.away_score, s.home_abbrev,
       s.home_score, s.innings, g.play_count AS plays,
       g.finished_at - g.started_at AS duration
  FROM game_summary s JOIN game g ON g.id = s.game_id
 WHERE s.status = 'final'
 ORDER BY g.play_count DESC, duration DESC
 LIMIT 10;

-- name: dice_distribution
-- Are the dice fair?  Each 2d6 row total against its expected share of
-- all rolls ((6 - |7 - total|) / 36).
SELECT d6_two_total AS total, count(*) AS rolls,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       round(100.0 * (6 - abs(7 - d6_two_total)) / 36, 1) AS expected_pct
  FROM dice_roll
 GROUP BY d6_two_total
 ORDER BY d6_two_total;

-- name: online_now
-- Who is online now, and in which games, as what (online_socket leaves
-- out the session id, which is a secret).
SELECT o.user_id, m.game_id, m.role, o.connected_at,
       count(*) AS sockets
  FROM online_socket o
  LEFT JOIN room_member m ON m.socket_id = o.socket_id
 GROUP BY o.user_id, m.game_id, m.role, o.connected_at
 ORDER BY o.user_id, m.game_id;

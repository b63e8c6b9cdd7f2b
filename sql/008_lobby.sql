-- 008_lobby: what the browser page reads besides the game itself
-- (docs/ui.md "Server events added for the page"): the list of games for
-- the lobby (list_games), who is in a game's room (get_presence) and which
-- of a game's teams a user manages (game_joined.team_ids,
-- games_list.my_team_ids).  Read-only functions over the tables of 001 and
-- 003; one index for the lobby's order.

-- The lobby lists a status newest first: one index scan per status.
CREATE INDEX game_lobby ON game (status, created_at DESC, id);
COMMENT ON INDEX game_lobby IS 'The lobby''s order (dugout_list_games): per status, newest first.';

-- Home team first, then the visitors; both for an admin.  Empty for a
-- game that does not exist.
CREATE FUNCTION dugout_my_teams(p_game uuid, p_user text, p_admin boolean)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(t.id ORDER BY t.ord), '[]'::jsonb)
	FROM game g
	CROSS JOIN LATERAL (VALUES (g.home_team_id, 1), (g.away_team_id, 2))
	    AS t(id, ord)
	WHERE g.id = p_game
	  AND (p_admin OR EXISTS (SELECT 1 FROM team_manager m
	      WHERE m.team_id = t.id AND m.user_id = p_user))
$$;
COMMENT ON FUNCTION dugout_my_teams(uuid, text, boolean) IS 'The ids of the game''s teams that user manages (home first), both when p_admin: game_joined.team_ids and games_list.my_team_ids; [] for another user or an unknown game.';

-- One lobby entry: the fields of game_state a list needs, and the teams
-- the asking user manages.
CREATE FUNCTION dugout_lobby_entry(g game, p_user text, p_admin boolean)
RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'game_id', g.id,
	    'status', g.status,
	    'inning', g.inning,
	    'half', g.half,
	    'outs', g.outs,
	    'score', jsonb_build_object('home', g.home_score,
	        'away', g.away_score),
	    'home_team', jsonb_build_object('id', h.id, 'name', h.name,
	        'abbrev', h.abbrev),
	    'away_team', jsonb_build_object('id', a.id, 'name', a.name,
	        'abbrev', a.abbrev),
	    'winner_team_id', g.winner_team_id,
	    'my_team_ids', dugout_my_teams(g.id, p_user, p_admin))
	FROM team h, team a
	WHERE h.id = g.home_team_id AND a.id = g.away_team_id
$$;
COMMENT ON FUNCTION dugout_lobby_entry(game, text, boolean) IS 'One element of games_list.games: {game_id, status, inning, half, outs, score: {home, away}, home_team, away_team: {id, name, abbrev}, winner_team_id, my_team_ids} (my_team_ids as dugout_my_teams).';

-- Active games first, then pending, then final; newest (created_at) first
-- within each, the id breaking ties so that the order is total.  Each
-- status is read through game_lobby with its own LIMIT; an unknown
-- p_status lists nothing.
CREATE FUNCTION dugout_list_games(p_user text, p_admin boolean,
    p_status text, p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	WITH pick AS (
		(SELECT g, 0 AS ord FROM game g
		 WHERE g.status = 'active'
		   AND coalesce(p_status, 'active') = 'active'
		 ORDER BY g.created_at DESC, g.id LIMIT p_limit)
		UNION ALL
		(SELECT g, 1 FROM game g
		 WHERE g.status = 'pending'
		   AND coalesce(p_status, 'pending') = 'pending'
		 ORDER BY g.created_at DESC, g.id LIMIT p_limit)
		UNION ALL
		(SELECT g, 2 FROM game g
		 WHERE g.status = 'final'
		   AND coalesce(p_status, 'final') = 'final'
		 ORDER BY g.created_at DESC, g.id LIMIT p_limit)
	), top AS (
		SELECT p.g, p.ord FROM pick p
		ORDER BY p.ord, (p.g).created_at DESC, (p.g).id
		LIMIT greatest(p_limit, 0)
	)
	SELECT coalesce(jsonb_agg(dugout_lobby_entry(t.g, p_user, p_admin)
	    ORDER BY t.ord, (t.g).created_at DESC, (t.g).id), '[]'::jsonb)
	FROM top t
$$;
COMMENT ON FUNCTION dugout_list_games(text, boolean, text, integer) IS 'games_list.games for list_games: at most p_limit games (of status p_status, or all when NULL), active first, then pending, then final, newest first within each; my_team_ids for user p_user (both teams when p_admin).';

-- A user counts once however many sockets (tabs) he has in the room; a
-- socket counts while its session is open and unexpired (the sweeper may
-- not have reached an expired one yet).
CREATE FUNCTION dugout_presence(p_game uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', u.user_id,
	    'role', u.role, 'sockets', u.sockets)
	    ORDER BY u.user_id COLLATE "C"), '[]'::jsonb)
	FROM (
		SELECT s.user_id,
		    CASE WHEN bool_or(m.role = 'player') THEN 'player'
		        ELSE 'spectator' END AS role,
		    count(*)::integer AS sockets
		FROM room_member m
		JOIN sio_socket s ON s.id = m.socket_id
		JOIN eio_session e ON e.sid = s.sid
		WHERE m.game_id = p_game AND NOT e.closing
		  AND e.expires_at > clock_timestamp()
		GROUP BY s.user_id
	) u
$$;
COMMENT ON FUNCTION dugout_presence(uuid) IS 'presence_data.members: the distinct users with a live socket in the game''s room, [{user_id, role, sockets}] sorted by user_id (bytewise); role is player when any of his sockets joined as player.';

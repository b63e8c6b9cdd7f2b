-- 017_one_call_actions: fewer round trips and disk waits for every POST
-- and every game action (issue 7, docs/performance.md "Unloaded roll").
--
-- A roll_dice was 17 statements, three of them commits waiting for the
-- disk: the POST's claim (dugout_post_begin), the action, and the claim's
-- release.  The claim is a lease: lost in a crash, it runs out by itself,
-- so its commits need not wait (synchronous_commit off for those
-- transactions only; the action's own still waits, so every event stays
-- durable before it is delivered).  And the five statements that open a
-- game action (socket lock, game lock, membership, managed sides, state
-- document) are one call.

-- A POST claims its lease through dugout_post_claim: 012's
-- dugout_post_begin, committing without waiting for the disk.  What else
-- dugout_post_begin may do (end an expired session, close one on a
-- concurrent POST) is lost in a crash only to be done again by the sweep
-- or the next request.
CREATE FUNCTION dugout_post_claim(p_sid text, p_lease_ms integer)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	SET LOCAL synchronous_commit = off;
	RETURN dugout_post_begin(p_sid, p_lease_ms);
END $$;
COMMENT ON FUNCTION dugout_post_claim(text, integer) IS 'dugout_post_begin (claim a session''s POST lease: ok, unknown or conflict), committing without waiting for the disk.';

-- The POST is done: release its lease, without waiting for the disk.
CREATE FUNCTION dugout_post_end(p_sid text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	SET LOCAL synchronous_commit = off;
	UPDATE eio_session SET post_until = NULL WHERE sid = p_sid;
END $$;
COMMENT ON FUNCTION dugout_post_end(text) IS 'Release a session''s POST lease (dugout_post_begin); the commit does not wait for the disk.';

-- What a game action needs before it decides, in the order the separate
-- statements took the locks (socket FOR SHARE, then the game row FOR
-- UPDATE).  socket_ok false: the socket has ended (nothing else is
-- filled); game_ok false: no such game.  role: the socket's membership
-- of the game's room (NULL: none); manages_*: does p_user manage that
-- team; doc: dugout_game_load.
CREATE FUNCTION dugout_action_open(p_socket text, p_game uuid, p_user text,
    OUT socket_ok boolean, OUT game_ok boolean, OUT role text,
    OUT manages_away boolean, OUT manages_home boolean,
    OUT away_team bigint, OUT home_team bigint, OUT doc text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM sio_socket WHERE id = p_socket FOR SHARE;
	socket_ok := FOUND;
	IF NOT socket_ok THEN
		RETURN;
	END IF;
	SELECT g.away_team_id, g.home_team_id INTO away_team, home_team
	FROM game g WHERE g.id = p_game FOR UPDATE;
	game_ok := FOUND;
	IF NOT game_ok THEN
		RETURN;
	END IF;
	SELECT m.role INTO role FROM room_member m
	WHERE m.socket_id = p_socket AND m.game_id = p_game;
	manages_away := EXISTS (SELECT 1 FROM team_manager t
	    WHERE t.team_id = away_team AND t.user_id = p_user);
	manages_home := EXISTS (SELECT 1 FROM team_manager t
	    WHERE t.team_id = home_team AND t.user_id = p_user);
	doc := dugout_game_load(p_game)::text;
END $$;
COMMENT ON FUNCTION dugout_action_open(text, uuid, text) IS 'Open a game action in one call: lock the socket (FOR SHARE) and the game row (FOR UPDATE), then the socket''s room role, whether p_user manages each team, the team ids and the engine''s state document (dugout_game_load).';

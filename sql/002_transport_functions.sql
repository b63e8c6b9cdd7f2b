-- 002_transport_functions: the write paths of the transport, as functions
-- so that each C statement is one line and every path queues and NOTIFYs
-- inside the caller's transaction (the NOTIFY fires only on commit).
--
-- NOTIFY channel "dugout", payload: a session id (ids only, never state).
--
-- Locks: session rows are taken FOR NO KEY UPDATE, which does not conflict
-- with the KEY SHARE lock an outbox INSERT takes on its session, so a game
-- action (game row lock, then queue) and a session close (session row, then
-- game rows) do not deadlock.

-- Queue one Engine.IO packet for one session and wake its poll.
CREATE FUNCTION dugout_queue(p_sid text, p_packet text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO eio_outbox (sid, packet) VALUES (p_sid, p_packet);
	SELECT pg_notify('dugout', p_sid);
$$;
COMMENT ON FUNCTION dugout_queue(text, text) IS 'Queue one Engine.IO packet for a session and NOTIFY its poll (fires on commit).';

-- Queue a packet for every session with a socket in the game's room,
-- except p_except (NULL: everyone).  Callers hold the game row lock, which
-- makes per-room order commit order.  Returns the number of sessions.
CREATE FUNCTION dugout_room_emit(p_game uuid, p_packet text, p_except text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	WITH dest AS (
		SELECT DISTINCT s.sid
		FROM room_member m JOIN sio_socket s ON s.id = m.socket_id
		JOIN eio_session e ON e.sid = s.sid
		WHERE m.game_id = p_game AND NOT e.closing
		  AND (p_except IS NULL OR s.sid <> p_except)
	), ins AS (
		INSERT INTO eio_outbox (sid, packet)
		SELECT sid, p_packet FROM dest ORDER BY sid
		RETURNING sid
	)
	SELECT count(*) INTO n FROM (SELECT pg_notify('dugout', sid) FROM ins) x;
	RETURN n;
END $$;
COMMENT ON FUNCTION dugout_room_emit(uuid, text, text) IS 'Queue a packet for every session in a game''s room (except one) and NOTIFY them; call with the game row locked.';

-- End one Socket.IO socket: tell every room it was in
-- (user_disconnected, to the others), then delete it.
CREATE FUNCTION dugout_socket_end(p_socket text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	-- Lock order is socket, then game, here and in join/leave (which take
	-- the socket FOR SHARE first): a join that is still running finishes
	-- before this reads the memberships, so its room hears the disconnect.
	PERFORM 1 FROM sio_socket WHERE id = p_socket FOR UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	FOR r IN
		SELECT m.game_id, s.user_id, s.sid
		FROM room_member m JOIN sio_socket s ON s.id = m.socket_id
		WHERE s.id = p_socket
		ORDER BY m.game_id
	LOOP
		PERFORM 1 FROM game WHERE id = r.game_id FOR UPDATE;
		DELETE FROM room_member
		WHERE socket_id = p_socket AND game_id = r.game_id;
		PERFORM dugout_room_emit(r.game_id,
		    '42' || jsonb_build_array('user_disconnected',
		        jsonb_build_object('game_id', r.game_id,
		            'user_id', r.user_id))::text,
		    r.sid);
	END LOOP;
	DELETE FROM sio_socket WHERE id = p_socket;
	RETURN FOUND;
END $$;
COMMENT ON FUNCTION dugout_socket_end(text) IS 'Disconnect one socket: user_disconnected to each of its rooms, then delete it.';

-- End a session: tell every room its sockets were in (user_disconnected),
-- then delete it (sockets, memberships and queued packets cascade).
-- Returns false when the session did not exist.
CREATE FUNCTION dugout_session_end(p_sid text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	PERFORM 1 FROM eio_session WHERE sid = p_sid FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	FOR k IN SELECT id FROM sio_socket WHERE sid = p_sid ORDER BY id LOOP
		PERFORM dugout_socket_end(k);
	END LOOP;
	DELETE FROM eio_session WHERE sid = p_sid;
	-- Wake a poll parked on this session so it is answered at once.
	PERFORM pg_notify('dugout', p_sid);
	RETURN true;
END $$;
COMMENT ON FUNCTION dugout_session_end(text) IS 'Close a session: broadcast user_disconnected to its rooms, delete it, wake its parked poll.';

-- The server closes a session (protocol error, concurrent GET or POST):
-- its sockets leave their rooms now (user_disconnected), the close packet
-- is queued for the held or next GET, and the session is gone once that
-- is delivered, or at the latest after p_grace_ms.
CREATE FUNCTION dugout_session_close(p_sid text, p_grace_ms integer)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	PERFORM 1 FROM eio_session WHERE sid = p_sid AND NOT closing FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	FOR k IN SELECT id FROM sio_socket WHERE sid = p_sid ORDER BY id LOOP
		PERFORM dugout_socket_end(k);
	END LOOP;
	UPDATE eio_session
	SET closing = true,
	    expires_at = least(expires_at, clock_timestamp()
	        + make_interval(secs => p_grace_ms / 1000.0))
	WHERE sid = p_sid;
	PERFORM dugout_queue(p_sid, '1');
	RETURN true;
END $$;
COMMENT ON FUNCTION dugout_session_close(text, integer) IS 'Server-side close: sockets leave their rooms, the close packet is queued, the session ends on its delivery or after the grace time.';

-- Close every session past its deadline, and those that joined no
-- namespace within the connect timeout.  SKIP LOCKED lets every process
-- sweep at once without waiting on each other.  Returns how many ended.
CREATE FUNCTION dugout_sweep(p_connect_timeout_ms integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	s text;
	n integer := 0;
BEGIN
	-- A session whose game row is busy is left for the next sweep rather
	-- than holding the others' locks while it waits.
	SET LOCAL lock_timeout = '100ms';
	FOR s IN
		SELECT e.sid FROM eio_session e
		WHERE e.expires_at < clock_timestamp()
		   OR (e.created_at < clock_timestamp()
		         - make_interval(secs => p_connect_timeout_ms / 1000.0)
		       AND NOT EXISTS (SELECT 1 FROM sio_socket k
		                       WHERE k.sid = e.sid))
		ORDER BY e.expires_at
		LIMIT 100
		FOR NO KEY UPDATE SKIP LOCKED
	LOOP
		BEGIN
			IF dugout_session_end(s) THEN
				n := n + 1;
			END IF;
		EXCEPTION WHEN lock_not_available THEN
			NULL;	-- next time
		END;
	END LOOP;
	RETURN n;
END $$;
COMMENT ON FUNCTION dugout_sweep(integer) IS 'Expire sessions nobody polls or that never answered a ping (and those with no socket after the connect timeout); each expiry broadcasts user_disconnected.';

-- Claim the right to hold this session's GET (protocol.md §4: at most one
-- GET at a time).  Returns 'ok', 'unknown' (no such open session) or
-- 'conflict' (a GET is already held: the session is closed, the held GET
-- will carry the close packet).
CREATE FUNCTION dugout_get_begin(p_sid text, p_owner text, p_lease_ms integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
BEGIN
	SELECT * INTO e FROM eio_session WHERE sid = p_sid FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN 'unknown';
	END IF;
	-- Past its deadline the session is over even if no sweep ran yet.
	IF e.expires_at < clock_timestamp() THEN
		PERFORM dugout_session_end(p_sid);
		RETURN 'unknown';
	END IF;
	IF e.get_owner IS NOT NULL AND e.get_until > clock_timestamp() THEN
		IF e.closing THEN
			RETURN 'unknown';
		END IF;
		PERFORM dugout_session_close(p_sid, 30000);
		RETURN 'conflict';
	END IF;
	-- A closing session still gets one GET: it carries the close packet
	-- (protocol.md §4 "Server close") and ends the session.
	UPDATE eio_session
	SET get_owner = p_owner,
	    get_until = clock_timestamp() + make_interval(secs => p_lease_ms / 1000.0)
	WHERE sid = p_sid;
	RETURN 'ok';
END $$;
COMMENT ON FUNCTION dugout_get_begin(text, text, integer) IS 'Claim a session''s long-poll GET for a lease; a second concurrent GET closes the session.';

-- Same for POST.  'conflict' closes the session.
CREATE FUNCTION dugout_post_begin(p_sid text, p_lease_ms integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
BEGIN
	SELECT * INTO e FROM eio_session WHERE sid = p_sid FOR NO KEY UPDATE;
	IF NOT FOUND OR e.closing THEN
		RETURN 'unknown';
	END IF;
	-- Past its deadline the session is over even if no sweep ran yet.
	IF e.expires_at < clock_timestamp() THEN
		PERFORM dugout_session_end(p_sid);
		RETURN 'unknown';
	END IF;
	IF e.post_until IS NOT NULL AND e.post_until > clock_timestamp() THEN
		PERFORM dugout_session_close(p_sid, 30000);
		RETURN 'conflict';
	END IF;
	UPDATE eio_session
	SET post_until = clock_timestamp() + make_interval(secs => p_lease_ms / 1000.0)
	WHERE sid = p_sid;
	RETURN 'ok';
END $$;
COMMENT ON FUNCTION dugout_post_begin(text, integer) IS 'Claim a session''s POST for a lease; a concurrent POST closes the session.';

-- Take what a poll delivers: the ping when due, then every committed
-- queued packet in order (DELETE: fan-out on write, see 001).  Releases
-- the GET claim when it returns packets or p_release is set (the poll is
-- answered now, with a noop if nothing else).  When the close packet goes out, the session ends.
-- out_state: 'gone' (no session: answer noop), 'ok'.
-- out_wait_until: when to answer an empty poll (the next ping deadline).
CREATE FUNCTION dugout_poll_take(p_sid text, p_owner text,
    p_ping_interval_ms integer, p_ping_timeout_ms integer,
    p_release boolean,
    OUT out_state text, OUT out_packets text[], OUT out_wait_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
	now_ timestamptz := clock_timestamp();
	pk text[] := '{}';
BEGIN
	SELECT * INTO e FROM eio_session WHERE sid = p_sid FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		out_state := 'gone';
		out_packets := '{}';
		RETURN;
	END IF;
	IF e.pong_due_at IS NULL AND e.ping_due_at <= now_ AND NOT e.closing THEN
		pk := ARRAY['2'];
		e.pong_due_at := now_ + make_interval(secs => p_ping_timeout_ms / 1000.0);
		e.expires_at := e.pong_due_at;
		e.ping_due_at := 'infinity';
	END IF;
	WITH d AS (
		DELETE FROM eio_outbox WHERE sid = p_sid RETURNING id, packet
	)
	SELECT pk || coalesce(array_agg(packet ORDER BY id), '{}')
	INTO pk FROM d;
	UPDATE eio_session
	SET ping_due_at = e.ping_due_at, pong_due_at = e.pong_due_at,
	    expires_at = e.expires_at,
	    get_owner = CASE WHEN p_release OR cardinality(pk) > 0
	                     THEN NULL ELSE get_owner END,
	    get_until = CASE WHEN p_release OR cardinality(pk) > 0
	                     THEN NULL ELSE get_until END
	WHERE sid = p_sid;
	IF e.closing AND '1' = ANY (pk) THEN
		PERFORM dugout_session_end(p_sid);
	END IF;
	out_state := 'ok';
	out_packets := pk;
	out_wait_until := CASE WHEN e.pong_due_at IS NULL THEN e.ping_due_at
	                       ELSE e.expires_at END;
END $$;
COMMENT ON FUNCTION dugout_poll_take(text, text, integer, integer, boolean) IS 'Deliver a session''s ping (when due) and queued packets, in order, deleting them; releases the GET claim when asked.';

-- A pong arrived: clear the ping deadline and schedule the next ping.
CREATE FUNCTION dugout_pong(p_sid text, p_ping_interval_ms integer,
    p_ping_timeout_ms integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE eio_session
	SET pong_due_at = NULL,
	    ping_due_at = clock_timestamp() + make_interval(secs => p_ping_interval_ms / 1000.0),
	    expires_at = clock_timestamp() + make_interval(secs => (p_ping_interval_ms + p_ping_timeout_ms) / 1000.0)
	WHERE sid = p_sid AND pong_due_at IS NOT NULL;
	RETURN FOUND;
END $$;
COMMENT ON FUNCTION dugout_pong(text, integer, integer) IS 'Record a client pong: the next ping is due one pingInterval later.';

-- A held GET went away (the web server dropped it): free the claim, if it
-- is still ours, so the client's next GET is not taken for a second one.
CREATE FUNCTION dugout_get_release(p_sid text, p_owner text) RETURNS void
LANGUAGE sql AS $$
	UPDATE eio_session SET get_owner = NULL, get_until = NULL
	WHERE sid = p_sid AND get_owner = p_owner;
$$;
COMMENT ON FUNCTION dugout_get_release(text, text) IS 'Release a GET claim held by this owner (the poll ended without delivery).';

-- The public game state (events.md "Game state") as far as the league
-- skeleton knows it; the game tables of later migrations extend it.
CREATE FUNCTION dugout_game_state(p_game uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	    'game_id', g.id,
	    'status', g.status,
	    'home_team', jsonb_build_object('id', h.id, 'name', h.name,
	        'abbrev', h.abbrev),
	    'away_team', jsonb_build_object('id', a.id, 'name', a.name,
	        'abbrev', a.abbrev))
	FROM game g JOIN team h ON h.id = g.home_team_id
	JOIN team a ON a.id = g.away_team_id
	WHERE g.id = p_game
$$;
COMMENT ON FUNCTION dugout_game_state(uuid) IS 'The public game state sent as game_state to players and spectators alike.';

-- dugout_poll_take for many parked polls in one round trip: a broadcast
-- wakes every member's poll at once, and the parking thread answers them
-- together.  Rows come back in the order of p_sids (ord is 1-based).
-- wait_ms is relative, so a host whose clock differs from the database's
-- still waits the right time.
CREATE FUNCTION dugout_poll_take_many(p_sids text[], p_owner text,
    p_ping_interval_ms integer, p_ping_timeout_ms integer,
    p_release boolean)
RETURNS TABLE (ord bigint, state text, payload text, wait_ms bigint)
LANGUAGE sql AS $$
	SELECT s.ord, t.out_state, array_to_string(t.out_packets, chr(30)),
	    greatest(0, (extract(epoch FROM t.out_wait_until
	        - clock_timestamp()) * 1000)::bigint)
	FROM unnest(p_sids) WITH ORDINALITY AS s(sid, ord),
	    LATERAL dugout_poll_take(s.sid, p_owner, p_ping_interval_ms,
	        p_ping_timeout_ms, p_release) AS t
	ORDER BY s.ord
$$;
COMMENT ON FUNCTION dugout_poll_take_many(text[], text, integer, integer, boolean) IS 'dugout_poll_take for a batch of sessions in one call, in the order given.';

-- A process stops: every GET it holds is answered with a noop, and their
-- claims go first, so the clients' next polls (on any process) are not
-- taken for second GETs.
CREATE FUNCTION dugout_get_release_owner(p_owner text) RETURNS integer
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE eio_session SET get_owner = NULL, get_until = NULL
		WHERE get_owner = p_owner RETURNING 1
	)
	SELECT count(*)::integer FROM u;
$$;
COMMENT ON FUNCTION dugout_get_release_owner(text) IS 'Release every GET claim a stopping process holds.';

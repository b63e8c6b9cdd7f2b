-- 012_limits: a bound on the packets queued for one session (issue 5,
-- "Abuse limits"; dugout.conf max_queued).
--
-- A client that stops polling while its rooms broadcast would grow
-- eio_outbox without end.  Each session now carries its bound
-- (eio_session.max_queued, set at the handshake from the configuration of
-- the process that made it, so every process and every SQL path agrees on
-- it).  A packet that would be queued past the bound is not queued: the
-- session is marked in eio_overflow instead, gets nothing more, and is
-- ended (dugout_session_end: user_disconnected to its rooms, its sockets,
-- memberships and queue deleted) by the next sweep, or at once by its own
-- next GET or POST, which then answers 400 code 1 "Session ID unknown"
-- (protocol.md §7).  Never silently dropped: the session ends.
--
-- Why mark and defer rather than end the session on the spot: the queue
-- functions run inside a game action or a broadcast that holds the game
-- row lock (and sometimes other games' and sockets' locks).  Ending a
-- session takes its session row, then its sockets, then the game rows of
-- their rooms (dugout_session_end, dugout_socket_end); doing that from
-- under a game lock would take locks in the opposite order to the sweeper
-- and to join/leave, and deadlock.  Even setting eio_session.closing needs
-- the session row (NO KEY UPDATE), which a sweep ending that session holds
-- while it waits for our game row.  The mark is an INSERT whose foreign
-- key takes only KEY SHARE on the session row, like an outbox INSERT, so
-- it conflicts with none of those (002's lock rules hold unchanged).  The
-- sweeper runs each second with lock_timeout, and the session's own
-- request ends it from its session row first, in the usual order.
--
-- The count is of committed rows plus the caller's own, so concurrent
-- broadcasts to one session can each see room for one more: the bound
-- can be passed by the number of transactions queueing for that session
-- at the same instant, never more.

ALTER TABLE eio_session ADD COLUMN max_queued integer NOT NULL
    DEFAULT 1000 CHECK (max_queued > 0);
COMMENT ON COLUMN eio_session.max_queued IS 'Most packets queued for this session at once (dugout.conf max_queued at the handshake); a packet past it ends the session (eio_overflow).';

CREATE UNLOGGED TABLE eio_overflow (
	sid		text PRIMARY KEY
			REFERENCES eio_session(sid) ON DELETE CASCADE,
	marked_at	timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE eio_overflow IS 'Sessions whose queue reached max_queued: they get no more packets and are ended by the next sweep or their own next request (user_disconnected to their rooms, then 400 Session ID unknown).';
COMMENT ON COLUMN eio_overflow.sid IS 'The session to end; a bearer secret, so not readable by dugout_readonly.';
COMMENT ON COLUMN eio_overflow.marked_at IS 'When a packet first found its queue full.';

-- The session id is a secret: keep it from the read-only role, which the
-- default privileges of 009 gave SELECT on this new table.
CREATE OR REPLACE FUNCTION dugout_readonly_grant() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	GRANT USAGE ON SCHEMA public TO dugout_readonly;
	GRANT SELECT ON ALL TABLES IN SCHEMA public TO dugout_readonly;
	REVOKE ALL ON eio_session, eio_outbox, sio_socket, eio_overflow
	    FROM dugout_readonly;
	ALTER DEFAULT PRIVILEGES IN SCHEMA public
	    GRANT SELECT ON TABLES TO dugout_readonly;
END $$;
COMMENT ON FUNCTION dugout_readonly_grant() IS 'Give dugout_readonly USAGE on the schema and SELECT on every table and view but eio_session, eio_outbox, sio_socket and eio_overflow (the session id is a bearer secret), now and, by default privileges, for the tables the calling role creates later. Run by the owner of the tables; idempotent.';

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dugout_readonly')
	THEN
		REVOKE ALL ON eio_overflow FROM dugout_readonly;
	END IF;
END $$;

-- Is p_sid's queue at p_max packets?  Counts at most p_max index entries.
CREATE FUNCTION dugout_queue_full(p_sid text, p_max integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT count(*) >= p_max
	FROM (SELECT 1 FROM eio_outbox WHERE sid = p_sid LIMIT p_max) q;
$$;
COMMENT ON FUNCTION dugout_queue_full(text, integer) IS 'True when a session already has p_max packets queued (its max_queued bound).';

-- 010's dugout_queue with the bound: a packet past it marks the session
-- for ending instead of being queued.  An unknown session still fails on
-- the outbox's foreign key, as before.
CREATE OR REPLACE FUNCTION dugout_queue(p_sid text, p_packet text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	lim integer;
BEGIN
	SELECT max_queued INTO lim FROM eio_session WHERE sid = p_sid;
	IF FOUND AND (EXISTS (SELECT 1 FROM eio_overflow WHERE sid = p_sid)
	    OR dugout_queue_full(p_sid, lim)) THEN
		INSERT INTO eio_overflow (sid) VALUES (p_sid)
		ON CONFLICT (sid) DO NOTHING;
		RETURN;
	END IF;
	INSERT INTO eio_outbox (sid, packet) VALUES (p_sid, p_packet);
	PERFORM pg_notify('dugout', dugout_wake_key(p_sid));
END $$;
COMMENT ON FUNCTION dugout_queue(text, text) IS 'Queue one Engine.IO packet for a session and NOTIFY its poll by wake key (fires on commit); past the session''s max_queued the packet is not queued and the session is marked in eio_overflow to be ended.';

-- 010's dugout_room_emit with the bound: members whose queue is full are
-- marked (in sid order, like the outbox rows) and skipped, the others
-- queued and woken exactly as in 010.
CREATE OR REPLACE FUNCTION dugout_room_emit(p_game uuid, p_packet text, p_except text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	INSERT INTO eio_overflow (sid)
	SELECT DISTINCT s.sid
	FROM room_member m JOIN sio_socket s ON s.id = m.socket_id
	JOIN eio_session e ON e.sid = s.sid
	WHERE m.game_id = p_game AND NOT e.closing
	  AND (p_except IS NULL OR s.sid <> p_except)
	  AND NOT EXISTS (SELECT 1 FROM eio_overflow o WHERE o.sid = s.sid)
	  AND dugout_queue_full(s.sid, e.max_queued)
	ORDER BY s.sid
	ON CONFLICT (sid) DO NOTHING;
	WITH dest AS (
		SELECT DISTINCT s.sid
		FROM room_member m JOIN sio_socket s ON s.id = m.socket_id
		JOIN eio_session e ON e.sid = s.sid
		WHERE m.game_id = p_game AND NOT e.closing
		  AND (p_except IS NULL OR s.sid <> p_except)
		  AND NOT EXISTS (SELECT 1 FROM eio_overflow o
		                  WHERE o.sid = s.sid)
	), ins AS (
		INSERT INTO eio_outbox (sid, packet)
		SELECT sid, p_packet FROM dest ORDER BY sid
		RETURNING sid
	)
	SELECT count(*) INTO n
	FROM (SELECT pg_notify('dugout', dugout_wake_key(sid)) FROM ins) x;
	RETURN n;
END $$;
COMMENT ON FUNCTION dugout_room_emit(uuid, text, text) IS 'Queue a packet for every session in a game''s room (except one) and NOTIFY them by wake key; a member whose queue is at max_queued is marked in eio_overflow instead. Call with the game row locked.';

-- 002's sweep, which also ends the sessions marked in eio_overflow.
CREATE OR REPLACE FUNCTION dugout_sweep(p_connect_timeout_ms integer) RETURNS integer
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
		   OR EXISTS (SELECT 1 FROM eio_overflow o WHERE o.sid = e.sid)
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
COMMENT ON FUNCTION dugout_sweep(integer) IS 'Expire sessions nobody polls or that never answered a ping, those with no socket after the connect timeout, and those whose queue overflowed (eio_overflow); each end broadcasts user_disconnected.';

-- 002's dugout_get_begin: an overflowed session ends here, from its own
-- session row (the usual lock order), and the GET gets 400 code 1.
CREATE OR REPLACE FUNCTION dugout_get_begin(p_sid text, p_owner text, p_lease_ms integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
BEGIN
	SELECT * INTO e FROM eio_session WHERE sid = p_sid FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN 'unknown';
	END IF;
	-- Past its deadline, or over its queue bound, the session is over
	-- even if no sweep ran yet.
	IF e.expires_at < clock_timestamp()
	    OR EXISTS (SELECT 1 FROM eio_overflow WHERE sid = p_sid) THEN
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
COMMENT ON FUNCTION dugout_get_begin(text, text, integer) IS 'Claim a session''s long-poll GET for a lease; a second concurrent GET closes the session; an expired or overflowed session ends (unknown).';

-- Same for POST.
CREATE OR REPLACE FUNCTION dugout_post_begin(p_sid text, p_lease_ms integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
BEGIN
	SELECT * INTO e FROM eio_session WHERE sid = p_sid FOR NO KEY UPDATE;
	IF NOT FOUND OR e.closing THEN
		RETURN 'unknown';
	END IF;
	IF e.expires_at < clock_timestamp()
	    OR EXISTS (SELECT 1 FROM eio_overflow WHERE sid = p_sid) THEN
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
COMMENT ON FUNCTION dugout_post_begin(text, integer) IS 'Claim a session''s POST for a lease; a concurrent POST closes the session; an expired or overflowed session ends (unknown).';

-- Socket.IO CONNECT limits (dugout.conf max_sessions_per_user,
-- max_sockets_per_session).  Returns 'ok', 'sessions' (the user already
-- has p_max_sessions other live sessions with a socket) or 'sockets'
-- (this session already carries p_max_sockets sockets).  A CONNECT for a
-- namespace already joined is 'ok': the caller's insert then fails and the
-- session closes, as the protocol says (protocol.md §8).  The advisory
-- lock (per user, until the caller's transaction ends) makes the check and
-- the caller's socket insert one step, so simultaneous CONNECTs of one user
-- cannot all pass; nothing else takes it.
CREATE FUNCTION dugout_connect_check(p_user text, p_sid text, p_nsp text,
    p_max_sessions integer, p_max_sockets integer)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(2024112305, hashtext(p_user));
	IF EXISTS (SELECT 1 FROM sio_socket WHERE sid = p_sid AND nsp = p_nsp)
	THEN
		RETURN 'ok';
	END IF;
	IF (SELECT count(*) FROM sio_socket WHERE sid = p_sid) >= p_max_sockets
	THEN
		RETURN 'sockets';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM sio_socket WHERE sid = p_sid
	               AND user_id = p_user)
	   AND (SELECT count(DISTINCT s.sid) FROM sio_socket s
	        JOIN eio_session e ON e.sid = s.sid
	        WHERE s.user_id = p_user AND s.sid <> p_sid AND NOT e.closing
	          AND e.expires_at > clock_timestamp()
	          AND NOT EXISTS (SELECT 1 FROM eio_overflow o
	                          WHERE o.sid = e.sid)) >= p_max_sessions
	THEN
		RETURN 'sessions';
	END IF;
	RETURN 'ok';
END $$;
COMMENT ON FUNCTION dugout_connect_check(text, text, text, integer, integer) IS 'Socket.IO CONNECT limits: ''sessions'' when the user already has p_max_sessions other live sessions, ''sockets'' when the session carries p_max_sockets sockets, else ''ok''; holds a per-user advisory lock until the transaction ends.';

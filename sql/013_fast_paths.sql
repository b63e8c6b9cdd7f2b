-- 013_fast_paths: the two statements a broadcast and a poll cost most,
-- made cheaper (issue 7, docs/performance.md "Where the time went").
--
-- Measured with pg_stat_statements under bench/dugout-load (1,000 polling
-- clients, rooms of 10, 200 events/s): dugout_room_emit was the costliest
-- statement a game action runs (it read the room twice: once to find the
-- members whose queue is full, once to queue the others), and every GET
-- paid two round trips (dugout_get_begin, then dugout_poll_take).  The
-- behaviour is unchanged; only the work is less.

-- 012's dugout_room_emit in one pass over the room: the members, whether
-- each queue is full, the full ones marked, the others queued, and one
-- NOTIFY naming all their wake keys (space separated; notify.c splits
-- them).  Same locks, same order (sid) for the rows inserted.
CREATE OR REPLACE FUNCTION dugout_room_emit(p_game uuid, p_packet text, p_except text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	-- plpgsql, not sql: a plpgsql statement's plan is kept for the
	-- connection, a sql function's is made again at every call (0.8 ms)
	WITH dest AS (
		SELECT DISTINCT s.sid, e.max_queued
		FROM room_member m JOIN sio_socket s ON s.id = m.socket_id
		JOIN eio_session e ON e.sid = s.sid
		WHERE m.game_id = p_game AND NOT e.closing
		  AND (p_except IS NULL OR s.sid <> p_except)
		  AND NOT EXISTS (SELECT 1 FROM eio_overflow o
		                  WHERE o.sid = s.sid)
	), sized AS MATERIALIZED (
		-- dugout_queue_full inlined: a sql function called from here
		-- would be parsed again at every broadcast
		SELECT d.sid, (SELECT count(*) FROM (SELECT 1 FROM eio_outbox o
		        WHERE o.sid = d.sid LIMIT d.max_queued) q)
		    >= d.max_queued AS is_full
		FROM dest d
	), over AS (
		INSERT INTO eio_overflow (sid)
		SELECT sid FROM sized WHERE is_full ORDER BY sid
		ON CONFLICT (sid) DO NOTHING
	), ins AS (
		INSERT INTO eio_outbox (sid, packet)
		SELECT sid, p_packet FROM sized WHERE NOT is_full ORDER BY sid
		RETURNING sid
	), keys AS (
		SELECT dugout_wake_key(sid) AS k, row_number() OVER () AS i
		FROM ins
	)
	-- one NOTIFY for the room, its members' keys space separated (up
	-- to 200 a NOTIFY, well under the 8000-byte payload limit): ten
	-- pg_notify calls were a third of a broadcast's cost
	SELECT coalesce(sum(c), 0) INTO n
	FROM (SELECT count(*) AS c, pg_notify('dugout', string_agg(k, ' '))
	      FROM keys GROUP BY (i - 1) / 200) x;
	RETURN n;
END $$;
COMMENT ON FUNCTION dugout_room_emit(uuid, text, text) IS 'Queue a packet for every session in a game''s room (except one) and NOTIFY them by wake key; a member whose queue is at max_queued is marked in eio_overflow instead. Call with the game row locked.';

-- A GET in one round trip and one pass over the session row: what
-- 012's dugout_get_begin (the claim) then dugout_poll_take (the delivery,
-- not releasing) did, with one row lock and one UPDATE instead of two each.
-- state is 'unknown' (no such session, or it just ended: expired or
-- overflowed) or 'conflict' (a GET is already held: the session closes),
-- with payload and wait_ms NULL; else 'ok' with the packets joined by the
-- record separator and the ms to wait before answering an empty poll.
-- A poll that takes packets releases its claim; an empty one keeps it
-- for the lease.
CREATE FUNCTION dugout_get_take(p_sid text, p_owner text, p_lease_ms integer,
    p_ping_interval_ms integer, p_ping_timeout_ms integer,
    OUT state text, OUT payload text, OUT wait_ms bigint)
LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
	now_ timestamptz := clock_timestamp();
	pk text[] := '{}';
BEGIN
	SELECT * INTO e FROM eio_session WHERE sid = p_sid FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		state := 'unknown';
		RETURN;
	END IF;
	-- past its deadline, or over its queue bound, the session is over
	-- even if no sweep ran yet (012)
	IF e.expires_at < now_
	    OR EXISTS (SELECT 1 FROM eio_overflow WHERE sid = p_sid) THEN
		PERFORM dugout_session_end(p_sid);
		state := 'unknown';
		RETURN;
	END IF;
	IF e.get_owner IS NOT NULL AND e.get_until > now_ THEN
		IF NOT e.closing THEN
			PERFORM dugout_session_close(p_sid, 30000);
			state := 'conflict';
		ELSE
			state := 'unknown';
		END IF;
		RETURN;
	END IF;
	-- a closing session still gets this GET: it carries the close packet
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
	IF cardinality(pk) = 0 THEN
		-- only the claim changes: losing it in a crash loses nothing
		-- (the lease runs out), so the commit need not wait for the
		-- disk; a poll that takes packets waits, or a crash could
		-- deliver them twice
		SET LOCAL synchronous_commit = off;
	END IF;
	UPDATE eio_session
	SET ping_due_at = e.ping_due_at, pong_due_at = e.pong_due_at,
	    expires_at = e.expires_at,
	    get_owner = CASE WHEN cardinality(pk) > 0 THEN NULL ELSE p_owner END,
	    get_until = CASE WHEN cardinality(pk) > 0 THEN NULL
	        ELSE now_ + make_interval(secs => p_lease_ms / 1000.0) END
	WHERE sid = p_sid;
	IF e.closing AND '1' = ANY (pk) THEN
		PERFORM dugout_session_end(p_sid);
	END IF;
	state := 'ok';
	payload := array_to_string(pk, chr(30));
	wait_ms := greatest(0, (extract(epoch FROM
	    (CASE WHEN e.pong_due_at IS NULL THEN e.ping_due_at
	          ELSE e.expires_at END) - clock_timestamp()) * 1000)::bigint);
END $$;
COMMENT ON FUNCTION dugout_get_take(text, text, integer, integer, integer) IS 'A long-poll GET in one call: claim the session''s GET as dugout_get_begin does, then deliver what is queued as dugout_poll_take does; state is unknown, conflict or ok.';

-- A POST whose body is one pong, the commonest POST of an idle client (one
-- every ping interval), in one call: dugout_post_begin's checks, then
-- dugout_pong.  No POST lease is taken: the claim would be released in the
-- same transaction, and a concurrent POST waits for the row lock instead.
-- Its commit need not wait for the disk: a pong lost in a crash is one
-- missed pong, which the next ping asks for again.  state as
-- dugout_post_begin: 'ok', 'unknown' or 'conflict'.
CREATE FUNCTION dugout_post_pong(p_sid text, p_ping_interval_ms integer,
    p_ping_timeout_ms integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
BEGIN
	SET LOCAL synchronous_commit = off;
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
	PERFORM dugout_pong(p_sid, p_ping_interval_ms, p_ping_timeout_ms);
	RETURN 'ok';
END $$;
COMMENT ON FUNCTION dugout_post_pong(text, integer, integer) IS 'A POST carrying only a pong, in one call: the checks of dugout_post_begin (unknown, conflict), then dugout_pong; takes no POST lease.';

-- The other statements of every event and poll, without the costs the
-- profile showed: a sql function is parsed and planned again at every
-- call, a plpgsql one keeps its plans for the connection; and bookkeeping
-- whose loss in a crash costs nothing commits without waiting for the
-- disk (synchronous_commit off for that transaction only; the state
-- changes of an event still wait, so every event stays durable before it
-- is delivered).

-- 012's dugout_queue with the count inlined.
CREATE OR REPLACE FUNCTION dugout_queue(p_sid text, p_packet text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	lim integer;
BEGIN
	SELECT max_queued INTO lim FROM eio_session WHERE sid = p_sid;
	IF FOUND AND (EXISTS (SELECT 1 FROM eio_overflow WHERE sid = p_sid)
	    OR (SELECT count(*) FROM (SELECT 1 FROM eio_outbox
	        WHERE sid = p_sid LIMIT lim) q) >= lim) THEN
		INSERT INTO eio_overflow (sid) VALUES (p_sid)
		ON CONFLICT (sid) DO NOTHING;
		RETURN;
	END IF;
	INSERT INTO eio_outbox (sid, packet) VALUES (p_sid, p_packet);
	PERFORM pg_notify('dugout', dugout_wake_key(p_sid));
END $$;
COMMENT ON FUNCTION dugout_queue(text, text) IS 'Queue one Engine.IO packet for a session and NOTIFY its poll by wake key (fires on commit); past the session''s max_queued the packet is not queued and the session is marked in eio_overflow to be ended.';

-- 007's dugout_rate_take in plpgsql, committing without waiting for the
-- disk: a token bucket lost in a crash refills anyway.
CREATE OR REPLACE FUNCTION dugout_rate_take(p_socket text, p_event text,
    p_rate double precision, p_burst double precision)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	ok boolean;
BEGIN
	SET LOCAL synchronous_commit = off;
	INSERT INTO sio_rate AS r (socket_id, event, tokens, refilled_at)
	SELECT p_socket, p_event, p_burst - 1, clock_timestamp()
	WHERE EXISTS (SELECT 1 FROM sio_socket WHERE id = p_socket)
	ON CONFLICT (socket_id, event) DO UPDATE
	SET tokens = least(p_burst, r.tokens + p_rate * extract(epoch FROM
	        clock_timestamp() - r.refilled_at)) - 1,
	    refilled_at = clock_timestamp()
	WHERE least(p_burst, r.tokens + p_rate * extract(epoch FROM
	        clock_timestamp() - r.refilled_at)) >= 1
	RETURNING true INTO ok;
	RETURN ok;
END $$;
COMMENT ON FUNCTION dugout_rate_take(text, text, double precision, double precision) IS 'Take one token from the bucket of (socket, event), refilled at p_rate per second up to p_burst; NULL when the bucket is empty.';

-- 002's dugout_poll_take_many in plpgsql.
CREATE OR REPLACE FUNCTION dugout_poll_take_many(p_sids text[], p_owner text,
    p_ping_interval_ms integer, p_ping_timeout_ms integer,
    p_release boolean)
RETURNS TABLE (ord bigint, state text, payload text, wait_ms bigint)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY
	SELECT s.ord, t.out_state, array_to_string(t.out_packets, chr(30)),
	    greatest(0, (extract(epoch FROM t.out_wait_until
	        - clock_timestamp()) * 1000)::bigint)
	FROM unnest(p_sids) WITH ORDINALITY AS s(sid, ord),
	    LATERAL dugout_poll_take(s.sid, p_owner, p_ping_interval_ms,
	        p_ping_timeout_ms, p_release) AS t
	ORDER BY s.ord;
END $$;
COMMENT ON FUNCTION dugout_poll_take_many(text[], text, integer, integer, boolean) IS 'dugout_poll_take for a batch of sessions in one call, in the order given.';

-- Nothing calls these any more: the claim is dugout_get_take's, and the
-- queue bound's count is written out where it is used.
DROP FUNCTION dugout_get_begin(text, text, integer);
DROP FUNCTION dugout_queue_full(text, integer);

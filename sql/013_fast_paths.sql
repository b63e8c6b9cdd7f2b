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
		SELECT sid, dugout_queue_full(sid, max_queued) AS is_full
		FROM dest
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

-- A GET in one round trip: dugout_get_begin's claim, then, when it is
-- granted, dugout_poll_take's delivery.  state is get_begin's 'unknown'
-- or 'conflict' (payload and wait_ms NULL), else poll_take's 'gone' or
-- 'ok' with the packets joined by the record separator and the ms to
-- wait before answering an empty poll.
CREATE FUNCTION dugout_get_take(p_sid text, p_owner text, p_lease_ms integer,
    p_ping_interval_ms integer, p_ping_timeout_ms integer,
    OUT state text, OUT payload text, OUT wait_ms bigint)
LANGUAGE plpgsql AS $$
DECLARE
	t record;
BEGIN
	state := dugout_get_begin(p_sid, p_owner, p_lease_ms);
	IF state <> 'ok' THEN
		RETURN;
	END IF;
	SELECT * INTO t FROM dugout_poll_take(p_sid, p_owner,
	    p_ping_interval_ms, p_ping_timeout_ms, false);
	state := t.out_state;
	payload := array_to_string(t.out_packets, chr(30));
	wait_ms := greatest(0, (extract(epoch FROM t.out_wait_until
	    - clock_timestamp()) * 1000)::bigint);
END $$;
COMMENT ON FUNCTION dugout_get_take(text, text, integer, integer, integer) IS 'A long-poll GET in one call: claim the session''s GET (dugout_get_begin), then deliver what is queued (dugout_poll_take); state is unknown, conflict, gone or ok.';

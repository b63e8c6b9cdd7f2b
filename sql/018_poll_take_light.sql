-- 018_poll_take_light: a woken poll that changes nothing of its session
-- row neither locks nor updates it (issue 7, docs/performance.md).
--
-- Since the daemons hold most GETs from memory (src/memo.h), the parked
-- poll a NOTIFY wakes usually has no claim to release, no ping due and
-- no close in progress: all dugout_poll_take then has to do is take the
-- queued packets.  002's version locked the session row and updated it
-- anyway, a row lock and a new row version (and their WAL) for every
-- delivery.  dugout_poll_take_light takes the packets alone when that is
-- all there is to do, and calls dugout_poll_take (unchanged) when the
-- row does change: a ping to send, a claim to release, a session closing.
CREATE FUNCTION dugout_poll_take_light(p_sid text, p_owner text,
    p_ping_interval_ms integer, p_ping_timeout_ms integer,
    p_release boolean,
    OUT out_state text, OUT out_packets text[], OUT out_wait_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	e eio_session;
BEGIN
	SELECT * INTO e FROM eio_session WHERE sid = p_sid;
	IF NOT FOUND OR e.get_owner IS NOT NULL OR e.closing
	    OR (e.pong_due_at IS NULL AND e.ping_due_at <= clock_timestamp())
	THEN
		SELECT t.out_state, t.out_packets, t.out_wait_until
		INTO out_state, out_packets, out_wait_until
		FROM dugout_poll_take(p_sid, p_owner, p_ping_interval_ms,
		    p_ping_timeout_ms, p_release) t;
		RETURN;
	END IF;
	WITH d AS (
		DELETE FROM eio_outbox WHERE sid = p_sid RETURNING id, packet
	)
	SELECT coalesce(array_agg(packet ORDER BY id), '{}')
	INTO out_packets FROM d;
	-- a close queued since the row was read ends the session, as
	-- dugout_poll_take does when it delivers one
	IF '1' = ANY (out_packets) AND EXISTS (SELECT 1 FROM eio_session
	    WHERE sid = p_sid AND closing) THEN
		PERFORM dugout_session_end(p_sid);
	END IF;
	out_state := 'ok';
	out_wait_until := CASE WHEN e.pong_due_at IS NULL THEN e.ping_due_at
	                       ELSE e.expires_at END;
END $$;
COMMENT ON FUNCTION dugout_poll_take_light(text, text, integer, integer, boolean) IS 'dugout_poll_take without locking or updating the session row when nothing of it changes (no claim, no ping due, not closing): only the queued packets are taken.';

-- 013's dugout_poll_take_many, over dugout_poll_take_light.
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
	    LATERAL dugout_poll_take_light(s.sid, p_owner, p_ping_interval_ms,
	        p_ping_timeout_ms, p_release) AS t
	ORDER BY s.ord;
END $$;

-- 018_poll_take_light: a woken poll that changes nothing of its session
-- row neither locks nor updates it (issue 7, docs/performance.md).
--
-- Since the daemons hold most GETs from memory (src/memo.h), the parked
-- poll a NOTIFY wakes usually has no claim to release, no ping due and
-- no close in progress: all dugout_poll_take then has to do is take the
-- queued packets.  002's version locked the session row and updated it
-- anyway, a row lock and a new row version (and their WAL) for every
-- delivery.  002's function is renamed dugout_poll_take_locked, and the
-- new dugout_poll_take takes the packets alone when that is all there is
-- to do, and calls it when the row does change: a ping to send, a claim
-- to release, a session closing.  dugout_poll_take_many (013) calls
-- dugout_poll_take by name, so it takes the new one.
ALTER FUNCTION dugout_poll_take(text, text, integer, integer, boolean)
    RENAME TO dugout_poll_take_locked;
COMMENT ON FUNCTION dugout_poll_take_locked(text, text, integer, integer, boolean) IS '002''s dugout_poll_take: with the session row locked, deliver the ping (when due) and the queued packets, in order, deleting them; release the GET claim when asked; end the session when the close packet goes out.';

CREATE FUNCTION dugout_poll_take(p_sid text, p_owner text,
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
		FROM dugout_poll_take_locked(p_sid, p_owner, p_ping_interval_ms,
		    p_ping_timeout_ms, p_release) t;
		RETURN;
	END IF;
	WITH d AS (
		DELETE FROM eio_outbox WHERE sid = p_sid RETURNING id, packet
	)
	SELECT coalesce(array_agg(packet ORDER BY id), '{}')
	INTO out_packets FROM d;
	-- a close queued since the row was read ends the session, as
	-- dugout_poll_take_locked does when it delivers one
	IF '1' = ANY (out_packets) AND EXISTS (SELECT 1 FROM eio_session
	    WHERE sid = p_sid AND closing) THEN
		PERFORM dugout_session_end(p_sid);
	END IF;
	out_state := 'ok';
	out_wait_until := CASE WHEN e.pong_due_at IS NULL THEN e.ping_due_at
	                       ELSE e.expires_at END;
END $$;
COMMENT ON FUNCTION dugout_poll_take(text, text, integer, integer, boolean) IS 'Deliver a session''s ping (when due) and queued packets, in order, deleting them; releases the GET claim when asked.  When nothing of the session row changes (no claim, no ping due, not closing) only the packets are taken, without locking or updating the row; otherwise dugout_poll_take_locked does it all.';

-- 007_rate_limit: per-socket, per-event token buckets (events.md "Rate
-- limits").  Kept in the database like every other piece of state, so a
-- client whose requests alternate between processes or hosts meets one
-- limit, not one per process.  UNLOGGED with the sockets they belong to.

CREATE UNLOGGED TABLE sio_rate (
	socket_id	text NOT NULL REFERENCES sio_socket(id) ON DELETE CASCADE,
	event		text NOT NULL CHECK (length(event) BETWEEN 1 AND 64),
	tokens		double precision NOT NULL CHECK (tokens >= 0),
	refilled_at	timestamptz NOT NULL,
	PRIMARY KEY (socket_id, event)
);
COMMENT ON TABLE sio_rate IS 'Token bucket per socket and event name: an event is accepted only when its bucket holds a whole token.';
COMMENT ON COLUMN sio_rate.socket_id IS 'The socket the limit applies to; the bucket goes with it.';
COMMENT ON COLUMN sio_rate.event IS 'Event name (unknown names share the bucket "*").';
COMMENT ON COLUMN sio_rate.tokens IS 'Tokens left at refilled_at, between 0 and the burst size.';
COMMENT ON COLUMN sio_rate.refilled_at IS 'When tokens was last computed; tokens grow at the rate since then.';

-- One statement, so two processes taking from one bucket at once serialise
-- on its row: the bucket is refilled for the time elapsed, capped at the
-- burst, and one token taken if there is one.  A socket that has just ended gets no
-- row, which the caller takes as "refused": it will never read the answer.
CREATE FUNCTION dugout_rate_take(p_socket text, p_event text,
    p_rate double precision, p_burst double precision)
RETURNS boolean LANGUAGE sql AS $$
	INSERT INTO sio_rate AS r (socket_id, event, tokens, refilled_at)
	SELECT p_socket, p_event, p_burst - 1, clock_timestamp()
	WHERE EXISTS (SELECT 1 FROM sio_socket WHERE id = p_socket)
	ON CONFLICT (socket_id, event) DO UPDATE
	SET tokens = least(p_burst, r.tokens + p_rate * extract(epoch FROM
	        clock_timestamp() - r.refilled_at)) - 1,
	    refilled_at = clock_timestamp()
	WHERE least(p_burst, r.tokens + p_rate * extract(epoch FROM
	        clock_timestamp() - r.refilled_at)) >= 1
	RETURNING true
$$;
COMMENT ON FUNCTION dugout_rate_take(text, text, double precision, double precision) IS 'Take one token from the bucket of (socket, event), refilled at p_rate per second up to p_burst; NULL (no row) when the bucket is empty.';

-- 010_wake_key: NOTIFY names a session by its wake key, not by its id.
--
-- Any role that can connect may LISTEN (PostgreSQL has no privilege for
-- it), including the read-only role of 009: a NOTIFY carrying the session
-- id handed every such role the bearer secret of every live session.  The
-- wake key is the first 128 bits of SHA-256(sid) in hex, one-way; the
-- parking thread (src/park.c) computes the same for each parked poll
-- (notify_wake_key in src/notify.c) and compares.  The three write paths
-- that NOTIFY are redefined here with the same bodies but the payload.

CREATE FUNCTION dugout_wake_key(p_sid text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT left(encode(sha256(convert_to(p_sid, 'UTF8')), 'hex'), 32);
$$;
COMMENT ON FUNCTION dugout_wake_key(text) IS 'The NOTIFY payload naming a session: first 128 bits of SHA-256(sid), hex; the sid itself never leaves the tables.';

CREATE OR REPLACE FUNCTION dugout_queue(p_sid text, p_packet text) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO eio_outbox (sid, packet) VALUES (p_sid, p_packet);
	SELECT pg_notify('dugout', dugout_wake_key(p_sid));
$$;

CREATE OR REPLACE FUNCTION dugout_room_emit(p_game uuid, p_packet text, p_except text)
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
	SELECT count(*) INTO n
	FROM (SELECT pg_notify('dugout', dugout_wake_key(sid)) FROM ins) x;
	RETURN n;
END $$;

CREATE OR REPLACE FUNCTION dugout_session_end(p_sid text) RETURNS boolean
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
	PERFORM pg_notify('dugout', dugout_wake_key(p_sid));
	RETURN true;
END $$;

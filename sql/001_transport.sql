-- 001_transport: Engine.IO sessions, Socket.IO sockets, rooms, the outbox,
-- and the league skeleton that rooms need.
--
-- Outbox scheme (design.md decision 3): fan-out on write.  A broadcast
-- inserts one row per receiving session, in the transaction that makes the
-- change; a poll delivers by DELETE ... RETURNING that session's committed
-- rows.  No cursor is ever kept, so a row whose bigserial id was drawn
-- early but committed late is simply delivered by the next poll, never
-- skipped.  Per-room order is commit order because every room broadcast
-- runs under the game's row lock.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE team (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	abbrev		text NOT NULL UNIQUE CHECK (abbrev ~ '^[A-Z0-9]{2,5}$'),
	created_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE team IS 'A franchise of the league.';
COMMENT ON COLUMN team.id IS 'Team id, used in events as team_id.';
COMMENT ON COLUMN team.name IS 'Display name, e.g. "Portland Loggers".';
COMMENT ON COLUMN team.abbrev IS 'Short uppercase code shown in score bugs, unique.';
COMMENT ON COLUMN team.created_at IS 'When the team was added.';

CREATE TABLE team_manager (
	team_id		bigint NOT NULL REFERENCES team(id) ON DELETE CASCADE,
	user_id		text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 128),
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_manager_user ON team_manager(user_id);
COMMENT ON TABLE team_manager IS 'Which users (JWT sub) manage which team; a manager may join that team''s games as a player.';
COMMENT ON COLUMN team_manager.team_id IS 'The managed team.';
COMMENT ON COLUMN team_manager.user_id IS 'The manager''s user id, as the JWT sub claim carries it.';

CREATE TABLE game (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	home_team_id	bigint NOT NULL REFERENCES team(id),
	away_team_id	bigint NOT NULL REFERENCES team(id),
	status		text NOT NULL DEFAULT 'pending'
			CHECK (status IN ('pending', 'active', 'final')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (home_team_id <> away_team_id)
);
COMMENT ON TABLE game IS 'One game between two teams; its row lock serialises every action and broadcast of the game.';
COMMENT ON COLUMN game.id IS 'Game id (UUID), used in events as game_id and as the room name.';
COMMENT ON COLUMN game.home_team_id IS 'Home team.';
COMMENT ON COLUMN game.away_team_id IS 'Visiting team.';
COMMENT ON COLUMN game.status IS 'pending (not started), active, or final.';
COMMENT ON COLUMN game.created_at IS 'When the game was created.';

-- Transport state is UNLOGGED: after a database crash every client
-- reconnects with a fresh handshake, which socket.io-client does by itself.
CREATE UNLOGGED TABLE eio_session (
	sid		text PRIMARY KEY CHECK (sid ~ '^[A-Za-z0-9_-]{20}$'),
	created_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	ping_due_at	timestamptz NOT NULL,
	pong_due_at	timestamptz,
	expires_at	timestamptz NOT NULL,
	get_owner	text,
	get_until	timestamptz,
	post_until	timestamptz,
	closing		boolean NOT NULL DEFAULT false,
	attachments_due	integer NOT NULL DEFAULT 0 CHECK (attachments_due BETWEEN 0 AND 10),
	binary_nsp	text,
	binary_ack_id	bigint,
	binary_echo	boolean NOT NULL DEFAULT false
);
CREATE INDEX eio_session_expires ON eio_session(expires_at);
COMMENT ON TABLE eio_session IS 'One Engine.IO v4 polling session (a client connection); deleted when closed or expired.';
COMMENT ON COLUMN eio_session.sid IS 'Engine.IO session id: 120 random bits, URL-safe base64; a bearer secret.';
COMMENT ON COLUMN eio_session.created_at IS 'Handshake time.';
COMMENT ON COLUMN eio_session.ping_due_at IS 'When the next server ping (packet 2) is due.';
COMMENT ON COLUMN eio_session.pong_due_at IS 'Set while a ping awaits its pong; the session closes if no pong by then.';
COMMENT ON COLUMN eio_session.expires_at IS 'The session is closed by the expiry sweep after this time (no poll, or no pong).';
COMMENT ON COLUMN eio_session.get_owner IS 'Process (host:pid:nonce) holding this session''s long-poll GET, NULL when none.';
COMMENT ON COLUMN eio_session.get_until IS 'Lease end of the held GET; a second GET before it is a protocol error.';
COMMENT ON COLUMN eio_session.post_until IS 'Lease end of the POST being processed; a concurrent POST is a protocol error.';
COMMENT ON COLUMN eio_session.closing IS 'The server queued a close packet (1); the session ends when it is delivered.';
COMMENT ON COLUMN eio_session.attachments_due IS 'Binary attachments still expected for a binary Socket.IO packet.';
COMMENT ON COLUMN eio_session.binary_nsp IS 'Namespace of the binary packet whose attachments are expected.';
COMMENT ON COLUMN eio_session.binary_ack_id IS 'Ack id of that binary packet, answered once its attachments have arrived.';
COMMENT ON COLUMN eio_session.binary_echo IS 'Conformance fixture only: the attachments are echoed back as they arrive.';

CREATE UNLOGGED TABLE sio_socket (
	id		text PRIMARY KEY,
	sid		text NOT NULL REFERENCES eio_session(sid) ON DELETE CASCADE,
	nsp		text NOT NULL DEFAULT '/',
	user_id		text NOT NULL,
	is_admin	boolean NOT NULL DEFAULT false,
	token_expires_at timestamptz NOT NULL,
	connected_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	next_ack_id	bigint NOT NULL DEFAULT 1,
	UNIQUE (sid, nsp)
);
CREATE INDEX sio_socket_user ON sio_socket(user_id);
COMMENT ON TABLE sio_socket IS 'A Socket.IO v5 socket: one namespace joined on one Engine.IO session by one authenticated user.';
COMMENT ON COLUMN sio_socket.id IS 'Socket id sent in the CONNECT reply; distinct from the Engine.IO sid, which it never reveals.';
COMMENT ON COLUMN sio_socket.sid IS 'The Engine.IO session carrying this socket.';
COMMENT ON COLUMN sio_socket.nsp IS 'Namespace, "/" for dugout.';
COMMENT ON COLUMN sio_socket.user_id IS 'User id from the verified JWT (sub, or user_id).';
COMMENT ON COLUMN sio_socket.is_admin IS 'The token carried the admin claim.';
COMMENT ON COLUMN sio_socket.token_expires_at IS 'JWT exp; an action after it ends the socket with AUTH_EXPIRED.';
COMMENT ON COLUMN sio_socket.connected_at IS 'When the CONNECT was accepted.';
COMMENT ON COLUMN sio_socket.next_ack_id IS 'Next ack id the server uses when it asks this client for an acknowledgement.';

CREATE UNLOGGED TABLE sio_ack_pending (
	socket_id	text NOT NULL REFERENCES sio_socket(id) ON DELETE CASCADE,
	ack_id		bigint NOT NULL,
	event		text NOT NULL,
	sent_at		timestamptz NOT NULL DEFAULT clock_timestamp(),
	acked_at	timestamptz,
	PRIMARY KEY (socket_id, ack_id)
);
COMMENT ON TABLE sio_ack_pending IS 'Server events sent with an acknowledgement request, and when the client acknowledged them.';
COMMENT ON COLUMN sio_ack_pending.socket_id IS 'The socket the event went to.';
COMMENT ON COLUMN sio_ack_pending.ack_id IS 'The ack id the server chose.';
COMMENT ON COLUMN sio_ack_pending.event IS 'Name of the event that asked for the ack.';
COMMENT ON COLUMN sio_ack_pending.sent_at IS 'When the event was queued.';
COMMENT ON COLUMN sio_ack_pending.acked_at IS 'When the client''s ACK (43<id>) arrived; NULL while outstanding.';

CREATE UNLOGGED TABLE room_member (
	socket_id	text NOT NULL REFERENCES sio_socket(id) ON DELETE CASCADE,
	game_id		uuid NOT NULL REFERENCES game(id) ON DELETE CASCADE,
	role		text NOT NULL CHECK (role IN ('player', 'spectator')),
	joined_at	timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (socket_id, game_id)
);
CREATE INDEX room_member_game ON room_member(game_id);
COMMENT ON TABLE room_member IS 'Which sockets are in which game''s room, and as what; a room broadcast reaches exactly these.';
COMMENT ON COLUMN room_member.socket_id IS 'The member socket.';
COMMENT ON COLUMN room_member.game_id IS 'The game whose room it is.';
COMMENT ON COLUMN room_member.role IS 'player (a manager of one of the two teams, or an admin) or spectator.';
COMMENT ON COLUMN room_member.joined_at IS 'When the socket joined.';

CREATE UNLOGGED TABLE eio_outbox (
	id		bigserial PRIMARY KEY,
	sid		text NOT NULL REFERENCES eio_session(sid) ON DELETE CASCADE,
	packet		text NOT NULL CHECK (position(chr(30) in packet) = 0 AND packet <> ''),
	queued_at	timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX eio_outbox_sid ON eio_outbox(sid, id);
COMMENT ON TABLE eio_outbox IS 'Engine.IO packets waiting for a session''s next poll (fan-out on write: one row per receiving session). A poll deletes and sends its committed rows in id order.';
COMMENT ON COLUMN eio_outbox.id IS 'Queue order within a session.';
COMMENT ON COLUMN eio_outbox.sid IS 'Receiving session.';
COMMENT ON COLUMN eio_outbox.packet IS 'One encoded Engine.IO packet (type digit + data), never containing the 0x1e separator.';
COMMENT ON COLUMN eio_outbox.queued_at IS 'When it was queued; the load check and benchmarks measure delivery latency from it.';

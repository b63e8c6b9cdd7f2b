-- 009_readonly: dugout_readonly, a role for DBAs, reports and dashboards
-- (docs/database.md "The read-only role").
--
-- NOLOGIN: a DBA gives it to a login of his own,
--   CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE dugout_readonly;
-- which then reads every game table and view and writes nothing.
--
-- It does not read the three tables that hold or lead to the Engine.IO
-- session id, a bearer secret (whoever has it polls the session's packets
-- and posts as its user): eio_session, eio_outbox, sio_socket.  Who is
-- online is the view online_socket, which leaves the sid out.
--
-- Default privileges give it SELECT on the tables and views that later
-- migrations create (run by the same role as this one): a migration that
-- adds a table holding a secret must REVOKE it from dugout_readonly.
--
-- Roles belong to the cluster, not the database: the role is created only
-- when missing, and when the migrating role may not create roles (no
-- CREATEROLE, a hosted database), this migration says so in a NOTICE and
-- grants nothing; a superuser then runs
--   CREATE ROLE dugout_readonly NOLOGIN;
--   SELECT dugout_readonly_grant();   -- as the owner of the tables
-- to finish.

CREATE VIEW online_socket AS
SELECT s.id AS socket_id, s.user_id, s.is_admin, s.connected_at,
    s.token_expires_at, e.created_at AS session_started_at,
    e.expires_at AS session_expires_at
FROM sio_socket s
JOIN eio_session e ON e.sid = s.sid
WHERE NOT e.closing AND e.expires_at > clock_timestamp();
COMMENT ON VIEW online_socket IS 'Sockets connected now (session open and unexpired, as dugout_presence counts them), without the Engine.IO sid: who is online, for the read-only role. Join room_member on socket_id for the games they are in.';
COMMENT ON COLUMN online_socket.socket_id IS 'Socket id (sio_socket.id, room_member.socket_id); not a credential.';
COMMENT ON COLUMN online_socket.user_id IS 'User id from the verified JWT.';
COMMENT ON COLUMN online_socket.is_admin IS 'The token carried the admin claim.';
COMMENT ON COLUMN online_socket.connected_at IS 'When the Socket.IO CONNECT was accepted.';
COMMENT ON COLUMN online_socket.token_expires_at IS 'When the JWT expires (the socket ends at its next action after it).';
COMMENT ON COLUMN online_socket.session_started_at IS 'Engine.IO handshake time of the session carrying the socket.';
COMMENT ON COLUMN online_socket.session_expires_at IS 'When the session expires unless the client polls or answers a ping.';

CREATE FUNCTION dugout_readonly_grant() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	GRANT USAGE ON SCHEMA public TO dugout_readonly;
	GRANT SELECT ON ALL TABLES IN SCHEMA public TO dugout_readonly;
	REVOKE ALL ON eio_session, eio_outbox, sio_socket FROM dugout_readonly;
	ALTER DEFAULT PRIVILEGES IN SCHEMA public
	    GRANT SELECT ON TABLES TO dugout_readonly;
END $$;
REVOKE ALL ON FUNCTION dugout_readonly_grant() FROM PUBLIC;
COMMENT ON FUNCTION dugout_readonly_grant() IS 'Give dugout_readonly USAGE on the schema and SELECT on every table and view but eio_session, eio_outbox and sio_socket (the session id is a bearer secret), now and, by default privileges, for the tables the calling role creates later. Run by the owner of the tables; idempotent.';

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles
	    WHERE rolname = 'dugout_readonly') THEN
		BEGIN
			CREATE ROLE dugout_readonly NOLOGIN;
			COMMENT ON ROLE dugout_readonly IS 'dugout: reads the game tables and views, writes nothing; grant it to a login (docs/database.md).';
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE NOTICE 'dugout_readonly not created: % may not create roles; as a superuser run CREATE ROLE dugout_readonly NOLOGIN, then SELECT dugout_readonly_grant() as %', current_user, current_user;
			RETURN;
		END;
	END IF;
	PERFORM dugout_readonly_grant();
END $$;

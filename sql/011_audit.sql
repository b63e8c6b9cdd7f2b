-- 011_audit: the audit trail (docs/game.md "Audit trail", docs/database.md).
--
-- One audit_event row per game action a socket sent (the gameplay write
-- events, join_game and leave_game), accepted or refused.  An accepted
-- action's row is written by the action's own transaction (src/gameplay.c
-- gp_audit, src/events.c for joins and leaves), so a committed play always
-- has its row and a rolled-back action has none; a refusal's row is
-- written after the rollback, by itself (src/service.c, every refusal
-- including validation, NOT_IN_GAME, NOT_AUTHORIZED, RATE_LIMITED).
-- Read-only events (get_lineup, get_box_score, request_game_state,
-- get_presence, list_games, heartbeat) are not recorded.
--
-- No secret is stored: the payload keeps only the event's contract fields
-- (events.md), never a token, and the socket id is not a credential (the
-- Engine.IO sid, which is, is not recorded).  dugout_readonly reads it.

CREATE TABLE audit_event (
	id		bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT clock_timestamp(),
	game_id		uuid,
	event		text NOT NULL CHECK (event ~ '^[a-z][a-z_]{0,63}$'),
	user_id		text NOT NULL CHECK (user_id <> ''),
	is_admin	boolean NOT NULL DEFAULT false,
	socket_id	text NOT NULL CHECK (socket_id <> ''),
	payload		jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(payload) = 'object'),
	outcome		text NOT NULL CHECK (outcome IN ('ok', 'refused', 'error')),
	code		text CHECK (code ~ '^[A-Z][A-Z_]{0,63}$'),
	message		text,
	roll_id		bigint REFERENCES dice_roll(id) ON DELETE SET NULL,
	play_id		bigint REFERENCES play(id) ON DELETE SET NULL,
	CONSTRAINT audit_event_code CHECK ((outcome = 'ok') = (code IS NULL)),
	CONSTRAINT audit_event_links CHECK (outcome = 'ok'
	    OR (roll_id IS NULL AND play_id IS NULL)),
	CONSTRAINT audit_event_play CHECK (play_id IS NULL
	    OR event = 'submit_manual_outcome')
);
CREATE INDEX audit_event_game ON audit_event(game_id, id);
CREATE INDEX audit_event_at ON audit_event(at);
COMMENT ON TABLE audit_event IS 'The audit trail: one row per game action a socket sent (decisions, roll_dice, submit_manual_outcome, the four substitutions, join_game, leave_game), accepted or refused, in id order. An accepted action''s row commits with the action; a refusal''s row is written after its rollback. Read-only events are not recorded.';
COMMENT ON COLUMN audit_event.id IS 'Order of recording: for one game''s accepted actions, which run under the game''s row lock, the order they took effect.';
COMMENT ON COLUMN audit_event.at IS 'When the row was written (clock_timestamp()).';
COMMENT ON COLUMN audit_event.game_id IS 'The game named by the payload''s game_id when it was a valid UUID, else NULL; no foreign key, so a refusal for an unknown game and the trail of a deleted game are kept.';
COMMENT ON COLUMN audit_event.event IS 'Event name, from the server''s event table (never the client''s text): submit_defensive_decision, submit_offensive_decision, roll_dice, submit_manual_outcome, request_pinch_hitter, request_pinch_runner, request_defensive_replacement, request_pitching_change, join_game, leave_game.';
COMMENT ON COLUMN audit_event.user_id IS 'User id (JWT sub) of the socket that sent the action.';
COMMENT ON COLUMN audit_event.is_admin IS 'The token carried the admin claim (an admin may act for both teams).';
COMMENT ON COLUMN audit_event.socket_id IS 'Socket that sent it (sio_socket.id, room_member.socket_id); no foreign key, sockets are transient; not a credential.';
COMMENT ON COLUMN audit_event.payload IS 'The payload''s fields of the event contract (events.md) as sent, every other key left out (never a token); strings over 200 bytes are cut. For an accepted action these are the validated fields.';
COMMENT ON COLUMN audit_event.outcome IS 'ok: accepted and committed; refused: answered with a refusal (error, outcome_rejected, substitution_error) and nothing changed; error: failed on our side (INTERNAL) and nothing changed.';
COMMENT ON COLUMN audit_event.code IS 'The refusal''s code (events.md, e.g. NOT_YOUR_TURN, ROLL_PENDING, RATE_LIMITED, INTERNAL); NULL when accepted.';
COMMENT ON COLUMN audit_event.message IS 'The refusal''s message as the client got it; NULL when accepted.';
COMMENT ON COLUMN audit_event.roll_id IS 'roll_dice: the roll it made; submit_manual_outcome: the roll its play consumed (NULL for a runner event or intentional walk without one).';
COMMENT ON COLUMN audit_event.play_id IS 'submit_manual_outcome: the play it recorded.';

-- The trail with the dice and the play of each action: a disputed play's
-- roll, the submission that consumed it and the resulting play, per row.
CREATE VIEW audit_trail AS
SELECT a.id, a.at, a.game_id, a.event, a.user_id, a.is_admin, a.socket_id,
    a.outcome, a.code, a.message, a.payload, a.roll_id,
    r.d6_one, r.d6_two_a, r.d6_two_b, r.d6_two_total, r.chaos_d20,
    r.resolution_d20, r.check_wild_pitch, r.check_passed_ball,
    r.play_id AS roll_play_id, a.play_id, p.play_number, p.inning, p.half,
    p.outs_before, p.outs_after, p.on_base_code, p.outcome AS play_outcome,
    p.hit_location, p.runs, p.description
FROM audit_event a
LEFT JOIN dice_roll r ON r.id = a.roll_id
LEFT JOIN play p ON p.id = a.play_id;
COMMENT ON VIEW audit_trail IS 'audit_event with the dice of its roll and the play it recorded: ORDER BY id for a game''s actions in order. A roll_dice row shows in roll_play_id the play that later consumed its roll; that play''s submit_manual_outcome row carries the same roll_id.';
COMMENT ON COLUMN audit_trail.id IS 'audit_event.id: the order of recording.';
COMMENT ON COLUMN audit_trail.at IS 'When the action was recorded.';
COMMENT ON COLUMN audit_trail.game_id IS 'The game (NULL when the payload named none validly).';
COMMENT ON COLUMN audit_trail.event IS 'Event name.';
COMMENT ON COLUMN audit_trail.user_id IS 'User id of the sender.';
COMMENT ON COLUMN audit_trail.is_admin IS 'The sender''s token carried the admin claim.';
COMMENT ON COLUMN audit_trail.socket_id IS 'Socket that sent it.';
COMMENT ON COLUMN audit_trail.outcome IS 'ok, refused or error.';
COMMENT ON COLUMN audit_trail.code IS 'Refusal code; NULL when accepted.';
COMMENT ON COLUMN audit_trail.message IS 'Refusal message; NULL when accepted.';
COMMENT ON COLUMN audit_trail.payload IS 'The contract fields of the payload.';
COMMENT ON COLUMN audit_trail.roll_id IS 'The roll made (roll_dice) or consumed (submit_manual_outcome).';
COMMENT ON COLUMN audit_trail.d6_one IS 'The roll''s single d6.';
COMMENT ON COLUMN audit_trail.d6_two_a IS 'The roll''s first die of the 2d6.';
COMMENT ON COLUMN audit_trail.d6_two_b IS 'The roll''s second die of the 2d6.';
COMMENT ON COLUMN audit_trail.d6_two_total IS 'The roll''s 2d6 total.';
COMMENT ON COLUMN audit_trail.chaos_d20 IS 'The roll''s chaos d20.';
COMMENT ON COLUMN audit_trail.resolution_d20 IS 'The roll''s resolution d20.';
COMMENT ON COLUMN audit_trail.check_wild_pitch IS 'The roll was a wild-pitch check.';
COMMENT ON COLUMN audit_trail.check_passed_ball IS 'The roll was a passed-ball check.';
COMMENT ON COLUMN audit_trail.roll_play_id IS 'The play that consumed the roll (dice_roll.play_id), NULL while unused or expired.';
COMMENT ON COLUMN audit_trail.play_id IS 'The play a submit_manual_outcome recorded.';
COMMENT ON COLUMN audit_trail.play_number IS 'That play''s number in the game.';
COMMENT ON COLUMN audit_trail.inning IS 'That play''s inning.';
COMMENT ON COLUMN audit_trail.half IS 'That play''s half-inning.';
COMMENT ON COLUMN audit_trail.outs_before IS 'Outs before that play.';
COMMENT ON COLUMN audit_trail.outs_after IS 'Outs after that play.';
COMMENT ON COLUMN audit_trail.on_base_code IS 'Bases occupied before that play (first, second, third as 0/1).';
COMMENT ON COLUMN audit_trail.play_outcome IS 'That play''s outcome.';
COMMENT ON COLUMN audit_trail.hit_location IS 'That play''s hit location.';
COMMENT ON COLUMN audit_trail.runs IS 'Runs scored on that play.';
COMMENT ON COLUMN audit_trail.description IS 'That play''s description.';

-- dugoutctl audit GAME: one row per action, as a text line and as JSON.
CREATE FUNCTION dugout_audit_lines(p_game uuid)
RETURNS TABLE (line text, doc text)
LANGUAGE sql STABLE AS $$
	SELECT concat_ws(' ', '#' || t.id,
	    to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
	    t.event, 'user=' || t.user_id || CASE WHEN t.is_admin THEN
	    '(admin)' ELSE '' END, 'socket=' || t.socket_id, t.outcome,
	    'code=' || t.code, 'roll=' || t.roll_id, 'play=' || t.play_id,
	    'payload=' || t.payload::text,
	    'message=' || quote_literal(t.message)),
	    json_build_object('id', t.id, 'at', t.at, 'game_id', t.game_id,
	    'event', t.event, 'user_id', t.user_id, 'is_admin', t.is_admin,
	    'socket_id', t.socket_id, 'outcome', t.outcome, 'code', t.code,
	    'message', t.message, 'payload', t.payload, 'roll_id', t.roll_id,
	    'play_id', t.play_id, 'play_number', t.play_number,
	    'play_outcome', t.play_outcome)::text
	FROM audit_trail t WHERE t.game_id = p_game ORDER BY t.id
$$;
COMMENT ON FUNCTION dugout_audit_lines(uuid) IS 'dugoutctl audit GAME: the game''s audit trail in order, one text line and one JSON object per action.';

-- Default privileges (009_readonly) already cover tables created by the
-- same role; granted explicitly too, for a migration run by another.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dugout_readonly')
	THEN
		GRANT SELECT ON audit_event, audit_trail TO dugout_readonly;
	END IF;
END $$;

-- 014_replay: what a disputed play is replayed from (issue 5, "so a
-- disputed play can be replayed from the database alone";
-- `dugoutctl audit GAME --replay`, docs/game.md "Replaying a play").
--
-- The engine is a pure function of the state before a play and the
-- manager's submission: the dice are read off physical cards by people,
-- so they are not an input.  The submission is the `ok` audit_event row
-- of the play (its payload and whether a roll was pending); this table
-- keeps the other two things, written in the play's own transaction: the
-- engine's state document the play was resolved from, and the play
-- document the engine returned (what dugout_play_record stored in play
-- and play_runner).  A replay feeds the first and the submission to the
-- engine and compares what comes out with the second.

CREATE TABLE play_replay (
	play_id		bigint PRIMARY KEY REFERENCES play(id) ON DELETE CASCADE,
	state_before	jsonb NOT NULL CHECK (jsonb_typeof(state_before) = 'object'),
	play_doc	jsonb NOT NULL CHECK (jsonb_typeof(play_doc) = 'object')
);
COMMENT ON TABLE play_replay IS 'For each play, the engine''s input and output as the server saw them, written with the play: replaying state_before with the play''s submission (audit_event, outcome ok) must give play_doc (dugoutctl audit GAME --replay).';
COMMENT ON COLUMN play_replay.play_id IS 'The play (play.id).';
COMMENT ON COLUMN play_replay.state_before IS 'The engine''s state document (src/game_json.h, as dugout_game_load returns it, with names) the play was resolved from, before the submission.';
COMMENT ON COLUMN play_replay.play_doc IS 'The engine''s play document (src/game_json.h game_json_play) passed to dugout_play_record.';

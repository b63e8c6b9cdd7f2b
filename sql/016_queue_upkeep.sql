-- 016_queue_upkeep: the transport tables kept small and their plans
-- current under load (issue 7, docs/performance.md).
--
-- eio_outbox and eio_session are queues: every delivery deletes a row of
-- the one and updates a row of the other, thousands a second under load.
-- The default autovacuum trigger (20 % of the table dead) lets a queue
-- that is nearly empty collect hundreds of thousands of dead index
-- entries, which every look-up of a session's queue then walks.  Vacuum
-- them after a fixed number of dead rows instead.  The daemon's sweeper
-- also vacuums them every few seconds itself (src/query.c query_vacuum):
-- autovacuum looks at a table at most once a naptime (a minute by
-- default), and shared hosting cannot always change that.
ALTER TABLE eio_outbox SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 1000);
ALTER TABLE eio_session SET (autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 1000);

-- A daemon now holds a GET from its memory of the poll it answered just
-- before, without claiming it here (src/memo.h).
COMMENT ON COLUMN eio_session.get_owner IS 'Process (host:pid:nonce) holding this session''s long-poll GET by claim, NULL when none.  A GET a daemon holds from its memory of the poll it answered just before (src/memo.h) is not claimed here.';

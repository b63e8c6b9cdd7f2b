-- 015_plpgsql_reads: the JSON documents a request reads, built by
-- plpgsql functions instead of sql ones (issue 7, docs/performance.md).
--
-- PostgreSQL 15 parses and plans the query of a LANGUAGE sql function at
-- every call that cannot inline it, and none of these can be inlined (each
-- is called on its own, as `SELECT f($1)`).  A plpgsql function keeps the
-- plan of its statement for the life of the connection.  Measured on the
-- bench stack with psql, 300 calls each on the demo game:
-- dugout_game_state 1.9 ms a call as sql, 0.5 ms as plpgsql, of which
-- 0.27 ms is the round trip itself; every roll_dice and every outcome calls
-- it and dugout_game_load once each.
--
-- Each body stays exactly the query written in its own migration (004,
-- 005, 008): the function is redefined from the catalog, with its
-- arguments, result, volatility and comment unchanged, as
-- `BEGIN RETURN (<that query>); END`.  dugout_card_status returns a table
-- and keeps LANGUAGE sql (a plpgsql RETURNS TABLE would turn its column
-- names into variables); it is called only by a substitution.

DO $$
DECLARE
	f	regprocedure;
	p	pg_proc;
BEGIN
	FOREACH f IN ARRAY ARRAY[
	    'dugout_game_state(uuid)',
	    'dugout_game_load(uuid)',
	    'dugout_play_json(bigint)',
	    'dugout_recent_plays(uuid, integer)',
	    'dugout_my_teams(uuid, text, boolean)',
	    'dugout_presence(uuid)',
	    'dugout_lineup(uuid, bigint)',
	    'dugout_box_score(uuid)',
	    'dugout_list_games(text, boolean, text, integer)'
	]::regprocedure[] LOOP
		SELECT * INTO STRICT p FROM pg_proc WHERE oid = f;
		IF p.proretset OR p.prolang <> (SELECT oid FROM pg_language
		    WHERE lanname = 'sql') THEN
			RAISE EXCEPTION '015: % is not a scalar sql function', f;
		END IF;
		-- the newline before ")" keeps a trailing "--" comment of the
		-- query from swallowing it
		EXECUTE format('CREATE OR REPLACE FUNCTION %s(%s) RETURNS %s '
		    'LANGUAGE plpgsql %s AS %L',
		    p.oid::regproc, pg_get_function_arguments(p.oid),
		    pg_get_function_result(p.oid),
		    CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE'
		        WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
		    E'BEGIN\nRETURN (\n' ||
		    rtrim(p.prosrc, E' \t\r\n;') || E'\n);\nEND');
	END LOOP;
END $$;

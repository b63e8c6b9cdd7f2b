// docs/database.md and docs/queries.sql, for DBAs: two one-inning games are
// played to their end through the server (the first with a pitching
// change), then every query of docs/queries.sql runs as a login that
// inherits dugout_readonly (sql/009_readonly.sql), as the doc tells a DBA to
// make one; each returns rows and the key ones the right values.  The role
// reads no session secret and writes nothing.  tools/schema-doc --check
// proves docs/database.md matches the migrated schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useStack, REPO } from './helpers.mjs';
import { demo, shortGame, openGame, playShortGameToEnd, psql, cardId } from './gamehelpers.mjs';

const S = useStack('dbaqueries');
const LOGIN = 'dba_reports';

/** The queries of docs/queries.sql: [{name, sql}]. */
function queries() {
  const text = readFileSync(join(REPO, 'docs/queries.sql'), 'utf8');
  return text.split(/^-- name: /m).slice(1).map((block) => {
    const [name, ...rest] = block.split('\n');
    return { name: name.trim(), sql: rest.join('\n').trim() };
  });
}

/** Run sql (psql variables allowed) as LOGIN; rows as arrays of strings. */
function asReader(sql, vars = {}) {
  const args = [`${S.stack.database} user=${LOGIN}`, '-X', '-A', '-t', '-q', '-F', '\t',
    '-v', 'ON_ERROR_STOP=1', '-f', '-'];
  for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
  return new Promise((resolve) => {
    const child = execFile('psql', args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({
        ok: !err,
        stderr,
        rows: stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')),
      });
    });
    child.stdin.end(`${sql}\n`);
  });
}

const played = {};

test('two games played to the end, one with a pitching change', { timeout: 180_000 }, async () => {
  const d = await demo(S.stack, 'dba');
  // a role a DBA makes as docs/database.md says
  await psql(S.stack, `CREATE ROLE ${LOGIN} LOGIN IN ROLE dugout_readonly`);

  const first = await shortGame(S.stack, d, 1);
  const g = await openGame(S.stack, { demo: d, gameId: first });
  for (const o of ['homerun', 'strikeout', 'strikeout', 'strikeout', 'strikeout']) await g.pa(o);
  const reliever = await cardId(S.stack, d.away.team_id, 'Bo Castlemaine');
  // lineup ids are the short game's, not the demo game's (g.ids)
  const starter = Number(await psql(S.stack, `SELECT id FROM lineup_entry WHERE game_id = '${first}'
    AND team_id = ${Number(d.away.team_id)} AND position = 'P' AND is_active`));
  await g.ok('away', 'request_pitching_change',
    { player_out_lineup_id: starter, player_in_card_id: reliever, team_id: d.away.team_id });
  for (const o of ['strikeout', 'strikeout']) await g.pa(o);
  const st = await g.stateAfter(7);
  assert.equal(st.status, 'final');
  assert.deepEqual(st.score, { home: 0, away: 1 });

  const second = await shortGame(S.stack, d, 1);
  const g2 = await openGame(S.stack, { demo: d, gameId: second });
  await playShortGameToEnd(g2);
  g2.close();
  Object.assign(played, { d, first, second, g, sockets: g });
});

test('every query of docs/queries.sql runs as the read-only role and returns rows', async () => {
  assert.ok(played.first, 'the games were played');
  const { d, first } = played;
  // the short games' default lineups, not the demo game's
  const who = async (team, cond) => {
    const [cid, name] = (await psql(S.stack, `SELECT c.id || '|' || c.name FROM lineup_entry le
      JOIN card c ON c.id = le.card_id WHERE le.game_id = '${first}'
      AND le.team_id = ${Number(team)} AND ${cond}`)).split('|');
    return { card_id: Number(cid), name };
  };
  const a1 = await who(d.away.team_id, 'le.batting_order = 1 AND le.is_starter');
  const homeP = (await who(d.home.team_id, 'le.pitcher_seq = 1')).name;
  const awayP = (await who(d.away.team_id, 'le.pitcher_seq = 1')).name;
  const vars = { game_id: first, team_id: d.away.team_id, card_id: a1.card_id };
  const all = queries();
  assert.ok(all.length >= 12, `a dozen queries at least: ${all.map((q) => q.name)}`);
  const got = {};
  for (const q of all) {
    const r = await asReader(q.sql, vars);
    assert.ok(r.ok, `${q.name} fails as ${LOGIN}: ${r.stderr}`);
    assert.ok(r.rows.length > 0, `${q.name} returns no rows`);
    got[q.name] = r.rows;
  }
  const awayAbbr = d.away.abbrev;

  // play-by-play: 7 plays, a home run first, 1-0 after it and at the end
  const pbp = got.play_by_play;
  assert.equal(pbp.length, 7);
  assert.deepEqual(pbp[0].slice(0, 5), ['1', '1', 'top', '0', '000']);
  assert.equal(pbp[0][5], a1.name);
  assert.equal(pbp[0][6], homeP);
  assert.equal(pbp[0][7], 'homerun');
  assert.deepEqual(pbp.at(-1).slice(9), ['1', '0']);

  // box score: the leadoff man's line (AB R H RBI), the losing pitcher
  const lead = got.box_score_batting.find((r) => r[0] === 'away' && r[1] === '1');
  assert.deepEqual([lead[2], ...lead.slice(4, 8)], [a1.name, '1', '1', '1', '1']);
  const hp = got.box_score_pitching.find((r) => r[1] === homeP);
  assert.deepEqual([hp[2], hp[5], hp[9]], ['1.0', '1', 'L']);

  // runs by inning: the visitors' run in the top of the first, none in the bottom
  assert.deepEqual(got.runs_by_inning, [[awayAbbr, '1', 'top', '1'], [d.home.abbrev, '1', 'bottom', '0']]);

  // decisions: one W and one L per game; the home starter lost both
  const dec = got.pitcher_decisions;
  for (const gameId of [played.first, played.second]) {
    const mine = dec.filter((r) => r[0] === gameId);
    assert.equal(mine.filter((r) => r[2] === 'W').length, 1, `one W in ${gameId}`);
    assert.deepEqual(mine.filter((r) => r[2] === 'L').map((r) => r[3]), [homeP]);
  }

  // the pitching change
  assert.equal(got.substitutions.length, 1);
  const sub = got.substitutions[0];
  assert.deepEqual([sub[0], sub[1], sub[2], sub[3], sub[4], sub[5], sub[6], sub[7]],
    ['1', 'bottom', '1', 'pitching_change', awayAbbr, awayP, 'Bo Castlemaine', 'P']);

  // the leadoff man's season: 2 games, 2 AB, 2 H, 2 HR, 2 RBI, 1.000
  assert.deepEqual(got.player_season_line, [[a1.name, awayAbbr, '2', '2', '2', '2', '2', '2', '2', '0', '0', '1.000']]);

  // ERA: the home starter gave up 2 earned runs in 2 innings
  const era = got.earned_run_averages.find((r) => r[0] === homeP);
  assert.deepEqual(era.slice(1), [d.home.abbrev, '2', '2.0', '2', '9.00']);

  // the visitors are 2-0, 2 runs for, none against
  assert.deepEqual(got.team_record, [[awayAbbr, '2', '0', '2', '0']]);

  // strikeouts with the bases empty and a home run leave no one on
  assert.equal(got.left_on_base.length, 4);
  for (const r of got.left_on_base) assert.deepEqual(r.slice(2), ['0', '0']);

  // the longest game is the one with 7 plays... both have 7
  assert.ok(got.longest_games.every((r) => r[6] === '7'), JSON.stringify(got.longest_games));

  // every roll is counted once
  const rolls = await psql(S.stack, 'SELECT count(*) FROM dice_roll');
  assert.equal(got.dice_distribution.reduce((n, r) => n + Number(r[1]), 0), Number(rolls));

  // the first game's three clients are still connected
  const online = got.online_now.filter((r) => r[1] === first);
  assert.deepEqual(online.map((r) => r[2]).sort(), ['player', 'player', 'spectator']);
  assert.ok(online.some((r) => r[0] === d.home.user_id));
  played.g.close();
});

test('the read-only role reads no session secret and writes nothing', async () => {
  for (const t of ['eio_session', 'eio_outbox', 'sio_socket', 'eio_overflow']) {
    const r = await asReader(`SELECT count(*) FROM ${t}`);
    assert.ok(!r.ok && /permission denied/.test(r.stderr), `${t} is readable: ${r.stderr}`);
  }
  // the exact set of relations it cannot read
  const hidden = await psql(S.stack, `SELECT string_agg(c.relname, ',' ORDER BY c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    WHERE c.relkind IN ('r', 'v', 'm') AND NOT has_table_privilege('dugout_readonly', c.oid, 'SELECT')`);
  assert.equal(hidden, 'eio_outbox,eio_overflow,eio_session,sio_socket');
  const tables = (await psql(S.stack, `SELECT c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    WHERE c.relkind = 'r' ORDER BY 1`)).split('\n');
  assert.ok(tables.length >= 15, tables.join(' '));
  for (const t of tables) {
    for (const sql of [`INSERT INTO ${t} DEFAULT VALUES`, `DELETE FROM ${t}`,
      `UPDATE ${t} SET ${await firstColumn(t)} = ${await firstColumn(t)}`, `TRUNCATE ${t}`]) {
      const r = await asReader(sql);
      assert.ok(!r.ok && /permission denied/.test(r.stderr), `${sql}: ${r.ok ? 'allowed' : r.stderr}`);
    }
  }
  for (const sql of ['REFRESH MATERIALIZED VIEW season_batting',
    "SELECT dugout_demo('x', 'y')", 'SELECT dugout_refresh_stats()', 'SELECT dugout_readonly_grant()',
    'CREATE TABLE intruder (x int)', 'SELECT nextval(\'play_id_seq\')']) {
    const r = await asReader(sql);
    assert.ok(!r.ok && /permission denied|must be owner/.test(r.stderr), `${sql}: ${r.ok ? 'allowed' : r.stderr}`);
  }
  // and no function of ours runs with its owner's rights
  assert.equal(await psql(S.stack, `SELECT count(*) FROM pg_proc p JOIN pg_namespace n
    ON n.oid = p.pronamespace AND n.nspname = 'public' WHERE p.prosecdef`), '0');
});

const firstCols = {};
async function firstColumn(t) {
  firstCols[t] ??= await psql(S.stack, `SELECT attname FROM pg_attribute
    WHERE attrelid = '${t}'::regclass AND attnum = 1`);
  return firstCols[t];
}

test('docs/database.md matches the migrated schema (tools/schema-doc --check)', async () => {
  const r = await new Promise((resolve) => {
    execFile(join(REPO, 'tools/schema-doc'), ['--check', S.stack.database],
      { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => resolve({ err, stdout, stderr }));
  });
  assert.equal(r.err, null, `${r.stdout}\n${r.stderr}`);
  // and every table and column is in it
  const cols = (await psql(S.stack, `SELECT c.relname || '.' || a.attname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'v', 'm')`)).split('\n');
  const doc = readFileSync(join(REPO, 'docs/database.md'), 'utf8');
  for (const tc of cols) {
    const [t, c] = tc.split('.');
    const at = doc.indexOf(`### \`${t}\``);
    assert.ok(at >= 0, `${t} is in docs/database.md`);
    const next = doc.indexOf('\n### ', at + 1);
    assert.ok(doc.slice(at, next < 0 ? undefined : next).includes(`| \`${c}\` |`), `${tc} is in docs/database.md`);
  }
});

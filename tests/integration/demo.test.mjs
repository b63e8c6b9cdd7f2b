// dugoutctl demo (sql/006_demo.sql): two fictional teams with full rosters,
// a new game with fixed lineups, and tokens for both managers and a
// spectator, as one JSON object; and dugoutctl game create's lineups
// (--lineup-home/--lineup-away files, or each roster's default).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  useStack, REPO, connected, once, joinGame, closeAll, unique, makeJwt,
} from './helpers.mjs';

const S = useStack('demo');
afterEach(() => closeAll());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FIELD = ['P', 'C', '1B', '2B', '3B', 'SS', 'LF', 'CF', 'RF'];

function ctlRun(args) {
  return new Promise((resolve) => {
    execFile(S.stack.dugoutctl, args, {
      env: { PATH: process.env.PATH, DUGOUT_CONFIG: S.stack.config, DUGOUT_SQLDIR: join(REPO, 'sql') },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

async function ok(args) {
  const r = await ctlRun(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** The command fails with one line on stderr matching pattern, nothing on stdout. */
async function refused(args, pattern) {
  const r = await ctlRun(args);
  assert.notEqual(r.code, 0, `expected a failure: ${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
  assert.match(lines[0], /^dugoutctl: /);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '', 'nothing on stdout on failure');
}

function psql(sql) {
  const dir = /host=(\S+)/.exec(S.stack.database)[1];
  return execFileSync('psql', ['-X', '-h', dir, '-U', 'dugout', '-d', 'dugout', '-Atc', sql],
    { encoding: 'utf8' }).trim();
}

/** [{card_id, position, batting_order, ...}] of a game's team, by slot (pitcher last). */
function lineupOf(gameId, teamId) {
  const out = psql(`SELECT coalesce(json_agg(json_build_object('lineup_id', id, 'card_id', card_id,
      'position', position, 'batting_order', batting_order, 'is_starter', is_starter,
      'is_active', is_active, 'pitcher_seq', pitcher_seq, 'entry_lead', entry_lead,
      'entry_runners', entry_runners)
      ORDER BY batting_order NULLS LAST, id), '[]')
    FROM lineup_entry WHERE game_id = '${gameId}' AND team_id = ${Number(teamId)}`);
  return JSON.parse(out);
}

const tmp = mkdtempSync(join(tmpdir(), 'dugout-demo-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let nfile = 0;
function file(content) {
  const p = join(tmp, `lineup-${++nfile}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

const claims = (tok) => JSON.parse(Buffer.from(tok.split('.')[1], 'base64url').toString());

/** The checks every side of a demo game must pass: a DH lineup batting 1..9 and a pitcher with no slot. */
function checkSide(side, who) {
  assert.deepEqual(Object.keys(side), ['team_id', 'user_id', 'token', 'name', 'abbrev', 'lineup', 'pitcher'], who);
  assert.equal(typeof side.team_id, 'number');
  assert.match(side.abbrev, /^[A-Z0-9]{2,5}$/);
  assert.ok(side.name.length > 0);
  assert.equal(side.lineup.length, 9, `${who}: nine batters`);
  side.lineup.forEach((e, i) => {
    assert.deepEqual(Object.keys(e).sort(), ['batting_order', 'card_id', 'lineup_id', 'name', 'position'], who);
    assert.equal(e.batting_order, i + 1, `${who}: slot ${i + 1} in order`);
    assert.equal(typeof e.lineup_id, 'number');
    assert.equal(typeof e.card_id, 'number');
  });
  const positions = side.lineup.map((e) => e.position);
  assert.equal(positions.filter((p) => p === 'DH').length, 1, `${who}: one DH`);
  assert.deepEqual([...positions.filter((p) => p !== 'DH'), side.pitcher.position].sort(), [...FIELD].sort(),
    `${who}: every field position once`);
  assert.equal(side.pitcher.position, 'P');
  assert.equal(side.pitcher.batting_order, null, `${who}: the pitcher does not bat`);
  assert.equal(new Set([...side.lineup.map((e) => e.card_id), side.pitcher.card_id]).size, 10, `${who}: ten cards`);
}

test('demo: a new game each call on the same teams; every key; deterministic DH lineups', async () => {
  const a = JSON.parse(await ok(['demo']));
  const b = JSON.parse(await ok(['--json', 'demo']));
  for (const d of [a, b]) {
    assert.deepEqual(Object.keys(d), ['game_id', 'home', 'away', 'spectator']);
    assert.match(d.game_id, UUID);
    checkSide(d.home, 'home');
    checkSide(d.away, 'away');
    assert.deepEqual(Object.keys(d.spectator), ['user_id', 'token']);
    assert.equal(d.home.user_id, 'demo-home');
    assert.equal(d.away.user_id, 'demo-away');
    assert.equal(d.spectator.user_id, 'demo-spectator');
    assert.notEqual(d.home.team_id, d.away.team_id);
  }
  assert.notEqual(a.game_id, b.game_id, 'a new game each time');
  assert.equal(a.home.team_id, b.home.team_id, 'the same home team');
  assert.equal(a.away.team_id, b.away.team_id, 'the same away team');
  for (const side of ['home', 'away']) {
    // slot n is the same card every time; the lineup ids are the new game's
    assert.deepEqual(a[side].lineup.map((e) => [e.card_id, e.name, e.position]),
      b[side].lineup.map((e) => [e.card_id, e.name, e.position]), side);
    assert.equal(a[side].pitcher.card_id, b[side].pitcher.card_id);
    assert.notEqual(a[side].pitcher.lineup_id, b[side].pitcher.lineup_id);
  }

  // the database agrees: rosters of 26 (13 pitchers, 5 of them SP), one
  // set of cards however many demos, the game pending with 9 innings and
  // the DH, the pitchers current, the entries as lineup_set writes them
  for (const side of [a.home, a.away]) {
    assert.equal(psql(`SELECT count(*) || ' ' || count(*) FILTER (WHERE 'P' = ANY (c.positions))
        || ' ' || count(*) FILTER (WHERE c.pitcher_role = 'SP')
        || ' ' || count(*) FILTER (WHERE cardinality(c.positions) BETWEEN 1 AND 3)
      FROM roster r JOIN card c ON c.id = r.card_id WHERE r.team_id = ${side.team_id}`), '26 13 5 26');
    assert.equal(psql(`SELECT count(*) FROM team_manager WHERE team_id = ${side.team_id}
      AND user_id = '${side.user_id}'`), '1');
  }
  assert.equal(psql(`SELECT status || ' ' || scheduled_innings || ' ' || use_dh || ' '
      || home_pitcher_id || ' ' || away_pitcher_id FROM game WHERE id = '${b.game_id}'`),
    `pending 9 true ${b.home.pitcher.lineup_id} ${b.away.pitcher.lineup_id}`);
  const rows = lineupOf(b.game_id, b.home.team_id);
  assert.equal(rows.length, 10);
  for (const r of rows) {
    assert.equal(r.is_starter, true);
    assert.equal(r.is_active, true);
    assert.equal(r.pitcher_seq, r.position === 'P' ? 1 : null);
    assert.equal(r.entry_lead, 0);
    assert.equal(r.entry_runners, 0);
  }
  assert.deepEqual(rows.map((r) => r.lineup_id), [...b.home.lineup, b.home.pitcher].map((e) => e.lineup_id));
});

test('demo: the tokens work: the home manager joins as player, the spectator as spectator', { timeout: 120_000 }, async () => {
  const home = unique('demo-home');
  const away = unique('demo-away');
  const spec = unique('demo-spec');
  const d = JSON.parse(await ok(['demo', '--home-user', home, '--away-user', away,
    '--spectator-user', spec, '--ttl', '600']));
  assert.equal(d.home.user_id, home);
  assert.equal(d.away.user_id, away);
  assert.equal(d.spectator.user_id, spec);
  for (const [tok, user] of [[d.home.token, home], [d.away.token, away], [d.spectator.token, spec]]) {
    const c = claims(tok);
    assert.equal(c.sub, user);
    assert.equal(c.exp - c.iat, 600);
    assert.equal(c.admin, undefined);
    assert.equal(makeJwt(c, S.stack.jwtSecret), tok, 'signed as dugoutctl token signs');
  }

  const checkState = (st) => {
    assert.equal(st.game_id, d.game_id);
    assert.equal(st.status, 'pending');
    assert.equal(String(st.home_team.id), String(d.home.team_id));
    assert.equal(st.home_team.abbrev, d.home.abbrev);
    assert.equal(st.home_team.name, d.home.name);
    assert.equal(String(st.away_team.id), String(d.away.team_id));
    assert.equal(st.away_team.abbrev, d.away.abbrev);
  };
  const h = await connected(S.stack.url, d.home.token);
  assert.equal(h.hello.user_id, home);
  const hState = once(h, 'game_state', { filter: (st) => st?.game_id === d.game_id, timeout: 15_000 });
  assert.deepEqual(await joinGame(h, d.game_id, 'player'), { game_id: d.game_id, role: 'player', team_ids: [Number(d.home.team_id)] });
  checkState(await hState);

  const a = await connected(S.stack.url, d.away.token);
  assert.deepEqual(await joinGame(a, d.game_id, 'player'), { game_id: d.game_id, role: 'player', team_ids: [Number(d.away.team_id)] });

  const s = await connected(S.stack.url, d.spectator.token);
  const sState = once(s, 'game_state', { filter: (st) => st?.game_id === d.game_id, timeout: 15_000 });
  const seen = once(h, 'user_connected', { filter: (p) => p?.user_id === spec, timeout: 15_000 });
  assert.deepEqual(await joinGame(s, d.game_id, 'spectator'), { game_id: d.game_id, role: 'spectator', team_ids: [] });
  checkState(await sState);
  assert.deepEqual(await seen, { game_id: d.game_id, user_id: spec, role: 'spectator' });
});

test('demo: errors are one line', async () => {
  await refused(['demo', '--ttl', '0'], /--ttl/);
  await refused(['demo', '--home-user', ''], /home-user: the user id is empty/);
  await refused(['demo', '--away-user', 'u'.repeat(129)], /longer than 128/);
});

test('game create --lineup-home FILE: the lineup is written as given', async () => {
  const d = JSON.parse(await ok(['demo']));
  // the home demo lineup batting in reverse, the away team's default
  const mine = [
    ...d.home.lineup.map((e) => ({ card_id: e.card_id, position: e.position, batting_order: 10 - e.batting_order })),
    { card_id: d.home.pitcher.card_id, position: 'P', batting_order: null },
  ];
  const g = await ok(['game', 'create', '--home', String(d.home.team_id), '--away', String(d.away.team_id),
    '--lineup-home', file(mine)]);
  assert.match(g, UUID);
  const home = lineupOf(g, d.home.team_id);
  assert.deepEqual(home.map((r) => [r.card_id, r.position, r.batting_order]),
    [...mine].sort((x, y) => (x.batting_order ?? 99) - (y.batting_order ?? 99))
      .map((e) => [e.card_id, e.position, e.batting_order]));
  const away = lineupOf(g, d.away.team_id);
  assert.equal(away.length, 10, 'the away team got its default lineup');
  assert.equal(psql(`SELECT home_pitcher_id || ' ' || away_pitcher_id FROM game WHERE id = '${g}'`),
    `${home.at(-1).lineup_id} ${away.at(-1).lineup_id}`);

  // JSON output, and both files
  const j = JSON.parse(await ok(['--json', 'game', 'create', '--home', String(d.home.team_id),
    '--away', String(d.away.team_id), '--lineup-home', file(mine), '--lineup-away',
    file([...d.away.lineup, d.away.pitcher].map(({ card_id, position, batting_order }) => ({ card_id, position, batting_order })))]));
  assert.match(j.game_id, UUID);
  assert.deepEqual(lineupOf(j.game_id, d.away.team_id).map((r) => r.card_id),
    [...d.away.lineup, d.away.pitcher].map((e) => e.card_id));
});

test('game create: defaults from the roster, --no-dh, --innings; a team without a roster gets no lineup', async () => {
  const d = JSON.parse(await ok(['demo']));
  const ids = ['--home', String(d.home.team_id), '--away', String(d.away.team_id)];
  const g = await ok(['game', 'create', ...ids]);
  for (const t of [d.home.team_id, d.away.team_id]) {
    const l = lineupOf(g, t);
    assert.equal(l.length, 10);
    assert.deepEqual(l.slice(0, 9).map((r) => r.batting_order), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(l.filter((r) => r.position === 'DH').length, 1);
    assert.equal(l[9].position, 'P');
    assert.equal(l[9].batting_order, null);
    assert.equal(l[9].pitcher_seq, 1);
  }
  assert.equal(psql(`SELECT scheduled_innings || ' ' || use_dh FROM game WHERE id = '${g}'`), '9 true');

  const n = await ok(['game', 'create', ...ids, '--no-dh', '--innings', '7']);
  assert.equal(psql(`SELECT scheduled_innings || ' ' || use_dh FROM game WHERE id = '${n}'`), '7 false');
  for (const t of [d.home.team_id, d.away.team_id]) {
    const l = lineupOf(n, t);
    assert.equal(l.length, 9, 'no DH: nine players');
    assert.deepEqual(l.map((r) => r.batting_order), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(l.filter((r) => r.position === 'DH').length, 0);
    assert.equal(l.find((r) => r.position === 'P').pitcher_seq, 1);
  }

  // teams with no cards: the game is made as before, with no lineup
  const tag = `${Math.floor(Math.random() * 900 + 100)}`;
  const x = await ok(['team', 'add', '--name', 'No Cards', '--abbrev', `N${tag}`]);
  const y = await ok(['team', 'add', '--name', 'No Cards Either', '--abbrev', `M${tag}`]);
  const e = await ok(['game', 'create', '--home', x, '--away', y]);
  assert.match(e, UUID);
  assert.equal(psql(`SELECT count(*) FROM lineup_entry WHERE game_id = '${e}'`), '0');
  // one side with a roster, the other without
  const m = await ok(['game', 'create', '--home', String(d.home.team_id), '--away', x]);
  assert.equal(lineupOf(m, d.home.team_id).length, 10);
  assert.equal(lineupOf(m, x).length, 0);
});

test('game create: a bad lineup is refused with one clear line and no game is made', async () => {
  const d = JSON.parse(await ok(['demo']));
  const ids = ['--home', String(d.home.team_id), '--away', String(d.away.team_id)];
  const good = [...d.home.lineup, d.home.pitcher]
    .map(({ card_id, position, batting_order }) => ({ card_id, position, batting_order }));
  const games = () => psql('SELECT count(*) FROM game');
  const before = games();

  const stranger = d.away.lineup[0].card_id;
  await refused(['game', 'create', ...ids, '--lineup-home',
    file(good.map((e, i) => (i === 0 ? { ...e, card_id: stranger } : e)))],
  new RegExp(`^dugoutctl: lineup-home: card ${stranger} is not on team ${d.home.team_id}'s roster$`));
  await refused(['game', 'create', ...ids, '--lineup-away', file(good)],
    new RegExp(`^dugoutctl: lineup-away: card \\d+ is not on team ${d.away.team_id}'s roster$`));
  await refused(['game', 'create', ...ids, '--lineup-home', file(good.filter((e) => e.position !== 'DH'))],
    /^dugoutctl: lineup-home: the game uses the DH: one batter must be the DH$/);
  await refused(['game', 'create', ...ids, '--no-dh', '--lineup-home', file(good)],
    /^dugoutctl: lineup-home: the game does not use the DH: no DH in the lineup$/);
  const c = good.findIndex((e) => e.position === 'C');
  const ss = good.findIndex((e) => e.position === 'SS');
  await refused(['game', 'create', ...ids, '--lineup-home',
    file(good.map((e, i) => (i === ss ? { ...e, position: 'C' } : i === c ? { ...e, position: 'SS' } : e)))],
  /^dugoutctl: lineup-home: card \d+ \(.+\) cannot play (C|SS): the card lists /);
  await refused(['game', 'create', ...ids, '--lineup-home',
    file(good.map((e) => (e.batting_order === 2 ? { ...e, batting_order: 1 } : e)))],
  /^dugoutctl: lineup-home: batting slot 1 is given 2 times$/);
  await refused(['game', 'create', ...ids, '--lineup-home',
    file(good.map((e) => (e.position === 'P' ? { ...e, batting_order: 9 } : e)))],
  /the pitcher does not bat/);
  await refused(['game', 'create', ...ids, '--lineup-home', file(good.slice(0, 3))],
    /^dugoutctl: lineup-home: the lineup has 3 entries/);
  await refused(['game', 'create', ...ids, '--lineup-home', file([{ card_id: 'twelve' }])],
    /^dugoutctl: lineup-home: entry 1: card_id must be a card id/);
  await refused(['game', 'create', ...ids, '--lineup-home', file('[{"card_id": 1,')],
    /^dugoutctl: lineup-home: .*lineup-\d+\.json: not valid JSON/);
  await refused(['game', 'create', ...ids, '--lineup-home', file('')],
    /^dugoutctl: lineup-home: .*: not valid JSON \(the file is empty\)$/);
  await refused(['game', 'create', ...ids, '--lineup-home', file({ card_id: 1 })],
    /^dugoutctl: lineup-home: .*: expected a JSON array/);
  await refused(['game', 'create', ...ids, '--lineup-home', join(tmp, 'missing.json')],
    /^dugoutctl: lineup-home: .*missing\.json: No such file or directory$/);
  // a roster that cannot field a team: no default, and the way out is named
  const tag = `${Math.floor(Math.random() * 900 + 100)}`;
  const few = await ok(['team', 'add', '--name', 'Two Cards', '--abbrev', `F${tag}`]);
  psql(`WITH c AS (INSERT INTO card (name, positions, pitcher_role) VALUES
      ('Only Arm', '{P}', 'SP'), ('Only Glove', '{SS,2B}', NULL) RETURNING id)
    INSERT INTO roster (team_id, card_id) SELECT ${few}, id FROM c`);
  await refused(['game', 'create', '--home', String(d.home.team_id), '--away', few],
    new RegExp(`^dugoutctl: lineup-away: team ${few}'s roster cannot field a default lineup .*give --lineup-away FILE$`));
  await refused(['game', 'create', ...ids, '--innings', '0'], /--innings: expected a whole number from 1 to 99/);
  await refused(['game', 'create', ...ids, '--innings', '100'], /--innings/);
  assert.equal(games(), before, 'no game was left behind');
});

// dugoutctl: the same configuration as the server, bare values or JSON,
// and a one-line reason with a non-zero exit on any error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  useStack, REPO, unique, makeJwt, connected, joinGame, once, token, closeAll,
} from './helpers.mjs';

const S = useStack('ctl');

function ctlRun(args, env = {}) {
  return new Promise((resolve) => {
    execFile(S.stack.dugoutctl, args, {
      env: { PATH: process.env.PATH, DUGOUT_CONFIG: S.stack.config, DUGOUT_SQLDIR: join(REPO, 'sql'), ...env },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

async function ok(args, env) {
  const r = await ctlRun(args, env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function refused(args, pattern, env) {
  const r = await ctlRun(args, env);
  assert.notEqual(r.code, 0, `expected a failure: ${r.stdout}`);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines.at(-1), /^dugoutctl: /);
  assert.match(lines.at(-1), pattern);
  assert.equal(r.stdout, '', 'nothing on stdout on failure');
}

test('migrate is idempotent: a second run applies nothing', async () => {
  assert.equal(await ok(['migrate']), '0');
  assert.deepEqual(JSON.parse(await ok(['--json', 'migrate'])), { applied: 0 });
});

test('team add and game create print the ids, bare or as JSON', async () => {
  const abbr = `T${Math.floor(Math.random() * 900 + 100)}`;
  const home = await ok(['team', 'add', '--name', 'Home', '--abbrev', abbr, '--manager', 'm1', '--manager', 'm2']);
  assert.match(home, /^\d+$/);
  const away = JSON.parse(await ok(['--json', 'team', 'add', '--name', 'Away', '--abbrev', `${abbr}X`]));
  assert.equal(typeof away.team_id, 'number');
  const game = await ok(['game', 'create', '--home', home, '--away', String(away.team_id)]);
  assert.match(game, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const j = JSON.parse(await ok(['--json', 'game', 'create', '--home', home, '--away', String(away.team_id)]));
  assert.match(j.game_id, /^[0-9a-f-]{36}$/);
  await refused(['team', 'add', '--name', 'Again', '--abbrev', abbr], /abbreviation .* is taken/);
});

test('token: a JWT for the user, with the configured key; --json, --ttl, --admin', async () => {
  const t = await ok(['token', '--user', 'alice', '--ttl', '120', '--admin']);
  const [h, p] = t.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x, 'base64url').toString()));
  assert.equal(h.alg, 'HS256');
  assert.equal(p.sub, 'alice');
  assert.equal(p.admin, true);
  assert.ok(p.exp - p.iat === 120);
  // the same token, re-signed by the test with the stack's secret, matches
  assert.equal(makeJwt(p, S.stack.jwtSecret), t);
  const j = JSON.parse(await ok(['--json', 'token', '--user', 'bob']));
  assert.equal(j.token.split('.').length, 3);
});

test('errors: one line, non-zero exit, nothing changed', async () => {
  await refused(['token'], /--user is required/);
  await refused(['token', '--user', 'x', '--ttl', '0'], /--ttl/);
  await refused(['token', '--user', 'x', '--ttl', 'abc'], /--ttl/);
  await refused(['token', '--user', 'u'.repeat(129)], /longer than 128/);
  await refused(['team', 'add', '--name', 'No Abbrev'], /--name and --abbrev are required/);
  await refused(['team', 'add', '--name', 'Bad', '--abbrev', 'lower'], /invalid name or abbreviation/);
  await refused(['game', 'create', '--home', '1'], /--home and --away are required/);
  await refused(['game', 'create', '--home', 'x', '--away', '2'], /whole numbers/);
  await refused(['game', 'create', '--home', '7', '--away', '7'], /cannot play itself/);
  await refused(['game', 'create', '--home', '999999', '--away', '999998'], /no team/);
  await refused(['migrate'], /cannot connect to the database/, { DUGOUT_DATABASE: 'host=/nonexistent dbname=x' });
  await refused(['token', '--user', 'x'], /jwt_key must be set/, { DUGOUT_CONFIG: '', DUGOUT_DATABASE: 'dbname=x' });
  await refused(['token', '--user', 'x'], /ping_interval/, { DUGOUT_PING_INTERVAL: 'soon' });
});

test('bench-setup --rooms N: N new games, ids one per line or as JSON, joinable as spectator', async () => {
  const ids = (await ok(['bench-setup', '--rooms', '250'])).split('\n');
  assert.equal(ids.length, 250);
  assert.equal(new Set(ids).size, 250, 'every id is new');
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  // a second run reuses the two bench teams and makes new games
  const j = JSON.parse(await ok(['--json', 'bench-setup', '--rooms', '3']));
  assert.equal(j.game_ids.length, 3);
  assert.ok(j.game_ids.every((id) => !ids.includes(id)));
  // a spectator joins one as the load generator does: game_joined, game_state
  const s = await connected(S.stack.url, await token(S.stack, unique('bench-spec')));
  try {
    const state = once(s, 'game_state', { timeout: 15_000 });
    const joined = await joinGame(s, j.game_ids[1], 'spectator');
    assert.equal(joined.game_id, j.game_ids[1]);
    assert.equal(joined.role, 'spectator');
    assert.ok(await state, 'game_state follows game_joined');
  } finally {
    closeAll();
  }
  await refused(['bench-setup'], /--rooms is required/);
  await refused(['bench-setup', '--rooms', '0'], /--rooms: expected a whole number from 1 to 100000/);
  await refused(['bench-setup', '--rooms', '100001'], /--rooms/);
  await refused(['bench-setup', '--rooms', '-3'], /--rooms/);
});

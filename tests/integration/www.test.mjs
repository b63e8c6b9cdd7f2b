// The demo page in www/: lighttpd serves it, and the server answers the way
// www/app.js expects (acks on join_game and heartbeat, the NOT_AUTHORIZED
// fallback to spectator).  The page itself needs a browser; this checks what
// can be checked without one.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import {
  REPO, useStack, connected, once, token, unique, makeGame, http, closeAll,
} from './helpers.mjs';

const S = useStack('www');
afterEach(() => closeAll());

test('the page, its script and its style are served with the right types', async () => {
  const page = await http(`${S.stack.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  // the token travels in the fragment; the page must not leak the URL on
  assert.match(page.body, /<meta name="referrer" content="no-referrer">/);
  assert.match(page.body, /<meta name="viewport"/);
  assert.match(page.body, /<script src="vendor\/socket\.io\.min\.js"/);
  assert.match(page.body, /<script src="app\.js"/);
  assert.match(page.body, /<link rel="stylesheet" href="style\.css">/);

  const js = await http(`${S.stack.url}/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.doesNotThrow(() => new Script(js.body, { filename: 'app.js' }), 'app.js parses');
  assert.match(js.body, /transports: \['polling'\]/);

  const css = await http(`${S.stack.url}/style.css`);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /^text\/css/);
});

test('vendor/socket.io.min.js is served when the setup script copied it', async (t) => {
  if (!existsSync(join(REPO, 'www/vendor/socket.io.min.js'))) {
    t.skip('www/vendor/socket.io.min.js not installed (copy it from node_modules/socket.io-client/dist/)');
    return;
  }
  const r = await http(`${S.stack.url}/vendor/socket.io.min.js`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.match(r.body, /Socket\.IO/);
});

test('what the page relies on: connected, join acks with the NOT_AUTHORIZED fallback, heartbeat ack', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const user = unique('page-viewer');
  // the options of www/app.js (same origin there, the stack URL here)
  const s = await connected(S.stack.url, await token(S.stack, user), { path: '/socket.io/' });

  // a non-manager asking to play: the ack says NOT_AUTHORIZED ...
  const no = await s.timeout(10_000).emitWithAck('join_game', { game_id: g.gameId, role: 'player' });
  assert.equal(no.ok, false, JSON.stringify(no));
  assert.equal(no.error.code, 'NOT_AUTHORIZED', JSON.stringify(no));

  // ... and the page then joins as spectator: ack, game_joined, game_state
  const joined = once(s, 'game_joined', { timeout: 15_000 });
  const state = once(s, 'game_state', { filter: (st) => st?.game_id === g.gameId, timeout: 15_000 });
  const me = once(s, 'user_connected', { filter: (p) => p?.user_id === user, timeout: 15_000 });
  const yes = await s.timeout(10_000).emitWithAck('join_game', { game_id: g.gameId, role: 'spectator' });
  assert.equal(yes.ok, true, JSON.stringify(yes));
  assert.deepEqual(await joined, { game_id: g.gameId, role: 'spectator' });
  const st = await state;
  assert.ok(st.status && st.home_team && st.away_team, JSON.stringify(st));
  assert.equal((await me).role, 'spectator');

  // the heartbeat button: an ack and a heartbeat_ack event
  const hb = once(s, 'heartbeat_ack', { timeout: 10_000 });
  const ack = await s.timeout(5_000).emitWithAck('heartbeat');
  assert.equal(ack.ok, true, JSON.stringify(ack));
  assert.deepEqual(await hb, {});
});

// Several dugout-fcgi processes behind two front ends (two lighttpd, two
// sets of external dugout-fcgi daemons) on one database: any process serves
// any request of any client (design.md decisions 1, 3, 6).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, connected, once, token, unique, makeGame, joinGame, sleep, RawClient, closeAll,
} from './helpers.mjs';

// front end A: lighttpd + 2 external daemons; front end B: lighttpd + 1 daemon
let B;
const S = useStack('multiprocess', { external: true, procs: 2 }, async (stack) => {
  B = await stack.attach({ external: true });
});
afterEach(() => closeAll());

test('a broadcast reaches room members on both front ends', { timeout: 90_000 }, async () => {
  const g = await makeGame(S.stack);
  const home = await connected(S.stack.url, await token(S.stack, g.homeMgr));
  await joinGame(home, g.gameId, 'player');
  const away = await connected(B.url, await token(S.stack, g.awayMgr));
  const homeSeesAway = once(home, 'user_connected', { filter: (p) => p?.user_id === g.awayMgr, timeout: 15_000 });
  await joinGame(away, g.gameId, 'player');
  assert.deepEqual(await homeSeesAway, { game_id: g.gameId, user_id: g.awayMgr, role: 'player' });

  const specUser = unique('spec');
  const spec = await connected(S.stack.url, await token(S.stack, specUser));
  const a = once(home, 'user_connected', { filter: (p) => p?.user_id === specUser, timeout: 15_000 });
  const b = once(away, 'user_connected', { filter: (p) => p?.user_id === specUser, timeout: 15_000 });
  await joinGame(spec, g.gameId, 'spectator');
  assert.deepEqual(await a, { game_id: g.gameId, user_id: specUser, role: 'spectator' });
  assert.deepEqual(await b, { game_id: g.gameId, user_id: specUser, role: 'spectator' });
});

test('a client alternating between front ends gets every broadcast exactly once, in order', { timeout: 180_000 }, async () => {
  const g = await makeGame(S.stack);
  const watcher = new RawClient([S.stack.url, B.url]);
  await watcher.open(await token(S.stack, unique('watcher')));
  await watcher.emit('join_game', { game_id: g.gameId, role: 'spectator' });
  await watcher.waitEvent('game_joined', (p) => p?.game_id === g.gameId, 15_000);

  const moverUser = unique('mover');
  const mover = await connected(B.url, await token(S.stack, moverUser));
  const CYCLES = 25; // 50 broadcasts
  for (let i = 0; i < CYCLES; i++) {
    const j = await mover.timeout(15_000).emitWithAck('join_game', { game_id: g.gameId, role: 'spectator' });
    assert.equal(j.ok, true, `join ${i}: ${JSON.stringify(j)}`);
    const l = await mover.timeout(15_000).emitWithAck('leave_game', { game_id: g.gameId });
    assert.equal(l.ok, true, `leave ${i}: ${JSON.stringify(l)}`);
  }
  const mine = () => watcher.events.filter(([name, p]) =>
    (name === 'user_connected' || name === 'user_left') && p?.user_id === moverUser);
  await watcher.waitFor(() => mine().length >= 2 * CYCLES, 60_000, `${2 * CYCLES} presence broadcasts`);
  await sleep(1_000); // duplicates would arrive now
  const seq = mine().map(([name]) => name);
  const expected = Array.from({ length: 2 * CYCLES }, (_, i) => (i % 2 === 0 ? 'user_connected' : 'user_left'));
  assert.deepEqual(seq, expected);
  assert.deepEqual(watcher.errors, []);
  assert.equal(watcher.closed, false);
  assert.ok(watcher.next > 4, 'the watcher really alternated');
  await watcher.close();
});

test('every front end answers the handshake and serves a session started on the other', { timeout: 60_000 }, async () => {
  const c = new RawClient([B.url, S.stack.url]);
  await c.open(await token(S.stack, unique('hopper')));
  const got = c.waitEvent('heartbeat_ack', () => true, 15_000);
  await c.emit('heartbeat');
  assert.deepEqual(await got, {});
  await c.close();
});

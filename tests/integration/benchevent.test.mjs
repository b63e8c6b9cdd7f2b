// The benchmark event (issue 7, bench/README.md): with bench_events = on, a
// socket in a game's room emits `bench` with any JSON and the whole room,
// sender included, gets bench_echo {from, payload} through the path a game
// action takes (game row locked, queued, NOTIFY).  Real socket.io-client
// over polling.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, connected, once, token, unique, makeGame, joinGame, sleep, until, closeAll,
} from './helpers.mjs';

const S = useStack('benchevent', {
  env: { DUGOUT_BENCH_EVENTS: 'on', DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000' },
});
afterEach(() => closeAll());

async function member(gameId) {
  const s = await connected(S.stack.url, await token(S.stack, unique('bench')));
  s.echoes = [];
  s.errors = [];
  s.on('bench_echo', (m) => s.echoes.push(m));
  s.on('error', (e) => s.errors.push(e));
  if (gameId) await joinGame(s, gameId, 'spectator');
  return s;
}

test('bench reaches the whole room, sender included, in order, and no other room', { timeout: 90_000 }, async () => {
  const [g, other] = [await makeGame(S.stack), await makeGame(S.stack)];
  const actor = await member(g.gameId);
  const room = [actor, await member(g.gameId), await member(g.gameId)];
  const outsider = await member(other.gameId);
  const N = 40;
  const payloads = Array.from({ length: N }, (_, i) => ({ s: i, nested: { a: [i, 'x', null, true] }, text: `é ${i} "q"` }));
  for (const p of payloads) actor.emit('bench', p);
  await until(() => room.every((s) => s.echoes.length >= N), { timeout: 30_000, what: 'every echo everywhere' });
  await sleep(300); // a duplicate would arrive by now
  for (const s of room) {
    assert.equal(s.echoes.length, N, 'no duplicate');
    assert.deepEqual(s.echoes.map((e) => e.payload), payloads, 'payloads intact and in emit order');
    assert.ok(s.echoes.every((e) => e.from === actor.id), 'from is the sender\'s socket id');
  }
  assert.deepEqual(outsider.echoes, [], 'another room hears nothing');
  assert.deepEqual(room.flatMap((s) => s.errors), []);
});

test('bench with an ack, any JSON value, and no value at all', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const s = await member(g.gameId);
  assert.deepEqual(await s.timeout(15_000).emitWithAck('bench', 'just a string'), { ok: true });
  s.emit('bench', 12.5);
  s.emit('bench', [1, [2]]);
  s.emit('bench');
  await until(() => s.echoes.length >= 4, { timeout: 15_000, what: 'four echoes' });
  assert.deepEqual(s.echoes.map((e) => e.payload), ['just a string', 12.5, [1, [2]], null]);
});

test('bench from a socket in no room: NOT_IN_GAME, nothing broadcast', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const inRoom = await member(g.gameId);
  const s = await member(null);
  const got = once(s, 'error', { timeout: 15_000 });
  s.emit('bench', { s: 1 });
  const e = await got;
  assert.equal(e.code, 'NOT_IN_GAME', JSON.stringify(e));
  await sleep(300);
  assert.deepEqual(inRoom.echoes, []);
  assert.deepEqual(s.echoes, []);
});

test('after leave_game, bench is refused again', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const s = await member(g.gameId);
  const left = once(s, 'game_left', { timeout: 15_000 });
  s.emit('leave_game', { game_id: g.gameId });
  await left;
  const got = once(s, 'error', { timeout: 15_000 });
  s.emit('bench', { s: 1 });
  assert.equal((await got).code, 'NOT_IN_GAME');
});

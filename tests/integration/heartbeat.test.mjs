// Engine.IO heartbeat with short timers: pingInterval 300 ms, pingTimeout 200 ms.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, connected, once, token, unique, makeGame, joinGame, sleep, http, eioUrl,
  RawClient, closeAll, record,
} from './helpers.mjs';

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const S = useStack('heartbeat', { pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT });
afterEach(() => closeAll());

test('the handshake announces the configured timers', async () => {
  const r = await http(eioUrl(S.stack.url));
  assert.equal(r.status, 200);
  const open = JSON.parse(r.body.slice(1));
  assert.equal(open.pingInterval, PING_INTERVAL);
  assert.equal(open.pingTimeout, PING_TIMEOUT);
});

test('ping/pong keeps a session alive past several pingIntervals', { timeout: 60_000 }, async () => {
  const s = await connected(S.stack.url, await token(S.stack, unique('steady')));
  const socketId = s.id;
  const engineId = s.io.engine.id;
  let pings = 0;
  s.io.engine.on('ping', () => { pings += 1; });
  const disconnects = record(s, 'disconnect');
  await sleep(2_000);
  assert.deepEqual(disconnects, []);
  assert.equal(s.connected, true);
  assert.equal(s.id, socketId, 'same socket id');
  assert.equal(s.io.engine.id, engineId, 'same Engine.IO session');
  assert.ok(pings >= 3, `the server pinged every ${PING_INTERVAL} ms (got ${pings} pings in 2 s)`);
  const hb = once(s, 'heartbeat_ack', { timeout: 10_000 });
  s.emit('heartbeat');
  await hb;
});

test('a raw client that answers pings stays; one that stops polling is dropped', { timeout: 60_000 }, async () => {
  const raw = new RawClient(S.stack.url);
  await raw.open(await token(S.stack, unique('raw')));
  await sleep(1_500);
  assert.equal(raw.closed, false, `session closed: ${raw.errors.map(String)}`);
  assert.ok(raw.packets.filter((p) => p === '2').length >= 3, 'pings arrived');
  raw.stop();
  await raw.loop;
  await sleep(PING_INTERVAL + PING_TIMEOUT + 1_000);
  const r = await http(eioUrl(S.stack.url, raw.sid), { timeout: 10_000 });
  assert.equal(r.status, 400, `a session nobody polls expires: ${r.status} ${r.body}`);
  assert.equal(JSON.parse(r.body).code, 1);
});

test('a client that vanishes is seen by the room as user_disconnected', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const home = await connected(S.stack.url, await token(S.stack, g.homeMgr));
  await joinGame(home, g.gameId, 'player');

  const ghost = unique('ghost');
  const raw = new RawClient(S.stack.url);
  await raw.open(await token(S.stack, ghost));
  const seenJoin = once(home, 'user_connected', { filter: (p) => p?.user_id === ghost, timeout: 15_000 });
  await raw.emit('join_game', { game_id: g.gameId, role: 'spectator' });
  await raw.waitEvent('game_joined', (p) => p?.game_id === g.gameId, 15_000);
  await seenJoin;

  const gone = once(home, 'user_disconnected', { filter: (p) => p?.user_id === ghost, timeout: 20_000 });
  raw.stop(); // no more GETs, no more pongs
  assert.deepEqual(await gone, { game_id: g.gameId, user_id: ghost });
  assert.equal(home.connected, true, 'the member who stayed is still connected');
});

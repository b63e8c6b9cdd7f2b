// Rooms, presence, acks, heartbeat and errors (events.md "Rooms and presence",
// "Errors that apply everywhere").
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, client, connected, once, record, token, unique, makeGame, joinGame,
  sleep, until, closeAll,
} from './helpers.mjs';

const S = useStack('rooms');
afterEach(() => closeAll());

const connect = async (user) => connected(S.stack.url, await token(S.stack, user));

test('join_game as player and spectator; presence broadcasts; leave_game', { timeout: 120_000 }, async () => {
  const g = await makeGame(S.stack);
  const home = await connect(g.homeMgr);
  const homeState = once(home, 'game_state', { filter: (st) => st?.game_id === g.gameId, timeout: 15_000 });
  const joined = await joinGame(home, g.gameId, 'player');
  assert.deepEqual(joined, { game_id: g.gameId, role: 'player', team_ids: [Number(g.home)] });
  const state = await homeState;
  assert.equal(state.game_id, g.gameId);
  assert.ok(['pending', 'active', 'final'].includes(state.status), JSON.stringify(state));
  assert.ok(state.home_team && state.away_team, 'game_state names both teams');
  assert.equal(String(state.home_team.id), String(g.home));
  assert.equal(String(state.away_team.id), String(g.away));

  // a spectator: the player sees user_connected for it
  const specUser = unique('spectator');
  const spec = await connect(specUser);
  const seenByHome = once(home, 'user_connected', { filter: (p) => p?.user_id === specUser, timeout: 15_000 });
  const specState = once(spec, 'game_state', { filter: (st) => st?.game_id === g.gameId, timeout: 15_000 });
  assert.deepEqual(await joinGame(spec, g.gameId, 'spectator'), { game_id: g.gameId, role: 'spectator', team_ids: [] });
  assert.deepEqual(await seenByHome, { game_id: g.gameId, user_id: specUser, role: 'spectator' });
  await specState;

  // a broadcast reaching both clients: the away manager joins
  const away = await connect(g.awayMgr);
  const awayUser = g.awayMgr;
  const toHome = once(home, 'user_connected', { filter: (p) => p?.user_id === awayUser, timeout: 15_000 });
  const toSpec = once(spec, 'user_connected', { filter: (p) => p?.user_id === awayUser, timeout: 15_000 });
  assert.deepEqual(await joinGame(away, g.gameId, 'player'), { game_id: g.gameId, role: 'player', team_ids: [Number(g.away)] });
  assert.deepEqual(await toHome, { game_id: g.gameId, user_id: awayUser, role: 'player' });
  assert.deepEqual(await toSpec, { game_id: g.gameId, user_id: awayUser, role: 'player' });

  // leave_game: game_left to the requester, user_left to the room
  const leftHome = once(home, 'user_left', { filter: (p) => p?.user_id === specUser, timeout: 15_000 });
  const leftAway = once(away, 'user_left', { filter: (p) => p?.user_id === specUser, timeout: 15_000 });
  const gameLeft = once(spec, 'game_left', { timeout: 15_000 });
  spec.emit('leave_game', { game_id: g.gameId });
  assert.deepEqual(await gameLeft, { game_id: g.gameId });
  assert.deepEqual(await leftHome, { game_id: g.gameId, user_id: specUser });
  assert.deepEqual(await leftAway, { game_id: g.gameId, user_id: specUser });

  // after leaving, the spectator no longer hears the room
  const stray = record(spec, 'user_connected');
  const late = await connect(unique('late'));
  const lateSeen = once(home, 'user_connected', { filter: (p) => p?.user_id === late.hello.user_id, timeout: 15_000 });
  await joinGame(late, g.gameId, 'spectator');
  await lateSeen;
  await sleep(300);
  assert.deepEqual(stray, [], 'a socket that left the room gets no more room broadcasts');
});

test('a non-manager asking for player gets error NOT_AUTHORIZED, and may join as spectator', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const other = await connect(unique('stranger'));
  const err = once(other, 'error', { timeout: 15_000 });
  const wrongJoin = record(other, 'game_joined');
  other.emit('join_game', { game_id: g.gameId, role: 'player' });
  const e = await err;
  assert.equal(e.code, 'NOT_AUTHORIZED', JSON.stringify(e));
  assert.equal(typeof e.message, 'string');
  await sleep(200);
  assert.deepEqual(wrongJoin, []);
  assert.deepEqual(await joinGame(other, g.gameId, 'spectator'), { game_id: g.gameId, role: 'spectator', team_ids: [] });
});

test('an admin may join any game as player', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const admin = await connected(S.stack.url, await token(S.stack, unique('admin'), { admin: true }));
  // an admin manages both sides, home first
  assert.deepEqual(await joinGame(admin, g.gameId, 'player'), { game_id: g.gameId, role: 'player', team_ids: [Number(g.home), Number(g.away)] });
});

test('join_game for an unknown game: error GAME_NOT_FOUND; a malformed id: INVALID_FORMAT or MISSING_FIELD', { timeout: 60_000 }, async () => {
  const s = await connect(unique('user'));
  const e1 = once(s, 'error', { timeout: 15_000 });
  s.emit('join_game', { game_id: '00000000-0000-4000-8000-000000000000', role: 'spectator' });
  assert.equal((await e1).code, 'GAME_NOT_FOUND');
  const e2 = once(s, 'error', { timeout: 15_000 });
  s.emit('join_game', { game_id: 'not-a-uuid', role: 'spectator' });
  assert.equal((await e2).code, 'INVALID_FORMAT');
  const e3 = once(s, 'error', { timeout: 15_000 });
  s.emit('join_game', { role: 'spectator' });
  assert.equal((await e3).code, 'MISSING_FIELD');
});

test('acks both ways: emitWithAck(heartbeat) and the server\'s ack request on connected', { timeout: 60_000 }, async () => {
  const user = unique('acker');
  const s = client(S.stack.url, await token(S.stack, user));
  const errors = record(s, 'error');
  const hello = new Promise((resolve) => {
    s.once('connected', (...args) => resolve(args));
  });
  await once(s, 'connect', { timeout: 20_000 });
  const [payload, ack] = await hello;
  assert.deepEqual(payload, { user_id: user });
  assert.equal(typeof ack, 'function', 'the server asks for an ack on connected');
  ack({ ok: true });

  const reply = await s.timeout(10_000).emitWithAck('heartbeat');
  assert.equal(reply.ok, true, JSON.stringify(reply));
  // several acks in flight at once come back each to its own request
  const replies = await Promise.all([1, 2, 3].map(() => s.timeout(10_000).emitWithAck('heartbeat')));
  for (const r of replies) assert.equal(r.ok, true);
  await sleep(300);
  assert.equal(s.connected, true);
  assert.deepEqual(errors, [], 'no error after acking connected');
});

test('a failing event with an ack is acked {ok: false, error: {code}}', { timeout: 60_000 }, async () => {
  const s = await connect(unique('user'));
  const reply = await s.timeout(10_000).emitWithAck('join_game', { game_id: '00000000-0000-4000-8000-000000000000', role: 'spectator' });
  assert.equal(reply.ok, false, JSON.stringify(reply));
  assert.equal(reply.error?.code, 'GAME_NOT_FOUND', JSON.stringify(reply));
});

test('heartbeat → heartbeat_ack {}', { timeout: 60_000 }, async () => {
  const s = await connect(unique('user'));
  const got = once(s, 'heartbeat_ack', { timeout: 15_000 });
  s.emit('heartbeat');
  assert.deepEqual(await got, {});
});

test('unknown event → error {code: UNKNOWN_EVENT}', { timeout: 60_000 }, async () => {
  const s = await connect(unique('user'));
  const got = once(s, 'error', { timeout: 15_000 });
  s.emit('no_such_event', { x: 1 });
  const e = await got;
  assert.equal(e.code, 'UNKNOWN_EVENT', JSON.stringify(e));
  // the socket survives it
  const hb = once(s, 'heartbeat_ack', { timeout: 15_000 });
  s.emit('heartbeat');
  await hb;
  assert.equal(s.connected, true);
});

test('bench with bench_events off (the default) is an unknown event', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const s = await connect(unique('user'));
  await joinGame(s, g.gameId, 'spectator');
  const echoes = [];
  s.on('bench_echo', (m) => echoes.push(m));
  const got = once(s, 'error', { timeout: 15_000 });
  s.emit('bench', { t: 1 });
  assert.equal((await got).code, 'UNKNOWN_EVENT');
  await sleep(300);
  assert.deepEqual(echoes, [], 'nothing is broadcast');
});

test('an action before join_game: NOT_IN_GAME', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const s = await connect(g.homeMgr);
  const got = once(s, 'error', { timeout: 15_000 });
  s.emit('roll_dice', { game_id: g.gameId });
  const e = await got;
  assert.equal(e.code, 'NOT_IN_GAME', JSON.stringify(e));
});

test('client disconnect: the room sees user_disconnected', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const home = await connect(g.homeMgr);
  await joinGame(home, g.gameId, 'player');
  const user = unique('leaver');
  const leaver = await connect(user);
  await joinGame(leaver, g.gameId, 'spectator');
  const seen = once(home, 'user_disconnected', { filter: (p) => p?.user_id === user, timeout: 15_000 });
  leaver.disconnect();
  assert.deepEqual(await seen, { game_id: g.gameId, user_id: user });
  await until(() => home.connected, { what: 'home still connected' });
});

test('a binary event is parsed and refused with error INVALID_PAYLOAD; the socket stays', { timeout: 60_000 }, async () => {
  const s = await connect(unique('binary'));
  const err = once(s, 'error', { filter: (e) => e?.code === 'INVALID_PAYLOAD', timeout: 15_000 });
  // two attachments, sent as `b` packets after the 452- header
  const ack = await s.timeout(15_000).emitWithAck('heartbeat', Buffer.from([1, 2, 3]), { nested: Buffer.from('xyz') });
  assert.equal(ack.ok, false);
  assert.equal(ack.error.code, 'INVALID_PAYLOAD');
  assert.match((await err).message, /[Bb]inary/);
  // the session is intact: the next event is answered as usual
  const hb = await s.timeout(15_000).emitWithAck('heartbeat');
  assert.equal(hb.ok, true);
  assert.ok(s.connected);
});

// Abuse limits (issue 5; dugout.conf max_queued, max_sessions_per_user,
// max_sockets_per_session, max_payload, and SIO_JSON_DEPTH): each limit
// hit is answered -- the session ended with the protocol's errors after,
// CONNECT_ERROR RATE_LIMITED, 413 -- never silence, and changes nothing
// else: the game's rows, the other clients.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, startStack, closeAll, until, sleep, token, unique, client,
  connected, once, record, http, eioUrl, RawClient,
} from './helpers.mjs';
import { openGame, snapshot, ack, psql } from './gamehelpers.mjs';

const MAX_QUEUED = 30;
const MAX_SESSIONS = 3;
const S = useStack('abuse', {
  env: {
    DUGOUT_MAX_QUEUED: String(MAX_QUEUED),
    DUGOUT_MAX_SESSIONS_PER_USER: String(MAX_SESSIONS),
    DUGOUT_RATE_LIMIT: '100000',
    DUGOUT_RATE_BURST: '100000',
  },
});
afterEach(() => closeAll());

const sidUnknown = { code: 1, message: 'Session ID unknown' };
const sq = (s) => `'${String(s).replace(/'/g, "''")}'`;

/** A RawClient of a fresh user, CONNECTed and in game gameId as spectator. */
async function rawSpectator(stack, gameId, tag) {
  const user = unique(tag);
  const raw = new RawClient(stack.url);
  await raw.open(await token(stack, user));
  await raw.emit('join_game', { game_id: gameId, role: 'spectator' });
  await raw.waitEvent('game_joined', (p) => p?.game_id === gameId, 15_000);
  return { raw, user };
}

test('a client that stops polling is ended at max_queued: the room hears user_disconnected, its queue is gone, its next requests get 400 code 1, others go on', { timeout: 120_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'slow' });
  const id = g.gameId;
  const { raw, user } = await rawSpectator(S.stack, id, 'slow');
  const sid = raw.sid;
  const heardHome = record(g.s.home, 'user_disconnected', (p) => p?.user_id === user);
  // (the spectator comes and goes below: the managers stay in the room)
  const heardAway = record(g.s.away, 'user_disconnected', (p) => p?.user_id === user);
  const before = await snapshot(S.stack, id);

  // The raw client stops polling; one more broadcast answers its held GET.
  raw.stop();
  await g.ok('spectator', 'leave_game');
  await g.ok('spectator', 'join_game', { role: 'spectator' });
  await raw.loop;
  assert.equal(raw.errors.length, 0, raw.errors.map(String).join('; '));

  // Broadcast (user_left / user_connected) until the session is gone; the
  // queue never grows past the bound meanwhile.
  let most = 0;
  let gone = false;
  for (let i = 0; i < 3 * MAX_QUEUED && !gone; i++) {
    await g.ok('spectator', 'leave_game');
    await g.ok('spectator', 'join_game', { role: 'spectator' });
    const row = await psql(S.stack, `SELECT (SELECT count(*) FROM eio_outbox WHERE sid = ${sq(sid)}) || ',' ||
      (SELECT count(*) FROM eio_session WHERE sid = ${sq(sid)})`);
    const [queued, sessions] = row.split(',').map(Number);
    most = Math.max(most, queued);
    gone = sessions === 0;
  }
  // the sweeper ends a marked session within about a second
  for (let i = 0; i < 50 && !gone; i++) {
    await sleep(100);
    gone = (await psql(S.stack, `SELECT count(*) FROM eio_session WHERE sid = ${sq(sid)}`)) === '0';
  }
  assert.ok(gone, 'the session was ended');
  assert.ok(most <= MAX_QUEUED, `at most ${MAX_QUEUED} packets were queued (saw ${most})`);
  assert.ok(most >= MAX_QUEUED - 2, `the queue did reach the bound (saw ${most})`);

  // nothing of it is left: queue, sockets, memberships, the mark
  assert.equal(await psql(S.stack, `SELECT (SELECT count(*) FROM eio_outbox WHERE sid = ${sq(sid)})
    + (SELECT count(*) FROM sio_socket WHERE sid = ${sq(sid)})
    + (SELECT count(*) FROM eio_overflow WHERE sid = ${sq(sid)})
    + (SELECT count(*) FROM room_member m JOIN sio_socket s ON s.id = m.socket_id WHERE s.user_id = ${sq(user)})`), '0');

  // the room was told
  await until(() => heardHome.length > 0 && heardAway.length > 0, { timeout: 10_000, what: 'user_disconnected to the room' });
  assert.equal(heardHome[0].game_id, id);

  // its next requests: the protocol's "Session ID unknown"
  const get = await http(eioUrl(S.stack.url, sid));
  assert.equal(get.status, 400, get.body);
  assert.deepEqual(JSON.parse(get.body), sidUnknown);
  const post = await http(eioUrl(S.stack.url, sid), { method: 'POST', body: '3' });
  assert.equal(post.status, 400, post.body);
  assert.deepEqual(JSON.parse(post.body), sidUnknown);

  // the others go on, and the game is as it was
  for (const side of ['home', 'away', 'spectator']) {
    const st = await g.ok(side, 'request_game_state');
    assert.equal(st.ok, true);
  }
  assert.deepEqual(await snapshot(S.stack, id), before, 'the game did not change');
});

test('a client that polls is never cut off by max_queued', { timeout: 120_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'fast' });
  const { raw, user } = await rawSpectator(S.stack, g.gameId, 'fast');
  for (let i = 0; i < 2 * MAX_QUEUED; i++) {
    await g.ok('spectator', 'leave_game');
    await g.ok('spectator', 'join_game', { role: 'spectator' });
  }
  await raw.waitFor(() => raw.events.filter((e) => e[0] === 'user_left').length >= 2 * MAX_QUEUED, 20_000, 'every user_left');
  assert.equal(raw.closed, false);
  assert.equal(await psql(S.stack, `SELECT count(*) FROM eio_overflow`), '0');
  assert.equal(await psql(S.stack, `SELECT count(*) FROM sio_socket WHERE user_id = ${sq(user)}`), '1');
  await raw.close();
});

test(`the ${MAX_SESSIONS + 1}th session of a user is refused with CONNECT_ERROR RATE_LIMITED; the others keep working`, { timeout: 120_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'many' });
  const before = await snapshot(S.stack, g.gameId);
  const user = unique('many');
  const tok = await token(S.stack, user);
  const socks = [];
  for (let i = 0; i < MAX_SESSIONS; i++) socks.push(await connected(S.stack.url, tok));
  for (const s of socks) {
    const r = await ack(s, 'join_game', { game_id: g.gameId, role: 'spectator' });
    assert.equal(r.ok, true, JSON.stringify(r));
  }

  // socket.io-client: connect_error with {message, data: {code}}
  const extra = client(S.stack.url, tok);
  const err = await once(extra, 'connect_error', { timeout: 20_000 });
  assert.equal(err.data?.code, 'RATE_LIMITED', JSON.stringify(err.data));
  assert.match(err.message, /Too many sessions/);
  assert.equal(extra.connected, false);

  // the raw wire: 44{"message","data":{"code":"RATE_LIMITED"}}, the
  // session stays open (protocol.md §8) and the client may close it
  const raw = new RawClient(S.stack.url);
  await assert.rejects(raw.open(tok), /CONNECT refused: 44\{.*"code":"RATE_LIMITED"/);
  const refusal = JSON.parse(raw.packets.find((p) => p.startsWith('44')).slice(2));
  assert.deepEqual(Object.keys(refusal).sort(), ['data', 'message']);
  assert.equal(await psql(S.stack, `SELECT count(*) FROM eio_session WHERE sid = ${sq(raw.sid)}`), '1');
  await raw.close();

  // the user's sockets are still the first three, and they work
  assert.equal(await psql(S.stack, `SELECT count(*) FROM sio_socket WHERE user_id = ${sq(user)}`), String(MAX_SESSIONS));
  for (const s of socks) {
    const r = await ack(s, 'request_game_state', { game_id: g.gameId });
    assert.equal(r.ok, true, JSON.stringify(r));
  }
  // another user is not affected
  const other = await connected(S.stack.url, await token(S.stack, unique('other')));
  assert.equal(other.connected, true);
  assert.deepEqual(await snapshot(S.stack, g.gameId), before, 'the refusals changed nothing');

  // one session closed: there is room again
  socks[0].disconnect();
  for (let i = 0; i < 50; i++) {
    if ((await psql(S.stack, `SELECT count(*) FROM sio_socket WHERE user_id = ${sq(user)}`)) === String(MAX_SESSIONS - 1)) break;
    await sleep(100);
  }
  const again = await connected(S.stack.url, tok);
  assert.equal(again.connected, true);
});

test('a body over maxPayload: 413, the session goes on, the game unchanged', { timeout: 60_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'big' });
  const { raw } = await rawSpectator(S.stack, g.gameId, 'big');
  const before = await snapshot(S.stack, g.gameId);
  const body = `42${JSON.stringify(['join_game', { game_id: g.gameId, role: 'x'.repeat(raw.handshake.maxPayload) }])}`;
  const r = await http(eioUrl(S.stack.url, raw.sid), { method: 'POST', body });
  assert.equal(r.status, 413, r.body.slice(0, 200));
  assert.equal(r.body, '');
  // not closed (protocol.md §5 [ref]): the next event is answered
  await raw.emit('heartbeat');
  await raw.waitEvent('heartbeat_ack', () => true, 15_000);
  assert.equal(raw.closed, false);
  assert.deepEqual(await snapshot(S.stack, g.gameId), before);
  await raw.close();
});

test('JSON nested past SIO_JSON_DEPTH: a parse error, the session is closed (close packet, then 400 code 1), the room told, the game unchanged', { timeout: 60_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'deep' });
  const { raw, user } = await rawSpectator(S.stack, g.gameId, 'deep');
  const heard = once(g.s.home, 'user_disconnected', { filter: (p) => p?.user_id === user, timeout: 15_000 });
  const before = await snapshot(S.stack, g.gameId);
  const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
  await raw.post(`42["join_game",{"game_id":"${g.gameId}","role":"spectator","x":${deep}}]`);
  // the held GET carries the close packet (protocol.md §5: parse errors
  // close the session)
  await raw.waitFor(() => raw.packets.includes('1'), 15_000, 'close packet');
  await heard;
  const get = await http(eioUrl(S.stack.url, raw.sid));
  assert.equal(get.status, 400, get.body);
  assert.deepEqual(JSON.parse(get.body), sidUnknown);
  assert.deepEqual(await snapshot(S.stack, g.gameId), before);
  // the others go on
  const st = await g.ok('home', 'request_game_state');
  assert.equal(st.ok, true);
  raw.stop();
});

test('max_sockets_per_session: a CONNECT past it is refused RATE_LIMITED, the session and its sockets go on (conformance fixture: two namespaces)', { timeout: 180_000 }, async () => {
  const stack = await startStack({ conformance: true, env: { DUGOUT_MAX_SOCKETS_PER_SESSION: '1' } });
  try {
    // raw: 40 accepted, 40/custom refused with the code
    const raw = new RawClient(stack.url);
    await raw.open();
    await raw.post('40/custom,');
    const reply = await raw.waitPacket((p) => p.startsWith('40/custom,') || p.startsWith('44/custom,'), 15_000);
    assert.match(reply, /^44\/custom,/, reply);
    const e = JSON.parse(reply.slice('44/custom,'.length));
    assert.equal(e.data.code, 'RATE_LIMITED');
    assert.match(e.message, /Too many namespaces/);
    // "/" still answers; the session is open
    await raw.emit('message', 'hi');
    assert.deepEqual(await raw.waitEvent('message-back', () => true, 15_000), 'hi');
    assert.equal(await psql(stack, `SELECT count(*) FROM sio_socket WHERE sid = ${sq(raw.sid)}`), '1');
    await raw.close();

    // socket.io-client, two namespaces on one Manager (one session)
    const { Manager } = await import('socket.io-client');
    const m = new Manager(stack.url, { transports: ['polling'], reconnection: false });
    const root = m.socket('/');
    await once(root, 'connect', { timeout: 20_000 });
    const custom = m.socket('/custom');
    const err = await once(custom, 'connect_error', { timeout: 20_000 });
    assert.equal(err.data?.code, 'RATE_LIMITED');
    const back = once(root, 'message-back', { timeout: 15_000 });
    root.emit('message', 'still here');
    assert.equal(await back, 'still here');
    root.disconnect();
    custom.disconnect();
  } finally {
    await stack.stop();
  }
});

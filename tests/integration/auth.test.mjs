// Socket.IO CONNECT with a JWT in `auth` (events.md "Connecting").
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, client, connected, once, token, unique, makeJwt, nowSec, sleep, closeAll,
} from './helpers.mjs';

const S = useStack('auth');
afterEach(() => closeAll());

test('a good token connects; the server sends connected {user_id}', async () => {
  const user = unique('user');
  const s = await connected(S.stack.url, await token(S.stack, user));
  assert.equal(s.connected, true);
  assert.equal(typeof s.id, 'string');
  assert.notEqual(s.id, s.io.engine.id, 'the socket id is not the Engine.IO sid');
  assert.equal(s.hello.user_id, user);
});

test('a token minted with --ttl and --admin connects too', async () => {
  const user = unique('admin');
  const s = await connected(S.stack.url, await token(S.stack, user, { ttl: 600, admin: true }));
  assert.equal(s.hello.user_id, user);
});

/**
 * The client sees connect_error with err.data.code === code, and does not
 * retry (socket.active false), even with reconnection on.
 */
async function refused(tok, code) {
  const s = client(S.stack.url, tok, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
  const errors = [];
  s.on('connect_error', (e) => errors.push(e));
  let connects = 0;
  s.on('connect', () => { connects += 1; });
  const err = await once(s, 'connect_error', { timeout: 15_000 });
  assert.equal(err.data?.code, code, `connect_error ${err.message} ${JSON.stringify(err.data)}`);
  assert.equal(typeof err.message, 'string');
  assert.equal(s.active, false, 'a refused socket does not retry');
  await sleep(1_000);
  assert.equal(errors.length, 1, 'exactly one connect_error: no retries');
  assert.equal(connects, 0);
  assert.equal(s.connected, false);
}

test('no token: AUTH_MISSING', async () => {
  await refused(undefined, 'AUTH_MISSING');
});

test('a token signed with another secret: AUTH_INVALID', async () => {
  const tok = makeJwt({ sub: unique('user'), exp: nowSec() + 600, iat: nowSec() }, 'not-the-secret');
  await refused(tok, 'AUTH_INVALID');
});

test('a token that is not a JWT: AUTH_INVALID', async () => {
  await refused('this.is-not.a-jwt', 'AUTH_INVALID');
});

test('an expired token: AUTH_EXPIRED', async () => {
  const tok = makeJwt({ sub: unique('user'), exp: nowSec() - 3600, iat: nowSec() - 7200 }, S.stack.jwtSecret);
  await refused(tok, 'AUTH_EXPIRED');
});

test('dugoutctl token --ttl 1, used after it expired: AUTH_EXPIRED', async () => {
  const tok = await token(S.stack, unique('user'), { ttl: 1 });
  await sleep(2_200);
  await refused(tok, 'AUTH_EXPIRED');
});

test('alg none: AUTH_INVALID', async () => {
  const tok = makeJwt({ sub: unique('user'), exp: nowSec() + 600, iat: nowSec() }, null, { alg: 'none' });
  await refused(tok, 'AUTH_INVALID');
});

test('a token without exp: AUTH_INVALID', async () => {
  const tok = makeJwt({ sub: unique('user'), iat: nowSec() }, S.stack.jwtSecret);
  await refused(tok, 'AUTH_INVALID');
});

test('a hand-made HS256 token with the stack secret connects (user id from sub)', async () => {
  const user = unique('user');
  const tok = makeJwt({ sub: user, exp: nowSec() + 600, iat: nowSec() }, S.stack.jwtSecret);
  const s = await connected(S.stack.url, tok);
  assert.equal(s.hello.user_id, user);
});

test('a token that expires while connected: the next action gets error AUTH_EXPIRED, then DISCONNECT', { timeout: 30_000 }, async () => {
  const user = unique('expiring');
  const s = await connected(S.stack.url, await token(S.stack, user, { ttl: 2 }));
  const hb = await s.timeout(10_000).emitWithAck('heartbeat');
  assert.equal(hb.ok, true);
  await sleep(2_500);
  const err = once(s, 'error', { filter: (e) => e?.code === 'AUTH_EXPIRED', timeout: 10_000 });
  const gone = once(s, 'disconnect', { timeout: 10_000 });
  const ack = await s.timeout(10_000).emitWithAck('heartbeat');
  assert.equal(ack.ok, false);
  assert.equal(ack.error.code, 'AUTH_EXPIRED');
  await err;
  const reason = [await gone].flat()[0];	// (reason, details)
  assert.equal(reason, 'io server disconnect', 'the server ended the socket; no auto-reconnect');
});

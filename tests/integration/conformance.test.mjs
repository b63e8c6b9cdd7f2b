// The conformance fixture (conformance = on): what the public Engine.IO v4
// and Socket.IO v5 protocol suites check over HTTP long-polling, asserted
// here with our own raw client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, http, sleep, RS } from './helpers.mjs';

const S = useStack('conformance', { conformance: true });
const base = () => S.stack.url;
const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;

const url = (path, sid, extra = '') =>
  `${base()}${path}?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}${extra}`;

async function open(path = '/engine.io/') {
  const r = await http(url(path));
  assert.equal(r.status, 200, r.body);
  assert.ok(r.body.startsWith('0{'), r.body);
  return JSON.parse(r.body.slice(1)).sid;
}

const post = (path, sid, body) => http(url(path, sid), { method: 'POST', body });
const poll = (path, sid) => http(url(path, sid));

// Poll until `count` packets other than pings arrived; pongs the pings.
async function packets(path, sid, count) {
  const got = [];
  while (got.length < count) {
    const r = await poll(path, sid);
    assert.equal(r.status, 200, r.body);
    for (const p of r.body.split(RS)) {
      if (p === '2') await post(path, sid, '3');
      else if (p !== '6') got.push(p);
    }
  }
  return got;
}

// ------------------------------------------------------------ Engine.IO v4

test('eio handshake: the fixture values', async () => {
  const r = await http(url('/engine.io/'));
  const v = JSON.parse(r.body.slice(1));
  assert.deepEqual(Object.keys(v).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  assert.deepEqual(v.upgrades, ['websocket']);
  assert.equal(v.pingInterval, PING_INTERVAL);
  assert.equal(v.pingTimeout, PING_TIMEOUT);
  assert.equal(v.maxPayload, 1000000);
});

test('eio handshake: bad EIO, transport and method are 400', async () => {
  for (const q of ['?transport=polling', '?EIO=abc&transport=polling', '?EIO=4', '?EIO=4&transport=abc'])
    assert.equal((await http(`${base()}/engine.io/${q}`)).status, 400, q);
  assert.equal((await http(url('/engine.io/'), { method: 'POST' })).status, 400);
  assert.equal((await http(url('/engine.io/'), { method: 'PUT' })).status, 400);
});

test('eio echo: one, several, text and binary packets', async () => {
  const sid = await open();
  let r = await post('/engine.io/', sid, '4hello');
  assert.equal(r.body, 'ok');
  assert.deepEqual(await packets('/engine.io/', sid, 1), ['4hello']);
  await post('/engine.io/', sid, `4test1${RS}4test2${RS}4test3`);
  assert.deepEqual(await packets('/engine.io/', sid, 3), ['4test1', '4test2', '4test3']);
  await post('/engine.io/', sid, `4hello${RS}bAQIDBA==`);
  assert.deepEqual(await packets('/engine.io/', sid, 2), ['4hello', 'bAQIDBA==']);
});

test('eio: an invalid packet closes the session', async () => {
  const sid = await open();
  const r = await post('/engine.io/', sid, 'abc');
  assert.equal(r.status, 400);
  assert.equal((await poll('/engine.io/', sid)).status, 400);
});

test('eio: duplicate polls close the session; the held one gets 1', async () => {
  const sid = await open();
  const [first, second] = await Promise.all([
    poll('/engine.io/', sid),
    sleep(50).then(() => http(url('/engine.io/', sid, '&t=burst'))),
  ]);
  assert.equal(first.status, 200);
  assert.equal(first.body, '1');
  assert.ok([400, 500].includes(second.status), String(second.status));
  assert.equal((await poll('/engine.io/', sid)).status, 400);
});

test('eio heartbeat: the server pings every pingInterval, pongs keep it open', async () => {
  const sid = await open();
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const r = await poll('/engine.io/', sid);
    assert.equal(r.body, '2');
    assert.ok(Date.now() - t0 <= PING_INTERVAL + 250, `ping after ${Date.now() - t0} ms`);
    assert.equal((await post('/engine.io/', sid, '3')).status, 200);
  }
});

test('eio heartbeat: no pong closes the session after pingInterval + pingTimeout', async () => {
  const sid = await open();
  await sleep(PING_INTERVAL + PING_TIMEOUT + 50);
  assert.equal((await post('/engine.io/', sid, '4x')).status, 400);
});

test('eio close: a client close answers the held poll with a noop', async () => {
  const sid = await open();
  const [held] = await Promise.all([
    poll('/engine.io/', sid),
    sleep(50).then(() => post('/engine.io/', sid, '1')),
  ]);
  assert.equal(held.status, 200);
  assert.equal(held.body, '6');
  assert.equal((await poll('/engine.io/', sid)).status, 400);
});

// ------------------------------------------------------------ Socket.IO v5

async function sioOpen(connect = '40') {
  const sid = await open('/socket.io/');
  await post('/socket.io/', sid, connect);
  return sid;
}

test('sio connect: main namespace, with and without a payload', async () => {
  let sid = await sioOpen('40');
  let [hs, auth] = await packets('/socket.io/', sid, 2);
  assert.ok(hs.startsWith('40'), hs);
  assert.deepEqual(Object.keys(JSON.parse(hs.slice(2))), ['sid']);
  assert.notEqual(JSON.parse(hs.slice(2)).sid, sid, 'socket id is not the eio sid');
  assert.equal(auth, '42["auth",{}]');
  sid = await sioOpen('40{"token":"123"}');
  [hs, auth] = await packets('/socket.io/', sid, 2);
  assert.equal(auth, '42["auth",{"token":"123"}]');
});

test('sio connect: custom namespace, with and without a payload', async () => {
  let sid = await sioOpen('40/custom,');
  let [hs, auth] = await packets('/socket.io/', sid, 2);
  assert.ok(hs.startsWith('40/custom,'), hs);
  assert.deepEqual(Object.keys(JSON.parse(hs.slice(10))), ['sid']);
  assert.equal(auth, '42/custom,["auth",{}]');
  sid = await sioOpen('40/custom,{"token":"abc"}');
  [, auth] = await packets('/socket.io/', sid, 2);
  assert.equal(auth, '42/custom,["auth",{"token":"abc"}]');
});

test('sio connect: unknown namespace is refused', async () => {
  const sid = await sioOpen('40/random');
  assert.deepEqual(await packets('/socket.io/', sid, 1), ['44/random,{"message":"Invalid namespace"}']);
});

test('sio connect: an invalid handshake closes the session', async () => {
  const sid = await sioOpen('4abc');
  assert.equal((await poll('/socket.io/', sid)).body, '1');
  assert.equal((await poll('/socket.io/', sid)).status, 400);
});

test('sio: disconnect from a custom namespace, the main one still works', async () => {
  const sid = await sioOpen('40');
  await packets('/socket.io/', sid, 2);
  await post('/socket.io/', sid, '40/custom');
  await packets('/socket.io/', sid, 2);
  await post('/socket.io/', sid, `41/custom${RS}42["message","message to main namespace"]`);
  assert.deepEqual(await packets('/socket.io/', sid, 1), ['42["message-back","message to main namespace"]']);
});

test('sio message: plain text, with an ack, binary, binary with an ack', async () => {
  const sid = await sioOpen('40');
  await packets('/socket.io/', sid, 2);
  await post('/socket.io/', sid, '42["message",1,"2",{"3":[true]}]');
  assert.deepEqual(await packets('/socket.io/', sid, 1), ['42["message-back",1,"2",{"3":[true]}]']);
  await post('/socket.io/', sid, '42456["message-with-ack",1,"2",{"3":[false]}]');
  assert.deepEqual(await packets('/socket.io/', sid, 1), ['43456[1,"2",{"3":[false]}]']);
  await post('/socket.io/', sid,
    `452-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]${RS}bAQID${RS}bBAUG`);
  assert.deepEqual(await packets('/socket.io/', sid, 3), [
    '452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', 'bAQID', 'bBAUG']);
  await post('/socket.io/', sid,
    `452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]${RS}bAQID${RS}bBAUG`);
  assert.deepEqual(await packets('/socket.io/', sid, 3), [
    '462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', 'bAQID', 'bBAUG']);
});

for (const bad of ['4abc', '42{}', '42abc["message-with-ack",1,"2",{"3":[false]}]']) {
  test(`sio: invalid format closes the session (${bad})`, async () => {
    const sid = await sioOpen('40');
    await packets('/socket.io/', sid, 2);
    await post('/socket.io/', sid, bad);
    assert.equal((await poll('/socket.io/', sid)).body, '1');
    assert.equal((await poll('/socket.io/', sid)).status, 400);
  });
}

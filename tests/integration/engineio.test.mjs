// Engine.IO v4 polling at the HTTP level, with raw fetch (protocol.md §2-7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, startStack, http, eioUrl, decodePayload, sleep, token, unique, RS,
} from './helpers.mjs';
import { psql } from './gamehelpers.mjs';

const S = useStack('engineio');
const url = () => S.stack.url;

async function handshake(base = url(), path) {
  const r = await http(eioUrl(base, null, path));
  assert.equal(r.status, 200, r.body);
  assert.ok(r.body.startsWith('0{'), `open packet: ${r.body}`);
  return JSON.parse(r.body.slice(1));
}

function assertEioError(r, status, code, message) {
  assert.equal(r.status, status, `HTTP status (body ${r.body})`);
  const body = JSON.parse(r.body);
  assert.equal(body.code, code, r.body);
  if (message) assert.equal(body.message, message);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
}

test('handshake: 0{sid, upgrades: [], pingInterval, pingTimeout, maxPayload}', async () => {
  const r = await http(eioUrl(url()));
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  assert.ok(r.body.startsWith('0{'), r.body);
  assert.ok(r.body.includes('"upgrades":[]'), r.body);
  assert.ok(!r.body.includes(RS), 'the handshake carries just the open packet');
  const open = JSON.parse(r.body.slice(1));
  assert.equal(typeof open.sid, 'string');
  assert.ok(open.sid.length >= 16, `sid long enough to be a secret: ${open.sid}`);
  assert.match(open.sid, /^[A-Za-z0-9_-]+$/, 'URL-safe sid');
  assert.deepEqual(open.upgrades, []);
  assert.equal(open.pingInterval, 25000);
  assert.equal(open.pingTimeout, 20000);
  assert.equal(typeof open.maxPayload, 'number');
  assert.ok(open.maxPayload > 0);
  const again = await handshake();
  assert.notEqual(again.sid, open.sid, 'every handshake makes a new session');
});

test('unknown sid: 400 {"code":1,"message":"Session ID unknown"}', async () => {
  const r = await http(eioUrl(url(), 'AAAAAAAAAAAAAAAAAAAAAA'));
  assertEioError(r, 400, 1, 'Session ID unknown');
  const p = await http(eioUrl(url(), 'AAAAAAAAAAAAAAAAAAAAAA'), { method: 'POST', body: '3' });
  assertEioError(p, 400, 1, 'Session ID unknown');
});

test('EIO=3: 400 code 5 (unsupported protocol version)', async () => {
  const r = await http(`${url()}/socket.io/?EIO=3&transport=polling`);
  assertEioError(r, 400, 5);
});

test('transport=websocket on a polling-only server: 400 code 0', async () => {
  const r = await http(`${url()}/socket.io/?EIO=4&transport=websocket`);
  assertEioError(r, 400, 0);
  const missing = await http(`${url()}/socket.io/?EIO=4`);
  assertEioError(missing, 400, 0);
});

test('POST handshake: 400 code 2 (bad handshake method)', async () => {
  const r = await http(`${url()}/socket.io/?EIO=4&transport=polling`, { method: 'POST', body: '40' });
  assertEioError(r, 400, 2);
});

test('POST body over maxPayload: 413', async () => {
  const open = await handshake();
  const body = `4${'x'.repeat(open.maxPayload)}`; // maxPayload + 1 bytes
  const r = await http(eioUrl(url(), open.sid), { method: 'POST', body });
  assert.equal(r.status, 413, r.body.slice(0, 200));
});

test('a malformed Engine.IO packet closes the session', async () => {
  const open = await handshake();
  await http(eioUrl(url(), open.sid), { method: 'POST', body: 'x' }); // unknown packet type
  const r = await http(eioUrl(url(), open.sid), { timeout: 10_000 });
  assert.equal(r.status, 400, `GET after a parse error: ${r.status} ${r.body}`);
});

test('an empty packet in a payload closes the session', async () => {
  const open = await handshake();
  await http(eioUrl(url(), open.sid), { method: 'POST', body: `3${RS}` });
  const r = await http(eioUrl(url(), open.sid), { timeout: 10_000 });
  assert.equal(r.status, 400, `GET after a parse error: ${r.status} ${r.body}`);
});

test('a malformed Socket.IO packet closes the session', async () => {
  const open = await handshake();
  const tok = await token(S.stack, unique('raw'));
  // CONNECT, and read its reply
  const post = await http(eioUrl(url(), open.sid), { method: 'POST', body: `40${JSON.stringify({ token: tok })}` });
  assert.equal(post.status, 200, post.body);
  assert.equal(post.body, 'ok');
  let reply = '';
  for (let i = 0; i < 5 && !reply.includes('40{'); i++) {
    const g = await http(eioUrl(url(), open.sid), { timeout: 30_000 });
    assert.equal(g.status, 200, g.body);
    reply += g.body;
  }
  assert.ok(decodePayload(reply).some((p) => p.startsWith('40{"sid"')), reply);
  // an EVENT whose payload is not an array
  await http(eioUrl(url(), open.sid), { method: 'POST', body: '42{}' });
  // what was queued before the close (a close packet, say) may still come out
  // first; a GET that is held instead means the session is still open
  let r;
  for (let i = 0; i < 5; i++) {
    r = await http(eioUrl(url(), open.sid), { timeout: 5_000 }).catch((err) => {
      throw new Error(`the session is still open after 42{}: ${err.message}`);
    });
    if (r.status !== 200) break;
  }
  assert.equal(r.status, 400, `GET after 42{}: ${r.status} ${r.body}`);
});

test('two concurrent GETs: the second gets 400, the held one 1, and the session is gone', async () => {
  const open = await handshake();
  const first = http(eioUrl(url(), open.sid), { timeout: 30_000 });
  await sleep(500); // let the first GET park
  const second = await http(eioUrl(url(), open.sid), { timeout: 30_000 });
  assert.equal(second.status, 400, `second GET: ${second.status} ${second.body}`);
  const held = await first;
  assert.equal(held.status, 200, held.body);
  assert.equal(decodePayload(held.body).at(-1), '1', `held GET is closed with 1: ${held.body}`);
  const later = await http(eioUrl(url(), open.sid));
  assertEioError(later, 400, 1, 'Session ID unknown');
});

// A GET right after an answer waits from the process's memory of that
// answer (src/memo.h), with no claim in eio_session: it must be woken, and a
// second GET beside it must close the session, exactly as for a claimed one.
async function memoGets() {
  const r = await http(`${url()}/metrics`);
  assert.equal(r.status, 200, r.body);
  const m = r.body.match(/^dugout_polls_total\{from="memo"\} (\d+)$/m);
  assert.ok(m, `dugout_polls_total{from="memo"} in /metrics:\n${r.body}`);
  return Number(m[1]);
}

/* A session whose last poll was just answered: a namespace CONNECT with a
 * token, and the GET that delivers its CONNECT reply. */
async function answeredSession() {
  const open = await handshake();
  const tok = await token(S.stack, unique('memo'));
  const post = await http(eioUrl(url(), open.sid), { method: 'POST', body: `40{"token":"${tok}"}` });
  assert.equal(post.status, 200, post.body);
  const g = await http(eioUrl(url(), open.sid), { timeout: 30_000 });
  assert.equal(g.status, 200, g.body);
  assert.ok(decodePayload(g.body).some((p) => p.startsWith('40{"sid"')), g.body);
  return open.sid;
}

test('the GET after an answer waits from memory: no claim in the database, woken by what comes next', async () => {
  const sid = await answeredSession();
  const before = await memoGets();
  const held = http(eioUrl(url(), sid), { timeout: 30_000 });
  await sleep(500); // let it park
  assert.equal(await memoGets(), before + 1, 'this GET was held from memory');
  assert.equal(await psql(S.stack, `SELECT coalesce(get_owner, 'none') FROM eio_session WHERE sid = '${sid}'`),
    'none', 'no claim in eio_session');
  // an event whose answer goes to this session only wakes it
  const post = await http(eioUrl(url(), sid), { method: 'POST', body: '42["no_such_event",{}]' });
  assert.equal(post.status, 200, post.body);
  const g = await held;
  assert.equal(g.status, 200, g.body);
  assert.ok(decodePayload(g.body).some((p) => p.startsWith('42["error"')), `woken with the error event: ${g.body}`);
});

test('two concurrent GETs, the first held from memory: the second gets 400, the held one 1, and the session is gone', async () => {
  const sid = await answeredSession();
  const before = await memoGets();
  const first = http(eioUrl(url(), sid), { timeout: 30_000 });
  await sleep(500);
  assert.equal(await memoGets(), before + 1, 'the first GET was held from memory');
  const second = await http(eioUrl(url(), sid), { timeout: 30_000 });
  assert.equal(second.status, 400, `second GET: ${second.status} ${second.body}`);
  const held = await first;
  assert.equal(held.status, 200, held.body);
  assert.equal(decodePayload(held.body).at(-1), '1', `held GET is closed with 1: ${held.body}`);
  const later = await http(eioUrl(url(), sid));
  assertEioError(later, 400, 1, 'Session ID unknown');
});

test('client close (POST 1): the held GET gets 6, the POST ok, then the sid is unknown', async () => {
  const open = await handshake();
  const held = http(eioUrl(url(), open.sid), { timeout: 30_000 });
  await sleep(300);
  const post = await http(eioUrl(url(), open.sid), { method: 'POST', body: '1' });
  assert.equal(post.status, 200);
  assert.equal(post.body, 'ok');
  const g = await held;
  assert.equal(g.status, 200);
  assert.equal(g.body, '6');
  const later = await http(eioUrl(url(), open.sid));
  assertEioError(later, 400, 1, 'Session ID unknown');
});

test('conformance mode also serves /engine.io/', { timeout: 300_000 }, async () => {
  const stack = await startStack({ conformance: true });
  try {
    const r = await http(eioUrl(stack.url, null, '/engine.io/'));
    assert.equal(r.status, 200, r.body);
    assert.ok(r.body.startsWith('0{'), r.body);
    const s = await http(eioUrl(stack.url, null, '/socket.io/'));
    assert.equal(s.status, 200, s.body);
  } finally {
    await stack.stop();
  }
});

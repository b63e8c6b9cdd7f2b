// A dugout-fcgi process that stops (SIGTERM, as on a deploy) releases the
// polls it holds with a noop and their claims with them: the sessions live
// on through the other process, with no reconnect.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { useStack, RawClient, token, sleep, until, http, eioUrl } from './helpers.mjs';

const S = useStack('restart', { external: true, procs: 2 });
const clients = [];
after(() => { for (const c of clients) c.stop(); });

function psql(stack, sql) {
  const dir = /host=(\S+)/.exec(stack.database)[1];
  return execFileSync('psql', ['-h', dir, '-U', 'dugout', '-d', 'dugout', '-Atc', sql], { encoding: 'utf8' }).trim();
}

function daemonPids(stack) {
  return readdirSync(stack.dir).filter((f) => /^dugout-fcgi-\d+\.pid$/.test(f))
    .map((f) => Number(readFileSync(join(stack.dir, f), 'utf8')));
}

test('SIGTERM to the process holding a poll: noop, claim released, session goes on', { timeout: 60_000 }, async () => {
  const c = new RawClient(S.stack.url);
  clients.push(c);
  await c.open(await token(S.stack, 'restart-user'));
  await c.waitEvent('connected');
  // The client's own loop ends with the GET it holds, which a heartbeat
  // answers.  Then, past the memo of that answer (src/memo.h: a GET right
  // after an answer waits without a claim), a GET by hand is claimed in
  // eio_session, which names the process holding it.
  c.stop();
  const before = c.packets.length;
  await c.emit('heartbeat');	// after the client's own POSTs (one at a time)
  await c.waitPacket((p) => c.packets.indexOf(p, before) >= before && p.includes('"heartbeat_ack"'), 15_000);
  await sleep(2_500);	// MEMO_TTL_MS is 2 s
  const held = http(eioUrl(S.stack.url, c.sid), { timeout: 30_000 });
  let owner = '';
  await until(() => (owner = psql(S.stack, `SELECT coalesce(get_owner, '') FROM eio_session WHERE sid = '${c.sid}'`)) !== '',
    { what: 'a held GET' });
  const pid = Number(owner.split(':')[1]);
  assert.ok(daemonPids(S.stack).includes(pid), `owner ${owner} is one of the daemons`);
  process.kill(pid, 'SIGTERM');
  const g = await held;
  assert.equal(g.status, 200, g.body);
  assert.equal(g.body, '6', 'the held GET is released with a noop');
  // The session must live on.  lighttpd may still send one request to the
  // stopped backend (500 from lighttpd itself); a 400 would mean the
  // session was closed, which is what must not happen.
  let acked = false;
  for (let i = 0; i < 20 && !acked; i++) {
    const p = await http(eioUrl(S.stack.url, c.sid), { method: 'POST', body: '42["heartbeat"]' });
    assert.notEqual(p.status, 400, `POST: ${p.body}`);
    if (p.status !== 200) { await sleep(200); continue; }
    const r = await http(eioUrl(S.stack.url, c.sid), { timeout: 10_000 });
    assert.notEqual(r.status, 400, `GET: ${r.body}`);
    acked = r.status === 200 && r.body.includes('"heartbeat_ack"');
  }
  assert.ok(acked, 'heartbeat_ack through the surviving process');
});

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
  // the client's GET is now parked on one of the two processes
  let owner = '';
  await until(() => (owner = psql(S.stack, `SELECT coalesce(get_owner, '') FROM eio_session WHERE sid = '${c.sid}'`)) !== '',
    { what: 'a held GET' });
  const pid = Number(owner.split(':')[1]);
  assert.ok(daemonPids(S.stack).includes(pid), `owner ${owner} is one of the daemons`);
  const before = c.packets.length;
  c.stop();	// no new GET after the held one: the test polls by hand
  process.kill(pid, 'SIGTERM');
  await c.waitPacket((p) => c.packets.indexOf(p, before) >= before && p === '6', 15_000);
  // The session must live on.  lighttpd may still send one request to the
  // stopped backend (500 from lighttpd itself); a 400 would mean the
  // session was closed, which is what must not happen.
  let acked = false;
  for (let i = 0; i < 20 && !acked; i++) {
    const p = await http(eioUrl(S.stack.url, c.sid), { method: 'POST', body: '42["heartbeat"]' });
    assert.notEqual(p.status, 400, `POST: ${p.body}`);
    if (p.status !== 200) { await sleep(200); continue; }
    const g = await http(eioUrl(S.stack.url, c.sid), { timeout: 10_000 });
    assert.notEqual(g.status, 400, `GET: ${g.body}`);
    acked = g.status === 200 && g.body.includes('"heartbeat_ack"');
  }
  assert.ok(acked, 'heartbeat_ack through the surviving process');
});

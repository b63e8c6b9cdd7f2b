// Fault injection (issue 5), continued: a client that stops polling
// mid-game, lighttpd restarted, PostgreSQL stopped for 10 s (fast
// shutdown) and crashed (immediate shutdown) under a game.  One front end:
// lighttpd + 2 external dugout-fcgi daemons, short heartbeat timers.
// dugout-fcgi and lighttpd are never restarted by the database tests: the
// same processes must recover by themselves.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useStack, closeAll, sleep, until, RawClient, connected, joinGame, http, eioUrl } from './helpers.mjs';
import { demo, psql, shortGame, ack } from './gamehelpers.mjs';
import {
  resilient, allReady, call, Driver, load, checkPlayLog, daemonPids, lighttpdPid, alive,
  restartLighttpd, pgStop, pgStart, probe, fmt, max,
} from './faultshelpers.mjs';

const PING_INTERVAL = 4000;
const PING_TIMEOUT = 2000;
const S = useStack('faults-db', {
  external: true, procs: 2, pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT,
  env: { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' },
});
afterEach(() => closeAll());

/** A 3-inning game (19 plays: a home run, then strikeouts) with its clients joined. */
async function start(tag) {
  const url = S.stack.url;
  const d = await demo(S.stack, tag);
  const gameId = await shortGame(S.stack, d, 3);
  const home = resilient(url, d.home.token, gameId, 'player', 'home');
  const away = resilient(url, d.away.token, gameId, 'player', 'away');
  const spec = resilient(url, d.spectator.token, gameId, 'spectator', 'spec');
  const all = [home, away, spec];
  await allReady(all);
  return { d, gameId, home, away, spec, all, drv: new Driver(gameId, [home, away]) };
}

function processes() {
  return { daemons: daemonPids(S.stack.dir), lighttpd: lighttpdPid(S.stack.dir) };
}

function assertSameProcesses(before) {
  assert.deepEqual(processes(), before, 'same pid files');
  for (const p of before.daemons) assert.ok(alive(p, 'dugout-fcgi'), `dugout-fcgi ${p} still running (not restarted)`);
  assert.ok(alive(before.lighttpd, 'lighttpd'), `lighttpd ${before.lighttpd} still running`);
}

/** Play to the end; the play log is whole and the visitors won 1-0. */
async function finish(g) {
  await g.drv.runUntil(() => false, { timeout: 90_000 });
  assert.equal(g.drv.state.status, 'final', 'the game went on to its end');
  assert.deepEqual(g.drv.doubles, [], 'never two winning submissions for one roll');
  const n = await checkPlayLog(S.stack, g.gameId, g.drv.acked);
  assert.equal(n, 19);
  const sc = JSON.parse(await psql(S.stack, `SELECT json_build_object('away', away_score, 'home', home_score)::text FROM game WHERE id = '${g.gameId}'`));
  assert.deepEqual(sc, { away: 1, home: 0 });
}

/** Every client answers request_game_state promptly (its poll is woken by NOTIFY, not by its deadline). */
async function prompt(g) {
  const lat = [];
  for (let i = 0; i < 4; i++) {
    for (const s of g.all) {
      const r = await call(s, 'request_game_state', { game_id: g.gameId });
      assert.equal(r.ok, true, `${s.name}: ${JSON.stringify(r)}`);
      lat.push(r.ms);
    }
  }
  assert.ok(max(lat) < PING_INTERVAL / 2, `acks arrive woken by NOTIFY, not at a poll's deadline: ${lat}`);
  return lat;
}

test('a manager who stops polling expires after pingInterval + pingTimeout; the room is told; the game goes on', { timeout: 90_000 }, async (t) => {
  const url = S.stack.url;
  const d = await demo(S.stack, 'fx');
  const gameId = await shortGame(S.stack, d, 3);
  const raw = new RawClient(url);	// the home manager, on a raw polling client
  await raw.open(d.home.token);
  await raw.emit('join_game', { game_id: gameId, role: 'player' });
  await raw.waitEvent('game_joined', (p) => p?.game_id === gameId, 15_000);
  const away = resilient(url, d.away.token, gameId, 'player', 'away');
  const spec = resilient(url, d.spectator.token, gameId, 'spectator', 'spec');
  await allReady([away, spec]);
  const gone = [];
  for (const s of [away, spec]) s.on('user_disconnected', (p) => gone.push({ to: s.name, p, at: Date.now() }));
  const drv = new Driver(gameId, [away]);
  await drv.runUntil(() => drv.acked.length >= 3);
  await raw.waitFor(() => raw.events.some((e) => e[0] === 'play_resolved' && e[1]?.play_number === 3), 10_000, 'play 3 on the raw client');

  const tStop = Date.now();
  raw.stop();	// no GET, no pong from now on
  const mine = () => gone.filter((x) => x.p?.user_id === d.home.user_id);
  await until(() => mine().length >= 2, { timeout: PING_INTERVAL + PING_TIMEOUT + 5_000, what: 'user_disconnected to the away manager and the spectator' });
  const after = Math.max(...mine().map((x) => x.at)) - tStop;
  for (const x of mine()) assert.deepEqual(x.p, { game_id: gameId, user_id: d.home.user_id });
  assert.ok(after <= PING_INTERVAL + PING_TIMEOUT + 2_500, `expired ${after} ms after the last poll (pingInterval ${PING_INTERVAL} + pingTimeout ${PING_TIMEOUT} + a sweep)`);
  assert.ok(after >= PING_TIMEOUT - 250, `not before a pong was due: ${after} ms`);
  const r = await psql(S.stack, `SELECT count(*) FROM eio_session WHERE sid = '${raw.sid}'`);
  assert.equal(r, '0', 'the session is gone');

  // the other manager plays the game to its end alone
  await drv.runUntil(() => false, { timeout: 60_000 });
  assert.equal(drv.state.status, 'final');
  assert.equal(await checkPlayLog(S.stack, gameId, drv.acked), 19);
  // the expired manager comes back and resyncs
  const back = await connected(url, d.home.token);
  await joinGame(back, gameId, 'player');
  const st = await ack(back, 'request_game_state', { game_id: gameId });
  assert.equal(st.ok, true);
  assert.equal(st.state.status, 'final');
  assert.equal(st.state.play_count, 19);
  t.diagnostic(`user_disconnected ${mine().map((x) => `to ${x.to} after ${x.at - tStop} ms`).join(', ')} (pingInterval ${PING_INTERVAL}, pingTimeout ${PING_TIMEOUT})`);
});

test('lighttpd restarted mid-game: clients reconnect and resync, no play lost', { timeout: 90_000 }, async (t) => {
  const g = await start('fl');
  await g.drv.runUntil(() => g.drv.acked.length >= 5);
  const before = processes();
  const ackedBefore = g.drv.acked.length;
  const pr = probe(S.stack.url, 100);
  const stepping = g.drv.step();
  const r = await restartLighttpd(S.stack);
  await stepping;
  await until(() => pr.results.some((x) => x.ok && x.at >= r.up), { timeout: 15_000, what: 'a handshake through the new lighttpd' });
  await pr.stop();
  await allReady(g.all);
  const back = Math.max(...g.all.map((s) => s.outages.at(-1) ?? 0));
  for (const s of g.all) assert.ok(s.connects >= 2, `${s.name} reconnected (${s.disconnects})`);
  await finish(g);
  assert.equal(processes().lighttpd, r.pid);
  for (const p of before.daemons) assert.ok(alive(p, 'dugout-fcgi'), `dugout-fcgi ${p} still running`);
  const during = pr.results.filter((x) => x.at >= r.down && x.at < r.up);
  t.diagnostic(`restarted lighttpd after ${ackedBefore} plays: down ${r.up - r.down} ms (probes then: ${[...new Set(during.map((x) => x.error ?? x.status))]}); ` +
    `clients back in ${fmt(g.all.flatMap((s) => s.outages))} (longest ${back} ms); disconnect reasons ${g.all.map((s) => s.disconnects.join('/'))}`);
});

/** PostgreSQL down for `downMs` (pg_ctl -m mode) in the middle of a game under load. */
async function dbOutage(t, mode, downMs) {
  const g = await start(`fd${mode[0]}`);
  await g.drv.runUntil(() => g.drv.acked.length >= 4);
  const before = processes();
  const acked = [...g.drv.acked];
  const sids = g.all.map((s) => s.io.engine.id);
  const logs0 = before.daemons.map((_, k) => readFileSync(join(S.stack.dir, `dugout-fcgi-${k}.log`), 'utf8').length);
  // the managers keep playing and the spectator reading throughout
  let driving = true;
  const drive = (async () => { while (driving && g.drv.state?.status !== 'final') await g.drv.step(); })();
  const bg = load([g.spec], g.gameId);
  const pr = probe(S.stack.url, 200);
  await sleep(300);

  const tStop = Date.now();
  await pgStop(S.stack, mode);
  const tDown = Date.now();
  await sleep(downMs);	// the outage itself
  const tStart = Date.now();
  await pgStart(S.stack);
  const tUp = Date.now();
  // PostgreSQL accepts connections again: from now on every request is
  // answered; a process's stale connections are reopened transparently
  const first = [];
  for (let i = 0; i < 12; i++) {
    const r = await http(eioUrl(S.stack.url), { timeout: 10_000 });
    first.push(r.status);
  }
  if (mode === 'immediate') {
    // crash recovery truncated the UNLOGGED tables: the sessions are gone
    assert.equal(await psql(S.stack, `SELECT count(*) FROM eio_session WHERE sid = ANY('{${sids.join(',')}}')`), '0', 'sessions lost in the crash');
  }
  await until(() => pr.results.some((x) => x.ok && x.at >= tUp), { timeout: 30_000, what: 'a handshake after the restart' });
  const firstOk = pr.results.find((x) => x.ok && x.at >= tUp);
  await pr.stop();
  driving = false;
  await drive;
  await allReady(g.all, 30_000);
  // back without waiting for a poll's deadline: a poll parked while the
  // LISTEN connection was down is woken when it comes back
  const back = g.all.map((s) => s.readyAt.find((x) => x >= tUp) - tUp);
  assert.ok(max(back) < 3_000, `every client rejoined within 3 s of PostgreSQL's return: ${g.all.map((s, i) => `${s.name} ${back[i]} ms`)}`);
  const lat = await prompt(g);
  await finish(g);
  await bg.stop();

  assert.deepEqual(first, first.map(() => 200), `handshakes right after the restart: ${first}`);
  // meanwhile: errors, never a hang
  const during = pr.results.filter((x) => x.at >= tDown && x.at + x.ms <= tStart);
  assert.ok(during.length >= downMs / 400, `probes during the outage: ${during.length}`);
  for (const x of during) {
    assert.ok(x.status >= 500 && x.status < 600, `the handshake during the outage is a 5xx: ${JSON.stringify(x)}`);
  }
  const slowest = max(pr.results.map((x) => x.ms));
  assert.ok(slowest < 5_000, `no request hangs: slowest handshake ${slowest} ms`);
  const timeouts = g.drv.failures.filter((f) => /timed out/.test(f));
  assert.deepEqual(timeouts, [], 'no event went unanswered until the client timeout');
  // no committed play lost; the same processes
  for (const a of acked) assert.ok(g.drv.acked.includes(a));
  assertSameProcesses(before);
  // every process's LISTEN connection came back
  before.daemons.forEach((_, k) => {
    const log = readFileSync(join(S.stack.dir, `dugout-fcgi-${k}.log`), 'utf8').slice(logs0[k]);
    assert.match(log, /notify: listening again/, `daemon ${k} LISTENs again`);
  });
  for (const s of g.all) assert.ok(s.connects >= 2, `${s.name} reconnected`);
  if (mode === 'immediate') for (const s of g.all) assert.ok(!sids.includes(s.io.engine.id), `${s.name} has a new session`);
  const statuses = {};
  for (const x of during) statuses[x.status] = (statuses[x.status] ?? 0) + 1;
  t.diagnostic(`pg_ctl -m ${mode} stop took ${tDown - tStop} ms, down ${tStart - tDown} ms, start took ${tUp - tStart} ms; ` +
    `handshakes during the outage: ${JSON.stringify(statuses)}, slowest ${slowest} ms; first handshake ok ${firstOk.at + firstOk.ms - tUp} ms after the start; ` +
    `clients back ${fmt(g.all.flatMap((s) => s.outages))} after their disconnect (${g.all.map((s) => `${s.name} connected ${s.connectAt.at(-1) - tUp} ms, joined ${s.readyAt.at(-1) - tUp} ms after the start`).join(', ')}); prompt acks after ${fmt(lat)} [${lat}]; ` +
    `failed steps ${g.drv.failures.length} (${[...new Set(g.drv.failures.map((f) => f.replace(/\d+/g, 'N')))].slice(0, 4).join(' | ')}); ` +
    `spectator reads ok ${bg.stats.ok}, failed ${bg.stats.failed}; ${acked.length} plays before the stop, all kept`);
}

test('PostgreSQL stopped for 10 s (fast shutdown): 5xx meanwhile, then dugout recovers by itself; no play lost', { timeout: 120_000 }, async (t) => {
  await dbOutage(t, 'fast', 10_000);
});

test('PostgreSQL crashed (immediate shutdown): sessions lost, clients reconnect and resync, plays survive', { timeout: 120_000 }, async (t) => {
  await dbOutage(t, 'immediate', 3_000);
});

// Fault injection (issue 5): kill -9 of a dugout-fcgi process in the
// middle of a game under load, and in the middle of the two managers'
// race for one roll.  Front end A: lighttpd + 3 external daemons (one is
// killed by each test, so A always keeps a live backend); front end B:
// lighttpd + 1 daemon.  The clients are socket.io-client with reconnection
// on: after the kill they reconnect by themselves, re-join, and resync
// with request_game_state (Driver in faultshelpers.mjs).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, closeAll, sleep } from './helpers.mjs';
import { demo, psql, shortGame } from './gamehelpers.mjs';
import {
  resilient, allReady, call, Driver, load, checkPlayLog, daemonPids, alive, kill9, fmt, max, NO_ROLL,
} from './faultshelpers.mjs';

let B;
const S = useStack('faults-kill', {
  external: true, procs: 3, pingInterval: 2000, pingTimeout: 2000,
  env: { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' },
}, async (stack) => {
  B = await stack.attach({ external: true });
});
afterEach(() => closeAll());

/** The daemon of front end A holding sock's long-poll GET right now. */
async function pollOwner(stack, sock) {
  let pid = NaN;
  const end = Date.now() + 15_000;
  const pids = daemonPids(stack.dir).filter((p) => alive(p, 'dugout-fcgi'));
  while (Date.now() < end) {
    const sid = sock.io.engine?.id;
    const owner = sid ? await psql(stack, `SELECT coalesce(get_owner, '') FROM eio_session WHERE sid = '${sid}'`) : '';
    pid = Number(owner.split(':')[1]);
    if (pids.includes(pid)) return pid;
    await sleep(20);
  }
  throw new Error(`no daemon of A holds ${sock.name}'s GET (alive: ${pids})`);
}

test('kill -9 of a dugout-fcgi process mid-game under load: clients reconnect, resync, no play lost or doubled, the game ends', { timeout: 120_000 }, async (t) => {
  const url = S.stack.url;
  const d = await demo(S.stack, 'fk');
  const gameId = await shortGame(S.stack, d, 3);	// 19 plays: HR, then strikeouts
  const home = resilient(url, d.home.token, gameId, 'player', 'home');
  const away = resilient(url, d.away.token, gameId, 'player', 'away');
  const specs = [0, 1, 2].map((i) => resilient(url, d.spectator.token, gameId, 'spectator', `spec${i}`));
  const all = [home, away, ...specs];
  await allReady(all);
  const drv = new Driver(gameId, [home, away]);
  const bg = load(specs, gameId);

  // a few plays, then the kill, with plays and reads in flight
  await drv.runUntil(() => drv.acked.length >= 5, { timeout: 60_000 });
  const victim = await pollOwner(S.stack, home);
  const before = daemonPids(S.stack.dir);
  const ackedBefore = drv.acked.length;
  const stepping = drv.step();	// a play in flight while the process dies
  const tKill = Date.now();
  await kill9(victim);
  await stepping;
  await drv.runUntil(() => false, { timeout: 90_000 });
  const tEnd = Date.now();
  await bg.stop();

  assert.equal(drv.state.status, 'final', 'the game continued to its end');
  assert.deepEqual(drv.doubles, [], 'never two winning submissions for one roll');
  assert.deepEqual(drv.losses.other, [], 'a losing submission is refused (no pending roll) or fails in transport');
  const n = await checkPlayLog(S.stack, gameId, drv.acked);
  assert.equal(n, 19, 'the whole game was played: 19 plays');
  assert.equal(drv.acked.length, new Set(drv.acked.map((a) => a.play_number)).size, 'each play acknowledged once');
  const sc = JSON.parse(await psql(S.stack, `SELECT json_build_object('away', away_score, 'home', home_score)::text FROM game WHERE id = '${gameId}'`));
  assert.deepEqual(sc, { away: 1, home: 0 });
  // the home manager's poll was on the dead process: it reconnected
  assert.ok(home.connects >= 2, `home reconnected (connects ${home.connects}, disconnects ${home.disconnects})`);
  await allReady(all);
  for (const s of all) {
    const st = await call(s, 'request_game_state', { game_id: gameId });
    assert.equal(st.ok, true, `${s.name} resyncs: ${JSON.stringify(st)}`);
    assert.equal(st.state.status, 'final');
    assert.equal(st.state.play_count, 19);
  }
  assert.ok(!alive(victim, 'dugout-fcgi'));
  for (const p of before.filter((p) => p !== victim)) assert.ok(alive(p, 'dugout-fcgi'), `daemon ${p} still serves`);
  const reconnected = all.filter((s) => s.connects > 1);
  t.diagnostic(`killed ${victim} after ${ackedBefore} acknowledged plays; game over ${((tEnd - tKill) / 1000).toFixed(1)} s later; ` +
    `${reconnected.length}/${all.length} clients reconnected (${reconnected.map((s) => `${s.name}: ${s.disconnects.join('/')}`).join(', ')}); ` +
    `outages ${fmt(all.flatMap((s) => s.outages))}; slowest call ${max(all.flatMap((s) => s.calls))} ms; ` +
    `losing submissions: ${drv.losses.refused} refused, ${drv.losses.transport} transport errors; ` +
    `failed steps: ${drv.failures.length}; spectator reads ok ${bg.stats.ok}, failed ${bg.stats.failed}`);
});

test('the race for one roll while a process is killed -9: one play per roll, never two', { timeout: 120_000 }, async (t) => {
  const d = await demo(S.stack, 'fr');
  const gameId = d.game_id;
  // home through front end A (2 live daemons left), away through B
  const home = resilient(S.stack.url, d.home.token, gameId, 'player', 'home');
  const away = resilient(B.url, d.away.token, gameId, 'player', 'away');
  await allReady([home, away]);
  const ROLLS = 40;		// strikeouts only: the game stays active
  const KILL_AT = 12;		// the race for the 13th play
  const results = [];
  let victim = null;
  const t0 = Date.now();
  for (let i = 0; ; i++) {
    assert.ok(Date.now() - t0 < 100_000, `the race goes on (${results.length} races)`);
    await allReady([home, away]);
    const who = i % 2 ? home : away;
    const st = await call(who, 'request_game_state', { game_id: gameId });
    if (!st.ok) continue;
    const state = st.state;
    if (state.play_count >= ROLLS && !state.pending_roll) break;
    let rollId = state.pending_roll?.roll_id;
    if (rollId === undefined || rollId === null) {
      const r = await call(who, 'roll_dice', { game_id: gameId });
      if (!r.ok) continue;
      rollId = r.roll_id;
    }
    const payload = { game_id: gameId, outcome: 'strikeout' };
    let killing = null;
    if (state.play_count === KILL_AT && victim === null) {
      victim = await pollOwner(S.stack, home);
      // the submissions are on their way when the process dies
      killing = sleep(2).then(() => kill9(victim));
    }
    const [h, a] = await Promise.all([call(home, 'submit_manual_outcome', payload), call(away, 'submit_manual_outcome', payload)]);
    if (killing) await killing;
    results.push({ rollId, h, a, killed: killing !== null });
    const what = `roll ${rollId}: home ${JSON.stringify(h)} away ${JSON.stringify(a)}`;
    assert.ok(!(h.ok && a.ok), `never two plays: ${what}`);
    for (const r of [h, a]) {
      if (r.ok) {
        assert.equal(r.roll_id, rollId, what);
        assert.equal(r.play_number, state.play_count + 1, what);
        continue;
      }
      // the loser: the refusal, or a transport error; nothing else
      if (r.transport === undefined) assert.equal(r.error?.message, NO_ROLL, what);
    }
  }
  assert.ok(victim !== null, 'a process was killed mid-race');
  await allReady([home, away]);
  const acked = results.flatMap((r) => [r.h, r.a].filter((x) => x.ok).map((x) => ({ play_number: x.play_number, roll_id: x.roll_id })));
  const n = await checkPlayLog(S.stack, gameId, acked);
  const db = JSON.parse(await psql(S.stack, `SELECT json_build_object(
    'rolls', (SELECT count(*) FROM dice_roll WHERE game_id = '${gameId}'),
    'used', (SELECT count(*) FROM dice_roll r JOIN play p ON p.roll_id = r.id AND p.id = r.play_id WHERE r.game_id = '${gameId}'),
    'pending', (SELECT count(*) FROM game g JOIN dice_roll r ON r.id = g.pending_roll_id WHERE g.id = '${gameId}' AND r.used_at IS NULL))::text`));
  assert.deepEqual(db, { rolls: n, used: n, pending: 0 }, 'exactly one play per roll');
  assert.ok(n >= ROLLS, `${n} plays`);
  const both = results.filter((r) => !r.h.ok && !r.a.ok);
  const killed = results.find((r) => r.killed);
  t.diagnostic(`${n} rolls, ${n} plays; killed ${victim} mid-race: home ${JSON.stringify(killed.h)} away ${JSON.stringify(killed.a)}; ` +
    `races with no acknowledged winner (resubmitted after resync): ${both.length}; ` +
    `transport errors: ${results.filter((r) => r.h.transport || r.a.transport).length}; home reconnects ${home.connects - 1}, away ${away.connects - 1}`);
});

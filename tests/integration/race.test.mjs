// Concurrency of gameplay across processes (events.md "Playing": a roll
// is stored with the game and used once, in the transaction of the
// outcome that consumes it).  The two managers are served by different
// front ends (two lighttpd, external dugout-fcgi daemons, one database):
// for each of 200 rolls both submit the outcome at the same instant;
// exactly one play is made, the other submission is refused with the
// original's "No pending dice roll" message.  Then a client that
// reconnects gets the current state from request_game_state.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, closeAll, connected, joinGame, until, sleep } from './helpers.mjs';
import { openGame, demo, psql, ack, recordAll, basesOf } from './gamehelpers.mjs';

// front end A: lighttpd + 2 external daemons; front end B: lighttpd + 1 daemon
let B;
// 200 rolls in seconds: lift the rate limits (rejections tests the defaults)
const S = useStack('race', { external: true, procs: 2, env: { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' } }, async (stack) => {
  B = await stack.attach({ external: true });
});
afterEach(() => closeAll());

const NO_ROLL = 'No pending dice roll - call roll_dice first';

/** roll_dice on sock, retrying a RATE_LIMITED refusal. */
async function rollOn(sock, gameId) {
  for (let attempt = 0; ; attempt++) {
    const r = await ack(sock, 'roll_dice', { game_id: gameId });
    if (r?.ok === false && r.error?.code === 'RATE_LIMITED' && attempt < 20) {
      await sleep(250);
      continue;
    }
    assert.equal(r?.ok, true, `roll_dice: ${JSON.stringify(r)}`);
    return r;
  }
}

test('200 rolls, each outcome submitted at once by both managers on different processes: one play per roll', { timeout: 180_000 }, async (t) => {
  const GAMES = 4;
  const PER_GAME = 50;      // 50 strikeouts: 8 innings and 2 outs, the game goes on
  const wins = { home: 0, away: 0 };
  const t0 = Date.now();
  for (let gi = 0; gi < GAMES; gi++) {
    const g = await openGame(S.stack, { tag: `race${gi}`, urls: { home: S.stack.url, away: B.url, spectator: B.url } });
    const id = g.gameId;
    // two more player sockets, one on each front end, share the rolling
    // (roll_dice is rate-limited per socket)
    const extra = await Promise.all([connected(S.stack.url, g.demo.home.token), connected(B.url, g.demo.away.token)]);
    for (const s of extra) { recordAll(s); await joinGame(s, id, 'player'); }
    const rollers = [g.s.home, g.s.away, ...extra];

    for (let i = 0; i < PER_GAME; i++) {
      const roll = await rollOn(rollers[i % rollers.length], id);
      const payload = { game_id: id, outcome: 'strikeout' };
      const [h, a] = await Promise.all([ack(g.s.home, 'submit_manual_outcome', payload), ack(g.s.away, 'submit_manual_outcome', payload)]);
      const what = `game ${gi} roll ${i + 1} (${roll.roll_id}): home ${JSON.stringify(h)} away ${JSON.stringify(a)}`;
      const oks = [h, a].filter((r) => r?.ok === true);
      assert.equal(oks.length, 1, `exactly one submission wins: ${what}`);
      const lost = h.ok ? a : h;
      wins[h.ok ? 'home' : 'away'] += 1;
      assert.equal(lost.ok, false, what);
      assert.equal(lost.error?.message, NO_ROLL, what);
      assert.equal(lost.error?.field, 'game_state', what);
      assert.equal(oks[0].play_number, i + 1, what);
      assert.equal(oks[0].roll_id, roll.roll_id, what);
    }

    // every client saw each play once, in order; the loser got outcome_rejected
    for (const side of ['home', 'away', 'spectator']) {
      await until(() => g.plays(side).length >= PER_GAME, { timeout: 20_000, what: `${PER_GAME} plays on ${side}` });
    }
    await sleep(300);
    for (const side of ['home', 'away', 'spectator']) {
      assert.deepEqual(g.plays(side).map((p) => p.play_number), Array.from({ length: PER_GAME }, (_, i) => i + 1),
        `play_resolved on ${side}: once each, in order`);
    }
    const rejected = [...g.s.home.got.outcome_rejected, ...g.s.away.got.outcome_rejected];
    assert.equal(rejected.length, PER_GAME, 'one outcome_rejected per roll');
    for (const r of rejected) {
      assert.equal(r.message, NO_ROLL, JSON.stringify(r));
      assert.equal(r.field, 'game_state', JSON.stringify(r));
    }

    // the database: one play per roll, each roll used by exactly that play
    const row = await psql(S.stack, `SELECT json_build_object(
      'plays', (SELECT count(*) FROM play WHERE game_id = '${id}'),
      'with_roll', (SELECT count(roll_id) FROM play WHERE game_id = '${id}'),
      'distinct_rolls', (SELECT count(DISTINCT roll_id) FROM play WHERE game_id = '${id}'),
      'numbers', (SELECT count(DISTINCT play_number) FROM play WHERE game_id = '${id}'),
      'rolls', (SELECT count(*) FROM dice_roll WHERE game_id = '${id}'),
      'rolls_used', (SELECT count(*) FROM dice_roll r JOIN play p ON p.roll_id = r.id AND p.id = r.play_id
                     WHERE r.game_id = '${id}' AND r.used_at IS NOT NULL),
      'play_count', (SELECT play_count FROM game WHERE id = '${id}'),
      'pending_roll', (SELECT pending_roll_id FROM game g JOIN dice_roll r ON r.id = g.pending_roll_id
                       WHERE g.id = '${id}' AND r.used_at IS NULL))::text`);
    assert.deepEqual(JSON.parse(row), {
      plays: PER_GAME, with_roll: PER_GAME, distinct_rolls: PER_GAME, numbers: PER_GAME,
      rolls: PER_GAME, rolls_used: PER_GAME, play_count: PER_GAME, pending_roll: null,
    }, `game ${gi}`);
    const st = g.state();
    assert.equal(st.play_count, PER_GAME);
    assert.equal(st.inning, 9);
    assert.equal(st.half, 'top');
    assert.equal(st.outs, 2);
    assert.equal(st.status, 'active');
    closeAll();
  }
  const secs = (Date.now() - t0) / 1000;
  t.diagnostic(`${GAMES * PER_GAME} rolls in ${secs.toFixed(1)} s; the submission that won: home ${wins.home}, away ${wins.away}`);
});

test('after a reconnect, request_game_state returns the current state and the last 10 plays', { timeout: 120_000 }, async (t) => {
  const g = await openGame(S.stack, { tag: 'sync', urls: { home: S.stack.url, away: B.url, spectator: S.stack.url } });
  const id = g.gameId;
  // 12 plays: a walk, singles, outs; then a pending roll
  const script = [['walk'], ['single_1', 'LF'], ['strikeout'], ['groundball_c', '2B'], ['single_2', 'RF'],
    ['strikeout'], ['single_1', 'CF'], ['walk'], ['popout', 'SS'], ['double_2', 'LF'], ['strikeout'], ['hbp']];
  for (const [o, loc] of script) await g.pa(o, loc ? { hit_location: loc } : {});
  const roll = await g.roll('home');
  await until(() => g.s.home.got.game_state.some((s) => s.pending_roll?.roll_id === roll.roll_id),
    { timeout: 10_000, what: 'game_state with the pending roll' });
  const current = g.s.home.got.game_state.at(-1);
  assert.equal(current.play_count, 12);
  assert.equal(current.pending_roll.roll_id, roll.roll_id);
  assert.equal(current.pending_decision, 'outcome', JSON.stringify(current));

  // the away manager's connection drops; he comes back on the other front end
  g.s.away.disconnect();
  const back = recordAll(await connected(S.stack.url, g.demo.away.token));
  const notYet = await ack(back, 'request_game_state', { game_id: id });
  assert.equal(notYet.ok, false, JSON.stringify(notYet));
  assert.equal(notYet.error.code, 'NOT_IN_GAME');
  await joinGame(back, id, 'player');
  const t0 = Date.now();
  const sync = await ack(back, 'request_game_state', { game_id: id });
  assert.equal(sync.ok, true, JSON.stringify(sync));
  await until(() => back.got.game_state_sync.length === 1, { what: 'game_state_sync event' });
  const ev = back.got.game_state_sync[0];
  assert.deepEqual(ev.state, sync.state, 'the event and the ack agree');
  assert.deepEqual(sync.state, current, 'the state is the current one, pending roll included');
  assert.equal(typeof sync.timestamp, 'string');
  const ts = Date.parse(sync.timestamp);
  assert.ok(Number.isFinite(ts) && Math.abs(ts - t0) < 60_000, `timestamp ${sync.timestamp}`);

  // recent_plays: the last 10, in play_resolved shape
  const seen = g.plays('home');
  assert.equal(seen.length, 12);
  assert.equal(sync.recent_plays.length, 10, JSON.stringify(sync.recent_plays.map((p) => p.play_number)));
  const nums = sync.recent_plays.map((p) => p.play_number);
  const asc = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  assert.ok(JSON.stringify(nums) === JSON.stringify(asc) || JSON.stringify(nums) === JSON.stringify([...asc].reverse()),
    `recent_plays are plays 3-12: ${JSON.stringify(nums)}`);
  t.diagnostic(`recent_plays order: ${nums[0] < nums[1] ? 'oldest first' : 'newest first'}`);
  for (const p of sync.recent_plays) {
    assert.deepEqual(p, seen.find((q) => q.play_number === p.play_number), `recent play ${p.play_number} as it was broadcast`);
  }

  // the reconnected manager uses the roll made before he dropped
  const play = await ack(back, 'submit_manual_outcome', { game_id: id, outcome: 'strikeout' });
  assert.equal(play.ok, true, JSON.stringify(play));
  assert.equal(play.roll_id, roll.roll_id);
  assert.equal(play.play_number, 13);

  // the spectator, too, can resynchronise
  const s2 = await ack(g.s.spec, 'request_game_state', { game_id: id });
  assert.equal(s2.ok, true);
  assert.equal(s2.state.play_count, 13);
  assert.equal(s2.state.pending_roll ?? null, null);
  assert.equal(basesOf(s2.state, g.names), basesOf(g.state(), g.names));
});

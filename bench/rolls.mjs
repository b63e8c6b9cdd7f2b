// bench/rolls.mjs -- unloaded roll_dice latency (docs/performance.md), run
// by bench/compare against the dugout stack it started: a demo game
// (dugoutctl demo: two managers, a spectator, lineups), its three clients
// on the real socket.io-client forced to polling, then --rolls plate
// appearances one after the other, nothing else running: the home manager
// rolls (roll_dice with an ack), the away manager strikes the batter out
// (submit_manual_outcome strikeout, which consumes the roll).  Timed for
// each roll, from the emit: the manager's ack, and the room's dice_rolled
// reaching the spectator.  One JSON line on stdout.
//
//   node bench/rolls.mjs --url URL --dugoutctl PATH --config FILE
//        [--rolls 100] [--gap-ms 50]
//
// socket.io-client comes from the repository's node_modules (npm ci at
// the top, as for the tests).

import { execFileSync } from 'node:child_process';
import { io } from 'socket.io-client';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const url = arg('--url');
const ctlPath = arg('--dugoutctl');
const config = arg('--config');
const rolls = Number(arg('--rolls', 100));
const gapMs = Number(arg('--gap-ms', 50));
if (!url || !ctlPath || !config || !(rolls >= 1)) {
  process.stderr.write('usage: node bench/rolls.mjs --url URL --dugoutctl PATH --config FILE [--rolls N] [--gap-ms MS]\n');
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};
const r2 = (v) => (v === null ? null : Math.round(v * 100) / 100);

function connect(token) {
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['polling'], auth: { token }, reconnection: false, forceNew: true });
    const t = setTimeout(() => reject(new Error('connect timed out')), 15_000);
    s.once('connect', () => { clearTimeout(t); resolve(s); });
    s.once('connect_error', (e) => { clearTimeout(t); reject(e); });
  });
}

async function join(s, gameId, role) {
  const r = await s.timeout(15_000).emitWithAck('join_game', { game_id: gameId, role });
  if (!r?.ok) throw new Error(`join_game ${role}: ${JSON.stringify(r)}`);
}

async function main() {
  const out = execFileSync(ctlPath, ['demo', '--home-user', `bench-home-${process.pid}`,
    '--away-user', `bench-away-${process.pid}`, '--spectator-user', `bench-spec-${process.pid}`],
  { env: { ...process.env, DUGOUT_CONFIG: config }, encoding: 'utf8' });
  const d = JSON.parse(out.trim().split('\n').pop());
  const [home, away, spec] = await Promise.all([d.home.token, d.away.token, d.spectator.token].map(connect));
  await join(home, d.game_id, 'player');
  await join(away, d.game_id, 'player');
  await join(spec, d.game_id, 'spectator');
  let nextRoll = null;
  spec.on('dice_rolled', (m) => {
    const at = performance.now();
    if (nextRoll) { const f = nextRoll; nextRoll = null; f({ at, m }); }
  });
  const ackMs = [];
  const roomMs = [];
  let refused = 0;
  for (let i = 0; i < rolls; i++) {
    const seen = new Promise((resolve) => { nextRoll = resolve; });
    const t0 = performance.now();
    const r = await home.timeout(20_000).emitWithAck('roll_dice', { game_id: d.game_id });
    const t1 = performance.now();
    if (!r?.ok) {
      refused++;
      if (r?.error?.code === 'RATE_LIMITED') { await sleep(600); i--; continue; }
      throw new Error(`roll_dice: ${JSON.stringify(r)}`);
    }
    const { at } = await Promise.race([seen, sleep(20_000).then(() => { throw new Error('no dice_rolled'); })]);
    ackMs.push(t1 - t0);
    roomMs.push(at - t0);
    const s = await away.timeout(20_000).emitWithAck('submit_manual_outcome', { game_id: d.game_id, outcome: 'strikeout' });
    if (!s?.ok) throw new Error(`submit_manual_outcome: ${JSON.stringify(s)}`);
    await sleep(gapMs);
  }
  for (const s of [home, away, spec]) s.disconnect();
  const line = {
    rolls: ackMs.length,
    rate_limited_retries: refused,
    ack_p50_ms: r2(pct(ackMs, 50)),
    ack_p90_ms: r2(pct(ackMs, 90)),
    ack_p99_ms: r2(pct(ackMs, 99)),
    ack_max_ms: r2(Math.max(...ackMs)),
    room_p50_ms: r2(pct(roomMs, 50)),
    room_p90_ms: r2(pct(roomMs, 90)),
    room_p99_ms: r2(pct(roomMs, 99)),
    room_max_ms: r2(Math.max(...roomMs)),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.exit(0);
}

main().catch((e) => { process.stderr.write(`rolls: ${e.stack || e}\n`); process.exit(1); });

// Helpers for the fault-injection tests (faults-*.test.mjs): clients that
// reconnect by themselves and re-join their game, a driver that plays a
// game through faults (resynchronising with request_game_state before each
// step), the stack's processes (pids, kill -9, lighttpd restart) and its
// PostgreSQL cluster (pg_ctl stop/start).
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, openSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { client, until, sleep, http, eioUrl } from './helpers.mjs';
import { recordAll, psql } from './gamehelpers.mjs';

export const NO_ROLL = 'No pending dice roll - call roll_dice first';

/** execFile as a promise; resolves { stdout, stderr }. */
export function run(cmd, args, { cwd = '/', timeout = 90_000, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout, env: env ?? process.env, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
        reject(err);
      } else resolve({ stdout, stderr });
    });
  });
}

// ------------------------------------------------------------ processes

/** Is pid a live (not zombie) process called name? */
export function alive(pid, name) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = /\((.*)\)/.exec(stat)[1];
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return comm === name && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** pids of the external dugout-fcgi daemons of instance dir (pid files). */
export function daemonPids(dir) {
  return readdirSync(dir).filter((f) => /^dugout-fcgi-\d+\.pid$/.test(f)).sort()
    .map((f) => Number(readFileSync(join(dir, f), 'utf8')));
}

export function lighttpdPid(dir) {
  const f = join(dir, 'lighttpd.pid');
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : NaN;
}

/** kill -9 pid and wait until it is gone. */
export async function kill9(pid, name = 'dugout-fcgi') {
  assert.ok(alive(pid, name), `${name} ${pid} is alive before the kill`);
  process.kill(pid, 'SIGKILL');
  await until(() => !alive(pid, name), { timeout: 10_000, what: `${name} ${pid} to die` });
}

/**
 * Stop the stack's lighttpd (SIGTERM, as tools/devstack stop does) and
 * start it again from the same lighttpd.conf, the way tools/devstack
 * starts it.  Resolves { down, up } timestamps and the new pid.
 */
export async function restartLighttpd(stack) {
  const old = lighttpdPid(stack.dir);
  assert.ok(alive(old, 'lighttpd'), 'lighttpd is running');
  process.kill(old, 'SIGTERM');
  await until(() => !alive(old, 'lighttpd'), { timeout: 10_000, what: 'lighttpd to stop' });
  const down = Date.now();
  rmSync(join(stack.dir, 'lighttpd.pid'), { force: true });
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DUGOUT_')));
  env.DUGOUT_CONFIG = stack.config;
  const log = openSync(join(stack.dir, 'lighttpd.error.log'), 'a');
  const child = spawn('lighttpd', ['-D', '-f', join(stack.dir, 'lighttpd.conf')],
    { cwd: stack.dir, detached: true, stdio: ['ignore', log, log], env });
  child.unref();
  closeSync(log);
  let pid;
  await until(() => { pid = lighttpdPid(stack.dir); return alive(pid, 'lighttpd'); },
    { timeout: 15_000, what: 'lighttpd to write its pid file' });
  return { down, up: Date.now(), pid };
}

// ------------------------------------------------------------ PostgreSQL

let pgBin;
async function pgBindir() {
  if (!pgBin) pgBin = (await run('pg_config', ['--bindir'])).stdout.trim();
  return pgBin;
}

/** pg_ctl on the stack's cluster (DIR/pg/data), as its owner. */
export async function pgCtl(stack, ...args) {
  const bin = join(await pgBindir(), 'pg_ctl');
  const data = join(stack.dir, 'pg/data');
  const argv = [bin, '-D', data, ...args];
  if (process.getuid() === 0) return run('runuser', ['-u', 'postgres', '--', ...argv]);
  return run(argv[0], argv.slice(1));
}

export async function pgStop(stack, mode) {
  await pgCtl(stack, '-m', mode, '-w', '-t', '60', 'stop');
}

export async function pgStart(stack) {
  const sock = join(stack.dir, 'pg');
  await pgCtl(stack, '-l', join(sock, 'postgres.log'), '-w', '-t', '60', '-o', `-k ${sock}`, 'start');
}

// ------------------------------------------------------------ clients

/**
 * A socket.io-client that reconnects by itself (short back-off) and joins
 * gameId as role after every connect; s.ready is true once joined.
 * Records: s.connects, s.disconnects (reasons), s.connectErrors,
 * s.outages (ms from a disconnect to joined again), s.calls (latencies).
 */
export function resilient(url, tok, gameId, role, name) {
  const s = client(url, tok, {
    reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 1000,
    randomizationFactor: 0.3, timeout: 10_000,
  });
  recordAll(s);
  Object.assign(s, {
    name, ready: false, connects: 0, disconnects: [], connectErrors: [], joinErrors: [],
    outages: [], calls: [], gen: 0, downAt: null, sids: [], connectAt: [], readyAt: [],
  });
  s.on('connected', (_p, fn) => { if (typeof fn === 'function') fn({ ok: true }); });
  s.on('connect', () => {
    s.connects += 1;
    s.connectAt.push(Date.now());
    s.sids.push(s.io.engine?.id);
    rejoin(s, gameId, role, ++s.gen);
  });
  s.on('disconnect', (reason) => {
    s.ready = false;
    s.disconnects.push(reason);
    if (s.downAt === null) s.downAt = Date.now();
  });
  s.on('connect_error', (e) => s.connectErrors.push(e.message));
  return s;
}

async function rejoin(s, gameId, role, gen) {
  while (s.connected && s.gen === gen && !s.ready) {
    try {
      const r = await s.timeout(5_000).emitWithAck('join_game', { game_id: gameId, role });
      if (r?.ok && s.gen === gen && s.connected) {
        s.ready = true;
        s.readyAt.push(Date.now());
        if (s.downAt !== null) {
          s.outages.push(Date.now() - s.downAt);
          s.downAt = null;
        }
        return;
      }
      s.joinErrors.push(JSON.stringify(r));
    } catch (e) {
      s.joinErrors.push(e.message);
    }
    await sleep(200);
  }
}

/** Wait until every socket has (re)joined its game. */
export async function allReady(socks, timeout = 30_000) {
  await until(() => socks.every((s) => s.ready), {
    timeout,
    what: `${socks.filter((s) => !s.ready).map((s) => s.name).join(', ')} to rejoin`,
  });
}

/**
 * emitWithAck that never throws: the ack's value with `ms`, or
 * { ok: false, transport: message, ms } when the request failed (not
 * joined, disconnected, no answer within timeout).
 */
export async function call(s, event, payload, timeout = 10_000) {
  if (!s.ready) return { ok: false, transport: 'not ready', ms: 0 };
  const t0 = Date.now();
  try {
    const r = await s.timeout(timeout).emitWithAck(event, payload);
    const ms = Date.now() - t0;
    s.calls.push(ms);
    return { ...(r && typeof r === 'object' ? r : { value: r }), ms };
  } catch (e) {
    const ms = Date.now() - t0;
    s.calls.push(ms);
    return { ok: false, transport: e.message, ms };
  }
}

/**
 * Plays a game through faults.  Each step resynchronises with
 * request_game_state, rolls (unless a roll is pending), and has every
 * manager submit the outcome at the same instant.  Records every
 * acknowledged play (acked), every step where more than one submission
 * won (doubles), and how the others lost (losses: refusal or transport).
 */
export class Driver {
  constructor(gameId, managers, outcomeFor = (st) => (st.play_count === 0 ? 'homerun' : 'strikeout')) {
    this.gameId = gameId;
    this.m = managers;
    this.outcomeFor = outcomeFor;
    this.acked = [];
    this.doubles = [];
    this.losses = { refused: 0, transport: 0, other: [] };
    this.failures = [];
    this.state = null;
    this.i = 0;
  }

  note(what, r) {
    this.failures.push(`${what}: ${r.transport ?? JSON.stringify(r.error ?? r)}`);
  }

  /** One step; resolves the state seen (null when the step failed). */
  async step() {
    const ready = this.m.filter((s) => s.ready);
    if (ready.length === 0) { await sleep(50); return null; }
    const who = ready[this.i++ % ready.length];
    const st = await call(who, 'request_game_state', { game_id: this.gameId });
    if (!st.ok) { this.note('request_game_state', st); await sleep(100); return null; }
    this.state = st.state;
    if (st.state.status === 'final') return st.state;
    let rollId = st.state.pending_roll?.roll_id;
    if (rollId === undefined || rollId === null) {
      const r = await call(who, 'roll_dice', { game_id: this.gameId });
      if (!r.ok) { this.note('roll_dice', r); await sleep(100); return null; }
      rollId = r.roll_id;
    }
    const outcome = this.outcomeFor(st.state);
    const subs = await Promise.all(this.m.map((s) => call(s, 'submit_manual_outcome', { game_id: this.gameId, outcome })));
    const oks = subs.filter((r) => r.ok === true);
    for (const r of oks) this.acked.push({ play_number: r.play_number, roll_id: r.roll_id, rolled: rollId });
    if (oks.length > 1) this.doubles.push({ rollId, subs });
    if (oks.length >= 1) {
      for (const r of subs) {
        if (r.ok === true) continue;
        if (r.transport) this.losses.transport += 1;
        // refused: the roll was used by the winner (or the winner's play ended the game)
        else if (r.error?.message === NO_ROLL || r.error?.code === 'GAME_OVER') this.losses.refused += 1;
        else this.losses.other.push(r);
      }
    } else {
      for (const r of subs) if (r.transport === undefined || r.transport !== 'not ready') this.note('submit', r);
    }
    return st.state;
  }

  /** Steps until the game is final, or pred(driver) is true. */
  async runUntil(pred = () => false, { timeout = 60_000 } = {}) {
    const end = Date.now() + timeout;
    while (!(this.state?.status === 'final') && !pred(this)) {
      if (Date.now() > end) throw new Error(`driver: timed out; last failures: ${this.failures.slice(-5).join(' | ')}`);
      await this.step();
    }
  }
}

/** Spectator load: request_game_state and get_box_score in a loop until stop(). */
export function load(socks, gameId) {
  let on = true;
  const stats = { ok: 0, failed: 0 };
  const loops = socks.map(async (s, i) => {
    while (on) {
      const ev = i % 2 ? 'get_box_score' : 'request_game_state';
      const r = s.ready ? await call(s, ev, { game_id: gameId }, 10_000) : (await sleep(50), null);
      if (r) stats[r.ok ? 'ok' : 'failed'] += 1;
    }
  });
  return { stats, async stop() { on = false; await Promise.all(loops); } };
}

/**
 * The play log of a game: no gap, no duplicate, every acknowledged play
 * there with its roll; returns the number of plays.
 */
export async function checkPlayLog(stack, gameId, acked) {
  const row = JSON.parse(await psql(stack, `SELECT json_build_object(
    'n', count(*), 'distinct', count(DISTINCT play_number), 'min', min(play_number), 'max', max(play_number),
    'rolls', count(DISTINCT roll_id),
    'plays', coalesce(json_object_agg(play_number, roll_id), '{}'))::text FROM play WHERE game_id = '${gameId}'`));
  assert.equal(row.distinct, row.n, `no duplicate play_number: ${JSON.stringify(row)}`);
  if (row.n > 0) {
    assert.equal(row.min, 1, 'the play log starts at 1');
    assert.equal(row.max, row.n, `play_number 1..${row.n} with no gap: ${JSON.stringify(row)}`);
  }
  assert.equal(row.rolls, row.n, 'one roll per play, none used twice');
  for (const a of acked) {
    assert.equal(row.plays[a.play_number], a.roll_id, `acknowledged play ${a.play_number} (roll ${a.roll_id}) is in the database`);
  }
  const game = JSON.parse(await psql(stack, `SELECT json_build_object('play_count', play_count, 'status', status)::text FROM game WHERE id = '${gameId}'`));
  assert.equal(game.play_count, row.n, 'game.play_count matches the play log');
  return row.n;
}

/** Probe the handshake every `every` ms until stop(); each result {at, status, ms, error}. */
export function probe(url, every = 250, timeout = 30_000) {
  let on = true;
  const results = [];
  const loop = (async () => {
    while (on) {
      const t0 = Date.now();
      try {
        const r = await http(eioUrl(url), { timeout });
        results.push({ at: t0, status: r.status, ms: Date.now() - t0, ok: r.status === 200 && r.body.startsWith('0{') });
      } catch (e) {
        results.push({ at: t0, status: 0, ms: Date.now() - t0, ok: false, error: e.cause?.code ?? e.name });
      }
      await sleep(every);
    }
  })();
  return { results, async stop() { on = false; await loop; } };
}

export const fmt = (a) => (a.length ? `${Math.min(...a)}-${Math.max(...a)} ms` : 'none');
export const max = (a) => (a.length ? Math.max(...a) : 0);

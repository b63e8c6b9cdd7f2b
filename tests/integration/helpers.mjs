// Helpers for dugout's integration tests (node --test).
//
// Each test file starts its own stack with startStack() in a `before` hook:
// a private PostgreSQL cluster, lighttpd and dugout-fcgi in a temporary
// directory, on a free port, through tools/devstack.  The clients are the
// real socket.io-client, forced to HTTP long-polling, plus a small raw
// Engine.IO polling client (RawClient) for the checks socket.io-client
// cannot make (concurrent GETs, a client that vanishes, alternating hosts).

import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { io } from 'socket.io-client';
import assert from 'node:assert/strict';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEVSTACK = join(REPO, 'tools/devstack');
export const RS = '\x1e'; // Engine.IO v4 record separator

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { sleep };

function run(cmd, args, { env = {}, timeout = 180_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile(cmd, args, {
      cwd: REPO,
      env: { ...process.env, ...env },
      timeout,
      maxBuffer: 16 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
        reject(err);
      } else {
        resolvePromise({ stdout, stderr });
      }
    });
  });
}

/** A TCP port on 127.0.0.1 that nobody listens on right now. */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

function parseKv(stdout) {
  const out = {};
  for (const line of stdout.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

async function devstackStart(dir, port, flags, env) {
  // a port picked by freePort() can be taken between the pick and the bind:
  // try a few
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = port ?? await freePort();
    try {
      const { stdout } = await run(DEVSTACK, ['start', dir, String(p), ...flags], { env });
      const kv = parseKv(stdout);
      if (!kv.URL) throw new Error(`devstack printed no URL:\n${stdout}`);
      return { port: p, kv };
    } catch (err) {
      lastErr = err;
      if (port !== undefined || !/already in use/.test(err.message)) break;
    }
  }
  throw lastErr;
}

/**
 * Start a stack.  Options:
 *   pingInterval, pingTimeout  ms (default: the server's defaults)
 *   cgi, external, single, conformance booleans; procs  number
 *   apache                     'proxy-fcgi' | 'fcgid' | 'cgi': Apache in front (conf/apache/)
 *   env                        extra environment for devstack
 * Returns { dir, port, url, database, jwtSecret, config, dugoutctl,
 *           attach(opts), stop(), errorLog() }.
 */
export async function startStack(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dugout-it-'));
  const env = { ...opts.env };
  if (opts.pingInterval) env.DUGOUT_PING_INTERVAL = String(opts.pingInterval);
  if (opts.pingTimeout) env.DUGOUT_PING_TIMEOUT = String(opts.pingTimeout);
  const flags = [];
  if (opts.cgi) flags.push('--cgi');
  if (opts.external) flags.push('--external');
  if (opts.single) flags.push('--single');
  if (opts.conformance) flags.push('--conformance');
  if (opts.apache) flags.push('--apache', opts.apache); // proxy-fcgi | fcgid | cgi
  if (opts.procs) flags.push('--procs', String(opts.procs));
  let started;
  try {
    started = await devstackStart(dir, opts.port, flags, env);
  } catch (err) {
    await run(DEVSTACK, ['stop', dir]).catch(() => {});
    dumpLogs(dir);
    throw err;
  }
  const { kv, port } = started;
  const stack = {
    dir,
    port,
    url: kv.URL,
    database: kv.DATABASE,
    jwtSecret: kv.JWT_SECRET,
    config: kv.CONFIG,
    dugoutctl: kv.DUGOUTCTL,
    frontEnds: [],
    /** One more front end (lighttpd + dugout-fcgi) on the same database. */
    async attach(aopts = {}) {
      const aflags = ['--attach'];
      if (aopts.external ?? true) aflags.push('--external');
      if (aopts.cgi) aflags.push('--cgi');
      if (aopts.procs) aflags.push('--procs', String(aopts.procs));
      const a = await devstackStart(dir, aopts.port, aflags, aopts.env ?? {});
      const fe = { port: a.port, url: a.kv.URL, stop: () => run(DEVSTACK, ['stop', dir, String(a.port)]) };
      stack.frontEnds.push(fe);
      return fe;
    },
    async stop({ keep = false } = {}) {
      await run(DEVSTACK, ['stop', dir]);
      if (!keep && !process.env.DUGOUT_KEEP_STACK) rmSync(dir, { recursive: true, force: true });
    },
    errorLog() { return readLogs(dir); },
  };
  return stack;
}

function readLogs(dir) {
  const files = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory() && (e.name.startsWith('inst-') || e.name === 'pg')) walk(p);
      else if (e.isFile() && e.name.endsWith('.log')) files.push(p);
    }
  };
  walk(dir);
  return files.map((f) => `==> ${f} <==\n${readFileSync(f, 'utf8').slice(-8000)}`).join('\n');
}

/** Print the stack's logs (lighttpd, dugout-fcgi, PostgreSQL) to stderr. */
export function dumpLogs(dir) {
  try { process.stderr.write(readLogs(dir) + '\n'); } catch { /* nothing to show */ }
}

/**
 * Start a stack for the calling test file: `before` starts it (then runs
 * setup(stack), for more front ends say), `after` stops it.  The stack's logs are printed when DUGOUT_SHOW_LOGS is set, and
 * copied into $DUGOUT_IT_LOGS/<name>.log when that is set (tools/test-all
 * does, and prints them when a test fails).
 */
export function useStack(name, opts = {}, setup = async () => {}) {
  const holder = { stack: null };
  // one hook: node 20 does not wait for one top-level `before` to finish
  // before it runs the next
  before(async () => {
    holder.stack = await startStack(opts);
    await setup(holder.stack);
  }, { timeout: 300_000 });
  after(async () => {
    closeAll();
    if (!holder.stack) return;
    await sleep(100);
    saveLogs(name, holder.stack.dir);
    await holder.stack.stop();
  }, { timeout: 120_000 });
  return holder;
}

function saveLogs(name, dir) {
  if (process.env.DUGOUT_SHOW_LOGS) dumpLogs(dir);
  const dest = process.env.DUGOUT_IT_LOGS;
  if (!dest) return;
  try {
    mkdirSync(dest, { recursive: true });
    writeFileSync(join(dest, `${name}.log`), readLogs(dir));
  } catch { /* logs are a convenience */ }
}

// ---------------------------------------------------------------- dugoutctl

export async function ctl(stack, ...args) {
  const { stdout } = await run(stack.dugoutctl, args, {
    env: { DUGOUT_CONFIG: stack.config, DUGOUT_SQLDIR: join(REPO, 'sql') },
    timeout: 60_000,
  });
  return stdout.trim();
}

/** A JWT minted by `dugoutctl token`. */
export async function token(stack, user, { ttl, admin } = {}) {
  const args = ['token', '--user', user];
  if (ttl !== undefined) args.push('--ttl', String(ttl));
  if (admin) args.push('--admin');
  return (await ctl(stack, ...args)).split('\n').pop().trim();
}

let uniq = 0;
/** A unique name: users, teams and games of one test never collide with another's. */
export function unique(prefix) {
  uniq += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${uniq}`;
}

/** Two teams managed by homeMgr and awayMgr, and a game between them. */
export async function makeGame(stack, { homeMgr, awayMgr } = {}) {
  homeMgr ??= unique('home-mgr');
  awayMgr ??= unique('away-mgr');
  const tag = (++uniq).toString(36).toUpperCase().padStart(2, '0').slice(-2);
  const home = (await ctl(stack, 'team', 'add', '--name', `Home ${tag}${process.pid}`, '--abbrev', `H${tag}`, '--manager', homeMgr)).split('\n').pop().trim();
  const away = (await ctl(stack, 'team', 'add', '--name', `Away ${tag}${process.pid}`, '--abbrev', `A${tag}`, '--manager', awayMgr)).split('\n').pop().trim();
  const gameId = (await ctl(stack, 'game', 'create', '--home', home, '--away', away)).split('\n').pop().trim();
  return { gameId, home, away, homeMgr, awayMgr };
}

// ---------------------------------------------------------------- JWTs

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Build a JWT by hand.  alg 'HS256' signs with secret; alg 'none' has an empty signature. */
export function makeJwt(payload, secret, { alg = 'HS256' } = {}) {
  const head = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  if (alg === 'none') return `${head}.`;
  const sig = createHmac('sha256', secret).update(head).digest('base64url');
  return `${head}.${sig}`;
}

export const nowSec = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------- socket.io-client

const openSockets = new Set();

/**
 * A socket.io-client socket on polling only, with its own Engine.IO session
 * (forceNew: two clients of one test must not share a Manager).
 */
export function client(url, tok, opts = {}) {
  const socket = io(url, {
    transports: ['polling'],
    forceNew: true,
    reconnection: false,
    timeout: 20_000,
    ...(tok === undefined ? {} : { auth: { token: tok } }),
    ...opts,
  });
  openSockets.add(socket);
  return socket;
}

/** Disconnect every socket made by client(). */
export function closeAll() {
  for (const s of openSockets) s.disconnect();
  openSockets.clear();
}

/**
 * Resolve with the arguments of the next `event` on emitter (an array when
 * the handler got more than one argument, else the one argument) for which
 * filter(...args) is true; reject after ms.  Also rejects on connect_error
 * when waiting for 'connect'.
 */
export function once(emitter, event, { timeout = 10_000, filter = () => true, all = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`timed out after ${timeout} ms waiting for '${event}'`));
    }, timeout);
    function handler(...args) {
      if (!filter(...args)) return;
      clearTimeout(timer);
      emitter.off(event, handler);
      if (event === 'connect_error') emitter.off('connect', wrong);
      resolvePromise(all || args.length > 1 ? args : args[0]);
    }
    function wrong() {
      clearTimeout(timer);
      emitter.off(event, handler);
      reject(new Error(`got 'connect' while waiting for '${event}'`));
    }
    emitter.on(event, handler);
    if (event === 'connect') {
      emitter.once('connect_error', (err) => {
        clearTimeout(timer);
        emitter.off(event, handler);
        reject(new Error(`connect_error: ${err.message} ${JSON.stringify(err.data ?? err.description ?? '')}`));
      });
    }
    if (event === 'connect_error') emitter.once('connect', wrong);
  });
}

/** Record every `event` on emitter into an array (payloads, first argument). */
export function record(emitter, event, filter = () => true) {
  const got = [];
  emitter.on(event, (payload) => { if (filter(payload)) got.push(payload); });
  return got;
}

/** Wait until predicate() is true, polling every 20 ms. */
export async function until(predicate, { timeout = 10_000, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * A connected socket.io-client: resolves once both `connect` and the
 * server's `connected` event arrived.  The `connected` event may ask for an
 * ack; it is answered.
 */
export async function connected(url, tok, opts = {}) {
  const socket = client(url, tok, opts);
  const hello = new Promise((resolvePromise) => {
    socket.once('connected', (payload, ack) => {
      if (typeof ack === 'function') ack({ ok: true });
      resolvePromise(payload);
    });
  });
  await once(socket, 'connect', { timeout: 20_000 });
  socket.hello = await withTimeout(hello, 10_000, "'connected' event");
  return socket;
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); }),
  ]);
}

/** join_game and wait for game_joined (or an `error`, which rejects). */
export async function joinGame(socket, gameId, role) {
  const joined = once(socket, 'game_joined', { filter: (p) => p?.game_id === gameId, timeout: 15_000 });
  const refused = once(socket, 'error', { timeout: 15_000 }).then((e) => { throw new Error(`join_game refused: ${JSON.stringify(e)}`); });
  socket.emit('join_game', { game_id: gameId, role });
  try {
    return await Promise.race([joined, refused]);
  } finally {
    refused.catch(() => {});
  }
}

// ---------------------------------------------------------------- raw Engine.IO

/** Split an Engine.IO v4 payload into packets. */
export const decodePayload = (body) => (body === '' ? [] : body.split(RS));

/** fetch with a deadline; returns { status, body, headers }. */
export async function http(url, { method = 'GET', body, timeout = 60_000, headers } = {}) {
  const res = await fetch(url, {
    method,
    body,
    headers: body !== undefined ? { 'content-type': 'text/plain;charset=UTF-8', ...headers } : headers,
    signal: AbortSignal.timeout(timeout),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export const eioUrl = (base, sid, path = '/socket.io/') =>
  `${base}${path}?EIO=4&transport=polling&t=${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}${sid ? `&sid=${encodeURIComponent(sid)}` : ''}`;

/**
 * A small Engine.IO v4 / Socket.IO v5 polling client over fetch.  With
 * several base URLs, every HTTP request goes to the next one in turn, so
 * consecutive polls of one session land on different front ends.
 *
 *   const c = new RawClient([urlA, urlB]);
 *   await c.open(token);            // handshake + CONNECT, waits for 40{sid}
 *   c.start();                      // poll loop: one GET always outstanding
 *   await c.emit('join_game', {...});
 *   c.events                        // [[name, ...args], ...] in arrival order
 *   c.stop();                       // stop polling (the client vanishes)
 */
export class RawClient {
  constructor(bases) {
    this.bases = Array.isArray(bases) ? bases : [bases];
    this.next = 0;
    this.sid = null;
    this.handshake = null;
    this.events = [];
    this.packets = [];
    this.polling = false;
    this.closed = false;
    this.waiters = [];
    this.errors = [];
    this.posting = Promise.resolve();
  }

  base() {
    const b = this.bases[this.next % this.bases.length];
    this.next += 1;
    return b;
  }

  async open(tok) {
    const r = await http(eioUrl(this.base()));
    if (r.status !== 200 || !r.body.startsWith('0{')) throw new Error(`handshake: ${r.status} ${r.body}`);
    this.handshake = JSON.parse(r.body.slice(1));
    this.sid = this.handshake.sid;
    await this.post(`40${JSON.stringify(tok === undefined ? {} : { token: tok })}`);
    this.start();
    const reply = await this.waitPacket((p) => p.startsWith('40') || p.startsWith('44'), 15_000);
    if (reply.startsWith('44')) throw new Error(`CONNECT refused: ${reply}`);
    this.socketId = JSON.parse(reply.slice(2)).sid;
    return this;
  }

  /** POST one payload.  POSTs are sent one at a time, in call order: two
   * concurrent POSTs on one session are a protocol error that closes it. */
  post(body) {
    const send = async () => {
      const r = await http(eioUrl(this.base(), this.sid), { method: 'POST', body });
      if (r.status !== 200) throw new Error(`POST ${JSON.stringify(body).slice(0, 80)}: ${r.status} ${r.body}`);
      return r;
    };
    const p = this.posting.then(send, send);
    this.posting = p.catch(() => {});
    return p;
  }

  emit(name, ...args) {
    return this.post(`42${JSON.stringify([name, ...args])}`);
  }

  start() {
    if (this.polling) return;
    this.polling = true;
    this.loop = this.pollLoop();
  }

  /** Stop polling: no new GET is sent (one may still be held). */
  stop() { this.polling = false; }

  async pollLoop() {
    while (this.polling && !this.closed) {
      let r;
      try {
        r = await http(eioUrl(this.base(), this.sid), { timeout: 120_000 });
      } catch (err) {
        if (!this.polling) break;
        this.errors.push(err);
        this.closed = true;
        break;
      }
      if (r.status !== 200) {
        this.errors.push(new Error(`GET: ${r.status} ${r.body}`));
        this.closed = true;
        break;
      }
      for (const p of decodePayload(r.body)) this.onPacket(p);
    }
    this.wake();
  }

  onPacket(p) {
    this.packets.push(p);
    if (p === '2') {
      if (this.polling) this.post('3').catch((err) => this.errors.push(err));
    } else if (p === '1') {
      this.closed = true;
    } else if (p.startsWith('42')) {
      const m = /^42(\d*)(.*)$/s.exec(p);
      const args = JSON.parse(m[2]);
      this.events.push(args);
      if (m[1] !== '') this.post(`43${m[1]}[]`).catch((err) => this.errors.push(err));
    }
    this.wake();
  }

  wake() {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  waitFor(predicate, timeout = 10_000, what = 'packet') {
    return new Promise((resolvePromise, reject) => {
      const end = Date.now() + timeout;
      const check = () => {
        const v = predicate();
        if (v !== undefined && v !== false && v !== null) return resolvePromise(v);
        if (this.closed && !this.polling) return reject(new Error(`session closed while waiting for ${what}: ${this.errors.map(String).join('; ')}`));
        if (Date.now() > end) return reject(new Error(`timed out after ${timeout} ms waiting for ${what}; got ${JSON.stringify(this.packets).slice(0, 500)}`));
        this.waiters.push(check);
        setTimeout(() => this.wake(), Math.max(0, Math.min(200, end - Date.now())));
      };
      check();
    });
  }

  waitPacket(pred, timeout) {
    return this.waitFor(() => this.packets.find(pred), timeout, 'packet');
  }

  waitEvent(name, pred = () => true, timeout = 10_000) {
    return this.waitFor(() => this.events.find((e) => e[0] === name && pred(e[1])), timeout, `event ${name}`)
      .then((e) => e[1]);
  }

  /** Leave politely: SIO DISCONNECT, EIO close. */
  async close() {
    this.polling = false;
    if (this.closed || !this.sid) return;
    try { await this.post(`41${RS}1`); } catch { /* already gone */ }
    this.closed = true;
  }
}

// ------------------------------------------------- shared scenarios

/**
 * The connect / join / broadcast / heartbeat / leave path every run mode
 * must pass (design.md decision 5): two managers and a spectator in one
 * room, each seeing the others arrive and leave.
 */
export async function presenceScenario(stack) {
  const g = await makeGame(stack);
  const home = await connected(stack.url, await token(stack, g.homeMgr));
  assert.equal(home.hello.user_id, g.homeMgr);
  assert.deepEqual(await joinGame(home, g.gameId, 'player'), { game_id: g.gameId, role: 'player', team_ids: [Number(g.home)] });

  const specUser = unique('spec');
  const spec = await connected(stack.url, await token(stack, specUser));
  const seen = once(home, 'user_connected', { filter: (p) => p?.user_id === specUser, timeout: 20_000 });
  assert.deepEqual(await joinGame(spec, g.gameId, 'spectator'), { game_id: g.gameId, role: 'spectator', team_ids: [] });
  assert.deepEqual(await seen, { game_id: g.gameId, user_id: specUser, role: 'spectator' });

  const away = await connected(stack.url, await token(stack, g.awayMgr));
  const toHome = once(home, 'user_connected', { filter: (p) => p?.user_id === g.awayMgr, timeout: 20_000 });
  const toSpec = once(spec, 'user_connected', { filter: (p) => p?.user_id === g.awayMgr, timeout: 20_000 });
  await joinGame(away, g.gameId, 'player');
  await toHome;
  await toSpec;

  const hb = await spec.timeout(20_000).emitWithAck('heartbeat');
  assert.equal(hb.ok, true);

  const left = once(home, 'user_left', { filter: (p) => p?.user_id === specUser, timeout: 20_000 });
  const gameLeft = once(spec, 'game_left', { timeout: 20_000 });
  spec.emit('leave_game', { game_id: g.gameId });
  assert.deepEqual(await gameLeft, { game_id: g.gameId });
  assert.deepEqual(await left, { game_id: g.gameId, user_id: specUser });
}

// loadcheck.mjs -- the load check of issue 2 (not a timed test): N
// concurrent polling sessions held by ONE dugout-fcgi process, in rooms of
// 10, while its thread count stays below 16.  Prints the figures as one
// JSON line and a table; exits non-zero when a session is lost or the
// thread bound is broken.
//
//   node bench/loadcheck.mjs [--sessions 2000] [--room 10]
//
// It starts its own stack (tools/devstack --external: one dugout-fcgi
// daemon behind lighttpd, a private PostgreSQL) and stops it at the end.
// DUGOUT_BUILD_DIR selects the build, as for the tests.

import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RS = '\x1e';
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--sessions', 2000);
const ROOM = arg('--room', 10);
let PORT = arg('--port', 0);

// A port nobody listens on now (devstack binds it a moment later).
function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const b64u = (s) => Buffer.from(s).toString('base64url');

function token(secret, user) {
  const h = b64u(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const p = b64u(JSON.stringify({ sub: user, exp: Math.floor(Date.now() / 1000) + 3600 }));
  const sig = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${sig}`;
}

function request(method, path, body) {
  return new Promise((res, rej) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, method, path, agent,
      headers: body ? { 'content-type': 'text/plain;charset=UTF-8' } : {} }, (r) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (c) => { data += c; });
      r.on('end', () => res({ status: r.statusCode, body: data }));
    });
    req.on('error', rej);
    if (body) req.write(body);
    req.end();
  });
}

const q = (sid) => `/socket.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`;

// One client: handshake, CONNECT, join its room, then keep one GET held.
class Client {
  constructor(i, tok, game) { this.i = i; this.tok = tok; this.game = game; this.seen = []; }
  async open() {
    const h = await request('GET', q());
    this.sid = JSON.parse(h.body.slice(1)).sid;
    await this.post(`40${JSON.stringify({ token: this.tok })}`);
    await this.get();	// 40{sid}, connected
    await this.post(`42${JSON.stringify(['join_game', { game_id: this.game, role: 'spectator' }])}`);
    await this.get();	// game_joined, game_state, user_connected...
  }
  async post(body) {
    const r = await request('POST', q(this.sid), body);
    if (r.status !== 200) throw new Error(`POST ${r.status} ${r.body}`);
  }
  async get() {
    const r = await request('GET', q(this.sid));
    if (r.status !== 200) throw new Error(`GET ${r.status} ${r.body}`);
    const now = performance.now();
    for (const p of r.body.split(RS)) {
      if (p === '2') await this.post('3');
      else if (p.startsWith('42')) this.seen.push({ at: now, ev: JSON.parse(p.slice(2).replace(/^\d+/, '')) });
    }
    return r.body;
  }
  // The steady loop: always one GET outstanding, as socket.io-client does.
  loop() {
    this.running = true;
    const next = () => { if (this.running) this.get().then(next, (e) => { this.error = e; }); };
    next();
  }
}

async function inBatches(items, size, fn) {
  for (let i = 0; i < items.length; i += size)
    await Promise.all(items.slice(i, i + size).map(fn));
}

function procStat(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)[1]);
  return { threads: field('Threads'), rss_kb: field('VmRSS'), fds: readdirSync(`/proc/${pid}/fd`).length };
}

const pct = (xs, p) => xs.length ? xs[Math.min(xs.length - 1, Math.floor(p / 100 * xs.length))] : null;

async function main() {
  if (!PORT) PORT = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'dugout-load-'));
  const env = { ...process.env };
  const out = execFileSync(join(REPO, 'tools/devstack'), ['start', dir, String(PORT), '--external'],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const kv = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const ctl = (...a) => execFileSync(kv.DUGOUTCTL, a, { env: { ...env, DUGOUT_CONFIG: kv.CONFIG }, encoding: 'utf8' }).trim();
  const pidFile = execFileSync('find', [dir, '-name', 'dugout-fcgi-*.pid'], { encoding: 'utf8' }).trim().split('\n')[0];
  const pid = Number(readFileSync(pidFile, 'utf8'));
  let ok = false;
  try {
    const home = ctl('team', 'add', '--name', 'Load Home', '--abbrev', 'LDH');
    const away = ctl('team', 'add', '--name', 'Load Away', '--abbrev', 'LDA');
    const games = [];
    for (let g = 0; g < Math.ceil(N / ROOM); g++) games.push(ctl('game', 'create', '--home', home, '--away', away));
    const clients = Array.from({ length: N }, (_, i) => new Client(i, token(kv.JWT_SECRET, `load-${i}`), games[Math.floor(i / ROOM)]));
    const t0 = performance.now();
    await inBatches(clients, 100, (c) => c.open());
    const setupS = (performance.now() - t0) / 1000;
    for (const c of clients) { c.seen = []; c.loop(); }
    await new Promise((r) => setTimeout(r, 2000));	// every GET is parked now
    const held = procStat(pid);
    // A fresh request is answered at once while N polls are parked.
    const fresh = [];
    for (let k = 0; k < 20; k++) {
      const s = performance.now();
      const r = await request('GET', q());
      if (r.status !== 200) throw new Error('fresh handshake failed');
      fresh.push(performance.now() - s);
    }
    fresh.sort((a, b) => a - b);
    // One broadcast per room: member 0 leaves and rejoins; the other
    // members' parked GETs are woken by NOTIFY.
    const sent = new Map();
    await inBatches(games.map((g, r) => clients[r * ROOM]), 50, async (c) => {
      sent.set(c.game, performance.now());
      await c.post(`42${JSON.stringify(['leave_game', { game_id: c.game }])}`);
    });
    await new Promise((r) => setTimeout(r, 3000));
    const lat = [];
    let missing = 0;
    for (const c of clients) {
      if (c.i % ROOM === 0) continue;
      const ev = c.seen.find((s) => s.ev[0] === 'user_left');
      if (!ev) { missing++; continue; }
      lat.push(ev.at - sent.get(c.game));
    }
    lat.sort((a, b) => a - b);
    const after = procStat(pid);
    const errors = clients.filter((c) => c.error).length;
    const kinds = new Set(clients.filter((c) => c.error).map((c) => String(c.error.message).slice(0, 120)));
    for (const k of kinds) console.error(`loadcheck: client error: ${k}`);
    const fig = {
      sessions: N, room_size: ROOM, setup_s: +setupS.toFixed(1),
      threads: Math.max(held.threads, after.threads), dugout_fds: held.fds, dugout_rss_mb: +(after.rss_kb / 1024).toFixed(1),
      fresh_handshake_ms_p50: +pct(fresh, 50).toFixed(2), fresh_handshake_ms_max: +fresh.at(-1).toFixed(2),
      broadcast_deliveries: lat.length, broadcast_missing: missing, client_errors: errors,
      wake_ms_p50: +(pct(lat, 50) ?? -1).toFixed(1), wake_ms_p99: +(pct(lat, 99) ?? -1).toFixed(1), wake_ms_max: +(lat.at(-1) ?? 0).toFixed(1),
    };
    console.log(JSON.stringify(fig));
    for (const [k, v] of Object.entries(fig)) console.log(`${k.padEnd(24)} ${v}`);
    ok = fig.threads < 16 && missing === 0 && errors === 0 && held.fds >= N;
    if (!ok) console.error('loadcheck: FAILED (threads >= 16, a session lost, or polls not held)');
    for (const c of clients) c.running = false;
  } finally {
    execFileSync(join(REPO, 'tools/devstack'), ['stop', dir], { stdio: 'inherit' });
    rmSync(dir, { recursive: true, force: true });
    agent.destroy();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });

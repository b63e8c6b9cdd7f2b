// The load generator of issue 7 (bench/dugout-load, bench/README.md),
// checked at small scale:
// - against dugout and the real socket.io-client: 40 sessions in rooms of
//   10 over two worker processes, 50 bench events/s for 3 s, pings every
//   second.  No loss, no duplicates, latencies that make sense, the JSON
//   line's shape; and a socket.io-client spectator in the first room
//   receives exactly the bench_echo events that room's actor sent, in
//   order;
// - refused CONNECTs and usage errors;
// - against a fake server answering in every HTTP/1.1 framing, closing and
//   dropping connections.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  useStack, connected, joinGame, token, unique, makeGame, ctl, until, closeAll,
} from './helpers.mjs';

const S = useStack('bench', {
  // pings every second: every session answers a few during the run
  pingInterval: 1000,
  pingTimeout: 2000,
  env: {
    DUGOUT_BENCH_EVENTS: 'on',
    // 50 events/s over 4 rooms is 12.5/s per actor, under the default
    // 20/s; raised anyway so that a slow start's catch-up burst passes
    DUGOUT_RATE_LIMIT: '100',
    DUGOUT_RATE_BURST: '200',
  },
});
const tmp = mkdtempSync(join(tmpdir(), 'dugout-bench-it-'));
after(() => { closeAll(); rmSync(tmp, { recursive: true, force: true }); });

// bench/dugout-load of the build the stack runs (dugoutctl is BUILD/src/dugoutctl)
const loadBin = () => join(dirname(dirname(S.stack.dugoutctl)), 'bench', 'dugout-load');

function load(args, { timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    execFile(loadBin(), args, { timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const lastJson = (stdout) => JSON.parse(stdout.trim().split('\n').pop());

async function gameIds(n) {
  try {
    const ids = (await ctl(S.stack, 'bench-setup', '--rooms', String(n))).split('\n').filter(Boolean);
    if (ids.length === n) return ids;
  } catch { /* an older dugoutctl: make them one by one */ }
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await makeGame(S.stack)).gameId);
  return ids;
}

test('dugout-load: 40 clients, rooms of 10, 50 events/s; a socket.io-client sees what the actor sent',
  { timeout: 120_000 }, async (t) => {
    assert.ok(existsSync(loadBin()), `${loadBin()} is built`);
    const games = await gameIds(4);
    const file = join(tmp, 'games.txt');
    writeFileSync(file, games.join('\n') + '\n');

    // the real client: a spectator of room 0, there before the run starts
    const spec = await connected(S.stack.url, await token(S.stack, unique('bench-spec')));
    await joinGame(spec, games[0], 'spectator');
    // receipt times on process.hrtime, which is CLOCK_MONOTONIC like the
    // payload's t: the spectator measures latency the same way
    const echoes = [];
    const seenAt = [];
    spec.on('bench_echo', (p) => { echoes.push(p); seenAt.push(process.hrtime.bigint()); });

    const r = await load([
      '--url', `${S.stack.url}/socket.io/`, '--clients', '40', '--room-size', '10',
      '--rate', '50', '--duration', '3', '--warmup', '1', '--drain', '10',
      '--games', file, '--jwt-secret', S.stack.jwtSecret, '--procs', '2',
      '--stack', S.stack.dir, '--label', 'it', '--room-report',
    ]);
    assert.equal(r.code, 0, `dugout-load failed:\n${r.stderr}`);
    const j = lastJson(r.stdout);
    for (const k of ['label', 'clients', 'connected', 'room_size', 'rate', 'duration', 'events',
      'deliveries', 'expected', 'loss', 'duplicates', 'p50_ms', 'p90_ms', 'p99_ms', 'max_ms',
      'deliveries_per_s', 'server_cpu_s', 'server_rss_mb', 'loadgen_cpu_s', 'server_procs'])
      assert.ok(k in j, `the JSON line has ${k}: ${r.stdout}`);
    assert.equal(j.label, 'it');
    assert.equal(j.clients, 40);
    assert.equal(j.connected, 40, r.stderr);
    assert.equal(j.room_size, 10);
    // 50/s for 3 s, give or take the boundaries
    assert.ok(j.events >= 140 && j.events <= 160, `events ${j.events}`);
    assert.equal(j.expected, j.events * 10);
    assert.equal(j.deliveries, j.expected, `deliveries: ${r.stdout}`);
    assert.equal(j.loss, 0);
    assert.equal(j.duplicates, 0);
    assert.equal(j.server_errors, 0, r.stderr);
    assert.equal(j.dead, 0, r.stderr);
    assert.ok(j.p50_ms > 0 && j.p50_ms <= j.p90_ms && j.p90_ms <= j.p99_ms && j.p99_ms <= j.max_ms,
      `percentiles in order: ${r.stdout}`);
    assert.ok(j.p99_ms < 5000, `p99 ${j.p99_ms} ms for 500 deliveries/s`);
    assert.ok(j.deliveries_per_s > 400 && j.deliveries_per_s < 600, `deliveries/s ${j.deliveries_per_s}`);
    // the stack's processes were found and measured
    assert.ok(j.server_cpu_s > 0, `server cpu: ${r.stdout}`);
    assert.ok(j.server_rss_mb > 0);
    for (const comm of ['dugout-fcgi', 'lighttpd', 'postgres'])
      assert.ok(j.server_procs[comm]?.procs >= 1, `${comm} measured: ${JSON.stringify(j.server_procs)}`);
    assert.ok(j.loadgen_cpu_s >= 0 && j.loadgen_cpu_s < j.server_cpu_s,
      `the load generator (${j.loadgen_cpu_s} s) costs less than the server (${j.server_cpu_s} s)`);
    // stderr has the table
    assert.match(r.stderr, /latency ms\s+p50/);

    // the socket.io-client spectator got every event of room 0's actor,
    // warmup included, in order, once each
    const room0 = j.rooms.find((x) => x.room === 0);
    assert.equal(room0.game_id, games[0]);
    assert.ok(room0.emitted > 0 && typeof room0.actor_sid === 'string', JSON.stringify(room0));
    await until(() => echoes.length >= room0.emitted, { timeout: 10_000, what: `${room0.emitted} bench_echo` });
    await new Promise((res) => setTimeout(res, 300)); // nothing more comes
    assert.equal(echoes.length, room0.emitted);
    echoes.forEach((e, i) => {
      assert.equal(e.from, room0.actor_sid);
      assert.equal(e.payload.s, i, `bench_echo ${i} in order`);
      assert.match(String(e.payload.t), /^\d+$/);
    });
    // the spectator's latencies, on the same clock, are of the same kind
    const lat = echoes.map((e, i) => Number(seenAt[i] - BigInt(e.payload.t)) / 1e6).sort((a, b) => a - b);
    const median = lat[Math.floor(lat.length / 2)];
    t.diagnostic(`dugout-load p50 ${j.p50_ms} ms, p99 ${j.p99_ms} ms; socket.io-client p50 ${median.toFixed(2)} ms`);
    assert.ok(lat[0] >= 0 && lat[lat.length - 1] < 5000, `socket.io-client latencies ${lat[0]}..${lat[lat.length - 1]} ms`);
    spec.disconnect();
  });

test('dugout-load: refused CONNECTs are counted and fail the run', { timeout: 60_000 }, async () => {
  // no --jwt-secret: the CONNECT carries no token and dugout refuses it
  const r = await load([
    '--url', `${S.stack.url}/socket.io/`, '--clients', '6', '--room-size', '3',
    '--rate', '5', '--duration', '0.5', '--warmup', '0', '--drain', '0', '--json-only',
  ]);
  assert.notEqual(r.code, 0);
  const j = lastJson(r.stdout);
  assert.equal(j.connected, 0);
  assert.equal(j.handshaken, 6);
  assert.equal(j.refused, 6);
  assert.equal(j.events, 0);
});

test('dugout-load: a bad URL or too few game ids is a usage error', { timeout: 30_000 }, async () => {
  let r = await load(['--url', 'https://127.0.0.1/socket.io/']);
  assert.equal(r.code, 2);
  const file = join(tmp, 'one.txt');
  writeFileSync(file, 'only-one\n');
  r = await load(['--url', `${S.stack.url}/socket.io/`, '--clients', '20', '--room-size', '10', '--games', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /2 rooms need 2 game ids/);
});

// ---------------------------------------------------------------- HTTP framing
//
// A minimal Engine.IO/Socket.IO polling server on raw sockets that answers
// in every framing HTTP/1.1 allows, so that dugout-load's incremental
// parser and its keep-alive handling meet them all: Content-Length;
// chunked (chunk extensions, a trailer, written 5 bytes at a time);
// `Connection: close`; HTTP/1.0 with the body ended by EOF; and a
// connection dropped without a word after its answer (the next request on
// it is lost and must be sent again on a new one).
function fakeServer(modes) {
  const RS = '\x1e';
  const sessions = new Map();
  const rooms = new Map();
  let answers = 0;
  const push = (sid, pkt) => {
    const s = sessions.get(sid);
    if (!s) return;
    s.q.push(pkt);
    if (s.waiter) { const w = s.waiter; s.waiter = null; w(); }
  };
  async function answer(sock, status, body) {
    const mode = modes[answers++ % modes.length];
    const b = Buffer.from(body);
    if (mode === 'eof') {
      sock.end(Buffer.concat([Buffer.from(`HTTP/1.0 ${status} X\r\nContent-Type: text/plain\r\n\r\n`), b]));
      return false;
    }
    let head = `HTTP/1.1 ${status} X\r\nContent-Type: text/plain\r\n`;
    if (mode === 'close') head += 'Connection: close\r\n';
    if (mode === 'chunked') {
      let out = Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`);
      for (let i = 0; i < b.length; i += 3) {
        const c = b.subarray(i, i + 3);
        out = Buffer.concat([out, Buffer.from(`${c.length.toString(16)};x=1\r\n`), c, Buffer.from('\r\n')]);
      }
      out = Buffer.concat([out, Buffer.from('0\r\nX-Trailer: y\r\n\r\n')]);
      for (let i = 0; i < out.length; i += 5) {
        sock.write(out.subarray(i, i + 5));
        await new Promise((r) => setImmediate(r));
      }
      return true;
    }
    sock.write(Buffer.concat([Buffer.from(`${head}Content-Length: ${b.length}\r\n\r\n`), b]));
    if (mode === 'close') { sock.end(); return false; }
    if (mode === 'drop') {
      // gone without a word: what comes next on it is never read
      sock.dropped = true;
      setTimeout(() => sock.destroy(), 5);
      return false;
    }
    return true;
  }
  async function request(sock, method, path, body) {
    const q = new URLSearchParams(path.split('?')[1]);
    const sid = q.get('sid');
    if (method === 'GET' && !sid) {
      const id = randomBytes(10).toString('hex');
      sessions.set(id, { q: [], rooms: new Set(), sock: `S${id.slice(0, 8)}`, waiter: null });
      return answer(sock, 200, `0${JSON.stringify({ sid: id, upgrades: [], pingInterval: 1000, pingTimeout: 5000, maxPayload: 1e6 })}`);
    }
    const s = sessions.get(sid);
    if (!s) return answer(sock, 400, '{"code":1,"message":"Session ID unknown"}');
    if (method === 'GET') {
      if (s.q.length === 0) {
        await new Promise((r) => { s.waiter = r; setTimeout(r, 1000); });
        s.waiter = null;
        if (s.q.length === 0) s.q.push('2');
      }
      const pk = s.q;
      s.q = [];
      return answer(sock, 200, pk.join(RS));
    }
    for (const p of body.split(RS)) {
      if (p.startsWith('40')) {
        push(sid, `40${JSON.stringify({ sid: s.sock })}`);
        push(sid, '421["connected",{}]');
      } else if (p.startsWith('42')) {
        const [name, arg] = JSON.parse(p.slice(2));
        if (name === 'join_game') {
          s.rooms.add(arg.game_id);
          if (!rooms.has(arg.game_id)) rooms.set(arg.game_id, new Set());
          rooms.get(arg.game_id).add(sid);
          push(sid, `42${JSON.stringify(['game_joined', { game_id: arg.game_id }])}`);
        } else if (name === 'bench') {
          for (const g of s.rooms)
            for (const m of rooms.get(g)) push(m, `42${JSON.stringify(['bench_echo', { from: s.sock, payload: arg }])}`);
        }
      } else if (p === '1') {
        sessions.delete(sid);
      }
    }
    return answer(sock, 200, 'ok');
  }
  const srv = createServer((sock) => {
    let buf = Buffer.alloc(0);
    let busy = false;
    sock.on('error', () => {});
    const pump = async () => {
      if (busy) return;
      busy = true;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buf.subarray(0, end).toString();
        const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) break;
        const body = buf.subarray(end + 4, end + 4 + len).toString();
        buf = buf.subarray(end + 4 + len);
        const [method, path] = head.split(' ');
        if (!(await request(sock, method, path, body))) { buf = Buffer.alloc(0); break; }
      }
      busy = false;
    };
    sock.on('data', (d) => {
      if (sock.dropped) return;
      buf = Buffer.concat([buf, d]);
      pump();
    });
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

test('dugout-load: answers framed every HTTP/1.1 way, connections closed and dropped', { timeout: 60_000 }, async () => {
  const srv = await fakeServer(['length', 'chunked', 'close', 'eof', 'length', 'drop', 'chunked']);
  try {
    const r = await load([
      '--url', `http://127.0.0.1:${srv.address().port}/socket.io/`, '--clients', '20', '--room-size', '10',
      '--rate', '20', '--duration', '2', '--warmup', '0.5', '--drain', '5', '--post-conns', '2', '--json-only',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = lastJson(r.stdout);
    assert.equal(j.connected, 20, r.stdout);
    assert.equal(j.events, 40);
    assert.equal(j.deliveries, 400, r.stdout);
    assert.equal(j.loss, 0);
    assert.equal(j.duplicates, 0);
    assert.equal(j.dead, 0, r.stderr);
    assert.ok(j.retries > 0, `a request lost to a dropped connection was sent again: ${r.stdout}`);
  } finally {
    srv.close();
  }
});

// Many hosts, one database (docs/deploy.md): two "hosts", each a network
// namespace with its own address on a bridge (10.77.N.1 and 10.77.N.2),
// each running its own lighttpd from conf/lighttpd/ (host A: dugout-spawn.conf,
// host B: dugout-external.conf with the daemon started by the systemd unit's
// ExecStart), both pointed at one PostgreSQL that listens on the bridge's
// address in the root namespace (10.77.N.254) and is reached over TCP, with
// the conninfo in each host's own dugout.conf.  The clients run in the root
// namespace.  Clients on different hosts share a room; one client whose
// requests alternate between the hosts (a round-robin proxy: no sticky
// sessions) plays on.
//
// Without network namespaces (not root, no `ip`, `ip netns add` refused,
// or DUGOUT_IT_NO_NETNS set) the two hosts are two ports on 127.0.0.1 sharing the database's
// unix socket; the test says so, and only the namespace check is skipped.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import {
  mkdirSync, writeFileSync, readFileSync, existsSync, openSync, closeSync, appendFileSync, readlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  REPO, startStack, freePort, http, sleep, closeAll, connected, joinGame, once, token, unique, DEVSTACK,
} from './helpers.mjs';
import { openGame, psql } from './gamehelpers.mjs';

const CONF = join(REPO, 'conf/lighttpd');
const UNIT = join(REPO, 'conf/systemd/dugout-fcgi.service');

const st = {
  stack: null,
  netns: false,	// hosts are network namespaces
  why: '',	// why not
  hosts: [],	// { name, ns, addr, url, dir, lighttpd, daemon }
  net: null,	// { bridge, veths, namespaces, prefix }
  procs: new Set(),
};

function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DUGOUT_')) env[k] = v;
  return env;
}

const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function startProc(ns, cmd, args, logFile) {
  const fd = openSync(logFile, 'a');
  const argv = ns ? ['netns', 'exec', ns, cmd, ...args] : args;
  const p = spawn(ns ? 'ip' : cmd, argv, { stdio: ['ignore', fd, fd], env: cleanEnv() });
  closeSync(fd);
  p.exited = new Promise((r) => p.once('exit', () => r()));
  st.procs.add(p);
  return p;
}

async function stopProc(p) {
  if (!st.procs.has(p)) return;
  st.procs.delete(p);
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    await p.exited;
    clearTimeout(t);
  }
}

// ------------------------------------------------------------ the network

/** Namespaces, veths and the bridge; idempotent, synchronous (also run at exit). */
function netDown() {
  const n = st.net;
  if (!n) return;
  for (const ns of n.namespaces) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  for (const v of n.veths) spawnSync('ip', ['link', 'del', v], { stdio: 'ignore' });
  spawnSync('ip', ['link', 'del', n.bridge], { stdio: 'ignore' });
  st.net = null;
}
process.on('exit', netDown);

/** A /24 under 10.77 that no interface here uses yet. */
function freePrefix() {
  const used = ip('-o', '-4', 'addr', 'show');
  for (let k = 0; k < 250; k++) {
    const n = (process.pid + k) % 250 + 1;
    if (!used.includes(`10.77.${n}.`)) return `10.77.${n}`;
  }
  throw new Error('no free 10.77.N.0/24');
}

/** Two namespaces on a bridge; returns false (with st.why) when impossible. */
function netUp() {
  if (process.env.DUGOUT_IT_NO_NETNS) { st.why = 'DUGOUT_IT_NO_NETNS is set'; return false; }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) { st.why = 'not root'; return false; }
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) { st.why = 'no `ip` (Debian package iproute2)'; return false; }
  const tag = String(process.pid % 100000);
  const prefix = freePrefix();
  st.net = { bridge: `dgbr${tag}`, veths: [], namespaces: [], prefix };
  try {
    ip('link', 'add', st.net.bridge, 'type', 'bridge');
    ip('addr', 'add', `${prefix}.254/24`, 'dev', st.net.bridge);
    ip('link', 'set', st.net.bridge, 'up');
    for (const [i, name] of ['a', 'b'].entries()) {
      const ns = `dugout-${tag}-${name}`;
      ip('netns', 'add', ns);
      st.net.namespaces.push(ns);
      const outer = `dgv${tag}${name}`;
      const inner = `dgp${tag}${name}`;
      ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
      st.net.veths.push(outer);
      ip('link', 'set', outer, 'master', st.net.bridge);
      ip('link', 'set', outer, 'up');
      ip('link', 'set', inner, 'netns', ns);
      ip('-n', ns, 'addr', 'add', `${prefix}.${i + 1}/24`, 'dev', inner);
      ip('-n', ns, 'link', 'set', inner, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    return true;
  } catch (err) {
    st.why = `ip failed: ${String(err.stderr || err.message).trim().split('\n')[0]}`;
    netDown();
    return false;
  }
}

// ------------------------------------------------------------ PostgreSQL over TCP

function pgBin() {
  const d = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'], { encoding: 'utf8' }).trim();
  return d;
}

/** Make the stack's PostgreSQL listen on addr too (trust from the host subnet), and restart it. */
function pgListenOn(stack, addr, subnet) {
  const pgdir = join(stack.dir, 'pg');
  const data = join(pgdir, 'data');
  appendFileSync(join(data, 'postgresql.conf'), `\n# multihost.test.mjs: the hosts reach the database over TCP\nlisten_addresses = '${addr}'\n`);
  // test only: trust.  A real site uses scram-sha-256 and a password (docs/deploy.md).
  appendFileSync(join(data, 'pg_hba.conf'), `host dugout dugout ${subnet} trust\n`);
  const ctl = [join(pgBin(), 'pg_ctl'), '-D', data, '-l', join(pgdir, 'postgres.log'), '-w', '-t', '60', '-o', `-k ${pgdir}`, 'restart'];
  execFileSync('runuser', ['-u', 'postgres', '--', ...ctl], { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
}

// ------------------------------------------------------------ hosts

function unitArgv(paths) {
  const line = readFileSync(UNIT, 'utf8').split('\n').find((l) => l.startsWith('ExecStart='));
  return line.slice('ExecStart='.length).trim()
    .replaceAll('/usr/sbin/dugout-fcgi', paths.bin)
    .replaceAll('/etc/dugout/dugout.conf', paths.conf)
    .replaceAll('/run/dugout/dugout.sock', paths.socket)
    .split(/\s+/);
}

async function waitHandshake(h) {
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await http(`${h.url}/socket.io/?EIO=4&transport=polling`, { timeout: 10_000 });
      if (r.status === 200 && r.body.startsWith('0{')) return;
    } catch { /* not yet */ }
    for (const p of [h.lighttpd, h.daemon]) {
      if (p && (p.exitCode !== null || p.signalCode !== null)) throw new Error(`host ${h.name}: ${p.spawnargs.join(' ')} exited:\n${logsOf(h)}`);
    }
    if (Date.now() > end) throw new Error(`host ${h.name}: no handshake at ${h.url}\n${logsOf(h)}`);
    await sleep(200);
  }
}

function logsOf(h) {
  return ['lighttpd.error.log', 'dugout-fcgi.log'].map((f) => join(h.dir, f)).filter(existsSync)
    .map((f) => `==> ${f} <==\n${readFileSync(f, 'utf8').slice(-6000)}`).join('\n');
}

/** One host: its own dugout.conf (database conninfo), lighttpd from a conf/ snippet. */
async function startHost(stack, name, mode, ns, addr, port, database) {
  const dir = join(stack.dir, `host-${name}`);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'dugout.conf');
  const base = readFileSync(stack.config, 'utf8').replace(/^database\s*=.*$/m, `database = ${database}`);
  writeFileSync(conf, base, { mode: 0o600 });
  const bin = join(dirname(stack.dugoutctl), 'dugout-fcgi');
  const socket = join(dir, mode === 'external' ? 'dugout.sock' : 'fcgi.sock');
  const h = { name, ns, addr, dir, url: `http://${addr}:${port}`, lighttpd: null, daemon: null };
  if (mode === 'external') {
    const argv = unitArgv({ bin, conf, socket });
    h.daemon = startProc(ns, argv[0], argv.slice(1), join(dir, 'dugout-fcgi.log'));
    const end = Date.now() + 20_000;
    while (!existsSync(socket)) {
      if (h.daemon.exitCode !== null || Date.now() > end) throw new Error(`host ${name}: no daemon socket\n${logsOf(h)}`);
      await sleep(100);
    }
  }
  const lconf = join(dir, 'lighttpd.conf');
  writeFileSync(lconf, [
    `server.bind = "${addr}"`,
    `server.port = ${port}`,
    `server.pid-file = "${dir}/lighttpd.pid"`,
    `server.upload-dirs = ( "${dir}/tmp" )`,
    `var.dugout_bin = "${bin}"`,
    `var.dugout_conf = "${conf}"`,
    `var.dugout_socket = "${socket}"`,
    `var.dugout_www = "${join(REPO, 'www')}"`,
    `include "${join(CONF, mode === 'external' ? 'dugout-external.conf' : 'dugout-spawn.conf')}"`,
    '',
  ].join('\n'));
  h.lighttpd = startProc(ns, 'lighttpd', ['-D', '-f', lconf], join(dir, 'lighttpd.error.log'));
  await waitHandshake(h);
  return h;
}

/** A round-robin HTTP proxy: request k goes to target k mod n (no stickiness). */
function roundRobin(targets) {
  const counts = targets.map(() => 0);
  let next = 0;
  const srv = createServer((req, res) => {
    const k = next++ % targets.length;
    counts[k] += 1;
    const u = new URL(targets[k]);
    const up = httpRequest({
      host: u.hostname, port: u.port, method: req.method, path: req.url, agent: false,
      headers: { ...req.headers, host: u.host, connection: 'close' },
    }, (ur) => { res.writeHead(ur.statusCode, ur.headers); ur.pipe(res); });
    up.on('error', (e) => { if (!res.headersSent) res.writeHead(502); res.end(String(e)); });
    req.pipe(up);
  });
  srv.requestTimeout = 0;
  srv.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${srv.address().port}`, counts,
      close: () => new Promise((r) => { srv.closeAllConnections?.(); srv.close(() => r()); }),
    }));
  });
}

// ------------------------------------------------------------ hooks

before(async () => {
  st.stack = await startStack();
  // the devstack front end is not one of our hosts
  execFileSync(DEVSTACK, ['stop', st.stack.dir, String(st.stack.port)], { stdio: 'ignore' });
  st.netns = netUp();
  if (st.netns) {
    const p = st.net.prefix;
    pgListenOn(st.stack, `${p}.254`, `${p}.0/24`);
    const database = `host=${p}.254 port=5432 dbname=dugout user=dugout`;
    st.hosts.push(await startHost(st.stack, 'a', 'spawn', st.net.namespaces[0], `${p}.1`, 8080, database));
    st.hosts.push(await startHost(st.stack, 'b', 'external', st.net.namespaces[1], `${p}.2`, 8080, database));
  } else {
    const database = st.stack.database;
    st.hosts.push(await startHost(st.stack, 'a', 'spawn', null, '127.0.0.1', await freePort(), database));
    st.hosts.push(await startHost(st.stack, 'b', 'external', null, '127.0.0.1', await freePort(), database));
  }
}, { timeout: 240_000 });

after(async () => {
  closeAll();
  await sleep(100);
  const logs = st.hosts.map(logsOf).join('\n');
  for (const p of [...st.procs]) await stopProc(p);
  netDown();
  if (st.stack) {
    const dest = process.env.DUGOUT_IT_LOGS;
    if (process.env.DUGOUT_SHOW_LOGS) process.stderr.write(`${logs}\n${st.stack.errorLog()}\n`);
    if (dest) {
      try {
        mkdirSync(dest, { recursive: true });
        writeFileSync(join(dest, 'multihost.log'), `${logs}\n${st.stack.errorLog()}`);
      } catch { /* a convenience */ }
    }
    await st.stack.stop();
  }
}, { timeout: 120_000 });

afterEach(() => closeAll());

// ------------------------------------------------------------ tests

test('the hosts', (t) => {
  if (st.netns) {
    t.diagnostic(`hosts: network namespaces ${st.net.namespaces.join(', ')} at ${st.hosts.map((h) => h.addr).join(', ')}; PostgreSQL over TCP at ${st.net.prefix}.254:5432`);
  } else {
    t.diagnostic(`NO NETWORK NAMESPACES (${st.why}): the hosts are two ports on 127.0.0.1 and share the database's unix socket`);
  }
  for (const h of st.hosts) assert.ok(h.url, `host ${h.name} is up`);
});

test('each host is its own network namespace, reaching PostgreSQL over TCP', async (t) => {
  if (!st.netns) { t.skip(`network namespaces unavailable: ${st.why}`); return; }
  const mine = readlinkSync('/proc/self/ns/net');
  const theirs = st.hosts.map((h) => readlinkSync(`/proc/${h.lighttpd.pid}/ns/net`));
  assert.notEqual(theirs[0], mine);
  assert.notEqual(theirs[1], mine);
  assert.notEqual(theirs[0], theirs[1]);
  // a client in one namespace reaches the other host's address over the bridge
  const r = spawnSync('ip', ['netns', 'exec', st.net.namespaces[0], 'curl', '-s', '-m', '10',
    `${st.hosts[1].url}/socket.io/?EIO=4&transport=polling`], { encoding: 'utf8' });
  assert.match(r.stdout, /^0\{"sid"/, 'host A reaches host B');
  const rows = await psql(st.stack, `SELECT host(client_addr) || ' ' || n FROM (SELECT client_addr, count(*) AS n FROM pg_stat_activity
    WHERE datname = 'dugout' AND client_addr IS NOT NULL GROUP BY client_addr) x ORDER BY 1`);
  const per = Object.fromEntries(rows.split('\n').filter(Boolean).map((l) => l.split(' ')));
  for (const h of st.hosts) assert.ok(Number(per[h.addr]) >= 2, `host ${h.name} (${h.addr}) is connected over TCP: ${rows}`);
  t.diagnostic(`database connections per host: ${st.hosts.map((h) => `${h.name} ${per[h.addr]}`).join(', ')}`);
});

test('clients on different hosts share a room: presence and plays reach every host', { timeout: 60_000 }, async (t) => {
  const [A, B] = st.hosts;
  const g = await openGame(st.stack, { tag: 'mh', urls: { home: A.url, away: B.url, spectator: B.url } });
  // a spectator arriving on A is announced on B
  const specUser = unique('mh-spec');
  const spec2 = await connected(A.url, await token(st.stack, specUser));
  const seenOnB = once(g.s.away, 'user_connected', { filter: (p) => p?.user_id === specUser, timeout: 20_000 });
  await joinGame(spec2, g.gameId, 'spectator');
  assert.deepEqual(await seenOnB, { game_id: g.gameId, user_id: specUser, role: 'spectator' });
  // plays made by the manager on A reach B, and those made on B reach A
  const script = [['single_1', 'LF'], ['strikeout'], ['walk'], ['popout', 'SS']];
  for (const [o, loc] of script) await g.pa(o, loc ? { hit_location: loc } : {});
  const played = [];
  spec2.on('play_resolved', (p) => { if (p?.game_id === g.gameId) played.push(p); });
  for (const side of ['home', 'away', 'spectator']) {
    const end = Date.now() + 20_000;
    while (g.plays(side).length < script.length && Date.now() < end) await sleep(20);
    assert.deepEqual(g.plays(side).map((p) => p.play_number), [1, 2, 3, 4], `${side} got every play once`);
  }
  assert.deepEqual(g.plays('away'), g.plays('home'), 'host B saw what host A saw');
  assert.deepEqual(g.plays('spectator'), g.plays('home'));
  t.diagnostic(`home on ${A.addr}, away and spectator on ${B.addr}: ${script.length} plays everywhere`);
  g.close();
});

test('a client whose requests alternate between the hosts (no sticky sessions) keeps playing', { timeout: 60_000 }, async (t) => {
  const [A, B] = st.hosts;
  const rr = await roundRobin([A.url, B.url]);
  try {
    const g = await openGame(st.stack, { tag: 'rr', urls: { home: rr.url, away: A.url, spectator: B.url } });
    const dropped = [];
    g.s.home.on('disconnect', (why) => dropped.push(why));
    const script = [['strikeout'], ['single_2', 'CF'], ['double_2', 'LF'], ['strikeout'], ['walk']];
    for (const [o, loc] of script) await g.pa(o, loc ? { hit_location: loc } : {});
    const end = Date.now() + 20_000;
    while (g.plays('home').length < script.length && Date.now() < end) await sleep(20);
    assert.deepEqual(g.plays('home').map((p) => p.play_number), [1, 2, 3, 4, 5]);
    assert.deepEqual(g.plays('home'), g.plays('spectator'));
    const sync = await g.ack('home', 'request_game_state');
    assert.equal(sync.ok, true, JSON.stringify(sync));
    assert.equal(sync.state.play_count, script.length);
    assert.deepEqual(dropped, [], 'the alternating client was never disconnected');
    assert.ok(g.s.home.connected);
    assert.ok(rr.counts[0] >= 5 && rr.counts[1] >= 5, `both hosts served the client: ${rr.counts}`);
    t.diagnostic(`the alternating client's requests: ${rr.counts[0]} to host A, ${rr.counts[1]} to host B`);
    g.close();
  } finally {
    closeAll();
    await rr.close();
  }
});

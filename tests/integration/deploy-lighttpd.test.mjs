// The lighttpd deployment files users copy (conf/lighttpd/dugout-*.conf,
// conf/systemd/dugout-fcgi.service), each started for real: a lighttpd.conf
// that sets only port, pid file and log and `include`s the snippet, with the
// snippet's variables (var.dugout_bin, var.dugout_conf, var.dugout_socket,
// var.dugout_www) pointing at this checkout; the database and dugout.conf
// come from a devstack stack.  Through each: the page and its headers,
// connect / join / presence broadcasts / heartbeat / leave, plays broadcast
// to both managers and a spectator, a reconnect with request_game_state.
// The resident memory of dugout-fcgi in each mode is printed
// (docs/deploy.md quotes it).
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync, openSync, closeSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  REPO, useStack, freePort, http, sleep, closeAll, presenceScenario, connected, joinGame,
} from './helpers.mjs';
import { openGame, recordAll, ack, psql } from './gamehelpers.mjs';

const S = useStack('deploy-lighttpd');
afterEach(() => closeAll());

const CONF = join(REPO, 'conf/lighttpd');
const UNIT = join(REPO, 'conf/systemd/dugout-fcgi.service');
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const MODES = { spawn: 'dugout-spawn.conf', external: 'dugout-external.conf', cgi: 'dugout-cgi.conf' };

// Our environment less DUGOUT_* (which would override dugout.conf).
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DUGOUT_')) env[k] = v;
  return env;
}

const live = new Set();	// processes this file started
after(async () => { for (const p of live) await stopProc(p); });

function startProc(cmd, args, logFile, env = cleanEnv()) {
  const fd = openSync(logFile, 'a');
  const p = spawn(cmd, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  p.exited = new Promise((r) => p.once('exit', (code, sig) => r({ code, sig })));
  live.add(p);
  return p;
}

async function stopProc(p) {
  if (!live.has(p)) return;
  live.delete(p);
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    await p.exited;
    clearTimeout(t);
  }
}

/** The unit's ExecStart, as an argv with the installed paths replaced. */
function unitCommand(paths) {
  const line = readFileSync(UNIT, 'utf8').split('\n').find((l) => l.startsWith('ExecStart='));
  assert.ok(line, 'the unit has an ExecStart');
  let cmd = line.slice('ExecStart='.length).trim();
  cmd = cmd.replaceAll('/usr/sbin/dugout-fcgi', paths.bin)
    .replaceAll('/etc/dugout/dugout.conf', paths.conf)
    .replaceAll('/run/dugout/dugout.sock', paths.socket);
  assert.doesNotMatch(cmd, /\/usr\/sbin\/dugout-fcgi|\/etc\/dugout|\/run\/dugout/, `every installed path replaced: ${cmd}`);
  return cmd.split(/\s+/);
}

async function waitHandshake(url, procs, logs) {
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await http(`${url}/socket.io/?EIO=4&transport=polling`, { timeout: 10_000 });
      if (r.status === 200 && r.body.startsWith('0{')) return;
    } catch { /* not up yet */ }
    for (const p of procs) {
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(`${p.spawnfile} exited:\n${logs.map((f) => (existsSync(f) ? readFileSync(f, 'utf8').slice(-3000) : '')).join('\n')}`);
      }
    }
    if (Date.now() > end) throw new Error(`no handshake at ${url}`);
    await sleep(200);
  }
}

/**
 * lighttpd from conf/lighttpd/<snippet> on a free port, against the stack's
 * database and dugout.conf; for `external`, the daemon too, started with the
 * unit's ExecStart.  Returns { url, lighttpd, daemon, dir, stop() }.
 */
async function frontEnd(stack, mode) {
  const dir = join(stack.dir, `deploy-${mode}`);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const log = join(dir, 'lighttpd.error.log');
  let bin = join(dirname(stack.dugoutctl), 'dugout-fcgi');
  const socket = join(dir, mode === 'external' ? 'dugout.sock' : 'fcgi.sock');
  if (mode === 'cgi' && process.env.ASAN_OPTIONS) {
    // mod_cgi hands its programs a fresh environment; a sanitizer build
    // needs its options there too (a real install runs a release build)
    const w = join(dir, 'dugout-fcgi');
    writeFileSync(w, `#!/bin/sh\nASAN_OPTIONS='${process.env.ASAN_OPTIONS}'; export ASAN_OPTIONS\nexec '${bin}' "$@"\n`, { mode: 0o755 });
    bin = w;
  }
  let daemon = null;
  if (mode === 'external') {
    const argv = unitCommand({ bin, conf: stack.config, socket });
    daemon = startProc(argv[0], argv.slice(1), join(dir, 'dugout-fcgi.log'));
    const end = Date.now() + 20_000;
    while (!existsSync(socket)) {
      if (daemon.exitCode !== null || Date.now() > end) throw new Error(`the daemon made no socket: ${readFileSync(join(dir, 'dugout-fcgi.log'), 'utf8')}`);
      await sleep(100);
    }
  }
  // the main lighttpd.conf: what belongs to the server, the variables, the include
  const conf = join(dir, 'lighttpd.conf');
  writeFileSync(conf, [
    `server.bind = "127.0.0.1"`,
    `server.port = ${port}`,
    `server.pid-file = "${dir}/lighttpd.pid"`,
    `server.upload-dirs = ( "${dir}/tmp" )`,
    '# no server.errorlog: lighttpd runs in the foreground, stderr to lighttpd.error.log',
    `var.dugout_bin = "${bin}"`,
    `var.dugout_conf = "${stack.config}"`,
    `var.dugout_socket = "${socket}"`,
    `var.dugout_www = "${join(REPO, 'www')}"`,
    `include "${join(CONF, MODES[mode])}"`,
    '',
  ].join('\n'));
  execFileSync('lighttpd', ['-tt', '-f', conf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const lighttpd = startProc('lighttpd', ['-D', '-f', conf], log);
  const url = `http://127.0.0.1:${port}`;
  await waitHandshake(url, [lighttpd, ...(daemon ? [daemon] : [])], [log, join(dir, 'dugout-fcgi.log')]);
  return {
    url, lighttpd, daemon, dir,
    async stop() {
      await stopProc(lighttpd);
      if (daemon) await stopProc(daemon);
    },
  };
}

/** pid, RSS (KiB) of the dugout-fcgi processes of a front end. */
function dugoutProcs(fe) {
  const rows = [];
  const ps = (args) => {
    try { return execFileSync('ps', args, { encoding: 'utf8' }); } catch { return ''; }
  };
  const out = fe.daemon ? ps(['-o', 'pid=,rss=,comm=', '-p', String(fe.daemon.pid)])
    : ps(['-o', 'pid=,rss=,comm=', '--ppid', String(fe.lighttpd.pid)]);
  for (const line of out.trim().split('\n')) {
    const [pid, rss, comm] = line.trim().split(/\s+/);
    if (comm === 'dugout-fcgi') rows.push({ pid: Number(pid), rss: Number(rss) });
  }
  return rows;
}

const connCount = async (stack) => Number(await psql(stack,
  "SELECT count(*) FROM pg_stat_activity WHERE datname = 'dugout' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"));

async function pageAndHeaders(url) {
  const page = await http(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.body, /<script src="vendor\/socket\.io\.min\.js"/);
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('content-security-policy'), CSP);
  const js = await http(`${url}/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/, 'modules are served as JavaScript');
  assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
  const css = await http(`${url}/style.css`);
  assert.match(css.headers.get('content-type'), /^text\/css/);
}

/** Plays broadcast to all three clients, then a reconnect that resyncs. */
async function playAndResync(stack, url) {
  const g = await openGame(stack, { tag: 'deploy', urls: { home: url, away: url, spectator: url } });
  const script = [['single_1', 'LF'], ['strikeout'], ['walk'], ['double_2', 'RF']];
  for (const [o, loc] of script) await g.pa(o, loc ? { hit_location: loc } : {});
  for (const side of ['home', 'away', 'spectator']) {
    const end = Date.now() + 20_000;
    while (g.plays(side).length < script.length && Date.now() < end) await sleep(20);
    assert.deepEqual(g.plays(side).map((p) => p.play_number), [1, 2, 3, 4], `${side} got every play_resolved once`);
  }
  assert.deepEqual(g.plays('spectator'), g.plays('home'));
  assert.deepEqual(g.plays('away'), g.plays('home'));
  // the spectator drops and comes back
  g.s.spec.disconnect();
  const back = recordAll(await connected(url, g.demo.spectator.token));
  await joinGame(back, g.gameId, 'spectator');
  const sync = await ack(back, 'request_game_state', { game_id: g.gameId });
  assert.equal(sync.ok, true, JSON.stringify(sync));
  assert.equal(sync.state.play_count, script.length);
  assert.deepEqual(sync.recent_plays.map((p) => p.play_number).sort((a, b) => a - b), [1, 2, 3, 4]);
  g.s.spec = back;
  return g;
}

for (const mode of Object.keys(MODES)) {
  test(`lighttpd from conf/lighttpd/${MODES[mode]}: page, presence, plays, resync`, { timeout: 120_000 }, async (t) => {
    const before = await connCount(S.stack);
    const t0 = Date.now();
    const fe = await frontEnd(S.stack, mode);
    try {
      t.diagnostic(`${mode}: up in ${Date.now() - t0} ms at ${fe.url}`);
      await pageAndHeaders(fe.url);
      await presenceScenario({ ...S.stack, url: fe.url });
      closeAll();
      const g = await playAndResync(S.stack, fe.url);
      // three clients, each with a poll held: measure the processes now
      await sleep(500);
      const procs = dugoutProcs(fe);
      const conns = await connCount(S.stack) - before;
      t.diagnostic(`${mode}: ${procs.length} dugout-fcgi process(es) with 3 clients polling, RSS ${procs.map((p) => `${(p.rss / 1024).toFixed(1)} MB`).join(', ')}; about ${conns} more database connection(s) than before it started`);
      assert.ok(procs.length >= 1, 'dugout-fcgi runs under this front end');
      g.close();
    } catch (err) {
      for (const f of ['lighttpd.error.log', 'dugout-fcgi.log']) {
        const p = join(fe?.dir ?? join(S.stack.dir, `deploy-${mode}`), f);
        if (existsSync(p)) process.stderr.write(`==> ${p} <==\n${readFileSync(p, 'utf8').slice(-4000)}\n`);
      }
      throw err;
    } finally {
      closeAll();
      await fe.stop();
    }
    t.diagnostic(`${mode}: ${Date.now() - t0} ms in all`);
  });
}

test('the snippets: every timeout above pingInterval + pingTimeout, no backend read-timeout, the devstack CSP', () => {
  const devstack = readFileSync(join(CONF, 'devstack.conf.in'), 'utf8');
  assert.ok(devstack.includes(CSP), 'the CSP checked here is the devstack template\'s');
  for (const file of Object.values(MODES)) {
    const s = readFileSync(join(CONF, file), 'utf8').replace(/#.*$/gm, '');
    for (const key of ['server.max-read-idle', 'server.max-write-idle', 'server.max-keep-alive-idle']) {
      const m = new RegExp(`${key.replace(/\./g, '\\.')}\\s*=\\s*(\\d+)`).exec(s);
      assert.ok(m, `${file} sets ${key}`);
      assert.ok(Number(m[1]) > 45, `${file}: ${key} ${m[1]} s > 45 s`);
    }
    assert.doesNotMatch(s, /"(read|write|connect)-timeout"/, `${file} sets no backend timeout`);
    assert.ok(s.includes(CSP), `${file} sets the CSP`);
    for (const v of ['dugout_www']) assert.ok(s.includes(`var.${v}`), `${file} reads var.${v}`);
  }
});

test("the snippets load into Debian's stock lighttpd.conf (its document-root line removed)", (t) => {
  const stock = '/etc/lighttpd/lighttpd.conf';
  if (!existsSync(stock)) { t.skip(`${stock} is absent`); return; }
  const dir = join(S.stack.dir, 'deploy-stock');
  mkdirSync(dir, { recursive: true });
  for (const [mode, file] of Object.entries(MODES)) {
    const conf = join(dir, `${mode}.conf`);
    writeFileSync(conf, `${readFileSync(stock, 'utf8').replace(/^server\.document-root.*$/m, '# (document root: the snippet)')}
var.dugout_bin = "/usr/sbin/dugout-fcgi"
var.dugout_conf = "/etc/dugout/dugout.conf"
var.dugout_socket = "/run/dugout/dugout.sock"
var.dugout_www = "${join(REPO, 'www')}"
include "${join(CONF, file)}"
`);
    // -t: syntax and option clashes (no modules loaded, nothing started)
    execFileSync('lighttpd', ['-t', '-f', conf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  assert.ok(statSync(dir).isDirectory());
});

// Operating it (docs/deploy.md): GET /healthz and GET /metrics, who may read
// them, and the log line every handled event leaves in the stack's error log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  useStack, http, connected, token, makeGame, joinGame, once, until, unique,
  closeAll, REPO, DEVSTACK,
} from './helpers.mjs';

const S = useStack('ops');
const url = (p) => `${S.stack.url}${p}`;
// The whole error log (lighttpd's stderr, hence dugout-fcgi's too).
const errorLog = () => readFileSync(join(S.stack.dir, 'lighttpd.error.log'), 'utf8');

function run(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: REPO, env: { ...process.env, ...env }, timeout: 180_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

const psql = (sql) => run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', S.stack.database, '-c', sql])
  .then((out) => out.trim());

// The migrations this build knows: dist_migrations_DATA of Makefile.am,
// which make turns into the list dugout-fcgi is compiled with.
function knownMigrations() {
  const am = readFileSync(join(REPO, 'Makefile.am'), 'utf8');
  const m = /^dist_migrations_DATA\s*=((?:[^\n]*\\\n)*[^\n]*)/m.exec(am);
  assert.ok(m, 'dist_migrations_DATA in Makefile.am');
  return [...m[1].matchAll(/sql\/(\d+)_[^\s\\]+\.sql/g)].map((x) => Number(x[1])).sort((a, b) => a - b);
}

// ------------------------------------------------- the exposition format

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*"';
const VALUE = '[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?Inf|NaN';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`);

function parseLabels(text) {
  const labels = {};
  for (const m of (text ?? '').matchAll(new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\.)*)"`, 'g'))) {
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/**
 * Parse Prometheus text format 0.0.4, asserting it is well-formed: every
 * line a HELP, a TYPE or a sample of the grammar; every sample's metric
 * with HELP and TYPE before it; histogram buckets cumulative, ending with
 * le="+Inf" equal to _count, with a _sum.  Returns { families, samples,
 * value(name, labels) }.
 */
function parseExposition(text) {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const families = new Map();
  const samples = [];
  const fam = (name) => {
    if (!families.has(name)) families.set(name, { name, help: null, type: null, samples: [] });
    return families.get(name);
  };
  for (const line of text.slice(0, -1).split('\n')) {
    let m;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      assert.equal(fam(m[1]).help, null, `two HELP lines for ${m[1]}`);
      fam(m[1]).help = m[2];
      continue;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      assert.equal(fam(m[1]).type, null, `two TYPE lines for ${m[1]}`);
      assert.equal(fam(m[1]).samples.length, 0, `TYPE after samples of ${m[1]}`);
      fam(m[1]).type = m[2];
      continue;
    }
    assert.ok(!line.startsWith('#'), `unknown comment line: ${line}`);
    m = SAMPLE.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText, value] = m;
    let f = families.get(name);
    if (!f) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      f = families.get(base);
      assert.ok(f && f.type === 'histogram', `sample of an undeclared metric: ${line}`);
    }
    assert.ok(f.help !== null && f.type !== null, `no HELP and TYPE before ${line}`);
    const s = { name, labels: parseLabels(labelText), value: Number(value) };
    f.samples.push(s);
    samples.push(s);
  }
  for (const f of families.values()) {
    assert.ok(f.help !== null && f.type !== null, `${f.name}: HELP and TYPE`);
    if (f.type !== 'histogram') continue;
    const buckets = f.samples.filter((s) => s.name === `${f.name}_bucket`);
    assert.ok(buckets.length > 0, `${f.name}: buckets`);
    let last = -1;
    for (const b of buckets) {
      assert.ok('le' in b.labels, `${f.name}: bucket without le`);
      assert.ok(b.value >= last, `${f.name}: buckets not cumulative at le=${b.labels.le}`);
      last = b.value;
    }
    assert.equal(buckets.at(-1).labels.le, '+Inf', `${f.name}: the last bucket is le="+Inf"`);
    const count = f.samples.find((s) => s.name === `${f.name}_count`);
    assert.ok(count, `${f.name}_count`);
    assert.equal(buckets.at(-1).value, count.value, `${f.name}: +Inf bucket == _count`);
    assert.ok(f.samples.some((s) => s.name === `${f.name}_sum`), `${f.name}_sum`);
  }
  const value = (name, labels = {}) => {
    const s = samples.find((x) => x.name === name &&
      Object.entries(labels).every(([k, v]) => x.labels[k] === v));
    return s === undefined ? undefined : s.value;
  };
  return { families, samples, value };
}

async function scrape() {
  const r = await http(url('/metrics'));
  assert.equal(r.status, 200, r.body);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(r.body);
}

// --------------------------------------------------------------- tests

test('/healthz: 200 with the database reachable and every migration applied', async () => {
  const known = knownMigrations();
  const r = await http(url('/healthz'));
  assert.equal(r.status, 200, r.body);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const applied = Number(await psql(`SELECT count(*) FROM schema_migration WHERE version = ANY('{${known.join(',')}}'::int[])`));
  assert.equal(applied, known.length);
  assert.deepEqual(JSON.parse(r.body), {
    status: 'ok', database: 'ok', migrations: { applied: known.length, expected: known.length },
  });
});

test('/healthz: 503 naming the migration when the newest one is missing; 200 once it is back', async () => {
  const known = knownMigrations();
  const newest = known.at(-1);
  const row = await psql(`SELECT name || '|' || applied_at FROM schema_migration WHERE version = ${newest}`);
  const [name, appliedAt] = row.split('|');
  assert.ok(name, `migration ${newest} is recorded`);
  await psql(`DELETE FROM schema_migration WHERE version = ${newest}`);
  try {
    const r = await http(url('/healthz'));
    assert.equal(r.status, 503, r.body);
    const body = JSON.parse(r.body);
    assert.equal(body.status, 'unavailable');
    assert.equal(body.database, 'ok');
    assert.deepEqual(body.migrations, { applied: known.length - 1, expected: known.length, missing: [newest] });
    assert.equal(body.problem, `migration ${newest} is not applied: run dugoutctl migrate`);
  } finally {
    await psql(`INSERT INTO schema_migration (version, name, applied_at) VALUES (${newest}, '${name}', '${appliedAt}')`);
  }
  const again = await http(url('/healthz'));
  assert.equal(again.status, 200, again.body);
  assert.equal(JSON.parse(again.body).status, 'ok');
});

test('/healthz and /metrics answer GET only', async () => {
  for (const p of ['/healthz', '/metrics']) {
    const r = await http(url(p), { method: 'POST', body: 'x' });
    assert.equal(r.status, 405, `${p}: ${r.body}`);
    assert.equal(r.headers.get('allow'), 'GET');
  }
  assert.equal((await http(url('/healthz/x'))).status, 404);
});

test('/metrics: well-formed, and the counters and histograms move with events', async () => {
  const before = await scrape();
  for (const name of ['dugout_sessions_open', 'dugout_database_up', 'dugout_polls_parked', 'dugout_events_total',
    'dugout_errors_total', 'dugout_notify_wake_seconds', 'dugout_db_seconds']) {
    assert.ok(before.families.has(name), `metric ${name}`);
  }
  assert.equal(before.value('dugout_database_up'), 1);
  assert.equal(before.value('dugout_events_total', { event: 'join_game' }), 0, 'declared events show from the start');
  const ev = (m, event) => m.value('dugout_events_total', { event }) ?? 0;
  const er = (m, code) => m.value('dugout_errors_total', { code }) ?? 0;

  const g = await makeGame(S.stack);
  const home = await connected(S.stack.url, await token(S.stack, g.homeMgr));
  const spec = await connected(S.stack.url, await token(S.stack, unique('spec')));
  await joinGame(home, g.gameId, 'player');
  const seen = once(home, 'user_connected', { timeout: 20_000 });
  await joinGame(spec, g.gameId, 'spectator');
  await seen;
  assert.equal((await home.timeout(20_000).emitWithAck('heartbeat')).ok, true);
  const unknown = once(home, 'error', { filter: (e) => e?.code === 'UNKNOWN_EVENT' });
  home.emit('no_such_event', { game_id: g.gameId });
  await unknown;
  const notFound = once(home, 'error', { filter: (e) => e?.code === 'GAME_NOT_FOUND' });
  home.emit('leave_game', { game_id: '00000000-0000-4000-8000-000000000000' });
  await notFound;

  // The polls of both clients are parked here between events.
  let after;
  const deadline = Date.now() + 10_000;
  for (;;) {
    after = await scrape();
    if (after.value('dugout_notify_wake_seconds_count') > before.value('dugout_notify_wake_seconds_count') &&
      after.value('dugout_polls_parked') >= 1) break;
    assert.ok(Date.now() < deadline, 'a NOTIFY woke a parked poll, and polls are parked');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(ev(after, 'join_game') - ev(before, 'join_game'), 2);
  assert.equal(ev(after, 'heartbeat') - ev(before, 'heartbeat'), 1);
  assert.equal(ev(after, 'leave_game') - ev(before, 'leave_game'), 1);
  assert.equal(ev(after, 'other') - ev(before, 'other'), 1, 'an unknown name counts as other');
  assert.equal(after.value('dugout_events_total', { event: 'no_such_event' }), undefined, 'no series for a client\'s name');
  assert.equal(er(after, 'UNKNOWN_EVENT') - er(before, 'UNKNOWN_EVENT'), 1);
  assert.equal(er(after, 'GAME_NOT_FOUND') - er(before, 'GAME_NOT_FOUND'), 1);
  assert.ok(after.value('dugout_db_seconds_count') > before.value('dugout_db_seconds_count') + 10,
    'every statement is timed');
  assert.ok(after.value('dugout_db_seconds_sum') > before.value('dugout_db_seconds_sum'));
  assert.ok(after.value('dugout_sessions_open') >= 2, 'both clients\' sessions are open');
  closeAll();
});

test('a log line per event: name, session prefix, game id, outcome, time; never the token', async () => {
  const g = await makeGame(S.stack);
  const tok = await token(S.stack, g.homeMgr);
  const home = await connected(S.stack.url, tok);
  const sid = home.io.engine.id;
  await joinGame(home, g.gameId, 'player');
  const refused = once(home, 'error', { filter: (e) => e?.code === 'NOT_AUTHORIZED' });
  const other = await makeGame(S.stack);
  home.emit('join_game', { game_id: other.gameId, role: 'player' });
  await refused;
  const ok = new RegExp(`dugout\\[\\d+\\] info \\S+ event=join_game session=${sid.slice(0, 6)} game=${g.gameId} outcome=ok ms=\\d+\\.\\d\\n`);
  const no = new RegExp(`dugout\\[\\d+\\] info \\S+ event=join_game session=${sid.slice(0, 6)} game=${other.gameId} outcome=refused code=NOT_AUTHORIZED ms=\\d+\\.\\d\\n`);
  await until(() => ok.test(errorLog()) && no.test(errorLog()), { what: 'the event log lines', timeout: 10_000 });
  const log = errorLog();
  assert.ok(!log.includes(tok), 'the token is never logged');
  assert.ok(!log.includes(sid), 'the whole sid (a bearer secret) is never logged');
  closeAll();
});

// Restart the stack's front end with other settings (devstack rewrites
// dugout.conf from the environment at every start).
async function restart(env) {
  await run(DEVSTACK, ['start', S.stack.dir, String(S.stack.port)], env);
}

test('403 from an address outside status_allow', async () => {
  // lighttpd reaches dugout from 127.0.0.1: allow only ::1
  await restart({ DUGOUT_STATUS_ALLOW: '::1' });
  for (const p of ['/healthz', '/metrics']) {
    const r = await http(url(p));
    assert.equal(r.status, 403, `${p}: ${r.body}`);
    assert.doesNotMatch(r.body, /dugout_|migrations/);
  }
  await until(() => /\/healthz: refused to 127\.0\.0\.1 \(not in status_allow\)/.test(errorLog()),
    { what: 'the refusal in the log' });
});

test('404 when off (the default outside devstack)', async () => {
  await restart({ DUGOUT_HEALTH: 'off', DUGOUT_METRICS: 'off' });
  for (const p of ['/healthz', '/metrics']) {
    const r = await http(url(p));
    assert.equal(r.status, 404, `${p}: ${r.body}`);
    assert.equal(r.body, 'not found');
  }
  // the rest of the server is unaffected
  const h = await http(`${S.stack.url}/socket.io/?EIO=4&transport=polling`);
  assert.equal(h.status, 200);
});

// The daemon's sweeper vacuums the queue tables itself every 5 s and
// analyzes them (docs/architecture.md "Queue upkeep"): autovacuum would
// wait a minute, and only manual runs count in vacuum_count/analyze_count.
test('the sweeper vacuums and analyzes the transport tables', { timeout: 60_000 }, async () => {
  const counts = () => psql(`SELECT coalesce(sum(vacuum_count), 0) || ',' || coalesce(sum(analyze_count), 0)
    FROM pg_stat_user_tables WHERE relname IN ('eio_outbox', 'eio_session')`);
  let v = 0;
  let a = 0;
  for (const end = Date.now() + 30_000; (v < 2 || a < 2) && Date.now() < end;) {
    [v, a] = (await counts()).split(',').map(Number);
    if (v < 2 || a < 2) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(v >= 2 && a >= 2, `VACUUM and ANALYZE of eio_outbox and eio_session by the sweeper: vacuum ${v}, analyze ${a}`);
});

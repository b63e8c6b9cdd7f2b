// dugoutctl check: one line per check, "ok:", "problem:" or "skipped:",
// exit 0 only when all is well; each problem said in plain words, secrets
// never printed.  And the first run: dugoutctl migrate on an empty
// database, then check says all is well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync, mkdirSync, chmodSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useStack, REPO } from './helpers.mjs';
import { psql } from './gamehelpers.mjs';

const S = useStack('ctlcheck');
const TMP = mkdtempSync(join(tmpdir(), 'dugout-check-'));
const SECRET = 'k'.repeat(40);
const MIGRATIONS = readdirSync(join(REPO, 'sql')).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();

// A page with everything, so the www check passes unless a test breaks it.
const WWW = join(TMP, 'www');
cpSync(join(REPO, 'www'), WWW, { recursive: true, filter: (src) => !src.includes('/vendor') });
mkdirSync(join(WWW, 'vendor'), { recursive: true });
writeFileSync(join(WWW, 'vendor/socket.io.min.js'), '/* socket.io-client */\n');

/** dugoutctl check with a clean environment plus env; {code, lines, stderr}. */
function check(env = {}, args = []) {
  return new Promise((resolve) => {
    execFile(S.stack.dugoutctl, ['check', ...args], {
      env: {
        PATH: process.env.PATH,
        ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '',
        DUGOUT_CONFIG: S.stack.config,
        DUGOUT_SQLDIR: join(REPO, 'sql'),
        DUGOUT_WWWDIR: WWW,
        ...env,
      },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({
      code: err ? err.code : 0,
      lines: stdout.trim().split('\n'),
      stdout,
      stderr,
    }));
  });
}

/** The database of the stack under another name. */
const dbNamed = (name) => S.stack.database.replace(/dbname=\S+/, `dbname=${name}`);

function assertOneProblem(r, re) {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const problems = r.lines.filter((l) => l.startsWith('problem: '));
  assert.equal(problems.length, 1, `one problem: ${r.stdout}`);
  assert.match(problems[0], re);
  for (const l of r.lines) assert.match(l, /^(ok|problem|skipped): \S/, `one line per check: ${l}`);
}

test('all is well: every line ok, exit 0', async () => {
  const r = await check();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(r.lines.map((l) => l.split(':')[0]), ['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  assert.match(r.lines[0], /^ok: configuration read from .*dugout\.conf$/);
  assert.match(r.lines[1], /^ok: JWT key: HS256 with a shared secret of \d+ characters$/);
  assert.equal(r.lines[2], `ok: sql dir ${join(REPO, 'sql')} (${MIGRATIONS.length} migrations)`);
  assert.match(r.lines[3], /^ok: www dir /);
  assert.equal(r.lines[4], `ok: database reachable (${S.stack.database})`);
  assert.equal(r.lines[5], `ok: schema up to date (${MIGRATIONS.length} migrations)`);
  assert.ok(!r.stdout.includes(S.stack.jwtSecret), 'the key is never printed');
});

test('configuration: an unreadable file, a bad line, a bad variable, no database', async () => {
  assertOneProblem(await check({ DUGOUT_CONFIG: join(TMP, 'nonexistent.conf') }),
    /^problem: configuration: cannot read .*nonexistent\.conf: No such file or directory$/);
  const bad = join(TMP, 'bad.conf');
  writeFileSync(bad, `database = ${S.stack.database}\nping_interval = soon\n`);
  assertOneProblem(await check({ DUGOUT_CONFIG: bad }),
    /^problem: configuration: ping_interval: expected a whole number from 50 to 3600000 \(line 2\) in .*bad\.conf$/);
  assertOneProblem(await check({ DUGOUT_WORKERS: '99' }),
    /^problem: configuration: workers: expected a whole number from 1 to 12 \(environment DUGOUT_WORKERS\)$/);
  const r = await check({ DUGOUT_CONFIG: '', DUGOUT_JWT_SECRET: SECRET });
  assertOneProblem(r, /^problem: configuration: database is not set/);
  assert.ok(r.lines.includes('skipped: database: no database is configured'), r.stdout);
  // a configuration that does not load: what needs it is skipped, the rest checked
  const r2 = await check({ DUGOUT_CONFIG: bad });
  assert.ok(r2.lines.includes('skipped: JWT key: no usable configuration'), r2.stdout);
  assert.ok(r2.lines.some((l) => l.startsWith('ok: sql dir ')), r2.stdout);
});

test('JWT key: too short, unset, an unknown algorithm, key files missing or not PEM', async () => {
  assertOneProblem(await check({ DUGOUT_JWT_SECRET: 'short' }),
    /^problem: JWT key: jwt_key is too short: 5 characters, HS256 needs at least 32$/);
  const noKey = join(TMP, 'nokey.conf');
  writeFileSync(noKey, `database = ${S.stack.database}\n`);
  assertOneProblem(await check({ DUGOUT_CONFIG: noKey }), /^problem: JWT key: jwt_key is not set/);
  assertOneProblem(await check({ DUGOUT_JWT_ALGORITHM: 'none' }),
    /^problem: JWT key: jwt_algorithm none is not supported/);
  assertOneProblem(await check({ DUGOUT_JWT_ALGORITHM: 'RS256' }),
    /^problem: JWT key: jwt_algorithm RS256 needs jwt_public_key_file/);
  assertOneProblem(await check({ DUGOUT_JWT_ALGORITHM: 'RS256', DUGOUT_JWT_PUBLIC_KEY_FILE: join(TMP, 'nope.pem') }),
    /^problem: JWT key: jwt_public_key_file .*nope\.pem: No such file or directory$/);
  const notPem = join(TMP, 'not.pem');
  writeFileSync(notPem, 'hello\n');
  assertOneProblem(await check({ DUGOUT_JWT_ALGORITHM: 'ES256', DUGOUT_JWT_PUBLIC_KEY_FILE: notPem }),
    /^problem: JWT key: jwt_public_key_file .*not\.pem is not a PEM key/);
  if (process.getuid && process.getuid() !== 0) {
    const locked = join(TMP, 'locked.pem');
    writeFileSync(locked, '-----BEGIN PUBLIC KEY-----\n');
    chmodSync(locked, 0);
    assertOneProblem(await check({ DUGOUT_JWT_ALGORITHM: 'RS256', DUGOUT_JWT_PUBLIC_KEY_FILE: locked }),
      /Permission denied/);
  }
});

test('sql dir and www dir: missing, empty, or the page without socket.io-client', async () => {
  assertOneProblem(await check({ DUGOUT_SQLDIR: join(TMP, 'nosql') }),
    /^problem: sql dir: .*nosql: No such file or directory$/);
  const empty = join(TMP, 'emptysql');
  mkdirSync(empty, { recursive: true });
  const r = await check({}, ['--sql-dir', empty]);
  assertOneProblem(r, /^problem: sql dir: .*emptysql: no migrations/);
  assert.ok(r.lines.includes('skipped: schema: no usable sql dir to compare with'), r.stdout);
  assertOneProblem(await check({ DUGOUT_WWWDIR: join(TMP, 'nowww') }),
    /^problem: www dir .*nowww: No such file or directory$/);
  const bare = join(TMP, 'www-bare');
  cpSync(join(REPO, 'www'), bare, { recursive: true, filter: (src) => !src.includes('/vendor') });
  assertOneProblem(await check({}, ['--www-dir', bare]),
    /^problem: www dir .*www-bare: vendor\/socket\.io\.min\.js: No such file or directory \(copy socket\.io-client's dist\/socket\.io\.min\.js there/);
});

test('database: unreachable, said with the conninfo and without the password', async () => {
  const r = await check({ DUGOUT_DATABASE: "host=/nonexistent dbname=x user=bob password='s3cr et'" });
  assertOneProblem(r, /^problem: database: cannot connect \(host=\/nonexistent dbname=x user=bob\): libpq's reason is on stderr$/);
  assert.ok(!r.stdout.includes('s3cr'), r.stdout);
  assert.match(r.stderr, /nonexistent/);
  const u = await check({ DUGOUT_DATABASE: 'postgresql://bob:s3cret@127.0.0.1:1/x?password=s3cret&connect_timeout=2' });
  assertOneProblem(u, /^problem: database: cannot connect \(postgresql:\/\/bob@127\.0\.0\.1:1\/x\?connect_timeout=2\)/);
  assert.ok(!u.stdout.includes('s3cret'), u.stdout);
  // reachable with a password in the conninfo (trust ignores it): still hidden
  const ok = await check({ DUGOUT_DATABASE: `${S.stack.database} password=hunter2hunter2` });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.ok(ok.lines.includes(`ok: database reachable (${S.stack.database})`), ok.stdout);
  assert.ok(!ok.stdout.includes('hunter2'), ok.stdout);
});

test('first run: an empty database, migrate, then check is all ok; missing and newer migrations', async () => {
  await psql(S.stack, 'CREATE DATABASE firstrun');
  const env = { DUGOUT_DATABASE: dbNamed('firstrun') };
  assertOneProblem(await check(env),
    new RegExp(`^problem: schema: the database has no dugout schema yet: ${MIGRATIONS.length} migrations to apply \\(run dugoutctl migrate\\)$`));

  // migrate part of the way, from a directory with the first three
  const part = join(TMP, 'sql-part');
  mkdirSync(part, { recursive: true });
  for (const f of MIGRATIONS.slice(0, 3)) copyFileSync(join(REPO, 'sql', f), join(part, f));
  const ctl = (args, e) => new Promise((resolve) => execFile(S.stack.dugoutctl, args, {
    env: { PATH: process.env.PATH, ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '', DUGOUT_CONFIG: S.stack.config, ...e },
    timeout: 120_000,
  }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr })));
  let m = await ctl(['migrate', '--sql-dir', part], env);
  assert.equal(m.code, 0, m.stderr);
  assert.equal(m.stdout.trim(), '3');
  const rest = MIGRATIONS.slice(3);
  assertOneProblem(await check(env),
    new RegExp(`^problem: schema: ${rest.length} migrations not applied: ${rest.join(', ')} \\(run dugoutctl migrate\\)$`));

  // the rest: all is well
  m = await ctl(['migrate'], { ...env, DUGOUT_SQLDIR: join(REPO, 'sql') });
  assert.equal(m.code, 0, m.stderr);
  assert.equal(m.stdout.trim(), String(rest.length));
  const good = await check(env);
  assert.equal(good.code, 0, good.stdout + good.stderr);

  // a newer dugout migrated this database
  await psql(S.stack, "SELECT 1"); // the stack's own database is untouched
  await new Promise((resolve, reject) => execFile('psql', [dbNamed('firstrun'), '-X', '-q', '-c',
    "INSERT INTO schema_migration (version, name) VALUES (999, '999_from_the_future.sql')"],
  (err) => (err ? reject(err) : resolve())));
  assertOneProblem(await check(env),
    /^problem: schema: the database is newer than this build: it has 999_from_the_future\.sql applied, and this build knows migrations up to number \d+ \(upgrade dugout/);
  // with the old migrations only, 999 is newer, and the rest is not "unknown"
  assertOneProblem(await check(env, ['--sql-dir', part]), /newer than this build: it has .*999_from_the_future\.sql applied/);
});

test('a usage error exits 2', async () => {
  const r = await check({}, ['--frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: dugoutctl/);
});

test('cleanup', () => { rmSync(TMP, { recursive: true, force: true }); });

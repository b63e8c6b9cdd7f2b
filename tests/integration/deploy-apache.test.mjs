// Apache 2.4 in front of dugout, from the files of conf/apache/ exactly as
// docs/deploy.md tells users to install them (tools/devstack --apache):
//
//   proxy-fcgi  mod_proxy_fcgi to a `dugout-fcgi --listen unix:` daemon
//               (conf/apache/proxy-fcgi/server.conf + site.conf)
//   fcgid       shared hosting: conf/apache/fcgid/.htaccess + dugout.fcgi
//               (dugout-fcgi --single) in a web directory; the host's part
//               is only conf/apache/shared-host.conf (modules, AllowOverride)
//               and mod_fcgid's defaults
//   cgi         shared hosting, plain CGI: conf/apache/cgi/.htaccess +
//               dugout.cgi, mod_cgid
//
// Through each: the page and its headers; connect, join, broadcasts,
// heartbeat, leave (presenceScenario); a few real plays with decisions, the
// game_state broadcast reaching all three clients; a manager who drops and
// comes back and resynchronises with request_game_state; and, all along, a
// poll held for a whole default ping interval (25 s) answered with a ping,
// never cut by Apache.  Apache's logs must show no 5xx and no error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  useStack, presenceScenario, connected, joinGame, http, eioUrl, closeAll, until,
} from './helpers.mjs';
import { openGame, recordAll, ack } from './gamehelpers.mjs';

// scripted plays go faster than a person: lift the rate limits (the
// rejections test checks the defaults)
const env = { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' };
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const PING_INTERVAL = 25_000; // the default: a full-length held poll

/** The headers conf/lighttpd sets, which every Apache mode must set too. */
function assertPageHeaders(r, what) {
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(r.headers.get('content-security-policy'), CSP, what);
}

async function checkPage(url) {
  const page = await http(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.body, /<meta name="referrer" content="no-referrer">/);
  assertPageHeaders(page, 'the page');
  for (const [path, type] of [['/app.js', /^text\/javascript/], ['/style.css', /^text\/css/],
    ['/js/view.js', /^text\/javascript/]]) {
    const r = await http(`${url}${path}`);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), type, path);
    assertPageHeaders(r, path);
  }
  // no directory listings, and the wrappers' and Apache's files stay private
  assert.notEqual((await http(`${url}/js/`)).status, 200, 'no index of /js/');
  assert.equal((await http(`${url}/.htaccess`)).status, 403);
  // dugout's own answers carry them too
  const hs = await http(eioUrl(url));
  assert.equal(hs.status, 200);
  assertPageHeaders(hs, 'the handshake');
}

/**
 * A client that handshakes and then just polls: its first GET is held until
 * the first ping is due, a whole ping interval.  Resolves with what it saw.
 */
async function heldPoll(url) {
  const hs = await http(eioUrl(url));
  assert.equal(hs.status, 200, hs.body);
  const { sid, pingInterval } = JSON.parse(hs.body.slice(1));
  const t0 = Date.now();
  const r = await http(eioUrl(url, sid), { timeout: pingInterval + 30_000 });
  const held = Date.now() - t0;
  // answer the ping, then leave
  const pong = await http(eioUrl(url, sid), { method: 'POST', body: '3' });
  await http(eioUrl(url, sid), { method: 'POST', body: '1' }).catch(() => {});
  return { status: r.status, body: r.body, held, pingInterval, pong: pong.status };
}

/** A few real plays: a single, both managers' decisions, a steal, a
 * strikeout, a two-run homer; every client sees every game_state. */
async function playSomePlays(stack) {
  const g = await openGame(stack, { tag: 'apache' });
  const { home, away, spec } = g.s;
  await g.pa('single_1', { hit_location: 'CF' });
  let r = await g.ok('home', 'submit_defensive_decision', { hold_runners: [1] }, 'defensive decision');
  assert.equal(r.pending_decision, 'offensive', JSON.stringify(r));
  r = await g.ok('away', 'submit_offensive_decision', { steal_attempts: [1] }, 'offensive decision');
  assert.equal(r.pending_decision, 'resolution', JSON.stringify(r));
  const steal = await g.submit({ outcome: 'stolen_base' });
  assert.equal(steal.outcome, 'stolen_base', JSON.stringify(steal));
  await g.pa('strikeout');
  const { play } = await g.pa('homerun', { hit_location: 'LF' });
  assert.equal(play.runs_scored, 2, JSON.stringify(play));
  assert.deepEqual(play.score, { away: 2, home: 0 });
  const st = await g.stateAfter(4);
  assert.equal(st.outs, 1, JSON.stringify(st));
  assert.deepEqual(st.score, { away: 2, home: 0 });
  for (const [name, s] of Object.entries({ home, away, spec })) {
    await until(() => s.got.game_state.some((x) => x?.game_id === g.gameId && x.play_count === 4),
      { timeout: 15_000, what: `${name}: game_state after play 4` });
    assert.deepEqual(s.got.game_state.at(-1), st, `${name} saw the same game_state`);
    assert.equal(g.plays(name === 'spec' ? 'spectator' : name).length, 4, `${name}: play_resolved x4`);
  }
  return g;
}

/** The away manager drops and comes back: request_game_state resyncs him,
 * and he plays on. */
async function reconnect(stack, g) {
  const before = g.state();
  g.s.away.disconnect();
  const back = recordAll(await connected(stack.url, g.demo.away.token));
  await joinGame(back, g.gameId, 'player');
  const sync = await ack(back, 'request_game_state', { game_id: g.gameId });
  assert.equal(sync.ok, true, JSON.stringify(sync));
  assert.deepEqual(sync.state, before, 'the state is the current one');
  assert.equal(sync.recent_plays.length, 4);
  await until(() => back.got.game_state_sync.length === 1, { what: 'game_state_sync event' });
  const roll = await ack(back, 'roll_dice', { game_id: g.gameId });
  assert.equal(roll.ok, true, JSON.stringify(roll));
  const play = await ack(g.s.home, 'submit_manual_outcome', { game_id: g.gameId, outcome: 'strikeout' });
  assert.equal(play.ok, true, JSON.stringify(play));
  assert.equal(play.play_number, 5);
  await until(() => back.got.game_state.some((x) => x?.play_count === 5), { what: 'the returned manager sees play 5' });
  await g.stateAfter(5);
}

/** dugout-fcgi processes of this stack: pid, rss (kB), argv. */
function dugoutProcs(dir) {
  const out = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'dugout-fcgi') continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!argv.some((a) => a.startsWith(dir))) continue;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      out.push({ pid: Number(pid), rss, argv });
    } catch { /* gone */ }
  }
  return out;
}

/** Problems in Apache's logs: 5xx answers, errors (Apache's, dugout's, the
 * sanitizers'). */
function logProblems(dir) {
  const problems = [];
  const access = join(dir, 'apache.access.log');
  for (const line of readFileSync(access, 'utf8').split('\n')) {
    const m = /" (\d{3}) /.exec(line);
    if (m && m[1].startsWith('5')) problems.push(`access: ${line}`);
  }
  const errors = join(dir, 'apache.error.log');
  for (const line of existsSync(errors) ? readFileSync(errors, 'utf8').split('\n') : []) {
    if (/AddressSanitizer|runtime error|LeakSanitizer/.test(line)) problems.push(`error log: ${line}`);
    else if (/dugout\[\d+\] (error|warn) /.test(line)) problems.push(`error log: ${line}`);
    // a CGI program's stderr is logged as AH01215 at level error: dugout's
    // own lines, judged above by their own level
    // (AH01630: the .htaccess this test asks for, refused as it must be)
    else if (/:(error|crit|alert|emerg)\]/.test(line) && !/AH01215|AH01630.*\/\.htaccess$/.test(line)) problems.push(`error log: ${line}`);
  }
  return problems;
}

for (const mode of ['proxy-fcgi', 'fcgid', 'cgi']) {
  describe(`Apache 2.4, ${mode}`, () => {
    const S = useStack(`deploy-apache-${mode}`, { apache: mode, env });

    test(`${mode}: page and headers, presence, plays, reconnect, a full held poll`, { timeout: 120_000 }, async (t) => {
      const stack = S.stack;
      const t0 = Date.now();
      // a client that only polls, all along the rest
      const held = heldPoll(stack.url);
      await checkPage(stack.url);
      await presenceScenario(stack);
      const g = await playSomePlays(stack);
      await reconnect(stack, g);
      const procs = dugoutProcs(stack.dir);
      t.diagnostic(`scenario, plays and reconnect in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

      const h = await held;
      assert.equal(h.pingInterval, PING_INTERVAL);
      assert.equal(h.status, 200, `the held poll: ${h.status} ${h.body}`);
      assert.equal(h.body, '2', 'the held poll is answered with the ping');
      assert.ok(h.held >= PING_INTERVAL - 1_000, `held ${h.held} ms, a whole ping interval`);
      assert.equal(h.pong, 200);
      t.diagnostic(`a poll held ${h.held} ms through Apache (${mode})`);

      // the run mode Apache gave dugout-fcgi
      if (mode === 'proxy-fcgi') {
        assert.ok(procs.some((p) => p.argv.includes('--listen')), JSON.stringify(procs));
      } else if (mode === 'fcgid') {
        assert.ok(procs.length > 0 && procs.every((p) => p.argv.includes('--single')), JSON.stringify(procs));
      }
      const rss = procs.map((p) => p.rss);
      t.diagnostic(`dugout-fcgi processes at the end of the plays: ${procs.length}, RSS ${rss.join(', ')} kB`);

      g.close();
      closeAll();
      assert.deepEqual(logProblems(stack.dir), []);
    });
  });
}

// Helpers for dugout's browser tests (node --test tests/browser/).
//
// A private stack per test file (tests/integration/helpers.mjs: useStack),
// a demo game (`dugoutctl demo`), Debian's chromium driven headless by
// playwright-core (never a browser of Playwright's own), the three links of
// a game (home manager, away manager, spectator) each in its own browser
// context, and an observer: a socket.io-client in node that asks the server
// for the state (request_game_state -> game_state_sync) so every page can be
// compared with what the server holds.
//
// The page's ids and accessible names are the contract of docs/ui.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { after } from 'node:test';
import { REPO, connected, once, token, unique, sleep, useStack } from '../integration/helpers.mjs';
import { demo } from '../integration/gamehelpers.mjs';

export { sleep };

/** Screenshots (asked for, and of every page when a test fails). */
export const ARTIFACTS = join(REPO, '_build/browser-artifacts');
export const CHROMIUM = process.env.DUGOUT_CHROMIUM || '/usr/bin/chromium';

/** How long a page may take to show what the server holds. */
export const SCREEN_TIMEOUT = 15_000;

// ------------------------------------------------------------------ browser

/**
 * Debian's chromium, headless.  The networking switches keep it from
 * calling home (component updates, sync, variations, QUIC probes): the
 * machine has no network but the loopback.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
}

/**
 * A page in a browser context of its own (its own sessionStorage, cookies,
 * socket).  page.problems collects uncaught exceptions and console errors;
 * page.label names it in messages.  opts.route(route, request) intercepts
 * the page's /socket.io/ requests (installed before the first load, so
 * every poll of the page goes through it).
 */
export async function newPage(browser, label, { viewport = { width: 1280, height: 900 }, route } = {}) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  // a first load fetches the page, its modules and socket.io-client's
  // bundle: on a loaded 2-core machine that took longer than 10 s once
  context.setDefaultNavigationTimeout(30_000);
  if (route) await context.route('**/socket.io/**', route);
  const page = await context.newPage();
  page.label = label;
  page.problems = [];
  page.consoleErrors = [];
  page.on('pageerror', (err) => page.problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    page.consoleErrors.push(msg.text());
    // the web server sends a strict Content-Security-Policy: anything of
    // the page it blocks is a defect, not noise
    if (/Content Security Policy/i.test(msg.text())) page.problems.push(`CSP: ${msg.text()}`);
  });
  return page;
}

/**
 * The stack, browser and observer a browser test file plays on: a stack
 * with the rate limits lifted (the page plays faster than a person), a
 * `dugoutctl demo` (tag names its users), chromium, and an observer of
 * the game pickGame(stack, d) names (default: the demo's).  Fills and
 * returns ctx {d, browser, gid, obs}; S.stack is the stack.
 */
export function useBrowserGame(name, tag, pickGame = async (stack, d) => d.game_id) {
  const ctx = {};
  ctx.S = useStack(name, {
    env: { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' },
  }, async (stack) => {
    const [d, browser] = await Promise.all([demo(stack, tag), launchBrowser()]);
    ctx.d = d;
    ctx.browser = browser;
    ctx.gid = await pickGame(stack, d);
    ctx.obs = await Observer.open(stack, ctx.gid);
  });
  after(async () => {
    ctx.obs?.close();
    await ctx.browser?.close();
  }, { timeout: 60_000 });
  return ctx;
}

/** The page links of docs/ui.md. */
export const links = {
  player: (url, tok, gameId) => `${url}/index.html#token=${tok}&game=${gameId}&role=player`,
  spectator: (url, tok, gameId) => `${url}/index.html#token=${tok}&game=${gameId}`,
  lobby: (url, tok) => `${url}/index.html#token=${tok}`,
};

/** Save a screenshot to ARTIFACTS/name.png; resolves with its path. */
export async function screenshot(page, name, opts = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, ...opts });
  return path;
}

/** On a failure: a screenshot and the HTML of every page, for a person to read. */
export async function saveFailure(pages, tag) {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const page of pages) {
    if (!page || page.isClosed()) continue;
    const name = `failure-${tag}-${page.label}`;
    try {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, timeout: 5_000 });
      writeFileSync(join(ARTIFACTS, `${name}.html`), await page.content());
    } catch { /* the page may be gone */ }
    if (page.problems.length || page.consoleErrors.length) {
      process.stderr.write(`---- ${page.label}: ${JSON.stringify({ problems: page.problems, console: page.consoleErrors.slice(-20) }, null, 1)}\n`);
    }
  }
}

// ------------------------------------------------------------------ observer

/**
 * A spectator socket in node, of its own user: what the server holds.
 * obs.state() asks request_game_state and resolves with game_state_sync's
 * state; obs.waitFor(pred) asks until pred(state) holds; obs.plays are the
 * play_resolved events seen.
 */
export class Observer {
  static async open(stack, gameId) {
    const tok = await token(stack, unique('observer'));
    const sock = await connected(stack.url, tok);
    const obs = new Observer(sock, gameId);
    sock.on('play_resolved', (p) => { if (p?.game_id === gameId) obs.plays.push(p); });
    // with an ack rather than integration/helpers.mjs's joinGame, whose
    // watch for a refusal keeps a 15 s timer (and so the process) alive
    const r = await sock.timeout(15_000).emitWithAck('join_game', { game_id: gameId, role: 'spectator' });
    assert.equal(r?.ok, true, `join_game as a spectator: ${JSON.stringify(r)}`);
    return obs;
  }

  constructor(sock, gameId) {
    this.sock = sock;
    this.gameId = gameId;
    this.plays = [];
  }

  async sync() {
    const got = once(this.sock, 'game_state_sync', { filter: (p) => p?.state?.game_id === this.gameId, timeout: 15_000 });
    this.sock.emit('request_game_state', { game_id: this.gameId });
    return got;
  }

  async state() { return (await this.sync()).state; }

  /** Ask for the state until pred(state) is true; resolves with that state. */
  async waitFor(pred, what, timeout = SCREEN_TIMEOUT) {
    const end = Date.now() + timeout;
    let st;
    for (;;) {
      st = await this.state();
      if (pred(st)) return st;
      if (Date.now() > end) {
        throw new Error(`the server's state never showed ${what} in ${timeout} ms; last: ${JSON.stringify(st)}`);
      }
      await sleep(100);
    }
  }

  /** get_lineup: {players, bench, pitching_change?}. */
  async lineup(teamId) {
    const r = await this.sock.timeout(15_000).emitWithAck('get_lineup', { game_id: this.gameId, team_id: teamId });
    assert.equal(r?.ok, true, `get_lineup: ${JSON.stringify(r)}`);
    return r;
  }

  close() { this.sock.disconnect(); }
}

// ------------------------------------------------------------------ the screen

/** What a page shows, read through the ids of docs/ui.md. */
export async function readScreen(page) {
  return page.evaluate(() => {
    const el = (id) => document.getElementById(id);
    const text = (id) => {
      const e = el(id);
      return e ? e.textContent.replace(/\s+/g, ' ').trim() : null;
    };
    return {
      conn: el('conn')?.dataset.state ?? null,
      stale: el('game')?.dataset.stale ?? null,
      scoreAway: text('score-away'),
      scoreHome: text('score-home'),
      inning: text('inning-label'),
      outs: text('outs-label'),
      bases: [1, 2, 3].map((b) => ({ occupied: el(`base-${b}`)?.dataset.occupied ?? null, text: text(`base-${b}`) })),
      batter: text('batter-name'),
      onDeck: text('on-deck-name'),
      pitcher: text('pitcher-name'),
      pending: el('turn')?.dataset.pending ?? null,
      turn: text('turn'),
      plays: [...document.querySelectorAll('#plays > li[data-play-number]')].map((li) => li.dataset.playNumber),
      dice: ['dice-d6', 'dice-2d6', 'dice-chaos', 'dice-resolution'].map(text),
      diceRead: text('dice-read'),
    };
  });
}

const ord = (n) => `${n} out${n === 1 ? '' : 's'}`;
const nickname = (team) => String(team?.name ?? '').split(' ').pop();

/**
 * #turn in words (docs/ui.md: "Waiting for the Gulls' defensive decision",
 * "… offensive decision", "Ready to roll", "Waiting for the outcome of roll
 * 12", "Game over: …"): the phrase and the words it must contain.
 */
function turnWords(st) {
  const batting = st.batting_team_id === st.home_team?.id ? st.home_team : st.away_team;
  const fielding = batting === st.home_team ? st.away_team : st.home_team;
  switch (st.pending_decision) {
    case 'defensive': return [/defensive decision/i, new RegExp(`\\b${nickname(fielding)}\\b`)];
    case 'offensive': return [/offensive decision/i, new RegExp(`\\b${nickname(batting)}\\b`)];
    case 'resolution': return [/ready to roll/i];
    case 'outcome': return [new RegExp(`outcome of roll ${st.pending_roll?.roll_id}\\b`, 'i')];
    default: return st.status === 'final' ? [/^game over/i] : [];
  }
}

/**
 * #dice-read for a roll (rules.md §1.6): the column d6 picks the card, 1-3
 * the batter's (columns 1-3), 4-6 the pitcher's (columns 4-6); the 2d6 the row.
 */
export function diceReadText(r) {
  return `Read the ${r.d6_one <= 3 ? "batter's" : "pitcher's"} card, column ${r.d6_one}, row ${r.d6_two_total}`;
}

/** The screen a game_state calls for, in the form compareScreen builds. */
export function expectedScreen(st) {
  const name = (e) => (e && typeof e === 'object' ? e.name : null);
  const r = st.runners ?? {};
  return {
    conn: 'connected',
    stale: 'not stale',
    scoreAway: String(st.score.away),
    scoreHome: String(st.score.home),
    inning: st.status === 'final' ? 'Final' : `${st.half === 'top' ? 'Top' : 'Bottom'} ${st.inning}`,
    outs: ord(st.outs),
    bases: ['first', 'second', 'third'].map((b) => (r[b] ? `occupied by ${name(r[b])}` : 'empty')),
    batter: name(st.batter),
    onDeck: name(st.on_deck),
    pitcher: name(st.pitcher),
    pending: st.pending_decision,
    turn: `matches ${turnWords(st).join(' and ')}`,
    plays: { count: st.play_count, newest: st.play_count ? String(st.play_count) : null },
    pendingGame: st.status === 'pending' ? true : undefined,
    dice: st.pending_roll
      ? [st.pending_roll.d6_one, st.pending_roll.d6_two_total, st.pending_roll.chaos_d20, st.pending_roll.resolution_d20].map(String)
      : 'no pending roll',
    diceRead: st.pending_roll ? diceReadText(st.pending_roll) : 'no pending roll',
  };
}

/**
 * The page's screen in the form of expectedScreen(st): a field that agrees
 * with the state takes the expected value, one that does not keeps what the
 * page shows, so a deepEqual failure reads as "expected X, page shows Y".
 */
function screenAs(got, exp, st) {
  const has = (t, want) => t !== null && want !== null && t.includes(want);
  const nums = (t) => (t ?? '').match(/\d+/g) ?? [];
  return {
    conn: got.conn,
    stale: got.stale === 'true' ? 'stale' : 'not stale',
    scoreAway: nums(got.scoreAway).join(' '),
    scoreHome: nums(got.scoreHome).join(' '),
    // a game not started yet (status pending) may say so instead of "Top 1"
    inning: exp.pendingGame && /^not started$/i.test(got.inning ?? '') ? exp.inning : got.inning,
    outs: got.outs,
    bases: got.bases.map((b, i) => {
      const want = exp.bases[i];
      if (b.occupied === 'true') {
        const n = want.replace(/^occupied by /, '');
        return want !== 'empty' && has(b.text, n) ? want : `data-occupied=true, text "${b.text}"`;
      }
      if (b.occupied === 'false') return /empty/i.test(b.text ?? '') ? 'empty' : `data-occupied=false, text "${b.text}"`;
      return `data-occupied=${b.occupied}, text "${b.text}"`;
    }),
    batter: has(got.batter, exp.batter) ? exp.batter : got.batter,
    onDeck: has(got.onDeck, exp.onDeck) ? exp.onDeck : got.onDeck,
    pitcher: has(got.pitcher, exp.pitcher) ? exp.pitcher : got.pitcher,
    pending: got.pending,
    turn: turnWords(st).every((re) => re.test(got.turn ?? '')) ? exp.turn : got.turn,
    plays: { count: got.plays.length, newest: got.plays[0] ?? null },
    pendingGame: exp.pendingGame,
    dice: Array.isArray(exp.dice)
      ? got.dice.map((t, i) => (nums(t).includes(exp.dice[i]) ? exp.dice[i] : `"${t}"`))
      : 'no pending roll',
    diceRead: st.pending_roll ? got.diceRead : 'no pending roll',
  };
}

/**
 * Wait until the page shows the game_state st (score, inning, outs, bases
 * and runner names, batter / on deck / pitcher, #turn data-pending and
 * words, the plays in #plays, the pending roll's dice and what to read),
 * connected and not stale.
 */
export async function expectScreen(page, st, what = '') {
  const exp = expectedScreen(st);
  const end = Date.now() + SCREEN_TIMEOUT;
  let view;
  for (;;) {
    try {
      view = screenAs(await readScreen(page), exp, st);
    } catch (err) {
      view = { error: err.message };   // a reload in progress
    }
    if (JSON.stringify(view) === JSON.stringify(exp)) return view;
    if (Date.now() > end) break;
    await sleep(100);
  }
  assert.deepEqual(view, exp, `${page.label}'s screen ${what} (play_count ${st.play_count}, pending ${st.pending_decision}) -- expected: the server's state`);
  return view;
}

/** expectScreen on every page. */
export async function expectScreens(pages, st, what) {
  await Promise.all(pages.map((p) => expectScreen(p, st, what)));
}

// ------------------------------------------------------------------ controls

const norm = (s) => String(s ?? '').toLowerCase().replace(/[_\-–—]+/g, ' ').replace(/\s+/g, ' ').trim();

/**
 * Select the option of a <select> whose value or label is `want` (compared
 * without case, '_' and '-'), else whose label contains it; waits for such
 * an option to appear and be enabled (options can depend on the state).
 */
export async function choose(select, want, { timeout = 10_000 } = {}) {
  const end = Date.now() + timeout;
  const w = norm(want);
  let opts = [];
  for (;;) {
    opts = await select.evaluate((el) => [...el.options].map((o) => ({ value: o.value, label: (o.label || o.textContent).trim(), disabled: o.disabled })));
    const ok = opts.filter((o) => !o.disabled);
    const hit = ok.find((o) => norm(o.value) === w || norm(o.label) === w)
      ?? ok.find((o) => norm(o.label).includes(w));
    if (hit) {
      await select.selectOption({ value: hit.value });
      return hit;
    }
    if (Date.now() > end) break;
    await sleep(100);
  }
  throw new Error(`no enabled option "${want}" in ${select}: ${JSON.stringify(opts)}`);
}

/** The options of a <select>: [{value, label, disabled}]. */
export async function optionsOf(select) {
  return select.evaluate((el) => [...el.options].map((o) => ({ value: o.value, label: (o.label || o.textContent).trim(), disabled: o.disabled })));
}

/** The option matching want (as choose() matches), or undefined. */
export async function findOption(select, want) {
  const w = norm(want);
  const opts = await optionsOf(select);
  return opts.find((o) => norm(o.value) === w || norm(o.label) === w) ?? opts.find((o) => norm(o.label).includes(w));
}

/** A button by accessible name that is visible and enabled right now. */
export async function usable(page, name) {
  const b = page.getByRole('button', { name, exact: true });
  if (await b.count() !== 1) return false;
  return (await b.isVisible()) && (await b.isEnabled());
}

/** Click a button by accessible name once it is visible and enabled. */
export async function press(page, name, scope = page) {
  const b = scope.getByRole('button', { name, exact: true });
  await b.waitFor({ state: 'visible' });
  const end = Date.now() + 10_000;
  while (!(await b.isEnabled())) {
    if (Date.now() > end) throw new Error(`${page.label}: button "${name}" stays disabled`);
    await sleep(50);
  }
  await b.click();
}

// ------------------------------------------------------------------ holding polls

/**
 * A gate for a page's /socket.io/ requests: while held, its GETs (the polls
 * that bring the server's events) wait; POSTs go through.  Pass gate.route
 * as newPage's route.  gate.held counts the GETs waiting.
 */
export function pollGate() {
  let release = null;
  let waiting = Promise.resolve();
  const gate = {
    held: 0,
    holding: false,
    hold() {
      gate.holding = true;
      waiting = new Promise((r) => { release = r; });
    },
    release() {
      gate.holding = false;
      if (release) release();
      release = null;
    },
    async route(route, request) {
      if (gate.holding && request.method() === 'GET') {
        gate.held += 1;
        await waiting;
        gate.held -= 1;
      }
      try {
        await route.continue();
      } catch { /* the page went away */ }
    },
  };
  return gate;
}

// The game page (www/, docs/ui.md) in Debian's chromium, headless: the
// home and away managers and a spectator, each in a browser context of
// their own, play the top of the 1st through the page -- decisions, rolls,
// outcomes (a single, a double-play ball, a single and a double with the
// runner moving up, a strikeout), a pinch hitter and a pitching change --
// and after every step all three pages are compared with the state the
// server holds (an observer socket asking request_game_state).  In the
// middle a manager's page is reloaded; at the end a manager acting on a
// stale screen gets the server's refusal next to the control, and the play
// is recorded once.  The lobby lists the game and opens it.
//
// Controls are found by their accessible names (getByRole / getByLabel),
// the parts of the screen by the ids of docs/ui.md.
//
// Demo teams (sql/006_demo.sql): the Marrow Bay Gulls (home) and the
// Ironvale Smelters (away); A1..A9 / H1..H9 are the batters by slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until, sleep } from '../integration/helpers.mjs';
import { psql } from '../integration/gamehelpers.mjs';
import {
  useBrowserGame, newPage, links, screenshot, saveFailure, Observer, readScreen,
  expectScreen, expectScreens, choose, findOption, usable, press, pollGate, ARTIFACTS,
} from './helpers.mjs';

const ctx = useBrowserGame('browser-game', 'br');
const S = ctx.S;

// the panels with controls (the dice panel also shows the dice: a spectator
// has it, without its "Roll dice" button)
const PANELS = ['#defense-panel', '#offense-panel', '#outcome-panel', '#sub-panel'];
const NO_ROLL = 'No pending dice roll - call roll_dice first';

/** Run fn as a named step: its name prefixes a failure, its time goes to the report. */
async function step(t, name, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } catch (err) {
    err.message = `[step: ${name}] ${err.message}`;
    throw err;
  }
  t.diagnostic(`${name}: ${Date.now() - t0} ms`);
}

/** Close a page's browser context. */
async function closePage(page) {
  try { await page.context().close(); } catch { /* already closed */ }
}

/** The page moved its token out of the address (docs/ui.md, Links and tokens). */
async function expectNoTokenInUrl(page, tok) {
  await until(() => !page.url().includes('token='), { timeout: 10_000, what: `${page.label}: the token leaves the address bar (${page.url()})` });
  assert.ok(!page.url().includes(tok), `${page.label}: ${page.url()}`);
}

test('the lobby lists the game and its "Open" link enters it', { timeout: 60_000 }, async (t) => {
  const { d, browser, obs } = ctx;
  const page = await newPage(browser, 'lobby');
  try {
    await step(t, 'lobby', async () => {
      const resp = await page.goto(links.lobby(S.stack.url, d.home.token));
      // the web server backs the page's own no-referrer meta, and the page
      // works under a CSP that allows nothing but its own files
      const h = resp.headers();
      assert.equal(h['referrer-policy'], 'no-referrer');
      assert.match(h['content-security-policy'] ?? '', /default-src 'self'/);
      await expectNoTokenInUrl(page, d.home.token);
      const lobby = page.locator('#lobby');
      const open = lobby.getByRole('link', { name: 'Open', exact: true });
      await open.first().waitFor({ state: 'visible' });
      assert.equal(await open.count(), 1, 'one game in this stack, managed by this user: one "Open" link');
      const text = (await lobby.textContent()).replace(/\s+/g, ' ');
      for (const side of ['home', 'away']) {
        assert.ok(text.includes(d[side].name) || text.includes(d[side].abbrev),
          `the lobby names the ${side} team (${d[side].name} / ${d[side].abbrev}): "${text}"`);
      }
      assert.equal(await lobby.getByRole('link', { name: 'Watch', exact: true }).count(), 1, 'a "Watch" link too');
      const href = await open.getAttribute('href');
      assert.ok(href.includes(`game=${d.game_id}`) && href.includes('role=player') && !href.includes('token'),
        `"Open" goes to the game as a manager, without the token: ${href}`);
      await open.click();
    });
    await step(t, 'the game, opened from the lobby', async () => {
      await until(() => page.url().includes(`game=${d.game_id}`), { timeout: 10_000, what: `the address names the game (${page.url()})` });
      assert.ok(!page.url().includes('token='), page.url());
      await expectScreen(page, await obs.state(), 'opened from the lobby');
      await page.locator('#dice-panel').waitFor({ state: 'visible' });
      assert.deepEqual(page.problems, [], 'no uncaught errors in the page');
    });
  } catch (err) {
    await saveFailure([page], 'lobby');
    throw err;
  } finally {
    await closePage(page);
  }
});

test('a half-inning through the page: two managers and a spectator', { timeout: 150_000 }, async (t) => {
  const { d, browser, obs } = ctx;
  const url = S.stack.url;
  const gid = d.game_id;
  const A = (slot) => d.away.lineup[slot - 1].name;
  const gate = pollGate();   // holds the away manager's polls at the end
  const home = await newPage(browser, 'home');
  const away = await newPage(browser, 'away', { route: gate.route });
  const spec = await newPage(browser, 'spectator');
  const all = [home, away, spec];

  // the server's state, once pred holds; then every page must show it
  const settle = async (pred, what) => {
    const st = await obs.waitFor(pred, what);
    await expectScreens(all, st, `after ${what}`);
    return st;
  };
  const panel = (page, id) => page.locator(`#${id}`);
  const defense = async (page, { infield = 'normal', hold = [] } = {}) => {
    const p = panel(page, 'defense-panel');
    await choose(p.getByLabel('Alignment', { exact: true }), 'normal');
    await choose(p.getByLabel('Infield depth', { exact: true }), infield);
    await choose(p.getByLabel('Outfield depth', { exact: true }), 'normal');
    for (const b of hold) await p.getByLabel(`Hold runner on ${b}`, { exact: true }).check();
    await press(page, 'Submit defense', p);
  };
  const offense = async (page, { approach = 'normal' } = {}) => {
    const p = panel(page, 'offense-panel');
    await choose(p.getByLabel('Approach', { exact: true }), approach);
    await press(page, 'Submit offense', p);
  };
  const outcome = async (page, name, location) => {
    const p = panel(page, 'outcome-panel');
    await choose(p.getByLabel('Outcome', { exact: true }), name);
    if (location) await choose(p.getByLabel('Hit location', { exact: true }), location);
    await press(page, 'Submit outcome', p);
  };
  const substitute = async (page, kind, out, inn) => {
    const p = panel(page, 'sub-panel');
    await choose(p.getByLabel('Substitution', { exact: true }), kind);
    await choose(p.getByLabel('Player out', { exact: true }), out);
    await choose(p.getByLabel('Player in', { exact: true }), inn);
    await press(page, 'Make substitution', p);
  };
  /**
   * The home page offers a pitching change exactly when the server allows
   * one (lineup_data.pitching_change), and says the server's reason when not.
   */
  const pitchingChangeAsServer = async (what) => {
    const pc = (await obs.lineup(d.home.team_id)).pitching_change;
    assert.equal(typeof pc?.allowed, 'boolean', `lineup_data.pitching_change (${what}): ${JSON.stringify(pc)}`);
    const p = panel(home, 'sub-panel');
    const kind = p.getByLabel('Substitution', { exact: true });
    const end = Date.now() + 10_000;
    let opt;
    while ((opt = await findOption(kind, 'pitching change'))?.disabled !== !pc.allowed) {
      if (Date.now() > end) {
        assert.fail(`${what}: the server ${pc.allowed ? 'allows' : 'refuses'} a pitching change (${JSON.stringify(pc)}); `
          + `the home page's "Pitching change" option: ${JSON.stringify(opt)}`);
      }
      await sleep(100);
    }
    if (!pc.allowed && pc.message) {
      const text = (await p.textContent()).replace(/\s+/g, ' ');
      assert.ok(text.includes(pc.message), `${what}: the server's reason "${pc.message}" is shown in #sub-panel: "${text}"`);
    }
    return pc;
  };
  /** Defence by the fielding manager, offence by the batting one, a roll. */
  const upToTheRoll = async (st, fielding, batting, roller, what, decide = {}) => {
    const n = st.play_count;
    assert.ok(await usable(fielding, 'Submit defense'), `${fielding.label} may submit the defence (${what})`);
    assert.ok(!(await usable(batting, 'Submit defense')), `${batting.label} may not submit the defence (${what})`);
    await defense(fielding, decide.defense);
    st = await settle((s) => s.pending_decision === 'offensive', `the defence for ${what}`);
    assert.ok(await usable(batting, 'Submit offense'), `${batting.label} may submit the offence (${what})`);
    assert.ok(!(await usable(fielding, 'Submit offense')), `${fielding.label} may not submit the offence (${what})`);
    await offense(batting, decide.offense);
    st = await settle((s) => s.pending_decision === 'resolution', `the offence for ${what}`);
    await press(roller, 'Roll dice');
    // the dice and what to read from them are part of every screen check
    return settle((s) => s.pending_decision === 'outcome' && s.pending_roll !== null && s.play_count === n, `the roll for ${what}`);
  };

  try {
    let st;
    await step(t, 'open the three links', async () => {
      await Promise.all([
        home.goto(links.player(url, d.home.token, gid)),
        away.goto(links.player(url, d.away.token, gid)),
        spec.goto(links.spectator(url, d.spectator.token, gid)),
      ]);
      for (const [page, tok] of [[home, d.home.token], [away, d.away.token], [spec, d.spectator.token]]) {
        await expectNoTokenInUrl(page, tok);
        const stored = await page.evaluate(() => Object.values(sessionStorage).join(' '));
        assert.ok(stored.includes(tok), `${page.label}: the token is kept in sessionStorage`);
      }
      st = await obs.state();
      assert.equal(st.pending_decision, 'defensive', JSON.stringify(st));
      await expectScreens(all, st, 'on opening');
      for (const page of all) {
        assert.equal(await page.locator('#conn').getAttribute('role'), 'status', `${page.label}: #conn is a status`);
        assert.equal(await page.locator('#notice').getAttribute('role'), 'alert', `${page.label}: #notice is an alert`);
      }
    });

    await step(t, 'the spectator has no controls; the managers have theirs', async () => {
      for (const sel of PANELS) {
        assert.equal(await spec.locator(sel).count(), 0, `spectator: ${sel} is absent`);
      }
      for (const name of ['Submit defense', 'Submit offense', 'Roll dice', 'Submit outcome', 'Make substitution']) {
        assert.equal(await spec.getByRole('button', { name }).count(), 0, `spectator: no "${name}" button`);
      }
      for (const page of [home, away]) {
        for (const sel of ['#dice-panel', '#outcome-panel', '#sub-panel']) {
          assert.equal(await page.locator(sel).count(), 1, `${page.label}: ${sel} is there`);
        }
      }
    });

    await step(t, 'choices the state forbids are disabled', async () => {
      // bases empty: no double-play depth, no runner to hold
      const dp = await findOption(panel(home, 'defense-panel').getByLabel('Infield depth', { exact: true }), 'double play');
      assert.ok(dp, 'Infield depth offers double-play depth');
      assert.equal(dp.disabled, true, `double-play depth is disabled with nobody on 1st: ${JSON.stringify(dp)}`);
      assert.equal(await panel(home, 'defense-panel').getByLabel('Hold runner on 1st', { exact: true }).isDisabled(), true,
        '"Hold runner on 1st" is disabled with 1st empty');
      // nobody has faced the home starter: no pitching change, and why
      const pc = await pitchingChangeAsServer('before the first pitch');
      assert.equal(pc.allowed, false, JSON.stringify(pc));
    });

    // ---- A1: decisions, roll, a single
    await step(t, `A1 ${A(1)}: defence, offence, roll`, async () => {
      st = await upToTheRoll(st, home, away, away, 'A1', { offense: { approach: 'contact' } });
      assert.equal(st.decisions?.offensive?.approach, 'contact', `the offence chosen on the page: ${JSON.stringify(st.decisions)}`);
    });
    await step(t, `A1 ${A(1)}: single_1 to CF`, async () => {
      await outcome(home, 'single_1', 'CF');
      st = await settle((s) => s.play_count === 1, 'the single');
      assert.equal(st.runners.first?.name, A(1), `A1 on 1st: ${JSON.stringify(st.runners)}`);
      assert.equal(st.outs, 0);
    });

    // ---- a pinch hitter for A2, before the roll
    const awayLineup = await obs.lineup(d.away.team_id);
    const ph = awayLineup.bench.find((b) => !b.positions.includes('P'));
    assert.ok(ph, `a position player on the away bench: ${JSON.stringify(awayLineup.bench)}`);
    await step(t, `pinch hitter ${ph.name} for A2 ${A(2)}`, async () => {
      assert.equal(st.batter.name, A(2));
      await substitute(away, 'Pinch hitter', A(2), ph.name);
      st = await settle((s) => s.batter?.name === ph.name, 'the pinch hitter');
      assert.equal(st.batter.batting_order, 2);
    });

    // ---- the pinch hitter grounds into a double play (double-play depth now allowed)
    await step(t, `${ph.name}: defence at double-play depth, holding the runner; roll`, async () => {
      const dp = await findOption(panel(home, 'defense-panel').getByLabel('Infield depth', { exact: true }), 'double play');
      assert.equal(dp?.disabled, false, `double-play depth is allowed with a runner on 1st and 0 out: ${JSON.stringify(dp)}`);
      st = await upToTheRoll(st, home, away, home, 'the pinch hitter', { defense: { infield: 'double play', hold: ['1st'] } });
      assert.equal(st.decisions?.defensive?.infield_depth, 'double_play', JSON.stringify(st.decisions));
      assert.deepEqual(st.decisions?.defensive?.hold_runners, [1], JSON.stringify(st.decisions));
    });
    await step(t, `${ph.name}: groundball_a to SS, a double play`, async () => {
      await outcome(away, 'groundball_a', 'SS');
      st = await settle((s) => s.play_count === 2, 'the double play');
      assert.equal(st.outs, 2, JSON.stringify(st));
      assert.deepEqual(st.runners, { first: null, second: null, third: null });
      const play = obs.plays.find((p) => p.play_number === 2);
      assert.equal(play?.outs_recorded, 2, `two outs on the play: ${JSON.stringify(play)}`);
      assert.equal(st.batter.name, A(3));
    });

    // ---- a pitching change: the home starter has faced two batters
    const homeLineup = await obs.lineup(d.home.team_id);
    const reliever = homeLineup.bench.find((b) => b.positions.includes('P'));
    assert.ok(reliever, `a pitcher on the home bench: ${JSON.stringify(homeLineup.bench)}`);
    await step(t, `pitching change: ${reliever.name} for ${d.home.pitcher.name}`, async () => {
      assert.equal(st.pitcher.name, d.home.pitcher.name);
      assert.equal((await pitchingChangeAsServer('after two batters')).allowed, true);
      await substitute(home, 'Pitching change', d.home.pitcher.name, reliever.name);
      st = await settle((s) => s.pitcher?.name === reliever.name, 'the pitching change');
      // the reliever has faced nobody yet
      assert.equal((await pitchingChangeAsServer('right after the change')).allowed, false);
    });

    // ---- A3 singles
    await step(t, `A3 ${A(3)}: decisions, roll, single_1 to LF`, async () => {
      st = await upToTheRoll(st, home, away, away, 'A3');
      await outcome(home, 'single_1', 'LF');
      st = await settle((s) => s.play_count === 3, 'the second single');
      assert.equal(st.runners.first?.name, A(3), JSON.stringify(st.runners));
      assert.equal((await pitchingChangeAsServer('once the reliever has faced a batter')).allowed, true);
    });

    // ---- a reload of the away manager's page
    await step(t, 'reload the away manager\'s page', async () => {
      await away.reload();
      await expectScreen(away, st, 'after a reload');
      await expectNoTokenInUrl(away, d.away.token);
      const stored = await away.evaluate(() => Object.values(sessionStorage).join(' '));
      assert.ok(stored.includes(d.away.token), 'the token is still in sessionStorage');
    });

    // ---- A4 doubles: the runner on 1st goes to 3rd
    await step(t, `A4 ${A(4)}: decisions, roll, double_2 to LF`, async () => {
      st = await upToTheRoll(st, home, away, home, 'A4');
      await outcome(away, 'double_2', 'LF');
      st = await settle((s) => s.play_count === 4, 'the double');
      assert.equal(st.runners.third?.name, A(3), JSON.stringify(st.runners));
      assert.equal(st.runners.second?.name, A(4), JSON.stringify(st.runners));
      assert.equal(st.runners.first, null);
      assert.equal(st.outs, 2);
    });

    await step(t, 'screenshots', async () => {
      t.diagnostic(`screenshots in ${ARTIFACTS}`);
      const top = () => home.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
      await top();
      await screenshot(home, 'game-home-1280x900');
      await screenshot(home, 'game-home-1280x900-full', { fullPage: true });
      await screenshot(spec, 'game-spectator-1280x900-full', { fullPage: true });
      await home.setViewportSize({ width: 390, height: 844 });
      await top();
      await screenshot(home, 'game-home-390x844');
      await screenshot(home, 'game-home-390x844-full', { fullPage: true });
      // reported, not asserted (docs/ui.md only says "stacked on a phone")
      const width = await home.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) t.diagnostic(`note: on a 390 px wide phone the page is ${width} px wide (it scrolls sideways)`);
      await home.setViewportSize({ width: 1280, height: 900 });
    });

    // ---- A5: the home manager records a strikeout (the third out) while
    // the away manager's page, whose polls are held, still shows the roll
    let rollId;
    let stale;
    await step(t, `A5 ${A(5)}: decisions and a roll`, async () => {
      st = await upToTheRoll(st, home, away, away, 'A5');
      rollId = st.pending_roll.roll_id;
      stale = st;
    });
    await step(t, 'hold the away page\'s polls; the home manager records the strikeout', async () => {
      gate.hold();
      // a room event ends the away page's poll in flight; its next one is held
      const extra = await Observer.open(S.stack, gid);
      try {
        await until(() => gate.held > 0, { timeout: 15_000, what: 'a held poll of the away page' });
      } finally {
        extra.close();
      }
      await outcome(home, 'strikeout');
      st = await obs.waitFor((s) => s.play_count === 5, 'the strikeout');
      assert.equal(st.half, 'bottom', `three out: the bottom of the 1st: ${JSON.stringify(st)}`);
      await expectScreens([home, spec], st, 'after the strikeout');
      const awayNow = await readScreen(away);
      assert.equal(awayNow.pending, 'outcome', `the away page is stale: it still shows the roll ${JSON.stringify(awayNow)}`);
      assert.equal(awayNow.plays.length, 4, `the away page is stale: 4 plays ${JSON.stringify(awayNow)}`);
    });
    await step(t, 'the away manager submits an outcome on the stale screen', async () => {
      const posted = away.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/socket.io/')
        && (r.postData() ?? '').includes('submit_manual_outcome'));
      await outcome(away, 'strikeout');
      const res = await (await posted).response();
      assert.equal(res?.status(), 200, 'the POST went through');
      gate.release();
      const err = away.locator('#outcome-error');
      const end = Date.now() + 15_000;
      let text = '';
      while (!(text = ((await err.textContent().catch(() => '')) ?? '')).includes(NO_ROLL)) {
        if (Date.now() > end) assert.fail(`#outcome-error shows "${NO_ROLL}"; it shows "${text}"`);
        await away.waitForTimeout(100);
      }
      assert.ok(await err.isVisible(), '#outcome-error is visible');
      await expectScreen(away, st, 'after the held polls were let through');
      assert.equal(await psql(S.stack, `SELECT count(*) FROM play WHERE game_id = '${gid}'`), '5', 'five plays recorded');
      assert.equal(await psql(S.stack, `SELECT count(*) FROM play WHERE roll_id = ${Number(rollId)}`), '1', 'the roll was used by one play');
      assert.equal(await psql(S.stack, `SELECT outcome FROM play WHERE game_id = '${gid}' AND play_number = 5`), 'strikeout');
    });

    // ---- the bottom of the 1st: the sides have changed
    await step(t, 'bottom 1: the away manager fields; the refusal stays on screen', async () => {
      assert.equal(st.batter.name, d.home.lineup[0].name);
      assert.equal(st.pitcher.name, d.away.pitcher.name);
      assert.equal(st.outs, 0);
      assert.deepEqual(st.score, { home: 0, away: 0 });
      assert.ok(await usable(away, 'Submit defense'), 'the away manager fields now');
      assert.ok(!(await usable(home, 'Submit defense')), 'the home manager bats now');
      await defense(away);
      st = await settle((s) => s.pending_decision === 'offensive', 'the away manager\'s defence in the bottom of the 1st');
      assert.ok(((await away.locator('#outcome-error').textContent()) ?? '').includes(NO_ROLL),
        'a later game_state does not wipe the refusal');
    });

    await step(t, 'no uncaught errors in the pages', async () => {
      for (const page of all) assert.deepEqual(page.problems, [], `${page.label}: uncaught errors`);
    });
  } catch (err) {
    gate.release();
    await saveFailure(all, 'game');
    throw err;
  } finally {
    gate.release();
    for (const page of all) await closePage(page);
  }
});

// A game to its end through the page (issue: "a person ... can play a game
// to the end"): a one-inning game between the demo teams, rolled and
// entered by the two managers' pages without any decision (the defaults
// hold), three strikeouts in the top of the 1st and a walk-off home run in
// the bottom.  Every page must then show the final: "Final", the score, the
// winner in #turn, no usable control, and the box score with the pitchers'
// W and L; the spectator followed it all live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../integration/helpers.mjs';
import { shortGame } from '../integration/gamehelpers.mjs';
import {
  useBrowserGame, newPage, links, screenshot, saveFailure,
  expectScreens, choose, usable, press,
} from './helpers.mjs';

const ctx = useBrowserGame('browser-finish', 'fin', (stack, d) => shortGame(stack, d, 1));
const S = ctx.S;

test('a one-inning game played to its walk-off end through the page', { timeout: 150_000 }, async () => {
  const { d, browser, obs, gid } = ctx;
  const url = S.stack.url;
  const home = await newPage(browser, 'home');
  const away = await newPage(browser, 'away');
  const spec = await newPage(browser, 'spectator', { viewport: { width: 390, height: 844 } });
  const all = [home, away, spec];

  // one plate appearance: `roller` rolls, `enterer` enters what the card says
  const pa = async (roller, enterer, outcome, n, pages = all) => {
    await press(roller, 'Roll dice');
    await obs.waitFor((s) => s.pending_roll !== null && s.play_count === n - 1, `the roll for play ${n}`);
    const p = enterer.locator('#outcome-panel');
    await choose(p.getByLabel('Outcome', { exact: true }), outcome);
    await press(enterer, 'Submit outcome', p);
    const st = await obs.waitFor((s) => s.play_count === n, `play ${n} (${outcome})`);
    await expectScreens(pages, st, `after play ${n} (${outcome})`);
    return st;
  };

  try {
    await Promise.all([
      home.goto(links.player(url, d.home.token, gid)),
      away.goto(links.player(url, d.away.token, gid)),
      spec.goto(links.spectator(url, d.spectator.token, gid)),
    ]);
    await expectScreens(all, await obs.state(), 'on opening');

    // every control has a name a screen reader can say
    for (const page of all) {
      const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => !e.closest('[hidden]'))
        .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')
          || (e.tagName === 'BUTTON' && e.textContent.trim())))
        .map((e) => e.outerHTML.slice(0, 120)));
      assert.deepEqual(unnamed, [], `${page.label}: controls without a label`);
    }

    // top of the 1st: the away manager rolls, the home manager enters; the
    // first roll by keyboard alone (a real button takes focus and Enter)
    await away.getByRole('button', { name: 'Roll dice' }).focus();
    await away.keyboard.press('Enter');
    await obs.waitFor((s) => s.pending_roll !== null, 'the roll made from the keyboard');
    await home.locator('#outcome-panel').getByLabel('Outcome', { exact: true }).focus();
    await choose(home.locator('#outcome-panel').getByLabel('Outcome', { exact: true }), 'strikeout');
    await home.getByRole('button', { name: 'Submit outcome' }).focus();
    await home.keyboard.press('Enter');
    await expectScreens(all, await obs.waitFor((s) => s.play_count === 1, 'play 1 from the keyboard'), 'after play 1');

    // the spectator loses the network for a play: the page says so and
    // marks what it shows as stale, then resyncs by itself
    await spec.context().setOffline(true);
    await spec.locator('#conn:not([data-state="connected"])').waitFor({ timeout: 30_000 });
    await spec.locator('#game[data-stale="true"]').waitFor({ timeout: 5_000 });
    const offlineState = await spec.locator('#conn').getAttribute('data-state');
    assert.ok(['offline', 'reconnecting'].includes(offlineState), `spectator offline: #conn data-state=${offlineState}`);
    await pa(away, home, 'strikeout', 2, [home, away]);
    assert.equal(await spec.locator('#plays > li[data-play-number]').count(), 1, 'the offline spectator has not seen play 2');
    await spec.context().setOffline(false);
    await expectScreens(all, await obs.state(), 'after the spectator came back');

    await pa(away, home, 'strikeout', 3);
    let st = await obs.state();
    assert.equal(st.half, 'bottom', `three outs end the top half: ${JSON.stringify(st)}`);

    // bottom of the 1st: the other way round; a home run wins it
    st = await pa(home, away, 'homerun', 4);
    assert.equal(st.status, 'final', JSON.stringify(st));
    assert.deepEqual(st.score, { home: 1, away: 0 });
    assert.equal(String(st.winner_team_id), String(d.home.team_id));

    for (const page of all) {
      assert.equal((await page.locator('#inning-label').textContent()).trim(), 'Final', `${page.label}: Final`);
      const turn = (await page.locator('#turn').textContent()).replace(/\s+/g, ' ');
      assert.match(turn, /game over/i, `${page.label}: #turn says the game is over: "${turn}"`);
      assert.ok(turn.includes('Gulls'), `${page.label}: #turn names the winner: "${turn}"`);
    }
    for (const page of [home, away]) {
      for (const name of ['Roll dice', 'Submit outcome', 'Make substitution']) {
        assert.equal(await usable(page, name), false, `${page.label}: "${name}" is not usable after the final out`);
      }
    }

    // the box score: the home starter wins, the away starter loses
    const boxText = async (page, id) => (await page.locator(id).textContent()).replace(/\s+/g, ' ');
    for (const page of all) {
      await page.getByRole('button', { name: 'Refresh box score' }).click();
      let hp = '', ap = '';
      for (const end = Date.now() + 10_000; Date.now() < end; await sleep(100)) {
        hp = await boxText(page, '#box-pitching-home');
        ap = await boxText(page, '#box-pitching-away');
        if (/\(W\)/.test(hp) && /\(L\)/.test(ap)) break;
      }
      assert.match(hp, /\(W\)/, `${page.label}: a W in the home pitching box: "${hp}"`);
      assert.match(ap, /\(L\)/, `${page.label}: an L in the away pitching box: "${ap}"`);
      assert.ok((await boxText(page, '#box-pitching-home')).includes(`${d.home.pitcher.name} (W)`), `${page.label}: the home starter's W`);
    }
    for (const page of [home, spec]) await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(home, 'final-home-1280x900', { fullPage: false });
    await screenshot(spec, 'final-spectator-390x844', { fullPage: false });
    for (const page of all) assert.deepEqual(page.problems, [], `${page.label}: uncaught errors`);
  } catch (err) {
    await saveFailure(all, 'finish');
    throw err;
  }
});

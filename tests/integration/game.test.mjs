// Two complete scripted nine-inning games through the real client, with
// every number checked against figures computed by hand from rules.md
// (§1.3-1.4 runner movement, §2 game flow and walk-off, §3 scoring, §3.5
// decisions): the play-by-play, the final game_state, the line score, the
// box score and the box-score identity of §3.1.  The home and away
// managers and a spectator all watch; they must see the same plays in the
// same order.
//
// Teams (sql/006_demo.sql): home MBG (H1..H9, starter HP = Orrin
// Blackwood), away IVS (A1..A9, starter AP = Silas Greaves); both bat 1-9
// with a DH.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, closeAll, until, ctl } from './helpers.mjs';
import { openGame, basesOf, ack, psql } from './gamehelpers.mjs';

// scripted play rolls faster than a person: lift the rate limits (rejections
// tests the defaults)
const S = useStack('game', { env: { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' } });
afterEach(() => closeAll());

const END = 'END';          // the play made the third out
const RUNNER_EVENTS = new Set(['stolen_base', 'caught_stealing', 'pickoff', 'wild_pitch', 'passed_ball', 'balk']);
// rules.md §1.1: static flags of the outcome kinds used here
const IS_HIT = new Set(['single_1', 'double_2', 'double_uncapped', 'triple', 'homerun']);
const IS_OUT = new Set(['strikeout', 'groundball_a', 'groundball_b', 'groundball_c', 'flyball_a',
  'flyball_b', 'lineout', 'popout', 'sac_bunt', 'fielders_choice']);
const IS_WALK = new Set(['walk']);
// rules.md §1.7 batter_result, where the outcome alone decides it
const RESULT = {
  strikeout: 'K', single_1: '1B', double_2: '2B', double_uncapped: '2B', triple: '3B',
  homerun: 'HR', walk: 'BB', hbp: 'HBP', error: 'E', fielders_choice: 'FC', sac_bunt: 'SH',
  groundball_a: 'out', groundball_c: 'out', lineout: 'out', popout: 'out',
  stolen_base: null, wild_pitch: null,
};

// A play: [batter at the plate, outcome, modifiers (a string is the
// hit_location), bases after ("first second third", '-' empty, or END),
// outs after, runs on the play, runner moves {from,to,out} other than a
// retired batter (checked when given)].  A decision: {decide, by, payload,
// pending}.
const GAME_OVER = 'GAME_OVER';   // the play ended the game without a third out (walk-off)
const K = (b, outs, bases) => [b, 'strikeout', null, outs === 3 ? END : bases, outs, 0, []];
/** Three strikeouts in a row (the bases stay as they are, empty by default). */
const K3 = (a, b, c, bases = '- - -') => [K(a, 1, bases), K(b, 2, bases), K(c, 3)];

// ------------------------------------------------------------ game 1
// The visitors win 5-3 in nine; every kind of play the brief asks for.
const GAME1 = [
  { inning: 1, half: 'top', plays: [
    ['A1', 'single_1', 'CF', 'A1 - -', 0, 0, [[0, 1]]],
    // steal of second: the defence holds the runner, the offence sends him
    { decide: 'defensive', by: 'home', payload: { hold_runners: [1] }, pending: 'offensive' },
    { decide: 'offensive', by: 'away', payload: { steal_attempts: [1] }, pending: 'resolution' },
    ['A2', 'stolen_base', null, '- A1 -', 0, 0, [[1, 2]]],        // runner event: A2 stays up
    ['A2', 'strikeout', null, '- A1 -', 1, 0, []],
    ['A3', 'single_1', 'LF', 'A3 - A1', 1, 0, [[2, 3], [0, 1]]],   // SI*: runners +1
    ['A4', 'flyball_b', 'CF', 'A3 - -', 2, 1, [[3, 4]]],           // R3 tags: sac fly, 1-0
    ['A5', 'strikeout', null, END, 3, 0, []],                      // LOB 1 (A3)
  ] },
  { inning: 1, half: 'bottom', plays: [
    ['H1', 'homerun', null, '- - -', 0, 1, [[0, 4]]],              // 1-1
    ['H2', 'walk', null, 'H2 - -', 0, 0, [[0, 1]]],
    ['H3', 'groundball_a', 'SS', '- - -', 2, 0, [[1, 2, true]]],   // 6-4-3 double play, GIDP
    ['H4', 'popout', '2B', END, 3, 0, []],                          // LOB 0
  ] },
  { inning: 2, half: 'top', plays: [
    ['A6', 'hbp', null, 'A6 - -', 0, 0, [[0, 1]]],
    ['A7', 'sac_bunt', 'P', '- A6 -', 1, 0, [[1, 2]]],             // SH: no AB
    ['A8', 'wild_pitch', null, '- - A6', 1, 0, [[2, 3]]],          // runner event: A8 stays up
    ['A8', 'lineout', 'SS', '- - A6', 2, 0, []],
    ['A9', 'strikeout', null, END, 3, 0, []],                      // LOB 1 (A6)
  ] },
  { inning: 2, half: 'bottom', plays: [
    ['H5', 'double_2', 'LF', '- H5 -', 0, 0, [[0, 2]]],
    ['H6', 'groundball_c', '2B', '- - H5', 1, 0, [[2, 3]]],        // slow roller: runners +1
    ['H7', 'flyball_a', 'LF', '- - -', 2, 1, [[3, 4]]],            // sac fly, home 2-1
    ['H8', 'strikeout', null, END, 3, 0, []],
  ] },
  { inning: 3, half: 'top', plays: [
    ['A1', 'walk', null, 'A1 - -', 0, 0, [[0, 1]]],
    ['A2', 'groundball_b', 'SS', 'A2 - -', 1, 0, [[1, 2, true], [0, 1]]],      // force at 2nd
    ['A3', 'fielders_choice', '2B', 'A3 - -', 2, 0, [[1, 2, true], [0, 1]]],   // lead runner forced
    ['A4', 'triple', 'RF', '- - A4', 2, 1, [[1, 4], [0, 3]]],      // 2-2
    ['A5', 'strikeout', null, END, 3, 0, []],                      // LOB 1 (A4)
  ] },
  { inning: 3, half: 'bottom', plays: [
    ['H9', 'error', { hit_location: 'SS', error_bases: 1 }, 'H9 - -', 0, 0, [[0, 1]]],   // E6
    ['H1', 'double_uncapped', 'RF', '- H1 H9', 0, 0, [[1, 3], [0, 2]]],  // no optional advance: as double_2
    ['H2', 'strikeout', null, '- H1 H9', 1, 0, []],
    ['H3', 'strikeout', null, '- H1 H9', 2, 0, []],
    ['H4', 'popout', '1B', END, 3, 0, []],                          // LOB 2
  ] },
  { inning: 4, half: 'top', plays: K3('A6', 'A7', 'A8') },
  { inning: 4, half: 'bottom', plays: K3('H5', 'H6', 'H7') },
  { inning: 5, half: 'top', plays: [
    ['A9', 'single_1', 'CF', 'A9 - -', 0, 0, [[0, 1]]],
    ['A1', 'homerun', 'LF', '- - -', 0, 2, [[1, 4], [0, 4]]],      // 4-2, A9's run is the go-ahead run
    ...K3('A2', 'A3', 'A4'),
  ] },
  { inning: 5, half: 'bottom', plays: K3('H8', 'H9', 'H1') },
  { inning: 6, half: 'top', plays: K3('A5', 'A6', 'A7') },
  { inning: 6, half: 'bottom', plays: [
    ['H2', 'homerun', 'RF', '- - -', 0, 1, [[0, 4]]],              // 4-3
    ...K3('H3', 'H4', 'H5'),
  ] },
  { inning: 7, half: 'top', plays: K3('A8', 'A9', 'A1') },
  { inning: 7, half: 'bottom', plays: K3('H6', 'H7', 'H8') },
  { inning: 8, half: 'top', plays: [
    ['A2', 'homerun', 'CF', '- - -', 0, 1, [[0, 4]]],              // 5-3
    ...K3('A3', 'A4', 'A5'),
  ] },
  { inning: 8, half: 'bottom', plays: K3('H9', 'H1', 'H2') },
  { inning: 9, half: 'top', plays: K3('A6', 'A7', 'A8') },
  { inning: 9, half: 'bottom', plays: [                             // played: the home team trails
    ['H3', 'single_1', 'RF', 'H3 - -', 0, 0, [[0, 1]]],
    ...K3('H4', 'H5', 'H6', 'H3 - -'),                                        // LOB 1; game over, 5-3
  ] },
];

// ------------------------------------------------------------ game 2
// 0-0 through eight; the visitors score in the top of the 9th, the home
// team walks off in the bottom: the winning run scores from third on a
// double, which is credited as a single (rules.md §2.5).
const GAME2 = [];
{
  const away = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9'];
  const home = ['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8', 'H9'];
  for (let i = 1; i <= 8; i++) {
    // three up, three down: after 3(i-1) batters, slot 3(i-1) mod 9 + 1 leads off
    const k = (3 * (i - 1)) % 9;
    GAME2.push({ inning: i, half: 'top', plays: K3(away[k], away[k + 1], away[k + 2]) });
    GAME2.push({ inning: i, half: 'bottom', plays: K3(home[k], home[k + 1], home[k + 2]) });
  }
  // 24 batters each: slot 7 leads off the 9th
  GAME2.push({ inning: 9, half: 'top', plays: [
    ['A7', 'homerun', 'LF', '- - -', 0, 1, [[0, 4]]],                // 1-0
    ...K3('A8', 'A9', 'A1'),
  ] });
  GAME2.push({ inning: 9, half: 'bottom', plays: [
    ['H7', 'single_1', 'LF', 'H7 - -', 0, 0, [[0, 1]]],
    ['H8', 'double_2', 'LF', '- H8 H7', 0, 0, [[1, 3], [0, 2]]],
    ['H9', 'strikeout', null, '- H8 H7', 1, 0, []],
    ['H1', 'single_1', 'CF', 'H1 - H8', 1, 1, [[3, 4], [2, 3], [0, 1]]],   // 1-1
    // R3 scores the winning run: game over at 2-1; the runner from first
    // and the batter are left on base (LOB 2), the hit is a single
    ['H2', 'double_2', 'LF', GAME_OVER, 1, 1, null],
  ] });
}

/** Comparable form of runner moves: sorted "from>to[x]" strings. */
function moveKeys(moves) {
  return moves.map(([from, to, out]) => `${from}>${to}${out ? 'x' : ''}`).sort();
}
function playMoveKeys(play) {
  assert.ok(Array.isArray(play.runners_advanced), `runners_advanced is a list: ${JSON.stringify(play)}`);
  return play.runners_advanced
    .filter((m) => !(m.from === 0 && m.out === true))   // a retired batter is represented either way
    .map((m) => `${m.from}>${m.to}${m.out ? 'x' : ''}`).sort();
}

/**
 * Play a script: before each play the state shows the expected inning,
 * half and batter; each play_resolved (the submitter's ack) and the
 * game_state broadcast that follows it carry the expected numbers.
 */
async function playScript(g, script, { finalPlay }) {
  let n = 0;
  let rolls = 0;
  const score = { away: 0, home: 0 };
  let outsBefore = 0;
  for (let h = 0; h < script.length; h++) {
    const half = script[h];
    outsBefore = 0;
    for (const step of half.plays) {
      const where = `${half.half} ${half.inning}, play ${n + 1}`;
      if (!Array.isArray(step)) {
        const r = await g.ok(step.by, step.decide === 'defensive' ? 'submit_defensive_decision' : 'submit_offensive_decision',
          step.payload, `${step.decide} decision (${where})`);
        assert.equal(r.game_id, g.gameId);
        for (const [k, v] of Object.entries(step.payload)) assert.deepEqual(r.decision?.[k], v, `${where}: decision ${k}: ${JSON.stringify(r)}`);
        assert.equal(r.pending_decision, step.pending, `${where}: pending_decision after the ${step.decide} decision: ${JSON.stringify(r)}`);
        continue;
      }
      const [batter, outcome, mods, bases, outs, runs, moves] = step;
      const modObj = typeof mods === 'string' ? { hit_location: mods } : (mods ?? {});
      const before = g.state();
      assert.ok(before, `${where}: a game_state was received`);
      assert.equal(before.inning, half.inning, `${where}: inning before the play: ${JSON.stringify(before)}`);
      assert.equal(before.half, half.half, `${where}: half before the play`);
      assert.equal(before.outs, outsBefore, `${where}: outs before the play`);
      assert.equal(before.batter?.lineup_id, g.ids[batter],
        `${where}: ${batter} (lineup ${g.ids[batter]}) is at bat; state says ${JSON.stringify(before.batter)}`);
      const slot = Number(batter.slice(1));
      const onDeck = `${batter[0]}${(slot % 9) + 1}`;
      assert.equal(before.on_deck?.lineup_id, g.ids[onDeck], `${where}: ${onDeck} on deck; state says ${JSON.stringify(before.on_deck)}`);
      const batting = half.half === 'top' ? 'away' : 'home';
      assert.equal(before.batting_team_id, g.teams[batting], `${where}: batting_team_id`);
      // no pitching change in these games: the other side's starter pitches
      assert.equal(before.pitcher?.lineup_id, g.ids[batting === 'away' ? 'HP' : 'AP'], `${where}: pitcher ${JSON.stringify(before.pitcher)}`);

      let roll = null;
      let play;
      if (RUNNER_EVENTS.has(outcome)) {
        play = await g.submit({ outcome, ...modObj });
      } else {
        ({ roll, play } = await g.pa(outcome, modObj));
        rolls += 1;
        assert.equal(roll.game_id, g.gameId);
      }
      n += 1;
      score[half.half === 'top' ? 'away' : 'home'] += runs;
      const outsAfter = bases === END ? 3 : outs;
      const what = `${where} (${batter} ${outcome}): ${JSON.stringify(play)}`;
      assert.equal(play.game_id, g.gameId, what);
      assert.equal(play.play_number, n, what);
      assert.equal(play.outcome, outcome, what);
      assert.equal(play.hit_location ?? null, modObj.hit_location ?? null, what);
      assert.equal(play.inning, half.inning, what);
      assert.equal(play.half, half.half, what);
      assert.equal(play.runs_scored, runs, what);
      assert.equal(play.outs_after, outsAfter, what);
      assert.equal(play.outs_recorded, outsAfter - outsBefore, what);
      assert.deepEqual(play.score, { ...score }, what);
      assert.equal(play.roll_id ?? null, roll ? roll.roll_id : null, what);
      assert.equal(typeof play.description, 'string', what);
      assert.ok(play.description.length > 0, what);
      assert.equal(play.is_hit, IS_HIT.has(outcome), `is_hit, ${what}`);
      assert.equal(play.is_out, IS_OUT.has(outcome), `is_out, ${what}`);
      assert.equal(play.is_walk, IS_WALK.has(outcome), `is_walk, ${what}`);
      if (outcome in RESULT && n !== finalPlay) assert.equal(play.batter_result ?? null, RESULT[outcome], `batter_result, ${what}`);
      if ((outcome === 'flyball_a' || outcome === 'flyball_b') && runs > 0) assert.equal(play.batter_result, 'SF', `sac fly, ${what}`);
      if (moves) assert.deepEqual(playMoveKeys(play), moveKeys(moves), `runners_advanced, ${what}`);

      const st = await g.stateAfter(n);
      const swhat = `${where} (${batter} ${outcome}): game_state ${JSON.stringify(st)}`;
      assert.equal(st.play_count, n, swhat);
      assert.deepEqual(st.score, { ...score }, swhat);
      if (n === finalPlay) {
        assert.equal(st.status, 'final', swhat);
        assert.equal(st.pending_decision, 'none', swhat);
      } else {
        if (!RUNNER_EVENTS.has(outcome)) assert.equal(st.pending_decision, 'defensive', `a new plate appearance: ${swhat}`);
        assert.equal(st.status, 'active', swhat);
        if (bases === END) {
          const next = script[h + 1];
          assert.equal(st.inning, next.inning, swhat);
          assert.equal(st.half, next.half, swhat);
          assert.equal(st.outs, 0, swhat);
          assert.equal(basesOf(st, g.names), '- - -', swhat);
        } else {
          assert.equal(st.inning, half.inning, swhat);
          assert.equal(st.half, half.half, swhat);
          assert.equal(st.outs, outs, swhat);
          assert.equal(basesOf(st, g.names), bases, swhat);
        }
        assert.equal(st.pending_roll ?? null, null, `no roll pending after a play: ${swhat}`);
      }
      outsBefore = outsAfter === 3 ? 0 : outsAfter;
    }
  }
  assert.equal(n, finalPlay, 'the script has as many plays as expected');
  return { plays: n, rolls, score };
}

/** All three clients saw the same play_resolved and dice_rolled, in order. */
async function sameEverywhere(g, plays, rolls) {
  for (const side of ['home', 'away', 'spectator']) {
    await until(() => g.plays(side).length >= plays, { timeout: 20_000, what: `${plays} play_resolved on ${side}` });
    await until(() => g.sock(side).got.dice_rolled.length >= rolls, { timeout: 20_000, what: `${rolls} dice_rolled on ${side}` });
  }
  const home = g.plays('home');
  assert.equal(home.length, plays, 'no duplicate play_resolved');
  assert.deepEqual(home.map((p) => p.play_number), Array.from({ length: plays }, (_, i) => i + 1));
  assert.deepEqual(g.plays('away'), home, 'the away manager saw the same plays in the same order');
  assert.deepEqual(g.plays('spectator'), home, 'the spectator saw the same plays in the same order');
  const dice = g.s.home.got.dice_rolled;
  assert.equal(dice.length, rolls, 'no duplicate dice_rolled');
  assert.deepEqual(g.s.away.got.dice_rolled, dice);
  assert.deepEqual(g.s.spec.got.dice_rolled, dice);
  for (const d of dice) {
    assert.ok(d.d6_one >= 1 && d.d6_one <= 6, JSON.stringify(d));
    assert.ok(d.d6_two_total >= 2 && d.d6_two_total <= 12, JSON.stringify(d));
    assert.ok(d.chaos_d20 >= 1 && d.chaos_d20 <= 20, JSON.stringify(d));
    assert.ok(d.resolution_d20 >= 1 && d.resolution_d20 <= 20, JSON.stringify(d));
    if (d.check_wild_pitch) assert.equal(d.chaos_d20, 1, JSON.stringify(d));
    if (d.check_passed_ball) assert.equal(d.chaos_d20, 2, JSON.stringify(d));
  }
  // every PA consumed its own roll, in order
  const used = home.filter((p) => p.roll_id !== null && p.roll_id !== undefined).map((p) => p.roll_id);
  assert.deepEqual(used, dice.map((d) => d.roll_id), 'each roll was used by the next plate appearance');
  // outcome_accepted went to the submitter only
  const accepted = g.s.home.got.outcome_accepted.length + g.s.away.got.outcome_accepted.length;
  assert.equal(accepted, plays, 'one outcome_accepted per submission');
  assert.equal(g.s.spec.got.outcome_accepted.length, 0, 'the spectator gets no outcome_accepted');
}

const ZERO = { pa: 0, ab: 0, r: 0, h: 0, doubles: 0, triples: 0, hr: 0, rbi: 0, bb: 0, ibb: 0, so: 0, hbp: 0, sh: 0, sf: 0, sb: 0, cs: 0, gidp: 0 };
const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o?.[k]]));

function checkBatting(g, box, expected) {
  const lines = box.batting_stats;
  for (const [label, want] of Object.entries(expected)) {
    const line = lines.find((l) => l.lineup_id === g.ids[label]);
    assert.ok(line, `a batting line for ${label} (lineup ${g.ids[label]}): ${JSON.stringify(lines)}`);
    const full = { ...ZERO, ...want };
    assert.deepEqual(pick(line, Object.keys(full)), full, `batting line of ${label} ${line.name}`);
    const side = label[0] === 'A' ? 'away' : 'home';
    assert.equal(line.team_id, g.teams[side], `${label} team_id`);
    assert.equal(line.batting_order, Number(label.slice(1)), `${label} batting_order`);
  }
}

/** §3.1: AB + BB + HBP + SH + SF = R + LOB + outs made, from the lines. */
function identity(g, box, side, { lhs, r, lob, outs }) {
  const mine = box.batting_stats.filter((l) => l.team_id === g.teams[side]);
  const sum = (k) => mine.reduce((a, l) => a + (l[k] ?? 0), 0);
  const left = sum('ab') + sum('bb') + sum('hbp') + sum('sh') + sum('sf');
  assert.equal(left, lhs, `${side}: AB+BB+HBP+SH+SF from the batting lines`);
  assert.equal(sum('r'), r, `${side}: runs from the batting lines`);
  assert.equal(box.team_stats[side].lob, lob, `${side}: team LOB`);
  assert.equal(left, sum('r') + box.team_stats[side].lob + outs, `${side}: box-score identity (rules.md §3.1)`);
}

const PITCH_KEYS = ['outs', 'ip', 'bf', 'h', 'r', 'er', 'bb', 'ibb', 'so', 'hr', 'hbp', 'wp', 'bk', 'decision'];

test('a nine-inning game: the visitors win 5-3; plays, line score, box score, identity', { timeout: 240_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'game1' });
  const FINAL = 70;   // 68 plate appearances + a stolen base + a wild pitch
  const { rolls, score } = await playScript(g, GAME1, { finalPlay: FINAL });
  assert.equal(rolls, 68);
  assert.deepEqual(score, { away: 5, home: 3 });

  // ---- the final game_state
  const st = g.state();
  assert.equal(st.status, 'final', JSON.stringify(st));
  assert.equal(st.winner_team_id, g.teams.away, `winner: ${JSON.stringify(st)}`);
  assert.deepEqual(st.score, { home: 3, away: 5 });
  // runs by inning: away 1 (sac fly) 0 1 (triple) 0 2 (HR) 0 0 1 (HR) 0 = 5
  //                 home 1 (HR) 1 (sac fly) 0 0 0 1 (HR) 0 0 0 = 3
  const linescore = { away: [1, 0, 1, 0, 2, 0, 0, 1, 0], home: [1, 1, 0, 0, 0, 1, 0, 0, 0] };
  assert.deepEqual(st.linescore, linescore, `linescore: ${JSON.stringify(st.linescore)}`);

  await sameEverywhere(g, FINAL, rolls);

  // ---- the box score, as the spectator reads it
  const reply = await g.ok('spectator', 'get_box_score', {}, 'get_box_score');
  const box = reply.box_score;
  assert.equal(reply.game_id, g.gameId);
  assert.equal(g.s.spec.got.box_score_data.length, 1, 'box_score_data event');
  assert.deepEqual(g.s.spec.got.box_score_data[0].box_score, box);
  assert.deepEqual(box.linescore, linescore, 'box score linescore');
  assert.equal(box.batting_stats.length, 18, 'one batting line per batter, no substitutes');

  checkBatting(g, box, {
    // A1 Esterbrook: 1B (scores on the sac fly) + SB, BB (forced at 2nd),
    // 2-run HR, K: 4 PA, 3 AB (BB), 2 H, 2 R, 2 RBI
    A1: { pa: 4, ab: 3, r: 2, h: 2, hr: 1, rbi: 2, bb: 1, so: 1, sb: 1 },
    // A2: K, groundball_b (safe on the force, then forced himself), K, solo HR
    A2: { pa: 4, ab: 4, r: 1, h: 1, hr: 1, rbi: 1, so: 2 },
    // A3: 1B (left on), FC (scores on the triple), K, K
    A3: { pa: 4, ab: 4, r: 1, h: 1, so: 2 },
    // A4: sac fly (no AB, RBI), RBI triple, K, K
    A4: { pa: 4, ab: 3, h: 1, triples: 1, rbi: 2, sf: 1, so: 2 },
    A5: { pa: 4, ab: 4, so: 4 },
    A6: { pa: 4, ab: 3, hbp: 1, so: 3 },                     // HBP: no AB
    A7: { pa: 4, ab: 3, sh: 1, so: 3 },                      // sacrifice: no AB
    A8: { pa: 4, ab: 4, so: 3 },                             // lineout + 3 K (the WP is no PA)
    A9: { pa: 3, ab: 3, r: 1, h: 1, so: 2 },                 // K, 1B (scores on A1's HR), K
    // H1 Fenwick: solo HR, double_uncapped (stranded), K, K
    H1: { pa: 4, ab: 4, r: 1, h: 2, doubles: 1, hr: 1, rbi: 1, so: 2 },
    H2: { pa: 4, ab: 3, r: 1, h: 1, hr: 1, rbi: 1, bb: 1, so: 2 },   // BB, K, HR, K
    H3: { pa: 4, ab: 4, h: 1, so: 2, gidp: 1 },              // GIDP, K, K, 1B
    H4: { pa: 4, ab: 4, so: 2 },                             // popout, popout, K, K
    H5: { pa: 4, ab: 4, r: 1, h: 1, doubles: 1, so: 3 },     // 2B (scores on the sac fly), K, K, K
    H6: { pa: 4, ab: 4, so: 3 },                             // groundball_c moving R2 to 3rd: no RBI
    H7: { pa: 3, ab: 2, rbi: 1, sf: 1, so: 2 },              // sac fly, K, K
    H8: { pa: 3, ab: 3, so: 3 },
    H9: { pa: 3, ab: 3, so: 2 },                             // reached on E6: an AB, no hit
  });

  // team totals: away 1B 1B 3B 1B HR HR = 6 H; home HR 2B 2B HR 1B = 5 H;
  // E: the visitors' shortstop (bottom 3).  LOB away: T1 1 + T2 1 + T3 1;
  // home: B3 2 + B9 1.
  assert.deepEqual(box.team_stats.away, { r: 5, h: 6, e: 1, lob: 3 }, 'away team line');
  assert.deepEqual(box.team_stats.home, { r: 3, h: 5, e: 0, lob: 3 }, 'home team line');
  // away: AB 31 + BB 1 + HBP 1 + SH 1 + SF 1 = 35 = R 5 + LOB 3 + 27 outs
  identity(g, box, 'away', { lhs: 35, r: 5, lob: 3, outs: 27 });
  // home: AB 31 + BB 1 + SF 1 = 33 = R 3 + LOB 3 + 27 outs (the 9th was played)
  identity(g, box, 'home', { lhs: 33, r: 3, lob: 3, outs: 27 });

  assert.equal(box.pitching_stats.length, 2, 'two complete games');
  const pitcher = (label) => box.pitching_stats.find((p) => p.lineup_id === g.ids[label]);
  // Greaves (away) faced the 33 home PAs: 27 outs; H: HR 2B 2B HR 1B; R 3
  // (all earned: the only error put H9 on, and he did not score); W: the
  // visitors took the lead for good in the top of the 5th with him the
  // pitcher of record and he went 27 outs (>= 15).
  assert.deepEqual(pick(pitcher('AP'), PITCH_KEYS),
    { outs: 27, ip: '9.0', bf: 33, h: 5, r: 3, er: 3, bb: 1, ibb: 0, so: 21, hr: 2, hbp: 0, wp: 0, bk: 0, decision: 'W' },
    'Greaves, the away starter');
  // Blackwood (home) faced the 35 away PAs: 27 outs; H: 1B 1B 3B 1B HR HR;
  // 5 R, all earned; 1 BB, 1 HBP, 1 WP, 22 K; L: he put A9 on, whose run
  // put the visitors ahead for good (3-2 in the 5th).
  assert.deepEqual(pick(pitcher('HP'), PITCH_KEYS),
    { outs: 27, ip: '9.0', bf: 35, h: 6, r: 5, er: 5, bb: 1, ibb: 0, so: 22, hr: 2, hbp: 1, wp: 1, bk: 0, decision: 'L' },
    'Blackwood, the home starter');

  // ---- a DBA's plain SQL gives the same numbers as the event
  const gid = g.gameId;
  const sqlBatting = JSON.parse(await psql(S.stack, `SELECT coalesce(json_agg(json_build_object(
      'lineup_id', lineup_id, 'ab', ab, 'r', r, 'h', h, 'rbi', rbi, 'bb', bb, 'so', so, 'hr', hr)
      ORDER BY lineup_id), '[]') FROM batting_line WHERE game_id = '${gid}'`));
  const evBatting = box.batting_stats.map((b) => ({
    lineup_id: b.lineup_id, ab: b.ab, r: b.r, h: b.h, rbi: b.rbi, bb: b.bb, so: b.so, hr: b.hr,
  })).sort((a, b) => a.lineup_id - b.lineup_id);
  assert.deepEqual(sqlBatting, evBatting, 'batting_line view = get_box_score batting_stats');
  const sqlPitching = JSON.parse(await psql(S.stack, `SELECT json_agg(json_build_object(
      'lineup_id', lineup_id, 'outs', outs, 'h', h, 'r', r, 'er', er, 'so', so) ORDER BY lineup_id)
      FROM pitching_line WHERE game_id = '${gid}'`));
  assert.deepEqual(sqlPitching, box.pitching_stats.map((p) => ({
    lineup_id: p.lineup_id, outs: p.outs, h: p.h, r: p.r, er: p.er, so: p.so,
  })).sort((a, b) => a.lineup_id - b.lineup_id), 'pitching_line view = get_box_score pitching_stats');
  // "every home run this season", a DBA's one-liner, finds this game's four
  assert.equal(await psql(S.stack, `SELECT count(*) FROM play WHERE game_id = '${gid}' AND hr = 1`), '4');
  // who pitched the 7th: one pitcher per half, the two starters
  assert.equal(await psql(S.stack, `SELECT count(DISTINCT pitcher_id) FROM play
      WHERE game_id = '${gid}' AND inning = 7`), '2');
  // the stolen base in the 1st resolved the declared steal and emptied the
  // held base: the server recorded the adjusted calls for the rest of A2's
  // at-bat (the strikeout was played under them)
  assert.equal(await psql(S.stack, `SELECT string_agg(side || ':' || coalesce(hold_runners::text,
      steal_attempts::text), ' ' ORDER BY side) FROM decision
      WHERE game_id = '${gid}' AND submitted_by = 'dugout'`), 'defensive:{} offensive:{}');
  // the §3.1 identity, checked in SQL over every finished game
  assert.equal(await psql(S.stack, `SELECT count(*) FROM dugout_check_identity()`), '0');
  assert.equal(await psql(S.stack, `SELECT bool_and(ok)::text FROM box_score_identity
      WHERE game_id = '${gid}'`), 'true');

  // season aggregates: after `dugoutctl refresh-stats` the leadoff man's
  // season line is this game's (the first final game of this stack)
  assert.equal(await ctl(S.stack, 'refresh-stats'), 'refreshed');
  assert.equal(await psql(S.stack, `SELECT concat_ws(' ', s.g, s.pa, s.ab, s.h, s.hr, s.rbi)
      FROM season_batting s JOIN lineup_entry l ON l.card_id = s.card_id AND l.team_id = s.team_id
      WHERE l.id = ${g.ids.A1}`), '1 4 3 2 1 2');

  // ---- a finished game accepts no more play
  const late = await ack(g.s.home, 'roll_dice', { game_id: g.gameId });
  assert.equal(late.ok, false, JSON.stringify(late));
  assert.equal(late.error.code, 'GAME_OVER', JSON.stringify(late));
});

test('a walk-off in the bottom of the 9th: the home team wins 2-1; truncated hit, LOB, decisions', { timeout: 240_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'game2' });
  const FINAL = 57;   // 48 strikeouts in eight innings, 4 in the top of the 9th, 5 in the bottom
  const { rolls, score } = await playScript(g, GAME2, { finalPlay: FINAL });
  assert.equal(rolls, 57);
  assert.deepEqual(score, { away: 1, home: 2 });

  const last = g.plays('home').at(-1);
  assert.equal(last.play_number, FINAL);
  assert.deepEqual(last.score, { home: 2, away: 1 });
  assert.equal(last.runs_scored, 1, 'only the winning run counts');
  assert.equal(last.is_hit, true);
  // credited bases = min(2, bases the winning runner advanced = 1): a single
  assert.equal(last.batter_result, '1B', `the walk-off double is scored a single: ${JSON.stringify(last)}`);
  const moves = playMoveKeys(last);
  assert.ok(moves.includes('3>4'), `R3 scores: ${moves}`);
  assert.ok(moves.includes('0>1'), `the batter is credited with first: ${moves}`);
  assert.ok(!moves.includes('1>4'), `the runner from first does not score: ${moves}`);

  const st = g.state();
  assert.equal(st.status, 'final', JSON.stringify(st));
  assert.equal(st.winner_team_id, g.teams.home);
  const linescore = { away: [0, 0, 0, 0, 0, 0, 0, 0, 1], home: [0, 0, 0, 0, 0, 0, 0, 0, 2] };
  assert.deepEqual(st.linescore, linescore, `linescore: ${JSON.stringify(st.linescore)}`);

  await sameEverywhere(g, FINAL, rolls);

  const box = (await g.ok('home', 'get_box_score', {}, 'get_box_score')).box_score;
  assert.deepEqual(box.linescore, linescore);
  checkBatting(g, box, {
    // A7: K (3rd), K (6th), solo HR (9th)
    A7: { pa: 3, ab: 3, r: 1, h: 1, hr: 1, rbi: 1, so: 2 },
    A1: { pa: 4, ab: 4, so: 4 },
    // H7: K, K, leads off the 9th with a single, scores the tying run
    H7: { pa: 3, ab: 3, r: 1, h: 1, so: 2 },
    // H8: K, K, double; scores the winning run
    H8: { pa: 3, ab: 3, r: 1, h: 1, doubles: 1, so: 2 },
    H9: { pa: 3, ab: 3, so: 3 },
    // H1: K K K, RBI single (tying run)
    H1: { pa: 4, ab: 4, h: 1, rbi: 1, so: 3 },
    // H2: K K K, then the walk-off "double": R3 advanced one base, so it is
    // a single (rules.md §2.5), 1 RBI
    H2: { pa: 4, ab: 4, h: 1, doubles: 0, rbi: 1, so: 3 },
  });
  assert.deepEqual(box.team_stats.away, { r: 1, h: 1, e: 0, lob: 0 });
  // LOB home: the runner from first and the batter-runner when the game ended
  assert.deepEqual(box.team_stats.home, { r: 2, h: 4, e: 0, lob: 2 });
  // away: 28 AB = R 1 + LOB 0 + 27 outs
  identity(g, box, 'away', { lhs: 28, r: 1, lob: 0, outs: 27 });
  // home: 29 AB = R 2 + LOB 2 + 25 outs (24 + H9's strikeout in the 9th)
  identity(g, box, 'home', { lhs: 29, r: 2, lob: 2, outs: 25 });

  const pitcher = (label) => box.pitching_stats.find((p) => p.lineup_id === g.ids[label]);
  // Blackwood: 27 outs, 28 BF (24 + 4), 1 H (the HR), 27 K; W (pitcher of
  // record when the home team took the lead, a starter with >= 15 outs)
  assert.deepEqual(pick(pitcher('HP'), PITCH_KEYS),
    { outs: 27, ip: '9.0', bf: 28, h: 1, r: 1, er: 1, bb: 0, ibb: 0, so: 27, hr: 1, hbp: 0, wp: 0, bk: 0, decision: 'W' });
  // Greaves: 25 outs (8.1), 29 BF, 4 H, 2 R (H7 and H8, both his), 25 K;
  // L (he put on H8, the go-ahead run)
  assert.deepEqual(pick(pitcher('AP'), PITCH_KEYS),
    { outs: 25, ip: '8.1', bf: 29, h: 4, r: 2, er: 2, bb: 0, ibb: 0, so: 25, hr: 0, hbp: 0, wp: 0, bk: 0, decision: 'L' });
});

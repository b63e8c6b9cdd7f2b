// Substitutions (events.md "Substitutions", rules.md §4): a pinch hitter,
// a pinch runner, a defensive replacement and a pitching change through
// the real client, with the room broadcast, the requester's confirmation,
// the game_state and get_lineup after each; and every substitution_error
// code, each refusal changing nothing in the database.
//
// Demo teams (sql/006_demo.sql): away IVS bats first (A1..A9, starter AP
// Silas Greaves), home MBG fields (H1..H9, starter HP Orrin Blackwood).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, closeAll, until, sleep } from './helpers.mjs';
import {
  openGame, snapshot, demo, shortGame, playShortGameToEnd, expectRefused, cardId,
} from './gamehelpers.mjs';

// scripted play rolls faster than a person: lift the rate limits
const S = useStack('substitutions', { env: { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' } });
afterEach(() => closeAll());

const subRefused = (g, side, want, event, payload) =>
  expectRefused(S.stack, g.sock(side), g.gameId, { event: 'substitution_error', ...want }, event, { game_id: g.gameId, ...payload });

/**
 * A substitution that must succeed: the ack, player_substituted to the
 * whole room (same fields), substitution_confirmed to the requester only,
 * then a game_state.  Resolves with the ack (without ok) and the state.
 */
async function substitute(g, side, event, payload, want) {
  const other = side === 'home' ? 'away' : 'home';
  const count = (s, ev) => g.sock(s).got[ev].length;
  const seenSub = Object.fromEntries(['home', 'away', 'spectator'].map((s) => [s, count(s, 'player_substituted')]));
  const seenConf = { [side]: count(side, 'substitution_confirmed'), [other]: count(other, 'substitution_confirmed') };
  const seenState = count('spectator', 'game_state');
  const reply = await g.ok(side, event, payload, event);
  const { ok, ...msg } = reply;
  assert.equal(ok, true);
  const what = `${event} ${JSON.stringify(payload)} -> ${JSON.stringify(reply)}`;
  for (const [k, v] of Object.entries(want)) assert.deepEqual(msg[k], v, `${k}: ${what}`);
  assert.equal(typeof msg.new_lineup_id, 'number', what);
  assert.equal(typeof msg.message, 'string', what);
  for (const s of ['home', 'away', 'spectator']) {
    await until(() => count(s, 'player_substituted') > seenSub[s], { timeout: 10_000, what: `player_substituted on ${s}` });
    const got = g.sock(s).got.player_substituted[seenSub[s]];
    for (const k of ['type', 'player_out_lineup_id', 'player_in_card_id', 'new_lineup_id', 'position', 'batting_order', 'team_id', 'message']) {
      assert.deepEqual(got[k], msg[k], `player_substituted.${k} on ${s}: ${JSON.stringify(got)}`);
    }
  }
  await until(() => count(side, 'substitution_confirmed') > seenConf[side], { timeout: 10_000, what: 'substitution_confirmed' });
  const conf = g.sock(side).got.substitution_confirmed[seenConf[side]];
  assert.equal(conf.new_lineup_id, msg.new_lineup_id, JSON.stringify(conf));
  assert.equal(conf.type, msg.type);
  await until(() => count('spectator', 'game_state') > seenState, { timeout: 10_000, what: 'game_state after the substitution' });
  await sleep(100);
  assert.equal(count(other, 'substitution_confirmed'), seenConf[other], 'substitution_confirmed goes to the requester only');
  return { msg, state: g.state() };
}

async function lineup(g, side, teamSide) {
  const r = await g.ok(side, 'get_lineup', { team_id: g.teams[teamSide] }, 'get_lineup');
  assert.equal(r.game_id, g.gameId);
  assert.equal(r.team_id, g.teams[teamSide]);
  assert.ok(Array.isArray(r.players) && Array.isArray(r.bench), JSON.stringify(r));
  return r;
}
const entry = (lu, lineupId) => lu.players.find((p) => p.lineup_id === lineupId);

test('pinch hitter, pinch runner, defensive replacement, pitching change', { timeout: 180_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'sub-ok' });
  const away = g.teams.away;
  const quist = await cardId(S.stack, away, 'Abner Quist');
  const winterbourne = await cardId(S.stack, away, 'Hal Winterbourne');
  const vantassel = await cardId(S.stack, away, 'Rory Vantassel');
  const castlemaine = await cardId(S.stack, away, 'Bo Castlemaine');
  const frostwick = await cardId(S.stack, away, 'Enzo Frostwick');

  const lu0 = await lineup(g, 'spectator', 'away');
  assert.equal(lu0.players.length, 10, 'nine batters and the pitcher');
  assert.ok(lu0.players.every((p) => p.is_active && p.is_starter), JSON.stringify(lu0.players));
  assert.deepEqual(entry(lu0, g.ids.A1), {
    lineup_id: g.ids.A1, card_id: g.demo.away.lineup[0].card_id, name: 'Kip Esterbrook',
    position: '2B', batting_order: 1, is_active: true, is_starter: true,
  });
  assert.equal(entry(lu0, g.ids.AP).batting_order, null, 'with the DH the pitcher does not bat');
  assert.ok(lu0.bench.some((b) => b.card_id === quist), 'Quist is on the bench');
  assert.equal(lu0.bench.length, 16, '26 cards on the roster, 10 in the lineup');

  // ---- pinch hitter for A1, before the first roll of the game
  const ph = await substitute(g, 'away', 'request_pinch_hitter',
    { player_out_lineup_id: g.ids.A1, player_in_card_id: quist, team_id: away },
    { type: 'pinch_hitter', player_out_lineup_id: g.ids.A1, player_in_card_id: quist, position: 'PH', batting_order: 1, team_id: away });
  const phId = ph.msg.new_lineup_id;
  assert.equal(ph.state.batter?.lineup_id, phId, `the pinch hitter bats: ${JSON.stringify(ph.state.batter)}`);
  assert.equal(ph.state.batter.card_id, quist);
  assert.equal(ph.state.batter.batting_order, 1);
  const lu1 = await lineup(g, 'home', 'away');
  assert.deepEqual(
    { ...entry(lu1, g.ids.A1) },
    { ...entry(lu0, g.ids.A1), is_active: false }, 'the replaced starter is kept, inactive, in his slot');
  assert.deepEqual(entry(lu1, phId), {
    lineup_id: phId, card_id: quist, name: 'Abner Quist', position: 'PH', batting_order: 1,
    is_active: true, is_starter: false,
  });
  assert.ok(!lu1.bench.some((b) => b.card_id === quist), 'Quist left the bench');
  assert.equal(lu1.bench.length, 15);

  // ---- he singles; a pinch runner for him
  const single = (await g.pa('single_1', { hit_location: 'CF' })).play;
  assert.deepEqual(single.runners_advanced.filter((m) => m.from === 0).map((m) => m.to), [1]);
  let st = await g.stateAfter(1);
  assert.equal(st.runners.first?.lineup_id, phId);
  const pr = await substitute(g, 'away', 'request_pinch_runner',
    { player_out_lineup_id: phId, player_in_card_id: winterbourne, team_id: away },
    { type: 'pinch_runner', player_out_lineup_id: phId, player_in_card_id: winterbourne, position: 'PR', batting_order: 1, team_id: away });
  const prId = pr.msg.new_lineup_id;
  assert.equal(pr.state.runners.first?.lineup_id, prId, `the pinch runner is on first: ${JSON.stringify(pr.state.runners)}`);
  assert.equal(pr.state.batter?.lineup_id, g.ids.A2, 'A2 still up');
  const lu2 = await lineup(g, 'away', 'away');
  assert.equal(entry(lu2, phId).is_active, false);
  assert.equal(entry(lu2, prId).is_active, true);
  assert.equal(entry(lu2, prId).batting_order, 1);
  assert.equal(entry(lu2, prId).position, 'PR');

  // ---- three outs; the visitors take the field with the pinch runner at
  // the position of the player he (ultimately) replaced: 2B (game.h, inherit)
  for (let i = 0; i < 3; i++) await g.pa('strikeout');
  st = await g.stateAfter(4);
  assert.equal(st.half, 'bottom', JSON.stringify(st));
  const lu3 = await lineup(g, 'away', 'away');
  assert.equal(entry(lu3, prId).position, '2B', `the pinch runner plays 2B: ${JSON.stringify(entry(lu3, prId))}`);

  // ---- bottom 1: Greaves faces H1; a defensive replacement at SS, then a
  // pitching change
  await g.pa('strikeout');
  const dr = await substitute(g, 'away', 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.A9, player_in_card_id: vantassel, new_position: 'SS', team_id: away },
    { type: 'defensive_replacement', player_out_lineup_id: g.ids.A9, player_in_card_id: vantassel, position: 'SS', batting_order: 9, team_id: away });
  const pc = await substitute(g, 'away', 'request_pitching_change',
    { player_out_lineup_id: g.ids.AP, player_in_card_id: castlemaine, team_id: away },
    { type: 'pitching_change', player_out_lineup_id: g.ids.AP, player_in_card_id: castlemaine, position: 'P', batting_order: null, team_id: away });
  const relieverId = pc.msg.new_lineup_id;
  assert.equal(pc.state.pitcher?.lineup_id, relieverId, `the reliever pitches: ${JSON.stringify(pc.state.pitcher)}`);
  assert.equal(pc.state.batter?.lineup_id, g.ids.H2);
  // a reliever must face a batter before he can be replaced (rules.md §4)
  await subRefused(g, 'away', { code: 'PITCHER_MUST_FACE_BATTER' }, 'request_pitching_change',
    { player_out_lineup_id: relieverId, player_in_card_id: frostwick, team_id: away });
  await g.pa('strikeout');
  st = await g.stateAfter(6);
  assert.equal(st.pitcher.lineup_id, relieverId);

  const lu4 = await lineup(g, 'spectator', 'away');
  assert.equal(entry(lu4, g.ids.A9).is_active, false);
  assert.deepEqual(entry(lu4, dr.msg.new_lineup_id), {
    lineup_id: dr.msg.new_lineup_id, card_id: vantassel, name: 'Rory Vantassel', position: 'SS',
    batting_order: 9, is_active: true, is_starter: false,
  });
  assert.equal(entry(lu4, g.ids.AP).is_active, false);
  assert.deepEqual(entry(lu4, relieverId), {
    lineup_id: relieverId, card_id: castlemaine, name: 'Bo Castlemaine', position: 'P',
    batting_order: null, is_active: true, is_starter: false,
  });
  assert.equal(lu4.players.filter((p) => p.is_active).length, 10, 'still ten active players');

  // ---- the box score: substitutes under their slots, both pitchers
  const box = (await g.ok('spectator', 'get_box_score', {}, 'get_box_score')).box_score;
  const slot1 = box.batting_stats.filter((b) => b.team_id === away && b.batting_order === 1);
  assert.deepEqual(slot1.map((b) => [b.lineup_id, b.position, b.pa, b.h]), [
    [g.ids.A1, '2B', 0, 0],
    [phId, 'PH', 1, 1],
    [prId, 'PR-2B', 0, 0],
  ], JSON.stringify(slot1));
  const pitchers = box.pitching_stats.filter((p) => p.team_id === away);
  assert.deepEqual(pitchers.map((p) => [p.lineup_id, p.outs, p.bf]), [[g.ids.AP, 1, 1], [relieverId, 1, 1]]);

  const snap = await snapshot(S.stack, g.gameId);
  assert.deepEqual(snap.substitutions.map((s) => s.type),
    ['pinch_hitter', 'pinch_runner', 'defensive_replacement', 'pitching_change']);
});

test('substitution_error: every code, and nothing changes', { timeout: 180_000 }, async (t) => {
  const g = await openGame(S.stack, { tag: 'sub-err' });
  const { home, away } = g.teams;
  const quist = await cardId(S.stack, away, 'Abner Quist');
  const winterbourne = await cardId(S.stack, away, 'Hal Winterbourne');
  const ashby = await cardId(S.stack, home, 'Corbin Ashby');
  const castlemaine = await cardId(S.stack, away, 'Bo Castlemaine');
  const calloway = await cardId(S.stack, home, 'Pip Calloway');
  const dunmore = await cardId(S.stack, home, 'Hollis Dunmore');
  const kestrel = await cardId(S.stack, home, 'Arlo Kestrel');
  const dh = g.demo.away.lineup[4];     // A5, the visitors' DH: active
  const ph = (p) => ({ player_out_lineup_id: g.ids.A1, player_in_card_id: quist, team_id: away, ...p });

  // MISSING_FIELD / INVALID_FORMAT
  await subRefused(g, 'away', { code: 'MISSING_FIELD', field: 'player_in_card_id' }, 'request_pinch_hitter',
    { player_out_lineup_id: g.ids.A1, team_id: away });
  await subRefused(g, 'away', { code: 'MISSING_FIELD', field: 'player_out_lineup_id' }, 'request_pinch_hitter',
    { player_in_card_id: quist, team_id: away });
  await subRefused(g, 'away', { code: 'MISSING_FIELD', field: 'team_id' }, 'request_pinch_hitter',
    { player_out_lineup_id: g.ids.A1, player_in_card_id: quist });
  await subRefused(g, 'home', { code: 'MISSING_FIELD', field: 'new_position' }, 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.H2, player_in_card_id: calloway, team_id: home });
  await expectRefused(S.stack, g.s.away, g.gameId, { event: 'substitution_error', code: 'MISSING_FIELD', field: 'game_id' },
    'request_pinch_hitter', ph({}));
  await subRefused(g, 'away', { code: 'INVALID_FORMAT', field: 'player_out_lineup_id' }, 'request_pinch_hitter', ph({ player_out_lineup_id: 'A1' }));
  await subRefused(g, 'away', { code: 'INVALID_FORMAT', field: 'player_in_card_id' }, 'request_pinch_hitter', ph({ player_in_card_id: -3 }));
  await subRefused(g, 'away', { code: 'INVALID_FORMAT', field: 'team_id' }, 'request_pinch_hitter', ph({ team_id: 1.5 }));
  await subRefused(g, 'away', { code: 'INVALID_FORMAT', field: 'game_id' }, 'request_pinch_hitter', ph({ game_id: 'game-1' }));
  await subRefused(g, 'home', { code: 'INVALID_FORMAT', field: 'new_position' }, 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.H2, player_in_card_id: calloway, new_position: 'XX', team_id: home });

  // PITCHER_MUST_FACE_BATTER: neither starter has faced anybody yet
  await subRefused(g, 'home', { code: 'PITCHER_MUST_FACE_BATTER' }, 'request_pitching_change',
    { player_out_lineup_id: g.ids.HP, player_in_card_id: ashby, team_id: home });
  // the visitors, at bat, cannot change pitchers now either (the engine
  // wants pitching changes from the team in the field: any refusal will do)
  await subRefused(g, 'away', {}, 'request_pitching_change',
    { player_out_lineup_id: g.ids.AP, player_in_card_id: castlemaine, team_id: away });

  // NOT_AUTHORIZED: the other team's manager; a team not in this game
  await subRefused(g, 'home', { code: 'NOT_AUTHORIZED' }, 'request_pinch_hitter', ph({}));
  await subRefused(g, 'away', { code: 'NOT_AUTHORIZED' }, 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.H2, player_in_card_id: calloway, new_position: 'SS', team_id: home });
  await subRefused(g, 'away', { code: 'NOT_AUTHORIZED' }, 'request_pinch_hitter', ph({ team_id: 999999 }));

  // NOT_CURRENT_BATTER: A1 is up, not A2
  await subRefused(g, 'away', { code: 'NOT_CURRENT_BATTER' }, 'request_pinch_hitter', ph({ player_out_lineup_id: g.ids.A2 }));
  // NOT_IN_ROSTER: a home card for the visitors
  await subRefused(g, 'away', { code: 'NOT_IN_ROSTER' }, 'request_pinch_hitter', ph({ player_in_card_id: kestrel }));
  // ALREADY_ACTIVE: the DH's card, the pitcher's card
  await subRefused(g, 'away', { code: 'ALREADY_ACTIVE' }, 'request_pinch_hitter', ph({ player_in_card_id: dh.card_id }));
  await subRefused(g, 'away', { code: 'ALREADY_ACTIVE' }, 'request_pinch_hitter', ph({ player_in_card_id: g.demo.away.pitcher.card_id }));
  // INVALID_POSITION: the shortstop's replacement to centre field (held by
  // Fenwick, and SS would be left empty), or to DH (held by Pettibone)
  await subRefused(g, 'home', { code: 'INVALID_POSITION' }, 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.H2, player_in_card_id: calloway, new_position: 'CF', team_id: home });
  await subRefused(g, 'home', { code: 'INVALID_POSITION' }, 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.H2, player_in_card_id: calloway, new_position: 'DH', team_id: home });
  assert.equal((await snapshot(S.stack, g.gameId)).game.status, 'pending', 'no refusal started the game');

  // PLAYER_ALREADY_OUT: replace the shortstop, then try to replace him again
  await substitute(g, 'home', 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.H2, player_in_card_id: calloway, new_position: 'SS', team_id: home },
    { type: 'defensive_replacement', position: 'SS', batting_order: 2 });
  await subRefused(g, 'home', { code: 'PLAYER_ALREADY_OUT' }, 'request_defensive_replacement',
    { player_out_lineup_id: g.ids.H2, player_in_card_id: dunmore, new_position: 'SS', team_id: home });
  // no re-entry: the replaced shortstop cannot come back (rules.md §4)
  const callowayId = (await g.ok('home', 'get_lineup', { team_id: home })).players.find((p) => p.card_id === calloway).lineup_id;
  const reentry = await subRefused(g, 'home', {}, 'request_defensive_replacement',
    { player_out_lineup_id: callowayId, player_in_card_id: g.demo.home.lineup[1].card_id, new_position: 'SS', team_id: home });
  assert.ok(['ALREADY_ACTIVE', 'PLAYER_ALREADY_OUT'].includes(reentry.code), `re-entry refused with ${reentry.code}`);
  t.diagnostic(`re-entry refused: ${reentry.code} "${reentry.message}"`);

  // between plays only: no pinch hitter once the at-bat roll is made
  await g.roll('away');
  const late = await subRefused(g, 'away', {}, 'request_pinch_hitter', ph({}));
  t.diagnostic(`pinch hitter after the roll refused: ${late.code} "${late.message}"`);
  await g.submit({ outcome: 'strikeout' });
  // the PA is over: A2 is up and a pinch hitter for A1 is NOT_CURRENT_BATTER now
  await subRefused(g, 'away', { code: 'NOT_CURRENT_BATTER' }, 'request_pinch_hitter', ph({ player_in_card_id: winterbourne }));
});

test('substitutions in a finished game: GAME_OVER', { timeout: 120_000 }, async () => {
  const d = await demo(S.stack, 'sub-over');
  const gameId = await shortGame(S.stack, d, 1);
  const g = await openGame(S.stack, { demo: d, gameId });
  await playShortGameToEnd(g);
  const lu = await g.ok('away', 'get_lineup', { team_id: g.teams.away });
  const batter = lu.players.find((p) => p.is_active && p.batting_order === 4);
  const pitcher = lu.players.find((p) => p.is_active && p.position === 'P');
  const benchBat = lu.bench.find((b) => !b.positions.includes('P'));
  const benchArm = lu.bench.find((b) => b.positions.includes('P'));
  assert.ok(batter && pitcher && benchBat && benchArm, JSON.stringify(lu));
  const away = g.teams.away;
  await subRefused(g, 'away', { code: 'GAME_OVER' }, 'request_pinch_hitter',
    { player_out_lineup_id: batter.lineup_id, player_in_card_id: benchBat.card_id, team_id: away });
  await subRefused(g, 'away', { code: 'GAME_OVER' }, 'request_pinch_runner',
    { player_out_lineup_id: batter.lineup_id, player_in_card_id: benchBat.card_id, team_id: away });
  await subRefused(g, 'away', { code: 'GAME_OVER' }, 'request_defensive_replacement',
    { player_out_lineup_id: batter.lineup_id, player_in_card_id: benchBat.card_id, new_position: batter.position, team_id: away });
  await subRefused(g, 'away', { code: 'GAME_OVER' }, 'request_pitching_change',
    { player_out_lineup_id: pitcher.lineup_id, player_in_card_id: benchArm.card_id, team_id: away });
});

// Every refusal of events.md's gameplay events answers with its event and
// code (and, for submit_manual_outcome, the original service's messages
// and fields), acks {ok: false, error: {code, message, field?}}, and
// changes nothing: the game's rows (game, play, play_runner, dice_roll,
// decision, lineup_entry, substitution, pitcher_decision) are the same
// before and after, read with psql.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, closeAll, connected, until, sleep, unique, token } from './helpers.mjs';
import {
  openGame, snapshot, ack, recordAll, shortGame, playShortGameToEnd, demo, expectRefused, psql,
} from './gamehelpers.mjs';

// refusals come fast and each takes a token: lift the rate limits here;
// ratelimit.test.mjs tests the defaults
const S = useStack('rejections', { env: {
  DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000',
} });
afterEach(() => closeAll());

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const refused = (sock, gameId, want, event, ...args) => expectRefused(S.stack, sock, gameId, want, event, ...args);

test('submit_manual_outcome: missing, malformed and unknown game; missing and invalid outcome; no pending roll (seed messages)', { timeout: 120_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'rej-out' });
  const h = g.s.home;
  const id = g.gameId;
  const R = (want, ...args) => refused(h, id, { event: 'outcome_rejected', ...want }, 'submit_manual_outcome', ...args);

  await R({ code: 'MISSING_FIELD', field: 'game_id', message: 'Missing game_id' }, { outcome: 'strikeout' });
  await R({ code: 'INVALID_FORMAT', field: 'game_id', message: 'Invalid game_id format' }, { game_id: 'not-a-uuid', outcome: 'strikeout' });
  await R({ code: 'INVALID_FORMAT', field: 'game_id', message: 'Invalid game_id format' }, { game_id: 12345, outcome: 'strikeout' });
  await R({ code: 'INVALID_FORMAT', field: 'game_id', message: 'Invalid game_id format' }, { game_id: `${id}0`, outcome: 'strikeout' });
  await R({ code: 'GAME_NOT_FOUND', message: `Game ${UNKNOWN} not found` }, { game_id: UNKNOWN, outcome: 'strikeout' });
  await R({ code: 'MISSING_FIELD', field: 'outcome', message: 'Missing outcome' }, { game_id: id });
  const unknown = await R({ code: 'INVALID_FORMAT', field: 'outcome', message: 'Invalid outcome' }, { game_id: id, outcome: 'home_run_derby' });
  // the original's validator error list: where, what is accepted, what came
  assert.equal(unknown.errors.length, 1, JSON.stringify(unknown));
  assert.deepEqual(unknown.errors[0].loc, ['outcome']);
  assert.equal(unknown.errors[0].input, 'home_run_derby');
  assert.match(unknown.errors[0].msg, /^Input should be one of: strikeout, groundball_a, .*, balk$/);
  await R({ code: 'INVALID_FORMAT', field: 'outcome', message: /^Invalid outcome/ }, { game_id: id, outcome: 42 });
  // x_check is an intermediate result, never a final outcome (rules.md §1.1)
  await R({ field: 'outcome', message: /^Invalid outcome/ }, { game_id: id, outcome: 'x_check' });
  await R({ code: 'INVALID_FORMAT', field: 'hit_location', message: /hit_location/ }, { game_id: id, outcome: 'groundball_c', hit_location: 'ZZ' });
  await R({ code: 'INVALID_FORMAT', field: 'hit_location' }, { game_id: id, outcome: 'groundball_c', hit_location: 6 });
  await R({ code: 'INVALID_FORMAT', field: 'error_bases' }, { game_id: id, outcome: 'error', hit_location: 'SS', error_bases: 5 });
  await R({ code: 'INVALID_FORMAT', field: 'advances' }, { game_id: id, outcome: 'single_uncapped', hit_location: 'LF', advances: 'all' });
  await R({ code: 'INVALID_PAYLOAD' }, 'strikeout');
  await R({ code: 'INVALID_PAYLOAD' }, ['strikeout']);
  await R({ code: 'INVALID_PAYLOAD' });
  await R({ field: 'game_state', message: 'No pending dice roll - call roll_dice first' }, { game_id: id, outcome: 'strikeout' });
  await R({ field: 'game_state', message: 'No pending dice roll - call roll_dice first' }, { game_id: id, outcome: 'single_1', hit_location: 'CF' });
  const st0 = (await snapshot(S.stack, id)).game;
  assert.equal(st0.status, 'pending', 'refusals did not start the game');

  // with a roll pending
  await g.roll('home');
  await R({ field: 'hit_location', message: 'Outcome groundball_c requires hit_location' }, { game_id: id, outcome: 'groundball_c' });
  await R({ field: 'hit_location', message: 'Outcome flyball_a requires hit_location' }, { game_id: id, outcome: 'flyball_a' });
  // a groundball to left field, a flyball to the shortstop: not accepted (§1.1 loc)
  await R({ field: 'hit_location' }, { game_id: id, outcome: 'groundball_c', hit_location: 'LF' });
  await R({ field: 'hit_location' }, { game_id: id, outcome: 'flyball_a', hit_location: 'SS' });
  // a fielder's choice needs a runner to force (§1.4: n/a with the bases empty)
  await R({}, { game_id: id, outcome: 'fielders_choice', hit_location: 'SS' });
  // rolling again while the roll is pending
  await refused(h, id, { event: 'error', code: 'ROLL_PENDING' }, 'roll_dice', { game_id: id });
  await refused(g.s.away, id, { event: 'error', code: 'ROLL_PENDING' }, 'roll_dice', { game_id: id });
  // the roll is still usable after all that
  const k = await g.submit({ outcome: 'strikeout' }, 'away');
  assert.equal(k.play_number, 1);
  // used once
  await R({ field: 'game_state', message: 'No pending dice roll - call roll_dice first' }, { game_id: id, outcome: 'strikeout' });
  // runner events with the bases empty (§1.3: WP/PB/balk need a runner;
  // no runner can steal or be picked off)
  await R({}, { game_id: id, outcome: 'wild_pitch' });
  await R({}, { game_id: id, outcome: 'balk' });
  await R({}, { game_id: id, outcome: 'stolen_base' });
  await R({}, { game_id: id, outcome: 'pickoff', base: 1 });
});

test('without a roll, a missing hit_location is reported first (the seed checks hit_location, step 6, before the roll, step 7)', { timeout: 60_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'rej-order' });
  await refused(g.s.home, g.gameId, { event: 'outcome_rejected', field: 'hit_location', message: 'Outcome groundball_c requires hit_location' },
    'submit_manual_outcome', { game_id: g.gameId, outcome: 'groundball_c' });
});

test('roll_dice and decisions: NOT_IN_GAME, NOT_AUTHORIZED, NOT_YOUR_TURN, GAME_NOT_FOUND, INVALID_FORMAT / INVALID_PAYLOAD', { timeout: 120_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'rej-dec' });
  const id = g.gameId;
  const { home, away, spec } = g.s;

  // a manager's second socket that has not joined the game's room
  const outsider = recordAll(await connected(S.stack.url, g.demo.home.token));
  for (const [ev, p] of [['roll_dice', {}], ['submit_manual_outcome', { outcome: 'strikeout' }],
    ['submit_defensive_decision', {}], ['submit_offensive_decision', {}],
    ['get_lineup', { team_id: g.teams.home }], ['get_box_score', {}], ['request_game_state', {}]]) {
    await refused(outsider, id, { event: 'error', code: 'NOT_IN_GAME' }, ev, { game_id: id, ...p });
  }

  // a spectator reads but does not act
  for (const [ev, p] of [['roll_dice', {}], ['submit_manual_outcome', { outcome: 'strikeout' }],
    ['submit_defensive_decision', {}], ['submit_offensive_decision', {}]]) {
    await refused(spec, id, { event: 'error', code: 'NOT_AUTHORIZED' }, ev, { game_id: id, ...p });
  }
  // events.md lists NOT_AUTHORIZED among the substitution_error codes; a
  // spectator's refusal may come as either event
  await refused(spec, id, { code: 'NOT_AUTHORIZED', event: ['error', 'substitution_error'] }, 'request_pinch_hitter',
    { game_id: id, player_out_lineup_id: g.ids.A1, player_in_card_id: g.demo.away.lineup[0].card_id, team_id: g.teams.away });
  for (const [ev, p] of [['get_lineup', { team_id: g.teams.away }], ['get_box_score', {}], ['request_game_state', {}]]) {
    const r = await ack(spec, ev, { game_id: id, ...p });
    assert.equal(r.ok, true, `${ev} by the spectator: ${JSON.stringify(r)}`);
  }

  // a user who manages neither team cannot join as player
  const stranger = recordAll(await connected(S.stack.url, await token(S.stack, unique('stranger'))));
  const joined = [];
  stranger.on('game_joined', (p) => joined.push(p));
  await refused(stranger, id, { event: 'error', code: 'NOT_AUTHORIZED' }, 'join_game', { game_id: id, role: 'player' });
  await sleep(200);
  assert.deepEqual(joined, [], 'no game_joined for a refused join');

  // unknown game
  await refused(home, id, { event: 'error', code: 'GAME_NOT_FOUND' }, 'roll_dice', { game_id: UNKNOWN });
  await refused(home, id, { event: 'error', code: 'GAME_NOT_FOUND' }, 'submit_defensive_decision', { game_id: UNKNOWN });
  // malformed
  await refused(home, id, { event: 'error', code: 'MISSING_FIELD', field: 'game_id' }, 'roll_dice', {});
  await refused(home, id, { event: 'error', code: 'INVALID_FORMAT', field: 'game_id' }, 'roll_dice', { game_id: 'abc' });
  await refused(home, id, { event: 'error', code: 'INVALID_PAYLOAD' }, 'roll_dice', 'now');
  await refused(home, id, { event: 'error', code: 'INVALID_PAYLOAD' }, 'roll_dice');
  await refused(home, id, { event: 'error', code: 'INVALID_PAYLOAD' }, 'submit_defensive_decision', [id]);

  // top of the 1st: the visitors bat, the home team fields
  await refused(away, id, { event: 'error', code: 'NOT_YOUR_TURN' }, 'submit_defensive_decision', { game_id: id });
  await refused(home, id, { event: 'error', code: 'NOT_YOUR_TURN' }, 'submit_offensive_decision', { game_id: id });
  // wrong values and types
  const D = (want, p) => refused(home, id, { event: 'error', ...want }, 'submit_defensive_decision', { game_id: id, ...p });
  const O = (want, p) => refused(away, id, { event: 'error', ...want }, 'submit_offensive_decision', { game_id: id, ...p });
  await D({ code: 'INVALID_FORMAT', field: 'alignment' }, { alignment: 'sideways' });
  await D({ code: 'INVALID_FORMAT', field: 'alignment' }, { alignment: 1 });
  await D({ code: 'INVALID_FORMAT', field: 'infield_depth' }, { infield_depth: 'deep' });
  await D({ code: 'INVALID_FORMAT', field: 'outfield_depth' }, { outfield_depth: 'double_play' });
  await D({ code: 'INVALID_FORMAT', field: 'hold_runners' }, { hold_runners: '1' });
  await D({ code: 'INVALID_FORMAT', field: 'hold_runners' }, { hold_runners: [4] });
  await D({ code: 'INVALID_FORMAT', field: 'hold_runners' }, { hold_runners: [1, 1] });
  await O({ code: 'INVALID_FORMAT', field: 'approach' }, { approach: 'swing_hard' });
  await O({ code: 'INVALID_FORMAT', field: 'hit_and_run' }, { hit_and_run: 'yes' });
  await O({ code: 'INVALID_FORMAT', field: 'bunt_attempt' }, { bunt_attempt: 1 });
  await O({ code: 'INVALID_FORMAT', field: 'steal_attempts' }, { steal_attempts: [0] });
  // against the state: nobody on base
  await D({ code: 'INVALID_FORMAT', field: 'hold_runners' }, { hold_runners: [1] });
  await D({ code: 'INVALID_FORMAT', field: 'infield_depth' }, { infield_depth: 'double_play' });
  await D({ code: 'INVALID_FORMAT', field: 'infield_depth' }, { infield_depth: 'in' });   // no R3 (rules.md §1.5, §6 #6)
  await O({ code: 'INVALID_FORMAT', field: 'steal_attempts' }, { steal_attempts: [1] });
  assert.equal((await snapshot(S.stack, id)).game.status, 'pending', 'no refusal started the game');

  // a runner on first: holding second or stealing from second is refused
  await g.pa('single_1', { hit_location: 'CF' });
  await D({ code: 'INVALID_FORMAT', field: 'hold_runners' }, { hold_runners: [2] });
  await O({ code: 'INVALID_FORMAT', field: 'steal_attempts' }, { steal_attempts: [2] });
  await D({ code: 'INVALID_FORMAT', field: 'infield_depth' }, { infield_depth: 'in' });
  // two outs: no double-play depth even with R1
  await g.pa('strikeout');
  await g.pa('strikeout');
  await D({ code: 'INVALID_FORMAT', field: 'infield_depth' }, { infield_depth: 'double_play' });
  // the valid version of the same decision is accepted
  const ok = await g.ok('home', 'submit_defensive_decision', { hold_runners: [1] });
  assert.deepEqual(ok.decision.hold_runners, [1]);
});

test('a manager taken off his team after joining as player can act no more (authz.h rule 6)', { timeout: 120_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'rej-ex' });
  const id = g.gameId;
  const sub = (tok) => JSON.parse(Buffer.from(tok.split('.')[1], 'base64url').toString()).sub;
  const removed = await psql(S.stack, `DELETE FROM team_manager WHERE user_id = '${sub(g.demo.home.token)}' RETURNING team_id`);
  assert.notEqual(removed, '', 'the home manager managed a team');
  const gone = { code: 'NOT_AUTHORIZED', message: 'You no longer manage a team of this game' };
  await refused(g.s.home, id, gone, 'roll_dice', { game_id: id });
  await refused(g.s.home, id, gone, 'submit_defensive_decision', { game_id: id, alignment: 'normal', infield_depth: 'normal', outfield_depth: 'normal' });
  // who may act is answered with `error` for every action, as for a spectator
  await refused(g.s.home, id, gone, 'submit_manual_outcome', { game_id: id, outcome: 'strikeout' });
  // reads stay open to him, and the other manager is untouched
  assert.equal((await ack(g.s.home, 'request_game_state', { game_id: id })).ok, true);
  assert.equal((await ack(g.s.away, 'roll_dice', { game_id: id })).ok, true);
});

test('a finished game refuses every action and changes nothing', { timeout: 120_000 }, async () => {
  const d = await demo(S.stack, 'rej-over');
  const gameId = await shortGame(S.stack, d, 1);
  const g = await openGame(S.stack, { demo: d, gameId });
  await playShortGameToEnd(g);
  const id = g.gameId;
  const { home, away } = g.s;
  await refused(home, id, { event: 'outcome_rejected', code: 'GAME_OVER', message: /over/i }, 'submit_manual_outcome', { game_id: id, outcome: 'strikeout' });
  await refused(away, id, { event: 'outcome_rejected', code: 'GAME_OVER', message: /over/i }, 'submit_manual_outcome', { game_id: id, outcome: 'wild_pitch' });
  await refused(home, id, { event: 'outcome_rejected', code: 'GAME_OVER', message: /over/i }, 'submit_manual_outcome', { game_id: id, outcome: 'intentional_walk' });
  await refused(home, id, { event: 'error', code: 'GAME_OVER' }, 'roll_dice', { game_id: id });
  await refused(away, id, { event: 'error', code: 'GAME_OVER' }, 'roll_dice', { game_id: id });
  // the game ended in the bottom of the 1st: home would bat, away field
  await refused(home, id, { event: 'error', code: 'GAME_OVER' }, 'submit_offensive_decision', { game_id: id });
  await refused(away, id, { event: 'error', code: 'GAME_OVER' }, 'submit_defensive_decision', { game_id: id });
  await refused(away, id, { event: 'error' }, 'submit_offensive_decision', { game_id: id });
  await refused(g.s.spec, id, { event: 'error', code: 'NOT_AUTHORIZED' }, 'roll_dice', { game_id: id });
  // reading still works
  const st = await ack(home, 'request_game_state', { game_id: id });
  assert.equal(st.ok, true, JSON.stringify(st));
  assert.equal(st.state.status, 'final');
});

test('two rolls at once from the two managers: one dice_rolled, the other ROLL_PENDING', { timeout: 60_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'rej-roll2' });
  const id = g.gameId;
  for (let i = 0; i < 5; i++) {
    const [a, b] = await Promise.all([ack(g.s.home, 'roll_dice', { game_id: id }), ack(g.s.away, 'roll_dice', { game_id: id })]);
    const oks = [a, b].filter((r) => r.ok);
    assert.equal(oks.length, 1, `exactly one roll: ${JSON.stringify([a, b])}`);
    const no = [a, b].find((r) => !r.ok);
    assert.equal(no.error.code, 'ROLL_PENDING', JSON.stringify(no));
    await g.submit({ outcome: 'strikeout' });
  }
  const snap = await snapshot(S.stack, id);
  assert.equal(snap.rolls.length, 5, 'five rolls stored');
  assert.equal(snap.plays.length, 5);
  await sleep(200);
  assert.equal(g.s.spec.got.dice_rolled.length, 5, 'the room saw five rolls');
});


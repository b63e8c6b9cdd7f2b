// What the rules allow, as data and small pure functions, so the panels can
// disable a forbidden choice *and* say why before the server would refuse it.
// Sources: rules.md §1.1 (catalogue), §1.3/§1.5 (decisions), §4 (subs), and
// the engine's own checks (src/game.c: game_defense, game_offense,
// submit_check).  The server stays the judge; these only guide.

export const INFIELD = ['P', 'C', '1B', '2B', '3B', 'SS'];
export const OUTFIELD = ['LF', 'CF', 'RF'];
export const ANYWHERE = [...INFIELD, ...OUTFIELD];
const FOUL = ['C', '1B', '3B', 'LF', 'RF'];

// Field positions a defensive replacement may take (no P: that is a
// pitching change; no DH: moving into the DH slot is not supported).
export const FIELD_POSITIONS = ['C', '1B', '2B', '3B', 'SS', 'LF', 'CF', 'RF'];

export const BASE_WORD = { 1: '1st', 2: '2nd', 3: '3rd' };
export const BASE_KEY = { 1: 'first', 2: 'second', 3: 'third' };

// loc: 'req' | 'opt' | null; locs: where it may be hit; roll: needs the
// pending at-bat roll; pa: completes the plate appearance.
const o = (value, label, loc, locs, extra = {}) =>
  ({ value, label, loc, locs: loc ? locs : [], roll: true, pa: true, hit: false, ...extra });

// Grouped the way the cards read.
export const OUTCOME_GROUPS = [
  ['Outs', [
    o('strikeout', 'Strikeout', null),
    o('groundball_a', 'Groundball A (double-play ball)', 'req', INFIELD),
    o('groundball_b', 'Groundball B (force at 2nd)', 'req', INFIELD),
    o('groundball_c', 'Groundball C (runners move up)', 'req', INFIELD),
    o('flyball_a', 'Flyball A (deep)', 'req', OUTFIELD),
    o('flyball_b', 'Flyball B (medium)', 'req', OUTFIELD),
    o('flyball_bq', 'Flyball B? (runner on 3rd may try)', 'req', OUTFIELD),
    o('flyball_c', 'Flyball C (shallow)', 'req', OUTFIELD),
    o('lineout', 'Lineout', 'req', ANYWHERE),
    o('lineout_max', 'Lineout max (lead runner doubled off)', 'req', ANYWHERE),
    o('popout', 'Popout', 'req', INFIELD),
    o('foulout', 'Foulout', 'req', FOUL),
    o('sac_bunt', 'Sacrifice bunt', 'req', INFIELD),
    o('fielders_choice', "Fielder's choice", 'req', INFIELD),
    o('bp_flyout', 'Ballpark flyout (missed BP home run)', 'req', OUTFIELD),
    o('bp_lineout', 'Ballpark lineout (missed BP single)', 'req', ANYWHERE),
  ]],
  ['Hits', [
    o('single_1', 'Single * (runners +1)', 'opt', ANYWHERE, { hit: true }),
    o('single_2', 'Single ** (runners +2)', 'opt', ANYWHERE, { hit: true }),
    o('single_uncapped', 'Single, uncapped (extra base optional)', 'req', OUTFIELD, { hit: true }),
    o('double_2', 'Double ** (runners +2)', 'opt', ANYWHERE, { hit: true }),
    o('double_3', 'Double *** (all runners score)', 'opt', ANYWHERE, { hit: true }),
    o('double_uncapped', 'Double, uncapped (runner from 1st may try)', 'req', OUTFIELD, { hit: true }),
    o('triple', 'Triple', 'opt', ANYWHERE, { hit: true }),
    o('homerun', 'Home run', 'opt', ANYWHERE, { hit: true, hr: true }),
    o('bp_homerun', 'Ballpark home run', 'opt', ANYWHERE, { hit: true, hr: true }),
    o('bp_single', 'Ballpark single', 'opt', ANYWHERE, { hit: true }),
  ]],
  ['Walks and HBP', [
    o('walk', 'Walk', null),
    o('intentional_walk', 'Intentional walk (no roll needed)', null, [], { roll: false }),
    o('hbp', 'Hit by pitch', null),
    o('catcher_interference', "Catcher's interference", null),
  ]],
  ['Errors', [
    o('error', 'Error (batter reaches)', 'req', ANYWHERE),
  ]],
  ['Runner events', [
    o('stolen_base', 'Stolen base', null, [], { roll: false, pa: false }),
    o('caught_stealing', 'Caught stealing', null, [], { roll: false, pa: false }),
    o('pickoff', 'Pickoff', null, [], { roll: false, pa: false }),
    o('wild_pitch', 'Wild pitch', null, [], { roll: false, pa: false }),
    o('passed_ball', 'Passed ball', null, [], { roll: false, pa: false }),
    o('balk', 'Balk', null, [], { roll: false, pa: false }),
  ]],
];

export const OUTCOMES = new Map(OUTCOME_GROUPS.flatMap(([, list]) => list.map((x) => [x.value, x])));

// ------------------------------------------------------------------ state

export const occupied = (s, b) => Boolean(s?.runners?.[BASE_KEY[b]]);
export const anyRunner = (s) => [1, 2, 3].some((b) => occupied(s, b));
export const isOver = (s) => s?.status === 'final';

// Decisions in force for this at-bat: the engine reports the defaults until
// a side has decided; pending_decision tells which sides are in.
export const offenseIn = (s) => ['resolution', 'outcome'].includes(s?.pending_decision);
export const defenseIn = (s) => ['offensive', 'resolution', 'outcome'].includes(s?.pending_decision);

// --------------------------------------------------------------- decisions

// Why a decision panel cannot be used at all now (null = it can).
export function decisionBlocked(s) {
  if (!s) return 'Waiting for the game state';
  if (isOver(s)) return 'The game is over';
  if (s.pending_roll) return 'A roll is pending: submit its outcome first';
  if (s.pending_decision === 'resolution') return 'Both decisions are in: they hold for this at-bat';
  return null;
}

export function infieldReason(s, depth) {
  if (depth === 'in' && (!occupied(s, 3) || s.outs >= 2))
    return 'Infield in needs a runner on 3rd and fewer than two outs';
  if (depth === 'double_play' && (!occupied(s, 1) || s.outs >= 2))
    return 'Double-play depth needs a runner on 1st and fewer than two outs';
  return null;
}

export const holdReason = (s, b) => (occupied(s, b) ? null : 'Only an occupied base can be held');

// A runner may steal if the base ahead is empty or its runner steals too;
// `chosen` is the set of bases already ticked.
export function stealReason(s, b, chosen) {
  if (!occupied(s, b)) return 'No runner on this base';
  if (b < 3 && occupied(s, b + 1) && !chosen.has(b + 1))
    return `The runner on ${BASE_WORD[b + 1]} must steal too (the base ahead is taken)`;
  return null;
}

export function hitAndRunReason(s, bunt) {
  if (!occupied(s, 1) && !occupied(s, 2)) return 'Hit and run needs a runner on 1st or 2nd';
  if (bunt) return 'Hit and run cannot be combined with a bunt';
  return null;
}

export const buntReason = (hitAndRun) => (hitAndRun ? 'A bunt cannot be combined with hit and run' : null);

// ----------------------------------------------------------------- outcome

const declaredSteals = (s) => (offenseIn(s) ? s.decisions?.offensive?.steal_attempts ?? [] : []);
const hitAndRunOn = (s) => offenseIn(s) && s.decisions?.offensive?.hit_and_run;

// Why this outcome cannot be submitted now (null = it can).
export function outcomeReason(s, def) {
  if (isOver(s)) return 'The game is over';
  if (def.roll && !s.pending_roll) return 'Roll the dice first';
  if (def.pa && declaredSteals(s).length)
    return 'Steals were declared: submit stolen base or caught stealing first';
  switch (def.value) {
    case 'fielders_choice':
      return occupied(s, 1) ? null : "A fielder's choice needs a runner on 1st (a force)";
    case 'stolen_base': case 'caught_stealing':
      return declaredSteals(s).length ? null : 'No steal was declared in the offensive decision';
    case 'pickoff': case 'wild_pitch': case 'passed_ball': case 'balk':
      return anyRunner(s) ? null : 'Needs a runner on base';
    default:
      return null;
  }
}

// The kind the engine resolves: outfield "in" weakens a fly one step
// (rules.md §1.3) with fewer than two out.
function effectiveKind(s, value) {
  const ofIn = defenseIn(s) && s.decisions?.defensive?.outfield_depth === 'in';
  const kind = value === 'bp_flyout' ? 'flyball_b' : value;
  if (!ofIn) return kind;
  return { flyball_a: 'flyball_b', flyball_b: 'flyball_bq', flyball_bq: 'flyball_c' }[kind] ?? kind;
}

// Optional advances (rules.md §1.1 `advances`): [{from, to, label}], lead
// runner first, only for runners actually there and before the third out.
export function optionalAdvances(s, value) {
  if (!s || s.outs >= 2 && !['single_uncapped', 'double_uncapped'].includes(value)) return [];
  const kind = effectiveKind(s, value);
  const table = {
    flyball_b: [[2, 3]],
    flyball_bq: [[3, 4]],
    single_uncapped: [[2, 4], [1, 3], [0, 2]],
    double_uncapped: [[1, 4], [0, 3]],
  }[kind] ?? [];
  const who = (f) => (f === 0 ? 'Batter' : `Runner from ${BASE_WORD[f]}`);
  const dest = (t) => (t === 4 ? 'home' : BASE_WORD[t]);
  return table.filter(([f]) => f === 0 || occupied(s, f))
    .map(([from, to]) => ({ from, to, label: `${who(from)} tries for ${dest(to)}` }));
}

// steal_result is needed on a strikeout with hit-and-run on, fewer than two
// out and a runner going (game.md: "Hit-and-run").
export const needsStealResult = (s, value) =>
  value === 'strikeout' && hitAndRunOn(s) && s.outs < 2 && (occupied(s, 1) || occupied(s, 2));

// error_bases: the meaning of `error`; "hit plus error" on any hit but a HR.
export const takesErrorBases = (def) => def.value === 'error' || (def.hit && !def.hr);

// -------------------------------------------------------------- substitutions

export const SUB_TYPES = [
  ['pinch_hitter', 'Pinch hitter', 'request_pinch_hitter'],
  ['pinch_runner', 'Pinch runner', 'request_pinch_runner'],
  ['defensive_replacement', 'Defensive replacement', 'request_defensive_replacement'],
  ['pitching_change', 'Pitching change', 'request_pitching_change'],
];

// Why `team` may not make a substitution of `type` now (null = it may).
export function subReason(s, team, type, lineup) {
  if (!s) return 'Waiting for the game state';
  if (isOver(s)) return 'The game is over';
  if (s.pending_roll) return 'Not while a roll is pending: submit its outcome first';
  const batting = s.batting_team_id === team;
  switch (type) {
    case 'pinch_hitter':
      return batting ? null : 'Only while your team is batting';
    case 'pinch_runner':
      if (!batting) return 'Only while your team is batting';
      return anyRunner(s) ? null : 'Nobody is on base';
    case 'defensive_replacement':
      return batting ? 'Only while your team is in the field' : null;
    case 'pitching_change':
      if (batting) return 'Only while your team is in the field';
      if (lineup?.pitching_change && !lineup.pitching_change.allowed)
        return lineup.pitching_change.message || 'The pitcher cannot be changed now';
      return null;
    default:
      return 'Unknown substitution';
  }
}

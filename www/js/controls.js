// The managers' controls: defensive and offensive decisions, the dice
// button, outcome entry and substitutions.  Built once for a manager (a
// spectator never gets them), then `update` re-derives what is allowed from
// each new game state.  Submissions go through ctx.send(kind, …), which
// routes a refusal to that panel's error slot.

import { $, el, option, fillSelect, showError } from './util.js';
import * as R from './rules.js';

const BASES = [1, 2, 3];
let ctx = null; // {send, myTeams, lineups, state, stale}

// A "why" note tied to a control with aria-describedby.
const why = (id) => el('p', { id, class: 'why', hidden: true });
function setWhy(id, text) {
  const node = $(id);
  node.textContent = text || '';
  node.hidden = !text;
}
const errorSlot = (id) => el('p', { id, class: 'error', 'aria-live': 'assertive', hidden: true });
const field = (label, control, ...rest) => el('div', { class: 'field-row' },
  el('label', { for: control.id }, label), control, ...rest);
const select = (id, options, describedby) => el('select', { id, 'aria-describedby': describedby }, options);
const check = (id, label, describedby) => el('div', { class: 'check' },
  el('input', { type: 'checkbox', id, 'aria-describedby': describedby }), el('label', { for: id }, label));

// ---------------------------------------------------------------- defence

function buildDefense() {
  const form = el('form', { id: 'defense-form', novalidate: true },
    field('Alignment', select('def-alignment', [
      option('normal', 'Normal'), option('shifted_left', 'Shifted left'),
      option('shifted_right', 'Shifted right'), option('extreme_shift', 'Extreme shift')])),
    field('Infield depth', select('def-infield', [
      option('normal', 'Normal'), option('back', 'Back'), option('in', 'In'),
      option('double_play', 'Double play')], 'def-infield-why'), why('def-infield-why')),
    field('Outfield depth', select('def-outfield', [
      option('normal', 'Normal'), option('back', 'Back'), option('in', 'In')])),
    el('fieldset', {}, el('legend', {}, 'Hold runners'),
      BASES.map((b) => check(`def-hold-${b}`, `Hold runner on ${R.BASE_WORD[b]}`, 'def-hold-why')),
      why('def-hold-why')),
    el('button', { type: 'submit', id: 'defense-submit' }, 'Submit defense'),
    errorSlot('defense-error'));
  form.addEventListener('submit', (e) => { e.preventDefault(); submitDefense(); });
  $('defense-panel').replaceChildren(el('h2', { id: 'defense-h' }, 'Defense'),
    el('p', { id: 'defense-why', class: 'why', hidden: true }), form);
}

function updateDefense(s, mine) {
  const panel = $('defense-panel');
  panel.hidden = !mine;
  if (!mine) return;
  const blocked = R.decisionBlocked(s);
  setWhy('defense-why', blocked);
  const infield = $('def-infield');
  const reasons = [];
  for (const opt of infield.options) {
    const r = R.infieldReason(s, opt.value);
    opt.disabled = Boolean(r);
    if (r) reasons.push(r);
  }
  if (infield.selectedOptions[0]?.disabled) infield.value = 'normal';
  setWhy('def-infield-why', reasons.join('. '));
  let holdWhy = null;
  for (const b of BASES) {
    const r = R.holdReason(s, b);
    const box = $(`def-hold-${b}`);
    box.disabled = Boolean(r);
    if (r) { box.checked = false; holdWhy = r; }
  }
  setWhy('def-hold-why', holdWhy);
  $('defense-submit').disabled = Boolean(blocked) || ctx.stale;
}

function submitDefense() {
  showError('defense-error', '');
  ctx.send('defense', 'submit_defensive_decision', {
    game_id: ctx.state.game_id,
    alignment: $('def-alignment').value,
    infield_depth: $('def-infield').value,
    outfield_depth: $('def-outfield').value,
    hold_runners: BASES.filter((b) => $(`def-hold-${b}`).checked),
  });
}

// ---------------------------------------------------------------- offence

function buildOffense() {
  const form = el('form', { id: 'offense-form', novalidate: true },
    field('Approach', select('off-approach', [
      option('normal', 'Normal'), option('contact', 'Contact'),
      option('power', 'Power'), option('patient', 'Patient')])),
    el('fieldset', {}, el('legend', {}, 'Steals'),
      BASES.map((b) => check(`off-steal-${b}`, `Runner on ${R.BASE_WORD[b]} steals`, 'off-steal-why')),
      why('off-steal-why')),
    check('off-hnr', 'Hit and run', 'off-hnr-why'), why('off-hnr-why'),
    check('off-bunt', 'Bunt', 'off-bunt-why'), why('off-bunt-why'),
    el('button', { type: 'submit', id: 'offense-submit' }, 'Submit offense'),
    errorSlot('offense-error'));
  // ticking one box changes what the others allow (double steal, H&R vs bunt)
  form.addEventListener('change', () => updateOffense(ctx.state, true));
  form.addEventListener('submit', (e) => { e.preventDefault(); submitOffense(); });
  $('offense-panel').replaceChildren(el('h2', { id: 'offense-h' }, 'Offense'),
    el('p', { id: 'offense-why', class: 'why', hidden: true }), form);
}

function updateOffense(s, mine) {
  const panel = $('offense-panel');
  panel.hidden = !mine;
  if (!mine) return;
  const blocked = R.decisionBlocked(s);
  setWhy('offense-why', blocked);
  // lead runner first, so "must steal too" sees the base ahead's final state
  const chosen = new Set();
  const notes = [];
  for (const b of [3, 2, 1]) {
    const box = $(`off-steal-${b}`);
    const r = R.stealReason(s, b, chosen);
    box.disabled = Boolean(r);
    if (r) { box.checked = false; if (R.occupied(s, b)) notes.push(`Runner on ${R.BASE_WORD[b]}: ${r}`); }
    if (box.checked) chosen.add(b);
  }
  if (!R.anyRunner(s)) notes.push('Nobody is on base to steal');
  else if (BASES.some((b) => !R.occupied(s, b))) notes.push('Only a base with a runner on it can steal');
  setWhy('off-steal-why', notes.join('. '));
  const hnr = $('off-hnr');
  const bunt = $('off-bunt');
  const hnrWhy = R.hitAndRunReason(s, bunt.checked);
  hnr.disabled = Boolean(hnrWhy);
  if (hnrWhy) hnr.checked = false;
  setWhy('off-hnr-why', hnrWhy);
  const buntWhy = R.buntReason(hnr.checked);
  bunt.disabled = Boolean(buntWhy);
  setWhy('off-bunt-why', buntWhy);
  $('offense-submit').disabled = Boolean(blocked) || ctx.stale;
}

function submitOffense() {
  showError('offense-error', '');
  ctx.send('offense', 'submit_offensive_decision', {
    game_id: ctx.state.game_id,
    approach: $('off-approach').value,
    steal_attempts: BASES.filter((b) => $(`off-steal-${b}`).checked),
    hit_and_run: $('off-hnr').checked,
    bunt_attempt: $('off-bunt').checked,
  });
}

// ------------------------------------------------------------------ dice

function buildRoll() {
  const button = el('button', { type: 'button', id: 'roll-button', 'aria-describedby': 'roll-why' }, 'Roll dice');
  button.addEventListener('click', () => {
    showError('roll-error', '');
    ctx.send('roll', 'roll_dice', { game_id: ctx.state.game_id });
  });
  $('roll-slot').replaceChildren(el('p', {}, button), why('roll-why'), errorSlot('roll-error'));
}

function updateRoll(s) {
  let r = null;
  if (R.isOver(s)) r = 'The game is over';
  else if (s.pending_roll) r = 'Submit the outcome of this roll before rolling again';
  $('roll-button').disabled = Boolean(r) || ctx.stale;
  setWhy('roll-why', r);
}

// ---------------------------------------------------------------- outcome

function buildOutcome() {
  const outcome = select('out-outcome', [option('', '— choose what the card says —'),
    ...R.OUTCOME_GROUPS.map(([group, list]) =>
      el('optgroup', { label: group }, list.map((d) => option(d.value, d.label))))], 'out-outcome-why');
  const form = el('form', { id: 'outcome-form', novalidate: true },
    field('Outcome', outcome, why('out-outcome-why')),
    el('div', { id: 'out-loc-row', hidden: true },
      field('Hit location', select('out-loc', [], 'out-loc-note'), el('p', { id: 'out-loc-note', class: 'note' }))),
    el('div', { id: 'out-err-row', hidden: true },
      field('Error bases', select('out-error-bases', [], 'out-err-note'), el('p', { id: 'out-err-note', class: 'note' }))),
    el('div', { id: 'out-base-row', hidden: true }, field('Picked off at', select('out-base', []))),
    el('div', { id: 'out-fc-row', hidden: true }, field('Runner out', select('out-fc', []))),
    el('div', { id: 'out-steal-row', hidden: true },
      field('Steal result', select('out-steal', [option('safe', 'Safe (runners move up)'), option('out', 'Out (lead runner caught)')]),
        el('p', { class: 'note' }, 'Hit and run was on: the runners going were stealing on the strikeout.'))),
    el('fieldset', { id: 'out-adv', hidden: true }, el('legend', {}, 'Optional advances'),
      el('p', { class: 'note' }, 'Default: every runner holds. A trailing runner may only try if the runner ahead tried; the batter only on a throw.'),
      el('div', { id: 'out-adv-list' })),
    el('button', { type: 'submit', id: 'outcome-submit' }, 'Submit outcome'),
    errorSlot('outcome-error'));
  outcome.addEventListener('change', () => updateOutcomeFields(ctx.state));
  form.querySelector('#out-error-bases').addEventListener('change', () => updateOutcomeFields(ctx.state));
  form.addEventListener('submit', (e) => { e.preventDefault(); submitOutcome(); });
  $('outcome-panel').replaceChildren(el('h2', { id: 'outcome-h' }, 'Result of the roll'),
    el('p', { class: 'muted' }, 'Submit what the card (and the fielding chart, for an X) says.'), form);
}

// Why-notes for the outcome list: one line per reason, naming the outcomes
// (or their groups when many share it).
function outcomeNotes(s) {
  const byReason = new Map();
  for (const [group, list] of R.OUTCOME_GROUPS)
    for (const d of list) {
      const r = R.outcomeReason(s, d);
      if (!r) continue;
      if (!byReason.has(r)) byReason.set(r, { groups: new Set(), labels: [] });
      byReason.get(r).groups.add(group);
      byReason.get(r).labels.push(d.label.replace(/ \(.*\)$/, ''));
    }
  return [...byReason].map(([r, x]) =>
    `${r}: ${x.labels.length > 4 ? [...x.groups].join(', ') : x.labels.join(', ')}`).join('. ');
}

function updateOutcome(s) {
  const sel = $('out-outcome');
  for (const opt of sel.querySelectorAll('option[value]:not([value=""])'))
    opt.disabled = Boolean(R.outcomeReason(s, R.OUTCOMES.get(opt.value)));
  if (sel.selectedOptions[0]?.disabled) sel.value = '';
  setWhy('out-outcome-why', outcomeNotes(s));
  updateOutcomeFields(s);
}

// Show only the modifiers the chosen outcome takes.
function updateOutcomeFields(s) {
  const def = R.OUTCOMES.get($('out-outcome').value);
  const show = (id, on) => { $(id).hidden = !on; };

  // hit location: required, optional or not asked
  show('out-loc-row', Boolean(def?.loc));
  if (def?.loc) {
    fillSelect($('out-loc'), [option('', def.loc === 'req' ? '— choose —' : '(not given)'),
      ...def.locs.map((l) => option(l, l))]);
    $('out-loc').required = def.loc === 'req';
    $('out-loc-note').textContent = def.loc === 'req'
      ? `Required for this outcome (${def.locs.join(', ')}).` : 'Optional for this outcome.';
  }

  // error bases: the meaning of an error; "hit plus error" on a hit
  const eb = def && R.takesErrorBases(def);
  show('out-err-row', eb);
  if (eb) {
    fillSelect($('out-error-bases'), def.value === 'error'
      ? [1, 2, 3].map((n) => option(String(n), `${n} base${n > 1 ? 's' : ''}`))
      : [option('', 'No error'), ...[1, 2, 3].map((n) => option(String(n), `plus a ${n}-base error`))]);
    $('out-err-note').textContent = def.value === 'error'
      ? 'Batter reaches that many bases; runners move up as many.'
      : 'Only for a hit plus an error (the fielder at the hit location is charged).';
  }

  show('out-base-row', def?.value === 'pickoff');
  if (def?.value === 'pickoff')
    fillSelect($('out-base'), BASES.filter((b) => R.occupied(s, b)).map((b) =>
      option(String(b), `${R.BASE_WORD[b]} (${s.runners[R.BASE_KEY[b]].name})`)));

  show('out-fc-row', def?.value === 'fielders_choice');
  if (def?.value === 'fielders_choice')
    fillSelect($('out-fc'), [option('', 'Lead forced runner (default)'),
      ...BASES.filter((b) => R.occupied(s, b)).map((b) =>
        option(String(b), `Runner on ${R.BASE_WORD[b]} (${s.runners[R.BASE_KEY[b]].name})`))]);

  show('out-steal-row', def && R.needsStealResult(s, def.value));

  // optional advances: not together with a hit plus error
  const hitPlusError = eb && def.hit && $('out-error-bases').value !== '';
  const adv = def && !hitPlusError ? R.optionalAdvances(s, def.value) : [];
  show('out-adv', adv.length > 0);
  const list = $('out-adv-list');
  const keep = new Map([...list.querySelectorAll('select')].map((x) => [x.id, x.value]));
  list.replaceChildren(...adv.map((a) => {
    const id = `out-adv-${a.from}`;
    const sel = select(id, [option('', 'Holds'), option('safe', 'Tries: safe'), option('out', 'Tries: out')]);
    sel.value = keep.get(id) ?? '';
    sel.dataset.from = a.from;
    return field(a.label, sel);
  }));
  $('outcome-submit').disabled = !def || Boolean(R.outcomeReason(s, def)) || ctx.stale;
}

function submitOutcome() {
  showError('outcome-error', '');
  const s = ctx.state;
  const def = R.OUTCOMES.get($('out-outcome').value);
  if (!def) { showError('outcome-error', 'Choose an outcome first.'); return; }
  const p = { game_id: s.game_id, outcome: def.value };
  const visible = (id) => !$(id).hidden;
  if (def.loc && $('out-loc').value) p.hit_location = $('out-loc').value;
  if (def.loc === 'req' && !p.hit_location) {
    showError('outcome-error', 'Choose the hit location: this outcome needs one.');
    $('out-loc').focus();
    return;
  }
  if (visible('out-err-row') && $('out-error-bases').value) p.error_bases = Number($('out-error-bases').value);
  if (visible('out-base-row')) p.base = Number($('out-base').value);
  if (visible('out-fc-row') && $('out-fc').value) p.fc_out_from = Number($('out-fc').value);
  if (visible('out-steal-row')) p.steal_result = $('out-steal').value;
  if (visible('out-adv')) {
    const advances = [...$('out-adv-list').querySelectorAll('select')]
      .filter((x) => x.value).map((x) => ({ from: Number(x.dataset.from), result: x.value }));
    if (advances.length) p.advances = advances;
  }
  ctx.send('outcome', 'submit_manual_outcome', p).then((ok) => {
    // the next play starts from a clean form (no stale location or advance)
    if (!ok) return;
    $('outcome-form').reset();
    $('out-loc').value = '';
    updateOutcomeFields(ctx.state);
  });
}

// ----------------------------------------------------------- substitutions

function buildSub() {
  const type = select('sub-type', R.SUB_TYPES.map(([v, label]) => option(v, label)), 'sub-type-why');
  const form = el('form', { id: 'sub-form', novalidate: true },
    field('Substitution', type, why('sub-type-why')),
    field('Player out', select('sub-out', [])),
    field('Player in', select('sub-in', [])),
    el('div', { id: 'sub-pos-row', hidden: true },
      field('New position', select('sub-pos', R.FIELD_POSITIONS.map((p) => option(p, p))))),
    el('button', { type: 'submit', id: 'sub-submit' }, 'Make substitution'),
    errorSlot('sub-error'));
  type.addEventListener('change', () => updateSubFields(ctx.state));
  // the new position defaults to the first one the entering player plays
  form.querySelector('#sub-in').addEventListener('change', (e) => {
    const team = subTeam(ctx.state, $('sub-type').value);
    const card = ctx.lineups.get(team)?.bench.find((b) => String(b.card_id) === e.target.value);
    const first = (card?.positions ?? []).find((x) => R.FIELD_POSITIONS.includes(x));
    if (first) $('sub-pos').value = first;
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); submitSub(); });
  $('sub-panel').replaceChildren(el('h2', { id: 'sub-h' }, 'Lineup changes'), form);
}

// The team a substitution of this type is for: the batting team for a
// pinch hitter or runner, the fielding one otherwise; it must be one of mine.
function subTeam(s, type) {
  const fielding = s.batting_team_id === s.home_team.id ? s.away_team.id : s.home_team.id;
  const want = type === 'pinch_hitter' || type === 'pinch_runner' ? s.batting_team_id : fielding;
  if (ctx.myTeams.has(want)) return want;
  return [...ctx.myTeams][0];
}

function updateSub(s) {
  const sel = $('sub-type');
  const notes = [];
  const reasons = [];
  for (const opt of sel.options) {
    const team = subTeam(s, opt.value);
    const r = R.subReason(s, team, opt.value, ctx.lineups.get(team));
    opt.disabled = Boolean(r);
    reasons.push(r);
    if (r) notes.push(`${opt.textContent}: ${r}`);
  }
  // one reason for all (a pending roll, game over): say it once
  if (reasons.every((r) => r && r === reasons[0])) notes.splice(0, notes.length, reasons[0]);
  if (sel.selectedOptions[0]?.disabled) {
    const first = [...sel.options].find((x) => !x.disabled);
    if (first) sel.value = first.value;
  }
  setWhy('sub-type-why', notes.join('. '));
  updateSubFields(s);
}

// "Player out" and "Player in" for the chosen type: only legal choices.
function updateSubFields(s) {
  const type = $('sub-type').value;
  const team = subTeam(s, type);
  const lineup = ctx.lineups.get(team);
  const allowed = !R.subReason(s, team, type, lineup) && !$('sub-type').selectedOptions[0]?.disabled;
  let out = [];
  if (allowed) {
    if (type === 'pinch_hitter' && s.batter) out = [s.batter];
    if (type === 'pinch_runner') out = BASES.map((b) => s.runners[R.BASE_KEY[b]]).filter(Boolean);
    if (type === 'pitching_change' && s.pitcher) out = [s.pitcher];
    if (type === 'defensive_replacement')
      out = (lineup?.players ?? []).filter((p) => p.is_active && p.position !== 'P' && p.position !== 'DH');
  }
  const where = (p) => {
    const b = BASES.find((x) => s.runners[R.BASE_KEY[x]]?.lineup_id === p.lineup_id);
    return b ? `on ${R.BASE_WORD[b]}` : p.position;
  };
  fillSelect($('sub-out'), out.map((p) => option(String(p.lineup_id), `${p.name} (${where(p)})`)));
  const used = new Set((lineup?.players ?? []).map((p) => p.card_id));
  let bench = allowed ? (lineup?.bench ?? []).filter((b) => !used.has(b.card_id)) : [];
  // a pitching change brings in a pitcher
  const pitcherOnly = (b) => (b.positions ?? []).every((x) => x === 'P');
  if (type === 'pitching_change') bench = bench.filter((b) => (b.positions ?? []).includes('P'));
  // position players first for a hitter, runner or fielder
  else bench = [...bench.filter((b) => !pitcherOnly(b)), ...bench.filter(pitcherOnly)];

  fillSelect($('sub-in'), bench.map((b) => option(String(b.card_id), `${b.name} (${(b.positions ?? []).join(', ')})`)));
  $('sub-pos-row').hidden = type !== 'defensive_replacement';
  $('sub-submit').disabled = !allowed || !out.length || !bench.length || ctx.stale;
}

function submitSub() {
  showError('sub-error', '');
  const s = ctx.state;
  const type = $('sub-type').value;
  const [, , event] = R.SUB_TYPES.find(([v]) => v === type);
  const p = {
    game_id: s.game_id,
    player_out_lineup_id: Number($('sub-out').value),
    player_in_card_id: Number($('sub-in').value),
    team_id: subTeam(s, type),
  };
  if (type === 'defensive_replacement') p.new_position = $('sub-pos').value;
  ctx.send('sub', event, p);
}

// ---------------------------------------------------------------- public

// Build the panels a manager may use.  showDecisions: we know which team(s)
// we manage (game_joined.team_ids), so decisions and substitutions can be
// offered to the right side.
export function buildControls(context, showDecisions) {
  ctx = context;
  if (showDecisions) { buildDefense(); buildOffense(); buildSub(); }
  buildRoll();
  buildOutcome();
  $('outcome-panel').hidden = false;
  $('sub-panel').hidden = !showDecisions;
}

// Re-derive every control from the state (and ctx.lineups, ctx.stale).
export function updateControls() {
  const s = ctx?.state;
  if (!s || !$('roll-button')) return;
  const fielding = s.batting_team_id === s.home_team?.id ? s.away_team?.id : s.home_team?.id;
  if ($('defense-form')) {
    updateDefense(s, ctx.myTeams.has(fielding));
    updateOffense(s, ctx.myTeams.has(s.batting_team_id));
    updateSub(s);
  }
  updateRoll(s);
  updateOutcome(s);
}

// Fill the decision forms with the calls in force (after a resync, or a
// decision made from another tab).
export function syncDecisions(s) {
  if (!$('defense-form')) return;
  if (R.defenseIn(s)) {
    const d = s.decisions.defensive;
    $('def-alignment').value = d.alignment;
    $('def-infield').value = d.infield_depth;
    $('def-outfield').value = d.outfield_depth;
    BASES.forEach((b) => { $(`def-hold-${b}`).checked = d.hold_runners.includes(b); });
  }
  if (R.offenseIn(s)) {
    const d = s.decisions.offensive;
    $('off-approach').value = d.approach;
    BASES.forEach((b) => { $(`off-steal-${b}`).checked = d.steal_attempts.includes(b); });
    $('off-hnr').checked = d.hit_and_run;
    $('off-bunt').checked = d.bunt_attempt;
  }
}

// Back to defaults when a new plate appearance starts.
export function resetDecisions() {
  if (!$('defense-form')) return;
  $('defense-form').reset();
  $('offense-form').reset();
}

// The parts of the game screen that only show things: score bug, line
// score, diamond, matchup, whose move, dice, plays, lineups, box score,
// presence.  Each render function takes data and rewrites its part.

import { $, el, nickname, possessive, ordinal } from './util.js';
import { BASE_KEY } from './rules.js';

// ------------------------------------------------------------ score and field

export function inningLabel(s) {
  if (s.status === 'final') return 'Final';
  if (s.status === 'pending') return 'Not started';
  return `${s.half === 'top' ? 'Top' : 'Bottom'} ${s.inning}`;
}

export const outsLabel = (n) => `${n} ${n === 1 ? 'out' : 'outs'}`;

export function renderScore(s) {
  $('name-away').textContent = s.away_team?.name ?? 'Away';
  $('name-home').textContent = s.home_team?.name ?? 'Home';
  $('score-away').textContent = s.score?.away ?? 0;
  $('score-home').textContent = s.score?.home ?? 0;
  $('inning-label').textContent = inningLabel(s);
  $('outs-label').textContent = outsLabel(s.outs ?? 0);
  // which team bats is said in words too ("batting"), not only by colour
  const batting = s.status === 'active' ? s.batting_team_id : null;
  for (const side of ['away', 'home']) {
    const p = $(`name-${side}`).parentElement;
    p.dataset.batting = String(batting === s[`${side}_team`]?.id);
    p.title = p.dataset.batting === 'true' ? 'batting' : '';
  }
  document.querySelectorAll('.outs-dots span').forEach((d, i) => { d.dataset.on = String(i < s.outs); });
}

export function renderLinescore(s, hits, errors) {
  const ls = s.linescore ?? { away: [], home: [] };
  const n = Math.max(9, ls.away.length, ls.home.length);
  const innings = Array.from({ length: n }, (_, i) => i + 1);
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Team'),
    innings.map((i) => el('th', { scope: 'col', class: 'num' }, i)),
    ['R', 'H', 'E'].map((h) => el('th', { scope: 'col', class: 'num total' }, h)));
  const row = (side) => {
    const runs = ls[side] ?? [];
    return el('tr', {}, el('th', { scope: 'row' }, s[`${side}_team`]?.abbrev ?? side),
      innings.map((i) => el('td', { class: 'num' }, i <= runs.length ? runs[i - 1] : '')),
      el('td', { class: 'num total' }, s.score?.[side] ?? 0),
      el('td', { class: 'num total' }, hits?.[side] ?? '–'),
      el('td', { class: 'num total' }, errors?.[side] ?? '–'));
  };
  $('linescore').replaceChildren(
    el('caption', { class: 'sr-only' }, 'Runs per inning, with runs, hits and errors'),
    el('thead', {}, head), el('tbody', {}, row('away'), row('home')));
}

export function renderBases(s) {
  for (const b of [1, 2, 3]) {
    const r = s.runners?.[BASE_KEY[b]];
    const node = $(`base-${b}`);
    node.dataset.occupied = String(Boolean(r));
    node.textContent = r ? r.name : 'empty';
    document.querySelector(`.diamond .b${b}`).dataset.on = String(Boolean(r));
  }
}

export function renderMatchup(s) {
  const who = (p) => (p ? `${p.name}${p.position ? ` (${p.position})` : ''}` : '–');
  $('batter-name').textContent = who(s.batter);
  $('on-deck-name').textContent = who(s.on_deck);
  $('pitcher-name').textContent = who(s.pitcher);
}

// ------------------------------------------------------------- whose move

export function turnText(s) {
  const bat = s.batting_team_id === s.home_team?.id ? s.home_team : s.away_team;
  const field = bat === s.home_team ? s.away_team : s.home_team;
  switch (s.pending_decision) {
    case 'defensive': return `Waiting for the ${possessive(nickname(field))} defensive decision`;
    case 'offensive': return `Waiting for the ${possessive(nickname(bat))} offensive decision`;
    case 'resolution': return 'Ready to roll';
    case 'outcome': return `Waiting for the outcome of roll ${s.pending_roll?.roll_id ?? ''}`.trim();
    default: break;
  }
  if (s.status === 'final') {
    const home = s.score?.home ?? 0;
    const away = s.score?.away ?? 0;
    const winner = s.winner_team_id === s.home_team?.id || (!s.winner_team_id && home > away) ? s.home_team : s.away_team;
    if (home === away && !s.winner_team_id) return `Game over: tied ${away}–${home}`;
    return `Game over: ${nickname(winner)} win ${Math.max(home, away)}–${Math.min(home, away)}`;
  }
  return 'Waiting for the game to start';
}

// What a manager may do now, in words, so nobody needs the manual: the
// decisions are optional (a roll plays with the defaults) and either
// manager may roll and enter the result.  mine: the team ids managed.
export function turnHint(s, mine) {
  if (!mine?.size || s.status === 'final') return '';
  const fielding = s.batting_team_id === s.home_team?.id ? s.away_team?.id : s.home_team?.id;
  const both = mine.has(fielding) && mine.has(s.batting_team_id);
  switch (s.pending_decision) {
    case 'defensive':
      if (both || mine.has(fielding)) return 'Your move: set your defence below and submit it, or just roll the dice to play this at-bat with the defaults.';
      return 'The defence decides first; you may already submit your offence, or roll the dice to play with the defaults.';
    case 'offensive':
      if (mine.has(s.batting_team_id)) return 'Your move: set your offence below and submit it, or just roll the dice to play with the defaults.';
      return 'Waiting for the offence; either manager may roll the dice at any time.';
    case 'resolution':
      return 'Both decisions are in: either manager may roll the dice.';
    case 'outcome':
      return 'Read the card the dice name (below), then enter what it says under "Result of the roll". Either manager may enter it.';
    default:
      return '';
  }
}

export function renderTurn(s) {
  const t = $('turn');
  const text = turnText(s);
  // rewrite only on change, so the live region does not repeat itself
  if (t.textContent !== text) t.textContent = text;
  t.dataset.pending = s.pending_decision ?? '';
}

// ------------------------------------------------------------------ dice

// What the dice say to read (rules.md §1.6): the white d6 picks the card
// (1–3 batter, 4–6 pitcher) and its column, 2d6 the row.
export function readText(d) {
  // the column die names the column itself: a batter's card has columns
  // 1-3, a pitcher's card 4-6 (rules.md 1.6)
  const card = d.d6_one <= 3 ? "batter's" : "pitcher's";
  return `Read the ${card} card, column ${d.d6_one}, row ${d.d6_two_total}`;
}

function checkLines(d) {
  const lines = [];
  if (d.check_wild_pitch)
    lines.push(`Wild-pitch check (chaos d20 is 1): read the pitcher's WP rating against the resolution d20 (${d.resolution_d20}). If it hits, submit Wild pitch and roll again for the batter; if not, read the card.`);
  if (d.check_passed_ball)
    lines.push(`Passed-ball check (chaos d20 is 2): read the catcher's PB rating against the resolution d20 (${d.resolution_d20}). If it hits, submit Passed ball and roll again for the batter; if not, read the card.`);
  if (!d.check_wild_pitch && !d.check_passed_ball)
    lines.push('No wild-pitch or passed-ball check on this roll.');
  lines.push(`Split results on the card (e.g. "HR 1–10 / 2B 11–20") are settled by the chaos d20 (${d.chaos_d20}); the resolution d20 (${d.resolution_d20}) settles checks and secondary results.`);
  return lines;
}

// d: a pending_roll or dice_rolled payload; pending: is it still to be used
export function renderDice(d, pending) {
  const set = (id, v) => { $(id).textContent = v ?? '–'; };
  if (!d) {
    ['dice-d6', 'dice-2d6', 'dice-chaos', 'dice-resolution'].forEach((id) => set(id));
    $('dice-caption').textContent = 'No roll pending.';
    $('dice-read').textContent = '';
    $('dice-checks').replaceChildren();
    return;
  }
  set('dice-d6', d.d6_one);
  set('dice-2d6', d.d6_two_total);
  set('dice-chaos', d.chaos_d20);
  set('dice-resolution', d.resolution_d20);
  $('dice-caption').textContent = pending ? `Roll ${d.roll_id}, waiting for its outcome` : `Last roll (${d.roll_id}), already used`;
  $('dice-read').textContent = readText(d);
  $('dice-read').dataset.used = String(!pending);
  $('dice-checks').replaceChildren(...checkLines(d).map((t) => el('li', {}, t)));
}

// ------------------------------------------------------------------ plays

export function renderPlays(plays) {
  const list = [...plays.values()].sort((a, b) => b.play_number - a.play_number);
  const ol = $('plays');
  // add only the new ones, so the live region announces just those
  const have = new Set([...ol.children].map((li) => Number(li.dataset.playNumber)));
  for (const p of list) {
    if (have.has(p.play_number)) continue;
    const li = el('li', { dataset: { playNumber: p.play_number }, value: p.play_number },
      el('span', { class: 'when' }, `${p.half === 'top' ? 'T' : 'B'}${p.inning}`), ' ',
      p.description || p.outcome,
      p.runs_scored ? el('strong', { class: 'runs-note' }, ` (${p.runs_scored} run${p.runs_scored === 1 ? '' : 's'} scored)`) : '');
    const after = [...ol.children].find((x) => Number(x.dataset.playNumber) < p.play_number);
    ol.insertBefore(li, after ?? null);
  }
  $('plays-empty').hidden = plays.size > 0;
}

// ---------------------------------------------------------------- lineups

export function renderLineup(side, team, data, state) {
  $(`lineup-${side}-h`).textContent = `${team?.name ?? side} lineup`;
  const table = $(`lineup-${side}`);
  if (!data) { table.replaceChildren(el('caption', {}, 'Loading…')); return; }
  const order = [...data.players].sort((a, b) =>
    (a.batting_order ?? 99) - (b.batting_order ?? 99) || Number(b.is_active) - Number(a.is_active));
  const now = new Set([state?.batter?.lineup_id, state?.pitcher?.lineup_id]);
  const rows = order.map((p) => el('tr', { class: p.is_active ? '' : 'out-of-game' },
    el('td', { class: 'num' }, p.batting_order ?? ''),
    el('th', { scope: 'row' }, p.name, now.has(p.lineup_id) && p.is_active ? el('span', { class: 'tag' }, p.position === 'P' ? ' pitching' : ' at bat') : ''),
    el('td', {}, p.position),
    el('td', {}, p.is_active ? 'in game' : 'out', p.is_starter ? '' : ' (sub)')));
  table.replaceChildren(el('thead', {}, el('tr', {},
    el('th', { scope: 'col', class: 'num' }, '#'), el('th', { scope: 'col' }, 'Player'),
    el('th', { scope: 'col' }, 'Pos'), el('th', { scope: 'col' }, 'Status'))),
  el('tbody', {}, rows));
  const used = new Set(data.players.map((p) => p.card_id));
  const bench = data.bench.filter((b) => !used.has(b.card_id));
  $(`bench-${side}`).replaceChildren(...(bench.length ? bench.map((b) =>
    el('li', {}, `${b.name} `, el('span', { class: 'muted' }, (b.positions ?? []).join(', '))))
    : [el('li', { class: 'muted' }, 'nobody left')]));
}

// -------------------------------------------------------------- box score

const BAT_COLS = [['ab', 'AB'], ['r', 'R'], ['h', 'H'], ['rbi', 'RBI'], ['bb', 'BB'], ['so', 'SO'], ['doubles', '2B'], ['triples', '3B'], ['hr', 'HR'], ['sb', 'SB'], ['lob', 'LOB']];
const PIT_COLS = [['ip', 'IP'], ['h', 'H'], ['r', 'R'], ['er', 'ER'], ['bb', 'BB'], ['so', 'SO'], ['hr', 'HR'], ['bf', 'BF']];

function boxTable(id, caption, rows, cols, nameOf) {
  $(id).replaceChildren(el('caption', {}, caption),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Player'), cols.map(([, h]) => el('th', { scope: 'col', class: 'num' }, h)))),
    el('tbody', {}, rows.length ? rows.map((r) => el('tr', {}, el('th', { scope: 'row' }, nameOf(r)),
      cols.map(([k]) => el('td', { class: 'num' }, r[k] ?? 0))))
      : el('tr', {}, el('td', { colSpan: cols.length + 1, class: 'muted' }, 'nobody yet'))));
}

export function renderBox(box, state) {
  for (const side of ['away', 'home']) {
    const team = state?.[`${side}_team`];
    $(`box-${side}-h`).textContent = team?.name ?? side;
    const mine = (r) => r.team_id === team?.id;
    boxTable(`box-batting-${side}`, `${team?.abbrev ?? side} batting`,
      box.batting_stats.filter(mine), BAT_COLS, (r) => `${r.name} ${r.position ?? ''}`.trim());
    boxTable(`box-pitching-${side}`, `${team?.abbrev ?? side} pitching`,
      box.pitching_stats.filter(mine), PIT_COLS, (r) => (r.decision ? `${r.name} (${r.decision})` : r.name));
  }
}

// --------------------------------------------------------------- presence

export function renderPresence(members) {
  const items = members.map((m) => el('li', { dataset: { role: m.role } },
    `${m.user_id} — ${m.role}`));
  $('presence').replaceChildren(...(items.length ? items : [el('li', { class: 'muted' }, 'nobody')]));
}

export { ordinal };

// Helpers for the gameplay integration tests (game, rejections,
// substitutions, race): a demo game from `dugoutctl demo`, its three
// clients (home manager, away manager, spectator), a driver that rolls and
// submits outcomes through acks, and psql snapshots of a game's rows.
//
// The demo lineups (sql/006_demo.sql) bat 1-9 in order with a DH; the
// pitcher has no batting slot.  Labels used by the tests: A1..A9 the away
// batters by slot, H1..H9 the home batters, AP / HP the starting pitchers.

import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { ctl, connected, joinGame, unique, until, sleep } from './helpers.mjs';

// ------------------------------------------------------------------ setup

/** `dugoutctl demo` with fresh user ids: {game_id, home, away, spectator}. */
export async function demo(stack, tag = 'demo') {
  const out = await ctl(stack, 'demo',
    '--home-user', unique(`${tag}-home`),
    '--away-user', unique(`${tag}-away`),
    '--spectator-user', unique(`${tag}-spec`));
  const d = JSON.parse(out.split('\n').pop());
  assert.match(d.game_id, /^[0-9a-f-]{36}$/, out);
  for (const side of ['home', 'away']) {
    assert.equal(d[side].lineup.length, 9, `demo ${side} lineup: ${out}`);
    d[side].lineup.forEach((e, i) => assert.equal(e.batting_order, i + 1));
    assert.equal(d[side].pitcher.position, 'P');
  }
  return d;
}

/** Label -> lineup id (A1..A9, H1..H9, AP, HP) for a demo answer. */
export function labels(d) {
  const ids = {};
  d.away.lineup.forEach((e) => { ids[`A${e.batting_order}`] = e.lineup_id; });
  d.home.lineup.forEach((e) => { ids[`H${e.batting_order}`] = e.lineup_id; });
  ids.AP = d.away.pitcher.lineup_id;
  ids.HP = d.home.pitcher.lineup_id;
  return ids;
}

/** psql -At against the stack's database; resolves with the output. */
export function psql(stack, sql) {
  return new Promise((resolve, reject) => {
    execFile('psql', [stack.database, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`psql: ${err.message}\n${stderr}`));
        else resolve(stdout.trim());
      });
  });
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Every row of the game tables that belongs to a game, as one JSON value:
 * two snapshots are equal iff nothing of the game changed.  The audit
 * trail (audit_event, sql/011_audit.sql) is left out on purpose: a
 * refused action is recorded there, and that row is the only trace a
 * refusal may leave (audit.test.mjs checks those rows).
 */
export async function snapshot(stack, gameId) {
  assert.match(gameId, uuidRe);
  const g = `'${gameId}'::uuid`;
  const txt = await psql(stack, `SELECT json_build_object(
    'game', (SELECT row_to_json(x) FROM game x WHERE x.id = ${g}),
    'plays', (SELECT coalesce(json_agg(row_to_json(p) ORDER BY p.id), '[]') FROM play p WHERE p.game_id = ${g}),
    'play_runners', (SELECT count(*) FROM play_runner r JOIN play p ON p.id = r.play_id WHERE p.game_id = ${g}),
    'rolls', (SELECT coalesce(json_agg(row_to_json(r) ORDER BY r.id), '[]') FROM dice_roll r WHERE r.game_id = ${g}),
    'decisions', (SELECT coalesce(json_agg(row_to_json(d) ORDER BY d.id), '[]') FROM decision d WHERE d.game_id = ${g}),
    'lineup', (SELECT coalesce(json_agg(row_to_json(l) ORDER BY l.id), '[]') FROM lineup_entry l WHERE l.game_id = ${g}),
    'substitutions', (SELECT coalesce(json_agg(row_to_json(s) ORDER BY s.id), '[]') FROM substitution s WHERE s.game_id = ${g}),
    'pitcher_decisions', (SELECT count(*) FROM pitcher_decision d WHERE d.game_id = ${g}))::text`);
  return JSON.parse(txt);
}

/** Card id of a demo card by name, on the given team. */
export async function cardId(stack, teamId, name) {
  const v = await psql(stack, `SELECT c.id FROM card c JOIN roster r ON r.card_id = c.id
    WHERE r.team_id = ${Number(teamId)} AND c.name = '${name.replace(/'/g, "''")}'`);
  assert.match(v, /^\d+$/, `card ${name} on team ${teamId}`);
  return Number(v);
}

/**
 * Send event with args (raw: nothing added) on sock and expect a refusal:
 * the ack {ok: false, error}, the named event with the same error, and no
 * change to game gameId.  want: {event, code, field, message} where
 * message may be a RegExp; a key left out is not checked, field: null
 * means "no field".
 */
export async function expectRefused(stack, sock, gameId, want, event, ...args) {
  const evNames = [].concat(want.event ?? 'error');
  const before = await snapshot(stack, gameId);
  const seen = Object.fromEntries(evNames.map((n) => [n, sock.got[n].length]));
  const reply = await ack(sock, event, ...args);
  const what = `${event} ${JSON.stringify(args)} -> ${JSON.stringify(reply)}`;
  assert.equal(reply?.ok, false, what);
  const e = reply.error;
  assert.equal(typeof e?.code, 'string', `the ack's error has a code: ${what}`);
  assert.equal(typeof e.message, 'string', `the ack's error has a message: ${what}`);
  if (want.code !== undefined) assert.equal(e.code, want.code, what);
  if (want.field === null) assert.equal(e.field, undefined, `no field: ${what}`);
  else if (want.field !== undefined) assert.equal(e.field, want.field, `field: ${what}`);
  if (want.message instanceof RegExp) assert.match(e.message, want.message, what);
  else if (want.message !== undefined) assert.equal(e.message, want.message, what);
  // the named event, to the requester, with the same content
  let evName;
  await until(() => (evName = evNames.find((n) => sock.got[n].length > seen[n])) !== undefined,
    { timeout: 10_000, what: `'${evNames.join("' or '")}' for ${what}` });
  const got = sock.got[evName][seen[evName]];
  assert.equal(got.message, e.message, `'${evName}' event: ${JSON.stringify(got)} vs ack ${JSON.stringify(e)}`);
  // outcome_rejected is {message, field, errors?} in events.md: a code there is optional
  if (evName !== 'outcome_rejected' || got.code !== undefined) assert.equal(got.code, e.code, `'${evName}' code: ${JSON.stringify(got)}`);
  assert.equal(got.field, e.field, `'${evName}' field: ${JSON.stringify(got)}`);
  const after = await snapshot(stack, gameId);
  assert.deepEqual(after, before, `nothing changed in the database: ${what}`);
  return { ...e, event: evName };
}

// ------------------------------------------------------------------ clients

const RECORDED = ['game_state', 'play_resolved', 'dice_rolled', 'outcome_accepted',
  'outcome_rejected', 'error', 'substitution_error', 'player_substituted',
  'substitution_confirmed', 'defensive_decision_submitted',
  'offensive_decision_submitted', 'lineup_data', 'box_score_data', 'game_state_sync'];

/** Record every gameplay event a socket receives: sock.got[event] = [payloads]. */
export function recordAll(sock) {
  sock.got = {};
  for (const ev of RECORDED) {
    sock.got[ev] = [];
    sock.on(ev, (p) => sock.got[ev].push(p));
  }
  return sock;
}

/** emitWithAck with a deadline; resolves with the ack's first argument. */
export async function ack(sock, event, ...args) {
  return sock.timeout(20_000).emitWithAck(event, ...args);
}

/**
 * A demo game (or another game between the demo teams) with its three
 * clients joined: home and away managers as players, the spectator.
 *   opts.urls: {home, away, spectator} front-end URLs (default stack.url)
 *   opts.gameId: play this game instead of the demo's (same teams/managers)
 */
export async function openGame(stack, opts = {}) {
  const d = opts.demo ?? await demo(stack, opts.tag ?? 'g');
  const gameId = opts.gameId ?? d.game_id;
  const urls = { home: stack.url, away: stack.url, spectator: stack.url, ...opts.urls };
  const [home, away, spec] = await Promise.all([
    connected(urls.home, d.home.token),
    connected(urls.away, d.away.token),
    connected(urls.spectator, d.spectator.token),
  ]);
  for (const s of [home, away, spec]) recordAll(s);
  await joinGame(home, gameId, 'player');
  await joinGame(away, gameId, 'player');
  await joinGame(spec, gameId, 'spectator');
  return new Game(stack, d, gameId, { home, away, spec });
}

/** The bases of a game_state as "first second third", '-' for empty, by label. */
export function basesOf(state, names) {
  const r = state.runners ?? {};
  return ['first', 'second', 'third'].map((b) => {
    const e = r[b];
    if (e === null || e === undefined) return '-';
    const id = typeof e === 'object' ? e.lineup_id : e;
    return names[id] ?? `#${id}`;
  }).join(' ');
}

export class Game {
  constructor(stack, d, gameId, socks) {
    this.stack = stack;
    this.demo = d;
    this.gameId = gameId;
    this.s = socks;               // {home, away, spec}
    this.ids = labels(d);
    this.names = Object.fromEntries(Object.entries(this.ids).map(([k, v]) => [v, k]));
    this.teams = { home: d.home.team_id, away: d.away.team_id };
    this.turn = 0;
  }

  sock(side) {
    const s = this.s[side === 'spectator' ? 'spec' : side];
    assert.ok(s, `no socket ${side}`);
    return s;
  }

  /** Ack of event from side, payload merged with {game_id}. */
  async ack(side, event, payload = {}) {
    return ack(this.sock(side), event, { game_id: this.gameId, ...payload });
  }

  /** Like ack, asserting ok: true; a RATE_LIMITED refusal is retried. */
  async ok(side, event, payload = {}, what = event) {
    for (let attempt = 0; ; attempt++) {
      const r = await this.ack(side, event, payload);
      if (r?.ok === false && r.error?.code === 'RATE_LIMITED' && attempt < 20) {
        await sleep(300);
        continue;
      }
      assert.equal(r?.ok, true, `${what} by ${side} ${JSON.stringify(payload)}: ${JSON.stringify(r)}`);
      return r;
    }
  }

  /** Next manager in turn: rolls and submissions alternate between them. */
  nextSide() {
    this.turn ^= 1;
    return this.turn ? 'away' : 'home';
  }

  async roll(side = this.nextSide()) {
    return this.ok(side, 'roll_dice', {}, 'roll_dice');
  }

  async submit(payload, side = this.nextSide()) {
    return this.ok(side, 'submit_manual_outcome', payload, `submit_manual_outcome ${payload.outcome}`);
  }

  /** A plate appearance: roll, then submit; resolves {roll, play}. */
  async pa(outcome, mods = {}) {
    const roll = await this.roll();
    const play = await this.submit({ outcome, ...mods });
    return { roll, play };
  }

  /** The latest game_state the spectator saw. */
  state() {
    const all = this.s.spec.got.game_state.filter((st) => st?.game_id === this.gameId);
    return all[all.length - 1];
  }

  /** Wait until the spectator has a game_state with play_count >= n. */
  async stateAfter(n, what = `game_state with play_count ${n}`) {
    await until(() => (this.state()?.play_count ?? -1) >= n, { timeout: 20_000, what });
    return this.state();
  }

  plays(side) {
    return this.sock(side).got.play_resolved.filter((p) => p?.game_id === this.gameId);
  }

  close() {
    for (const s of Object.values(this.s)) s.disconnect();
  }
}

/**
 * Create a short game (scheduled innings n) between the demo teams of d,
 * with their default lineups; returns its id.
 */
export async function shortGame(stack, d, innings = 1) {
  const out = await ctl(stack, 'game', 'create', '--home', String(d.home.team_id),
    '--away', String(d.away.team_id), '--innings', String(innings));
  const id = out.split('\n').pop().trim();
  assert.match(id, uuidRe, out);
  return id;
}

/**
 * Play a one-inning game to its end: top 1 a home run and three
 * strikeouts, bottom 1 three strikeouts; the visitors win 1-0.
 */
export async function playShortGameToEnd(g) {
  const seq = ['homerun', 'strikeout', 'strikeout', 'strikeout', 'strikeout', 'strikeout', 'strikeout'];
  let last;
  for (const o of seq) last = (await g.pa(o)).play;
  const st = await g.stateAfter(seq.length);
  assert.equal(st.status, 'final', `the one-inning game is over: ${JSON.stringify(st)}`);
  assert.deepEqual(st.score, { home: 0, away: 1 });
  return last;
}

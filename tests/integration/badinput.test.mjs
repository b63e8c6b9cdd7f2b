// The bad input catalogue (issue 5, docs/security.md): every hostile
// input we could think of, each with the exact answer it gets.  Cases are
// rows of tables -- {name, as, event, text, expect} -- run in a loop,
// so this file reads as the list.  Every refusal must be the clear,
// specific error events.md names (the event, its code, the field at
// fault, a message that names it and never echoes the attack), the ack
// {ok: false, error} must say the same, and it must change nothing: each
// group ends with the game's rows (psql), the state an observer reads
// and the broadcasts it saw compared with the group's start, and every
// client it used still answering on the same session.
//
// Events are sent on the raw wire (a RawClient speaking Engine.IO and
// Socket.IO over fetch), not through socket.io-client: JSON.stringify
// cannot write 2^53+1, -0, 1e308 or a lone surrogate, and the transport
// cases need bytes no client library would send.  The observer is the
// real socket.io-client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, connected, unique, http, eioUrl, decodePayload, sleep, RawClient, RS, makeJwt, nowSec, makeGame,
} from './helpers.mjs';
import { demo, labels, snapshot, ack, psql, shortGame } from './gamehelpers.mjs';

// hundreds of refusals in a row: lift the rate limits (limits.test.mjs
// tests them)
const S = useStack('badinput', { env: {
  DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000',
} });

// ------------------------------------------------------------ the wire

/**
 * A RawClient whose events carry acks, with the payload as JSON text:
 * call(event, text) posts 42<id>["event",text] and resolves with the ack's
 * argument and the events that arrived since the call (the server queues
 * a refusal's named event before its ack).
 */
class Wire extends RawClient {
  constructor(base, label) {
    super(base);
    this.label = label;
    this.ackId = 0;
  }

  async call(event, payloadText) {
    const [r] = await this.batch([[event, payloadText]]);
    return r;
  }

  /**
   * Several events in one POST body (one Engine.IO payload), in order;
   * resolves with {ack, events, packet} for each.  Events are matched to
   * calls by position: a call's events are those after the previous
   * call's ack.
   */
  async batch(calls) {
    const pmark = this.packets.length;
    const ids = calls.map(() => ++this.ackId);
    const body = calls.map(([event, text], i) => {
      const args = text === undefined ? JSON.stringify([event]) : `[${JSON.stringify(event)},${text}]`;
      return `42${ids[i]}${args}`;
    }).join(RS);
    await this.post(body);
    const heads = ids.map((id) => `43${id}[`);
    const last = heads.at(-1);
    await this.waitFor(() => this.packets.slice(pmark).some((p) => p.startsWith(last)), 20_000, `ack ${last}`);
    const out = [];
    let cur = { events: [] };
    for (const p of this.packets.slice(pmark)) {
      const h = heads[out.length];
      if (h !== undefined && p.startsWith(h)) {
        out.push({ ack: JSON.parse(p.slice(h.length - 1))[0], events: cur.events, packet: p });
        cur = { events: [] };
      } else if (p.startsWith('42')) {
        cur.events.push(JSON.parse(p.replace(/^42\d*/, '')));
      }
    }
    assert.equal(out.length, calls.length, `every call acked in order: ${JSON.stringify(this.packets.slice(pmark)).slice(0, 500)}`);
    return out;
  }

  /** Still served on this session: a heartbeat is acked. */
  async alive() {
    const { ack: a, events } = await this.call('heartbeat');
    assert.equal(a?.ok, true, `${this.label}: heartbeat after the group: ${JSON.stringify(a)}`);
    assert.ok(events.some((e) => e[0] === 'heartbeat_ack'), `${this.label}: heartbeat_ack`);
    assert.equal(this.closed, false, `${this.label}: session still open`);
  }
}

/** A token for user, as dugoutctl token makes them (without a process). */
const jwt = (user, claims = {}) => makeJwt({ sub: user, iat: nowSec(), exp: nowSec() + 3600, ...claims }, S.stack.jwtSecret);

async function wire(label, tok) {
  const w = new Wire(S.stack.url, label);
  w.tok = tok;
  await w.open(tok);
  // the client acks `connected` with a POST: let it finish, since a
  // second POST at the same time would close the session (§4)
  await w.waitEvent('connected');
  await w.posting;
  return w;
}

async function joined(w, gameId, role) {
  const { ack: a } = await w.call('join_game', JSON.stringify({ game_id: gameId, role }));
  assert.equal(a?.ok, true, `${w.label} joins as ${role}: ${JSON.stringify(a)}`);
  return w;
}

// ------------------------------------------------------------ the game

/**
 * One demo game, pending, top of the 1st (the visitors bat): its managers
 * joined as players, a spectator, the home manager's second session that
 * never joined (outsider), a user who manages nothing (stranger, never
 * joined; joiner, for join_game), and a second game between the same
 * teams nobody joined.  The observer is socket.io-client, a spectator.
 */
let fixture;
function fx() {
  fixture ??= (async () => {
    const stack = S.stack;
    const d = await demo(stack, 'bad');
    const id = d.game_id;
    const id2 = await shortGame(stack, d, 9);
    const other = await makeGame(stack);
    const ids = labels(d);
    const [home, away, spec, outsider, stranger, joiner] = await Promise.all([
      wire('home', d.home.token), wire('away', d.away.token),
      wire('spectator', d.spectator.token), wire('outsider', d.home.token),
      wire('stranger', jwt(unique('stranger'))), wire('joiner', jwt(unique('joiner'))),
    ]);
    await Promise.all([joined(home, id, 'player'), joined(away, id, 'player'), joined(spec, id, 'spectator')]);
    const obs = await connected(stack.url, jwt(unique('observer')));
    const obsPackets = [];
    obs.onAny((...args) => obsPackets.push(args));
    const seen = {};
    for (const ev of ['game_state', 'dice_rolled', 'play_resolved', 'defensive_decision_submitted',
      'offensive_decision_submitted', 'player_substituted', 'user_connected', 'user_left']) {
      seen[ev] = 0;
      obs.on(ev, () => { seen[ev] += 1; });
    }
    const j = await ack(obs, 'join_game', { game_id: id, role: 'spectator' });
    assert.equal(j.ok, true, JSON.stringify(j));
    const lineup = await home.call('get_lineup', JSON.stringify({ game_id: id, team_id: d.away.team_id }));
    const bench = lineup.ack.bench.find((b) => !b.positions.includes('P'));
    assert.ok(bench, JSON.stringify(lineup.ack));
    return {
      d, id, id2, ids, bench: bench.card_id, obs, obsPackets, seen, otherTeam: Number(other.home),
      teams: { home: d.home.team_id, away: d.away.team_id },
      w: { home, away, spec, outsider, stranger, joiner },
    };
  })();
  return fixture;
}

/** What must not change: the game's rows, the observer's view of it and
 * of who is in the room, what the observer was sent (besides its own
 * reads), the unjoined game's rows. */
async function world(x) {
  const sync = await ack(x.obs, 'request_game_state', { game_id: x.id });
  assert.equal(sync.ok, true, JSON.stringify(sync));
  const presence = await ack(x.obs, 'get_presence', { game_id: x.id });
  assert.equal(presence.ok, true, JSON.stringify(presence));
  return {
    rows: await snapshot(S.stack, x.id),
    rows2: await snapshot(S.stack, x.id2),
    state: sync.state,
    members: presence.members,
    broadcasts: { ...x.seen },
    observed: x.obsPackets.filter(([ev]) => ev !== 'game_state_sync' && ev !== 'presence_data').length,
  };
}

/**
 * Send every case, each wire's in order, several to a POST body (the
 * client batches too, §11); resolves with each case's {ack, events}.
 */
async function sendAll(x, cases) {
  const out = new Array(cases.length);
  const byWire = new Map();
  cases.forEach((c, i) => byWire.set(c.as, [...(byWire.get(c.as) ?? []), i]));
  await Promise.all([...byWire].map(async ([as, idx]) => {
    let chunk = [];
    let size = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const rs = await x.w[as].batch(chunk.map((i) => [cases[i].event, cases[i].text]));
      rs.forEach((r, k) => { out[chunk[k]] = r; });
      chunk = [];
      size = 0;
    };
    for (const i of idx) {
      const n = Buffer.byteLength(`${cases[i].text ?? ''}${JSON.stringify(cases[i].event)}`) + 100;
      if (size + n > 250_000 || chunk.length >= 40) await flush();
      chunk.push(i);
      size += n;
    }
    await flush();
  }));
  return out;
}

/** Run the cases, each checked in a subtest; then nothing changed and
 * every wire used still answers. */
async function group(t, cases) {
  const x = await fx();
  const before = await world(x);
  const results = await sendAll(x, cases);
  for (const [i, c] of cases.entries()) {
    await t.test(c.name, c.todo ? { todo: c.todo } : {}, () => checkCase(c, results[i]));
  }
  for (const w of new Set(cases.map((c) => c.as))) await x.w[w].alive();
  assert.deepEqual(await world(x), before, 'the group changed nothing');
}

// ------------------------------------------------------ hostile values

/** A hostile value: its label and its JSON text (raw: any JSON text). */
const V = (label, value) => ({ label, json: JSON.stringify(value) });
const R = (label, json) => ({ label, json });
/** An attack string: a refusal's message must not repeat it. */
const A = (label, value) => ({ ...V(label, value), attack: value });

// max_payload is 1 000 000 bytes; the rest of the packet fits beside it
const HUGE = 'x'.repeat(999_000);

const SQL = [
  A("SQL '; DROP TABLE game; --", "'; DROP TABLE game; --"),
  A("SQL ' OR 1=1 --", "' OR 1=1 --"),
  A('SQL placeholder $1', '$1'),
  A('SQL dollar quoting', '$$; DELETE FROM play; --$$'),
  A('SQL backslashes and quotes', "\\'\\\\\"\\"),
  A('SQL LIKE wildcards', '%_%'),
  A('SQL E-string', "E'\\x27'"),
];
const TEXT = [
  A('unicode', 'ñ 漢字 🎲'),
  A('RTL override', '\u202Etxt.exe'),
  A('escaped 0x1e', 'a\u001eb'),
  A('escaped NUL', 'a\u0000b'),
  R('lone surrogate', '"\\ud800"'),
  A('empty string', ''),
  A('999 KB string', HUGE),
];
const TYPES = [
  V('number', 42), V('zero', 0), V('negative', -1), V('float', 1.5),
  R('2^53+1', '9007199254740993'), R('1e308', '1e308'), R('-0', '-0'),
  V('NaN as a string', 'NaN'), V('empty array', []), V('object', {}),
  V('true', true), V('false', false),
  // within the JSON depth limit (abuse.test.mjs goes past it)
  R('nested 20 deep', `${'['.repeat(20)}${']'.repeat(20)}`),
];
/** Near misses of a valid enum value v. */
const near = (v) => [
  V('case flipped', v === v.toUpperCase() ? v.toLowerCase() : v.toUpperCase()),
  V('padded', ` ${v} `),
  V('NUL-suffixed', `${v}\u0000`),
  V('NUL then junk', `${v}\u0000junk`),
  V('zero-width suffix', `${v}\u200B`),
  V('RTL prefix', `\u202E${v}`),
  V('in an array', [v]),
  V('in an object', { value: v }),
  V('JSON in a string', JSON.stringify(v)),
];
const ANY_STRING = [...SQL, ...TEXT, ...TYPES];
// integers: floats, out of range, beyond int64, strings of digits
const BAD_INTS = [
  V('zero', 0), V('negative', -1), V('float', 1.5), R('1.0', '1.0'), R('1e0', '1e0'),
  R('-0', '-0'), V('digits in a string', '1'), V('NaN as a string', 'NaN'),
  V('true', true), V('in an array', [1]), V('object', {}),
  R('2^63 (past int64)', '9223372036854775808'), R('1e20 written out (past uint64)', '99999999999999999999'),
  R('-2^63-1', '-9223372036854775809'), R('1e308', '1e308'), R('-1e308', '-1e308'),
  ...SQL, A('999 KB string', HUGE),
];
const BAD_BASES = [
  V('base 0', [0]), V('base 4', [4]), V('base -1', [-1]), V('repeated', [1, 1]),
  V('four of them', [1, 2, 3, 1]), V('float', [1.5]), R('1.0', '[1.0]'), R('-0', '[-0]'),
  V('digit string', ['1']), V('null inside', [null]), V('nested', [[1]]),
  R('2^53+1', '[9007199254740993]'), R('past uint64', '[99999999999999999999]'),
  V('a bare number', 1), V('a string', '1'), V('object', { 1: true }), V('true', true),
  V('100 000 entries', Array(100_000).fill(1)),
  ...SQL, A('999 KB string', HUGE),
];
const BAD_BOOLS = [
  V('string "true"', 'true'), V('string "false"', 'false'), V('one', 1), V('zero', 0),
  V('in an array', [true]), V('object', {}), ...SQL, A('999 KB string', HUGE),
];
const BAD_ADVANCES = [
  V('a string', 'all'), V('object', {}), V('empty object inside', [{}]),
  V('no result', [{ from: 1 }]), V('no from', [{ result: 'safe' }]),
  V('unknown result', [{ from: 1, result: 'maybe' }]), V('from as a string', [{ from: '1', result: 'safe' }]),
  V('from 4', [{ from: 4, result: 'safe' }]), V('from -1', [{ from: -1, result: 'safe' }]),
  V('float from', [{ from: 1.5, result: 'safe' }]),
  V('a runner twice', [{ from: 1, result: 'safe' }, { from: 1, result: 'out' }]),
  V('five entries', [0, 1, 2, 3, 0].map((f) => ({ from: f, result: 'safe' }))),
  V('null inside', [null]), V('result NUL-suffixed', [{ from: 1, result: 'safe\u0000' }]),
  V('SQL result', [{ from: 1, result: "safe'; DROP TABLE play; --" }]),
  ...SQL, A('999 KB string', HUGE),
];

// ------------------------------------------------------------ the runner

const hasKey = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

/** {...base} with `field` set to the raw JSON text `json` (or left out). */
function withField(base, field, json) {
  const rest = JSON.stringify(base);
  if (json === undefined) return rest;
  const pair = `${JSON.stringify(field)}:${json}`;
  return rest === '{}' ? `{${pair}}` : `${rest.slice(0, -1)},${pair}}`;
}

/**
 * One case: c.as sent c.event with c.text (JSON text, or undefined for
 * no payload) and must have got c.expect:
 *   {ok: true, event?}                          accepted (read-only events)
 *   {event, code, field, message?}              refused; field null: none
 */
function checkCase(c, { ack: a, events }) {
  const what = `${c.as}: ${c.event} ${String(c.text).slice(0, 120)} -> ${JSON.stringify(a).slice(0, 400)}`;
  const e = c.expect;
  if (e.ok) {
    assert.equal(a?.ok, true, what);
    if (e.event) assert.ok(events.some((v) => v[0] === e.event), `${e.event} for ${what}`);
    return;
  }
  assert.equal(a?.ok, false, what);
  const err = a.error;
  assert.equal(err?.code, e.code, what);
  if (e.field === null) assert.equal(hasKey(err, 'field'), false, `no field: ${what}`);
  else assert.equal(err.field, e.field, `field: ${what}`);
  assert.equal(typeof err.message, 'string', what);
  assert.ok(err.message.length > 0 && err.message.length < 300, `a short message: ${what}`);
  if (e.message instanceof RegExp) assert.match(err.message, e.message, what);
  else if (e.message !== undefined) assert.equal(err.message, e.message, what);
  else if (e.code === 'MISSING_FIELD' || e.code === 'INVALID_FORMAT') {
    assert.ok(err.message.includes(e.field), `the message names ${e.field}: ${what}`);
  }
  // the attack is not reflected (the original's outcome list echoes its
  // input on purpose: that is in errors[].input, not the message)
  if (c.echo !== undefined && c.echo.length >= 6 && ['INVALID_FORMAT', 'MISSING_FIELD', 'INVALID_PAYLOAD'].includes(e.code)) {
    assert.ok(!err.message.includes(c.echo), `the message does not echo the input: ${what}`);
  }
  // the named event, to the requester, with the ack's content
  const named = events.filter((v) => v[0] === e.event);
  assert.equal(named.length, 1, `one '${e.event}' event for ${what}; got ${JSON.stringify(events.map((v) => v[0]))}`);
  assert.deepEqual(named[0][1], err, `'${e.event}' says what the ack says: ${what}`);
}

/**
 * Cases for one field of one event: each hostile value in `values`
 * expects `bad`, except those listed in `special` (label -> expect).
 */
function fieldCases({ as, event, base: full, field, values, bad, special = {}, todo = {} }) {
  const { [field]: _, ...base } = full;
  return values.map((v) => ({
    name: `${event}.${field} = ${v.label}`,
    as,
    event,
    text: withField(base, field, v.json),
    echo: v.attack,
    expect: special[v.label] ?? bad,
    todo: todo[v.label],
  }));
}

const invalid = (event, field) => ({ event, code: 'INVALID_FORMAT', field });
const missing = (event, field) => ({ event, code: 'MISSING_FIELD', field });

// ---------------------------------------------------------------- game_id

/**
 * Every event that names a game, who sends it, the rest of its payload,
 * and its refusal event (events.md): `error`, except submit_manual_outcome
 * (outcome_rejected, with no field for an unknown game, as the original)
 * and the substitutions, whose payload refusals are substitution_error
 * while an unknown game or one not joined is `error` (txRefusal), as for
 * every other action.
 */
function gameEvents(x) {
  const sub = { player_out_lineup_id: x.ids.A1, player_in_card_id: x.bench, team_id: x.teams.away };
  return [
    { event: 'join_game', as: 'joiner', base: { role: 'spectator' }, refusal: 'error' },
    { event: 'leave_game', as: 'stranger', base: {}, refusal: 'error' },
    { event: 'request_game_state', as: 'home', base: {}, refusal: 'error' },
    { event: 'get_box_score', as: 'home', base: {}, refusal: 'error' },
    { event: 'get_presence', as: 'home', base: {}, refusal: 'error' },
    { event: 'get_lineup', as: 'home', base: { team_id: x.teams.home }, refusal: 'error' },
    { event: 'roll_dice', as: 'home', base: {}, refusal: 'error' },
    { event: 'submit_defensive_decision', as: 'home', base: {}, refusal: 'error' },
    { event: 'submit_offensive_decision', as: 'away', base: {}, refusal: 'error' },
    { event: 'submit_manual_outcome', as: 'home', base: { outcome: 'strikeout' }, refusal: 'outcome_rejected', notFoundField: null },
    { event: 'request_pinch_hitter', as: 'home', base: sub, refusal: 'substitution_error', txRefusal: 'error' },
    { event: 'request_pinch_runner', as: 'home', base: sub, refusal: 'substitution_error', txRefusal: 'error' },
    { event: 'request_defensive_replacement', as: 'home', base: { ...sub, new_position: 'LF' }, refusal: 'substitution_error', txRefusal: 'error' },
    { event: 'request_pitching_change', as: 'home', base: sub, refusal: 'substitution_error', txRefusal: 'error' },
  ];
}

function gameIdValues(x) {
  const id = x.id;
  return [
    ...ANY_STRING,
    V('null', null),
    V('not a uuid', 'not-a-uuid'),
    V('no dashes', id.replace(/-/g, '')),
    V('in braces', `{${id}}`),
    V('urn:uuid: prefix', `urn:uuid:${id}`),
    V('one hex digit more', `${id}0`),
    V('one hex digit less', id.slice(0, -1)),
    V('leading space', ` ${id}`),
    V('trailing newline', `${id}\n`),
    V('a g where hex belongs', `g${id.slice(1)}`),
    V('full-width digit', `\uFF10${id.slice(1)}`),
    V('NUL-suffixed', `${id}\u0000`),
    V('36 dashes', '-'.repeat(36)),
    V('SQL inside the uuid shape', "0000000'-OR'1-'='1-'--0-000000000000"),
    V('in an array', [id]),
    V('in an object', { game_id: id }),
    V('NoSQL operator', { $ne: null }),
    V('nil uuid (unknown)', '00000000-0000-0000-0000-000000000000'),
    V('max uuid (unknown)', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
    V('random v4 (unknown)', 'f47ac10b-58cc-4372-a567-0e02b2c3d479'),
    V('another game, not joined', x.id2),
  ];
}

test('game_id: missing, wrong types, SQL, huge, malformed, unknown, not joined -- in every event that names a game', { timeout: 120_000 }, async (t) => {
  const x = await fx();
  const cases = [];
  for (const ev of gameEvents(x)) {
    const notFound = { event: ev.txRefusal ?? ev.refusal, code: 'GAME_NOT_FOUND', field: ev.notFoundField === null ? null : 'game_id', message: /^Game [0-9a-f-]{36} not found$/ };
    const special = {
      null: missing(ev.refusal, 'game_id'),
      'nil uuid (unknown)': notFound,
      'max uuid (unknown)': notFound,
      'random v4 (unknown)': notFound,
      // joining it would be allowed: the joiner joins only refusals
      'another game, not joined': { event: 'error', code: 'NOT_IN_GAME', field: 'game_id', message: /^Not in game [0-9a-f-]{36}: join_game first$/ },
    };
    const values = gameIdValues(x).filter((v) => !(ev.event === 'join_game' && v.label === 'another game, not joined'));
    cases.push({ name: `${ev.event} without game_id`, as: ev.as, event: ev.event, text: JSON.stringify(ev.base), expect: missing(ev.refusal, 'game_id') });
    cases.push(...fieldCases({ as: ev.as, event: ev.event, base: ev.base, field: 'game_id', values, bad: invalid(ev.refusal, 'game_id'), special }));
  }
  await group(t, cases);
});

// ---------------------------------------------------------- payload shapes

test('payloads that are not a JSON object: INVALID_PAYLOAD in the event\'s own refusal; list_games takes none, heartbeat ignores it', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  const shapes = [
    ['no payload', undefined], ['null', 'null'], ['a number', '42'], ['a string', '"roll"'],
    ['the game id as a bare string', JSON.stringify(x.id)], ['an empty array', '[]'],
    ['the payload inside an array', JSON.stringify([{ game_id: x.id }])], ['true', 'true'],
    ['a 999 KB string', JSON.stringify(HUGE)],
  ];
  const cases = [];
  for (const ev of gameEvents(x)) {
    for (const [label, text] of shapes) {
      cases.push({ name: `${ev.event}: ${label}`, as: ev.as, event: ev.event, text, expect: { event: ev.refusal, code: 'INVALID_PAYLOAD', field: null } });
    }
    // the payload is the first argument: a valid one second counts for nothing
    cases.push({ name: `${ev.event}: a string first, the payload second`, as: ev.as, event: ev.event,
      text: `"x",${JSON.stringify({ game_id: x.id, ...ev.base })}`, expect: { event: ev.refusal, code: 'INVALID_PAYLOAD', field: null } });
  }
  for (const [label, text] of shapes) {
    cases.push({ name: `list_games: ${label}`, as: 'stranger', event: 'list_games', text,
      expect: text === undefined ? { ok: true, event: 'games_list' } : { event: 'error', code: 'INVALID_PAYLOAD', field: null } });
    cases.push({ name: `heartbeat: ${label}`, as: 'spec', event: 'heartbeat', text, expect: { ok: true, event: 'heartbeat_ack' } });
  }
  await group(t, cases);
});

// ------------------------------------------------------------- decisions

test('submit_defensive_decision and submit_offensive_decision: every field, every hostile value', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  // sent by the manager out of turn: validation comes first, so a bad
  // value is INVALID_FORMAT on its field, and a value that passes
  // (null: the field's default) meets NOT_YOUR_TURN and changes nothing
  const notYourTurn = { event: 'error', code: 'NOT_YOUR_TURN', field: null };
  const nul = V('null', null);
  const def = { as: 'away', event: 'submit_defensive_decision', base: { game_id: x.id } };
  const off = { as: 'home', event: 'submit_offensive_decision', base: { game_id: x.id } };
  const cases = [
    ...fieldCases({ ...def, field: 'alignment', values: [...ANY_STRING, ...near('normal'), V('a depth', 'in'), nul], bad: invalid('error', 'alignment'), special: { null: notYourTurn } }),
    ...fieldCases({ ...def, field: 'infield_depth', values: [...ANY_STRING, ...near('normal'), V('an alignment', 'shifted_left'), nul], bad: invalid('error', 'infield_depth'), special: { null: notYourTurn } }),
    ...fieldCases({ ...def, field: 'outfield_depth', values: [...ANY_STRING, ...near('normal'), V('infield only', 'double_play'), nul], bad: invalid('error', 'outfield_depth'), special: { null: notYourTurn } }),
    ...fieldCases({ ...def, field: 'hold_runners', values: [...BAD_BASES, nul], bad: invalid('error', 'hold_runners'), special: { null: notYourTurn } }),
    ...fieldCases({ ...off, field: 'approach', values: [...ANY_STRING, ...near('normal'), V('a swing', 'swing_hard'), nul], bad: invalid('error', 'approach'), special: { null: notYourTurn } }),
    ...fieldCases({ ...off, field: 'steal_attempts', values: [...BAD_BASES, nul], bad: invalid('error', 'steal_attempts'), special: { null: notYourTurn } }),
    ...fieldCases({ ...off, field: 'hit_and_run', values: [...BAD_BOOLS, nul], bad: invalid('error', 'hit_and_run'), special: { null: notYourTurn } }),
    ...fieldCases({ ...off, field: 'bunt_attempt', values: [...BAD_BOOLS, nul], bad: invalid('error', 'bunt_attempt'), special: { null: notYourTurn } }),
  ];
  await group(t, cases);
});

// --------------------------------------------------------------- outcome

test('submit_manual_outcome: outcome and every modifier, every hostile value', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  // no roll is pending: a payload that passes validation is refused for
  // that (and intentional_walk, which needs no roll, is never sent)
  const noRoll = { event: 'outcome_rejected', code: 'NO_PENDING_ROLL', field: 'game_state', message: 'No pending dice roll - call roll_dice first' };
  const nul = V('null', null);
  const o = { as: 'home', event: 'submit_manual_outcome', base: { game_id: x.id, outcome: 'strikeout' } };
  const bad = (f) => invalid('outcome_rejected', f);
  const cases = [
    ...fieldCases({ ...o, field: 'outcome', values: [...ANY_STRING, ...near('strikeout'), V('x_check', 'x_check'), V('unknown', 'home_run_derby'), nul],
      bad: bad('outcome'), special: { null: missing('outcome_rejected', 'outcome'), 'x_check': { ...bad('outcome'), message: /^Invalid outcome: x_check is not a final outcome/ } } }),
    ...fieldCases({ ...o, field: 'hit_location', values: [...ANY_STRING, ...near('SS'), V('DH is no place to hit', 'DH'), nul], bad: bad('hit_location'), special: { null: noRoll } }),
    ...fieldCases({ ...o, field: 'error_bases', values: [...BAD_INTS, V('four', 4), nul], bad: bad('error_bases'), special: { null: noRoll } }),
    ...fieldCases({ ...o, field: 'fc_out_from', values: [...BAD_INTS, V('four', 4), nul], bad: bad('fc_out_from'), special: { null: noRoll } }),
    ...fieldCases({ ...o, field: 'base', values: [...BAD_INTS, V('four', 4), nul], bad: bad('base'), special: { null: noRoll } }),
    ...fieldCases({ ...o, field: 'steal_result', values: [...ANY_STRING, ...near('safe'), nul], bad: bad('steal_result'), special: { null: noRoll } }),
    ...fieldCases({ ...o, field: 'runners', values: [...BAD_BASES, nul], bad: bad('runners'), special: { null: noRoll } }),
    ...fieldCases({ ...o, field: 'advances', values: [...BAD_ADVANCES, nul], bad: bad('advances'), special: { null: noRoll } }),
  ];
  await group(t, cases);
});

test('an unknown outcome is answered with the original\'s error list; its input is returned as sent, 0x1e escaped on the wire', { timeout: 30_000 }, async () => {
  const x = await fx();
  const { ack: a, events, packet } = await x.w.home.call('submit_manual_outcome', JSON.stringify({ game_id: x.id, outcome: 'a\u001eb\u0000c' }));
  assert.equal(a.ok, false);
  assert.equal(a.error.code, 'INVALID_FORMAT');
  assert.equal(a.error.errors[0].input, 'a\u001eb\u0000c');
  // the ack went out as one packet: 0x1e inside JSON is written \u001e
  // (protocol.md §5), or the payload would have split it
  assert.ok(packet.includes('a\\u001eb\\u0000c'), packet.slice(0, 300));
  assert.deepEqual(events.find((e) => e[0] === 'outcome_rejected')?.[1], a.error);
  // JSON.parse takes a lone surrogate escape; it comes back as U+FFFD,
  // so what we send stays valid UTF-8
  const lone = await x.w.home.call('submit_manual_outcome', `{"game_id":"${x.id}","outcome":"\\ud800x"}`);
  assert.equal(lone.ack.error.errors[0].input, '\ufffdx');
});

test('an unknown outcome of 999 KB is not sent back whole (twice: the event and the ack)', {
  timeout: 30_000,
}, async () => {
  const x = await fx();
  const { ack: a, events } = await x.w.home.call('submit_manual_outcome', JSON.stringify({ game_id: x.id, outcome: HUGE }));
  assert.equal(a.error.code, 'INVALID_FORMAT');
  const size = JSON.stringify(a).length + JSON.stringify(events).length;
  assert.ok(size < 16_384, `the answer to one bad field is ${size} bytes`);
  // the echo keeps the seed's shape: the first 200 bytes of what was sent
  assert.equal(a.error.errors[0].input, HUGE.slice(0, 200));
});

// --------------------------------------------------------- substitutions

test('substitutions: every id field of every substitution event, and new_position, with every hostile value', { timeout: 120_000 }, async (t) => {
  const x = await fx();
  // the home manager substitutes for the away team: a payload that passes
  // validation is refused as not his team's, whatever the ids name
  const notHisTeam = { event: 'substitution_error', code: 'NOT_AUTHORIZED', field: 'team_id' };
  const valid = [R('2^53+1 (well-formed, unknown)', '9007199254740993'), R('INT64_MAX (well-formed, unknown)', '9223372036854775807')];
  const sub = { game_id: x.id, player_out_lineup_id: x.ids.A1, player_in_card_id: x.bench, team_id: x.teams.away };
  const cases = [];
  for (const event of ['request_pinch_hitter', 'request_pinch_runner', 'request_defensive_replacement', 'request_pitching_change']) {
    const base = event === 'request_defensive_replacement' ? { ...sub, new_position: 'LF' } : sub;
    for (const field of ['player_out_lineup_id', 'player_in_card_id', 'team_id']) {
      cases.push(...fieldCases({ as: 'home', event, base, field, values: [...BAD_INTS, ...valid, V('null', null)],
        bad: invalid('substitution_error', field),
        special: {
          null: missing('substitution_error', field),
          [valid[0].label]: notHisTeam,
          [valid[1].label]: notHisTeam,
        } }));
    }
  }
  cases.push(...fieldCases({ as: 'home', event: 'request_defensive_replacement', base: { ...sub, new_position: 'LF' }, field: 'new_position',
    values: [...ANY_STRING, ...near('LF'), V('pinch hitter is no position', 'PH'), V('pinch runner is no position', 'PR'), V('null', null)],
    bad: invalid('substitution_error', 'new_position'), special: { null: missing('substitution_error', 'new_position') } }));
  await group(t, cases);
});

test('substitutions with well-formed ids that name nothing, or the other team\'s: the specific substitution_error', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  const a = { game_id: x.id, player_out_lineup_id: x.ids.A1, player_in_card_id: x.bench, team_id: x.teams.away };
  const homeBench = (await x.w.home.call('get_lineup', JSON.stringify({ game_id: x.id, team_id: x.teams.home }))).ack.bench[0].card_id;
  const S_ = (code, field) => ({ event: 'substitution_error', code, field });
  const cases = [
    { name: 'pinch hitter for a lineup id that does not exist', as: 'away', event: 'request_pinch_hitter', payload: { ...a, player_out_lineup_id: 999999999 }, expect: S_('PLAYER_ALREADY_OUT', 'player_out_lineup_id') },
    { name: 'pinch hitter for the other team\'s batter', as: 'away', event: 'request_pinch_hitter', payload: { ...a, player_out_lineup_id: x.ids.H1 }, expect: S_('PLAYER_ALREADY_OUT', 'player_out_lineup_id') },
    { name: 'a card that does not exist', as: 'away', event: 'request_pinch_hitter', payload: { ...a, player_in_card_id: 999999999 }, expect: S_('NOT_IN_ROSTER', 'player_in_card_id') },
    { name: 'a card of the other team\'s bench', as: 'away', event: 'request_pinch_hitter', payload: { ...a, player_in_card_id: homeBench }, expect: S_('NOT_IN_ROSTER', 'player_in_card_id') },
    { name: 'a player already in the game as the substitute', as: 'away', event: 'request_pinch_hitter', payload: { ...a, player_in_card_id: x.d.away.lineup[1].card_id }, expect: S_('ALREADY_ACTIVE', 'player_in_card_id') },
    { name: 'a team that does not exist', as: 'away', event: 'request_pinch_hitter', payload: { ...a, team_id: 999999999 }, expect: S_('NOT_AUTHORIZED', 'team_id') },
    { name: 'the other team\'s manager', as: 'home', event: 'request_pinch_hitter', payload: a, expect: S_('NOT_AUTHORIZED', 'team_id') },
    { name: 'a team id of the other team with this team\'s players', as: 'away', event: 'request_pitching_change', payload: { ...a, team_id: x.teams.home, player_out_lineup_id: x.ids.AP }, expect: S_('NOT_AUTHORIZED', 'team_id') },
  ].map((c) => ({ ...c, text: JSON.stringify(c.payload) }));
  await group(t, cases);
});

// ------------------------------------------------------ the other fields

test('get_lineup.team_id, join_game.role, list_games status and limit: every hostile value', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  const nul = V('null', null);
  const notPlaying = { event: 'error', code: 'INVALID_FORMAT', field: 'team_id', message: /^Team \d+ is not playing in this game$/ };
  const listed = { ok: true, event: 'games_list' };
  const cases = [
    ...fieldCases({ as: 'spec', event: 'get_lineup', base: { game_id: x.id }, field: 'team_id',
      values: [...BAD_INTS, R('2^53+1 (well-formed, unknown)', '9007199254740993'), V('a team of another game', x.otherTeam), nul],
      bad: invalid('error', 'team_id'),
      special: { null: missing('error', 'team_id'), '2^53+1 (well-formed, unknown)': notPlaying, 'a team of another game': notPlaying } }),
    // the joiner never joins: every role here is refused
    ...fieldCases({ as: 'joiner', event: 'join_game', base: { game_id: x.id }, field: 'role',
      values: [...ANY_STRING, ...near('player'), ...near('spectator'), V('admin', 'admin'), V('manager', 'manager')],
      bad: invalid('error', 'role') }),
    ...fieldCases({ as: 'stranger', event: 'list_games', base: {}, field: 'status',
      values: [...ANY_STRING, ...near('pending'), V('every status', '*'), nul],
      bad: { ...invalid('error', 'status'), message: 'Invalid status: expected pending, active or final' }, special: { null: listed } }),
    ...fieldCases({ as: 'stranger', event: 'list_games', base: {}, field: 'limit',
      values: [...BAD_INTS, V('one past the most', 201), R('2^53+1', '9007199254740993'), nul],
      bad: { ...invalid('error', 'limit'), message: 'Invalid limit: expected an integer from 1 to 200' }, special: { null: listed } }),
  ];
  await group(t, cases);
});

// ---------------------------------------------------------- who may act

test('not joined, spectators, the wrong manager, out of turn, identity fields in the payload: refused with the specific code', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  const id = x.id;
  const sub = { game_id: id, player_out_lineup_id: x.ids.A1, player_in_card_id: x.bench, team_id: x.teams.away };
  const reads = [['request_game_state', {}], ['get_box_score', {}], ['get_presence', {}], ['get_lineup', { team_id: x.teams.home }]];
  const writes = [['roll_dice', {}], ['submit_defensive_decision', {}], ['submit_offensive_decision', {}],
    ['submit_manual_outcome', { outcome: 'strikeout' }], ['submit_manual_outcome', { outcome: 'intentional_walk' }],
    ['request_pinch_hitter', sub], ['request_pinch_runner', sub],
    ['request_defensive_replacement', { ...sub, new_position: 'LF' }], ['request_pitching_change', sub]];
  const notIn = { event: 'error', code: 'NOT_IN_GAME', field: 'game_id' };
  const spectators = { event: 'error', code: 'NOT_AUTHORIZED', field: null };
  const cases = [];
  for (const as of ['outsider', 'stranger']) {
    for (const [event, p] of [...reads, ...writes, ['leave_game', {}]]) {
      cases.push({ name: `${as} (not in the room): ${event} ${p.outcome ?? ''}`, as, event, text: JSON.stringify({ game_id: id, ...p }), expect: notIn });
    }
  }
  for (const [event, p] of writes) {
    cases.push({ name: `spectator: ${event} ${p.outcome ?? ''}`, as: 'spec', event, text: JSON.stringify({ game_id: id, ...p }), expect: spectators });
  }
  cases.push(
    // top of the 1st: the visitors bat, the home team fields
    { name: 'the batting manager sends the defensive decision', as: 'away', event: 'submit_defensive_decision', text: JSON.stringify({ game_id: id }), expect: { event: 'error', code: 'NOT_YOUR_TURN', field: null } },
    { name: 'the fielding manager sends the offensive decision', as: 'home', event: 'submit_offensive_decision', text: JSON.stringify({ game_id: id }), expect: { event: 'error', code: 'NOT_YOUR_TURN', field: null } },
    { name: 'a manager substitutes for the other team', as: 'home', event: 'request_pinch_hitter', text: JSON.stringify(sub), expect: { event: 'substitution_error', code: 'NOT_AUTHORIZED', field: 'team_id' } },
    // identity comes from the token, never from the payload
    { name: 'a stranger joins as player claiming to be the manager', as: 'joiner', event: 'join_game',
      text: JSON.stringify({ game_id: id, role: 'player', user_id: x.d.home.user_id ?? 'home', admin: true, team_id: x.teams.home, socket_id: x.w.home.socketId }),
      expect: { event: 'error', code: 'NOT_AUTHORIZED', field: 'role' } },
    { name: 'a spectator rolls claiming to be a player', as: 'spec', event: 'roll_dice',
      text: JSON.stringify({ game_id: id, role: 'player', user_id: 'admin', admin: true, sid: x.w.home.sid, socket_id: x.w.home.socketId }),
      expect: spectators },
  );
  await group(t, cases);
});

test('unknown event names and names close to real ones (UNKNOWN_EVENT); duplicate keys, odd keys, sizes in other shapes', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  const unknown = { event: 'error', code: 'UNKNOWN_EVENT', field: null, message: 'Unknown event' };
  const names = [
    ['no_such_event', 'no_such_event'], ['upper case', 'ROLL_DICE'], ['trailing space', 'roll_dice '],
    ['zero-width suffix', 'roll_dice\u200B'], ['RTL prefix', '\u202Eroll_dice'], ['a server event', 'connected'],
    ['a server event', 'game_state'], ['error', 'error'], ['__proto__', '__proto__'], ['constructor', 'constructor'],
    ['hasOwnProperty', 'hasOwnProperty'], ['the bench event (bench_events off)', 'bench'],
    ['SQL', "roll_dice'; DROP TABLE game; --"], ['empty', ''], ['a number', 42], ['zero', 0], ['a float', 1.5],
    ['999 KB', HUGE],
  ];
  const cases = names.map(([label, name]) => ({
    name: `event name: ${label} (${JSON.stringify(name).slice(0, 40)})`, as: 'home', event: name, text: JSON.stringify({ game_id: x.id }), expect: unknown,
  }));
  // duplicate keys: the last one counts, as with JSON.parse
  cases.push(
    { name: 'duplicate key, the bad value last', as: 'away', event: 'submit_defensive_decision',
      text: `{"game_id":"${x.id}","alignment":"normal","alignment":"sideways"}`, expect: invalid('error', 'alignment') },
    { name: 'duplicate key, the unknown game last', as: 'spec', event: 'roll_dice',
      text: `{"game_id":"${x.id}","game_id":"00000000-0000-0000-0000-000000000000"}`, expect: { event: 'error', code: 'GAME_NOT_FOUND', field: 'game_id' } },
    { name: 'duplicate key, the real game last', as: 'spec', event: 'roll_dice',
      text: `{"game_id":"nope","game_id":"${x.id}"}`, expect: { event: 'error', code: 'NOT_AUTHORIZED', field: null } },
    { name: 'an upper-case uuid is the same game', as: 'spec', event: 'roll_dice',
      text: JSON.stringify({ game_id: x.id.toUpperCase() }), expect: { event: 'error', code: 'NOT_AUTHORIZED', field: null } },
    // size in other shapes: members and arguments nobody reads
    { name: '50 000 unknown keys beside game_id', as: 'spec', event: 'roll_dice',
      text: JSON.stringify({ game_id: x.id, ...Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 0])) }),
      expect: { event: 'error', code: 'NOT_AUTHORIZED', field: null } },
    { name: 'a key of 999 KB', as: 'spec', event: 'roll_dice',
      text: JSON.stringify({ game_id: x.id, [HUGE]: 1 }), expect: { event: 'error', code: 'NOT_AUTHORIZED', field: null } },
    { name: '10 000 arguments after the payload', as: 'spec', event: 'request_game_state',
      text: [JSON.stringify({ game_id: x.id }), ...Array(10_000).fill('1')].join(','), expect: { ok: true, event: 'game_state_sync' } },
  );
  await group(t, cases);
});

// ------------------------------------------------------ replayed rolls

test('a roll is used once: the same submission twice in one body, the same bytes posted again, a roll id named in the payload, a second roll while one is pending', { timeout: 60_000 }, async () => {
  const x = await fx();
  // a game of its own: this one changes
  const id3 = await shortGame(S.stack, x.d, 9);
  const { home, away } = x.w;
  await joined(home, id3, 'player');
  await joined(away, id3, 'player');
  const submit = ['submit_manual_outcome', JSON.stringify({ game_id: id3, outcome: 'strikeout' })];
  const noRoll = (r, what) => {
    assert.equal(r.ack.ok, false, `${what}: ${JSON.stringify(r.ack)}`);
    assert.equal(r.ack.error.code, 'NO_PENDING_ROLL', what);
    assert.equal(r.ack.error.field, 'game_state', what);
    assert.deepEqual(r.events.find((e) => e[0] === 'outcome_rejected')?.[1], r.ack.error, what);
  };

  const [roll, again] = await home.batch([['roll_dice', JSON.stringify({ game_id: id3 })], ['roll_dice', JSON.stringify({ game_id: id3 })]]);
  assert.equal(roll.ack.ok, true, JSON.stringify(roll.ack));
  assert.equal(again.ack.error?.code, 'ROLL_PENDING', `a second roll while one is pending: ${JSON.stringify(again.ack)}`);
  const rollId = roll.ack.roll_id;

  const [first, second] = await away.batch([submit, submit]);
  assert.equal(first.ack.ok, true, JSON.stringify(first.ack));
  assert.equal(first.ack.roll_id, rollId);
  noRoll(second, 'the same submission again in the same body');
  // the very same bytes, posted again by the other manager (a replay)
  const [r1, r2] = await home.batch([submit, submit]);
  noRoll(r1, 'replayed body, first packet');
  noRoll(r2, 'replayed body, second packet');
  // a client cannot pick the roll: a roll_id in the payload is not read
  noRoll(await away.call('submit_manual_outcome', JSON.stringify({ game_id: id3, outcome: 'strikeout', roll_id: rollId })), 'the used roll named');

  assert.equal(await psql(S.stack, `SELECT count(*) FROM play WHERE game_id = '${id3}'`), '1', 'one play');
  assert.equal(await psql(S.stack, `SELECT count(*) FROM play WHERE roll_id = ${Number(rollId)}`), '1', 'the roll made one play');
  assert.equal(await psql(S.stack, `SELECT count(*) || ',' || count(used_at) FROM dice_roll WHERE game_id = '${id3}'`), '1,1', 'one roll, used');
  await home.alive();
  await away.alive();
});

// ------------------------------------------------------ the wire itself

/** The session is gone: a GET with its sid gets 400 code 1. */
async function assertGone(sid, what) {
  const r = await http(eioUrl(S.stack.url, sid), { timeout: 10_000 });
  assert.equal(r.status, 400, `${what}: a GET afterwards: ${r.status} ${r.body}`);
  assert.deepEqual(JSON.parse(r.body), { code: 1, message: 'Session ID unknown' }, what);
}

const eioError = (code) => ({ status: 400, body: { code, message: { 0: 'Transport unknown', 1: 'Session ID unknown', 2: 'Bad handshake method', 3: 'Bad request', 5: 'Unsupported protocol version' }[code] } });
const OK = { status: 200, text: 'ok' };

/**
 * One POST body sent raw on a fresh session (CONNECTed as a new user):
 *   post     the HTTP answer: {status, text} or {status, body: JSON}
 *   after    'open'   the session goes on (a heartbeat is answered)
 *            'closed' the server closes it: the held GET brings the close
 *                     packet, later requests get 400 code 1 (§5, §8)
 *            'ended'  it is over at once: later requests get 400 code 1
 *   packet   (open) a packet the session must receive
 */
async function runWire(c) {
  const w = await wire(`wire-${c.name}`, jwt(unique('wire')));
  const headers = c.contentType === undefined ? {} : { 'content-type': c.contentType };
  const body = typeof c.body === 'function' ? c.body(w) : c.body;
  const res = await fetch(eioUrl(S.stack.url, w.sid), { method: 'POST', body, headers, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  const what = `${c.name}: ${res.status} ${text.slice(0, 200)}`;
  assert.equal(res.status, c.post.status, what);
  if (c.post.text !== undefined) assert.equal(text, c.post.text, what);
  if (c.post.body !== undefined) assert.deepEqual(JSON.parse(text), c.post.body, what);
  if (c.packet) await w.waitPacket(c.packet, 10_000);
  if (c.after === 'open') {
    await w.alive();
    await w.close();
  } else {
    if (c.after === 'closed') await w.waitFor(() => w.packets.includes('1'), 10_000, 'the close packet');
    w.stop();
    await assertGone(w.sid, c.name);
  }
  if (c.check) await c.check(w);
}

/** Cases of one table as subtests; then the fixture's game is untouched. */
async function wireGroup(t, cases) {
  const x = await fx();
  const before = await world(x);
  for (const c of cases) await t.test(c.name, c.todo ? { todo: c.todo } : {}, () => runWire(c));
  assert.deepEqual(await world(x), before, 'the group changed nothing');
}

const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const PH0 = '{"_placeholder":true,"num":0}';

test('Engine.IO payloads: empty, unknown types, NUL, invalid UTF-8, stray separators, broken base64, binary bodies, client pings -- the protocol\'s answer each', { timeout: 120_000 }, async (t) => {
  const bad = eioError(3);
  await wireGroup(t, [
    { name: 'an empty body', body: '', post: bad, after: 'ended' },
    { name: 'an unknown packet type', body: 'x', post: bad, after: 'ended' },
    { name: 'packet type 9', body: '9', post: bad, after: 'ended' },
    { name: 'a NUL byte', body: bytes('3', [0]), post: bad, after: 'ended' },
    { name: 'invalid UTF-8: an overlong /', body: bytes('42["heartbeat","', [0xc0, 0xaf], '"]'), post: bad, after: 'ended' },
    { name: 'invalid UTF-8: a lone continuation byte', body: bytes('42["heartbeat","', [0x80], '"]'), post: bad, after: 'ended' },
    { name: 'invalid UTF-8: a surrogate', body: bytes('42["heartbeat","', [0xed, 0xa0, 0x80], '"]'), post: bad, after: 'ended' },
    { name: 'invalid UTF-8: past U+10FFFF', body: bytes('42["heartbeat","', [0xf4, 0x90, 0x80, 0x80], '"]'), post: bad, after: 'ended' },
    { name: 'invalid UTF-8: Latin-1 text', body: bytes('42["heartbeat","caf', [0xe9], '"]'), post: bad, after: 'ended' },
    { name: 'invalid UTF-8: cut short at the end', body: bytes('3', RS, '4', [0xe2, 0x82]), post: bad, after: 'ended' },
    { name: 'a trailing record separator', body: `3${RS}`, post: bad, after: 'ended' },
    { name: 'a leading record separator', body: `${RS}3`, post: bad, after: 'ended' },
    { name: 'two separators in a row', body: `3${RS}${RS}3`, post: bad, after: 'ended' },
    { name: 'a good packet, then a bad one: nothing of the body is done', body: `421["heartbeat"]${RS}x`, post: bad, after: 'ended',
      check: (w) => assert.ok(!w.packets.some((p) => p.startsWith('431[')), 'the heartbeat was not answered') },
    { name: 'base64 of a length not a multiple of 4', body: 'bAQI', post: bad, after: 'ended' },
    { name: 'base64 with a character outside the alphabet', body: 'bAQ!D', post: bad, after: 'ended' },
    { name: 'base64, URL-safe alphabet', body: 'b-_-_', post: bad, after: 'ended' },
    { name: 'base64 with padding inside', body: 'bAQ=D', post: bad, after: 'ended' },
    { name: 'base64, not canonical (bits after the padding)', body: 'bAR==', post: bad, after: 'ended' },
    { name: 'base64, padding only', body: 'b====', post: bad, after: 'ended' },
    { name: 'base64 with a space', body: 'bAQ D', post: bad, after: 'ended' },
    { name: 'base64 with a line break', body: 'bAQID\nAQID', post: bad, after: 'ended' },
    { name: 'a binary POST body (application/octet-stream)', body: '3', contentType: 'application/octet-stream', post: bad, after: 'ended' },
    { name: 'a client ping (wrong heartbeat direction)', body: '2', post: OK, after: 'ended' },
    { name: 'an upgrade packet', body: '5', post: OK, after: 'ended' },
    { name: 'an open packet from the client', body: '0{"sid":"x"}', post: OK, after: 'ended' },
    { name: 'a close packet: the client leaves', body: '1', post: OK, after: 'ended' },
    { name: 'a UTF-8 byte order mark first', body: '\uFEFF3', post: bad, after: 'ended' },
    { name: 'valid base64, no binary event announced', body: 'bAQID', post: OK, after: 'closed' },
    { name: 'an empty binary packet, none announced', body: 'b', post: OK, after: 'closed' },
    { name: 'a noop', body: '6', post: OK, after: 'open' },
    { name: 'a pong nobody asked for', body: '3', post: OK, after: 'open' },
    { name: 'a pong with data', body: '3probe', post: OK, after: 'open' },
    { name: '5000 packets in one body', body: Array(5000).fill('3').join(RS), post: OK, after: 'open' },
    { name: 'Content-Type application/json', body: '3', contentType: 'application/json', post: OK, after: 'open' },
    { name: 'Content-Type multipart/form-data', body: '3', contentType: 'multipart/form-data; boundary=x', post: OK, after: 'open' },
    { name: 'no Content-Type', body: bytes('3'), post: OK, after: 'open' },
    { name: 'a binary event: refused with INVALID_PAYLOAD, the session goes on', body: `451-1["heartbeat",${PH0}]${RS}bAQID`, post: OK, after: 'open',
      packet: (p) => p.startsWith('431[') && /"code":"INVALID_PAYLOAD"/.test(p) },
    { name: 'a body over max_payload: 413, the session goes on', body: `4${'x'.repeat(1_000_000)}`, post: { status: 413, text: '' }, after: 'open' },
  ]);
});

test('0x1e inside a JSON string splits the packet (Engine.IO has no escape): each piece is handled as a packet of its own', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  await wireGroup(t, [
    // the second piece ("tator...") is no packet type: the whole body is
    // refused before anything in it is done
    { name: 'the tail is no packet: nothing is done, 400 code 3', body: `421["join_game",{"game_id":"${x.id}","role":"spec${RS}tator"}]`, post: eioError(3), after: 'ended',
      check: async (w) => {
        assert.ok(!w.packets.some((p) => p.startsWith('431[')), 'no answer to the join');
        assert.equal(await psql(S.stack, `SELECT count(*) FROM room_member m JOIN sio_socket s ON s.id = m.socket_id WHERE s.sid = '${w.sid}'`), '0', 'not in the room');
      } },
    // both pieces are packets: the first, a cut Socket.IO packet, is a
    // parse error that closes the session; the rest is not read
    { name: 'the tail is a message packet: the cut head closes the session', body: `421["heartbeat","a${RS}4b"]`, post: OK, after: 'closed',
      check: (w) => assert.ok(!w.packets.some((p) => p.startsWith('431[')), 'no heartbeat answered') },
    { name: 'the tail is a pong: the cut head closes the session', body: `421["heartbeat","a${RS}3"]`, post: OK, after: 'closed' },
    // pieces before the cut are handled, in order
    { name: 'a whole event first is answered, then the cut one closes the session', body: `421["heartbeat"]${RS}422["heartbeat","a${RS}3"]`, post: OK, after: 'closed',
      check: (w) => assert.ok(w.packets.some((p) => p.startsWith('431[')), 'the first heartbeat was answered') },
    // escaped as JSON says, it is just a character
    { name: 'written \\u001e it is a character: INVALID_FORMAT on the field', body: `421["join_game",{"game_id":"${x.id}","role":"spec\\u001etator"}]`, post: OK, after: 'open',
      packet: (p) => p.startsWith('431[') && /"code":"INVALID_FORMAT","field":"role"/.test(p) },
  ]);
});

test('Socket.IO packets: malformed, reserved names, forged namespaces and ack ids, bad JSON -- closed; the rest answered', { timeout: 120_000 }, async (t) => {
  const x = await fx();
  const closed = (name, body) => ({ name, body, post: OK, after: 'closed' });
  await wireGroup(t, [
    closed('an empty Socket.IO packet', '4'),
    closed('an unknown Socket.IO type', '4x'),
    closed('Socket.IO type 7', '47'),
    closed('an EVENT without payload', '42'),
    closed('an EVENT with an object', '42{}'),
    closed('an EVENT with a string', '42"heartbeat"'),
    closed('an EVENT with an empty array', '42[]'),
    closed('an EVENT named null', '42[null]'),
    closed('an EVENT named by an object', '42[{}]'),
    closed('an EVENT named by an array', '42[["heartbeat"]]'),
    closed('the reserved name connect', '42["connect"]'),
    closed('the reserved name disconnect', '42["disconnect"]'),
    closed('the reserved name removeListener', '42["removeListener"]'),
    closed('an event name with a NUL', '42["heartbeat\\u0000"]'),
    closed('an object key with a NUL (json-c would read it as game_id)', `42["roll_dice",{"game_id\\u0000x":"${x.id}"}]`),
    closed('letters for an ack id', '42abc["heartbeat"]'),
    closed('an ack id past 999999999999', '421000000000000["heartbeat"]'),
    closed('an ack id past int64', '4299999999999999999999["heartbeat"]'),
    closed('a namespace not joined', '42/admin,["heartbeat"]'),
    closed('a namespace like ours but longer', '42//,["heartbeat"]'),
    closed('a namespace of 300 bytes', `42/${'a'.repeat(300)},["heartbeat"]`),
    closed('a namespace without its slash', '42admin,["heartbeat"]'),
    closed('a DISCONNECT with a payload', '41{}'),
    closed('a CONNECT_ERROR from the client', '44{"message":"x"}'),
    closed('a binary EVENT without a count', '45["heartbeat"]'),
    closed('a binary EVENT of 0 attachments', '450-["heartbeat"]'),
    closed('a binary EVENT of 11 attachments', `4511-["heartbeat",${PH0}]`),
    closed('a binary EVENT missing its placeholder', '451-["heartbeat"]'),
    closed('a placeholder number out of range', '451-["heartbeat",{"_placeholder":true,"num":5}]'),
    closed('JSON: NaN', '42["heartbeat",NaN]'),
    closed('JSON: Infinity', '42["heartbeat",Infinity]'),
    closed('JSON: single quotes', "42['heartbeat']"),
    closed('JSON: a leading zero', '42["heartbeat",01]'),
    closed('JSON: 1.', '42["heartbeat",1.]'),
    closed('JSON: .5', '42["heartbeat",.5]'),
    closed('JSON: +1', '42["heartbeat",+1]'),
    closed('JSON: hex', '42["heartbeat",0x10]'),
    closed('JSON: a trailing comma', '42["heartbeat",]'),
    closed('JSON: a comment', '42["heartbeat"/* hi */]'),
    closed('JSON: an unquoted key', '42["heartbeat",{a:1}]'),
    closed('JSON: garbage after', '42["heartbeat"]x'),
    closed('JSON: two values', '42["heartbeat"]["heartbeat"]'),
    closed('JSON: a raw tab inside a string', '42["heart\tbeat"]'),
    closed('JSON: an unknown escape', '42["heartbeat","\\x41"]'),
    closed('JSON: a short unicode escape', '42["heartbeat","\\u12"]'),
    closed('JSON: unterminated', '42["heartbeat"'),
    closed('JSON: a byte order mark before it', '42\uFEFF["heartbeat"]'),
    closed('JSON: a no-break space as whitespace', '42\u00A0["heartbeat"]'),
    closed('JSON: nested 40 deep (past SIO_JSON_DEPTH)', `42["heartbeat",${'['.repeat(40)}${']'.repeat(40)}]`),
    { name: 'a second CONNECT on /: the session is closed', body: (w) => `40${JSON.stringify({ token: w.tok })}`, post: OK, after: 'closed' },
    { name: 'a CONNECT to an unknown namespace: CONNECT_ERROR, the session goes on', body: '40/admin,{}', post: OK, after: 'open',
      packet: (p) => p === '44/admin,{"message":"Invalid namespace"}' },
    { name: 'a CONNECT on / again without a token: AUTH_MISSING, the session goes on', body: '40{}', post: OK, after: 'open',
      packet: (p) => p.startsWith('44{') && /"code":"AUTH_MISSING"/.test(p) },
    { name: 'an ack for an id never asked', body: '43999[]', post: OK, after: 'open' },
    // as JSON.parse (the reference's parser), whitespace around is fine
    { name: 'whitespace before the JSON: served', body: '421 \n["heartbeat"] ', post: OK, after: 'open',
      packet: (p) => p === '431[{"ok":true}]' },
    { name: 'an event named by a number: UNKNOWN_EVENT', body: '421[7]', post: OK, after: 'open',
      packet: (p) => p.startsWith('431[') && /"code":"UNKNOWN_EVENT"/.test(p) },
    // JSON.parse takes a lone surrogate escape, and so do we: a name, unknown
    { name: 'an event named by a lone surrogate escape: UNKNOWN_EVENT', body: '421["\\ud800"]', post: OK, after: 'open',
      packet: (p) => p.startsWith('431[') && /"code":"UNKNOWN_EVENT"/.test(p) },
  ]);
});

// -------------------------------------------------------------- sids

test('Engine.IO sids: unguessable, never shown, and every forged, foreign or stale one gets the protocol\'s answer', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  const url = S.stack.url;
  const unknownSid = eioError(1);

  await t.test('fresh sids are 20 URL-safe characters, all different, with no common prefix', async () => {
    const sids = await Promise.all(Array.from({ length: 50 }, async () => JSON.parse((await http(eioUrl(url))).body.slice(1)).sid));
    for (const sid of sids) assert.match(sid, /^[A-Za-z0-9_-]{20}$/);
    assert.equal(new Set(sids).size, sids.length);
    // a counter or a clock would show in the first characters
    assert.ok(new Set(sids.map((s) => s.slice(0, 4))).size >= 45, JSON.stringify(sids));
  });

  // a live session to forge from; it must come out of it untouched
  const v = await wire('victim', jwt(unique('victim')));
  const flip = (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
  const other = (c) => (c === 'A' ? 'B' : 'A');
  const forged = [
    ['its socket id (the CONNECT reply\'s sid)', v.socketId, unknownSid],
    ['another session\'s socket id', x.w.home.socketId, unknownSid],
    ['one character changed', other(v.sid[0]) + v.sid.slice(1), unknownSid],
    ['the last character changed', v.sid.slice(0, -1) + other(v.sid.at(-1)), unknownSid],
    ['case flipped', [...v.sid].map(flip).join(''), unknownSid],
    ['one character short', v.sid.slice(0, -1), unknownSid],
    ['one character more', `${v.sid}A`, unknownSid],
    ['base64 padding added', `${v.sid}==`, unknownSid],
    ['the standard base64 alphabet', v.sid.replace(/-/g, '+').replace(/_/g, '/').replace(/^./, '+'), unknownSid],
    ['twice', v.sid + v.sid, unknownSid],
    ['SQL', "' OR 1=1 --", unknownSid],
    ['a well-formed sid nobody was given', 'AAAAAAAAAAAAAAAAAAAA', unknownSid],
    ['unicode look-alike', `\u0410${v.sid.slice(1)}`, unknownSid],
    // lighttpd refuses a %00 in the URL itself (400, its own page)
    ['a NUL after it', `${v.sid}\u0000`, { status: 400 }],
    ['5000 characters', 'A'.repeat(5000), eioError(3)],
  ];
  for (const [label, sid, want] of forged) {
    await t.test(`a forged sid: ${label} -> ${want.status}${want.body ? ` code ${want.body.code}` : ''}`, async () => {
      for (const method of ['GET', 'POST']) {
        const r = await http(eioUrl(url, sid), method === 'POST' ? { method, body: '42["leave_game",{}]' } : { timeout: 10_000 });
        assert.equal(r.status, want.status, `${method} ${label}: ${r.status} ${r.body}`);
        if (want.body) assert.deepEqual(JSON.parse(r.body), want.body, `${method} ${label}`);
      }
    });
  }
  for (const [label, q, want] of [
    ['an empty sid', '&sid=', unknownSid],
    ['a sid parameter without a value', '&sid', unknownSid],
    // lighttpd re-encodes a stray '%': dugout reads a literal "%zz..."
    ['a bad %-escape in the sid', `&sid=%zz${v.sid.slice(3)}`, unknownSid],
    ['the sid %-encoded is the same sid', `&sid=${[...v.sid].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`, { status: 200 }],
  ]) {
    await t.test(`${label} -> ${want.status}${want.body ? ` code ${want.body.code}` : ''}`, async () => {
      const r = await http(`${url}/socket.io/?EIO=4&transport=polling${q}`, { method: 'POST', body: '6' });
      assert.equal(r.status, want.status, `${label}: ${r.status} ${r.body}`);
      if (want.body) assert.deepEqual(JSON.parse(r.body), want.body, label);
    });
  }
  await t.test('two sids in the query: the first is the one', async () => {
    const good = await http(`${eioUrl(url, v.sid)}&sid=AAAAAAAAAAAAAAAAAAAA`, { method: 'POST', body: '6' });
    assert.equal(good.status, 200, good.body);
    const bad = await http(`${eioUrl(url, 'AAAAAAAAAAAAAAAAAAAA')}&sid=${v.sid}`, { method: 'POST', body: '6' });
    assert.equal(bad.status, 400, bad.body);
    assert.deepEqual(JSON.parse(bad.body), unknownSid.body);
  });
  await t.test('the victim\'s session went on through all of that', () => v.alive());

  await t.test('no sid is ever shown to anyone: not in any packet any client received', async () => {
    const all = [...Object.values(x.w), v];
    const seen = JSON.stringify([...all.map((w) => w.packets), x.obsPackets]);
    for (const w of all) assert.ok(!seen.includes(w.sid), `${w.label}'s sid appears in what clients received`);
    const presence = await ack(x.obs, 'get_presence', { game_id: x.id });
    assert.equal(presence.ok, true);
    for (const w of all) assert.ok(!JSON.stringify(presence).includes(w.sid));
  });

  // A sid is a bearer secret (protocol.md §3): whoever presents it *is*
  // that session, so it must not leak (above) or be guessed (120 bits).
  // A thief who has one anyway speaks as the owner, but the answers go
  // to the owner's poll, and he cannot poll beside its owner unnoticed:
  await t.test('another client posting with a live sid speaks as that session; the answer goes to the owner\'s poll', async () => {
    const owner = await wire('owner0', jwt(unique('owner')));
    const r = await http(eioUrl(url, owner.sid), { method: 'POST', body: '42999["heartbeat"]' });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'ok', 'the POST itself carries nothing back');
    await owner.waitPacket((p) => p === '43999[{"ok":true}]', 10_000);
    await owner.alive();
    await owner.close();
  });
  await t.test('another client polling with a live sid: 400, the session is closed for both', async () => {
    const owner = await wire('owner', jwt(unique('owner')));
    await sleep(300); // the owner's GET is held
    const thief = await http(eioUrl(url, owner.sid), { timeout: 15_000 });
    // §4: the second GET gets 400, the held one the close packet (had the
    // owner been between two polls, the roles swap)
    if (thief.status === 200) {
      assert.equal(decodePayload(thief.body).at(-1), '1', `the thief's held GET: ${thief.body}`);
      await owner.waitFor(() => owner.closed, 10_000, 'the owner\'s GET refused');
      assert.match(String(owner.errors[0]), /GET: 400/);
    } else {
      assert.equal(thief.status, 400, `the second GET: ${thief.status} ${thief.body}`);
      await owner.waitFor(() => owner.packets.includes('1'), 10_000, 'the close packet to the owner');
    }
    owner.stop();
    await assertGone(owner.sid, 'after the second GET');
  });
  await t.test('another user CONNECTing inside a live session closes it; no socket of his is made there', async () => {
    const owner = await wire('owner2', jwt(unique('owner')));
    const thiefUser = unique('thief');
    const r = await http(eioUrl(url, owner.sid), { method: 'POST', body: `40${JSON.stringify({ token: jwt(thiefUser) })}` });
    assert.equal(r.status, 200, r.body);
    await owner.waitFor(() => owner.packets.includes('1'), 10_000, 'the close packet');
    owner.stop();
    await assertGone(owner.sid, 'after the thief\'s CONNECT');
    assert.equal(await psql(S.stack, `SELECT count(*) FROM sio_socket WHERE user_id = '${thiefUser}'`), '0');
  });
  await t.test('the sid of a session that ended: 400 code 1', async () => {
    const gone = await wire('gone', jwt(unique('gone')));
    await gone.close();
    await assertGone(gone.sid, 'after the client closed');
    const p = await http(eioUrl(url, gone.sid), { method: 'POST', body: '42["heartbeat"]' });
    assert.equal(p.status, 400, p.body);
    assert.deepEqual(JSON.parse(p.body), unknownSid.body);
  });
});

// ------------------------------------------------------ HTTP and query

test('HTTP: protocol versions, transports, methods, query strings and headers out of bounds -- the protocol\'s answer each', { timeout: 60_000 }, async (t) => {
  const base = `${S.stack.url}/socket.io/`;
  const v = await wire('http-victim', jwt(unique('http')));
  const sidQ = `&sid=${v.sid}`;
  const hs = { status: 200, handshake: true };
  const cases = [
    ['EIO=3', '?EIO=3&transport=polling', {}, eioError(5)],
    ['no EIO', '?transport=polling', {}, eioError(5)],
    ['EIO=5', '?EIO=5&transport=polling', {}, eioError(5)],
    ['EIO=4.0', '?EIO=4.0&transport=polling', {}, eioError(5)],
    ['EIO=04', '?EIO=04&transport=polling', {}, eioError(5)],
    ['EIO=-4', '?EIO=-4&transport=polling', {}, eioError(5)],
    ['EIO percent-encoded is the same 4', '?EIO=%34&transport=polling', {}, hs],
    ['transport=websocket', '?EIO=4&transport=websocket', {}, eioError(0)],
    ['transport=webtransport', '?EIO=4&transport=webtransport', {}, eioError(0)],
    ['no transport', '?EIO=4', {}, eioError(0)],
    ['transport=POLLING', '?EIO=4&transport=POLLING', {}, eioError(0)],
    ['transport with a trailing space', '?EIO=4&transport=polling%20', {}, eioError(0)],
    // lighttpd refuses a %00 in the URL itself (400, its own page)
    ['transport with a NUL', '?EIO=4&transport=polling%00', {}, { status: 400 }],
    // lighttpd re-encodes a stray '%': dugout reads EIO "%4"
    ['a bad %-escape in the EIO value', '?EIO=%4&transport=polling', {}, eioError(5)],
    ['no query at all', '', {}, eioError(0)],
    ['POST without a sid', '?EIO=4&transport=polling', { method: 'POST', body: '40' }, eioError(2)],
    ['PUT without a sid', '?EIO=4&transport=polling', { method: 'PUT', body: '40' }, eioError(2)],
    ['DELETE with a live sid', `?EIO=4&transport=polling${sidQ}`, { method: 'DELETE' }, { status: 500, text: '' }],
    ['PUT with a live sid', `?EIO=4&transport=polling${sidQ}`, { method: 'PUT', body: '3' }, { status: 500, text: '' }],
    ['EIO=3 with a live sid', `?EIO=3&transport=polling${sidQ}`, {}, eioError(3)],
    ['transport=websocket with a live sid', `?EIO=4&transport=websocket${sidQ}`, {}, eioError(0)],
    ['OPTIONS (CORS preflight)', '?EIO=4&transport=polling', { method: 'OPTIONS' }, { status: 204, text: '' }],
    // protocol.md §2: the client's own query parameters are never refused
    ['an unknown parameter with a bad %-escape', '?EIO=4&transport=polling&x=%zz', {}, hs],
    ['an unknown parameter of 4 KB', `?EIO=4&transport=polling&pad=${'a'.repeat(4000)}`, {}, hs],
    ['j (v3 JSONP) and b64', '?EIO=4&transport=polling&j=0&b64=1', {}, hs],
    ['EIO given twice: the first counts', '?EIO=4&EIO=3&transport=polling', {}, hs],
    ['an Origin that is no origin', '?EIO=4&transport=polling', { headers: { origin: 'http://evil.example/path' } }, eioError(3)],
    ['an Origin with userinfo', '?EIO=4&transport=polling', { headers: { origin: 'http://a@evil.example' } }, eioError(3)],
    ['an Origin with port 99999', '?EIO=4&transport=polling', { headers: { origin: 'http://evil.example:99999' } }, eioError(3)],
    ['an Origin with a space', '?EIO=4&transport=polling', { headers: { origin: 'http://evil .example' } }, eioError(3)],
    ['an Origin of an IPv6 host, not allowed', '?EIO=4&transport=polling', { headers: { origin: 'http://[::1]:8080' } }, hs],
    ['an Origin of 7 KB', '?EIO=4&transport=polling', { headers: { origin: `http://${'a'.repeat(7000)}.example` } }, hs],
    ['Origin: null', '?EIO=4&transport=polling', { headers: { origin: 'null' } }, hs],
  ];
  for (const [label, q, opts, want] of cases) {
    await t.test(`${label} -> ${want.status}${want.body ? ` code ${want.body.code}` : ''}`, async () => {
      const r = await http(base + q, { timeout: 10_000, ...opts });
      const what = `${label}: ${r.status} ${r.body.slice(0, 200)}`;
      assert.equal(r.status, want.status, what);
      if (want.body) {
        assert.deepEqual(JSON.parse(r.body), want.body, what);
        assert.match(r.headers.get('content-type') ?? '', /application\/json/, what);
      }
      if (want.text !== undefined) assert.equal(r.body, want.text, what);
      if (want.handshake) assert.match(r.body, /^0\{"sid":"[A-Za-z0-9_-]{20}"/, what);
      // no origin here is allowed (cors_origins is empty): none is echoed
      assert.equal(r.headers.get('access-control-allow-origin'), null, what);
    });
  }
  await t.test('the session used above went on', () => v.alive());
  // past what the web server takes (lighttpd: 8 KB of request headers)
  // the request never reaches dugout; it must still be refused cleanly
  for (const [label, opts, q] of [
    ['a query string of 64 KB', {}, `?EIO=4&transport=polling&pad=${'a'.repeat(65536)}`],
    ['a header of 64 KB', { headers: { 'x-junk': 'a'.repeat(65536) } }, '?EIO=4&transport=polling'],
    ['an Origin of 64 KB', { headers: { origin: `http://${'a'.repeat(65536)}.example` } }, '?EIO=4&transport=polling'],
    ['a thousand headers', { headers: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`x-h${i}`, 'v'])) }, '?EIO=4&transport=polling'],
  ]) {
    await t.test(`${label}: 4xx from the web server, dugout unharmed`, async () => {
      const r = await http(base + q, { timeout: 10_000, ...opts }).catch((err) => ({ status: 0, body: String(err) }));
      assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `${label}: ${r.status} ${r.body.slice(0, 200)}`);
      const ok = await http(eioUrl(S.stack.url));
      assert.equal(ok.status, 200);
    });
  }
});

// ---------------------------------------------------------- CONNECT auth

test('CONNECT with hostile auth: the refusal and its code, the session left open; a signed token\'s odd user id is kept verbatim', { timeout: 60_000 }, async (t) => {
  const x = await fx();
  const otherId = x.w.home.socketId;
  const secret = S.stack.jwtSecret;
  const now = nowSec();
  const signed = (claims) => makeJwt(claims, secret);
  const refused = (code) => ({ refused: code });
  const cases = [
    ['no payload', undefined, refused('AUTH_MISSING')],
    ['an empty object', {}, refused('AUTH_MISSING')],
    ['token a number', { token: 42 }, refused('AUTH_MISSING')],
    ['token null', { token: null }, refused('AUTH_MISSING')],
    ['token an array', { token: [signed({ sub: 'a', exp: now + 600 })] }, refused('AUTH_MISSING')],
    ['token an object', { token: { sub: 'a' } }, refused('AUTH_MISSING')],
    ['the token under another key', { jwt: signed({ sub: 'a', exp: now + 600 }) }, refused('AUTH_MISSING')],
    ['token empty', { token: '' }, refused('AUTH_INVALID')],
    ['token SQL', { token: "' OR 1=1 --" }, refused('AUTH_INVALID')],
    ['token of 20 KB', { token: 'a'.repeat(20000) }, refused('AUTH_INVALID')],
    ['token of 999 KB', { token: HUGE }, refused('AUTH_INVALID')],
    ['three empty parts', { token: '..' }, refused('AUTH_INVALID')],
    ['a.b.c', { token: 'a.b.c' }, refused('AUTH_INVALID')],
    ['broken base64 in the parts', { token: '!!!.@@@.###' }, refused('AUTH_INVALID')],
    ['alg none', { token: makeJwt({ sub: 'a', exp: now + 600 }, secret, { alg: 'none' }) }, refused('AUTH_INVALID')],
    ['signed with another secret', { token: makeJwt({ sub: 'a', exp: now + 600 }, 'not-the-secret') }, refused('AUTH_INVALID')],
    ['a good token with a space before it', { token: ` ${signed({ sub: 'a', exp: now + 600 })}` }, refused('AUTH_INVALID')],
    ['a good token, signature cut short', { token: signed({ sub: 'a', exp: now + 600 }).slice(0, -2) }, refused('AUTH_INVALID')],
    ['expired', { token: signed({ sub: 'a', exp: now - 10 }) }, refused('AUTH_EXPIRED')],
    ['no exp', { token: signed({ sub: 'a' }) }, refused('AUTH_INVALID')],
    ['exp a string', { token: signed({ sub: 'a', exp: String(now + 600) }) }, refused('AUTH_INVALID')],
    ['exp past year 9999', { token: signed({ sub: 'a', exp: 253402300800 }) }, refused('AUTH_INVALID')],
    ['exp 1e300', { token: signed({ sub: 'a', exp: 1e300 }) }, refused('AUTH_INVALID')],
    ['no user', { token: signed({ exp: now + 600 }) }, refused('AUTH_INVALID')],
    ['sub empty', { token: signed({ sub: '', exp: now + 600 }) }, refused('AUTH_INVALID')],
    ['sub of 129 bytes', { token: signed({ sub: 'u'.repeat(129), exp: now + 600 }) }, refused('AUTH_INVALID')],
    ['sub SQL, signed: a user of that name', { token: signed({ sub: "x'); DROP TABLE game; --", exp: now + 600 }) }, { user: "x'); DROP TABLE game; --" }],
    ['sub unicode and RTL, signed', { token: signed({ sub: '\u202Eñ漢🎲', exp: now + 600 }) }, { user: '\u202Eñ漢🎲' }],
    ['sub of 128 bytes, signed', { token: signed({ sub: 'u'.repeat(128), exp: now + 600 }) }, { user: 'u'.repeat(128) }],
    // what is not in the signed token is not believed
    ['admin claimed in the auth payload', { token: signed({ sub: 'plain', exp: now + 600 }), admin: true, user_id: 'admin' }, { user: 'plain', admin: false }],
    ['admin as a string in the token', { token: signed({ sub: 'plain', exp: now + 600, admin: 'true' }) }, { user: 'plain', admin: false }],
    ['admin as 1 in the token', { token: signed({ sub: 'plain', exp: now + 600, admin: 1 }) }, { user: 'plain', admin: false }],
    // no connection state recovery here: a pid, offset or sid naming
    // another socket gets a socket of its own
    // json-c would read "token\u0000x" as token: a parse error instead
    ['the token under a key with a NUL', '{"token\\u0000x":"GOOD"}', { closed: true }],
    ['a recovery pid and sid naming another socket', { token: signed({ sub: 'plain', exp: now + 600 }), pid: 'OTHER', sid: 'OTHER', offset: '0' }, { user: 'plain', admin: false, notOther: true }],
  ];
  for (const [label, auth, want] of cases) {
    await t.test(`${label} -> ${want.closed ? 'session closed' : want.refused ?? `connected as ${JSON.stringify(want.user).slice(0, 30)}`}`, async () => {
      const w = new Wire(S.stack.url, 'auth');
      const r = await http(eioUrl(S.stack.url));
      w.handshake = JSON.parse(r.body.slice(1));
      w.sid = w.handshake.sid;
      const text = typeof auth === 'string' ? auth.replace('GOOD', signed({ sub: 'plain', exp: now + 600 })) : JSON.stringify(auth);
      await w.post(`40${auth === undefined ? '' : text.replace(/"OTHER"/g, JSON.stringify(otherId))}`);
      w.start();
      const reply = await w.waitPacket((p) => p.startsWith('40') || p.startsWith('44') || p === '1', 15_000);
      if (want.closed) {
        assert.equal(reply, '1', `${label}: ${reply}`);
        w.stop();
        await assertGone(w.sid, label);
        return;
      } else if (want.refused) {
        assert.ok(reply.startsWith('44{'), `${label}: ${reply}`);
        const e = JSON.parse(reply.slice(2));
        assert.equal(e.data?.code, want.refused, `${label}: ${reply}`);
        assert.equal(typeof e.message, 'string');
        assert.ok(e.message.length < 200 && !e.message.includes('DROP') && !(auth?.token?.length > 100 && e.message.includes(auth.token.slice(0, 50))), `no echo: ${reply}`);
        // §8 [ref]: the session stays after CONNECT_ERROR, with no socket
        assert.equal(await psql(S.stack, `SELECT count(*) FROM sio_socket WHERE sid = '${w.sid}'`), '0');
        const again = await http(eioUrl(S.stack.url, w.sid), { method: 'POST', body: '6' });
        assert.equal(again.status, 200, again.body);
      } else {
        assert.match(reply, /^40\{"sid":"/, `${label}: ${reply}`);
        const hello = await w.waitEvent('connected');
        assert.equal(hello.user_id, want.user);
        assert.equal(await psql(S.stack, `SELECT user_id FROM sio_socket WHERE sid = '${w.sid}'`), want.user);
        if (want.admin === false) assert.equal(await psql(S.stack, `SELECT is_admin FROM sio_socket WHERE sid = '${w.sid}'`), 'f');
        if (want.notOther) assert.notEqual(JSON.parse(reply.slice(2)).sid, otherId);
      }
      await w.close();
    });
  }
  await x.w.home.alive();
});

// ------------------------------------------------------------ afterwards

test('afterwards: the tables are all there, the audit trail holds the refusals, bounded', { timeout: 30_000 }, async () => {
  const x = await fx();
  // every ' DROP TABLE' above was only ever data
  for (const table of ['game', 'play', 'dice_roll', 'decision', 'lineup_entry', 'substitution', 'audit_event', 'eio_session', 'sio_socket']) {
    assert.match(await psql(S.stack, `SELECT count(*) FROM ${table}`), /^\d+$/, table);
  }
  const [rows, biggest] = (await psql(S.stack, `SELECT count(*) || ',' || coalesce(max(length(payload::text)), 0)
    FROM audit_event WHERE game_id = '${x.id}' AND outcome = 'refused'`)).split(',').map(Number);
  assert.ok(rows > 500, `refusals on record: ${rows}`);
  // strings cut at 200 bytes, 16 members, 3 levels (events.c AUDIT_MAX_*)
  assert.ok(biggest < 8192, `the largest audit payload is ${biggest} bytes`);
});

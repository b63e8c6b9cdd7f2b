// The server events added for the browser page (docs/ui.md "Server events
// added for the page"): list_games / games_list for the lobby, get_presence /
// presence_data, game_joined.team_ids and lineup_data.pitching_change,
// through the real socket.io-client over polling.
//
// Demo teams (sql/006_demo.sql): away IVS bats first, home MBG fields first.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, closeAll, connected, joinGame, makeGame, once, token, unique, until, sleep,
} from './helpers.mjs';
import {
  demo, shortGame, openGame, playShortGameToEnd, ack, psql, expectRefused,
} from './gamehelpers.mjs';

// scripted play is faster than a person: lift the rate limits
const S = useStack('lobby', { env: { DUGOUT_RATE_LIMIT: '100000', DUGOUT_RATE_BURST: '100000', DUGOUT_RATE_ROLL_DICE: '100000' } });
afterEach(() => closeAll());

const STATUS_RANK = { active: 0, pending: 1, final: 2 };
const sorted = (a) => [...a].sort((x, y) => x - y);

/** A connected socket recording games_list, presence_data and error. */
async function connect(tok) {
  const s = await connected(S.stack.url, tok);
  s.lists = [];
  s.presence = [];
  s.errors = [];
  s.on('games_list', (p) => s.lists.push(p));
  s.on('presence_data', (p) => s.presence.push(p));
  s.on('error', (p) => s.errors.push(p));
  return s;
}
const connectUser = async (user, opts) => connect(await token(S.stack, user, opts));

/**
 * An event that must succeed: the ack {ok: true, ...msg} and the named
 * event with msg, to the requester.  Resolves with msg.
 */
async function asked(sock, list, event, ...args) {
  const seen = sock[list].length;
  const reply = await ack(sock, event, ...args);
  const what = `${event} ${JSON.stringify(args)} -> ${JSON.stringify(reply)}`;
  assert.equal(reply?.ok, true, what);
  const { ok, ...msg } = reply;
  await until(() => sock[list].length > seen, { timeout: 10_000, what: `the event answering ${event}` });
  assert.deepEqual(sock[list][seen], msg, `the event carries what the ack does: ${what}`);
  return msg;
}

const listGames = async (sock, ...args) => {
  const msg = await asked(sock, 'lists', 'list_games', ...args);
  assert.deepEqual(Object.keys(msg), ['games'], JSON.stringify(msg));
  assert.ok(Array.isArray(msg.games));
  return msg.games;
};

/**
 * A refusal: the ack {ok: false, error}, the same `error` event, and no
 * answer event (list: 'lists' or 'presence').  want: {code, field}.
 */
async function refused(sock, list, want, event, ...args) {
  const seenErr = sock.errors.length;
  const seenList = sock[list].length;
  const reply = await ack(sock, event, ...args);
  const what = `${event} ${JSON.stringify(args)} -> ${JSON.stringify(reply)}`;
  assert.equal(reply?.ok, false, what);
  assert.equal(reply.error?.code, want.code, what);
  assert.equal(reply.error.field, want.field, what);
  assert.equal(typeof reply.error.message, 'string', what);
  await until(() => sock.errors.length > seenErr, { timeout: 10_000, what: `error for ${what}` });
  assert.deepEqual(sock.errors[seenErr], reply.error, `the error event: ${what}`);
  await sleep(150);
  assert.equal(sock[list].length, seenList, `no answer to a refused ${what}`);
  return reply.error;
}

async function teamRow(id) {
  const [name, abbrev] = (await psql(S.stack, `SELECT name || '|' || abbrev FROM team WHERE id = ${Number(id)}`)).split('|');
  return { id: Number(id), name, abbrev };
}

// ------------------------------------------------------------ list_games

test('list_games: teams, score, status and my_team_ids; status filter; limit; order', { timeout: 240_000 }, async () => {
  const d = await demo(S.stack, 'lobby');
  const home = d.home.team_id;
  const away = d.away.team_id;
  const pending1 = d.game_id;                          // pending, oldest of ours
  const finalId = await shortGame(S.stack, d, 1);
  const activeId = await shortGame(S.stack, d, 9);
  // a one-inning game played to its end: the visitors win 1-0
  const gf = await openGame(S.stack, { demo: d, gameId: finalId });
  await playShortGameToEnd(gf);
  const finalState = gf.state();
  gf.close();
  // a game under way: top 1, a home run and a strikeout
  const ga = await openGame(S.stack, { demo: d, gameId: activeId });
  await ga.pa('homerun');
  await ga.pa('strikeout');
  const activeState = await ga.stateAfter(2);
  ga.close();
  const pending2 = await shortGame(S.stack, d, 9);     // pending, newest of ours

  const homeTeam = await teamRow(home);
  const awayTeam = await teamRow(away);
  const mgr = await connect(d.home.token);
  const awayMgr = await connect(d.away.token);
  const spec = await connect(d.spectator.token);
  const admin = await connectUser(unique('lobby-admin'), { admin: true });

  // the home manager, with no payload at all and with {}: the same list
  const all = await listGames(mgr, {});
  assert.deepEqual((await listGames(mgr)).map((g) => g.game_id), all.map((g) => g.game_id), 'no payload is {}');
  const byId = Object.fromEntries(all.map((g) => [g.game_id, g]));
  for (const id of [pending1, pending2, finalId, activeId]) assert.ok(byId[id], `game ${id} is listed`);
  const base = { home_team: homeTeam, away_team: awayTeam, my_team_ids: [home] };
  // as the game's own game_state tells it
  const fromState = (st) => ({
    game_id: st.game_id, status: st.status, inning: st.inning, half: st.half, outs: st.outs,
    score: st.score, winner_team_id: st.winner_team_id ?? null,
    home_team: st.home_team, away_team: st.away_team, my_team_ids: [home],
  });
  assert.deepEqual(byId[finalId], fromState(finalState));
  assert.deepEqual(byId[finalId], {
    game_id: finalId, status: 'final', inning: 1, half: finalState.half, outs: finalState.outs,
    score: { home: 0, away: 1 }, winner_team_id: away, ...base,
  });
  assert.deepEqual(byId[activeId], fromState(activeState));
  assert.deepEqual(byId[activeId], {
    game_id: activeId, status: 'active', inning: 1, half: 'top', outs: 1,
    score: { home: 0, away: 1 }, winner_team_id: null, ...base,
  });
  for (const id of [pending1, pending2]) {
    assert.deepEqual(byId[id], {
      game_id: id, status: 'pending', inning: 1, half: 'top', outs: 0,
      score: { home: 0, away: 0 }, winner_team_id: null, ...base,
    });
  }
  for (const g of all) {
    assert.deepEqual(Object.keys(g).sort(), ['away_team', 'game_id', 'half', 'home_team', 'inning',
      'my_team_ids', 'outs', 'score', 'status', 'winner_team_id'], JSON.stringify(g));
  }

  // order: active, then pending, then final; newest first within each --
  // the whole list, against the database's own creation times
  const ranks = all.map((g) => STATUS_RANK[g.status]);
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `status order: ${all.map((g) => g.status)}`);
  const created = JSON.parse(await psql(S.stack, 'SELECT json_object_agg(id, extract(epoch FROM created_at)) FROM game'));
  for (let i = 1; i < all.length; i++) {
    if (all[i].status !== all[i - 1].status) continue;
    assert.ok(created[all[i - 1].game_id] >= created[all[i].game_id],
      `newest first within ${all[i].status}: ${all[i - 1].game_id} before ${all[i].game_id}`);
  }
  const pos = (id) => all.findIndex((g) => g.game_id === id);
  assert.ok(pos(activeId) < pos(pending2) && pos(pending2) < pos(pending1) && pos(pending1) < pos(finalId),
    `active < pending (newest first) < final: ${[activeId, pending2, pending1, finalId].map(pos)}`);

  // my_team_ids: the away manager, a spectator user, an admin
  for (const [sock, want] of [[awayMgr, [away]], [spec, []], [admin, [home, away]]]) {
    const list = await listGames(sock, {});
    const mine = Object.fromEntries(list.map((g) => [g.game_id, g]));
    for (const id of [pending1, pending2, finalId, activeId]) {
      assert.deepEqual(sorted(mine[id].my_team_ids), sorted(want), `my_team_ids of ${sock.hello.user_id} in ${id}`);
      assert.deepEqual({ ...mine[id], my_team_ids: null }, { ...byId[id], my_team_ids: null }, 'the rest is the same for everyone');
    }
  }
  for (const g of await listGames(admin, { limit: 200 })) {
    assert.deepEqual(sorted(g.my_team_ids), sorted([g.home_team.id, g.away_team.id]), 'an admin manages every team');
  }

  // status filter
  for (const status of ['pending', 'active', 'final']) {
    const list = await listGames(mgr, { status });
    assert.ok(list.length > 0, status);
    assert.ok(list.every((g) => g.status === status), `${status}: ${list.map((g) => g.status)}`);
    assert.deepEqual(list.map((g) => g.game_id), all.filter((g) => g.status === status).map((g) => g.game_id),
      `${status}: the same games, in the same order, as in the full list`);
  }
  assert.ok((await listGames(mgr, { status: 'final' })).some((g) => g.game_id === finalId));
  assert.ok(!(await listGames(mgr, { status: 'final' })).some((g) => g.game_id === activeId));
  assert.deepEqual((await listGames(mgr, { status: 'pending', limit: 2 })).map((g) => g.game_id), [pending2, pending1],
    'the two newest pending games');
  assert.deepEqual(await listGames(mgr, { status: null }), all, 'status null is no filter');

  // limit, and its default of 50
  assert.deepEqual(await listGames(mgr, { limit: 1 }), all.slice(0, 1));
  assert.deepEqual(await listGames(mgr, { limit: 3 }), all.slice(0, 3));
  await psql(S.stack, `INSERT INTO game (home_team_id, away_team_id)
    SELECT ${Number(home)}, ${Number(away)} FROM generate_series(1, 55)`);
  const total = Number(await psql(S.stack, 'SELECT count(*) FROM game'));
  assert.ok(total > 51, `${total} games`);
  assert.equal((await listGames(mgr, {})).length, 50, 'default limit 50');
  assert.equal((await listGames(mgr, { limit: 200 })).length, Math.min(total, 200), 'limit 200');
  assert.equal((await listGames(mgr, { limit: 51 })).length, 51);
});

test('list_games: bad payloads are refused with INVALID_PAYLOAD / INVALID_FORMAT', { timeout: 120_000 }, async () => {
  // any authenticated socket may list, without joining a room
  const s = await connectUser(unique('lobby-bad'));
  assert.ok((await listGames(s, {})).length >= 0);
  await refused(s, 'lists', { code: 'INVALID_PAYLOAD' }, 'list_games', 'active');
  await refused(s, 'lists', { code: 'INVALID_PAYLOAD' }, 'list_games', [1, 2]);
  await refused(s, 'lists', { code: 'INVALID_PAYLOAD' }, 'list_games', 7);
  await refused(s, 'lists', { code: 'INVALID_PAYLOAD' }, 'list_games', null);
  await refused(s, 'lists', { code: 'INVALID_FORMAT', field: 'status' }, 'list_games', { status: 'done' });
  await refused(s, 'lists', { code: 'INVALID_FORMAT', field: 'status' }, 'list_games', { status: 'ACTIVE' });
  await refused(s, 'lists', { code: 'INVALID_FORMAT', field: 'status' }, 'list_games', { status: 3 });
  await refused(s, 'lists', { code: 'INVALID_FORMAT', field: 'status' }, 'list_games', { status: ['active'] });
  for (const limit of [0, -1, 201, 1e9, 2.5, '5', true, {}]) {
    await refused(s, 'lists', { code: 'INVALID_FORMAT', field: 'limit' }, 'list_games', { limit });
  }
  await refused(s, 'lists', { code: 'INVALID_FORMAT', field: 'limit' }, 'list_games', { status: 'final', limit: 0 });
  // the socket is fine afterwards
  assert.ok(Array.isArray(await listGames(s, { status: 'final', limit: 200 })));
  assert.ok(s.connected);
});

// ---------------------------------------------------------- get_presence

test('get_presence: NOT_IN_GAME before join; members with roles; a disconnect removes its user', { timeout: 120_000 }, async () => {
  const g = await makeGame(S.stack);
  const specUser = unique('lobby-spec');
  const home = await connectUser(g.homeMgr);
  const away = await connectUser(g.awayMgr);
  const spec = await connectUser(specUser);

  const e = await refused(home, 'presence', { code: 'NOT_IN_GAME', field: 'game_id' }, 'get_presence', { game_id: g.gameId });
  assert.match(e.message, /join_game/);
  await refused(home, 'presence', { code: 'MISSING_FIELD', field: 'game_id' }, 'get_presence', {});
  await refused(home, 'presence', { code: 'INVALID_FORMAT', field: 'game_id' }, 'get_presence', { game_id: 'nope' });
  await refused(home, 'presence', { code: 'INVALID_PAYLOAD' }, 'get_presence', 'x');
  await refused(home, 'presence', { code: 'GAME_NOT_FOUND', field: 'game_id' }, 'get_presence',
    { game_id: '00000000-0000-4000-8000-000000000000' });

  await joinGame(home, g.gameId, 'player');
  await joinGame(away, g.gameId, 'player');
  await joinGame(spec, g.gameId, 'spectator');
  const expect = (members) => ({ game_id: g.gameId, members: [...members].sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0)) });
  const three = expect([
    { user_id: g.homeMgr, role: 'player', sockets: 1 },
    { user_id: g.awayMgr, role: 'player', sockets: 1 },
    { user_id: specUser, role: 'spectator', sockets: 1 },
  ]);
  assert.deepEqual(await asked(home, 'presence', 'get_presence', { game_id: g.gameId }), three);
  // a spectator may ask too, and sees the same
  assert.deepEqual(await asked(spec, 'presence', 'get_presence', { game_id: g.gameId }), three);

  // a second tab of the home manager, as spectator: still one line, player
  const home2 = await connectUser(g.homeMgr);
  await joinGame(home2, g.gameId, 'spectator');
  assert.deepEqual(await asked(spec, 'presence', 'get_presence', { game_id: g.gameId }), expect([
    { user_id: g.homeMgr, role: 'player', sockets: 2 },
    { user_id: g.awayMgr, role: 'player', sockets: 1 },
    { user_id: specUser, role: 'spectator', sockets: 1 },
  ]));
  // and once the player tab leaves the room, the spectator tab remains
  const left = once(spec, 'user_left', { filter: (p) => p?.user_id === g.homeMgr, timeout: 15_000 });
  await ack(home, 'leave_game', { game_id: g.gameId });
  await left;
  assert.deepEqual(await asked(spec, 'presence', 'get_presence', { game_id: g.gameId }), expect([
    { user_id: g.homeMgr, role: 'spectator', sockets: 1 },
    { user_id: g.awayMgr, role: 'player', sockets: 1 },
    { user_id: specUser, role: 'spectator', sockets: 1 },
  ]));
  // having left, the home manager's first tab may no longer ask
  await refused(home, 'presence', { code: 'NOT_IN_GAME', field: 'game_id' }, 'get_presence', { game_id: g.gameId });

  // the away manager disconnects: gone from the list
  const gone = once(spec, 'user_disconnected', { filter: (p) => p?.user_id === g.awayMgr, timeout: 15_000 });
  away.disconnect();
  await gone;
  assert.deepEqual(await asked(spec, 'presence', 'get_presence', { game_id: g.gameId }), expect([
    { user_id: g.homeMgr, role: 'spectator', sockets: 1 },
    { user_id: specUser, role: 'spectator', sockets: 1 },
  ]));
});

// ------------------------------------------------------ game_joined.team_ids

test('game_joined.team_ids: home manager, away manager, spectator, admin', { timeout: 120_000 }, async () => {
  const g = await makeGame(S.stack);
  const home = Number(g.home);
  const away = Number(g.away);
  const cases = [
    [g.homeMgr, {}, 'player', [home]],
    [g.awayMgr, {}, 'player', [away]],
    [g.homeMgr, {}, 'spectator', []],
    [unique('lobby-watcher'), {}, 'spectator', []],
    [unique('lobby-admin'), { admin: true }, 'player', [home, away]],
    [unique('lobby-admin'), { admin: true }, 'spectator', []],
  ];
  for (const [user, opts, role, want] of cases) {
    const s = await connectUser(user, opts);
    const joined = once(s, 'game_joined', { filter: (p) => p?.game_id === g.gameId, timeout: 15_000 });
    const reply = await ack(s, 'join_game', { game_id: g.gameId, role });
    const what = `${user} as ${role}: ${JSON.stringify(reply)}`;
    assert.equal(reply?.ok, true, what);
    const ev = await joined;
    assert.deepEqual(Object.keys(ev).sort(), ['game_id', 'role', 'team_ids'], what);
    assert.equal(ev.role, role, what);
    assert.deepEqual(sorted(ev.team_ids), sorted(want), what);
    assert.deepEqual(reply.team_ids, ev.team_ids, `the ack carries them too: ${what}`);
    s.disconnect();
  }
});

// ----------------------------------------------- lineup_data.pitching_change

test('lineup_data.pitching_change follows the engine, and a real request_pitching_change agrees', { timeout: 240_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'lobby-pc' });
  const { home, away } = g.teams;
  const lineup = async (side, team) => {
    const r = await g.ok(side, 'get_lineup', { team_id: team });
    assert.equal(r.team_id, team);
    assert.ok(r.pitching_change && typeof r.pitching_change.allowed === 'boolean', JSON.stringify(r.pitching_change));
    if (r.pitching_change.allowed) assert.deepEqual(r.pitching_change, { allowed: true });
    else {
      assert.deepEqual(Object.keys(r.pitching_change).sort(), ['allowed', 'message']);
      assert.equal(typeof r.pitching_change.message, 'string');
      assert.ok(r.pitching_change.message.length > 0);
    }
    return r;
  };
  const current = (lu) => lu.players.find((p) => p.is_active && p.position === 'P');
  const reliever = (lu) => lu.bench.find((b) => b.positions.includes('P'));
  /** A real request_pitching_change that must be refused with message. */
  const realRefusal = async (side, lu, message, code) => {
    const team = g.teams[side];
    return expectRefused(S.stack, g.sock(side), g.gameId, { event: 'substitution_error', message, ...(code ? { code } : {}) },
      'request_pitching_change', { game_id: g.gameId, player_out_lineup_id: current(lu).lineup_id, player_in_card_id: reliever(lu).card_id, team_id: team });
  };

  // the game has not started: neither starter has faced a batter; the
  // visitors bat first.  Spectators see the same answer as the managers.
  let luH = await lineup('spectator', home);
  let luA = await lineup('spectator', away);
  assert.deepEqual((await lineup('home', home)).pitching_change, luH.pitching_change);
  assert.equal(luH.pitching_change.allowed, false);
  assert.match(luH.pitching_change.message, /face/i, 'the starter must face a batter');
  assert.equal(luA.pitching_change.allowed, false);
  assert.notEqual(luA.pitching_change.message, luH.pitching_change.message, 'the team at bat is refused for another reason');
  await realRefusal('home', luH, luH.pitching_change.message, 'PITCHER_MUST_FACE_BATTER');
  await realRefusal('away', luA, luA.pitching_change.message);
  assert.equal((await psql(S.stack, `SELECT status FROM game WHERE id = '${g.gameId}'`)), 'pending', 'no request started the game');

  // a strikeout: the home starter has faced a batter and may go now
  await g.pa('strikeout');
  await g.stateAfter(1);
  luH = await lineup('away', home);
  luA = await lineup('away', away);
  assert.deepEqual(luH.pitching_change, { allowed: true });
  assert.equal(luA.pitching_change.allowed, false, 'the team at bat cannot change its pitcher');
  await realRefusal('away', luA, luA.pitching_change.message);

  // a pending roll: not now (the engine says why), and the request agrees
  await g.roll('home');
  luH = await lineup('home', home);
  assert.equal(luH.pitching_change.allowed, false);
  assert.match(luH.pitching_change.message, /roll/i);
  await realRefusal('home', luH, luH.pitching_change.message);
  await g.submit({ outcome: 'strikeout' }, 'away');
  await g.stateAfter(2);

  // allowed again, and a real pitching change goes through
  luH = await lineup('spectator', home);
  assert.deepEqual(luH.pitching_change, { allowed: true });
  const r = await g.ok('home', 'request_pitching_change', {
    player_out_lineup_id: current(luH).lineup_id, player_in_card_id: reliever(luH).card_id, team_id: home,
  });
  assert.equal(r.type, 'pitching_change');
  // the reliever has not faced anybody: refused, as the real request is
  luH = await lineup('home', home);
  assert.equal(current(luH).lineup_id, r.new_lineup_id);
  assert.equal(luH.pitching_change.allowed, false);
  await realRefusal('home', luH, luH.pitching_change.message, 'PITCHER_MUST_FACE_BATTER');
});

test('lineup_data.pitching_change in a finished game: not allowed, as the engine says', { timeout: 180_000 }, async () => {
  const d = await demo(S.stack, 'lobby-over');
  const gameId = await shortGame(S.stack, d, 1);
  const g = await openGame(S.stack, { demo: d, gameId });
  await playShortGameToEnd(g);
  for (const side of ['home', 'away']) {
    const lu = await g.ok('spectator', 'get_lineup', { team_id: g.teams[side] });
    assert.equal(lu.pitching_change.allowed, false);
    const p = lu.players.find((x) => x.is_active && x.position === 'P');
    const arm = lu.bench.find((b) => b.positions.includes('P'));
    const e = await expectRefused(S.stack, g.sock(side), gameId, { event: 'substitution_error', code: 'GAME_OVER' },
      'request_pitching_change', { game_id: gameId, player_out_lineup_id: p.lineup_id, player_in_card_id: arm.card_id, team_id: g.teams[side] });
    assert.equal(lu.pitching_change.message, e.message, 'the same reason as the real request');
  }
});

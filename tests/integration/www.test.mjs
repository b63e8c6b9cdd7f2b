// The game page in www/: lighttpd serves it, and the server answers the way
// the page expects (join acks with team_ids, the NOT_AUTHORIZED fallback to
// spectator, lineup_data.pitching_change, list_games, get_presence).  The
// page itself is driven in a browser by tests/browser/; this checks what can
// be checked without one: what is served, with which types, and that every
// script the page loads parses.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO, useStack, connected, once, token, unique, makeGame, http, closeAll,
} from './helpers.mjs';

const S = useStack('www');
afterEach(() => closeAll());

// Does this JavaScript parse (as a module or as a classic script)?
function parses(source, module) {
  const r = spawnSync(process.execPath,
    ['--check', `--input-type=${module ? 'module' : 'commonjs'}`], { input: source, encoding: 'utf8' });
  return { ok: r.status === 0, why: r.stderr };
}

// Relative imports of an ES module ("./x.js", "../y.js").
const importsOf = (source) => [...source.matchAll(/^\s*import\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)]
  .map((m) => m[1]);

test('the page is served with the right type and the headers and metas it relies on', async () => {
  const page = await http(`${S.stack.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  // the token travels in the fragment; the page must not leak the URL on
  assert.match(page.body, /<meta name="referrer" content="no-referrer">/);
  assert.match(page.body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.match(page.body, /<script src="vendor\/socket\.io\.min\.js"/);
  assert.match(page.body, /<link rel="stylesheet" href="style\.css">/);
  // the contract's landmarks (docs/ui.md): a few ids the browser tests use
  for (const id of ['conn', 'notice', 'lobby', 'game', 'score-away', 'score-home', 'inning-label',
    'outs-label', 'linescore', 'base-1', 'base-2', 'base-3', 'batter-name', 'on-deck-name',
    'pitcher-name', 'turn', 'dice-panel', 'dice-read', 'plays', 'lineup-away', 'lineup-home',
    'bench-away', 'bench-home', 'box-panel', 'presence'])
    assert.match(page.body, new RegExp(`id="${id}"`), `#${id} in index.html`);

  const css = await http(`${S.stack.url}/style.css`);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /^text\/css/);
});

test('every script and module the page loads is served as JavaScript and parses; polling only', async () => {
  const page = await http(`${S.stack.url}/`);
  const scripts = [...page.body.matchAll(/<script([^>]*)\ssrc="([^"]+)"/g)]
    .map((m) => ({ path: m[2], module: /type="module"/.test(m[1]) }))
    .filter((s) => !s.path.startsWith('vendor/')); // the next test
  assert.ok(scripts.some((s) => s.module), 'the page loads an ES module');

  // follow the module graph: every file it imports must be served too
  const seen = new Map();
  const queue = scripts.map((s) => ({ url: new URL(s.path, `${S.stack.url}/`).href, module: s.module }));
  while (queue.length) {
    const { url, module } = queue.shift();
    if (seen.has(url)) continue;
    const r = await http(url);
    assert.equal(r.status, 200, `${url} is served`);
    assert.match(r.headers.get('content-type'), /^text\/javascript/, `${url} is JavaScript`);
    const { ok, why } = parses(r.body, module);
    assert.ok(ok, `${url} parses: ${why}`);
    seen.set(url, r.body);
    if (module) for (const rel of importsOf(r.body)) queue.push({ url: new URL(rel, url).href, module: true });
  }
  assert.ok(seen.size >= 2, `the page's modules: ${[...seen.keys()].join(', ')}`);

  // the only transport is long-polling (no WebSocket upgrade)
  const all = [...seen.values()].join('\n');
  assert.match(all, /transports: \['polling'\]/);
  assert.doesNotMatch(all, /websocket/i);
  // the token leaves the address: sessionStorage + history.replaceState
  assert.match(all, /sessionStorage/);
  assert.match(all, /history\.replaceState/);
  // no innerHTML: names and messages from the server are set as text
  assert.doesNotMatch(all, /\.innerHTML\s*=/);
});

test('vendor/socket.io.min.js is served when the setup script copied it', async (t) => {
  if (!existsSync(join(REPO, 'www/vendor/socket.io.min.js'))) {
    t.skip('www/vendor/socket.io.min.js not installed (copy it from node_modules/socket.io-client/dist/)');
    return;
  }
  const r = await http(`${S.stack.url}/vendor/socket.io.min.js`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.match(r.body, /Socket\.IO/);
});

test('what the page relies on: join acks with the NOT_AUTHORIZED fallback, team_ids, resync, lineups, lobby, presence', { timeout: 60_000 }, async () => {
  const g = await makeGame(S.stack);
  const user = unique('page-viewer');
  // the options of www/app.js (same origin there, the stack URL here)
  const s = await connected(S.stack.url, await token(S.stack, user), { path: '/socket.io/' });

  // a non-manager asking to play: the ack says NOT_AUTHORIZED ...
  const no = await s.timeout(10_000).emitWithAck('join_game', { game_id: g.gameId, role: 'player' });
  assert.equal(no.ok, false, JSON.stringify(no));
  assert.equal(no.error.code, 'NOT_AUTHORIZED', JSON.stringify(no));

  // ... and the page then joins as spectator: ack, game_joined, game_state
  const joined = once(s, 'game_joined', { timeout: 15_000 });
  const state = once(s, 'game_state', { filter: (st) => st?.game_id === g.gameId, timeout: 15_000 });
  const me = once(s, 'user_connected', { filter: (p) => p?.user_id === user, timeout: 15_000 });
  const yes = await s.timeout(10_000).emitWithAck('join_game', { game_id: g.gameId, role: 'spectator' });
  assert.equal(yes.ok, true, JSON.stringify(yes));
  const j = await joined;
  assert.equal(j.game_id, g.gameId);
  assert.equal(j.role, 'spectator');
  assert.deepEqual(j.team_ids, [], 'a spectator manages no team of the game');
  const st = await state;
  assert.ok(st.status && st.home_team && st.away_team && 'play_count' in st, JSON.stringify(st));
  assert.equal((await me).role, 'spectator');

  // the resync the page makes on every (re)connect
  const sync = await s.timeout(10_000).emitWithAck('request_game_state', { game_id: g.gameId });
  assert.equal(sync.ok, true, JSON.stringify(sync));
  assert.equal(sync.state.game_id, g.gameId);
  assert.ok(Array.isArray(sync.recent_plays));

  // lineups with the pitching-change gate the substitution panel reads
  const lineup = await s.timeout(10_000).emitWithAck('get_lineup', { game_id: g.gameId, team_id: st.home_team.id });
  assert.equal(lineup.ok, true, JSON.stringify(lineup));
  assert.ok(Array.isArray(lineup.players) && Array.isArray(lineup.bench));
  assert.equal(typeof lineup.pitching_change?.allowed, 'boolean', JSON.stringify(lineup.pitching_change));

  // presence and the lobby
  const presence = await s.timeout(10_000).emitWithAck('get_presence', { game_id: g.gameId });
  assert.equal(presence.ok, true, JSON.stringify(presence));
  assert.ok(presence.members.some((m) => m.user_id === user && m.role === 'spectator'), JSON.stringify(presence));
  const games = await s.timeout(10_000).emitWithAck('list_games', {});
  assert.equal(games.ok, true, JSON.stringify(games));
  assert.ok(Array.isArray(games.games), JSON.stringify(games));
});

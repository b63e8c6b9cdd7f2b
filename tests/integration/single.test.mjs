// One request at a time per process (dugout-fcgi --single, as mod_fcgid runs
// it): a held poll waits inline, so lighttpd must route the other requests
// to idle processes.  The same connect / join /
// broadcast path as under FastCGI (design.md decision 5).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, connected, once, token, unique, makeGame, joinGame, closeAll,
} from './helpers.mjs';

const S = useStack('single', { external: true, single: true, procs: 6 });
afterEach(() => closeAll());

test('one request at a time: connect, join_game, broadcasts, heartbeat, leave_game', { timeout: 120_000 }, async () => {
  const g = await makeGame(S.stack);
  const home = await connected(S.stack.url, await token(S.stack, g.homeMgr));
  assert.equal(home.hello.user_id, g.homeMgr);
  assert.deepEqual(await joinGame(home, g.gameId, 'player'), { game_id: g.gameId, role: 'player' });

  const specUser = unique('spec');
  const spec = await connected(S.stack.url, await token(S.stack, specUser));
  const seen = once(home, 'user_connected', { filter: (p) => p?.user_id === specUser, timeout: 20_000 });
  assert.deepEqual(await joinGame(spec, g.gameId, 'spectator'), { game_id: g.gameId, role: 'spectator' });
  assert.deepEqual(await seen, { game_id: g.gameId, user_id: specUser, role: 'spectator' });

  const away = await connected(S.stack.url, await token(S.stack, g.awayMgr));
  const toHome = once(home, 'user_connected', { filter: (p) => p?.user_id === g.awayMgr, timeout: 20_000 });
  const toSpec = once(spec, 'user_connected', { filter: (p) => p?.user_id === g.awayMgr, timeout: 20_000 });
  await joinGame(away, g.gameId, 'player');
  await toHome;
  await toSpec;

  const hb = await spec.timeout(20_000).emitWithAck('heartbeat');
  assert.equal(hb.ok, true);

  const left = once(home, 'user_left', { filter: (p) => p?.user_id === specUser, timeout: 20_000 });
  const gameLeft = once(spec, 'game_left', { timeout: 20_000 });
  spec.emit('leave_game', { game_id: g.gameId });
  assert.deepEqual(await gameLeft, { game_id: g.gameId });
  assert.deepEqual(await left, { game_id: g.gameId, user_id: specUser });
});

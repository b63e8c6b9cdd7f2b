// tests/fuzz/capture.mjs -- record real socket.io-client traffic as the
// fuzzers' seed corpus.
//
//   DUGOUT_BUILD_DIR=_build node tests/fuzz/capture.mjs
//
// Starts a private stack, puts a recording HTTP proxy in front of it, and
// has the real socket.io-client (polling) play through it: connect with a
// token, join a demo game as each manager and a spectator, every gameplay
// event with and without acks, a few refusals, a binary event.  Every
// request body and response body becomes an Engine.IO seed; every text
// message in them a Socket.IO seed; every event's payload a validator
// seed.  Files are named by their SHA-1, as libFuzzer names its own, so a
// rerun adds only what is new.  The seeds are committed: CI does not run
// this script.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, connected, joinGame, closeAll } from '../integration/helpers.mjs';
import { demo, ack } from '../integration/gamehelpers.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const seen = { eio: new Set(), sio: new Set(), valid: new Set() };

// The stack's tokens are signed with a throwaway secret, but a token has
// no business in a repository: each becomes the same dummy of its shape.
const DUMMY_JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmdXp6IiwiZXhwIjoxfQ.c2lnbmF0dXJlLW5vdC12YWxpZA';

function seed(target, raw) {
  const text = raw.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, DUMMY_JWT);
  if (text.length === 0 || text.length > 4096) return;
  const h = createHash('sha1').update(text).digest('hex');
  if (seen[target].has(h)) return;
  seen[target].add(h);
  const dir = join(HERE, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, h), text);
}

// One Engine.IO payload: itself, its text messages, their event payloads.
function record(body) {
  seed('eio', body);
  for (const pkt of body.split('\x1e')) {
    if (pkt[0] !== '4') continue;
    const sio = pkt.slice(1);
    seed('sio', sio);
    const m = /^[25]\d*-?(?:\/[^,]*,)?\d*(\[.*\])$/s.exec(sio);
    if (!m) continue;
    try {
      const args = JSON.parse(m[1]);
      for (const a of args.slice(1)) seed('valid', JSON.stringify(a));
    } catch { /* not JSON: already an sio seed */ }
  }
}

function proxy(target) {
  const up = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length) record(body.toString('utf8'));
      const r = http.request({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        const out = [];
        ur.on('data', (c) => out.push(c));
        ur.on('end', () => {
          const b = Buffer.concat(out);
          if (b.length && req.url.startsWith('/socket.io/')) record(b.toString('utf8'));
          res.writeHead(ur.statusCode, ur.headers);
          res.end(b);
        });
      });
      r.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
      r.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const stack = await startStack({ env: { DUGOUT_RATE_ROLL_DICE: '100' } });
const px = await proxy(stack.url);
const url = `http://127.0.0.1:${px.address().port}`;
try {
  const d = await demo(stack, 'fuzz');
  const g = d.game_id;
  const [home, away, spec] = await Promise.all([
    connected(url, d.home.token), connected(url, d.away.token), connected(url, d.spectator.token),
  ]);
  await joinGame(home, g, 'player');
  await joinGame(away, g, 'player');
  await joinGame(spec, g, 'spectator');
  const steps = [
    [home, 'submit_defensive_decision', { game_id: g, alignment: 'normal', infield_depth: 'normal', outfield_depth: 'normal', hold_runners: [] }],
    [away, 'submit_offensive_decision', { game_id: g, approach: 'normal', steal_attempts: [], hit_and_run: false, bunt_attempt: false }],
    [away, 'roll_dice', { game_id: g }],
    [away, 'submit_manual_outcome', { game_id: g, outcome: 'single_1', hit_location: 'CF' }],
    [home, 'roll_dice', { game_id: g }],
    [home, 'submit_manual_outcome', { game_id: g, outcome: 'groundball_a', hit_location: 'SS' }],
    [away, 'roll_dice', { game_id: g }],
    [away, 'submit_manual_outcome', { game_id: g, outcome: 'single_uncapped', hit_location: 'LF', advances: [{ from: 1, result: 'safe' }] }],
    [away, 'roll_dice', { game_id: g }],
    [away, 'submit_manual_outcome', { game_id: g, outcome: 'error', hit_location: '3B', error_bases: 2 }],
    [away, 'submit_manual_outcome', { game_id: g, outcome: 'pickoff', base: 3 }],
    [away, 'submit_manual_outcome', { game_id: g, outcome: 'no_such_outcome' }],
    [away, 'submit_manual_outcome', { game_id: 'not-a-uuid', outcome: 'walk' }],
    [spec, 'roll_dice', { game_id: g }],
    [home, 'get_lineup', { game_id: g, team_id: d.home.team_id }],
    [home, 'request_pitching_change', { game_id: g, player_out_lineup_id: d.home.pitcher.lineup_id, player_in_card_id: 1, team_id: d.home.team_id }],
    [away, 'request_pinch_hitter', { game_id: g, player_out_lineup_id: 1, player_in_card_id: 2, team_id: d.away.team_id }],
    [home, 'request_defensive_replacement', { game_id: g, player_out_lineup_id: 1, player_in_card_id: 2, new_position: 'SS', team_id: d.home.team_id }],
    [spec, 'get_box_score', { game_id: g }],
    [spec, 'request_game_state', { game_id: g }],
    [spec, 'heartbeat', {}],
    [spec, 'list_games', { status: 'active', limit: 10 }],
    [spec, 'get_presence', { game_id: g }],
    [spec, 'leave_game', { game_id: g }],
  ];
  for (const [sock, ev, payload] of steps) {
    await ack(sock, ev, payload).catch(() => {});
    sock.emit(ev, payload); // the same without an ack id
  }
  spec.emit('binary_thing', { game_id: g, blob: Buffer.from([0, 1, 2, 0x1e, 255]) });
  await new Promise((r) => setTimeout(r, 1000));
  for (const t of Object.keys(seen)) console.log(`${t}: ${seen[t].size} seeds`);
} finally {
  closeAll();
  px.close();
  await stack.stop();
}

// The audit trail (sql/011_audit.sql, docs/game.md "Audit trail"): every
// accepted and every refused game action has one audit_event row -- who
// (user, admin flag, socket), what (event, the payload's contract fields,
// never anything else), the outcome, the refusal's code and message --
// in order; an accepted roll and the submission that consumed it carry
// the roll id (and the play id), joined by the audit_trail view to the
// dice and the play.  Read-only events are not recorded.  Played with the
// real socket.io-client and the default rate limits (roll_dice 2/s).
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { useStack, closeAll, connected, sleep, unique, token, ctl } from './helpers.mjs';
import { openGame, snapshot, ack, psql, recordAll, cardId } from './gamehelpers.mjs';

const S = useStack('audit');
afterEach(() => closeAll());

const SECRET = 'not-a-real-token-but-never-recorded';

/** The game's audit rows in order, as objects. */
async function rows(gameId) {
  const txt = await psql(S.stack, `SELECT coalesce(json_agg(row_to_json(a) ORDER BY a.id), '[]')
    FROM audit_event a WHERE a.game_id = '${gameId}'`);
  return JSON.parse(txt);
}

/** Wait until the async predicate holds (helpers.until polls a sync one). */
async function until(predicate, { timeout = 10_000, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(50);
  }
}

async function count(gameId) {
  return Number(await psql(S.stack, `SELECT count(*) FROM audit_event WHERE game_id = '${gameId}'`));
}

test('every accepted and refused game action is recorded in order, with its roll and play; dugoutctl audit prints the trail', { timeout: 180_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'audit' });
  const id = g.gameId;
  const d = g.demo;
  const user = { home: d.home.user_id, away: d.away.user_id, spec: d.spectator.user_id };
  // what we expect, one entry per recorded action: [event, user, outcome, code?]
  const want = [
    ['join_game', user.home, 'ok', null], ['join_game', user.away, 'ok', null], ['join_game', user.spec, 'ok', null],
  ];
  await until(async () => (await count(id)) === 3, { what: 'the three joins recorded' });
  const acks = [];
  let burstRows = 0; // rows not in want (the rate-limit burst, checked apart)

  /** Send, remember the reply, and wait for its audit row: a refusal's row
   * is written just after its answer is queued. */
  async function act(side, event, payload, expect) {
    const sock = side === 'other' ? other : g.s[side];
    const r = await ack(sock, event, { game_id: id, ...payload });
    acks.push({ side, event, r });
    if (expect === 'ok') assert.equal(r?.ok, true, `${event} by ${side}: ${JSON.stringify(r)}`);
    else assert.equal(r?.error?.code, expect, `${event} by ${side}: ${JSON.stringify(r)}`);
    want.push([event, side === 'other' ? otherUser : user[side], r.ok ? 'ok' : 'refused', r.ok ? null : r.error.code]);
    await until(async () => (await count(id)) === want.length + burstRows, { what: `audit row of ${event} by ${side}` });
    return r;
  }

  const otherUser = unique('audit-other');
  const other = recordAll(await connected(S.stack.url, await token(S.stack, otherUser)));

  // validation refusal (no transaction at all)
  await act('home', 'submit_defensive_decision', { alignment: 'sideways' }, 'INVALID_FORMAT');
  // the batting side's manager may not set the defence
  await act('away', 'submit_defensive_decision', { alignment: 'normal' }, 'NOT_YOUR_TURN');
  await act('home', 'submit_defensive_decision', { alignment: 'shifted_left', outfield_depth: 'back' }, 'ok');
  // a spectator may not act
  await act('spec', 'roll_dice', {}, 'NOT_AUTHORIZED');
  // a socket that has not joined the game
  await act('other', 'roll_dice', {}, 'NOT_IN_GAME');
  // an accepted roll; a stray key (a token, say) is never recorded
  const r1 = await act('away', 'roll_dice', { token: SECRET }, 'ok');
  const before = await snapshot(S.stack, id);
  await act('home', 'roll_dice', {}, 'ROLL_PENDING');
  assert.deepEqual(await snapshot(S.stack, id), before, 'a refusal leaves no trace but its audit row');
  const p1 = await act('home', 'submit_manual_outcome', { outcome: 'strikeout' }, 'ok');
  await act('home', 'submit_manual_outcome', { outcome: 'home_run_derby' }, 'INVALID_FORMAT');
  // a rule refusal of the engine, inside the transaction
  await act('home', 'submit_manual_outcome', { outcome: 'strikeout' }, 'NO_PENDING_ROLL');
  await sleep(1_100); // the roll_dice bucket refills
  const r2 = await act('home', 'roll_dice', {}, 'ok');
  const p2 = await act('away', 'submit_manual_outcome', { outcome: 'homerun' }, 'ok');

  // RATE_LIMITED: roll_dice at most 2/s; three at once after one roll
  await sleep(1_100);
  const r3 = await act('away', 'roll_dice', {}, 'ok');
  const burst = await Promise.all([1, 2, 3].map(() => ack(g.s.away, 'roll_dice', { game_id: id })));
  const codes = burst.map((r) => r?.error?.code);
  assert.ok(codes.includes('RATE_LIMITED'), JSON.stringify(burst));
  assert.ok(codes.every((c) => c === 'RATE_LIMITED' || c === 'ROLL_PENDING'), JSON.stringify(burst));
  const n = want.length;
  await until(async () => (await count(id)) === n + 3, { what: 'the burst recorded' });
  burstRows = 3;
  const p3 = await act('home', 'submit_manual_outcome', { outcome: 'walk' }, 'ok');
  // substitutions: another team's is refused inside the transaction, a
  // pinch hitter for the batter (A4, after K, HR, BB) is accepted
  const quist = await cardId(S.stack, g.teams.away, 'Abner Quist');
  const sub = { player_out_lineup_id: g.ids.A4, player_in_card_id: quist, team_id: g.teams.away };
  await act('home', 'request_pinch_hitter', sub, 'NOT_AUTHORIZED');
  const ph = await act('away', 'request_pinch_hitter', sub, 'ok');
  // read-only events are not game actions: not recorded
  for (const ev of ['request_game_state', 'get_box_score', 'get_presence']) {
    assert.equal((await ack(g.s.spec, ev, { game_id: id })).ok, true, ev);
  }
  assert.equal((await ack(g.s.spec, 'get_lineup', { game_id: id, team_id: g.teams.home })).ok, true);
  assert.equal((await ack(g.s.spec, 'heartbeat')).ok, true);
  await act('spec', 'leave_game', {}, 'ok');
  await sleep(300);
  const all = await rows(id);
  assert.equal(all.length, want.length + 3, 'one row per action, read-only events left out');

  // ---- order and content: the burst's rows (n..n+2) compared as a set
  const seq = [...all.slice(0, n), ...all.slice(n + 3)];
  assert.deepEqual(seq.map((a) => [a.event, a.user_id, a.outcome, ...(a.code ? [a.code] : [])]),
    want.map((w) => (w[3] ? w : w.slice(0, 3))));
  assert.deepEqual(all.slice(n, n + 3).map((a) => `${a.event}:${a.outcome}:${a.code}`).sort(),
    codes.map((c) => `roll_dice:refused:${c}`).sort());
  for (const a of all) {
    assert.equal(a.game_id, id);
    assert.equal(a.is_admin, false);
    assert.ok(a.socket_id.length > 0);
    assert.equal(typeof a.payload, 'object');
    assert.ok(!JSON.stringify(a).includes(SECRET), `no stray key recorded: ${JSON.stringify(a)}`);
    for (const s of Object.values(g.s)) {
      assert.ok(!JSON.stringify(a).includes(s.io.engine.id), 'never the Engine.IO sid');
    }
    if (a.outcome === 'ok') assert.equal(a.code, null);
    else assert.ok(a.code && a.message, JSON.stringify(a));
  }
  // each socket has one id throughout
  const bySock = {};
  for (const a of all) (bySock[a.user_id] ??= new Set()).add(a.socket_id);
  for (const [u, s] of Object.entries(bySock)) assert.equal(s.size, 1, `socket of ${u}`);
  // refusals carry the code and message the client got
  const refusedAcks = acks.filter((x) => x.r.ok === false);
  const refusedRows = seq.filter((a) => a.outcome === 'refused');
  assert.equal(refusedRows.length, refusedAcks.length);
  refusedRows.forEach((a, i) => {
    assert.equal(a.code, refusedAcks[i].r.error.code);
    assert.equal(a.message, refusedAcks[i].r.error.message);
  });
  // the validated payload fields, nothing else
  const dec = seq.find((a) => a.event === 'submit_defensive_decision' && a.outcome === 'ok');
  assert.deepEqual(dec.payload, { game_id: id, alignment: 'shifted_left', outfield_depth: 'back' });
  const phRow = seq.find((a) => a.event === 'request_pinch_hitter' && a.outcome === 'ok');
  assert.deepEqual(phRow.payload, { game_id: id, ...sub });
  assert.equal(phRow.user_id, user.away);
  assert.equal(typeof ph.new_lineup_id, 'number');
  const roll1 = seq.find((a) => a.event === 'roll_dice' && a.outcome === 'ok');
  assert.deepEqual(roll1.payload, { game_id: id });

  // ---- rolls and plays: each accepted roll's row has its roll id, each
  // accepted submission's row the roll it consumed and its play
  const okRolls = all.filter((a) => a.event === 'roll_dice' && a.outcome === 'ok');
  assert.deepEqual(okRolls.map((a) => Number(a.roll_id)), [r1, r2, r3].map((r) => Number(r.roll_id)));
  const okSubs = all.filter((a) => a.event === 'submit_manual_outcome' && a.outcome === 'ok');
  assert.deepEqual(okSubs.map((a) => Number(a.roll_id)), [r1, r2, r3].map((r) => Number(r.roll_id)));
  assert.deepEqual(okSubs.map((a) => a.play_id !== null), [true, true, true]);
  assert.ok(all.filter((a) => a.outcome !== 'ok').every((a) => a.roll_id === null && a.play_id === null));
  // the view: a roll's row shows the play that consumed it, the same play
  // the submission's row names; the stored play agrees with the payload
  const trail = await psql(S.stack, `SELECT string_agg(concat_ws(':', r.roll_play_id = s.play_id,
      s.play_outcome = s.payload->>'outcome', s.d6_two_total = r.d6_two_total, p.roll_id = s.roll_id), ' ' ORDER BY s.id)
    FROM audit_trail s JOIN audit_trail r ON r.roll_id = s.roll_id AND r.event = 'roll_dice' AND r.outcome = 'ok'
    JOIN play p ON p.id = s.play_id
    WHERE s.game_id = '${id}' AND s.event = 'submit_manual_outcome' AND s.outcome = 'ok'`);
  assert.equal(trail, 't:t:t:t t:t:t:t t:t:t:t');
  assert.deepEqual([p1, p2, p3].map((p) => p.outcome), ['strikeout', 'homerun', 'walk']);
  // a committed action always has its row: every roll, play and
  // manager's decision of the game is in the trail, and nothing more
  const cover = await psql(S.stack, `SELECT concat_ws(' ',
      (SELECT count(*) FROM dice_roll WHERE game_id = '${id}'),
      (SELECT count(*) FROM dice_roll d WHERE game_id = '${id}' AND NOT EXISTS (SELECT 1 FROM audit_event a
          WHERE a.roll_id = d.id AND a.event = 'roll_dice' AND a.outcome = 'ok')),
      (SELECT count(*) FROM play WHERE game_id = '${id}'),
      (SELECT count(*) FROM play p WHERE game_id = '${id}' AND NOT EXISTS (SELECT 1 FROM audit_event a
          WHERE a.play_id = p.id AND a.outcome = 'ok')),
      (SELECT count(*) FROM decision WHERE game_id = '${id}' AND submitted_by <> 'dugout'),
      (SELECT count(*) FROM substitution WHERE game_id = '${id}'))`);
  const okOf = (f) => all.filter((a) => f(a.event) && a.outcome === 'ok').length;
  assert.equal(cover, `3 0 3 0 ${okOf((e) => e.endsWith('_decision'))} ${okOf((e) => e.startsWith('request_'))}`);
  assert.equal(okOf((e) => e.startsWith('request_')), 1);

  // ---- dugoutctl audit GAME: one line per action, in order; --json
  const text = (await ctl(S.stack, 'audit', id)).split('\n');
  assert.equal(text.length, all.length, text.join('\n'));
  text.forEach((line, i) => {
    assert.ok(line.startsWith(`#${all[i].id} `), line);
    assert.ok(line.includes(` ${all[i].event} user=${all[i].user_id} `), line);
    assert.ok(line.includes(` ${all[i].outcome}`), line);
    if (all[i].code) assert.ok(line.includes(`code=${all[i].code}`), line);
    if (all[i].roll_id) assert.ok(line.includes(`roll=${all[i].roll_id}`), line);
    if (all[i].play_id) assert.ok(line.includes(`play=${all[i].play_id}`), line);
  });
  const json = (await ctl(S.stack, 'audit', id, '--json')).split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(json.map((j) => j.id), all.map((a) => Number(a.id)));
  assert.deepEqual(json.map((j) => [j.event, j.outcome, j.code, j.roll_id, j.play_id]),
    all.map((a) => [a.event, a.outcome, a.code, a.roll_id === null ? null : Number(a.roll_id),
      a.play_id === null ? null : Number(a.play_id)]));
  assert.deepEqual(json.filter((j) => j.play_id !== null).map((j) => j.play_outcome), ['strikeout', 'homerun', 'walk']);
  const global = (await ctl(S.stack, '--json', 'audit', id)).split('\n');
  assert.equal(global.length, all.length);
  // a game with no actions: nothing; not a game id: an error
  assert.equal(await ctl(S.stack, 'audit', '00000000-0000-4000-8000-000000000000'), '');
  await assert.rejects(ctl(S.stack, 'audit', 'not-a-game'));
});

test('dugoutctl audit --replay: every play replays from the database alone to what was recorded; a tampered record is found', { timeout: 180_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'replay' });
  const id = g.gameId;
  // plays that exercise the state a replay must restore: runners, decisions
  // in force, a double play, a sac fly, an error, a walk
  await g.pa('single_1', { hit_location: 'CF' });
  await g.pa('single_1', { hit_location: 'LF' });
  await g.ok('home', 'submit_defensive_decision', { alignment: 'normal', infield_depth: 'double_play' });
  await g.pa('groundball_a', { hit_location: 'SS' });
  await g.pa('walk');
  await g.pa('flyball_b', { hit_location: 'CF' });
  await g.pa('error', { hit_location: 'SS', error_bases: 1 });
  await g.pa('double_2', { hit_location: 'LF' });
  await g.pa('strikeout');
  const plays = Number(await psql(S.stack, `SELECT count(*) FROM play WHERE game_id = '${id}'`));
  assert.ok(plays >= 8, `${plays} plays`);

  const lines = (await ctl(S.stack, 'audit', id, '--replay')).split('\n');
  assert.equal(lines.length, plays + 1, lines.join('\n'));
  assert.ok(lines.slice(0, plays).every((l) => / replayed, same$/.test(l)), lines.join('\n'));
  assert.equal(lines[plays], `${plays} plays replayed, 0 differ`);
  const json = (await ctl(S.stack, 'audit', id, '--replay', '--json')).split('\n').map((l) => JSON.parse(l));
  assert.equal(json.length, plays);
  assert.ok(json.every((j) => j.same === true && j.error === undefined), JSON.stringify(json[0]));
  const dp = json[2]; // the double play: runners before and after, a decision in force
  const one = dp.play_id;
  assert.equal(await psql(S.stack, `SELECT outcome FROM play WHERE id = ${one}`), 'groundball_a');
  assert.equal(await ctl(S.stack, 'audit', id, '--replay', '--play', String(one)),
    `play ${one} (#${dp.audit_id}): replayed, same\n1 play replayed, 0 differ`);

  // a record altered after the fact no longer replays: the stored play
  // says two runs where the engine gives what it gave, or the submission
  // was changed; either way the command says which play and fails
  const runs = await psql(S.stack, `SELECT play_doc->>'runs' FROM play_replay WHERE play_id = ${one}`);
  await psql(S.stack, `UPDATE play_replay SET play_doc = jsonb_set(play_doc, '{runs}', '2') WHERE play_id = ${one}`);
  const bad = await runCtl(['audit', id, '--replay']);
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stdout, new RegExp(`^play ${one} \\(#${dp.audit_id}\\): DIFFERS\\n  recorded: .*"runs":2`, 'm'));
  assert.match(bad.stdout, new RegExp(`^${plays} plays replayed, 1 differs$`, "m"));
  await psql(S.stack, `UPDATE play_replay SET play_doc = jsonb_set(play_doc, '{runs}', '${runs}') WHERE play_id = ${one}`);
  await psql(S.stack, `UPDATE audit_event SET payload = jsonb_set(payload, '{outcome}', '"triple"') WHERE id = ${dp.audit_id}`);
  const bad2 = await runCtl(['audit', id, '--replay', '--json']);
  assert.equal(bad2.code, 1);
  const rows = bad2.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows.filter((r) => !r.same).map((r) => r.play_id), [one]);
  assert.equal(rows.find((r) => !r.same).recorded.outcome, 'groundball_a');

  // a play id that is not one of the game's
  await assert.rejects(ctl(S.stack, 'audit', id, '--replay', '--play', '999999999'), /no replay record/);
  await assert.rejects(ctl(S.stack, 'audit', id, '--play', '1'));
});

/** dugoutctl with its exit code and output, for a command that may fail. */
function runCtl(args) {
  return new Promise((resolve) => {
    execFile(S.stack.dugoutctl, args, { env: { ...process.env, DUGOUT_CONFIG: S.stack.config }, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

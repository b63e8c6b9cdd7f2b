// Limits of events.md.  Rate limits with the default configuration: a
// token bucket per socket and event name (20/s, bursts of 40), roll_dice at
// most 2/s; over the limit: `error` RATE_LIMITED, an ack {ok: false}, and
// nothing changes; another socket, or another event, is not affected.
// Roll expiry, shortened to 3 s for the test (default 10 minutes): an
// expired roll is no longer pending and cannot be used.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, closeAll, until, sleep } from './helpers.mjs';
import { openGame, snapshot, ack, psql } from './gamehelpers.mjs';

const EXPIRY_MS = 3000;
const S = useStack('limits', { env: { DUGOUT_ROLL_EXPIRY: String(EXPIRY_MS) } });
afterEach(() => closeAll());

test('roll_dice is limited to 2/s per socket: RATE_LIMITED, nothing changed, then allowed again', { timeout: 60_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'rate-roll' });
  const id = g.gameId;
  const roller = g.s.home;
  // the bucket holds 2 and refills at 2/s: one roll is accepted, then
  // three at once take the last token (ROLL_PENDING: a roll is pending)
  // and find the bucket empty
  const first = await ack(roller, 'roll_dice', { game_id: id });
  assert.equal(first.ok, true, JSON.stringify(first));
  const before = await snapshot(S.stack, id);
  const rs = await Promise.all([1, 2, 3].map(() => ack(roller, 'roll_dice', { game_id: id })));
  const codes = rs.map((r) => r.error?.code);
  assert.ok(codes.includes('RATE_LIMITED'), JSON.stringify(rs));
  assert.ok(codes.every((c) => c === 'RATE_LIMITED' || c === 'ROLL_PENDING'), JSON.stringify(rs));
  assert.deepEqual(await snapshot(S.stack, id), before, 'a rate-limited roll changes nothing');
  await until(() => roller.got.error.some((e) => e.code === 'RATE_LIMITED'), { what: 'error event RATE_LIMITED' });
  // the other manager's socket has its own bucket
  const other = await ack(g.s.away, 'submit_manual_outcome', { game_id: id, outcome: 'strikeout' });
  assert.equal(other.ok, true, JSON.stringify(other));
  // after a pause the first socket may roll again
  await sleep(1_100);
  const again = await ack(roller, 'roll_dice', { game_id: id });
  assert.equal(again.ok, true, JSON.stringify(again));
});

test('other events: bursts of 40, then RATE_LIMITED for that event only', { timeout: 60_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'rate-burst' });
  const s = g.s.spec;
  const replies = await Promise.all(Array.from({ length: 80 }, () => ack(s, 'heartbeat')));
  const ok = replies.filter((r) => r?.ok === true).length;
  const limited = replies.filter((r) => r?.error?.code === 'RATE_LIMITED').length;
  assert.equal(ok + limited, 80, JSON.stringify(replies.filter((r) => !r?.ok && r?.error?.code !== 'RATE_LIMITED')));
  // 40 at once, plus whatever refilled at 20/s while they were answered
  assert.ok(ok >= 40 && ok < 80, `accepted ${ok} of 80`);
  assert.ok(limited >= 1, 'some were refused');
  // another event kind still has its whole bucket
  const st = await ack(s, 'request_game_state', { game_id: g.gameId });
  assert.equal(st.ok, true, JSON.stringify(st));
  await sleep(1_100);
  const hb = await ack(s, 'heartbeat');
  assert.equal(hb.ok, true, JSON.stringify(hb));
});

test('a roll expires: it is no longer pending, its outcome is refused, a new roll may be made', { timeout: 60_000 }, async () => {
  const g = await openGame(S.stack, { tag: 'expiry' });
  const id = g.gameId;
  const first = await ack(g.s.home, 'roll_dice', { game_id: id });
  assert.equal(first.ok, true, JSON.stringify(first));
  const during = await ack(g.s.spec, 'request_game_state', { game_id: id });
  assert.equal(during.state.pending_roll?.roll_id, first.roll_id, 'pending while fresh');
  await sleep(EXPIRY_MS + 300);
  const after = await ack(g.s.spec, 'request_game_state', { game_id: id });
  assert.equal(after.state.pending_roll, null, 'not pending once expired');
  assert.notEqual(after.state.pending_decision, 'outcome', JSON.stringify(after.state));
  const before = await snapshot(S.stack, id);
  const late = await ack(g.s.away, 'submit_manual_outcome', { game_id: id, outcome: 'strikeout' });
  assert.equal(late.ok, false, JSON.stringify(late));
  assert.equal(late.error.message, 'No pending dice roll - call roll_dice first');
  assert.deepEqual(await snapshot(S.stack, id), before, 'the refused outcome changed nothing');
  const second = await ack(g.s.away, 'roll_dice', { game_id: id });
  assert.equal(second.ok, true, JSON.stringify(second));
  assert.notEqual(second.roll_id, first.roll_id);
  const used = await ack(g.s.home, 'submit_manual_outcome', { game_id: id, outcome: 'strikeout' });
  assert.equal(used.ok, true, JSON.stringify(used));
  assert.equal(used.roll_id, second.roll_id);
  // the expired roll stays on record, never used
  assert.equal(await psql(S.stack, `SELECT used_at IS NULL AND expires_at < now()
      FROM dice_roll WHERE id = ${Number(first.roll_id)}`), 't');
});

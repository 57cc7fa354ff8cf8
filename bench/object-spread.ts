/**
 * `node --import tsx bench/object-spread.ts`
 *
 * Why the hot paths build their objects without `{ ...a, more }` or `{ ...a, ...b }`:
 * on this Node (V8), a spread followed by more properties makes its hidden classes afresh on each
 * call, where the same object written out, or Object.assign, reuses them. Prints µs per object
 * for the shapes the note pipeline had (intake's delivery rows and outcomes, the send's statement
 * parameters), each beside the form that replaced it (src/modules/notifications/intake.ts,
 * src/modules/love-notes/service.ts).
 */
const ROUNDS = 500_000;

function measure(name: string, build: (i: number) => unknown): void {
  let keep: unknown;
  for (let i = 0; i < 20_000; i++) keep = build(i);
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) keep = build(i);
  const micros = ((performance.now() - started) * 1000) / ROUNDS;
  process.stdout.write(`${micros.toFixed(3).padStart(8)} µs  ${name}${keep ? '' : ' (empty)'}\n`);
}

const now = new Date();
const row = {
  user_id: 'u',
  notification_id: 'n',
  id: 'x',
  channel: 'email',
  status: 'pending',
  reason: null,
  digest: false,
  next_attempt_at: now,
};
const values = {
  couple_id: 'a',
  id: 'b',
  sender_id: 'c',
  recipient_id: 'd',
  body: 'e',
  mood: null,
  created_at: now,
};
const params = () =>
  Object.fromEntries(['id', 'type', 'version', 'occurred_at', 'data'].map((c) => [`event0_${c}`, c]));

process.stdout.write(`node ${process.version}, ${ROUNDS} objects each\n`);
measure('{ ...base, six more }', (i) => {
  const base = { user_id: `u${i & 7}`, notification_id: 'n' };
  return {
    ...base,
    id: 'x',
    channel: 'email',
    status: 'pending',
    reason: null,
    digest: false,
    next_attempt_at: now,
  };
});
measure('the same written out', (i) => {
  const base = { user_id: `u${i & 7}`, notification_id: 'n' };
  return {
    user_id: base.user_id,
    notification_id: base.notification_id,
    id: 'x',
    channel: 'email',
    status: 'pending',
    reason: null,
    digest: false,
    next_attempt_at: now,
  };
});
measure('{ ...row, four more }', () => ({ ...row, id: row.id, channel: row.channel, kind: 'k', data: null }));
measure('{ ...values, ...params }', () => ({ ...values, ...params() }));
measure('Object.assign(params, values)', () => Object.assign(params(), values));

const bench = (name: string, fn: (i: number) => unknown) => {
  for (let i = 0; i < 20000; i++) fn(i);
  const t = performance.now();
  for (let i = 0; i < 500000; i++) fn(i);
  console.log(name, ((performance.now() - t) * 1000 / 500000).toFixed(3), 'µs');
};
const now = new Date();
bench('spread base + 6 props', (i) => { const base = { user_id: 'u' + (i & 7), notification_id: 'n' }; return { ...base, id: 'x', channel: 'email', status: 'pending', reason: null, digest: false, next_attempt_at: now }; });
bench('explicit 8 props', (i) => { const base = { user_id: 'u' + (i & 7), notification_id: 'n' }; return { user_id: base.user_id, notification_id: base.notification_id, id: 'x', channel: 'email', status: 'pending', reason: null, digest: false, next_attempt_at: now }; });
const row = { user_id: 'u', notification_id: 'n', id: 'x', channel: 'email', status: 'pending', reason: null, digest: false, next_attempt_at: now };
bench('spread row + 4 props', () => ({ ...row, id: row.id, channel: row.channel, kind: 'k', data: {} }));

import { randomBytes } from 'node:crypto';
import { connect } from 'nats';

/** A unique JetStream stream per test file, so parallel runs never share one. */
export function testStreamName(): string {
  return `TEST_${randomBytes(6).toString('hex').toUpperCase()}`;
}

export async function deleteStream(natsUrl: string | undefined, stream: string): Promise<void> {
  if (!natsUrl) return;
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => {});
  } finally {
    await nc.close();
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

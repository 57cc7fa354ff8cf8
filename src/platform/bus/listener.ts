import pg from 'pg';

/**
 * One dedicated connection per process that LISTENs for the bus's
 * notifications (a pooled connection would lose its LISTEN when returned).
 * Reconnects after a failure, and tells `onConnect` handlers so they look
 * for what was notified in the gap; the idle polls behind it are the last net.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private closed = false;
  private readonly handlers = new Map<string, Array<(payload: string) => void>>();
  private readonly connectHandlers: Array<() => void> = [];

  constructor(
    private readonly url: string,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly applicationName = 'one2one-love-bus-listener',
  ) {}

  on(channel: string, handler: (payload: string) => void): void {
    const list = this.handlers.get(channel) ?? [];
    list.push(handler);
    this.handlers.set(channel, list);
  }

  /**
   * Called each time the connection is (re)established and listening: whatever
   * was notified while it was down is lost, so pollers should look now.
   */
  onConnect(handler: () => void): void {
    this.connectHandlers.push(handler);
  }

  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: this.applicationName,
    });
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', (error) => {
      if (this.closed) return; // ended on purpose (or by the server during shutdown)
      this.onError(error);
      this.reconnectSoon();
    });
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`listen "${channel.replaceAll('"', '')}"`);
    // close() came while this connection was still being made (a slow start): it has nothing
    // to end yet, so this one is ended here instead of being left open.
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    for (const handler of this.connectHandlers) handler();
  }

  /** Starts listening without waiting; a failed first connection is retried like a dropped one. */
  begin(): void {
    this.start().catch((error: unknown) => {
      this.onError(error);
      this.reconnectSoon();
    });
  }

  private reconnectSoon(): void {
    const old = this.client;
    this.client = undefined;
    old?.end().catch(() => {});
    if (this.closed) return;
    setTimeout(() => {
      if (this.closed) return;
      this.start().catch((error: unknown) => {
        this.onError(error);
        this.reconnectSoon();
      });
    }, 1000).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }
}

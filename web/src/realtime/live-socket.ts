import { getAccessToken, onAccessToken } from '../api.ts';

export interface LiveEvent {
  type: string;
  id: string;
  data: unknown;
}

type Listener = (event: LiveEvent) => void;

/**
 * One WebSocket to `/v1/realtime` for the whole page: authenticates with the
 * first message (tokens never travel in URLs), resumes after a drop from the
 * last event it saw (the API replays what was missed), reconnects with
 * backoff, and reconnects with the new token after each refresh.
 */
class LiveSocket {
  private socket: WebSocket | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly statusListeners = new Set<(connected: boolean) => void>();
  private lastEventId: string | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  connected = false;

  constructor() {
    onAccessToken((token) => {
      this.close();
      if (token && this.listeners.size > 0) this.open();
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.socket && getAccessToken()) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  onStatus(listener: (connected: boolean) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setConnected(connected: boolean) {
    this.connected = connected;
    for (const listener of this.statusListeners) listener(connected);
  }

  private open() {
    const token = getAccessToken();
    if (!token) return;
    const url = new URL('/v1/realtime', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: 'auth',
          token,
          ...(this.lastEventId ? { lastEventId: this.lastEventId } : {}),
        }),
      );
    };
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as LiveEvent | { type: 'ready' };
      if (event.type === 'ready') {
        this.attempt = 0;
        this.setConnected(true);
        return;
      }
      const live = event as LiveEvent;
      if (live.id) this.lastEventId = live.id;
      for (const listener of this.listeners) listener(live);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setConnected(false);
      if (this.listeners.size === 0 || !getAccessToken()) return;
      const delay = Math.min(30_000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      this.retryTimer = setTimeout(() => this.open(), delay);
    };
  }

  private close() {
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    if (this.connected) this.setConnected(false);
  }
}

export const liveSocket = new LiveSocket();

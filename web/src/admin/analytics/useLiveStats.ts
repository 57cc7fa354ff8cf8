import { useEffect, useState } from 'react';
import { getAccessToken, refreshSession } from '../../api.ts';

export interface LiveStats {
  activeUsers: number;
  eventsPerSecond: number;
  notesPerMinute: number;
}

export type LiveState = { status: 'connecting' | 'live' | 'closed'; stats: LiveStats | null };

/** Splits a server-sent-event stream into `event`/`data` frames (blank-line separated). */
export function* frames(buffer: string): Generator<{ event: string; data: string }, string> {
  let rest = buffer;
  for (let end = rest.indexOf('\n\n'); end !== -1; end = rest.indexOf('\n\n')) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length) yield { event, data: data.join('\n') };
  }
  return rest;
}

/**
 * The live `stats` frames of /v1/admin/analytics/live. EventSource cannot send
 * the bearer token (the access token lives in memory, not in a cookie), so this
 * reads the stream with fetch. It reconnects after a drop, with a fresh token
 * when the old one expired.
 */
export function useLiveStats(): LiveState {
  const [state, setState] = useState<LiveState>({ status: 'connecting', stats: null });
  useEffect(() => {
    const abort = new AbortController();
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const connect = async (attempt: number): Promise<void> => {
      try {
        const token = getAccessToken();
        let response = await fetch('/v1/admin/analytics/live', {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          signal: abort.signal,
        });
        if (response.status === 401) {
          const fresh = (await refreshSession())?.accessToken ?? null;
          response = await fetch('/v1/admin/analytics/live', {
            headers: { authorization: `Bearer ${fresh}`, accept: 'text/event-stream' },
            signal: abort.signal,
          });
        }
        if (!response.ok || !response.body) throw new Error(`live stream: HTTP ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const parse = frames(buffer);
          let next = parse.next();
          while (!next.done) {
            if (next.value.event === 'stats') {
              const stats = JSON.parse(next.value.data) as LiveStats;
              setState({ status: 'live', stats });
              attempt = 0;
            }
            next = parse.next();
          }
          buffer = next.value;
        }
      } catch {
        // A dropped connection or a refused token: reconnect below, unless the page is gone.
      }
      if (abort.signal.aborted) return;
      setState((s) => ({ ...s, status: 'closed' }));
      // Back off up to 30 s between reconnections.
      retryTimer = setTimeout(() => void connect(attempt + 1), Math.min(30_000, 1_000 * 2 ** attempt));
    };
    void connect(0);
    return () => {
      abort.abort();
      clearTimeout(retryTimer);
    };
  }, []);
  return state;
}

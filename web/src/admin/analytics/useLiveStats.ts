import { EventSourceParserStream } from 'eventsource-parser/stream';
import { useEffect, useState } from 'react';
import { api, getAccessToken } from '../../api.ts';

export interface LiveStats {
  activeUsers: number;
  eventsPerSecond: number;
  notesPerMinute: number;
}

export type LiveState = { status: 'connecting' | 'live' | 'closed'; stats: LiveStats | null };

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
        const open = () =>
          fetch('/v1/admin/analytics/live', {
            headers: { authorization: `Bearer ${getAccessToken()}`, accept: 'text/event-stream' },
            signal: abort.signal,
          });
        let response = await open();
        if (response.status === 401) {
          // An expired token: any call through the API client refreshes it, one refresh at a
          // time for the whole app (a second refresh with the same cookie would look like reuse
          // of a spent refresh token and end the session).
          await api.GET('/v1/users/me');
          response = await open();
        }
        if (!response.ok || !response.body) throw new Error(`live stream: HTTP ${response.status}`);
        const reader = response.body
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(new EventSourceParserStream({ maxBufferSize: 65_536 }))
          .getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (value.event !== 'stats') continue;
          setState({ status: 'live', stats: JSON.parse(value.data) as LiveStats });
          attempt = 0;
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

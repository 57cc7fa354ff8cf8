import { useEffect, useRef, useState } from 'react';
import { type LiveEvent, liveSocket } from './live-socket.ts';

/** Calls `handler` with every live event of the signed-in user while the component is mounted. */
export function useLiveEvents(handler: (event: LiveEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => liveSocket.subscribe((event) => latest.current(event)), []);
}

/** Whether the live connection is up (shown so a person knows arrivals are live). */
export function useLiveStatus(): boolean {
  const [connected, setConnected] = useState(liveSocket.connected);
  useEffect(() => liveSocket.onStatus(setConnected), []);
  return connected;
}

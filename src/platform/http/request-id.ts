import type { IncomingMessage } from 'node:http';
import { v7 as uuidv7 } from 'uuid';

// A caller's id is reused only when it is short and plain, so it cannot inject
// anything into logs or response headers.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && ACCEPTABLE.test(given)) return given;
  return uuidv7();
}

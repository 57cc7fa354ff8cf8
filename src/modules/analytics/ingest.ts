import type { IncomingHttpHeaders } from 'node:http';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { serviceUnavailable, validationError } from '../../platform/http/errors.ts';
import { Overloaded } from './buffer.ts';
import type { AnalyticsContext } from './context.ts';
import { RESERVED_NAMES } from './events.ts';
import type { EventRow } from './repo.ts';
import { type EventInput, MAX_PROPERTIES_BYTES } from './schemas.ts';

const FUTURE_SLACK_MS = 5 * 60_000;
const PLATFORMS = new Set(['ios', 'android', 'web', 'desktop']);

/** What the request says about the device, coarsely: never the address itself. */
export interface Origin {
  platform: string | null;
  appVersion: string | null;
  country: string | null;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
};

/**
 * `X-App-Platform` (ios, android, web, desktop; anything else: other),
 * `X-App-Version` (a short version string), and the country a CDN or the
 * proxy derived from the address (`CF-IPCountry` by default): two letters,
 * or nothing (Cloudflare's `XX` unknown and `T1` Tor are dropped).
 */
export function originOf(headers: IncomingHttpHeaders, countryHeader: string): Origin {
  const platform = header(headers, 'x-app-platform')?.toLowerCase();
  const version = header(headers, 'x-app-version');
  const country = header(headers, countryHeader)?.toUpperCase();
  return {
    platform: platform ? (PLATFORMS.has(platform) ? platform : 'other') : null,
    appVersion: version && /^[0-9A-Za-z.+_-]{1,32}$/.test(version) ? version : null,
    country: country && /^[A-Z]{2}$/.test(country) && country !== 'XX' && country !== 'T1' ? country : null,
  };
}

/** Checks what the schema cannot: reserved names and the properties' total size. */
function checkEvents(events: EventInput[], prefix: string): void {
  events.forEach((e, i) => {
    const at = prefix ? `${prefix}/${i}` : '';
    if (RESERVED_NAMES.has(e.event)) {
      throw validationError(
        `"${e.event}" is recorded by the server and cannot be sent`,
        `${at}/event`.slice(1),
      );
    }
    if (e.properties && Buffer.byteLength(JSON.stringify(e.properties)) > MAX_PROPERTIES_BYTES) {
      throw validationError(
        `properties exceed ${MAX_PROPERTIES_BYTES} bytes of JSON`,
        `${at}/properties`.slice(1),
      );
    }
  });
}

/**
 * Records the caller's events: checked, enriched with their couple and the
 * request's coarse origin, added to the group commit and answered once the
 * batch holding them is committed. Without the caller's analytics consent
 * nothing is stored (dropped, consented: false). Ids already stored count as
 * duplicates, not twice.
 */
export async function ingest(
  ctx: AnalyticsContext,
  user: AuthUser,
  events: EventInput[],
  headers: IncomingHttpHeaders,
  batch: boolean,
) {
  checkEvents(events, batch ? '/events' : '');
  const { platform, deps } = ctx;
  if (!(await deps.consented(platform, user.id))) {
    return { accepted: 0, duplicates: 0, dropped: events.length, consented: false };
  }
  const now = Date.now();
  const oldest = now - platform.config.analytics.maxAgeHours * 3_600_000;
  const origin = originOf(headers, platform.config.analytics.countryHeader);
  const coupleId = await deps.coupleOf(platform, user.id);
  const receivedAt = new Date(now);
  const rows: EventRow[] = [];
  for (const e of events) {
    const at = e.timestamp === undefined ? now : Date.parse(e.timestamp);
    if (!(at >= oldest && at <= now + FUTURE_SLACK_MS)) continue;
    rows.push({
      id: e.id.toLowerCase(),
      occurredAt: new Date(at),
      receivedAt,
      event: e.event,
      source: 'client',
      userId: user.id,
      coupleId,
      ...origin,
      properties: JSON.stringify(e.properties ?? {}),
    });
  }
  try {
    const { accepted, duplicates } = await ctx.buffer.add(rows);
    return { accepted, duplicates, dropped: events.length - rows.length, consented: true };
  } catch (error) {
    if (error instanceof Overloaded)
      throw serviceUnavailable(1, 'Analytics ingestion is busy, retry shortly');
    // The batch was not written: nothing of it is stored, the client retries with the same ids.
    throw serviceUnavailable(1, 'Events could not be stored, retry with the same ids');
  }
}

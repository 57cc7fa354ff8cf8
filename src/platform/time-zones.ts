import { LRUCache } from 'lru-cache';

// IANA names are Area/Location (plus a few single words like UTC); Intl alone would also accept
// offsets such as "+01:00" on newer engines, which are not zones (no daylight saving).
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/**
 * Checks IANA time zone names, remembering the valid ones: building the Intl.DateTimeFormat that
 * checks a name costs about 0.6 ms, and a calendar month or a profile read checks one per request.
 * The zones people use are few; valid names are remembered up to `max` (a client could send
 * endless spellings), invalid ones never, so a bad name costs each time and evicts nothing.
 */
export function timeZoneChecker(max = 1000) {
  const valid = new LRUCache<string, string>({ max });
  return {
    /**
     * The canonical spelling of an IANA zone name, the engine's (`europe/berlin` → `Europe/Berlin`;
     * Node 20's ICU also turns links into their target, `US/Pacific` → `America/Los_Angeles`), or
     * undefined for anything else (an unknown name, an offset).
     */
    canonical(name: string): string | undefined {
      const known = valid.get(name);
      if (known !== undefined) return known;
      if (!IANA_SHAPE.test(name)) return undefined;
      let canonical: string;
      try {
        canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
      } catch {
        return undefined;
      }
      valid.set(name, canonical);
      return canonical;
    },
    /** How many names are remembered. */
    get remembered(): number {
      return valid.size;
    },
  };
}

const shared = timeZoneChecker();

/** The canonical spelling of an IANA time zone name, or undefined (see `timeZoneChecker`). */
export function canonicalZone(name: string): string | undefined {
  return shared.canonical(name);
}

import { v7 } from 'uuid';

/** Time-ordered UUIDv7: index-friendly like a sequence, unguessable like a UUID. */
export const newId = (): string => v7();

/**
 * The smallest UUIDv7 of the millisecond `at` (version 7, variant 10, the
 * rest zero): every id made at or after `at` sorts at or above it, every id
 * made before sorts below. Range-partition bounds and `id >=` time filters use it.
 */
export function idFloor(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (!Number.isInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`no UUIDv7 for time ${ms}`);
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-000000000000`;
}

/** The millisecond a UUIDv7 was made (its first 48 bits). */
export function idTime(id: string): Date {
  return new Date(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16));
}

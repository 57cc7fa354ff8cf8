import { randomUUID } from 'node:crypto';
import { type Client, NOOP_PROVIDER, OpenFeature } from '@openfeature/server-sdk';
import type { Platform } from '../../platform/platform.ts';
import { PostgresFlagProvider } from './provider.ts';
import { createFlagStore, type FlagStore } from './store.ts';
import type { FlagsDb } from './tables.ts';

/**
 * The flags of one platform: its store (the in-process copy) and an
 * OpenFeature client bound to our provider. OpenFeature's API is one global
 * object, so each platform binds its provider to a domain of its own: two
 * apps in one process (tests) keep two copies, as two processes would.
 */
export interface Flags {
  store: FlagStore;
  client: Client;
}

const byPlatform = new WeakMap<Platform, Flags>();

export function flagsOf(platform: Platform): Flags {
  const known = byPlatform.get(platform);
  if (known) return known;
  const store = createFlagStore(platform.database.db as FlagsDb, platform.config.featureFlags.refreshMs);
  const domain = `feature-flags:${randomUUID()}`;
  // No initialize(): the provider is ready at once and reads the table on the first evaluation.
  OpenFeature.setProvider(domain, new PostgresFlagProvider(store));
  const flags = { store, client: OpenFeature.getClient(domain) };
  byPlatform.set(platform, flags);
  platform.onClose(async () => {
    OpenFeature.setProvider(domain, NOOP_PROVIDER);
  });
  return flags;
}

/**
 * Whether `flagKey` is on for `userId`, through OpenFeature. `fallback` is
 * the answer when the flag is not defined or cannot be read (no definitions
 * loaded and the database is away): what the code did before the flag.
 */
export function isEnabled(platform: Platform, flagKey: string, userId: string, fallback: boolean) {
  return flagsOf(platform).client.getBooleanValue(flagKey, fallback, { targetingKey: userId });
}

/** Every defined flag, evaluated for `userId` (the web app's gates). */
export async function evaluateAll(platform: Platform, userId: string): Promise<Record<string, boolean>> {
  const { store, client } = flagsOf(platform);
  const keys = [...(await store.current()).keys()].sort();
  const values = await Promise.all(
    keys.map((key) => client.getBooleanValue(key, false, { targetingKey: userId })),
  );
  return Object.fromEntries(keys.map((key, i) => [key, values[i] as boolean]));
}

import { configSection } from '../../platform/config.ts';

export interface ApiKeysConfig {
  /** A new key's per-minute limit unless the admin sets one. */
  defaultRatePerMinute: number;
  /** How long a rotated key keeps working unless the rotation says otherwise. */
  rotationGraceSeconds: number;
}

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    apiKeys: ApiKeysConfig;
  }
}

/** `API_KEY_*`: defaults of new keys and rotations. */
export const apiKeysConfig = configSection('apiKeys', (r) => ({
  defaultRatePerMinute: r.int('API_KEY_RATE_LIMIT_PER_MINUTE', 600, 1, 10_000_000),
  rotationGraceSeconds: r.int('API_KEY_ROTATION_GRACE_SECONDS', 86_400, 0, 30 * 86_400),
}));

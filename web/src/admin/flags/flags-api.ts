import type { BodyOf, DataOf } from '@one2one/client';

/** A flag as the admin API answers it (GET /v1/admin/feature-flags/{key}). */
export type FeatureFlag = DataOf<'/v1/admin/feature-flags/{key}', 'get'>;
/** What a new flag is made of (POST /v1/admin/feature-flags). */
export type NewFlag = BodyOf<'/v1/admin/feature-flags', 'post'>;

import type { components } from '@one2one/client';
import type { Client } from 'openapi-fetch';
import { api } from '../../api.ts';

/*
 * The feature-flag API (GET/POST /v1/admin/feature-flags, GET/PATCH/DELETE
 * /v1/admin/feature-flags/{key}) is being built on another branch and is not
 * in packages/client/src/schema.ts yet. These few types describe it as agreed
 * so the page is typed end to end; once the API is merged and
 * `npm run client:types` has run, replace them with
 * DataOf<'/v1/admin/feature-flags', 'get'> / BodyOf<…> and use `api` directly.
 */
export interface FeatureFlag {
  key: string;
  description: string;
  /** Kill switch: off means nobody gets the feature, whatever the rest says. */
  enabled: boolean;
  /** What people outside the rollout and the lists get. */
  defaultValue: boolean;
  /** 0–100: the share of people (by a stable hash of their id) who get it on. */
  rolloutPercentage: number;
  allowUserIds: string[];
  denyUserIds: string[];
  createdAt?: string;
  updatedAt?: string;
}
export type NewFlag = Omit<FeatureFlag, 'createdAt' | 'updatedAt'>;
export type FlagChange = Partial<Omit<NewFlag, 'key'>>;

type Json<T> = { headers: Record<string, unknown>; content: { 'application/json': T } };
type Envelope<T> = {
  success: boolean;
  data: T;
  errors: null;
  meta: { requestId: string; timestamp: string; version: string; nextCursor?: string | null };
};
type Errors = {
  [status in 400 | 401 | 403 | 404 | 409 | 429 | 500 | 503]: Json<components['schemas']['ErrorEnvelope']>;
};
type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type KeyParams = { query?: never; header?: never; path: { key: string }; cookie?: never };
type Op<Params, Body, Status extends number, Data> = {
  parameters: Params;
  requestBody: Body extends never ? never : { content: { 'application/json': Body } };
  responses: { [s in Status]: Json<Envelope<Data>> } & Errors;
};

interface FlagPaths {
  '/v1/admin/feature-flags': {
    parameters: NoParams;
    get: Omit<Op<NoParams, never, 200, FeatureFlag[]>, 'requestBody'> & { requestBody?: never };
    post: Op<NoParams, NewFlag, 201, FeatureFlag>;
  };
  '/v1/admin/feature-flags/{key}': {
    parameters: KeyParams;
    get: Omit<Op<KeyParams, never, 200, FeatureFlag>, 'requestBody'> & { requestBody?: never };
    patch: Op<KeyParams, FlagChange, 200, FeatureFlag>;
    delete: Omit<Op<KeyParams, never, 200, FeatureFlag>, 'requestBody'> & { requestBody?: never };
  };
}

/** The shared client (session, refresh, retries) seen through the flag routes' types. */
export const flagsApi = api as unknown as Client<FlagPaths>;

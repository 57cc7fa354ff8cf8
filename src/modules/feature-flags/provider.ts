import {
  type EvaluationContext,
  FlagNotFoundError,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  TargetingKeyMissingError,
  TypeMismatchError,
} from '@openfeature/server-sdk';
import { evaluate } from './rules.ts';
import type { FlagStore } from './store.ts';

/**
 * The OpenFeature provider backed by our PostgreSQL (through the process's
 * FlagStore). Flags are boolean; the user id is the evaluation context's
 * `targetingKey`. What OpenFeature does with a thrown error: the caller's
 * default value, with the error code in the evaluation details.
 */
export class PostgresFlagProvider implements Provider {
  readonly metadata = { name: 'one2one-postgres' } as const;
  readonly runsOn = 'server' as const;
  readonly hooks = [];

  constructor(private readonly store: FlagStore) {}

  async resolveBooleanEvaluation(
    flagKey: string,
    _defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    const flag = (await this.store.current()).get(flagKey);
    if (!flag) throw new FlagNotFoundError(`No feature flag ${flagKey}`);
    const resolution = evaluate(flag, context.targetingKey);
    if (!resolution)
      throw new TargetingKeyMissingError(`${flagKey} is rolled out by user: a user id is needed`);
    return resolution;
  }

  async resolveStringEvaluation(flagKey: string): Promise<ResolutionDetails<string>> {
    throw new TypeMismatchError(`${flagKey}: feature flags are boolean`);
  }

  async resolveNumberEvaluation(flagKey: string): Promise<ResolutionDetails<number>> {
    throw new TypeMismatchError(`${flagKey}: feature flags are boolean`);
  }

  async resolveObjectEvaluation<T extends JsonValue>(flagKey: string): Promise<ResolutionDetails<T>> {
    throw new TypeMismatchError(`${flagKey}: feature flags are boolean`);
  }
}

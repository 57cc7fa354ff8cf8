import { configSection, type EnvReader } from '../../platform/config.ts';

export type ProviderName = 'openai' | 'anthropic' | 'offline';
export const PROVIDER_NAMES: readonly ProviderName[] = ['openai', 'anthropic', 'offline'];

/** USD per million tokens, input and output: `cost_micro_usd = tokens × price` exactly. */
export interface Price {
  input: number;
  output: number;
}

export interface CoachConfig {
  /** The fallback chain, in order; `offline` is always last (added when missing). */
  providers: ProviderName[];
  openai: { apiKey: string | undefined; baseURL: string | undefined; model: string; price: Price };
  anthropic: { apiKey: string | undefined; baseURL: string | undefined; model: string; price: Price };
  /** Time allowed for a provider to send its first token, and between two tokens. */
  timeoutMs: number;
  /** Retries of one provider call (the SDKs retry 408, 409, 429 and 5xx with backoff). */
  maxRetries: number;
  maxOutputTokens: number;
  /** Circuit breaker: failure percentage that opens it, and how long it stays open. */
  breakerErrorPercent: number;
  breakerResetMs: number;
  budgets: {
    free: { messages: number; tokens: number };
    premium: { messages: number; tokens: number };
  };
}

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    aiCoach: CoachConfig;
  }
}

function price(r: EnvReader, name: string, fallback: Price): Price {
  const raw = r.optional(name);
  if (raw === undefined) return fallback;
  const parts = raw.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p) || p < 0)) {
    r.problems.push(`${name} must be "input,output" in USD per million tokens (got "${raw}")`);
    return fallback;
  }
  return { input: parts[0]!, output: parts[1]! };
}

function providers(r: EnvReader, openaiSet: boolean, anthropicSet: boolean): ProviderName[] {
  const listed = r.list('COACH_PROVIDERS');
  const unknown = listed.filter((p) => !(PROVIDER_NAMES as readonly string[]).includes(p));
  if (unknown.length > 0) {
    r.problems.push(
      `COACH_PROVIDERS names unknown providers: ${unknown.join(', ')} (known: ${PROVIDER_NAMES.join(', ')})`,
    );
  }
  // Unset: every configured provider, OpenAI first; none configured: the offline coach alone.
  const chosen = (
    listed.length > 0
      ? listed.filter((p) => !unknown.includes(p))
      : [...(openaiSet ? ['openai'] : []), ...(anthropicSet ? ['anthropic'] : [])]
  ) as ProviderName[];
  const unique = [...new Set(chosen)].filter((p) => p !== 'offline');
  return [...unique, 'offline'];
}

/**
 * `COACH_PROVIDERS`, `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL`, `OPENAI_PRICE`,
 * `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `ANTHROPIC_MODEL`, `ANTHROPIC_PRICE`,
 * `COACH_TIMEOUT_MS`, `COACH_MAX_RETRIES`, `COACH_MAX_OUTPUT_TOKENS`,
 * `COACH_BREAKER_ERROR_PERCENT`, `COACH_BREAKER_RESET_MS`,
 * `COACH_FREE_DAILY_MESSAGES`, `COACH_FREE_DAILY_TOKENS`,
 * `COACH_PREMIUM_DAILY_MESSAGES`, `COACH_PREMIUM_DAILY_TOKENS`.
 */
export const aiCoachConfig = configSection('aiCoach', (r) => {
  const openaiKey = r.optional('OPENAI_API_KEY');
  const openaiBase = r.url('OPENAI_BASE_URL', ['http:', 'https:']);
  const anthropicKey = r.optional('ANTHROPIC_API_KEY');
  const anthropicBase = r.url('ANTHROPIC_BASE_URL', ['http:', 'https:']);
  const config: CoachConfig = {
    // A self-hosted OpenAI-compatible server (vLLM, llama.cpp, Ollama) needs only its base URL.
    providers: providers(r, openaiKey !== undefined || openaiBase !== undefined, anthropicKey !== undefined),
    openai: {
      apiKey: openaiKey,
      baseURL: openaiBase,
      model: r.string('OPENAI_MODEL', 'gpt-4o-mini'),
      price: price(r, 'OPENAI_PRICE', { input: 0.15, output: 0.6 }),
    },
    anthropic: {
      apiKey: anthropicKey,
      baseURL: anthropicBase,
      model: r.string('ANTHROPIC_MODEL', 'claude-haiku-4-5'),
      price: price(r, 'ANTHROPIC_PRICE', { input: 1, output: 5 }),
    },
    timeoutMs: r.int('COACH_TIMEOUT_MS', 20_000, 50, 600_000),
    maxRetries: r.int('COACH_MAX_RETRIES', 2, 0, 10),
    maxOutputTokens: r.int('COACH_MAX_OUTPUT_TOKENS', 600, 16, 8192),
    breakerErrorPercent: r.int('COACH_BREAKER_ERROR_PERCENT', 50, 1, 100),
    breakerResetMs: r.int('COACH_BREAKER_RESET_MS', 30_000, 100, 3_600_000),
    budgets: {
      free: {
        messages: r.int('COACH_FREE_DAILY_MESSAGES', 20, 0, 1_000_000),
        tokens: r.int('COACH_FREE_DAILY_TOKENS', 20_000, 0, 1_000_000_000),
      },
      premium: {
        messages: r.int('COACH_PREMIUM_DAILY_MESSAGES', 200, 0, 1_000_000),
        tokens: r.int('COACH_PREMIUM_DAILY_TOKENS', 400_000, 0, 1_000_000_000),
      },
    },
  };
  for (const name of ['anthropic'] as const) {
    if (config.providers.includes(name) && !config[name].apiKey) {
      r.problems.push('COACH_PROVIDERS names anthropic but ANTHROPIC_API_KEY is not set');
    }
  }
  if (config.providers.includes('openai') && !openaiKey && !openaiBase) {
    r.problems.push('COACH_PROVIDERS names openai but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set');
  }
  return config;
});

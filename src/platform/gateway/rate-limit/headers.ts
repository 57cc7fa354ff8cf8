import type { Rule, RuleResult } from './rules.ts';

/**
 * IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-10):
 *   RateLimit-Policy: "ip";q=200;w=60, "user";q=100;w=60
 *   RateLimit: "ip";r=187;t=41, "user";r=99;t=41
 * Structured-field lists: q = quota, w = window seconds, r = remaining, t =
 * seconds until the quota is back. The global bucket protects the service,
 * not a client's quota, so it is not advertised.
 */
export function rateLimitHeaders(
  rules: Rule[],
  results: RuleResult[],
): { 'ratelimit-policy': string; ratelimit: string } | undefined {
  const policies: string[] = [];
  const states: string[] = [];
  rules.forEach((rule, i) => {
    if (rule.kind !== 'sliding-window') return;
    const result = results[i];
    if (!result) return;
    policies.push(`"${rule.name}";q=${rule.limit};w=${rule.windowSeconds}`);
    states.push(`"${rule.name}";r=${result.remaining};t=${result.resetSeconds}`);
  });
  if (policies.length === 0) return undefined;
  return { 'ratelimit-policy': policies.join(', '), ratelimit: states.join(', ') };
}

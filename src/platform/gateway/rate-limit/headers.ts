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
  // Built by concatenation in one pass: this runs on every limited response.
  let policy = '';
  let state = '';
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const result = results[i];
    if (rule.kind !== 'sliding-window' || !result) continue;
    const separator = policy === '' ? '' : ', ';
    policy += `${separator}"${rule.name}";q=${rule.limit};w=${rule.windowSeconds}`;
    state += `${separator}"${rule.name}";r=${result.remaining};t=${result.resetSeconds}`;
  }
  if (policy === '') return undefined;
  return { 'ratelimit-policy': policy, ratelimit: state };
}

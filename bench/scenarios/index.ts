/** A request pattern to load the real server with. */
export interface Scenario {
  name: string;
  description: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'health',
    description: 'GET /health: the full middleware stack, no database',
    method: 'GET',
    path: '/health',
  },
  {
    name: 'ready',
    description: 'GET /ready: one PostgreSQL round trip through the pool',
    method: 'GET',
    path: '/ready',
  },
  {
    name: 'not-found',
    description: 'GET of an unknown /v1 route: routing, 404 in the envelope',
    method: 'GET',
    path: '/v1/does-not-exist',
  },
];

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the few Stripe API endpoints the payments module
 * calls, speaking Stripe's protocol: form-encoded requests with nested keys
 * (`line_items[0][price]`), bearer secret key, JSON objects and lists in
 * Stripe's shapes, Stripe's error envelope. The official SDK is pointed at
 * it with STRIPE_API_URL. Tests set subscriptions' state and queue events.
 */
export interface FakeStripe {
  url: string;
  secretKey: string;
  /** Every request body received, by path (e.g. '/v1/checkout/sessions'). */
  requests: Array<{ method: string; path: string; body: Record<string, unknown> }>;
  subscriptions: Map<string, Record<string, unknown>>;
  /** What `GET /v1/events?delivery_success=false` lists. */
  undelivered: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Stripe's form encoding: `a[b][0][c]=v` becomes { a: { b: [{ c: 'v' }] } }. */
export function parseStripeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]!);
      const slot = node as Record<string, unknown>;
      if (last) slot[part] = value;
      else {
        slot[part] ??= nextIsIndex ? [] : {};
        node = slot[part] as Record<string, unknown>;
      }
    });
  }
  return root;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  response.end(JSON.stringify(body));
}

const missing = (response: ServerResponse, what: string) =>
  send(response, 404, {
    error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}` },
  });

/** A subscription object in Stripe's shape (API 2025+: periods live on the items). */
export function stripeSubscription(input: {
  id?: string;
  customer: string;
  price: string;
  status: string;
  metadata?: Record<string, string>;
  currency?: string;
  cancelAtPeriodEnd?: boolean;
}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: input.id ?? id('sub'),
    object: 'subscription',
    customer: input.customer,
    status: input.status,
    currency: input.currency ?? 'eur',
    cancel_at_period_end: input.cancelAtPeriodEnd ?? false,
    metadata: input.metadata ?? {},
    created: now,
    livemode: false,
    items: {
      object: 'list',
      data: [
        {
          id: id('si'),
          object: 'subscription_item',
          price: { id: input.price, object: 'price', currency: input.currency ?? 'eur' },
          quantity: 1,
          current_period_start: now,
          current_period_end: now + 30 * 86_400,
        },
      ],
      has_more: false,
      url: '/v1/subscription_items',
    },
  };
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const secretKey = `sk_test_${randomBytes(8).toString('hex')}`;
  const requests: FakeStripe['requests'] = [];
  const subscriptions = new Map<string, Record<string, unknown>>();
  const undelivered: Array<Record<string, unknown>> = [];
  let url = '';

  const server: Server = createServer(async (request, response) => {
    const target = new URL(request.url ?? '/', 'http://fake');
    if (request.headers.authorization !== `Bearer ${secretKey}`) {
      send(response, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided' },
      });
      return;
    }
    const body = parseStripeForm(await bodyOf(request));
    requests.push({ method: request.method ?? 'GET', path: target.pathname, body });
    const now = Math.floor(Date.now() / 1000);
    if (request.method === 'POST' && target.pathname === '/v1/customers') {
      send(response, 200, { id: id('cus'), object: 'customer', created: now, metadata: body.metadata ?? {} });
      return;
    }
    if (request.method === 'POST' && target.pathname === '/v1/checkout/sessions') {
      const sessionId = id('cs_test');
      send(response, 200, {
        id: sessionId,
        object: 'checkout.session',
        mode: body.mode,
        customer: body.customer,
        client_reference_id: body.client_reference_id ?? null,
        currency: body.currency ?? null,
        metadata: body.metadata ?? {},
        status: 'open',
        payment_status: 'unpaid',
        url: `${url}/pay/${sessionId}`,
      });
      return;
    }
    if (request.method === 'POST' && target.pathname === '/v1/billing_portal/sessions') {
      send(response, 200, {
        id: id('bps'),
        object: 'billing_portal.session',
        customer: body.customer,
        return_url: body.return_url,
        url: `${url}/portal/${String(body.customer)}`,
      });
      return;
    }
    const subscription = /^\/v1\/subscriptions\/([^/]+)$/.exec(target.pathname);
    if (request.method === 'GET' && subscription?.[1]?.startsWith('sub_broken')) {
      send(response, 500, { error: { type: 'api_error', message: 'Something went wrong on Stripe’s end' } });
      return;
    }
    if (request.method === 'GET' && subscription) {
      const found = subscriptions.get(subscription[1]!);
      if (!found) return missing(response, `subscription: '${subscription[1]}'`);
      send(response, 200, found);
      return;
    }
    if (request.method === 'DELETE' && subscription) {
      const found = subscriptions.get(subscription[1]!);
      if (!found) return missing(response, `subscription: '${subscription[1]}'`);
      found.status = 'canceled';
      found.canceled_at = now;
      send(response, 200, found);
      return;
    }
    if (request.method === 'GET' && target.pathname === '/v1/events') {
      const only = target.searchParams.get('delivery_success');
      send(response, 200, {
        object: 'list',
        url: '/v1/events',
        has_more: false,
        data: only === 'false' ? undelivered : [],
      });
      return;
    }
    send(response, 404, {
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${request.method}: ${target.pathname})`,
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    secretKey,
    requests,
    subscriptions,
    undelivered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An event in Stripe's envelope. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  created = Date.now(),
): Record<string, unknown> {
  return {
    id: id('evt'),
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(created / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

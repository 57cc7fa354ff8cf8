import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Document, Operation } from '../support/fuzz/openapi.ts';
import type { Who } from '../support/fuzz/recipes.ts';
import { Fuzzer } from '../support/fuzz/runner.ts';
import { type FuzzEnvironment, fuzzEnvironment } from '../support/fuzz/setup.ts';
import type { Actor, World } from '../support/fuzz/world.ts';

/**
 * The authorization matrix of issue 23: every operation of /v1/openapi.json,
 * called with a valid request (the fuzzer's recipes: real ids, real tokens)
 * as each of eight identities, against one table of expected outcomes built
 * from a rule per group of operations. An operation in no group fails, and
 * so does any cell that differs.
 *
 * The owner owns the resource (their note, their couple, their key when the
 * route is staff-only); the partner is linked to the owner; the stranger is
 * in a couple of their own; the ex-partner was the owner's partner before an
 * unlink; the suspended user was suspended by an admin and calls with the
 * access token issued before, still unexpired: its session ended, so every
 * route refuses it with 401 TOKEN_REVOKED (in every process, within moments:
 * auth/revocations.ts); editor and admin are staff without a couple.
 */
type Identity = 'anon' | 'owner' | 'partner' | 'stranger' | 'ex' | 'suspended' | 'editor' | 'admin';
const IDENTITIES: Identity[] = ['anon', 'owner', 'partner', 'stranger', 'ex', 'suspended', 'editor', 'admin'];
/** 'ok' is any 2xx (or the 3xx of a redirect-only route); otherwise the exact status. */
type Outcome = 'ok' | number;
type Rule = Record<Identity, Outcome>;

/** A suspended user's token is refused before any route looks at the request: no rule may say otherwise. */
const REVOKED = 401;
const all = (outcome: Outcome): Rule =>
  ({ ...Object.fromEntries(IDENTITIES.map((i) => [i, outcome])), suspended: REVOKED }) as Rule;

/**
 * The rules, one per kind of operation. "Single" identities (ex-partner,
 * editor, admin) have no active couple. The suspended user is refused
 * everywhere (REVOKED).
 */
const SINGLES = { ex: 409, editor: 409, admin: 409 } as const;
const RULES = {
  /** Anyone, signed in or not (sign-in, public content, signed links, webhooks with their own signature). */
  public: all('ok'),
  /** Mounted but not configured in this environment: 404 for everyone. */
  unconfigured: all(404),
  /** The sandbox has no customer portal: any signed-in caller gets 409. */
  portal: { ...all(409), anon: 401 },
  /** Staff-only: admins. */
  admin: { ...all(403), anon: 401, admin: 'ok' },
  /** Staff-only: the editorial desk (editors and admins). */
  editor: { ...all(403), anon: 401, editor: 'ok', admin: 'ok' },
  /** The caller's own things, any signed-in user. */
  self: { ...all('ok'), anon: 401 },
  /** The caller's profile and privacy (users module). */
  account: { ...all('ok'), anon: 401 },
  /** Security settings: the session must be live. */
  session: { ...all('ok'), anon: 401 },
  /** One of the owner's sessions or identities. */
  ownSession: { ...all(404), anon: 401, owner: 'ok' },
  /** MFA the owner has switched on; the others have none to manage. */
  ownMfa: { ...all(409), anon: 401, owner: 'ok' },
  /** A thing of the owner alone: anyone else gets 404 (it does not exist for them). */
  own: { ...all(404), anon: 401, owner: 'ok' },
  /** A note the partner sent to the owner: only its recipient marks it read; the sender sees it (403). */
  ownNote: { ...all(404), anon: 401, owner: 'ok', partner: 403 },
  /** A note between the two partners: both may favourite and react. */
  shared: { ...all(404), anon: 401, owner: 'ok', partner: 'ok' },
  /** A calendar event of the couple: both partners; a stranger 404; no couple 409. */
  sharedCalendar: { ...all(404), anon: 401, owner: 'ok', partner: 'ok', ...SINGLES },
  /** The caller's own active couple (calendar, questions, notes): members of any couple; no couple 409. */
  couple: { ...all('ok'), anon: 401, ...SINGLES },
  /** Linking: only someone without a couple (409 for members). */
  single: { ...all('ok'), anon: 401, owner: 'ok', partner: 409, stranger: 409 },
} satisfies Record<string, Rule>;

type Group = keyof typeof RULES;

const op = (keys: string) => keys.trim().split(/\n\s*/);

/** Which rule each operation follows, with per-identity exceptions where the product says so. */
const GROUPS: Array<{ group: Group; ops: string[]; except?: Partial<Rule> }> = [
  {
    group: 'public',
    ops: op(`GET /health
      GET /ready
      GET /.well-known/jwks.json
      GET /v1/files/{path}
      GET /v1/auth/challenge
      POST /v1/auth/register
      POST /v1/auth/login
      POST /v1/auth/refresh
      POST /v1/auth/email/verify
      POST /v1/auth/password/forgot
      POST /v1/auth/password/reset
      POST /v1/auth/mfa/challenge
      GET /v1/auth/oauth/{provider}/start
      GET /v1/auth/oauth/{provider}/callback
      GET /v1/notifications/vapid-public-key
      GET /v1/notifications/unsubscribe
      POST /v1/notifications/unsubscribe
      POST /v1/notifications/webhooks/twilio
      GET /v1/billing/plans
      GET /v1/billing/sandbox/checkout/{sessionId}
      POST /v1/billing/sandbox/checkout/{sessionId}/complete
      POST /v1/billing/sandbox/checkout/{sessionId}/fail
      GET /v1/content
      GET /v1/content/{slug}
      GET /v1/content/podcasts
      GET /v1/content/podcasts/{show}/feed.xml
      GET /v1/content/media/{file}
      GET /v1/content/media/{hash}/{variant}
      GET /v1/content/media/{hash}/hls/{path}
      GET /v1/calendar/feed/{token}`),
  },
  {
    group: 'unconfigured',
    ops: op(`POST /v1/billing/webhooks/stripe
      POST /v1/billing/webhooks/apple`),
  },
  // Its bearer token is Google's (ownBearer): ours is never read there, revoked or not.
  { group: 'unconfigured', ops: ['POST /v1/billing/webhooks/google'], except: { suspended: 404 } },
  { group: 'portal', ops: ['POST /v1/billing/portal'] },
  {
    group: 'admin',
    ops: op(`GET /v1/auth/audit-log
      GET /v1/admin/notifications/failures
      POST /v1/admin/notifications/failures/{id}/retry
      GET /v1/admin/dead-letters
      POST /v1/admin/dead-letters/{id}/replay
      DELETE /v1/admin/dead-letters/{id}
      GET /v1/admin/api-keys/scopes
      GET /v1/admin/api-keys
      POST /v1/admin/api-keys
      GET /v1/admin/api-keys/{id}
      DELETE /v1/admin/api-keys/{id}
      POST /v1/admin/api-keys/{id}/rotate
      GET /v1/admin/users
      POST /v1/admin/users/{id}/suspend
      POST /v1/admin/users/{id}/unsuspend
      GET /v1/admin/feature-flags
      POST /v1/admin/feature-flags
      GET /v1/admin/feature-flags/{key}
      PUT /v1/admin/feature-flags/{key}
      PATCH /v1/admin/feature-flags/{key}
      DELETE /v1/admin/feature-flags/{key}
      GET /v1/admin/feature-flags/{key}/history
      GET /v1/admin/analytics/active-users
      GET /v1/admin/analytics/retention
      GET /v1/admin/analytics/funnel
      GET /v1/admin/analytics/events
      GET /v1/admin/analytics/live`),
  },
  {
    group: 'editor',
    ops: op(`GET /v1/admin/content
      POST /v1/admin/content
      GET /v1/admin/content/{id}
      PATCH /v1/admin/content/{id}
      DELETE /v1/admin/content/{id}
      GET /v1/admin/content/{id}/revisions
      POST /v1/admin/content/{id}/schedule
      POST /v1/admin/content/{id}/publish
      POST /v1/admin/content/{id}/archive
      POST /v1/admin/content/shows
      POST /v1/admin/content/authors
      POST /v1/admin/content/media`),
  },
  {
    group: 'self',
    ops: op(`GET /v1/realtime/sse
      POST /v1/auth/logout
      GET /v1/couples/invites/{code}
      GET /v1/notifications
      GET /v1/notifications/unread-count
      POST /v1/notifications/read-all
      GET /v1/notifications/preferences
      PATCH /v1/notifications/preferences
      POST /v1/notifications/push-subscriptions
      POST /v1/notifications/devices
      GET /v1/love-notes
      GET /v1/love-notes/templates
      POST /v1/love-notes/templates
      GET /v1/love-notes/settings
      PUT /v1/love-notes/settings
      GET /v1/billing/entitlements
      POST /v1/billing/checkout
      GET /v1/billing/invoices
      GET /v1/feature-flags
      POST /v1/coach/conversations
      GET /v1/coach/conversations
      GET /v1/coach/memory
      PATCH /v1/coach/memory
      DELETE /v1/coach/memory
      POST /v1/coach/suggestions/love-note
      POST /v1/coach/suggestions/date-ideas
      POST /v1/coach/suggestions/conversation-starters
      POST /v1/analytics/events
      POST /v1/analytics/batch`),
  },
  {
    group: 'account',
    ops: op(`GET /v1/users/me
      PATCH /v1/users/me
      DELETE /v1/users/me
      GET /v1/users/me/preferences
      PATCH /v1/users/me/preferences
      PUT /v1/users/me/avatar
      DELETE /v1/users/me/avatar
      GET /v1/users/search
      GET /v1/users/me/consents
      POST /v1/users/me/consents
      POST /v1/users/me/export`),
  },
  {
    group: 'session',
    ops: op(`POST /v1/auth/logout-all
      GET /v1/auth/sessions
      POST /v1/auth/email/resend
      POST /v1/auth/password/change
      POST /v1/auth/reauthenticate
      POST /v1/auth/mfa/totp/setup
      POST /v1/auth/mfa/totp/enable
      GET /v1/auth/identities`),
  },
  { group: 'ownSession', ops: op(`DELETE /v1/auth/sessions/{id}\n DELETE /v1/auth/identities/{id}`) },
  { group: 'ownMfa', ops: op(`POST /v1/auth/mfa/totp/disable\n POST /v1/auth/mfa/recovery-codes`) },
  {
    group: 'own',
    ops: op(`DELETE /v1/notifications/{id}
      POST /v1/notifications/{id}/read
      GET /v1/notifications/{id}/deliveries
      DELETE /v1/notifications/push-subscriptions/{id}
      DELETE /v1/notifications/devices
      PATCH /v1/love-notes/templates/{id}
      DELETE /v1/love-notes/templates/{id}
      GET /v1/love-notes/{id}
      DELETE /v1/love-notes/{id}
      GET /v1/love-notes/{id}/deliveries
      GET /v1/billing/invoices/{id}.pdf
      GET /v1/coach/conversations/{id}/messages
      POST /v1/coach/conversations/{id}/messages
      DELETE /v1/coach/conversations/{id}`),
  },
  // The owner's export.
  { group: 'own', ops: ['GET /v1/users/me/export/{id}'] },
  // The owner's scheduled note: the partner cannot see it yet, so it does not exist for them either.
  {
    group: 'own',
    ops: op(`PATCH /v1/love-notes/{id}
      POST /v1/love-notes/{id}/pause
      POST /v1/love-notes/{id}/resume`),
  },
  { group: 'ownNote', ops: ['POST /v1/love-notes/{id}/read'] },
  {
    group: 'shared',
    ops: op(`POST /v1/love-notes/{id}/favorite
      DELETE /v1/love-notes/{id}/favorite
      POST /v1/love-notes/{id}/reactions
      DELETE /v1/love-notes/{id}/reactions/{emoji}`),
  },
  {
    group: 'sharedCalendar',
    ops: op(`GET /v1/calendar/events/{id}
      PATCH /v1/calendar/events/{id}
      DELETE /v1/calendar/events/{id}`),
  },
  {
    group: 'couple',
    ops: op(`POST /v1/love-notes
      GET /v1/calendar
      GET /v1/calendar/events
      POST /v1/calendar/events
      GET /v1/calendar/countdowns
      POST /v1/calendar/feed
      GET /v1/questions/today
      POST /v1/questions/today/answer
      GET /v1/questions/history
      POST /v1/questions/quiz/today/guess
      GET /v1/questions/quiz/score`),
  },
  // Only the one whose answer was guessed judges: the partner (the owner here); the guesser 404.
  { group: 'couple', ops: ['POST /v1/questions/quiz/judge'], except: { partner: 404, stranger: 404 } },
  {
    group: 'single',
    ops: op(`POST /v1/couples/invites
      POST /v1/couples/invites/{code}/accept
      POST /v1/couples/invites/{code}/decline`),
  },
  // Only the inviter revokes.
  {
    group: 'own',
    ops: ['DELETE /v1/couples/invites/{code}'],
    except: { ...all(403), anon: 401, owner: 'ok' },
  },
  // A closed couple stays readable to its former members for 30 days, read-only.
  {
    group: 'couple',
    ops: ['GET /v1/couples/me'],
    except: { ex: 'ok', editor: 404, admin: 404 },
  },
  { group: 'couple', ops: ['PATCH /v1/couples/me'], except: { editor: 404, admin: 404 } },
  // Unlinking is tried by throwaway users of each kind who are in a couple; the ex has none left.
  { group: 'self', ops: ['DELETE /v1/couples/me'], except: { ex: 404 } },
  // A profile: the partner sees it, others do not find it.
  { group: 'own', ops: ['GET /v1/users/{id}'], except: { partner: 'ok' } },
  // Only one's own id (each identity tries its own; the singles try the stranger's).
  {
    group: 'self',
    ops: ['PUT /v1/users/{id}'],
    except: { ex: 403, editor: 403, admin: 403 },
  },
];

/** The expected table: one row per operation, generated from GROUPS. */
function expectedTable(): Map<string, Rule> {
  const table = new Map<string, Rule>();
  for (const { group, ops, except } of GROUPS) {
    for (const key of ops) {
      if (table.has(key)) throw new Error(`${key} is in two groups`);
      table.set(key, { ...RULES[group], ...except });
    }
  }
  return table;
}

const staffOnly = (op: Operation) => op.path.startsWith('/v1/admin/') || op.key === 'GET /v1/auth/audit-log';

describe('authorization matrix: every route × eight identities', () => {
  let env: FuzzEnvironment;
  let fuzzer: Fuzzer;
  let w: World;

  before(async () => {
    env = await fuzzEnvironment();
    w = env.world;
    w.plain = true;
    const res = await w.anon({ url: '/v1/openapi.json' });
    fuzzer = new Fuzzer(w, res.json() as Document, { seed: 23, runs: 0 });
  });
  after(() => env?.close());

  const actorOf = (identity: Identity): Actor | undefined =>
    identity === 'anon' ? undefined : (w as unknown as Record<string, Actor>)[identity];

  /** Calls that change the caller (accepting an invite links them): a throwaway of the identity's kind. */
  const CHANGES_CALLER = new Set(['POST /v1/couples/invites/{code}/accept']);

  async function outcome(op: Operation, identity: Identity, salt: number): Promise<Outcome> {
    const staff = staffOnly(op);
    const open = !fuzzer.secured(op);
    // Staff-only and open routes: the owner's request (real resources, real one-time tokens) sent by each.
    const recipeWho: Who =
      staff || open || identity === 'owner' ? 'owner' : identity === 'partner' ? 'partner' : 'stranger';
    const built = await fuzzer.buildValid(op, recipeWho, salt);
    if (!built) throw new Error(`${op.key}: no request could be built for ${identity}`);
    let actor = built.actor;
    const kind = identity as 'ex' | 'suspended' | 'editor' | 'admin';
    if (identity === 'anon') actor = undefined;
    else if (staff || open) actor = actorOf(identity);
    else if (built.ownActor && built.actor) {
      // The recipe prepared a throwaway (signed out, MFA set up...): made into the identity's kind.
      if (!['owner', 'partner', 'stranger'].includes(identity)) actor = await w.become(built.actor, kind);
    } else if (CHANGES_CALLER.has(op.key) && !['owner', 'partner', 'stranger'].includes(identity)) {
      actor = await w.become(await w.user('matrix'), kind);
    } else if (!built.ownActor) actor = actorOf(identity);
    const res = await fuzzer.send({ ...built, actor });
    if (identity === 'suspended' && res.statusCode === 401) {
      const code = (res.json() as { errors?: Array<{ code: string }> }).errors?.[0]?.code;
      if (code !== 'TOKEN_REVOKED') notRevoked.push(`${op.key}: ${code}`);
    }
    return res.statusCode < 400 ? 'ok' : res.statusCode;
  }
  /** 401s the suspended user got that do not say why (TOKEN_REVOKED). */
  const notRevoked: string[] = [];

  it('matches the expected table for every operation and identity', async (t) => {
    const expected = expectedTable();
    const operations = fuzzer.operations;
    const missing = operations.map((op) => op.key).filter((key) => !expected.has(key));
    const observed = new Map<string, Rule>();
    let salt = 0;
    for (const op of operations) {
      const row = {} as Rule;
      // One salt per operation: every identity sends the same generated body.
      salt += 7;
      for (const identity of IDENTITIES) row[identity] = await outcome(op, identity, salt);
      observed.set(op.key, row);
    }
    const mismatches: string[] = [];
    for (const [key, row] of observed) {
      const want = expected.get(key);
      if (!want) continue;
      for (const identity of IDENTITIES) {
        if (want[identity] !== row[identity]) {
          mismatches.push(`${key} as ${identity}: expected ${want[identity]}, got ${row[identity]}`);
        }
      }
    }
    t.diagnostic(
      `${operations.length} operations × ${IDENTITIES.length} identities, ${mismatches.length} mismatches`,
    );
    const rows = [...observed].map(
      ([key, row]) => `${key} ${IDENTITIES.map((i) => `${i}:${row[i]}`).join(' ')}`,
    );
    assert.deepEqual(
      missing,
      [],
      `operations in no group of the table:\n${missing.map((k) => `${k} → ${rows.find((r) => r.startsWith(`${k} `))}`).join('\n')}`,
    );
    assert.deepEqual(mismatches, []);
    assert.deepEqual(notRevoked, []);
  });
});

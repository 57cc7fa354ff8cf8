import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import {
  accessibilityViolations,
  apiAs,
  assertFitsScreen,
  browserMissing,
  type Person,
  screenshot,
  useServedBrowser,
} from '../support/web.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const skip = browserMissing();

/** The README's way to make staff: `users:grant-role` as a real process on the served app's database. */
async function grantRole(databaseUrl: string, email: string, role: 'admin' | 'editor'): Promise<void> {
  const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'users:grant-role', email, role], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, output);
}

/** The role arrives with a fresh sign-in (granting ended the old sessions). */
async function signInAgain(person: Person): Promise<void> {
  const { page } = person;
  await person.context.clearCookies();
  await page.goto('/signin');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

async function noViolations(page: Page, what: string): Promise<void> {
  assert.deepEqual(await accessibilityViolations(page), [], `axe on ${what}`);
}

/** `yyyy-mm-ddThh:mm` in the browser's zone, what a datetime-local input takes. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

describe('admin panel in Chromium', { skip }, () => {
  const web = useServedBrowser();
  let db: pg.Client;
  let admin: Person;
  let editor: Person;
  let ordinary: Person;
  const adminChunks: string[] = [];

  before(async () => {
    db = new pg.Client({ connectionString: web.served.database.url });
    await db.connect();
    web.cleanup(() => db.end());
    [admin, editor, ordinary] = await Promise.all([
      web.signUp('Ada'),
      web.signUp('Eddie'),
      web.signUp('Uma'),
    ]);
    // Every request of the ordinary person's browser, service worker included.
    ordinary.context.on('request', (request) => {
      if (/AdminPanel-/.test(request.url())) adminChunks.push(request.url());
    });
    await grantRole(web.served.database.url, admin.email, 'admin');
    await grantRole(web.served.database.url, editor.email, 'editor');
    await signInAgain(admin);
    await signInAgain(editor);
  });

  test('an ordinary user sees no Admin entry, is told /admin is for the team, and never loads its code', async () => {
    const { page } = ordinary;
    await page.goto('/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Home' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Admin' }).count(), 0);
    await page.goto('/admin');
    await page.getByText('This page is for the team only.').waitFor();
    await page.goto('/admin/users');
    await page.getByText('This page is for the team only.').waitFor();
    assert.deepEqual(adminChunks, [], 'the admin chunk was downloaded by an ordinary user');

    // Staff do see it in the main navigation.
    await admin.page.goto('/');
    await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).waitFor();
  });

  test('the admin finds a person, suspends them with a reason (their next call is refused) and lifts it', async () => {
    const victim = await web.signUp('Quentin');
    const asVictim = await apiAs(victim);
    await asVictim('GET', '/v1/users/me');

    const { page } = admin;
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL('**/admin/users');
    await page.getByLabel('Search users').fill('Quen');
    await page.getByRole('link', { name: 'Quentin' }).click();
    const details = page.getByRole('region', { name: 'Quentin' });
    await details.getByText('active', { exact: true }).waitFor();

    await details.getByRole('button', { name: 'Suspend' }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend Quentin?' });
    await dialog.getByLabel('Reason').fill('Spam reported by three people');
    await noViolations(page, 'the suspend dialog');
    await dialog.getByRole('button', { name: 'Suspend account' }).click();
    await details.getByText('The account is suspended.', { exact: true }).waitFor();
    await details.getByText('Spam reported by three people').waitFor();
    await screenshot(page, 'admin-users');
    await noViolations(page, 'the users page');

    // Refused at once: 403 from the users module's own check, or 401 TOKEN_REVOKED once auth's
    // consumer of the suspension has ended the sessions (which comes first is a race).
    await assert.rejects(asVictim('GET', '/v1/users/me'), /: (403 |401 .*TOKEN_REVOKED)/);

    await details.getByRole('button', { name: 'Lift suspension' }).click();
    await page
      .getByRole('dialog', { name: 'Lift the suspension of Quentin?' })
      .getByRole('button', { name: 'Lift suspension' })
      .click();
    await details.getByText('The suspension is lifted.', { exact: true }).waitFor();
    await details.getByText('active', { exact: true }).waitFor();
  });

  test('the admin sees dead letters with their error and payload, replays one and deletes another', async () => {
    // Real dead letters: a real event from the outbox (Uma's registration) that two consumer
    // groups "gave up on", as the bus writes them after the last attempt (src/platform/bus/dispatch.ts).
    const { rows } = await db.query<{
      id: string;
      type: string;
      version: number;
      occurred_at: Date;
      actor_id: string | null;
      couple_id: string | null;
      data: unknown;
    }>(
      `select id, type, version, occurred_at, actor_id, couple_id, data from outbox_events
        where type = 'user.registered' order by position limit 1`,
    );
    const event = rows[0];
    assert.ok(event, 'a user.registered event is in the outbox');
    const envelope = {
      id: event.id,
      type: event.type,
      version: event.version,
      occurredAt: event.occurred_at.toISOString(),
      actorId: event.actor_id,
      coupleId: event.couple_id,
      data: event.data,
    };
    for (const [group, error] of [
      ['users', 'Error: profile store timed out after 5000 ms'],
      ['analytics', 'Error: partition for today is missing'],
    ] as const) {
      await db.query(
        `insert into bus_dead_letters (id, group_name, event_id, event_type, event, attempts, last_error)
         values ($1, $2, $3, $4, $5, 8, $6)`,
        [randomUUID(), group, event.id, event.type, JSON.stringify(envelope), error],
      );
    }

    const { page } = admin;
    await page.goto('/admin/dead-letters');
    const list = page.getByRole('list', { name: 'Dead letters' });
    await list.getByText('Error: profile store timed out after 5000 ms').waitFor();
    assert.equal(await list.getByRole('listitem').count(), 2);
    const first = list.getByRole('listitem').filter({ hasText: 'profile store timed out' });
    await first.getByText('8', { exact: true }).waitFor();
    await first.getByText('Payload').click();
    await first.getByText(`"id": "${event.id}"`).waitFor();
    await noViolations(page, 'the dead letters page');
    await screenshot(page, 'admin-dead-letters');

    await page.getByRole('button', { name: 'Replay user.registered (users)' }).click();
    await page.getByText('Replayed user.registered to the users group.').waitFor();
    await list.getByText('profile store timed out').waitFor({ state: 'detached' });
    assert.equal(await list.getByRole('listitem').count(), 1);

    await page.getByRole('button', { name: 'Delete user.registered (analytics)' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this dead letter?' })
      .getByRole('button', { name: 'Delete without replaying' })
      .click();
    await page.getByText('No dead letters. Every event was handled.').waitFor();
    const left = await db.query('select count(*)::int as n from bus_dead_letters');
    assert.equal(left.rows[0].n, 0);
  });

  test('the admin sees a failed delivery in the failures table and sends it again; the worker sends it', async () => {
    // A real failed delivery, as the worker leaves one after its last attempt: an email to Uma
    // (security notices always go by email) that the mail provider refused.
    const me = (await (await apiAs(ordinary))('GET', '/v1/users/me')) as { id: string };
    const [notificationId, deliveryId] = [randomUUID(), randomUUID()];
    await db.query(
      `insert into notifications_items (user_id, id, event_id, kind, category, priority, title, body)
       values ($1, $2, $3, 'security.test-notice', 'security', 'high', 'A new sign-in', 'Was it you?')`,
      [me.id, notificationId, randomUUID()],
    );
    await db.query(
      `insert into notifications_deliveries
         (user_id, id, notification_id, channel, status, reason, attempts, last_error)
       values ($1, $2, $3, 'email', 'failed', 'retries-exhausted', 8, $4)`,
      [me.id, deliveryId, notificationId, '421 mail provider busy, try later'],
    );
    const delivery = async () =>
      (
        await db.query<{ status: string; attempts: number }>(
          'select status, attempts from notifications_deliveries where id = $1',
          [deliveryId],
        )
      ).rows[0];

    const { page } = admin;
    await page.goto('/admin/notifications');
    await page.getByRole('heading', { name: 'Notification failures', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Failed deliveries, newest first' });
    const row = table.getByRole('row').filter({ hasText: '421 mail provider busy' });
    await row.getByRole('cell', { name: 'security.test-notice', exact: true }).waitFor();
    await row.getByRole('cell', { name: '8', exact: true }).waitFor();
    await table.getByRole('columnheader', { name: 'Action' }).waitFor();
    await noViolations(page, 'the notification failures page');
    await screenshot(page, 'admin-notification-failures');

    await row.getByRole('button', { name: /^Send again: security\.test-notice by Email, / }).click();
    await page.getByText('Sending the security.test-notice notification by Email again.').waitFor();
    // Back in line, so no longer a failure: the refreshed table leaves it out.
    await row.waitFor({ state: 'detached' });
    // The worker's fresh attempt sends it (the mail goes to the served app's outbox directory).
    for (let tries = 0; (await delivery())?.status !== 'sent'; tries++) {
      assert.ok(tries < 150, `the delivery was not sent again: ${JSON.stringify(await delivery())}`);
      await sleep(200);
    }
    assert.equal((await delivery())?.attempts, 1, 'a fresh set of attempts');
  });

  test('the admin creates a flag for one person, flips its kill switch and deletes it', async () => {
    const me = (await (await apiAs(ordinary))('GET', '/v1/users/me')) as { id: string };
    const flagRow = async () =>
      (await db.query('select * from feature_flags_flags where key = $1', ['web.pilot'])).rows[0];
    const { page } = admin;
    await page.goto('/admin/flags');
    await page.getByRole('heading', { name: 'Feature flags', level: 1 }).waitFor();
    const list = page.getByRole('list', { name: 'Feature flags' });
    await list.getByRole('heading', { name: 'coach' }).waitFor();

    await page.getByRole('button', { name: 'New flag' }).click();
    const form = page.getByRole('form', { name: 'New flag' });
    await form.getByLabel('Key').fill('web.pilot');
    await form.getByLabel('Description').fill('Pilot of the web app');
    await form.getByLabel('Rollout (%)').fill('25');
    await form.getByLabel('Always on for (user ids, one a line)').fill(me.id);
    await noViolations(page, 'the new flag form');
    await form.getByRole('button', { name: 'Create flag' }).click();
    await list.getByRole('heading', { name: 'web.pilot' }).waitFor();
    const created = await flagRow();
    assert.equal(created.rollout_percentage, 25);
    assert.deepEqual(created.allow_users, [me.id]);
    assert.equal(created.enabled, true);

    // The kill switch is the item's switch; the API keeps what the list shows.
    const item = list.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'web.pilot' }) });
    await item.getByRole('switch').click();
    await item.getByText('Off (killed)').waitFor();
    for (let tries = 0; (await flagRow()).enabled && tries < 50; tries++) await sleep(100);
    assert.equal((await flagRow()).enabled, false);
    await screenshot(page, 'admin-flags');
    await noViolations(page, 'the flags page');

    await item.getByRole('button', { name: 'Delete web.pilot' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the flag web.pilot?' })
      .getByRole('button', { name: 'Delete flag' })
      .click();
    await list.getByRole('heading', { name: 'web.pilot' }).waitFor({ state: 'detached' });
    assert.equal(await flagRow(), undefined);
  });

  test('an editor sees only the content editor; creates, previews, revises and schedules an article', async () => {
    const { page } = editor;
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL('**/admin/content');
    const adminNav = page.getByRole('navigation', { name: 'Admin' });
    await adminNav.getByRole('link', { name: 'Content' }).waitFor();
    assert.equal(await adminNav.getByRole('link').count(), 1, 'editors see only Content');
    await page.goto('/admin/users');
    await page.getByText('This page is for the team only.').waitFor();

    await page.goto('/admin/content');
    await page.getByRole('link', { name: 'New item' }).click();
    await page.getByLabel('Title').fill('Ten minutes a day');
    assert.equal(await page.getByLabel('Slug').inputValue(), 'ten-minutes-a-day');
    await page.getByLabel('Excerpt').fill('Small rituals that keep two people close.');
    await page.getByLabel('Tags').fill('Habits, time together');
    await page
      .getByLabel('Body (Markdown)')
      .fill('# Why it works\n\nSmall **daily** rituals add up.\n\n- a walk\n- a question');
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByRole('heading', { name: 'Why it works' }).waitFor();
    assert.equal(await preview.locator('strong').textContent(), 'daily');
    assert.equal(await preview.getByRole('listitem').count(), 2);
    // An uploaded image (the API decides the type from the bytes) becomes the cover.
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#b0234f' } })
      .png()
      .toBuffer();
    await page
      .getByLabel('Upload an image or audio file')
      .setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: png });
    await page.getByText('Uploaded image (', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Use as cover' }).click();
    assert.match(
      await page.getByLabel('Cover image URL').inputValue(),
      /^http:\/\/127\.0\.0\.1:\d+\/v1\/content\/media\/[0-9a-f]+\.png$/,
    );
    await noViolations(page, 'the new item editor');
    await page.getByRole('button', { name: 'Create draft' }).click();

    await page.waitForURL(/\/admin\/content\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Edit: Ten minutes a day', level: 1 }).waitFor();
    const publishing = page.getByRole('region', { name: 'Publishing' });
    await publishing.getByText('draft', { exact: true }).waitFor();

    // A second revision.
    await page
      .getByLabel('Body (Markdown)')
      .fill('# Why it works\n\nSmall **daily** rituals add up, week after week.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await publishing.getByText(/revision 2/).waitFor();
    const revisions = page.getByRole('region', { name: 'Revisions' });
    await revisions.getByText(/Revision 2: .* \(current\)/).waitFor();
    await revisions.getByText(/Revision 1: /).waitFor();

    // Scheduled for tomorrow at 09:30 local time.
    const tomorrow = new Date(Date.now() + 86_400_000);
    tomorrow.setHours(9, 30, 0, 0);
    await publishing.getByLabel('Publish at').fill(localInput(tomorrow));
    await publishing.getByRole('button', { name: 'Schedule' }).click();
    await publishing.getByText('scheduled', { exact: true }).waitFor();
    const stored = await db.query<{
      status: string;
      published_at: Date;
      revision: number;
      cover_image: string | null;
    }>(
      `select status, published_at, revision, cover_image from content_items where slug = 'ten-minutes-a-day'`,
    );
    assert.equal(stored.rows[0]?.status, 'scheduled');
    assert.equal(stored.rows[0]?.revision, 2);
    assert.equal(stored.rows[0]?.published_at.getTime(), tomorrow.getTime());
    assert.match(stored.rows[0]?.cover_image ?? '', /\/v1\/content\/media\/[0-9a-f]+\.png$/);
    await noViolations(page, 'the item editor');
    await screenshot(page, 'admin-content-editor');

    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Content' }).click();
    await page.getByRole('button', { name: 'Scheduled' }).click();
    await page.getByRole('table').getByRole('link', { name: 'Ten minutes a day' }).waitFor();
    await noViolations(page, 'the content list');
    await screenshot(page, 'admin-content-list');
    await page.getByRole('button', { name: 'Draft' }).click();
    await page.getByText('Nothing with the status draft.').waitFor();
  });

  test('the analytics dashboard charts active users, retention and a funnel, with live counters', async () => {
    const asAdmin = await apiAs(admin);
    await asAdmin('POST', '/v1/users/me/consents', { type: 'analytics', version: '1', granted: true });
    const accepted = (await asAdmin('POST', '/v1/analytics/batch', {
      events: [
        { id: randomUUID(), event: 'screen.viewed', properties: { screen: 'home' } },
        { id: randomUUID(), event: 'composer.opened' },
        { id: randomUUID(), event: 'screen.viewed', properties: { screen: 'inbox' } },
      ],
    })) as { accepted: number };
    assert.equal(accepted.accepted, 3);
    // The rollup runs every five minutes; ask the worker for one now, as its cron would.
    await db.query(`select graphile_worker.add_job('analytics.rollup', '{}'::json)`);
    for (let tries = 0; ; tries++) {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from analytics_active_users where users > 0`,
      );
      if (rows[0]!.n > 0) break;
      assert.ok(tries < 100, 'the rollup did not run');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const { page } = admin;
    await page.goto('/admin/analytics');
    const active = page.getByRole('figure', { name: 'Active users (DAU, WAU, MAU)' });
    await active.getByText(/1 active users on the last day/).waitFor();
    assert.equal(await active.locator('.recharts-line').count(), 3, 'three lines: DAU, WAU, MAU');
    await active.getByText('The numbers as a table').click();
    const today = new Date().toISOString().slice(0, 10);
    await active.getByRole('row', { name: new RegExp(`^${today}`) }).waitFor();

    const retention = page.getByRole('region', { name: 'Retention by cohort' });
    await retention.getByRole('cell', { name: '100% (1)' }).first().waitFor();

    const funnel = page.getByRole('region', { name: 'Funnel' });
    await funnel.getByLabel('Funnel steps').fill('screen.viewed, composer.opened');
    await funnel.getByRole('button', { name: 'Show funnel' }).click();
    const funnelFigure = page.getByRole('figure', { name: 'Funnel' });
    await funnelFigure
      .getByText(/1 people did screen.viewed; 1 of them \(100%\) went on to composer.opened/)
      .waitFor();
    assert.equal(await funnelFigure.locator('.recharts-bar-rectangle').count(), 2);

    const live = page.getByRole('region', { name: 'Right now' });
    await live.getByRole('status').getByText('Live').waitFor();
    // The first counter (active users in the last five minutes) counts the admin, who just sent events.
    await page.waitForFunction(() => Number(document.querySelector('.counters dd')?.textContent) >= 1);

    await noViolations(page, 'the analytics page');
    await screenshot(page, 'admin-analytics');

    // A phone: nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.reload();
    await page
      .getByRole('figure', { name: 'Funnel' })
      .waitFor()
      .catch(async (error) => {
        // What the page showed instead: kept as an artefact for whoever reads the failure.
        await screenshot(page, 'admin-analytics-phone-failed');
        throw error;
      });
    await assertFitsScreen(page, 'the analytics page');
    await screenshot(page, 'admin-analytics-phone');
    await page.setViewportSize({ width: 1100, height: 800 });
  });
});

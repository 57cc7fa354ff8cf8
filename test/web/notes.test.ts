import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  accessibilityViolations,
  apiAs,
  assertFitsScreen,
  browserMissing,
  type Person,
  screenshot,
  useServedBrowser,
} from '../support/web.ts';

const skip = browserMissing();

/** A marker on the page's window: still there later means the page was never reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
}
async function notReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);
}

/** A note's card in the list on the page, found by its text. */
const card = (page: Page, text: string) => page.getByRole('listitem').filter({ hasText: text });

/** Waits until the page shows a box of the notes page (`/notes?box=…`). */
const atBox = (page: Page, box: string | null) =>
  page.waitForURL((url) => url.pathname === '/notes' && url.searchParams.get('box') === box);

/** `YYYY-MM-DDTHH:mm:ss` in UTC, what a datetime-local input holds for a UTC wall clock. */
const utcWallClock = (at: Date) => at.toISOString().slice(0, 19);

describe('partner linking and love notes in Chromium', { skip }, () => {
  const web = useServedBrowser();
  // Ana invites, Ben types her code: the couple every test below uses.
  let ana: Person;
  let ben: Person;

  test('two people link through the UI: one creates a code, the other types it; both land in their notes', async () => {
    ana = await web.signUp('Ana');
    ben = await web.signUp('Ben');

    await ana.page.getByRole('button', { name: 'Create an invite code' }).click();
    const code = (await ana.page.locator('.invite-code').textContent())?.trim() ?? '';
    assert.match(code, /^[0-9A-Z]{12}$/);
    assert.equal(await ana.page.getByLabel('Invite link').inputValue(), `${web.url}/invite/${code}`);
    assert.deepEqual(await accessibilityViolations(ana.page), []);
    await screenshot(ana.page, 'link-invite');

    // Typed the way people type: lower case, with a space in the middle.
    await ben.page
      .getByLabel("Your partner's code")
      .fill(`${code.slice(0, 6).toLowerCase()} ${code.slice(6)}`);
    await ben.page.getByRole('button', { name: 'Link with my partner' }).click();
    await ben.page.waitForURL('**/notes');
    // Ana was waiting on her code: the live `couple.linked` notification moves her on.
    await ana.page.waitForURL('**/notes', { timeout: 15_000 });

    await ben.page.getByRole('link', { name: 'Partner' }).click();
    await ben.page.getByRole('heading', { name: 'You and Ana' }).waitFor();
    assert.match((await ben.page.locator('.days').textContent()) ?? '', /0 days together/);
  });

  test('a note arrives live in the partner inbox, opening it sends the read receipt live, a reaction reaches the sender', async () => {
    await ben.page.goto('/notes');
    await ben.page.getByRole('heading', { name: 'Love notes' }).waitFor();
    await markPage(ben.page);

    const text = `Good morning, sunshine ${Date.now()}`;
    await ana.page.goto('/notes/new');
    await ana.page.getByLabel('Your note to Ben').fill(text);
    await ana.page.getByRole('button', { name: 'Send note' }).click();
    await atBox(ana.page, 'sent');
    await card(ana.page, text).getByText('Delivered').waitFor();
    await markPage(ana.page);

    // No reload on Ben's side: the socket's `love-note.created` put it at the top of his inbox.
    const arrived = card(ben.page, text);
    await arrived.getByText('New', { exact: true }).waitFor({ timeout: 10_000 });
    assert.equal(await notReloaded(ben.page), true, "Ben's page was reloaded");
    assert.match((await ben.page.locator('.notes > li').first().textContent()) ?? '', new RegExp(text));

    await arrived.getByRole('link', { name: text }).click();
    await ben.page.getByRole('heading', { name: 'A note from Ana' }).waitFor();
    await ben.page.getByText(text).waitFor();

    // Ana's sent list turns "Read" live (`love-note.read`).
    await card(ana.page, text).getByText('Read', { exact: true }).waitFor({ timeout: 10_000 });

    await ben.page.getByRole('button', { name: 'React ❤️' }).click();
    // The optimistic reaction lands after the mutation's (async) onMutate: wait for it, do not read it at once.
    await ben.page.getByRole('button', { name: 'React ❤️', pressed: true }).waitFor();
    await ben.page.getByRole('list', { name: 'Reactions' }).getByText('You reacted ❤️').waitFor();
    // …and shows on Ana's side live (`love-note.reacted`), still without a reload.
    await card(ana.page, text).getByText('Ben reacted ❤️').waitFor({ timeout: 10_000 });
    assert.equal(await notReloaded(ana.page), true, "Ana's page was reloaded");
    await screenshot(ben.page, 'note-view');
  });

  test('a note scheduled a few seconds ahead is listed as scheduled, then reaches the partner when due', async () => {
    await ben.page.goto('/notes');
    await ben.page.getByRole('heading', { name: 'Love notes' }).waitFor();

    const text = `See you tonight ${Date.now()}`;
    const due = new Date(Date.now() + 20_000);
    await ana.page.goto('/notes/new');
    await ana.page.getByLabel('Your note to Ben').fill(text);
    await ana.page.getByLabel('Schedule').check();
    await ana.page.getByLabel('Time zone').selectOption('UTC');
    await ana.page.getByLabel('Date and time').fill(utcWallClock(due));
    await screenshot(ana.page, 'notes-new-schedule');
    await ana.page.getByRole('button', { name: 'Schedule note' }).click();
    await atBox(ana.page, 'scheduled');
    const scheduled = card(ana.page, text);
    await scheduled.getByText(/^Goes /).waitFor();
    assert.match((await scheduled.textContent()) ?? '', /UTC/);
    assert.ok(Date.now() < due.getTime(), 'the note was listed before it was due');
    await screenshot(ana.page, 'notes-scheduled');

    await card(ben.page, text).getByText('New', { exact: true }).waitFor({ timeout: 60_000 });
    assert.ok(Date.now() >= due.getTime() - 2_000, 'delivered before its time');
  });

  test('a refused send shows at once in "sent", then rolls back with the API message', async () => {
    await ana.page.goto('/notes/new');
    const text = `Far too long ${Date.now()} ${'x'.repeat(5_000)}`;
    await ana.page.getByLabel('Your note to Ben').fill(text);
    await ana.page.getByText('too long to send').waitFor();

    // Hold the API's answer until the optimistic note has been seen.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await ana.page.route('**/v1/love-notes', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await ana.page.getByRole('button', { name: 'Send note' }).click();
    await atBox(ana.page, 'sent');
    const pending = card(ana.page, text.slice(0, 30));
    await pending.getByText('Sending…').waitFor();
    release();

    const alert = ana.page.getByRole('alert').filter({ hasText: 'Your note was not sent' });
    await alert.waitFor({ timeout: 10_000 });
    assert.match((await alert.textContent()) ?? '', /5000/);
    await pending.waitFor({ state: 'detached' });
    await ana.page.unroute('**/v1/love-notes');
    await screenshot(ana.page, 'notes-send-refused');

    // The draft comes back to the composer.
    await ana.page.getByRole('button', { name: 'Edit the note' }).click();
    await ana.page.waitForURL('**/notes/new');
    assert.equal(await ana.page.getByLabel('Your note to Ben').inputValue(), text);
  });

  test('a reaction the API refuses shows at once, then rolls back with a visible error', async () => {
    const note = (await (
      await apiAs(ana)
    )('POST', '/v1/love-notes', { body: 'Hidden in a moment' })) as {
      id: string;
    };
    await ben.page.goto(`/notes/${note.id}`);
    const fire = ben.page.getByRole('button', { name: 'React 🔥' });
    await fire.waitFor();
    // Hidden from Ben's inbox elsewhere (another tab) while this page still shows it: the API answers 404.
    await (await apiAs(ben))('DELETE', `/v1/love-notes/${note.id}`);
    // The API's answer is held until the optimistic reaction has been seen.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await ben.page.route('**/reactions', async (route) => {
      await held;
      await route.continue();
    });
    await fire.click();
    await ben.page.getByText('You reacted 🔥').waitFor();
    assert.equal(await fire.getAttribute('aria-pressed'), 'true');
    release();
    await ben.page.getByRole('alert').filter({ hasText: 'Your reaction was not saved' }).waitFor();
    await ben.page.unroute('**/reactions');
    // The rollback is the app's own state change: wait for it rather than read the page at one instant.
    await ben.page.getByRole('button', { name: 'React 🔥', pressed: false }).waitFor();
    await ben.page.getByText('You reacted 🔥').waitFor({ state: 'detached' });
  });

  test('the inbox pages with "Load more", filters favourites, and the scheduled list pauses, edits and deletes', async () => {
    const asBen = await apiAs(ben);
    for (let i = 1; i <= 21; i++) await asBen('POST', '/v1/love-notes', { body: `Old note number ${i}` });
    const series = (await asBen('POST', '/v1/love-notes', {
      body: 'Every morning',
      scheduledAt: utcWallClock(new Date(Date.now() + 86_400_000)),
      timeZone: 'UTC',
      recurrence: 'FREQ=DAILY;COUNT=5',
    })) as { id: string };
    assert.ok(series.id);

    await ana.page.goto('/notes');
    const oldNote = (n: number) => ana.page.getByRole('link', { name: `Old note number ${n}`, exact: true });
    await oldNote(21).waitFor();
    await oldNote(2).waitFor();
    assert.equal(await oldNote(1).count(), 0, 'the first page holds 20 notes');
    await ana.page.getByRole('button', { name: 'Load more' }).click();
    await oldNote(1).waitFor();

    await card(ana.page, 'Old note number 7').getByRole('button', { name: 'Favourite' }).click();
    // click, not check(): the box follows the URL, which the router updates a moment later.
    await ana.page.getByLabel('Favourites only').click();
    await ana.page.waitForURL((url) => url.searchParams.get('favorite') === 'true');
    await card(ana.page, 'Old note number 7').waitFor();
    assert.equal(await ana.page.locator('.notes > li').count(), 1);
    await ana.page.getByLabel('Favourites only').click();
    await atBox(ana.page, null);

    // Ben's scheduled series: pause, resume, edit the text, then delete with a confirmation.
    await ben.page.goto('/notes?box=scheduled');
    const item = ben.page.locator('.notes > li').filter({ hasText: 'Every day, 5 times' });
    await item.getByText('Every morning').waitFor();
    await item.getByRole('button', { name: 'Pause' }).click();
    await item.getByText('Paused').waitFor();
    await item.getByRole('button', { name: 'Resume' }).click();
    await item.getByRole('button', { name: 'Pause' }).waitFor();
    await item.getByRole('button', { name: 'Edit' }).click();
    await item.getByLabel('Text', { exact: true }).fill('Every morning, my love');
    await item.getByRole('button', { name: 'Save changes' }).click();
    await item.getByText('Every morning, my love').waitFor();
    await item.getByRole('button', { name: 'Delete' }).click();
    await item.getByRole('button', { name: 'Yes, delete it' }).click();
    await item.waitFor({ state: 'detached' });
  });

  test('a template fills the composer, and a new personal template can be created and used', async () => {
    await ana.page.goto('/notes/new');
    await ana.page.getByLabel('Category', { exact: true }).selectOption('goodnight');
    // The templates come from a query: wait until they are offered before counting them.
    await ana.page
      .getByLabel('Template', { exact: true })
      .locator('option')
      .nth(1)
      .waitFor({ state: 'attached' });
    const options = await ana.page
      .getByLabel('Template', { exact: true })
      .locator('option')
      .allTextContents();
    assert.ok(options.length > 1, 'the goodnight templates are offered');
    await ana.page.getByLabel('Template', { exact: true }).selectOption({ index: 1 });
    assert.notEqual(await ana.page.getByLabel('Your note to Ben').inputValue(), '');

    await ana.page.getByRole('button', { name: 'Create a template' }).click();
    await ana.page.getByLabel('Title').fill('Our joke');
    await ana.page.getByLabel('Template text').fill('{{partnerName}}, remember the penguin?');
    await ana.page.getByRole('button', { name: 'Save template' }).click();
    await ana.page
      .getByLabel('Template', { exact: true })
      .locator('option', { hasText: 'Our joke (mine)' })
      .waitFor({ state: 'attached' });
    assert.equal(
      await ana.page.getByLabel('Your note to Ben').inputValue(),
      '{{partnerName}}, remember the penguin?',
    );
    await ana.page.getByRole('button', { name: 'Send note' }).click();
    // The API fills the partner's name into the template.
    const penguin = card(ana.page, 'Ben, remember the penguin?');
    await penguin.getByText('Delivered').waitFor();

    // Not read yet, so Ana can take it back.
    await penguin.getByRole('link').click();
    await ana.page.getByRole('button', { name: 'Unsend' }).click();
    await ana.page.getByRole('button', { name: 'Yes, unsend' }).click();
    await atBox(ana.page, 'sent');
    await ana.page.getByRole('link', { name: 'Good morning, sunshine', exact: false }).waitFor();
    assert.equal(await penguin.count(), 0);
  });

  test('an invite link: a signed-out visitor signs in, comes back, sees who invited and declines', async () => {
    const cleo = await web.signUp('Cleo');
    const dan = await web.signUp('Dan');
    const invite = (await (
      await apiAs(cleo)
    )('POST', '/v1/couples/invites')) as { code: string; url: string };

    // Signed out for real (the guard's redirect) before opening the link, so the navigation
    // does not race the logout request (as in shell.test.ts).
    await dan.page.getByRole('button', { name: 'Sign out' }).click();
    await dan.page.waitForURL('**/signin');
    await dan.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await dan.page.goto(new URL(invite.url).pathname);
    await dan.page.waitForURL('**/signin');
    await dan.page.getByLabel('Email').fill(dan.email);
    await dan.page.getByLabel('Password').fill(dan.password);
    await dan.page.getByRole('button', { name: 'Sign in' }).click();
    await dan.page.waitForURL(`**/invite/${invite.code}`);
    await dan.page.getByRole('heading', { name: 'Cleo invited you' }).waitFor();
    assert.deepEqual(await accessibilityViolations(dan.page), []);
    await screenshot(dan.page, 'invite');
    await dan.page.getByRole('button', { name: 'Decline' }).click();
    await dan.page.getByText('You declined the invite.').waitFor();
    await dan.page.getByText('This invite was declined.').waitFor();
    await cleo.context.close();
    await dan.context.close();
  });

  test('an invite link opened by someone without an account: sign-up leads back to the invite, which they accept', async () => {
    const eve = await web.signUp('Eve');
    const invite = (await (await apiAs(eve))('POST', '/v1/couples/invites')) as { code: string; url: string };
    const context = await web.newContext();
    const page = await context.newPage();
    await page.goto(new URL(invite.url).pathname);
    await page.waitForURL('**/signin');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Finn');
    await page.getByLabel('Email').fill(`finn-${process.pid}-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery staple 42');
    await page.getByLabel('I accept the terms').check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`**/invite/${invite.code}`);
    await page.getByRole('heading', { name: 'Eve invited you' }).waitFor();
    await page.getByRole('button', { name: 'Accept and link' }).click();
    await page.waitForURL('**/notes');
    const couple = (await (
      await apiAs(eve)
    )('GET', '/v1/couples/me')) as { partner: { displayName: string } };
    assert.equal(couple.partner.displayName, 'Finn');
    await context.close();
    await eve.context.close();
  });

  test('the couple page edits nicknames and dates; /link, /notes and /notes/new pass axe and fit 360 px', async () => {
    await ana.page.goto('/couple');
    await ana.page.getByRole('heading', { name: 'You and Ben' }).waitFor();
    await ana.page.getByLabel('Your nickname for Ben').fill('Benny');
    await ana.page.getByLabel('Anniversary').fill('2021-06-12');
    await ana.page.getByRole('button', { name: 'Save' }).click();
    await ana.page.getByText('Saved').waitFor();
    assert.deepEqual(await accessibilityViolations(ana.page), []);
    await screenshot(ana.page, 'couple');
    await ben.page.goto('/couple');
    await ben.page.getByText('Ana calls you').waitFor();
    assert.match((await ben.page.locator('.couple-summary').textContent()) ?? '', /calls you Benny/);

    // An unlinked person's /link page; the couple's pages.
    const eve = await web.signUp('Eve');
    assert.deepEqual(await accessibilityViolations(eve.page), []);
    await screenshot(eve.page, 'link');
    for (const [path, heading, name] of [
      ['/notes', 'Love notes', 'notes'],
      ['/notes/new', 'Write a love note', 'notes-new'],
    ] as const) {
      await ana.page.goto(path);
      await ana.page.getByRole('heading', { name: heading }).waitFor();
      await ana.page.locator('.loading').waitFor({ state: 'detached' });
      assert.deepEqual(await accessibilityViolations(ana.page), [], path);
      await screenshot(ana.page, name);
    }

    for (const [page, path, name] of [
      [eve.page, '/link', 'link-phone'],
      [ana.page, '/notes', 'notes-phone'],
      [ana.page, '/notes/new', 'notes-new-phone'],
    ] as const) {
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(path);
      await page.locator('h1').waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      await assertFitsScreen(page);
      assert.deepEqual(await accessibilityViolations(page), [], `${path} at 360 px`);
      await screenshot(page, name);
    }

    // Unlinking asks first, then leaves the couple read-only.
    await ana.page.goto('/couple');
    await ana.page.getByRole('button', { name: 'Unlink from Benny' }).click();
    await ana.page.getByRole('button', { name: 'Keep our link' }).click();
    await ana.page.getByRole('button', { name: 'Unlink from Benny' }).click();
    await ana.page.getByRole('button', { name: 'Yes, unlink' }).click();
    await ana.page.getByRole('heading', { name: 'Your former couple' }).waitFor();

    // The closed couple's notes stay readable for 30 days, but no longer change.
    await ana.page.goto('/notes');
    await ana.page.getByRole('link', { name: 'Old note number 21', exact: true }).click();
    await ana.page.getByText('Your couple has ended').waitFor();
    assert.equal(await ana.page.getByRole('button', { name: 'React 🔥' }).count(), 0);
    await eve.context.close();
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  accessibilityViolations,
  assertFitsScreen,
  browserMissing,
  screenshot,
  useServedBrowser,
} from '../support/web.ts';

const skip = browserMissing();

describe('web app shell in Chromium', { skip }, () => {
  // Sign-up as in production: a proof of work (easy here) solved by the page in a Web Worker.
  const web = useServedBrowser({ SIGNUP_BOT_CHECK: 'pow', SIGNUP_POW_DIFFICULTY: '12' });

  test('a signed-out visitor is sent to sign-in, which passes axe WCAG 2 AA and fits a phone', async () => {
    const context = await web.newContext({ width: 360, height: 740 });
    const page = await context.newPage();
    await page.goto('/');
    await page.waitForURL('**/signin');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Sign in' }).waitFor());
    assert.deepEqual(await accessibilityViolations(page), []);
    // Nothing wider than the phone's screen (no sideways scrolling).
    await assertFitsScreen(page, 'sign-in');
    await screenshot(page, 'sign-in-phone');
    await context.close();
  });

  test('sign-up solves the bot check; a wrong password is refused with the API message; the session survives a reload', async () => {
    const person = await web.signUp('Robin');
    const challenge = await fetch(`${web.url}/v1/auth/challenge`);
    assert.equal(((await challenge.json()) as { data: { kind: string } }).data.kind, 'pow');
    const { page } = person;
    await page.reload();
    await page.waitForURL('**/link');
    // The refresh cookie brings the session back: the signed-in header shows again.
    await assert.doesNotReject(page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: 10_000 }));

    // Wait for the app's own way to sign-in (the guard), not a second navigation racing the logout request.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /password|credentials|invalid/i);

    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the guard sent them from.
    await page.waitForURL((url) => url.pathname === '/link');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await person.context.close();
  });

  test('a page whose code cannot load shows a plain error with Reload inside the shell, not a crash', async () => {
    const person = await web.signUp('Sasha');
    const { page } = person;
    // As after a release that removed the old build's chunks.
    await page.route('**/assets/NotesPage-*.js', (route) => route.abort('failed'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notes' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
    await alert.waitFor();
    await page.getByRole('heading', { name: 'Something went wrong', level: 1 }).waitFor();
    // The navigation is still there: the error replaced only the page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);

    await page.unroute('**/assets/NotesPage-*.js');
    await alert.getByRole('button', { name: 'Reload' }).click();
    await page.waitForURL('**/notes');
    await page.getByRole('heading', { name: 'Something went wrong' }).waitFor({ state: 'detached' });
    await person.context.close();
  });

  test('hashed assets are immutable, the page and the service worker revalidate', async () => {
    const page = await fetch(`${web.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'the page loads a hashed script');
    const asset = await fetch(`${web.url}${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const worker = await fetch(`${web.url}/sw.js`);
    assert.equal(worker.status, 200);
    assert.equal(worker.headers.get('cache-control'), 'no-cache');
    // An unknown API path stays the API's 404 in the envelope, not the app's page.
    const missing = await fetch(`${web.url}/v1/no-such-thing`, { headers: { accept: 'text/html' } });
    assert.equal(missing.status, 404);
    assert.equal(
      ((await missing.json()) as { errors: Array<{ code: string }> }).errors[0]?.code,
      'NOT_FOUND',
    );
  });
});

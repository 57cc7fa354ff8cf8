import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { freePort, runCli, type Started, waitForOk } from './process.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');

/** Why browser tests cannot run here (no Chromium on a laptop); under CI a missing browser is a failure. */
export function browserMissing(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
}

let building: Promise<void> | undefined;
/** web/dist, built once per test process when missing or stale (scripts/build-web.ts decides). */
export function ensureWebBuilt(): Promise<void> {
  building ??= (async () => {
    // Test files run in parallel processes: one builds, the others wait on the lock.
    const lock = path.join(ROOT, 'web', '.build-lock');
    for (;;) {
      try {
        await mkdir(lock);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-web.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  })();
  return building;
}

export interface ServedApp {
  url: string;
  database: TestDatabase;
  process: Started;
  close(): Promise<void>;
}

/**
 * What `npm start` runs, as a real process: API, worker and the built web app
 * in one, on its own database and port. Limits that would stop a test signing
 * up many people from one address are off, as the README says for development.
 */
export async function startServedApp(env: Record<string, string> = {}): Promise<ServedApp> {
  await ensureWebBuilt();
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-web-'));
  const port = await freePort();
  const started = runCli('start', {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    REDIS_URL: process.env.REDIS_URL,
    NATS_URL: process.env.NATS_URL,
    WEB_APP_DIR: path.join(ROOT, 'web', 'dist'),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    APP_URL: `http://127.0.0.1:${port}`,
    RATE_LIMIT_ENABLED: 'false',
    AUTH_REGISTRATIONS_PER_IP_PER_HOUR: '0',
    AUTH_LOGIN_THROTTLE: 'false',
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    JOBS_POLL_INTERVAL_MS: '100',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/ready`, started, 120_000);
  } catch (error) {
    started.child.kill('SIGKILL');
    await database.drop();
    throw error;
  }
  return {
    url,
    database,
    process: started,
    async close() {
      started.child.kill('SIGTERM');
      await started.exited;
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser profile (cookies, storage, service worker) for one person. */
export function newPerson(browser: Browser, baseURL: string, viewport = { width: 1100, height: 800 }) {
  return browser.newContext({ baseURL, viewport });
}

/** Keeps a screenshot of the page as a test artefact (test-artifacts/screenshots/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

let axeSource: string | undefined;
/**
 * axe-core's WCAG 2 A/AA rules on the page as it is now; returns the
 * violations (id, impact and the first offending nodes) for an assertion.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated through DevTools, so the app's CSP (no inline scripts) stays on during the check.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }
    ).axe;
    interface AxeResult {
      violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
    }
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
  });
  return violations;
}

export interface Person {
  context: BrowserContext;
  page: Page;
  email: string;
  password: string;
  name: string;
}

let people = 0;
/** Signs a new person up through the sign-up page; they land on partner linking. */
export async function signUp(browser: Browser, baseURL: string, name: string): Promise<Person> {
  const context = await newPerson(browser, baseURL);
  const page = await context.newPage();
  const email = `${name.toLowerCase()}-${process.pid}-${++people}-${Date.now()}@example.com`;
  const password = 'correct horse battery staple 42';
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('I accept the terms').check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/link');
  return { context, page, email, password, name };
}

/**
 * The API as this person, with their browser session: an access token from
 * the refresh cookie (cookie mode, CSRF header from the readable cookie), for
 * arranging state a test is not about (linking a couple, seeding data).
 */
export async function apiAs(
  person: Person,
): Promise<(method: string, url: string, body?: unknown) => Promise<unknown>> {
  const cookies = await person.context.cookies();
  const csrf = cookies.find((cookie) => cookie.name === 'o2o_csrf')?.value;
  assert.ok(csrf, `${person.name} has no session cookie`);
  const refreshed = await person.context.request.post('/v1/auth/refresh', {
    headers: { 'x-csrf-token': decodeURIComponent(csrf), 'x-auth-transport': 'cookie' },
    data: {},
  });
  assert.equal(refreshed.status(), 200, await refreshed.text());
  const token = ((await refreshed.json()) as { data: { accessToken: string } }).data.accessToken;
  return async (method, url, body) => {
    const response = await person.context.request.fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { data: body }),
    });
    assert.ok(response.ok(), `${method} ${url}: ${response.status()} ${await response.text()}`);
    return response.status() === 204 ? undefined : ((await response.json()) as { data: unknown }).data;
  };
}

/** Links two people as partners through the API (an invite and its acceptance). */
export async function linkPartners(a: Person, b: Person): Promise<void> {
  const asA = await apiAs(a);
  const asB = await apiAs(b);
  const invite = (await asA('POST', '/v1/couples/invites')) as { code: string };
  await asB('POST', `/v1/couples/invites/${invite.code}/accept`);
}

/**
 * Fails when the page is wider than its window (a phone would scroll sideways), naming the first
 * elements that stick out so the failure says where to look.
 */
export async function assertFitsScreen(page: Page, what = page.url()): Promise<void> {
  const overflow = await page.evaluate(() => {
    const wide = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName}.${element.className}`);
    return { by: document.documentElement.scrollWidth - window.innerWidth, wide };
  });
  assert.ok(
    overflow.by <= 0,
    `${what} is ${overflow.by}px wider than the ${page.viewportSize()?.width}px screen: ${overflow.wide}`,
  );
}

/**
 * Waits until a form field holds `expected`: forms that fill from a query render before their
 * data, so reading the value once races the app. Fails with the last value after `timeoutMs`.
 */
export async function waitForInputValue(field: Locator, expected: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let value = await field.inputValue();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await field.inputValue();
  }
  assert.equal(value, expected);
}

/** The served app and the browser of a browser suite, with helpers bound to both. */
export interface ServedBrowser {
  /** Where the served app listens (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly served: ServedApp;
  readonly browser: Browser;
  /** Signs a new person up through the sign-up page (see signUp). */
  signUp(name: string): Promise<Person>;
  /** A fresh browser profile on the served app, signed out. */
  newContext(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  /** Runs at the end of the suite, before the browser and the app stop (a database client, a fake). */
  cleanup(close: () => Promise<unknown>): void;
}

/**
 * Registers the suite's `before` (start the app as `npm start` runs it, then
 * Chromium) and `after` (the suite's own clean-ups, then the browser, then
 * the app); call it at the top of a `describe`. `env` may be a function, for
 * settings known only once an earlier `before` ran (a fake provider's URL).
 * The accessors throw when read before the `before` hook ran.
 */
export function useServedBrowser(
  env: Record<string, string> | (() => Record<string, string>) = {},
): ServedBrowser {
  let served: ServedApp | undefined;
  let browser: Browser | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is read before useServedBrowser's before hook ran`);
    return value;
  };
  before(async () => {
    served = await startServedApp(typeof env === 'function' ? env() : env);
    browser = await launchBrowser();
  });
  after(async () => {
    try {
      for (const close of cleanups.reverse()) await close();
    } finally {
      await browser?.close();
      await served?.close();
    }
  });
  return {
    get url() {
      return started(served, 'the served app').url;
    },
    get served() {
      return started(served, 'the served app');
    },
    get browser() {
      return started(browser, 'the browser');
    },
    signUp: (name) => signUp(started(browser, 'the browser'), started(served, 'the served app').url, name),
    newContext: (viewport) =>
      newPerson(started(browser, 'the browser'), started(served, 'the served app').url, viewport),
    cleanup: (close) => void cleanups.push(close),
  };
}

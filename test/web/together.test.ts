import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import pg from 'pg';
import type { Page } from 'playwright-core';
import bank from '../../src/modules/questions/bank.json' with { type: 'json' };
import {
  accessibilityViolations,
  apiAs,
  assertFitsScreen,
  browserMissing,
  linkPartners,
  type Person,
  screenshot,
  useServedBrowser,
} from '../support/web.ts';

const skip = browserMissing();

/** A day as YYYY-MM-DD in UTC (new profiles live in UTC), `offset` days from today. */
function utcDay(offset = 0): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + offset);
  return date.toISOString().slice(0, 10);
}

/** `count` unanswered days before the couple's first, each with another question of the bank. */
async function seedEarlierDays(databaseUrl: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{
      couple_id: string;
      day: string;
      cycle: number;
      question_id: string;
    }>("select couple_id, to_char(day, 'YYYY-MM-DD') as day, cycle, question_id from questions_days");
    const first = rows[0];
    assert.ok(first && rows.length === 1, 'one day so far');
    const others = bank.map((question) => question.id).filter((id) => id !== first.question_id);
    for (let i = 1; i <= count; i++) {
      await client.query(
        'insert into questions_days (couple_id, day, question_id, cycle) values ($1, $2::date - $3::int, $4, $5)',
        [first.couple_id, first.day, i, others[i], first.cycle],
      );
    }
  } finally {
    await client.end();
  }
}

/** The month grid's button for the day that lists `title` (its name carries the day's titles). */
const dayWith = (page: Page, title: string) => page.getByRole('button', { name: new RegExp(title) });

async function fillEvent(page: Page, title: string, start: string, end: string): Promise<void> {
  await page.getByRole('button', { name: 'New event' }).click();
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByLabel('Starts', { exact: true }).fill(start);
  await page.getByLabel('Ends', { exact: true }).fill(end);
}

describe('calendar, daily question and home in Chromium', { skip }, () => {
  const web = useServedBrowser();
  let ana: Person;
  let ben: Person;

  before(async () => {
    ana = await web.signUp('Ana');
    ben = await web.signUp('Ben');
    await linkPartners(ana, ben);
  });

  test('an event made in the form shows in the month and in the partner’s calendar; the partner edits and deletes it', async () => {
    const page = ana.page;
    const today = utcDay();
    await page.goto('/calendar');
    await fillEvent(page, 'Picnic by the lake', `${today}T12:00`, `${today}T14:00`);
    await page.getByLabel('Repeats').selectOption('WEEKLY');
    await page.getByLabel('Number of times').fill('3');
    await page.getByLabel('1 hour before').check();
    await page.getByRole('button', { name: 'Add event' }).click();
    await page.getByText('Added Picnic by the lake.').waitFor();
    await dayWith(page, 'Picnic by the lake').first().waitFor();
    // The form sent what the person chose: a weekly series of three with a reminder, in their zone.
    const asAna = await apiAs(ana);
    const events = (await asAna('GET', '/v1/calendar/events')) as Array<Record<string, unknown>>;
    const picnic = events.find((event) => event.title === 'Picnic by the lake');
    assert.ok(picnic, 'the event exists');
    assert.equal(picnic.recurrence, 'FREQ=WEEKLY;COUNT=3');
    assert.deepEqual(picnic.reminders, [60]);
    assert.equal(picnic.timeZone, 'UTC');
    assert.equal(picnic.startsAt, `${today}T12:00:00.000Z`);

    // The partner's calendar shows it; today's list names it with its time.
    await ben.page.goto('/calendar');
    await dayWith(ben.page, 'Picnic by the lake').first().waitFor();
    const dayPanel = ben.page.locator('.day-panel');
    await dayPanel.getByText('12:00–14:00').first().waitFor();

    // Either partner edits it (the form opens with its values) …
    await ben.page.getByRole('button', { name: 'Edit Picnic by the lake' }).first().click();
    assert.equal(await ben.page.getByLabel('Title', { exact: true }).inputValue(), 'Picnic by the lake');
    assert.equal(await ben.page.getByLabel('Repeats').inputValue(), 'WEEKLY');
    await ben.page.getByLabel('Title', { exact: true }).fill('Picnic at the lake');
    await ben.page.getByRole('button', { name: 'Save changes' }).click();
    await ben.page.getByText('Saved Picnic at the lake.').waitFor();
    await dayWith(ben.page, 'Picnic at the lake').first().waitFor();

    // … and deletes it after confirming.
    await ben.page.getByRole('button', { name: 'Delete Picnic at the lake…' }).first().click();
    await ben.page.getByRole('button', { name: 'Delete every Picnic at the lake' }).click();
    await dayWith(ben.page, 'Picnic at the lake').first().waitFor({ state: 'detached' });
    const left = (await asAna('GET', '/v1/calendar/events')) as unknown[];
    assert.equal(left.length, 0);
  });

  test('the month grid moves by keyboard, and by month with the buttons', async () => {
    const page = ana.page;
    await page.goto('/calendar');
    const heading = page.getByRole('heading', { level: 2, name: /\d{4}$/ }).first();
    const shown = await heading.textContent();
    // The selected day is the grid's one tab stop; arrows move it.
    const todayButton = page.locator('button.day[tabindex="0"]');
    const first = await todayButton.getAttribute('data-day');
    await todayButton.focus();
    await page.keyboard.press('ArrowDown');
    const moved = await page.evaluate(() => document.activeElement?.getAttribute('data-day'));
    const expected = new Date(`${first}T00:00:00Z`);
    expected.setUTCDate(expected.getUTCDate() + 7);
    assert.equal(moved, expected.toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Next month' }).click();
    await page.waitForURL(/month=\d{4}-\d{2}/);
    // The URL changes before the grid renders the new month: wait for the heading itself.
    const next = page.getByRole('heading', { level: 2, name: /\d{4}$/ }).filter({ hasNotText: shown ?? '' });
    await next.first().waitFor();
    assert.notEqual(await heading.textContent(), shown);
    await page.getByRole('button', { name: 'Previous month' }).click();
    await page.getByRole('heading', { level: 2, name: shown ?? '' }).waitFor();
  });

  test('an event ending before it starts shows the API’s message on Ends and creates nothing', async () => {
    const page = ana.page;
    const today = utcDay();
    await page.goto('/calendar');
    await fillEvent(page, 'Backwards dinner', `${today}T20:00`, `${today}T18:00`);
    await page.getByRole('button', { name: 'Add event' }).click();
    const ends = page.getByLabel('Ends', { exact: true });
    await page.getByText('end must not be before start').waitFor();
    assert.equal(await ends.getAttribute('aria-invalid'), 'true');
    // The message is the one bound to the field, not a separate banner.
    const describedBy = (await ends.getAttribute('aria-describedby')) ?? '';
    const message = await page.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent();
    assert.equal(message, 'end must not be before start');
    const events = (await (await apiAs(ana))('GET', '/v1/calendar/events')) as unknown[];
    assert.equal(events.length, 0);
    await screenshot(page, 'calendar-event-error');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  test('a countdown to the anniversary shows on the calendar and on home; the feed address can be made and copied', async () => {
    const inTen = utcDay(10);
    const anniversary = `${Number(inTen.slice(0, 4)) - 3}${inTen.slice(4)}`;
    await (await apiAs(ana))('PATCH', '/v1/couples/me', { anniversary });
    const page = ana.page;
    await page.goto('/calendar');
    const countdowns = page.getByRole('region', { name: 'Countdowns' });
    await countdowns.getByText(/Anniversary.*\(3 years\)/i).waitFor();
    await countdowns
      .getByText(/in 10 days/)
      .first()
      .waitFor();

    // The next events count down too (from the month views).
    await (await apiAs(ana))('POST', '/v1/calendar/events', {
      title: 'Weekend away',
      allDay: true,
      start: utcDay(5),
      end: utcDay(6),
    });
    await page.reload();
    await countdowns.getByText('Coming up').waitFor();
    await countdowns.getByText(/^in 5 days, .*All day$/).waitFor();

    await ana.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Create a subscription address' }).click();
    const address = page.getByLabel('Subscription address');
    await address.waitFor();
    const url = await address.inputValue();
    assert.match(url, /\/v1\/calendar\/feed\/[A-Za-z0-9_-]+\.ics$/);
    await page.getByRole('button', { name: 'Copy address' }).click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    const feed = await fetch(url.replace(/^https?:\/\/[^/]+/, web.url));
    assert.equal(feed.status, 200);
    // A new address turns the old one off.
    await page.getByRole('button', { name: 'Make a new address' }).click();
    await page.waitForFunction((old) => {
      const input = document.querySelector<HTMLInputElement>('input[readonly]');
      return input !== null && input.value !== old;
    }, url);
    assert.equal((await fetch(url.replace(/^https?:\/\/[^/]+/, web.url))).status, 404);

    await page.goto('/');
    const tile = page.getByRole('region', { name: 'Next countdown' });
    await tile.getByText(/Anniversary/i).waitFor();
  });

  test('both answer the daily question and see each other’s answer; a guess judged right scores', async () => {
    const a = ana.page;
    const b = ben.page;
    await a.goto('/question');
    await b.goto('/question');
    const question = (await a.getByRole('heading', { level: 2 }).first().textContent()) ?? '';
    // Ben's page loads the day on its own: wait for its question instead of reading it at once.
    await b.getByRole('heading', { level: 2, name: question, exact: true }).waitFor();

    // Both pages are connected for live events before anything happens.
    await a
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    await b
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    // Ana guesses Ben's answer before the reveal, then answers.
    await a.getByLabel("Your guess of your partner's answer").fill('Pancakes');
    await a.getByRole('button', { name: 'Send my guess' }).click();
    await a.getByText('Your guess: Pancakes').waitFor();
    await a.getByLabel('Your answer').fill('Walking by the sea');
    await a.getByRole('button', { name: 'Send my answer' }).click();
    await a.getByText('Waiting for your partner to answer…').waitFor();

    // Ben's page hears of it live, and his answer reveals both.
    await b.getByText('Your partner has answered: answer to see theirs.').waitFor();
    await b.getByLabel('Your answer').fill('Pancakes on Sunday');
    await b.getByRole('button', { name: 'Send my answer' }).click();
    await b.getByText('Walking by the sea').first().waitFor();
    // Ana's open page gets Ben's answer without a reload (the live event).
    await a.getByText('Pancakes on Sunday').first().waitFor();

    // Ben judges Ana's guess of his answer: right.
    await b.getByText('Your partner guessed your answer: Pancakes').waitFor();
    await b.getByRole('button', { name: 'Right' }).click();
    await b.getByText('You judged it right.').waitFor();
    const scores = b.getByRole('region', { name: 'Match score' });
    await scores.getByText('1 of 1 right (100%)').waitFor();

    await a.reload();
    await a.getByText('Your partner judged it: right.').waitFor();
    await a.getByRole('region', { name: 'Match score' }).getByText('1 of 1 right (100%)').waitFor();
    // Today is the first day of the history, with both answers.
    const history = a.getByRole('region', { name: 'Earlier questions' });
    await history.getByText('Pancakes on Sunday').waitFor();

    // Eleven earlier days (arranged in the database: days cannot be made to pass) page by ten.
    await seedEarlierDays(web.served.database.url, 11);
    await a.reload();
    const days = history.getByRole('listitem');
    await days.nth(9).waitFor();
    assert.equal(await days.count(), 10);
    await history.getByRole('button', { name: 'Show older questions' }).click();
    await days.nth(11).waitFor();
    assert.equal(await days.count(), 12);
    await history.getByRole('button', { name: 'Show older questions' }).waitFor({ state: 'detached' });
  });

  test('home shows the couple’s day; an unlinked person is asked to link', async () => {
    const page = ana.page;
    await page.goto('/');
    await page.getByRole('heading', { name: 'You and Ben' }).waitFor();
    await page.getByText(/days? together/).waitFor();
    await page.getByText('You both answered: see each other’s answers.').waitFor();
    const unread = page.getByRole('region', { name: 'Notifications' });
    await unread.getByText('unread').waitFor();
    // Ben's answer tells Ana (questions.revealed) through the worker: the count comes
    // with the page or, when the worker is later, live (notification.created).
    await unread
      .locator('.big-number')
      .filter({ hasText: /^[1-9]\d*$/ })
      .waitFor({ timeout: 15_000 });
    for (const [name, href] of [
      ['Love notes', '/notes'],
      ['Calendar', '/calendar'],
      ['Daily question', '/question'],
    ]) {
      assert.equal(
        await page
          .getByRole('navigation', { name: 'Go to' })
          .getByRole('link', { name })
          .getAttribute('href'),
        href,
      );
    }

    const cleo = await web.signUp('Cleo');
    await cleo.page.goto('/');
    const call = cleo.page.getByRole('region', { name: 'Link with your partner' });
    assert.equal(
      await call.getByRole('link', { name: 'Link with your partner' }).getAttribute('href'),
      '/link',
    );
    assert.deepEqual(await accessibilityViolations(cleo.page), []);
    await screenshot(cleo.page, 'home-unlinked');
    await cleo.page.goto('/calendar');
    await cleo.page.getByText('The calendar is shared with your partner.').waitFor();
    await cleo.context.close();
  });

  test('home, calendar and question pass axe WCAG 2 AA, fit a 360 px phone, and are kept as screenshots', async () => {
    const page = ana.page;
    // Something in the month for the pictures.
    await (await apiAs(ana))('POST', '/v1/calendar/events', {
      title: 'Dinner at Luigi’s',
      start: `${utcDay()}T19:30`,
      end: `${utcDay()}T21:30`,
      location: 'Luigi’s',
    });
    const pages = [
      ['/', 'home', 'You and Ben'],
      ['/calendar', 'calendar', 'Countdowns'],
      ['/question', 'question', 'Match score'],
    ] as const;
    for (const width of [1100, 360]) {
      await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      for (const [path, name, landmark] of pages) {
        await page.goto(path);
        await page.getByRole('heading', { name: landmark }).waitFor();
        await page.getByRole('status').filter({ hasText: 'Loading' }).first().waitFor({ state: 'detached' });
        assert.deepEqual(await accessibilityViolations(page), [], `${path} at ${width}px`);
        await assertFitsScreen(page, path);
        await screenshot(page, width === 360 ? `${name}-phone` : name);
      }
    }
    // At phone width the month is a list per day, with the event's name.
    await page.goto('/calendar');
    await page.getByRole('heading', { level: 3, name: /\(today\)/ }).waitFor();
    await page.getByRole('button', { name: 'Edit Dinner at Luigi’s' }).waitFor();
    await page.setViewportSize({ width: 1100, height: 800 });
  });
});

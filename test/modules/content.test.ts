import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { contentContext } from '../../src/modules/content/context.ts';
import { publishIfDue } from '../../src/modules/content/editorial.ts';
import { contentModule, searchLibrary } from '../../src/modules/content/index.ts';
import { getContent } from '../../src/modules/content/reads.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';

describe('content', () => {
  let t: TestApp;
  let stopWorker: (() => Promise<void>) | undefined;
  const editor = newUserId();
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(async () => {
    await stopWorker?.();
    await t.close();
  });

  const get = (url: string, userId?: string, role?: 'user' | 'editor' | 'admin') =>
    t.app.inject({ method: 'GET', url, headers: userId ? as(userId, role) : {} });
  const staff = (
    method: 'POST' | 'PATCH' | 'DELETE' | 'GET',
    url: string,
    payload?: object,
    role = 'editor' as const,
  ) => t.app.inject({ method, url, headers: as(editor, role), ...(payload ? { payload } : {}) });
  let counter = 0;
  const draft = async (fields: Record<string, unknown> = {}) => {
    counter++;
    const res = await staff('POST', '/v1/admin/content', {
      type: 'article',
      slug: `test-item-${counter}`,
      title: `Test item ${counter}`,
      excerpt: 'An excerpt anyone may read.',
      body: 'The opening paragraph is free to read.\n\nThe second paragraph holds the secret sauce of the piece.',
      tags: ['testing', 'communication'],
      visibility: 'public',
      ...fields,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data as { id: string; slug: string; revision: number; status: string };
  };
  const events = async (type: string, itemId: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from outbox_events
        where type = ${type} and data->>'itemId' = ${itemId}`.execute(t.platform.database.db)
    ).rows[0]?.n;

  it('ships a starter library of at least 30 published items on the five themes', async () => {
    const slugs: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/content?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      slugs.push(...res.json().data.map((i: { slug: string }) => i.slug));
      cursor = res.json().meta.nextCursor;
    } while (cursor);
    assert.ok(slugs.length >= 30, `only ${slugs.length}`);
    for (const tag of ['communication', 'conflict', 'intimacy', 'gratitude', 'long-distance']) {
      const res = await get(`/v1/content?tag=${tag}&type=article`);
      assert.ok(res.json().data.length >= 4, tag);
    }
    const premium = await get('/v1/content?limit=50');
    assert.ok(premium.json().data.some((i: { visibility: string }) => i.visibility === 'premium'));
    assert.ok(premium.json().data.every((i: Record<string, unknown>) => !('html' in i) && !('body' in i)));
  });

  it('pages with cursors without repeating or skipping items', async () => {
    const first = await get('/v1/content?limit=7');
    const second = await get(`/v1/content?limit=7&cursor=${first.json().meta.nextCursor}`);
    const all = await get('/v1/content?limit=14');
    assert.deepEqual(
      [...first.json().data, ...second.json().data].map((i: { id: string }) => i.id),
      all.json().data.map((i: { id: string }) => i.id),
    );
    assert.equal((await get('/v1/content?cursor=nonsense')).statusCode, 400);
    assert.equal((await get('/v1/content?type=video')).statusCode, 400);
    assert.equal((await get('/v1/content?extra=1')).statusCode, 400);
  });

  it('shows a public body to anyone, a members body after sign-in, a premium body as a preview only', async () => {
    const open = await get('/v1/content/the-ten-minute-check-in');
    assert.equal(open.statusCode, 200, open.body);
    assert.equal(open.json().data.locked, false);
    assert.match(open.json().data.html, /<ol>/);

    const members = await get('/v1/content/the-soft-start');
    assert.equal(members.json().data.locked, true);
    assert.equal(members.json().data.lockedReason, 'sign-in');
    const signedIn = await get('/v1/content/the-soft-start', newUserId());
    assert.equal(signedIn.json().data.locked, false);

    const premium = await get('/v1/content/perpetual-problems', newUserId());
    const data = premium.json().data;
    assert.equal(data.locked, true);
    assert.equal(data.lockedReason, 'premium');
    assert.match(data.html, /Researchers who followed couples/);
    assert.doesNotMatch(
      data.html,
      /dream or fear/,
      'the end of a premium body never reaches a non-premium reader',
    );

    const asEditor = await get('/v1/content/perpetual-problems', newUserId(), 'editor');
    assert.match(asEditor.json().data.html, /dream or fear/);
  });

  it('unlocks premium bodies through the isPremium port', async () => {
    const premiumUser = newUserId();
    const ctx = contentContext(t.platform, { isPremium: async (_p, userId) => userId === premiumUser });
    const user = (id: string) => ({ id, role: 'user' as const, sessionId: 's' });
    const unlocked = await getContent(ctx, user(premiumUser), 'perpetual-problems');
    assert.equal(unlocked.locked, false);
    assert.match(unlocked.html, /dream or fear/);
    const locked = await getContent(ctx, user(newUserId()), 'perpetual-problems');
    assert.equal(locked.locked, true);
  });

  it('neutralises XSS in Markdown: scripts, handlers, javascript: links, iframes', async () => {
    const item = await draft({
      body: [
        '# Title <script>alert(1)</script>',
        '',
        'Hello <img src="https://example.com/x.png" onerror="alert(2)"> and [click](javascript:alert(3)).',
        '',
        '<iframe src="https://evil.example"></iframe><a href="https://ok.example" onclick="alert(4)">ok</a>',
        '',
        '<svg onload="alert(5)"><use href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/></svg>',
        '',
        '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==) <style>body{display:none}</style>',
      ].join('\n'),
    });
    await staff('POST', `/v1/admin/content/${item.id}/publish`);
    const html: string = (await get(`/v1/content/${item.slug}`)).json().data.html;
    for (const bad of [
      /<script/i,
      /onerror/i,
      /onclick/i,
      /javascript:/i,
      /<iframe/i,
      /<svg/i,
      /onload/i,
      /data:/i,
      /<style/i,
    ]) {
      assert.doesNotMatch(html, bad);
    }
    assert.match(html, /<a href="https:\/\/ok.example" rel="noopener noreferrer nofollow">ok<\/a>/);
    assert.match(html, /<img src="https:\/\/example.com\/x.png" \/>/);
  });

  it('lets editors and admins manage content, not users; keeps every revision', async () => {
    assert.equal((await get('/v1/admin/content', newUserId())).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/admin/content' })).statusCode, 401);
    assert.equal((await get('/v1/admin/content', newUserId(), 'admin')).statusCode, 200);

    const item = await draft();
    assert.equal(item.status, 'draft');
    assert.equal((await get(`/v1/content/${item.slug}`)).statusCode, 404, 'drafts are not public');
    const edited = await staff('PATCH', `/v1/admin/content/${item.id}`, {
      title: 'A better title',
      tags: ['gratitude'],
    });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().data.revision, 2);
    assert.equal(edited.json().data.primaryTag, 'gratitude');
    const revisions = (await staff('GET', `/v1/admin/content/${item.id}/revisions`)).json().data;
    assert.deepEqual(
      revisions.map((r: { revision: number; title: string }) => [r.revision, r.title]),
      [
        [2, 'A better title'],
        [1, `Test item ${counter}`],
      ],
    );
    const published = await staff('POST', `/v1/admin/content/${item.id}/publish`);
    assert.equal(published.json().data.status, 'published');
    assert.equal(await events('content.published', item.id), 1);
    assert.equal((await get(`/v1/content/${item.slug}`)).statusCode, 200);

    const archived = await staff('POST', `/v1/admin/content/${item.id}/archive`);
    assert.equal(archived.json().data.status, 'archived');
    assert.equal((await get(`/v1/content/${item.slug}`)).statusCode, 404);
    assert.equal(await events('content.updated', item.id), 2);

    assert.equal((await staff('DELETE', `/v1/admin/content/${item.id}`)).statusCode, 200);
    assert.equal((await staff('GET', `/v1/admin/content/${item.id}`)).statusCode, 404);
    assert.equal(await events('content.updated', item.id), 3);
  });

  it('refuses bad staff input with 4xx and changes nothing', async () => {
    const item = await draft();
    const cases: Array<[string, object]> = [
      ['slug', { slug: 'Not A Slug' }],
      ['title', { title: '   ' }],
      ['tags', { tags: [] }],
      ['visibility', { visibility: 'secret' }],
      ['body', { body: 42 }],
      ['extra', { unknown: true }],
    ];
    for (const [name, patch] of cases) {
      const res = await staff('PATCH', `/v1/admin/content/${item.id}`, patch);
      assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
    }
    const taken = await staff('PATCH', `/v1/admin/content/${item.id}`, { slug: 'the-ten-minute-check-in' });
    assert.equal(taken.statusCode, 409);
    const episodeWithoutShow = await staff('POST', '/v1/admin/content', {
      type: 'podcast-episode',
      slug: 'orphan-episode',
      title: 'Orphan',
      excerpt: 'x',
      body: 'x',
      tags: ['podcast'],
      visibility: 'public',
    });
    assert.equal(episodeWithoutShow.statusCode, 400);
    const past = await staff('POST', `/v1/admin/content/${item.id}/schedule`, {
      publishAt: '2020-01-01T00:00:00Z',
    });
    assert.equal(past.statusCode, 400);
    assert.equal((await staff('GET', `/v1/admin/content/${item.id}`)).json().data.revision, 1);
  });

  it('publishes a scheduled item once, at its time, and purges the cache', async () => {
    const item = await draft({ visibility: 'members' });
    const listed = async () =>
      (await get('/v1/content?tag=testing&limit=50'))
        .json()
        .data.some((i: { id: string }) => i.id === item.id);
    assert.equal(await listed(), false);
    const at = new Date(Date.now() + 1500).toISOString();
    const scheduled = await staff('POST', `/v1/admin/content/${item.id}/schedule`, { publishAt: at });
    assert.equal(scheduled.statusCode, 200, scheduled.body);
    assert.equal(scheduled.json().data.status, 'scheduled');
    assert.equal((await get(`/v1/content/${item.slug}`)).statusCode, 404);

    const stopModule = await contentModule().worker!(t.platform);
    const stopJobs = await t.platform.jobs.start();
    stopWorker = async () => {
      await stopJobs();
      await stopModule();
    };
    await eventually(async () => ((await listed()) ? true : undefined), 15_000);
    assert.equal((await staff('GET', `/v1/admin/content/${item.id}`)).json().data.status, 'published');
    // The job ran once; running it again (a retry, the backstop) publishes nothing more.
    assert.equal(await publishIfDue(contentContext(t.platform), item.id), false);
    assert.equal(await events('content.published', item.id), 1);
  });

  it('gives the coach published excerpts only, never a premium body', async () => {
    const hits = await searchLibrary(t.platform, 'gratitude letter', 5);
    assert.ok(hits.length > 0);
    assert.equal(hits[0]?.slug, 'the-gratitude-letter');
    assert.deepEqual(Object.keys(hits[0]!).sort(), ['excerpt', 'id', 'slug', 'tags', 'title']);
    // Words only in a premium body match nothing.
    assert.deepEqual(await searchLibrary(t.platform, 'bedroom', 5), []);
    assert.deepEqual(await searchLibrary(t.platform, '   ', 5), []);
  });

  it('exports and erases what it holds about an editor', async () => {
    const person = newUserId();
    const author = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/content/authors',
      headers: as(person, 'editor'),
      payload: { name: 'Dana Writer', bio: 'Writes about repair.', userId: person },
    });
    assert.equal(author.statusCode, 201, author.body);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/content',
      headers: as(person, 'editor'),
      payload: {
        type: 'blog-post',
        slug: 'by-dana',
        title: 'By Dana',
        excerpt: 'x',
        body: 'Words.',
        tags: ['news'],
        visibility: 'public',
        authorIds: [author.json().data.id],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const module = contentModule();
    const exported = (await module.personalData!.export(t.platform, person)) as {
      author: { name: string };
      items: unknown[];
      revisions: unknown[];
    };
    assert.equal(exported.author.name, 'Dana Writer');
    assert.equal(exported.items.length, 1);
    assert.equal(exported.revisions.length, 1);
    await module.personalData!.erase(t.platform, person);
    const after = (await module.personalData!.export(t.platform, person)) as typeof exported;
    assert.equal(after.author, null);
    assert.equal(after.items.length, 0);
    assert.equal(after.revisions.length, 0);
    const item = (await staff('GET', `/v1/admin/content/${created.json().data.id}`)).json().data;
    assert.equal(item.title, 'By Dana', 'the work stays in the library');
  });

  it('searches ranked, with highlighted snippets, tolerating typos', async () => {
    const res = await get('/v1/content?q=gratitude%20letter');
    assert.equal(res.statusCode, 200, res.body);
    const hits = res.json().data;
    assert.equal(hits[0].slug, 'the-gratitude-letter', 'a title match ranks first');
    assert.match(hits[0].snippet, /<mark>/);
    const typo = (await get('/v1/content?q=listning')).json().data.map((i: { slug: string }) => i.slug);
    assert.ok(typo.includes('listening-to-understand'), typo.join());
    const filtered = (await get('/v1/content?q=gratitude&type=blog-post')).json().data;
    assert.ok(filtered.length > 0 && filtered.every((i: { type: string }) => i.type === 'blog-post'));
    const pageOne = await get('/v1/content?q=couples&limit=2');
    const pageTwo = await get(`/v1/content?q=couples&limit=2&cursor=${pageOne.json().meta.nextCursor}`);
    assert.equal(pageTwo.statusCode, 200);
    assert.notDeepEqual(pageOne.json().data[0].id, pageTwo.json().data[0].id);
  });

  it('never matches or quotes a members or premium body in search, whoever asks', async () => {
    for (const caller of [undefined, newUserId()]) {
      const res = await get('/v1/content?q=bedroom', caller, caller ? 'editor' : undefined);
      assert.deepEqual(res.json().data, [], 'words only in a premium body find nothing');
    }
    const desire = (await get('/v1/content?q=desire')).json().data;
    const hit = desire.find((i: { slug: string }) => i.slug === 'talking-about-desire');
    assert.ok(hit, 'the title still matches');
    assert.doesNotMatch(hit.snippet, /bedroom|calm moment/, 'the snippet comes from the excerpt');
    assert.equal(hit.snippet, hit.excerpt);
  });

  it('escapes markup in search snippets', async () => {
    const item = await draft({
      body: 'Use `<b onmouseover=alert(1)>hover</b>` with care, xylophone player.',
    });
    await staff('POST', `/v1/admin/content/${item.id}/publish`);
    const [hit] = (await get('/v1/content?q=xylophone')).json().data;
    assert.equal(hit.slug, item.slug);
    assert.doesNotMatch(hit.snippet.replace(/<\/?mark>/g, ''), /[<>]/, 'no markup but the highlights');
    assert.match(hit.snippet, /<mark>xylophone<\/mark>/);
  });

  it('serves lists from the response cache and purges them on publish', async () => {
    const url = '/v1/content?tag=cache-probe';
    assert.equal((await get(url)).headers['x-cache'], 'MISS');
    const cached = await get(url);
    assert.equal(cached.headers['x-cache'], 'HIT');
    assert.equal(cached.headers['cache-control'], 'public, max-age=30');
    assert.deepEqual(cached.json().data, []);
    const item = await draft({ tags: ['cache-probe'] });
    await staff('POST', `/v1/admin/content/${item.id}/publish`);
    const fresh = await get(url);
    assert.equal(fresh.headers['x-cache'], 'MISS');
    assert.deepEqual(
      fresh.json().data.map((i: { id: string }) => i.id),
      [item.id],
    );
  });
});

import { Type } from 'typebox';
import { Enveloped, EnvelopedPage } from '../../platform/http/envelope.ts';
import { NonBlankText, Text } from '../../platform/http/text.ts';

const DateTime = (description: string) => Type.String({ format: 'date-time', description });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const ItemType = Type.Union(
  [Type.Literal('article'), Type.Literal('blog-post'), Type.Literal('podcast-episode')],
  { description: 'article, blog-post or podcast-episode' },
);
export const Visibility = Type.Union(
  [Type.Literal('public'), Type.Literal('members'), Type.Literal('premium')],
  {
    description:
      'public: anyone; members: signed-in readers; premium: premium couples (others see a preview)',
  },
);
export const Status = Type.Union(
  [Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published'), Type.Literal('archived')],
  { description: 'draft, scheduled (publishes at publishedAt), published or archived' },
);

export const Slug = Type.String({
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  minLength: 1,
  maxLength: 120,
  description: 'URL name: lowercase letters, digits and single hyphens',
});
const Tag = Type.String({
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  minLength: 1,
  maxLength: 40,
  description: 'A tag: lowercase letters, digits and hyphens',
});

export const SlugParams = Type.Object({ slug: Slug });
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'Content item id' }) });
export const ShowParams = Type.Object({ show: Slug });

export const ListQuery = Type.Object(
  {
    type: Type.Optional(ItemType),
    tag: Type.Optional(Tag),
    q: Type.Optional(
      NonBlankText({ maxLength: 200, description: 'Full-text search (typos tolerated in titles)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20, description: 'Page size' })),
    cursor: Type.Optional(
      Type.String({ maxLength: 512, description: 'meta.nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

const Author = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Author id' }),
  name: Type.String({ description: 'Byline' }),
});

const Episode = Type.Object({
  show: Slug,
  episodeNumber: Type.Union([Type.Integer(), Type.Null()], { description: 'Number in the show' }),
  durationSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Audio length' }),
  audioUrl: Type.Union([Type.String(), Type.Null()], {
    description: 'The audio (supports Range requests); null when the caller may not listen',
  }),
});

const summaryFields = {
  id: Type.String({ format: 'uuid', description: 'Item id' }),
  type: ItemType,
  slug: Slug,
  title: Type.String({ description: 'Title' }),
  excerpt: Type.String({ description: 'One or two sentences shown in lists' }),
  coverImage: Nullable(Type.String({ description: 'Cover image URL' })),
  primaryTag: Type.String({ description: 'The main tag' }),
  tags: Type.Array(Type.String(), { description: 'All tags, the primary first' }),
  minutes: Type.Integer({ description: 'Reading or listening time in minutes' }),
  visibility: Visibility,
  publishedAt: Nullable(DateTime('When it was (or will be) published')),
};

export const ItemSummary = Type.Object({
  ...summaryFields,
  snippet: Type.Optional(
    Type.String({
      description:
        'With q: matching words highlighted with <mark>; taken from the body only when the caller may read it',
    }),
  ),
});

export const ItemView = Type.Object({
  ...summaryFields,
  authors: Type.Array(Author, { description: 'Bylines' }),
  html: Type.String({ description: 'Sanitised HTML of the body, or of its preview when `locked`' }),
  locked: Type.Boolean({ description: 'True when only a preview is shown' }),
  lockedReason: Type.Union([Type.Literal('sign-in'), Type.Literal('premium'), Type.Null()], {
    description: 'What unlocks the whole body',
  }),
  episode: Type.Union([Episode, Type.Null()], { description: 'Podcast details for an episode' }),
});

export const ShowView = Type.Object({
  slug: Slug,
  title: Type.String({ description: 'Show title' }),
  description: Type.String({ description: 'Show description' }),
  imageUrl: Nullable(Type.String({ description: 'Square cover art (1400–3000 px)' })),
  feedUrl: Type.String({ description: 'The RSS feed for podcast apps' }),
  episodes: Type.Integer({ description: 'Published public episodes in the feed' }),
});

// Staff

const Markdown = Text({
  minLength: 1,
  maxLength: 200_000,
  description: 'Body in Markdown (raw HTML is sanitised)',
});
const Title = NonBlankText({ maxLength: 200, description: 'Title' });
const Excerpt = Text({ maxLength: 500, description: 'Excerpt shown in lists and previews' });
const Tags = Type.Array(Tag, {
  minItems: 1,
  maxItems: 10,
  uniqueItems: true,
  description: 'Tags; the first is the primary tag',
});
const Url = Type.String({
  format: 'uri',
  maxLength: 2000,
  pattern: '^https?://',
  description: 'An http(s) URL',
});

export const CreateItemBody = Type.Object(
  {
    type: ItemType,
    slug: Slug,
    title: Title,
    excerpt: Excerpt,
    body: Markdown,
    tags: Tags,
    visibility: Visibility,
    coverImage: Type.Optional(Nullable(Url)),
    authorIds: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        maxItems: 10,
        description: 'Author ids (content_authors)',
      }),
    ),
    show: Type.Optional(Slug),
    audioMediaId: Type.Optional(Type.String({ format: 'uuid', description: 'Uploaded audio (episodes)' })),
    durationSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86_400, description: 'Audio length' }),
    ),
    episodeNumber: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100_000, description: 'Episode number' }),
    ),
  },
  { additionalProperties: false },
);

export const UpdateItemBody = Type.Object(
  {
    slug: Type.Optional(Slug),
    title: Type.Optional(Title),
    excerpt: Type.Optional(Excerpt),
    body: Type.Optional(Markdown),
    tags: Type.Optional(Tags),
    visibility: Type.Optional(Visibility),
    coverImage: Type.Optional(Nullable(Url)),
    authorIds: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10, description: 'Author ids' }),
    ),
    audioMediaId: Type.Optional(Type.String({ format: 'uuid', description: 'Uploaded audio (episodes)' })),
    durationSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86_400, description: 'Audio length' }),
    ),
    episodeNumber: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100_000, description: 'Episode number' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ScheduleBody = Type.Object(
  { publishAt: DateTime('When to publish; in the future, at most a year ahead') },
  { additionalProperties: false },
);

export const StaffListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Page size' })),
    cursor: Type.Optional(
      Type.String({ maxLength: 512, description: 'meta.nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

export const StaffItem = Type.Object({
  ...summaryFields,
  status: Status,
  body: Type.String({ description: 'Markdown source' }),
  html: Type.String({ description: 'Rendered, sanitised HTML' }),
  authorIds: Type.Array(Type.String({ format: 'uuid' }), { description: 'Author ids' }),
  show: Nullable(Type.String({ description: 'Show slug (episodes)' })),
  audioMediaId: Nullable(Type.String({ format: 'uuid', description: 'Audio media id (episodes)' })),
  durationSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Audio length' }),
  episodeNumber: Type.Union([Type.Integer(), Type.Null()], { description: 'Episode number' }),
  revision: Type.Integer({ description: 'Current revision number' }),
  updatedAt: DateTime('Last change'),
});

export const Revision = Type.Object({
  revision: Type.Integer({ description: 'Number, from 1' }),
  title: Type.String({ description: 'Title then' }),
  excerpt: Type.String({ description: 'Excerpt then' }),
  body: Type.String({ description: 'Markdown then' }),
  tags: Type.Array(Type.String(), { description: 'Tags then' }),
  visibility: Visibility,
  editorId: Nullable(Type.String({ format: 'uuid', description: 'Who saved it' })),
  createdAt: DateTime('When it was saved'),
});

export const AuthorBody = Type.Object(
  {
    name: NonBlankText({ maxLength: 120, description: 'Byline' }),
    bio: Type.Optional(Text({ maxLength: 2000, description: 'Short biography' })),
    userId: Type.Optional(Type.String({ format: 'uuid', description: 'The staff account, if any' })),
  },
  { additionalProperties: false },
);
export const AuthorView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Author id' }),
  name: Type.String({ description: 'Byline' }),
  bio: Type.String({ description: 'Short biography' }),
  userId: Nullable(Type.String({ format: 'uuid', description: 'Staff account' })),
});

export const CreateShowBody = Type.Object(
  {
    slug: Slug,
    title: NonBlankText({ maxLength: 200, description: 'Show title' }),
    description: NonBlankText({ maxLength: 4000, description: 'Show description' }),
    author: NonBlankText({ maxLength: 200, description: 'itunes:author' }),
    ownerName: NonBlankText({ maxLength: 200, description: 'itunes:owner name' }),
    ownerEmail: Type.String({ format: 'email', maxLength: 320, description: 'itunes:owner email' }),
    language: Type.String({
      pattern: '^[a-z]{2}(-[A-Z]{2})?$',
      description: 'RSS language, e.g. en or fr-CA',
    }),
    category: NonBlankText({
      maxLength: 100,
      description: 'An Apple Podcasts category, e.g. "Health & Fitness"',
    }),
    explicit: Type.Boolean({ description: 'itunes:explicit' }),
    imageMediaId: Type.String({
      format: 'uuid',
      description: 'An uploaded square image of 1400–3000 px (Apple requires it)',
    }),
  },
  { additionalProperties: false },
);

export const MediaView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Media id' }),
  kind: Type.Union([Type.Literal('image'), Type.Literal('audio'), Type.Literal('video')], {
    description: 'What the file is',
  }),
  contentType: Type.String({ description: 'MIME type decided from the bytes' }),
  bytes: Type.Integer({ description: 'Size of the stored file' }),
  width: Type.Union([Type.Integer(), Type.Null()], { description: 'Pixels (images)' }),
  height: Type.Union([Type.Integer(), Type.Null()], { description: 'Pixels (images)' }),
  status: Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')], {
    description: 'Videos: processing until the HLS renditions are stored',
  }),
  url: Type.String({
    description: 'The stored file under its content-hashed name (videos: the HLS master playlist)',
  }),
  variants: Type.Record(Type.String(), Type.String(), {
    description: 'Images: named variant URLs (format negotiated by Accept; add .webp or .avif to pick one)',
  }),
});

export const Responses = {
  items: EnvelopedPage(ItemSummary),
  item: Enveloped(ItemView),
  shows: Enveloped(Type.Array(ShowView)),
  show: Enveloped(ShowView),
  staffItem: Enveloped(StaffItem),
  staffItems: EnvelopedPage(StaffItem),
  revisions: Enveloped(Type.Array(Revision)),
  author: Enveloped(AuthorView),
  media: Enveloped(MediaView),
  none: Enveloped(Type.Null()),
};

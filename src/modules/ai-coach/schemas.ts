import { Type } from 'typebox';
import { Enveloped, EnvelopedPage } from '../../platform/http/envelope.ts';
import { PaginationQuery } from '../../platform/http/pagination.ts';
import { NonBlankText } from '../../platform/http/text.ts';

const DateTime = (description: string) => Type.String({ format: 'date-time', description });
const NullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const ConversationParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Conversation id' }),
});

export const CreateConversationBody = Type.Object(
  {
    title: Type.Optional(
      NonBlankText({ maxLength: 120, description: 'A title only you see (stored encrypted)' }),
    ),
    shared: Type.Optional(
      Type.Boolean({ description: 'Let your partner read this conversation (default false: private)' }),
    ),
  },
  { additionalProperties: false },
);

export const ListQuery = PaginationQuery;

export const SendMessageBody = Type.Object(
  { content: NonBlankText({ maxLength: 4000, description: 'Your message to the coach, 1–4000 characters' }) },
  { additionalProperties: false },
);

export const SafetyView = Type.Object(
  {
    crisis: Type.Boolean({ description: 'The message was answered with fixed crisis content (helplines)' }),
    category: Type.Union(
      [Type.Literal('self-harm'), Type.Literal('harm-to-others'), Type.Literal('abuse'), Type.Null()],
      { description: 'What the safety screen found, or null' },
    ),
  },
  { description: 'The safety screen of the user message this reply answers' },
);

export const SourceView = Type.Object({
  id: Type.String({ description: 'Exercise or content item id' }),
  title: Type.String({ description: 'Its title' }),
  tags: Type.Array(Type.String(), { description: 'Its topic tags' }),
  kind: Type.Union([Type.Literal('exercise'), Type.Literal('content')], {
    description: '`exercise`: a shipped coach exercise; `content`: a library item',
  }),
});

export const UsageView = Type.Object({
  inputTokens: Type.Integer({ description: 'Tokens sent to the provider' }),
  outputTokens: Type.Integer({ description: 'Tokens the provider generated' }),
  costMicroUsd: Type.Integer({ description: 'Cost in millionths of a US dollar' }),
});

export const ConversationView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Conversation id' }),
  title: NullableString('The title, or null'),
  shared: Type.Boolean({ description: 'Whether the owner shares it with their partner' }),
  owner: Type.Union([Type.Literal('me'), Type.Literal('partner')], {
    description: '`partner`: your partner shared it with you (read-only)',
  }),
  createdAt: DateTime('When it started'),
  updatedAt: DateTime('Its last message'),
});

export const MessageView = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Message id' }),
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant')], { description: 'Who wrote it' }),
  kind: Type.Union(
    [
      Type.Literal('message'),
      Type.Literal('reply'),
      Type.Literal('disclosure'),
      Type.Literal('crisis'),
      Type.Literal('refusal'),
    ],
    {
      description: '`disclosure`: the AI notice opening every conversation; `crisis`/`refusal`: fixed texts',
    },
  ),
  content: Type.String({ description: 'The text' }),
  status: Type.Union([Type.Literal('complete'), Type.Literal('cancelled'), Type.Literal('interrupted')], {
    description: '`cancelled`: the client closed the stream; `interrupted`: the provider failed mid-reply',
  }),
  provider: NullableString('Who generated a reply: openai, anthropic, offline, or safety for fixed texts'),
  model: NullableString('The model that generated it'),
  usage: UsageView,
  safety: SafetyView,
  sources: Type.Array(SourceView, { description: 'Exercises and library items the reply drew on' }),
  createdAt: DateTime('When it was written'),
});

export const CreatedConversation = Type.Object({
  conversation: ConversationView,
  disclosure: MessageView,
});

export const ReplyView = Type.Object({
  messageId: Type.String({ format: 'uuid', description: 'The stored reply' }),
  userMessageId: Type.String({ format: 'uuid', description: 'The stored user message' }),
  content: Type.String({ description: 'The whole reply' }),
  status: MessageView.properties.status,
  provider: Type.String({ description: 'openai, anthropic, offline, or safety for fixed texts' }),
  model: NullableString('The model that generated it'),
  usage: UsageView,
  sources: Type.Array(SourceView, { description: 'Exercises and library items the reply drew on' }),
  safety: SafetyView,
});

export const ReplyStream = Type.String({
  description:
    'Server-sent events: `delta` events (`data: {"text":"…"}`), then one `done` event with the JSON of the non-streaming answer without `content` (`messageId`, `usage`, `provider`, `sources`, `safety`, …). Closing the stream stops the provider call.',
});

export const MemoryView = Type.Object({
  summary: Type.String({ description: 'What the coach keeps in mind about your relationship' }),
  relationshipDays: Type.Union([Type.Integer(), Type.Null()], { description: 'Days together, if known' }),
  loveLanguages: Type.Array(Type.String(), { description: 'Your love languages from your profile' }),
  topics: Type.Array(Type.String(), {
    description: 'Recent topics you allowed it to remember (no message text)',
  }),
  rememberTopics: Type.Boolean({ description: 'Whether recent topics are remembered' }),
});

export const MemoryPatch = Type.Object(
  { rememberTopics: Type.Boolean({ description: 'Remember the topics (not the words) of your messages' }) },
  { additionalProperties: false },
);

export const LoveNoteBody = Type.Object(
  {
    tone: Type.Union(
      ['romantic', 'playful', 'grateful', 'supportive', 'apologetic'].map((t) => Type.Literal(t)),
      { description: 'The tone of the note' },
    ),
    occasion: Type.Union(
      [
        'everyday',
        'anniversary',
        'birthday',
        'good-morning',
        'good-night',
        'after-argument',
        'missing-you',
      ].map((o) => Type.Literal(o)),
      { description: 'What the note is for' },
    ),
  },
  { additionalProperties: false },
);

export const DateIdeasBody = Type.Object(
  {
    budget: Type.Union(
      ['free', 'low', 'medium', 'high'].map((b) => Type.Literal(b)),
      {
        description: 'How much to spend',
      },
    ),
    setting: Type.Union(
      ['indoor', 'outdoor', 'either'].map((s) => Type.Literal(s)),
      {
        description: 'Indoors, outdoors or either',
      },
    ),
    city: Type.Optional(NonBlankText({ maxLength: 80, description: 'A city, to make ideas local' })),
  },
  { additionalProperties: false },
);

export const StartersBody = Type.Object(
  {
    depth: Type.Optional(
      Type.Union([Type.Literal('light'), Type.Literal('deep')], {
        description: 'Light or deep (default light)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Suggestions = Type.Object({
  items: Type.Array(Type.String(), { description: 'The drafts, ideas or questions' }),
  provider: Type.String({ description: 'Who generated them: openai, anthropic or offline' }),
});

export const Responses = {
  created: Enveloped(CreatedConversation),
  conversations: EnvelopedPage(ConversationView),
  messages: EnvelopedPage(MessageView),
  reply: Enveloped(ReplyView),
  memory: Enveloped(MemoryView),
  suggestions: Enveloped(Suggestions),
};

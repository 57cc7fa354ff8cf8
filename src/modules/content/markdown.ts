import { Marked, type Token } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown to safe HTML: `marked` renders (raw HTML in the source passes
 * through it), then `sanitize-html` keeps only an allow-list of tags and
 * attributes and only http(s)/mailto links, so a `<script>`, an `onerror=`,
 * a `javascript:` link or an `<iframe>` an editor pastes never reaches a
 * reader. Rendered at write time and stored.
 */
const marked = new Marked({ gfm: true, async: false });

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'p',
    'br',
    'hr',
    'blockquote',
    'ul',
    'ol',
    'li',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'figure',
    'figcaption',
  ],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'title'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }),
    // A heading level 1 is the page title; body headings start at 2.
    h1: 'h2',
  },
};
SANITIZE.allowedAttributes = { ...SANITIZE.allowedAttributes, a: ['href', 'title', 'rel'] };

export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown) as string, SANITIZE);
}

/** Words a reader gets for free before the paywall or sign-in wall. */
export const PREVIEW_WORDS = 60;

/**
 * What a reader without access sees: the first block of the body, then
 * following blocks while they stay within PREVIEW_WORDS words, never the
 * last block (so a preview is never the whole text); a body of one block
 * gives its first words only. Whole blocks, rendered and sanitised, so the
 * preview never ends inside a tag or a link.
 */
export function renderPreview(markdown: string): string {
  const tokens = marked.lexer(markdown);
  const blocks = tokens.filter((t) => t.type !== 'space');
  const first = blocks[0];
  if (!first) return '';
  if (blocks.length === 1) {
    const words = htmlToText(renderMarkdown(first.raw)).split(' ');
    return `<p>${escapeHtml(words.slice(0, Math.min(PREVIEW_WORDS / 2, Math.ceil(words.length / 2))).join(' '))} …</p>`;
  }
  const kept: Token[] = [first];
  let words = wordCount(first.raw);
  for (const block of blocks.slice(1, -1)) {
    words += wordCount(block.raw);
    if (words > PREVIEW_WORDS) break;
    kept.push(block);
  }
  const links = (tokens as unknown as { links: Record<string, unknown> }).links ?? {};
  return sanitizeHtml(marked.parser(Object.assign(kept, { links })), SANITIZE);
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** Reading time at 200 words a minute, at least one minute. */
export function readingMinutes(markdown: string): number {
  return Math.max(1, Math.round(wordCount(markdown) / 200));
}

/** Plain text of sanitised HTML (what search indexes; entities decoded, tags gone). */
export function htmlToText(html: string): string {
  const text = sanitizeHtml(html.replace(/<\/(p|li|h[2-4]|blockquote|tr)>/g, '$& '), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return decodeEntities(text).replace(/\s+/g, ' ').trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const decodeEntities = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ENTITIES[e] ?? '');

/** HTML-escapes text (snippets are built from plain text). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

import { unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api.ts';
import { ErrorNotice, fieldError } from '../../ui/ErrorNotice.tsx';
import { Field, TextArea } from '../../ui/Field.tsx';
import { type ContentItem, parseTags, slugify, TYPES, VISIBILITIES } from './content-types.ts';
import { MarkdownPreview } from './MarkdownPreview.tsx';
import { MediaUpload } from './MediaUpload.tsx';

interface Draft {
  type: ContentItem['type'];
  title: string;
  slug: string;
  excerpt: string;
  body: string;
  tags: string;
  visibility: ContentItem['visibility'];
  coverImage: string;
}

const fromItem = (item?: ContentItem): Draft => ({
  type: item?.type ?? 'article',
  title: item?.title ?? '',
  slug: item?.slug ?? '',
  excerpt: item?.excerpt ?? '',
  body: item?.body ?? '',
  tags: item?.tags.join(', ') ?? '',
  visibility: item?.visibility ?? 'public',
  coverImage: item?.coverImage ?? '',
});

/** The item's fields and Markdown body beside a live preview; saving a change makes a new revision. */
export function ContentForm({ item }: { item?: ContentItem }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => fromItem(item));
  // A new item's slug follows its title until someone edits the slug.
  const [slugTouched, setSlugTouched] = useState(Boolean(item));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const ids = { type: useId(), visibility: useId() };

  const save = useMutation({
    mutationFn: async () => {
      const common = {
        title: draft.title,
        slug: draft.slug,
        excerpt: draft.excerpt,
        body: draft.body,
        tags: parseTags(draft.tags),
        visibility: draft.visibility,
        coverImage: draft.coverImage.trim() || null,
      };
      if (item) {
        return unwrap(
          api.PATCH('/v1/admin/content/{id}', { params: { path: { id: item.id } }, body: common }),
        );
      }
      return unwrap(
        api.POST('/v1/admin/content', {
          body: { ...common, type: draft.type },
          headers: { 'idempotency-key': crypto.randomUUID() },
        }),
      );
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['admin', 'content', 'item', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['admin', 'content', 'list'] });
      void queryClient.invalidateQueries({ queryKey: ['admin', 'content', 'revisions', saved.id] });
      if (!item) navigate(`/admin/content/${saved.id}`, { replace: true });
    },
  });
  const error = save.error;

  return (
    <form
      className="editor"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <div className="editor-fields form">
        {!item && (
          <div className="field">
            <label htmlFor={ids.type}>Type</label>
            <select
              id={ids.type}
              value={draft.type}
              onChange={(event) => set('type', event.target.value as Draft['type'])}
            >
              {/* Episodes need a show and uploaded audio: they are made through the API for now. */}
              <option value="article">{TYPES.article}</option>
              <option value="blog-post">{TYPES['blog-post']}</option>
            </select>
          </div>
        )}
        <Field
          label="Title"
          required
          maxLength={200}
          value={draft.title}
          error={fieldError(error, 'title')}
          onChange={(event) => {
            const title = event.target.value;
            setDraft((d) => ({ ...d, title, slug: slugTouched ? d.slug : slugify(title) }));
          }}
        />
        <Field
          label="Slug"
          hint="The address: lowercase letters, digits and hyphens"
          required
          pattern="[a-z0-9]+(-[a-z0-9]+)*"
          value={draft.slug}
          error={fieldError(error, 'slug')}
          onChange={(event) => {
            setSlugTouched(true);
            set('slug', event.target.value);
          }}
        />
        <TextArea
          label="Excerpt"
          rows={2}
          maxLength={500}
          value={draft.excerpt}
          error={fieldError(error, 'excerpt')}
          onChange={(event) => set('excerpt', event.target.value)}
        />
        <Field
          label="Tags"
          hint="Comma-separated, the first is the main tag"
          required
          value={draft.tags}
          error={fieldError(error, 'tags')}
          onChange={(event) => set('tags', event.target.value)}
        />
        <div className="field">
          <label htmlFor={ids.visibility}>Who can read it</label>
          <select
            id={ids.visibility}
            value={draft.visibility}
            onChange={(event) => set('visibility', event.target.value as Draft['visibility'])}
          >
            {Object.entries(VISIBILITIES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <Field
          label="Cover image URL"
          type="url"
          value={draft.coverImage}
          error={fieldError(error, 'coverImage')}
          onChange={(event) => set('coverImage', event.target.value)}
        />
        <MediaUpload
          onInsert={(markdown) => set('body', draft.body ? `${draft.body}\n\n${markdown}` : markdown)}
          onCover={(url) => set('coverImage', url)}
        />
        <TextArea
          label="Body (Markdown)"
          className="body-input"
          rows={16}
          value={draft.body}
          error={fieldError(error, 'body')}
          onChange={(event) => set('body', event.target.value)}
        />
        <ErrorNotice error={error} />
        <div className="row">
          <button type="submit" disabled={save.isPending}>
            {item ? 'Save changes' : 'Create draft'}
          </button>
        </div>
      </div>
      <MarkdownPreview markdown={draft.body} title={draft.title} />
    </form>
  );
}

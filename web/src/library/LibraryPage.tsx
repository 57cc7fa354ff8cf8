import { type FormEvent, useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { VisibilityBadge } from './Badge.tsx';
import { CATEGORIES, TYPES } from './categories.ts';
import { type ContentFilter, type ContentSummary, useContentList } from './queries.ts';
import './library.css';

/** The content library: search, categories (tags) and types, in the URL so a view can be shared. */
export function LibraryPage() {
  const [params, setParams] = useSearchParams();
  const searchId = useId();
  const filter: ContentFilter = {
    ...(params.get('q') ? { q: params.get('q')! } : {}),
    ...(params.get('tag') ? { tag: params.get('tag')! } : {}),
    ...(params.get('type') ? { type: params.get('type') as ContentSummary['type'] } : {}),
  };
  const list = useContentList(filter);

  function set(key: 'q' | 'tag' | 'type', value: string | undefined) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    set('q', String(new FormData(event.currentTarget).get('q') ?? '').trim() || undefined);
  }

  return (
    <Page title="Library" actions={<Link to="/library/podcasts">Podcasts</Link>}>
      <search>
        <form className="library-search" onSubmit={search}>
          <label htmlFor={searchId}>Search the library</label>
          <div className="row">
            <input id={searchId} name="q" type="search" defaultValue={filter.q ?? ''} key={filter.q ?? ''} />
            <button type="submit">Search</button>
          </div>
        </form>
      </search>
      <div className="filters">
        <fieldset className="chips">
          <legend>Category</legend>
          <button type="button" aria-pressed={!filter.tag} onClick={() => set('tag', undefined)}>
            All
          </button>
          {CATEGORIES.map((c) => (
            <button
              key={c.tag}
              type="button"
              aria-pressed={filter.tag === c.tag}
              onClick={() => set('tag', filter.tag === c.tag ? undefined : c.tag)}
            >
              {c.label}
            </button>
          ))}
        </fieldset>
        <fieldset className="chips">
          <legend>Type</legend>
          <button type="button" aria-pressed={!filter.type} onClick={() => set('type', undefined)}>
            Everything
          </button>
          {TYPES.map((t) => (
            <button
              key={t.type}
              type="button"
              aria-pressed={filter.type === t.type}
              onClick={() => set('type', filter.type === t.type ? undefined : t.type)}
            >
              {t.label}
            </button>
          ))}
        </fieldset>
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorNotice error={list.error} />
      ) : list.data.length === 0 ? (
        <p className="card">Nothing found. Try other words or another category.</p>
      ) : (
        <ul className="list content-list" aria-label="Library items">
          {list.data.map((item) => (
            <li key={item.id} className="card content-card">
              <h2>
                <Link to={`/library/${item.slug}`}>{item.title}</Link>{' '}
                <VisibilityBadge visibility={item.visibility} />
              </h2>
              {item.snippet ? (
                // The API escapes everything in a snippet but its <mark> highlights.
                // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by the API
                <p dangerouslySetInnerHTML={{ __html: item.snippet }} />
              ) : (
                <p>{item.excerpt}</p>
              )}
              <small className="hint">
                {TYPES.find((t) => t.type === item.type)?.label.replace(/s$/, '')} · {item.minutes} min ·{' '}
                {item.tags.join(', ')}
              </small>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

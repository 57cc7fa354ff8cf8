import { Link, useParams } from 'react-router';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { AudioPlayer } from './AudioPlayer.tsx';
import { VisibilityBadge } from './Badge.tsx';
import { useContentItem } from './queries.ts';
import './library.css';

/** One item: the API's sanitised HTML (rendered and cleaned at write time), or its preview when locked. */
export function ArticlePage() {
  const { slug = '' } = useParams();
  const item = useContentItem(slug);
  if (item.isPending) return <Loading />;
  if (item.error) {
    return (
      <Page title="Library">
        <ErrorNotice error={item.error} />
        <Link to="/library">Back to the library</Link>
      </Page>
    );
  }
  const data = item.data;
  return (
    <Page title={data.title} actions={<Link to="/library">Back to the library</Link>}>
      <p className="hint">
        <VisibilityBadge visibility={data.visibility} /> {data.minutes} min
        {data.authors.length > 0 && ` · by ${data.authors.map((a) => a.name).join(', ')}`}
        {data.publishedAt && ` · ${new Date(data.publishedAt).toLocaleDateString()}`}
      </p>
      {data.episode?.audioUrl && (
        <AudioPlayer
          episodeId={data.id}
          src={data.episode.audioUrl}
          title={data.title}
          durationSeconds={data.episode.durationSeconds}
        />
      )}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by the API (sanitize-html allow-list) */}
      <article className="card article-body" dangerouslySetInnerHTML={{ __html: data.html }} />
      {data.locked && (
        <p className="card locked" role="note">
          {data.lockedReason === 'premium' ? (
            <>
              This is a preview. <Link to="/premium">Go premium</Link> to read all of it.
            </>
          ) : (
            <>
              This is a preview. <Link to="/signin">Sign in</Link> to read all of it.
            </>
          )}
        </p>
      )}
    </Page>
  );
}

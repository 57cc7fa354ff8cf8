import { unwrap } from '@one2one/client';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { AudioPlayer } from './AudioPlayer.tsx';
import { VisibilityBadge } from './Badge.tsx';
import { contentItemQuery, libraryKeys, useContentList } from './queries.ts';
import './library.css';

/**
 * Shows and their episodes, with one player. The list answer does not say
 * which show an episode is in, so each episode's page is read (a show has a
 * handful; they are cached and reused by the episode page).
 */
export function PodcastsPage() {
  const [params, setParams] = useSearchParams();
  const shows = useQuery({
    queryKey: libraryKeys.shows,
    queryFn: () => unwrap(api.GET('/v1/content/podcasts')),
  });
  const episodes = useContentList({ type: 'podcast-episode' });
  const details = useQueries({
    queries: (episodes.data ?? []).map((episode) => contentItemQuery(episode.slug)),
  });
  const loaded = details.flatMap((d) => (d.data ? [d.data] : []));
  const playing = loaded.find((e) => e.slug === params.get('episode'));

  if (shows.isPending || episodes.isPending) return <Loading />;
  const error = shows.error ?? episodes.error;

  return (
    <Page title="Podcasts" actions={<Link to="/library">Back to the library</Link>}>
      <ErrorNotice error={error} />
      {playing?.episode?.audioUrl && (
        <AudioPlayer
          episodeId={playing.id}
          src={playing.episode.audioUrl}
          title={playing.title}
          durationSeconds={playing.episode.durationSeconds}
        />
      )}
      {(shows.data ?? []).map((show) => {
        const inShow = loaded
          .filter((e) => e.episode?.show === show.slug)
          .sort((a, b) => (a.episode?.episodeNumber ?? 0) - (b.episode?.episodeNumber ?? 0));
        return (
          <section key={show.slug} className="card show" aria-labelledby={`show-${show.slug}`}>
            <div className="show-head">
              {show.imageUrl && <img src={show.imageUrl} alt="" width={96} height={96} />}
              <div>
                <h2 id={`show-${show.slug}`}>{show.title}</h2>
                <p>{show.description}</p>
                <a href={show.feedUrl}>RSS feed for podcast apps</a>
              </div>
            </div>
            {inShow.length === 0 ? (
              <p className="hint">No episodes yet.</p>
            ) : (
              <ol className="list episodes" aria-label={`Episodes of ${show.title}`}>
                {inShow.map((e) => (
                  <li key={e.id} className="row">
                    <span className="episode-title">
                      {e.episode?.episodeNumber ? `${e.episode.episodeNumber}. ` : ''}
                      <Link to={`/library/${e.slug}`}>{e.title}</Link>{' '}
                      <VisibilityBadge visibility={e.visibility} />
                    </span>
                    {e.episode?.audioUrl ? (
                      <button
                        type="button"
                        className={playing?.id === e.id ? '' : 'secondary'}
                        aria-pressed={playing?.id === e.id}
                        aria-label={`Listen: ${e.title}`}
                        onClick={() => setParams({ episode: e.slug }, { replace: true })}
                      >
                        Listen
                      </button>
                    ) : (
                      <Link to="/premium">Unlock with premium</Link>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </section>
        );
      })}
    </Page>
  );
}

import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { Page } from '../ui/Page.tsx';

/**
 * What a page shows when it throws or its code cannot be loaded, in place of React Router's developer
 * page. The usual cause after a release is a chunk of the old build that is gone: a reload fetches the new one.
 */
export function PageError() {
  const error = useRouteError();
  console.error(error);
  const chunkMissing =
    error instanceof TypeError && /dynamically imported module|import/i.test(error.message);
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Page title={notFound ? 'Page not found' : 'Something went wrong'}>
      <div className="card" role="alert">
        <p>
          {notFound
            ? 'There is nothing here.'
            : chunkMissing
              ? 'This page could not be loaded; a new version of the app may be out.'
              : 'This page stopped working. Nothing you sent was lost.'}
        </p>
        <div className="row">
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
          <Link to="/">Go home</Link>
        </div>
      </div>
    </Page>
  );
}

import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Loading, Page } from '../ui/Page.tsx';
import { useAuth } from './AuthProvider.tsx';

/**
 * Where the OAuth callback sends the browser: the API has set the session
 * cookies, so one refresh gives this page its access token; then home.
 */
export function AuthCompletePage() {
  const { resume } = useAuth();
  const navigate = useNavigate();
  const [failed, setFailed] = useState(false);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void resume().then((ok) => (ok ? navigate('/', { replace: true }) : setFailed(true)));
  }, [resume, navigate]);
  return (
    <Page title="Signing you in">
      {failed ? (
        <p className="error" role="alert">
          The sign-in did not complete. <Link to="/signin">Try again</Link>.
        </p>
      ) : (
        <Loading what="Signing you in" />
      )}
    </Page>
  );
}

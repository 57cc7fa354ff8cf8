import { Link } from 'react-router';
import { Page } from '../ui/Page.tsx';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is nothing here. <Link to="/">Go home</Link>
      </p>
    </Page>
  );
}

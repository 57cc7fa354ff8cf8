import { useState } from 'react';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { useRotateFeed } from './hooks.ts';

/**
 * The secret iCal address. The API keeps only its hash, so it can be shown
 * once, right after it is made; making a new one turns the old one off.
 */
export function FeedCard() {
  const rotate = useRotateFeed();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const url = rotate.data?.url;

  async function copy() {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }

  return (
    <section className="card" aria-labelledby="feed-title">
      <h2 id="feed-title" className="card-title">
        Subscribe in your calendar app
      </h2>
      <p className="hint">
        A private address for Apple Calendar, Google Calendar or Outlook. Anyone with it can read your shared
        calendar; making a new one switches the old one off.
      </p>
      {url && (
        <div className="row feed-url">
          <Field
            label="Subscription address"
            value={url}
            readOnly
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={() => void copy()}>
            Copy address
          </button>
        </div>
      )}
      <p role="status" className={`status-line ${copied === 'failed' ? 'error' : 'success'}`}>
        {copied === 'yes'
          ? 'Copied.'
          : copied === 'failed'
            ? 'Could not copy: select the address and copy it.'
            : ''}
      </p>
      <ErrorNotice error={rotate.error} />
      <button
        type="button"
        className="secondary"
        disabled={rotate.isPending}
        onClick={() => {
          setCopied(null);
          rotate.mutate();
        }}
      >
        {url ? 'Make a new address' : 'Create a subscription address'}
      </button>
    </section>
  );
}

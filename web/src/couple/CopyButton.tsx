import { useState } from 'react';

/** Copies text to the clipboard and says so (announced to screen readers). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setStatus('copied');
    } catch {
      // No clipboard (an insecure origin, a refused permission): the field can still be selected.
      setStatus('failed');
    }
  }
  return (
    <span className="copy">
      <button type="button" className="secondary" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className={status === 'failed' ? 'error' : 'success'}>
        {status === 'copied'
          ? 'Copied'
          : status === 'failed'
            ? 'Could not copy: select the text instead'
            : ''}
      </span>
    </span>
  );
}

import { useNavigate } from 'react-router';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { useSendFailures } from './sends.ts';

/** Notes the API refused: why, the draft back in the composer, or dismiss. */
export function SendFailures() {
  const failures = useSendFailures();
  const navigate = useNavigate();
  if (failures.length === 0) return null;
  return (
    <div className="send-failures">
      {failures.map((failure) => (
        <div key={failure.key} className="card failure">
          <ErrorNotice
            error={new Error(`Your note was not sent: ${failure.error?.message ?? 'unknown error'}`)}
          />
          <div className="row">
            <button
              type="button"
              className="secondary"
              onClick={() => {
                failure.dismiss();
                navigate('/notes/new', { state: { draft: failure.input } });
              }}
            >
              Edit the note
            </button>
            <button type="button" className="link-button" onClick={failure.dismiss}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}

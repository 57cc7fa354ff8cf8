import { ApiError, unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api.ts';
import { useLiveEvents } from '../realtime/useLiveEvents.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { TextArea } from '../ui/Field.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { MessageView } from './MessageView.tsx';
import { coachKeys, useConversations, useMessages } from './queries.ts';
import { streamReply } from './stream.ts';
import './coach.css';

interface InFlight {
  question: string;
  reply: string;
}

/** "Try again at 00:00": a budget 429's Retry-After as a local time. */
function budgetNotice(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 429) return null;
  const reset =
    error.retryAfterSeconds !== undefined
      ? new Date(Date.now() + error.retryAfterSeconds * 1000).toLocaleString([], {
          dateStyle: 'medium',
          timeStyle: 'short',
        })
      : null;
  return reset ? `${error.message} The coach is available again at ${reset}.` : error.message;
}

export function ChatPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const conversations = useConversations();
  const messages = useMessages(id);
  const conversation = conversations.data?.find((c) => c.id === id);
  const readOnly = conversation?.owner === 'partner';

  const [inFlight, setInFlight] = useState<InFlight | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [draft, setDraft] = useState('');
  const controller = useRef<AbortController | null>(null);
  const end = useRef<HTMLDivElement>(null);

  // Leaving the page stops a reply still streaming (the API keeps it as cancelled).
  useEffect(() => () => controller.current?.abort(), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls when text arrives, not on other renders
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [inFlight?.reply, messages.data?.length]);
  // A reply finished in another tab or device arrives live.
  useLiveEvents((event) => {
    if (event.type === 'coach.reply' && (event.data as { conversationId?: string }).conversationId === id) {
      void queryClient.invalidateQueries({ queryKey: coachKeys.messages(id) });
    }
  });

  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/coach/conversations/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: coachKeys.conversations });
      navigate('/coach');
    },
  });

  async function send(question: string) {
    if (!question.trim() || inFlight) return;
    const abort = new AbortController();
    controller.current = abort;
    setError(null);
    setDraft('');
    setInFlight({ question, reply: '' });
    try {
      await streamReply(id, question, {
        signal: abort.signal,
        onDelta: (text) => setInFlight((now) => (now ? { ...now, reply: now.reply + text } : now)),
      });
    } catch (caught) {
      if (!abort.signal.aborted) {
        setError(caught);
        // Refused before it started (budget, bad input): give the words back to edit.
        if (caught instanceof ApiError && caught.status >= 400 && caught.status < 500) setDraft(question);
      }
    } finally {
      // The stored messages (the reply, or what was kept of a stopped one) replace the live copy.
      await queryClient.invalidateQueries({ queryKey: coachKeys.messages(id) });
      void queryClient.invalidateQueries({ queryKey: coachKeys.conversations });
      controller.current = null;
      setInFlight(null);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void send(draft);
  }

  // Enter sends, Shift+Enter makes a new line.
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send(draft);
    }
  }

  const budget = budgetNotice(error);
  return (
    <Page
      title={conversation?.title ?? 'Conversation'}
      actions={
        <div className="row">
          <Link to="/coach">All conversations</Link>
          {conversation && !readOnly && (
            <button
              type="button"
              className="secondary"
              disabled={remove.isPending || Boolean(inFlight)}
              onClick={() => {
                if (window.confirm('Delete this conversation and its messages?')) remove.mutate();
              }}
            >
              Delete
            </button>
          )}
        </div>
      }
    >
      <ErrorNotice error={remove.error} />
      {messages.isPending ? (
        <Loading />
      ) : messages.error ? (
        <ErrorNotice error={messages.error} />
      ) : (
        <ol className="messages" aria-label="Messages" aria-busy={Boolean(inFlight)}>
          {messages.data.map((message) => (
            <MessageView key={message.id} message={message} />
          ))}
          {inFlight && (
            <>
              <li className="message mine">
                <span className="who">You</span>
                <p>{inFlight.question}</p>
              </li>
              <li className="message coach streaming">
                <span className="who">Coach</span>
                <p>{inFlight.reply || '…'}</p>
              </li>
            </>
          )}
        </ol>
      )}
      <div ref={end} />
      {readOnly ? (
        <p className="hint">Your partner shares this conversation with you to read.</p>
      ) : (
        <form className="card form composer" onSubmit={submit}>
          <TextArea
            label="Your message"
            name="content"
            rows={3}
            maxLength={4000}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
          />
          {budget ? (
            <p className="error" role="alert">
              {budget}
            </p>
          ) : (
            <ErrorNotice error={error} />
          )}
          <div className="row">
            {inFlight ? (
              <button type="button" className="danger" onClick={() => controller.current?.abort()}>
                Stop
              </button>
            ) : (
              <button type="submit" disabled={!draft.trim()}>
                Send
              </button>
            )}
            <small className="hint">Enter sends; Shift+Enter starts a new line.</small>
          </div>
        </form>
      )}
    </Page>
  );
}

import { type BodyOf, unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { Avatar } from './Avatar.tsx';
import { type Couple, coupleKey, partnerName, useCouple } from './queries.ts';
import './couple.css';

type CoupleChange = BodyOf<'/v1/couples/me', 'patch'>;

/** The couple's page: who, since when, what you call each other, and unlinking. */
export function CouplePage() {
  const { state, couple, query } = useCouple();
  if (state === 'loading') return <Loading />;
  if (state === 'none') return <Navigate to="/link" replace />;
  if (state === 'error' || !couple) return <ErrorNotice error={query.error} />;
  return <CoupleDetails couple={couple} />;
}

function CoupleDetails({ couple }: { couple: Couple }) {
  const client = useQueryClient();
  const partner = couple.partner;
  const name = partner?.displayName ?? partner?.handle ?? 'Your partner';
  const active = couple.status === 'active';
  const save = useMutation({
    mutationFn: (change: CoupleChange) => unwrap(api.PATCH('/v1/couples/me', { body: change })),
    onSuccess: (updated) => client.setQueryData(coupleKey, updated),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? '').trim() || null;
    save.mutate({
      nickname: text('nickname'),
      relationshipStart: text('relationshipStart'),
      anniversary: text('anniversary'),
    });
  }

  return (
    <Page title={active ? `You and ${name}` : 'Your former couple'}>
      <section className="card couple-summary">
        {partner && <Avatar person={partner} />}
        <div>
          <p className="couple-name">
            {name}
            {partner?.handle && <span className="hint"> @{partner.handle}</span>}
          </p>
          <p className="days">
            <strong>{couple.daysTogether}</strong> {couple.daysTogether === 1 ? 'day' : 'days'} together
          </p>
          <p className="hint">Linked on {new Date(couple.linkedAt).toLocaleDateString()}</p>
          {couple.nicknames.fromPartner && (
            <p>
              {name} calls you <strong>{couple.nicknames.fromPartner}</strong>
            </p>
          )}
        </div>
      </section>

      {active ? (
        <>
          <form className="card form" onSubmit={submit} noValidate aria-labelledby="dates-heading">
            <h2 id="dates-heading">Names and dates</h2>
            <Field
              label={`Your nickname for ${name}`}
              name="nickname"
              defaultValue={couple.nicknames.forPartner ?? ''}
              maxLength={40}
              hint="Only the two of you see it."
              error={fieldError(save.error, 'nickname')}
            />
            <Field
              label="Together since"
              name="relationshipStart"
              type="date"
              defaultValue={couple.relationshipStart ?? ''}
              error={fieldError(save.error, 'relationshipStart')}
            />
            <Field
              label="Anniversary"
              name="anniversary"
              type="date"
              defaultValue={couple.anniversary ?? ''}
              error={fieldError(save.error, 'anniversary')}
            />
            <ErrorNotice error={save.error} />
            <div className="row">
              <button type="submit" disabled={save.isPending}>
                Save
              </button>
              {save.isSuccess && (
                <span className="success" role="status">
                  Saved
                </span>
              )}
            </div>
          </form>
          <Unlink partner={partnerName(couple)} />
        </>
      ) : (
        <p className="card">
          This couple ended on{' '}
          {couple.closedAt ? new Date(couple.closedAt).toLocaleDateString() : 'a past day'}.
          {couple.readOnlyUntil &&
            ` You can read your notes until ${new Date(couple.readOnlyUntil).toLocaleDateString()}.`}{' '}
          <Link to="/link">Link with a partner</Link>
        </p>
      )}
    </Page>
  );
}

/** Unlinking asks first: it closes the couple and cancels every scheduled note. */
function Unlink({ partner }: { partner: string }) {
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const unlink = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/couples/me')),
    onSuccess: (closed) => {
      client.setQueryData(coupleKey, closed);
      void client.invalidateQueries({ queryKey: ['notes'] });
      setAsking(false);
    },
  });
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);

  return (
    <section className="card unlink" aria-labelledby="unlink-heading">
      <h2 id="unlink-heading">Unlink</h2>
      {asking ? (
        <div>
          <p id="unlink-question">
            Unlink from {partner}? Scheduled notes are cancelled; you both can read your history for 30 days.
          </p>
          <ErrorNotice error={unlink.error} />
          <div className="row">
            <button
              ref={confirm}
              type="button"
              className="danger"
              disabled={unlink.isPending}
              onClick={() => unlink.mutate()}
            >
              Yes, unlink
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              Keep our link
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setAsking(true)}>
          Unlink from {partner}
        </button>
      )}
    </section>
  );
}

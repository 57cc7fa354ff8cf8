import { unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice, fieldError } from '../../ui/ErrorNotice.tsx';
import { Field, TextArea } from '../../ui/Field.tsx';
import type { FeatureFlag, NewFlag } from './flags-api.ts';

const ids = (text: string) => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

/** Creates a flag, or changes one (its key stays). */
export function FlagForm({ flag, onDone }: { flag?: FeatureFlag; onDone(): void }) {
  const queryClient = useQueryClient();
  const enabledId = useId();
  const defaultId = useId();
  const [key, setKey] = useState(flag?.key ?? '');
  const [description, setDescription] = useState(flag?.description ?? '');
  const [enabled, setEnabled] = useState(flag?.enabled ?? true);
  const [defaultValue, setDefaultValue] = useState(flag?.defaultValue ?? false);
  const [rollout, setRollout] = useState(String(flag?.rolloutPercentage ?? 0));
  const [allow, setAllow] = useState(flag?.allowUsers.join('\n') ?? '');
  const [deny, setDeny] = useState(flag?.denyUsers.join('\n') ?? '');
  const save = useMutation({
    mutationFn: () => {
      const fields: Required<Omit<NewFlag, 'key'>> = {
        description,
        enabled,
        defaultValue,
        rolloutPercentage: Number(rollout),
        allowUsers: ids(allow),
        denyUsers: ids(deny),
      };
      return flag
        ? unwrap(
            api.PATCH('/v1/admin/feature-flags/{key}', {
              params: { path: { key: flag.key } },
              body: fields,
            }),
          )
        : unwrap(api.POST('/v1/admin/feature-flags', { body: { key, ...fields } }));
    },
    onSuccess: () => {
      onDone();
      return queryClient.invalidateQueries({ queryKey: ['admin', 'flags'] });
    },
  });
  const error = save.error;
  const label = flag ? `Change ${flag.key}` : 'New flag';
  return (
    <form
      className="form card"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      {!flag && (
        <Field
          label="Key"
          hint="Lowercase, e.g. coach.voice-replies"
          required
          value={key}
          error={fieldError(error, 'key')}
          onChange={(event) => setKey(event.target.value)}
        />
      )}
      <Field
        label="Description"
        value={description}
        error={fieldError(error, 'description')}
        onChange={(event) => setDescription(event.target.value)}
      />
      <div className="checkbox">
        <input
          id={enabledId}
          type="checkbox"
          checked={enabled}
          onChange={(event) => setEnabled(event.target.checked)}
        />
        <label htmlFor={enabledId}>Enabled (off is the kill switch)</label>
      </div>
      <div className="checkbox">
        <input
          id={defaultId}
          type="checkbox"
          checked={defaultValue}
          onChange={(event) => setDefaultValue(event.target.checked)}
        />
        <label htmlFor={defaultId}>On for everyone outside the rollout</label>
      </div>
      <Field
        label="Rollout (%)"
        type="number"
        min={0}
        max={100}
        step={1}
        required
        value={rollout}
        error={fieldError(error, 'rolloutPercentage')}
        onChange={(event) => setRollout(event.target.value)}
      />
      <TextArea
        label="Always on for (user ids, one a line)"
        rows={3}
        value={allow}
        error={fieldError(error, 'allowUsers')}
        onChange={(event) => setAllow(event.target.value)}
      />
      <TextArea
        label="Always off for (user ids, one a line)"
        rows={3}
        value={deny}
        error={fieldError(error, 'denyUsers')}
        onChange={(event) => setDeny(event.target.value)}
      />
      <ErrorNotice error={error} />
      <div className="row">
        <button type="submit" disabled={save.isPending}>
          {flag ? 'Save flag' : 'Create flag'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

import { unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useEffect, useId, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Loading } from '../ui/Page.tsx';

const ME = ['settings', 'me'] as const;
const AVATAR_TYPES = 'image/jpeg,image/png,image/webp,image/heic';

export function ProfileSettings() {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ME, queryFn: () => unwrap(api.GET('/v1/users/me')) });
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);

  // The preview is a blob: URL of the chosen file; it is released when replaced or left.
  useEffect(() => {
    if (!file) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const rename = useMutation({
    mutationFn: (displayName: string) => unwrap(api.PATCH('/v1/users/me', { body: { displayName } })),
    onSuccess: (data) => queryClient.setQueryData(ME, data),
  });
  const upload = useMutation({
    mutationFn: (chosen: File) => {
      const form = new FormData();
      form.append('file', chosen);
      // Multipart: openapi-fetch passes FormData through and the browser sets the boundary.
      return unwrap(api.PUT('/v1/users/me/avatar', { body: form as never }));
    },
    onSuccess: (data) => {
      queryClient.setQueryData(ME, data);
      setFile(null);
    },
  });
  const removeAvatar = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/users/me/avatar')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ME }),
  });

  if (me.isPending) return <Loading />;
  if (me.error) return <ErrorNotice error={me.error} />;

  function saveName(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate(String(new FormData(event.currentTarget).get('displayName') ?? '').trim());
  }
  function choose(event: ChangeEvent<HTMLInputElement>) {
    upload.reset();
    setFile(event.target.files?.[0] ?? null);
  }

  const current = me.data.avatarUrls?.medium ?? me.data.avatarUrl;
  return (
    <>
      <section className="card" aria-labelledby="profile-name">
        <h2 id="profile-name">Your name</h2>
        <form className="form" onSubmit={saveName}>
          <Field
            label="Display name"
            name="displayName"
            defaultValue={me.data.displayName ?? ''}
            maxLength={80}
            required
            error={fieldError(rename.error, 'displayName')}
          />
          <ErrorNotice error={rename.error} />
          <div className="row">
            <button type="submit" disabled={rename.isPending}>
              Save name
            </button>
            {rename.isSuccess && (
              <span className="success" role="status">
                Saved.
              </span>
            )}
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby="profile-avatar">
        <h2 id="profile-avatar">Photo</h2>
        <div className="avatar-row">
          {preview ? (
            <img className="avatar" src={preview} alt="Preview of your new avatar" width={128} height={128} />
          ) : current ? (
            <img className="avatar" src={current} alt="Your avatar" width={128} height={128} />
          ) : (
            <div className="avatar empty" aria-hidden="true">
              {(me.data.displayName ?? '?').slice(0, 1).toUpperCase()}
            </div>
          )}
          <form
            className="form"
            onSubmit={(event) => {
              event.preventDefault();
              if (file) upload.mutate(file);
            }}
          >
            <div className="field">
              <label htmlFor={fileId}>Choose a photo</label>
              <input id={fileId} type="file" accept={AVATAR_TYPES} onChange={choose} />
              <small className="hint">JPEG, PNG, WebP or HEIC, up to 10 MB.</small>
            </div>
            <ErrorNotice error={upload.error ?? removeAvatar.error} />
            <div className="row">
              <button type="submit" disabled={!file || upload.isPending}>
                Upload photo
              </button>
              {current && !file && (
                <button
                  type="button"
                  className="secondary"
                  disabled={removeAvatar.isPending}
                  onClick={() => removeAvatar.mutate()}
                >
                  Remove photo
                </button>
              )}
              {upload.isSuccess && (
                <span className="success" role="status">
                  Photo updated.
                </span>
              )}
            </div>
          </form>
        </div>
      </section>
    </>
  );
}

import { type DataOf, unwrap } from '@one2one/client';
import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';

type Media = DataOf<'/v1/admin/content/media', 'post'>;

/**
 * Uploads one image or audio file (multipart field `file`; the API decides
 * the type from the bytes) and offers it to the body or as the cover.
 */
export function MediaUpload({
  onInsert,
  onCover,
}: {
  onInsert(markdown: string): void;
  onCover(url: string): void;
}) {
  const inputId = useId();
  const upload = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      // The OpenAPI document does not describe multipart bodies, so the body is not typed here.
      return unwrap(api.POST('/v1/admin/content/media', { body: form } as never)) as Promise<Media>;
    },
  });
  // The API answers a path unless PUBLIC_URL is set; the cover field wants an absolute URL.
  const absolute = (url: string) => new URL(url, window.location.origin).href;
  const media = upload.data;
  return (
    <div className="field media-upload">
      <label htmlFor={inputId}>Upload an image or audio file</label>
      <input
        id={inputId}
        type="file"
        accept="image/*,audio/*"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) upload.mutate(file);
        }}
      />
      {upload.isPending && <p role="status">Uploading…</p>}
      <ErrorNotice error={upload.error} />
      {media && (
        <div className="card uploaded" role="status">
          <p>
            Uploaded {media.kind} ({Math.round(media.bytes / 1024)} KB
            {media.width ? `, ${media.width}×${media.height}` : ''}).
          </p>
          <div className="row">
            {media.kind === 'image' && (
              <>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => onInsert(`![Describe the image](${absolute(media.url)})`)}
                >
                  Insert into body
                </button>
                <button type="button" className="secondary" onClick={() => onCover(absolute(media.url))}>
                  Use as cover
                </button>
              </>
            )}
            {media.kind !== 'image' && (
              <button
                type="button"
                className="secondary"
                onClick={() => onInsert(`[${media.kind}](${absolute(media.url)})`)}
              >
                Insert a link into the body
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

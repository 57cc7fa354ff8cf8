import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useDeferredValue, useMemo } from 'react';

/**
 * The body as readers will see it, while it is typed. The API renders with
 * the same `marked` and its own sanitiser on save; here DOMPurify keeps
 * pasted HTML from running in the editor's session. Headings shift down one
 * level as on the server (the page's <h1> is the title).
 */
export function MarkdownPreview({ markdown, title }: { markdown: string; title: string }) {
  const deferred = useDeferredValue(markdown);
  const html = useMemo(() => {
    const rendered = marked.parse(deferred, { async: false, gfm: true });
    return DOMPurify.sanitize(rendered.replace(/<(\/?)h1(\s|>)/g, '<$1h2$2'), {
      FORBID_TAGS: ['style', 'iframe', 'form'],
    });
  }, [deferred]);
  return (
    <section className="preview card" aria-label="Preview">
      <p className="hint">Preview</p>
      <h2 className="preview-title">{title || 'Untitled'}</h2>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised by DOMPurify just above */}
      <div className="prose" dangerouslySetInnerHTML={{ __html: html }} />
    </section>
  );
}

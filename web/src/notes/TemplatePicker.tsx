import { type FormEvent, useState } from 'react';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field, TextArea } from '../ui/Field.tsx';
import { Loading } from '../ui/Page.tsx';
import { useCreateTemplate } from './mutations.ts';
import { useTemplates } from './queries.ts';
import { TEMPLATE_CATEGORIES, type Template, type TemplateInput } from './types.ts';

const label = (category: string) => category.charAt(0).toUpperCase() + category.slice(1).replace('-', ' ');

/** Templates from `/v1/love-notes/templates` by category, and a form to save one of my own. */
export function TemplatePicker({
  selected,
  onPick,
}: {
  selected: Template | null;
  onPick: (template: Template | null) => void;
}) {
  const templates = useTemplates();
  const [category, setCategory] = useState<string>('');
  const [creating, setCreating] = useState(false);
  if (templates.isPending) return <Loading what="Loading templates" />;
  if (templates.error) return <ErrorNotice error={templates.error} />;
  const shown = templates.data.filter((t) => category === '' || t.category === category);

  return (
    <section className="card templates" aria-labelledby="templates-heading">
      <h2 id="templates-heading">Start from a template</h2>
      <div className="template-choice">
        <div className="field">
          <label htmlFor="template-category">Category</label>
          <select id="template-category" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">All categories</option>
            {TEMPLATE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {label(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="template">Template</label>
          <select
            id="template"
            value={selected?.id ?? ''}
            onChange={(e) => onPick(templates.data.find((t) => t.id === e.target.value) ?? null)}
          >
            <option value="">No template</option>
            {shown.map((t) => (
              <option key={t.id} value={t.id}>
                {t.personal ? `${t.title} (mine)` : t.title}
              </option>
            ))}
          </select>
        </div>
      </div>
      {creating ? (
        <NewTemplate
          onDone={(created) => {
            setCreating(false);
            if (created) {
              setCategory('');
              onPick(created);
            }
          }}
        />
      ) : (
        <button type="button" className="link-button" onClick={() => setCreating(true)}>
          Create a template
        </button>
      )}
    </section>
  );
}

function NewTemplate({ onDone }: { onDone: (created: Template | null) => void }) {
  const create = useCreateTemplate();
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input: TemplateInput = {
      category: String(form.get('category')) as TemplateInput['category'],
      title: String(form.get('title')).trim(),
      body: String(form.get('body')).trim(),
    };
    create.mutate(input, { onSuccess: (created) => onDone(created) });
  }
  return (
    <form className="form new-template" onSubmit={submit} noValidate aria-labelledby="new-template-heading">
      <h3 id="new-template-heading">New template</h3>
      <div className="field">
        <label htmlFor="new-template-category">Category</label>
        <select id="new-template-category" name="category" defaultValue="playful">
          {TEMPLATE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {label(c)}
            </option>
          ))}
        </select>
      </div>
      <Field label="Title" name="title" maxLength={80} required error={fieldError(create.error, 'title')} />
      <TextArea
        label="Template text"
        name="body"
        rows={3}
        required
        error={fieldError(create.error, 'body')}
      />
      <p className="hint">
        {'{{partnerName}}'}, {'{{myName}}'}, {'{{daysTogether}}'} and {'{{anniversary}}'} are filled in for
        you.
      </p>
      <ErrorNotice error={create.error} />
      <div className="row">
        <button type="submit" disabled={create.isPending}>
          Save template
        </button>
        <button type="button" className="secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

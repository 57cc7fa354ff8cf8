import { unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, LabelList, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../../api.ts';
import { ErrorNotice, fieldError } from '../../ui/ErrorNotice.tsx';
import { Field } from '../../ui/Field.tsx';
import { Loading } from '../../ui/Page.tsx';
import { count, share } from '../format.ts';
import { ChartFigure } from './ChartFigure.tsx';

const DEFAULT_STEPS = 'user.registered,couple.linked,love-note.sent';

/** An ordered funnel over raw events: how many people reached each step within the window. */
export function FunnelChart({ range }: { range: { from: string; to: string } }) {
  const [typed, setTyped] = useState(DEFAULT_STEPS);
  const [steps, setSteps] = useState(DEFAULT_STEPS);
  const funnel = useQuery({
    queryKey: ['admin', 'analytics', 'funnel', steps, range],
    queryFn: () => unwrap(api.GET('/v1/admin/analytics/funnel', { params: { query: { steps, ...range } } })),
  });
  const data = funnel.data?.steps ?? [];
  const first = data[0];
  const lastStep = data.at(-1);
  const summary =
    first && lastStep
      ? `${count(first.users)} people did ${first.event}; ${count(lastStep.users)} of them (${share(lastStep.conversion)}) went on to ${lastStep.event} within ${funnel.data?.window}.`
      : '';
  return (
    <section aria-label="Funnel">
      <form
        className="row funnel-steps"
        onSubmit={(event) => {
          event.preventDefault();
          setSteps(typed.replace(/\s+/g, ''));
        }}
      >
        <Field
          label="Funnel steps"
          hint="Two to five event names, comma-separated, in order"
          value={typed}
          error={fieldError(funnel.error, 'steps')}
          onChange={(event) => setTyped(event.target.value)}
        />
        <button type="submit" className="secondary">
          Show funnel
        </button>
      </form>
      {funnel.isPending ? (
        <Loading what="Loading the funnel" />
      ) : funnel.error ? (
        <ErrorNotice error={funnel.error} />
      ) : (
        <ChartFigure
          id="funnel"
          title="Funnel"
          summary={summary}
          chart={
            <BarChart
              responsive
              style={{ width: '100%', height: 260 }}
              data={data}
              margin={{ top: 24, right: 8, bottom: 8, left: 0 }}
            >
              <CartesianGrid stroke="#e8d8dc" vertical={false} />
              <XAxis dataKey="event" tick={{ fill: '#5f4a50', fontSize: 12 }} />
              <YAxis allowDecimals={false} tick={{ fill: '#5f4a50', fontSize: 12 }} width={40} />
              <Tooltip />
              <Bar dataKey="users" name="People" fill="#b0234f">
                <LabelList dataKey="users" position="top" fill="#2b1b20" />
              </Bar>
            </BarChart>
          }
          table={
            <table>
              <caption>People at each step</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">People</th>
                  <th scope="col">Of the first step</th>
                  <th scope="col">Of the step before</th>
                </tr>
              </thead>
              <tbody>
                {data.map((step) => (
                  <tr key={step.event}>
                    <th scope="row">{step.event}</th>
                    <td>{count(step.users)}</td>
                    <td>{share(step.conversion)}</td>
                    <td>{share(step.fromPrevious)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
      )}
    </section>
  );
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const number = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/** A timestamp from the API in the reader's own zone; a dash when there is none. */
export function when(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '–';
}

export const count = (n: number) => number.format(n);
export const share = (n: number) => percent.format(n);

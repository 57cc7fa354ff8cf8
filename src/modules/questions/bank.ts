import { readFileSync } from 'node:fs';

/** One question of the shipped bank (bank.json, written for this app). */
export interface Question {
  id: string;
  category: string;
  text: string;
}

export const CATEGORIES = [
  'getting-to-know',
  'memories',
  'dreams',
  'love',
  'fun',
  'deep',
  'would-you-rather',
  'daily-life',
  'family',
  'favorites',
] as const;

/** The bank, by id; the order of the file is kept. */
export interface Bank {
  questions: readonly Question[];
  byId: ReadonlyMap<string, Question>;
}

export function bankOf(questions: readonly Question[]): Bank {
  return { questions, byId: new Map(questions.map((q) => [q.id, q])) };
}

let shipped: Bank | undefined;

/** The shipped bank, read once. */
export function shippedBank(): Bank {
  shipped ??= bankOf(JSON.parse(readFileSync(new URL('./bank.json', import.meta.url), 'utf8')) as Question[]);
  return shipped;
}

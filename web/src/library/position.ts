/** Where a listener stopped in each episode, kept in this browser only. */
const key = (episodeId: string) => `o2o.podcast.position.${episodeId}`;

export function savedPosition(episodeId: string): number {
  const value = Number(localStorage.getItem(key(episodeId)));
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export function savePosition(episodeId: string, seconds: number, duration: number): void {
  // Finished (or nearly): next time starts from the beginning.
  if (duration > 0 && seconds >= duration - 2) localStorage.removeItem(key(episodeId));
  else localStorage.setItem(key(episodeId), String(Math.floor(seconds)));
}

const RATE_KEY = 'o2o.podcast.rate';
export const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];

export function savedRate(): number {
  const value = Number(localStorage.getItem(RATE_KEY));
  return RATES.includes(value) ? value : 1;
}

export function saveRate(rate: number): void {
  localStorage.setItem(RATE_KEY, String(rate));
}

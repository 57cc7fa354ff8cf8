/**
 * A cell's background from pale to the brand colour by rate. The middle
 * lightnesses are skipped: below 50% the cells stay pale (75–97%) under dark
 * text, from 50% they are dark (30–45%) under white, so every number keeps
 * AA contrast (4.5:1) whatever the rate.
 */
export function heat(rate: number): { background: string; color: string } {
  const light = rate < 0.5 ? 97 - rate * 44 : 45 - (rate - 0.5) * 30;
  return { background: `hsl(341 67% ${light.toFixed(1)}%)`, color: rate < 0.5 ? '#2b1b20' : '#ffffff' };
}

/**
 * The middle of the values that are known (the upper one of an even count),
 * or undefined when none is: the benchmarks' median of repeated runs, where a
 * run may not have a reading (CPU time where there is no /proc).
 */
export function middle(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  return known[Math.floor(known.length / 2)];
}

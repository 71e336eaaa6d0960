// Figures of the benchmarks: medians, rounding, wall time.

/** The middle value (the upper one of the two middles for an even count). */
export const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Wall seconds that `what` took. */
export async function timed(what: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await what();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** What the small benchmark measures and reports (no Gated code: the page shows it as is). */
export interface BenchRow {
  readonly backend: string;
  readonly trainMs: number;
  readonly inferMs: number;
  readonly runs: number;
}

/** apps/bench's workload W1. */
export const W1 = { batch: 16, seq: 32, input: 32, hidden: 128 } as const;

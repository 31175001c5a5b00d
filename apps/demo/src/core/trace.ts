/** The inspector's data (types and names only: the page draws them without loading Gated). */

/** Every signal of one layer over time, each `[T × H]` row-major (time-major). */
export interface LayerTrace {
  readonly input: Float32Array;
  readonly forget: Float32Array;
  readonly candidate: Float32Array;
  readonly output: Float32Array;
  readonly cell: Float32Array;
  readonly hidden: Float32Array;
}

export const SIGNALS = ['input', 'forget', 'candidate', 'output', 'cell', 'hidden'] as const;
export type Signal = (typeof SIGNALS)[number];

export interface Trace {
  readonly chars: readonly string[];
  readonly hiddenSize: number;
  readonly layers: readonly LayerTrace[];
  /** The model's next-character distribution after the last character: top 5. */
  readonly next: readonly { readonly char: string; readonly p: number }[];
}

/** One step of one unit, written out: pre-activations from the weights, gates from the backend. */
export interface StepBreakdown {
  readonly layer: number;
  readonly t: number;
  readonly unit: number;
  /** Pre-activations W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh of the four gates (float64 on the host). */
  readonly z: { readonly i: number; readonly f: number; readonly g: number; readonly o: number };
  /** What the backend computed: σ(z_i), σ(z_f), tanh(z_g), σ(z_o). */
  readonly gates: { readonly i: number; readonly f: number; readonly g: number; readonly o: number };
  readonly cPrev: number;
  readonly c: number;
  readonly h: number;
}

/**
 * The PyTorch reference cases of `fixtures/lstm/` (format: `fixtures/README.md`), loaded as
 * JSON modules through dynamic `import()`, so the suite needs no file system (it also runs in
 * headless Chromium) and, in the published build, each case is a chunk of its own that is only
 * fetched when the suite is collected (docs/decisions/0006). Also the helpers that turn their
 * nested arrays into tensors and compare results with them.
 */
import { dispose, tensor, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { mismatches } from '../../harness/compare.js';
import { NDArray } from '../../reference/index.js';
import goldenIndex from '../../../fixtures/lstm/index.json';
import extraIndex from '../../../fixtures/lstm/extra_index.json';
import v11Index from '../../../fixtures/lstm/v11_index.json';
import rnnIndex from '../../../fixtures/lstm/rnn_index.json';

/** Nested JSON arrays of numbers. */
export type Nested = number | readonly Nested[];

/** `torch_float32_vs_reference_max_abs`: how far PyTorch's own float32 result is from the float64 reference. */
export type RecordedDeviation = Readonly<Record<string, number>>;

/** A sequence case (`nn.LSTM`, `nn.GRU` or `nn.RNN`): the golden files and the extra ones share this format. */
export interface SequenceCase {
  readonly config: {
    readonly name: string;
    readonly cell?: 'lstm' | 'gru' | 'rnn';
    /** `nn.RNN`'s activation (RNN cases only). */
    readonly nonlinearity?: 'tanh' | 'relu';
    readonly input_size: number;
    readonly hidden_size: number;
    readonly proj_size?: number;
    readonly num_layers: number;
    readonly bidirectional: boolean;
    readonly bias: boolean;
    readonly batch_first: boolean;
    readonly dropout?: number;
    readonly seq_len: number;
    readonly batch: number;
    /**
     * How the suite compares (the v1.1 cases): `golden`, absolutely like every other case, or
     * `relative`, each tensor within 1e-5 of its largest magnitude. Absent: `golden`.
     */
    readonly agreement?: 'golden' | 'relative';
  };
  readonly params: Readonly<Record<string, Nested>>;
  readonly input: Nested;
  readonly lengths?: readonly number[];
  readonly h0: Nested;
  readonly c0?: Nested;
  readonly output: Nested;
  readonly h_n: Nested;
  readonly c_n?: Nested;
  /** Absent in `l1_large.json` and the v1.1 cases, whose R follows {@link largeCaseR}. */
  readonly R?: Nested;
  /** The plain loss `sum(output·R)` and its gradients; absent in the v1.1 cases, which keep only the loss with the states. */
  readonly loss?: number;
  readonly grad?: Readonly<Record<string, Nested>>;
  readonly R_h?: Nested;
  readonly R_c?: Nested;
  readonly loss_with_state?: number;
  readonly grad_with_state?: Readonly<Record<string, Nested>>;
  readonly tolerance: { readonly torch_float32_vs_reference_max_abs: RecordedDeviation };
}

/** A one-step case (`nn.LSTMCell` or `nn.GRUCell`). */
export interface CellCase {
  readonly config: {
    readonly name: string;
    readonly cell: 'lstm_cell' | 'gru_cell';
    readonly input_size: number;
    readonly hidden_size: number;
    readonly bias: boolean;
    readonly batch: number;
  };
  readonly params: Readonly<Record<string, Nested>>;
  readonly input: Nested;
  readonly h0: Nested;
  readonly c0?: Nested;
  readonly h: Nested;
  readonly c?: Nested;
  readonly R_h: Nested;
  readonly R_c?: Nested;
  readonly loss: number;
  readonly grad: Readonly<Record<string, Nested>>;
  readonly tolerance: { readonly torch_float32_vs_reference_max_abs: RecordedDeviation };
}

/** One loader per case file: literal `import()` paths, so bundlers (and tsup) split each file into its own chunk. */
const LOADERS: Readonly<Record<string, () => Promise<{ default: unknown }>>> = {
  'l1_basic.json': () => import('../../../fixtures/lstm/l1_basic.json'),
  'l1_h0.json': () => import('../../../fixtures/lstm/l1_h0.json'),
  'l1_batch_first.json': () => import('../../../fixtures/lstm/l1_batch_first.json'),
  'l1_batch_first_h0.json': () => import('../../../fixtures/lstm/l1_batch_first_h0.json'),
  'l1_nobias.json': () => import('../../../fixtures/lstm/l1_nobias.json'),
  'l1_seq1.json': () => import('../../../fixtures/lstm/l1_seq1.json'),
  'l1_hidden1.json': () => import('../../../fixtures/lstm/l1_hidden1.json'),
  'l1_batch1_long.json': () => import('../../../fixtures/lstm/l1_batch1_long.json'),
  'l2_stacked.json': () => import('../../../fixtures/lstm/l2_stacked.json'),
  'l2_stacked_bf_nobias.json': () => import('../../../fixtures/lstm/l2_stacked_bf_nobias.json'),
  'bidir_l1.json': () => import('../../../fixtures/lstm/bidir_l1.json'),
  'bidir_l2_bf.json': () => import('../../../fixtures/lstm/bidir_l2_bf.json'),
  'l1_medium.json': () => import('../../../fixtures/lstm/l1_medium.json'),
  'proj_l1.json': () => import('../../../fixtures/lstm/proj_l1.json'),
  'proj_l2_bidir_bf.json': () => import('../../../fixtures/lstm/proj_l2_bidir_bf.json'),
  'lengths_l1.json': () => import('../../../fixtures/lstm/lengths_l1.json'),
  'lengths_l2_bidir.json': () => import('../../../fixtures/lstm/lengths_l2_bidir.json'),
  'lengths_l1_bf.json': () => import('../../../fixtures/lstm/lengths_l1_bf.json'),
  'dropout_eval_l2.json': () => import('../../../fixtures/lstm/dropout_eval_l2.json'),
  'gru_l1.json': () => import('../../../fixtures/lstm/gru_l1.json'),
  'gru_l2_bidir_bf.json': () => import('../../../fixtures/lstm/gru_l2_bidir_bf.json'),
  'gru_l1_nobias.json': () => import('../../../fixtures/lstm/gru_l1_nobias.json'),
  'lstm_cell.json': () => import('../../../fixtures/lstm/lstm_cell.json'),
  'gru_cell.json': () => import('../../../fixtures/lstm/gru_cell.json'),
  'l1_large.json': () => import('../../../fixtures/lstm/l1_large.json'),
  'v11_gru_l2_bidir_lengths.json': () => import('../../../fixtures/lstm/v11_gru_l2_bidir_lengths.json'),
  'v11_proj_l2_bidir_lengths.json': () => import('../../../fixtures/lstm/v11_proj_l2_bidir_lengths.json'),
  'v11_gru_l3_bidir_long.json': () => import('../../../fixtures/lstm/v11_gru_l3_bidir_long.json'),
  'v11_proj_l3_bidir_long.json': () => import('../../../fixtures/lstm/v11_proj_l3_bidir_long.json'),
  'rnn_tanh_l1.json': () => import('../../../fixtures/lstm/rnn_tanh_l1.json'),
  'rnn_relu_l2_bidir_lengths.json': () => import('../../../fixtures/lstm/rnn_relu_l2_bidir_lengths.json'),
  'rnn_tanh_l2_bidir_bf_lengths.json': () => import('../../../fixtures/lstm/rnn_tanh_l2_bidir_bf_lengths.json'),
  'rnn_relu_l1_bf_nobias.json': () => import('../../../fixtures/lstm/rnn_relu_l1_bf_nobias.json'),
};

function casesOf(files: readonly string[]): Promise<unknown[]> {
  return Promise.all(
    files.map(async (file) => {
      const load = LOADERS[file];
      // A file listed in an index but without a loader above is a suite bug, not a backend failure.
      if (load === undefined) throw new Error(`conformance: fixtures/lstm/${file} is listed in an index but has no loader`);
      return (await load()).default;
    }),
  );
}

/** Every case of `fixtures/lstm`, by kind. */
export interface LstmCases {
  /** The golden cases (`index.json`), in index order. */
  readonly golden: readonly SequenceCase[];
  /** The extra sequence cases (`extra_index.json`): projections, lengths, eval dropout, GRU, the large case. */
  readonly extraSequences: readonly SequenceCase[];
  /** The extra one-step cases (`lstm_cell.json`, `gru_cell.json`). */
  readonly cells: readonly CellCase[];
  /** The v1.1 cases (`v11_index.json`): GRU and projected LSTMs, golden-sized and beyond. */
  readonly v11: readonly SequenceCase[];
  /** The `nn.RNN` cases (`rnn_index.json`): tanh and relu, one and two layers, both directions, lengths, initial states. */
  readonly rnn: readonly SequenceCase[];
}

let loading: Promise<LstmCases> | undefined;

/** Loads every case once (later calls share the first load). */
export function loadLstmCases(): Promise<LstmCases> {
  const indexes = [goldenIndex, extraIndex, v11Index, rnnIndex].map((index) => casesOf(index.files));
  loading ??= Promise.all(indexes).then(([golden, extra, v11, rnn]) => {
    const extras = extra as (SequenceCase | CellCase)[];
    return {
      golden: golden as SequenceCase[],
      extraSequences: extras.filter((c): c is SequenceCase => !('h' in c)),
      cells: extras.filter((c): c is CellCase => 'h' in c),
      v11: v11 as SequenceCase[],
      rnn: rnn as SequenceCase[],
    };
  });
  return loading;
}

/**
 * `l1_large.json`'s R: `R[t][b][j] = (((7t + 3b + 5j) mod 11) − 5) / 8` for output laid out [T, B, H];
 * for a batch-first output (the RNN cases), the same formula over its own layout [B, T, H].
 */
export function largeCaseR(steps: number, batch: number, hidden: number): number[][][] {
  return Array.from({ length: steps }, (_, t) =>
    Array.from({ length: batch }, (_, b) => Array.from({ length: hidden }, (_, j) => (((7 * t + 3 * b + 5 * j) % 11) - 5) / 8)),
  );
}

export function shapeOf(x: Nested): number[] {
  return typeof x === 'number' ? [] : [x.length, ...(x.length > 0 ? shapeOf(x[0]!) : [])];
}

export function flatOf(x: Nested): number[] {
  return typeof x === 'number' ? [x] : x.flatMap(flatOf);
}

/** A float32 tensor on the active backend with the nested array's values and shape. */
export function toFloat(x: Nested): Tensor {
  return tensor(Float32Array.from(flatOf(x)), { shape: shapeOf(x) });
}

/** Float32 tensors for every entry of a parameter record. */
export function toStateDict(params: Readonly<Record<string, Nested>>): Record<string, Tensor> {
  const dict: Record<string, Tensor> = {};
  try {
    for (const [name, value] of Object.entries(params)) dict[name] = toFloat(value);
  } catch (error) {
    dispose(dict);
    throw error;
  }
  return dict;
}

/** Largest |got − want| (for messages). */
export function maxAbsError(got: ArrayLike<number>, want: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst;
}

/** The largest |value| of a reference (for relative agreement). */
export function maxMagnitude(want: Nested): number {
  return flatOf(want).reduce((worst, v) => Math.max(worst, Math.abs(v)), 0);
}

/**
 * Asserts that `actual` has the reference's shape and values within `atol` (absolute: the
 * references are float64 results of float32 inputs, and every compared quantity is O(1)).
 */
export async function expectClose(actual: Tensor | null, want: Nested, atol: number, label: string): Promise<void> {
  expect(actual, `${label}: missing (no gradient reached it?)`).not.toBeNull();
  const shape = shapeOf(want);
  expect([...actual!.shape], `${label}: shape`).toEqual(shape);
  const values = await actual!.data();
  const reference = flatOf(want);
  const message = mismatches(values, NDArray.of(reference, shape), { rtol: 0, atol }, false);
  expect(message, `${label} (max |error| ${maxAbsError(values, reference).toExponential(2)}, allowed ${atol.toExponential(2)})`).toBe('');
}

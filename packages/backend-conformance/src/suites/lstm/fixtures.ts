/**
 * The PyTorch reference cases of `fixtures/lstm/` (format: `fixtures/README.md`), imported as
 * JSON modules so the suite needs no file system (it also runs in headless Chromium), and the
 * helpers that turn their nested arrays into tensors and compare results with them.
 */
import { dispose, tensor, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import { mismatches } from '../../harness/compare.js';
import { NDArray } from '../../reference/index.js';
import bidirL1 from '../../../fixtures/lstm/bidir_l1.json';
import bidirL2Bf from '../../../fixtures/lstm/bidir_l2_bf.json';
import dropoutEvalL2 from '../../../fixtures/lstm/dropout_eval_l2.json';
import gruCell from '../../../fixtures/lstm/gru_cell.json';
import gruL1 from '../../../fixtures/lstm/gru_l1.json';
import gruL1Nobias from '../../../fixtures/lstm/gru_l1_nobias.json';
import gruL2BidirBf from '../../../fixtures/lstm/gru_l2_bidir_bf.json';
import l1Basic from '../../../fixtures/lstm/l1_basic.json';
import l1Batch1Long from '../../../fixtures/lstm/l1_batch1_long.json';
import l1BatchFirst from '../../../fixtures/lstm/l1_batch_first.json';
import l1BatchFirstH0 from '../../../fixtures/lstm/l1_batch_first_h0.json';
import l1H0 from '../../../fixtures/lstm/l1_h0.json';
import l1Hidden1 from '../../../fixtures/lstm/l1_hidden1.json';
import l1Large from '../../../fixtures/lstm/l1_large.json';
import l1Medium from '../../../fixtures/lstm/l1_medium.json';
import l1Nobias from '../../../fixtures/lstm/l1_nobias.json';
import l1Seq1 from '../../../fixtures/lstm/l1_seq1.json';
import l2Stacked from '../../../fixtures/lstm/l2_stacked.json';
import l2StackedBfNobias from '../../../fixtures/lstm/l2_stacked_bf_nobias.json';
import lengthsL1 from '../../../fixtures/lstm/lengths_l1.json';
import lengthsL1Bf from '../../../fixtures/lstm/lengths_l1_bf.json';
import lengthsL2Bidir from '../../../fixtures/lstm/lengths_l2_bidir.json';
import lstmCell from '../../../fixtures/lstm/lstm_cell.json';
import projL1 from '../../../fixtures/lstm/proj_l1.json';
import projL2BidirBf from '../../../fixtures/lstm/proj_l2_bidir_bf.json';
import goldenIndex from '../../../fixtures/lstm/index.json';
import extraIndex from '../../../fixtures/lstm/extra_index.json';

/** Nested JSON arrays of numbers. */
export type Nested = number | readonly Nested[];

/** `torch_float32_vs_reference_max_abs`: how far PyTorch's own float32 result is from the float64 reference. */
export type RecordedDeviation = Readonly<Record<string, number>>;

/** A sequence case (`nn.LSTM` or `nn.GRU`): the golden files and the extra ones share this format. */
export interface SequenceCase {
  readonly config: {
    readonly name: string;
    readonly cell?: 'lstm' | 'gru';
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
  };
  readonly params: Readonly<Record<string, Nested>>;
  readonly input: Nested;
  readonly lengths?: readonly number[];
  readonly h0: Nested;
  readonly c0?: Nested;
  readonly output: Nested;
  readonly h_n: Nested;
  readonly c_n?: Nested;
  /** Absent in `l1_large.json`, whose R follows {@link largeCaseR}. */
  readonly R?: Nested;
  readonly loss: number;
  readonly grad: Readonly<Record<string, Nested>>;
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

const BY_FILE: Readonly<Record<string, unknown>> = {
  'l1_basic.json': l1Basic,
  'l1_h0.json': l1H0,
  'l1_batch_first.json': l1BatchFirst,
  'l1_batch_first_h0.json': l1BatchFirstH0,
  'l1_nobias.json': l1Nobias,
  'l1_seq1.json': l1Seq1,
  'l1_hidden1.json': l1Hidden1,
  'l1_batch1_long.json': l1Batch1Long,
  'l2_stacked.json': l2Stacked,
  'l2_stacked_bf_nobias.json': l2StackedBfNobias,
  'bidir_l1.json': bidirL1,
  'bidir_l2_bf.json': bidirL2Bf,
  'l1_medium.json': l1Medium,
  'proj_l1.json': projL1,
  'proj_l2_bidir_bf.json': projL2BidirBf,
  'lengths_l1.json': lengthsL1,
  'lengths_l2_bidir.json': lengthsL2Bidir,
  'lengths_l1_bf.json': lengthsL1Bf,
  'dropout_eval_l2.json': dropoutEvalL2,
  'gru_l1.json': gruL1,
  'gru_l2_bidir_bf.json': gruL2BidirBf,
  'gru_l1_nobias.json': gruL1Nobias,
  'lstm_cell.json': lstmCell,
  'gru_cell.json': gruCell,
  'l1_large.json': l1Large,
};

function casesOf(files: readonly string[]): unknown[] {
  return files.map((file) => {
    const data = BY_FILE[file];
    // A file listed in an index but not imported above is a suite bug, not a backend failure.
    if (data === undefined) throw new Error(`conformance: fixtures/lstm/${file} is listed in an index but not imported`);
    return data;
  });
}

/** Every golden case (`index.json`), in index order. */
export const GOLDEN_CASES = casesOf(goldenIndex.files) as SequenceCase[];

const extras = casesOf(extraIndex.files) as (SequenceCase | CellCase)[];

/** The extra sequence cases (`extra_index.json`): projections, lengths, eval dropout, GRU, the large case. */
export const EXTRA_SEQUENCE_CASES = extras.filter((c): c is SequenceCase => !('h' in c));

/** The extra one-step cases (`lstm_cell.json`, `gru_cell.json`). */
export const CELL_CASES = extras.filter((c): c is CellCase => 'h' in c);

/** `l1_large.json`'s R: `R[t][b][j] = (((7t + 3b + 5j) mod 11) − 5) / 8` for output laid out [T, B, H]. */
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

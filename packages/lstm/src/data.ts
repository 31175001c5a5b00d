/**
 * Data helpers a recurrent model needs: padding a batch of variable-length sequences (with the
 * lengths `LSTM.forward` takes), a character vocabulary for character-level language models, and
 * sliding windows over a time series.
 */
import { checkOptions, describeValue, GatedError, formatShape } from '@gated/backend-api';
import { pad, stack, tidy, type Tensor } from '@gated/tensor';
import { positiveInteger } from './checks.js';
import { asOp, assertLiveTensor } from '@gated/tensor/internal';

/** Options of {@link padSequence}. */
export interface PadSequenceOptions {
  /** Return `[B, T, ...]` instead of `[T, B, ...]`. Default false. */
  readonly batchFirst?: boolean;
  /** Value of the padding. Default 0. */
  readonly paddingValue?: number;
}

/** What {@link padSequence} returns. */
export interface PaddedBatch {
  /** `[T, B, ...]` (`[B, T, ...]` batch-first), T the longest length; yours to dispose. */
  readonly padded: Tensor;
  /** Each sequence's length, in the given order (what `LSTM.forward`'s `lengths` takes). */
  readonly lengths: number[];
}

/**
 * Pads sequences `[L_i, ...]` (same trailing shape and dtype) to the longest, PyTorch's
 * `pad_sequence`, and returns their lengths too: the pair `pack_padded_sequence` would take.
 *
 * @example
 * ```ts
 * const { padded, lengths } = padSequence([a, b, c]); // padded [T, 3, F], lengths [5, 2, 4]
 * const { output } = lstm.forward(padded, { lengths });
 * ```
 */
export function padSequence(sequences: readonly Tensor[], options: PadSequenceOptions = {}): PaddedBatch {
  const op = 'padSequence';
  checkOptions(op, options);
  if (sequences.length === 0) throw new GatedError(op, 'needs at least one sequence');
  const first = sequences[0]!;
  for (const [i, s] of sequences.entries()) {
    assertLiveTensor(op, s);
    const sameTail = s.rank === first.rank && s.shape.slice(1).every((d, k) => d === first.shape[k + 1]);
    if (s.rank === 0 || !sameTail || s.dtype !== first.dtype) {
      throw new GatedError(
        op,
        `sequences must share their trailing shape and dtype: sequence ${i} is ${s.dtype} ${formatShape(s.shape)}, sequence 0 is ${first.dtype} ${formatShape(first.shape)}`,
      );
    }
  }
  const lengths = sequences.map((s) => s.shape[0]!);
  const longest = Math.max(...lengths);
  const padded = asOp(op, () =>
    tidy(() =>
      stack(
        sequences.map((s) => pad(s, [[0, longest - s.shape[0]!]], options.paddingValue ?? 0)),
        options.batchFirst ? 0 : 1,
      ),
    ),
  );
  return { padded, lengths };
}

/**
 * A character vocabulary: every distinct character (Unicode code point) of a text, sorted, with
 * ids 0..size-1. For character-level language models.
 *
 * @example
 * ```ts
 * const vocab = CharVocab.fromText('hello world');
 * vocab.encode('hello');            // [3, 2, 4, 4, 5]
 * vocab.decode([3, 2, 4, 4, 5]);    // 'hello'
 * ```
 */
export class CharVocab {
  /** The characters, in id order. */
  readonly chars: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor(chars: Iterable<string>) {
    const list = [...chars];
    const ids = new Map<string, number>();
    for (const [i, ch] of list.entries()) {
      if (Array.from(ch).length !== 1) throw new GatedError('CharVocab', `each entry must be one character, got ${JSON.stringify(ch)}`);
      if (ids.has(ch)) throw new GatedError('CharVocab', `duplicate character ${JSON.stringify(ch)}`);
      ids.set(ch, i);
    }
    this.chars = list;
    this.ids = ids;
  }

  /** The sorted distinct characters of `text`. */
  static fromText(text: string): CharVocab {
    return new CharVocab([...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  /** Number of characters (the model's number of classes). */
  get size(): number {
    return this.chars.length;
  }

  /** The id of one character. */
  id(char: string): number {
    const id = this.ids.get(char);
    if (id === undefined) throw new GatedError('CharVocab.encode', `character ${JSON.stringify(char)} is not in the vocabulary`);
    return id;
  }

  /** Ids of every character of `text`, as an Int32Array (ready for `tensor(ids, { dtype: 'int32' })`). */
  encode(text: string): Int32Array {
    return Int32Array.from(Array.from(text), (ch) => this.id(ch));
  }

  /** The text of a sequence of ids. */
  decode(ids: Iterable<number>): string {
    let out = '';
    for (const id of ids) {
      const ch = this.chars[id];
      if (ch === undefined) throw new GatedError('CharVocab.decode', `id ${String(id)} is outside [0, ${this.size})`);
      out += ch;
    }
    return out;
  }
}

/** Options of {@link slidingWindows}. */
export interface SlidingWindowOptions {
  /** Steps in each input window. */
  readonly window: number;
  /** Steps to predict after each window. Default 1. */
  readonly horizon?: number;
  /** Steps between the starts of consecutive windows. Default 1. */
  readonly stride?: number;
}

/** Windows of a series, as flat host arrays with their shapes (ready for `tensor(values, { shape })`). */
export interface Windows {
  /** `count × window × features` values. */
  readonly inputs: Float32Array;
  readonly inputShape: [number, number, number];
  /** `count × horizon × features` values: the steps right after each window. */
  readonly targets: Float32Array;
  readonly targetShape: [number, number, number];
  readonly count: number;
}

/**
 * Cuts a time series into (input window, following steps) pairs for forecasting. `series` is a
 * list of numbers (one feature) or of equal-length feature vectors. Window k covers steps
 * `[k·stride, k·stride + window)` and its target the next `horizon` steps. Batch-first shapes:
 * `[count, window, features]` and `[count, horizon, features]`.
 *
 * @example
 * ```ts
 * const w = slidingWindows([1, 2, 3, 4, 5], { window: 3 }); // inputs [[1,2,3],[2,3,4]], targets [[4],[5]]
 * const x = tensor(w.inputs, { shape: w.inputShape });      // [2, 3, 1]
 * ```
 */
export function slidingWindows(series: ArrayLike<number> | readonly (readonly number[])[], options: SlidingWindowOptions): Windows {
  const op = 'slidingWindows';
  checkOptions(op, options, true);
  const { window } = options;
  const horizon = options.horizon ?? 1;
  const stride = options.stride ?? 1;
  for (const [name, value] of [
    ['window', window],
    ['horizon', horizon],
    ['stride', stride],
  ] as const)
    positiveInteger(op, name, value);
  // An array or typed array of numbers or of feature vectors; anything else would fail on a read.
  if (!Array.isArray(series) && !ArrayBuffer.isView(series)) {
    throw new GatedError(op, `series must be an array of numbers or of feature vectors, got ${describeValue(series)}`);
  }
  const rows: ArrayLike<number>[] = [];
  for (let i = 0; i < series.length; i++) {
    const row: unknown = series[i];
    if (typeof row !== 'number' && !Array.isArray(row) && !ArrayBuffer.isView(row)) {
      throw new GatedError(op, `step ${i} must be a number or a feature vector, got ${describeValue(row)}`);
    }
    rows.push(typeof row === 'number' ? [row] : (row as ArrayLike<number>));
  }
  const features = rows[0]?.length ?? 1;
  for (const [i, row] of rows.entries()) {
    if (row.length !== features) throw new GatedError(op, `step ${i} has ${row.length} features, step 0 has ${features}`);
    for (let f = 0; f < row.length; f++) {
      if (!Number.isFinite(row[f])) throw new GatedError(op, `step ${i} holds a non-finite value ${String(row[f])}`);
    }
  }
  const span = window + horizon;
  if (rows.length < span) {
    throw new GatedError(op, `a series of ${rows.length} steps is shorter than window + horizon = ${span}`);
  }
  const count = Math.floor((rows.length - span) / stride) + 1;
  const inputs = new Float32Array(count * window * features);
  const targets = new Float32Array(count * horizon * features);
  for (let k = 0; k < count; k++) {
    const start = k * stride;
    for (let t = 0; t < span; t++) {
      const row = rows[start + t]!;
      const into = t < window ? inputs : targets;
      const offset = t < window ? (k * window + t) * features : (k * horizon + t - window) * features;
      for (let f = 0; f < features; f++) into[offset + f] = row[f]!;
    }
  }
  return { inputs, inputShape: [count, window, features], targets, targetShape: [count, horizon, features], count };
}

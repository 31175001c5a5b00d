/**
 * Importing LSTM weights from Keras / TensorFlow.js. A Keras `LSTM` layer holds
 * `kernel` [I, 4H], `recurrent_kernel` [H, 4H] and one `bias` [4H], gate blocks i, f, c, o along
 * the last axis: the same gates in the same order as PyTorch's i, f, g, o. So
 *
 * ```
 * weight_ih = kernelᵀ            [4H, I]
 * weight_hh = recurrent_kernelᵀ  [4H, H]
 * bias_ih   = bias               [4H]
 * bias_hh   = 0                  [4H]   (PyTorch adds the two biases; Keras has one)
 * ```
 *
 * The import is exact only for Keras's defaults `activation: 'tanh'` and
 * `recurrent_activation: 'sigmoid'`. TF.js defaults `recurrentActivation` to `'hardSigmoid'`,
 * which no PyTorch-style LSTM computes: such weights are refused. See docs/weight-formats.md.
 */
import { checkOptions, GatedError, describeValue, formatShape, sizeOf } from '@gated/backend-api';
import { dispose, tensor } from '@gated/tensor';
import { isObject } from './checks.js';
import type { HostTensor } from './host-tensor.js';
import type { LSTM } from './lstm.js';
import type { StateDict } from './module.js';

/** A host array with its shape, e.g. `{ data: await w.data(), shape: w.shape }` from TF.js. */
export interface KerasArray {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** The weights of one Keras `LSTM` layer (one direction), as `layer.get_weights()` lists them. */
export interface KerasLSTMWeights {
  /** `kernel`, [I, 4H]. */
  readonly kernel: KerasArray;
  /** `recurrent_kernel`, [H, 4H]. */
  readonly recurrentKernel: KerasArray;
  /**
   * `bias`, [4H]; absent or null for `use_bias=False`. A [8H] bias (Keras 2's `CuDNNLSTM`,
   * input bias then recurrent bias) maps to `bias_ih` and `bias_hh` directly.
   */
  readonly bias?: KerasArray | null;
}

/** A Keras `Bidirectional(LSTM)` layer's two directions (merge mode `concat`). */
export interface KerasBidirectionalWeights {
  readonly forward: KerasLSTMWeights;
  readonly backward: KerasLSTMWeights;
}

/** Options of the Keras importers. */
export interface KerasImportOptions {
  /** The Keras layer's `recurrent_activation` (`recurrentActivation` in TF.js). Only `'sigmoid'` imports exactly. */
  readonly recurrentActivation?: string;
  /** The Keras layer's `activation`. Only `'tanh'` imports exactly. */
  readonly activation?: string;
}

/** Options of {@link kerasLSTMToStateDict}. */
export interface KerasMappingOptions extends KerasImportOptions {
  /** Layer index k of the parameter names. Default 0. */
  readonly layer?: number;
  /** Name the parameters of the reverse direction (`_reverse`). Default false. */
  readonly reverse?: boolean;
  /** Whether the target has biases (`LSTM`'s `bias` option). Default true. */
  readonly bias?: boolean;
}

function checkActivations(op: string, options: KerasImportOptions): void {
  const recurrent = options.recurrentActivation;
  if (recurrent !== undefined && recurrent !== 'sigmoid') {
    throw new GatedError(
      op,
      `recurrent activation "${recurrent}" cannot be imported exactly: a PyTorch-style LSTM uses the logistic sigmoid. TF.js defaults to "hardSigmoid"; train the Keras/TF.js layer with recurrentActivation: "sigmoid"`,
    );
  }
  if (options.activation !== undefined && options.activation !== 'tanh') {
    throw new GatedError(op, `activation "${options.activation}" cannot be imported exactly: a PyTorch-style LSTM uses tanh`);
  }
}

/**
 * Checks one weight array of untrusted shape: an object with `shape` (integers) and `data` (that
 * many numbers: a string or a missing value would silently become a NaN weight).
 */
function checkArray(op: string, name: string, array: KerasArray, rank: number): void {
  if (!isObject(array)) throw new GatedError(op, `${name} must be { data, shape }, got ${describeValue(array)}`);
  const { data, shape } = array as { data?: unknown; shape?: unknown };
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new GatedError(op, `${name}.shape must be an array of non-negative integers, got ${describeValue(shape)}`);
  }
  if (!isObject(data) || typeof (data as { length?: unknown }).length !== 'number') {
    throw new GatedError(op, `${name}.data must be an array or typed array of numbers, got ${describeValue(data)}`);
  }
  const values = data as ArrayLike<unknown>;
  if (!ArrayBuffer.isView(values)) {
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number') throw new GatedError(op, `${name}.data[${i}] must be a number, got ${describeValue(values[i])}`);
    }
  }
  if (array.shape.length !== rank || sizeOf(array.shape) !== array.data.length) {
    throw new GatedError(
      op,
      `${name} must be a ${rank}-D array whose data matches its shape, got shape ${formatShape(array.shape)} with ${array.data.length} values`,
    );
  }
}

/** `a` [rows, cols] transposed to [cols, rows], as float32. */
function transposed(a: KerasArray): Float32Array {
  const [rows, cols] = a.shape as [number, number];
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a.data[r * cols + c]!;
  return out;
}

/**
 * Maps one Keras LSTM layer (one direction) to PyTorch-named host tensors: `weight_ih_l{k}{s}`,
 * `weight_hh_l{k}{s}` and (with `bias`) `bias_ih_l{k}{s}`, `bias_hh_l{k}{s}`.
 *
 * @example
 * ```ts
 * const [kernel, recurrentKernel, bias] = tfLayer.getWeights();
 * const dict = kerasLSTMToStateDict({
 *   kernel: { data: await kernel.data(), shape: kernel.shape },
 *   recurrentKernel: { data: await recurrentKernel.data(), shape: recurrentKernel.shape },
 *   bias: { data: await bias.data(), shape: bias.shape },
 * }, { recurrentActivation: tfLayer.getConfig().recurrentActivation as string });
 * ```
 */
export function kerasLSTMToStateDict(weights: KerasLSTMWeights, options: KerasMappingOptions = {}): Map<string, HostTensor> {
  const op = 'kerasLSTMToStateDict';
  checkOptions(op, options);
  if (!isObject(weights)) {
    throw new GatedError(op, `expected { kernel, recurrentKernel, bias? }, got ${describeValue(weights)}`);
  }
  checkActivations(op, options);
  checkArray(op, 'kernel', weights.kernel, 2);
  checkArray(op, 'recurrentKernel', weights.recurrentKernel, 2);
  const [inputSize, gates] = weights.kernel.shape as [number, number];
  const [hidden, recurrentGates] = weights.recurrentKernel.shape as [number, number];
  if (gates !== 4 * hidden || recurrentGates !== 4 * hidden) {
    throw new GatedError(
      op,
      `kernel ${formatShape(weights.kernel.shape)} and recurrentKernel ${formatShape(weights.recurrentKernel.shape)} must be [I, 4H] and [H, 4H] for one H`,
    );
  }
  const layer = options.layer ?? 0;
  const suffix = `_l${layer}${options.reverse ? '_reverse' : ''}`;
  const out = new Map<string, HostTensor>();
  out.set(`weight_ih${suffix}`, { dtype: 'float32', shape: [gates, inputSize], data: transposed(weights.kernel) });
  out.set(`weight_hh${suffix}`, { dtype: 'float32', shape: [gates, hidden], data: transposed(weights.recurrentKernel) });
  const bias = weights.bias ?? null;
  const targetBias = options.bias ?? true;
  if (bias && !targetBias) throw new GatedError(op, 'the Keras layer has a bias but the target LSTM was built with bias: false');
  if (targetBias) {
    let ih = new Float32Array(gates);
    let hh = new Float32Array(gates);
    if (bias) {
      checkArray(op, 'bias', bias, 1);
      if (bias.data.length === gates) ih = Float32Array.from(bias.data);
      else if (bias.data.length === 2 * gates) {
        ih = Float32Array.from({ length: gates }, (_, i) => bias.data[i]!);
        hh = Float32Array.from({ length: gates }, (_, i) => bias.data[gates + i]!);
      } else {
        throw new GatedError(op, `bias must be [4H] = [${gates}] (or [8H] for CuDNNLSTM), got ${formatShape(bias.shape)}`);
      }
    }
    out.set(`bias_ih${suffix}`, { dtype: 'float32', shape: [gates], data: ih });
    out.set(`bias_hh${suffix}`, { dtype: 'float32', shape: [gates], data: hh });
  }
  return out;
}

/**
 * Loads Keras/TF.js LSTM weights into `lstm`, one entry per layer (a `{ forward, backward }` pair
 * for a bidirectional LSTM). Every parameter is replaced; shapes are checked against the LSTM
 * (a mismatch throws and changes nothing). Projections have no Keras counterpart.
 *
 * @example
 * ```ts
 * const lstm = new LSTM({ inputSize: 8, hiddenSize: 16 });
 * importKerasLSTM(lstm, [{ kernel, recurrentKernel, bias }], { recurrentActivation: 'sigmoid' });
 * ```
 */
export function importKerasLSTM(
  lstm: LSTM,
  layers: readonly (KerasLSTMWeights | KerasBidirectionalWeights)[],
  options: KerasImportOptions = {},
): void {
  const op = 'importKerasLSTM';
  checkOptions(op, options);
  checkActivations(op, options);
  if (lstm.projSize > 0) throw new GatedError(op, 'an LSTM with projections (projSize > 0) has no Keras counterpart');
  const given: unknown = layers;
  if (!Array.isArray(given)) throw new GatedError(op, `expected an array with one entry per layer, got ${describeValue(given)}`);
  if (layers.length !== lstm.numLayers) {
    throw new GatedError(op, `the LSTM has ${lstm.numLayers} layer(s), got weights for ${layers.length}`);
  }
  const host = new Map<string, HostTensor>();
  layers.forEach((entry, layer) => {
    if (!isObject(entry)) {
      throw new GatedError(
        op,
        `layer ${layer}: expected { kernel, recurrentKernel, bias? } or { forward, backward }, got ${describeValue(entry)}`,
      );
    }
    const bidirectional = 'forward' in entry;
    if (bidirectional !== lstm.bidirectional) {
      throw new GatedError(
        op,
        `layer ${layer}: ${bidirectional ? 'bidirectional weights for a unidirectional' : 'unidirectional weights for a bidirectional'} LSTM`,
      );
    }
    const directions: [KerasLSTMWeights, boolean][] = bidirectional
      ? [
          [entry.forward, false],
          [entry.backward, true],
        ]
      : [[entry, false]];
    for (const [weights, reverse] of directions) {
      for (const [name, t] of kerasLSTMToStateDict(weights, { ...options, layer, reverse, bias: lstm.bias })) host.set(name, t);
    }
  });
  const dict: StateDict = {};
  try {
    for (const [name, t] of host) dict[name] = tensor(t.data, { shape: t.shape, dtype: t.dtype });
    lstm.loadStateDict(dict);
  } finally {
    dispose(dict);
  }
}

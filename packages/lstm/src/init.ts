/**
 * Initializers (PyTorch's `torch.nn.init`): each replaces a parameter's values in place (by
 * `assign`, so the parameter keeps its identity) with values drawn from the shared random stream,
 * so a seeded initialization is identical on every backend.
 */
import { describeValue, checkOptions, GatedError, formatShape, sizeOf } from '@gated/backend-api';
import {
  concat,
  div,
  full,
  matmul,
  mul,
  normal,
  reshape,
  slice,
  sqrt,
  square,
  sub,
  sum,
  tidy,
  transpose,
  uniform,
  type Tensor,
} from '@gated/tensor';
import { checkSeed } from './seed.js';
import { asOp, assertLiveTensor } from '@gated/tensor/internal';

/** A seed for the values drawn; without one the global stream is used (see `manualSeed`). */
export interface InitOptions {
  readonly seed?: number;
}

/** Options of the Xavier and orthogonal initializers. */
export interface GainOptions extends InitOptions {
  /** Scale factor (PyTorch's `gain`, see `calculate_gain`). Default 1. */
  readonly gain?: number;
}

/** Checks an initializer's parameter and options; returns the gain (1 when not given). */
function gainOf(op: string, param: Tensor, options: GainOptions): number {
  assertLiveTensor(op, param);
  checkOptions(op, options);
  checkSeed(op, options.seed);
  const gain = options.gain ?? 1;
  if (typeof gain !== 'number' || !Number.isFinite(gain))
    throw new GatedError(op, `gain must be a finite number, got ${describeValue(gain)}`);
  return gain;
}

function replace(op: string, param: Tensor, make: () => Tensor): void {
  assertLiveTensor(op, param);
  if (param.dtype !== 'float32') throw new GatedError(op, `expects a float32 parameter, got ${param.dtype}`);
  // The op that refuses may be a creation function inside (`uniform: low must be finite`).
  const value = asOp(op, () => tidy(make));
  try {
    param.assign(value);
  } finally {
    value.dispose();
  }
}

/** Fills `param` with uniform samples in `[low, high)` (`nn.init.uniform_`). */
export function initUniform(param: Tensor, low = 0, high = 1, options: InitOptions = {}): void {
  checkOptions('initUniform', options);
  checkSeed('initUniform', options.seed);
  replace('initUniform', param, () => uniform(param.shape, low, high, seedOption(options.seed)));
}

/** Fills `param` with normal samples (`nn.init.normal_`). */
export function initNormal(param: Tensor, mean = 0, std = 1, options: InitOptions = {}): void {
  checkOptions('initNormal', options);
  checkSeed('initNormal', options.seed);
  replace('initNormal', param, () => normal(param.shape, mean, std, seedOption(options.seed)));
}

/** Fills `param` with `value` (`nn.init.constant_`). */
export function initConstant(param: Tensor, value: number): void {
  if (typeof value !== 'number') throw new GatedError('initConstant', `value must be a number, got ${describeValue(value)}`);
  replace('initConstant', param, () => full(param.shape, value));
}

/** Fan-in and fan-out as PyTorch computes them: [out, in, ...receptive field]. */
export function fans(op: string, shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2)
    throw new GatedError(op, `needs a parameter with at least 2 axes to compute fan in and fan out, got ${formatShape(shape)}`);
  const receptive = sizeOf(shape.slice(2));
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** Xavier/Glorot uniform: `U(-a, a)`, `a = gain·√(6 / (fanIn + fanOut))` (`nn.init.xavier_uniform_`). */
export function initXavierUniform(param: Tensor, options: GainOptions = {}): void {
  const gain = gainOf('initXavierUniform', param, options);
  const { fanIn, fanOut } = fans('initXavierUniform', param.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  replace('initXavierUniform', param, () => uniform(param.shape, -bound, bound, seedOption(options.seed)));
}

/** Xavier/Glorot normal: `N(0, std²)`, `std = gain·√(2 / (fanIn + fanOut))` (`nn.init.xavier_normal_`). */
export function initXavierNormal(param: Tensor, options: GainOptions = {}): void {
  const gain = gainOf('initXavierNormal', param, options);
  const { fanIn, fanOut } = fans('initXavierNormal', param.shape);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  replace('initXavierNormal', param, () => normal(param.shape, 0, std, seedOption(options.seed)));
}

/**
 * A (semi-)orthogonal matrix (`nn.init.orthogonal_`): the parameter, flattened to
 * `[shape[0], rest]`, gets orthonormal rows or columns (whichever are fewer), times `gain`.
 * As in PyTorch, it is the Q factor (with R's diagonal made positive) of a standard normal
 * matrix; here the QR is Gram-Schmidt with reorthogonalization, computed on the device.
 */
export function initOrthogonal(param: Tensor, options: GainOptions = {}): void {
  const op = 'initOrthogonal';
  const gain = gainOf(op, param, options);
  if (param.rank < 2) throw new GatedError(op, `needs a parameter with at least 2 axes, got ${formatShape(param.shape)}`);
  if (param.size === 0) return;
  const rows = param.shape[0]!;
  const cols = param.size / Math.max(rows, 1);
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows];
  // i.i.d. samples drawn directly in the [m, n] orientation (PyTorch draws [rows, cols] and transposes).
  const samples = normal([m, n], 0, 1, seedOption(options.seed));
  let basis = null as Tensor | null;
  try {
    for (let j = 0; j < n; j++) {
      const previous: Tensor | null = basis;
      basis = tidy(() => {
        let v = slice(samples, [0, j], [m, 1]);
        if (previous) {
          // Classical Gram-Schmidt twice ("twice is enough") keeps float32 columns orthogonal.
          for (let pass = 0; pass < 2; pass++) v = sub(v, matmul(previous, matmul(previous, v, { transposeA: true })));
        }
        v = div(v, sqrt(sum(square(v))));
        return previous ? concat([previous, v], 1) : v;
      });
      previous?.dispose();
    }
    const q = basis!;
    replace(op, param, () => reshape(mul(tall ? q : transpose(q), gain), param.shape));
  } finally {
    basis?.dispose();
    samples.dispose();
  }
}

/** The parameters an LSTM-style module exposes to {@link initForgetGateBias}. */
export interface GatedRecurrentModule {
  readonly hiddenSize: number;
  namedParameters(): [string, Tensor][];
}

/**
 * Sets the forget-gate bias of every LSTM layer in `module` (an `LSTM` or `LSTMCell`, or a model
 * containing them under any prefix): the forget block `[H, 2H)` of each `bias_ih*` becomes `value`
 * and that of each `bias_hh*` becomes 0, so the forget gate starts at `σ(value)` (Jozefowicz et
 * al., 2015 recommend 1). The other gates' biases are unchanged.
 */
export function initForgetGateBias(module: GatedRecurrentModule, value = 1): void {
  const op = 'initForgetGateBias';
  const hidden = module.hiddenSize;
  let found = 0;
  for (const [name, param] of module.namedParameters()) {
    const match = /(^|\.)bias_(ih|hh)(_l\d+(_reverse)?)?$/.exec(name);
    if (!match) continue;
    if (param.rank !== 1 || param.shape[0] !== 4 * hidden) {
      throw new GatedError(op, `${name} has shape ${formatShape(param.shape)}, not an LSTM bias [4H] = [${4 * hidden}]`);
    }
    const forget = match[2] === 'ih' ? value : 0;
    replace(op, param, () => concat([slice(param, [0], [hidden]), full([hidden], forget), slice(param, [2 * hidden], [2 * hidden])], 0));
    found++;
  }
  if (found === 0) throw new GatedError(op, 'the module has no LSTM biases (bias_ih*, bias_hh*)');
}

/** `{ seed }` when a seed is given, else `{}` (exactOptionalPropertyTypes forbids `seed: undefined`). */
export function seedOption(seed: number | undefined): { seed?: number } {
  return seed === undefined ? {} : { seed };
}

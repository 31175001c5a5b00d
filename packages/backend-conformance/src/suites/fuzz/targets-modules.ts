/**
 * Fuzz targets above the tensor ops: every layer's constructor and forward, the losses and data
 * helpers, autodiff's entry points, every optimizer (construction, a step, loading a hostile
 * state dict), gradient clipping, and the file loaders (safetensors bytes, Keras weights, state
 * dicts). Layers are built small inside a call and disposed there.
 */
import { backward, grad, noGrad, valueAndGrad } from '@gated/autograd';
import * as L from '@gated/lstm';
import * as O from '@gated/optim';
import { clone, dispose, square, sum, Tensor } from '@gated/tensor';
import fc from 'fast-check';
import type { Target } from './run.js';
import { floatSpec, junk, numberArg, optionsArg, tensorLike, tensorList, value, DIMS, NUMBERS } from './values.js';

const size = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(1, 2, 3) },
  { weight: 1, arbitrary: fc.constantFrom(...DIMS, -1, 0.5, NaN) },
  { weight: 1, arbitrary: junk },
);
const flag = fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: junk });
const recurrentOptions = optionsArg({
  inputSize: size,
  hiddenSize: size,
  numLayers: size,
  bias: flag,
  batchFirst: flag,
  dropout: fc.constantFrom(0, 0.5, 1, -0.1, NaN),
  bidirectional: flag,
  seed: fc.constantFrom(1, -1, 0.5),
  projSize: fc.constantFrom(0, 1, 2, 3, -1, 0.5),
});
const lengthsArg = value(fc.oneof(fc.array(fc.constantFrom(0, 1, 2, 3, 4, 5, -1, 0.5, NaN, 2 ** 31), { maxLength: 3 }), junk));
const lstmInput = fc.oneof(floatSpec([3, 2, 2]), floatSpec([3, 2]), tensorLike);

/** Runs `body` with a small layer built from `make`, disposing the layer afterwards. */
function withLayer<M extends L.Module, R>(make: () => M, body: (layer: M) => R): R {
  const layer = make();
  try {
    return body(layer);
  } finally {
    layer.dispose();
  }
}

const layers: Target[] = [
  { name: 'new LSTM', ops: ['LSTM', 'uniform'], args: [recurrentOptions], call: (o) => new L.LSTM(o as L.LSTMOptions) },
  { name: 'new GRU', ops: ['GRU', 'uniform'], args: [recurrentOptions], call: (o) => new L.GRU(o as L.GRUOptions) },
  { name: 'new LSTMCell', ops: ['LSTMCell', 'uniform'], args: [recurrentOptions], call: (o) => new L.LSTMCell(o as L.LSTMCellOptions) },
  { name: 'new GRUCell', ops: ['GRUCell', 'uniform'], args: [recurrentOptions], call: (o) => new L.GRUCell(o as L.GRUCellOptions) },
  {
    name: 'new Linear',
    ops: ['Linear', 'uniform'],
    args: [value(size), value(size), optionsArg({ bias: flag, seed: fc.constantFrom(1, -1) })],
    call: (i, o, options) => new L.Linear(i as number, o as number, options as L.LinearOptions),
  },
  {
    name: 'new Embedding',
    ops: ['Embedding', 'normal'],
    args: [value(size), value(size), optionsArg({ paddingIdx: fc.constantFrom(0, -1, 5, 0.5, NaN) })],
    call: (n, d, options) => new L.Embedding(n as number, d as number, options as L.EmbeddingOptions),
  },
  { name: 'new Dropout', ops: ['Dropout'], args: [numberArg], call: (p) => new L.Dropout(p as number) },
  {
    name: 'LSTM.forward',
    ops: ['LSTM.forward'],
    args: [
      lstmInput,
      optionsArg({ h0: fc.constant(undefined), lengths: lengthsArg.map((spec) => (spec as { v: unknown }).v), returnGates: flag }),
      value(fc.constantFrom(1, 2)),
    ],
    call: (x, options, numLayers) =>
      withLayer(
        () => new L.LSTM({ inputSize: 2, hiddenSize: 3, numLayers: numLayers as number, seed: 1 }),
        (lstm) => lstm.forward(x as Tensor, options as L.LSTMForwardOptions),
      ),
  },
  {
    name: 'LSTM.forward (projected)',
    ops: ['LSTM.forward'],
    args: [lstmInput, fc.oneof(floatSpec([1, 2, 2]), tensorLike), fc.oneof(floatSpec([1, 2, 3]), tensorLike), lengthsArg],
    call: (x, h0, c0, lengths) =>
      withLayer(
        () => new L.LSTM({ inputSize: 2, hiddenSize: 3, projSize: 2, seed: 1 }),
        (lstm) => lstm.forward(x as Tensor, { h0: h0 as Tensor, c0: c0 as Tensor, lengths: lengths as L.Lengths }),
      ),
  },
  {
    name: 'LSTM.forward (bidirectional, states)',
    ops: ['LSTM.forward'],
    args: [lstmInput, fc.oneof(floatSpec([2, 2, 3]), tensorLike), fc.oneof(floatSpec([2, 2, 3]), tensorLike)],
    call: (x, h0, c0) =>
      withLayer(
        () => new L.LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, seed: 1 }),
        (lstm) => lstm.forward(x as Tensor, { h0: h0 as Tensor, c0: c0 as Tensor }),
      ),
  },
  {
    name: 'GRU.forward',
    ops: ['GRU.forward'],
    args: [lstmInput, optionsArg({ lengths: lengthsArg.map((spec) => (spec as { v: unknown }).v) })],
    call: (x, options) =>
      withLayer(
        () => new L.GRU({ inputSize: 2, hiddenSize: 3, seed: 1 }),
        (gru) => gru.forward(x as Tensor, options as L.GRUForwardOptions),
      ),
  },
  {
    name: 'LSTMCell.forward',
    ops: ['LSTMCell.forward'],
    args: [fc.oneof(floatSpec([2, 2]), tensorLike), fc.oneof(floatSpec([2, 3]), tensorLike)],
    call: (x, h) =>
      withLayer(
        () => new L.LSTMCell({ inputSize: 2, hiddenSize: 3, seed: 1 }),
        (cell) => cell.forward(x as Tensor, { h0: h as Tensor, c0: h as Tensor }),
      ),
  },
  {
    name: 'GRUCell.forward',
    ops: ['GRUCell.forward'],
    args: [fc.oneof(floatSpec([2, 2]), tensorLike), fc.oneof(floatSpec([2, 3]), tensorLike)],
    call: (x, h) =>
      withLayer(
        () => new L.GRUCell({ inputSize: 2, hiddenSize: 3, seed: 1 }),
        (cell) => cell.forward(x as Tensor, { h0: h as Tensor }),
      ),
  },
  {
    name: 'Linear.forward',
    ops: ['Linear.forward'],
    args: [fc.oneof(floatSpec([2, 2]), tensorLike)],
    call: (x) =>
      withLayer(
        () => new L.Linear(2, 3, { seed: 1 }),
        (linear) => linear.forward(x as Tensor),
      ),
  },
  {
    name: 'Embedding.forward',
    ops: ['Embedding.forward'],
    args: [tensorLike],
    call: (ids) =>
      withLayer(
        () => new L.Embedding(4, 2, { seed: 1 }),
        (e) => e.forward(ids as Tensor),
      ),
  },
  {
    name: 'Dropout.forward',
    ops: ['Dropout.forward'],
    args: [tensorLike],
    call: (x) =>
      withLayer(
        () => new L.Dropout(0.5, { seed: 1 }),
        (d) => d.forward(x as Tensor),
      ),
  },
  {
    name: 'Sequential.forward',
    ops: ['Sequential*', 'Linear.forward', 'Tanh*', 'tanh'],
    args: [tensorLike],
    call: (x) =>
      withLayer(
        () => new L.Sequential(new L.Linear(2, 2, { seed: 1 }), new L.Tanh()),
        (s) => s.forward(x as Tensor),
      ),
  },
];

const reductionOption = optionsArg({
  reduction: fc.oneof(fc.constantFrom('mean', 'sum', 'none'), junk),
  ignoreIndex: fc.constantFrom(-100, 0, 0.5),
  posWeight: fc.constant(undefined),
});
const lossesAndData: Target[] = [
  ...(['mseLoss', 'nllLoss', 'crossEntropy', 'binaryCrossEntropyWithLogits'] as const).map((loss): Target => ({
    name: loss,
    ops: [loss],
    args: [tensorLike, tensorLike, reductionOption],
    call: L[loss] as (...args: unknown[]) => unknown,
  })),
  {
    name: 'padSequence',
    ops: ['padSequence'],
    args: [tensorList, optionsArg({ batchFirst: flag, paddingValue: fc.constantFrom(...NUMBERS) })],
    call: (items, options) => L.padSequence(items as Tensor[], options as L.PadSequenceOptions),
  },
  {
    name: 'slidingWindows',
    ops: ['slidingWindows'],
    args: [
      value(fc.oneof(fc.array(fc.constantFrom(...NUMBERS), { maxLength: 6 }), junk)),
      optionsArg({ window: size, horizon: size, stride: size }),
    ],
    call: (series, options) => L.slidingWindows(series as number[], options as L.SlidingWindowOptions),
  },
  {
    name: 'initializers',
    ops: [
      'init*',
      'fans',
      'initConstant',
      'initUniform',
      'initNormal',
      'initOrthogonal',
      'initXavierUniform',
      'initXavierNormal',
      'initForgetGateBias',
    ],
    args: [tensorLike, numberArg],
    call: (t, v) => {
      L.initConstant(t as Tensor, v as number);
      L.initUniform(t as Tensor, v as number, 1, { seed: 1 });
      L.initXavierNormal(t as Tensor, { gain: v as number, seed: 1 });
      L.initOrthogonal(t as Tensor, { gain: v as number, seed: 1 });
    },
  },
];

/** Parameters (leaves requiring gradients, with gradients) for the optimizer targets. */
function parameters(spec: unknown): Tensor[] {
  if (!(spec instanceof Tensor)) return [spec as Tensor];
  const t = spec as Tensor;
  if (t.isDisposed || t.dtype !== 'float32') return [t];
  const p = t.detach();
  p.requiresGrad = true;
  p.grad = clone(t) as Tensor<'float32'>;
  return [p];
}
const OPTIMIZERS = { SGD: O.SGD, Adam: O.Adam, AdamW: O.AdamW, RMSprop: O.RMSprop, Adagrad: O.Adagrad, Adamax: O.Adamax } as const;
const optimizerOptions = optionsArg({
  lr: fc.constantFrom(...NUMBERS),
  momentum: fc.constantFrom(0, 0.9, -1, NaN),
  weightDecay: fc.constantFrom(0, 0.1, -1, Infinity),
  betas: fc.oneof(fc.constant([0.9, 0.999]), fc.constant([1, 0.5]), junk),
  eps: fc.constantFrom(1e-8, 0, -1),
  amsgrad: flag,
  nesterov: flag,
});
const hostileState = value(
  fc.oneof(
    fc.constant({ state: {}, paramGroups: [] }),
    fc.record({ state: junk, paramGroups: fc.oneof(junk, fc.constant([{ params: [0, 7], lr: 'x' }])) }),
    junk,
  ),
);

const optimizers: Target[] = Object.entries(OPTIMIZERS).map(([name, Optimizer]): Target => ({
  name: `${name} step and loadStateDict`,
  ops: [`${name}*`],
  args: [tensorLike, optimizerOptions, hostileState],
  call: (param, options, state) => {
    const params = parameters(param);
    let optimizer: O.Optimizer | null = null;
    try {
      optimizer = new (Optimizer as new (params: unknown, options: unknown) => O.Optimizer)(params, { lr: 0.1, ...(options as object) });
      optimizer.step();
      optimizer.loadStateDict(state as never);
    } finally {
      optimizer?.dispose();
      for (const p of params) if (p instanceof Tensor && p !== param) dispose([p.grad, p]);
    }
  },
}));
const clipping: Target[] = [
  {
    name: 'clipGradNorm',
    ops: ['clipGradNorm'],
    args: [tensorLike, numberArg, optionsArg({ normType: fc.constantFrom(2, 1, Infinity, 0, -1, NaN) })],
    call: (p, max, options) => {
      const ps = parameters(p);
      try {
        return O.clipGradNorm(ps, max as number, options as O.ClipGradNormOptions);
      } finally {
        for (const q of ps) if (q !== p) dispose([q.grad, q]);
      }
    },
  },
  {
    name: 'clipGradValue',
    ops: ['clipGradValue'],
    args: [tensorLike, numberArg],
    call: (p, v) => {
      const ps = parameters(p);
      try {
        O.clipGradValue(ps, v as number);
      } finally {
        for (const q of ps) if (q !== p) dispose([q.grad, q]);
      }
    },
  },
];

const autodiff: Target[] = [
  {
    name: 'backward',
    ops: ['backward'],
    args: [tensorLike, tensorLike],
    call: (x, seed) => {
      noGradFree(() => {
        backward(x as Tensor, seed as Tensor);
      });
    },
  },
  {
    name: 'grad',
    ops: ['grad', 'square'],
    args: [tensorLike, optionsArg({ seed: tensorLike.map(() => undefined) })],
    call: (x, options) => grad(lossOf, options as never)(x as Tensor),
  },
  { name: 'valueAndGrad', ops: ['valueAndGrad', 'square'], args: [tensorLike], call: (x) => valueAndGrad(lossOf)(x as Tensor) },
];
/** The function differentiated: a sum of squares of whatever tensor it is given. */
function lossOf(t: Tensor): Tensor {
  return sum(square(t));
}
function noGradFree(body: () => void): void {
  noGrad(body);
}

/** A valid safetensors file of two small tensors, then mutated by fast-check. */
const validFile = L.serializeSafetensors({
  a: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) },
  b: { dtype: 'int32', shape: [], data: new Int32Array([3]) },
});
const fileBytes = value(
  fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.nat({ max: validFile.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
      const copy = validFile.slice();
      copy[at] = byte;
      return copy;
    }),
    fc.nat({ max: validFile.length }).map((length) => validFile.slice(0, length)),
    junk,
  ),
);
const kerasArray = fc.oneof(
  fc.record(
    {
      data: fc.array(fc.oneof(fc.constantFrom(...NUMBERS), junk), { maxLength: 12 }),
      shape: fc.array(fc.oneof(fc.constantFrom(1, 2, 4, 8), junk), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
  junk,
);
const loaders: Target[] = [
  { name: 'parseSafetensors', ops: ['parseSafetensors'], args: [fileBytes], call: (b) => L.parseSafetensors(b as Uint8Array) },
  {
    name: 'loadSafetensors',
    ops: ['parseSafetensors', 'loadSafetensors'],
    args: [fileBytes],
    call: (b) => L.loadSafetensors(b as Uint8Array),
  },
  {
    name: 'kerasLSTMToStateDict',
    ops: ['kerasLSTMToStateDict'],
    args: [value(fc.record({ kernel: kerasArray, recurrentKernel: kerasArray, bias: kerasArray }, { requiredKeys: [] }))],
    call: (w) => {
      L.kerasLSTMToStateDict(w as L.KerasLSTMWeights);
    },
  },
  {
    name: 'importKerasLSTM',
    ops: ['importKerasLSTM', 'kerasLSTMToStateDict', 'LSTM.loadStateDict'],
    args: [
      value(
        fc.oneof(fc.array(fc.record({ kernel: kerasArray, recurrentKernel: kerasArray }, { requiredKeys: [] }), { maxLength: 2 }), junk),
      ),
    ],
    call: (layers) => {
      withLayer(
        () => new L.LSTM({ inputSize: 2, hiddenSize: 1, seed: 1 }),
        (lstm) => {
          L.importKerasLSTM(lstm, layers as L.KerasLSTMWeights[]);
        },
      );
    },
  },
  {
    name: 'Module.loadStateDict',
    ops: ['Linear.loadStateDict'],
    args: [value(fc.dictionary(fc.constantFrom('weight', 'bias', '__proto__', 'constructor', 'x'), junk, { maxKeys: 3 })), tensorLike],
    call: (dict, t) =>
      withLayer(
        () => new L.Linear(2, 1, { seed: 1 }),
        (linear) => linear.loadStateDict({ ...(dict as object), weight: t } as L.StateDict),
      ),
  },
];

/** Every layer, loss, data helper, optimizer, autodiff entry point and loader the packages export. */
export const MODULE_TARGETS: readonly Target[] = [...layers, ...lossesAndData, ...autodiff];
export const OPTIM_TARGETS: readonly Target[] = [...optimizers, ...clipping];
export const LOADER_TARGETS: readonly Target[] = [...loaders];

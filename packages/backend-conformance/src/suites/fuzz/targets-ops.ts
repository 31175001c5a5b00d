/**
 * Fuzz targets for every public function of `@gated/tensor`: creation, every op of `UNARY_OPS`
 * and `BINARY_OPS`, views, joins, indexing, reductions, matmul and the fused ops. Arguments mix
 * well-formed tensors with disposed ones, views, wrong dtypes, hostile numbers and plain junk.
 */
import { BINARY_OPS, UNARY_OPS } from '@gated/backend-api';
import * as T from '@gated/tensor';
import fc from 'fast-check';
import type { Target } from './run.js';
import { axisArg, floatSpec, junk, numberArg, optionsArg, shapeArg, tensorLike, tensorList, value, AXES, DIMS, NUMBERS } from './values.js';

type Fn = (...args: never[]) => unknown;
const fn = (f: Fn): ((...args: unknown[]) => unknown) => f as (...args: unknown[]) => unknown;

const dtypeOption = optionsArg({
  dtype: fc.oneof(fc.constantFrom('float32', 'int32', 'bool'), junk),
  requiresGrad: fc.oneof(fc.boolean(), junk),
});
const seedOption = optionsArg({ seed: fc.oneof(fc.constantFrom(0, 7, -1, 0.5, 2 ** 53, NaN), junk) });
/** Nested values `tensor()` might be given. */
const nested = value(
  fc.oneof(
    fc.array(fc.constantFrom(...NUMBERS), { maxLength: 4 }),
    fc.array(fc.array(fc.oneof(fc.constantFrom(...NUMBERS), fc.boolean()), { maxLength: 3 }), { maxLength: 3 }),
    fc.array(fc.oneof(fc.constantFrom(1, 2), junk), { maxLength: 3 }),
    junk,
  ),
);
/** Range ends: small, or infinite and huge (never a valid count of gigabytes). */
const rangeEnd = value(fc.constantFrom(0, 1, -1, 5, 2.5, -5, NaN, Infinity, -Infinity, 1e300, -1e300));
const rangeStep = value(fc.oneof(fc.constantFrom(1, -1, 2, 0.5, 0, 1e-300, NaN, Infinity, -Infinity, 3e9), junk));
const countArg = value(fc.oneof(fc.constantFrom(...DIMS), fc.constantFrom(-1, 0.5, NaN), junk));
const indicesArg = fc.oneof(
  tensorLike,
  value(fc.array(fc.oneof(fc.constantFrom(...AXES), fc.constantFrom(2 ** 32 + 1, -1)), { maxLength: 4 })),
);
const axesArg = fc.oneof(axisArg, value(fc.array(fc.constantFrom(...AXES), { maxLength: 3 })));
const paddings = value(fc.oneof(fc.array(fc.tuple(fc.constantFrom(...DIMS, -1, 0.5), fc.constantFrom(0, 1, 2)), { maxLength: 3 }), junk));
const boolArg = value(fc.oneof(fc.boolean(), junk));
const lstmState = [2, 3];

const unaryTargets: Target[] = UNARY_OPS.map((op) => ({
  name: op,
  ops: [op],
  args: [tensorLike],
  call: fn((T as unknown as Record<string, Fn>)[op]!),
}));
const binaryTargets: Target[] = BINARY_OPS.map((op) => ({
  name: op,
  ops: [op],
  args: [tensorLike, tensorLike],
  call: fn((T as unknown as Record<string, Fn>)[op]!),
}));

const creation: Target[] = [
  { name: 'tensor', ops: ['tensor'], args: [nested, dtypeOption], call: fn(T.tensor) },
  { name: 'scalar', ops: ['scalar', 'tensor'], args: [numberArg, dtypeOption], call: fn(T.scalar) },
  { name: 'zeros', ops: ['zeros'], args: [shapeArg, dtypeOption], call: fn(T.zeros) },
  { name: 'ones', ops: ['ones'], args: [shapeArg, dtypeOption], call: fn(T.ones) },
  { name: 'full', ops: ['full'], args: [shapeArg, numberArg, dtypeOption], call: fn(T.full) },
  { name: 'zerosLike', ops: ['zerosLike'], args: [tensorLike, dtypeOption], call: fn(T.zerosLike) },
  { name: 'onesLike', ops: ['onesLike'], args: [tensorLike, dtypeOption], call: fn(T.onesLike) },
  { name: 'fullLike', ops: ['fullLike'], args: [tensorLike, numberArg, dtypeOption], call: fn(T.fullLike) },
  { name: 'arange', ops: ['arange'], args: [rangeEnd, rangeEnd, rangeStep, dtypeOption], call: fn(T.arange) },
  { name: 'linspace', ops: ['linspace'], args: [rangeEnd, rangeEnd, countArg], call: fn(T.linspace) },
  { name: 'eye', ops: ['eye'], args: [countArg, countArg, dtypeOption], call: fn(T.eye) },
  { name: 'rand', ops: ['rand'], args: [shapeArg, seedOption], call: fn(T.rand) },
  { name: 'randn', ops: ['randn'], args: [shapeArg, seedOption], call: fn(T.randn) },
  { name: 'uniform', ops: ['uniform'], args: [shapeArg, numberArg, numberArg, seedOption], call: fn(T.uniform) },
  { name: 'normal', ops: ['normal'], args: [shapeArg, numberArg, numberArg, seedOption], call: fn(T.normal) },
  { name: 'bernoulli', ops: ['bernoulli'], args: [shapeArg, numberArg, seedOption], call: fn(T.bernoulli) },
  { name: 'randperm', ops: ['randperm'], args: [countArg, seedOption], call: fn(T.randperm) },
  {
    name: 'manualSeed',
    ops: ['manualSeed'],
    args: [numberArg],
    call: (seed) => {
      T.manualSeed(seed as number);
      T.manualSeed(0);
    },
  },
];

const views: Target[] = [
  { name: 'reshape', ops: ['reshape'], args: [tensorLike, shapeArg], call: fn(T.reshape) },
  { name: 'flatten', ops: ['flatten'], args: [tensorLike], call: fn(T.flatten) },
  {
    name: 'permute',
    ops: ['permute'],
    args: [tensorLike, value(fc.array(fc.constantFrom(...AXES), { maxLength: 3 }))],
    call: fn(T.permute),
  },
  { name: 'transpose', ops: ['transpose'], args: [tensorLike, axisArg, axisArg], call: fn(T.transpose) },
  { name: 'expand', ops: ['expand'], args: [tensorLike, shapeArg], call: fn(T.expand) },
  {
    name: 'slice',
    ops: ['slice'],
    args: [tensorLike, value(fc.array(fc.constantFrom(...AXES), { maxLength: 3 })), shapeArg],
    call: fn(T.slice),
  },
  { name: 'narrow', ops: ['narrow'], args: [tensorLike, axisArg, axisArg, axisArg], call: fn(T.narrow) },
  { name: 'squeeze', ops: ['squeeze'], args: [tensorLike, axesArg], call: fn(T.squeeze) },
  { name: 'unsqueeze', ops: ['unsqueeze'], args: [tensorLike, axisArg], call: fn(T.unsqueeze) },
  { name: 'clone', ops: ['clone'], args: [tensorLike], call: fn(T.clone) },
  { name: 'contiguous', ops: ['contiguous'], args: [tensorLike], call: fn(T.contiguous) },
  { name: 'cast', ops: ['cast'], args: [tensorLike, value(fc.oneof(fc.constantFrom('float32', 'int32', 'bool'), junk))], call: fn(T.cast) },
  // Methods: called on whatever tensor the case made (calling a method of a non-object is JavaScript's business).
  { name: 'detach', ops: ['detach'], args: [tensorLike], call: (x) => (x instanceof T.Tensor ? x.detach() : undefined) },
  {
    name: 'assign',
    ops: ['assign'],
    args: [tensorLike, tensorLike],
    call: (a, b) => {
      if (a instanceof T.Tensor) a.assign(b as T.Tensor);
    },
  },
];

const joins: Target[] = [
  { name: 'concat', ops: ['concat'], args: [tensorList, axisArg], call: (items, axis) => T.concat(items as T.Tensor[], axis as number) },
  { name: 'stack', ops: ['stack'], args: [tensorList, axisArg], call: (items, axis) => T.stack(items as T.Tensor[], axis as number) },
  {
    name: 'split',
    ops: ['split'],
    args: [tensorLike, fc.oneof(countArg, value(fc.array(fc.constantFrom(...DIMS, -1), { maxLength: 3 }))), axisArg],
    call: fn(T.split),
  },
  { name: 'unbind', ops: ['unbind'], args: [tensorLike, axisArg], call: fn(T.unbind) },
  { name: 'pad', ops: ['pad'], args: [tensorLike, paddings, numberArg], call: fn(T.pad) },
  { name: 'where', ops: ['where'], args: [tensorLike, tensorLike, tensorLike], call: fn(T.where) },
  { name: 'clip', ops: ['clip'], args: [tensorLike, numberArg, numberArg], call: fn(T.clip) },
  { name: 'gather', ops: ['gather'], args: [tensorLike, indicesArg, axisArg], call: fn(T.gather) },
  { name: 'indexSelect', ops: ['indexSelect'], args: [tensorLike, axisArg, indicesArg], call: fn(T.indexSelect) },
  { name: 'scatterAdd', ops: ['scatterAdd'], args: [tensorLike, indicesArg, axisArg, shapeArg], call: fn(T.scatterAdd) },
];

const reductions: Target[] = [
  ...(['sum', 'prod', 'max', 'min', 'mean', 'logSumExp'] as const).map((op): Target => ({
    name: op,
    ops: [op],
    args: [tensorLike, axesArg, boolArg],
    call: fn(T[op]),
  })),
  ...(['argmax', 'argmin'] as const).map((op): Target => ({ name: op, ops: [op], args: [tensorLike, axisArg, boolArg], call: fn(T[op]) })),
  { name: 'softmax', ops: ['softmax'], args: [tensorLike, axisArg], call: fn(T.softmax) },
  { name: 'logSoftmax', ops: ['logSoftmax'], args: [tensorLike, axisArg], call: fn(T.logSoftmax) },
  {
    name: 'matmul',
    ops: ['matmul'],
    args: [tensorLike, tensorLike, optionsArg({ transposeA: fc.boolean(), transposeB: fc.oneof(fc.boolean(), junk) })],
    call: fn(T.matmul),
  },
];

const fusedTargets: Target[] = [
  {
    name: 'lstmCell',
    ops: ['lstmCell'],
    args: [
      fc.oneof(floatSpec([2, 12]), tensorLike),
      fc.oneof(floatSpec([2, 12]), tensorLike),
      fc.oneof(floatSpec(lstmState), tensorLike),
      optionsArg({ fused: fc.boolean() }),
    ],
    call: fn(T.lstmCell),
  },
  {
    name: 'lstmSequence',
    ops: ['lstmSequence'],
    args: [
      fc.oneof(floatSpec([4, 2, 12]), tensorLike),
      fc.oneof(floatSpec([12, 3]), tensorLike),
      fc.oneof(floatSpec(lstmState), tensorLike),
      fc.oneof(tensorLike, value(fc.constant(null))),
      optionsArg({ fused: fc.boolean(), returnGates: fc.oneof(fc.boolean(), junk) }),
      // The projection (contract v1.1): absent, [P, H] = [2, 3] with h0 then [B, P], or anything.
      fc.oneof(value(fc.constant(null)), floatSpec([2, 3]), tensorLike),
    ],
    call: (inputGates, weightHh, h0, lengths, options, weightHr) =>
      T.lstmSequence({ inputGates, weightHh, h0, c0: h0, lengths, weightHr } as T.LstmSequenceArgs, options as T.SequenceOptions),
  },
  {
    name: 'gruSequence',
    ops: ['gruSequence'],
    args: [
      fc.oneof(floatSpec([4, 2, 9]), tensorLike),
      fc.oneof(floatSpec([9, 3]), tensorLike),
      fc.oneof(floatSpec([3]), tensorLike, value(fc.constant(null))),
      fc.oneof(floatSpec(lstmState), tensorLike),
      fc.oneof(tensorLike, value(fc.constant(null))),
      optionsArg({ fused: fc.boolean(), returnGates: fc.oneof(fc.boolean(), junk) }),
    ],
    call: (inputGates, weightHh, biasHn, h0, lengths, options) =>
      T.gruSequence({ inputGates, weightHh, biasHn, h0, lengths } as T.GruSequenceArgs, options as T.SequenceOptions),
  },
  {
    name: 'adamStep',
    ops: ['adamStep'],
    args: [
      tensorLike,
      tensorLike,
      optionsArg({
        lr: fc.constantFrom(...NUMBERS),
        beta1: fc.constantFrom(0.9, 1, NaN),
        step: fc.constantFrom(1, 0, -1, 0.5),
        amsgrad: fc.boolean(),
      }),
    ],
    call: (param, grad, options) => {
      // Moments shaped like the parameter when it is a live tensor; else the junk itself.
      const live: T.Tensor | null = param instanceof T.Tensor && !param.isDisposed ? (param as T.Tensor) : null;
      const state = live ? [T.zerosLike(live), T.zerosLike(live)] : [param, param];
      try {
        T.adamStep({ param, grad, m: state[0], v: state[1] } as T.AdamStepTensors, options as T.AdamStepOptions);
      } finally {
        T.dispose(state);
      }
    },
  },
];

/** Every public function of @gated/tensor that computes or creates tensors. */
export const OP_TARGETS: readonly Target[] = [
  ...creation,
  ...unaryTargets,
  ...binaryTargets,
  ...views,
  ...joins,
  ...reductions,
  ...fusedTargets,
];

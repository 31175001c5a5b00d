/**
 * Gradient conformance: one table row per differentiable op (several shapes each, with
 * broadcasting and size-1 axes), checked against central finite differences with `checkGrad`.
 * Runs on whichever backend `describeBackend` activated, so every backend proves every rule.
 * A guard test fails when an op in autograd's gradient table has no row here.
 */
import { UNARY_OPS } from '@gated/backend-api';
import { GRADIENTS, checkGrad, grad, type CheckGradOptions } from '@gated/autograd';
import {
  add,
  cast,
  clip,
  clone,
  concat,
  contiguous,
  div,
  expand,
  flatten,
  gather,
  greater,
  indexSelect,
  logSoftmax,
  gruSequence,
  lstmCell,
  lstmSequence,
  logSumExp,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  narrow,
  pad,
  permute,
  pow,
  prod,
  reshape,
  scatterAdd,
  sigmoid,
  slice,
  softmax,
  split,
  square,
  squeeze,
  stack,
  sub,
  sum,
  tanh,
  tensor,
  transpose,
  unbind,
  unsqueeze,
  where,
  type Tensor,
} from '@gated/tensor';
import { assert, expect } from 'vitest';
import type { SuiteContext } from '../harness/context.js';
import { A, D, E, P, S, makeInput, type InputSpec } from '../harness/inputs.js';
import { UNARY_CASES, UNARY_FUNCTIONS } from './unary.js';

interface GradientRow {
  /** The gradient-table entry this row exercises. */
  readonly op: string;
  /** What is special about this row (shapes, broadcasting). */
  readonly label: string;
  readonly inputs: readonly InputSpec[];
  readonly f: (...xs: Tensor[]) => Tensor;
  readonly options?: CheckGradOptions;
}

function unaryRows(op: string, f: (x: Tensor) => Tensor, spec: (...shape: number[]) => InputSpec): GradientRow[] {
  return [
    { op, label: '[2,3]', inputs: [spec(2, 3)], f },
    { op, label: 'scalar', inputs: [spec()], f },
    { op, label: '[1,4,1]', inputs: [spec(1, 4, 1)], f },
  ];
}

function binaryRows(op: string, f: (a: Tensor, b: Tensor) => Tensor, left = S, right = S): GradientRow[] {
  return [
    { op, label: '[2,3] with [2,3]', inputs: [left(2, 3), right(2, 3)], f },
    { op, label: '[2,3] with [3] (row broadcast)', inputs: [left(2, 3), right(3)], f },
    { op, label: '[2,1] with [1,3] (both broadcast)', inputs: [left(2, 1), right(1, 3)], f },
    { op, label: 'scalar with [2,2]', inputs: [left(), right(2, 2)], f },
    { op, label: '[2,1,3] with [4,1] (rank 3)', inputs: [left(2, 1, 3), right(4, 1)], f },
    { op, label: 'with a JavaScript number', inputs: [left(2, 3)], f: (a) => f(a, tensor(1.5)) },
  ];
}

const condition = (shape: number[]) =>
  greater(
    tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 3) - 1),
      { shape },
    ),
    0,
  );

const indices = (values: number[], shape = [values.length]) => tensor(values, { dtype: 'int32', shape });

export const GRADIENT_ROWS: readonly GradientRow[] = [
  // Every differentiable unary op, where suites/unary.ts says to differentiate it.
  ...UNARY_OPS.flatMap((op) => {
    const where = UNARY_CASES[op].gradient;
    return where ? unaryRows(op, UNARY_FUNCTIONS[op], where) : [];
  }),
  ...binaryRows('add', add),
  ...binaryRows('sub', sub),
  ...binaryRows('mul', mul),
  ...binaryRows('div', div, S, P),
  ...binaryRows('pow', pow, P, S),
  { op: 'pow', label: 'square via exponent 2', inputs: [S(3)], f: (a) => pow(a, tensor(2)) },
  ...binaryRows('maximum', maximum, D, E),
  ...binaryRows('minimum', minimum, D, E),
  { op: 'where', label: '[2,3] branches', inputs: [S(2, 3), S(2, 3)], f: (a, b) => where(condition([2, 3]), a, b) },
  { op: 'where', label: 'broadcast branches [3] and [2,1]', inputs: [S(3), S(2, 1)], f: (a, b) => where(condition([2, 3]), a, b) },
  { op: 'where', label: 'scalar branch', inputs: [S(2, 3)], f: (a) => where(condition([2, 3]), a, 0.5) },
  { op: 'cast', label: 'float32 to float32', inputs: [S(2, 3)], f: (x) => mul(cast(x, 'float32'), x) },
  {
    op: 'clip',
    label: '[3,4] inside and outside the bounds',
    inputs: [A((v) => Math.min(Math.abs(v - 0.5), Math.abs(v + 0.5)), 3, 4)],
    f: (x) => clip(x, -0.5, 0.5),
  },
  { op: 'clone', label: '[2,3]', inputs: [S(2, 3)], f: (x) => mul(clone(x), x) },
  { op: 'clone', label: 'contiguous() of a transposed view', inputs: [S(2, 3)], f: (x) => contiguous(transpose(x)) },
  { op: 'sum', label: 'all axes', inputs: [S(2, 3)], f: (x) => sum(x) },
  { op: 'sum', label: 'axis 1 keepDims', inputs: [S(2, 3, 2)], f: (x) => sum(x, 1, true) },
  { op: 'sum', label: 'axes [0,2]', inputs: [S(2, 3, 2)], f: (x) => sum(x, [0, 2]) },
  { op: 'sum', label: 'size-1 axis', inputs: [S(1, 3)], f: (x) => sum(x, 0) },
  { op: 'sum', label: 'mean over axis -1', inputs: [S(3, 4)], f: (x) => mean(x, -1) },
  { op: 'prod', label: 'axis 1', inputs: [S(3, 4)], f: (x) => prod(x, 1) },
  { op: 'prod', label: 'all axes, keepDims', inputs: [P(2, 3)], f: (x) => prod(x, undefined, true) },
  { op: 'max', label: 'axis 0', inputs: [D(4, 3)], f: (x) => max(x, 0) },
  { op: 'max', label: 'all axes', inputs: [D(2, 3)], f: (x) => max(x) },
  { op: 'min', label: 'axis -1 keepDims', inputs: [D(3, 4)], f: (x) => min(x, -1, true) },
  { op: 'min', label: 'axes [0,1]', inputs: [D(2, 3, 2)], f: (x) => min(x, [0, 1]) },
  { op: 'logSumExp', label: 'axis -1', inputs: [S(3, 4)], f: (x) => logSumExp(x, -1) },
  { op: 'logSumExp', label: 'all axes keepDims', inputs: [S(2, 3)], f: (x) => logSumExp(x, undefined, true) },
  { op: 'softmax', label: 'axis -1', inputs: [S(3, 4)], f: (x) => softmax(x) },
  { op: 'softmax', label: 'axis 0', inputs: [S(3, 4)], f: (x) => softmax(x, 0) },
  { op: 'logSoftmax', label: 'axis -1', inputs: [S(3, 4)], f: (x) => logSoftmax(x) },
  { op: 'logSoftmax', label: 'axis 1 of rank 3', inputs: [S(2, 3, 2)], f: (x) => logSoftmax(x, 1) },
  { op: 'matmul', label: '[2,3] x [3,4]', inputs: [S(2, 3), S(3, 4)], f: (a, b) => matmul(a, b) },
  { op: 'matmul', label: 'batched [2,2,3] x [3,4] (broadcast b)', inputs: [S(2, 2, 3), S(3, 4)], f: (a, b) => matmul(a, b) },
  { op: 'matmul', label: 'broadcast batches [2,1,2,3] x [3,3,2]', inputs: [S(2, 1, 2, 3), S(3, 3, 2)], f: (a, b) => matmul(a, b) },
  {
    op: 'matmul',
    label: 'transposeA and transposeB flags',
    inputs: [S(3, 2), S(4, 3)],
    f: (a, b) => matmul(a, b, { transposeA: true, transposeB: true }),
  },
  { op: 'matmul', label: 'transposeB flag', inputs: [S(2, 3), S(4, 3)], f: (a, b) => matmul(a, b, { transposeB: true }) },
  { op: 'matmul', label: 'transposed view operand', inputs: [S(2, 3), S(4, 3)], f: (a, b) => matmul(a, transpose(b)) },
  { op: 'matmul', label: 'vector x matrix', inputs: [S(3), S(3, 2)], f: (a, b) => matmul(a, b) },
  { op: 'matmul', label: 'matrix x vector', inputs: [S(2, 3), S(3)], f: (a, b) => matmul(a, b) },
  { op: 'reshape', label: '[2,3] to [3,2]', inputs: [S(2, 3)], f: (x) => mul(reshape(x, [3, 2]), reshape(x, [3, 2])) },
  {
    op: 'reshape',
    label: 'flatten, squeeze, unsqueeze',
    inputs: [S(2, 1, 3)],
    f: (x) => mul(flatten(squeeze(x, 1)), flatten(unsqueeze(x, 0))),
  },
  { op: 'permute', label: '[2,3,4] by [2,0,1]', inputs: [S(2, 3, 4)], f: (x) => mul(permute(x, [2, 0, 1]), tensor(2)) },
  { op: 'permute', label: 'transpose', inputs: [S(2, 3)], f: (x) => matmul(transpose(x), x) },
  {
    op: 'expand',
    label: '[1,3] to [4,3]',
    inputs: [S(1, 3)],
    f: (x) =>
      mul(
        expand(x, [4, 3]),
        tensor(
          Float32Array.from({ length: 12 }, (_, i) => i / 12),
          { shape: [4, 3] },
        ),
      ),
  },
  { op: 'expand', label: '[3] to [2,2,3]', inputs: [S(3)], f: (x) => square(expand(x, [2, 2, 3])) },
  { op: 'slice', label: '[4,5] window', inputs: [S(4, 5)], f: (x) => square(slice(x, [1, 2], [2, -1])) },
  { op: 'slice', label: 'narrow on axis 1', inputs: [S(2, 5)], f: (x) => square(narrow(x, 1, 1, 3)) },
  {
    op: 'split',
    label: 'split and recombine',
    inputs: [S(2, 4)],
    f: (x) => {
      const [a, b] = split(x, 2, 1);
      return mul(a!, b!);
    },
  },
  {
    op: 'split',
    label: 'uneven parts, one unused',
    inputs: [S(3, 5)],
    f: (x) => {
      const [a, , c] = split(x, [2, 1, 2], 1);
      return mul(a!, square(c!));
    },
  },
  {
    op: 'unbind',
    label: 'steps recombined, one unused',
    inputs: [S(4, 3)],
    f: (x) => {
      const [a, b, , d] = unbind(x);
      return stack([mul(a!, b!), square(d!)], 0);
    },
  },
  {
    op: 'unbind',
    label: 'axis 1 of rank 3',
    inputs: [S(2, 3, 2)],
    f: (x) =>
      concat(
        unbind(x, 1).map((part, i) => mul(part, tensor(i + 1))),
        0,
      ),
  },
  { op: 'concat', label: 'three inputs on axis 1', inputs: [S(2, 1), S(2, 3), S(2, 2)], f: (a, b, c) => square(concat([a, b, c], 1)) },
  { op: 'concat', label: 'stack on a new axis', inputs: [S(3), S(3)], f: (a, b) => square(stack([a, b], 1)) },
  {
    op: 'concat',
    label: 'pad',
    inputs: [S(2, 3)],
    f: (x) =>
      square(
        pad(
          x,
          [
            [1, 0],
            [2, 1],
          ],
          0.5,
        ),
      ),
  },
  { op: 'gather', label: 'rows with repeats', inputs: [S(4, 3)], f: (x) => square(gather(x, indices([3, 0, 3, 1]))) },
  { op: 'gather', label: '2-D indices on axis 1', inputs: [S(2, 4)], f: (x) => square(gather(x, indices([0, 2, 2, 3], [2, 2]), 1)) },
  { op: 'gather', label: 'indexSelect', inputs: [S(3, 2)], f: (x) => square(indexSelect(x, 0, [2, 2, 0])) },
  {
    op: 'lstmCell',
    label: 'h and c of a [2,3] cell',
    inputs: [S(2, 12), S(2, 12), S(2, 3)],
    f: (inputGates, hiddenGates, c) => {
      const out = lstmCell(inputGates, hiddenGates, c);
      return concat([out.h, out.c], 1);
    },
  },
  {
    op: 'lstmSequence',
    label: 'reverse direction with lengths [4,2]',
    inputs: [S(4, 2, 12), S(12, 3), S(2, 3), S(2, 3)],
    f: (inputGates, weightHh, h0, c0) => {
      const out = lstmSequence({ inputGates, weightHh, h0, c0, lengths: tensor([4, 2], { dtype: 'int32' }), reverse: true });
      return concat([reshape(out.output, [8, 3]), out.h, out.c], 0);
    },
  },
  {
    op: 'lstmSequence',
    label: 'projection P = 2 of H = 3, lengths [3,4]',
    inputs: [S(4, 2, 12), S(12, 2), S(2, 2), S(2, 3), S(2, 3)],
    f: (inputGates, weightHh, h0, c0, weightHr) => {
      const out = lstmSequence({ inputGates, weightHh, h0, c0, weightHr, lengths: tensor([3, 4], { dtype: 'int32' }) });
      return concat([reshape(out.output, [8, 2]), out.h, reshape(out.c, [3, 2])], 0);
    },
  },
  {
    op: 'gruSequence',
    label: 'reverse direction with lengths [2,4]',
    inputs: [S(4, 2, 9), S(9, 3), S(3), S(2, 3)],
    f: (inputGates, weightHh, biasHn, h0) => {
      const out = gruSequence({ inputGates, weightHh, biasHn, h0, lengths: tensor([2, 4], { dtype: 'int32' }), reverse: true });
      return concat([reshape(out.output, [8, 3]), out.h], 0);
    },
  },
  { op: 'scatterAdd', label: 'rows with repeats', inputs: [S(4, 3)], f: (u) => square(scatterAdd(u, indices([1, 0, 1, 3]), 0, [5, 3])) },
];

/**
 * Ops whose own rule is only ever run as the backward of another op; their first derivatives are
 * checked through that op's row, and differentiating them again is refused with a GatedError.
 */
const FIRST_ORDER_ONLY: Readonly<Record<string, string>> = {
  lstmCellBackward: 'the backward of lstmCell; second-order gradients through the fused cell are refused',
  lstmSequenceBackward: 'the backward of lstmSequence; second-order gradients through the fused sequence are refused',
  gruSequenceBackward: 'the backward of gruSequence; second-order gradients through the fused sequence are refused',
};

/** Registers the gradient table on the active backend. */
export function gradientSuite(ctx: SuiteContext): void {
  ctx.describe('gradients (finite differences)', (t) => {
    t.it('has a row for every differentiable op in the gradient table', () => {
      const covered = new Set([...GRADIENT_ROWS.map((row) => row.op), ...Object.keys(FIRST_ORDER_ONLY)]);
      const missing = Object.entries(GRADIENTS)
        .filter(([, entry]) => !('nonDifferentiable' in entry))
        .map(([op]) => op)
        .filter((op) => !covered.has(op));
      expect(missing).toEqual([]);
    });

    for (const row of GRADIENT_ROWS) {
      t.it(`${row.op}: ${row.label}`, async (rng) => {
        const inputs = row.inputs.map((spec) => makeInput(spec, rng));
        try {
          const result = await checkGrad(row.f, inputs, row.options);
          if (!result.ok) assert.fail(result.summary);
        } finally {
          for (const input of inputs) input.dispose();
        }
      });
    }
  });

  ctx.describe('higher-order gradients', (t) => {
    const secondOrder: { name: string; f: (x: Tensor) => Tensor; exact: (x: number) => number }[] = [
      { name: 'tanh', f: (x) => sum(tanh(x)), exact: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2) },
      {
        name: 'sigmoid',
        f: (x) => sum(sigmoid(x)),
        exact: (x) => {
          const s = 1 / (1 + Math.exp(-x));
          return s * (1 - s) * (1 - 2 * s);
        },
      },
      { name: 'mul (x·x·x)', f: (x) => sum(mul(mul(x, x), x)), exact: (x) => 6 * x },
    ];
    for (const { name, f, exact } of secondOrder) {
      t.it(`second derivative of ${name} matches the closed form`, async () => {
        const values = [-1.5, -0.3, 0.2, 1.1];
        const x = tensor(values);
        const df = grad(f);
        const d2 = grad((v: Tensor) => sum(df(v)))(x);
        try {
          const got = await d2.data();
          values.forEach((v, i) => {
            expect(got[i]).toBeCloseTo(exact(v), 4);
          });
        } finally {
          x.dispose();
          d2.dispose();
        }
      });
    }

    t.it('second derivatives of matmul agree with finite differences of the first', async (rng) => {
      const a = makeInput(S(2, 3), rng);
      const b = makeInput(S(3, 2), rng);
      const inner = grad((p: Tensor[]) => sum(square(matmul(p[0]!, p[1]!))));
      try {
        const result = await checkGrad(
          (x, y) => {
            const [ga, gb] = inner([x, y]);
            return add(sum(square(ga!)), sum(gb!));
          },
          [a, b],
        );
        if (!result.ok) assert.fail(result.summary);
      } finally {
        a.dispose();
        b.dispose();
      }
    });
  });
}

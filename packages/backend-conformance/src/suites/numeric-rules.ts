/**
 * The numeric rules of the contract (packages/backend-api/src/backend.ts, docs/adding-a-backend.md
 * "Numeric rules"), each checked directly and named in its failure message. The kernel suites
 * check them too, spread over thousands of values; here each rule fails as itself, with the fix.
 *
 * - float32-exact storage: a float32 result is rounded to float32 when it is stored, so the next
 *   kernel reads exactly what `data()` returns. A backend that keeps doubles and rounds on read
 *   passes every single-kernel check and drifts in long chains (optimizer resumption).
 * - NaN propagates: any NaN operand gives NaN (IEEE 754), in maximum/minimum, reductions and
 *   matmul too; comparisons with NaN are false (notEqual true).
 * - Integer conversions: float32 → int32 truncates toward zero, NaN → 0, saturates at the int32
 *   range; int32 → float32 rounds to nearest, ties to even; → bool is `x !== 0` (NaN → true);
 *   `round` takes halves to even; int32 add, sub, mul, neg and sum wrap modulo 2^32.
 */
import { BINARY_OPS, BINARY_TYPING, UNARY_OPS, UNARY_TYPING, type BinaryOp, type DType } from '@gated/backend-api';
import * as ops from '@gated/tensor';
import { dispose, tensor, tidy, type Tensor } from '@gated/tensor';
import { assert } from 'vitest';
import type { SuiteContext } from '../harness/context.js';
import { INT32_MAX, INT32_MIN } from '../harness/values.js';
import { NDArray, binary as refBinary } from '../reference/index.js';
import type { ToleranceSpec } from '../harness/tolerances.js';
import { UNARY_CASES, referenceUnary } from './unary.js';

const WHERE = 'docs/adding-a-backend.md, "Numeric rules"';

function fail(rule: string, detail: string, fix: string): never {
  assert.fail(`numeric rule "${rule}" (${WHERE}): ${detail}\n${fix}`);
}

function show(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/**
 * Equal as values: NaN meets NaN; the sign of zero is checked elsewhere (unary/binary suites).
 * With a tolerance, a finite value may differ by what the op's own suite allows (a float32 libm
 * on a GPU is a few ulp off exactly where Math is exact).
 */
function same(got: number, want: number, tolerance?: ToleranceSpec): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (tolerance === undefined || !Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= tolerance.atol + tolerance.rtol * Math.abs(want);
}

/** Reads `t` (disposing it) and fails the rule at the first element that differs from `want`. */
async function expectValues(
  t: Tensor,
  want: readonly number[],
  rule: string,
  what: (i: number) => string,
  fix: string,
  tolerance?: ToleranceSpec,
): Promise<void> {
  let got: ArrayLike<number>;
  try {
    got = await t.data();
  } finally {
    t.dispose();
  }
  for (let i = 0; i < want.length; i++) {
    if (!same(got[i]!, want[i]!, tolerance)) fail(rule, `${what(i)} gave ${show(got[i]!)}, want ${show(want[i]!)}`, fix);
  }
}

const FLOAT_UNARY = UNARY_OPS.filter((op) => UNARY_TYPING[op].inputs.includes('float32') && UNARY_TYPING[op].output === 'same');
const FLOAT_BINARY = BINARY_OPS.filter((op) => BINARY_TYPING[op].inputs.includes('float32') && BINARY_TYPING[op].output === 'same');
const COMPARISONS = BINARY_OPS.filter((op) => BINARY_TYPING[op].output === 'bool' && BINARY_TYPING[op].inputs.includes('float32'));

const STORAGE_RULE = 'float32-exact storage';
const STORAGE_FIX =
  'Round every float32 result to float32 once, when the kernel stores it (a Float32Array, Math.fround, f32 on a GPU), ' +
  'not when it is read: the next kernel must see exactly the value data() returns.';

/**
 * Fails the storage rule when the buffer behind `stored` holds values float32 cannot: the backend
 * computes `stored − (its own values read back and written again)`, which is exactly 0 when it
 * stored float32 values and the lost digits when it kept more.
 */
async function expectFloat32Exact(stored: Tensor, kernel: string): Promise<void> {
  try {
    const roundTripped = tensor(await stored.data(), { shape: stored.shape });
    const excess = tidy(() => ops.sub(stored, roundTripped));
    roundTripped.dispose();
    const values = await excess.data();
    excess.dispose();
    const at = values.findIndex((v) => v !== 0);
    if (at >= 0) {
      fail(
        STORAGE_RULE,
        `${kernel} stored a value float32 cannot hold: at [${at}] it exceeds its float32 rounding by ${show(values[at]!)}, want 0`,
        STORAGE_FIX,
      );
    }
  } finally {
    stored.dispose();
  }
}

export function numericRulesSuite(ctx: SuiteContext): void {
  ctx.describe('numeric rules', (t) => {
    t.it(STORAGE_RULE, async (rng) => {
      // Inputs whose results are almost never float32-exact when computed in double precision.
      const x = rng.uniform([64], 0.1, 3);
      const y = rng.uniform([64], 0.1, 3);
      const a = tensor(Float32Array.from(x.data), { shape: [8, 8] });
      const b = tensor(Float32Array.from(y.data), { shape: [8, 8] });
      try {
        for (const op of FLOAT_UNARY) await expectFloat32Exact(ops[op](a), `unary ${op}`);
        for (const op of FLOAT_BINARY) await expectFloat32Exact(ops[op](a, b), `binary ${op}`);
        await expectFloat32Exact(ops.sum(a, 1), 'reduce sum');
        await expectFloat32Exact(ops.prod(a, 1), 'reduce prod');
        await expectFloat32Exact(ops.matmul(a, b), 'matmul');
        await expectFloat32Exact(ops.randn([64], { seed: 3 }), 'random (normal)');
        const big = tensor(Int32Array.of(16777217, 16777219, 2147483647, -33554435), { dtype: 'int32' });
        try {
          await expectFloat32Exact(ops.cast(big, 'float32'), 'cast int32 to float32');
        } finally {
          big.dispose();
        }
      } finally {
        dispose([a, b]);
      }
    });

    t.it('NaN propagates through unary ops', async () => {
      const nan = NDArray.of([NaN, 1], [2]);
      const x = tensor(Float32Array.of(NaN, 1));
      try {
        for (const op of FLOAT_UNARY) {
          const want = Array.from(referenceUnary(op, nan).data);
          await expectValues(
            ops[op](x),
            want,
            'NaN propagates',
            (i) => `${op}(${show(nan.data[i]!)})`,
            'A NaN input gives a NaN output (IEEE 754).',
            // The finite companion (1) only shows the op ran: its accuracy is the unary suite's.
            UNARY_CASES[op].tolerance,
          );
        }
      } finally {
        x.dispose();
      }
    });

    t.it('NaN propagates through binary ops and compares false', async () => {
      const left = [NaN, 1, NaN, 0, -Infinity];
      const right = [1, NaN, NaN, NaN, NaN];
      const a = tensor(Float32Array.from(left));
      const b = tensor(Float32Array.from(right));
      try {
        for (const op of [...FLOAT_BINARY, ...COMPARISONS] as BinaryOp[]) {
          const want = Array.from(refBinary(op, NDArray.of(left, [5]), NDArray.of(right, [5])).data);
          const fix =
            op === 'maximum' || op === 'minimum'
              ? '`a > b ? a : b` loses a NaN in a: test for NaN first (PyTorch propagates it).'
              : BINARY_TYPING[op].output === 'bool'
                ? 'Every comparison with NaN is false; notEqual is true.'
                : 'A NaN operand gives a NaN result (pow follows C powf: pow(1, NaN) = 1 and pow(NaN, 0) = 1).';
          await expectValues(ops[op](a, b), want, 'NaN propagates', (i) => `${op}(${show(left[i]!)}, ${show(right[i]!)})`, fix);
        }
      } finally {
        dispose([a, b]);
      }
    });

    t.it('NaN propagates through reductions and matmul', async () => {
      const rows = tensor(Float32Array.of(1, NaN, 3, -Infinity, 2, NaN), { shape: [2, 3] });
      const zeros = tensor(new Float32Array(6), { shape: [3, 2] });
      try {
        for (const op of ['sum', 'prod', 'max', 'min'] as const) {
          await expectValues(
            ops[op](rows, 1),
            [NaN, NaN],
            'NaN propagates',
            (i) => `${op} of row ${i} (holding a NaN)`,
            'A NaN in a reduced slice makes its result NaN, max and min included.',
          );
        }
        await expectValues(
          ops.argmax(rows, 1),
          [1, 2],
          'NaN propagates',
          (i) => `argmax of row ${i}`,
          'argmax and argmin count NaN as the extreme (the first NaN wins).',
        );
        await expectValues(
          ops.matmul(rows, zeros),
          [NaN, NaN, NaN, NaN],
          'NaN propagates',
          (i) => `matmul [${Math.floor(i / 2)},${i % 2}] of a row holding NaN or -Infinity times zeros`,
          'NaN · 0 and ∞ · 0 are NaN: never skip zero operands in the inner product.',
        );
      } finally {
        dispose([rows, zeros]);
      }
    });

    t.it('float32 to int32 truncates toward zero, NaN to 0, saturates', async () => {
      const from = [2.7, -2.7, 0.5, -0.5, NaN, Infinity, -Infinity, 3e9, -3e9, 2147483520, -2147483648];
      const want = [2, -2, 0, 0, 0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 2147483520, INT32_MIN];
      const x = tensor(Float32Array.from(from));
      try {
        await expectValues(
          ops.cast(x, 'int32'),
          want,
          'float32 to int32',
          (i) => `cast(${show(from[i]!)}, int32)`,
          'Truncate toward zero (not floor, not round), NaN gives 0, out of range saturates (not `x | 0`).',
        );
      } finally {
        x.dispose();
      }
    });

    t.it('int32 to float32 rounds to nearest, ties to even', async () => {
      const from = [16777217, 16777219, -16777221, 2147483647, INT32_MIN, 123];
      const want = from.map((v) => Math.fround(v));
      const x = tensor(Int32Array.from(from), { dtype: 'int32' });
      try {
        await expectValues(
          ops.cast(x, 'float32'),
          want,
          'int32 to float32',
          (i) => `cast(${from[i]!}, float32)`,
          'Round to the nearest float32, ties to even (Math.fround, or a Float32Array store).',
        );
      } finally {
        x.dispose();
      }
    });

    t.it('to bool is x !== 0, NaN is true', async () => {
      const from = [0, -0, 1, -2.5, NaN, Infinity, 1e-30];
      const x = tensor(Float32Array.from(from));
      try {
        await expectValues(
          ops.cast(x, 'bool'),
          [0, 0, 1, 1, 1, 1, 1],
          'to bool',
          (i) => `cast(${show(from[i]!)}, bool)`,
          'A bool is x !== 0 (NaN is not 0), stored as one byte 0 or 1.',
        );
      } finally {
        x.dispose();
      }
    });

    t.it('round takes halves to even', async () => {
      const from = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997];
      const x = tensor(Float32Array.from(from));
      try {
        await expectValues(
          ops.round(x),
          [0, 2, 2, -0, -2, -2, 0],
          'round halves to even',
          (i) => `round(${show(from[i]!)})`,
          'Ties go to the even neighbour (not Math.round, which takes them up).',
        );
      } finally {
        x.dispose();
      }
    });

    t.it('int32 arithmetic wraps', async () => {
      const dtype: DType = 'int32';
      const a = tensor(Int32Array.of(INT32_MAX, INT32_MIN, 65537, 46341), { dtype });
      const b = tensor(Int32Array.of(1, 1, 65537, 46341), { dtype });
      const wrap = (v: number) => v | 0;
      const fix = 'int32 arithmetic wraps modulo 2^32: `(a + b) | 0`, `Math.imul(a, b)`, never a float64 product.';
      try {
        await expectValues(ops.add(a, b), [INT32_MIN, wrap(INT32_MIN + 1), 131074, 92682], 'int32 wraps', (i) => `add at [${i}]`, fix);
        await expectValues(ops.sub(a, b), [wrap(INT32_MAX - 1), INT32_MAX, 0, 0], 'int32 wraps', (i) => `sub at [${i}]`, fix);
        await expectValues(
          ops.mul(a, b),
          [INT32_MAX, INT32_MIN, Math.imul(65537, 65537), Math.imul(46341, 46341)],
          'int32 wraps',
          (i) => `mul at [${i}]`,
          fix,
        );
        await expectValues(ops.neg(a), [wrap(-INT32_MAX), INT32_MIN, -65537, -46341], 'int32 wraps', (i) => `neg at [${i}]`, fix);
        await expectValues(ops.sum(a), [wrap(INT32_MAX + INT32_MIN + 65537 + 46341)], 'int32 wraps', () => 'sum', fix);
      } finally {
        dispose([a, b]);
      }
    });
  });
}

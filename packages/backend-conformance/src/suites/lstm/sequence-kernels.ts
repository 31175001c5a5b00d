/**
 * The whole-sequence ops against their composites of core ops: `lstmSequence` (with and without
 * a projection) and `gruSequence`, forward and backward, with lengths (unsorted, and with no
 * sequence reaching T) in both directions; inference mode (a call that records no gradient)
 * against training mode, which must give the very same outputs; and the gradients autograd
 * computes through each op's rule against those it computes through the composite's individual
 * ops. On a backend without the fused kernels both sides are composites.
 *
 * Tolerance: `FUSED` (sequence-helpers.ts), over sequences of up to 9 steps.
 */
import { backward } from '@gated/autograd';
import { add, dispose, gruSequence, lstmSequence, mul, sum, tidy, type Tensor } from '@gated/tensor';
import {
  gruSequenceBackward,
  gruSequenceBackwardComposite,
  gruSequenceComposite,
  lstmSequenceBackward,
  lstmSequenceBackwardComposite,
  lstmSequenceComposite,
} from '@gated/tensor/internal';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import type { Rng } from '../../harness/rng.js';
import { expectSame, gruInputs, lstmInputs, random } from './sequence-helpers.js';

interface Config {
  readonly label: string;
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  readonly lengths: readonly number[] | null;
  /** LSTM: the projection's size (0: none). GRU: 0 runs without `biasHn`. */
  readonly extra: number;
}

/** Sizes chosen to reach every path of a kernel: batch 1 and batched, widths off the vector and group sizes. */
const LSTM_CONFIGS: readonly Config[] = [
  { label: 'full length', steps: 6, batch: 3, hidden: 4, lengths: null, extra: 0 },
  { label: 'unsorted lengths', steps: 7, batch: 4, hidden: 3, lengths: [7, 2, 5, 1], extra: 0 },
  { label: 'no sequence reaches T', steps: 5, batch: 2, hidden: 5, lengths: [3, 4], extra: 0 },
  { label: 'one step, batch 1', steps: 1, batch: 1, hidden: 2, lengths: null, extra: 0 },
  { label: 'projection', steps: 6, batch: 3, hidden: 5, lengths: null, extra: 3 },
  { label: 'projection, unsorted lengths', steps: 7, batch: 6, hidden: 10, lengths: [7, 2, 5, 1, 7, 3], extra: 9 },
  { label: 'projection, batch 1', steps: 9, batch: 1, hidden: 9, lengths: null, extra: 4 },
];

const GRU_CONFIGS: readonly Config[] = [
  { label: 'full length', steps: 6, batch: 3, hidden: 4, lengths: null, extra: 1 },
  { label: 'unsorted lengths', steps: 7, batch: 4, hidden: 3, lengths: [7, 2, 5, 1], extra: 1 },
  { label: 'no bias, no sequence reaches T', steps: 5, batch: 2, hidden: 5, lengths: [3, 4], extra: 0 },
  { label: 'batch 1, odd width', steps: 9, batch: 1, hidden: 7, lengths: null, extra: 1 },
  { label: 'wide batch and width', steps: 4, batch: 9, hidden: 13, lengths: [4, 1, 3, 4, 2, 4, 4, 1, 3], extra: 1 },
];

async function expectEqualValues(got: Tensor, want: Tensor, label: string): Promise<void> {
  expect([...got.shape], `${label}: shape`).toEqual([...want.shape]);
  expect(Array.from(await got.data()), label).toEqual(Array.from(await want.data()));
}

/** Past a sequence's length its output is exactly 0. */
async function expectZeroPastLengths(output: Tensor, lengths: readonly number[] | null, label: string): Promise<void> {
  if (!lengths) return;
  const [steps, batch, width] = output.shape as [number, number, number];
  const values = await output.data();
  lengths.forEach((length, b) => {
    for (let t = length; t < steps; t++) {
      for (let j = 0; j < width; j++) expect(values[(t * batch + b) * width + j], `${label}: output[${t}, ${b}] past length`).toBe(0);
    }
  });
}

function lstmCase(ctx: SuiteContext, config: Config, reverse: boolean) {
  return async (rng: Rng) => {
    const { steps, batch, hidden, lengths, extra: proj } = config;
    const width = proj > 0 ? proj : hidden;
    const args = lstmInputs(rng, steps, batch, hidden, lengths, reverse, proj);
    const fused = lstmSequence(args, { returnGates: true });
    const inference = lstmSequence(args);
    const composite = lstmSequenceComposite(args);
    const grads = { dOutput: random(rng, [steps, batch, width]), dh: random(rng, [batch, width]), dc: random(rng, [batch, hidden]) };
    const backArgs = { forward: args, output: composite.output, gates: composite.gates!, cells: composite.cells!, ...grads };
    const fusedBack = lstmSequenceBackward(backArgs);
    const compositeBack = lstmSequenceBackwardComposite(backArgs);
    try {
      for (const key of ['output', 'h', 'c', 'gates', 'cells'] as const)
        await expectSame(ctx, fused[key], composite[key], `forward ${key}`);
      expect(inference.gates, 'inference mode keeps no gates').toBeNull();
      expect(inference.cells, 'inference mode keeps no cells').toBeNull();
      for (const key of ['output', 'h', 'c'] as const)
        await expectEqualValues(inference[key], fused[key], `inference ${key} equals training ${key}`);
      const keys = ['dInputGates', 'dWeightHh', 'dh0', 'dc0', ...(proj > 0 ? (['dWeightHr'] as const) : [])] as const;
      for (const key of keys) await expectSame(ctx, fusedBack[key], compositeBack[key], `backward ${key}`);
      expect('dWeightHr' in fusedBack && fusedBack.dWeightHr !== null, 'dWeightHr exactly with a projection').toBe(proj > 0);
      await expectZeroPastLengths(composite.output, lengths, 'composite');
      await expectZeroPastLengths(fused.output, lengths, 'fused');
    } finally {
      dispose([args, fused, inference, composite, grads, fusedBack, compositeBack]);
    }
  };
}

function gruCase(ctx: SuiteContext, config: Config, reverse: boolean) {
  return async (rng: Rng) => {
    const { steps, batch, hidden, lengths, extra } = config;
    const args = gruInputs(rng, steps, batch, hidden, lengths, reverse, extra > 0);
    const fused = gruSequence(args, { returnGates: true });
    const inference = gruSequence(args);
    const composite = gruSequenceComposite(args);
    const grads = { dOutput: random(rng, [steps, batch, hidden]), dh: random(rng, [batch, hidden]) };
    const backArgs = { forward: args, output: composite.output, gates: composite.gates!, hiddenN: composite.hiddenN!, ...grads };
    const fusedBack = gruSequenceBackward(backArgs);
    const compositeBack = gruSequenceBackwardComposite(backArgs);
    try {
      for (const key of ['output', 'h', 'gates', 'hiddenN'] as const) await expectSame(ctx, fused[key], composite[key], `forward ${key}`);
      expect(inference.gates, 'inference mode keeps no gates').toBeNull();
      expect(inference.hiddenN, 'inference mode keeps no hiddenN').toBeNull();
      for (const key of ['output', 'h'] as const)
        await expectEqualValues(inference[key], fused[key], `inference ${key} equals training ${key}`);
      for (const key of ['dInputGates', 'dWeightHh', 'dBiasHn', 'dh0'] as const)
        await expectSame(ctx, fusedBack[key], compositeBack[key], `backward ${key}`);
      await expectZeroPastLengths(composite.output, lengths, 'composite');
      await expectZeroPastLengths(fused.output, lengths, 'fused');
    } finally {
      dispose([args, fused, inference, composite, grads, fusedBack, compositeBack]);
    }
  };
}

/** The gradients of `leaves` for a random linear loss of the op's outputs, through `run`. */
function gradientsThrough(leaves: readonly Tensor[], loss: () => Tensor): Tensor[] {
  for (const t of leaves) t.requiresGrad = true;
  const value = tidy(loss);
  backward(value);
  value.dispose();
  const grads = leaves.map((t) => t.grad!);
  for (const t of leaves) {
    t.grad = null;
    t.requiresGrad = false;
  }
  return grads;
}

/** Registers the sequence groups inside `fused versus composite` (fused.ts). */
export function sequenceKernelSuite(suite: SuiteContext): void {
  const ctx = suite;
  suite.describe('lstmSequence', (group) => {
    for (const config of LSTM_CONFIGS) {
      for (const reverse of [false, true]) group.it(`${config.label}${reverse ? ', reverse' : ''}`, lstmCase(group, config, reverse));
    }
    group.it("gradients: the op's rule against autograd through the composite", async (rng) => {
      for (const [reverse, proj] of [
        [false, 0],
        [true, 0],
        [false, 2],
        [true, 3],
      ] as const) {
        const args = lstmInputs(rng, 5, 3, 4, [5, 2, 4], reverse, proj);
        const width = proj > 0 ? proj : 4;
        const r = random(rng, [5, 3, width]);
        const rh = random(rng, [3, width]);
        const leaves = [args.inputGates, args.weightHh, args.h0, args.c0, ...(args.weightHr ? [args.weightHr] : [])];
        const loss = (run: typeof lstmSequence) => () => {
          const out = run(args);
          return add(add(sum(mul(out.output, r)), sum(mul(out.h, rh))), sum(out.c));
        };
        const viaRule = gradientsThrough(leaves, loss(lstmSequence));
        const viaComposite = gradientsThrough(leaves, loss(lstmSequenceComposite));
        try {
          for (const [i, name] of ['inputGates', 'weightHh', 'h0', 'c0', 'weightHr'].slice(0, leaves.length).entries()) {
            await expectSame(ctx, viaRule[i], viaComposite[i], `gradient of ${name} (reverse ${String(reverse)}, P = ${proj})`);
          }
        } finally {
          dispose([args, r, rh, viaRule, viaComposite]);
        }
      }
    });
  });

  suite.describe('gruSequence', (group) => {
    for (const config of GRU_CONFIGS) {
      for (const reverse of [false, true]) group.it(`${config.label}${reverse ? ', reverse' : ''}`, gruCase(group, config, reverse));
    }
    group.it("gradients: the op's rule against autograd through the composite", async (rng) => {
      for (const reverse of [false, true]) {
        const args = gruInputs(rng, 5, 3, 4, [5, 2, 4], reverse);
        const r = random(rng, [5, 3, 4]);
        const rh = random(rng, [3, 4]);
        const leaves = [args.inputGates, args.weightHh, args.h0, args.biasHn!];
        const loss = (run: typeof gruSequence) => () => {
          const out = run(args);
          return add(sum(mul(out.output, r)), sum(mul(out.h, rh)));
        };
        const viaRule = gradientsThrough(leaves, loss(gruSequence));
        const viaComposite = gradientsThrough(leaves, loss(gruSequenceComposite));
        try {
          for (const [i, name] of ['inputGates', 'weightHh', 'h0', 'biasHn'].entries()) {
            await expectSame(ctx, viaRule[i], viaComposite[i], `gradient of ${name} (reverse ${String(reverse)})`);
          }
        } finally {
          dispose([args, r, rh, viaRule, viaComposite]);
        }
      }
    });
  });
}

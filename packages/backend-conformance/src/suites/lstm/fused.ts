/**
 * The fused LSTM ops against their composites of core ops, forward and backward: `lstmCell` /
 * `lstmCellBackward` and `lstmSequence` / `lstmSequenceBackward` (with lengths, unsorted, in both
 * directions), and the gradients autograd computes through each fused op's rule against those it
 * computes through the composite's individual ops. On a backend without fused kernels both sides
 * are composites and agree trivially; the comparison is then still a check of the gradient rules.
 *
 * Tolerance: `FUSED` below. Both sides compute the same float32 formula with different rounding
 * (a kernel may accumulate in float64 or fuse operations), over sequences of up to 7 steps.
 */
import { backward, checkGrad } from '@gated/autograd';
import {
  add,
  concat,
  dispose,
  lstmCell,
  lstmSequence,
  mul,
  reshape,
  sum,
  tensor,
  tidy,
  type LstmSequenceArgs,
  type Tensor,
} from '@gated/tensor';
import {
  lstmCellBackward,
  lstmCellBackwardComposite,
  lstmCellComposite,
  lstmSequenceBackward,
  lstmSequenceBackwardComposite,
  lstmSequenceComposite,
} from '@gated/tensor/internal';
import { expect } from 'vitest';
import { mismatches } from '../../harness/compare.js';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedError } from '../../harness/errors.js';
import type { Rng } from '../../harness/rng.js';
import { NDArray } from '../../reference/index.js';

/** Fused versus composite: both float32, same formula; 2e-6 absolute plus 2e-6 relative. */
const FUSED = { rtol: 2e-6, atol: 2e-6 };

function random(rng: Rng, shape: number[], scale = 1): Tensor {
  return tensor(Float32Array.from(rng.uniform(shape, -scale, scale).data), { shape });
}

async function expectSame(ctx: SuiteContext, got: Tensor, want: Tensor, label: string): Promise<void> {
  expect([...got.shape], `${label}: shape`).toEqual([...want.shape]);
  const [a, b] = await Promise.all([got.data(), want.data()]);
  const tolerance = ctx.tolerance(FUSED.rtol, FUSED.atol);
  expect(mismatches(a, NDArray.of(b, want.shape), tolerance), label).toBe('');
}

/** Random but consistent cell inputs and the state a forward call produced (for backward). */
function cellInputs(rng: Rng, batch: number, hidden: number) {
  return {
    inputGates: random(rng, [batch, 4 * hidden], 2),
    hiddenGates: random(rng, [batch, 4 * hidden], 2),
    c: random(rng, [batch, hidden]),
  };
}

function sequenceInputs(rng: Rng, steps: number, batch: number, hidden: number, lengths: number[] | null, reverse: boolean): LstmSequenceArgs {
  return {
    inputGates: random(rng, [steps, batch, 4 * hidden], 1.5),
    weightHh: random(rng, [4 * hidden, hidden], 0.6),
    h0: random(rng, [batch, hidden], 0.5),
    c0: random(rng, [batch, hidden], 0.5),
    lengths: lengths ? tensor(Int32Array.from(lengths), { dtype: 'int32' }) : null,
    reverse,
  };
}

const SEQUENCE_CONFIGS: { label: string; steps: number; batch: number; hidden: number; lengths: number[] | null }[] = [
  { label: 'full length', steps: 6, batch: 3, hidden: 4, lengths: null },
  { label: 'unsorted lengths', steps: 7, batch: 4, hidden: 3, lengths: [7, 2, 5, 1] },
  { label: 'no sequence reaches T', steps: 5, batch: 2, hidden: 5, lengths: [3, 4] },
  { label: 'one step, batch 1', steps: 1, batch: 1, hidden: 2, lengths: null },
];

export function fusedSuite(ctx: SuiteContext): void {
  ctx.describe('fused versus composite', (suite) => {
    suite.it('lstmCell forward', async (rng) => {
      for (const [batch, hidden] of [[3, 5], [1, 1], [4, 16]] as const) {
        const inputs = cellInputs(rng, batch, hidden);
        const fused = lstmCell(inputs.inputGates, inputs.hiddenGates, inputs.c);
        const composite = lstmCellComposite(inputs.inputGates, inputs.hiddenGates, inputs.c);
        try {
          for (const key of ['h', 'c', 'gates'] as const) {
            await expectSame(ctx, fused[key], composite[key], `lstmCell ${key}, B=${batch} H=${hidden}`);
          }
        } finally {
          dispose([inputs, fused, composite]);
        }
      }
    });

    suite.it('lstmCellBackward', async (rng) => {
      for (const [batch, hidden] of [[3, 5], [1, 1], [4, 16]] as const) {
        const inputs = cellInputs(rng, batch, hidden);
        const forward = lstmCellComposite(inputs.inputGates, inputs.hiddenGates, inputs.c);
        const args = { dh: random(rng, [batch, hidden]), dc: random(rng, [batch, hidden]), c: inputs.c, cNew: forward.c, gates: forward.gates };
        const fused = lstmCellBackward(args);
        const composite = lstmCellBackwardComposite(args);
        try {
          await expectSame(ctx, fused.dGates, composite.dGates, `dGates, B=${batch} H=${hidden}`);
          await expectSame(ctx, fused.dc, composite.dc, `dc, B=${batch} H=${hidden}`);
        } finally {
          dispose([inputs, forward, args, fused, composite]);
        }
      }
    });

    suite.it('lstmCell gradients: the op\'s rule against autograd through the composite', async (rng) => {
      const [batch, hidden] = [3, 4];
      const inputs = cellInputs(rng, batch, hidden);
      const rh = random(rng, [batch, hidden]);
      const rc = random(rng, [batch, hidden]);
      const leaves = [inputs.inputGates, inputs.hiddenGates, inputs.c];
      const gradients = (cell: typeof lstmCell): Tensor[] => {
        for (const t of leaves) t.requiresGrad = true;
        const loss = tidy(() => {
          const { h, c } = cell(inputs.inputGates, inputs.hiddenGates, inputs.c);
          return add(sum(mul(h, rh)), sum(mul(c, rc)));
        });
        loss.backward();
        loss.dispose();
        const grads = leaves.map((t) => t.grad!);
        for (const t of leaves) t.grad = null;
        return grads;
      };
      const viaRule = gradients(lstmCell);
      const viaComposite = gradients(lstmCellComposite);
      try {
        for (const [i, name] of ['inputGates', 'hiddenGates', 'c'].entries()) {
          await expectSame(ctx, viaRule[i]!, viaComposite[i]!, `gradient of ${name}`);
        }
      } finally {
        dispose([inputs, rh, rc, viaRule, viaComposite]);
      }
    });

    suite.it('lstmCell returns its gates detached', (rng) => {
      const inputs = cellInputs(rng, 2, 3);
      inputs.inputGates.requiresGrad = true;
      const out = lstmCell(inputs.inputGates, inputs.hiddenGates, inputs.c);
      try {
        expect(out.h.requiresGrad, 'h carries the gradient').toBe(true);
        expect(out.gates.requiresGrad, 'gates are for inspection only').toBe(false);
      } finally {
        dispose([inputs, out]);
      }
    });

    suite.describe('lstmSequence', (group) => {
      for (const config of SEQUENCE_CONFIGS) {
        for (const reverse of [false, true]) {
          group.it(`${config.label}${reverse ? ', reverse' : ''}`, async (rng) => {
            const { steps, batch, hidden } = config;
            const args = sequenceInputs(rng, steps, batch, hidden, config.lengths, reverse);
            const fused = lstmSequence(args);
            const composite = lstmSequenceComposite(args);
            const grads = {
              dOutput: random(rng, [steps, batch, hidden]),
              dh: random(rng, [batch, hidden]),
              dc: random(rng, [batch, hidden]),
            };
            const backArgs = { forward: args, output: composite.output, gates: composite.gates, cells: composite.cells, ...grads };
            const fusedBack = lstmSequenceBackward(backArgs);
            const compositeBack = lstmSequenceBackwardComposite(backArgs);
            try {
              for (const key of ['output', 'h', 'c', 'gates', 'cells'] as const) {
                await expectSame(ctx, fused[key], composite[key], `forward ${key}`);
              }
              for (const key of ['dInputGates', 'dWeightHh', 'dh0', 'dc0'] as const) {
                await expectSame(ctx, fusedBack[key], compositeBack[key], `backward ${key}`);
              }
              if (config.lengths) {
                // Past a sequence's length its output, gates and cells are 0.
                const output = await composite.output.data();
                config.lengths.forEach((length, b) => {
                  for (let t = length; t < steps; t++) {
                    for (let j = 0; j < hidden; j++) expect(output[(t * batch + b) * hidden + j], `output[${t}, ${b}] past length`).toBe(0);
                  }
                });
              }
            } finally {
              dispose([args, fused, composite, grads, fusedBack, compositeBack]);
            }
          });
        }
      }

      group.it('gradients: the op\'s rule against autograd through the composite', async (rng) => {
        for (const reverse of [false, true]) {
          const args = sequenceInputs(rng, 5, 3, 4, [5, 2, 4], reverse);
          const r = random(rng, [5, 3, 4]);
          const rh = random(rng, [3, 4]);
          const leaves = [args.inputGates, args.weightHh, args.h0, args.c0];
          const gradients = (run: typeof lstmSequence): Tensor[] => {
            for (const t of leaves) t.requiresGrad = true;
            const loss = tidy(() => {
              const out = run(args);
              return add(add(sum(mul(out.output, r)), sum(mul(out.h, rh))), sum(out.c));
            });
            backward(loss);
            loss.dispose();
            const grads = leaves.map((t) => t.grad!);
            for (const t of leaves) t.grad = null;
            return grads;
          };
          const viaRule = gradients(lstmSequence);
          const viaComposite = gradients(lstmSequenceComposite);
          try {
            for (const [i, name] of ['inputGates', 'weightHh', 'h0', 'c0'].entries()) {
              await expectSame(ctx, viaRule[i]!, viaComposite[i]!, `gradient of ${name}${reverse ? ' (reverse)' : ''}`);
            }
          } finally {
            dispose([args, r, rh, viaRule, viaComposite]);
          }
        }
      });
    });

    suite.it('finite differences through lstmCell and lstmSequence', async (rng) => {
      for (const fused of [true, false]) {
        const cell = [random(rng, [2, 12]), random(rng, [2, 12]), random(rng, [2, 3])];
        const sequence = [random(rng, [4, 2, 12]), random(rng, [12, 3]), random(rng, [2, 3]), random(rng, [2, 3])];
        try {
          const viaCell = await checkGrad((ig: Tensor, hg: Tensor, c: Tensor) => {
            const out = lstmCell(ig, hg, c, { fused });
            return concat([out.h, out.c], 1);
          }, cell);
          expect(viaCell.ok, `lstmCell (fused ${String(fused)}): ${viaCell.summary}`).toBe(true);
          const viaSequence = await checkGrad((ig: Tensor, w: Tensor, h0: Tensor, c0: Tensor) => {
            const lengths = tensor([4, 2], { dtype: 'int32' });
            const out = lstmSequence({ inputGates: ig, weightHh: w, h0, c0, lengths, reverse: true }, { fused });
            return concat([reshape(out.output, [8, 3]), out.h, out.c], 0);
          }, sequence);
          expect(viaSequence.ok, `lstmSequence (fused ${String(fused)}): ${viaSequence.summary}`).toBe(true);
        } finally {
          dispose([cell, sequence]);
        }
      }
    });

    suite.it('second-order gradients through the fused ops are refused', (rng) => {
      const inputs = cellInputs(rng, 2, 3);
      inputs.inputGates.requiresGrad = true;
      const loss = tidy(() => sum(lstmCell(inputs.inputGates, inputs.hiddenGates, inputs.c).h));
      try {
        backward(loss, undefined, { createGraph: true });
        const first = inputs.inputGates.grad!;
        inputs.inputGates.grad = null;
        const again = tidy(() => sum(mul(first, first)));
        try {
          expectGatedError(() => { backward(again); }, 'lstmCellBackward', /second-order gradients through the fused LSTM cell are not supported/);
        } finally {
          dispose([first, again]);
        }
      } finally {
        inputs.inputGates.grad?.dispose();
        dispose([inputs, loss]);
      }
    });

    suite.it('refusals', (rng) => {
      const c = random(rng, [2, 3]);
      const good = random(rng, [2, 12]);
      const bad = random(rng, [2, 8]);
      const ints = tensor(new Int32Array(24), { shape: [2, 12], dtype: 'int32' });
      const floatLengths = tensor([1, 2]);
      const args = sequenceInputs(rng, 3, 2, 3, null, false);
      try {
        expectGatedError(() => lstmCell(bad, good, c), 'lstmCell', 'inputGates must have shape [2,12] ([B, 4H]), got [2,8]');
        expectGatedError(() => lstmCell(good, good, good), 'lstmCell', 'inputGates must have shape [2,48] ([B, 4H]), got [2,12]');
        expectGatedError(() => lstmCell(ints, good, c), 'lstmCell', 'inputGates must be float32, got int32');
        expectGatedError(
          () => lstmSequence({ ...args, weightHh: good }),
          'lstmSequence',
          'weightHh must have shape [12,3] ([4H, H]), got [2,12]',
        );
        expectGatedError(
          () => lstmSequence({ ...args, lengths: floatLengths }),
          'lstmSequence',
          'lengths must be int32, got float32',
        );
        expectGatedError(
          () => lstmSequence({ ...args, h0: c, c0: good }),
          'lstmSequence',
          'c0 must have shape [2,3] ([B, H]), got [2,12]',
        );
      } finally {
        dispose([c, good, bad, ints, floatLengths, args]);
      }
    });
  });
}

/**
 * The fused LSTM cell against its composite of core ops, forward and backward, and the gradients
 * autograd computes through the op's rule against those it computes through the composite's
 * individual ops; finite differences through the cell and the sequence; refusals. The sequence
 * kernels (`lstmSequence`, `gruSequence`) have their own file, sequence-kernels.ts. On a backend
 * without fused kernels both sides are composites and agree trivially; the comparison is then
 * still a check of the gradient rules.
 *
 * Tolerance: `FUSED` (sequence-kernels.ts). Both sides compute the same float32 formula with
 * different rounding (a kernel may accumulate in float64 or fuse operations).
 */
import { backward, checkGrad } from '@gated/autograd';
import { add, concat, dispose, gruSequence, lstmCell, lstmSequence, mul, reshape, sum, tensor, tidy, type Tensor } from '@gated/tensor';
import { lstmCellBackward, lstmCellBackwardComposite, lstmCellComposite } from '@gated/tensor/internal';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedError } from '../../harness/errors.js';
import type { Rng } from '../../harness/rng.js';
import { gruInputs, expectSame, lstmInputs, random } from './sequence-helpers.js';
import { sequenceKernelSuite } from './sequence-kernels.js';

/** Random but consistent cell inputs and the state a forward call produced (for backward). */
function cellInputs(rng: Rng, batch: number, hidden: number) {
  return {
    inputGates: random(rng, [batch, 4 * hidden], 2),
    hiddenGates: random(rng, [batch, 4 * hidden], 2),
    c: random(rng, [batch, hidden]),
  };
}

export function fusedSuite(ctx: SuiteContext): void {
  ctx.describe('fused versus composite', (suite) => {
    suite.it('lstmCell forward', async (rng) => {
      for (const [batch, hidden] of [
        [3, 5],
        [1, 1],
        [4, 16],
      ] as const) {
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
      for (const [batch, hidden] of [
        [3, 5],
        [1, 1],
        [4, 16],
      ] as const) {
        const inputs = cellInputs(rng, batch, hidden);
        const forward = lstmCellComposite(inputs.inputGates, inputs.hiddenGates, inputs.c);
        const args = {
          dh: random(rng, [batch, hidden]),
          dc: random(rng, [batch, hidden]),
          c: inputs.c,
          cNew: forward.c,
          gates: forward.gates,
        };
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

    suite.it("lstmCell gradients: the op's rule against autograd through the composite", async (rng) => {
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
          await expectSame(ctx, viaRule[i], viaComposite[i], `gradient of ${name}`);
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

    sequenceKernelSuite(suite);

    suite.it('finite differences through lstmCell and the sequence ops', async (rng) => {
      for (const fused of [true, false]) {
        const cell = [random(rng, [2, 12]), random(rng, [2, 12]), random(rng, [2, 3])];
        const sequence = [random(rng, [4, 2, 12]), random(rng, [12, 3]), random(rng, [2, 3]), random(rng, [2, 3])];
        // A projection P = 2 of H = 3: weightHh [12, 2], h0 [2, 2], weightHr [2, 3].
        const projected = [random(rng, [4, 2, 12]), random(rng, [12, 2]), random(rng, [2, 2]), random(rng, [2, 3]), random(rng, [2, 3])];
        const gru = [random(rng, [4, 2, 9]), random(rng, [9, 3]), random(rng, [3], 0.5), random(rng, [2, 3], 0.5)];
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
          const viaProjection = await checkGrad((ig: Tensor, w: Tensor, h0: Tensor, c0: Tensor, wr: Tensor) => {
            const lengths = tensor([3, 4], { dtype: 'int32' });
            const out = lstmSequence({ inputGates: ig, weightHh: w, h0, c0, weightHr: wr, lengths }, { fused });
            return concat([reshape(out.output, [8, 2]), out.h, reshape(out.c, [3, 2])], 0);
          }, projected);
          expect(viaProjection.ok, `lstmSequence with a projection (fused ${String(fused)}): ${viaProjection.summary}`).toBe(true);
          const viaGru = await checkGrad((ig: Tensor, w: Tensor, b: Tensor, h0: Tensor) => {
            const lengths = tensor([2, 4], { dtype: 'int32' });
            const out = gruSequence({ inputGates: ig, weightHh: w, biasHn: b, h0, lengths, reverse: true }, { fused });
            return concat([reshape(out.output, [8, 3]), out.h], 0);
          }, gru);
          expect(viaGru.ok, `gruSequence (fused ${String(fused)}): ${viaGru.summary}`).toBe(true);
        } finally {
          dispose([cell, sequence, projected, gru]);
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
          expectGatedError(
            () => {
              backward(again);
            },
            'lstmCellBackward',
            /second-order gradients through the fused LSTM cell are not supported/,
          );
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
      const args = lstmInputs(rng, 3, 2, 3, null, false);
      const gru = gruInputs(rng, 3, 2, 3, null, false);
      const narrowState = random(rng, [2, 2]);
      const narrowWeights = random(rng, [12, 2]);
      try {
        expectGatedError(() => lstmCell(bad, good, c), 'lstmCell', 'inputGates must have shape [2,12] ([B, 4H]), got [2,8]');
        expectGatedError(() => lstmCell(good, good, good), 'lstmCell', 'inputGates must have shape [2,48] ([B, 4H]), got [2,12]');
        expectGatedError(() => lstmCell(ints, good, c), 'lstmCell', 'inputGates must be float32, got int32');
        expectGatedError(
          () => lstmSequence({ ...args, weightHh: good }),
          'lstmSequence',
          'weightHh must have shape [12,3] ([4H, P]), got [2,12]',
        );
        expectGatedError(() => lstmSequence({ ...args, lengths: floatLengths }), 'lstmSequence', 'lengths must be int32, got float32');
        expectGatedError(() => lstmSequence({ ...args, h0: c, c0: good }), 'lstmSequence', 'c0 must have shape [2,3] ([B, H]), got [2,12]');
        // P = 2 from h0 without a projection, or a projection of the wrong shape.
        expectGatedError(
          () => lstmSequence({ ...args, h0: narrowState, weightHh: narrowWeights }),
          'lstmSequence',
          'without weightHr, P must equal H: got P = 2, H = 3',
        );
        expectGatedError(
          () => lstmSequence({ ...args, weightHr: c }),
          'lstmSequence',
          'weightHr must have shape [3,3] ([P, H]), got [2,3]',
        );
        expectGatedError(
          () => gruSequence({ ...gru, weightHh: good }),
          'gruSequence',
          'weightHh must have shape [9,3] ([3H, H]), got [2,12]',
        );
        expectGatedError(() => gruSequence({ ...gru, biasHn: c }), 'gruSequence', 'biasHn must have shape [3] ([H]), got [2,3]');
        expectGatedError(() => gruSequence({ ...gru, lengths: floatLengths }), 'gruSequence', 'lengths must be int32, got float32');
      } finally {
        dispose([c, good, bad, ints, floatLengths, args, gru, narrowState, narrowWeights]);
      }
    });
  });
}

/**
 * Dispatch and submission counts, which decide recurrent speed on real GPUs (a dispatch costs
 * tens of microseconds there). Deterministic: they come from `counters()`, never from timing.
 * - The sequence kernels: per step one dispatch (fused) or two (split K) forward, one or two
 *   backward, a constant number around the loop, and everything in one submission.
 * - The v1.1 kernels the same way: the GRU (one phase a step, like the LSTM) and the projected
 *   LSTM (two phases a step: the cell, then the projection; never split).
 * - Whole layers through @gated/lstm (input projection GEMM, biases, gradients included; LSTM,
 *   projected LSTM and GRU): at most 2 dispatches per layer, direction and step forward and 3
 *   backward; a projected layer on the per-step schedule 2 per step plus its per-call work.
 */
import type { Backend, DataHandle } from '@gated/backend-api';
import { GRU, LSTM } from '@gated/lstm';
import '@gated/autograd';
import { dispose, registerBackend, removeBackend, setBackend, sum, tensor, tidy, type Tensor } from '@gated/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { planSequence } from '../src/kernels/lstm-plan.js';
import { createTestBackend } from './gpu.js';
import { handlesOf, seeded, upload, values } from './helpers.js';

const SCHEDULES = ['persistent', 'per-step'] as const;
const backends = new Map<string, WebGpuBackend>();

beforeAll(async () => {
  for (const schedule of SCHEDULES) backends.set(schedule, await createTestBackend({ sequenceSchedule: schedule }));
});
afterAll(() => {
  for (const backend of backends.values()) backend.dispose();
});

function delta(backend: Backend, before: Readonly<Record<string, number>>): { dispatches: number; submits: number } {
  const now = backend.counters!();
  return { dispatches: now['dispatches']! - before['dispatches']!, submits: now['submits']! - before['submits']! };
}

describe('sequence kernels', () => {
  // (batch, hidden): a fused per-step plan and a split one.
  for (const [batch, hidden] of [
    [4, 8],
    [1, 64],
  ] as const) {
    for (const schedule of SCHEDULES) {
      it(`${schedule}, B=${batch} H=${hidden}: dispatches per step and one submission`, async () => {
        const backend = backends.get(schedule)!;
        const steps = 9;
        const next = seeded(7);
        const owned: DataHandle[] = [];
        const forward = {
          inputGates: upload(backend, owned, values(next, steps * batch * 4 * hidden), [steps, batch, 4 * hidden]),
          weightHh: upload(backend, owned, values(next, 4 * hidden * hidden, 0.2), [4 * hidden, hidden]),
          h0: upload(backend, owned, values(next, batch * hidden), [batch, hidden]),
          c0: upload(backend, owned, values(next, batch * hidden), [batch, hidden]),
          lengths: null,
          reverse: false,
        };
        const grads = [steps * batch * hidden, batch * hidden, batch * hidden].map((n) => upload(backend, owned, values(next, n), [n]));
        await backend.sync();

        const forwardPlan = planSequence({ batch, hidden, k: hidden, proj: hidden, phases: 1 }, schedule);
        const backwardPlan = planSequence({ batch, hidden, k: 4 * hidden, proj: hidden, phases: 1 }, schedule);
        let before = backend.counters();
        const out = backend.lstmSequence(forward);
        await backend.sync();
        const perStepForward = { persistent: 0, fused: 1, split: 2 }[forwardPlan.schedule];
        // + the transpose of W_hh (and the persistent loop's one dispatch).
        const forwardExpected = perStepForward * steps + (forwardPlan.schedule === 'persistent' ? 2 : 1);
        expect(delta(backend, before), `forward (${forwardPlan.schedule})`).toEqual({ dispatches: forwardExpected, submits: 1 });

        before = backend.counters();
        const back = backend.lstmSequenceBackward({
          forward,
          output: { data: out.output, shape: [steps, batch, hidden] },
          gates: { data: out.gates!, shape: [steps, batch, 4 * hidden] },
          cells: { data: out.cells!, shape: [steps, batch, hidden] },
          dOutput: { data: grads[0]!.data, shape: [steps, batch, hidden] },
          dh: { data: grads[1]!.data, shape: [batch, hidden] },
          dc: { data: grads[2]!.data, shape: [batch, hidden] },
        });
        await backend.sync();
        // Steps u = 0…T (T finishes dh0); split: a product for u ≥ 1 and a cell for every u.
        const loop = { persistent: 1, fused: steps + 1, split: 2 * steps + 1 }[backwardPlan.schedule];
        // + hPrev and the dW_hh GEMM.
        expect(delta(backend, before), `backward (${backwardPlan.schedule})`).toEqual({ dispatches: loop + 2, submits: 1 });
        expect(perStepForward).toBeLessThanOrEqual(2);

        for (const handle of [...owned, ...handlesOf(out), ...handlesOf(back)]) backend.free(handle);
      });
    }
  }
});

describe('v1.1 sequence kernels', () => {
  const steps = 7;
  for (const cell of ['gru', 'projected'] as const) {
    // (batch, hidden): a fused per-step plan, and one the GRU splits.
    for (const [batch, hidden] of [
      [4, 8],
      [1, 64],
    ] as const) {
      for (const schedule of SCHEDULES) {
        it(`${cell}, ${schedule}, B=${batch} H=${hidden}: dispatches per step and one submission`, async () => {
          const backend = backends.get(schedule)!;
          const next = seeded(11);
          const owned: DataHandle[] = [];
          const P = cell === 'gru' ? hidden : hidden / 2;
          const G = cell === 'gru' ? 3 : 4;
          const t = (shape: number[], scale = 1) =>
            upload(
              backend,
              owned,
              values(
                next,
                shape.reduce((a, b) => a * b, 1),
                scale,
              ),
              shape,
            );
          const base = {
            inputGates: t([steps, batch, G * hidden]),
            weightHh: t([G * hidden, P], 0.2),
            h0: t([batch, P]),
            lengths: null,
            reverse: false,
          };
          const plans = [P, G * hidden].map((k) => planSequence({ batch, hidden, k, proj: P, phases: cell === 'gru' ? 1 : 2 }, schedule));
          await backend.sync();
          let before = backend.counters();
          let backwardDispatches: number;
          const phases = cell === 'gru' ? 1 : 2;
          // Forward: every phase every step (split: a product and a cell). Backward: steps u = 0…T,
          // the last only finishing dh0 (its first phase; split: its cell, no product).
          const forwardLoop = { persistent: 1, fused: phases * steps, split: 2 * steps }[plans[0]!.schedule];
          const backwardLoop = { persistent: 1, fused: steps + 1 + (phases - 1) * steps, split: 2 * steps + 1 }[plans[1]!.schedule];
          if (cell === 'gru') {
            const forward = { ...base, biasHn: t([hidden]) };
            const out = backend.gruSequence(forward);
            await backend.sync();
            // The loop + the transpose of W_hh.
            expect(delta(backend, before), `forward (${plans[0]!.schedule})`).toEqual({ dispatches: forwardLoop + 1, submits: 1 });
            before = backend.counters();
            const back = backend.gruSequenceBackward({
              forward,
              output: { data: out.output, shape: [steps, batch, hidden] },
              gates: { data: out.gates!, shape: [steps, batch, 3 * hidden] },
              hiddenN: { data: out.hiddenN!, shape: [steps, batch, hidden] },
              dOutput: t([steps, batch, hidden]),
              dh: t([batch, hidden]),
            });
            await backend.sync();
            // Steps u = 0…T; + dRec, hPrev, the dW_hh GEMM and db_hn.
            backwardDispatches = backwardLoop + 4;
            owned.push(...handlesOf(out), ...handlesOf(back));
          } else {
            const forward = { ...base, c0: t([batch, hidden]), weightHr: t([P, hidden], 0.2) };
            const out = backend.lstmSequence(forward);
            await backend.sync();
            // Two phases a step (the cell, the projection) + the transposes of W_hh and W_hr.
            expect(delta(backend, before), `forward (${plans[0]!.schedule})`).toEqual({ dispatches: forwardLoop + 2, submits: 1 });
            before = backend.counters();
            const back = backend.lstmSequenceBackward({
              forward,
              output: { data: out.output, shape: [steps, batch, P] },
              gates: { data: out.gates!, shape: [steps, batch, 4 * hidden] },
              cells: { data: out.cells!, shape: [steps, batch, hidden] },
              dOutput: t([steps, batch, P]),
              dh: t([batch, P]),
              dc: t([batch, hidden]),
            });
            await backend.sync();
            // + hPrev, the dW_hh GEMM, m and the dW_hr GEMM.
            backwardDispatches = backwardLoop + 4;
            owned.push(...handlesOf(out), ...handlesOf(back));
          }
          expect(delta(backend, before), `backward (${plans[1]!.schedule})`).toEqual({ dispatches: backwardDispatches, submits: 1 });
          for (const handle of owned) backend.free(handle);
        });
      }
    }
  }
});

describe('whole layers through @gated/lstm', () => {
  for (const schedule of SCHEDULES) {
    it(`${schedule}: ≤ 2 dispatches per layer-direction-step forward, ≤ 3 backward`, async () => {
      const name = `dispatch-count-${schedule}`;
      registerBackend(name, () => createTestBackend({ sequenceSchedule: schedule }));
      try {
        const backend = await setBackend(name);
        const [steps, batch, input, hidden, layers] = [16, 3, 5, 8, 2];
        const options = { inputSize: input, hiddenSize: hidden, numLayers: layers, bidirectional: true, seed: 1 };
        const models = { lstm: new LSTM(options), projected: new LSTM({ ...options, projSize: 3 }), gru: new GRU(options) };
        for (const [label, model] of Object.entries(models)) {
          const x = tensor(values(seeded(3), steps * batch * input), { shape: [steps, batch, input], requiresGrad: true });
          await backend.sync();
          let before = backend.counters!();
          const result: { output: Tensor; h: Tensor; c?: Tensor } = model.forward(x);
          await backend.sync();
          const forward = delta(backend, before).dispatches / (layers * 2 * steps);
          before = backend.counters!();
          const loss = tidy(() => sum(result.output));
          loss.backward();
          await backend.sync();
          const backward = delta(backend, before).dispatches / (layers * 2 * steps);
          // A projected step is two dispatches (the cell, then m·W_hrᵀ: every unit of the next
          // step needs all of h), so per step its layers add their per-call work (input GEMM,
          // biases, transposes: 6 dispatches) on top of 2; the persistent schedule runs the loop in one.
          const forwardLimit = label === 'projected' && schedule === 'per-step' ? 2 + 8 / steps : 2;
          expect(forward, `${label}: forward dispatches per layer-direction-step`).toBeLessThanOrEqual(forwardLimit);
          expect(backward, `${label}: backward dispatches per layer-direction-step`).toBeLessThanOrEqual(3);
          dispose([x, loss, result.output, result.h, result.c, x.grad, ...model.parameters().map((p) => p.grad)]);
          model.dispose();
        }
      } finally {
        removeBackend(name);
      }
    });
  }
});

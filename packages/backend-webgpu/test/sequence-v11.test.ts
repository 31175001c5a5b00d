/**
 * Contract v1.1's sequence kernels on the GPU against backend-ts: gruSequence and its backward
 * (with and without b_hn), the projected lstmSequence and its backward, under every schedule
 * (persistent, fused, split for the GRU: a projected LSTM never splits), with lengths and both
 * directions; and the inference mode: the same outputs, no gates or cells kept, less memory.
 */
import type { Backend, DataHandle } from '@gated/backend-api';
import { createTsBackend } from '@gated/backend-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSequence } from '../src/kernels/lstm-plan.js';
import type { WebGpuBackend } from '../src/index.js';
import { createTestBackend } from './gpu.js';
import { expectClose, handlesOf, seeded, upload, values } from './helpers.js';

type Schedule = 'persistent' | 'per-step';
const backends = new Map<Schedule, WebGpuBackend>();

beforeAll(async () => {
  backends.set('persistent', await createTestBackend({ sequenceSchedule: 'persistent' }));
  backends.set('per-step', await createTestBackend({ sequenceSchedule: 'per-step' }));
});
afterAll(() => {
  for (const backend of backends.values()) backend.dispose();
});

interface Case {
  readonly label: string;
  readonly cell: 'gru' | 'lstm';
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  /** LSTM: the projection's size (0: none). GRU: whether b_hn is given (1) or null (0). */
  readonly extra: number;
  readonly lengths: number[] | null;
  readonly reverse: boolean;
}

const CASES: Case[] = [
  { label: 'GRU, two unit tiles, partial row tile', cell: 'gru', steps: 5, batch: 5, hidden: 70, extra: 1, lengths: null, reverse: false },
  { label: 'GRU, batch 1, split K, no b_hn', cell: 'gru', steps: 4, batch: 1, hidden: 64, extra: 0, lengths: null, reverse: true },
  {
    label: 'GRU, unsorted lengths, reverse',
    cell: 'gru',
    steps: 6,
    batch: 6,
    hidden: 33,
    extra: 1,
    lengths: [6, 2, 5, 1, 3, 6],
    reverse: true,
  },
  { label: 'projected LSTM, P < wgx', cell: 'lstm', steps: 5, batch: 3, hidden: 40, extra: 7, lengths: null, reverse: false },
  {
    label: 'projected LSTM, two P tiles, lengths, reverse',
    cell: 'lstm',
    steps: 6,
    batch: 6,
    hidden: 96,
    extra: 65,
    lengths: [6, 2, 5, 1, 3, 6],
    reverse: true,
  },
];

type AnyBackend = WebGpuBackend | ReturnType<typeof createTsBackend>;

/** Runs a case's forward (training mode) and backward on `backend`; every handle lands in `mine`. */
function runCase(backend: AnyBackend, c: Case, mine: DataHandle[]): Record<string, DataHandle> {
  const next = seeded(c.steps * 1000 + c.batch * 10 + c.hidden + c.extra);
  const { steps: T, batch: B, hidden: H } = c;
  const lengths = c.lengths ? upload(backend, mine, Int32Array.from(c.lengths), [B], 'int32') : null;
  if (c.cell === 'gru') {
    const forward = {
      inputGates: upload(backend, mine, values(next, T * B * 3 * H, 1.5), [T, B, 3 * H]),
      weightHh: upload(backend, mine, values(next, 3 * H * H, 0.3), [3 * H, H]),
      biasHn: c.extra > 0 ? upload(backend, mine, values(next, H, 0.5), [H]) : null,
      h0: upload(backend, mine, values(next, B * H, 0.5), [B, H]),
      lengths,
      reverse: c.reverse,
    };
    const out = backend.gruSequence(forward);
    const back = backend.gruSequenceBackward({
      forward,
      output: { data: out.output, shape: [T, B, H] },
      gates: { data: out.gates!, shape: [T, B, 3 * H] },
      hiddenN: { data: out.hiddenN!, shape: [T, B, H] },
      dOutput: upload(backend, mine, values(next, T * B * H), [T, B, H]),
      dh: upload(backend, mine, values(next, B * H), [B, H]),
    });
    mine.push(...handlesOf(out), ...handlesOf(back));
    return { ...out, ...back } as Record<string, DataHandle>;
  }
  const P = c.extra;
  const forward = {
    inputGates: upload(backend, mine, values(next, T * B * 4 * H, 1.5), [T, B, 4 * H]),
    weightHh: upload(backend, mine, values(next, 4 * H * P, 0.3), [4 * H, P]),
    weightHr: upload(backend, mine, values(next, P * H, 0.3), [P, H]),
    h0: upload(backend, mine, values(next, B * P, 0.5), [B, P]),
    c0: upload(backend, mine, values(next, B * H, 0.5), [B, H]),
    lengths,
    reverse: c.reverse,
  };
  const out = backend.lstmSequence(forward);
  const back = backend.lstmSequenceBackward({
    forward,
    output: { data: out.output, shape: [T, B, P] },
    gates: { data: out.gates!, shape: [T, B, 4 * H] },
    cells: { data: out.cells!, shape: [T, B, H] },
    dOutput: upload(backend, mine, values(next, T * B * P), [T, B, P]),
    dh: upload(backend, mine, values(next, B * P), [B, P]),
    dc: upload(backend, mine, values(next, B * H), [B, H]),
  });
  mine.push(...handlesOf(out), ...handlesOf(back));
  return { ...out, ...back } as Record<string, DataHandle>;
}

function freeAll(backend: Backend, handles: readonly DataHandle[]): void {
  for (const handle of handles) backend.free(handle);
}

describe('gruSequence and the projected lstmSequence, with their backward, against backend-ts', () => {
  for (const schedule of ['persistent', 'per-step'] as const) {
    for (const c of CASES) {
      it(`${schedule}: ${c.label}`, async () => {
        const gpu = backends.get(schedule)!;
        const ts = createTsBackend();
        const mineGpu: DataHandle[] = [];
        const mineTs: DataHandle[] = [];
        const got = runCase(gpu, c, mineGpu);
        const want = runCase(ts, c, mineTs);
        expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
        for (const key of Object.keys(want)) {
          // Sums over every step and row (weights, b_hn) accumulate in another order than backend-ts's float64.
          const tolerance = key.startsWith('dWeight') || key === 'dBiasHn' ? 1e-5 : 2e-6;
          expectClose(await gpu.read(got[key]!), await ts.read(want[key]!), `${schedule}, ${c.label}: ${key}`, tolerance, tolerance);
        }
        freeAll(gpu, mineGpu);
        freeAll(ts, mineTs);
        expect(gpu.memory().buffers, 'every buffer freed').toBe(0);
      });
    }
  }
});

describe('inference mode', () => {
  for (const c of [CASES[0]!, CASES[2]!, CASES[4]!]) {
    it(`${c.label}: the training outputs, no gates or cells, less memory`, async () => {
      const gpu = backends.get('per-step')!;
      const mine: DataHandle[] = [];
      const next = seeded(7);
      const { steps: T, batch: B, hidden: H } = c;
      const lengths = c.lengths ? upload(gpu, mine, Int32Array.from(c.lengths), [B], 'int32') : null;
      const P = c.cell === 'gru' ? H : c.extra;
      const G = c.cell === 'gru' ? 3 : 4;
      const common = {
        inputGates: upload(gpu, mine, values(next, T * B * G * H, 1.5), [T, B, G * H]),
        weightHh: upload(gpu, mine, values(next, G * H * P, 0.3), [G * H, P]),
        h0: upload(gpu, mine, values(next, B * P, 0.5), [B, P]),
        lengths,
        reverse: c.reverse,
      };
      // The operands a mode adds (b_hn; c0 and W_hr) are uploaded before measuring.
      const biasHn = upload(gpu, mine, values(seeded(3), H), [H]);
      const c0 = upload(gpu, mine, values(seeded(4), B * H, 0.5), [B, H]);
      const weightHr = upload(gpu, mine, values(seeded(5), P * H, 0.3), [P, H]);
      const run = (inference: boolean): { out: Record<string, DataHandle | null>; grew: number } => {
        const before = gpu.memory().bytes;
        const out: Record<string, DataHandle | null> =
          c.cell === 'gru'
            ? { ...gpu.gruSequence({ ...common, biasHn, inference }) }
            : { ...gpu.lstmSequence({ ...common, c0, weightHr, inference }) };
        return { out, grew: gpu.memory().bytes - before };
      };
      const training = run(false);
      const inference = run(true);
      const stored = c.cell === 'gru' ? ['gates', 'hiddenN'] : ['gates', 'cells'];
      for (const key of stored) {
        expect(training.out[key], `${key} kept for backward`).not.toBeNull();
        expect(inference.out[key], `${key} not kept in inference mode`).toBeNull();
      }
      expect(inference.grew, 'inference holds less memory').toBeLessThan(training.grew);
      for (const key of ['output', 'h', ...(c.cell === 'lstm' ? ['c'] : [])]) {
        // The same kernels and order of operations: bit for bit.
        expect(Array.from(await gpu.read(inference.out[key]!)), key).toEqual(Array.from(await gpu.read(training.out[key]!)));
      }
      for (const { out } of [training, inference]) freeAll(gpu, handlesOf(out));
      freeAll(gpu, mine);
      expect(gpu.memory().buffers, 'every buffer freed').toBe(0);
    });
  }
});

describe('v1.1 plans', () => {
  it('the cases reach every schedule they may take; a projection never splits', () => {
    const plans = CASES.map((c) => {
      const proj = c.cell === 'lstm' ? c.extra : c.hidden;
      const G = c.cell === 'gru' ? 3 : 4;
      const phases = c.cell === 'lstm' ? 2 : 1;
      return {
        cell: c.cell,
        forward: planSequence({ batch: c.batch, hidden: c.hidden, k: proj, proj, phases }, 'per-step'),
        backward: planSequence({ batch: c.batch, hidden: c.hidden, k: G * c.hidden, proj, phases }, 'per-step'),
      };
    });
    const gru = plans.filter((p) => p.cell === 'gru').flatMap((p) => [p.forward.schedule, p.backward.schedule]);
    expect(new Set(gru)).toEqual(new Set(['fused', 'split']));
    const lstm = plans.filter((p) => p.cell === 'lstm').flatMap((p) => [p.forward, p.backward]);
    expect(lstm.every((p) => p.schedule === 'fused')).toBe(true);
    expect(
      lstm.some((p) => p.projTilesX > 1),
      'P spans two tiles',
    ).toBe(true);
  });
});

/**
 * The sequence kernels under every schedule (persistent, one fused dispatch per step, split-K
 * with two), with several tile shapes (multi-tile grids, partial tiles, batch 1), lengths and both
 * directions, forward and backward, against backend-ts. Shapes stay small: the software adapter
 * runs these on the CPU.
 */
import type { DataHandle, LstmSequenceOutputs } from '@gated/backend-api';
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
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  readonly lengths: number[] | null;
  readonly reverse: boolean;
}

const CASES: Case[] = [
  { label: 'two unit tiles, partial row tile', steps: 5, batch: 5, hidden: 70, lengths: null, reverse: false },
  { label: 'batch 1, split K', steps: 4, batch: 1, hidden: 64, lengths: null, reverse: true },
  { label: 'unsorted lengths, reverse', steps: 6, batch: 6, hidden: 33, lengths: [6, 2, 5, 1, 3, 6], reverse: true },
  {
    label: 'lengths, forward, 17 rows, 2x2 tiles',
    steps: 3,
    batch: 17,
    hidden: 66,
    lengths: Array.from({ length: 17 }, (_, i) => 1 + (i % 3)),
    reverse: false,
  },
];

async function runCase(schedule: Schedule, c: Case): Promise<void> {
  const gpu = backends.get(schedule)!;
  const ts = createTsBackend();
  const next = seeded(c.steps * 1000 + c.batch * 10 + c.hidden);
  const { steps: T, batch: B, hidden: H } = c;
  const data = {
    inputGates: values(next, T * B * 4 * H, 1.5),
    weightHh: values(next, 4 * H * H, 0.3),
    h0: values(next, B * H, 0.5),
    c0: values(next, B * H, 0.5),
    dOutput: values(next, T * B * H),
    dh: values(next, B * H),
    dc: values(next, B * H),
  };
  const owned = new Map<object, DataHandle[]>([
    [gpu, []],
    [ts, []],
  ]);
  const run = (backend: WebGpuBackend | ReturnType<typeof createTsBackend>) => {
    const mine = owned.get(backend)!;
    const forward = {
      inputGates: upload(backend, mine, data.inputGates, [T, B, 4 * H]),
      weightHh: upload(backend, mine, data.weightHh, [4 * H, H]),
      h0: upload(backend, mine, data.h0, [B, H]),
      c0: upload(backend, mine, data.c0, [B, H]),
      lengths: c.lengths ? upload(backend, mine, Int32Array.from(c.lengths), [B], 'int32') : null,
      reverse: c.reverse,
    };
    const out: LstmSequenceOutputs = backend.lstmSequence(forward);
    const back = backend.lstmSequenceBackward({
      forward,
      output: { data: out.output, shape: [T, B, H] },
      gates: { data: out.gates!, shape: [T, B, 4 * H] },
      cells: { data: out.cells!, shape: [T, B, H] },
      dOutput: upload(backend, mine, data.dOutput, [T, B, H]),
      dh: upload(backend, mine, data.dh, [B, H]),
      dc: upload(backend, mine, data.dc, [B, H]),
    });
    mine.push(...handlesOf(out), ...handlesOf(back));
    return { ...out, ...back };
  };
  const got = run(gpu);
  const want = run(ts);
  for (const key of Object.keys(want) as (keyof typeof want)[]) {
    const tolerance = key === 'dWeightHh' ? 1e-5 : 2e-6;
    expectClose(await gpu.read(got[key]!), await ts.read(want[key]!), `${schedule}, ${c.label}: ${key}`, tolerance, tolerance);
  }
  for (const [backend, handles] of owned) for (const handle of handles) (backend as WebGpuBackend).free(handle);
  expect(gpu.memory().buffers, 'every buffer freed').toBe(0);
}

describe('lstmSequence and its backward against backend-ts', () => {
  for (const schedule of ['persistent', 'per-step'] as const) {
    for (const c of CASES) {
      it(`${schedule}: ${c.label}`, async () => {
        await runCase(schedule, c);
      });
    }
  }
});

/** The plan of an unprojected layer. */
function plan(batch: number, hidden: number, k: number, schedule: 'auto' | 'per-step') {
  return planSequence({ batch, hidden, k, proj: hidden, phases: 1 }, schedule);
}

describe('sequence plans', () => {
  it('the cases above reach every schedule and several tile shapes', () => {
    const plans = CASES.flatMap((c) => [plan(c.batch, c.hidden, c.hidden, 'per-step'), plan(c.batch, c.hidden, 4 * c.hidden, 'per-step')]);
    expect(new Set(plans.map((p) => p.schedule))).toEqual(new Set(['fused', 'split']));
    expect(
      plans.some((p) => p.tilesX > 1 && p.tilesY > 1),
      'a grid of tiles in both directions',
    ).toBe(true);
    expect(new Set(plans.map((p) => `${p.tile.wgx}x${p.tile.wgy}x${p.tile.rb}`)).size).toBeGreaterThanOrEqual(3);
  });

  it('auto: one persistent dispatch for small layers, per-step (split when the grid is small) for large ones', () => {
    expect(plan(16, 128, 128, 'auto').schedule).toBe('persistent');
    expect(plan(64, 256, 256, 'auto').schedule).toBe('split');
    const large = plan(128, 1024, 1024, 'auto');
    expect(large.schedule).toBe('fused');
    expect(large.tilesX * large.tilesY).toBeGreaterThanOrEqual(64);
    const w3 = plan(1, 512, 512, 'auto');
    expect([w3.schedule, w3.splits]).toEqual(['split', 8]);
    expect(w3.kChunk * w3.splits).toBeGreaterThanOrEqual(512);
  });

  it('split slices cover K exactly once', () => {
    for (const [batch, hidden, k] of [
      [1, 64, 64],
      [1, 512, 2048],
      [3, 100, 400],
      [2, 1000, 1000],
    ] as const) {
      const p = plan(batch, hidden, k, 'per-step');
      if (p.schedule !== 'split') continue;
      expect(p.kChunk % 32, 'slices are whole staging tiles').toBe(0);
      expect((p.splits - 1) * p.kChunk).toBeLessThan(k);
      expect(p.splits * p.kChunk).toBeGreaterThanOrEqual(k);
    }
  });
});

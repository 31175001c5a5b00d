// The harness's own logic, without timing anything: statistics, FLOP formulas, the shared data
// stream, comparisons, option parsing, the result schema and the renderers.
import { describe, expect, it } from 'vitest';
import { compare, leadingBlock, relativeError } from '../src/core/check.js';
import { kerasWeights, lstmData, onnxWeights, swap01, transpose2d } from '../src/core/data.js';
import { gflops, lstmFlops, lstmForwardFlops, microFlops } from '../src/core/flops.js';
import { lstmModel, matmulModel } from '../src/core/onnx-model.js';
import { backendSelected, parseArgs } from '../src/core/options.js';
import { hash32, uniform } from '../src/core/prng.js';
import { interleaveGroups, withRatios } from '../src/core/runner.js';
import { median, summarize } from '../src/core/stats.js';
import { interleave } from '../src/core/interleave.js';
import type { Session } from '../src/core/target.js';
import type { BenchResult, Row } from '../src/core/types.js';
import { allSpecs, micro, scaling, SCALING_SEQ, selectSpecs, sweep, wantsGpuWorkloads, WORKLOADS } from '../src/core/workloads.js';
import { renderMarkdown, rowsTable } from '../src/report/markdown.js';
import { describeAdapterInfo, isSoftwareAdapter } from '../src/core/webgpu.js';
import { validateResult, REQUIRED_ROW_FIELDS } from '../src/report/schema.js';
import { renderSvg } from '../src/report/svg.js';

function row(over: Partial<Row>): Row {
  return {
    workload: 'W1',
    backend: 'ts',
    medianMs: 10,
    minMs: 9,
    maxMs: 12,
    gflops: 25.2,
    kind: 'workload',
    mode: 'train',
    env: 'node',
    group: 'gated',
    shape: { batch: 16, seq: 32, input: 32, hidden: 128 },
    flops: 251_658_240,
    runs: 5,
    samplesMs: [9, 10, 10, 11, 12],
    threads: 1,
    peakBytes: 1 << 20,
    dispatchesPerStep: 30,
    check: { status: 'pass', maxError: 1e-7, tolerance: 1e-4, compared: 'output' },
    ratios: {},
    ...over,
  };
}

function result(rows: Row[]): BenchResult {
  return {
    schemaVersion: 1,
    createdAt: '2026-11-26T00:00:00.000Z',
    quick: true,
    command: 'pnpm bench --quick',
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, os: 'Linux', node: 'v20', versions: { '@tensorflow/tfjs': '4.22.0' } },
    method: { warmup: 1, minRuns: 5, minTimeMs: 300, maxRuns: 10, tolerance: 1e-4, gradTolerance: 1e-3 },
    rows,
    skipped: [{ workload: 'W2', backend: 'tfjs-cpu', env: 'node', reason: 'predicted 12.0 s per step exceeds the budget' }],
    durationS: 12,
  };
}

describe('statistics', () => {
  it('takes the median of odd and even counts, and min and max', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(summarize([5, 1, 9, 3, 7])).toEqual({ medianMs: 5, minMs: 1, maxMs: 9, runs: 5 });
    expect(() => median([])).toThrow();
  });

  it('times every session in interleaved rounds (A, B, A, B…) after the warm-up rounds, each until it has its runs', async () => {
    const calls: string[] = [];
    const session = (name: string, ms: number): Session => ({
      check: { status: 'pass', maxError: 0, tolerance: 1e-4, compared: 'output' },
      timeStep: () => {
        calls.push(name);
        return Promise.resolve(ms);
      },
      footprint: () => Promise.resolve({ peakBytes: null, dispatchesPerStep: null }),
      close: () => undefined,
    });
    // A reaches minTimeMs after 5 runs (5 × 100 ms); B needs maxRuns (8 × 1 ms < 300 ms).
    const timed = await interleave([session('A', 100), session('B', 1)], { warmup: 2, minRuns: 3, minTimeMs: 300, maxRuns: 8 });
    expect(timed.map((t) => t.samplesMs.length)).toEqual([5, 8]);
    expect(calls.slice(0, 14).join('')).toBe('AB'.repeat(7));
    expect(calls.slice(14).join('')).toBe('BBB');
  });

  it('stops a session whose step throws and keeps timing the others', async () => {
    let count = 0;
    const failing: Session = {
      check: { status: 'pass', maxError: 0, tolerance: 1e-4, compared: 'output' },
      timeStep: () => (++count > 2 ? Promise.reject(new Error('out of memory')) : Promise.resolve(1)),
      footprint: () => Promise.resolve({ peakBytes: null, dispatchesPerStep: null }),
      close: () => undefined,
    };
    const steady: Session = { ...failing, timeStep: () => Promise.resolve(1) };
    const [broken, fine] = await interleave([failing, steady], { warmup: 1, minRuns: 5, minTimeMs: 0, maxRuns: 5 });
    expect((broken!.error as Error).message).toBe('out of memory');
    expect(fine!.samplesMs).toHaveLength(5);
  });
});

describe('FLOPs (docs/architecture.md)', () => {
  it('counts forward = T·2·B·(I+H)·4H and a train step as 3× forward', () => {
    expect(lstmForwardFlops(32, 16, 32, 128)).toBe(32 * 2 * 16 * 160 * 512);
    const w1 = WORKLOADS[0]!;
    expect(lstmFlops(w1)).toBe(3 * lstmForwardFlops(32, 16, 32, 128));
    expect(lstmFlops(WORKLOADS[3]!)).toBe(100 * 2 * 64 * (128 + 256) * 4 * 256);
    expect(gflops(2e9, 1000)).toBe(2);
  });

  it('counts the micro-benchmarks', () => {
    expect(microFlops({ kind: 'micro', id: 'm', op: 'matmul', m: 2, k: 3, n: 4 })).toBe(48);
    expect(microFlops({ kind: 'micro', id: 'c', op: 'cell', batch: 2, input: 3, hidden: 4 })).toBe(lstmForwardFlops(1, 2, 3, 4));
  });

  it('counts a GRU forward as T·2·B·(I+H)·3H and a projected LSTM with its W_hr product', () => {
    const base = { kind: 'workload' as const, id: 'x', mode: 'infer' as const, batch: 2, seq: 3, input: 4, hidden: 5 };
    expect(lstmFlops({ ...base, cell: 'gru' })).toBe(3 * 2 * 2 * 9 * 15);
    expect(lstmFlops({ ...base, proj: 2 })).toBe(3 * 2 * 2 * ((4 + 2) * 20 + 5 * 2));
  });
});

describe('workloads', () => {
  it('has W1–W8 as docs/architecture.md defines them, and W3, W4 with their gates kept', () => {
    expect(WORKLOADS.map((w) => [w.id, w.mode, w.batch, w.seq, w.input, w.hidden, w.cell ?? 'lstm', w.proj ?? 0])).toEqual([
      ['W1', 'train', 16, 32, 32, 128, 'lstm', 0],
      ['W2', 'train', 32, 64, 64, 256, 'lstm', 0],
      ['W3', 'infer', 1, 256, 128, 512, 'lstm', 0],
      ['W4', 'infer', 64, 100, 128, 256, 'lstm', 0],
      ['W5', 'train', 16, 32, 32, 128, 'gru', 0],
      ['W6', 'infer', 64, 100, 128, 256, 'gru', 0],
      ['W7', 'train', 16, 32, 32, 128, 'lstm', 64],
      ['W8', 'train', 16, 1024, 32, 64, 'lstm', 0],
      ['W3-gates', 'infer', 1, 256, 128, 512, 'lstm', 0],
      ['W4-gates', 'infer', 64, 100, 128, 256, 'lstm', 0],
    ]);
    expect(WORKLOADS.filter((w) => w.returnGates).map((w) => w.id)).toEqual(['W3-gates', 'W4-gates']);
  });

  it('scales LSTM, GRU and projected-LSTM train steps over T = 32 … 1024', () => {
    const specs = scaling();
    expect(specs).toHaveLength(3 * SCALING_SEQ.length);
    expect(specs.filter((s) => s.seq === 1024).map((s) => s.id)).toEqual(['scale-lstm-t1024', 'scale-gru-t1024', 'scale-proj-t1024']);
    expect(specs.every((s) => s.mode === 'train' && s.batch === 16 && s.input === 32 && s.hidden === 64)).toBe(true);
    expect(specs.filter((s) => s.proj === 32)).toHaveLength(SCALING_SEQ.length);
  });

  it('sweeps batch × sequence × hidden × mode, cheapest first; --quick trims it', () => {
    const full = sweep(false);
    expect(full).toHaveLength(3 * 3 * 3 * 2);
    const cost = full.map((s) => s.seq * s.batch * 2 * s.hidden * s.hidden * (s.mode === 'train' ? 3 : 1));
    expect([...cost].sort((a, b) => a - b)).toEqual(cost);
    expect(sweep(true).length).toBeLessThan(full.length);
    expect(micro(true).length).toBeLessThan(micro(false).length);
  });

  it("times the scaling family's cells of one T together, every other spec alone", () => {
    const groups = interleaveGroups([...WORKLOADS.slice(0, 2), ...scaling()]).map((g) => g.map((s) => s.id));
    expect(groups.slice(0, 3)).toEqual([['W1'], ['W2'], ['scale-lstm-t32', 'scale-gru-t32', 'scale-proj-t32']]);
    expect(groups).toHaveLength(2 + SCALING_SEQ.length);
  });

  it('selects by id, family and prefix', () => {
    const specs = allSpecs(true);
    expect(selectSpecs(specs, ['W2']).map((s) => s.id)).toEqual(['W2']);
    expect(selectSpecs(specs, ['workloads'])).toHaveLength(WORKLOADS.length);
    expect(selectSpecs(specs, ['scaling'])).toHaveLength(3 * SCALING_SEQ.length);
    expect(selectSpecs(specs, ['matmul-*']).every((s) => s.id.startsWith('matmul-'))).toBe(true);
    expect(selectSpecs(specs, [])).toHaveLength(specs.length);
  });

  it('recognises software WebGPU adapters (the time budget then applies to W1–W4)', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', description: 'NVIDIA H100 80GB HBM3', fallback: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).toBe(false);
    expect(describeAdapterInfo({ vendor: 'google', architecture: 'swiftshader' })).toMatch(/software rasterizer/);
  });

  it('adds the GPU workloads only when asked for', () => {
    expect(allSpecs(true).some((s) => s.kind === 'gpu')).toBe(false);
    expect(wantsGpuWorkloads(['W1'])).toBe(false);
    for (const pattern of ['gpu', 'G2', 'g*']) expect(wantsGpuWorkloads([pattern]), pattern).toBe(true);
    const specs = allSpecs(true, true);
    expect(selectSpecs(specs, ['gpu']).map((s) => s.id)).toEqual(['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G8']);
    expect(selectSpecs(specs, ['G3']).map((s) => [s.kind, (s as { hidden: number }).hidden, (s as { batch: number }).batch])).toEqual([
      ['gpu', 1024, 128],
    ]);
  });
});

describe('shared data', () => {
  it('is deterministic and matches bench_torch.py (first values pinned)', () => {
    expect(hash32(0)).toBe(0);
    const a = uniform(4, 1234, 1, 1);
    expect(Array.from(a)).toEqual([0.514802098274231, 0.8056310415267944, 0.5579310655593872, 0.7090307474136353]);
    expect(uniform(1000, 1234, 5, 0.5).every((v) => v >= -0.5 && v < 0.5)).toBe(true);
  });

  it('converts layouts for the peers', () => {
    expect(Array.from(transpose2d(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(swap01(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, 2, 2))).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
    const d = lstmData({ kind: 'sweep', id: 's', mode: 'infer', batch: 1, seq: 2, input: 1, hidden: 1 });
    const [kernel, , bias] = kerasWeights(d);
    expect(Array.from(kernel)).toEqual(Array.from(d.weightIh));
    expect(bias[0]).toBeCloseTo(d.biasIh[0]! + d.biasHh[0]!);
    // ONNX gate order i, o, f, c from PyTorch's i, f, g, o.
    const w = onnxWeights(d).W;
    expect([w[0], w[1], w[2], w[3]]).toEqual([d.weightIh[0], d.weightIh[3], d.weightIh[1], d.weightIh[2]]);
  });

  it('writes ONNX protobuf models', () => {
    const bytes = matmulModel(2, 3, 4);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('MatMul');
    const d = lstmData({ kind: 'sweep', id: 's', mode: 'infer', batch: 1, seq: 2, input: 3, hidden: 2 });
    const lstm = lstmModel(d.spec, onnxWeights(d));
    expect(new TextDecoder().decode(lstm)).toContain('hidden_size');
    expect(lstm.length).toBeGreaterThan((4 * 2 * 3 + 4 * 2 * 2 + 8 * 2) * 4);
    const g = lstmData({ kind: 'sweep', id: 's', mode: 'infer', batch: 1, seq: 2, input: 3, hidden: 2, cell: 'gru' });
    const gru = new TextDecoder().decode(lstmModel({ ...g.spec, gru: true }, onnxWeights(g)));
    expect(gru).toContain('GRU');
    expect(gru).toContain('linear_before_reset');
  });

  it('lays out GRU and projected-LSTM weights like PyTorch, and GRU gates in ONNX order z, r, h', () => {
    const g = lstmData({ kind: 'sweep', id: 's', mode: 'train', batch: 2, seq: 3, input: 1, hidden: 1, cell: 'gru' });
    expect([g.weightIh.length, g.weightHh.length, g.biasHh.length, g.weightHr]).toEqual([3, 3, 3, null]);
    const w = onnxWeights(g).W;
    expect([w[0], w[1], w[2]]).toEqual([g.weightIh[1], g.weightIh[0], g.weightIh[2]]);
    const p = lstmData({ kind: 'sweep', id: 's', mode: 'train', batch: 2, seq: 3, input: 2, hidden: 5, proj: 3 });
    expect([p.weightHh.length, p.weightHr?.length, p.target?.length]).toEqual([20 * 3, 3 * 5, 3 * 2 * 3]);
  });
});

describe('the check against backend-ts', () => {
  it('measures error relative to the reference scale and catches NaN', () => {
    expect(relativeError(Float32Array.from([1, 2]), Float32Array.from([1, 2]))).toBe(0);
    expect(relativeError(Float32Array.from([1, 2.002]), Float32Array.from([1, 2]))).toBeCloseTo(1e-3, 6);
    expect(relativeError(Float32Array.from([NaN]), Float32Array.from([1]))).toBe(Infinity);
    expect(relativeError(Float32Array.from([1]), Float32Array.from([1, 2]))).toBe(Infinity);
  });

  it('passes within tolerance, fails over it, and uses the looser tolerance for gradients', () => {
    const ref = { output: Float32Array.from([0.5, -0.5]), dWeightHh: Float32Array.from([1e-3, 2e-3]) };
    expect(compare({ output: Float32Array.from([0.50001, -0.5]), dWeightHh: Float32Array.from([1.0005e-3, 2e-3]) }, ref).ok).toBe(true);
    const bad = compare({ output: Float32Array.from([0.51, -0.5]), dWeightHh: ref.dWeightHh }, ref);
    expect(bad.ok).toBe(false);
    expect(bad.failures[0]).toMatch(/^output/);
    expect(compare({}, ref).ok).toBe(false);
  });

  it('cuts the leading block of a time-major output', () => {
    // [T=2, B=2, F=1]
    expect(Array.from(leadingBlock(Float32Array.from([1, 2, 3, 4]), 2, 1, { seq: 2, batch: 1 }))).toEqual([1, 3]);
  });
});

describe('options', () => {
  it('parses the runner flags', () => {
    const o = parseArgs(['--quick', '--json', '--workload', 'W1,W2', '-b', 'ts', '--backend=tfjs-*']);
    expect(o).toMatchObject({ quick: true, json: true, workloads: ['W1', 'W2'], backends: ['ts', 'tfjs-*'] });
    expect(backendSelected('tfjs-wasm', o.backends)).toBe(true);
    expect(backendSelected('torch', o.backends)).toBe(false);
    expect(backendSelected('torch', [])).toBe(true);
    expect(() => parseArgs(['--nope'])).toThrow(/unknown option/);
  });
});

describe('results', () => {
  const rows = withRatios([
    row({}),
    row({ backend: 'tfjs-wasm', group: 'peer', medianMs: 40, minMs: 35, maxMs: 50, gflops: 6.3, peakBytes: null, dispatchesPerStep: null }),
    row({ backend: 'tfjs-cpu', group: 'peer', medianMs: 100, minMs: 90, maxMs: 120, gflops: 2.5 }),
  ]);

  it('computes the ratio to every peer of the same workload', () => {
    expect(rows[0]!.ratios).toEqual({ 'tfjs-wasm': 4, 'tfjs-cpu': 10 });
    expect(rows[1]!.ratios).toEqual({ 'tfjs-cpu': 2.5 });
  });

  it('validates the JSON schema with the required field names', () => {
    const r = result(rows);
    expect(validateResult(JSON.parse(JSON.stringify(r)))).toEqual([]);
    for (const field of REQUIRED_ROW_FIELDS) expect(Object.keys(rows[0]!)).toContain(field);
    expect(validateResult({ ...r, rows: [{ ...rows[0]!, minMs: 20 }] })[0]).toMatch(/minMs/);
    expect(validateResult({ ...r, rows: [rows[0]!, rows[0]!] })[0]).toMatch(/duplicate/);
    expect(validateResult(null)).not.toEqual([]);
  });

  it('renders the Markdown table with ratios and the skipped list', () => {
    const md = renderMarkdown(result(rows));
    expect(md).toContain('| W1 | **ts** | 1 | 10.00 | 9.00–12.00 | 25.2 | 1.0 | 30 | ✓ 1e-7 | 10.0× | 4.00× |');
    expect(md).toContain('vs tfjs-cpu');
    expect(md).toContain('**tfjs-cpu** (1: W2)');
    expect(md).toContain('Test CPU, 2 cores');
  });

  it('adds a per-time-step dispatch column when a row counts them, and a GPU workloads table', () => {
    const gpuRows = withRatios([
      row({
        workload: 'G1',
        kind: 'gpu',
        backend: 'webgpu',
        dispatchesPerStep: 80,
        dispatchesPerTimestep: { forward: 1.12, backward: 1.6 },
      }),
      row({
        workload: 'G1',
        kind: 'gpu',
        backend: 'tfjs-webgpu',
        group: 'peer',
        dispatchesPerStep: 9000,
        dispatchesPerTimestep: { forward: 15.5, backward: 40 },
      }),
    ]);
    const md = renderMarkdown(result(gpuRows));
    expect(md).toContain('### GPU workloads');
    expect(md).toContain('dispatches per time step (fwd / bwd)');
    expect(md).toMatch(/\| G1 \| \*\*webgpu\*\* \|.*\| 80 \| 1\.12 \/ 1\.60 \|/);
    expect(md).toMatch(/\| G1 \| tfjs-webgpu \|.*\| 9000 \| 16 \/ 40 \|/);
    expect(rowsTable(rows)).not.toContain('per time step');
  });

  it('renders an SVG chart with one bar per row', () => {
    const svg = renderSvg(result(rows));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(3);
    expect(svg).toContain('25.2 GFLOP/s');
    expect(svg).not.toContain('NaN');
  });
});

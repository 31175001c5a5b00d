/**
 * The wasm kernels against the reference `ts` backend on shapes the conformance suite does not
 * reach: GEMM block edges (K past one KC block, M past one MC block, ragged panels), every
 * transpose, and the fused LSTM and Adam kernels with odd sizes, lengths and both directions,
 * on one thread and on two.
 */
import type { AdamStepInputs, Backend, DataHandle, TensorSpec } from '@gated/backend-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WasmBackendOptions } from '../src/index.js';
import { isNode } from '../src/loader.js';
import { Twin, expectClose, randomArray, seeded, type Pair } from './helpers.js';

// minParallelWork 0: even the small products and sequences here run on every thread. Both
// builds run in both environments: 'auto' is relaxed in Chromium and plain SIMD in Node 20,
// where asking for relaxed sets V8's flag for this test file's process (so it comes last).
const CONFIGS: { label: string; options: WasmBackendOptions }[] = [
  { label: '1 thread', options: { numThreads: 1 } },
  { label: '2 threads', options: { numThreads: 2, minParallelWork: 0 } },
  { label: '1 thread, plain SIMD', options: { numThreads: 1, simd: 'simd' } },
  ...(isNode() ? [{ label: '2 threads, relaxed SIMD', options: { numThreads: 2, minParallelWork: 0, simd: 'relaxed' } } as const] : []),
];

for (const { label, options } of CONFIGS) {
  describe(`kernels on ${label}`, () => {
    let twin: Twin;
    beforeAll(async () => {
      twin = await Twin.create(options);
    });
    afterAll(() => {
      twin.dispose();
    });

    const side = (pair: Pair, backend: Backend): TensorSpec => (backend === twin.wasm ? pair.wasm : pair.ts);

    it('matmul across block and panel edges', () => {
      const next = seeded(7);
      const cases: [number, number, number][] = [
        [1, 300, 9],
        [5, 257, 17],
        [130, 513, 33],
        [131, 64, 1],
        [2, 2, 1030],
        [3, 520, 8],
        [64, 1, 64],
        [9, 700, 23],
      ];
      for (const [m, k, n] of cases) {
        for (const [transposeA, transposeB] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ] as const) {
          const a = twin.tensor(randomArray(next, m * k), transposeA ? [k, m] : [m, k]);
          const b = twin.tensor(randomArray(next, k * n), transposeB ? [n, k] : [k, n]);
          const run = (backend: Backend): ArrayLike<number> =>
            twin.read(backend, backend.matmul(side(a, backend), side(b, backend), transposeA, transposeB, [m, n]));
          expectClose(run(twin.wasm), run(twin.ts), `${m}x${k}x${n} tA=${transposeA} tB=${transposeB}`, 1e-5, 2e-6 * Math.sqrt(k));
        }
      }
      twin.finish();
    });

    it('batched matmul with a shared right operand', () => {
      const next = seeded(8);
      const a = twin.tensor(randomArray(next, 3 * 2 * 37 * 19), [3, 2, 37, 19]);
      const b = twin.tensor(randomArray(next, 19 * 45), [19, 45]);
      const run = (backend: Backend): ArrayLike<number> =>
        twin.read(backend, backend.matmul(side(a, backend), side(b, backend), false, false, [3, 2, 37, 45]));
      expectClose(run(twin.wasm), run(twin.ts), 'batched', 1e-5, 1e-5);
      twin.finish();
    });

    it('lstmCell and its backward', () => {
      const next = seeded(9);
      for (const [batch, hidden] of [
        [1, 1],
        [3, 5],
        [4, 8],
        [7, 13],
      ] as const) {
        const ig = twin.tensor(randomArray(next, batch * 4 * hidden, 3), [batch, 4 * hidden]);
        const hg = twin.tensor(randomArray(next, batch * 4 * hidden, 3), [batch, 4 * hidden]);
        const c = twin.tensor(randomArray(next, batch * hidden, 2), [batch, hidden]);
        const forward = (backend: Backend) => {
          const out = backend.lstmCell!({ inputGates: side(ig, backend), hiddenGates: side(hg, backend), c: side(c, backend) });
          return { h: twin.read(backend, out.h), c: twin.read(backend, out.c), gates: twin.read(backend, out.gates), handles: out };
        };
        const w = forward(twin.wasm);
        const r = forward(twin.ts);
        expectClose(w.h, r.h, `h ${batch}x${hidden}`);
        expectClose(w.c, r.c, `c ${batch}x${hidden}`);
        expectClose(w.gates, r.gates, `gates ${batch}x${hidden}`);
        const dh = twin.tensor(randomArray(next, batch * hidden), [batch, hidden]);
        const dc = twin.tensor(randomArray(next, batch * hidden), [batch, hidden]);
        const backward = (backend: Backend, out: { c: DataHandle; gates: DataHandle }) => {
          const grads = backend.lstmCellBackward!({
            dh: side(dh, backend),
            dc: side(dc, backend),
            c: side(c, backend),
            cNew: { data: out.c, shape: [batch, hidden] },
            gates: { data: out.gates, shape: [batch, 4 * hidden] },
          });
          return { dGates: twin.read(backend, grads.dGates), dc: twin.read(backend, grads.dc) };
        };
        const wb = backward(twin.wasm, w.handles);
        const rb = backward(twin.ts, r.handles);
        expectClose(wb.dGates, rb.dGates, `dGates ${batch}x${hidden}`);
        expectClose(wb.dc, rb.dc, `dc ${batch}x${hidden}`);
      }
      twin.finish();
    });

    const sequences: { steps: number; batch: number; hidden: number; lengths: number[] | null; reverse: boolean }[] = [
      { steps: 5, batch: 3, hidden: 4, lengths: null, reverse: false },
      { steps: 1, batch: 1, hidden: 1, lengths: null, reverse: false },
      { steps: 6, batch: 5, hidden: 13, lengths: [6, 2, 4, 1, 5], reverse: false },
      { steps: 6, batch: 5, hidden: 13, lengths: [6, 2, 4, 1, 5], reverse: true },
      { steps: 9, batch: 1, hidden: 24, lengths: null, reverse: true },
      { steps: 4, batch: 9, hidden: 40, lengths: null, reverse: false },
      { steps: 3, batch: 2, hidden: 3, lengths: [1, 3], reverse: false },
      // Batch 1 takes the packed matrix-vector path: odd sizes around its 4-unit panels.
      { steps: 7, batch: 1, hidden: 13, lengths: [5], reverse: true },
      { steps: 5, batch: 1, hidden: 37, lengths: [3], reverse: false },
      { steps: 4, batch: 1, hidden: 64, lengths: null, reverse: false },
    ];

    for (const { steps, batch, hidden, lengths, reverse } of sequences) {
      it(`lstmSequence T=${steps} B=${batch} H=${hidden}${lengths ? ' with lengths' : ''}${reverse ? ' reversed' : ''}`, () => {
        const next = seeded(steps * 1000 + batch * 100 + hidden);
        const inputGates = twin.tensor(randomArray(next, steps * batch * 4 * hidden, 2), [steps, batch, 4 * hidden]);
        const weightHh = twin.tensor(randomArray(next, 4 * hidden * hidden, 1 / Math.sqrt(hidden)), [4 * hidden, hidden]);
        const h0 = twin.tensor(randomArray(next, batch * hidden), [batch, hidden]);
        const c0 = twin.tensor(randomArray(next, batch * hidden), [batch, hidden]);
        const lengthsPair = lengths ? twin.tensor(Int32Array.from(lengths), [batch], 'int32') : null;
        const forwardOf = (backend: Backend) => ({
          inputGates: side(inputGates, backend),
          weightHh: side(weightHh, backend),
          h0: side(h0, backend),
          c0: side(c0, backend),
          lengths: lengthsPair ? side(lengthsPair, backend) : null,
          reverse,
        });
        const run = (backend: Backend) => {
          const out = backend.lstmSequence!(forwardOf(backend));
          const names = ['output', 'h', 'c', 'gates', 'cells'] as const;
          const values = Object.fromEntries(names.map((name) => [name, twin.read(backend, out[name]!)]));
          const perStep = [steps, batch, hidden];
          const dOutput = twin.tensor(randomArray(seeded(1), steps * batch * hidden), perStep);
          const dh = twin.tensor(randomArray(seeded(2), batch * hidden), [batch, hidden]);
          const dc = twin.tensor(randomArray(seeded(3), batch * hidden), [batch, hidden]);
          const grads = backend.lstmSequenceBackward!({
            forward: forwardOf(backend),
            output: { data: out.output, shape: perStep },
            gates: { data: out.gates!, shape: [steps, batch, 4 * hidden] },
            cells: { data: out.cells!, shape: perStep },
            dOutput: side(dOutput, backend),
            dh: side(dh, backend),
            dc: side(dc, backend),
          });
          const gradNames = ['dInputGates', 'dWeightHh', 'dh0', 'dc0'] as const;
          return { ...values, ...Object.fromEntries(gradNames.map((name) => [name, twin.read(backend, grads[name])])) };
        };
        const got = run(twin.wasm);
        const want = run(twin.ts);
        for (const name of Object.keys(want)) expectClose(got[name]!, want[name]!, name, 1e-4, 2e-5);
        twin.finish();
      });
    }

    it('adamStep variants', () => {
      const next = seeded(11);
      const size = 37;
      const variants: Partial<AdamStepInputs>[] = [
        {},
        { weightDecay: 0.1 },
        { weightDecay: 0.1, decoupledWeightDecay: true },
        { maximize: true, step: 3 },
      ];
      for (const [v, variant] of variants.entries()) {
        for (const amsgrad of [false, true]) {
          const param = twin.tensor(randomArray(next, size), [size]);
          const grad = twin.tensor(randomArray(next, size), [size]);
          const m = twin.tensor(randomArray(next, size, 0.1), [size]);
          const sq = twin.tensor(randomArray(next, size, 0.1).map(Math.abs), [size]);
          const vMax = amsgrad ? twin.tensor(randomArray(next, size, 0.1).map(Math.abs), [size]) : null;
          for (const backend of [twin.wasm, twin.ts]) {
            backend.adamStep!({
              param: side(param, backend),
              grad: side(grad, backend),
              m: side(m, backend),
              v: side(sq, backend),
              vMax: vMax ? side(vMax, backend) : null,
              step: 2,
              lr: 0.01,
              beta1: 0.9,
              beta2: 0.999,
              eps: 1e-8,
              weightDecay: 0,
              decoupledWeightDecay: false,
              maximize: false,
              ...variant,
            });
          }
          const read = (pair: Pair) => [twin.wasm.readSync!(pair.wasm.data), twin.ts.readSync!(pair.ts.data)] as const;
          for (const [name, pair] of [['param', param], ['m', m], ['v', sq], ...(vMax ? [['vMax', vMax] as const] : [])] as const) {
            const [got, want] = read(pair);
            expect(Array.from(got), `${name} of variant ${v}${amsgrad ? ' amsgrad' : ''}`).toEqual(Array.from(want));
          }
        }
      }
      twin.finish();
    });
  });
}

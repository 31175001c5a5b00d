/**
 * Dev-only measurements of the wasm backend, for tuning (the official numbers come from
 * apps/bench): matmul GFLOP/s at 128, 256, 512 and 1024 on one and two threads, and ms per step
 * of the standard workloads W1–W4 (docs/architecture.md) run directly on the Backend contract.
 *
 *   pnpm --filter @gated/backend-wasm measure [--threads 1,2] [--only gemm|w1|w2|w3|w4] [--simd simd|relaxed] [--repeats N]
 *
 * A train step is: input projection x·W_ihᵀ + b, lstmSequence, MSE loss and its gradient,
 * lstmSequenceBackward, the weight gradients (dGatesᵀ·x and a column sum for the bias), and one
 * adamStep per parameter (W_ih, W_hh, b_ih, b_hh). Inference is the projection plus lstmSequence.
 */
import type { Backend, DataHandle, TensorSpec } from '@gated/backend-api';
import { createWasmBackend, type SimdLevel, type WasmBackend } from '../src/index.js';

interface Workload {
  readonly id: string;
  readonly train: boolean;
  readonly batch: number;
  readonly steps: number;
  readonly input: number;
  readonly hidden: number;
}

const WORKLOADS: readonly Workload[] = [
  { id: 'W1', train: true, batch: 16, steps: 32, input: 32, hidden: 128 },
  { id: 'W2', train: true, batch: 32, steps: 64, input: 64, hidden: 256 },
  { id: 'W3', train: false, batch: 1, steps: 256, input: 128, hidden: 512 },
  { id: 'W4', train: false, batch: 64, steps: 100, input: 128, hidden: 256 },
];

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function randomFill(backend: Backend, size: number, scale: number, seed: number): DataHandle {
  return backend.random({ spec: { kind: 'uniform', low: -scale, high: scale }, size, key: [seed, 0] });
}

/** Times `run` (ms): `warmup` untimed calls, then the median of `repeats`, with min and max. */
async function time(
  backend: Backend,
  run: () => void,
  warmup: number,
  repeats: number,
): Promise<{ median: number; min: number; max: number }> {
  for (let i = 0; i < warmup; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    await backend.sync();
    samples.push(performance.now() - start);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

async function measureGemm(backend: WasmBackend): Promise<void> {
  for (const n of [128, 256, 512, 1024]) {
    const a = randomFill(backend, n * n, 1, 1);
    const b = randomFill(backend, n * n, 1, 2);
    const spec = (data: DataHandle): TensorSpec => ({ data, shape: [n, n] });
    const repeats = n >= 1024 ? 5 : n >= 512 ? 9 : 25;
    const t = await time(
      backend,
      () => {
        backend.free(backend.matmul(spec(a), spec(b), false, false, [n, n]));
      },
      2,
      repeats,
    );
    const gflops = (2 * n * n * n) / (t.median * 1e6);
    console.log(
      `  matmul ${n}^3: ${gflops.toFixed(1)} GFLOP/s (median ${t.median.toFixed(2)} ms, min ${t.min.toFixed(2)}, max ${t.max.toFixed(2)})`,
    );
    backend.free(a);
    backend.free(b);
  }
}

/** One LSTM layer's parameters and Adam state on the backend. */
function makeLayer(backend: Backend, w: Workload) {
  const { input, hidden } = w;
  const scale = 1 / Math.sqrt(hidden);
  const params = {
    weightIh: randomFill(backend, 4 * hidden * input, scale, 3),
    weightHh: randomFill(backend, 4 * hidden * hidden, scale, 4),
    biasIh: randomFill(backend, 4 * hidden, scale, 5),
    biasHh: randomFill(backend, 4 * hidden, scale, 6),
  };
  const sizes = { weightIh: 4 * hidden * input, weightHh: 4 * hidden * hidden, biasIh: 4 * hidden, biasHh: 4 * hidden };
  const moments = Object.fromEntries(
    Object.entries(sizes).map(([name, size]) => [name, { m: backend.fill('float32', size, 0), v: backend.fill('float32', size, 0) }]),
  ) as Record<keyof typeof sizes, { m: DataHandle; v: DataHandle }>;
  return { params, sizes, moments };
}

async function measureWorkload(backend: WasmBackend, w: Workload): Promise<string> {
  const { batch, steps, input, hidden } = w;
  const rows = steps * batch;
  const width = 4 * hidden;
  const layer = makeLayer(backend, w);
  const x = randomFill(backend, rows * input, 1, 7);
  const target = randomFill(backend, rows * hidden, 0.5, 8);
  const h0 = backend.fill('float32', batch * hidden, 0);
  const c0 = backend.fill('float32', batch * hidden, 0);
  let adamSteps = 0;

  const step = (): void => {
    const temporaries: DataHandle[] = [];
    const keep = <H extends DataHandle>(h: H): H => {
      temporaries.push(h);
      return h;
    };
    // Forward: projection of every step at once, both biases, then the whole sequence.
    const projected = keep(
      backend.matmul({ data: x, shape: [rows, input] }, { data: layer.params.weightIh, shape: [width, input] }, false, true, [rows, width]),
    );
    const bias = keep(
      backend.binary('add', { data: layer.params.biasIh, shape: [width] }, { data: layer.params.biasHh, shape: [width] }, [width]),
    );
    const inputGates = keep(
      backend.binary('add', { data: projected, shape: [rows, width] }, { data: bias, shape: [width] }, [rows, width]),
    );
    const forward = {
      inputGates: { data: inputGates, shape: [steps, batch, width] },
      weightHh: { data: layer.params.weightHh, shape: [width, hidden] },
      h0: { data: h0, shape: [batch, hidden] },
      c0: { data: c0, shape: [batch, hidden] },
      lengths: null,
      reverse: false,
    };
    const out = backend.lstmSequence(forward);
    for (const handle of Object.values(out)) if (handle) keep(handle);
    if (w.train) {
      const perStep = [steps, batch, hidden];
      // MSE loss and its gradient 2·(output − target)/N.
      const diff = keep(backend.binary('sub', { data: out.output, shape: perStep }, { data: target, shape: perStep }, perStep));
      const squared = keep(backend.unary('square', { data: diff, shape: perStep }));
      keep(backend.reduce('sum', { data: squared, shape: perStep }, [0, 1, 2]));
      const factor = keep(backend.fill('float32', 1, 2 / (rows * hidden)));
      const dOutput = keep(backend.binary('mul', { data: diff, shape: perStep }, { data: factor, shape: [] }, perStep));
      const zeros = keep(backend.fill('float32', batch * hidden, 0));
      const grads = backend.lstmSequenceBackward({
        forward,
        output: { data: out.output, shape: perStep },
        gates: { data: out.gates!, shape: [steps, batch, width] },
        cells: { data: out.cells!, shape: perStep },
        dOutput: { data: dOutput, shape: perStep },
        dh: { data: zeros, shape: [batch, hidden] },
        dc: { data: zeros, shape: [batch, hidden] },
      });
      for (const handle of Object.values(grads)) if (handle) keep(handle);
      const dWeightIh = keep(
        backend.matmul({ data: grads.dInputGates, shape: [rows, width] }, { data: x, shape: [rows, input] }, true, false, [width, input]),
      );
      const dBias = keep(backend.reduce('sum', { data: grads.dInputGates, shape: [rows, width] }, [0]));
      adamSteps++;
      const update = (name: keyof typeof layer.sizes, grad: DataHandle): void => {
        const shape = [layer.sizes[name]];
        backend.adamStep({
          param: { data: layer.params[name], shape },
          grad: { data: grad, shape },
          m: { data: layer.moments[name].m, shape },
          v: { data: layer.moments[name].v, shape },
          vMax: null,
          step: adamSteps,
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0,
          decoupledWeightDecay: false,
          maximize: false,
        });
      };
      update('weightIh', dWeightIh);
      update('weightHh', grads.dWeightHh);
      update('biasIh', dBias);
      update('biasHh', dBias);
    }
    for (const handle of temporaries) backend.free(handle);
  };

  const repeats = Number(argument('repeats') ?? (w.id === 'W2' ? 7 : 11));
  const t = await time(backend, step, 2, repeats);
  const forwardFlops = steps * 2 * batch * (input + hidden) * 4 * hidden;
  const flops = (w.train ? 3 : 1) * forwardFlops;
  for (const handle of [x, target, h0, c0, ...Object.values(layer.params), ...Object.values(layer.moments).flatMap((s) => [s.m, s.v])]) {
    backend.free(handle);
  }
  return (
    `  ${w.id} ${w.train ? 'train' : 'infer'} B=${batch} T=${steps} I=${input} H=${hidden}: ${t.median.toFixed(2)} ms/step ` +
    `(min ${t.min.toFixed(2)}, max ${t.max.toFixed(2)}), ${(flops / (t.median * 1e6)).toFixed(1)} GFLOP/s`
  );
}

const threadCounts = (argument('threads') ?? '1,2').split(',').map(Number);
const only = argument('only');
const simd = argument('simd') as SimdLevel | undefined;
for (const numThreads of threadCounts) {
  const backend = await createWasmBackend({ numThreads, simd: simd ?? 'auto' });
  console.log(`wasm backend: ${backend.info.simd} build, ${backend.info.threads} thread(s)`);
  if (!only || only === 'gemm') await measureGemm(backend);
  for (const w of WORKLOADS) {
    if (!only || only === w.id.toLowerCase()) console.log(await measureWorkload(backend, w));
  }
  const memory = backend.memory();
  if (memory.buffers !== 0) console.log(`  leak: ${memory.buffers} buffers still live`);
  backend.dispose();
}

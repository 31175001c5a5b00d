/**
 * Soak test (not part of CI): trains the char-LM of `char-lm.ts` (Embedding → LSTM → Linear →
 * crossEntropy, Adam, gradient clipping, truncated BPTT with detached state) for many steps on
 * one backend and prints, every `--every` steps, the live tensors, the engine's buffers and
 * bytes, the backend's own buffers and bytes (and what a pooling backend keeps, and the wasm
 * linear memory), and the process heap (V8 heap used, external and array buffers, resident
 * set). A leak shows as a count that grows from one report to the next.
 *
 *   pnpm soak --backend ts   [--steps 10000] [--every 1000] [--config char-lm|small]
 *   pnpm soak --backend wasm
 *
 * Configs: `char-lm` (the default) is the example's model (batch 16 × 32 steps, Embedding 24,
 * LSTM 96); `small` (batch 8 × 16 steps, Embedding 16, LSTM 32) runs 10,000 steps in a few
 * minutes on a loaded two-core machine where the full model would take too long. Memory
 * behaviour is per step, not per FLOP: both configs run the same ops, kernels and allocation
 * pattern. The script exits with status 1 when the live
 * tensors, buffers or backend bytes at the end differ from the first report (after the warm-up),
 * and prints each report as one JSON line with `--json`. Numbers measured: docs/reliability.md.
 */
import { parseArgs } from 'node:util';
import { createTsBackend } from '@gated/backend-ts';
import { createWasmBackend } from '@gated/backend-wasm';
import { CharVocab, Embedding, LSTM, Linear } from '@gated/lstm';
import { Adam } from '@gated/optim';
import { dispose, getBackend, memory, registerBackend, setBackend } from '@gated/tensor';
import { chunksOf, trainStep, type CarriedState } from './training.js';
import { TEXT } from './sonnets.js';

const CONFIGS = {
  'char-lm': { batch: 16, steps: 32, embedding: 24, hidden: 96 },
  small: { batch: 8, steps: 16, embedding: 16, hidden: 32 },
} as const;

const { values } = parseArgs({
  // `pnpm soak -- --backend ts` passes the `--` on: it separates nothing here.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    backend: { type: 'string', default: 'ts' },
    steps: { type: 'string', default: '10000' },
    every: { type: 'string', default: '1000' },
    config: { type: 'string', default: 'char-lm' },
    json: { type: 'boolean', default: false },
  },
});
const backendName = values.backend;
const totalSteps = Number(values.steps);
const every = Number(values.every);
if (!(values.config in CONFIGS)) throw new Error(`--config must be one of ${Object.keys(CONFIGS).join(', ')}`);
if (!Number.isInteger(totalSteps) || totalSteps < 1 || !Number.isInteger(every) || every < 1)
  throw new Error('--steps and --every must be positive integers');
const config = CONFIGS[values.config as keyof typeof CONFIGS];

if (backendName === 'ts') registerBackend('ts', createTsBackend);
else if (backendName === 'wasm') registerBackend('wasm', () => createWasmBackend());
else throw new Error(`--backend must be ts or wasm, got ${backendName}`);
await setBackend(backendName);

const vocab = CharVocab.fromText(TEXT);
const ids = vocab.encode(TEXT);
const { batch, steps, hidden } = config;
const { perEpoch: chunksPerEpoch, chunk } = chunksOf(ids, batch, steps);

const embed = new Embedding(vocab.size, config.embedding, { seed: 1 });
const lstm = new LSTM({ inputSize: config.embedding, hiddenSize: hidden, batchFirst: true, seed: 2 });
const head = new Linear(hidden, vocab.size, { seed: 3 });
const parameters = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
const optimizer = new Adam(parameters, { lr: 0.01 });
const model = { embed, lstm, head, parameters, optimizer };

interface Report {
  readonly step: number;
  readonly seconds: number;
  readonly loss: number;
  readonly tensors: number;
  readonly buffers: number;
  readonly bytes: number;
  readonly backendBuffers: number;
  readonly backendBytes: number;
  /** Freed bytes a pooling backend keeps for reuse (wasm's size classes), else 0. */
  readonly pooledBytes: number;
  /** The wasm linear memory (WebAssembly.Memory), or 0 for a backend without one. */
  readonly linearMemoryMiB: number;
  readonly heapUsedMiB: number;
  readonly externalMiB: number;
  readonly arrayBuffersMiB: number;
  readonly rssMiB: number;
}

const MiB = 2 ** 20;
const started = performance.now();
function report(step: number, loss: number): Report {
  const info = memory();
  const heap = process.memoryUsage();
  const round = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;
  return {
    step,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    loss: Math.round(loss * 1000) / 1000,
    tensors: info.numTensors,
    buffers: info.numBuffers,
    bytes: info.numBytes,
    backendBuffers: info.backend?.buffers ?? -1,
    backendBytes: info.backend?.bytes ?? -1,
    pooledBytes: info.backend?.pooledBytes ?? 0,
    linearMemoryMiB: round(getBackend().counters?.().memoryBytes ?? 0),
    heapUsedMiB: round(heap.heapUsed),
    externalMiB: round(heap.external),
    arrayBuffersMiB: round(heap.arrayBuffers),
    rssMiB: round(heap.rss),
  };
}
function print(r: Report): void {
  if (values.json) {
    console.log(JSON.stringify(r));
    return;
  }
  console.log(
    `step ${String(r.step).padStart(6)}  ${r.seconds.toFixed(1).padStart(7)} s  loss ${r.loss.toFixed(3)}  ` +
      `tensors ${r.tensors}  buffers ${r.buffers} (${r.bytes} B)  backend ${r.backendBuffers} buffers (${r.backendBytes} B, pooled ${r.pooledBytes} B)  ` +
      (r.linearMemoryMiB > 0 ? `wasm memory ${r.linearMemoryMiB} MiB  ` : '') +
      `heap ${r.heapUsedMiB} MiB  external ${r.externalMiB} MiB  arrayBuffers ${r.arrayBuffersMiB} MiB  rss ${r.rssMiB} MiB`,
  );
}

if (!values.json) {
  console.log(
    `soak: backend ${backendName}, config ${values.config} (batch ${batch} × ${steps} steps, Embedding(${vocab.size}, ${config.embedding}) → ` +
      `LSTM(${config.embedding}, ${hidden}) → Linear(${hidden}, ${vocab.size}), ${parameters.reduce((n, p) => n + p.size, 0)} parameters), ${totalSteps} training steps`,
  );
}

const reports: Report[] = [];
let state: CarriedState = null;
for (let step = 1; step <= totalSteps; step++) {
  const k = (step - 1) % chunksPerEpoch;
  if (k === 0) {
    // A new pass over the text starts from zero states, as the example's epochs do.
    dispose(state);
    state = null;
  }
  const { x, y } = chunk(k);
  const trained = trainStep(model, x, y, state);
  const loss = trained.loss;
  state = trained.state;
  const value = await loss.item();
  loss.dispose();
  if (step % every === 0 || step === totalSteps) {
    const r = report(step, value);
    reports.push(r);
    print(r);
  }
}
dispose(state);
optimizer.dispose();
for (const m of [embed, lstm, head]) m.dispose();
const after = memory();

// The first report is past the warm-up (Adam's moments exist from step 1): every later one must match it.
const first = reports[0]!;
const last = reports[reports.length - 1]!;
const grew = (['tensors', 'buffers', 'bytes', 'backendBuffers', 'backendBytes'] as const).filter((key) => last[key] !== first[key]);
console.log(
  `${values.json ? '' : '\n'}after disposing everything: ${after.numTensors} live tensors, ${after.numBuffers} buffers, backend ${after.backend?.buffers ?? '?'} buffers (${after.backend?.bytes ?? '?'} B)`,
);
if (grew.length > 0 || after.numTensors !== 0 || after.numBuffers !== 0) {
  console.log(
    `LEAK: ${grew.length > 0 ? `${grew.join(', ')} changed between step ${first.step} and step ${last.step}` : 'memory left after disposing everything'}`,
  );
  process.exitCode = 1;
} else {
  console.log(`flat: live tensors, buffers and backend bytes identical at every report from step ${first.step} to ${last.step}`);
}

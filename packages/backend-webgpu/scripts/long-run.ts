/**
 * The long run: `--steps` (default 1,000) training steps of the character-level LSTM LM on the
 * webgpu backend in Node. Passes when the live buffers, their bytes and the GPU memory held are
 * the same at the end as after the first ten steps (the pool stays bounded), and when a forced
 * device loss (`device.destroy()` under a pending read) is reported as a GatedError within ten
 * seconds instead of hanging. Exit code 0 on success, 1 on failure.
 *
 *   pnpm --filter @gated/backend-webgpu long-run [--steps N] [--json]
 */
import { exp, getBackend, memory, registerBackend, setBackend, tensor } from '@gated/tensor';
import { createWebGpuBackend } from '../src/node.js';
import { createCharLm } from './char-lm.js';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1] ?? 1000) || 1000;
const json = args.includes('--json');
const say = (line: string): void => {
  if (!json) console.log(line);
};

const backend = await createWebGpuBackend();
registerBackend('webgpu', () => backend);
await setBackend('webgpu');
say(`webgpu on ${backend.info.adapter}; ${steps} steps`);

function snapshot() {
  const b = backend.memory();
  const c = backend.counters();
  return { tensors: memory().numTensors, buffers: b.buffers, bytes: b.bytes, gpuBytes: c['gpuBytes']!, pooledBytes: b.pooledBytes ?? 0 };
}

const model = createCharLm({ batch: 16, steps: 32, hidden: 96, embedding: 24 });
const started = performance.now();
let first = NaN;
let last = NaN;
let warm = snapshot();
for (let step = 1; step <= steps; step++) {
  const loss = model.train();
  if (step === 1 || step === steps || step % 100 === 0) {
    const value = await loss.item();
    if (step === 1) first = value;
    last = value;
    say(
      `step ${step}: loss ${value.toFixed(4)}, ${((performance.now() - started) / step).toFixed(1)} ms/step, ${backend.memory().buffers} live buffers`,
    );
  }
  loss.dispose();
  if (step === 10) {
    await getBackend().sync();
    warm = snapshot();
  }
}
await getBackend().sync();
const end = snapshot();
const msPerStep = (performance.now() - started) / steps;
const flat = end.tensors === warm.tensors && end.buffers === warm.buffers && end.bytes === warm.bytes && end.gpuBytes === warm.gpuBytes;
model.dispose();

// Forced device loss: a read pending while the device is destroyed must reject, not hang.
const pending = exp(tensor(new Float32Array(1 << 20).fill(0.5)));
const read = pending.data();
const lossStarted = performance.now();
backend.device.destroy();
const outcome = await Promise.race([
  read.then(
    () => 'resolved',
    (error: unknown) =>
      error instanceof Error && error.name === 'GatedError' ? `GatedError: ${error.message}` : `other error: ${String(error)}`,
  ),
  new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'hung (no answer in 10 s)')),
]);
let later = 'no error';
try {
  exp(tensor([1]));
} catch (error) {
  later = error instanceof Error && error.name === 'GatedError' ? `GatedError: ${error.message}` : String(error);
}
const lossReported = outcome.startsWith('GatedError') && later.startsWith('GatedError');

const result = {
  adapter: backend.info.adapter,
  steps,
  msPerStep,
  loss: { first, last },
  memory: { afterTenSteps: warm, atEnd: end, flat },
  deviceLoss: { pendingRead: outcome, laterCall: later, reportedInMs: performance.now() - lossStarted, reported: lossReported },
  passed: flat && lossReported && last < first,
};
if (json) console.log(JSON.stringify(result, null, 2));
else {
  say(`memory after 10 steps ${JSON.stringify(warm)}, at the end ${JSON.stringify(end)}: ${flat ? 'flat' : 'NOT FLAT'}`);
  say(`device loss: pending read → ${outcome}; a later call → ${later}`);
  say(result.passed ? 'PASS' : 'FAIL');
}
process.exit(result.passed ? 0 : 1);

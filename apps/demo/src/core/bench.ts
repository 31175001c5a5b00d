/**
 * The backends page's "benchmark this machine": apps/bench's workload W1 (an LSTM train step at
 * batch 16, 32 steps, 32 inputs, 128 units: forward, backward, Adam) and the same model's
 * inference, timed on one backend. Short on purpose (a few runs each): it is a first look, not
 * apps/bench's method.
 */
import { noGrad } from '@gated/autograd';
import { LSTM, mseLoss } from '@gated/lstm';
import { Adam } from '@gated/optim';
import { dispose, getBackend, tensor, tidy } from '@gated/tensor';
import { W1, type BenchRow } from './bench-spec.js';
import { Rng } from './rng.js';

export { W1, type BenchRow } from './bench-spec.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** Times W1 on the active backend: `runs` timed repetitions after one warm-up, median reported. */
export async function benchActive(name: string, runs = 5): Promise<BenchRow> {
  const { batch: B, seq: T, input: I, hidden: H } = W1;
  const rng = new Rng(11);
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, seed: 5 });
  const adam = new Adam(lstm.parameters(), { lr: 1e-3 });
  const x = tensor(random(T * B * I, rng), { shape: [T, B, I] });
  const target = tensor(random(T * B * H, rng), { shape: [T, B, H] });
  const backend = getBackend();
  const train = async () => {
    const loss = tidy(() => mseLoss(lstm.forward(x).output, target));
    loss.backward();
    adam.step();
    adam.zeroGrad();
    loss.dispose();
    await backend.sync();
  };
  const infer = async () => {
    const out = noGrad(() => tidy(() => lstm.forward(x).output));
    await out.data();
    out.dispose();
  };
  try {
    const time = async (fn: () => Promise<void>) => {
      await fn();
      const samples: number[] = [];
      for (let k = 0; k < runs; k++) {
        const start = performance.now();
        await fn();
        samples.push(performance.now() - start);
      }
      return median(samples);
    };
    return { backend: name, trainMs: await time(train), inferMs: await time(infer), runs };
  } finally {
    adam.dispose();
    lstm.dispose();
    dispose([x, target]);
  }
}

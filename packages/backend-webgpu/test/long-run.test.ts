/**
 * The bounded version of `scripts/long-run.ts` (which runs 1,000 steps): a small char-LM trained
 * for 25 steps on webgpu must hold exactly the same live buffers, bytes and GPU memory after step
 * 25 as after step 5, and its loss must fall.
 */
import { memory, registerBackend, removeBackend, setBackend } from '@gated/tensor';
import { expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { createCharLm } from '../scripts/char-lm.js';
import { createTestBackend } from './gpu.js';

it('25 char-LM training steps leave the live buffers and GPU memory flat', async () => {
  registerBackend('long-run', () => createTestBackend());
  try {
    const backend = (await setBackend('long-run')) as unknown as WebGpuBackend;
    const model = createCharLm({ batch: 4, steps: 8, hidden: 16, embedding: 8 });
    const snapshot = () => ({ tensors: memory().numTensors, ...backend.memory(), gpuBytes: backend.counters()['gpuBytes'] });
    let first = NaN;
    let warm = snapshot();
    let last = NaN;
    for (let step = 1; step <= 25; step++) {
      const loss = model.train();
      if (step === 1) first = await loss.item();
      if (step === 25) last = await loss.item();
      loss.dispose();
      if (step === 5) {
        await backend.sync();
        warm = snapshot();
      }
    }
    await backend.sync();
    expect(snapshot()).toEqual(warm);
    expect(last).toBeLessThan(first);
    model.dispose();
  } finally {
    removeBackend('long-run');
  }
});

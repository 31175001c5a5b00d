/**
 * The worker's text session without a worker: moving a model (weights and Adam state) to another
 * backend continues training exactly where it was; pause stops the loop; errors name the problem.
 */
import { createTsBackend } from '@gated/backend-ts';
import { registerBackend, setBackend } from '@gated/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { CharModel } from '../src/core/char-model.js';
import type { PretrainedCard } from '../src/core/card.js';
import { TextSession } from '../src/worker/text-session.js';
import type { TrainEvent } from '../src/worker/api.js';

const TEXT = 'Now is the winter of our discontent\nMade glorious summer by this sun of York;\n'.repeat(60);
let pretrained: Uint8Array;

beforeAll(async () => {
  registerBackend('ts-a', createTsBackend);
  registerBackend('ts-b', createTsBackend);
  await setBackend('ts-a');
  using model = new CharModel({ chars: [...new Set(TEXT)].sort().join(''), embedSize: 8, hiddenSize: 16, numLayers: 1 }, 4);
  pretrained = await model.toSafetensors();
});

function session(): TextSession {
  return new TextSession(
    () => Promise.resolve(TEXT),
    () => Promise.resolve({ bytes: pretrained, card: {} as PretrainedCard }),
  );
}

/** Trains until `steps` step events arrived, then pauses; returns their losses. */
async function trainSteps(s: TextSession, steps: number): Promise<number[]> {
  const losses: number[] = [];
  await s.train({ learningRate: 1e-2, temperature: 1, sampleEvery: 1000, validateEvery: 1000 }, (e: TrainEvent) => {
    if (e.kind === 'step') {
      losses.push(e.loss);
      if (losses.length === steps) s.pause();
    }
  });
  return losses;
}

describe('TextSession', () => {
  test('moving to another backend mid-training keeps weights and Adam state: the next losses are the same', async () => {
    await setBackend('ts-a');
    const moved = session();
    await moved.loadPretrained();
    const first = await trainSteps(moved, 3);
    await moved.move(async () => {
      await setBackend('ts-b');
    });
    expect(moved.summary().backend).toBe('ts-b');
    const after = await trainSteps(moved, 3);

    await setBackend('ts-a');
    const stayed = session();
    await stayed.loadPretrained();
    const all = await trainSteps(stayed, 6);
    expect([...first, ...after]).toEqual(all);
    expect(stayed.summary().steps).toBe(6);
  });

  test('a corpus too short, or a second training at once, is an error', async () => {
    await setBackend('ts-a');
    const s = session();
    await s.loadPretrained();
    await expect(
      s.newModel({ corpus: { kind: 'text', name: 'tiny', text: 'abc' }, hiddenSize: 8, numLayers: 1, embedSize: 4, seed: 1 }),
    ).rejects.toThrow(/at least 2,000/);
    const running = trainSteps(s, 2);
    await expect(s.train({ learningRate: 1e-2, temperature: 1, sampleEvery: 10, validateEvery: 10 }, () => undefined)).rejects.toThrow(
      /pause the training first/,
    );
    await running;
  });
});

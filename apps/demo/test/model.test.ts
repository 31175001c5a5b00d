import { memory } from '@gated/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { CharModel } from '../src/core/char-model.js';
import { CharTrainer } from '../src/core/char-trainer.js';
import { Rng } from '../src/core/rng.js';
import { sampleText } from '../src/core/sample.js';
import { useTs } from './setup-ts.js';

const TEXT = 'To be, or not to be, that is the question:\nWhether tis nobler in the mind to suffer\n'.repeat(40);
const chars = [...new Set(TEXT)].sort().join('');

beforeAll(async () => {
  await useTs();
});

describe('CharModel', () => {
  test('names its parameters as a PyTorch module with embed, lstm (nn.LSTM) and head', () => {
    using model = new CharModel({ chars, embedSize: 8, hiddenSize: 12, numLayers: 2 }, 1);
    const dict = model.stateDict();
    expect(Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, t.shape]))).toEqual({
      'embed.weight': [chars.length, 8],
      'lstm.weight_ih_l0': [48, 8],
      'lstm.weight_hh_l0': [48, 12],
      'lstm.bias_ih_l0': [48],
      'lstm.bias_hh_l0': [48],
      'lstm.weight_ih_l1': [48, 12],
      'lstm.weight_hh_l1': [48, 12],
      'lstm.bias_ih_l1': [48],
      'lstm.bias_hh_l1': [48],
      'head.weight': [chars.length, 12],
      'head.bias': [chars.length],
    });
    for (const t of Object.values(dict)) t.dispose();
  });

  test('a safetensors round trip gives the same weights; a foreign name is an error', async () => {
    const live = memory().numTensors;
    const model = new CharModel({ chars, embedSize: 8, hiddenSize: 12, numLayers: 1 }, 3);
    const bytes = await model.toSafetensors();
    const { model: back, metadata } = CharModel.fromSafetensors(bytes);
    expect(JSON.parse(metadata['config']!)).toEqual(model.config);
    const a = model.stateDict();
    const b = back.stateDict();
    for (const name of Object.keys(a)) expect(await b[name]!.data(), name).toEqual(await a[name]!.data());
    for (const t of [...Object.values(a), ...Object.values(b)]) t.dispose();
    expect(() => {
      const extra = model.stateDict();
      try {
        back.loadStateDict({ ...extra, 'lstm.weight_hr_l0': extra['head.bias']! });
      } finally {
        for (const t of Object.values(extra)) t.dispose();
      }
    }).toThrow(/weight_hr_l0/);
    model.dispose();
    back.dispose();
    expect(memory().numTensors).toBe(live);
  });

  test('rejects sizes outside the supported range with the name of the option', () => {
    expect(() => new CharModel({ chars, embedSize: 0, hiddenSize: 12, numLayers: 1 }, 1)).toThrow(/embedSize/);
    expect(() => new CharModel({ chars: 'a', embedSize: 4, hiddenSize: 12, numLayers: 1 }, 1)).toThrow(/at least 2/);
  });
});

describe('CharTrainer', () => {
  test('the loss falls, and the same seed gives the same losses bit for bit', async () => {
    const run = async () => {
      using model = new CharModel({ chars, embedSize: 8, hiddenSize: 24, numLayers: 1 }, 5);
      using trainer = new CharTrainer(model, TEXT, { batch: 4, seqLength: 16, learningRate: 1e-2 });
      const losses: number[] = [];
      for (let k = 0; k < 40; k++) losses.push(await trainer.step());
      return { losses, validation: await trainer.validate(), sample: await sampleText(model, 'To ', 40, 0.5, new Rng(1)) };
    };
    const live = memory().numTensors;
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(Math.log(chars.length) - first.losses.slice(-5).reduce((a, b) => a + b, 0) / 5).toBeGreaterThan(0.8);
    expect(first.validation).toBeLessThan(first.losses[0]!);
    expect(first.sample).toHaveLength(40);
    expect(memory().numTensors).toBe(live);
  });

  test('a text too short for one batch is an error naming the lengths', () => {
    using model = new CharModel({ chars, embedSize: 8, hiddenSize: 8, numLayers: 1 }, 1);
    expect(() => new CharTrainer(model, TEXT.slice(0, 300), { batch: 32, seqLength: 64 })).toThrow(/300 characters/);
  });
});

/**
 * The shipped model file is a PyTorch model: scripts/pytorch.py loads model/pretrained.safetensors
 * into nn.Embedding + nn.LSTM + nn.Linear with load_state_dict(strict=True) and records its
 * logits and final states for a fixed text (test/fixtures/pytorch-logits.json). Gated, reading the
 * same file, computes the same numbers.
 */
import { readFile } from 'node:fs/promises';
import { noGrad } from '@gated/autograd';
import { dispose, tensor } from '@gated/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { CharModel } from '../src/core/char-model.js';
import { useTs } from './setup-ts.js';

interface Fixture {
  readonly text: string;
  readonly logits: number[][];
  readonly h: number[][];
  readonly c: number[][];
}

beforeAll(async () => {
  await useTs();
});

describe('model/pretrained.safetensors in PyTorch and in Gated', () => {
  test('the same logits at every position and the same final states', async () => {
    const fixture = JSON.parse(await readFile(new URL('fixtures/pytorch-logits.json', import.meta.url), 'utf8')) as Fixture;
    const bytes = new Uint8Array(await readFile(new URL('../model/pretrained.safetensors', import.meta.url)));
    const { model } = CharModel.fromSafetensors(bytes);
    try {
      const ids = model.vocab.encode(fixture.text);
      const input = tensor(ids, { shape: [1, ids.length], dtype: 'int32' });
      const out = noGrad(() => model.forward(input));
      const [logits, h, c] = await Promise.all([out.logits.data(), out.state.h.data(), out.state.c.data()]);
      dispose([input, out.logits, out.state.h, out.state.c]);
      const V = model.vocab.size;
      const H = model.config.hiddenSize;
      let worst = 0;
      fixture.logits.forEach((row, t) => {
        row.forEach((v, k) => (worst = Math.max(worst, Math.abs(logits[t * V + k]! - v))));
      });
      fixture.h.forEach((row, l) => {
        row.forEach((v, u) => (worst = Math.max(worst, Math.abs(h[l * H + u]! - v))));
      });
      fixture.c.forEach((row, l) => {
        row.forEach((v, u) => (worst = Math.max(worst, Math.abs(c[l * H + u]! - v))));
      });
      expect(fixture.logits).toHaveLength(ids.length);
      expect(worst).toBeLessThan(2e-4);
    } finally {
      model.dispose();
    }
  });
});

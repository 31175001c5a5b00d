/**
 * ONNX files written by PyTorch's torch.onnx.export (tooling/reference/onnx_fixtures.py) import
 * into Gated and agree with PyTorch's own outputs, at batch and sequence sizes other than the
 * export's example. Each file also runs in onnxruntime-node, so the fixtures are known-good.
 */
import { dispose, memory } from '@gated/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { importOnnx } from '../src/index.js';
import { fixtureNames, gatedFeeds, loadFixture, ortFeeds } from './fixtures.js';
import { expectClose, runOrt, useTsBackend } from './helpers.js';

beforeAll(useTsBackend);

describe('importOnnx: PyTorch-exported models', () => {
  for (const name of fixtureNames()) {
    it(`${name} matches PyTorch`, async () => {
      const { bytes, fixture } = loadFixture(name);
      const before = memory().numTensors;
      const model = importOnnx(bytes);
      const feeds = gatedFeeds(fixture);
      const outputs = model.run(feeds);
      expect(Object.keys(outputs)).toEqual(Object.keys(fixture.outputs));
      for (const [key, expected] of Object.entries(fixture.outputs)) {
        expect(outputs[key]!.shape, key).toEqual(expected.shape);
        expectClose(await outputs[key]!.data(), expected.values);
      }
      dispose([outputs, Object.values(feeds).filter((f) => !Array.isArray(f))]);
      model.dispose();
      expect(memory().numTensors).toBe(before);
    });

    it(`${name} runs in onnxruntime-node and matches PyTorch (the fixture is sound)`, async () => {
      const { bytes, fixture } = loadFixture(name);
      const got = await runOrt(bytes, ortFeeds(fixture));
      for (const [key, expected] of Object.entries(fixture.outputs)) expectClose(got[key]!.data, expected.values);
    });
  }
});

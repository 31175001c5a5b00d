/** The PyTorch-exported fixtures of tooling/reference/onnx_fixtures.py. */
import { readFileSync } from 'node:fs';
import { tensor } from '@gated/tensor';
import type { OnnxFeed } from '../src/index.js';
import type { Feed } from './helpers.js';

export interface FixtureTensor {
  readonly dtype: 'float32' | 'int64';
  readonly shape: number[];
  readonly values: number[];
}

export interface Fixture {
  readonly name: string;
  readonly inputs: Record<string, FixtureTensor>;
  readonly outputs: Record<string, FixtureTensor>;
}

const DIR = new URL('./fixtures/torch/', import.meta.url);

export function fixtureNames(): string[] {
  return (JSON.parse(readFileSync(new URL('index.json', DIR), 'utf8')) as { cases: string[] }).cases;
}

export function loadFixture(name: string): { bytes: Uint8Array; fixture: Fixture } {
  return {
    bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, DIR))),
    fixture: JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Fixture,
  };
}

/** Gated feeds: floats as tensors, 1-D integers (lengths) as host numbers, other integers as int32 tensors. */
export function gatedFeeds(fixture: Fixture): Record<string, OnnxFeed> {
  const feeds: Record<string, OnnxFeed> = {};
  for (const [name, t] of Object.entries(fixture.inputs)) {
    if (t.dtype === 'float32') feeds[name] = tensor(Float32Array.from(t.values), { shape: t.shape });
    else if (t.shape.length === 1) feeds[name] = t.values;
    else feeds[name] = tensor(Int32Array.from(t.values), { shape: t.shape, dtype: 'int32' });
  }
  return feeds;
}

/** onnxruntime feeds: the fixture's own dtypes. */
export function ortFeeds(fixture: Fixture): Record<string, { data: Feed; shape: number[] }> {
  const feeds: Record<string, { data: Feed; shape: number[] }> = {};
  for (const [name, t] of Object.entries(fixture.inputs)) {
    feeds[name] = { data: t.dtype === 'float32' ? Float32Array.from(t.values) : BigInt64Array.from(t.values.map(BigInt)), shape: t.shape };
  }
  return feeds;
}

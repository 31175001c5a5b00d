// What counts as Node-only in a browser bundle (bundles.ts): a package's Node entry and Dawn.
import { describe, expect, it } from 'vitest';
import { nodeOnlyFiles } from './bundles.js';

describe('browser bundles', () => {
  it('name the Node entry of a package and Dawn, nothing else', () => {
    const inputs = [
      'node_modules/@gated/backend-webgpu/dist/index.js',
      'node_modules/@gated/backend-webgpu/dist/chunk-AB12CD.js',
      'node_modules/@gated/backend-webgpu/dist/node.js',
      'node_modules/webgpu/index.js',
      'node_modules/@webgpu/types/dist/index.d.ts',
      'node_modules/@gated/tensor/dist/index.js',
      'readme-webgpu.ts',
    ];
    expect(nodeOnlyFiles(inputs)).toEqual(['node_modules/@gated/backend-webgpu/dist/node.js', 'node_modules/webgpu/index.js']);
  });
});

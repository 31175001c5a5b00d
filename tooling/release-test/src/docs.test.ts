import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onWasmBackend, onWebGpuBackend, outputMismatch, readmeExample, rewrite, section, toCommonJs, trainingExample } from './docs.js';
import { repoRoot } from './util.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const gettingStarted = readFileSync(join(repoRoot, 'docs', 'getting-started.md'), 'utf8');

describe('documented programs', () => {
  it('reads the README example and the output its comments document', () => {
    const { code, expected } = readmeExample(readme);
    expect(code).toContain("import '@gated/autograd';");
    expect(expected).toEqual(['0.87078...', '[[0.0582, 0.9901], [0.1164, 1.9801]]']);
  });

  it('reads the training example and its output block', () => {
    const { code, expected } = trainingExample(gettingStarted);
    expect(code).toContain('new Adam(');
    expect(expected[0]).toMatch(/^step 0: loss \d+\.\d{4}$/);
    expect(expected.length).toBeGreaterThanOrEqual(5);
  });

  it('stops a section at the next heading of its level', () => {
    expect(section('# A\n## B\nb\n### C\nc\n## D\nd\n', '## B')).toBe('b\n### C\nc');
  });

  it('turns a program into CommonJS: imports first, the rest in an async function', () => {
    const cjs = toCommonJs("import { a } from 'x';\nimport 'y'; // why\n\nconst v = await a();\nconsole.log(v);\n");
    expect(cjs).toBe(
      "import { a } from 'x';\nimport 'y'; // why\n\nasync function main(): Promise<void> {\n  const v = await a();\n  console.log(v);\n}\n\n" +
        'main().catch((error: unknown) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n',
    );
  });

  it('swaps the backend of a documented program, and fails when the lines it replaces are gone', () => {
    const wasm = onWasmBackend(readmeExample(readme).code, 2);
    expect(wasm).toContain("import { createWasmBackend } from '@gated/backend-wasm';");
    expect(wasm).toContain("registerBackend('wasm', () => createWasmBackend({ numThreads: 2 }));\nawait setBackend('wasm');");
    expect(wasm).not.toContain('createTsBackend');
    const webgpu = onWebGpuBackend(readmeExample(readme).code);
    expect(webgpu).toContain("import { createWebGpuBackend } from '@gated/backend-webgpu';");
    expect(webgpu).toContain("registerBackend('webgpu', createWebGpuBackend);\nawait setBackend('webgpu');");
    expect(webgpu).not.toContain('createTsBackend');
    expect(() => rewrite('const a = 1;', [['const b', 'const c']])).toThrow('no longer contains: const b');
  });
});

describe('output against the documentation', () => {
  const documented = ['0.87078...', '[[0.0582, 0.9901], [0.1164, 1.9801]]'];

  it('accepts Node output (an array broken over lines) and JSON output', () => {
    const node =
      '0.8707811236381531\n[\n  [ 0.058235108852386475, 0.9900766611099243 ],\n  [ 0.11647021770477295, 1.9801533222198486 ]\n]\n';
    expect(outputMismatch(node, documented)).toBeNull();
    expect(outputMismatch('0.87078\n[[0.05823,0.99008],[0.11647,1.98015]]', documented)).toBeNull();
  });

  it('refuses a wrong value, a missing line, extra output and different text', () => {
    expect(outputMismatch('0.8709\n[[0.0582,0.9901],[0.1164,1.9801]]', documented)).toMatch(/0.8709 is not within 0.00001/);
    expect(outputMismatch('0.87078', documented)).toMatch(/less than documented/);
    expect(outputMismatch('0.87078\n[[0.0582,0.9901],[0.1164,1.9801]]\nmore', documented)).toMatch(/"\]\]more" where "\]\]" is documented/);
    expect(outputMismatch('0.87078\n[[0.0582,0.9901],[0.1164,1.9801]]\n2', documented)).toMatch(/more than documented/);
    expect(outputMismatch('step 1: loss 2.0000', ['step 1: gain 2.0000'])).toMatch(/":loss" where ":gain" is documented/);
    expect(outputMismatch('step 2: loss 2.0000', ['step 1: loss 2.0000'])).toMatch(/not within 0 of the documented 1/);
  });

  it('allows one unit of the last documented digit, no more', () => {
    expect(outputMismatch('loss 0.1249', ['loss 0.1248'])).toBeNull();
    expect(outputMismatch('loss 0.1250', ['loss 0.1248'])).not.toBeNull();
  });
});

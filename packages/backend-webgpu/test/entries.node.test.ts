/**
 * The two entry points. The browser entry (`src/index.ts`, what bundlers get) must not reach any
 * Node module, the Node entry or Dawn; the Node entry finds a Vulkan driver for Dawn.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICDS, selectVulkanDriver } from '../src/node.js';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module specifier reachable from `entry` through relative imports, and the files visited. */
function importGraph(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    // Comments hold usage examples with imports of other packages: drop them first.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const specifier = match[1] ?? match[2]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else external.add(specifier);
    }
  };
  visit(entry);
  return { files, external };
}

describe('entry points', () => {
  it('the browser entry reaches no Node module and no Dawn', () => {
    const { files, external } = importGraph(join(src, 'index.ts'));
    expect([...external].sort()).toEqual(['@gated/backend-api']);
    expect(
      [...files].some((f) => f.endsWith('node.ts')),
      'node.ts is not reachable',
    ).toBe(false);
  });

  it('the Node entry adds only node:fs and the optional webgpu package (loaded lazily)', () => {
    const { external } = importGraph(join(src, 'node.ts'));
    expect([...external].sort()).toEqual(['@gated/backend-api', 'node:fs']);
    expect(readFileSync(join(src, 'node.ts'), 'utf8')).toMatch(/await import\(\/\* @vite-ignore \*\/ name\)/);
  });

  it('a Vulkan driver named in the environment is left alone', () => {
    const saved = process.env['VK_ICD_FILENAMES'];
    process.env['VK_ICD_FILENAMES'] = '/nowhere/icd.json';
    try {
      expect(selectVulkanDriver()).toBe('environment');
      expect(process.env['VK_ICD_FILENAMES']).toBe('/nowhere/icd.json');
    } finally {
      if (saved === undefined) delete process.env['VK_ICD_FILENAMES'];
      else process.env['VK_ICD_FILENAMES'] = saved;
    }
  });

  it('knows where Chromium keeps SwiftShader', () => {
    expect(SWIFTSHADER_ICDS.every((path) => path.endsWith('vk_swiftshader_icd.json'))).toBe(true);
  });
});

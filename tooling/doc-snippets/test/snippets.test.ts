// Every TypeScript and JavaScript block of the README, docs/ and the package READMEs: compiled
// under the repository's strict settings, the runnable ones run, the quoted ones found in the
// files they quote. How to mark a block: src/extract.ts. No time limit (docs/decisions/0021).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { typeErrors, writePrograms } from '../src/compile.js';
import { allBlocks, excerptProblems, programsOf } from '../src/programs.js';
import { runProgram } from '../src/run.js';

const root = join(import.meta.dirname, '..', '..', '..');
const blocks = allBlocks(root);
const programs = programsOf(blocks);
let errors = new Map<string, string[]>();

beforeAll(() => {
  writePrograms(programs);
  errors = typeErrors(programs);
});

describe('documentation snippets', () => {
  it('are found in every file that has them', () => {
    const files = new Set(blocks.map((block) => block.file));
    for (const file of ['README.md', 'docs/getting-started.md', 'docs/lstm.md', 'packages/tensor/README.md'])
      expect(files.has(file), file).toBe(true);
  });

  it('quote files that still contain what they quote', () => {
    expect(excerptProblems(blocks, root)).toEqual([]);
  });

  for (const program of programs) {
    const title = `${program.id}${program.runnable ? '' : ` compiles (not run: ${program.reason})`}`;
    it(title, async () => {
      const found = errors.get(program.id) ?? [];
      if (found.length > 0) expect.fail(`type errors:\n  ${found.join('\n  ')}`);
      if (program.runnable) await runProgram(program);
    });
  }
});

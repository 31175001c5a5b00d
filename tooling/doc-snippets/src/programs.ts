/**
 * Programs made of the documentation's blocks: one per block, or one per chain of blocks joined
 * by `continues`, each line traced back to its Markdown file and line for error messages.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { missingExcerptLine } from './excerpt.js';
import { extractBlocks, type Block } from './extract.js';

export interface Program {
  /** `docs/getting-started.md:27`: where its first block starts. */
  readonly id: string;
  readonly blocks: readonly Block[];
  /** Compiled and run (false: compiled only). */
  readonly runnable: boolean;
  /** Why it is not run. */
  readonly reason: string;
  /** The source: a preamble line, then each block's declarations and code. */
  readonly text: string;
  /** TypeScript, or JavaScript (only parsed: JavaScript carries no types to check). */
  readonly lang: 'ts' | 'js';
  /** `file:line` of each line of `text` (index 0 is line 1). */
  readonly origin: readonly string[];
}

/**
 * The first line of every program: a backend is registered before the program runs (what the
 * docs' "Choose a backend" step does), so a fragment that computes without setting one up runs.
 */
export const PREAMBLE = "import '../src/preload.js';";

/** Joins blocks into programs (`continues` appends to the previous program of the same file). */
export function programsOf(blocks: readonly Block[]): Program[] {
  const programs: { blocks: Block[] }[] = [];
  let previous: { file: string; program: { blocks: Block[] } } | null = null;
  for (const block of blocks) {
    if (block.kind === 'excerpt') continue;
    if (block.kind === 'continues') {
      if (previous?.file !== block.file)
        throw new Error(`${block.file}:${block.line}: "continues" needs a block before it in the same file`);
      previous.program.blocks.push(block);
      continue;
    }
    const program = { blocks: [block] };
    programs.push(program);
    previous = { file: block.file, program };
  }
  return programs.map(({ blocks: chain }) => {
    const text: string[] = [PREAMBLE];
    const origin: string[] = [`${chain[0]!.file}:${chain[0]!.line}`];
    for (const block of chain) {
      for (const line of block.given) {
        text.push(line);
        origin.push(`${block.file}:${block.line - 2} (given)`);
      }
      block.code.split('\n').forEach((line, i) => {
        text.push(line);
        origin.push(`${block.file}:${block.line + i}`);
      });
    }
    const lang = chain.some((block) => block.lang === 'ts') ? 'ts' : 'js';
    if (lang === 'js' && chain.some((block) => block.given.some((line) => line.startsWith('declare')))) {
      throw new Error(`${chain[0]!.file}:${chain[0]!.line}: a JavaScript block cannot be given declarations (declare is TypeScript)`);
    }
    const declares = chain.some((block) => block.given.some((line) => line.startsWith('declare')));
    const noRun = chain.find((block) => block.kind === 'no-run');
    return {
      id: `${chain[0]!.file}:${chain[0]!.line}`,
      blocks: chain,
      runnable: noRun === undefined && !declares,
      reason: noRun?.note ?? (declares ? 'it assumes declared values' : ''),
      text: `${text.join('\n')}\n`,
      lang,
      origin,
    };
  });
}

/** Why each excerpt no longer matches the file it quotes (empty when all do). */
export function excerptProblems(blocks: readonly Block[], root: string): string[] {
  const problems: string[] = [];
  for (const block of blocks.filter((b) => b.kind === 'excerpt')) {
    let source: string;
    try {
      source = readFileSync(join(root, block.note), 'utf8');
    } catch {
      problems.push(`${block.file}:${block.line}: quotes ${block.note}, which does not exist`);
      continue;
    }
    const missing = missingExcerptLine(block.code, source);
    if (missing !== null)
      problems.push(`${block.file}:${block.line}: quotes ${block.note}, which has no line "${missing}" (in this order)`);
  }
  return problems;
}

/** The Markdown files whose blocks are checked, relative to `root`. */
export function markdownFiles(root: string): string[] {
  const files = ['README.md', 'CONTRIBUTING.md', 'examples/README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
      else if (entry.name.endsWith('.md')) files.push(`${dir}/${entry.name}`);
    }
  };
  walk('docs');
  for (const parent of ['packages', 'apps', 'tooling']) {
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(`${parent}/${entry.name}/README.md`);
    }
  }
  return files.filter((file) => existsSync(join(root, file)));
}

/** Every block of every checked Markdown file. */
export function allBlocks(root: string): Block[] {
  return markdownFiles(root).flatMap((file) => extractBlocks(file, readFileSync(join(root, file), 'utf8')));
}

/**
 * The code blocks of a Markdown file, with what the comment above each says about it.
 *
 * Every ```ts or ```typescript block is compiled under the repository's strict settings, every
 * ```js or ```javascript block parsed as a JavaScript module, and each, unless it says otherwise,
 * run. An HTML comment on the line above the fence says otherwise:
 *
 *   <!-- snippet: no-run (why: it needs a browser, a file, a GPU) -->   compiled, not run
 *   <!-- snippet: continues -->     the same program as the block before it in the file
 *   <!-- snippet: excerpt packages/x/src/y.ts -->   a quote of that file: not compiled alone, but
 *                                   its code must appear in the file, in order (`// …` and
 *                                   `/* … *\/` mark what is left out)
 *   <!-- snippet: given             declarations the fragment assumes, one per line, each an
 *   import type { LSTM } from '@gated/lstm';     `import` or a `declare` (a block with a
 *   declare const lstm: LSTM;                    `declare` is compiled, not run)
 *   -->
 *
 * The first line may combine a kind and declarations: `<!-- snippet: no-run (reason)` followed
 * by declaration lines.
 */

export type BlockKind = 'run' | 'no-run' | 'continues' | 'excerpt';

export interface Block {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the first line of code (after the fence). */
  readonly line: number;
  readonly lang: 'ts' | 'js';
  readonly code: string;
  readonly kind: BlockKind;
  /** Why a no-run block is not run; the quoted file of an excerpt. */
  readonly note: string;
  /** Declarations prepended when compiling (from a `given` comment). */
  readonly given: readonly string[];
}

const LANGS: Readonly<Record<string, 'ts' | 'js'>> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };

/** What is wrong with a snippet comment, thrown with the file and line. */
export class SnippetSyntaxError extends Error {}

interface Directive {
  readonly kind: BlockKind;
  readonly note: string;
  readonly given: readonly string[];
}

/** Parses the comment that ends on `lines[end]` (if it is a snippet comment). */
function directiveAbove(lines: readonly string[], fence: number, where: string): Directive | null {
  const end = fence - 1;
  if (end < 0 || !lines[end]!.trimEnd().endsWith('-->')) return null;
  let start = end;
  while (start >= 0 && !lines[start]!.includes('<!--')) start--;
  if (start < 0) return null;
  const body = lines
    .slice(start, end + 1)
    .join('\n')
    .replace(/^[\s\S]*?<!--/, '')
    .replace(/-->\s*$/, '');
  const [first = '', ...rest] = body.split('\n');
  const head = /^\s*snippet:\s*(\S+)\s*(.*?)\s*$/.exec(first);
  if (!head) return null;
  const word = head[1]!;
  const note = head[2]!.replace(/^\((.*)\)$/, '$1');
  const given = rest.map((line) => line.trim()).filter((line) => line !== '');
  for (const line of given) {
    if (!/^(import|declare)\s/.test(line)) throw new SnippetSyntaxError(`${where}: a given line must be an import or a declare: ${line}`);
  }
  switch (word) {
    case 'no-run':
      if (note === '') throw new SnippetSyntaxError(`${where}: say why the block is not run: <!-- snippet: no-run (reason) -->`);
      return { kind: 'no-run', note, given };
    case 'continues':
      return { kind: 'continues', note, given };
    case 'excerpt':
      if (note === '' || given.length > 0) throw new SnippetSyntaxError(`${where}: an excerpt names the file it quotes, and nothing else`);
      return { kind: 'excerpt', note, given };
    case 'given':
      if (given.length === 0)
        throw new SnippetSyntaxError(`${where}: a given comment lists declarations on the lines after "snippet: given"`);
      return { kind: given.some((line) => line.startsWith('declare')) ? 'no-run' : 'run', note: 'it assumes declared values', given };
    default:
      throw new SnippetSyntaxError(`${where}: unknown snippet kind "${word}" (run, no-run, continues, excerpt or given)`);
  }
}

/** The TypeScript and JavaScript blocks of `markdown` (the text of `file`). */
export function extractBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    let close = i + 1;
    while (close < lines.length && !lines[close]!.startsWith(`${indent}${fence}`)) close++;
    const lang = LANGS[info.toLowerCase()];
    if (lang !== undefined) {
      const where = `${file}:${i + 1}`;
      const directive = directiveAbove(lines, i, where) ?? { kind: 'run' as const, note: '', given: [] };
      const code = lines
        .slice(i + 1, close)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n');
      blocks.push({ file, line: i + 2, lang, code, ...directive });
    }
    i = close;
  }
  return blocks;
}

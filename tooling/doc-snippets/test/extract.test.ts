import { describe, expect, it } from 'vitest';
import { missingExcerptLine, tokens } from '../src/excerpt.js';
import { extractBlocks } from '../src/extract.js';
import { PREAMBLE, programsOf } from '../src/programs.js';

const md = [
  '# Title',
  '```ts',
  'const a = 1;',
  '```',
  '<!-- snippet: continues -->',
  '```ts',
  'console.log(a);',
  '```',
  '<!-- snippet: no-run (needs a browser) -->',
  '```js',
  'document.title = "x";',
  '```',
  '<!-- snippet: given',
  "import type { Tensor } from '@gated/tensor';",
  'declare const t: Tensor;',
  '-->',
  '```typescript',
  't.dispose();',
  '```',
  '<!-- snippet: excerpt packages/x/src/y.ts -->',
  '```ts',
  'export function y(): void {}',
  '```',
  '```sh',
  'pnpm verify',
  '```',
].join('\n');

describe('extracting blocks', () => {
  const blocks = extractBlocks('doc.md', md);

  it('finds ts, typescript and js blocks with their first code line and kind', () => {
    expect(blocks.map((b) => [b.line, b.lang, b.kind, b.note])).toEqual([
      [3, 'ts', 'run', ''],
      [7, 'ts', 'continues', ''],
      [11, 'js', 'no-run', 'needs a browser'],
      [18, 'ts', 'no-run', 'it assumes declared values'],
      [22, 'ts', 'excerpt', 'packages/x/src/y.ts'],
    ]);
    expect(blocks[3]!.given).toEqual(["import type { Tensor } from '@gated/tensor';", 'declare const t: Tensor;']);
  });

  it('joins continued blocks into one program and traces each line to the Markdown', () => {
    const programs = programsOf(blocks);
    expect(programs.map((p) => [p.id, p.runnable])).toEqual([
      ['doc.md:3', true],
      ['doc.md:11', false],
      ['doc.md:18', false],
    ]);
    expect(programs[0]!.text).toBe(`${PREAMBLE}\nconst a = 1;\nconsole.log(a);\n`);
    expect(programs[0]!.origin).toEqual(['doc.md:3', 'doc.md:3', 'doc.md:7']);
    expect(programs[2]!.origin[1]).toBe('doc.md:16 (given)');
  });

  it('refuses unknown kinds, a no-run without a reason, and given lines that are not declarations', () => {
    expect(() => extractBlocks('d.md', '<!-- snippet: maybe -->\n```ts\nx\n```')).toThrow('d.md:2: unknown snippet kind "maybe"');
    expect(() => extractBlocks('d.md', '<!-- snippet: no-run -->\n```ts\nx\n```')).toThrow('say why the block is not run');
    expect(() => extractBlocks('d.md', '<!-- snippet: given\nconst x = 1;\n-->\n```ts\nx\n```')).toThrow('must be an import or a declare');
    expect(() => programsOf(extractBlocks('d.md', '<!-- snippet: continues -->\n```ts\nx\n```'))).toThrow('needs a block before it');
  });
});

describe('excerpts', () => {
  const source = "export const OPS = [\n  'neg',\n  'sin',\n  'cos',\n] as const; // all of them\nfunction f(x: number) { return x; }\n";

  it('match token for token across line breaks, with elisions and comments left out', () => {
    expect(tokens("a('b', 1.5) // c")).toEqual(['a', '(', "'b'", ',', '1', '.', '5', ')']);
    expect(missingExcerptLine("export const OPS = [/* … */ 'sin', 'cos', /* … */] as const;", source)).toBeNull();
    expect(missingExcerptLine('// …\nfunction f(x: number) { return x; } // the identity', source)).toBeNull();
  });

  it('name the first line that is not in the file, or out of order', () => {
    expect(missingExcerptLine("'cos', 'sin',", source)).toBe("'cos', 'sin',");
    expect(missingExcerptLine('function f(x: number)\nexport const OPS', source)).toBe('export const OPS');
  });
});

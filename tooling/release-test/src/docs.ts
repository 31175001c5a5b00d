/**
 * The documented programs and what the documentation says they print, read from the Markdown the
 * user reads, so the release test checks the documentation itself:
 *
 * - the root README's "Example": its `console.log(...); // <output>` comments;
 * - docs/getting-started.md's "Train an LSTM": the `text` block after the program.
 *
 * Output is compared as one stream of text and numbers, whitespace and line breaks ignored (Node
 * breaks a long array over several lines where the README writes one): the text between numbers
 * must be the same, and each number must be within one unit of its last documented digit
 * (`0.87078...` and `0.0582` both mean "to that many decimals"; integers are exact), so that every
 * backend's float32 rounding passes while any real change fails.
 */

/** A program and the lines it is documented to print. */
export interface DocumentedProgram {
  readonly code: string;
  readonly expected: readonly string[];
}

/** The text under a Markdown heading (up to the next heading of the same or a higher level). */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(heading)?.[0].length ?? 1;
  const end = lines.findIndex((line, i) => i > start && /^#+\s/.test(line) && (/^#+/.exec(line)?.[0].length ?? 0) <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The fenced code blocks of a text, in order. */
export function fencedBlocks(text: string): { readonly lang: string; readonly code: string }[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((match) => ({ lang: match[1] ?? '', code: match[2] ?? '' }));
}

function firstBlock(text: string, lang: string, where: string): string {
  const block = fencedBlocks(text).find((candidate) => candidate.lang === lang);
  if (!block) throw new Error(`${where}: no \`\`\`${lang} block`);
  return block.code;
}

/** The README's example: the code, and the output its `console.log` lines document in comments. */
export function readmeExample(readme: string): DocumentedProgram {
  const code = firstBlock(section(readme, '## Example'), 'ts', 'README "## Example"');
  const expected = code
    .split('\n')
    .filter((line) => line.includes('console.log('))
    .map((line) => {
      const comment = /\/\/\s*(.+)$/.exec(line);
      if (!comment) throw new Error(`README example: a console.log without its documented output: ${line.trim()}`);
      return comment[1]!.trim();
    });
  return { code, expected };
}

/** getting-started.md's training example: the program and the `text` block after it. */
export function trainingExample(gettingStarted: string): DocumentedProgram {
  const text = section(gettingStarted, '## Train an LSTM');
  const code = firstBlock(text, 'ts', 'getting-started "## Train an LSTM"');
  const expected = firstBlock(text, 'text', 'getting-started "## Train an LSTM"').trimEnd().split('\n');
  return { code, expected };
}

/**
 * The same program as a CommonJS module: its imports first (TypeScript compiles them to
 * `require()`), everything else in an async function, since CommonJS has no top-level await.
 */
export function toCommonJs(code: string): string {
  const imports = code.match(/^import\b[\s\S]*?;[^\n]*$/gm) ?? [];
  let body = code;
  for (const statement of imports) body = body.replace(statement, '');
  const indented = body
    .trim()
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
  return [
    ...imports,
    '',
    'async function main(): Promise<void> {',
    indented,
    '}',
    '',
    'main().catch((error: unknown) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
}

/** Replaces each `[from, to]` in the program, failing when the program no longer contains `from`. */
export function rewrite(code: string, replacements: readonly (readonly [string, string])[]): string {
  return replacements.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`the documented program no longer contains: ${from}`);
    return text.replace(from, to);
  }, code);
}

/** The lines that put the TypeScript backend in place in the documented programs. */
export const TS_BACKEND_IMPORT = "import { createTsBackend } from '@gated/backend-ts';";
export const TS_BACKEND_SETUP = "registerBackend('ts', createTsBackend);\nawait setBackend('ts');";

/** A documented program on the wasm backend with `numThreads` threads instead of the TypeScript one. */
export function onWasmBackend(code: string, numThreads: number): string {
  return rewrite(code, [
    [TS_BACKEND_IMPORT, "import { createWasmBackend } from '@gated/backend-wasm';"],
    [TS_BACKEND_SETUP, `registerBackend('wasm', () => createWasmBackend({ numThreads: ${numThreads} }));\nawait setBackend('wasm');`],
  ]);
}

/**
 * A documented program on the WebGPU backend instead of the TypeScript one: in a browser on
 * `navigator.gpu`, in Node on Dawn (the optional `webgpu` package).
 */
export function onWebGpuBackend(code: string): string {
  return rewrite(code, [
    [TS_BACKEND_IMPORT, "import { createWebGpuBackend } from '@gated/backend-webgpu';"],
    [TS_BACKEND_SETUP, "registerBackend('webgpu', createWebGpuBackend);\nawait setBackend('webgpu');"],
  ]);
}

const NUMBER = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:\.\.\.)?/gi;

interface Token {
  readonly text: string;
  readonly value?: number;
  readonly decimals?: number;
}

function tokens(line: string): Token[] {
  const found: Token[] = [];
  let last = 0;
  for (const match of line.matchAll(NUMBER)) {
    found.push({ text: line.slice(last, match.index).replace(/\s+/g, '') });
    const literal = match[0].replace(/\.\.\.$/, '');
    const decimals = /\.(\d+)/.exec(literal.replace(/e.*$/i, ''))?.[1]?.length ?? 0;
    found.push({ text: '', value: Number(literal), decimals });
    last = match.index + match[0].length;
  }
  found.push({ text: line.slice(last).replace(/\s+/g, '') });
  return found.filter((token) => token.value !== undefined || token.text !== '');
}

/** Why the printed output does not match the documented lines, or null when it does (see the module comment). */
export function outputMismatch(printed: string, documented: readonly string[]): string | null {
  const want = tokens(documented.join('\n'));
  const got = tokens(printed);
  const shown = `documented:\n  ${documented.join('\n  ')}\nprinted:\n  ${printed.trimEnd().split('\n').join('\n  ')}`;
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i];
    const g = got[i];
    if (w === undefined || g === undefined) return `the output has ${got.length > want.length ? 'more' : 'less'} than documented\n${shown}`;
    if (w.value === undefined || g.value === undefined) {
      const say = (token: Token): string => (token.value === undefined ? token.text : String(token.value));
      if (w.value !== g.value || w.text !== g.text) return `"${say(g)}" where "${say(w)}" is documented\n${shown}`;
      continue;
    }
    const unit = w.decimals === 0 ? 0 : Number(`1e-${w.decimals ?? 0}`);
    if (Math.abs(g.value - w.value) > unit * (1 + 1e-9)) return `${g.value} is not within ${unit} of the documented ${w.value}\n${shown}`;
  }
  return null;
}

/**
 * Checks a quoted block against the file it quotes: each line of the quote, comments aside, must
 * appear in the file as the same sequence of tokens (whitespace and line breaks may differ), the
 * lines in order. `/* … *\/` inside a line and `// …` lines mark code left out.
 */

const ELISION = '\u0000…';

/** Tokens of a piece of TypeScript: words, numbers, strings, single punctuation; comments dropped except elisions. */
export function tokens(code: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (code.startsWith('//', i)) {
      const end = code.indexOf('\n', i);
      i = end < 0 ? code.length : end;
    } else if (code.startsWith('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      const body = code.slice(i + 2, end < 0 ? code.length : end).trim();
      if (body === '…' || body === '...') found.push(ELISION);
      i = end < 0 ? code.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      found.push(code.slice(i, j + 1));
      i = j + 1;
    } else {
      const word = /^[\w$]+/.exec(code.slice(i, i + 200))?.[0];
      found.push(word ?? c);
      i += word?.length ?? 1;
    }
  }
  return found;
}

function indexOfRun(haystack: readonly string[], needle: readonly string[], from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The first line of `quote` that is not found in `source` (in order), or null when every line is. */
export function missingExcerptLine(quote: string, source: string): string | null {
  const haystack = tokens(source);
  let from = 0;
  for (const line of quote.split('\n')) {
    const runs: string[][] = [[]];
    for (const token of tokens(line)) {
      if (token === ELISION) runs.push([]);
      else runs.at(-1)!.push(token);
    }
    // A quoted line may end with a comma where the file's does not (the last entry of a list).
    const last = runs.at(-1)!;
    if (last.at(-1) === ',') last.pop();
    for (const run of runs.filter((r) => r.length > 0)) {
      const at = indexOfRun(haystack, run, from);
      if (at < 0) return line.trim();
      from = at + run.length;
    }
  }
  return null;
}

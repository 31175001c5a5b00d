/**
 * Writes the programs to `.snippets/` (inside this package, so they resolve `@gated/*` and the
 * tools through its node_modules) and type-checks them in one TypeScript program with the
 * settings every package compiles with (tooling/tsconfig/library.json: strict,
 * noUncheckedIndexedAccess, exactOptionalPropertyTypes, the `source` condition). Errors are
 * reported at the Markdown line they come from.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { Program } from './programs.js';

export const packageDir = join(import.meta.dirname, '..');
export const snippetsDir = join(packageDir, '.snippets');

/** `docs/getting-started.md:27` → `docs-getting-started-md-27.ts` (`.mjs` for JavaScript). */
export function fileNameOf(program: Program): string {
  return `${program.id.replace(/[^\w]+/g, '-')}.${program.lang === 'ts' ? 'ts' : 'mjs'}`;
}

/** Writes every program to `.snippets/`, replacing what an earlier run left. */
export function writePrograms(programs: readonly Program[]): void {
  rmSync(snippetsDir, { recursive: true, force: true });
  mkdirSync(snippetsDir, { recursive: true });
  for (const program of programs) writeFileSync(join(snippetsDir, fileNameOf(program)), program.text);
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(packageDir, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  // JavaScript blocks are parsed (syntax, module structure), not type-checked: they carry no types.
  return { ...parsed.options, noEmit: true, allowJs: true, checkJs: false };
}

/** Type errors by program id, each as `file.md:line: TS2304: Cannot find name 'x'.` (empty when none). */
export function typeErrors(programs: readonly Program[]): Map<string, string[]> {
  const byFile = new Map(programs.map((program) => [join(snippetsDir, fileNameOf(program)), program]));
  const host = ts.createCompilerHost(compilerOptions());
  const checker = ts.createProgram([...byFile.keys()], compilerOptions(), host);
  const errors = new Map<string, string[]>(programs.map((program) => [program.id, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(checker)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const program = diagnostic.file ? byFile.get(diagnostic.file.fileName) : undefined;
    if (!program || diagnostic.start === undefined) {
      // An error outside the extracted programs (a package's own source): report it with the first.
      errors.get(programs[0]!.id)!.push(`${diagnostic.file?.fileName ?? '(no file)'}: TS${diagnostic.code}: ${message}`);
      continue;
    }
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    errors.get(program.id)!.push(`${program.origin[line] ?? program.id}: TS${diagnostic.code}: ${message}`);
  }
  return errors;
}

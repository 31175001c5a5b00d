/** Runs one extracted program in Node with tsx, reading sibling packages from their sources. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileNameOf, packageDir, snippetsDir } from './compile.js';
import type { Program } from './programs.js';

const exec = promisify(execFile);

/** What the program printed; rejects with its output when it exits with an error. */
export async function runProgram(program: Program): Promise<string> {
  const tsx = join(packageDir, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  try {
    const { stdout, stderr } = await exec(process.execPath, [tsx, '--conditions=source', fileNameOf(program)], {
      cwd: snippetsDir,
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${program.id} exited with an error:\n${stdout}${stderr}`, { cause: error });
  }
}

/**
 * Small helpers of the release test: child processes (always asynchronous: Verdaccio runs in this
 * process and must keep answering while npm and pnpm talk to it), a clean environment for them,
 * and paths into the repository.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tooling/release-test/src/util.ts). */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** This package's directory. */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));

const require = createRequire(import.meta.url);

/** The real directory of one of this package's dependencies (pnpm links them from the store). */
export function dependencyDir(name: string): string {
  return realpathSync(dirname(require.resolve(`${name}/package.json`)));
}

/** A file inside one of this package's dependencies. */
export function dependencyFile(name: string, path: string): string {
  return join(dependencyDir(name), path);
}

/**
 * The environment for npm, pnpm and node children: this process's, without the `npm_config_*`
 * and `npm_package_*` variables that `pnpm run` sets (they would override the projects' own
 * `.npmrc`, e.g. the registry), plus `extra`.
 */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_config_|npm_package_|npm_lifecycle_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end; resolves with its exit code and output (never rejects on a non-zero code). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

/** The last `lines` lines of a text (for error messages). */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs a command and throws, with its output, unless it exits with 0. */
export async function check(label: string, command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${label} failed (exit ${String(result.code)}):\n${tail(result.stdout)}\n${tail(result.stderr)}`);
  }
  return result;
}

/** Runs a Node script (a dependency's CLI) with this Node. */
export function node(label: string, script: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return check(label, process.execPath, [script, ...args], options);
}

const started = Date.now();

/** Prints a step with the seconds since the test started. */
export function step(message: string): void {
  console.log(`[release-test ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

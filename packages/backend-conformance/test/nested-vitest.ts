/**
 * Runs fixture test files in a nested Vitest (Node only) and returns every test's outcome, so the
 * conformance suite's own tests can assert how it reports: what fails, what is skipped and why.
 */
import { Writable } from 'node:stream';
import { startVitest } from 'vitest/node';

export interface Outcome {
  /** Titles from the file down, joined with ' > '. */
  readonly fullName: string;
  readonly name: string;
  readonly state: 'passed' | 'failed' | 'skipped' | 'pending';
  /** The note of a dynamic `ctx.skip(note)`. */
  readonly note: string | undefined;
  readonly errors: readonly string[];
}

const conditions = ['source', 'module', 'node', 'development|production'];

/** Collects what a reporter writes. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

export interface FixtureRun {
  readonly outcomes: Outcome[];
  /** What Vitest's default reporter printed, colours off (only when asked for). */
  readonly report: string;
}

export async function runFixture(file: string, testNamePattern?: RegExp): Promise<Outcome[]> {
  return (await runFixtureWithReport(file, testNamePattern, false)).outcomes;
}

/** {@link runFixture}, also capturing the report a user would read (Vitest's default reporter). */
export async function runFixtureWithReport(file: string, testNamePattern?: RegExp, report = true): Promise<FixtureRun> {
  const output = new Capture();
  const vitest = await startVitest(
    [file],
    {
      config: false,
      watch: false,
      color: false,
      include: ['test/fixtures/*.fixture.ts'],
      // Without a config file Vitest would give each test 5 s: none here (docs/decisions/0021).
      testTimeout: 0,
      hookTimeout: 0,
      reporters: report ? ['default'] : [],
      ...(testNamePattern ? { testNamePattern } : {}),
    },
    { resolve: { conditions }, ssr: { resolve: { conditions } } },
    { stdout: output, stderr: output },
  );
  try {
    const outcomes: Outcome[] = [];
    for (const module of vitest.state.getTestModules()) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        outcomes.push({
          fullName: test.fullName,
          name: test.name,
          state: result.state,
          note: result.state === 'skipped' ? result.note : undefined,
          errors: (result.errors ?? []).map((e) => e.message),
        });
      }
    }
    // eslint-disable-next-line no-control-regex -- ANSI colour codes
    return { outcomes, report: output.text.replace(/\u001b\[[0-9;]*m/g, '') };
  } finally {
    await vitest.close();
  }
}

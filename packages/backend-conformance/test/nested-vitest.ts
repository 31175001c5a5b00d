/**
 * Runs fixture test files in a nested Vitest (Node only) and returns every test's outcome, so the
 * conformance suite's own tests can assert how it reports: what fails, what is skipped and why.
 */
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

export async function runFixture(file: string, testNamePattern?: RegExp): Promise<Outcome[]> {
  const vitest = await startVitest(
    [file],
    {
      config: false,
      watch: false,
      include: ['test/fixtures/*.fixture.ts'],
      reporters: [],
      ...(testNamePattern ? { testNamePattern } : {}),
    },
    { resolve: { conditions }, ssr: { resolve: { conditions } } },
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
    return outcomes;
  } finally {
    await vitest.close();
  }
}

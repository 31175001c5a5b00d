// Every deliberately broken backend must fail the suite where its bug lives: proof that the
// suite's assertions can fail.
import { beforeAll, expect, it } from 'vitest';
import { MUTANTS } from './fixtures/mutants.js';
import { runFixture, type Outcome } from './nested-vitest.js';

let outcomes: Outcome[] = [];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// No time limit (docs/decisions/0021): a nested Vitest collecting the suite for every mutant is
// bounded work that a loaded machine only makes slower.
beforeAll(async () => {
  // Only the suites each mutant should be caught by run, to keep this small.
  const pattern = Object.entries(MUTANTS)
    .map(([name, m]) => `^${escape(`conformance: mutant ${name} > ${m.caughtBy.split('/').join(' > ')}`)}`)
    .join('|');
  outcomes = await runFixture('test/fixtures/mutants.fixture.ts', new RegExp(pattern));
  process.exitCode = undefined;
});

for (const [name, mutant] of Object.entries(MUTANTS)) {
  it(`catches: ${name}`, () => {
    const prefix = `conformance: mutant ${name} > ${mutant.caughtBy.split('/').join(' > ')}`;
    const relevant = outcomes.filter((o) => o.fullName.startsWith(prefix));
    expect(relevant.length, `tests under ${prefix}`).toBeGreaterThan(0);
    expect(relevant.filter((o) => o.state === 'failed').length, `failures under ${prefix}`).toBeGreaterThan(0);
  });
}

it('names the kernel that leaked', () => {
  const leak = outcomes.find((o) =>
    o.fullName.startsWith('conformance: mutant gather leaks on error > indexing > gather > out-of-range indices'),
  );
  expect(leak?.errors.join('\n')).toMatch(
    /memory is not back where it was: backend buffers \(backend.memory\(\).buffers\) \d+ → \d+; gather kept 1 buffer it did not return \(when it threw\)/,
  );
});

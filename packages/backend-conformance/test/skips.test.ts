// How the suite reports a backend that is missing, and skips it was asked for: skipped with the
// reason, never passed; stale skip entries fail.
import { beforeAll, describe, expect, it } from 'vitest';
import { runFixture, type Outcome } from './nested-vitest.js';

let outcomes: Outcome[] = [];

/** The refused backend's sample: the first, a middle and the last areas. */
const REFUSED_SAMPLE = /^conformance: wrong contract version > (storage|binary > sub|lstm > losses) > /;

// What runs is kept small: the whole suite for the missing device (each test skips at once), and
// for the refused backend, whose tests all fail in the same beforeEach, a sample from the first,
// a middle and the last areas. No time limit (docs/decisions/0021): this is bounded work.
beforeAll(async () => {
  process.exitCode = undefined;
  outcomes = await runFixture(
    'test/fixtures/skips.fixture.ts',
    new RegExp(`^conformance: missing device|${REFUSED_SAMPLE.source.slice(1)}|^conformance: with skips > (matmul|unary > exp|skip list)`),
  );
  process.exitCode = undefined;
});

const under = (suite: string) => outcomes.filter((o) => o.fullName.startsWith(`conformance: ${suite} > `));

describe('a backend whose factory rejects', () => {
  it('has every test skipped with the rejection reason, none passed', () => {
    const tests = under('missing device');
    expect(tests.length).toBeGreaterThan(400);
    expect(tests.filter((t) => t.state !== 'skipped')).toEqual([]);
    for (const t of tests) {
      expect(t.note).toBe('backend "missing device" is unavailable: no WebGPU adapter (navigator.gpu is undefined)');
    }
  });
});

describe('a backend the engine refuses', () => {
  it('fails rather than skips', () => {
    const tests = outcomes.filter((t) => REFUSED_SAMPLE.test(t.fullName));
    expect(tests.length).toBeGreaterThan(20);
    expect(tests.filter((t) => t.fullName.includes(' > lstm > losses > ')).length).toBeGreaterThan(0);
    expect(tests.filter((t) => t.state !== 'failed')).toEqual([]);
    for (const t of tests)
      expect(t.errors.join('\n')).toContain(
        'could not be activated: setBackend: backend "conformance:wrong contract version" implements contract version 2',
      );
  });
});

describe('skip options', () => {
  it('skip a whole suite with the reason in its title', () => {
    // The top-level matmul suite only (gradient rows and LSTM tests also mention matmul).
    const matmul = under('with skips').filter((t) => /^[^>]+> matmul[ >]/.test(t.fullName));
    expect(matmul.length).toBeGreaterThan(10);
    expect(matmul.every((t) => t.state === 'skipped')).toBe(true);
    expect(matmul.every((t) => t.fullName.includes('matmul [skipped: tiled kernel not written yet]'))).toBe(true);
  });

  it('skip one test with the reason in its title, and run its siblings', () => {
    const exp = under('with skips').filter((t) => t.fullName.includes(' > unary > exp > '));
    const skipped = exp.filter((t) => t.state === 'skipped');
    expect(skipped.map((t) => t.name)).toEqual(['special values [skipped: flushes subnormals]']);
    expect(exp.filter((t) => t.state === 'passed').length).toBe(exp.length - 1);
  });

  it('fail the skip-list check for an entry that names nothing', () => {
    const check = under('with skips').find((t) => t.name === 'skip list');
    expect(check?.state).toBe('failed');
    expect(check?.errors.join('\n')).toContain('skip entries that name no suite or test (ids are /-joined titles): no such suite');
  });
});

// The root-cause report on a deliberate sign error in `sub` (docs/decisions/0022): the failures
// are sub's own tests, the report a user reads names `binary > sub` first, and every test
// elsewhere that fails through sub is reported as blocked by it instead of failing under its name.
import { beforeAll, describe, expect, it } from 'vitest';
import { runFixtureWithReport, type Outcome } from './nested-vitest.js';

let outcomes: Outcome[] = [];
let report = '';

// The whole suite, less three memory-flatness tests that pass on this backend and only take time
// (thousands of optimizer steps). No time limit (docs/decisions/0021): this is bounded work.
const LONG_PASSING = /optim > memory > |1,000 training steps|finite differences through lstmCell/;

beforeAll(async () => {
  const run = await runFixtureWithReport('test/fixtures/root-cause.fixture.ts', new RegExp(`^(?!.*(${LONG_PASSING.source}))`));
  outcomes = run.outcomes;
  report = run.report;
  process.exitCode = undefined;
});

const SUB = 'conformance: sub sign error > binary > sub > ';
const blockedNote = 'blocked by binary > sub: it fails its own tests (see "root causes")';

describe('a sign error in sub', () => {
  it("fails only sub's own tests, and the root-cause summary", () => {
    const failed = outcomes.filter((o) => o.state === 'failed').map((o) => o.fullName);
    expect(failed.filter((name) => !name.startsWith(SUB))).toEqual(['conformance: sub sign error > root causes']);
    expect(failed.filter((name) => name.startsWith(SUB)).length).toBeGreaterThan(5);
  });

  it('reports the tests elsewhere that fail through sub as blocked by binary > sub', () => {
    const blocked = outcomes.filter((o) => o.note === blockedNote);
    // Softmax, gradients, optimizers, LSTM agreement with PyTorch: well over a hundred tests.
    expect(blocked.length).toBeGreaterThan(100);
    for (const area of ['softmax', 'gradients (finite differences)', 'optim', 'lstm']) {
      expect(
        blocked.some((o) => o.fullName.startsWith(`conformance: sub sign error > ${area} > `)),
        area,
      ).toBe(true);
    }
    expect(blocked.filter((o) => o.fullName.startsWith(SUB))).toEqual([]);
  });

  it('still passes what does not depend on sub', () => {
    const passed = new Set(outcomes.filter((o) => o.state === 'passed').map((o) => o.fullName));
    for (const name of ['binary > add > random values', 'unary > exp > random values', 'matmul > batches', 'storage > fill']) {
      expect(passed.has(`conformance: sub sign error > ${name}`), name).toBe(true);
    }
  });

  it('ends with a root-cause summary naming sub and what it blocks', () => {
    const summary = outcomes.find((o) => o.name === 'root causes')?.errors.join('\n') ?? '';
    expect(summary).toMatch(/^1 kernel fails its own tests; fix it first/);
    expect(summary).toMatch(
      /binary > sub: \d+ failing tests of its own \(first: binary > sub > random values\); \d{3} tests elsewhere blocked by it/,
    );
  });

  it('prints a report whose first failure names binary > sub, with got / want / allowed', () => {
    const lines = report.split('\n');
    const firstFail = lines.find((line) => line.includes('FAIL'));
    expect(firstFail).toContain('conformance: sub sign error > binary > sub > random values');
    const message = lines.slice(lines.indexOf(firstFail!)).slice(0, 4).join('\n');
    expect(message).toMatch(/sub: \[6\]: 6 of 6 values differ:\n {2}at \[0\]: got -?[\d.]+, want -?[\d.]+ \(allowed error [\d.]+\)/);
    expect(report).not.toMatch(/expected '.*' to be ''/);
  });
});

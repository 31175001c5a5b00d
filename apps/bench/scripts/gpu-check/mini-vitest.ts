/**
 * A stand-in for the part of Vitest the test files use (describe/it with skips, the four hooks,
 * and a Jest-style `expect`), so the conformance suite and backend-webgpu's tests can run as one
 * bundled Node program on a machine that has Node and a GPU but no node_modules: the real-GPU
 * check (`gpu-check.sh`). The bundler maps `vitest` to this file. Semantics follow Vitest where
 * the suites depend on them: `toEqual` compares with Object.is at the leaves (NaN equals NaN, -0
 * differs from 0) and ignores undefined properties; hooks run around every test of their block;
 * describe bodies run when `run` collects, one after another, each awaited (the conformance suite
 * loads its fixtures inside an async describe body, as Vitest allows).
 */

type Hook = (context: TestContext) => unknown;
type Body = (context: TestContext) => unknown;

interface TestContext {
  skip(note?: string): never;
}

interface Block {
  readonly name: string;
  readonly parent: Block | null;
  readonly skipped: boolean;
  /** The describe body, run at collection (null for the root). */
  readonly define: (() => unknown) | null;
  readonly children: (Block | Test)[];
  readonly beforeAll: Hook[];
  readonly afterAll: Hook[];
  readonly beforeEach: Hook[];
  readonly afterEach: Hook[];
}

interface Test {
  readonly name: string;
  readonly body: Body;
  readonly skipped: boolean;
}

class SkipSignal extends Error {}

const root: Block = {
  name: '',
  parent: null,
  skipped: false,
  define: null,
  children: [],
  beforeAll: [],
  afterAll: [],
  beforeEach: [],
  afterEach: [],
};
let current = root;

function block(name: string, fn: () => unknown, skipped: boolean): void {
  const child: Block = {
    name,
    parent: current,
    skipped: skipped || current.skipped,
    define: fn,
    children: [],
    beforeAll: [],
    afterAll: [],
    beforeEach: [],
    afterEach: [],
  };
  current.children.push(child);
}

/** Runs the describe bodies under `b`, in order, awaiting each: what they register lands in their own block. */
async function collect(b: Block): Promise<void> {
  if (b.define) {
    const saved = current;
    current = b;
    try {
      await b.define();
    } catch (error) {
      b.children.push({
        name: '(collecting this block)',
        skipped: false,
        body: () => {
          throw error;
        },
      });
    } finally {
      current = saved;
    }
  }
  for (const child of b.children) if ('children' in child) await collect(child);
}

export const describe = Object.assign(
  (name: string, fn: () => unknown) => {
    block(name, fn, false);
  },
  {
    skip: (name: string, fn: () => unknown) => {
      block(name, fn, true);
    },
  },
);
export const it = Object.assign(
  (name: string, body: Body) => {
    current.children.push({ name, body, skipped: current.skipped });
  },
  {
    skip: (name: string, body: Body) => {
      current.children.push({ name, body, skipped: true });
    },
  },
);
export const test = it;
export const beforeAll = (hook: Hook): void => {
  current.beforeAll.push(hook);
};
export const afterAll = (hook: Hook): void => {
  current.afterAll.push(hook);
};
export const beforeEach = (hook: Hook): void => {
  current.beforeEach.push(hook);
};
export const afterEach = (hook: Hook): void => {
  current.afterEach.push(hook);
};

// ---- expect ------------------------------------------------------------------------------------

function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    const text = JSON.stringify(value, (_, v: unknown) =>
      ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v instanceof Set ? [...v] : v,
    );
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}

export function equals(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((x) => [...b].some((y) => equals(x, y)));
  const arrayLike = (v: object): v is ArrayLike<unknown> => Array.isArray(v) || ArrayBuffer.isView(v);
  if (arrayLike(a) || arrayLike(b)) {
    if (!arrayLike(a) || !arrayLike(b) || a.length !== b.length) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Error && b instanceof Error) return a.message === b.message;
  const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function thrownMatches(error: unknown, expected: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  if (expected === undefined) return true;
  if (typeof expected === 'string') return text.includes(expected);
  if (expected instanceof RegExp) return expected.test(text);
  if (typeof expected === 'function') return error instanceof (expected as new () => unknown);
  if (expected instanceof Error) return text === expected.message;
  return false;
}

type Check = (actual: unknown, ...args: unknown[]) => [pass: boolean, describe: string];

const MATCHERS: Record<string, Check> = {
  toBe: (a, e) => [Object.is(a, e), `expected ${show(a)} to be ${show(e)}`],
  toEqual: (a, e) => [equals(a, e), `expected ${show(a)} to equal ${show(e)}`],
  toBeDefined: (a) => [a !== undefined, `expected ${show(a)} to be defined`],
  toBeUndefined: (a) => [a === undefined, `expected ${show(a)} to be undefined`],
  toBeNull: (a) => [a === null, `expected ${show(a)} to be null`],
  toBeTruthy: (a) => [Boolean(a), `expected ${show(a)} to be truthy`],
  toBeInstanceOf: (a, c) => [
    a instanceof (c as new () => unknown),
    `expected ${show(a)} to be an instance of ${String((c as { name?: string }).name)}`,
  ],
  toBeLessThan: (a, e) => [(a as number) < (e as number), `expected ${show(a)} < ${show(e)}`],
  toBeLessThanOrEqual: (a, e) => [(a as number) <= (e as number), `expected ${show(a)} <= ${show(e)}`],
  toBeGreaterThan: (a, e) => [(a as number) > (e as number), `expected ${show(a)} > ${show(e)}`],
  toBeGreaterThanOrEqual: (a, e) => [(a as number) >= (e as number), `expected ${show(a)} >= ${show(e)}`],
  toBeCloseTo: (a, e, digits = 2) => [
    Math.abs((a as number) - (e as number)) < 10 ** -(digits as number) / 2,
    `expected ${show(a)} to be close to ${show(e)}`,
  ],
  toHaveLength: (a, n) => [
    (a as { length: number }).length === n,
    `expected length ${show((a as { length: number }).length)} to be ${show(n)}`,
  ],
  toMatch: (a, p) => [
    typeof a === 'string' && (p instanceof RegExp ? p.test(a) : a.includes(String(p))),
    `expected ${show(a)} to match ${String(p)}`,
  ],
  toThrow: (fn, expected) => {
    try {
      (fn as () => unknown)();
    } catch (error) {
      return [thrownMatches(error, expected), `expected the error ${show(error)} to match ${show(expected)}`];
    }
    return [false, 'expected the function to throw'];
  },
};

export class AssertionError extends Error {
  override name = 'AssertionError';
}

function verdict(pass: boolean, negate: boolean, detail: string, message: string | undefined): void {
  if (pass === negate) throw new AssertionError(`${message ? `${message}: ` : ''}${negate ? `not: ${detail}` : detail}`);
}

type Matchers = Record<string, (...args: unknown[]) => void> & {
  not: Matchers;
  resolves: Record<string, (...args: unknown[]) => Promise<void>>;
  rejects: Record<string, (...args: unknown[]) => Promise<void>>;
};

/** Chai's `assert` as the suites use it: `assert.fail(message)`, and `assert(value, message)`. */
export const assert = Object.assign(
  (value: unknown, message?: string): void => {
    if (!value) throw new AssertionError(message ?? `expected ${show(value)} to be truthy`);
  },
  {
    fail: (message?: string): never => {
      throw new AssertionError(message ?? 'assert.fail()');
    },
  },
);

export function expect(actual: unknown, message?: string): Matchers {
  const make = (negate: boolean): Record<string, (...args: unknown[]) => void> =>
    Object.fromEntries(
      Object.entries(MATCHERS).map(([name, check]) => [
        name,
        (...args: unknown[]) => {
          const [pass, detail] = check(actual, ...args);
          verdict(pass, negate, detail, message);
        },
      ]),
    );
  const settled = (rejects: boolean) =>
    Object.fromEntries(
      Object.entries(MATCHERS).map(([name, check]) => [
        name,
        async (...args: unknown[]) => {
          let value: unknown;
          let rejected = false;
          try {
            value = await actual;
          } catch (error) {
            value = error;
            rejected = true;
          }
          if (rejected !== rejects)
            throw new AssertionError(
              `${message ? `${message}: ` : ''}expected the promise to ${rejects ? 'reject' : 'resolve'}, it ${rejected ? `rejected with ${show(value)}` : `resolved to ${show(value)}`}`,
            );
          const [pass, detail] =
            name === 'toThrow'
              ? [thrownMatches(value, args[0]), `expected the rejection ${show(value)} to match ${show(args[0])}`]
              : check(value, ...args);
          verdict(pass, false, detail, message);
        },
      ]),
    );
  return Object.assign(make(false), { not: make(true), resolves: settled(false), rejects: settled(true) }) as Matchers;
}
expect.fail = (message: string): never => {
  throw new AssertionError(message);
};

// ---- running -----------------------------------------------------------------------------------

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

const TIMEOUT_MS = 300_000;

function withTimeout(value: unknown, label: string): Promise<unknown> {
  return Promise.race([
    Promise.resolve(value),
    new Promise((_, reject) => setTimeout(reject, TIMEOUT_MS, new Error(`${label} timed out after ${TIMEOUT_MS / 1000} s`)).unref()),
  ]);
}

/** Runs every registered test in order, printing one line per test; returns the counts. */
export async function run(log: (line: string) => void): Promise<RunSummary> {
  const summary: RunSummary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const chain = (b: Block | null): Block[] => (b ? [...chain(b.parent), b] : []);
  const visit = async (b: Block, path: string[]): Promise<void> => {
    const context: TestContext = {
      skip: (note?: string) => {
        throw new SkipSignal(note ?? 'skipped');
      },
    };
    let setupError: unknown = null;
    try {
      if (!b.skipped) for (const hook of b.beforeAll) await withTimeout(hook(context), 'beforeAll');
    } catch (error) {
      setupError = error;
    }
    for (const child of b.children) {
      if ('children' in child) {
        await visit(child, [...path, child.name]);
        continue;
      }
      const name = [...path, child.name].join(' > ');
      if (child.skipped) {
        summary.skipped++;
        log(`  skip  ${name}`);
        continue;
      }
      let outcome: 'pass' | 'fail' | 'skip' = 'pass';
      let reason = '';
      const started = performance.now();
      try {
        if (setupError !== null)
          throw setupError instanceof Error ? setupError : new Error(`beforeAll failed: ${JSON.stringify(setupError)}`);
        for (const scope of chain(b)) for (const hook of scope.beforeEach) await withTimeout(hook(context), 'beforeEach');
        await withTimeout(child.body(context), name);
      } catch (error) {
        if (error instanceof SkipSignal) outcome = 'skip';
        else outcome = 'fail';
        reason = error instanceof Error ? error.message : String(error);
      }
      if (outcome !== 'skip') {
        for (const scope of chain(b).reverse()) {
          for (const hook of scope.afterEach) {
            try {
              await withTimeout(hook(context), 'afterEach');
            } catch (error) {
              if (outcome === 'pass') reason = error instanceof Error ? error.message : String(error);
              outcome = 'fail';
            }
          }
        }
      }
      const ms = (performance.now() - started).toFixed(0);
      summary[outcome === 'pass' ? 'passed' : outcome === 'fail' ? 'failed' : 'skipped']++;
      log(`  ${outcome.padEnd(4)}  ${name} (${ms} ms)${outcome === 'pass' ? '' : `: ${reason.split('\n')[0]!}`}`);
      if (outcome === 'fail') summary.failures.push(`${name}: ${reason}`);
    }
    if (!b.skipped) for (const hook of b.afterAll) await withTimeout(hook(context), 'afterAll');
  };
  await collect(root);
  await visit(root, []);
  return summary;
}

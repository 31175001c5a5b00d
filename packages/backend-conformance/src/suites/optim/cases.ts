/** The PyTorch 1.13 optimizer fixture and what the optim suites share to run its cases. */
import { Adagrad, Adam, AdamW, Adamax, RMSprop, SGD, type Optimizer } from '@gated/optim';
import { dispose, tensor, type Tensor } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';

export type Name = 'p0' | 'p1';
export type Nested = number | Nested[];
export type Entry = Record<string, Nested | null>;

export interface OptimizerCase {
  readonly name: string;
  readonly optimizer: keyof typeof OPTIMIZERS;
  readonly options: Record<string, unknown>;
  readonly param_groups: readonly ({ readonly params: readonly Name[] } & Record<string, unknown>)[] | null;
  readonly resolved_param_groups: readonly ({ readonly params: readonly Name[] } & Record<string, unknown>)[];
  readonly trajectory: readonly Record<Name, Nested>[];
  readonly state: Record<Name, Entry>;
}

export interface OptimizerFixture {
  readonly initial: Record<Name, Nested>;
  readonly grads: readonly Record<Name, Nested>[];
  readonly cases: readonly OptimizerCase[];
}

export const OPTIMIZERS = { SGD, Adam, AdamW, RMSprop, Adagrad, Adamax } as const;
export const NAMES: readonly Name[] = ['p0', 'p1'];

let loading: Promise<OptimizerFixture> | undefined;
let loaded: OptimizerFixture | undefined;

/**
 * Loads fixtures/optim/optimizers.json once. The optim suite awaits it while Vitest collects the
 * suite, so the fixture stays a chunk of its own in dist/ until a run needs it (docs/decisions/0006).
 */
export function loadOptimizerFixture(): Promise<OptimizerFixture> {
  loading ??= import('../../../fixtures/optim/optimizers.json').then((module) => (loaded = module.default as unknown as OptimizerFixture));
  return loading;
}

/** The optimizer fixture; available once {@link loadOptimizerFixture} has resolved (the optim suite awaits it first). */
export function optimizerFixture(): OptimizerFixture {
  if (loaded === undefined) throw new Error('the optimizer fixture is read before loadOptimizerFixture() resolved');
  return loaded;
}

/** Steps in the fixture's trajectories. */
export function fixtureSteps(): number {
  return optimizerFixture().grads.length;
}

/**
 * The acceptance bound: per tensor, `max|got − want| ≤ 1e-6 · max|want|` (the fixture's own
 * relative measure). PyTorch's float32 run is within 3.3e-7 of float64 by that measure; a
 * correct float32 implementation composes a few more roundings than PyTorch's fused
 * multiply-adds, which stays well inside 1e-6.
 */
export const RELATIVE = 1e-6;

export function flatten(values: Nested): number[] {
  return Array.isArray(values) ? values.flatMap(flatten) : [values];
}

export function shapeOf(values: Nested): number[] {
  const shape: number[] = [];
  for (let level = values; Array.isArray(level); level = level[0]!) shape.push(level.length);
  return shape;
}

export function fixtureTensor(values: Nested): Tensor {
  return tensor(Float32Array.from(flatten(values)), { shape: shapeOf(values), dtype: 'float32' });
}

/** `max|got − want| / max|want|` (0 when both are all zeros). */
export function relativeError(got: ArrayLike<number>, want: readonly number[]): number {
  let error = 0;
  let scale = 0;
  want.forEach((w, i) => {
    error = Math.max(error, Math.abs(got[i]! - w));
    scale = Math.max(scale, Math.abs(w));
  });
  if (Number.isNaN(error)) return Infinity;
  return error === 0 ? 0 : error / (scale === 0 ? Number.MIN_VALUE : scale);
}

/** PyTorch's snake_case names to ours (`weight_decay` → `weightDecay`, `exp_avg_sq` → `expAvgSq`). */
export function camelName(key: string): string {
  const [head, ...rest] = key.split('_');
  return head! + rest.map((part) => part[0]!.toUpperCase() + part.slice(1)).join('');
}

export function camel(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [camelName(key), value]));
}

/** Parameter names in the order the state dict numbers them. */
export function paramOrder(testCase: OptimizerCase): Name[] {
  return testCase.resolved_param_groups.flatMap((group) => [...group.params]);
}

/** One optimizer case: its parameters (fresh tensors from `start`), the optimizer, and the fixture's gradients. */
export class Run {
  readonly params: Record<Name, Tensor>;
  readonly optimizer: Optimizer;

  constructor(
    readonly testCase: OptimizerCase,
    start: Record<Name, Nested | Float32Array> = optimizerFixture().initial,
  ) {
    const make = (values: Nested | Float32Array, like: Nested): Tensor =>
      values instanceof Float32Array ? tensor(values, { shape: shapeOf(like), dtype: 'float32' }) : fixtureTensor(values);
    this.params = { p0: make(start.p0, optimizerFixture().initial.p0), p1: make(start.p1, optimizerFixture().initial.p1) };
    for (const name of NAMES) this.params[name].requiresGrad = true;
    const groups =
      testCase.param_groups === null
        ? [this.params.p0, this.params.p1]
        : testCase.param_groups.map(({ params, ...options }) => ({ ...camel(options), params: params.map((n) => this.params[n]) }));
    const Make = OPTIMIZERS[testCase.optimizer] as unknown as new (params: unknown, options: unknown) => Optimizer;
    this.optimizer = new Make(groups, camel(testCase.options));
  }

  /** Sets every `.grad` to the fixture's gradient of step `k` and steps once. */
  step(k: number): void {
    this.optimizer.zeroGrad();
    for (const name of NAMES) this.params[name].grad = fixtureTensor(optimizerFixture().grads[k]![name]) as Tensor<'float32'>;
    this.optimizer.step();
  }

  async values(): Promise<Record<Name, Float32Array>> {
    return { p0: (await this.params.p0.data()) as Float32Array, p1: (await this.params.p1.data()) as Float32Array };
  }

  dispose(): void {
    this.optimizer.zeroGrad();
    this.optimizer.dispose();
    dispose(this.params);
  }
}

/** Asserts `max|got − want| / max|want| <= bound` for one tensor. */
export async function expectClose(got: Tensor, want: Nested, bound: number, label: string): Promise<void> {
  const error = relativeError(await got.data(), flatten(want));
  expect(error, `${label}: max|Δ| / max|reference| (bound ${bound})`).toBeLessThanOrEqual(bound);
}

/** The suite's relative bound, scaled by the backend's tolerance multipliers. */
export function boundOf(suite: SuiteContext): number {
  return suite.tolerance(RELATIVE, 0).rtol;
}

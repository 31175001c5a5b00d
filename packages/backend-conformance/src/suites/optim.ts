/**
 * `@gated/optim` on this backend: every optimizer case of the PyTorch 1.13 reference
 * (fixtures/optim/optimizers.json: eight steps with fixed gradients, then the final state), the
 * `adamStep` op both as the composite and through the backend's fused kernel, exact resumption from
 * a state dict, gradient clipping against float64, memory staying flat over 10,000 steps, and
 * bad input. (The learning-rate schedules need no backend; they are tested in @gated/optim.)
 */
import '@gated/autograd';
import {
  Adagrad,
  Adam,
  AdamW,
  Adamax,
  RMSprop,
  SGD,
  clipGradNorm,
  clipGradValue,
  type Optimizer,
  type OptimizerStateDict,
} from '@gated/optim';
import {
  adamStep,
  add,
  dispose,
  isGradEnabled,
  matmul,
  mean,
  memory,
  mul,
  reshape,
  square,
  sub,
  sum,
  tensor,
  tidy,
  transpose,
  zerosLike,
  type Tensor,
} from '@gated/tensor';
import { adamStepComposite } from '@gated/tensor/internal';
import { expect } from 'vitest';
import data from '../../fixtures/optim/optimizers.json';
import { expectSameValues, toTensor } from '../harness/compare.js';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError, expectGatedRejection } from '../harness/errors.js';
import { expectMemory, snapshot } from '../harness/memory.js';
import type { Rng } from '../harness/rng.js';
import { NDArray } from '../reference/index.js';

type Name = 'p0' | 'p1';
type Nested = number | Nested[];
type Entry = Record<string, Nested | null>;

interface OptimizerCase {
  readonly name: string;
  readonly optimizer: keyof typeof OPTIMIZERS;
  readonly options: Record<string, unknown>;
  readonly param_groups: readonly ({ readonly params: readonly Name[] } & Record<string, unknown>)[] | null;
  readonly resolved_param_groups: readonly ({ readonly params: readonly Name[] } & Record<string, unknown>)[];
  readonly trajectory: readonly Record<Name, Nested>[];
  readonly state: Record<Name, Entry>;
}

interface OptimizerFixture {
  readonly initial: Record<Name, Nested>;
  readonly grads: readonly Record<Name, Nested>[];
  readonly cases: readonly OptimizerCase[];
}

const OPTIMIZERS = { SGD, Adam, AdamW, RMSprop, Adagrad, Adamax } as const;
const FIXTURE = data as unknown as OptimizerFixture;
const NAMES: readonly Name[] = ['p0', 'p1'];
const STEPS = FIXTURE.grads.length;

/**
 * The acceptance bound: per tensor, `max|got − want| ≤ 1e-6 · max|want|` (the fixture's own
 * relative measure). PyTorch's float32 run is within 3.3e-7 of float64 by that measure; a
 * correct float32 implementation composes a few more roundings than PyTorch's fused
 * multiply-adds, which stays well inside 1e-6.
 */
const RELATIVE = 1e-6;

function flatten(values: Nested): number[] {
  return Array.isArray(values) ? values.flatMap(flatten) : [values];
}

function shapeOf(values: Nested): number[] {
  const shape: number[] = [];
  for (let level = values; Array.isArray(level); level = level[0]!) shape.push(level.length);
  return shape;
}

function fixtureTensor(values: Nested): Tensor {
  return tensor(Float32Array.from(flatten(values)), { shape: shapeOf(values), dtype: 'float32' });
}

/** `max|got − want| / max|want|` (0 when both are all zeros). */
function relativeError(got: ArrayLike<number>, want: readonly number[]): number {
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
function camelName(key: string): string {
  const [head, ...rest] = key.split('_');
  return head! + rest.map((part) => part[0]!.toUpperCase() + part.slice(1)).join('');
}

function camel(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [camelName(key), value]));
}

/** Parameter names in the order the state dict numbers them. */
function paramOrder(testCase: OptimizerCase): Name[] {
  return testCase.resolved_param_groups.flatMap((group) => [...group.params]);
}

/** One optimizer case: its parameters (fresh tensors from `start`), the optimizer, and the fixture's gradients. */
class Run {
  readonly params: Record<Name, Tensor>;
  readonly optimizer: Optimizer;

  constructor(
    readonly testCase: OptimizerCase,
    start: Record<Name, Nested | Float32Array> = FIXTURE.initial,
  ) {
    const make = (values: Nested | Float32Array, like: Nested): Tensor =>
      values instanceof Float32Array ? tensor(values, { shape: shapeOf(like), dtype: 'float32' }) : fixtureTensor(values);
    this.params = { p0: make(start.p0, FIXTURE.initial.p0), p1: make(start.p1, FIXTURE.initial.p1) };
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
    for (const name of NAMES) this.params[name].grad = fixtureTensor(FIXTURE.grads[k]![name]) as Tensor<'float32'>;
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
async function expectClose(got: Tensor, want: Nested, bound: number, label: string): Promise<void> {
  const error = relativeError(await got.data(), flatten(want));
  expect(error, `${label}: max|Δ| / max|reference| (bound ${bound})`).toBeLessThanOrEqual(bound);
}

export function optimSuite(ctx: SuiteContext): void {
  ctx.describe('optim', (suite) => {
    const bound = (): number => suite.tolerance(RELATIVE, 0).rtol;

    suite.describe('trajectories', (cases) => {
      cases.it('the fixture has every case', () => {
        expect(FIXTURE.cases.map((c) => c.name)).toHaveLength(27);
      });
      for (const testCase of FIXTURE.cases) {
        cases.it(testCase.name, async () => {
          const run = new Run(testCase);
          let dict: OptimizerStateDict | null = null;
          try {
            for (let k = 0; k < STEPS; k++) {
              run.step(k);
              for (const name of NAMES) await expectClose(run.params[name], testCase.trajectory[k]![name], bound(), `${name} after step ${k + 1}`);
            }
            dict = run.optimizer.stateDict();
            expect(
              dict.paramGroups.map(({ params: _params, ...options }) => options),
              'the resolved parameter groups',
            ).toEqual(testCase.resolved_param_groups.map(({ params: _params, ...options }) => camel(options)));
            const order = paramOrder(testCase);
            for (const name of NAMES) {
              const want = testCase.state[name];
              const got = dict.state[order.indexOf(name)] ?? {};
              // PyTorch's SGD keeps momentum_buffer = None without momentum; Gated keeps no entry.
              const expectedKeys = Object.keys(want).filter((k) => want[k] !== null).map(camelName);
              expect(Object.keys(got).sort(), `${name}: state entries`).toEqual(expectedKeys.sort());
              for (const [key, value] of Object.entries(want)) {
                if (value === null) continue;
                const ours = got[camelName(key)];
                if (key === 'step') expect(ours, `${name}: step`).toBe(value);
                else await expectClose(ours as Tensor, value, bound(), `${name}: state ${key}`);
              }
            }
          } finally {
            if (dict) dispose(dict.state);
            run.dispose();
          }
        });
      }
    });

    suite.describe('adamStep', (adam) => {
      const adamCases = FIXTURE.cases.filter((c) => c.optimizer === 'Adam' || c.optimizer === 'AdamW');

      /** Runs a case's eight steps with `step` (the composite or the fused op) on fresh tensors. */
      const runWith = (testCase: OptimizerCase, step: typeof adamStep): { params: Record<Name, Tensor>; state: Tensor[] } => {
        const params = { p0: fixtureTensor(FIXTURE.initial.p0), p1: fixtureTensor(FIXTURE.initial.p1) };
        const state: Tensor[] = [];
        const slots = testCase.resolved_param_groups.flatMap((group) =>
          group.params.map((name) => {
            const slot = { name, group, m: zerosLike(params[name]), v: zerosLike(params[name]), vMax: group.amsgrad ? zerosLike(params[name]) : null };
            state.push(slot.m, slot.v, ...(slot.vMax ? [slot.vMax] : []));
            return slot;
          }),
        );
        for (let k = 0; k < STEPS; k++) {
          for (const { name, group, m, v, vMax } of slots) {
            const grad = fixtureTensor(FIXTURE.grads[k]![name]);
            const [beta1, beta2] = group.betas as [number, number];
            step(
              { param: params[name], grad, m, v, vMax },
              {
                step: k + 1,
                lr: group.lr as number,
                beta1,
                beta2,
                eps: group.eps as number,
                weightDecay: group.weight_decay as number,
                decoupledWeightDecay: testCase.optimizer === 'AdamW',
                maximize: group.maximize as boolean,
              },
            );
            grad.dispose();
          }
        }
        return { params, state };
      };

      for (const testCase of adamCases) {
        adam.it(`composite: ${testCase.name}`, async () => {
          const { params, state } = runWith(testCase, adamStepComposite);
          try {
            for (const name of NAMES) await expectClose(params[name], testCase.trajectory[STEPS - 1]![name], bound(), name);
          } finally {
            dispose([params, state]);
          }
        });
      }

      adam.describe('fused', (fusedSuite) => {
        for (const testCase of adamCases) {
          // Runtime skip: whether the fused kernel exists is known only once the backend is created.
          fusedSuite.it(`agrees with the composite and PyTorch: ${testCase.name}`, async (_rng, test) => {
            if (ctx.backend.caps.fused.adamStep !== true) {
              const reason = `backend "${ctx.backendName}" offers no fused adamStep (caps.fused.adamStep is not true)`;
              test.skip(reason);
            }
            const fused = runWith(testCase, adamStep);
            const composite = runWith(testCase, adamStepComposite);
            try {
              for (const name of NAMES) {
                await expectClose(fused.params[name], testCase.trajectory[STEPS - 1]![name], bound(), `fused ${name} vs PyTorch`);
                const reference = Array.from(await composite.params[name].data());
                const error = relativeError(await fused.params[name].data(), reference);
                expect(error, `fused vs composite ${name}`).toBeLessThanOrEqual(bound());
              }
            } finally {
              dispose([fused, composite]);
            }
          });
        }
      });

      adam.it('a view taken before the step keeps the old values (copy-on-write)', async () => {
        const param = tensor([1, -2, 3, -4, 5, -6], { shape: [2, 3] });
        const grad = tensor([0.5, 0.5, -1, 2, 0, 1], { shape: [2, 3] });
        const m = zerosLike(param);
        const v = zerosLike(param);
        const mView = reshape(m, [6]);
        const before = reshape(param, [6]);
        const versions = [param.version, m.version, v.version];
        try {
          adamStep({ param, grad, m, v }, { step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
          expect(Array.from(await before.data()), 'the view of the parameter').toEqual([1, -2, 3, -4, 5, -6]);
          expect(Array.from(await mView.data()), 'the view of m').toEqual([0, 0, 0, 0, 0, 0]);
          // The first Adam step moves each entry by lr·g/(|g| + eps) ≈ lr·sign(g).
          await expectClose(param, [0.9, -2.1, 3.1, -4.1, 5, -6.1], bound(), 'the parameter');
          expect([param.version, m.version, v.version].every((version, i) => version > versions[i]!), 'versions bumped').toBe(true);
        } finally {
          dispose([param, grad, m, v, mView, before]);
        }
      });

      adam.it('updates a strided parameter without touching the tensor it views', async () => {
        const base = tensor([[1, 2, 3], [4, 5, 6]]);
        const param = transpose(base);
        const copy = tensor([[1, 4], [2, 5], [3, 6]]);
        const grad = tensor([[1, -1], [2, -2], [3, -3]]);
        const state = [zerosLike(copy), zerosLike(copy), zerosLike(copy), zerosLike(copy)];
        const options = { step: 1, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
        try {
          adamStep({ param, grad, m: state[0]!, v: state[1]! }, options);
          adamStepComposite({ param: copy, grad, m: state[2]!, v: state[3]! }, options);
          const reference = Array.from(await copy.data());
          expect(relativeError(await param.data(), reference), 'strided parameter vs contiguous composite').toBeLessThanOrEqual(bound());
          expect(Array.from(await base.data()), 'the base tensor').toEqual([1, 2, 3, 4, 5, 6]);
        } finally {
          dispose([base, param, copy, grad, state]);
        }
      });

      adam.it('values autograd saved before the step are not changed by it', async () => {
        const w = tensor([1, 2, 3], { requiresGrad: true });
        const m = zerosLike(w);
        const v = zerosLike(w);
        const loss = tidy(() => sum(mul(w, w)));
        const update = tensor([1, 1, 1]);
        try {
          adamStep({ param: w, grad: update, m, v }, { step: 1, lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
          expect(isGradEnabled(), 'gradient recording is restored').toBe(true);
          loss.backward();
          expect(Array.from(await w.grad!.data()), 'd(w·w)/dw from the saved w').toEqual([2, 4, 6]);
        } finally {
          w.grad?.dispose();
          dispose([w, m, v, loss, update]);
        }
      });

      adam.it('refuses mismatched tensors', () => {
        const p = tensor([1, 2, 3]);
        const other = tensor([1, 2]);
        const [g, m, v] = [tensor([1, 1, 1]), tensor([0, 0, 0]), tensor([0, 0, 0])];
        const integers = tensor([0, 0, 0], { dtype: 'int32' });
        try {
          const options = { step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
          expectGatedError(() => {
            adamStep({ param: p, grad: other, m: p, v: p }, options);
          }, 'adamStep', "grad must have shape [3] (param's), got [2]");
          expectGatedError(() => {
            adamStepComposite({ param: p, grad: p, m: p, v: p }, options);
          }, 'adamStep', 'param and grad are the same tensor; each needs its own');
          expectGatedError(() => {
            adamStep({ param: p, grad: g, m, v }, { ...options, step: 0 });
          }, 'adamStep', 'step must be an integer >= 1 (the count after incrementing), got 0');
          expectGatedError(() => {
            adamStep({ param: p, grad: g, m, v: integers }, options);
          }, 'adamStep', 'v must be float32, got int32');
        } finally {
          dispose([p, other, g, m, v, integers]);
        }
      });
    });

    suite.describe('state dict', (dicts) => {
      for (const testCase of FIXTURE.cases) {
        dicts.it(`resumes exactly: ${testCase.name}`, async () => {
          const split = 3;
          const whole = new Run(testCase);
          const first = new Run(testCase);
          let resumed: Run | null = null;
          try {
            for (let k = 0; k < split; k++) {
              whole.step(k);
              first.step(k);
            }
            const dict = first.optimizer.stateDict();
            // A fresh optimizer over fresh parameter tensors holding the same values.
            resumed = new Run(testCase, await first.values());
            try {
              resumed.optimizer.loadStateDict(dict);
            } finally {
              dispose(dict.state);
              first.dispose();
            }
            for (let k = split; k < STEPS; k++) {
              whole.step(k);
              resumed.step(k);
              for (const name of NAMES) await expectSameValues(resumed.params[name], whole.params[name], `${name} after step ${k + 1}`);
            }
          } finally {
            resumed?.dispose();
            whole.dispose();
          }
        });
      }

      dicts.it('is a snapshot: later steps do not change it', async () => {
        const run = new Run(FIXTURE.cases.find((c) => c.name === 'adam_amsgrad')!);
        try {
          run.step(0);
          const dict = run.optimizer.stateDict();
          try {
            const saved = Array.from(await (dict.state[0]!.expAvg as Tensor).data());
            run.step(1);
            expect(Array.from(await (dict.state[0]!.expAvg as Tensor).data())).toEqual(saved);
          } finally {
            dispose(dict.state);
          }
        } finally {
          run.dispose();
        }
      });

      dicts.it('refuses bad state entries and changes nothing', async () => {
        const run = new Run(FIXTURE.cases.find((c) => c.name === 'adam')!);
        try {
          run.step(0);
          const good = run.optimizer.stateDict();
          const entry = good.state[1]!;
          const wrongShape = tensor([1, 2]);
          const cases: [Record<string, unknown>, string][] = [
            [{ ...entry, exp_avg: entry.expAvg }, 'unknown state entry "exp_avg" for parameter 1 (Adam keeps step, expAvg, expAvgSq, maxExpAvgSq)'],
            [{ step: 1, expAvg: entry.expAvg }, 'state[1] lacks "expAvgSq"'],
            [{ ...entry, step: 1.5 }, 'state[1].step must be an integer >= 0, got 1.5'],
            [{ ...entry, expAvg: wrongShape }, 'state[1].expAvg is float32 [2], but its parameter is float32 [4]'],
          ];
          try {
            for (const [bad, message] of cases) {
              expectGatedError(() => {
                run.optimizer.loadStateDict({ ...good, state: { 0: good.state[0]!, 1: bad as never } });
              }, 'Adam.loadStateDict', message);
            }
            const before = await run.values();
            run.step(1);
            expect(Array.from((await run.values()).p1)).not.toEqual(Array.from(before.p1));
          } finally {
            dispose([good.state, wrongShape]);
          }
        } finally {
          run.dispose();
        }
      });
    });

    suite.describe('behaviour', (behaviour) => {
      behaviour.it('zeroGrad frees the gradients; parameters without one are skipped', async () => {
        const run = new Run(FIXTURE.cases.find((c) => c.name === 'sgd_momentum')!);
        try {
          run.step(0);
          const grad = run.params.p0.grad!;
          run.optimizer.zeroGrad();
          expect(grad.isDisposed).toBe(true);
          expect(run.params.p0.grad).toBeNull();
          const before = await run.values();
          run.params.p0.grad = fixtureTensor(FIXTURE.grads[1]!.p0) as Tensor<'float32'>;
          run.optimizer.step();
          const after = await run.values();
          expect(Array.from(after.p1), 'p1 had no gradient').toEqual(Array.from(before.p1));
          expect(Array.from(after.p0)).not.toEqual(Array.from(before.p0));
        } finally {
          run.dispose();
        }
      });

      // With PyTorch's tiny default eps the fixture cannot tell where eps goes; a large eps can.
      behaviour.it('eps sits where PyTorch puts it (checked with eps = 0.1 against float64)', async () => {
        const start = [0.5, -1, 2, 0.25];
        const grads = [[0.3, -0.2, 0.1, 0.05], [0.1, 0.4, -0.3, 0.02], [-0.2, 0.1, 0.2, -0.01]];
        const [lr, eps, beta1, beta2, alpha] = [0.1, 0.1, 0.9, 0.999, 0.9];
        const references: Record<string, (p: number[]) => number[]> = {
          Adam: (p) => {
            const m = [0, 0, 0, 0];
            const v = [0, 0, 0, 0];
            grads.forEach((g, k) => {
              const t = k + 1;
              p = p.map((x, i) => {
                m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
                v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! ** 2;
                return x - (lr / (1 - beta1 ** t)) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - beta2 ** t) + eps));
              });
            });
            return p;
          },
          Adamax: (p) => {
            const m = [0, 0, 0, 0];
            const u = [0, 0, 0, 0];
            grads.forEach((g, k) => {
              p = p.map((x, i) => {
                m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
                u[i] = Math.max(beta2 * u[i]!, Math.abs(g[i]!) + eps);
                return x - (lr / (1 - beta1 ** (k + 1))) * (m[i] / u[i]);
              });
            });
            return p;
          },
          RMSprop: (p) => {
            const s = [0, 0, 0, 0];
            grads.forEach((g) => {
              p = p.map((x, i) => {
                s[i] = alpha * s[i]! + (1 - alpha) * g[i]! ** 2;
                return x - (lr * g[i]!) / (Math.sqrt(s[i]) + eps);
              });
            });
            return p;
          },
          Adagrad: (p) => {
            const s = [0, 0, 0, 0];
            grads.forEach((g) => {
              p = p.map((x, i) => {
                s[i] = s[i]! + g[i]! ** 2;
                return x - (lr * g[i]!) / (Math.sqrt(s[i]) + eps);
              });
            });
            return p;
          },
        };
        const make: Record<string, (p: Tensor) => Optimizer> = {
          Adam: (p) => new Adam([p], { lr, eps, betas: [beta1, beta2] }),
          Adamax: (p) => new Adamax([p], { lr, eps, betas: [beta1, beta2] }),
          RMSprop: (p) => new RMSprop([p], { lr, eps, alpha }),
          Adagrad: (p) => new Adagrad([p], { lr, eps }),
        };
        const tolerance = suite.tolerance(1e-5, 1e-6);
        for (const [name, reference] of Object.entries(references)) {
          const p = tensor(start);
          const optimizer = make[name]!(p);
          try {
            for (const g of grads) {
              optimizer.zeroGrad();
              p.grad = tensor(g) as Tensor<'float32'>;
              optimizer.step();
            }
            const got = await p.data();
            reference(start).forEach((want, i) => {
              expect(Math.abs(got[i]! - want), `${name}[${i}]: got ${got[i]}, want ${want}`).toBeLessThanOrEqual(
                (tolerance.atol as number) + tolerance.rtol * Math.abs(want),
              );
            });
          } finally {
            optimizer.zeroGrad();
            optimizer.dispose();
            p.dispose();
          }
        }
      });

      behaviour.it('dispose frees the state', () => {
        const before = snapshot();
        const run = new Run(FIXTURE.cases.find((c) => c.name === 'rmsprop_centered_momentum_weight_decay')!);
        run.step(0);
        run.dispose();
        expectMemory(before, 'after disposing the optimizer and its parameters');
      });

      behaviour.it('a parameter may belong to one group only', () => {
        const p = tensor([1, 2]);
        const q = tensor([3]);
        try {
          const optimizer = new Adam([p]);
          expectGatedError(() => {
            optimizer.addParamGroup({ params: [q, p] });
          }, 'Adam', 'params[1] in paramGroups[1] already belongs to another parameter group');
          optimizer.addParamGroup({ params: [q], lr: 0.1 });
          expect(optimizer.paramGroups[1]!.lr).toBe(0.1);
          expectGatedError(() => new SGD([p, p], { lr: 0.1 }), 'SGD', 'params[1] in paramGroups[0] appears twice in the group');
          optimizer.dispose();
        } finally {
          dispose([p, q]);
        }
      });

      behaviour.it('a gradient of the wrong shape is refused', () => {
        const p = tensor([1, 2, 3]);
        const optimizer = new RMSprop([p]);
        try {
          p.grad = tensor([1, 2]) as Tensor<'float32'>;
          expectGatedError(() => {
            optimizer.step();
          }, 'RMSprop.step', 'the gradient of paramGroups[0].params[0] is float32 [2], but the parameter is float32 [3]');
        } finally {
          optimizer.zeroGrad();
          optimizer.dispose();
          p.dispose();
        }
      });

      behaviour.it('steps inside a caller\'s tidy keep their state', async () => {
        const p = tensor([1, 2, 3]);
        const optimizer = new Adagrad([p], { lr: 0.1 });
        try {
          tidy(() => {
            p.grad = tensor([1, 1, 1]) as Tensor<'float32'>;
            optimizer.step();
          });
          const dict = optimizer.stateDict();
          expect(Array.from(await dict.state[0]!.sum.data())).toEqual([1, 1, 1]);
          dispose(dict.state);
        } finally {
          optimizer.zeroGrad();
          optimizer.dispose();
          p.dispose();
        }
      });
    });

    suite.describe('clipGradNorm', (clipping) => {
      const shapes = [[3, 4], [5], [2, 2, 2]];
      const setup = (rng: Rng, scale = 2): { params: Tensor[]; grads: NDArray[] } => {
        const grads = shapes.map((shape) => rng.uniform(shape, -scale, scale));
        const params = shapes.map((shape) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), { shape }));
        params.forEach((p, i) => {
          p.grad = toTensor(grads[i]!) as Tensor<'float32'>;
        });
        // A parameter without a gradient is ignored.
        params.push(tensor([100, 100]));
        return { params, grads };
      };
      const cleanup = (params: Tensor[]): void => {
        for (const p of params) p.grad?.dispose();
        dispose(params);
      };
      const norm64 = (grads: NDArray[], p: number): number => {
        const all = grads.flatMap((g) => Array.from(g.data));
        if (p === Infinity) return Math.max(...all.map(Math.abs));
        return all.reduce((s, x) => s + Math.abs(x) ** p, 0) ** (1 / p);
      };

      for (const normType of [2, 1, Infinity, 3, 0.5]) {
        for (const clip of [true, false]) {
          clipping.it(`p = ${normType}, ${clip ? 'clips' : 'leaves small gradients alone'}`, async (rng) => {
            const { params, grads } = setup(rng);
            const total = norm64(grads, normType);
            const maxNorm = clip ? total / 3 : total * 10;
            const tolerance = suite.tolerance(1e-5, 1e-7);
            try {
              const norm = clipGradNorm(params, maxNorm, { normType });
              const got = await norm.item();
              norm.dispose();
              expect(Math.abs(got - total), `norm ${got} vs float64 ${total}`).toBeLessThanOrEqual(tolerance.rtol * total);
              const coefficient = Math.min(1, maxNorm / (total + 1e-6));
              for (let i = 0; i < grads.length; i++) {
                const values = await params[i]!.grad!.data();
                grads[i]!.data.forEach((g, j) => {
                  const want = g * coefficient;
                  expect(Math.abs(values[j]! - want), `grad ${i}[${j}]`).toBeLessThanOrEqual((tolerance.atol as number) + tolerance.rtol * Math.abs(want));
                });
              }
            } finally {
              cleanup(params);
            }
          });
        }
      }

      clipping.it('without gradients the norm is 0', async () => {
        const p = tensor([1, 2]);
        try {
          const norm = clipGradNorm([p], 1);
          expect(await norm.item()).toBe(0);
          norm.dispose();
        } finally {
          p.dispose();
        }
      });

      clipping.it('errorIfNonfinite reads the norm, then clips or rejects leaving the gradients untouched', async (rng) => {
        const { params, grads } = setup(rng);
        try {
          const norm = await clipGradNorm(params, 0.1, { errorIfNonfinite: true });
          expect(await norm.item()).toBeCloseTo(norm64(grads, 2), 4);
          norm.dispose();
          const infinite = tensor([1, Infinity, 2, 3, 4]) as Tensor<'float32'>;
          params[1]!.grad!.assign(infinite);
          infinite.dispose();
          const before = await params[0]!.grad!.data();
          await expectGatedRejection(
            () => clipGradNorm(params, 1, { errorIfNonfinite: true }),
            'clipGradNorm',
            'the total norm of order 2 of the gradients is Infinity, so they cannot be clipped; pass errorIfNonfinite: false to scale them by the non-finite norm anyway',
          );
          expect(Array.from(await params[0]!.grad!.data()), 'gradients untouched').toEqual(Array.from(before));
        } finally {
          cleanup(params);
        }
      });

      clipping.it('a non-finite norm scales like PyTorch when not checked', async () => {
        const p = tensor([0, 0, 0]);
        p.grad = tensor([1, Infinity, -2]) as Tensor<'float32'>;
        try {
          const norm = clipGradNorm([p], 1);
          expect(await norm.item()).toBe(Infinity);
          norm.dispose();
          // clip coefficient 1/(∞ + 1e-6) = 0: finite entries become 0, the infinite one 0·∞ = NaN.
          const values = Array.from(await p.grad.data());
          expect(Object.is(values[0], 0) && Number.isNaN(values[1]) && Object.is(values[2], -0)).toBe(true);
        } finally {
          p.grad.dispose();
          p.dispose();
        }
      });

      clipping.it('clipGradValue clamps every gradient', async (rng) => {
        const { params, grads } = setup(rng);
        try {
          clipGradValue(params, 0.75);
          for (let i = 0; i < grads.length; i++) {
            const want = grads[i]!.data.map((g) => Math.min(Math.max(g, -0.75), 0.75));
            expect(Array.from(await params[i]!.grad!.data())).toEqual(Array.from(want, Math.fround));
          }
        } finally {
          cleanup(params);
        }
      });
    });

    suite.describe('memory', (memoryTests) => {
      /** A linear regression trained for `steps` steps; memory after the first few and after the last must agree. */
      const train = (make: (params: Tensor[]) => Optimizer, steps: number): void => {
        const x = tensor([[1, 2, 0, -1], [0, 1, 1, 1], [-1, 0, 2, 0], [2, -1, 0, 1], [0.5, 0.5, -0.5, 0], [1, 1, 1, 1], [-2, 0, 1, 0], [0, 0, -1, 3]]);
        const y = tensor([[1], [2], [-1], [0.5], [0], [3], [-2], [1]]);
        const w = tensor([[0.1], [-0.2], [0.3], [0]], { requiresGrad: true });
        const b = tensor([0], { requiresGrad: true });
        const optimizer = make([w, b]);
        try {
          const trainStep = (): void => {
            optimizer.zeroGrad();
            tidy(() => {
              mean(square(sub(add(matmul(x, w), b), y))).backward();
            });
            optimizer.step();
          };
          for (let i = 0; i < 5; i++) trainStep();
          const warm = memory();
          for (let i = 5; i < steps; i++) trainStep();
          const after = memory();
          expect(after.numTensors, 'live tensors').toBe(warm.numTensors);
          expect(after.numBuffers, 'engine buffers').toBe(warm.numBuffers);
          expect(after.numBytes, 'engine bytes').toBe(warm.numBytes);
          expect(after.backend?.buffers, 'backend buffers').toBe(warm.backend?.buffers);
        } finally {
          optimizer.zeroGrad();
          optimizer.dispose();
          dispose([x, y, w, b]);
        }
      };

      memoryTests.it('10,000 steps of Adam (AMSGrad) leave memory flat', () => {
        train((params) => new Adam(params, { lr: 1e-3, amsgrad: true, weightDecay: 1e-4 }), 10_000);
      });

      for (const [label, make] of [
        ['SGD', (params: Tensor[]) => new SGD(params, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
        ['AdamW', (params: Tensor[]) => new AdamW(params)],
        ['RMSprop', (params: Tensor[]) => new RMSprop(params, { centered: true, momentum: 0.5 })],
        ['Adagrad', (params: Tensor[]) => new Adagrad(params, { lrDecay: 0.01 })],
        ['Adamax', (params: Tensor[]) => new Adamax(params)],
      ] as const) {
        memoryTests.it(`300 steps of ${label} leave memory flat`, () => {
          train(make, 300);
        });
      }
    });

  });
}

/**
 * Autodiff semantics on the active backend: PyTorch-style backward and `.grad` accumulation,
 * the functional API over nested parameters, graph lifetime (saved tensors freed by backward or
 * when the graph is dropped), and clear errors for misuse.
 */
import { backward, grad, noGrad, valueAndGrad } from '@gated/autograd';

type Nested = number | Nested[];
const MLP_NAMES = ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'] as const;
type MlpName = (typeof MLP_NAMES)[number];

function flat(values: Nested): number[] {
  return Array.isArray(values) ? values.flatMap(flat) : [values];
}

function shapeOf(values: Nested): number[] {
  return Array.isArray(values) ? [values.length, ...shapeOf(values[0]!)] : [];
}

function fromFixture(values: Nested): Tensor {
  return tensor(Float32Array.from(flat(values)), { shape: shapeOf(values) });
}

/** The fixture's model, y = tanh(tanh(X W0ᵀ + b0) W1ᵀ + b1) W2ᵀ + b2, and its mean squared error. */
function mlpLoss(p: Record<MlpName, Tensor>, x: Tensor, y: Tensor): Tensor {
  const layer = (input: Tensor, w: Tensor, b: Tensor) => add(matmul(input, transpose(w)), b);
  const hidden = tanh(layer(tanh(layer(x, p['0.weight'], p['0.bias'])), p['2.weight'], p['2.bias']));
  return mean(square(sub(layer(hidden, p['4.weight'], p['4.bias']), y)));
}
import {
  GatedError,
  add,
  matmul,
  memory,
  mul,
  sigmoid,
  square,
  sub,
  sum,
  mean,
  tanh,
  tensor,
  tidy,
  transpose,
  type Tensor,
} from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../harness/context.js';

async function values(t: Tensor | null): Promise<number[]> {
  if (!t) throw new Error('expected a tensor, got null');
  return Array.from(await t.data());
}

export function autogradSuite(ctx: SuiteContext): void {
  ctx.describe('autodiff semantics', (t) => {
    t.it('fills .grad of leaves and accumulates across backward calls', async () => {
      const w = tensor([1, 2, 3], { requiresGrad: true });
      const loss = tidy(() => sum(mul(w, w)));
      loss.backward();
      expect(await values(w.grad)).toEqual([2, 4, 6]);
      const again = tidy(() => sum(mul(w, 3)));
      again.backward();
      expect(await values(w.grad)).toEqual([5, 7, 9]);
      w.grad!.dispose();
      for (const t of [w, loss, again]) t.dispose();
    });

    t.it('accumulates gradient along shared subgraphs once per path (diamond)', async () => {
      const x = tensor([0.5, -1], { requiresGrad: true });
      const loss = tidy(() => {
        const y = tanh(x);
        const a = mul(y, 2);
        const b = mul(y, y);
        return sum(add(a, b));
      });
      loss.backward();
      const t = [Math.tanh(0.5), Math.tanh(-1)];
      const expected = t.map((v) => (2 + 2 * v) * (1 - v * v));
      const got = await values(x.grad);
      got.forEach((g, i) => {
        expect(g).toBeCloseTo(expected[i]!, 5);
      });
      x.grad!.dispose();
      x.dispose();
      loss.dispose();
    });

    t.it('uses a seed for non-scalar outputs and refuses none', async () => {
      const x = tensor([1, 2], { requiresGrad: true });
      const y = mul(x, x);
      expect(() => {
        y.backward();
      }).toThrow(GatedError);
      expect(() => {
        y.backward();
      }).toThrow(/backward: the output has shape \[2\]: a non-scalar needs a seed gradient/);
      const wrongSeed = tensor([1, 2, 3]);
      expect(() => {
        y.backward(wrongSeed);
      }).toThrow(/backward: seed float32 \[3\] must be float32 of the output's shape \[2\]/);
      const seed = tensor([1, 10]);
      y.backward(seed);
      expect(await values(x.grad)).toEqual([2, 40]);
      x.grad!.dispose();
      for (const t of [x, y, wrongSeed, seed]) t.dispose();
    });

    t.it('refuses backward on a tensor that is not on the tape', () => {
      const x = tensor([1, 2]);
      const y = sum(x);
      expect(() => {
        y.backward();
      }).toThrow(/backward: tensor #\d+ \[\] does not require a gradient/);
      const w = tensor([1], { requiresGrad: true });
      const z = noGrad(() => tidy(() => sum(mul(w, 2))));
      expect(z.requiresGrad).toBe(false);
      expect(() => {
        z.backward();
      }).toThrow(/does not require a gradient/);
      for (const t of [x, y, w, z]) t.dispose();
    });

    t.it('refuses a second backward through a freed graph, and allows it when retained', async () => {
      const x = tensor([3], { requiresGrad: true });
      const y = tidy(() => sum(square(x)));
      y.backward();
      expect(() => {
        y.backward();
      }).toThrow(/backward: the graph through "sum" was already freed by an earlier backward pass; pass \{ retainGraph: true \}/);
      const z = tidy(() => sum(square(x)));
      backward(z, undefined, { retainGraph: true });
      backward(z);
      expect(await values(x.grad)).toEqual([6 + 6 + 6]);
      x.grad!.dispose();
      for (const t of [x, y, z]) t.dispose();
    });

    t.it('detach cuts the graph', async () => {
      const x = tensor([2], { requiresGrad: true });
      const frozen = tidy(() => mul(x, x).detach());
      expect(frozen.requiresGrad).toBe(false);
      const loss = tidy(() => sum(mul(frozen, x)));
      loss.backward();
      expect(await values(x.grad)).toEqual([4]);
      x.grad!.dispose();
      for (const t of [x, frozen, loss]) t.dispose();
    });

    t.it('frees saved tensors after backward and when a graph is dropped without backward', () => {
      const before = memory();
      const w = tensor(
        [
          [0.5, -0.2],
          [0.1, 0.3],
        ],
        { requiresGrad: true },
      );
      const x = tensor([[1, 2]]);
      const base = memory().numBuffers;
      const loss = tidy(() => sum(sigmoid(matmul(x, w))));
      expect(memory().numBuffers).toBeGreaterThan(base + 1);
      loss.dispose();
      expect(memory().numBuffers).toBe(base);
      const loss2 = tidy(() => sum(sigmoid(matmul(x, w))));
      loss2.backward();
      loss2.dispose();
      w.grad!.dispose();
      expect(memory().numBuffers).toBe(base);
      w.dispose();
      x.dispose();
      expect(memory().numTensors).toBe(before.numTensors);
    });

    t.it('differentiates with respect to nested parameters (valueAndGrad)', async () => {
      const w = tensor([
        [1, 2],
        [3, 4],
      ]);
      const b = tensor([0.5, -0.5]);
      const x = tensor([[1, 1]]);
      const f = (p: { w: Tensor; extra: Tensor[] }, input: Tensor) => sum(add(matmul(input, p.w), p.extra[0]!));
      const { value, grads } = valueAndGrad(f)({ w, extra: [b] }, x);
      expect(await values(value)).toEqual([10]);
      expect(value.requiresGrad).toBe(false);
      expect(await grads.w.toArray()).toEqual([
        [1, 1],
        [1, 1],
      ]);
      expect(await grads.extra[0]!.toArray()).toEqual([1, 1]);
      expect(w.grad).toBeNull();
      for (const t of [w, b, x, value, grads.w, grads.extra[0]!]) t.dispose();
    });

    t.it('returns zeros for an input the function does not use', async () => {
      const a = tensor([1, 2]);
      const b = tensor([3, 4]);
      const [ga, gb] = grad((p: Tensor[]) => sum(square(p[0]!)))([a, b]);
      expect(await values(ga!)).toEqual([2, 4]);
      expect(await values(gb!)).toEqual([0, 0]);
      for (const t of [a, b, ga!, gb!]) t.dispose();
    });

    t.it("an MLP trained with plain SGD follows PyTorch's loss curve", async () => {
      // Loaded here, not imported: the fixture is a chunk of its own in dist/ (docs/decisions/0006).
      const mlp = (await import('../../fixtures/autograd/mlp_sgd.json')).default;
      // tooling/reference/mlp_sgd.py: 300 full-batch SGD steps (lr 0.1) in PyTorch; compared with
      // its float64 run, as the fixture README suggests (float32 summation orders differ).
      const x = fromFixture(mlp.X);
      const y = fromFixture(mlp.y);
      const params = Object.fromEntries(MLP_NAMES.map((name) => [name, fromFixture(mlp.params[name] as Nested)])) as Record<
        MlpName,
        Tensor
      >;
      for (const p of Object.values(params)) p.requiresGrad = true;
      const lr = mlp.config.lr;
      try {
        for (let step = 0; step < mlp.config.steps; step++) {
          const loss = tidy(() => mlpLoss(params, x, y));
          loss.backward();
          const value = (await loss.data())[0]!;
          loss.dispose();
          const want = mlp.loss_float64[step]!;
          expect(Math.abs(value - want), `loss at step ${step}: ${value} vs ${want}`).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-7);
          if (step === 0) {
            for (const name of MLP_NAMES) {
              const got = Array.from(await params[name].grad!.data());
              flat(mlp.grad_step0[name]).forEach((g, i) => {
                expect(Math.abs(got[i]! - g), `grad_step0 ${name}[${i}]`).toBeLessThanOrEqual(1e-6);
              });
            }
          }
          noGrad(() => {
            for (const name of MLP_NAMES) {
              const p = params[name];
              tidy(() => {
                p.assign(sub(p, mul(p.grad!, lr)));
              });
              p.grad!.dispose();
              p.grad = null;
            }
          });
        }
        for (const name of MLP_NAMES) {
          const got = Array.from(await params[name].data());
          flat(mlp.final_params_float64[name]).forEach((want, i) => {
            expect(Math.abs(got[i]! - want), `final ${name}[${i}]`).toBeLessThanOrEqual(5e-6);
          });
        }
      } finally {
        for (const t of [x, y, ...Object.values(params)]) t.dispose();
      }
    });

    t.it('1,000 training steps leave engine memory flat', async () => {
      const w = tensor([[0.1], [-0.2], [0.3]], { requiresGrad: true });
      const x = tensor([
        [1, 2, 3],
        [0.5, -1, 2],
        [-1, 0, 1],
        [2, 2, -2],
      ]);
      const y = tensor([[1], [0], [0.5], [-1]]);
      const lossOf = () => sum(square(sub(matmul(x, w), y)));
      const readLoss = async () => {
        const loss = tidy(lossOf);
        const value = (await loss.data())[0]!;
        loss.dispose();
        return value;
      };
      const first = await readLoss();
      let afterFirstStep = memory();
      for (let step = 0; step < 1000; step++) {
        tidy(() => {
          lossOf().backward();
          noGrad(() => {
            w.assign(sub(w, mul(w.grad!, 0.01)));
          });
          w.grad!.dispose();
          w.grad = null;
        });
        if (step === 0) afterFirstStep = memory();
      }
      const end = memory();
      expect(end.numTensors).toBe(afterFirstStep.numTensors);
      expect(end.numBuffers).toBe(afterFirstStep.numBuffers);
      expect(end.numBytes).toBe(afterFirstStep.numBytes);
      expect(end.backend?.buffers).toBe(afterFirstStep.backend?.buffers);
      expect(await readLoss()).toBeLessThan(first);
      for (const t of [w, x, y]) t.dispose();
    });
  });
}

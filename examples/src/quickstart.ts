/**
 * Quickstart: fit a small two-layer network to y = sin(2x) on the TypeScript backend, with
 * autodiff and a hand-written SGD step, printing the loss as it falls and a few predictions.
 *
 *   pnpm --filter @gated/examples quickstart
 */
import { valueAndGrad, noGrad } from '@gated/autograd';
import { createTsBackend } from '@gated/backend-ts';
import {
  add,
  linspace,
  matmul,
  mean,
  memory,
  mul,
  randn,
  registerBackend,
  reshape,
  setBackend,
  sin,
  square,
  sub,
  tanh,
  tidy,
  type Tensor,
} from '@gated/tensor';

registerBackend('ts', createTsBackend);
await setBackend('ts');

interface Params {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

const hidden = 32;
const params: Params = tidy(() => ({
  w1: randn([1, hidden], { seed: 1 }),
  b1: mul(randn([hidden], { seed: 2 }), 0.1),
  w2: mul(randn([hidden, 1], { seed: 3 }), 1 / Math.sqrt(hidden)),
  b2: mul(randn([1], { seed: 4 }), 0.1),
}));

const x = tidy(() => reshape(linspace(-1.5, 1.5, 64), [64, 1]));
const y = tidy(() => sin(mul(x, 2)));

const predict = (p: Params, input: Tensor) => add(matmul(tanh(add(matmul(input, p.w1), p.b1)), p.w2), p.b2);
const lossFn = (p: Params) => mean(square(sub(predict(p, x), y)));
const step = valueAndGrad(lossFn);

const learningRate = 0.1;
const started = performance.now();
for (let epoch = 0; epoch <= 2000; epoch++) {
  const { value, grads } = step(params);
  noGrad(() => {
    for (const key of Object.keys(params) as (keyof Params)[]) {
      const updated = tidy(() => sub(params[key], mul(grads[key], learningRate)));
      params[key].dispose();
      params[key] = updated;
      grads[key].dispose();
    }
  });
  if (epoch % 250 === 0) console.log(`epoch ${String(epoch).padStart(4)}  mse ${(await value.item()).toFixed(6)}`);
  value.dispose();
}
const elapsedMs = performance.now() - started;

const probe = tidy(() => reshape(linspace(-1.5, 1.5, 5), [5, 1]));
const fitted = tidy(() => predict(params, probe));
const inputs = await probe.data();
const outputs = await fitted.data();
console.log('\n     x    sin(2x)   network');
inputs.forEach((v, i) => {
  console.log(
    `${v.toFixed(3).padStart(6)}  ${Math.sin(2 * v)
      .toFixed(4)
      .padStart(8)}  ${outputs[i]!.toFixed(4).padStart(8)}`,
  );
});
console.log(`\n2000 full-batch steps in ${(elapsedMs / 1000).toFixed(2)} s; live tensors: ${memory().numTensors}`);

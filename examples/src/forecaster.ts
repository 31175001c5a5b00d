/**
 * A time-series forecaster: an LSTM reads the last 32 values of a noisy seasonal series and a
 * Linear head predicts the next one. Trained with Adam (learning rate decayed by StepLR) and mseLoss on the TypeScript backend; it
 * prints the training loss and the validation error against the naive "tomorrow equals today"
 * forecast each epoch, then forecasts 12 steps ahead by feeding its own predictions back.
 *
 *   pnpm --filter @gated/examples forecaster     (about 12 s on two cores)
 */
import { createTsBackend } from '@gated/backend-ts';
import { LSTM, Linear, mseLoss, slidingWindows } from '@gated/lstm';
import { Adam, StepLR } from '@gated/optim';
import { memory, registerBackend, reshape, setBackend, tensor, tidy, type Tensor } from '@gated/tensor';

registerBackend('ts', createTsBackend);
await setBackend('ts');

/** mulberry32, so the data and the shuffles are the same on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A daily-looking series: a 24-step cycle, a slower 7.3-step one, a drifting level and noise.
const random = generator(7);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const length = 1400;
const series = Array.from(
  { length },
  (_, t) =>
    Math.sin((2 * Math.PI * t) / 24) + 0.5 * Math.sin((2 * Math.PI * t) / 7.3) + 0.3 * Math.sin((2 * Math.PI * t) / 400) + 0.1 * gaussian(),
);

const window = 32;
const all = slidingWindows(series, { window });
const trainCount = Math.floor(all.count * 0.8);
const valCount = all.count - trainCount;
const hiddenSize = 32;
const batch = 64;
const epochs = 20;

const lstm = new LSTM({ inputSize: 1, hiddenSize, batchFirst: true, seed: 1 });
const head = new Linear(hiddenSize, 1, { seed: 2 });
const optimizer = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
const schedule = new StepLR(optimizer, { stepSize: 8, gamma: 0.3 });

/** The next-value prediction for windows `x` [B, window, 1]: the head on the last hidden state. */
function predict(x: Tensor): Tensor {
  return tidy(() => {
    const { h } = lstm.forward(x);
    return head.forward(reshape(h, [x.shape[0]!, hiddenSize]));
  });
}

/** Windows `indices` of the series as tensors [n, window, 1] and their next values [n, 1]. */
function gatherWindows(indices: readonly number[]): { x: Tensor; y: Tensor } {
  const x = new Float32Array(indices.length * window);
  const y = new Float32Array(indices.length);
  indices.forEach((k, i) => {
    x.set(all.inputs.subarray(k * window, (k + 1) * window), i * window);
    y[i] = all.targets[k]!;
  });
  return { x: tensor(x, { shape: [indices.length, window, 1] }), y: tensor(y, { shape: [indices.length, 1] }) };
}

const validation = gatherWindows(Array.from({ length: valCount }, (_, i) => trainCount + i));
const naive = (() => {
  let total = 0;
  for (let i = 0; i < valCount; i++) {
    const k = trainCount + i;
    total += (all.targets[k]! - all.inputs[k * window + window - 1]!) ** 2;
  }
  return total / valCount;
})();

console.log(
  `${length} steps → ${all.count} windows of ${window} (train ${trainCount}, validation ${valCount}); LSTM(1, ${hiddenSize}) → Linear(${hiddenSize}, 1)`,
);
console.log(`naive forecast (next = last) validation MSE: ${naive.toFixed(4)}\n`);

const shuffle = generator(11);
const started = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  const order = Array.from({ length: trainCount }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let total = 0;
  let batches = 0;
  for (let start = 0; start + batch <= order.length; start += batch) {
    const { x, y } = gatherWindows(order.slice(start, start + batch));
    const loss = tidy(() => mseLoss(predict(x), y));
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
    total += await loss.item();
    batches++;
    for (const t of [x, y, loss]) t.dispose();
  }
  schedule.step();
  const valLoss = tidy(() => mseLoss(predict(validation.x), validation.y));
  const val = await valLoss.item();
  valLoss.dispose();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `epoch ${String(epoch).padStart(2)}  train MSE ${(total / batches).toFixed(4)}  validation MSE ${val.toFixed(4)}  (${(naive / val).toFixed(1)}× better than naive, ${seconds} s)`,
  );
}

// Forecast 12 steps past the end of the training data, feeding each prediction back in.
const horizon = 12;
const history = series.slice(trainCount, trainCount + window);
const forecast: number[] = [];
for (let step = 0; step < horizon; step++) {
  const x = tensor(Float32Array.from(history.slice(-window)), { shape: [1, window, 1] });
  const y = predict(x);
  const next = await y.item();
  forecast.push(next);
  history.push(next);
  x.dispose();
  y.dispose();
}
console.log(`\n${horizon}-step forecast from step ${trainCount + window} (predictions fed back in):`);
console.log('  step    truth   forecast');
forecast.forEach((value, i) => {
  const truth = series[trainCount + window + i]!;
  console.log(`  ${String(i + 1).padStart(4)}  ${truth.toFixed(3).padStart(7)}  ${value.toFixed(3).padStart(9)}`);
});

for (const t of [validation.x, validation.y]) t.dispose();
optimizer.dispose();
lstm.dispose();
head.dispose();
console.log(`\nlive tensors after disposing everything: ${memory().numTensors}`);

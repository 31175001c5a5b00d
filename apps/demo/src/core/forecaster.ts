/**
 * The forecasting model: LSTM(1, H) → Linear(H, 1) reads `window` normalized steps and predicts
 * the change to the next one (so a trend can be extrapolated past the training range). Trained
 * on every window of the training part with Adam and MSE; the forecast of the held-out steps is
 * recursive: each prediction is appended to the window for the next.
 */
import { noGrad } from '@gated/autograd';
import { LSTM, Linear, mseLoss } from '@gated/lstm';
import { Adam } from '@gated/optim';
import { add, dispose, narrow, reshape, tensor, tidy, type Tensor } from '@gated/tensor';
import { Rng } from './rng.js';
import type { ForecastOptions } from './forecast-options.js';
import type { Series } from './series.js';

export { DEFAULT_FORECAST, type ForecastOptions } from './forecast-options.js';

export class Forecaster implements Disposable {
  readonly lstm: LSTM;
  readonly head: Linear;
  private readonly optimizer: Adam;
  private readonly scaled: Float64Array;
  private readonly mean: number;
  private readonly std: number;
  private readonly train: number;
  private readonly rng: Rng;

  constructor(
    readonly series: Series,
    readonly options: ForecastOptions,
  ) {
    this.lstm = new LSTM({ inputSize: 1, hiddenSize: options.hiddenSize, batchFirst: true, seed: options.seed });
    this.head = new Linear(options.hiddenSize, 1, { seed: options.seed + 1 });
    this.optimizer = new Adam([...this.lstm.parameters(), ...this.head.parameters()], { lr: options.learningRate });
    this.rng = new Rng(options.seed);
    this.train = series.values.length - series.horizon;
    const raw = Float64Array.from(series.values, (v) => (series.log ? Math.log(v) : v));
    let mean = 0;
    for (let t = 0; t < this.train; t++) mean += raw[t]!;
    mean /= this.train;
    let variance = 0;
    for (let t = 0; t < this.train; t++) variance += (raw[t]! - mean) ** 2;
    this.mean = mean;
    this.std = Math.sqrt(variance / this.train) || 1;
    this.scaled = Float64Array.from(raw, (v) => (v - mean) / this.std);
  }

  /** Windows (of the training part) in one epoch. */
  get windows(): number {
    return this.train - this.series.window;
  }

  private predict(windows: Tensor): Tensor {
    const { output } = this.lstm.forward(windows);
    const W = this.series.window;
    const last = reshape(narrow(output, 1, W - 1, 1), [-1, this.options.hiddenSize]);
    // The prediction is the last input plus the predicted change.
    return add(this.head.forward(last), reshape(narrow(windows, 1, W - 1, 1), [-1, 1]));
  }

  /** One pass over the training windows in shuffled mini-batches; resolves to the mean loss. */
  async epoch(): Promise<number> {
    const W = this.series.window;
    const order = Array.from({ length: this.windows }, (_, k) => k);
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(this.rng.next() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    let total = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += this.options.batch) {
      const pick = order.slice(start, start + this.options.batch);
      const x = new Float32Array(pick.length * W);
      const y = new Float32Array(pick.length);
      pick.forEach((s, b) => {
        for (let t = 0; t < W; t++) x[b * W + t] = this.scaled[s + t]!;
        y[b] = this.scaled[s + W]!;
      });
      const xs = tensor(x, { shape: [pick.length, W, 1] });
      const ys = tensor(y, { shape: [pick.length, 1] });
      const loss = tidy(() => mseLoss(this.predict(xs), ys));
      dispose([xs, ys]);
      loss.backward();
      this.optimizer.step();
      this.optimizer.zeroGrad();
      total += await loss.item();
      loss.dispose();
      batches++;
    }
    return total / batches;
  }

  /** The recursive forecast of the held-out steps, in the series' units. */
  async forecast(): Promise<Float64Array> {
    const W = this.series.window;
    const context = Array.from(this.scaled.subarray(this.train - W, this.train));
    const out = new Float64Array(this.series.horizon);
    for (let k = 0; k < this.series.horizon; k++) {
      const x = tensor(Float32Array.from(context.slice(-W)), { shape: [1, W, 1] });
      const y = noGrad(() => tidy(() => this.predict(x)));
      x.dispose();
      const next = (await y.data())[0]!;
      y.dispose();
      context.push(next);
      const value = next * this.std + this.mean;
      out[k] = this.series.log ? Math.exp(value) : value;
    }
    return out;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.lstm.dispose();
    this.head.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

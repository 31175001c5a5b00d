/**
 * TensorFlow.js as a peer: the same LSTM (`tf.layers.lstm` with `recurrentActivation:
 * 'sigmoid'`, on [B, T, I]), the same weights (Keras layout, imported from the PyTorch-layout
 * arrays), the same train step (MSE, Adam through `optimizer.minimize`, inside `tf.tidy`), and
 * the micro-benchmarks it has (matmul, `tf.basicLSTMCell`, an Adam update). The timed region
 * ends with `await` of a one-element read of the step's result, so GPU work has really finished.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Outputs, Reference } from './check.js';
import { kerasWeights, swap01, transpose2d, type LstmData } from './data.js';
import { openPrepared, usePrepared } from './measure.js';
import { SEED, STREAM, uniform } from './prng.js';
import { SkipError, type Session, type Method, type Prepared, type SpecData, type Target } from './target.js';
import type { LstmSpec, MicroSpec, Spec } from './types.js';

type Tf = typeof TF;

export interface TfjsTargetOptions {
  /** The `tf` namespace (Node and the browser import it their own way). */
  readonly tf: Tf;
  /** TF.js backend name: `cpu`, `wasm`, `webgpu`. */
  readonly backend: string;
  /** Threads the backend computes with (read after init); 1 by default. */
  readonly threads?: () => number;
  /** A note for every row (e.g. the WebGPU adapter). */
  readonly note?: () => string | undefined;
  /** A running count of GPU dispatches (webgpu: see `countWebGpuDispatches`), or null. */
  readonly dispatches?: (() => number) | null;
}

/** PyTorch gate blocks (i, f, g, o) of a [rows, 4H] Keras matrix reordered to tf.basicLSTMCell's (i, j=g, f, o). */
function toBasicCellOrder(a: Float32Array, rows: number, hidden: number): Float32Array {
  const out = new Float32Array(a.length);
  const order = [0, 2, 1, 3];
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < 4; k++) {
      const from = r * 4 * hidden + order[k]! * hidden;
      out.set(a.subarray(from, from + hidden), r * 4 * hidden + k * hidden);
    }
  }
  return out;
}

export class TfjsTarget implements Target {
  readonly group = 'peer' as const;
  readonly name: string;
  threads = 1;
  note?: string;
  software?: boolean;
  private ready: Promise<string | null> | null = null;
  private readonly tf: Tf;

  constructor(private readonly options: TfjsTargetOptions) {
    this.tf = options.tf;
    this.name = `tfjs-${options.backend}`;
  }

  /** Activates the TF.js backend; resolves to null, or to why it cannot run. */
  init(): Promise<string | null> {
    this.ready ??= (async () => {
      try {
        const ok = await this.tf.setBackend(this.options.backend);
        if (!ok) return `TF.js could not initialise its ${this.options.backend} backend`;
        await this.tf.ready();
        this.threads = this.options.threads?.() ?? 1;
        const note = this.options.note?.();
        if (note !== undefined) this.note = note;
        return null;
      } catch (error) {
        return `TF.js ${this.options.backend} backend failed to start: ${error instanceof Error ? error.message : String(error)}`;
      }
    })();
    return this.ready;
  }

  supports(spec: Spec): string | null {
    if (spec.kind === 'micro' && spec.op === 'cell-pointwise') {
      return 'TF.js has no fused pointwise LSTM cell (its cell is tf.basicLSTMCell, measured as `cell`)';
    }
    if (spec.kind !== 'micro') {
      if (spec.cell === 'gru')
        return "TF.js's GRU supports only resetAfter = false (the reset gate applied before the recurrent product), not PyTorch's form: a different function";
      if (spec.proj) return "TF.js's LSTM layer has no projection (PyTorch's proj_size)";
      if (spec.returnGates) return "keeping every step's gates is a Gated-only comparison (contract v1.1's inference mode)";
    }
    return null;
  }

  async outputs(spec: Spec, data: SpecData): Promise<Outputs> {
    return usePrepared(this.prepare(spec, data), (prepared) => prepared.outputs());
  }

  async open(spec: Spec, data: SpecData, reference: Reference, method: Method): Promise<Session> {
    return openPrepared(spec, await this.prepare(spec, data), reference, method);
  }

  private async prepare(spec: Spec, data: SpecData): Promise<Prepared> {
    const problem = await this.init();
    if (problem !== null) throw new SkipError(problem);
    await this.tf.setBackend(this.options.backend);
    if (spec.kind === 'micro') return this.prepareMicro(spec);
    if (!data) throw new SkipError('no data for an LSTM spec');
    return this.prepareLstm(spec, data);
  }

  /** step/sync/peak around a function that returns the tensor whose one-element read ends the step. */
  private common(run: () => TF.Tensor): Pick<Prepared, 'step' | 'sync' | 'peakBytes' | 'dispatches' | 'activate'> {
    const tf = this.tf;
    const backendName = this.options.backend;
    let pending: TF.Tensor | null = null;
    const step = () => {
      pending?.dispose();
      pending = tf.tidy(() => {
        const result = run();
        return result.size === 1 ? result : result.reshape([-1]).slice([result.size - 1], [1]);
      });
    };
    const sync = async () => {
      const t = pending;
      pending = null;
      if (t) {
        await t.data();
        t.dispose();
      }
    };
    return {
      step,
      sync,
      // TF.js's backend is global: the other TF.js target's steps switch it between ours.
      activate: async () => {
        if (tf.getBackend() !== backendName) await tf.setBackend(backendName);
      },
      async peakBytes() {
        const info = await tf.profile(async () => {
          step();
          await sync();
          return [];
        });
        return info.peakBytes;
      },
      dispatches: () => this.options.dispatches?.() ?? null,
    };
  }

  private prepareLstm(spec: LstmSpec, d: LstmData): Prepared {
    const tf = this.tf;
    const { batch: B, seq: T, input: I, hidden: H } = spec;
    const layer = tf.layers.lstm({
      units: H,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      kernelInitializer: 'zeros',
      recurrentInitializer: 'zeros',
      biasInitializer: 'zeros',
      unitForgetBias: false,
    });
    const x = tf.tensor3d(swap01(d.x, T, B, I), [B, T, I]);
    const y = d.target ? tf.tensor3d(swap01(d.target, T, B, H), [B, T, H]) : null;
    tf.tidy(() => {
      layer.apply(tf.zeros([1, 1, I]));
    });
    const [kernel, recurrent, bias] = kerasWeights(d);
    const weights = [tf.tensor2d(kernel, [I, 4 * H]), tf.tensor2d(recurrent, [H, 4 * H]), tf.tensor1d(bias)];
    layer.setWeights(weights);
    tf.dispose(weights);
    // LayerVariable.read() is the tf.Variable itself (typed as a Tensor).
    const vars = layer.trainableWeights.map((w) => w.read() as unknown as TF.Variable);
    const recurrentVar = layer.trainableWeights.findIndex((w) => w.name.includes('recurrent_kernel'));
    if (recurrentVar < 0) throw new SkipError('tf.layers.lstm has no recurrent_kernel weight');
    const optimizer = y ? tf.train.adam(1e-3, 0.9, 0.999, 1e-8) : null;
    const loss = (): TF.Scalar => tf.losses.meanSquaredError(y!, layer.apply(x) as TF.Tensor);

    const run = y ? () => optimizer!.minimize(loss, true, vars)! : () => layer.apply(x) as TF.Tensor;

    const common = this.common(run);
    const count = this.options.dispatches;
    return {
      ...common,
      ...(count
        ? {
            // Forward alone (no tape), then a whole step; the step's backward and update are the difference.
            async phaseDispatches() {
              const start = count();
              const out = tf.tidy(() => layer.apply(x) as TF.Tensor);
              await out.data();
              out.dispose();
              const forward = count() - start;
              if (!y) return { forward: forward / T, backward: null };
              const before = count();
              await common.step();
              await common.sync();
              return { forward: forward / T, backward: (count() - before - forward) / T };
            },
          }
        : {}),
      async outputs() {
        const out = tf.tidy(() => layer.apply(x) as TF.Tensor);
        const output = swap01((await out.data()) as Float32Array, B, T, H);
        out.dispose();
        if (!y) return { output };
        const { value, grads } = tf.variableGrads(loss, vars);
        const g = grads[vars[recurrentVar]!.name]!;
        const dWeightHh = transpose2d((await g.data()) as Float32Array, H, 4 * H);
        tf.dispose([value, ...Object.values(grads)]);
        return { output, dWeightHh };
      },
      dispose() {
        tf.dispose([x, ...(y ? [y] : [])]);
        optimizer?.dispose();
        layer.dispose();
      },
    };
  }

  private prepareMicro(spec: MicroSpec): Prepared {
    const tf = this.tf;
    switch (spec.op) {
      case 'matmul': {
        const { m, k, n } = spec as Required<MicroSpec>;
        const a = tf.tensor2d(uniform(m * k, SEED, STREAM.matA, 1), [m, k]);
        const b = tf.tensor2d(uniform(k * n, SEED, STREAM.matB, 1), [k, n]);
        return {
          ...this.common(() => tf.matMul(a, b)),
          async outputs() {
            const y = tf.matMul(a, b);
            const out = (await y.data()) as Float32Array;
            y.dispose();
            return { y: out };
          },
          dispose: () => {
            tf.dispose([a, b]);
          },
        };
      }
      case 'cell': {
        const { batch: B, input: I, hidden: H } = spec as Required<MicroSpec>;
        const bound = 1 / Math.sqrt(H);
        const wih = transpose2d(uniform(4 * H * I, SEED, STREAM.weightIh, bound), 4 * H, I);
        const whh = transpose2d(uniform(4 * H * H, SEED, STREAM.weightHh, bound), 4 * H, H);
        const stacked = new Float32Array((I + H) * 4 * H);
        stacked.set(wih, 0);
        stacked.set(whh, I * 4 * H);
        const biasIh = uniform(4 * H, SEED, STREAM.biasIh, bound);
        const biasHh = uniform(4 * H, SEED, STREAM.biasHh, bound);
        const biasSum = biasIh.map((v, i) => v + biasHh[i]!);
        const kernel = tf.tensor2d(toBasicCellOrder(stacked, I + H, H), [I + H, 4 * H]);
        const bias = tf.tensor1d(toBasicCellOrder(biasSum, 1, H));
        const forgetBias = tf.scalar(0);
        const x = tf.tensor2d(uniform(B * I, SEED, STREAM.x, 1), [B, I]);
        const h0 = tf.tensor2d(uniform(B * H, SEED, STREAM.h0, 1), [B, H]);
        const c0 = tf.tensor2d(uniform(B * H, SEED, STREAM.c0, 1), [B, H]);
        const cell = () => tf.basicLSTMCell(forgetBias, kernel, bias, x, c0, h0);
        return {
          ...this.common(() => tf.concat(cell(), 1)),
          async outputs() {
            const [c, h] = cell();
            const out = { h: (await h.data()) as Float32Array, c: (await c.data()) as Float32Array };
            tf.dispose([c, h]);
            return out;
          },
          dispose: () => {
            tf.dispose([kernel, bias, forgetBias, x, h0, c0]);
          },
        };
      }
      case 'adam': {
        const n = spec.size!;
        const p = tf.variable(tf.tensor1d(uniform(n, SEED, STREAM.weightIh, 1)));
        const g = tf.tensor1d(uniform(n, SEED, STREAM.grad, 1));
        const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
        const update = () => {
          optimizer.applyGradients([{ name: p.name, tensor: g }]);
        };
        return {
          ...this.common(() => {
            update();
            return p.slice([0], [1]);
          }),
          async outputs() {
            update();
            return { param: (await p.data()) as Float32Array };
          },
          dispose() {
            optimizer.dispose();
            tf.dispose([p, g]);
          },
        };
      }
      case 'cell-pointwise':
        throw new SkipError(this.supports(spec)!);
    }
  }
}

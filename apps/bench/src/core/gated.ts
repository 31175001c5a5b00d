/**
 * Gated's own backends as benchmark targets. Backends are registered through `@gated/tensor`'s
 * registry (see `registerGatedBackend`) and found with `listBackends()`; nothing here names a
 * backend. A train step is `mseLoss(layer.forward(x).output, target)`, `loss.backward()`,
 * `adam.step()`, `adam.zeroGrad()` inside `tidy` (the layer an `LSTM`, projected or not, or a
 * `GRU`); inference is `noGrad(() => layer.forward(x))` (with `returnGates` for W3-gates and
 * W4-gates). The timed region ends with `await getBackend().sync()`.
 */
import { installAutograd, noGrad } from '@gated/autograd';
import { GRU, LSTM, LSTMCell, mseLoss } from '@gated/lstm';
import { Adam } from '@gated/optim';
import {
  getBackend,
  initBackend,
  lstmCell,
  matmul,
  registerBackend,
  setBackend,
  tensor,
  tidy,
  type Backend,
  type BackendFactory,
  type Tensor,
} from '@gated/tensor';
import type { Outputs, Reference } from './check.js';
import { gateCount, type LstmData } from './data.js';
import { openPrepared, stateWidth, usePrepared } from './measure.js';
import { SEED, STREAM, uniform } from './prng.js';
import { SkipError, type Session, type Method, type Prepared, type SpecData, type Target } from './target.js';
import type { LstmSpec, MicroSpec, Spec } from './types.js';

// A bundler drops the import-time installation of a side-effect-free package (decision 0002):
// install the tape explicitly so `loss.backward()` works in the browser build too.
installAutograd();

/** Peak tracking: live bytes peak right before a buffer is freed, so sampling there finds the maximum. */
interface Probe {
  active: boolean;
  peak: number;
}

const probes = new Map<string, Probe>();

function instrument(backend: Backend, probe: Probe): Backend {
  const free = backend.free.bind(backend);
  backend.free = (handle) => {
    if (probe.active) {
      const bytes = backend.memory().bytes;
      if (bytes > probe.peak) probe.peak = bytes;
    }
    free(handle);
  };
  return backend;
}

/**
 * Registers a Gated backend under `name` with the engine's registry, wrapped so the harness can
 * measure its peak memory (one check of a flag per freed buffer; off while timing).
 */
export function registerGatedBackend(name: string, factory: BackendFactory): void {
  const probe: Probe = { active: false, peak: 0 };
  probes.set(name, probe);
  registerBackend(name, async () => instrument(await factory(), probe));
}

function param(values: Float32Array, shape: number[]): Tensor {
  return tensor(values, { shape });
}

async function read(t: Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

function disposeAll(list: readonly (Tensor | null | undefined)[]): void {
  for (const t of list) t?.dispose();
}

export class GatedTarget implements Target {
  readonly group = 'gated' as const;
  threads = 1;
  note?: string;
  software?: boolean;
  private backend: Backend | null = null;

  constructor(readonly name: string) {}

  /** Creates the backend (compiles wasm, starts workers) and reads its thread count. */
  async init(): Promise<Backend> {
    this.backend ??= await initBackend(this.name);
    this.threads = this.backend.caps.threads ?? 1;
    return this.backend;
  }

  supports(_spec: Spec): string | null {
    return null;
  }

  async outputs(spec: Spec, data: SpecData): Promise<Outputs> {
    return usePrepared(this.prepare(spec, data), (prepared) => prepared.outputs());
  }

  async open(spec: Spec, data: SpecData, reference: Reference, method: Method): Promise<Session> {
    return openPrepared(spec, await this.prepare(spec, data), reference, method);
  }

  /** Live bytes of this backend before the model being prepared was built (see `common`). */
  private baseline = 0;

  async prepare(spec: Spec, data: SpecData): Promise<Prepared> {
    await this.init();
    await setBackend(this.name);
    this.baseline = getBackend().memory().bytes;
    if (spec.kind === 'micro') return this.prepareMicro(spec);
    if (!data) throw new SkipError('no data for an LSTM spec');
    return this.prepareLstm(spec, data);
  }

  /**
   * step/sync/peak of a prepared model. The peak is counted from the bytes this backend held
   * before the model was built (`baseline`), so it is this model's alone (its weights, inputs and
   * the step's transients) even while the runner holds other models on the same backend, which it
   * does when it times several workloads together (the scaling family).
   */
  private common(step: () => void): Pick<Prepared, 'step' | 'sync' | 'peakBytes' | 'dispatches' | 'activate'> {
    const backend = getBackend();
    const probe = probes.get(this.name);
    const baseline = this.baseline;
    const sync = () => backend.sync();
    const name = this.name;
    return {
      step,
      sync,
      // The engine's active backend is global: the other targets' steps switch it between ours.
      activate: async () => {
        await setBackend(name);
      },
      async peakBytes() {
        if (!probe) {
          step();
          await sync();
          return null;
        }
        probe.peak = backend.memory().bytes;
        probe.active = true;
        try {
          step();
          await sync();
          const end = backend.memory().bytes;
          return Math.max(probe.peak, end) - baseline;
        } finally {
          probe.active = false;
        }
      },
      dispatches() {
        const counters = backend.counters?.();
        if (!counters) return null;
        return counters['dispatches'] ?? counters['kernels'] ?? null;
      },
    };
  }

  private prepareLstm(spec: LstmSpec, d: LstmData): Prepared {
    const { batch: B, seq: T, input: I, hidden: H } = spec;
    const G = gateCount(spec);
    const P = stateWidth(spec);
    const lstm =
      spec.cell === 'gru'
        ? new GRU({ inputSize: I, hiddenSize: H, seed: SEED })
        : new LSTM({ inputSize: I, hiddenSize: H, projSize: spec.proj ?? 0, seed: SEED });
    const dict: Record<string, Tensor> = {
      weight_ih_l0: param(d.weightIh, [G * H, I]),
      weight_hh_l0: param(d.weightHh, [G * H, P]),
      bias_ih_l0: param(d.biasIh, [G * H]),
      bias_hh_l0: param(d.biasHh, [G * H]),
      ...(d.weightHr ? { weight_hr_l0: param(d.weightHr, [P, H]) } : {}),
    };
    lstm.loadStateDict(dict);
    disposeAll(Object.values(dict));
    const x = tensor(d.x, { shape: [T, B, I] });
    const target = d.target ? tensor(d.target, { shape: [T, B, P] }) : null;
    const returnGates = spec.returnGates === true && lstm instanceof LSTM;
    const infer = () => (returnGates ? lstm.forward(x, { returnGates }) : lstm.forward(x));
    const adam = target ? new Adam(lstm.parameters(), { lr: 1e-3 }) : null;
    const weightHh = lstm.namedParameters().find(([name]) => name === 'weight_hh_l0')![1];

    const step = target
      ? () => {
          tidy(() => {
            const loss = mseLoss(lstm.forward(x).output, target);
            loss.backward();
            adam!.step();
            adam!.zeroGrad();
          });
        }
      : () => {
          tidy(() => {
            noGrad(infer);
          });
        };

    const common = this.common(step);
    return {
      ...common,
      // Backends with GPU dispatches (webgpu) only: CPU backends count kernel calls, not dispatches.
      async phaseDispatches() {
        const backend = getBackend();
        const count = (): number | undefined => backend.counters?.()['dispatches'];
        if (count() === undefined) return null;
        await common.sync();
        const start = count()!;
        if (!target) {
          step();
          await common.sync();
          return { forward: (count()! - start) / T, backward: null };
        }
        // The GRU's result has no cell state.
        const result: { readonly output: Tensor; readonly h: Tensor; readonly c?: Tensor } = tidy(() => lstm.forward(x));
        await common.sync();
        const middle = count()!;
        tidy(() => {
          mseLoss(result.output, target).backward();
          adam!.step();
          adam!.zeroGrad();
        });
        disposeAll([result.output, result.h, result.c]);
        await common.sync();
        return { forward: (middle - start) / T, backward: (count()! - middle) / T };
      },
      async outputs() {
        if (!target) {
          const output = noGrad(() => tidy(() => infer().output));
          try {
            return { output: await read(output) };
          } finally {
            output.dispose();
          }
        }
        const output = tidy(() => {
          const out = lstm.forward(x).output;
          mseLoss(out, target).backward();
          return out;
        });
        try {
          const grad = weightHh.grad;
          if (!grad) throw new SkipError('backward left no gradient on weight_hh_l0');
          return { output: await read(output), dWeightHh: await read(grad) };
        } finally {
          output.dispose();
          lstm.zeroGrad();
        }
      },
      dispose() {
        adam?.dispose();
        disposeAll([x, target]);
        lstm.dispose();
      },
    };
  }

  private prepareMicro(spec: MicroSpec): Prepared {
    switch (spec.op) {
      case 'matmul': {
        const { m, k, n } = spec as Required<MicroSpec>;
        const a = tensor(uniform(m * k, SEED, STREAM.matA, 1), { shape: [m, k] });
        const b = tensor(uniform(k * n, SEED, STREAM.matB, 1), { shape: [k, n] });
        const step = () => {
          tidy(() => {
            matmul(a, b);
          });
        };
        return {
          ...this.common(step),
          async outputs() {
            const y = matmul(a, b);
            try {
              return { y: await read(y) };
            } finally {
              y.dispose();
            }
          },
          dispose: () => {
            disposeAll([a, b]);
          },
        };
      }
      case 'cell': {
        const { batch: B, input: I, hidden: H } = spec as Required<MicroSpec>;
        const bound = 1 / Math.sqrt(H);
        const cell = new LSTMCell({ inputSize: I, hiddenSize: H, seed: SEED });
        const dict = {
          weight_ih: param(uniform(4 * H * I, SEED, STREAM.weightIh, bound), [4 * H, I]),
          weight_hh: param(uniform(4 * H * H, SEED, STREAM.weightHh, bound), [4 * H, H]),
          bias_ih: param(uniform(4 * H, SEED, STREAM.biasIh, bound), [4 * H]),
          bias_hh: param(uniform(4 * H, SEED, STREAM.biasHh, bound), [4 * H]),
        };
        cell.loadStateDict(dict);
        disposeAll(Object.values(dict));
        const x = tensor(uniform(B * I, SEED, STREAM.x, 1), { shape: [B, I] });
        const h0 = tensor(uniform(B * H, SEED, STREAM.h0, 1), { shape: [B, H] });
        const c0 = tensor(uniform(B * H, SEED, STREAM.c0, 1), { shape: [B, H] });
        const step = () => {
          tidy(() => {
            noGrad(() => cell.forward(x, { h0, c0 }));
          });
        };
        return {
          ...this.common(step),
          async outputs() {
            const { h, c } = noGrad(() => cell.forward(x, { h0, c0 }));
            try {
              return { h: await read(h), c: await read(c) };
            } finally {
              disposeAll([h, c]);
            }
          },
          dispose() {
            disposeAll([x, h0, c0]);
            cell.dispose();
          },
        };
      }
      case 'cell-pointwise': {
        const { batch: B, hidden: H } = spec as Required<MicroSpec>;
        const ig = tensor(uniform(B * 4 * H, SEED, STREAM.x, 2), { shape: [B, 4 * H] });
        const hg = tensor(uniform(B * 4 * H, SEED, STREAM.h0, 2), { shape: [B, 4 * H] });
        const c0 = tensor(uniform(B * H, SEED, STREAM.c0, 1), { shape: [B, H] });
        const step = () => {
          tidy(() => {
            noGrad(() => lstmCell(ig, hg, c0));
          });
        };
        return {
          ...this.common(step),
          async outputs() {
            const out = noGrad(() => lstmCell(ig, hg, c0));
            try {
              return { h: await read(out.h), c: await read(out.c) };
            } finally {
              disposeAll(Object.values(out));
            }
          },
          dispose: () => {
            disposeAll([ig, hg, c0]);
          },
        };
      }
      case 'adam': {
        const n = spec.size!;
        const initial = uniform(n, SEED, STREAM.weightIh, 1);
        const p = tensor(initial, { requiresGrad: true });
        const g = tensor(uniform(n, SEED, STREAM.grad, 1));
        p.grad = g as Tensor<'float32'>;
        const adam = new Adam([p], { lr: 1e-3 });
        const step = () => {
          adam.step();
        };
        return {
          ...this.common(step),
          async outputs() {
            // One step from the initial values: the updated parameter.
            adam.step();
            return { param: await read(p) };
          },
          dispose() {
            p.grad = null;
            adam.dispose();
            disposeAll([p, g]);
          },
        };
      }
    }
  }
}

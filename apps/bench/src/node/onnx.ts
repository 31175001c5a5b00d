/**
 * onnxruntime-node as a peer (inference only): the LSTM or GRU as a one-node ONNX model with the
 * same weights (written by `../core/onnx-model.ts`), and the matmul micro-benchmark. `session.run`
 * resolves when the outputs are computed, so awaiting it is the timed step.
 */
import type * as Ort from 'onnxruntime-node';
import type { Outputs, Reference } from '../core/check.js';
import { onnxWeights, type LstmData } from '../core/data.js';
import { openPrepared } from '../core/measure.js';
import { lstmModel, matmulModel } from '../core/onnx-model.js';
import { SEED, STREAM, uniform } from '../core/prng.js';
import { SkipError, type Session, type Method, type Prepared, type SpecData, type Target } from '../core/target.js';
import type { Spec } from '../core/types.js';

type OrtModule = typeof Ort;

export class OnnxTarget implements Target {
  readonly group = 'peer' as const;
  note?: string;

  /** `onnxruntime` runs on every core, `onnxruntime-1t` on one (`intraOpNumThreads`). */
  constructor(
    private readonly ort: OrtModule,
    readonly name: string,
    public threads: number,
  ) {}

  supports(spec: Spec): string | null {
    if (spec.kind === 'micro') {
      return spec.op === 'matmul' ? null : 'onnxruntime is an inference runtime: no standalone cell kernel or optimizer';
    }
    if (spec.mode === 'train') return 'onnxruntime-node runs inference only (training needs onnxruntime-training, not published for Node)';
    if (spec.proj) return "ONNX's LSTM operator has no projection (PyTorch's proj_size)";
    if (spec.returnGates) return "keeping every step's gates is a Gated-only comparison (contract v1.1's inference mode)";
    return null;
  }

  async open(spec: Spec, data: SpecData, reference: Reference, method: Method): Promise<Session> {
    return openPrepared(spec, await this.prepare(spec, data), reference, method);
  }

  private async session(modelBytes: Uint8Array): Promise<Ort.InferenceSession> {
    return this.ort.InferenceSession.create(modelBytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  }

  private async prepare(spec: Spec, data: SpecData): Promise<Prepared> {
    const reason = this.supports(spec);
    if (reason !== null) throw new SkipError(reason);
    let session: Ort.InferenceSession;
    let feeds: Record<string, Ort.Tensor>;
    let outputKey: string;
    if (spec.kind === 'micro') {
      const { m, k, n } = spec as Required<typeof spec>;
      session = await this.session(matmulModel(m, k, n));
      feeds = {
        A: new this.ort.Tensor('float32', uniform(m * k, SEED, STREAM.matA, 1), [m, k]),
        B: new this.ort.Tensor('float32', uniform(k * n, SEED, STREAM.matB, 1), [k, n]),
      };
      outputKey = 'y';
    } else {
      const d = data as LstmData;
      const { seq: T, batch: B, input: I } = spec;
      session = await this.session(lstmModel({ ...spec, gru: spec.cell === 'gru' }, onnxWeights(d)));
      feeds = { X: new this.ort.Tensor('float32', d.x, [T, B, I]) };
      outputKey = 'output';
    }
    const runOnce = async (): Promise<Float32Array> => {
      const result = await session.run(feeds);
      const y = result['Y']!;
      const values = y.data as Float32Array;
      y.dispose();
      return values;
    };
    let pending: Promise<Float32Array> | null = null;
    const step = () => {
      pending = runOnce();
    };
    const sync = async () => {
      const p = pending;
      pending = null;
      if (p) await p;
    };
    return {
      step,
      sync,
      async outputs(): Promise<Outputs> {
        return { [outputKey]: Float32Array.from(await runOnce()) };
      },
      async peakBytes() {
        step();
        await sync();
        return null;
      },
      dispatches: () => null,
      async dispose() {
        await session.release();
      },
    };
  }
}

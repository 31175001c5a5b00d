/**
 * A target is one thing measured: a Gated backend (`ts`, `wasm`, `wasm-2t`, `webgpu`) or a peer
 * (`tfjs-cpu`, `onnxruntime`, `torch`, ...). JavaScript targets implement {@link Target.prepare}
 * and share {@link measurePrepared}, the one timing loop; the PyTorch target runs the same loop in
 * its own process.
 */
import type { Outputs, Reference } from './check.js';
import type { LstmData } from './data.js';
import type { CheckResult, DispatchesPerTimestep, Spec } from './types.js';

/** Method settings (docs/architecture.md, "Benchmarks": warm-up, then the median of at least 5 runs). */
export interface Method {
  /** Untimed runs before timing (compilation, JIT, pools, Adam's state). */
  readonly warmup: number;
  /** Timed runs, at least. Never fewer than 5. */
  readonly minRuns: number;
  /** More runs until this much time was timed... */
  readonly minTimeMs: number;
  /** ...but never more than this many. */
  readonly maxRuns: number;
  /**
   * When the check step (the first run, compilation included) takes longer than this, the pair
   * is not timed: set by the runner from its time budget; absent: no limit.
   */
  readonly maxCheckMs?: number;
}

export const FULL_METHOD: Method = { warmup: 2, minRuns: 7, minTimeMs: 1000, maxRuns: 25 };
export const QUICK_METHOD: Method = { warmup: 1, minRuns: 5, minTimeMs: 300, maxRuns: 10 };

/** The data of a spec: an LSTM's arrays, or a micro-benchmark's (built by the target itself). */
export type SpecData = LstmData | null;

/** A target ready to run one spec. */
export interface Prepared {
  /**
   * The outputs compared with backend-ts, from the initial weights: for an LSTM `output`
   * ([T, B, H], time-major) and, for a train spec, `dWeightHh` (dL/dweight_hh_l0, [4H, H]).
   * Runs before any timed step (a train step changes the weights).
   */
  outputs(): Promise<Outputs>;
  /** Starts one step (a GPU target may only enqueue it). */
  step(): void | Promise<void>;
  /** Resolves when the step's work is done: part of the timed region. */
  sync(): Promise<void>;
  /** Peak bytes held during one extra (untimed) step, or null where the library cannot tell. */
  peakBytes(): Promise<number | null>;
  /** A running count of kernel dispatches, or null where the backend does not count. */
  dispatches(): number | null;
  /**
   * LSTM specs: dispatches per time step of one extra (untimed) step, forward and the rest
   * separately; absent where the target cannot count or split them.
   */
  phaseDispatches?(): Promise<DispatchesPerTimestep | null>;
  /** Frees everything prepared. */
  dispose(): void | Promise<void>;
}

/** What measuring one (spec, target) pair yields. */
export interface Measured {
  readonly samplesMs: readonly number[];
  readonly peakBytes: number | null;
  readonly dispatchesPerStep: number | null;
  readonly dispatchesPerTimestep?: DispatchesPerTimestep | null;
  readonly check: CheckResult;
  readonly note?: string;
}

/** Thrown when a pair cannot be measured; the runner records it as skipped with the message. */
export class SkipError extends Error {
  override readonly name = 'SkipError';

  /** @param observedMs the time one step took, when the skip came from measuring it (feeds the budget's predictions). */
  constructor(
    message: string,
    readonly observedMs?: number,
  ) {
    super(message);
  }
}

export interface Target {
  /** The `backend` field of the rows (`ts`, `tfjs-wasm`, ...). */
  readonly name: string;
  readonly group: 'gated' | 'peer';
  /** Threads it computes with (filled in once known). */
  threads: number;
  /** Something a reader must know about every row of this target (e.g. a software GPU). */
  note?: string;
  /**
   * Runs on a software GPU (SwiftShader): slower than the CPU backends by design, so the time
   * budget applies to it on W1–W4 too instead of letting one spec eat a quick run's deadline.
   */
  software?: boolean;
  /** null when the target runs the spec, else why not. */
  supports(spec: Spec): string | null;
  /** Checks the outputs against the reference, then times. */
  run(spec: Spec, data: SpecData, reference: Reference, method: Method): Promise<Measured>;
  /** Outputs only (used to build the reference from backend-ts). */
  outputs?(spec: Spec, data: SpecData): Promise<Outputs>;
  /** Releases the target (workers, sessions, child processes). */
  close?(): Promise<void>;
}

const now = (): number => performance.now();

/** The timing loop: warm-up, then at least `minRuns` timed runs of step + sync. */
export async function timeSteps(prepared: Pick<Prepared, 'step' | 'sync'>, method: Method): Promise<number[]> {
  for (let i = 0; i < method.warmup; i++) {
    await prepared.step();
    await prepared.sync();
  }
  const samples: number[] = [];
  let total = 0;
  const minRuns = Math.max(5, method.minRuns);
  while (samples.length < minRuns || (total < method.minTimeMs && samples.length < method.maxRuns)) {
    const t0 = now();
    await prepared.step();
    await prepared.sync();
    const ms = now() - t0;
    samples.push(ms);
    total += ms;
  }
  return samples;
}

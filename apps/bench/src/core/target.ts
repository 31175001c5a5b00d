/**
 * A target is one thing measured: a Gated backend (`ts`, `wasm`, `wasm-2t`, `webgpu`) or a peer
 * (`tfjs-cpu`, `onnxruntime`, `torch`, ...). For each spec the runner opens a {@link Session} on
 * every target (checking its outputs first), then times the sessions in interleaved rounds
 * (interleave.ts): one step of each target in turn, so a slow minute of a shared machine hits
 * every row alike. JavaScript targets open sessions over a {@link Prepared} (`openPrepared` in
 * measure.ts); the PyTorch target's sessions live in its worker process.
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
  /**
   * Makes this target the active one again before its step (outside the timed region): the
   * engines that keep a global backend (`@gated/tensor`, TF.js) switch to it. Absent: nothing to do.
   */
  activate?(): void | Promise<void>;
}

/** A target opened on one spec: checked, ready to time one step at a time. */
export interface Session {
  readonly check: CheckResult;
  /** A note for this pair's row, if any. */
  readonly note?: string;
  /** Runs one step (activation untimed) and returns its wall time, ms (step + sync). */
  timeStep(): Promise<number>;
  /**
   * Peak bytes held during one extra step, and the kernel dispatches it made (null where unknown).
   * The runner calls it once, right after opening (before it opens the next session of a group).
   */
  footprint(): Promise<{
    readonly peakBytes: number | null;
    readonly dispatchesPerStep: number | null;
    /** LSTM/GRU specs on a target that splits them: dispatches per time step, forward and the rest. */
    readonly dispatchesPerTimestep?: DispatchesPerTimestep | null;
  }>;
  close(): void | Promise<void>;
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
   * budget applies to it on W1–W8 too instead of letting one spec eat a quick run's deadline.
   */
  software?: boolean;
  /** null when the target runs the spec, else why not. */
  supports(spec: Spec): string | null;
  /** Prepares the spec and checks its outputs against the reference (a SkipError when they differ or the check is too slow). */
  open(spec: Spec, data: SpecData, reference: Reference, method: Method): Promise<Session>;
  /** Outputs only (used to build the reference from backend-ts). */
  outputs?(spec: Spec, data: SpecData): Promise<Outputs>;
  /** Releases the target (workers, sessions, child processes). */
  close?(): Promise<void>;
}

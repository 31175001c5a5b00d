/**
 * The data model of the harness: what is measured (a {@link Spec}), what a measurement yields (a
 * {@link Row}), what could not be measured and why (a {@link Skip}), and a whole run's
 * {@link BenchResult}. Everything here is plain JSON so Node, the browser page and the PyTorch
 * script exchange it unchanged.
 */

/** How a spec exercises a model. */
export type Mode = 'train' | 'infer';

/** Which family a spec belongs to. */
export type SpecKind = 'workload' | 'gpu' | 'sweep' | 'micro' | 'scaling';

/** The recurrent layer a spec runs: PyTorch's `nn.LSTM` (with `proj_size` when `proj` > 0) or `nn.GRU`. */
export type Cell = 'lstm' | 'gru';

/** The micro-benchmarks: one matmul, one LSTM cell step, the fused pointwise cell, one Adam step. */
export type MicroOp = 'matmul' | 'cell' | 'cell-pointwise' | 'adam';

/**
 * A recurrent workload (W1–W8, a GPU workload, a sweep cell or a scaling cell): one layer,
 * float32, PyTorch's time-major layout. An LSTM unless `cell` says GRU; `proj` > 0 is a projected LSTM.
 */
export interface LstmSpec {
  readonly kind: 'workload' | 'gpu' | 'sweep' | 'scaling';
  /** `W1`…`W8`, `W3-gates`, `G1`…`G8`, `sweep-<mode>-b<B>-t<T>-h<H>`, or `scale-<lstm|gru|proj>-t<T>`. */
  readonly id: string;
  readonly mode: Mode;
  readonly batch: number;
  readonly seq: number;
  readonly input: number;
  readonly hidden: number;
  /** Default `lstm`. */
  readonly cell?: Cell;
  /** The LSTM's projection size (PyTorch's `proj_size`); 0 or absent: none. */
  readonly proj?: number;
  /**
   * Inference that keeps every step's gates and cell states (`LSTM.forward`'s `returnGates`):
   * what every inference pass stored before contract v1.1's inference mode. Gated's backends only.
   */
  readonly returnGates?: boolean;
}

/** A micro-benchmark. Shapes: matmul [m,k]·[k,n]; cell batch/input/hidden; adam `size` elements. */
export interface MicroSpec {
  readonly kind: 'micro';
  /** e.g. `matmul-256x256x256`, `cell-b64-i256-h256`, `adam-328k`. */
  readonly id: string;
  readonly op: MicroOp;
  readonly m?: number;
  readonly k?: number;
  readonly n?: number;
  readonly batch?: number;
  readonly input?: number;
  readonly hidden?: number;
  readonly size?: number;
}

export type Spec = LstmSpec | MicroSpec;

/** The outcome of comparing a backend's output with backend-ts's before timing. */
export interface CheckResult {
  /** `pass`: within tolerance. `not-comparable`: the peer computes a different function (stated in `note`). */
  readonly status: 'pass' | 'not-comparable';
  /** Largest |x - ref| / max(1, |ref|max) over everything compared. */
  readonly maxError: number;
  readonly tolerance: number;
  /** What was compared (e.g. `output[T,B,H] + dL/dweight_hh`). */
  readonly compared: string;
  readonly note?: string;
}

/** One measured (workload, backend) pair: what `--json` prints, one per line of the table. */
export interface Row {
  /** Spec id: `W1`…`W8`, a sweep or scaling cell, or a micro-benchmark. */
  readonly workload: string;
  /** `ts`, `wasm`, `wasm-2t`, `webgpu`, `tfjs-cpu`, `tfjs-wasm`, `tfjs-webgpu`, `onnxruntime`, `onnxruntime-1t`, `brainjs`, `torch`, `torch-1t`. */
  readonly backend: string;
  /** Median wall time of one step, ms (warm-up excluded; synced inside the timed region). */
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** FLOPs of one step (the formula of docs/architecture.md) / median time. */
  readonly gflops: number;
  // ---- extras -------------------------------------------------------------------------------
  readonly kind: SpecKind;
  /** `train`, `infer`, or the micro op. */
  readonly mode: Mode | MicroOp;
  /** `node` or `browser`. */
  readonly env: 'node' | 'browser';
  /** `gated` for Gated's own backends, `peer` for the libraries it is compared with. */
  readonly group: 'gated' | 'peer';
  readonly shape: Readonly<Record<string, number>>;
  readonly flops: number;
  readonly runs: number;
  readonly samplesMs: readonly number[];
  /** Threads the backend computed with. */
  readonly threads: number;
  /** Peak bytes held by the backend during one step (null where the library cannot tell). */
  readonly peakBytes: number | null;
  /** Kernel dispatches per step, where the backend counts them. */
  readonly dispatchesPerStep: number | null;
  /**
   * LSTM specs on a backend that counts dispatches: dispatches per time step of the (one-layer,
   * one-direction) model in the forward pass, and in the rest of a train step (backward, loss and
   * optimizer; null for inference).
   */
  readonly dispatchesPerTimestep?: DispatchesPerTimestep;
  readonly check: CheckResult;
  /** Peer backend → peer median / this median (> 1: this row is faster). Filled in by the runner. */
  readonly ratios: Readonly<Record<string, number>>;
  /** Anything a reader must know (e.g. `SwiftShader software adapter`). */
  readonly note?: string;
}

export interface DispatchesPerTimestep {
  readonly forward: number;
  readonly backward: number | null;
}

/** A (spec, backend) pair that was not measured, and why. */
export interface Skip {
  readonly workload: string;
  readonly backend: string;
  readonly env: 'node' | 'browser';
  readonly reason: string;
}

/** The machine and software a run measured. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly browser?: string;
  readonly gpuAdapter?: string;
  readonly torch?: string;
  readonly versions: Readonly<Record<string, string>>;
}

export interface BenchResult {
  readonly schemaVersion: 1;
  readonly createdAt: string;
  readonly quick: boolean;
  readonly command: string;
  readonly machine: MachineInfo;
  /** Method settings: warm-up runs, minimum runs, tolerance. */
  readonly method: Readonly<Record<string, number | string>>;
  readonly rows: readonly Row[];
  readonly skipped: readonly Skip[];
  readonly durationS: number;
}

/**
 * What is measured: the standard workloads W1–W8 of docs/architecture.md (and W3, W4 with every
 * step's gates kept, to show what inference mode saves), the scaling family (LSTM, GRU and
 * projected LSTM train steps from T = 32 to 1024), the sweep (batch × sequence × hidden, train
 * and inference) and the micro-benchmarks. `--quick` keeps the workloads and the scaling family,
 * trims the sweep to its small corner and the micro-benchmarks to their smaller sizes.
 */
import type { LstmSpec, MicroSpec, Mode, Spec } from './types.js';

/** docs/architecture.md, "Benchmarks": float32, one layer. */
export const WORKLOADS: readonly LstmSpec[] = [
  { kind: 'workload', id: 'W1', mode: 'train', batch: 16, seq: 32, input: 32, hidden: 128 },
  { kind: 'workload', id: 'W2', mode: 'train', batch: 32, seq: 64, input: 64, hidden: 256 },
  { kind: 'workload', id: 'W3', mode: 'infer', batch: 1, seq: 256, input: 128, hidden: 512 },
  { kind: 'workload', id: 'W4', mode: 'infer', batch: 64, seq: 100, input: 128, hidden: 256 },
  { kind: 'workload', id: 'W5', mode: 'train', batch: 16, seq: 32, input: 32, hidden: 128, cell: 'gru' },
  { kind: 'workload', id: 'W6', mode: 'infer', batch: 64, seq: 100, input: 128, hidden: 256, cell: 'gru' },
  { kind: 'workload', id: 'W7', mode: 'train', batch: 16, seq: 32, input: 32, hidden: 128, proj: 64 },
  { kind: 'workload', id: 'W8', mode: 'train', batch: 16, seq: 1024, input: 32, hidden: 64 },
  // W3 and W4 as every inference pass ran before contract v1.1: every step's gates and cells kept.
  { kind: 'workload', id: 'W3-gates', mode: 'infer', batch: 1, seq: 256, input: 128, hidden: 512, returnGates: true },
  { kind: 'workload', id: 'W4-gates', mode: 'infer', batch: 64, seq: 100, input: 128, hidden: 256, returnGates: true },
];

/**
 * Workloads where a GPU matters, measured only when asked for (`-w gpu` or an id): hidden 512 to
 * 2048, batch 32 to 128, 25 to 100 steps, input = hidden. G1–G4 are DeepBench's LSTM training
 * shapes (baidu-research/DeepBench, `rnn_bench` train set: hidden, batch, T = 25); G7 is G1 as a
 * GRU, G8 G1 with a 256-wide projection (contract v1.1's fused kernels at GPU sizes).
 */
export const GPU_WORKLOADS: readonly LstmSpec[] = [
  { kind: 'gpu', id: 'G1', mode: 'train', batch: 64, seq: 25, input: 512, hidden: 512 },
  { kind: 'gpu', id: 'G2', mode: 'train', batch: 64, seq: 25, input: 1024, hidden: 1024 },
  { kind: 'gpu', id: 'G3', mode: 'train', batch: 128, seq: 25, input: 1024, hidden: 1024 },
  { kind: 'gpu', id: 'G4', mode: 'train', batch: 32, seq: 25, input: 2048, hidden: 2048 },
  { kind: 'gpu', id: 'G5', mode: 'train', batch: 128, seq: 100, input: 512, hidden: 512 },
  { kind: 'gpu', id: 'G6', mode: 'infer', batch: 128, seq: 100, input: 1024, hidden: 1024 },
  { kind: 'gpu', id: 'G7', mode: 'train', batch: 64, seq: 25, input: 512, hidden: 512, cell: 'gru' },
  { kind: 'gpu', id: 'G8', mode: 'train', batch: 64, seq: 25, input: 512, hidden: 512, proj: 256 },
];

/** Whether `--workload` patterns ask for the GPU workloads (`gpu`, `G<n>`, `G*`). */
export function wantsGpuWorkloads(patterns: readonly string[]): boolean {
  return patterns.some((p) => /^(gpu|g\d+|g\*)$/i.test(p.trim()));
}

/** The scaling family's sequence lengths, and its shape (issue #13's: batch 16, input 32, hidden 64, projection 32). */
export const SCALING_SEQ = [32, 128, 256, 512, 1024] as const;
export const SCALING_SHAPE = { batch: 16, input: 32, hidden: 64, proj: 32 } as const;

/**
 * LSTM, GRU and projected-LSTM train steps at every length of {@link SCALING_SEQ}: whether time
 * and memory grow linearly in T, and how the three compare at each T.
 */
export function scaling(): LstmSpec[] {
  const { batch, input, hidden, proj } = SCALING_SHAPE;
  const out: LstmSpec[] = [];
  for (const seq of SCALING_SEQ) {
    for (const [name, cell, p] of [
      ['lstm', 'lstm', 0],
      ['gru', 'gru', 0],
      ['proj', 'lstm', proj],
    ] as const) {
      out.push({
        kind: 'scaling',
        id: `scale-${name}-t${seq}`,
        mode: 'train',
        batch,
        seq,
        input,
        hidden,
        cell,
        ...(p > 0 ? { proj: p } : {}),
      });
    }
  }
  return out;
}

export const SWEEP_BATCH = [1, 16, 64] as const;
export const SWEEP_SEQ = [16, 128, 512] as const;
export const SWEEP_HIDDEN = [64, 256, 1024] as const;
/** The quick sweep: the small corner of the full one. */
export const QUICK_SWEEP_BATCH = [1, 16] as const;
export const QUICK_SWEEP_SEQ = [16] as const;
export const QUICK_SWEEP_HIDDEN = [64, 256] as const;

export function sweepId(mode: Mode, batch: number, seq: number, hidden: number): string {
  return `sweep-${mode}-b${batch}-t${seq}-h${hidden}`;
}

/**
 * The sweep: input size equals hidden size (PyTorch's fastrnns benchmark does the same). Cells
 * are ordered by FLOPs so that a backend's speed on small cells predicts its time on large ones
 * (the runner skips cells it predicts would blow the time budget).
 */
export function sweep(quick: boolean): LstmSpec[] {
  const batches = quick ? QUICK_SWEEP_BATCH : SWEEP_BATCH;
  const seqs = quick ? QUICK_SWEEP_SEQ : SWEEP_SEQ;
  const hiddens = quick ? QUICK_SWEEP_HIDDEN : SWEEP_HIDDEN;
  const out: LstmSpec[] = [];
  for (const mode of ['infer', 'train'] as const) {
    for (const batch of batches) {
      for (const seq of seqs) {
        for (const hidden of hiddens) {
          out.push({ kind: 'sweep', id: sweepId(mode, batch, seq, hidden), mode, batch, seq, input: hidden, hidden });
        }
      }
    }
  }
  const cost = (s: LstmSpec) => s.seq * s.batch * (s.input + s.hidden) * s.hidden * (s.mode === 'train' ? 3 : 1);
  return out.sort((a, b) => cost(a) - cost(b));
}

function matmulSpec(m: number, k: number, n: number): MicroSpec {
  return { kind: 'micro', id: `matmul-${m}x${k}x${n}`, op: 'matmul', m, k, n };
}

/**
 * Micro-benchmarks. Matmul sizes: squares, and the two products of an LSTM step at W2/W4 sizes
 * (the input projection of all steps at once, [T·B, I]·[I, 4H], and one recurrent step,
 * [B, H]·[H, 4H]). The cell is one `LSTMCell` step; the pointwise cell is the fused kernel alone;
 * Adam updates the parameters of the W2 model (328k) or of a 1024-unit layer (8.4M).
 */
export function micro(quick: boolean): MicroSpec[] {
  const out: MicroSpec[] = [
    matmulSpec(128, 128, 128),
    matmulSpec(256, 256, 256),
    matmulSpec(32, 256, 1024),
    matmulSpec(2048, 64, 1024),
    { kind: 'micro', id: 'cell-b64-i256-h256', op: 'cell', batch: 64, input: 256, hidden: 256 },
    { kind: 'micro', id: 'cell-pointwise-b64-h1024', op: 'cell-pointwise', batch: 64, hidden: 1024 },
    { kind: 'micro', id: 'adam-328k', op: 'adam', size: 4 * 256 * (64 + 256) + 8 * 256 },
  ];
  if (!quick) {
    out.push(
      matmulSpec(512, 512, 512),
      matmulSpec(1024, 1024, 1024),
      { kind: 'micro', id: 'cell-b64-i1024-h1024', op: 'cell', batch: 64, input: 1024, hidden: 1024 },
      { kind: 'micro', id: 'adam-8.4m', op: 'adam', size: 4 * 1024 * (1024 + 1024) + 8 * 1024 },
    );
  }
  return out;
}

/** Every spec of a run, in the order they are measured (the GPU workloads only with `gpu`). */
export function allSpecs(quick: boolean, gpu = false): Spec[] {
  return [...WORKLOADS, ...(gpu ? GPU_WORKLOADS : []), ...scaling(), ...micro(quick), ...sweep(quick)];
}

/**
 * Filters specs by `--workload` patterns: an exact id (`W2`), a family (`workloads`, `scaling`,
 * `sweep`, `micro`), or a prefix ending in `*` (`matmul-*`, `sweep-train-*`, `scale-gru-*`).
 */
export function selectSpecs(specs: readonly Spec[], patterns: readonly string[]): Spec[] {
  if (patterns.length === 0) return [...specs];
  return specs.filter((spec) =>
    patterns.some((raw) => {
      const p = raw.trim();
      if (p === 'workloads') return spec.kind === 'workload';
      if (p === 'gpu') return spec.kind === 'gpu';
      if (p === 'sweep') return spec.kind === 'sweep';
      if (p === 'scaling') return spec.kind === 'scaling';
      if (p === 'micro') return spec.kind === 'micro';
      if (p.endsWith('*')) return spec.id.startsWith(p.slice(0, -1));
      return spec.id.toLowerCase() === p.toLowerCase();
    }),
  );
}

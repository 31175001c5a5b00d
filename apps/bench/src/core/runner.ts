/**
 * The run: for every spec, backend-ts's outputs become the reference; then every target is
 * opened on it and checked (or skipped with a stated reason), all open targets are timed in
 * interleaved rounds (interleave.ts), and each gives one extra step for its peak memory; finally
 * each row gets its ratio to every peer measured in the same run and environment.
 *
 * A time budget keeps a run bounded on small machines: from a target's speed on the previous
 * (smaller) spec of the same family, the runner predicts its step time and skips the pair when the
 * prediction exceeds the budget, saying so. Backend-ts's reference is cut to the leading block of
 * the sequence when backend-ts itself would exceed it.
 */
import type { Outputs, Reference } from './check.js';
import { lstmData, type LstmData } from './data.js';
import { gflops, specFlops } from './flops.js';
import { interleave } from './interleave.js';
import { summarize } from './stats.js';
import { SkipError, type Method, type Session, type SpecData, type Target } from './target.js';
import type { LstmSpec, Row, Skip, Spec } from './types.js';

export interface Budget {
  /** Predicted step time (ms) above which a W1–W8 or scaling pair is skipped. */
  readonly workloadStepMs: number;
  /** The same for sweep cells and micro-benchmarks. */
  readonly sweepStepMs: number;
  /** Predicted time (ms) above which backend-ts's reference covers only the leading block. */
  readonly referenceMs: number;
  /** Wall time (ms) after which the remaining pairs are skipped (a safety net), or null. */
  readonly deadlineMs: number | null;
  /**
   * The specs a target on a software GPU (`Target.software`) is measured on, or null for all:
   * SwiftShader proves correctness, not speed, and one of its steps can take a minute.
   */
  readonly softwareGpuSpecs: readonly string[] | null;
}

export const FULL_BUDGET: Budget = {
  workloadStepMs: 10_000,
  sweepStepMs: 1_000,
  referenceMs: 20_000,
  deadlineMs: null,
  softwareGpuSpecs: null,
};
/** `--quick`: about 7 minutes on 2 cores. A pair predicted over 3 s per step is left to the full run. */
export const QUICK_BUDGET: Budget = {
  workloadStepMs: 3_000,
  sweepStepMs: 500,
  referenceMs: 5_000,
  deadlineMs: 420_000,
  // W1, and the small GRU (W5) and projected LSTM (W7) train steps of contract v1.1.
  softwareGpuSpecs: ['W1', 'W5', 'W7', 'matmul-128x128x128', 'matmul-256x256x256', 'matmul-32x256x1024'],
};

/** The check step includes compilation (shaders, JIT): never stop a pair on it below this. */
export const MIN_CHECK_LIMIT_MS = 5_000;

/** The leading block a cut reference covers. */
export const REFERENCE_BLOCK = { seq: 16, batch: 4 } as const;

export interface RunOptions {
  readonly specs: readonly Spec[];
  readonly targets: readonly Target[];
  /** backend-ts: computes the reference outputs. */
  readonly reference: Target;
  readonly method: Method;
  readonly budget: Budget;
  readonly env: 'node' | 'browser';
  readonly log: (line: string) => void;
}

export interface RunOutput {
  readonly rows: Row[];
  readonly skipped: Skip[];
}

/** The family whose speed predicts a spec's: LSTM train / infer, or the micro op. */
function family(spec: Spec): string {
  return spec.kind === 'micro' ? spec.op : spec.mode;
}

function shapeOf(spec: Spec): Record<string, number> {
  if (spec.kind === 'micro') {
    const { m, k, n, batch, input, hidden, size } = spec;
    const entries = Object.entries({ m, k, n, batch, input, hidden, size }).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries) as Record<string, number>;
  }
  const shape: Record<string, number> = { batch: spec.batch, seq: spec.seq, input: spec.input, hidden: spec.hidden };
  if (spec.proj) shape['proj'] = spec.proj;
  return shape;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The data of the leading block of an LSTM spec (forward only). */
function blockData(d: LstmData, block: { seq: number; batch: number }): LstmData {
  const { batch: B, input: I } = d.spec;
  const x = new Float32Array(block.seq * block.batch * I);
  for (let t = 0; t < block.seq; t++) {
    for (let b = 0; b < block.batch; b++) x.set(d.x.subarray((t * B + b) * I, (t * B + b + 1) * I), (t * block.batch + b) * I);
  }
  const spec: LstmSpec = { ...d.spec, mode: 'infer', seq: block.seq, batch: block.batch };
  return { ...d, spec, x, target: null };
}

/** Fills in `ratios`: for each row, peer median / row median for every other peer row of its spec and env. */
export function withRatios(rows: readonly Row[]): Row[] {
  return rows.map((row) => {
    const ratios: Record<string, number> = {};
    for (const other of rows) {
      if (other === row || other.group !== 'peer' || other.workload !== row.workload || other.env !== row.env) continue;
      ratios[other.backend] = other.medianMs / row.medianMs;
    }
    return { ...row, ratios };
  });
}

/** A session the runner opened on one spec, with its footprint (measured once, right after opening). */
interface Opened {
  readonly spec: Spec;
  readonly flops: number;
  readonly target: Target;
  readonly session: Session;
  readonly footprint: Awaited<ReturnType<Session['footprint']>>;
}

/**
 * The specs timed together: the scaling family's cells of one T (LSTM, GRU, projected LSTM), so
 * that their comparison at that T comes from the same rounds; every other spec alone. Order is
 * kept.
 */
export function interleaveGroups(specs: readonly Spec[]): Spec[][] {
  const groups: Spec[][] = [];
  let key: string | null = null;
  for (const spec of specs) {
    const next = spec.kind === 'scaling' ? `scaling-t${spec.seq}` : null;
    if (next !== null && next === key) groups[groups.length - 1]!.push(spec);
    else groups.push([spec]);
    key = next;
  }
  return groups;
}

export async function runBench(options: RunOptions): Promise<RunOutput> {
  const { budget, env, log } = options;
  const rows: Row[] = [];
  const skipped: Skip[] = [];
  /** target name + family → GFLOP/s of its last measured spec of that family. */
  const speed = new Map<string, number>();
  const predictMs = (target: Target, spec: Spec): number | null => {
    const rate = speed.get(`${target.name}|${family(spec)}`);
    return rate === undefined ? null : specFlops(spec) / (rate * 1e6);
  };
  const skip = (spec: Spec, target: Target, reason: string) => {
    skipped.push({ workload: spec.id, backend: target.name, env, reason });
    log(`  ${target.name.padEnd(14)} skipped: ${reason}`);
  };

  const started = performance.now();
  for (const group of interleaveGroups(options.specs)) {
    const open: Opened[] = [];
    try {
      for (const spec of group) await openSpec(spec, open);
      const timed = await interleave(
        open.map((o) => o.session),
        options.method,
      );
      for (const [i, opened] of open.entries()) {
        const { samplesMs, error } = timed[i]!;
        if (error !== undefined) skip(opened.spec, opened.target, `failed while timed: ${message(error)}`);
        else addRow(opened, samplesMs);
      }
    } finally {
      for (const { session } of open) await session.close();
    }
  }
  return { rows: withRatios(rows), skipped };

  /** Builds the spec's reference, then opens it on every target that runs it (checked, with its footprint measured at once). */
  async function openSpec(spec: Spec, open: Opened[]): Promise<void> {
    const flops = specFlops(spec);
    log(`${spec.id} (${(flops / 1e9).toFixed(3)} GFLOP per step)`);
    if (budget.deadlineMs !== null && performance.now() - started > budget.deadlineMs) {
      for (const target of options.targets) {
        skip(
          spec,
          target,
          `this run's ${Math.round(budget.deadlineMs / 1000)} s deadline passed before this spec (the full run measures it)`,
        );
      }
      return;
    }
    const data: SpecData = spec.kind === 'micro' ? null : lstmData(spec);
    const standard = spec.kind === 'workload' || spec.kind === 'scaling';
    const stepBudget = standard ? budget.workloadStepMs : budget.sweepStepMs;

    let reference: Reference;
    try {
      const predicted = predictMs(options.reference, spec);
      const cut = spec.kind !== 'micro' && data !== null && predicted !== null && predicted > budget.referenceMs;
      if (cut) {
        const block = { seq: Math.min(spec.seq, REFERENCE_BLOCK.seq), batch: Math.min(spec.batch, REFERENCE_BLOCK.batch) };
        const blockSpec = { ...spec, mode: 'infer' as const, seq: block.seq, batch: block.batch };
        const outputs: Outputs = await options.reference.outputs!(blockSpec, blockData(data, block));
        reference = { outputs: { output: outputs['output']! }, block };
      } else {
        reference = { outputs: await options.reference.outputs!(spec, data), block: null };
      }
    } catch (error) {
      for (const target of options.targets) skip(spec, target, `no reference: backend-ts failed: ${message(error)}`);
      return;
    }

    for (const target of options.targets) {
      const softwareSpecs = budget.softwareGpuSpecs;
      if (target.software === true && softwareSpecs !== null && !softwareSpecs.includes(spec.id)) {
        skip(
          spec,
          target,
          `software GPU adapter: a quick run measures it on ${softwareSpecs.join(', ')} only (the full run measures the rest)`,
        );
        continue;
      }
      const unsupported = target.supports(spec);
      if (unsupported !== null) {
        skip(spec, target, unsupported);
        continue;
      }
      // Gated's own backends always run W1–W8 and the scaling family (they are what the harness is
      // for), except on a software GPU, where W2 alone could use up a quick run's deadline: there
      // only the specs a quick run picked for it (small ones: W1, the GRU's W5, the projected W7).
      const picked = target.software !== true || (softwareSpecs !== null && softwareSpecs.includes(spec.id));
      const exempt = standard && target.group === 'gated' && picked;
      const predicted = predictMs(target, spec);
      if (!exempt && predicted !== null && predicted > stepBudget) {
        skip(
          spec,
          target,
          `predicted ${(predicted / 1000).toFixed(1)} s per step (from its speed on smaller ${family(spec)} specs) exceeds the ${(stepBudget / 1000).toFixed(1)} s budget of this run`,
        );
        continue;
      }
      // The check step is a free first measurement (compilation included): over 2× the budget
      // (5× on W1–W8, 10× for Gated's own backends there), stop there.
      const checkFactor = exempt ? 10 : standard ? 5 : 2;
      const method: Method = { ...options.method, maxCheckMs: Math.max(MIN_CHECK_LIMIT_MS, stepBudget * checkFactor) };
      let session: Session | null = null;
      try {
        session = await target.open(spec, data, reference, method);
        open.push({ spec, flops, target, session, footprint: await session.footprint() });
      } catch (error) {
        if (session && !open.some((o) => o.session === session)) await session.close();
        if (error instanceof SkipError && error.observedMs !== undefined) {
          speed.set(`${target.name}|${family(spec)}`, gflops(flops, error.observedMs));
        }
        skip(spec, target, error instanceof SkipError ? error.message : `failed: ${message(error)}`);
      }
    }
  }

  function addRow({ spec, flops, target, session, footprint }: Opened, samplesMs: number[]): void {
    const summary = summarize(samplesMs);
    const row: Row = {
      workload: spec.id,
      backend: target.name,
      medianMs: summary.medianMs,
      minMs: summary.minMs,
      maxMs: summary.maxMs,
      gflops: gflops(flops, summary.medianMs),
      kind: spec.kind,
      mode: spec.kind === 'micro' ? spec.op : spec.mode,
      env,
      group: target.group,
      shape: shapeOf(spec),
      flops,
      runs: summary.runs,
      samplesMs,
      threads: target.threads,
      peakBytes: footprint.peakBytes,
      dispatchesPerStep: footprint.dispatchesPerStep,
      ...(footprint.dispatchesPerTimestep ? { dispatchesPerTimestep: footprint.dispatchesPerTimestep } : {}),
      check: session.check,
      ratios: {},
      ...(target.note !== undefined || session.note !== undefined
        ? { note: [target.note, session.note].filter((s) => s !== undefined).join('; ') }
        : {}),
    };
    rows.push(row);
    speed.set(`${target.name}|${family(spec)}`, row.gflops);
    const mark = row.check.status === 'pass' ? 'ok' : 'not comparable';
    const peak = row.peakBytes === null ? '' : `${(row.peakBytes / 2 ** 20).toFixed(1)} MiB  `;
    log(
      `  ${spec.id.padEnd(18)} ${target.name.padEnd(14)} ${row.medianMs.toFixed(2).padStart(10)} ms  [${row.minMs.toFixed(2)}, ${row.maxMs.toFixed(2)}]  ${row.gflops.toFixed(2).padStart(7)} GFLOP/s  ${peak}check ${mark} (${row.check.maxError.toExponential(1)})`,
    );
  }
}

/**
 * Measuring one prepared (spec, target) pair: check the outputs against backend-ts, then time,
 * then one extra untimed step for peak memory and the dispatch count.
 */
import { compare, leadingBlock, type Outputs, type Reference } from './check.js';
import { SkipError, timeSteps, type Measured, type Method, type Prepared } from './target.js';
import type { CheckResult, Spec } from './types.js';

/** The outputs cut to the reference's block (when the reference covers only the leading block). */
export function cutToReference(spec: Spec, outputs: Outputs, reference: Reference): Outputs {
  if (!reference.block || spec.kind === 'micro') return outputs;
  const output = outputs['output'];
  if (!output) return {};
  return { output: leadingBlock(output, spec.batch, spec.hidden, reference.block) };
}

export function describeCompared(spec: Spec, reference: Reference, compared: string): string {
  if (!reference.block || spec.kind === 'micro') return compared;
  return `${compared} (leading ${reference.block.seq} steps × ${reference.block.batch} sequences: backend-ts on the whole spec would exceed the time budget)`;
}

export interface MeasureOptions {
  /** The target computes a different function on purpose; time it anyway and say why. */
  readonly notComparable?: string;
}

export async function measurePrepared(
  spec: Spec,
  prepared: Prepared,
  reference: Reference,
  method: Method,
  options: MeasureOptions = {},
): Promise<Measured> {
  const t0 = performance.now();
  const raw = await prepared.outputs();
  const checkMs = performance.now() - t0;
  if (method.maxCheckMs !== undefined && checkMs > method.maxCheckMs) {
    throw new SkipError(
      `its check step took ${(checkMs / 1000).toFixed(1)} s (first run, compilation included), over this run's ${(method.maxCheckMs / 1000).toFixed(1)} s limit: not timed`,
      checkMs,
    );
  }
  const outputs = cutToReference(spec, raw, reference);
  const result = compare(outputs, reference.outputs);
  const compared = describeCompared(spec, reference, result.compared);
  let check: CheckResult;
  if (result.ok) {
    check = { status: 'pass', maxError: result.maxError, tolerance: result.tolerance, compared };
  } else if (options.notComparable !== undefined) {
    check = { status: 'not-comparable', maxError: result.maxError, tolerance: result.tolerance, compared, note: options.notComparable };
  } else {
    throw new SkipError(`output differs from backend-ts (${result.failures.join('; ')}): not timed`);
  }
  const samplesMs = await timeSteps(prepared, method);
  const before = prepared.dispatches();
  const peakBytes = await prepared.peakBytes();
  const after = prepared.dispatches();
  const dispatchesPerStep = before !== null && after !== null ? after - before : null;
  const dispatchesPerTimestep = (await prepared.phaseDispatches?.()) ?? null;
  return { samplesMs, peakBytes, dispatchesPerStep, dispatchesPerTimestep, check };
}

/** Prepares a target for a spec, lends it to `use`, and always disposes it afterwards. */
export async function usePrepared<T>(preparing: Promise<Prepared>, use: (prepared: Prepared) => Promise<T>): Promise<T> {
  const prepared = await preparing;
  try {
    return await use(prepared);
  } finally {
    await prepared.dispose();
  }
}

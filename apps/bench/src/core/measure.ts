/**
 * Opening one prepared (spec, target) pair as a session: check the outputs against backend-ts
 * (the first run, compilation included, whose time the runner's budget limits), then lend the
 * runner one timed step at a time; one extra untimed step gives the peak memory and the dispatch
 * count (and, where the target splits them, one more gives the dispatches per time step).
 */
import { compare, leadingBlock, type Outputs, type Reference } from './check.js';
import { SkipError, type Method, type Prepared, type Session } from './target.js';
import type { CheckResult, Spec } from './types.js';

/** The outputs cut to the reference's block (when the reference covers only the leading block). */
export function cutToReference(spec: Spec, outputs: Outputs, reference: Reference): Outputs {
  if (!reference.block || spec.kind === 'micro') return outputs;
  const output = outputs['output'];
  if (!output) return {};
  return { output: leadingBlock(output, spec.batch, stateWidth(spec), reference.block) };
}

/** The width of an LSTM spec's output: the projection's size, else the hidden size. */
export function stateWidth(spec: { readonly hidden: number; readonly proj?: number }): number {
  return spec.proj !== undefined && spec.proj > 0 ? spec.proj : spec.hidden;
}

export function describeCompared(spec: Spec, reference: Reference, compared: string): string {
  if (!reference.block || spec.kind === 'micro') return compared;
  return `${compared} (leading ${reference.block.seq} steps × ${reference.block.batch} sequences: backend-ts on the whole spec would exceed the time budget)`;
}

export interface MeasureOptions {
  /** The target computes a different function on purpose; time it anyway and say why. */
  readonly notComparable?: string;
}

/** Checks a prepared pair and returns it as a session (disposing it when the check fails). */
export async function openPrepared(
  spec: Spec,
  prepared: Prepared,
  reference: Reference,
  method: Method,
  options: MeasureOptions = {},
): Promise<Session> {
  try {
    await prepared.activate?.();
    const t0 = performance.now();
    const raw = await prepared.outputs();
    const checkMs = performance.now() - t0;
    if (method.maxCheckMs !== undefined && checkMs > method.maxCheckMs) {
      throw new SkipError(
        `its check step took ${(checkMs / 1000).toFixed(1)} s (first run, compilation included), over this run's ${(method.maxCheckMs / 1000).toFixed(1)} s limit: not timed`,
        checkMs,
      );
    }
    const result = compare(cutToReference(spec, raw, reference), reference.outputs);
    const compared = describeCompared(spec, reference, result.compared);
    let check: CheckResult;
    if (result.ok) {
      check = { status: 'pass', maxError: result.maxError, tolerance: result.tolerance, compared };
    } else if (options.notComparable !== undefined) {
      check = { status: 'not-comparable', maxError: result.maxError, tolerance: result.tolerance, compared, note: options.notComparable };
    } else {
      throw new SkipError(`output differs from backend-ts (${result.failures.join('; ')}): not timed`);
    }
    return {
      check,
      async timeStep() {
        await prepared.activate?.();
        const start = performance.now();
        await prepared.step();
        await prepared.sync();
        return performance.now() - start;
      },
      async footprint() {
        await prepared.activate?.();
        const before = prepared.dispatches();
        const peakBytes = await prepared.peakBytes();
        const after = prepared.dispatches();
        const dispatchesPerTimestep = (await prepared.phaseDispatches?.()) ?? null;
        return { peakBytes, dispatchesPerStep: before !== null && after !== null ? after - before : null, dispatchesPerTimestep };
      },
      close: () => prepared.dispose(),
    };
  } catch (error) {
    await prepared.dispose();
    throw error;
  }
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

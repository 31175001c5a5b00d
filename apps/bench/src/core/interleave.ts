/**
 * The timing loop: every open session of a spec is timed in rounds, one step of each in turn
 * (A, B, C, A, B, C…), warm-up rounds first. A shared machine's slow minute then slows every row
 * of the spec alike instead of the one that happened to be running, so same-run ratios hold
 * still. A session stops when it has at least `minRuns` samples and `minTimeMs` of them (or
 * `maxRuns`); the rounds go on for the others.
 */
import type { Method, Session } from './target.js';

/** One session's samples, or why it stopped (a step that threw). */
export interface Timed {
  readonly samplesMs: number[];
  error: unknown;
}

function done(timed: Timed, method: Method): boolean {
  if (timed.error !== undefined) return true;
  const runs = timed.samplesMs.length;
  const total = timed.samplesMs.reduce((a, b) => a + b, 0);
  return runs >= Math.max(5, method.minRuns) && (total >= method.minTimeMs || runs >= method.maxRuns);
}

/** Times `sessions` in interleaved rounds; each result holds its samples (in round order) or its error. */
export async function interleave(sessions: readonly Session[], method: Method): Promise<Timed[]> {
  const timed: Timed[] = sessions.map(() => ({ samplesMs: [], error: undefined }));
  const step = async (i: number, keep: boolean): Promise<void> => {
    if (timed[i]!.error !== undefined) return;
    try {
      const ms = await sessions[i]!.timeStep();
      if (keep) timed[i]!.samplesMs.push(ms);
    } catch (error) {
      timed[i]!.error = error;
    }
  };
  for (let round = 0; round < method.warmup; round++) {
    for (let i = 0; i < sessions.length; i++) await step(i, false);
  }
  while (timed.some((t) => !done(t, method))) {
    for (let i = 0; i < sessions.length; i++) if (!done(timed[i]!, method)) await step(i, true);
  }
  return timed;
}

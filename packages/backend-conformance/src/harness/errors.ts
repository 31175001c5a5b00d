/**
 * Bad-input assertions: the call must throw a `GatedError` naming the op, with a message that
 * says what was wrong, and must leave memory exactly as it found it (no buffer leaked on the
 * error path).
 */
import { dispose } from '@gated/tensor';
import { assert } from 'vitest';
import { expectMemory, snapshot } from './memory.js';

/** Recognises a GatedError even when a backend bundles its own copy of @gated/backend-api. */
function asGatedError(error: unknown): { op: string; message: string } | null {
  if (error instanceof Error && error.name === 'GatedError' && typeof (error as { op?: unknown }).op === 'string') {
    return { op: (error as Error & { op: string }).op, message: error.message };
  }
  return null;
}

function checkError(caught: unknown, threw: boolean, op: string, message: RegExp | string, label: string): void {
  const want = typeof message === 'string' ? `"${op}: ${message}"` : String(message);
  if (!threw) assert.fail(`${label}: got no error, want a GatedError ${want}`);
  const gated = asGatedError(caught);
  if (gated === null) assert.fail(`${label}: got ${String(caught)}, want a GatedError ${want}`);
  const matches = typeof message === 'string' ? gated.message === `${op}: ${message}` : message.test(gated.message);
  if (gated.op !== op || !matches) assert.fail(`${label}: got GatedError "${gated.message}" (op ${gated.op}), want ${want} (op ${op})`);
}

/**
 * Asserts that `fn` throws a GatedError from `op` whose message is `op: message` (a string is
 * matched exactly, a RegExp against the whole message) and that memory is unchanged afterwards.
 */
export function expectGatedError(fn: () => unknown, op: string, message: RegExp | string, label = op): void {
  const before = snapshot();
  let caught: unknown = null;
  let threw = false;
  try {
    // A call that wrongly succeeds must not leak into the next assertions.
    dispose(fn());
  } catch (error) {
    threw = true;
    caught = error;
  }
  checkError(caught, threw, op, message, label);
  expectMemory(before, `${label} (after the error)`);
}

/** {@link expectGatedError} for calls that reject (reads). */
export async function expectGatedRejection(fn: () => Promise<unknown>, op: string, message: RegExp | string, label = op): Promise<void> {
  const before = snapshot();
  let caught: unknown = null;
  let threw = false;
  try {
    dispose(await fn());
  } catch (error) {
    threw = true;
    caught = error;
  }
  checkError(caught, threw, op, message, label);
  expectMemory(before, `${label} (after the error)`);
}

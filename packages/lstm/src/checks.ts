/** Argument checks the layers and data helpers share (each throws a GatedError naming the op). */
import { GatedError } from '@gated/backend-api';

/** `value`, if it is a positive integer (a size, a count); else a GatedError naming `op` and `name`. */
export function positiveInteger(op: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new GatedError(op, `${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * The one error type Gated throws for bad input. The message always starts with the op that
 * refused the input (`matmul: inner dimensions differ: [2,3] x [4,5]`), so a user reading a stack
 * trace knows which call to look at; `op` carries the same name for programs.
 */
export class GatedError extends Error {
  /** The public op (or API) that raised the error, e.g. `matmul`, `concat`, `setBackend`. */
  readonly op: string;

  constructor(op: string, message: string, options?: ErrorOptions) {
    super(`${op}: ${message}`, options);
    this.name = 'GatedError';
    this.op = op;
  }
}

/** Formats a shape the way every Gated error message prints it: `[2,3]`, `[]` for a scalar. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

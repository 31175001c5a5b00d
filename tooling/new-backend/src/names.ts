/**
 * What a backend's name becomes: the package, its folder, its identifiers. One rule for the
 * generator, its tests and the guide.
 */

/** Lower-case letters and digits, words joined by single hyphens: `f64`, `webgl`, `cpu-simd`. */
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Names taken by packages that are not backends. */
const RESERVED = new Set(['api', 'conformance']);

export interface BackendNames {
  /** As given: `f64`, `cpu-simd`. */
  readonly name: string;
  /** `@gated/backend-f64`. */
  readonly packageName: string;
  /** `packages/backend-f64` (relative to the repository root, forward slashes). */
  readonly folder: string;
  /** `F64`, `CpuSimd`: the prefix of the class names. */
  readonly pascal: string;
  /** `createF64Backend`. */
  readonly factory: string;
  /** `F64Backend`. */
  readonly backendClass: string;
  /** `F64Buffer`. */
  readonly bufferClass: string;
}

/** Why `name` cannot name a backend, or null when it can. */
export function nameProblem(name: string): string | null {
  if (!NAME.test(name))
    return `"${name}" is not a backend name: use lower-case letters and digits, words joined by hyphens (e.g. f64, webgl, cpu-simd)`;
  if (name.length > 32) return `"${name}" is longer than 32 characters`;
  if (RESERVED.has(name)) return `"${name}" is taken: @gated/backend-${name} is not a backend`;
  return null;
}

export function backendNames(name: string): BackendNames {
  const problem = nameProblem(name);
  if (problem !== null) throw new Error(problem);
  const pascal = name
    .split('-')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
  return {
    name,
    packageName: `@gated/backend-${name}`,
    folder: `packages/backend-${name}`,
    pascal,
    factory: `create${pascal}Backend`,
    backendClass: `${pascal}Backend`,
    bufferClass: `${pascal}Buffer`,
  };
}

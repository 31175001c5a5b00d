/**
 * The suite's own seeded generator (mulberry32) for test inputs: deliberately not the engine's
 * random stream, so a broken `random` kernel cannot change what every other test computes.
 * Each test gets a generator seeded from its id, so inputs are stable and independent of order.
 */
import { NDArray, shapeSize, type RefDType } from '../reference/index.js';

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator seeded by hashing `text` (FNV-1a). */
  static fromText(text: string): Rng {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return new Rng(hash);
  }

  /** A uniform float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform float32 value in [low, high). */
  float(low: number, high: number): number {
    return Math.fround(low + (high - low) * this.next());
  }

  /** A uniform integer in [low, high] inclusive. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** One of `values`. */
  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)]!;
  }

  /** A float32 array of `shape` with values uniform in [low, high). */
  uniform(shape: readonly number[], low = -1, high = 1): NDArray {
    return NDArray.of(
      Array.from({ length: shapeSize(shape) }, () => this.float(low, high)),
      shape,
    );
  }

  /** An array of `shape` whose values are drawn from `values` (ties, halves, specials). */
  choice(shape: readonly number[], values: readonly number[], dtype: RefDType = 'float32'): NDArray {
    return NDArray.of(
      Array.from({ length: shapeSize(shape) }, () => this.pick(values)),
      shape,
      dtype,
    );
  }

  /** An int32 array of `shape` with values uniform in [low, high]. */
  ints(shape: readonly number[], low: number, high: number): NDArray {
    return NDArray.of(
      Array.from({ length: shapeSize(shape) }, () => this.int(low, high)),
      shape,
      'int32',
    );
  }

  /** A bool array of `shape`, true with probability `p`. */
  bools(shape: readonly number[], p = 0.5): NDArray {
    return NDArray.of(
      Array.from({ length: shapeSize(shape) }, () => (this.next() < p ? 1 : 0)),
      shape,
      'bool',
    );
  }

  /** Values of `dtype` suited to generic tests: floats in [-4, 4), ints in [-20, 20], or bools. */
  values(shape: readonly number[], dtype: RefDType): NDArray {
    if (dtype === 'int32') return this.ints(shape, -20, 20);
    if (dtype === 'bool') return this.bools(shape);
    return this.uniform(shape, -4, 4);
  }
}

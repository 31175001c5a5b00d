/**
 * Size-class pool of GPU buffers. Creating a GPUBuffer costs a driver allocation, so freed buffers
 * are kept per size class and handed out again. Reuse is safe without fences because every use of
 * a buffer goes through the one queue in order: work recorded or submitted before a buffer was
 * freed runs before any later work on its next owner, and host writes (`queue.writeBuffer`) are
 * only issued when no recorded work is waiting to be submitted (see `Recorder.beforeHostWrite`).
 */

/** Smallest class: kernels bind at least one word, and tiny buffers are common (scalars). */
export const MIN_CLASS_BYTES = 256;

/**
 * The class a request of `bytes` falls in: 256 bytes, then four classes per power of two
 * (1, 1.25, 1.5, 1.75 times it), each a multiple of 256 bytes, so at most 25% is wasted.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS_BYTES) return MIN_CLASS_BYTES;
  const power = 2 ** Math.floor(Math.log2(bytes));
  const quarter = power / 4;
  const steps = Math.ceil((bytes - power) / quarter);
  const size = power + steps * quarter;
  return Math.ceil(size / MIN_CLASS_BYTES) * MIN_CLASS_BYTES;
}

export interface PoolStats {
  /** Buffers created so far (pool misses). */
  readonly created: number;
  /** Bytes of the buffers held in the pool, free for reuse. */
  readonly pooledBytes: number;
  /** Bytes of the buffers handed out and not given back. */
  readonly liveBytes: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pooled = 0;
  private live = 0;
  private created = 0;

  constructor(
    /** Creates a buffer of exactly `bytes` (the caller wraps it in error scopes). */
    private readonly create: (bytes: number) => GPUBuffer,
    /** Pooled bytes beyond which a released buffer is destroyed instead of kept. */
    private readonly limitBytes: number,
  ) {}

  /** A buffer of at least `bytes`: a pooled one of the same class, or a new one. */
  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    this.live += size;
    if (reused) {
      this.pooled -= size;
      return reused;
    }
    this.created++;
    try {
      return this.create(size);
    } catch (error) {
      this.live -= size;
      throw error;
    }
  }

  /** Gives a buffer from `acquire` back; it is kept for reuse unless the pool is full. */
  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.live -= size;
    if (this.pooled + size > this.limitBytes) {
      buffer.destroy();
      return;
    }
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buffer);
    this.pooled += size;
  }

  /** Destroys every pooled buffer (live ones stay with their owners). */
  trim(): void {
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.free.clear();
    this.pooled = 0;
  }

  stats(): PoolStats {
    return { created: this.created, pooledBytes: this.pooled, liveBytes: this.live };
  }
}

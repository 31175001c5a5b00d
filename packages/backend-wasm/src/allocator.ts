/**
 * The size-class allocator of the wasm backend. Buffers live in the module's linear memory; this
 * file keeps the bookkeeping on the host, where every allocation is decided (kernels never
 * allocate). A request is rounded up to its class: 64 bytes, then four classes per power of two
 * (so at most 25% is wasted), all multiples of 16 bytes for SIMD. A freed block goes to its
 * class's free list and is reused by the next request of that class; a free block at the top of
 * the heap is returned to the bump pointer instead, together with any free blocks below it.
 * When the heap needs more room than the memory has, the memory grows (by at least an eighth of
 * its size, so growth is rare) and the host must re-create its views of `memory.buffer`.
 */
import { GatedError } from '@gated/backend-api';

const PAGE_BYTES = 65536;
const MIN_CLASS_BYTES = 64;

/** The block size a request of `bytes` gets. */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS_BYTES) return MIN_CLASS_BYTES;
  const exponent = 31 - Math.clz32(bytes - 1); // 2^exponent < bytes <= 2^(exponent + 1)
  const step = 2 ** (exponent - 2);
  return Math.ceil(bytes / step) * step;
}

export class Allocator {
  /** First address past every block handed out or pooled. */
  private top: number;
  /** Free blocks by class size (stacks of addresses). */
  private readonly pools = new Map<number, number[]>();
  /** Free blocks: start → size, and end → start (to give free blocks below the top back). */
  private readonly freeSize = new Map<number, number>();
  private readonly freeByEnd = new Map<number, number>();
  /** Bytes in free lists. */
  pooledBytes = 0;
  /** Bytes in blocks handed out and not yet released. */
  usedBytes = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    /** First usable address (16-byte aligned). */
    readonly start: number,
    /** The memory's maximum size in bytes. */
    private readonly maxBytes: number,
  ) {
    this.top = start;
  }

  /** Address of a new block of at least `bytes` bytes (`bytes` may be 0). */
  alloc(bytes: number): number {
    const size = sizeClass(bytes);
    const pool = this.pools.get(size);
    const reused = pool?.pop();
    if (reused !== undefined) {
      this.freeSize.delete(reused);
      this.freeByEnd.delete(reused + size);
      this.pooledBytes -= size;
      this.usedBytes += size;
      return reused;
    }
    const address = this.top;
    const end = address + size;
    if (end > this.memory.buffer.byteLength) this.grow(end);
    this.top = end;
    this.usedBytes += size;
    return address;
  }

  /** Returns a block of `bytes` (the request size given to {@link alloc}) to the allocator. */
  release(address: number, bytes: number): void {
    const size = sizeClass(bytes);
    this.usedBytes -= size;
    if (address + size === this.top) {
      this.top = address;
      // Free blocks now at the top go back to the bump pointer too.
      for (let start = this.freeByEnd.get(this.top); start !== undefined; start = this.freeByEnd.get(this.top)) {
        const blockSize = this.freeSize.get(start)!;
        const pool = this.pools.get(blockSize)!;
        pool.splice(pool.lastIndexOf(start), 1);
        this.freeSize.delete(start);
        this.freeByEnd.delete(this.top);
        this.pooledBytes -= blockSize;
        this.top = start;
      }
      return;
    }
    let pool = this.pools.get(size);
    if (!pool) {
      pool = [];
      this.pools.set(size, pool);
    }
    pool.push(address);
    this.freeSize.set(address, size);
    this.freeByEnd.set(address + size, address);
    this.pooledBytes += size;
  }

  /** Bytes from `start` to the top of the heap (blocks in use and pooled). */
  get heapBytes(): number {
    return this.top - this.start;
  }

  private grow(end: number): void {
    if (end > this.maxBytes) {
      throw new GatedError('alloc', `out of memory: the heap would need ${end} bytes, the memory's maximum is ${this.maxBytes}`);
    }
    const current = this.memory.buffer.byteLength;
    const needed = Math.ceil((end - current) / PAGE_BYTES);
    const maxPages = Math.floor(this.maxBytes / PAGE_BYTES);
    const pages = Math.min(Math.max(needed, current / PAGE_BYTES / 8), maxPages - current / PAGE_BYTES);
    try {
      this.memory.grow(Math.ceil(pages));
    } catch (error) {
      throw new GatedError('alloc', `out of memory: cannot grow linear memory to ${end} bytes`, { cause: error });
    }
  }
}

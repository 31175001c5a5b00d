/**
 * What every kernel family of the wasm backend (`kernels/`) works with: the module's exports and
 * op codes, views of linear memory (re-created when it grows), buffers and scratch from the
 * allocator, the plan area of the strided kernels, and the jobs that run on every thread. It
 * also keeps the live-buffer set behind `memory()`.
 *
 * Addresses are unsigned byte offsets: every element index is `address >>> 2`.
 */
import { GatedError, bytesPerElement, type DType, type TypedArray } from '@gated/backend-api';
import { ControlBlock, GemmArg, Job, Limits, type JobArgs, type OpCodes } from './abi.js';
import type { Allocator } from './allocator.js';
import type { KernelExports } from './exports.js';
import { planSlots, writePlan, type Plan } from './plan.js';
import { WasmBuffer } from './wasm-buffer.js';

/** Bytes of the plan area (i32 slots for the strided kernels' plans). */
const PLAN_BYTES = 4096;

interface HeapViews {
  readonly buffer: ArrayBufferLike;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

/** The layout enum of a job's arguments (`GemmArg`, `LstmSequenceArg`...): names to slots. */
type ArgLayout = Readonly<Record<string, string | number>>;

export class WasmHost {
  /** Live buffers and their bytes (what `memory()` reports). */
  readonly live = new Set<WasmBuffer>();
  liveBytes = 0;
  private views: HeapViews;
  private readonly planAddress: number;

  constructor(
    readonly exports: KernelExports,
    readonly codes: OpCodes,
    readonly linearMemory: WebAssembly.Memory,
    readonly allocator: Allocator,
    readonly controlBlock: number,
    /** Threads the backend computes with. */
    readonly threads: number,
    /** Multiply-adds below which a job runs on the calling thread alone. */
    private readonly minParallelWork: number,
  ) {
    this.views = this.makeViews();
    this.planAddress = allocator.alloc(PLAN_BYTES);
  }

  private makeViews(): HeapViews {
    const buffer = this.linearMemory.buffer;
    return {
      buffer,
      u8: new Uint8Array(buffer),
      i32: new Int32Array(buffer),
      f32: new Float32Array(buffer),
      f64: new Float64Array(buffer),
    };
  }

  /** Views of linear memory, re-created after the memory grew (the old buffer is detached). */
  heap(): HeapViews {
    if (this.views.buffer !== this.linearMemory.buffer) this.views = this.makeViews();
    return this.views;
  }

  newBuffer(dtype: DType, size: number): WasmBuffer {
    const bytes = size * bytesPerElement(dtype);
    const buffer = new WasmBuffer(dtype, size, this.allocator.alloc(bytes));
    this.live.add(buffer);
    this.liveBytes += bytes;
    return buffer;
  }

  freeBuffer(buffer: WasmBuffer): void {
    this.live.delete(buffer);
    this.liveBytes -= buffer.bytes;
    this.allocator.release(buffer.address, buffer.bytes);
  }

  /** Runs `body` with a scratch block of `bytes`, which goes back to the allocator afterwards. */
  withScratch<T>(bytes: number, body: (address: number) => T): T {
    const address = this.allocator.alloc(bytes);
    try {
      return body(address);
    } finally {
      this.allocator.release(address, bytes);
    }
  }

  /** 16 bytes of the calling thread's tile scratch, for kernels that stage partial vectors. */
  stage(): number {
    return this.controlBlock + ControlBlock.tiles + 128;
  }

  /** A fresh host copy of a buffer's values. */
  copyOut(buffer: WasmBuffer): TypedArray {
    const heap = this.heap();
    const start = buffer.address;
    if (buffer.dtype === 'bool') return heap.u8.slice(start, start + buffer.size);
    const first = start >>> 2;
    if (buffer.dtype === 'int32') return heap.i32.slice(first, first + buffer.size);
    return heap.f32.slice(first, first + buffer.size);
  }

  /** Copies `values` into a buffer at element `offset` (bools stored as 0 or 1). */
  copyIn(buffer: WasmBuffer, values: TypedArray, offset: number): void {
    const heap = this.heap();
    if (buffer.dtype === 'bool') {
      // Keep the 0/1 invariant every bool kernel relies on.
      const target = heap.u8;
      const base = buffer.address + offset;
      for (let i = 0; i < values.length; i++) target[base + i] = values[i] !== 0 ? 1 : 0;
    } else if (buffer.dtype === 'int32') {
      heap.i32.set(values, (buffer.address >>> 2) + offset);
    } else {
      heap.f32.set(values, (buffer.address >>> 2) + offset);
    }
  }

  /** Writes a plan into the plan area and returns its address. */
  writePlan(plan: Plan, bases?: readonly number[]): number {
    if (planSlots(plan.dims.length, plan.strides.length) * 4 > PLAN_BYTES) {
      throw new GatedError('wasm', `a view of rank ${plan.dims.length} is too deep for the plan area`);
    }
    writePlan(this.heap().i32, this.planAddress >>> 2, plan, bases);
    return this.planAddress;
  }

  /**
   * Runs a job on every thread (on the calling thread alone below `minParallelWork`
   * multiply-adds). `args` names every slot of `layout`, the job's enum in assembly/abi.ts; each
   * value is an integer or an address, written into the low half of its 8-byte slot.
   */
  runJob<Layout extends ArgLayout>(job: Job, layout: Layout, args: JobArgs<Layout>, multiplyAdds: number): void {
    const heap = this.heap();
    const base = (this.controlBlock + ControlBlock.args) >>> 2;
    for (const name of Object.keys(args) as (keyof typeof args & string)[]) {
      heap.i32[base + (layout[name] as number) * 2] = args[name];
    }
    heap.i32[(this.controlBlock + ControlBlock.kind) >>> 2] = job;
    const threads = multiplyAdds >= this.minParallelWork ? this.threads : 1;
    heap.i32[(this.controlBlock + ControlBlock.threads) >>> 2] = threads;
    if (threads > 1) {
      // Both sets of work-claiming counters start at zero (one per thread, 64 bytes apart).
      const claims = (this.controlBlock + ControlBlock.claims) >>> 2;
      for (let set = 0; set < 2; set++) {
        for (let t = 0; t < threads; t++) heap.i32[claims + (set * Limits.maxThreads + t) * 16] = 0;
      }
    }
    this.exports.job(this.controlBlock);
  }

  /** One product on the GEMM job; `packedA` is {@link packABytes} of scratch. */
  gemm(args: JobArgs<typeof GemmArg>): void {
    this.runJob(Job.gemm, GemmArg, args, args.m * args.n * args.k);
  }

  /** Scratch for packed A: one block per thread. */
  get packABytes(): number {
    return this.exports.packABytes() * this.threads;
  }
}

/**
 * Command recording. Kernels append dispatches to one open command encoder (one compute pass
 * until a copy interrupts it); the encoder is submitted when something needs the results (a read,
 * `sync`, a host write that must come after them) or when `maxPending` dispatches have piled up
 * between two kernels. A kernel's own commands are never split across submissions, so a whole LSTM
 * sequence is one submission with no round trip to the CPU inside it.
 *
 * Uniform blocks go into an arena (a host array mirrored by a uniform buffer): each dispatch's
 * block takes an aligned slot, and the arena is uploaded with one `writeBuffer` right before the
 * submit. Arena buffers return to their pool once the submission that used them has finished.
 */
import { BufferUsage } from './flags.js';
import type { Pipeline } from './pipelines.js';

export interface Counters {
  dispatches: number;
  submits: number;
  kernels: number;
  bytesUp: number;
  bytesDown: number;
}

/** A buffer range to bind. */
export interface BindRange {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

const ARENA_BYTES = 65536;

interface Arena {
  readonly host: Uint32Array;
  readonly gpu: GPUBuffer;
  used: number;
}

/** Splits `groups` workgroups into a 2-D grid within the per-dimension limit. */
export function grid(groups: number, maxPerDimension: number): [number, number, number] {
  if (groups <= maxPerDimension) return [Math.max(1, groups), 1, 1];
  const y = Math.ceil(groups / maxPerDimension);
  return [Math.ceil(groups / y), y, 1];
}

export class Recorder {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private arenas: Arena[] = [];
  private readonly arenaPool: GPUBuffer[] = [];
  private pending = 0;
  private readonly alignWords: number;

  constructor(
    private readonly device: GPUDevice,
    readonly counters: Counters,
    /** Dispatches recorded before a kernel boundary submits them. */
    private readonly maxPending: number,
    /** Receives each submission's validation result (an error or null), so that `sync` can wait for it. */
    private readonly onSubmitted: (validation: Promise<GPUError | null>) => void,
  ) {
    this.alignWords = device.limits.minUniformBufferOffsetAlignment / 4;
  }

  /** True when commands are recorded and not submitted. */
  get hasPending(): boolean {
    return this.encoder !== null;
  }

  /** Called between kernels: submits when enough work has piled up to keep the GPU busy. */
  boundary(): void {
    if (this.pending >= this.maxPending) void this.flush();
  }

  /** Places a uniform block in the arena and returns the range to bind. */
  uniform(words: Uint32Array): BindRange {
    const slot = Math.ceil(words.length / this.alignWords) * this.alignWords;
    let arena = this.arenas[this.arenas.length - 1];
    if (!arena || arena.used + slot > arena.host.length) {
      arena = this.newArena(Math.max(ARENA_BYTES, slot * 4));
      this.arenas.push(arena);
    }
    const offset = arena.used;
    arena.host.set(words, offset);
    arena.used += slot;
    return { buffer: arena.gpu, offset: offset * 4, size: words.length * 4 };
  }

  /** A bind group for `pipeline` over `resources` in binding order. */
  bindGroup(pipeline: Pipeline, resources: readonly BindRange[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.layout,
      entries: resources.map((r, binding) => ({ binding, resource: { buffer: r.buffer, offset: r.offset, size: r.size } })),
    });
  }

  /** Records one dispatch of `pipeline` with `bindGroup` (and dynamic offsets, if its layout has them). */
  dispatch(
    pipeline: Pipeline,
    bindGroup: GPUBindGroup,
    groups: readonly [number, number, number],
    dynamicOffsets?: readonly number[],
  ): void {
    const pass = this.openPass();
    pass.setPipeline(pipeline.pipeline);
    if (dynamicOffsets) pass.setBindGroup(0, bindGroup, dynamicOffsets);
    else pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.pending++;
    this.counters.dispatches++;
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copy(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, bytes: number): void {
    if (bytes === 0) return;
    this.closePass();
    this.openEncoder().copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
  }

  /** Records zeroing `bytes` (a multiple of 4) of `target` at `offset`. */
  clear(target: GPUBuffer, offset: number, bytes: number): void {
    if (bytes === 0) return;
    this.closePass();
    this.openEncoder().clearBuffer(target, offset, bytes);
  }

  /** Submits everything recorded. Returns the submission's completion (already-resolved when nothing was pending). */
  flush(): Promise<void> {
    if (!this.encoder) return Promise.resolve();
    this.closePass();
    const arenas = this.arenas;
    this.arenas = [];
    for (const arena of arenas) this.device.queue.writeBuffer(arena.gpu, 0, arena.host.buffer, 0, arena.used * 4);
    // Encoding errors surface in finish(), and a submission that fails validation is dropped
    // whole: the scope's first error (the root cause) must reach sync and read.
    this.device.pushErrorScope('validation');
    const commands = this.encoder.finish();
    this.encoder = null;
    this.pending = 0;
    this.device.queue.submit([commands]);
    this.onSubmitted(this.device.popErrorScope());
    this.counters.submits++;
    const done = this.device.queue.onSubmittedWorkDone();
    void done.then(
      () => {
        for (const arena of arenas) this.releaseArena(arena.gpu);
      },
      () => undefined,
    );
    return done;
  }

  /**
   * Must be called before `queue.writeBuffer` into a data buffer: queue writes run before any
   * command still being recorded, so recorded work that reads the buffer's previous contents (or a
   * previous owner's, through the pool) is submitted first.
   */
  beforeHostWrite(): void {
    if (this.encoder) void this.flush();
  }

  /** Destroys the arena buffers this recorder keeps. */
  destroy(): void {
    for (const buffer of this.arenaPool) buffer.destroy();
    this.arenaPool.length = 0;
  }

  private newArena(bytes: number): Arena {
    const pooled = bytes === ARENA_BYTES ? this.arenaPool.pop() : undefined;
    const gpu =
      pooled ?? this.device.createBuffer({ size: bytes, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST, label: 'uniform arena' });
    return { host: new Uint32Array(bytes / 4), gpu, used: 0 };
  }

  private releaseArena(buffer: GPUBuffer): void {
    if (buffer.size === ARENA_BYTES && this.arenaPool.length < 8) this.arenaPool.push(buffer);
    else buffer.destroy();
  }

  private openEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private openPass(): GPUComputePassEncoder {
    this.pass ??= this.openEncoder().beginComputePass();
    return this.pass;
  }

  private closePass(): void {
    this.pass?.end();
    this.pass = null;
  }
}

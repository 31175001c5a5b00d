/**
 * Which kernels a test called, and which buffers they returned that are still live: the data the
 * root-cause report (root-cause.ts) and the leak messages (memory.ts) are made of.
 *
 * The recorder wraps the contract methods of the backend under test on its checked layer (an
 * assignment there replaces the checked method, and the wrapper calls the checked one it
 * captured), so every call the engine makes is seen, validated as before, and passed on unchanged.
 */
import { FUSED_SIGNATURES, type Backend, type DataHandle, type TensorSpec } from '@gated/backend-api';

/** Every method of the contract that computes or moves data (not `memory`, `sync`, `dispose`). */
const CORE_METHODS = [
  'alloc',
  'write',
  'read',
  'readSync',
  'free',
  'fill',
  'cast',
  'unary',
  'binary',
  'where',
  'reduce',
  'argReduce',
  'matmul',
  'stridedCopy',
  'concat',
  'gather',
  'scatterAdd',
  'random',
] as const;

const STORAGE = new Set<string>(['alloc', 'write', 'read', 'readSync', 'free']);
const WITH_OP = new Set<string>(['unary', 'binary', 'reduce', 'argReduce']);

/**
 * The name of a kernel call as the report shows it: `binary > sub`, `cast > float32 to int32`,
 * `matmul`, `storage` (alloc, write, read, free). For op-taking kernels it is the title path of
 * that op's own tests.
 */
export function kernelName(method: string, args: readonly unknown[]): string {
  if (STORAGE.has(method)) return 'storage';
  if (WITH_OP.has(method)) return `${method} > ${String(args[0])}`;
  if (method === 'cast') return `cast > ${(args[0] as TensorSpec).data.dtype} to ${String(args[1])}`;
  return method;
}

/**
 * Where a kernel's own tests live (title paths under `conformance: <name>`): a test there that
 * fails while calling the kernel is about the kernel, so the kernel is the root cause. Kernels not
 * listed (fused kernels added later, say) are never a root cause, only a plain failure.
 */
export function kernelHomes(kernel: string): readonly string[] {
  if (kernel === 'storage') return ['storage', 'creation', 'readback'];
  if (kernel === 'fill') return ['storage', 'creation'];
  if (kernel === 'stridedCopy') return ['storage', 'layout'];
  if (kernel.startsWith('cast > ')) return ['cast'];
  if (/^(unary|binary|reduce|argReduce) > /.test(kernel)) return [kernel];
  if (kernel === 'where' || kernel === 'matmul' || kernel === 'random') return [kernel];
  if (kernel === 'concat') return ['join'];
  if (kernel === 'gather' || kernel === 'scatterAdd') return [`indexing > ${kernel}`];
  if (kernel.startsWith('lstm')) return ['lstm > fused versus composite'];
  if (kernel === 'adamStep') return ['optim > adamStep > fused'];
  return [];
}

function isHandle(value: unknown): value is DataHandle {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'size' in value;
}

/** A live buffer: which kernel returned it, and when. */
interface Made {
  readonly kernel: string;
  readonly seq: number;
}

export class KernelRecorder {
  /** Kernels called since `begin()`. */
  private calls = new Set<string>();
  /** Buffers returned and not yet freed, by the kernel that returned them. */
  private readonly live = new Map<DataHandle, Made>();
  private seq = 0;

  /** Wraps the contract methods of `backend` (the checked layer the engine handed out). */
  install(backend: Backend): void {
    const methods = [...CORE_METHODS, ...Object.keys(FUSED_SIGNATURES)];
    for (const method of methods) {
      const original: unknown = Reflect.get(backend, method);
      if (typeof original !== 'function') continue;
      const call = original as (...args: unknown[]) => unknown;
      const wrapper = (...args: unknown[]): unknown => {
        const kernel = kernelName(method, args);
        this.calls.add(kernel);
        if (method === 'free') this.live.delete(args[0] as DataHandle);
        const result = call(...args);
        this.adopt(result, method === 'alloc' ? 'alloc' : kernel);
        return result;
      };
      Reflect.set(backend, method, wrapper);
    }
  }

  /** Starts a test: forgets the calls of the previous one. */
  begin(): void {
    this.calls = new Set();
  }

  /** Kernels called since `begin()`. */
  called(): ReadonlySet<string> {
    return this.calls;
  }

  /** A mark for {@link liveSince}: buffers made after it are the ones a check may blame. */
  mark(): number {
    return this.seq;
  }

  /** Buffers made after `mark` and still live, counted by kernel: `binary > sub ×2, alloc ×1`. */
  liveSince(mark: number): string {
    const counts = new Map<string, number>();
    for (const made of this.live.values()) {
      if (made.seq > mark) counts.set(made.kernel, (counts.get(made.kernel) ?? 0) + 1);
    }
    return [...counts].map(([kernel, n]) => `${kernel} ×${n}`).join(', ');
  }

  private adopt(result: unknown, kernel: string): void {
    if (isHandle(result)) {
      this.live.set(result, { kernel, seq: ++this.seq });
    } else if (typeof result === 'object' && result !== null && !(result instanceof Promise) && !ArrayBuffer.isView(result)) {
      // A fused kernel's outputs: an object of handles.
      for (const value of Object.values(result)) if (isHandle(value)) this.live.set(value, { kernel, seq: ++this.seq });
    }
  }
}

/** The recorder of the backend under test (one suite runs at a time in a test file). */
let active: KernelRecorder | null = null;

export function setActiveRecorder(recorder: KernelRecorder | null): void {
  active = recorder;
}

export function activeRecorder(): KernelRecorder | null {
  return active;
}

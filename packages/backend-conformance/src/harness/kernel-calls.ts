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

/** Whether kernel name `kernel` (as {@link kernelName} gives it) is a call of contract method `method`. */
export function kernelMethod(kernel: string, method: string): boolean {
  if (kernel === 'storage') return STORAGE.has(method);
  return kernel === method || kernel.startsWith(`${method} > `);
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

/** Handles in a kernel's result: one, or the values of a fused kernel's outputs. */
function handlesIn(result: unknown): DataHandle[] {
  if (isHandle(result)) return [result];
  if (typeof result !== 'object' || result === null || result instanceof Promise || ArrayBuffer.isView(result)) return [];
  return Object.values(result).filter(isHandle);
}

export class KernelRecorder {
  /** Kernels called since `begin()`. */
  private calls = new Set<string>();
  /** Buffers returned and not yet freed, by the kernel that returned them. */
  private readonly live = new Map<DataHandle, Made>();
  /** Calls after which the backend held more buffers than it returned. */
  private readonly kept: { readonly seq: number; readonly text: string }[] = [];
  private seq = 0;

  /**
   * Wraps the contract methods of `backend` (the checked layer the engine handed out). Each call
   * is recorded, and the backend's buffer count is compared before and after it: a kernel that
   * holds on to a buffer it did not return (a scratch buffer leaked when it threw, say) is named.
   */
  install(backend: Backend): void {
    const methods = [...CORE_METHODS, ...Object.keys(FUSED_SIGNATURES)];
    const buffers = () => backend.memory().buffers;
    for (const method of methods) {
      const original: unknown = Reflect.get(backend, method);
      if (typeof original !== 'function') continue;
      const call = original as (...args: unknown[]) => unknown;
      const wrapper = (...args: unknown[]): unknown => {
        const kernel = kernelName(method, args);
        this.calls.add(kernel);
        this.seq++;
        if (method === 'free') this.live.delete(args[0] as DataHandle);
        const before = buffers();
        let returned: DataHandle[] = [];
        let threw = true;
        try {
          const result = call(...args);
          returned = handlesIn(result);
          threw = false;
          return result;
        } finally {
          for (const handle of returned) this.live.set(handle, { kernel: method === 'alloc' ? 'alloc' : kernel, seq: ++this.seq });
          const extra = buffers() - before - returned.length + (method === 'free' && !threw ? 1 : 0);
          if (extra > 0) {
            this.kept.push({
              seq: this.seq,
              text: `${kernel} kept ${extra} buffer${extra === 1 ? '' : 's'} it did not return${threw ? ' (when it threw)' : ''}`,
            });
          }
        }
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

  /**
   * What holds buffers made after `mark`: the kernels whose returned buffers are still live,
   * counted (`binary > sub ×2, alloc ×1`), and calls that kept buffers they did not return.
   */
  liveSince(mark: number): string {
    const counts = new Map<string, number>();
    for (const made of this.live.values()) {
      if (made.seq > mark) counts.set(made.kernel, (counts.get(made.kernel) ?? 0) + 1);
    }
    const parts: string[] = [];
    if (counts.size > 0)
      parts.push(`still live, by the kernel that made them: ${[...counts].map(([kernel, n]) => `${kernel} ×${n}`).join(', ')}`);
    const kept = this.kept.filter((k) => k.seq > mark).map((k) => k.text);
    if (kept.length > 0) parts.push([...new Set(kept)].join('; '));
    return parts.join('; ');
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

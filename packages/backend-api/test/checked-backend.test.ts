import { describe, expect, it } from 'vitest';
import {
  GatedError,
  SPEC_VERSION,
  checkedBackend,
  isCheckedBackend,
  type Backend,
  type BackendCaps,
  type DType,
  type DataHandle,
  type TensorSpec,
  type TypedArray,
} from '../src/index.js';

class Handle implements DataHandle {
  constructor(
    readonly dtype: DType,
    readonly size: number,
  ) {}
}

/** A backend that computes nothing: it records each call and returns fresh handles of the right size. */
class FakeBackend implements Backend {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION;
  readonly name = 'fake';
  readonly caps: BackendCaps = { syncRead: false, fused: {} };
  readonly info = { note: 'backend-specific' };
  readonly calls: string[] = [];
  #secret = 42;

  /** A member outside the contract that reads private state. */
  secret(): number {
    return this.#secret;
  }
  private record<T>(method: string, result: T): T {
    this.calls.push(method);
    return result;
  }
  alloc(dtype: DType, size: number): DataHandle {
    return this.record('alloc', new Handle(dtype, size));
  }
  write(): void {
    this.record('write', undefined);
  }
  read(handle: DataHandle): Promise<TypedArray> {
    return Promise.resolve(this.record('read', new Float32Array(handle.size)));
  }
  free(): void {
    this.record('free', undefined);
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  memory() {
    return { buffers: 0, bytes: 0 };
  }
  dispose(): void {
    this.record('dispose', undefined);
  }
  fill(dtype: DType, size: number): DataHandle {
    return this.record('fill', new Handle(dtype, size));
  }
  cast(x: TensorSpec, dtype: DType): DataHandle {
    return this.record('cast', new Handle(dtype, x.data.size));
  }
  unary(_op: string, x: TensorSpec): DataHandle {
    return this.record('unary', new Handle(x.data.dtype, x.data.size));
  }
  binary(_op: string, a: TensorSpec, _b: TensorSpec, shape: readonly number[]): DataHandle {
    return this.record(
      'binary',
      new Handle(
        a.data.dtype,
        shape.reduce((p, d) => p * d, 1),
      ),
    );
  }
  where(_c: TensorSpec, a: TensorSpec): DataHandle {
    return this.record('where', new Handle(a.data.dtype, a.data.size));
  }
  reduce(_op: string, x: TensorSpec): DataHandle {
    return this.record('reduce', new Handle(x.data.dtype, 1));
  }
  argReduce(): DataHandle {
    return this.record('argReduce', new Handle('int32', 1));
  }
  matmul(): DataHandle {
    return this.record('matmul', new Handle('float32', 1));
  }
  stridedCopy(x: { data: DataHandle }): DataHandle {
    return this.record('stridedCopy', new Handle(x.data.dtype, 1));
  }
  concat(): DataHandle {
    return this.record('concat', new Handle('float32', 1));
  }
  gather(): DataHandle {
    return this.record('gather', new Handle('float32', 1));
  }
  scatterAdd(): DataHandle {
    return this.record('scatterAdd', new Handle('float32', 1));
  }
  random(): DataHandle {
    return this.record('random', new Handle('float32', 1));
  }
}

describe('checkedBackend', () => {
  it('passes valid calls through unchanged and owns what they return', () => {
    const raw = new FakeBackend();
    const backend: Backend = checkedBackend(raw);
    const x = backend.alloc('float32', 6);
    const y = backend.unary('neg', { data: x, shape: [2, 3] });
    expect(raw.calls).toEqual(['alloc', 'unary']);
    expect(y).toBeInstanceOf(Handle);
    backend.free(y);
    backend.free(x);
    expect(raw.calls).toEqual(['alloc', 'unary', 'free', 'free']);
  });

  it('refuses bad calls before the backend sees them', async () => {
    const raw = new FakeBackend();
    const backend: Backend = checkedBackend(raw);
    const x = backend.alloc('float32', 6);
    const ints = backend.alloc('int32', 6);
    raw.calls.length = 0;
    expect(() => backend.unary('exp', { data: ints, shape: [6] })).toThrow(new GatedError('unary', 'x of exp must be float32, got int32'));
    expect(() => backend.unary('neg', { data: x, shape: [5] })).toThrow('unary: x has shape [5] but its buffer holds 6 elements');
    expect(() => backend.binary('add', { data: x, shape: [6] }, { data: ints, shape: [6] }, [6])).toThrow(
      'binary: b must be float32, got int32',
    );
    expect(() => backend.unary('neg', { data: new Handle('float32', 6), shape: [6] })).toThrow(
      'unary: x is not a buffer of this fake backend',
    );
    expect(() => backend.reduce('sum', { data: x, shape: [2, 3] }, [2])).toThrow('reduce: axis 2 is out of range for rank 2');
    backend.free(ints);
    expect(() => {
      backend.free(ints);
    }).toThrow('free: buffer was already freed');
    await expect(backend.read(ints)).rejects.toThrow('read: buffer was already freed');
    expect(raw.calls).toEqual(['free']);
    backend.dispose();
    backend.dispose();
    expect(raw.calls).toEqual(['free', 'dispose']);
    expect(() => backend.alloc('float32', 1)).toThrow('alloc: the fake backend was disposed');
    expect(() => {
      backend.free(x);
    }).toThrow('free: the fake backend was disposed');
  });

  it('reports a backend that cannot allocate as a GatedError naming the method', () => {
    const raw = new FakeBackend();
    raw.fill = () => {
      throw new RangeError('Array buffer allocation failed');
    };
    const backend = checkedBackend(raw);
    expect(() => (backend as Backend).fill('float32', 4, 0)).toThrow(
      new GatedError('fill', 'out of memory: Array buffer allocation failed'),
    );
    // Other errors of the backend pass through as they are.
    raw.alloc = () => {
      throw new RangeError('offset is out of bounds');
    };
    expect(() => backend.alloc('float32', 4)).toThrow(RangeError);
  });

  it("wraps once and keeps the backend's own type and members", () => {
    const raw = new FakeBackend();
    const backend = checkedBackend(raw);
    expect(checkedBackend(raw)).toBe(backend);
    expect(checkedBackend(backend)).toBe(backend);
    expect(isCheckedBackend(backend)).toBe(true);
    expect(isCheckedBackend(raw)).toBe(false);
    expect(backend).toBeInstanceOf(FakeBackend);
    expect(backend.info.note).toBe('backend-specific');
    // Members outside the contract run on the backend itself, private fields included.
    expect(backend.secret()).toBe(42);
  });

  it('lets a caller wrap a checked method, as profilers do', () => {
    const raw = new FakeBackend();
    const backend: Backend = checkedBackend(raw);
    const free = backend.free.bind(backend);
    let freed = 0;
    backend.free = (handle) => {
      freed++;
      free(handle);
    };
    const x = backend.alloc('float32', 1);
    backend.free(x);
    expect(freed).toBe(1);
    expect(raw.calls).toEqual(['alloc', 'free']);
    expect(() => {
      backend.free(x);
    }).toThrow('free: buffer was already freed');
    expect(freed).toBe(2);
  });

  it('offers optional methods exactly when the backend has them', () => {
    const backend: Backend = checkedBackend(new FakeBackend());
    expect(typeof backend.readSync).toBe('undefined');
    expect(typeof backend.lstmCell).toBe('undefined');
    expect(typeof backend.adamStep).toBe('undefined');
    const withSync = Object.assign(new FakeBackend(), { readSync: (h: DataHandle) => new Float32Array(h.size) });
    const checked: Backend = checkedBackend(withSync);
    const x = checked.alloc('float32', 2);
    expect(Array.from(checked.readSync!(x))).toEqual([0, 0]);
    checked.free(x);
    expect(() => checked.readSync!(x)).toThrow('readSync: buffer was already freed');
  });
});

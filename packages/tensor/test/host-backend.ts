/**
 * A deliberately tiny backend for testing the engine on its own (registry, scopes, refcounts,
 * views, errors) without depending on a real backend package: storage, fills, strided copies
 * and one compute kernel (`binary('add')`). Every real kernel is tested by the conformance
 * suite, which each backend runs.
 */
import {
  GatedError,
  SPEC_VERSION,
  allocArray,
  broadcastStrides,
  bytesPerElement,
  sizeOf,
  type Backend,
  type BackendCaps,
  type DType,
  type DataHandle,
  type Shape,
  type StridedSpec,
  type TensorSpec,
  type TypedArray,
} from '@gated/backend-api';

class HostBuffer implements DataHandle {
  freed = false;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    readonly values: TypedArray,
  ) {}
}

export interface HostBackend extends Backend {
  /** Handles freed so far, for asserting who frees what. */
  readonly freedCount: () => number;
}

export function createHostBackend(options: { syncRead?: boolean; name?: string } = {}): HostBackend {
  const live = new Set<HostBuffer>();
  let freed = 0;
  const make = (dtype: DType, size: number): HostBuffer => {
    const buffer = new HostBuffer(dtype, size, allocArray(dtype, size));
    live.add(buffer);
    return buffer;
  };
  const own = (handle: DataHandle, op: string): HostBuffer => {
    if (!(handle instanceof HostBuffer) || handle.freed) throw new GatedError(op, 'not a live host buffer');
    return handle;
  };
  const notHere = (op: string): never => {
    throw new GatedError(op, 'not implemented by the host test backend');
  };
  const caps: BackendCaps = { syncRead: options.syncRead ?? true, fused: {} };
  const backend: HostBackend = {
    specVersion: SPEC_VERSION,
    name: options.name ?? 'host',
    caps,
    freedCount: () => freed,
    alloc: (dtype, size) => make(dtype, size),
    write(handle, values, offset = 0) {
      own(handle, 'write').values.set(values, offset);
    },
    read: (handle) => Promise.resolve(own(handle, 'read').values.slice()),
    ...(caps.syncRead ? { readSync: (handle: DataHandle) => own(handle, 'readSync').values.slice() } : {}),
    free(handle) {
      const buffer = own(handle, 'free');
      buffer.freed = true;
      live.delete(buffer);
      freed++;
    },
    sync: () => Promise.resolve(),
    memory() {
      let bytes = 0;
      for (const b of live) bytes += b.size * bytesPerElement(b.dtype);
      return { buffers: live.size, bytes };
    },
    dispose() {
      live.clear();
    },
    fill(dtype, size, value) {
      const out = make(dtype, size);
      out.values.fill(value);
      return out;
    },
    stridedCopy(x: StridedSpec) {
      const source = own(x.data, 'stridedCopy');
      const out = make(source.dtype, sizeOf(x.shape));
      const index = new Array<number>(x.shape.length).fill(0);
      for (let i = 0; i < out.size; i++) {
        let offset = x.offset;
        for (let a = 0; a < index.length; a++) offset += index[a]! * x.strides[a]!;
        out.values[i] = source.values[offset]!;
        for (let a = index.length - 1; a >= 0; a--) {
          if (++index[a]! < x.shape[a]!) break;
          index[a] = 0;
        }
      }
      return out;
    },
    binary(op, a: TensorSpec, b: TensorSpec, outShape: Shape) {
      if (op !== 'add') return notHere('binary');
      const left = own(a.data, 'binary');
      const right = own(b.data, 'binary');
      const out = make(left.dtype, sizeOf(outShape));
      const sa = broadcastStrides(a.shape, outShape);
      const sb = broadcastStrides(b.shape, outShape);
      const index = new Array<number>(outShape.length).fill(0);
      for (let i = 0; i < out.size; i++) {
        let ia = 0;
        let ib = 0;
        for (let d = 0; d < index.length; d++) {
          ia += index[d]! * sa[d]!;
          ib += index[d]! * sb[d]!;
        }
        out.values[i] = left.values[ia]! + right.values[ib]!;
        for (let d = index.length - 1; d >= 0; d--) {
          if (++index[d]! < outShape[d]!) break;
          index[d] = 0;
        }
      }
      return out;
    },
    cast: () => notHere('cast'),
    unary: () => notHere('unary'),
    where: () => notHere('where'),
    reduce: () => notHere('reduce'),
    argReduce: () => notHere('argReduce'),
    matmul: () => notHere('matmul'),
    concat: () => notHere('concat'),
    gather: () => notHere('gather'),
    scatterAdd: () => notHere('scatterAdd'),
    random: () => notHere('random'),
  };
  return backend;
}

/** Host side of joining and indexing (assembly/elementwise.ts, assembly/indexing.ts): concat, gather, scatterAdd. */
import { bytesPerElement, checkIndices, outerInner, sizeOf, type Shape, type TensorSpec } from '@gated/backend-api';
import type { WasmHost } from '../host.js';
import { bufferOf, type WasmBuffer } from '../wasm-buffer.js';

/**
 * Refuses indices outside [0, size) before anything is allocated: the check of buffer contents
 * the contract leaves to backends that can read them cheaply (read in place here).
 */
function checkIndicesOf(host: WasmHost, op: string, indices: WasmBuffer, axis: number, size: number): void {
  const first = indices.address >>> 2;
  checkIndices(op, host.heap().i32.subarray(first, first + indices.size), axis, size);
}

/** Each input's rows are copied into their columns of the output, one chunk per outer index. */
export function concat(host: WasmHost, inputs: readonly TensorSpec[], axis: number, outShape: Shape): WasmBuffer {
  const buffers = inputs.map((spec) => bufferOf(spec.data));
  const dtype = buffers[0]!.dtype;
  const out = host.newBuffer(dtype, sizeOf(outShape));
  if (out.size > 0) {
    const width = bytesPerElement(dtype);
    const [outer] = outerInner(outShape, axis);
    const outRowBytes = (out.size / outer) * width;
    let columnBytes = 0;
    for (const input of buffers) {
      const chunkBytes = (input.size / outer) * width;
      if (chunkBytes > 0) host.exports.copyChunks(out.address + columnBytes, outRowBytes, input.address, chunkBytes, outer);
      columnBytes += chunkBytes;
    }
  }
  return out;
}

export function gather(host: WasmHost, x: TensorSpec, indices: TensorSpec, axis: number): WasmBuffer {
  const source = bufferOf(x.data);
  const index = bufferOf(indices.data);
  const size = x.shape[axis]!;
  checkIndicesOf(host, 'gather', index, axis, size);
  const [outer, inner] = outerInner(x.shape, axis);
  const out = host.newBuffer(source.dtype, outer * index.size * inner);
  if (out.size > 0) {
    host.exports.gather(bytesPerElement(source.dtype), out.address, source.address, outer, size, inner, index.address, index.size);
  }
  return out;
}

/** float32 updates accumulate in a float64 scratch and round once, as the reference does. */
export function scatterAdd(host: WasmHost, updates: TensorSpec, indices: TensorSpec, axis: number, outShape: Shape): WasmBuffer {
  const source = bufferOf(updates.data);
  const index = bufferOf(indices.data);
  const size = outShape[axis]!;
  checkIndicesOf(host, 'scatterAdd', index, axis, size);
  const [outer, inner] = outerInner(outShape, axis);
  const out = host.newBuffer(source.dtype, sizeOf(outShape));
  if (out.size > 0) {
    const accBytes = source.dtype === 'float32' ? out.size * 8 : 0;
    host.withScratch(accBytes, (acc) => {
      host.exports.scatterAdd(
        host.codes.dtype[source.dtype],
        out.address,
        source.address,
        outer,
        size,
        inner,
        index.address,
        index.size,
        acc,
      );
    });
  }
  return out;
}

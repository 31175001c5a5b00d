/** Host side of joining and indexing (assembly/elementwise.ts, assembly/indexing.ts): concat, gather, scatterAdd. */
import { GatedError, bytesPerElement, sizeOf, type Shape, type TensorSpec } from '@gated/backend-api';
import type { WasmHost } from '../host.js';
import { bufferOf, type WasmBuffer } from '../wasm-buffer.js';

/** Sizes of the axes before `axis` and after it. */
export function outerInner(shape: Shape, axis: number): [outer: number, inner: number] {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, inner];
}

/**
 * Refuses indices outside [0, size) before anything is allocated: a scan in wasm, the one check of
 * buffer contents the contract leaves to the backend (it is cheap here).
 */
function checkIndices(host: WasmHost, op: string, indices: WasmBuffer, axis: number, size: number): void {
  if (indices.size === 0) return;
  const bad = host.exports.checkIndices(indices.address, indices.size, size);
  if (bad >= 0) {
    const index = host.heap().i32[(indices.address >>> 2) + bad]!;
    throw new GatedError(op, `index ${index} is out of range for axis ${axis} of size ${size}`);
  }
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
  checkIndices(host, 'gather', index, axis, size);
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
  checkIndices(host, 'scatterAdd', index, axis, size);
  const [outer, inner] = outerInner(outShape, axis);
  const out = host.newBuffer(source.dtype, sizeOf(outShape));
  if (out.size > 0) {
    const accBytes = source.dtype === 'float32' ? out.size * 8 : 0;
    host.withScratch(accBytes, (acc) => {
      host.exports.scatterAdd(host.codes.dtype[source.dtype], out.address, source.address, outer, size, inner, index.address, index.size, acc);
    });
  }
  return out;
}

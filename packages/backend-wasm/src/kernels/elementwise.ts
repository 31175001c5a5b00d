/**
 * Host side of the elementwise kernels (assembly/elementwise.ts): fill, cast, unary, binary,
 * where and stridedCopy. Broadcasting and views become iteration plans (plan.ts) in linear memory.
 */
import {
  BINARY_TYPING,
  UNARY_TYPING,
  broadcastStrides,
  bytesPerElement,
  mergeAxes,
  saturateInt32,
  sizeOf,
  type BinaryOp,
  type DType,
  type DataHandle,
  type Shape,
  type StridedSpec,
  type TensorSpec,
  type UnaryOp,
} from '@gated/backend-api';
import type { WasmHost } from '../host.js';
import { bufferOf, type WasmBuffer } from '../wasm-buffer.js';

const bitsView = new DataView(new ArrayBuffer(4));

/** The 32-bit pattern `fill` stores for `value` in a buffer of `dtype` (float32 or int32). */
function fillBits(dtype: DType, value: number): number {
  if (dtype === 'int32') return saturateInt32(value);
  bitsView.setFloat32(0, value);
  return bitsView.getInt32(0);
}

function buffer(spec: { readonly data: DataHandle }): WasmBuffer {
  return bufferOf(spec.data);
}

export function fill(host: WasmHost, dtype: DType, size: number, value: number): WasmBuffer {
  const out = host.newBuffer(dtype, size);
  if (size > 0) {
    if (dtype === 'bool') host.exports.fill8(out.address, size, value !== 0 ? 1 : 0);
    else host.exports.fill32(out.address, size, fillBits(dtype, value));
  }
  return out;
}

export function cast(host: WasmHost, x: TensorSpec, dtype: DType): WasmBuffer {
  const input = buffer(x);
  const out = host.newBuffer(dtype, input.size);
  if (input.size > 0) host.exports.cast(host.codes.dtype[input.dtype], host.codes.dtype[dtype], out.address, input.address, input.size);
  return out;
}

export function unary(host: WasmHost, op: UnaryOp, x: TensorSpec): WasmBuffer {
  const input = buffer(x);
  const typing = UNARY_TYPING[op];
  const out = host.newBuffer(typing.output === 'same' ? input.dtype : typing.output, input.size);
  if (input.size > 0) {
    const code = host.codes.unary[op];
    if (input.dtype === 'float32') host.exports.unaryF32(code, out.address, input.address, input.size);
    else if (input.dtype === 'int32') host.exports.unaryI32(code, out.address, input.address, input.size);
    else host.exports.logicalNot(out.address, input.address, input.size);
  }
  return out;
}

export function binary(host: WasmHost, op: BinaryOp, a: TensorSpec, b: TensorSpec, outShape: Shape): WasmBuffer {
  const left = buffer(a);
  const right = buffer(b);
  const typing = BINARY_TYPING[op];
  const size = sizeOf(outShape);
  const out = host.newBuffer(typing.output === 'same' ? left.dtype : typing.output, size);
  if (size > 0) {
    const plan =
      left.size === size && right.size === size
        ? { dims: [size], strides: [[1], [1]] }
        : mergeAxes(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
    const planAddress = host.writePlan(plan);
    host.exports.binary(host.codes.binary[op], host.codes.dtype[left.dtype], out.address, left.address, right.address, planAddress);
  }
  return out;
}

export function where(host: WasmHost, cond: TensorSpec, a: TensorSpec, b: TensorSpec, outShape: Shape): WasmBuffer {
  const left = buffer(a);
  const size = sizeOf(outShape);
  const out = host.newBuffer(left.dtype, size);
  if (size > 0) {
    const plan = mergeAxes(outShape, [
      broadcastStrides(cond.shape, outShape),
      broadcastStrides(a.shape, outShape),
      broadcastStrides(b.shape, outShape),
    ]);
    const planAddress = host.writePlan(plan);
    host.exports.where(bytesPerElement(left.dtype), out.address, buffer(cond).address, left.address, buffer(b).address, planAddress);
  }
  return out;
}

export function stridedCopy(host: WasmHost, x: StridedSpec): WasmBuffer {
  const source = buffer(x);
  const size = sizeOf(x.shape);
  const out = host.newBuffer(source.dtype, size);
  if (size > 0) {
    const planAddress = host.writePlan(mergeAxes(x.shape, [x.strides]), [x.offset]);
    host.exports.stridedCopy(bytesPerElement(source.dtype), out.address, source.address, planAddress);
  }
  return out;
}

/**
 * Host side of the batched matrix product (assembly/gemm.ts): one GEMM job per batch entry, B
 * packed once and reused while consecutive batch entries share it (a broadcast B).
 */
import { broadcastStrides, mergeAxes, sizeOf, type Shape, type TensorSpec } from '@gated/backend-api';
import type { WasmHost } from '../host.js';
import type { Plan } from '../plan.js';
import { bufferOf, type WasmBuffer } from '../wasm-buffer.js';

/** Calls `visit` with both operands' element offsets for every batch of a two-operand plan. */
function forEachOffset(plan: Plan, visit: (offsetA: number, offsetB: number) => void): void {
  const { dims, strides } = plan;
  const [sa, sb] = strides as [number[], number[]];
  const rank = dims.length;
  const index = new Array<number>(rank).fill(0);
  let total = 1;
  for (const dim of dims) total *= dim;
  let offsetA = 0;
  let offsetB = 0;
  for (let visited = 0; visited < total; visited++) {
    visit(offsetA, offsetB);
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < dims[axis]!) {
        offsetA += sa[axis]!;
        offsetB += sb[axis]!;
        break;
      }
      index[axis] = 0;
      offsetA -= sa[axis]! * (dims[axis]! - 1);
      offsetB -= sb[axis]! * (dims[axis]! - 1);
    }
  }
}

export function matmul(
  host: WasmHost,
  a: TensorSpec,
  b: TensorSpec,
  transposeA: boolean,
  transposeB: boolean,
  outShape: Shape,
): WasmBuffer {
  const left = bufferOf(a.data);
  const right = bufferOf(b.data);
  const rank = outShape.length;
  const [m, n] = [outShape[rank - 2]!, outShape[rank - 1]!];
  const depth = a.shape[a.shape.length - (transposeA ? 2 : 1)]!;
  const batchShape = outShape.slice(0, -2);
  const out = host.newBuffer('float32', sizeOf(outShape));
  if (out.size === 0) return out;
  if (depth === 0) {
    host.exports.fill32(out.address, out.size, 0);
    return out;
  }
  const plan = mergeAxes(batchShape, [
    broadcastStrides(a.shape.slice(0, -2), batchShape).map((s) => s * m * depth),
    broadcastStrides(b.shape.slice(0, -2), batchShape).map((s) => s * depth * n),
  ]);
  // A(i, k) as (row step, k step) in bytes: row-major [M, K], or [K, M] when transposed.
  const [rowStep, depthStep] = transposeA ? [4, m * 4] : [depth * 4, 4];
  const ldb = transposeB ? depth : n;
  const packedBytes = host.exports.packedSize(depth, n) * 4;
  host.withScratch(packedBytes + host.packABytes, (packed) => {
    let lastB = -1;
    let outOffset = 0;
    forEachOffset(plan, (offsetA, offsetB) => {
      host.gemm({
        a: left.address + offsetA * 4,
        rowStep,
        depthStep,
        b: right.address + offsetB * 4,
        ldb,
        transposeB: transposeB ? 1 : 0,
        c: out.address + outOffset * 4,
        ldc: n,
        m,
        n,
        k: depth,
        packed,
        packedReady: offsetB === lastB ? 1 : 0,
        packedA: packed + packedBytes,
      });
      lastB = offsetB;
      outOffset += m * n;
    });
  });
  return out;
}

/**
 * Gate orders. PyTorch (and so Gated) stacks LSTM gates i, f, g, o and GRU gates r, z, n; ONNX
 * stacks LSTM gates i, o, f, c and GRU gates z, r, h. `ONNX_FROM_TORCH[k]` is the PyTorch block
 * that becomes ONNX block k.
 */
export const LSTM_ONNX_FROM_TORCH = [0, 3, 1, 2] as const;
export const GRU_ONNX_FROM_TORCH = [1, 0, 2] as const;
/** An RNN has one block. */
export const RNN_ONNX_FROM_TORCH = [0] as const;
/** Peepholes: Gated's `weight_peephole` is p_i, p_f, p_o (PyTorch's gate order without g); ONNX's `P` is p_i, p_o, p_f. */
export const PEEPHOLE_ONNX_FROM_TORCH = [0, 2, 1] as const;

/** The inverse permutation: `TORCH_FROM_ONNX[k]` is the ONNX block that becomes PyTorch block k. */
export function inverseOrder(order: readonly number[]): number[] {
  const out = new Array<number>(order.length);
  order.forEach((source, target) => (out[source] = target));
  return out;
}

/**
 * Reorders the row blocks of a `[gates·H, cols]` matrix (or a `[gates·H]` vector, cols = 1):
 * block k of the result is block `order[k]` of `data`.
 */
export function reorderBlocks(data: Float32Array, gates: number, order: readonly number[]): Float32Array {
  const block = data.length / gates;
  const out = new Float32Array(data.length);
  order.forEach((source, target) => {
    out.set(data.subarray(source * block, (source + 1) * block), target * block);
  });
  return out;
}

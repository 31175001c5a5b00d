/**
 * Layer-shaped nodes as trainable Gated modules: `Gemm` (2-D, alpha = beta = 1, as PyTorch writes
 * nn.Linear) and `MatMul` by a constant weight, with the `Add` of a constant bias that follows it,
 * become `Linear`; `Gather` from a constant table by runtime ids becomes `Embedding`.
 */
import { Embedding, Linear } from '@gated/lstm';
import { tensor, type Tensor } from '@gated/tensor';
import type { HostValue } from '../host-value.js';
import { required, type CompileContext, type Kernel, type OpCompiler } from './kernel.js';
import type { NodeView } from './node-view.js';
import { toDevice } from './values.js';

/** A float initializer that only this node reads, with the given rank: a weight a layer can own. */
export function ownedWeight(context: CompileContext, name: string, rank: number): HostValue | undefined {
  const value = name === '' ? undefined : context.initializer(name);
  return value && value.type === 'float' && value.shape.length === rank && context.uses(name) === 1 ? value : undefined;
}

/** Transposes a row-major [rows, cols] matrix. */
function transposed(data: Float32Array | Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** A `Linear` with `weight` [out, in] and an optional bias, registered in the model. */
function makeLinear(
  context: CompileContext,
  weight: Float32Array,
  outFeatures: number,
  inFeatures: number,
  bias: HostValue | null,
): Linear {
  const linear = new Linear(inFeatures, outFeatures, { bias: bias !== null, seed: 0 });
  context.addLayer('linear', linear);
  const dict: Record<string, Tensor> = { weight: tensor(weight, { shape: [outFeatures, inFeatures] }) };
  if (bias) dict['bias'] = tensor(Float32Array.from(bias.data), { shape: [outFeatures] });
  try {
    linear.loadStateDict(dict);
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
  return linear;
}

/** A bias operand: [N] or [1, N] floats. */
export function biasOf(value: HostValue | undefined, outFeatures: number): HostValue | null {
  if (value?.type !== 'float' || value.data.length !== outFeatures || value.shape.at(-1) !== outFeatures || value.shape.length > 2)
    return null;
  return value;
}

function linearKernel(node: NodeView, linear: Linear, twoD: boolean): Kernel {
  return (inputs) => {
    const x = toDevice(node.label, required(node, inputs, 0, 'A'));
    if (twoD && x.rank !== 2) throw node.error(`Gemm takes a 2-D A, got [${x.shape.join(', ')}]`);
    return [linear.forward(x)];
  };
}

export const gemmOp: OpCompiler = (node, context) => {
  const alpha = node.float('alpha', 1);
  const beta = node.float('beta', 1);
  const transA = node.int('transA', 0);
  const transB = node.int('transB', 0);
  node.finish();
  if (alpha !== 1 || beta !== 1 || transA !== 0) {
    throw node.error(
      `alpha ${alpha}, beta ${beta}, transA ${transA}: only alpha = beta = 1, transA = 0 (a Linear layer, as PyTorch writes nn.Linear) is supported`,
    );
  }
  const b = ownedWeight(context, node.input(1), 2);
  if (!b) throw node.error(`B ("${node.input(1)}") must be a 2-D float initializer read by this node only (a Linear layer's weight)`);
  const [rows, cols] = b.shape as [number, number];
  const [outFeatures, inFeatures] = transB === 1 ? [rows, cols] : [cols, rows];
  const cName = node.input(2);
  const c = cName !== '' && context.uses(cName) === 1 ? biasOf(context.initializer(cName), outFeatures) : null;
  if (cName !== '' && c === null)
    throw node.error(`C ("${cName}") must be a float initializer of shape [${outFeatures}] read by this node only (a Linear layer's bias)`);
  const weight = transB === 1 ? Float32Array.from(b.data) : transposed(b.data, rows, cols);
  return linearKernel(node, makeLinear(context, weight, outFeatures, inFeatures, c), true);
};

/** MatMul by a constant [in, out] weight, with the constant bias of the Add that follows it (or none). */
export function matmulLinear(node: NodeView, context: CompileContext, weight: HostValue, bias: HostValue | null): Kernel {
  node.finish();
  const [inFeatures, outFeatures] = weight.shape as [number, number];
  return linearKernel(node, makeLinear(context, transposed(weight.data, inFeatures, outFeatures), outFeatures, inFeatures, bias), false);
}

/** Gather from a constant [N, E] table by ids computed at run time. */
export function embeddingGather(node: NodeView, context: CompileContext, table: HostValue): Kernel {
  node.int('axis');
  node.finish();
  const [count, dim] = table.shape as [number, number];
  const embedding = new Embedding(count, dim, { seed: 0 });
  context.addLayer('embedding', embedding);
  const weight = tensor(Float32Array.from(table.data), { shape: [count, dim] });
  try {
    embedding.loadStateDict({ weight });
  } finally {
    weight.dispose();
  }
  return (inputs) => {
    const ids = toDevice(node.label, required(node, inputs, 1, 'indices'));
    if (ids.dtype !== 'int32') throw node.error(`indices must be integers, got ${ids.dtype}`);
    return [embedding.forward(ids)];
  };
}

/**
 * `importOnnx`: an ONNX file (from Gated's `exportOnnx` or PyTorch's `torch.onnx.export`) as an
 * {@link OnnxModel}. Everything is checked before anything runs: the protobuf, each initializer
 * against the bytes it holds, that every node reads values defined before it (a missing
 * initializer is named), each op and each attribute (unknown ones refused by name).
 */
import { GatedError } from '@gated/backend-api';
import type { Module } from '@gated/lstm';
import type { HostValue } from '../host-value.js';
import { decodeModel } from '../proto/codec.js';
import { DataType, type GraphProto, type ModelProto, type NodeProto } from '../proto/types.js';
import { hostFromTensorProto, typeName } from '../tensor-proto.js';
import type { CompileContext, Kernel, OpCompiler } from './kernel.js';
import { biasOf, embeddingGather, gemmOp, matmulLinear, ownedWeight } from './linear.js';
import { NodeView } from './node-view.js';
import { OnnxModel, type OnnxInput, type Step } from './onnx-model.js';
import { LAYOUT_OPS } from './ops-layout.js';
import { MATH_OPS } from './ops-math.js';
import { SHAPE_OPS } from './ops-shape.js';
import { RECURRENT_OPS } from './recurrent.js';

const OPS: Record<string, OpCompiler> = { ...SHAPE_OPS, ...LAYOUT_OPS, ...MATH_OPS, ...RECURRENT_OPS, Gemm: gemmOp };

const OP = 'importOnnx';

/** The ai.onnx opset the model imports (refusing other operator domains). */
function defaultOpset(model: ModelProto): number {
  let opset: number | undefined;
  for (const entry of model.opset_import) {
    const domain = entry.domain ?? '';
    if (domain === '' || domain === 'ai.onnx') opset = entry.version ?? 0;
  }
  if (opset === undefined) throw new GatedError(OP, 'the model imports no ai.onnx opset (opset_import has no default domain)');
  if (opset < 7) throw new GatedError(OP, `opset ${opset} is too old; opset 7 or newer is supported`);
  return opset;
}

function graphInputs(graph: GraphProto, initializers: ReadonlyMap<string, HostValue>): OnnxInput[] {
  const out: OnnxInput[] = [];
  for (const input of graph.input) {
    const name = input.name ?? '';
    // IR < 4 lists initializers among the inputs too: they are weights here, not feeds.
    if (initializers.has(name)) continue;
    const tensorType = input.type?.tensor_type;
    if (!tensorType) throw new GatedError(OP, `input "${name}" is not a tensor; only tensor inputs are supported`);
    const elem = tensorType.elem_type ?? 0;
    const type = elem === DataType.FLOAT ? 'float' : elem === DataType.INT64 || elem === DataType.INT32 ? 'int' : null;
    if (type === null)
      throw new GatedError(OP, `input "${name}" has element type ${typeName(elem)}; FLOAT, INT64 and INT32 inputs are supported`);
    const shape = (tensorType.shape?.dim ?? []).map((d) => (d.dim_value !== undefined && d.dim_param === undefined ? d.dim_value : null));
    out.push({ name, type, shape });
  }
  return out;
}

/** How many nodes read each value. */
function countUses(nodes: readonly NodeProto[]): Map<string, number> {
  const uses = new Map<string, number>();
  for (const node of nodes) for (const name of node.input) if (name !== '') uses.set(name, (uses.get(name) ?? 0) + 1);
  return uses;
}

/**
 * Reads an ONNX model into a Gated {@link OnnxModel}, ready to run and to train. Supports the
 * graphs `exportOnnx` writes and those `torch.onnx.export` writes for `nn.LSTM`, `nn.GRU`,
 * `nn.RNN`, `nn.Linear`, `nn.Embedding` models (with `pack_padded_sequence` lengths, initial
 * states, batch-first, activations), and the ONNX `LSTM` (peepholes `P` included), `GRU` (both
 * `linear_before_reset` forms) and `RNN` (Tanh or Relu) ops; weights must be inside the file.
 * Refused by name: `clip`, `input_forget`, other activations, other operator domains, and any op
 * or attribute outside that family.
 *
 * @example
 * ```ts
 * const model = importOnnx(readFileSync('lstm.onnx'));
 * const out = model.run({ x, lengths: [5, 3] }); // by the graph's own names
 * ```
 */
export function importOnnx(bytes: Uint8Array): OnnxModel {
  const model = decodeModel(OP, bytes);
  const graph = model.graph;
  if (!graph) throw new GatedError(OP, 'the file has no graph');
  const opset = defaultOpset(model);
  if (graph.sparse_initializer.length > 0) throw new GatedError(OP, 'sparse initializers are not supported');
  const initializers = new Map<string, HostValue>();
  for (const t of graph.initializer) {
    const name = t.name ?? '';
    if (initializers.has(name)) throw new GatedError(OP, `initializer "${name}" is defined twice`);
    initializers.set(name, hostFromTensorProto(OP, t, `initializer "${name}"`));
  }
  const inputs = graphInputs(graph, initializers);
  const defined = new Set<string>([...initializers.keys(), ...inputs.map((i) => i.name)]);
  graph.node.forEach((node, index) => {
    const view = `${node.op_type ?? '?'} node "${node.name ?? `#${index}`}"`;
    const domain = node.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx')
      throw new GatedError(OP, `${view} is from operator domain "${domain}"; only the default ONNX domain is supported`);
    for (const name of node.input) {
      if (name !== '' && !defined.has(name)) {
        throw new GatedError(
          OP,
          `${view} reads "${name}", which no initializer, graph input or earlier node defines (a missing initializer, or nodes out of order)`,
        );
      }
    }
    for (const name of node.output) {
      if (name === '') continue;
      if (defined.has(name)) throw new GatedError(OP, `${view} redefines "${name}"`);
      defined.add(name);
    }
  });
  const outputNames = graph.output.map((o) => o.name ?? '');
  for (const name of outputNames) if (!defined.has(name)) throw new GatedError(OP, `graph output "${name}" is not computed by any node`);

  const uses = countUses(graph.node);
  const layers: [string, Module][] = [];
  const counts = new Map<string, number>();
  const context: CompileContext = {
    initializer: (name) => initializers.get(name),
    uses: (name) => uses.get(name) ?? 0,
    addLayer(kind, module) {
      const k = counts.get(kind) ?? 0;
      counts.set(kind, k + 1);
      layers.push([`${kind}${k}`, module]);
      return `${kind}${k}`;
    },
  };
  try {
    const steps = compileNodes(graph.node, opset, context, uses, new Set(outputNames));
    // Initializers no layer took over stay host constants of the graph.
    return new OnnxModel(inputs, outputNames, steps, initializers, layers);
  } catch (error) {
    for (const [, layer] of layers) layer.dispose();
    throw error;
  }
}

function compileNodes(
  nodes: readonly NodeProto[],
  opset: number,
  context: CompileContext,
  uses: ReadonlyMap<string, number>,
  graphOutputs: ReadonlySet<string>,
): Step[] {
  const steps: Step[] = [];
  const absorbed = new Set<number>();
  nodes.forEach((node, index) => {
    if (absorbed.has(index)) return;
    const view = new NodeView(node, index, opset);
    let outputs = node.output;
    let kernel: Kernel;
    const table = view.opType === 'Gather' ? ownedWeight(context, view.input(0), 2) : undefined;
    const weight = view.opType === 'MatMul' ? ownedWeight(context, view.input(1), 2) : undefined;
    if (table && view.int('axis', 0) === 0 && context.initializer(view.input(1)) === undefined) {
      kernel = embeddingGather(view, context, table);
    } else if (weight && context.initializer(view.input(0)) === undefined) {
      // MatMul by a weight, then Add of a bias: one Linear, when the product feeds only that Add.
      const product = node.output[0] ?? '';
      const next = nodes.findIndex((n, k) => k > index && n.input.includes(product));
      const add = nodes[next];
      const other = add?.input.find((name) => name !== product) ?? '';
      const bias =
        add?.op_type === 'Add' &&
        add.input.length === 2 &&
        add.attribute.length === 0 &&
        uses.get(product) === 1 &&
        !graphOutputs.has(product)
          ? biasOf(ownedWeight(context, other, context.initializer(other)?.shape.length ?? 0), weight.shape[1]!)
          : null;
      if (bias) {
        absorbed.add(next);
        outputs = add!.output;
      }
      kernel = matmulLinear(view, context, weight, bias);
    } else {
      const compile = OPS[view.opType];
      if (!compile) throw view.error(`op ${view.opType} is not supported (supported: ${Object.keys(OPS).sort().join(', ')})`);
      kernel = compile(view, context);
    }
    steps.push({ label: view.label, kernel, inputs: node.input, outputs });
  });
  return steps;
}

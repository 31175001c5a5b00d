/**
 * `exportOnnx`: a Gated model as an ONNX file that ONNX Runtime (and PyTorch's tools) can run.
 * The graph uses the standard ops: `Gather` for an Embedding, `Gemm` (2-D input) or
 * `MatMul` + `Add` for a Linear, `LSTM` / `GRU` / `RNN` nodes for the recurrent layers, `Relu`, `Tanh`,
 * `Sigmoid`; Dropout is the identity at export, as in evaluation mode.
 */
import { GatedError, formatShape } from '@gated/backend-api';
import { Dropout, Embedding, LSTM, Linear, ReLU, Sigmoid, Tanh } from '@gated/lstm';
import { intAttr, irVersionFor, valueInfo, type Dim } from '../proto/build.js';
import { encodeModel } from '../proto/codec.js';
import { DataType, type ModelProto, type ValueInfoProto } from '../proto/types.js';
import { GraphBuilder } from './graph-builder.js';
import { flattenModel, isRecurrent, type ExportableLayer, type ExportableModel } from './layers.js';
import { exportRecurrent, floats, type BatchFirstLayout } from './recurrent.js';

/** The opsets `exportOnnx` writes (14 brought the LSTM/GRU `layout` attribute; 24 is the newest ONNX Runtime 1.30 loads, tested). */
export const MIN_OPSET = 14;
export const MAX_OPSET = 24;
const DEFAULT_OPSET = 17;

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /**
   * The shape of the model's input, e.g. `[B, T]` token ids for Embedding → LSTM (batch-first),
   * `[T, B, I]` for an LSTM. Sizes of dynamic axes are examples only.
   */
  readonly inputShape: readonly number[];
  /**
   * Dynamic axes of the input, axis → name (as in `torch.onnx.export`'s `dynamic_axes`). Default:
   * the batch and sequence axes (`'batch'`, `'sequence'`) when the model has a recurrent layer,
   * else axis 0 (`'batch'`). `{}` fixes every size.
   */
  readonly dynamicAxes?: Readonly<Record<number, string>>;
  /** ONNX opset, 14 to 24. Default 17. */
  readonly opset?: number;
  /** Add an int32 `lengths` input [B] (per-sequence lengths, the recurrent nodes' `sequence_lens`). Default false. */
  readonly lengths?: boolean;
  /** Add the recurrent layers' initial states as inputs (`h0`, `c0`, Gated's layout [layers·D, B, H]). Default false: zeros. */
  readonly initialStates?: boolean;
  /** Element type of token ids when the first layer is an Embedding: `'int32'` (default, JavaScript's Int32Array) or `'int64'` (PyTorch's). */
  readonly idsType?: 'int32' | 'int64';
  /**
   * How batch-first recurrent layers are written: `'transpose'` (default) puts Transposes around
   * time-major nodes, which every runtime runs; `'attribute'` sets the nodes' `layout = 1`
   * instead, which ONNX Runtime's CPU provider refuses ("Batchwise recurrent operations are not supported").
   */
  readonly batchFirstLayout?: BatchFirstLayout;
}

interface Flow {
  name: string;
  dims: Dim[];
  ids: boolean;
}

function describe(layer: ExportableLayer, index: number): string {
  return `layer ${index} (${layer.constructor.name})`;
}

function checkOptions(options: ExportOnnxOptions): { opset: number; shape: number[] } {
  const op = 'exportOnnx';
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new GatedError(op, `opset must be an integer in [${MIN_OPSET}, ${MAX_OPSET}], got ${String(opset)}`);
  }
  // Checked at run time too: JavaScript callers may pass anything.
  const shape: unknown = options.inputShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || (d as number) < 1)) {
    throw new GatedError(op, `inputShape must list the input's sizes (positive integers), got ${JSON.stringify(shape)}`);
  }
  return { opset, shape: (shape as number[]).slice() };
}

/** The input's dims with dynamic axes named; checks the user's axes. */
function inputDims(
  layers: readonly ExportableLayer[],
  shape: readonly number[],
  dynamic: Readonly<Record<number, string>> | undefined,
): Dim[] {
  const firstRecurrent = layers.find(isRecurrent);
  const defaults: Record<number, string> = firstRecurrent
    ? firstRecurrent.batchFirst
      ? { 0: 'batch', 1: 'sequence' }
      : { 0: 'sequence', 1: 'batch' }
    : { 0: 'batch' };
  const featureAxis = layers[0] instanceof Embedding ? -1 : shape.length - 1;
  // Defaults that do not fit the input (an unbatched shape, refused later with its own message) are dropped.
  const fitting = Object.fromEntries(
    Object.entries(defaults).filter(([axis]) => Number(axis) < shape.length && Number(axis) !== featureAxis),
  );
  const axes = dynamic ?? fitting;
  const dims: Dim[] = [...shape];
  for (const [key, name] of Object.entries(axes)) {
    const axis = Number(key);
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new GatedError(
        'exportOnnx',
        `dynamicAxes names axis ${key}, but the input ${formatShape(shape)} has axes 0..${shape.length - 1}`,
      );
    }
    if (axis === featureAxis)
      throw new GatedError(
        'exportOnnx',
        `dynamicAxes: axis ${axis} of ${formatShape(shape)} is the feature axis, whose size the weights fix`,
      );
    if (typeof name !== 'string' || name === '') throw new GatedError('exportOnnx', `dynamicAxes[${axis}] must be a non-empty name`);
    dims[axis] = name;
  }
  return dims;
}

/**
 * Writes `model` as an ONNX file (the bytes of a ModelProto). Inputs: `input` (token ids or
 * features), then `lengths` and the recurrent layers' `h0`/`c0` when asked; outputs: `output`,
 * then each recurrent layer's final states `hn` (and `cn`). With several recurrent layers, their
 * state names end with the layer's position (`h0_1`, `hn_1`, ...). Results match Gated's own
 * forward pass in evaluation mode, a recurrent layer passing on its `output`.
 *
 * @example
 * ```ts
 * const bytes = await exportOnnx([embed, lstm, head], { inputShape: [1, 16] });
 * writeFileSync('char-lm.onnx', bytes);  // run it with onnxruntime-node, ONNX Runtime Web, ...
 * ```
 */
export async function exportOnnx(model: ExportableModel, options: ExportOnnxOptions): Promise<Uint8Array> {
  const op = 'exportOnnx';
  const { opset, shape } = checkOptions(options);
  const layers = flattenModel(model);
  const recurrent = layers.filter(isRecurrent);
  const graph = new GraphBuilder();
  graph.reserve('input', 'output');
  const idsType: unknown = options.idsType ?? 'int32';
  if (idsType !== 'int32' && idsType !== 'int64') throw new GatedError(op, `idsType must be 'int32' or 'int64', got ${String(idsType)}`);
  const ids = layers[0] instanceof Embedding;
  let flow: Flow = { name: 'input', dims: inputDims(layers, shape, options.dynamicAxes), ids };
  const inputs: ValueInfoProto[] = [
    valueInfo('input', flow.dims, ids ? (idsType === 'int32' ? DataType.INT32 : DataType.INT64) : DataType.FLOAT),
  ];
  const extraInputs: ValueInfoProto[] = [];
  const outputs: { from: string; to: string; dims: Dim[] }[] = [];
  const lengthsName = options.lengths ? 'lengths' : '';
  if (options.lengths && recurrent.length === 0) throw new GatedError(op, 'lengths: true needs a recurrent layer (LSTM, GRU or RNN)');
  let lengthsDeclared = false;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index]!;
    const at = describe(layer, index);
    const last = flow.dims.at(-1);
    if (layer instanceof Embedding) {
      if (!flow.ids) throw new GatedError(op, `${at}: an Embedding must be the first layer (it reads the model's token ids)`);
      const table = await floats(layer.weight);
      // Gated's Embedding outputs zeros for paddingIdx whatever the row holds; the exported table says so.
      if (layer.paddingIdx !== null) table.fill(0, layer.paddingIdx * layer.embeddingDim, (layer.paddingIdx + 1) * layer.embeddingDim);
      const weight = graph.floatInitializer(`embedding${index}/weight`, layer.weight.shape, table);
      flow.name = graph.op('Gather', `embedding${index}`, [weight, flow.name], [intAttr('axis', 0)]);
      flow = { name: flow.name, dims: [...flow.dims, layer.embeddingDim], ids: false };
      continue;
    }
    if (flow.ids) throw new GatedError(op, `${at} cannot read token ids: start the model with an Embedding`);
    if (layer instanceof Dropout) continue;
    if (layer instanceof ReLU || layer instanceof Tanh || layer instanceof Sigmoid) {
      const opType = layer instanceof ReLU ? 'Relu' : layer instanceof Tanh ? 'Tanh' : 'Sigmoid';
      flow.name = graph.op(opType, `${opType.toLowerCase()}${index}`, [flow.name]);
      continue;
    }
    if (layer instanceof Linear) {
      if (last !== layer.inFeatures)
        throw new GatedError(op, `${at} expects [..., ${layer.inFeatures}], its input is [${flow.dims.join(', ')}]`);
      const weight = await floats(layer.weight);
      const bias = layer.bias ? graph.floatInitializer(`linear${index}/bias`, [layer.outFeatures], await floats(layer.bias)) : null;
      if (flow.dims.length === 2) {
        const w = graph.floatInitializer(`linear${index}/weight`, layer.weight.shape, weight);
        flow.name = graph.op('Gemm', `linear${index}`, bias ? [flow.name, w, bias] : [flow.name, w], [intAttr('transB', 1)]);
      } else {
        // MatMul broadcasts over leading axes (Gemm is 2-D only): it takes Wᵀ, [in, out].
        const transposed = new Float32Array(weight.length);
        for (let o = 0; o < layer.outFeatures; o++)
          for (let i = 0; i < layer.inFeatures; i++) transposed[i * layer.outFeatures + o] = weight[o * layer.inFeatures + i]!;
        const w = graph.floatInitializer(`linear${index}/weight_t`, [layer.inFeatures, layer.outFeatures], transposed);
        flow.name = graph.op('MatMul', `linear${index}/matmul`, [flow.name, w]);
        if (bias) flow.name = graph.op('Add', `linear${index}/bias_add`, [flow.name, bias]);
      }
      flow.dims = [...flow.dims.slice(0, -1), layer.outFeatures];
      continue;
    }
    // LSTM, GRU or RNN.
    if (flow.dims.length !== 3 || last !== layer.inputSize) {
      const layout = layer.batchFirst ? `[B, T, ${layer.inputSize}]` : `[T, B, ${layer.inputSize}]`;
      throw new GatedError(
        op,
        `${at} expects a batched sequence ${layout}, its input is [${flow.dims.join(', ')}] (export an unbatched model with a batch of 1)`,
      );
    }
    const batch = flow.dims[layer.batchFirst ? 0 : 1]!;
    const suffix = recurrent.length > 1 ? `_${index}` : '';
    const stateDims = [layer.numLayers * layer.numDirections, batch, layer.hiddenSize];
    const isLstm = layer instanceof LSTM;
    const stateInputs = options.initialStates ? (isLstm ? [`h0${suffix}`, `c0${suffix}`] : [`h0${suffix}`]) : [];
    graph.reserve(...stateInputs, `hn${suffix}`, `cn${suffix}`, 'lengths');
    for (const name of stateInputs) extraInputs.push(valueInfo(name, stateDims));
    if (lengthsName !== '' && !lengthsDeclared) {
      extraInputs.unshift(valueInfo(lengthsName, [batch], DataType.INT32));
      lengthsDeclared = true;
    }
    const result = await exportRecurrent(graph, layer, `${layer.constructor.name.toLowerCase()}${index}`, {
      input: flow.name,
      lengths: lengthsName,
      h0: stateInputs[0] ?? '',
      c0: stateInputs[1] ?? '',
      batchFirstLayout: options.batchFirstLayout ?? 'transpose',
    });
    outputs.push({ from: result.h, to: `hn${suffix}`, dims: stateDims });
    if (result.c !== null) outputs.push({ from: result.c, to: `cn${suffix}`, dims: stateDims });
    flow.name = result.output;
    flow.dims = [flow.dims[0]!, flow.dims[1]!, layer.numDirections * layer.hiddenSize];
  }
  if (flow.ids) throw new GatedError(op, 'the model ends on token ids: add layers after the Embedding');
  outputs.unshift({ from: flow.name, to: 'output', dims: flow.dims });
  const graphInputs = new Set(['input', ...extraInputs.map((v) => v.name!)]);
  for (const { from, to } of outputs) {
    // A value that is a graph input (a model of Dropouts only) or already another output gets an Identity.
    if (graphInputs.has(from) || outputs.some((o) => o.to !== to && o.to === from)) graph.node('Identity', `${to}/identity`, [from], [to]);
    else renameValue(graph, from, to);
  }
  const proto: ModelProto = {
    ir_version: irVersionFor(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'gated',
    doc_string: `Exported by @gated/onnx from ${layers.map((l) => l.constructor.name).join(' → ')}`,
    metadata_props: [],
    functions: [],
    graph: {
      name: 'gated',
      node: graph.nodes,
      initializer: graph.initializers,
      sparse_initializer: [],
      input: [...inputs, ...extraInputs],
      output: outputs.map((o) => valueInfo(o.to, o.dims)),
      value_info: [],
    },
  };
  return encodeModel(proto);
}

/** Renames value `from` to `to` wherever a node produces or reads it. */
function renameValue(graph: GraphBuilder, from: string, to: string): void {
  for (const node of graph.nodes) {
    node.output = node.output.map((n) => (n === from ? to : n));
    node.input = node.input.map((n) => (n === from ? to : n));
  }
}

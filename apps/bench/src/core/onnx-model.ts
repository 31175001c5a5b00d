/**
 * A minimal ONNX writer: just enough protobuf to describe a one-node model (an LSTM with its
 * weights as initializers, or a MatMul), so onnxruntime runs exactly the weights the other
 * backends run, without a Python exporter. Field numbers are those of onnx.proto (IR version 8).
 */

type Bytes = Uint8Array;

function varint(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`onnx: cannot encode ${value} as a varint`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function concat(parts: readonly (Bytes | number[])[]): Bytes {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = new TextEncoder();

/** A varint field. */
function int(field: number, value: number): Bytes {
  return concat([varint(field << 3), varint(value)]);
}

/** A length-delimited field (bytes, string or nested message). */
function bytes(field: number, value: Bytes | string): Bytes {
  const data = typeof value === 'string' ? utf8.encode(value) : value;
  return concat([varint((field << 3) | 2), varint(data.length), data]);
}

const FLOAT = 1;
const ATTRIBUTE_INT = 2;

/** TensorProto: float32 with raw little-endian data. */
function tensorProto(name: string, dims: readonly number[], data: Float32Array): Bytes {
  const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return concat([...dims.map((d) => int(1, d)), int(2, FLOAT), bytes(8, name), bytes(9, raw)]);
}

/** ValueInfoProto of a float32 tensor with a fixed shape. */
function valueInfo(name: string, dims: readonly number[]): Bytes {
  const shape = concat(dims.map((d) => bytes(1, int(1, d))));
  const tensorType = concat([int(1, FLOAT), bytes(2, shape)]);
  return concat([bytes(1, name), bytes(2, bytes(1, tensorType))]);
}

function attributeInt(name: string, value: number): Bytes {
  return concat([bytes(1, name), int(3, value), int(20, ATTRIBUTE_INT)]);
}

function node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: readonly Bytes[] = []): Bytes {
  return concat([
    ...inputs.map((i) => bytes(1, i)),
    ...outputs.map((o) => bytes(2, o)),
    bytes(3, `${opType.toLowerCase()}0`),
    bytes(4, opType),
    ...attributes.map((a) => bytes(5, a)),
  ]);
}

interface GraphParts {
  readonly nodes: readonly Bytes[];
  readonly initializers: readonly Bytes[];
  readonly inputs: readonly Bytes[];
  readonly outputs: readonly Bytes[];
}

function model(graph: GraphParts, opset = 14): Bytes {
  const g = concat([
    ...graph.nodes.map((n) => bytes(1, n)),
    bytes(2, 'gated-bench'),
    ...graph.initializers.map((t) => bytes(5, t)),
    ...graph.inputs.map((v) => bytes(11, v)),
    ...graph.outputs.map((v) => bytes(12, v)),
  ]);
  const opsetImport = concat([bytes(1, ''), int(2, opset)]);
  return concat([int(1, 8), bytes(2, 'gated-bench'), bytes(7, g), bytes(8, opsetImport)]);
}

/**
 * One forward LSTM layer: input `X` [T, B, I], output `Y` [T, 1, B, H]; W [1, 4H, I], R [1, 4H, H]
 * and B [1, 8H] in ONNX's gate order i, o, f, c (see `onnxWeights`). With `gru`, one GRU layer
 * (W [1, 3H, I], R [1, 3H, H], B [1, 6H], gate order z, r, h) with `linear_before_reset = 1`,
 * PyTorch's form of the reset gate.
 */
export function lstmModel(
  dims: { seq: number; batch: number; input: number; hidden: number; gru?: boolean },
  w: { W: Float32Array; R: Float32Array; B: Float32Array },
): Bytes {
  const { seq: T, batch: B, input: I, hidden: H } = dims;
  const G = dims.gru ? 3 : 4;
  const attributes = [attributeInt('hidden_size', H), ...(dims.gru ? [attributeInt('linear_before_reset', 1)] : [])];
  return model({
    nodes: [node(dims.gru ? 'GRU' : 'LSTM', ['X', 'W', 'R', 'B'], ['Y'], attributes)],
    initializers: [tensorProto('W', [1, G * H, I], w.W), tensorProto('R', [1, G * H, H], w.R), tensorProto('B', [1, 2 * G * H], w.B)],
    inputs: [valueInfo('X', [T, B, I])],
    outputs: [valueInfo('Y', [T, 1, B, H])],
  });
}

/** `Y = A · B` with A [m, k] and B [k, n] both fed at run time. */
export function matmulModel(m: number, k: number, n: number): Bytes {
  return model({
    nodes: [node('MatMul', ['A', 'B'], ['Y'])],
    initializers: [],
    inputs: [valueInfo('A', [m, k]), valueInfo('B', [k, n])],
    outputs: [valueInfo('Y', [m, n])],
  });
}

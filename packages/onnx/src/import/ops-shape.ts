/**
 * Shape and index arithmetic, on the host: Constant, Shape, Cast, ConstantOfShape, Range, TopK,
 * ScatterElements, ReduceProd, and the identities (Identity, inference-mode Dropout). These are
 * what `torch.onnx.export` writes to build zero states and to sort a batch by length
 * (`pack_padded_sequence` with `enforce_sorted=False`) and restore its order.
 */
import { cast } from '@gated/tensor';
import { hostInts, hostValue, hostZeros, type HostValue } from '../host-value.js';
import { DataType } from '../proto/types.js';
import { typeName } from '../tensor-proto.js';
import { required, type OpCompiler } from './kernel.js';
import { axisOf, hostIntegers, isHost, toHost } from './values.js';

const constantOp: OpCompiler = (node) => {
  const value = node.tensor('value');
  const float = node.float('value_float');
  const floats = node.floats('value_floats');
  const int = node.int('value_int');
  const ints = node.ints('value_ints');
  node.finish();
  const given = [value, float, floats, int, ints].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw node.error(
      'needs exactly one of value, value_float, value_floats, value_int, value_ints (sparse and string constants are not supported)',
    );
  const result: HostValue =
    value ??
    (float !== undefined
      ? hostValue('float', [], Float32Array.of(float))
      : floats
        ? hostValue('float', [floats.length], Float32Array.from(floats))
        : int !== undefined
          ? hostInts([int], [])
          : hostInts(ints!));
  return () => [result];
};

const shapeOp: OpCompiler = (node) => {
  const start = node.int('start', 0);
  const end = node.int('end');
  node.finish();
  return (inputs) => {
    const shape = required(node, inputs, 0, 'data').shape;
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + shape.length : v, 0), shape.length);
    return [hostInts(shape.slice(clamp(start), end === undefined ? shape.length : clamp(end)))];
  };
};

const INT_TYPES = new Set<number>([DataType.INT64, DataType.INT32, DataType.INT8, DataType.UINT8, DataType.BOOL]);

const castOp: OpCompiler = (node) => {
  const to = node.int('to');
  node.int('saturate');
  node.finish();
  if (to !== DataType.FLOAT && !INT_TYPES.has(to ?? -1))
    throw node.error(`cast to ${typeName(to)} is not supported (FLOAT and integer types are)`);
  const toFloat = to === DataType.FLOAT;
  return (inputs) => {
    const x = required(node, inputs, 0, 'input');
    if (isHost(x)) {
      if (toFloat) return [hostValue('float', x.shape, Float32Array.from(x.data))];
      const data = Float64Array.from(x.data, (v) => (to === DataType.BOOL ? Number(v !== 0) : Math.trunc(v)));
      return [hostValue('int', x.shape, data)];
    }
    if (to === DataType.BOOL) throw node.error('a cast to BOOL of a device tensor is not supported');
    // Gated's integer dtype is int32: INT64 ids and lengths live in int32 on the device.
    const target = toFloat ? 'float32' : 'int32';
    return [x.dtype === target ? x : cast(x, target)];
  };
};

const constantOfShapeOp: OpCompiler = (node) => {
  const value = node.tensor('value') ?? hostValue('float', [1], new Float32Array(1));
  node.finish();
  if (value.data.length !== 1) throw node.error('value must hold one element');
  return (inputs) => {
    const shape = hostIntegers(node.label, 'shape', required(node, inputs, 0, 'shape'));
    const out = hostZeros(node.label, value.type, shape);
    out.data.fill(value.data[0]!);
    return [out];
  };
};

const rangeOp: OpCompiler = (node) => {
  node.finish();
  return (inputs) => {
    const [start, limit, delta] = [0, 1, 2].map((k) =>
      toHost(node.label, ['start', 'limit', 'delta'][k]!, required(node, inputs, k, 'bound')),
    );
    const s = start!.data[0]!;
    const d = delta!.data[0]!;
    if (d === 0 || !Number.isFinite(d)) throw node.error('delta must be a non-zero number');
    const count = Math.max(Math.ceil((limit!.data[0]! - s) / d), 0);
    const out = hostZeros(node.label, start!.type, [count]);
    for (let i = 0; i < count; i++) out.data[i] = s + i * d;
    return [out];
  };
};

const topKOp: OpCompiler = (node) => {
  const axisAttr = node.int('axis', -1);
  const largest = node.int('largest', 1) === 1;
  node.int('sorted');
  node.finish();
  return (inputs) => {
    const x = toHost(node.label, 'input', required(node, inputs, 0, 'input'));
    const [k] = hostIntegers(node.label, 'K', required(node, inputs, 1, 'K'));
    if (x.shape.length !== 1 || axisOf(node.label, axisAttr, 1) !== 0)
      throw node.error(`only a 1-D TopK is supported, got [${x.shape.join(', ')}]`);
    if (k === undefined || k < 0 || k > x.data.length) throw node.error(`K = ${String(k)} is out of range for ${x.data.length} elements`);
    // Stable: equal values keep their order (ONNX Runtime's tie rule).
    const order = [...x.data.keys()].sort((a, b) => (largest ? x.data[b]! - x.data[a]! : x.data[a]! - x.data[b]!) || a - b).slice(0, k);
    return [
      hostValue(
        x.type,
        [k],
        x.type === 'float' ? Float32Array.from(order, (i) => x.data[i]!) : Float64Array.from(order, (i) => x.data[i]!),
      ),
      hostInts(order),
    ];
  };
};

const scatterElementsOp: OpCompiler = (node) => {
  const axisAttr = node.int('axis', 0);
  const reduction = node.string('reduction', 'none');
  node.finish();
  if (reduction !== 'none') throw node.error(`reduction "${reduction}" is not supported`);
  return (inputs) => {
    const data = toHost(node.label, 'data', required(node, inputs, 0, 'data'));
    const indices = hostIntegers(node.label, 'indices', required(node, inputs, 1, 'indices'));
    const updates = toHost(node.label, 'updates', required(node, inputs, 2, 'updates'));
    if (data.shape.length !== 1 || axisOf(node.label, axisAttr, 1) !== 0 || indices.length !== updates.data.length) {
      throw node.error(`only a 1-D ScatterElements is supported, got data [${data.shape.join(', ')}], ${indices.length} indices`);
    }
    const out = hostValue(data.type, data.shape, data.data.slice());
    indices.forEach((i, k) => {
      const at = i < 0 ? i + data.data.length : i;
      if (at < 0 || at >= data.data.length) throw node.error(`index ${i} is out of range for ${data.data.length} elements`);
      out.data[at] = updates.data[k]!;
    });
    return [out];
  };
};

const reduceProdOp: OpCompiler = (node) => {
  const keepDims = node.int('keepdims', 1) === 1;
  const axesAttr = node.ints('axes');
  node.int('noop_with_empty_axes');
  node.finish();
  return (inputs) => {
    const x = toHost(node.label, 'data', required(node, inputs, 0, 'data'));
    const axes = axesAttr ?? (inputs[1] === undefined ? undefined : hostIntegers(node.label, 'axes', inputs[1]));
    const all = x.shape.map((_, k) => k);
    if (axes && [...new Set(axes.map((a) => axisOf(node.label, a, x.shape.length)))].length !== x.shape.length) {
      throw node.error('only a product over every axis is supported');
    }
    const product = Array.from(x.data).reduce((a, b) => a * b, 1);
    return [hostValue(x.type, keepDims ? all.map(() => 1) : [], x.type === 'float' ? Float32Array.of(product) : Float64Array.of(product))];
  };
};

const identityOp: OpCompiler = (node) => {
  node.finish();
  return (inputs) => [required(node, inputs, 0, 'input')];
};

const dropoutOp: OpCompiler = (node) => {
  // ratio and seed only matter in training mode, which is refused below; opset < 7 had is_test.
  node.float('ratio');
  node.int('seed');
  const isTest = node.int('is_test', 1);
  node.finish();
  if (isTest !== 1) throw node.error('training-mode Dropout (is_test = 0) is not supported; export the model in eval mode');
  if ((node.node.output[1] ?? '') !== '') throw node.error('its mask output is not supported');
  return (inputs) => {
    const training = inputs[2];
    if (training !== undefined && toHost(node.label, 'training_mode', training).data[0] !== 0) {
      throw node.error('training_mode is true; only inference-mode Dropout (the identity) is supported');
    }
    const x = required(node, inputs, 0, 'data');
    return [x];
  };
};

export const SHAPE_OPS: Record<string, OpCompiler> = {
  Constant: constantOp,
  Shape: shapeOp,
  Cast: castOp,
  ConstantOfShape: constantOfShapeOp,
  Range: rangeOp,
  TopK: topKOp,
  ScatterElements: scatterElementsOp,
  ReduceProd: reduceProdOp,
  Identity: identityOp,
  Dropout: dropoutOp,
};

/**
 * Data-movement ops: Transpose, Reshape, Squeeze, Unsqueeze, Slice, Gather, Concat, Expand, on
 * host values (exact integer arithmetic for shapes) or device tensors (Gated's differentiable
 * views and copies, so gradients flow through them when the model trains).
 */
import { concat, expand, gather, permute, reshape, slice } from '@gated/tensor';
import { hostValue, hostZeros, mapHost, stridesOf, type HostValue } from '../host-value.js';
import { required, type OpCompiler } from './kernel.js';
import type { NodeView } from './node-view.js';
import { axisOf, hostIntegers, isHost, toDevice, type Value } from './values.js';

function transposeHost(value: HostValue, perm: readonly number[]): HostValue {
  const strides = stridesOf(value.shape);
  return mapHost(
    'Transpose',
    value,
    perm.map((p) => value.shape[p]!),
    (index) => index.reduce((at, i, k) => at + i * strides[perm[k]!]!, 0),
  );
}

function checkPerm(node: NodeView, perm: readonly number[], rank: number): void {
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, k) => p !== k))
    throw node.error(`perm [${perm.join(', ')}] is not a permutation of the ${rank} axes`);
}

const transposeOp: OpCompiler = (node) => {
  const given = node.ints('perm');
  node.finish();
  return (inputs) => {
    const x = required(node, inputs, 0, 'data');
    const perm = given ?? [...x.shape.keys()].reverse();
    checkPerm(node, perm, x.shape.length);
    return [isHost(x) ? transposeHost(x, perm) : permute(x, perm)];
  };
};

/** ONNX Reshape's target: 0 copies the input's size (unless allowzero), one -1 is inferred. */
function reshapeTarget(node: NodeView, shape: readonly number[], spec: readonly number[], allowZero: boolean): number[] {
  const out = spec.map((d, k) => (d === 0 && !allowZero ? (shape[k] ?? -2) : d));
  const total = shape.reduce((a, b) => a * b, 1);
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const inferred = out.filter((d) => d === -1).length;
  const bad = (): never => {
    throw node.error(`cannot reshape [${shape.join(', ')}] to [${spec.join(', ')}]`);
  };
  if (inferred > 1 || out.some((d) => d < -1)) bad();
  if (inferred === 1) {
    if (known === 0 || total % known !== 0) bad();
    return out.map((d) => (d === -1 ? total / known : d));
  }
  if (known !== total) bad();
  return out;
}

function reshapeValue(x: Value, shape: readonly number[]): Value {
  return isHost(x) ? hostValue(x.type, shape, x.data) : reshape(x, [...shape]);
}

const reshapeOp: OpCompiler = (node) => {
  const allowZero = node.int('allowzero', 0) === 1;
  node.finish();
  return (inputs) => {
    const x = required(node, inputs, 0, 'data');
    const spec = hostIntegers(node.label, 'shape', required(node, inputs, 1, 'shape'));
    return [reshapeValue(x, reshapeTarget(node, x.shape, spec, allowZero))];
  };
};

/** Squeeze and Unsqueeze take their axes as an input from opset 13, as an attribute before. */
function axesOf(node: NodeView, inputs: readonly (Value | undefined)[], attribute: number[] | undefined): number[] | undefined {
  if (node.opset < 13) return attribute;
  const given = inputs[1];
  return given === undefined ? undefined : hostIntegers(node.label, 'axes', given);
}

const squeezeOp: OpCompiler = (node) => {
  const attribute = node.opset < 13 ? node.ints('axes') : undefined;
  node.finish();
  return (inputs) => {
    const x = required(node, inputs, 0, 'data');
    const axes = axesOf(node, inputs, attribute)?.map((a) => axisOf(node.label, a, x.shape.length));
    for (const a of axes ?? [])
      if (x.shape[a] !== 1) throw node.error(`cannot squeeze axis ${a} of size ${x.shape[a]} in [${x.shape.join(', ')}]`);
    const shape = x.shape.filter((d, k) => (axes ? !axes.includes(k) : d !== 1));
    return [reshapeValue(x, shape)];
  };
};

const unsqueezeOp: OpCompiler = (node) => {
  const attribute = node.opset < 13 ? node.ints('axes') : undefined;
  node.finish();
  return (inputs) => {
    const x = required(node, inputs, 0, 'data');
    const rank = x.shape.length + (axesOf(node, inputs, attribute)?.length ?? 0);
    const axes = (axesOf(node, inputs, attribute) ?? []).map((a) => axisOf(node.label, a, rank));
    if (axes.length === 0) throw node.error('needs axes');
    const shape: number[] = [];
    let from = 0;
    for (let k = 0; k < rank; k++) shape.push(axes.includes(k) ? 1 : x.shape[from++]!);
    return [reshapeValue(x, shape)];
  };
};

/** ONNX Slice bounds for one axis, clamped as the spec says; only step 1 is supported. */
function sliceBounds(dim: number, start: number, end: number): [number, number] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
  const s = clamp(start);
  return [s, Math.max(clamp(end) - s, 0)];
}

const sliceOp: OpCompiler = (node) => {
  // Before opset 10 the bounds were attributes.
  const attrs = node.opset < 10 ? { starts: node.ints('starts'), ends: node.ints('ends'), axes: node.ints('axes') } : null;
  node.finish();
  return (inputs) => {
    const x = required(node, inputs, 0, 'data');
    const starts = attrs ? (attrs.starts ?? []) : hostIntegers(node.label, 'starts', required(node, inputs, 1, 'starts'));
    const ends = attrs ? (attrs.ends ?? []) : hostIntegers(node.label, 'ends', required(node, inputs, 2, 'ends'));
    const axesInput = attrs ? attrs.axes : inputs[3] === undefined ? undefined : hostIntegers(node.label, 'axes', inputs[3]);
    const steps = attrs || inputs[4] === undefined ? null : hostIntegers(node.label, 'steps', inputs[4]);
    if (steps?.some((s) => s !== 1)) throw node.error(`steps [${steps.join(', ')}]: only step 1 is supported`);
    if (starts.length !== ends.length) throw node.error(`starts and ends differ in length (${starts.length}, ${ends.length})`);
    const begin = x.shape.map(() => 0);
    const size = [...x.shape];
    starts.forEach((start, k) => {
      const axis = axisOf(node.label, axesInput?.[k] ?? k, x.shape.length);
      [begin[axis], size[axis]] = sliceBounds(x.shape[axis]!, start, ends[k]!);
    });
    if (!isHost(x)) return [slice(x, begin, size)];
    const strides = stridesOf(x.shape);
    return [mapHost('Slice', x, size, (index) => index.reduce((at, i, k) => at + (begin[k]! + i) * strides[k]!, 0))];
  };
};

const gatherOp: OpCompiler = (node) => {
  const axisAttr = node.int('axis', 0);
  node.finish();
  return (inputs) => {
    const x = required(node, inputs, 0, 'data');
    const indices = required(node, inputs, 1, 'indices');
    const axis = axisOf(node.label, axisAttr, x.shape.length);
    const dim = x.shape[axis]!;
    if (!isHost(indices)) {
      // Device indices (token ids): Gated's gather checks the range on CPU backends.
      return [gather(toDevice(node.label, x), indices, axis)];
    }
    const picks = hostIntegers(node.label, 'indices', indices).map((i) => {
      if (i < -dim || i >= dim) throw node.error(`index ${i} is out of range for axis ${axis} of size ${dim}`);
      return i < 0 ? i + dim : i;
    });
    if (!isHost(x)) {
      const flat = gather(x, picks, axis);
      return [reshape(flat, [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)])];
    }
    const strides = stridesOf(x.shape);
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const indexRank = indices.shape.length;
    const indexStrides = stridesOf(indices.shape);
    return [
      mapHost('Gather', x, outShape, (index) => {
        let at = 0;
        for (let k = 0; k < axis; k++) at += index[k]! * strides[k]!;
        let flat = 0;
        for (let k = 0; k < indexRank; k++) flat += index[axis + k]! * indexStrides[k]!;
        at += picks[flat]! * strides[axis]!;
        for (let k = axis + 1; k < x.shape.length; k++) at += index[k + indexRank - 1]! * strides[k]!;
        return at;
      }),
    ];
  };
};

function concatHost(node: NodeView, parts: readonly HostValue[], axis: number): HostValue {
  const first = parts[0]!;
  const shape = [...first.shape];
  shape[axis] = parts.reduce((n, p) => n + p.shape[axis]!, 0);
  for (const p of parts) {
    if (p.type !== first.type || p.shape.some((d, k) => k !== axis && d !== first.shape[k])) {
      throw node.error(`cannot concatenate [${parts.map((q) => `[${q.shape.join(', ')}]`).join(', ')}] along axis ${axis}`);
    }
  }
  const out = hostZeros('Concat', first.type, shape);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const run = p.shape[axis]! * inner;
      out.data.set(p.data.subarray(o * run, (o + 1) * run), at);
      at += run;
    }
  }
  return out;
}

const concatOp: OpCompiler = (node) => {
  const axisAttr = node.int('axis');
  node.finish();
  if (axisAttr === undefined) throw node.error('needs the axis attribute');
  return (inputs) => {
    const parts = inputs.map((_, k) => required(node, inputs, k, `part ${k}`));
    const axis = axisOf(node.label, axisAttr, parts[0]!.shape.length);
    if (parts.every(isHost)) return [concatHost(node, parts, axis)];
    return [
      concat(
        parts.map((p) => toDevice(node.label, p)),
        axis,
      ),
    ];
  };
};

/** Numpy broadcasting of two shapes (ONNX's multidirectional broadcast), or null when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const x = a[a.length - rank + k] ?? 1;
    const y = b[b.length - rank + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** The flat source index of a broadcast read of `shape` at an index of the (higher-rank) output. */
export function broadcastPick(shape: readonly number[], outRank: number): (index: readonly number[]) => number {
  const strides = stridesOf(shape);
  const shift = outRank - shape.length;
  return (index) => {
    let at = 0;
    for (let k = 0; k < shape.length; k++) if (shape[k] !== 1) at += index[k + shift]! * strides[k]!;
    return at;
  };
}

const expandOp: OpCompiler = (node) => {
  node.finish();
  return (inputs) => {
    const x = required(node, inputs, 0, 'input');
    const spec = hostIntegers(node.label, 'shape', required(node, inputs, 1, 'shape'));
    const target = broadcastShapes(x.shape, spec);
    if (target === null) throw node.error(`cannot expand [${x.shape.join(', ')}] to [${spec.join(', ')}]`);
    return [isHost(x) ? mapHost('Expand', x, target, broadcastPick(x.shape, target.length)) : expand(x, target)];
  };
};

export const LAYOUT_OPS: Record<string, OpCompiler> = {
  Transpose: transposeOp,
  Reshape: reshapeOp,
  Squeeze: squeezeOp,
  Unsqueeze: unsqueezeOp,
  Slice: sliceOp,
  Gather: gatherOp,
  Concat: concatOp,
  Expand: expandOp,
};

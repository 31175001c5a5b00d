/**
 * Arithmetic and activations: Add, Sub, Mul, Div (host with broadcasting, or Gated's ops),
 * MatMul, Relu, Tanh, Sigmoid, Softmax, LogSoftmax. Layer-shaped MatMul/Gemm nodes become
 * `Linear` modules instead (layers.ts); these are the generic forms.
 */
import { add, div, logSoftmax, matmul, mul, relu, sigmoid, softmax, sub, tanh, type Tensor } from '@gated/tensor';
import { hostZeros, type HostValue } from '../host-value.js';
import { required, type OpCompiler } from './kernel.js';
import { broadcastPick, broadcastShapes } from './ops-layout.js';
import { axisOf, isHost, toDevice, type Value } from './values.js';

type Binary = 'Add' | 'Sub' | 'Mul' | 'Div';

const DEVICE: Record<Binary, (a: Tensor, b: Tensor) => Tensor> = { Add: add, Sub: sub, Mul: mul, Div: div };
const HOST: Record<Binary, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};

function binaryHost(op: Binary, label: string, a: HostValue, b: HostValue, shape: readonly number[]): HostValue {
  const type = a.type === 'float' || b.type === 'float' ? 'float' : 'int';
  const out = hostZeros(label, type, shape);
  const pickA = broadcastPick(a.shape, shape.length);
  const pickB = broadcastPick(b.shape, shape.length);
  const index = new Array<number>(shape.length).fill(0);
  const fn = HOST[op];
  for (let flat = 0; flat < out.data.length; flat++) {
    const v = fn(a.data[pickA(index)]!, b.data[pickB(index)]!);
    // Integer division truncates toward zero in ONNX, as in C.
    out.data[flat] = type === 'int' ? Math.trunc(v) : v;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}

function binaryOp(op: Binary): OpCompiler {
  return (node) => {
    node.finish();
    return (inputs) => {
      const a = required(node, inputs, 0, 'A');
      const b = required(node, inputs, 1, 'B');
      const shape = broadcastShapes(a.shape, b.shape);
      if (shape === null) throw node.error(`shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not broadcast`);
      if (isHost(a) && isHost(b)) return [binaryHost(op, node.label, a, b, shape)];
      return [DEVICE[op](toDevice(node.label, a), toDevice(node.label, b))];
    };
  };
}

function unaryOp(fn: (x: Tensor) => Tensor): OpCompiler {
  return (node) => {
    node.finish();
    return (inputs) => [fn(toDevice(node.label, required(node, inputs, 0, 'X')))];
  };
}

function softmaxOp(fn: (x: Tensor, axis: number) => Tensor): OpCompiler {
  return (node) => {
    // Before opset 13 the default axis was 1 and the input was flattened to 2-D around it; both
    // forms agree when the axis is the last one, which is all this importer accepts there.
    const axisAttr = node.int('axis', node.opset < 13 ? 1 : -1);
    node.finish();
    return (inputs) => {
      const x = toDevice(node.label, required(node, inputs, 0, 'input'));
      const axis = axisOf(node.label, axisAttr, x.rank);
      if (node.opset < 13 && axis !== x.rank - 1)
        throw node.error(`axis ${axisAttr} before opset 13 flattens the input; only the last axis is supported`);
      return [fn(x, axis)];
    };
  };
}

const matmulOp: OpCompiler = (node) => {
  node.finish();
  return (inputs: readonly (Value | undefined)[]) => [
    matmul(toDevice(node.label, required(node, inputs, 0, 'A')), toDevice(node.label, required(node, inputs, 1, 'B'))),
  ];
};

export const MATH_OPS: Record<string, OpCompiler> = {
  Add: binaryOp('Add'),
  Sub: binaryOp('Sub'),
  Mul: binaryOp('Mul'),
  Div: binaryOp('Div'),
  MatMul: matmulOp,
  Relu: unaryOp(relu),
  Tanh: unaryOp(tanh),
  Sigmoid: unaryOp(sigmoid),
  Softmax: softmaxOp(softmax),
  LogSoftmax: softmaxOp(logSoftmax),
};

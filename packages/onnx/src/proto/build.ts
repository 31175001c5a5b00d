/**
 * Small constructors of ONNX messages as plain objects (every repeated field present, as
 * `encodeModel` and the reader expect).
 */
import { AttributeType, DataType, type AttributeProto, type NodeProto, type ValueInfoProto } from './types.js';

function attribute(name: string, type: number, fields: Partial<AttributeProto>): AttributeProto {
  return { name, type, floats: [], ints: [], strings: [], tensors: [], graphs: [], ...fields };
}

export const intAttr = (name: string, i: number): AttributeProto => attribute(name, AttributeType.INT, { i });
export const intsAttr = (name: string, ints: readonly number[]): AttributeProto => attribute(name, AttributeType.INTS, { ints: [...ints] });
export const floatAttr = (name: string, f: number): AttributeProto => attribute(name, AttributeType.FLOAT, { f });
export const stringAttr = (name: string, s: string): AttributeProto =>
  attribute(name, AttributeType.STRING, { s: new TextEncoder().encode(s) });

export const stringsAttr = (name: string, values: readonly string[]): AttributeProto =>
  attribute(name, AttributeType.STRINGS, { strings: values.map((v) => new TextEncoder().encode(v)) });

export function nodeProto(
  opType: string,
  name: string,
  input: readonly string[],
  output: readonly string[],
  attrs: readonly AttributeProto[] = [],
): NodeProto {
  return { op_type: opType, name, input: [...input], output: [...output], attribute: [...attrs] };
}

/** A dimension: a number, or a name for a dynamic axis. */
export type Dim = number | string;

/** ValueInfoProto of a tensor of `elemType` (default FLOAT) with fixed and named dimensions. */
export function valueInfo(name: string, dims: readonly Dim[], elemType: number = DataType.FLOAT): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/** The oldest IR version that carries `opset` (IR 8 came with opset 18, 9 with 20, 10 with 22, 11 with 24). */
export function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : opset <= 22 ? 10 : 11;
}

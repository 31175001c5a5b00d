/**
 * TensorProto ↔ host arrays. Every size is checked against the bytes the file really holds before
 * anything is allocated, so a tensor claiming absurd dimensions is refused by name.
 */
import { GatedError, formatShape } from '@gated/backend-api';
import { hostValue, type HostValue } from './host-value.js';
import { DataType, type TensorProto } from './proto/types.js';

const TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  16: 'BFLOAT16',
};

/** The name of an ONNX element type, for messages (`FLOAT (1)`). */
export function typeName(type: number | undefined): string {
  return `${TYPE_NAMES[type ?? 0] ?? 'unknown'} (${type ?? 0})`;
}

/** Bytes per element of the types Gated reads. */
const ITEM_BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
};

/** The largest rank Gated accepts in a file (ONNX models of this family use at most 4). */
const MAX_RANK = 8;

function checkedShape(op: string, what: string, dims: readonly number[]): { shape: number[]; count: number } {
  if (dims.length > MAX_RANK) throw new GatedError(op, `${what} has rank ${dims.length}; at most ${MAX_RANK} is supported`);
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new GatedError(op, `${what} has an invalid dimension ${String(d)} in ${formatShape(dims)}`);
    count *= d;
    if (!Number.isSafeInteger(count)) throw new GatedError(op, `${what} has absurd dimensions ${formatShape(dims)}`);
  }
  return { shape: [...dims], count };
}

/** Reads a TensorProto's values (raw little-endian bytes or the typed repeated field). */
export function hostFromTensorProto(op: string, proto: TensorProto, what = `tensor "${proto.name ?? ''}"`): HostValue {
  if (proto.data_location === 1 || proto.external_data.length > 0) {
    throw new GatedError(
      op,
      `${what} keeps its data in an external file; save the model with its weights inside (torch.onnx.export's default, onnx.save(..., save_as_external_data=False))`,
    );
  }
  if (proto.segment !== undefined) throw new GatedError(op, `${what} is segmented; segmented tensors are not supported`);
  const type = proto.data_type ?? 0;
  const itemBytes = ITEM_BYTES[type];
  if (itemBytes === undefined)
    throw new GatedError(op, `${what} has element type ${typeName(type)}; supported: FLOAT, INT64, INT32, INT8, UINT8, BOOL`);
  const { shape, count } = checkedShape(op, what, proto.dims);
  const raw = proto.raw_data;
  const typed = type === DataType.FLOAT ? proto.float_data : type === DataType.INT64 ? proto.int64_data : proto.int32_data;
  if (raw !== undefined && raw.length > 0) {
    if (raw.length !== count * itemBytes) {
      throw new GatedError(
        op,
        `${what} ${formatShape(shape)} ${typeName(type)} needs ${count * itemBytes} bytes of data, the file has ${raw.length}`,
      );
    }
    // DataView reads little-endian (ONNX's byte order) whatever the host's, from any offset.
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (type === DataType.FLOAT) {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
      return hostValue('float', shape, data);
    }
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      data[i] =
        type === DataType.INT64
          ? Number(view.getBigInt64(8 * i, true))
          : type === DataType.INT32
            ? view.getInt32(4 * i, true)
            : type === DataType.INT8
              ? view.getInt8(i)
              : view.getUint8(i);
    }
    return hostValue('int', shape, data);
  }
  if (typed.length !== count) {
    throw new GatedError(
      op,
      `${what} ${formatShape(shape)} ${typeName(type)} has ${count} elements, the file holds ${typed.length} values`,
    );
  }
  return type === DataType.FLOAT ? hostValue('float', shape, Float32Array.from(typed)) : hostValue('int', shape, Float64Array.from(typed));
}

/** A FLOAT TensorProto with raw little-endian data. */
export function floatTensorProto(name: string, shape: readonly number[], data: Float32Array): TensorProto {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return { ...emptyTensor(name, shape), data_type: DataType.FLOAT, raw_data: raw };
}

/** An INT64 TensorProto (shapes, axes and other small constants). */
export function int64TensorProto(name: string, shape: readonly number[], values: readonly number[]): TensorProto {
  return { ...emptyTensor(name, shape), data_type: DataType.INT64, int64_data: [...values] };
}

function emptyTensor(name: string, shape: readonly number[]): TensorProto {
  return {
    name,
    dims: [...shape],
    float_data: [],
    int32_data: [],
    int64_data: [],
    double_data: [],
    uint64_data: [],
    string_data: [],
    external_data: [],
  };
}

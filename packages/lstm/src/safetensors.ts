/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written without
 * dependencies, so that state dicts move between Gated and PyTorch (`safetensors.torch`):
 *
 * ```
 * [8 bytes: N, unsigned little-endian 64-bit] [N bytes: UTF-8 JSON header] [data bytes]
 * header = { "__metadata__"?: { string: string }, name: { "dtype", "shape", "data_offsets": [begin, end] } }
 * ```
 *
 * Offsets are relative to the start of the data bytes, which the tensors cover exactly, without
 * gaps or overlaps; values are little-endian and row-major. docs/weight-formats.md has the
 * details, including the order in which tensors are written (the reference writer's).
 */
import {
  checkOptions,
  GatedError,
  assertValidShape,
  describeValue,
  formatShape,
  isArrayOfDType,
  sizeOf,
  type DType,
} from '@gated/backend-api';
import { Tensor, dispose, tensor } from '@gated/tensor';
import { isObject } from './checks.js';
import type { HostTensor } from './host-tensor.js';
import type { StateDict } from './module.js';
import { assertLiveTensor } from '@gated/tensor/internal';

/** The dtypes of the format, in the order of the reference implementation's `Dtype` enum. */
const DTYPE_ORDER = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
] as const;
type SafetensorsDType = (typeof DTYPE_ORDER)[number];

const BYTES: Record<SafetensorsDType, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const WRITTEN: Record<DType, SafetensorsDType> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };

/** Largest header the reference implementation accepts (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What {@link parseSafetensors} returns. */
export interface SafetensorsContents {
  /** Tensors in file order (their order in the data bytes). */
  readonly tensors: Map<string, HostTensor>;
  /** The `__metadata__` strings (empty when the file has none). */
  readonly metadata: Record<string, string>;
}

/** Options of the writers. */
export interface SafetensorsWriteOptions {
  /** String metadata stored under `__metadata__` (e.g. `{ format: 'pt' }`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

function utf8Compare(a: string, b: string): number {
  const encoder = new TextEncoder();
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Serializes host tensors to safetensors bytes, as the reference writer does: tensors ordered by
 * dtype (widest first: F32, then I32, then BOOL) and then by name, the header JSON compact with
 * `__metadata__` first and padded with spaces to a multiple of 8 bytes, so data starts aligned.
 */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>,
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  checkOptions('serializeSafetensors', options);
  const op = 'serializeSafetensors';
  const entries: [string, HostTensor][] =
    tensors instanceof Map
      ? [...(tensors as ReadonlyMap<string, HostTensor>).entries()]
      : Object.entries(tensors as Readonly<Record<string, HostTensor>>);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new GatedError(op, '"__metadata__" is reserved and cannot name a tensor');
    if (!isObject(t) || !Object.hasOwn(WRITTEN, t.dtype)) {
      throw new GatedError(
        op,
        `${name}: expected a host tensor { dtype: 'float32' | 'int32' | 'bool', shape, data }, got ${describeValue(t)}`,
      );
    }
    assertValidShape(op, t.shape);
    if (!ArrayBuffer.isView(t.data) || !isArrayOfDType(t.data, t.dtype)) {
      throw new GatedError(
        op,
        `${name}: ${t.dtype} values must be in a ${{ float32: 'Float32Array', int32: 'Int32Array', bool: 'Uint8Array' }[t.dtype]}`,
      );
    }
    if (sizeOf(t.shape) !== t.data.length) {
      throw new GatedError(op, `${name}: shape ${formatShape(t.shape)} needs ${sizeOf(t.shape)} values, got ${t.data.length}`);
    }
  }
  const rank = (t: HostTensor) => DTYPE_ORDER.indexOf(WRITTEN[t.dtype]);
  entries.sort(([na, a], [nb, b]) => rank(b) - rank(a) || utf8Compare(na, nb));
  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) {
    for (const [key, value] of Object.entries(options.metadata)) {
      if (typeof value !== 'string') throw new GatedError(op, `metadata values must be strings, got ${typeof value} for "${key}"`);
    }
    header.__metadata__ = options.metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.length * BYTES[WRITTEN[t.dtype]];
    setEntry(header, name, { dtype: WRITTEN[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] });
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - (json.length % 8)) % 8;
  if (padding > 0) {
    const padded = new Uint8Array(json.length + padding).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    writeValues(t, view, at);
    at += t.data.length * BYTES[WRITTEN[t.dtype]];
  }
  return out;
}

function writeValues(t: HostTensor, view: DataView, at: number): void {
  const data = t.data;
  if (t.dtype === 'float32') for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i]!, true);
  else if (t.dtype === 'int32') for (let i = 0; i < data.length; i++) view.setInt32(at + 4 * i, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setUint8(at + i, data[i] ? 1 : 0);
}

interface HeaderEntry {
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * Parses safetensors bytes into host tensors, checking the file as the reference reader does
 * (header size, JSON, dtypes, shapes against byte ranges, data covered exactly). float32, int32
 * and bool are read as they are; other dtypes are converted: F64, F16 and BF16 to float32 (F64
 * rounds), I64, U32, I16, U16, I8 and U8 to int32 (values outside int32's range are refused).
 * FP8 is refused.
 */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer): SafetensorsContents {
  const op = 'parseSafetensors';
  const given: unknown = bytes;
  if (!(given instanceof Uint8Array) && !(given instanceof ArrayBuffer)) {
    throw new GatedError(op, `expected the file's bytes (a Uint8Array or an ArrayBuffer), got ${describeValue(given)}`);
  }
  const buffer = given instanceof Uint8Array ? given : new Uint8Array(given);
  if (buffer.length < 8) throw new GatedError(op, `a safetensors file has at least 8 bytes, got ${buffer.length}`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerSize = view.getBigUint64(0, true);
  if (headerSize > BigInt(MAX_HEADER_BYTES)) throw new GatedError(op, `the header claims ${headerSize} bytes, more than the 100 MB limit`);
  const n = Number(headerSize);
  if (8 + n > buffer.length)
    throw new GatedError(op, `the header claims ${n} bytes but the file has only ${buffer.length - 8} after the size`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer.subarray(8, 8 + n));
  } catch (error) {
    throw new GatedError(op, 'the header is not valid UTF-8', { cause: error });
  }
  if (!text.startsWith('{')) throw new GatedError(op, 'the header must be a JSON object starting with "{"');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new GatedError(op, `the header is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new GatedError(op, 'the header must be a JSON object');
  const metadata: Record<string, string> = {};
  const entries: [string, HeaderEntry][] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new GatedError(op, '__metadata__ must be an object of strings');
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (typeof item !== 'string') throw new GatedError(op, `__metadata__.${key} must be a string, got ${typeof item}`);
        setEntry(metadata, key, item);
      }
      continue;
    }
    entries.push([name, headerEntry(op, name, value)]);
  }
  entries.sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end);
  const dataStart = 8 + n;
  const dataLength = buffer.length - dataStart;
  let expected = 0;
  const tensors = new Map<string, HostTensor>();
  for (const [name, entry] of entries) {
    if (entry.begin !== expected) {
      throw new GatedError(
        op,
        `${name}: data_offsets [${entry.begin}, ${entry.end}] leave a gap or overlap (expected to begin at ${expected})`,
      );
    }
    const count = sizeOf(entry.shape);
    if (entry.end - entry.begin !== count * BYTES[entry.dtype]) {
      throw new GatedError(
        op,
        `${name}: ${entry.dtype} ${formatShape(entry.shape)} needs ${count * BYTES[entry.dtype]} bytes, data_offsets [${entry.begin}, ${entry.end}] hold ${entry.end - entry.begin}`,
      );
    }
    if (entry.end > dataLength) throw new GatedError(op, `${name}: data_offsets end at ${entry.end}, past the ${dataLength} data bytes`);
    tensors.set(name, decode(op, name, entry, buffer.subarray(dataStart + entry.begin, dataStart + entry.end)));
    expected = entry.end;
  }
  if (expected !== dataLength) throw new GatedError(op, `the tensors cover ${expected} bytes, but the file has ${dataLength} data bytes`);
  return { tensors, metadata };
}

function headerEntry(op: string, name: string, value: unknown): HeaderEntry {
  if (value === null || typeof value !== 'object') throw new GatedError(op, `${name}: expected { dtype, shape, data_offsets }`);
  const { dtype, shape, data_offsets: offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !(DTYPE_ORDER as readonly string[]).includes(dtype)) {
    throw new GatedError(op, `${name}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  const isCount = (d: unknown): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0;
  if (!Array.isArray(shape) || !shape.every(isCount)) throw new GatedError(op, `${name}: shape must be a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0]! > offsets[1]!) {
    throw new GatedError(op, `${name}: data_offsets must be [begin, end] with 0 <= begin <= end`);
  }
  return { dtype: dtype as SafetensorsDType, shape: shape, begin: offsets[0]!, end: offsets[1]! };
}

/** Half-precision bits to a number. */
function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function decode(op: string, name: string, entry: HeaderEntry, bytes: Uint8Array): HostTensor {
  const count = sizeOf(entry.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = entry.shape;
  switch (entry.dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN) return { dtype: 'float32', shape, data: new Float32Array(bytes.slice().buffer) };
      return { dtype: 'float32', shape, data: Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true)) };
    }
    case 'I32': {
      if (LITTLE_ENDIAN) return { dtype: 'int32', shape, data: new Int32Array(bytes.slice().buffer) };
      return { dtype: 'int32', shape, data: Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true)) };
    }
    case 'BOOL':
      return { dtype: 'bool', shape, data: Uint8Array.from(bytes, (b) => (b ? 1 : 0)) };
    case 'F64':
      return { dtype: 'float32', shape, data: Float32Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true)) };
    case 'F16':
      return { dtype: 'float32', shape, data: Float32Array.from({ length: count }, (_, i) => fromHalf(view.getUint16(2 * i, true))) };
    case 'BF16': {
      const scratch = new DataView(new ArrayBuffer(4));
      const data = Float32Array.from({ length: count }, (_, i) => {
        scratch.setUint32(0, view.getUint16(2 * i, true) << 16);
        return scratch.getFloat32(0);
      });
      return { dtype: 'float32', shape, data };
    }
    case 'U8':
    case 'I8':
    case 'I16':
    case 'U16':
    case 'U32':
    case 'I64': {
      const read: (i: number) => number | bigint = {
        U8: (i: number) => view.getUint8(i),
        I8: (i: number) => view.getInt8(i),
        I16: (i: number) => view.getInt16(2 * i, true),
        U16: (i: number) => view.getUint16(2 * i, true),
        U32: (i: number) => view.getUint32(4 * i, true),
        I64: (i: number) => view.getBigInt64(8 * i, true),
      }[entry.dtype];
      const data = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const value = read(i);
        if (value < -2147483648 || value > 2147483647) {
          throw new GatedError(op, `${name}: ${entry.dtype} value ${String(value)} at flat index ${i} does not fit int32`);
        }
        data[i] = Number(value);
      }
      return { dtype: 'int32', shape, data };
    }
    default:
      throw new GatedError(op, `${name}: dtype ${entry.dtype} cannot be read (no ${entry.dtype} in Gated)`);
  }
}

/**
 * Writes tensors (a state dict, e.g. `model.stateDict()`) as safetensors bytes that PyTorch's
 * `safetensors.torch.load_file` reads. Asynchronous because reading values back is (WebGPU).
 *
 * @example
 * ```ts
 * const dict = lstm.stateDict();
 * const bytes = await saveSafetensors(dict, { metadata: { format: 'pt' } });
 * dispose(dict);
 * ```
 */
export async function saveSafetensors(tensors: StateDict, options: SafetensorsWriteOptions = {}): Promise<Uint8Array> {
  checkOptions('saveSafetensors', options);
  const host = new Map<string, HostTensor>();
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new GatedError('saveSafetensors', `${name}: expected a Tensor, got ${describeValue(t)}`);
    assertLiveTensor('saveSafetensors', t);
    host.set(name, { dtype: t.dtype, shape: [...t.shape], data: await t.data() });
  }
  return serializeSafetensors(host, options);
}

/**
 * Reads safetensors bytes (e.g. written by PyTorch's `safetensors.torch.save_file`) into new
 * tensors on the active backend, by name. The tensors are yours: pass the dict to
 * `module.loadStateDict` and dispose it afterwards.
 *
 * @example
 * ```ts
 * const dict = loadSafetensors(bytes);
 * try { lstm.loadStateDict(dict); } finally { dispose(dict); }
 * ```
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): StateDict {
  const { tensors } = parseSafetensors(bytes);
  const dict: StateDict = {};
  try {
    for (const [name, t] of tensors) setEntry(dict, name, tensor(t.data, { shape: t.shape, dtype: t.dtype }));
  } catch (error) {
    dispose(dict);
    throw error;
  }
  return dict;
}

/**
 * `dict[name] = value` for a name read from a file. A plain assignment of `__proto__` would
 * replace the object's prototype (dropping the entry, and hiding the tensors from `dispose(dict)`);
 * defining the property keeps every name an ordinary own entry.
 */
export function setEntry<T>(dict: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(dict, name, { value, enumerable: true, writable: true, configurable: true });
}

import { GatedError } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import reference from './fixtures/safetensors-reference.json';
import type { HostTensor } from '../src/host-tensor.js';
import { parseSafetensors, serializeSafetensors } from '../src/safetensors.js';

interface ReferenceTensor {
  readonly dtype: string;
  readonly shape: number[];
  readonly values: number[];
}

interface ReferenceCase {
  readonly name: string;
  readonly metadata: Record<string, string> | null;
  readonly writable: boolean;
  readonly tensors: Record<string, ReferenceTensor>;
  readonly bytes_base64: string;
}

const CASES = reference.cases as ReferenceCase[];

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function toHost(t: ReferenceTensor): HostTensor {
  switch (t.dtype) {
    case 'F32':
      return { dtype: 'float32', shape: t.shape, data: Float32Array.from(t.values) };
    case 'I32':
      return { dtype: 'int32', shape: t.shape, data: Int32Array.from(t.values) };
    case 'BOOL':
      return { dtype: 'bool', shape: t.shape, data: Uint8Array.from(t.values) };
    default:
      throw new Error(`not a writable dtype: ${t.dtype}`);
  }
}

/** Bytes from a hand-written header and data, for the malformed-file tests. */
function file(header: string, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  describe('bytes written by the reference writer (tooling/reference/safetensors_reference.py)', () => {
    for (const c of CASES) {
      it(`reads ${c.name}`, () => {
        const { tensors, metadata } = parseSafetensors(fromBase64(c.bytes_base64));
        expect(metadata).toEqual(c.metadata ?? {});
        expect([...tensors.keys()].sort()).toEqual(Object.keys(c.tensors).sort());
        for (const [name, want] of Object.entries(c.tensors)) {
          const got = tensors.get(name)!;
          expect(got.shape, name).toEqual(want.shape);
          const expectedDType = want.dtype === 'BOOL' ? 'bool' : ['F32', 'F64', 'F16', 'BF16'].includes(want.dtype) ? 'float32' : 'int32';
          expect(got.dtype, name).toBe(expectedDType);
          const expected = expectedDType === 'float32' ? want.values.map((v) => Math.fround(v)) : want.values;
          expect(Array.from(got.data), name).toEqual(expected);
        }
      });

      if (c.writable) {
        it(`writes ${c.name} byte for byte`, () => {
          const host = new Map(Object.entries(c.tensors).map(([name, t]) => [name, toHost(t)]));
          const options = c.metadata ? { metadata: c.metadata } : {};
          expect(Array.from(serializeSafetensors(host, options))).toEqual(Array.from(fromBase64(c.bytes_base64)));
        });
      }
    }
  });

  it('round-trips every dtype it writes, in any insertion order', () => {
    const tensors: Record<string, HostTensor> = {
      b: { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) },
      a: { dtype: 'float32', shape: [2, 2], data: Float32Array.from([0.1, -2, 3.5, 1e-30]) },
      c: { dtype: 'int32', shape: [], data: Int32Array.from([-7]) },
    };
    const bytes = serializeSafetensors(tensors);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8, 'the header is padded to 8 bytes').toBe(0);
    const parsed = parseSafetensors(bytes);
    expect([...parsed.tensors.keys()], 'widest dtype first, then by name').toEqual(['a', 'c', 'b']);
    for (const [name, t] of Object.entries(tensors)) expect(parsed.tensors.get(name)).toEqual({ ...t, shape: [...t.shape] });
  });

  it('accepts a header without padding and tensors listed in any order', () => {
    const data = [...new Uint8Array(Float32Array.from([1, 2]).buffer), ...new Uint8Array(Int32Array.from([3]).buffer)];
    const header = '{"i":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},"f":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const parsed = parseSafetensors(file(header, data));
    expect(Array.from(parsed.tensors.get('f')!.data)).toEqual([1, 2]);
    expect(Array.from(parsed.tensors.get('i')!.data)).toEqual([3]);
  });

  it('keeps names that are Object.prototype members as plain entries', () => {
    const data = new Float32Array([1, 2]);
    const tensors = new Map<string, HostTensor>([
      ['__proto__', { dtype: 'float32', shape: [2], data }],
      ['constructor', { dtype: 'float32', shape: [2], data }],
    ]);
    const metadata = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    const parsed = parseSafetensors(serializeSafetensors(tensors, { metadata }));
    expect([...parsed.tensors.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(parsed.metadata, '__proto__')?.value).toBe('x');
  });

  it('refuses malformed files with clear errors', () => {
    const f32 = (begin: number, end: number, shape = '[2]') => `{"dtype":"F32","shape":${shape},"data_offsets":[${begin},${end}]}`;
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(4), /at least 8 bytes/],
      [file('{}').subarray(0, 9), /the header claims 2 bytes but the file has only 1/],
      [file('[1]'), /must be a JSON object starting with "\{"/],
      [file('{"a":'), /not valid JSON/],
      [file(`{"a":${f32(0, 8)}}`, [0, 0, 0, 0]), /past the 4 data bytes/],
      [file(`{"a":${f32(0, 4)}}`, [0, 0, 0, 0]), /a: F32 \[2\] needs 8 bytes, data_offsets \[0, 4\] hold 4/],
      [file(`{"a":${f32(4, 12)}}`, new Array<number>(12).fill(0)), /leave a gap or overlap/],
      [file(`{"a":${f32(0, 8)}}`, new Array<number>(12).fill(0)), /the tensors cover 8 bytes, but the file has 12 data bytes/],
      [file('{"a":{"dtype":"X9","shape":[1],"data_offsets":[0,1]}}', [0]), /unknown dtype "X9"/],
      [file('{"__metadata__":{"k":1}}'), /__metadata__.k must be a string/],
      [file('{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', [0, 0, 0, 0, 1, 0, 0, 0]), /does not fit int32/],
    ];
    for (const [bytes, message] of cases) expect(() => parseSafetensors(bytes)).toThrow(message);
    // A header that is not UTF-8 (bytes 0xff 0xfe) is a GatedError, not TextDecoder's TypeError.
    const notUtf8 = file('{}');
    notUtf8.set([0xff, 0xfe], 8);
    expect(() => parseSafetensors(notUtf8)).toThrow(new GatedError('parseSafetensors', 'the header is not valid UTF-8'));
    expect(() => serializeSafetensors({ __metadata__: { dtype: 'float32', shape: [1], data: new Float32Array(1) } })).toThrow(/reserved/);
    expect(() => serializeSafetensors({ a: { dtype: 'float32', shape: [3], data: new Float32Array(2) } })).toThrow(/needs 3 values, got 2/);
    const bad = (t: unknown) => () => serializeSafetensors({ a: t as HostTensor });
    expect(bad({ dtype: 'float64', shape: [1], data: new Float64Array(1) })).toThrow(/^serializeSafetensors: a: expected a host tensor/);
    expect(bad({ dtype: 'int32', shape: [1], data: new Float32Array(1) })).toThrow(
      'serializeSafetensors: a: int32 values must be in a Int32Array',
    );
    expect(bad({ dtype: 'float32', shape: ['1'], data: new Float32Array(1) })).toThrow(/^serializeSafetensors: shape values must be/);
  });
});

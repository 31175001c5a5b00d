/**
 * The storage half of the contract, called directly on the backend: identity and caps, `alloc`,
 * `write` (with offsets), `read` (a fresh copy), `readSync` (present exactly when
 * `caps.syncRead`), `fill`, `free` and the `memory()` report. Buffers made here bypass the engine,
 * so every test frees what it allocates.
 */
import { SPEC_VERSION, allocArray, bytesPerElement, type DType, type DataHandle } from '@gated/backend-api';
import { expect } from 'vitest';
import type { SuiteContext } from '../harness/context.js';
import { FLOAT_SPECIALS, INT32_EXTREMES } from '../harness/values.js';

const SAMPLES: Record<DType, readonly number[]> = {
  float32: [...FLOAT_SPECIALS, 0.1, -7.25],
  int32: INT32_EXTREMES,
  bool: [0, 1, 1, 0, 1],
};

const DTYPE_LIST: readonly DType[] = ['float32', 'int32', 'bool'];

function hostArray(dtype: DType, values: readonly number[]) {
  const array = allocArray(dtype, values.length);
  array.set(values);
  return array;
}

export function storageSuite(ctx: SuiteContext): void {
  ctx.describe('storage', (t) => {
    t.it('identity and caps', () => {
      const backend = t.backend;
      expect(backend.specVersion, 'specVersion').toBe(SPEC_VERSION);
      expect(typeof backend.name === 'string' && backend.name.length > 0, 'a non-empty name').toBe(true);
      expect(typeof backend.caps.syncRead, 'caps.syncRead').toBe('boolean');
      expect(typeof backend.caps.fused, 'caps.fused').toBe('object');
      expect(typeof backend.readSync === 'function', 'readSync is present exactly when caps.syncRead').toBe(backend.caps.syncRead);
    });

    t.it('write and read round-trip', async () => {
      const backend = t.backend;
      for (const dtype of DTYPE_LIST) {
        const values = hostArray(dtype, SAMPLES[dtype]);
        const handle = backend.alloc(dtype, values.length);
        try {
          expect(handle.dtype, `${dtype} handle dtype`).toBe(dtype);
          expect(handle.size, `${dtype} handle size`).toBe(values.length);
          backend.write(handle, values);
          const read = await backend.read(handle);
          expect(read.constructor.name, `read of ${dtype}`).toBe(values.constructor.name);
          // Bit patterns, so NaN, ±∞ and -0 count.
          expect(
            Array.from(read, (v) => (Object.is(v, -0) ? '-0' : String(v))),
            `${dtype} values`,
          ).toEqual(Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v))));
          read.fill(0);
          expect(Array.from(await backend.read(handle)), 'read returns a copy the caller owns').toEqual(Array.from(values));
          if (backend.caps.syncRead) expect(Array.from(backend.readSync!(handle)), 'readSync').toEqual(Array.from(values));
        } finally {
          backend.free(handle);
        }
      }
    });

    t.it('write at an offset', async () => {
      const backend = t.backend;
      const handle = backend.alloc('float32', 6);
      try {
        backend.write(handle, new Float32Array([1, 2, 3, 4, 5, 6]));
        backend.write(handle, new Float32Array([-1, -2]), 3);
        backend.write(handle, new Float32Array([9]), 5);
        expect(Array.from(await backend.read(handle))).toEqual([1, 2, 3, -1, -2, 9]);
      } finally {
        backend.free(handle);
      }
    });

    t.it('write does not retain its input', async () => {
      const backend = t.backend;
      const values = new Int32Array([1, 2, 3]);
      const handle = backend.alloc('int32', 3);
      try {
        backend.write(handle, values);
        values[0] = 99;
        expect(Array.from(await backend.read(handle))).toEqual([1, 2, 3]);
      } finally {
        backend.free(handle);
      }
    });

    t.it('fill', async () => {
      const backend = t.backend;
      const cases: [DType, number, number][] = [
        ['float32', 5, -2.5],
        ['float32', 3, NaN],
        ['float32', 2, -Infinity],
        ['int32', 4, -2147483648],
        ['bool', 3, 1],
        ['bool', 2, 0],
        ['float32', 0, 1],
        ['float32', 1027, 0.25],
      ];
      for (const [dtype, size, value] of cases) {
        const handle = backend.fill(dtype, size, value);
        try {
          expect([handle.dtype, handle.size], `fill(${dtype}, ${size})`).toEqual([dtype, size]);
          const read = await backend.read(handle);
          expect(read.length).toBe(size);
          expect(
            Array.from(read).every((v) => Object.is(v, value) || (Number.isNaN(v) && Number.isNaN(value))),
            `fill(${dtype}, ${size}, ${value})`,
          ).toBe(true);
        } finally {
          backend.free(handle);
        }
      }
    });

    t.it('stridedCopy with any integer strides', async () => {
      // The engine only makes non-negative strides today, but the contract promises any integer
      // stride (a flip is a negative one), so it is checked directly.
      const backend = t.backend;
      const source = backend.alloc('int32', 12);
      const cases: [string, readonly number[], readonly number[], number, number[]][] = [
        ['reversed', [12], [-1], 11, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
        ['rows reversed, columns strided', [3, 2], [-4, 2], 8, [8, 10, 4, 6, 0, 2]],
        ['broadcast (stride 0)', [2, 3], [0, 1], 5, [5, 6, 7, 5, 6, 7]],
        ['overlapping windows', [3, 3], [1, 1], 2, [2, 3, 4, 3, 4, 5, 4, 5, 6]],
        ['a scalar at an offset', [], [], 7, [7]],
        ['nothing', [0, 4], [4, 1], 0, []],
      ];
      try {
        backend.write(
          source,
          Int32Array.from({ length: 12 }, (_, i) => i),
        );
        for (const [label, shape, strides, offset, want] of cases) {
          const copy = backend.stridedCopy({ data: source, shape, strides, offset });
          try {
            expect([copy.dtype, copy.size], `${label}: dtype and size`).toEqual(['int32', want.length]);
            expect(Array.from(await backend.read(copy)), label).toEqual(want);
          } finally {
            backend.free(copy);
          }
        }
      } finally {
        backend.free(source);
      }
    });

    t.it('memory counts live buffers and bytes', () => {
      const backend = t.backend;
      const before = backend.memory();
      const handles: DataHandle[] = [
        backend.alloc('float32', 10),
        backend.alloc('int32', 3),
        backend.alloc('bool', 5),
        backend.alloc('float32', 0),
      ];
      const during = backend.memory();
      expect(during.buffers - before.buffers, 'four live buffers').toBe(4);
      const bytes = handles.reduce((total, h) => total + h.size * bytesPerElement(h.dtype), 0);
      expect(during.bytes - before.bytes, 'at least the bytes allocated').toBeGreaterThanOrEqual(bytes);
      for (const handle of handles) backend.free(handle);
      const after = backend.memory();
      expect(after.buffers, 'freed buffers are not counted (pooled ones neither)').toBe(before.buffers);
      expect(after.bytes, 'their bytes are released').toBe(before.bytes);
    });
  });
}

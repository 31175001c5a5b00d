import { GatedError, SPEC_VERSION, type DataHandle } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import { TsBackend, TsBuffer, createTsBackend } from '../src/index.js';

describe('ts backend storage', () => {
  it('describes itself', () => {
    const backend = createTsBackend();
    expect(backend).toBeInstanceOf(TsBackend);
    expect(backend.name).toBe('ts');
    expect(backend.specVersion).toBe(SPEC_VERSION);
    expect(backend.caps).toEqual({
      syncRead: true,
      fused: { lstmCell: true, lstmSequence: true, lstmProjection: true, gruSequence: true, adamStep: true },
      threads: 1,
    });
  });

  it('allocates zeroed buffers and writes, reads and reads back copies', async () => {
    const backend = createTsBackend();
    const handle = backend.alloc('float32', 4);
    expect(handle).toBeInstanceOf(TsBuffer);
    expect(handle.dtype).toBe('float32');
    expect(handle.size).toBe(4);
    expect(Array.from(backend.readSync(handle))).toEqual([0, 0, 0, 0]);
    backend.write(handle, new Float32Array([1, 2]), 1);
    const copy = backend.readSync(handle);
    expect(Array.from(copy)).toEqual([0, 1, 2, 0]);
    copy[0] = 9;
    const later = await backend.read(handle);
    expect(later).toBeInstanceOf(Float32Array);
    expect(Array.from(later)).toEqual([0, 1, 2, 0]);
    const ints = backend.alloc('int32', 2);
    const bools = backend.alloc('bool', 3);
    expect(backend.readSync(ints)).toBeInstanceOf(Int32Array);
    expect(backend.readSync(bools)).toBeInstanceOf(Uint8Array);
    backend.write(bools, new Uint8Array([0, 2, 255]));
    expect(Array.from(backend.readSync(bools))).toEqual([0, 1, 1]);
    for (const h of [handle, ints, bools]) backend.free(h);
  });

  it('refuses writes of the wrong dtype or that do not fit', () => {
    const backend = createTsBackend();
    const handle = backend.alloc('float32', 3);
    expect(() => {
      backend.write(handle, new Int32Array(3));
    }).toThrow(GatedError);
    expect(() => {
      backend.write(handle, new Int32Array(3));
    }).toThrow(/^write: values are int32 but the buffer is float32/);
    expect(() => {
      backend.write(handle, new Float32Array(4));
    }).toThrow(/^write: 4 values at offset 0 do not fit/);
    expect(() => {
      backend.write(handle, new Float32Array(2), 2);
    }).toThrow(/^write: 2 values at offset 2/);
    expect(() => {
      backend.write(handle, new Float32Array(1), -1);
    }).toThrow(GatedError);
    backend.free(handle);
  });

  it('reports exact live buffers and bytes, back to zero after freeing', () => {
    const backend = createTsBackend();
    expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
    const a = backend.alloc('float32', 10);
    const b = backend.fill('int32', 3, 7);
    const c = backend.alloc('bool', 5);
    expect(backend.memory()).toEqual({ buffers: 3, bytes: 40 + 12 + 5 });
    backend.free(b);
    expect(backend.memory()).toEqual({ buffers: 2, bytes: 45 });
    backend.free(a);
    backend.free(c);
    expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
  });

  it('counts compute kernels but not storage calls', () => {
    const backend = createTsBackend();
    expect(backend.counters()).toEqual({ kernels: 0 });
    const a = backend.alloc('float32', 2);
    backend.write(a, new Float32Array([1, 2]));
    backend.readSync(a);
    expect(backend.counters()).toEqual({ kernels: 0 });
    const b = backend.unary('neg', { data: a, shape: [2] });
    const c = backend.fill('float32', 2, 1);
    expect(backend.counters()).toEqual({ kernels: 2 });
    expect(() => backend.unary('neg', { data: a, shape: [3] })).toThrow(GatedError);
    expect(backend.counters()).toEqual({ kernels: 2 }); // refused calls do not count
    for (const h of [a, b, c]) backend.free(h);
  });

  it('reports a double free and any use after free', async () => {
    const backend = createTsBackend();
    const handle = backend.fill('float32', 2, 1);
    backend.free(handle);
    expect(() => {
      backend.free(handle);
    }).toThrow(GatedError);
    expect(() => {
      backend.free(handle);
    }).toThrow('free: buffer was already freed');
    expect(() => backend.readSync(handle)).toThrow('readSync: buffer was already freed');
    expect(() => {
      backend.write(handle, new Float32Array(1));
    }).toThrow('write: buffer was already freed');
    expect(() => backend.unary('exp', { data: handle, shape: [2] })).toThrow('unary: x was already freed');
    await expect(backend.read(handle)).rejects.toThrow('read: buffer was already freed');
    expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
  });

  it('refuses handles of another backend and foreign objects', async () => {
    const mine = createTsBackend();
    const other = createTsBackend();
    const theirs = other.fill('float32', 2, 1);
    const fake: DataHandle = { dtype: 'float32', size: 2 };
    for (const handle of [theirs, fake]) {
      expect(() => {
        mine.free(handle);
      }).toThrow(GatedError);
      expect(() => {
        mine.free(handle);
      }).toThrow('free: buffer is not a buffer of this ts backend');
      expect(() => mine.readSync(handle)).toThrow(/^readSync: /);
      expect(() => mine.binary('add', { data: handle, shape: [2] }, { data: handle, shape: [2] }, [2])).toThrow(
        'binary: a is not a buffer of this ts backend',
      );
      await expect(mine.read(handle)).rejects.toThrow(GatedError);
    }
    other.free(theirs);
    expect(other.memory()).toEqual({ buffers: 0, bytes: 0 });
  });

  it('checks that a spec shape matches its buffer', () => {
    const backend = createTsBackend();
    const handle = backend.alloc('float32', 6);
    expect(() => backend.unary('exp', { data: handle, shape: [2, 2] })).toThrow('unary: x has shape [2,2] but its buffer holds 6 elements');
    backend.free(handle);
  });

  it('dispose frees everything and makes the backend unusable', () => {
    const backend = createTsBackend();
    const handle = backend.fill('float32', 8, 0);
    backend.alloc('bool', 3);
    backend.dispose();
    expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
    expect(() => backend.alloc('float32', 1)).toThrow('alloc: the ts backend was disposed');
    expect(() => {
      backend.free(handle);
    }).toThrow(GatedError);
  });

  it('sync resolves', async () => {
    await expect(createTsBackend().sync()).resolves.toBeUndefined();
  });
});

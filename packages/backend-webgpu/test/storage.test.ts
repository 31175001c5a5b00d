/**
 * Storage: the size-class pool (reuse, exact accounting), bool writes at any offset (spliced into
 * their words by a kernel), the ordering of host writes after recorded kernels, handle checks,
 * the transfer counters, and the device's size limits.
 */
import { GatedError } from '@gated/backend-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { MIN_CLASS_BYTES, sizeClass } from '../src/runtime/buffer-pool.js';
import type { KernelLimits } from '../src/runtime/context.js';
import { contextOf, createTestBackend } from './gpu.js';

let backend: WebGpuBackend;
beforeAll(async () => {
  backend = await createTestBackend();
});
afterAll(() => {
  backend.dispose();
});

describe('sizeClass', () => {
  it('rounds up by at most a quarter, to whole 256-byte blocks', () => {
    expect(sizeClass(1)).toBe(MIN_CLASS_BYTES);
    expect(sizeClass(256)).toBe(256);
    expect(sizeClass(257)).toBe(512);
    expect(sizeClass(4096)).toBe(4096);
    expect(sizeClass(4097)).toBe(5120);
    for (let bytes = 300; bytes < 1 << 26; bytes = Math.ceil(bytes * 1.37) + 3) {
      const size = sizeClass(bytes);
      expect(size % 256, `class of ${bytes}`).toBe(0);
      expect(size).toBeGreaterThanOrEqual(bytes);
      if (bytes > 4096) expect(size / bytes).toBeLessThanOrEqual(1.25);
    }
  });
});

describe('pool and accounting', () => {
  it('memory() counts logical bytes; freed buffers are pooled and reused', async () => {
    const base = backend.memory();
    const created = backend.counters()['buffersCreated']!;
    const a = backend.alloc('float32', 1000);
    const b = backend.alloc('bool', 5);
    expect(backend.memory().buffers - base.buffers).toBe(2);
    expect(backend.memory().bytes - base.bytes).toBe(4005);
    backend.free(a);
    backend.free(b);
    const pooled = backend.memory().pooledBytes!;
    expect(pooled - base.pooledBytes!).toBeGreaterThanOrEqual(sizeClass(4000));
    const again = backend.alloc('float32', 990);
    const other = backend.alloc('int32', 1);
    expect(backend.counters()['buffersCreated']! - created, 'the second round reuses the pooled buffers').toBeLessThanOrEqual(2);
    backend.free(again);
    backend.free(other);
    expect(backend.memory()).toEqual({ ...base, pooledBytes: backend.memory().pooledBytes });
    await backend.sync();
  });

  it('a long run of kernels creates no buffers once warm', async () => {
    const x = backend.fill('float32', 4096, 1.5);
    const step = (): void => {
      const y = backend.unary('exp', { data: x, shape: [4096] });
      const z = backend.binary('mul', { data: y, shape: [4096] }, { data: x, shape: [4096] }, [4096]);
      backend.free(y);
      backend.free(z);
    };
    step();
    const created = backend.counters()['buffersCreated']!;
    for (let i = 0; i < 200; i++) step();
    await backend.sync();
    expect(backend.counters()['buffersCreated']).toBe(created);
    backend.free(x);
  });
});

describe('writes', () => {
  it('bool writes at any offset and length keep the neighbouring bytes', async () => {
    for (const [size, offset, length] of [
      [11, 1, 2],
      [11, 3, 5],
      [11, 4, 4],
      [11, 7, 4],
      [9, 0, 9],
      [9, 5, 1],
      [16, 2, 13],
    ] as const) {
      const handle = backend.alloc('bool', size);
      const base = Uint8Array.from({ length: size }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
      backend.write(handle, base);
      const patch = Uint8Array.from({ length }, (_, i) => (i % 2 === 0 ? 255 : 0));
      backend.write(handle, patch, offset);
      const want = Uint8Array.from(base);
      patch.forEach((v, i) => (want[offset + i] = v !== 0 ? 1 : 0));
      expect(Array.from(await backend.read(handle)), `size ${size}, ${length} at ${offset}`).toEqual(Array.from(want));
      backend.free(handle);
    }
  });

  it('a write lands after the kernels recorded before it', async () => {
    const x = backend.alloc('float32', 3);
    backend.write(x, new Float32Array([1, 2, 3]));
    const y = backend.unary('neg', { data: x, shape: [3] });
    backend.write(x, new Float32Array([10, 20, 30]));
    const z = backend.unary('neg', { data: x, shape: [3] });
    expect(Array.from(await backend.read(y))).toEqual([-1, -2, -3]);
    expect(Array.from(await backend.read(z))).toEqual([-10, -20, -30]);
    for (const h of [x, y, z]) backend.free(h);
  });

  it('counts bytes up and down', async () => {
    const before = backend.counters();
    const x = backend.alloc('int32', 10);
    backend.write(x, new Int32Array(10));
    await backend.read(x);
    backend.free(x);
    const after = backend.counters();
    expect(after['bytesUp']! - before['bytesUp']!).toBe(40);
    expect(after['bytesDown']! - before['bytesDown']!).toBe(40);
  });
});

describe('handles and limits', () => {
  it('the backend createWebGpuBackend returns is checked: freed and foreign handles are GatedErrors', async () => {
    const x = backend.alloc('float32', 2);
    backend.free(x);
    expect(() => {
      backend.free(x);
    }).toThrow(/^free: buffer was already freed/);
    await expect(backend.read(x)).rejects.toThrow(/^read: buffer was already freed/);
    expect(() => backend.unary('neg', { data: { dtype: 'float32', size: 2 }, shape: [2] })).toThrow(GatedError);
    const other = await createTestBackend();
    const foreign = other.alloc('float32', 2);
    expect(() => {
      backend.write(foreign, new Float32Array(2));
    }).toThrow(/^write: buffer is not a buffer of this webgpu backend/);
    other.dispose();
  });

  it('a buffer over maxBufferSize is refused before anything is allocated', () => {
    const before = backend.memory();
    const elements = Math.floor(backend.info.maxBufferSize / 4) + 1;
    expect(() => backend.alloc('float32', elements)).toThrow(
      new RegExp(`^alloc: needs a buffer of ${elements * 4} bytes, over this device's maxBufferSize`),
    );
    expect(backend.memory()).toEqual(before);
  });

  it('a result over maxStorageBufferBindingSize is refused naming the limit', () => {
    const ctx = contextOf(backend) as unknown as { limits: KernelLimits };
    const saved = ctx.limits;
    ctx.limits = { ...saved, maxStorageBufferBindingSize: 1024 };
    try {
      const before = backend.memory();
      expect(() => backend.fill('float32', 300, 1)).toThrow(
        "fill: needs to bind 1200 bytes at once, over this device's maxStorageBufferBindingSize of 1024 bytes",
      );
      expect(backend.memory()).toEqual(before);
    } finally {
      ctx.limits = saved;
    }
  });
});

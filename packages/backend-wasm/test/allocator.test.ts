/**
 * The size-class allocator on a real WebAssembly.Memory, and the backend's storage around it:
 * exact `memory()` accounting, reuse of freed blocks, growth of linear memory (views re-created),
 * and handle validation.
 */
import { describe, expect, it } from 'vitest';
import { Allocator, sizeClass } from '../src/allocator.js';
import { createWasmBackend } from '../src/index.js';

describe('sizeClass', () => {
  it('rounds up by at most a quarter, to multiples of 16 bytes', () => {
    expect(sizeClass(0)).toBe(64);
    expect(sizeClass(1)).toBe(64);
    expect(sizeClass(64)).toBe(64);
    expect(sizeClass(65)).toBe(80);
    expect(sizeClass(100)).toBe(112);
    expect(sizeClass(128)).toBe(128);
    expect(sizeClass(129)).toBe(160);
    for (let bytes = 1; bytes < 1 << 22; bytes = Math.ceil(bytes * 1.37) + 1) {
      const size = sizeClass(bytes);
      expect(size % 16, `class of ${bytes}`).toBe(0);
      expect(size).toBeGreaterThanOrEqual(bytes);
      if (bytes > 64) expect(size / bytes).toBeLessThanOrEqual(1.25);
    }
  });
});

describe('Allocator', () => {
  const make = (pages = 1) => {
    const memory = new WebAssembly.Memory({ initial: pages });
    return { memory, allocator: new Allocator(memory, 1024, 1 << 30) };
  };

  it('reuses a freed block of the same class', () => {
    const { allocator } = make();
    const a = allocator.alloc(100);
    const b = allocator.alloc(100);
    allocator.release(a, 100);
    expect(allocator.pooledBytes).toBe(112);
    expect(allocator.alloc(110)).toBe(a);
    expect(allocator.pooledBytes).toBe(0);
    allocator.release(b, 100);
    allocator.release(a, 110);
  });

  it('gives blocks at the top back to the bump pointer, with free blocks below them', () => {
    const { allocator } = make();
    const a = allocator.alloc(64);
    const b = allocator.alloc(1000);
    const c = allocator.alloc(64);
    allocator.release(b, 1000);
    expect(allocator.pooledBytes).toBe(sizeClass(1000));
    allocator.release(c, 64);
    // c was at the top; b, now at the top, follows it.
    expect(allocator.pooledBytes).toBe(0);
    expect(allocator.heapBytes).toBe(64);
    allocator.release(a, 64);
    expect(allocator.heapBytes).toBe(0);
    expect(allocator.usedBytes).toBe(0);
  });

  it('grows linear memory when the heap needs more', () => {
    const { memory, allocator } = make(1);
    const before = memory.buffer.byteLength;
    const big = allocator.alloc(3 * 65536);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 3 * 65536);
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    allocator.release(big, 3 * 65536);
  });

  it('refuses to pass the maximum', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const allocator = new Allocator(memory, 1024, 4 * 65536);
    expect(() => allocator.alloc(8 * 65536)).toThrow(/^alloc: out of memory/);
  });
});

describe('backend storage', () => {
  it('memory() counts live buffers and their exact bytes', async () => {
    const backend = await createWasmBackend();
    try {
      const base = backend.memory();
      const f = backend.alloc('float32', 100);
      const i = backend.alloc('int32', 10);
      const b = backend.alloc('bool', 7);
      const empty = backend.alloc('float32', 0);
      expect(backend.memory().buffers - base.buffers).toBe(4);
      expect(backend.memory().bytes - base.bytes).toBe(447);
      for (const handle of [f, i, b, empty]) backend.free(handle);
      expect(backend.memory()).toMatchObject({ buffers: base.buffers, bytes: base.bytes });
      expect(backend.memory().pooledBytes).toBeGreaterThanOrEqual(0);
    } finally {
      backend.dispose();
    }
  });

  it('keeps values through memory growth (views are re-created)', async () => {
    const backend = await createWasmBackend();
    try {
      const small = backend.alloc('float32', 4);
      backend.write(small, Float32Array.of(1, 2, 3, 4));
      const before = backend.counters().memoryBytes!;
      // Far more than the initial memory: forces memory.grow.
      const big = backend.fill('float32', 4 << 20, 0.5);
      expect(backend.counters().memoryBytes).toBeGreaterThan(before);
      expect(Array.from(backend.readSync(small))).toEqual([1, 2, 3, 4]);
      const values = backend.readSync(big);
      expect(values.length).toBe(4 << 20);
      expect(values[0]).toBe(0.5);
      expect(values[(4 << 20) - 1]).toBe(0.5);
      backend.write(small, Float32Array.of(5, 6, 7, 8));
      expect(Array.from(backend.readSync(small))).toEqual([5, 6, 7, 8]);
      backend.free(small);
      backend.free(big);
      expect(backend.memory().buffers).toBe(0);
    } finally {
      backend.dispose();
    }
  });

  it('stays flat over many allocate-free rounds', async () => {
    const backend = await createWasmBackend();
    try {
      const round = () => {
        const handles = Array.from({ length: 20 }, (_, i) => backend.fill('float32', 1 + ((i * 37) % 500), i));
        for (const handle of handles) backend.free(handle);
      };
      round();
      const heap = backend.counters().heapBytes;
      for (let i = 0; i < 50; i++) round();
      expect(backend.counters().heapBytes).toBe(heap);
      expect(backend.memory().buffers).toBe(0);
    } finally {
      backend.dispose();
    }
  });

  it('refuses foreign, freed and mismatched handles', async () => {
    const one = await createWasmBackend();
    const two = await createWasmBackend();
    try {
      const x = one.fill('float32', 3, 1);
      expect(() => two.readSync(x)).toThrow('readSync: buffer is not a buffer of this wasm backend');
      expect(() => {
        one.write(x, Int32Array.of(1, 2, 3));
      }).toThrow('write: values are int32 but the buffer is float32');
      expect(() => {
        one.write(x, Float32Array.of(1, 2), 2);
      }).toThrow('write: 2 values at offset 2 do not fit a buffer of 3 elements');
      one.free(x);
      expect(() => {
        one.free(x);
      }).toThrow('free: buffer was already freed');
      await expect(one.read(x)).rejects.toThrow('read: buffer was already freed');
      const mask = one.alloc('bool', 3);
      one.write(mask, Uint8Array.of(0, 2, 255));
      expect(Array.from(one.readSync(mask))).toEqual([0, 1, 1]);
      one.free(mask);
    } finally {
      one.dispose();
      two.dispose();
    }
  });
});

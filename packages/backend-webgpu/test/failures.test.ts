/**
 * Failures are GatedErrors and never hangs: a lost device (pending reads reject, later calls
 * throw, a new backend works and the old tensors say their device is gone), a shader that fails
 * to compile, a validation error, and out-of-memory (detected through error scopes; here on a stub
 * device, since exhausting a real one would take the machine down with it).
 */
import { GatedError } from '@gated/backend-api';
import '@gated/autograd';
import { exp, registerBackend, removeBackend, setBackend, tensor } from '@gated/tensor';
import { describe, expect, it } from 'vitest';
import { GpuContext } from '../src/runtime/context.js';
import { bufferOf } from '../src/runtime/buffer.js';
import { contextOf, createTestBackend } from './gpu.js';

describe('device loss', () => {
  it('rejects pending reads, then every call throws; freeing still works', async () => {
    const backend = await createTestBackend();
    const x = backend.fill('float32', 1 << 16, 2);
    const y = backend.unary('exp', { data: x, shape: [1 << 16] });
    const pending = backend.read(y);
    backend.device.destroy();
    await expect(pending).rejects.toThrow(GatedError);
    await expect(pending).rejects.toThrow(/the WebGPU device was lost/);
    expect(() => backend.unary('neg', { data: x, shape: [1 << 16] })).toThrow(/^unary: the WebGPU device was lost/);
    expect(() => backend.alloc('float32', 3)).toThrow(/^alloc: the WebGPU device was lost/);
    await expect(backend.read(x)).rejects.toThrow(/^read: the WebGPU device was lost/);
    await expect(backend.sync()).rejects.toThrow(/^sync: the WebGPU device was lost/);
    backend.free(x);
    backend.free(y);
    expect(backend.memory().buffers).toBe(0);
    backend.dispose();
  });

  it('a new backend takes over; tensors of the lost one report that they are gone', async () => {
    registerBackend('loss-first', () => createTestBackend());
    registerBackend('loss-second', () => createTestBackend());
    try {
      const first = await setBackend('loss-first');
      const old = exp(tensor([1, 2, 3]));
      (first as unknown as { device: GPUDevice }).device.destroy();
      await expect(old.data()).rejects.toThrow(/the WebGPU device was lost/);
      await setBackend('loss-second');
      const fresh = exp(tensor([0, 1]));
      expect(Array.from(await fresh.data())).toEqual([1, Math.fround(Math.E)]);
      old.dispose();
      fresh.dispose();
    } finally {
      removeBackend('loss-first');
      removeBackend('loss-second');
    }
  });
});

describe('kernel failures', () => {
  it('a shader that fails to compile is a GatedError naming the kernel, at the next sync', async () => {
    const backend = await createTestBackend();
    const x = backend.fill('float32', 4, 1);
    const ctx = contextOf(backend);
    ctx.run('unary', { key: 'broken-for-test', bindings: ['write'], code: () => 'fn main( {' }, [ctx.bind(bufferOf(x))], null, 1);
    await expect(backend.sync()).rejects.toThrow(GatedError);
    // The compiler's message wins over the device's later complaint about the invalid pipeline.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(backend.sync()).rejects.toThrow(/the WebGPU kernel broken-for-test failed to compile: .*expected/);
    expect(() => backend.fill('float32', 1, 0)).toThrow(/^fill: the webgpu backend failed earlier/);
    backend.free(x);
    backend.dispose();
  });

  it('a validation error the device reports is a GatedError at the next read', async () => {
    const backend = await createTestBackend();
    const x = backend.fill('float32', 4, 1);
    // Binding the same buffer twice as writable storage is invalid WebGPU.
    const source = {
      key: 'aliasing-for-test',
      bindings: ['write', 'write'] as const,
      code: () =>
        '@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n@group(0) @binding(1) var<storage, read_write> b: array<u32>;\n@compute @workgroup_size(1) fn main() { a[0] = b[0]; }\n',
    };
    const ctx = contextOf(backend);
    const range = ctx.bind(bufferOf(x));
    ctx.run('unary', source, [range, range], null, 1);
    await expect(backend.read(x)).rejects.toThrow(/Writable storage buffer binding aliasing/);
    backend.free(x);
    backend.dispose();
  });

  it('out of memory, reported by an error scope, names the call and the bytes', async () => {
    const limits = {
      maxBufferSize: 1 << 30,
      maxStorageBufferBindingSize: 1 << 30,
      maxComputeWorkgroupsPerDimension: 65535,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupStorageSize: 16384,
      maxStorageBuffersPerShaderStage: 8,
      minUniformBufferOffsetAlignment: 256,
    };
    const device = {
      limits,
      createBuffer: ({ size }: { size: number }) => ({ size, destroy: () => undefined }),
      pushErrorScope: () => undefined,
      popErrorScope: () => Promise.resolve({ message: 'Out of memory' }),
    } as unknown as GPUDevice;
    const ctx = new GpuContext(device, { maxPendingDispatches: 64, poolLimitBytes: 0, sequenceSchedule: 'auto' });
    ctx.output('matmul', 'float32', 1000);
    await Promise.resolve();
    expect(() => {
      ctx.failures.check('add');
    }).toThrow('add: the webgpu backend failed earlier: matmul: out of GPU memory allocating 4096 bytes: Out of memory');
  });
});

/**
 * Threads: what the backend reports in `caps.threads` and `info`, the clean fallback to one thread
 * where shared memory is unavailable, and products split across threads agreeing with one thread.
 */
import { describe, expect, it, vi } from 'vitest';
import { createWasmBackend } from '../src/index.js';
import { NOT_ISOLATED, threadsUnavailableReason, warnThreadsFallback } from '../src/workers.js';

const isolated =
  typeof SharedArrayBuffer === 'function' &&
  (typeof window === 'undefined' || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);

describe('threads', () => {
  it('one thread by default', async () => {
    const backend = await createWasmBackend();
    try {
      expect(backend.caps.threads).toBe(1);
      expect(backend.info).toMatchObject({ threads: 1, requestedThreads: 1, threadsFallback: null });
    } finally {
      backend.dispose();
    }
  });

  it(`two threads ${isolated ? 'on shared memory' : 'fall back to one (no cross-origin isolation)'}`, async () => {
    const backend = await createWasmBackend({ numThreads: 2 });
    try {
      expect(backend.info.requestedThreads).toBe(2);
      if (isolated) {
        expect(backend.caps.threads).toBe(2);
        expect(backend.info.threadsFallback).toBeNull();
      } else {
        expect(backend.caps.threads).toBe(1);
        expect(backend.info.threadsFallback).toMatch(/cross-origin isolated|SharedArrayBuffer/);
      }
    } finally {
      backend.dispose();
    }
  });

  it('says why threads are unavailable', () => {
    const browser = { sharedArrayBuffer: true, node: false, crossOriginIsolated: true, webWorkers: true };
    expect(threadsUnavailableReason(browser)).toBeNull();
    expect(threadsUnavailableReason({ ...browser, node: true, crossOriginIsolated: false, webWorkers: false })).toBeNull();
    expect(threadsUnavailableReason({ ...browser, crossOriginIsolated: false })).toMatch(/^the page is not cross-origin isolated/);
    expect(threadsUnavailableReason({ ...browser, sharedArrayBuffer: false })).toBe('SharedArrayBuffer is not available');
    expect(threadsUnavailableReason({ ...browser, webWorkers: false })).toBe('Web Workers are not available');
    // A page without COOP/COEP has no SharedArrayBuffer either: the reason names the headers.
    expect(threadsUnavailableReason({ ...browser, sharedArrayBuffer: false, crossOriginIsolated: false })).toBe(NOT_ISOLATED);
    expect(threadsUnavailableReason({ ...browser, node: true, sharedArrayBuffer: false })).toBe('SharedArrayBuffer is not available');
  });

  it('warns once per reason, naming the headers and where to set them when the page is not isolated', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      warnThreadsFallback(2, NOT_ISOLATED);
      warnThreadsFallback(4, NOT_ISOLATED);
      warnThreadsFallback(2, 'a test-only reason');
      expect(warn).toHaveBeenCalledTimes(2);
      const [isolation, other] = warn.mock.calls.map((call) => String(call[0]));
      expect(isolation).toContain('numThreads 2 was asked for, computing on 1 thread: the page is not cross-origin isolated');
      for (const needed of [
        'Cross-Origin-Opener-Policy: same-origin',
        'Cross-Origin-Embedder-Policy: require-corp',
        'server.headers',
        'preview.headers',
        '_headers',
      ]) {
        expect(isolation).toContain(needed);
      }
      expect(other).toBe('@gated/backend-wasm: numThreads 2 was asked for, computing on 1 thread: a test-only reason.');
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a bad thread count', async () => {
    await expect(createWasmBackend({ numThreads: 0 })).rejects.toThrow('numThreads must be an integer in [1, 64], got 0');
    await expect(createWasmBackend({ numThreads: 1.5 })).rejects.toThrow('numThreads must be an integer');
  });

  it('a product split across threads equals the one-thread product', async () => {
    const one = await createWasmBackend({ numThreads: 1 });
    const two = await createWasmBackend({ numThreads: 2, minParallelWork: 0 });
    try {
      const [m, k, n] = [67, 300, 45];
      const values = (size: number, seed: number) => Float32Array.from({ length: size }, (_, i) => Math.sin(i * seed));
      const run = (backend: typeof one) => {
        const a = backend.alloc('float32', m * k);
        const b = backend.alloc('float32', k * n);
        backend.write(a, values(m * k, 1.7));
        backend.write(b, values(k * n, 0.3));
        const c = backend.matmul({ data: a, shape: [m, k] }, { data: b, shape: [k, n] }, false, false, [m, n]);
        const result = backend.readSync(c);
        for (const handle of [a, b, c]) backend.free(handle);
        return result;
      };
      // Same panels, same order of k within each output: bit-identical.
      expect(run(two)).toEqual(run(one));
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  it('with more threads than cores, work claimed from preempted threads gives the same bits', async () => {
    // Four threads on this two-core machine: the system preempts some of them mid-step, and
    // the others claim their groups (threads.ts, `claimNext`). Which thread computes a tile or a
    // group does not change its arithmetic, so the results (forward and backward) equal one
    // thread's bit for bit.
    const one = await createWasmBackend({ numThreads: 1 });
    const four = await createWasmBackend({ numThreads: 4, minParallelWork: 0 });
    try {
      const values = (size: number, seed: number) => Float32Array.from({ length: size }, (_, i) => Math.sin(i * seed) * 0.5);
      const upload = (backend: typeof one, size: number, seed: number) => {
        const handle = backend.alloc('float32', size);
        backend.write(handle, values(size, seed));
        return handle;
      };
      const matmul = (backend: typeof one, m: number, k: number, n: number) => {
        const a = upload(backend, m * k, 1.7);
        const b = upload(backend, k * n, 0.3);
        const c = backend.matmul({ data: a, shape: [m, k] }, { data: b, shape: [k, n] }, false, false, [m, n]);
        const result = backend.readSync(c);
        for (const handle of [a, b, c]) backend.free(handle);
        return result;
      };
      const sequence = (backend: typeof one, steps: number, batch: number, hidden: number, lengths: number[] | null, reverse: boolean) => {
        const handles = [
          upload(backend, steps * batch * 4 * hidden, 0.9),
          upload(backend, 4 * hidden * hidden, 0.37),
          upload(backend, batch * hidden, 1.3),
          upload(backend, batch * hidden, 2.1),
        ];
        const [inputGates, weightHh, h0, c0] = handles as [
          (typeof handles)[0],
          (typeof handles)[0],
          (typeof handles)[0],
          (typeof handles)[0],
        ];
        let lengthsHandle = null;
        if (lengths) {
          lengthsHandle = backend.alloc('int32', batch);
          backend.write(lengthsHandle, Int32Array.from(lengths));
        }
        const forward = {
          inputGates: { data: inputGates, shape: [steps, batch, 4 * hidden] },
          weightHh: { data: weightHh, shape: [4 * hidden, hidden] },
          h0: { data: h0, shape: [batch, hidden] },
          c0: { data: c0, shape: [batch, hidden] },
          lengths: lengthsHandle ? { data: lengthsHandle, shape: [batch] } : null,
          reverse,
        };
        const out = backend.lstmSequence(forward);
        const perStep = [steps, batch, hidden];
        const dOutput = upload(backend, steps * batch * hidden, 0.61);
        const dh = upload(backend, batch * hidden, 0.23);
        const dc = upload(backend, batch * hidden, 0.47);
        const grads = backend.lstmSequenceBackward({
          forward,
          output: { data: out.output, shape: perStep },
          gates: { data: out.gates!, shape: [steps, batch, 4 * hidden] },
          cells: { data: out.cells!, shape: perStep },
          dOutput: { data: dOutput, shape: perStep },
          dh: { data: dh, shape: [batch, hidden] },
          dc: { data: dc, shape: [batch, hidden] },
        });
        const outputs = [out.output, out.h, out.c, out.gates!, out.cells!, grads.dInputGates, grads.dWeightHh, grads.dh0, grads.dc0];
        const result = outputs.map((handle) => backend.readSync(handle));
        for (const handle of [...handles, ...outputs, dOutput, dh, dc, ...(lengthsHandle ? [lengthsHandle] : [])]) backend.free(handle);
        return result;
      };
      for (let round = 0; round < 3; round++) {
        expect(matmul(four, 300, 96, 40)).toEqual(matmul(one, 300, 96, 40)); // claims blocks of rows
        expect(matmul(four, 9, 64, 500)).toEqual(matmul(one, 9, 64, 500)); // claims panels
        expect(sequence(four, 12, 6, 70, [12, 3, 9, 12, 1, 7], false)).toEqual(sequence(one, 12, 6, 70, [12, 3, 9, 12, 1, 7], false));
        expect(sequence(four, 10, 5, 61, null, true)).toEqual(sequence(one, 10, 5, 61, null, true));
        expect(sequence(four, 16, 1, 150, [11], true)).toEqual(sequence(one, 16, 1, 150, [11], true));
      }
      expect(four.memory().buffers).toBe(0);
    } finally {
      one.dispose();
      four.dispose();
    }
  });

  it('GRU and projected LSTM sequences split across 4 threads equal one thread, forward and backward', async () => {
    // The v1.1 jobs claim work like the LSTM's (a projection adds a phase per step whose threads
    // claim the projection's panels); none of it may change a result's bits.
    const one = await createWasmBackend({ numThreads: 1 });
    const four = await createWasmBackend({ numThreads: 4, minParallelWork: 0 });
    type Backend = typeof one;
    type Handle = ReturnType<Backend['alloc']>;
    const values = (size: number, seed: number) => Float32Array.from({ length: size }, (_, i) => Math.sin(i * seed) * 0.5);
    const run = (backend: Backend, body: (tensor: (shape: number[], seed: number) => { data: Handle; shape: number[] }) => Handle[]) => {
      const owned: Handle[] = [];
      const tensor = (shape: number[], seed: number) => {
        const handle = backend.alloc(
          'float32',
          shape.reduce((a, b) => a * b, 1),
        );
        backend.write(handle, values(handle.size, seed));
        owned.push(handle);
        return { data: handle, shape };
      };
      const outputs = body(tensor);
      const result = outputs.map((handle) => backend.readSync(handle));
      for (const handle of [...owned, ...outputs]) backend.free(handle);
      return result;
    };
    const lengthsOf = (backend: Backend, lengths: number[] | null, owned: Handle[]) => {
      if (!lengths) return null;
      const handle = backend.alloc('int32', lengths.length);
      backend.write(handle, Int32Array.from(lengths));
      owned.push(handle);
      return { data: handle, shape: [lengths.length] };
    };
    const gru = (backend: Backend, steps: number, batch: number, hidden: number, lengths: number[] | null, reverse: boolean) => {
      const extra: Handle[] = [];
      const result = run(backend, (tensor) => {
        const forward = {
          inputGates: tensor([steps, batch, 3 * hidden], 0.9),
          weightHh: tensor([3 * hidden, hidden], 0.37),
          biasHn: tensor([hidden], 0.7),
          h0: tensor([batch, hidden], 1.3),
          lengths: lengthsOf(backend, lengths, extra),
          reverse,
        };
        const out = backend.gruSequence(forward);
        const perStep = [steps, batch, hidden];
        const grads = backend.gruSequenceBackward({
          forward,
          output: { data: out.output, shape: perStep },
          gates: { data: out.gates!, shape: [steps, batch, 3 * hidden] },
          hiddenN: { data: out.hiddenN!, shape: perStep },
          dOutput: tensor(perStep, 0.61),
          dh: tensor([batch, hidden], 0.23),
        });
        const inference = backend.gruSequence({ ...forward, inference: true });
        return [out.output, out.h, out.gates!, out.hiddenN!, inference.output, inference.h, ...Object.values(grads)];
      });
      for (const handle of extra) backend.free(handle);
      return result;
    };
    const projected = (
      backend: Backend,
      steps: number,
      batch: number,
      hidden: number,
      proj: number,
      lengths: number[] | null,
      reverse: boolean,
    ) => {
      const extra: Handle[] = [];
      const result = run(backend, (tensor) => {
        const forward = {
          inputGates: tensor([steps, batch, 4 * hidden], 0.9),
          weightHh: tensor([4 * hidden, proj], 0.37),
          h0: tensor([batch, proj], 1.3),
          c0: tensor([batch, hidden], 2.1),
          weightHr: tensor([proj, hidden], 0.53),
          lengths: lengthsOf(backend, lengths, extra),
          reverse,
        };
        const out = backend.lstmSequence(forward);
        const grads = backend.lstmSequenceBackward({
          forward,
          output: { data: out.output, shape: [steps, batch, proj] },
          gates: { data: out.gates!, shape: [steps, batch, 4 * hidden] },
          cells: { data: out.cells!, shape: [steps, batch, hidden] },
          dOutput: tensor([steps, batch, proj], 0.61),
          dh: tensor([batch, proj], 0.23),
          dc: tensor([batch, hidden], 0.47),
        });
        const inference = backend.lstmSequence({ ...forward, inference: true });
        return [
          out.output,
          out.h,
          out.c,
          out.gates!,
          out.cells!,
          inference.output,
          inference.h,
          inference.c,
          grads.dInputGates,
          grads.dWeightHh,
          grads.dh0,
          grads.dc0,
          grads.dWeightHr!,
        ];
      });
      for (const handle of extra) backend.free(handle);
      return result;
    };
    try {
      for (let round = 0; round < 2; round++) {
        expect(gru(four, 12, 6, 70, [12, 3, 9, 12, 1, 7], false)).toEqual(gru(one, 12, 6, 70, [12, 3, 9, 12, 1, 7], false));
        expect(gru(four, 10, 1, 61, null, true)).toEqual(gru(one, 10, 1, 61, null, true));
        expect(projected(four, 12, 6, 70, 37, [12, 3, 9, 12, 1, 7], true)).toEqual(
          projected(one, 12, 6, 70, 37, [12, 3, 9, 12, 1, 7], true),
        );
        expect(projected(four, 16, 1, 150, 41, [11], false)).toEqual(projected(one, 16, 1, 150, 41, [11], false));
      }
      expect(four.memory().buffers).toBe(0);
      expect(one.memory().buffers).toBe(0);
    } finally {
      one.dispose();
      four.dispose();
    }
  });

  it('dispose stops the workers and refuses later calls', async () => {
    const backend = await createWasmBackend({ numThreads: 2 });
    backend.dispose();
    backend.dispose();
    expect(() => backend.fill('float32', 1, 0)).toThrow('fill: the wasm backend was disposed');
  });
});

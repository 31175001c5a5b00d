/**
 * The holes a hostile-user sweep found (issue 16), each pinned by a test on every backend:
 * int32 values a user writes are exact or refused, sizes are checked before host memory is
 * taken, error paths free what they made, tensors of a removed backend, names read from files,
 * messages that name what the user called, and the holes deep fuzz runs found. The generated
 * counterpart is the `fuzz` suite.
 */
import type { RandomRequest } from '@gated/backend-api';
import { GRU, LSTM, LSTMCell, Linear, loadSafetensors, slidingWindows } from '@gated/lstm';
import {
  Scope,
  add,
  arange,
  clip,
  dispose,
  full,
  fullLike,
  gather,
  getBackend,
  getBackendName,
  indexSelect,
  linspace,
  lstmSequence,
  pad,
  randperm,
  registerBackend,
  removeBackend,
  setBackend,
  split,
  tensor,
  zeros,
} from '@gated/tensor';
import { lstmSequenceComposite } from '@gated/tensor/internal';
import { expect } from 'vitest';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError } from '../harness/errors.js';
import { expectMemory, snapshot } from '../harness/memory.js';

const RANGE = '[-2147483648, 2147483647]';

/** safetensors bytes from a header object and data bytes (the names are written as given). */
function safetensorsFile(header: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

let removedCount = 0;
let failingCount = 0;

export function reliabilitySuite(ctx: SuiteContext): void {
  ctx.describe('reliability', (t) => {
    t.it('int32 values a user writes are exact or refused', async () => {
      const ints = tensor([1, -2, 3], { dtype: 'int32' });
      try {
        const outside = (got: string, where = '') => `int32 tensors hold integers in ${RANGE}, got ${got}${where}`;
        expectGatedError(() => tensor([3e9, 2 ** 40, -3e9], { dtype: 'int32' }), 'tensor', outside('3000000000', ' at flat index 0'));
        expectGatedError(
          () =>
            tensor(
              [
                [1, 2],
                [3, -(2 ** 31) - 1],
              ],
              { dtype: 'int32' },
            ),
          'tensor',
          outside('-2147483649', ' at flat index 3'),
        );
        expectGatedError(() => full([2], 3e9, { dtype: 'int32' }), 'full', outside('3000000000'));
        expectGatedError(() => fullLike(ints, 2 ** 31), 'fullLike', outside('2147483648'));
        expectGatedError(() => pad(ints, [[1, 1]], 1.5), 'pad', 'int32 tensors hold integers, got 1.5 as the padding value');
        expectGatedError(() => arange(2147483640, 2147483650, 1, { dtype: 'int32' }), 'arange', outside('2147483649', ' (the last value)'));
        expectGatedError(
          () => add(ints, 2 ** 31),
          'add',
          `cannot combine an int32 tensor with the scalar 2147483648 (it is outside int32's range ${RANGE}); cast the tensor to float32 first`,
        );
        // 2^32 + 1 would wrap to the valid index 1.
        expectGatedError(() => gather(ints, [2 ** 32 + 1]), 'gather', "index 4294967297 is outside int32's range");

        const extremes = tensor([2147483647, -2147483648], { dtype: 'int32' });
        const filled = full([2], -2147483648, { dtype: 'int32' });
        // Clamping an int32 to bounds past its range (±∞ included) is exact, not refused.
        const clamped = clip(ints, -Infinity, 2 ** 40);
        const raised = clip(ints, 2 ** 40, 2 ** 41);
        try {
          expect(await extremes.toArray()).toEqual([2147483647, -2147483648]);
          expect(await filled.toArray()).toEqual([-2147483648, -2147483648]);
          expect(await clamped.toArray()).toEqual([1, -2, 3]);
          expect(await raised.toArray()).toEqual([2147483647, 2147483647, 2147483647]);
        } finally {
          dispose([extremes, filled, clamped, raised]);
        }
      } finally {
        ints.dispose();
      }
    });

    t.it('sizes are checked before host memory is taken', () => {
      // Each of these used to fill gigabytes on the host before refusing (or never refused).
      const tooBig = (n: string) => `shape [${n}] has more than 2^31-1 elements`;
      expectGatedError(() => linspace(0, 1, 2 ** 31), 'linspace', tooBig('2147483648'));
      expectGatedError(() => arange(0, 2 ** 31), 'arange', tooBig('2147483648'));
      expectGatedError(() => arange(0, 1e300), 'arange', tooBig('1e+300'));
      expectGatedError(() => randperm(2 ** 31), 'randperm', tooBig('2147483648'));
    });

    t.it('error paths free what they made', async () => {
      expectGatedError(
        () => tensor([1, 2], { dtype: 'int32', requiresGrad: true }),
        'tensor',
        'only float32 tensors can require gradients, got int32',
      );
      expectGatedError(
        () => tensor(new Int32Array(2), { requiresGrad: true }),
        'tensor',
        'only float32 tensors can require gradients, got int32',
      );
      // A constructor that runs out of memory part-way must free the weights it already made: a
      // backend whose second random fill fails as an engine out of memory does (a RangeError).
      const home = getBackendName();
      const name = `${home}:second-fill-fails-${failingCount++}`;
      const real = await ctx.factory();
      let fills = 0;
      const failing = new Proxy(real, {
        get(target, property, receiver) {
          if (property !== 'random') return Reflect.get(target, property, receiver) as unknown;
          return (request: RandomRequest) => {
            if (++fills % 2 === 0) throw new RangeError('Array buffer allocation failed');
            return target.random(request);
          };
        },
      });
      registerBackend(name, () => failing);
      await setBackend(name);
      try {
        const oom = /^random: out of memory: Array buffer allocation failed$/;
        const before = snapshot();
        for (const [label, make] of [
          ['LSTM', () => new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2 })],
          ['GRU', () => new GRU({ inputSize: 2, hiddenSize: 3 })],
          ['LSTMCell', () => new LSTMCell({ inputSize: 2, hiddenSize: 3 })],
          ['Linear', () => new Linear(2, 3)],
        ] as const) {
          fills = 0;
          expectGatedError(make, 'random', oom, label);
        }
        expectMemory(before, 'after the failed constructors');
        expect(real.memory().buffers, 'the backend holds no buffer').toBe(0);
      } finally {
        removeBackend(name);
        await setBackend(home);
      }
      // A layer whose parameters could never fit is refused before anything is allocated.
      expectGatedError(
        () => new LSTM({ inputSize: 1, hiddenSize: 3, numLayers: 2 ** 40 }),
        'LSTM',
        `LSTM(1, 3, numLayers=1099511627776) would have ${72 + (2 ** 40 - 1) * 96} parameters, more than 2^31-1 (numLayers 1099511627776, hiddenSize 3)`,
      );
    });

    t.it('tensors of a removed backend', async () => {
      const home = getBackendName();
      const name = `${home}:removed-${removedCount++}`;
      registerBackend(name, ctx.factory);
      const before = snapshot();
      await setBackend(name);
      let scope: Scope | null = null;
      try {
        const a = tensor([1, 2, 3]);
        const b = add(a, 1);
        const c = tensor([4]);
        scope = new Scope();
        scope.track([a, b]);
        removeBackend(name);
        const removed = (op: string) =>
          new RegExp(
            `^${op}: tensor #${c.id} \\(float32 \\[1\\]\\) lives on backend "${c.backend.name}", which was removed \\(removeBackend\\)$`,
          );
        expectGatedError(() => add(c, 1), 'add', removed('add'));
        expectGatedError(() => c.dataSync(), 'dataSync', removed('dataSync'));
        // Disposing needs no backend: the counts go back and the scope frees every tensor.
        c.dispose();
        scope.dispose();
        expect([a.isDisposed, b.isDisposed, c.isDisposed]).toEqual([true, true, true]);
      } finally {
        if (scope === null) removeBackend(name);
        await setBackend(home);
      }
      expectMemory(before, 'after removeBackend and disposing its tensors');
    });

    t.it('names read from a file stay plain entries (__proto__)', () => {
      const header = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
      const data = new Uint8Array(new Float32Array([1.5, 2.5]).buffer);
      const before = snapshot();
      const dict = loadSafetensors(safetensorsFile(header, data));
      try {
        expect(Object.getPrototypeOf(dict)).toBe(Object.prototype);
        expect(Object.keys(dict).sort()).toEqual(['__proto__', 'a']);
        const lstm = new LSTM({ inputSize: 1, hiddenSize: 1, seed: 1 });
        try {
          expectGatedError(() => lstm.loadStateDict(dict), 'LSTM.loadStateDict', /unexpected __proto__ \[1\], a \[1\]$/);
        } finally {
          lstm.dispose();
        }
      } finally {
        dispose(dict);
      }
      expectMemory(before, 'dispose(dict) frees every entry');
    });

    t.it('messages name what the user called', () => {
      const x = zeros([3, 2]);
      const floats = zeros([2]);
      const input = zeros([3, 2, 1]);
      const lengths = tensor([2, 3], { dtype: 'int32' });
      const lstm = new LSTM({ inputSize: 1, hiddenSize: 2, seed: 1 });
      try {
        expectGatedError(
          () => zeros(['3'] as unknown as number[]),
          'zeros',
          'shape values must be finite non-negative integers, got ["3"]',
        );
        expectGatedError(() => indexSelect(x, 5, [0]), 'indexSelect', 'axis 5 is out of range for shape [3,2]: valid axes are [-2, 1]');
        expectGatedError(() => indexSelect(x, 0, floats), 'indexSelect', 'indices must be int32, got float32');
        if (ctx.options.outOfRangeGather !== 'zeros') {
          // The op is what matters here; how the kernel words the range is the backend's.
          expectGatedError(() => indexSelect(x, 0, [7]), 'indexSelect', /^indexSelect: index 7 is out of range for axis 0 /);
        }
        expectGatedError(
          () => lstm.forward(input, { lengths: lengths as unknown as number[] }),
          'LSTM.forward',
          'lengths must be host integers (an array or an Int32Array), got a Tensor; read a tensor of lengths with await lengths.data()',
        );
      } finally {
        dispose([x, floats, input, lengths]);
        lstm.dispose();
      }
    });

    t.it('lstmSequence refuses the same lengths fused and composite', (_rng, controls) => {
      if (!getBackend().caps.syncRead) controls.skip('lengths are checked on the host only where the backend reads synchronously');
      const [T, B, H] = [3, 2, 2];
      const args = {
        inputGates: zeros([T, B, 4 * H]),
        weightHh: zeros([4 * H, H]),
        h0: zeros([B, H]),
        c0: zeros([B, H]),
      };
      const bad = [tensor([0, 3], { dtype: 'int32' }), tensor([3, 4], { dtype: 'int32' })];
      try {
        for (const [lengths, got] of [
          [bad[0]!, 0],
          [bad[1]!, 4],
        ] as const) {
          const message = `lengths must lie in [1, ${T}], got ${got}`;
          expectGatedError(() => lstmSequence({ ...args, lengths }), 'lstmSequence', message, `fused, lengths with ${got}`);
          expectGatedError(
            () => lstmSequence({ ...args, lengths }, { fused: false }),
            'lstmSequence',
            message,
            `composite, lengths with ${got}`,
          );
          expectGatedError(
            () => lstmSequenceComposite({ ...args, lengths }),
            'lstmSequence',
            message,
            `lstmSequenceComposite, lengths with ${got}`,
          );
        }
      } finally {
        dispose([args, bad]);
      }
    });

    t.it('holes the fuzz suite found stay closed', async () => {
      // Each was a shrunk counterexample of a deep fuzz run (GATED_FUZZ_RUNS in the thousands).
      expectGatedError(
        () => slidingWindows(null as unknown as number[], { window: 1 }),
        'slidingWindows',
        'series must be an array of numbers or of feature vectors, got null',
      );
      expectGatedError(
        () => slidingWindows([1, {}] as unknown as number[], { window: 1 }),
        'slidingWindows',
        'step 1 must be a number or a feature vector, got an object',
      );
      const empty = zeros([0]);
      const scalar = tensor(2.5);
      try {
        // 2^40 empty views would exhaust memory: an empty axis splits into one empty part.
        expectGatedError(() => split(empty, 2 ** 40), 'split', 'axis 0 of [0] cannot be split into 1099511627776 equal parts');
        expectGatedError(
          () => split(empty, 'x' as unknown as number),
          'split',
          'sections must be a number of equal parts or an array of part sizes, got "x"',
        );
        // Nothing to pad on a scalar is a copy, like any padding of zeros.
        const copy = pad(scalar, []);
        try {
          expect(copy === scalar, 'pad returns a new tensor').toBe(false);
          expect([copy.shape, await copy.data()]).toEqual([[], new Float32Array([2.5])]);
        } finally {
          copy.dispose();
        }
      } finally {
        dispose([empty, scalar]);
      }
    });
  });
}

/**
 * Validation happens once, in front of every backend: the engine puts each backend it adopts
 * behind `checkedBackend` of `@gated/backend-api`, so a backend only computes
 * (docs/decisions/0007). This suite proves it for the backend under test: the backend the engine
 * hands out is the checked one, and a table of bad calls, one or more per method of the contract,
 * is refused with a GatedError naming the method while a recorder wrapped around a fresh instance
 * of the backend sees none of them.
 */
import { isCheckedBackend, type Backend, type DType, type DataHandle, type RandomRequest, type TensorSpec } from '@gated/backend-api';
import { getBackend, initBackend, listBackends, registerBackend, removeBackend } from '@gated/tensor';
import { expect } from 'vitest';
import type { SuiteContext } from '../harness/context.js';
import { expectGatedError, expectGatedRejection } from '../harness/errors.js';

/** `backend` with every method call counted before it is passed on. */
function recorder(backend: Backend): { backend: Backend; calls: () => number } {
  let calls = 0;
  const proxy = new Proxy(backend, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend: proxy, calls: () => calls };
}

function freshName(): string {
  const taken = new Set(listBackends());
  let n = 1;
  while (taken.has(`validation#${n}`)) n++;
  return `validation#${n}`;
}

export function validationSuite(ctx: SuiteContext): void {
  ctx.describe('validation', (t) => {
    t.it('the engine hands out the checked layer', () => {
      expect(isCheckedBackend(t.backend), 'the backend under test, as the engine holds it').toBe(true);
      expect(isCheckedBackend(getBackend()), 'getBackend()').toBe(true);
    });

    t.it('bad calls are refused before the backend sees them', async () => {
      const name = freshName();
      let calls = (): number => 0;
      registerBackend(name, async () => {
        const recorded = recorder(await t.factory());
        calls = recorded.calls;
        return recorded.backend;
      });
      try {
        const b = await initBackend(name);
        expect(isCheckedBackend(b), 'what the engine adopted').toBe(true);
        await refusals(b, () => calls());
      } finally {
        removeBackend(name);
      }
    });
  });
}

async function refusals(b: Backend, calls: () => number): Promise<void> {
  const alloc = (dtype: DType, size: number): DataHandle => b.alloc(dtype, size);
  const f = alloc('float32', 6);
  const i = alloc('int32', 6);
  const bool = alloc('bool', 6);
  const empty = alloc('float32', 0);
  const f3 = alloc('float32', 3);
  const gates = alloc('float32', 24);
  const weights = alloc('float32', 36);
  const gruGates = alloc('float32', 18);
  const gruWeights = alloc('float32', 27);
  const floatLengths = alloc('float32', 2);
  const gone = alloc('float32', 1);
  b.free(gone);
  const spec = (data: DataHandle, shape: readonly number[] = [2, 3]): TensorSpec => ({ data, shape });
  const foreign: DataHandle = { dtype: 'float32', size: 6 };
  const name = b.name;

  const refused = (call: () => unknown, op: string, message: string): void => {
    const before = calls();
    expectGatedError(call, op, message, `${op}: ${message}`);
    expect(calls(), `the backend saw the refused call (${op}: ${message})`).toBe(before);
  };

  refused(() => b.alloc('float64' as DType, 2), 'alloc', 'unknown dtype float64');
  refused(() => b.alloc('float32', -1), 'alloc', 'size must be an integer in [0, 2^31-1], got -1');
  refused(
    () => {
      b.write(f, new Int32Array(6));
    },
    'write',
    'values are int32 but the buffer is float32',
  );
  refused(
    () => {
      b.write(f, new Float32Array(7));
    },
    'write',
    '7 values at offset 0 do not fit a buffer of 6 elements',
  );
  refused(
    () => {
      b.free(foreign);
    },
    'free',
    `buffer is not a buffer of this ${name} backend`,
  );
  refused(
    () => {
      b.free(gone);
    },
    'free',
    'buffer was already freed',
  );
  if (b.readSync) refused(() => b.readSync!(gone), 'readSync', 'buffer was already freed');
  const before = calls();
  await expectGatedRejection(() => b.read(gone), 'read', 'buffer was already freed');
  expect(calls(), 'the backend saw the refused read').toBe(before);
  refused(() => b.fill('bool', 1.5, 0), 'fill', 'size must be an integer in [0, 2^31-1], got 1.5');
  refused(() => b.cast(spec(f), 'float16' as DType), 'cast', 'unknown dtype float16');
  refused(() => b.unary('nope' as 'neg', spec(f)), 'unary', 'unknown op nope');
  refused(() => b.unary('exp', spec(i)), 'unary', 'x of exp must be float32, got int32');
  refused(() => b.unary('neg', spec(f, [2, 2])), 'unary', 'x has shape [2,2] but its buffer holds 6 elements');
  refused(() => b.unary('neg', spec(foreign)), 'unary', `x is not a buffer of this ${name} backend`);
  refused(() => b.binary('add', spec(f), spec(i), [2, 3]), 'binary', 'b must be float32, got int32');
  refused(() => b.binary('add', spec(f), spec(f), [3, 2]), 'binary', 'a of shape [2,3] does not broadcast to [3,2]');
  refused(() => b.where(spec(f), spec(f), spec(f), [2, 3]), 'where', 'cond must be bool, got float32');
  refused(() => b.where(spec(bool), spec(f), spec(i), [2, 3]), 'where', 'b must be float32, got int32');
  refused(() => b.reduce('sum', spec(f), [1, 0]), 'reduce', 'axes must be sorted and distinct, got [1,0]');
  refused(() => b.reduce('sum', spec(bool), [0]), 'reduce', 'x must be float32 or int32, got bool');
  refused(() => b.argReduce('argmax', spec(f), 2), 'argReduce', 'axis 2 is out of range for rank 2');
  refused(() => b.argReduce('argmax', spec(empty, [3, 0]), 1), 'argReduce', 'argmax over axis 1 of size 0 has no answer');
  refused(() => b.matmul(spec(f), spec(f), false, false, [2, 3]), 'matmul', 'inner dimensions differ: [2,3] x [2,3]');
  refused(() => b.matmul(spec(i), spec(f, [3, 2]), false, false, [2, 2]), 'matmul', 'a must be float32, got int32');
  refused(
    () => b.stridedCopy({ data: f, shape: [4], strides: [2], offset: 0 }),
    'stridedCopy',
    'the view reaches elements 0 to 6, outside a buffer of 6 elements',
  );
  refused(
    () => b.stridedCopy({ data: f, shape: [2], strides: [0.5], offset: 0 }),
    'stridedCopy',
    'need one integer stride per axis of [2] and an integer offset',
  );
  refused(() => b.concat([spec(f), spec(i)], 0, [4, 3]), 'concat', 'input 1 must be float32, got int32');
  refused(() => b.concat([spec(f), spec(f)], 0, [5, 3]), 'concat', 'inputs join to 4 along axis 0, not 5');
  refused(() => b.gather(spec(f), spec(f, [6]), 0), 'gather', 'indices must be int32, got float32');
  refused(() => b.scatterAdd(spec(f), spec(i, [6]), 0, [4, 3]), 'scatterAdd', 'updates must have shape [6,3], got [2,3]');
  refused(
    () => b.random({ spec: { kind: 'nope' }, size: 2, key: [0, 0] } as unknown as RandomRequest),
    'random',
    'unknown distribution nope',
  );
  if (b.lstmCell) {
    refused(
      () => b.lstmCell!({ inputGates: spec(f), hiddenGates: spec(gates, [2, 12]), c: spec(f) }),
      'lstmCell',
      'inputGates must have shape [2,12] ([B, 4H]), got [2,3]',
    );
  }
  if (b.lstmSequence) {
    const forward = { inputGates: spec(gates, [1, 2, 12]), weightHh: spec(weights, [12, 3]), h0: spec(f), c0: spec(f), reverse: false };
    refused(() => b.lstmSequence!({ ...forward, lengths: spec(floatLengths, [2]) }), 'lstmSequence', 'lengths must be int32, got float32');
    refused(
      () => b.lstmSequence!({ ...forward, weightHh: spec(f), lengths: null }),
      'lstmSequence',
      'weightHh must have shape [12,3] ([4H, P]), got [2,3]',
    );
    if (b.caps.fused.lstmProjection !== true) {
      refused(
        () => b.lstmSequence!({ ...forward, weightHr: spec(f, [3, 3]), lengths: null }),
        'lstmSequence',
        `the ${name} backend's kernel has no projection (caps.fused.lstmProjection): run the composite instead`,
      );
    }
  }
  if (b.gruSequence) {
    const forward = { inputGates: spec(gruGates, [1, 2, 9]), weightHh: spec(gruWeights, [9, 3]), h0: spec(f), reverse: false };
    refused(
      () => b.gruSequence!({ ...forward, biasHn: spec(f), lengths: null }),
      'gruSequence',
      'biasHn must have shape [3] ([H]), got [2,3]',
    );
    refused(
      () => b.gruSequence!({ ...forward, biasHn: null, lengths: spec(floatLengths, [2]) }),
      'gruSequence',
      'lengths must be int32, got float32',
    );
  }
  if (b.adamStep) {
    const hyper = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false };
    const tensors = { param: spec(f), grad: spec(f), m: spec(f), v: spec(f), vMax: null };
    refused(
      () => {
        b.adamStep!({ ...tensors, ...hyper, step: 0 });
      },
      'adamStep',
      'step counts from 1, got 0',
    );
    refused(
      () => {
        b.adamStep!({ ...tensors, grad: spec(f3, [3]), ...hyper, step: 1 });
      },
      'adamStep',
      "grad must have shape [2,3] (param's), got [3]",
    );
  }

  // A good call does reach the backend (so the recorder can tell).
  const reached = calls();
  b.free(b.unary('neg', spec(f)));
  expect(calls(), 'a valid call reaches the backend').toBeGreaterThan(reached);

  b.dispose();
  refused(() => b.alloc('float32', 1), 'alloc', `the ${name} backend was disposed`);
  refused(() => b.unary('neg', spec(f)), 'unary', `the ${name} backend was disposed`);
}

import { GatedError, SPEC_VERSION, type Backend } from '@gated/backend-api';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Scope,
  add,
  expand,
  getBackend,
  getBackendName,
  keep,
  listBackends,
  memory,
  registerBackend,
  removeBackend,
  reshape,
  setBackend,
  slice,
  tensor,
  tidy,
  transpose,
  withScope,
  zeros,
  type Tensor,
} from '../src/index.js';
import { ENGINE } from '../src/engine.js';
import { installRecorder, type OpRecorder } from '../src/internal.js';
import { createHostBackend } from './host-backend.js';

beforeAll(async () => {
  registerBackend('host', () => createHostBackend());
  await setBackend('host');
});

let baseline = memory();
beforeEach(() => {
  baseline = memory();
});
afterEach(() => {
  const now = memory();
  expect(now.numTensors).toBe(baseline.numTensors);
  expect(now.numBuffers).toBe(baseline.numBuffers);
  expect(now.backend?.buffers).toBe(baseline.backend?.buffers);
});

describe('backend registry', () => {
  it('refuses a second registration under one name', () => {
    expect(() => {
      registerBackend('host', () => createHostBackend());
    }).toThrow(new GatedError('registerBackend', 'a backend named "host" is already registered'));
  });

  it('names the registered backends when asked for an unknown one', async () => {
    await expect(setBackend('nope')).rejects.toThrow(/setBackend: no backend named "nope" is registered \(registered: host\)/);
  });

  it('initialises async factories once and switches between backends', async () => {
    let created = 0;
    registerBackend('async-host', async () => {
      created++;
      await Promise.resolve();
      return createHostBackend({ name: 'async-host', syncRead: false });
    });
    try {
      const [a, b] = await Promise.all([setBackend('async-host'), setBackend('async-host')]);
      expect(a).toBe(b);
      expect(created).toBe(1);
      expect(getBackendName()).toBe('async-host');
      expect(listBackends()).toEqual(['host', 'async-host']);
    } finally {
      removeBackend('async-host');
      await setBackend('host');
    }
    expect(getBackend().name).toBe('host');
  });

  it('refuses a backend of another contract version', async () => {
    registerBackend('future', () => ({ ...createHostBackend(), specVersion: 2 }) as unknown as Backend);
    try {
      await expect(setBackend('future')).rejects.toThrow(/implements contract version 2, but this @gated\/tensor speaks version 1/);
    } finally {
      removeBackend('future');
    }
    expect(SPEC_VERSION).toBe(1);
  });

  it('refuses to mix tensors of two backends in one op', async () => {
    registerBackend('other', () => createHostBackend({ name: 'other' }));
    const a = tensor([1, 2]);
    await setBackend('other');
    const b = tensor([1, 2]);
    await setBackend('host');
    try {
      expect(() => add(a, b)).toThrow(new GatedError('add', 'inputs live on different backends ("host" and "other")'));
    } finally {
      a.dispose();
      b.dispose();
      removeBackend('other');
    }
  });
});

describe('reading', () => {
  it('reads nested arrays, flat data and single items', async () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(await t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.toArraySync()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4, 5, 6]);
    t.dispose();
    const s = tensor(2.5);
    expect(await s.item()).toBe(2.5);
    expect(s.itemSync()).toBe(2.5);
    expect(await s.toArray()).toBe(2.5);
    s.dispose();
    const b = tensor([[true, false]]);
    expect(b.dtype).toBe('bool');
    expect(await b.toArray()).toEqual([[true, false]]);
    b.dispose();
    const e = zeros([2, 0, 3]);
    expect(await e.toArray()).toEqual([[], []]);
    e.dispose();
  });

  it('refuses synchronous reads on a backend that cannot do them, and item() of many elements', async () => {
    registerBackend('async-only', () => createHostBackend({ name: 'async-only', syncRead: false }));
    await setBackend('async-only');
    const t = tensor([1, 2]);
    try {
      expect(() => t.dataSync()).toThrow(
        new GatedError('dataSync', 'backend "async-only" cannot read synchronously; use await tensor.data()'),
      );
      expect(Array.from(await t.data())).toEqual([1, 2]);
      await expect(t.item()).rejects.toThrow(/item: needs a tensor with exactly one element, got shape \[2\]/);
    } finally {
      t.dispose();
      removeBackend('async-only');
      await setBackend('host');
    }
  });

  it('rejects ragged arrays, bad shapes and mismatched typed arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array/);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(new GatedError('tensor', 'shape [2,2] needs 4 values, got 3'));
    expect(() => tensor(new Int32Array(2), { dtype: 'float32' })).toThrow(/Int32Array cannot hold float32/);
    expect(() => tensor([1.5], { dtype: 'int32' })).toThrow(/int32 tensors hold integers/);
    expect(() => zeros([2, Number.NaN])).toThrow(/zeros|full/);
    expect(() => zeros([2, Infinity])).toThrow(GatedError);
    expect(() => zeros([-1])).toThrow(/shape values must be finite non-negative integers, got \[-1\]/);
  });
});

describe('views and refcounts', () => {
  it('shares one buffer between a tensor and its views', async () => {
    const before = memory().numBuffers;
    const base = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const t = transpose(base);
    const r = reshape(base, [3, 2]);
    const s = slice(base, [0, 1], [2, 2]);
    const row = slice(base, [0, 0], [1, 3]);
    const e = expand(row, [4, 3]);
    expect(memory().numBuffers).toBe(before + 1);
    base.dispose();
    expect(await t.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(await r.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(await s.toArray()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(((await e.toArray()) as number[][])[3]).toEqual([1, 2, 3]);
    for (const view of [t, r, s, e]) view.dispose();
    expect(memory().numBuffers).toBe(before + 1);
    row.dispose();
    expect(memory().numBuffers).toBe(before);
  });

  it('throws a clear error on use after dispose, and dispose is idempotent', () => {
    const t = tensor([1, 2]);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => add(t, 1)).toThrow(new RegExp(`add: tensor #${t.id} \\(float32 \\[2\\]\\) was already disposed`));
    expect(() => t.dataSync()).toThrow(/dataSync: tensor #\d+ .* was already disposed/);
  });

  it('assign rebinds values, keeps identity and bumps the version', async () => {
    const p = tensor([1, 2]);
    const old = reshape(p, [2]);
    const v = tensor([5, 6]);
    p.assign(v);
    expect(p.version).toBe(1);
    expect(await p.toArray()).toEqual([5, 6]);
    expect(await old.toArray()).toEqual([1, 2]);
    const wrong = tensor([1, 2, 3]);
    expect(() => {
      p.assign(wrong);
    }).toThrow(/assign: value float32 \[3\] does not match target float32 \[2\]/);
    for (const t of [p, old, v, wrong]) t.dispose();
  });
});

describe('scopes', () => {
  it('tidy frees intermediates and keeps results, nested', async () => {
    const before = memory().numTensors;
    const out = tidy(() => {
      const a = tensor([1, 2]);
      const inner = tidy(() => add(add(a, 1), a));
      return { sum: inner, list: [add(inner, 1)] };
    });
    expect(memory().numTensors).toBe(before + 2);
    expect(await out.sum.toArray()).toEqual([3, 5]);
    expect(await out.list[0]!.toArray()).toEqual([4, 6]);
    out.sum.dispose();
    out.list[0]!.dispose();
  });

  it('tidy frees everything when its function throws', () => {
    const before = memory();
    expect(() => {
      tidy(() => {
        tensor([1, 2, 3]);
        add(tensor([1, 2]), tensor([1, 2, 3]));
      });
    }).toThrow(/add: shapes \[2\] and \[3\] cannot be broadcast together/);
    expect(memory().numTensors).toBe(before.numTensors);
    expect(memory().backend?.buffers).toBe(before.backend?.buffers);
  });

  it('tidy refuses async functions and frees what they created synchronously', () => {
    expect(() =>
      tidy(() => {
        tensor([1]);
        return Promise.resolve(1);
      }),
    ).toThrow(/tidy: the function returned a Promise/);
  });

  it('keep protects a tensor from its scope', () => {
    let kept: Tensor | undefined;
    tidy(() => {
      kept = keep(tensor([1]));
      tensor([2]);
    });
    expect(kept!.isDisposed).toBe(false);
    kept!.dispose();
  });

  it('Scope tracks across await and frees on dispose; withScope keeps its result', async () => {
    const scope = new Scope();
    const a = scope.run(() => add(tensor([1, 2]), 1));
    await Promise.resolve();
    const b = scope.track(tensor([3]));
    expect(await a.toArray()).toEqual([2, 3]);
    scope.dispose();
    expect(a.isDisposed && b.isDisposed).toBe(true);
    const late = tensor([1]);
    expect(() => scope.track(late)).toThrow(/Scope.track: the scope was already disposed/);
    late.dispose();

    const kept = await withScope(async (s) => {
      const x = s.run(() => add(tensor([1]), 1));
      const value = await x.item();
      return s.run(() => add(x, value));
    });
    expect(await kept.toArray()).toEqual([4]);
    kept.dispose();
  });

  it('works with using declarations', () => {
    const before = memory().numTensors;
    {
      using t = tensor([1, 2]);
      expect(t.isDisposed).toBe(false);
    }
    expect(memory().numTensors).toBe(before);
  });
});

describe('ops and the recorder', () => {
  it('frees temporary scalars and records only the outermost op', () => {
    const calls: string[] = [];
    const recorder: OpRecorder = {
      record: (op, _inputs, outputs) => {
        calls.push(op);
        for (const out of outputs) out.requiresGrad = true;
      },
      release: () => undefined,
      backward: () => undefined,
    };
    const previous = installRecorder(recorder);
    try {
      const x = tensor([1, 2], { requiresGrad: true });
      const y = ENGINE.runOp('clip', [x], { min: 0, max: 1 }, () => add(add(x, 1), 2));
      const z = add(y, 3);
      expect(calls).toEqual(['clip', 'add']);
      const plain = tensor([1]);
      add(plain, plain).dispose();
      expect(calls).toEqual(['clip', 'add']);
      for (const t of [x, y, z, plain]) t.dispose();
    } finally {
      installRecorder(previous);
    }
  });

  it('refuses requiresGrad on integer tensors and backward without autodiff', () => {
    const i = tensor([1], { dtype: 'int32' });
    expect(() => {
      i.requiresGrad = true;
    }).toThrow(/requiresGrad: only float32 tensors can require gradients, got int32/);
    expect(() => {
      i.backward();
    }).toThrow(/backward: no autodiff is installed/);
    i.dispose();
  });

  it('names the op and dtypes on dtype mismatch', () => {
    const f = tensor([1]);
    const i = tensor([1], { dtype: 'int32' });
    expect(() => add(f, i)).toThrow(new GatedError('add', 'dtype mismatch: float32 vs int32; cast one side first'));
    expect(() => add(i, 0.5)).toThrow(/add: cannot combine an int32 tensor with the non-integer scalar 0.5/);
    f.dispose();
    i.dispose();
  });
});

// Hyper-parameter validation needs no backend: options are checked before any tensor is touched,
// and parameter groups may be empty. (Optimizer behaviour is tested in @gated/backend-conformance.)
import { GatedError } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import { Adagrad, Adam, AdamW, Adamax, RMSprop, SGD, clipGradNorm, clipGradValue } from '../src/index.js';

function expectGatedError(make: () => unknown, op: string, message: string | RegExp): void {
  let caught: unknown = null;
  try {
    make();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a GatedError').toBeInstanceOf(GatedError);
  expect((caught as GatedError).op).toBe(op);
  if (typeof message === 'string') expect((caught as GatedError).message).toBe(`${op}: ${message}`);
  else expect((caught as GatedError).message).toMatch(message);
}

const empty = [{ params: [] }];

describe('optimizer hyper-parameters', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['negative lr', () => new SGD(empty, { lr: -0.1 }), 'SGD', 'invalid learning rate: lr = -0.1 (expected a finite number >= 0)'],
    ['NaN lr', () => new Adam(empty, { lr: NaN }), 'Adam', 'invalid learning rate: lr = NaN (expected a finite number >= 0)'],
    [
      'negative momentum',
      () => new SGD(empty, { lr: 0.1, momentum: -0.5 }),
      'SGD',
      'invalid momentum value: momentum = -0.5 (expected a finite number >= 0)',
    ],
    [
      'negative weight decay',
      () => new AdamW(empty, { weightDecay: -1 }),
      'AdamW',
      'invalid weight decay: weightDecay = -1 (expected a finite number >= 0)',
    ],
    [
      'nesterov without momentum',
      () => new SGD(empty, { lr: 0.1, nesterov: true }),
      'SGD',
      'nesterov momentum requires momentum > 0 and dampening = 0, got momentum = 0, dampening = 0',
    ],
    [
      'nesterov with dampening',
      () => new SGD(empty, { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      'SGD',
      'nesterov momentum requires momentum > 0 and dampening = 0, got momentum = 0.9, dampening = 0.1',
    ],
    [
      'beta1 = 1',
      () => new Adam(empty, { betas: [1, 0.999] }),
      'Adam',
      'invalid beta parameter at index 0: betas[0] = 1 (expected a number in [0, 1))',
    ],
    [
      'beta2 < 0',
      () => new Adamax(empty, { betas: [0.9, -0.1] }),
      'Adamax',
      'invalid beta parameter at index 1: betas[1] = -0.1 (expected a number in [0, 1))',
    ],
    ['one beta', () => new Adam(empty, { betas: [0.9] as never }), 'Adam', 'invalid betas: [0.9] (expected two numbers, each in [0, 1))'],
    ['eps = 0', () => new Adam(empty, { eps: 0 }), 'Adam', 'invalid epsilon value: eps = 0 (expected a finite number > 0)'],
    ['eps < 0', () => new RMSprop(empty, { eps: -1e-8 }), 'RMSprop', 'invalid epsilon value: eps = -1e-8 (expected a finite number > 0)'],
    ['Adagrad eps = 0', () => new Adagrad(empty, { eps: 0 }), 'Adagrad', 'invalid epsilon value: eps = 0 (expected a finite number > 0)'],
    ['alpha > 1', () => new RMSprop(empty, { alpha: 1.5 }), 'RMSprop', 'invalid alpha value: alpha = 1.5 (expected a number in [0, 1])'],
    [
      'negative lrDecay',
      () => new Adagrad(empty, { lrDecay: -0.1 }),
      'Adagrad',
      'invalid lr_decay value: lrDecay = -0.1 (expected a finite number >= 0)',
    ],
    [
      'negative initial accumulator',
      () => new Adagrad(empty, { initialAccumulatorValue: -1 }),
      'Adagrad',
      'invalid initial accumulator value: initialAccumulatorValue = -1 (expected a finite number >= 0)',
    ],
    ['non-boolean flag', () => new Adam(empty, { amsgrad: 1 as never }), 'Adam', 'invalid amsgrad: 1 (expected true or false)'],
    [
      'unknown option',
      () => new Adam(empty, { weight_decay: 0.1 } as never),
      'Adam',
      'unknown option "weight_decay" (known: lr, betas, eps, weightDecay, amsgrad, maximize)',
    ],
    [
      'bad group option',
      () => new SGD([{ params: [] }, { params: [], lr: -1 }], { lr: 0.1 }),
      'SGD',
      'invalid learning rate in paramGroups[1]: lr = -1 (expected a finite number >= 0)',
    ],
    [
      'unknown group option',
      () => new RMSprop([{ params: [], mom: 0.9 } as never]),
      'RMSprop',
      'unknown option "mom" in paramGroups[0] (known: lr, alpha, eps, weightDecay, momentum, centered, maximize)',
    ],
    ['empty parameter list', () => new Adam([]), 'Adam', 'got an empty parameter list'],
    ['not a parameter', () => new Adam([{ params: [3] } as never]), 'Adam', 'params[0] in paramGroups[0] is not a tensor (got number)'],
    [
      'SGD lr missing in a group',
      () => new SGD([{ params: [] }], {} as never),
      'SGD',
      'lr is required in paramGroups[0] (give it in the options or in every parameter group)',
    ],
  ];
  for (const [label, make, op, message] of cases) {
    it(label, () => {
      expectGatedError(make, op, message);
    });
  }

  it('resolves defaults per group, as PyTorch does', () => {
    const optimizer = new Adam([{ params: [] }, { params: [], lr: 0.05, betas: [0.8, 0.9] }], { lr: 0.01, weightDecay: 0.1 });
    expect(optimizer.paramGroups.map(({ params: _params, ...options }) => options)).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false },
      { lr: 0.05, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false },
    ]);
    expect(new AdamW(empty).paramGroups[0]!.weightDecay).toBe(0.01);
    expect(new Adamax(empty).paramGroups[0]!.lr).toBe(0.002);
    expect(new Adagrad(empty).paramGroups[0]!.eps).toBe(1e-10);
    expect(new RMSprop(empty).paramGroups[0]).toMatchObject({ lr: 0.01, alpha: 0.99, momentum: 0, centered: false });
  });
});

describe('loadStateDict validation', () => {
  const make = () => new SGD([{ params: [] }, { params: [], momentum: 0.9 }], { lr: 0.1 });
  const groups = () => make().stateDict().paramGroups;

  it('round-trips the group options', () => {
    const optimizer = make();
    const dict = optimizer.stateDict();
    expect(dict.paramGroups[1]).toEqual({
      lr: 0.1,
      momentum: 0.9,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      params: [],
    });
    dict.paramGroups[0]!.lr = 0.5;
    optimizer.loadStateDict(dict);
    expect(optimizer.paramGroups[0]!.lr).toBe(0.5);
  });

  it('names an unknown option', () => {
    const saved = groups();
    (saved[1] as Record<string, unknown>).momentum_buffer = 1;
    expectGatedError(
      () => {
        make().loadStateDict({ state: {}, paramGroups: saved });
      },
      'SGD.loadStateDict',
      'unknown option "momentum_buffer" in paramGroups[1] (known: lr, momentum, dampening, weightDecay, nesterov, maximize)',
    );
  });

  it('names a state entry for a parameter no group lists', () => {
    expectGatedError(
      () => {
        make().loadStateDict({ state: { 4: {} }, paramGroups: groups() });
      },
      'SGD.loadStateDict',
      'state has an entry for parameter "4", but no parameter group lists that index',
    );
  });

  it('refuses a different number of groups', () => {
    expectGatedError(
      () => {
        make().loadStateDict({ state: {}, paramGroups: groups().slice(1) });
      },
      'SGD.loadStateDict',
      'the state dict has 1 parameter groups, but this optimizer has 2',
    );
  });

  it('refuses a different group size', () => {
    const saved = groups();
    saved[0]!.params = [0];
    expectGatedError(
      () => {
        make().loadStateDict({ state: {}, paramGroups: saved });
      },
      'SGD.loadStateDict',
      'paramGroups[0] has 1 parameters in the state dict, but 0 in this optimizer',
    );
  });

  it('checks the loaded values and changes nothing on error', () => {
    const optimizer = make();
    const saved = groups();
    saved[0]!.lr = 0.7;
    saved[1]!.lr = -1;
    expectGatedError(
      () => {
        optimizer.loadStateDict({ state: {}, paramGroups: saved });
      },
      'SGD.loadStateDict',
      'invalid learning rate in paramGroups[1]: lr = -1 (expected a finite number >= 0)',
    );
    expect(optimizer.paramGroups[0]!.lr).toBe(0.1);
  });

  it('refuses extra top-level keys', () => {
    expectGatedError(
      () => {
        make().loadStateDict({ state: {}, paramGroups: groups(), defaults: {} } as never);
      },
      'SGD.loadStateDict',
      'unknown key "defaults" (expected state and paramGroups)',
    );
  });

  it('is unusable after dispose', () => {
    const optimizer = make();
    optimizer.dispose();
    optimizer.dispose();
    expectGatedError(
      () => {
        optimizer.step();
      },
      'SGD.step',
      'the optimizer was disposed',
    );
  });
});

describe('clipping arguments', () => {
  it('refuses a bad norm type, max norm or clip value', () => {
    expectGatedError(() => clipGradNorm([], 1, { normType: 0 }), 'clipGradNorm', 'normType must be a number > 0 or Infinity, got 0');
    expectGatedError(
      () => clipGradNorm([], 1, { normType: -Infinity }),
      'clipGradNorm',
      'normType must be a number > 0 or Infinity, got -Infinity',
    );
    expectGatedError(() => clipGradNorm([], -1), 'clipGradNorm', 'maxNorm must be a number >= 0, got -1');
    expectGatedError(
      () => {
        clipGradValue([], NaN);
      },
      'clipGradValue',
      'clipValue must be a number >= 0, got NaN',
    );
  });
});

// Every schedule case of the PyTorch 1.13 reference (fixtures/optim/schedules.json, written by
// tooling/reference/schedules.py): the learning rate of both groups after construction and after
// each of 40 steps, momentum for OneCycleLR, and ReduceLROnPlateau's counters. Schedules touch
// only numbers, so a plain object stands in for the optimizer.
import { describe, expect, it } from 'vitest';
import data from '../../backend-conformance/fixtures/optim/schedules.json';
import {
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LRScheduler,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SequentialLR,
  SGD,
  StepLR,
  type SchedulableOptimizer,
  type SchedulableParamGroup,
} from '../src/index.js';

/** |got − want| ≤ 1e-12·|want|: PyTorch's recursions are reproduced operation for operation. */
const RELATIVE = 1e-12;

interface Case {
  readonly name: string;
  readonly scheduler: string;
  readonly options: Record<string, unknown>;
  readonly lr: readonly (readonly number[])[];
  readonly closed_form_lr?: readonly (readonly number[])[];
  readonly optimizer_momentum?: number;
  readonly momentum?: readonly (readonly number[])[];
  readonly metrics?: readonly number[];
  readonly best?: readonly number[];
  readonly num_bad_epochs?: readonly number[];
  readonly cooldown_counter?: readonly number[];
}

const CASES = data.cases as readonly Case[];

/** PyTorch's snake_case names to ours: `step_size` → `stepSize`, `T_max` → `tMax`. */
function camel(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => {
      const [head, ...rest] = key.split('_');
      return [head!.toLowerCase() + rest.map((part) => part[0]!.toUpperCase() + part.slice(1)).join(''), value];
    }),
  );
}

function makeOptimizer(testCase: Case): SchedulableOptimizer & { paramGroups: SchedulableParamGroup[] } {
  return {
    paramGroups: data.optimizer.param_group_lrs.map((lr) =>
      testCase.optimizer_momentum === undefined ? { lr } : { lr, momentum: testCase.optimizer_momentum },
    ),
  };
}

type AnySchedule = LRScheduler | ReduceLROnPlateau;

function build(scheduler: string, options: Record<string, unknown>, optimizer: SchedulableOptimizer): AnySchedule {
  const o = camel(options) as never;
  switch (scheduler) {
    case 'StepLR':
      return new StepLR(optimizer, o);
    case 'MultiStepLR':
      return new MultiStepLR(optimizer, o);
    case 'ExponentialLR':
      return new ExponentialLR(optimizer, o);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(optimizer, o);
    case 'LinearLR':
      return new LinearLR(optimizer, o);
    case 'OneCycleLR':
      return new OneCycleLR(optimizer, o);
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(optimizer, o);
    case 'SequentialLR': {
      const children = (options.schedulers as { scheduler: string; options: Record<string, unknown> }[]).map(
        (child) => build(child.scheduler, child.options, optimizer) as LRScheduler,
      );
      return new SequentialLR(optimizer, { schedulers: children, milestones: options.milestones as number[] });
    }
    default:
      throw new Error(`no such scheduler in the fixture: ${scheduler}`);
  }
}

function stepOnce(schedule: AnySchedule, testCase: Case, epoch: number): void {
  if (schedule instanceof ReduceLROnPlateau) schedule.step(testCase.metrics![epoch - 1]!);
  else schedule.step();
}

/** Largest |got − want| / |want| over a sequence of per-group values (exact zeros must match exactly). */
function worstRelative(got: readonly (readonly number[])[], want: readonly (readonly number[])[]): number {
  let worst = 0;
  want.forEach((row, e) => {
    row.forEach((w, g) => {
      const a = got[e]![g]!;
      const error = w === 0 ? (a === 0 ? 0 : Infinity) : Math.abs(a - w) / Math.abs(w);
      worst = Math.max(worst, error);
    });
  });
  return worst;
}

function momentumOf(group: SchedulableParamGroup): number {
  return group.betas ? group.betas[0] : group.momentum!;
}

describe('schedules match PyTorch 1.13', () => {
  it('covers every case of the fixture', () => {
    expect(CASES.map((c) => c.name)).toEqual([
      'step',
      'multistep',
      'exponential',
      'cosine',
      'linear',
      'one_cycle_cos',
      'one_cycle_linear',
      'one_cycle_three_phase',
      'plateau_min_rel',
      'plateau_max_abs',
      'sequential_linear_cosine',
    ]);
  });

  for (const testCase of CASES) {
    it(`${testCase.name}: lr of both groups over ${data.epochs} epochs`, () => {
      const optimizer = makeOptimizer(testCase);
      const schedule = build(testCase.scheduler, testCase.options, optimizer);
      const lrs: number[][] = [schedule.getLastLr()];
      const groupLrs: number[][] = [optimizer.paramGroups.map((g) => g.lr)];
      const momentum: number[][] = [optimizer.paramGroups.map(momentumOf)];
      const counters: number[][] = [];
      for (let epoch = 1; epoch <= data.epochs; epoch++) {
        stepOnce(schedule, testCase, epoch);
        lrs.push(schedule.getLastLr());
        groupLrs.push(optimizer.paramGroups.map((g) => g.lr));
        momentum.push(optimizer.paramGroups.map(momentumOf));
        if (schedule instanceof ReduceLROnPlateau) counters.push([schedule.best, schedule.numBadEpochs, schedule.cooldownCounter]);
      }
      expect(worstRelative(lrs, testCase.lr), 'getLastLr()').toBeLessThanOrEqual(RELATIVE);
      expect(groupLrs, 'the optimizer groups hold what getLastLr() reports').toEqual(lrs);
      if (testCase.momentum) expect(worstRelative(momentum, testCase.momentum), 'momentum').toBeLessThanOrEqual(RELATIVE);
      if (testCase.best) {
        expect(
          counters.map((c) => c[0]),
          'best',
        ).toEqual(testCase.best);
        expect(
          counters.map((c) => c[1]),
          'numBadEpochs',
        ).toEqual(testCase.num_bad_epochs);
        expect(
          counters.map((c) => c[2]),
          'cooldownCounter',
        ).toEqual(testCase.cooldown_counter);
      }
    });

    const closedForm = testCase.closed_form_lr;
    if (closedForm) {
      it(`${testCase.name}: closed form (used by SequentialLR at milestones) at every epoch`, () => {
        const got = closedForm.map((_, epoch) => {
          const schedule = build(testCase.scheduler, testCase.options, makeOptimizer(testCase)) as LRScheduler;
          schedule.stepAt(epoch);
          return schedule.getLastLr();
        });
        expect(worstRelative(got, closedForm)).toBeLessThanOrEqual(RELATIVE);
      });
    }

    it(`${testCase.name}: a state dict saved at epoch 17 resumes identically (through JSON)`, () => {
      const original = makeOptimizer(testCase);
      const first = build(testCase.scheduler, testCase.options, original);
      for (let epoch = 1; epoch <= 17; epoch++) stepOnce(first, testCase, epoch);
      const saved: unknown = JSON.parse(JSON.stringify(first.stateDict()));

      const resumed = makeOptimizer(testCase);
      const second = build(testCase.scheduler, testCase.options, resumed);
      // The optimizer's own state dict restores its groups (lr, initialLr, momentum).
      resumed.paramGroups.forEach((group, i) => Object.assign(group, structuredClone(original.paramGroups[i])));
      second.loadStateDict(saved as never);
      expect(second.getLastLr()).toEqual(first.getLastLr());
      for (let epoch = 18; epoch <= data.epochs; epoch++) {
        stepOnce(first, testCase, epoch);
        stepOnce(second, testCase, epoch);
        expect(second.getLastLr(), `epoch ${epoch}`).toEqual(first.getLastLr());
        expect(resumed.paramGroups, `epoch ${epoch}`).toEqual(original.paramGroups);
      }
      expect(second.stateDict()).toEqual(first.stateDict());
    });
  }
});

describe('schedule semantics', () => {
  const groups = (): SchedulableOptimizer & { paramGroups: SchedulableParamGroup[] } => ({ paramGroups: [{ lr: 0.1 }, { lr: 0.05 }] });

  it('the first schedule records initialLr; later ones start from it', () => {
    const optimizer = groups();
    new LinearLR(optimizer, { startFactor: 0.5, totalIters: 2 });
    expect(optimizer.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    const cosine = new CosineAnnealingLR(optimizer, { tMax: 4 });
    expect(cosine.baseLrs).toEqual([0.1, 0.05]);
  });

  it('drives real optimizers: lr, momentum and Adam betas, with initialLr kept in the groups', () => {
    const sgd = new SGD([{ params: [] }, { params: [], lr: 0.01 }], { lr: 0.1, momentum: 0.9 });
    const step = new StepLR(sgd, { stepSize: 1, gamma: 0.5 });
    step.step();
    expect(sgd.paramGroups.map((g) => [g.lr, g.initialLr])).toEqual([
      [0.05, 0.1],
      [0.005, 0.01],
    ]);
    const adam = new Adam([{ params: [] }]);
    new OneCycleLR(adam, { maxLr: 0.01, totalSteps: 10 });
    expect(adam.paramGroups[0]!.betas).toEqual([0.95, 0.999]);
    expect(adam.paramGroups[0]!.lr).toBeCloseTo(0.0004, 15);
    const saved = adam.stateDict();
    expect(saved.paramGroups[0]!.initialLr).toBeCloseTo(0.0004, 15);
  });

  it('OneCycleLR allows the step to totalSteps (as PyTorch) and refuses the next one', () => {
    const schedule = new OneCycleLR({ paramGroups: [{ lr: 1, momentum: 0.9 }] }, { maxLr: 1, totalSteps: 4 });
    for (let i = 0; i < 4; i++) schedule.step();
    expect(() => {
      schedule.step();
    }).toThrow('OneCycleLR.step: tried to step 6 times, but the cycle has totalSteps = 4');
    expect(schedule.lastEpoch).toBe(4);
  });

  it('OneCycleLR cycles beta1 of Adam-style groups', () => {
    const optimizer = { paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999] as const }] };
    const schedule = new OneCycleLR(optimizer, { maxLr: 0.01, totalSteps: 10, baseMomentum: 0.8, maxMomentum: 0.9 });
    expect(optimizer.paramGroups[0]!.betas).toEqual([0.9, 0.999]);
    for (let i = 0; i < 2; i++) schedule.step();
    expect(optimizer.paramGroups[0]!.betas[0]).toBeLessThan(0.9);
    expect(optimizer.paramGroups[0]!.betas[1]).toBe(0.999);
  });

  it('OneCycleLR without momentum to cycle says so', () => {
    expect(() => new OneCycleLR({ paramGroups: [{ lr: 1 }] }, { maxLr: 1, totalSteps: 4 })).toThrow(
      /cycleMomentum needs an optimizer with momentum/,
    );
    expect(() => new OneCycleLR({ paramGroups: [{ lr: 1 }] }, { maxLr: 1, totalSteps: 4, cycleMomentum: false })).not.toThrow();
  });

  it('ReduceLROnPlateau: equal values are bad epochs; counters reset even at minLr', () => {
    const optimizer = { paramGroups: [{ lr: 0.02 }] };
    const schedule = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5, minLr: 0.01 });
    schedule.step(1);
    schedule.step(1);
    expect(schedule.getLastLr()).toEqual([0.01]);
    schedule.step(1);
    expect(schedule.getLastLr()).toEqual([0.01]);
    expect(schedule.numBadEpochs).toBe(0);
  });

  it('refuses to step after the optimizer gained a parameter group', () => {
    const optimizer = groups();
    const schedule = new StepLR(optimizer, { stepSize: 2 });
    optimizer.paramGroups.push({ lr: 1 });
    expect(() => {
      schedule.step();
    }).toThrow(
      'StepLR.step: the optimizer has 3 parameter groups, but the schedule was created for 2; create a new schedule after addParamGroup',
    );
  });

  it('ReduceLROnPlateau state dicts are JSON-safe before the first step', () => {
    const schedule = new ReduceLROnPlateau(groups());
    const dict = schedule.stateDict();
    expect(dict.best).toBeNull();
    const other = new ReduceLROnPlateau(groups(), { mode: 'max' });
    other.loadStateDict(JSON.parse(JSON.stringify(dict)) as never);
    expect(other.best).toBe(Infinity);
    expect(other.mode).toBe('min');
  });
});

describe('schedule validation', () => {
  const optimizer = (): SchedulableOptimizer => ({ paramGroups: [{ lr: 0.1 }, { lr: 0.05 }] });
  const cases: [string, () => unknown, string | RegExp][] = [
    [
      'StepLR stepSize 0',
      () => new StepLR(optimizer(), { stepSize: 0 }),
      'StepLR: invalid step size: stepSize = 0 (expected an integer >= 1)',
    ],
    [
      'StepLR missing stepSize',
      () => new StepLR(optimizer(), {} as never),
      'StepLR: invalid step size: stepSize = undefined (expected an integer >= 1)',
    ],
    ['StepLR unknown option', () => new StepLR(optimizer(), { stepSize: 2, step_size: 3 } as never), /StepLR: unknown option "step_size"/],
    [
      'MultiStepLR milestones',
      () => new MultiStepLR(optimizer(), { milestones: [3, -1] }),
      'MultiStepLR: invalid milestones: expected a list of integers >= 0, got [3, -1]',
    ],
    [
      'ExponentialLR gamma',
      () => new ExponentialLR(optimizer(), { gamma: 0 }),
      'ExponentialLR: invalid gamma: gamma = 0 (expected a finite number > 0)',
    ],
    [
      'CosineAnnealingLR tMax',
      () => new CosineAnnealingLR(optimizer(), { tMax: -5 }),
      'CosineAnnealingLR: invalid T_max: tMax = -5 (expected a finite number > 0)',
    ],
    [
      'LinearLR startFactor',
      () => new LinearLR(optimizer(), { startFactor: 0 }),
      'LinearLR: invalid start factor: startFactor = 0 (expected a number in (0, 1])',
    ],
    [
      'LinearLR endFactor',
      () => new LinearLR(optimizer(), { endFactor: 1.5 }),
      'LinearLR: invalid end factor: endFactor = 1.5 (expected a number in [0, 1])',
    ],
    [
      'OneCycleLR without steps',
      () => new OneCycleLR(optimizer(), { maxLr: 1, cycleMomentum: false }),
      'OneCycleLR: give either totalSteps, or epochs and stepsPerEpoch',
    ],
    [
      'OneCycleLR pctStart',
      () => new OneCycleLR(optimizer(), { maxLr: 1, totalSteps: 10, pctStart: 1.5 }),
      'OneCycleLR: invalid pct_start: pctStart = 1.5 (expected a number in [0, 1])',
    ],
    [
      'OneCycleLR anneal',
      () => new OneCycleLR(optimizer(), { maxLr: 1, totalSteps: 10, annealStrategy: 'exp' as never }),
      'OneCycleLR: invalid annealStrategy: "exp" (expected "cos" or "linear")',
    ],
    [
      'OneCycleLR maxLr per group',
      () => new OneCycleLR(optimizer(), { maxLr: [1, 2, 3], totalSteps: 10, cycleMomentum: false }),
      'OneCycleLR: expected 2 values for maxLr (one per parameter group), got 3',
    ],
    [
      'ReduceLROnPlateau factor',
      () => new ReduceLROnPlateau(optimizer(), { factor: 1 }),
      'ReduceLROnPlateau: invalid factor: factor = 1 (expected a number in [0, 1))',
    ],
    [
      'ReduceLROnPlateau mode',
      () => new ReduceLROnPlateau(optimizer(), { mode: 'up' as never }),
      'ReduceLROnPlateau: invalid mode: "up" (expected "min" or "max")',
    ],
    [
      'ReduceLROnPlateau minLr',
      () => new ReduceLROnPlateau(optimizer(), { minLr: [0.1] }),
      'ReduceLROnPlateau: expected 2 values of minLr (one per parameter group), got 1',
    ],
    [
      'ReduceLROnPlateau metric',
      () => {
        new ReduceLROnPlateau(optimizer()).step('0.5' as never);
      },
      'ReduceLROnPlateau.step: the metric must be a number (read a tensor first: await loss.item()), got string',
    ],
    [
      'SequentialLR milestones',
      () => {
        const o = optimizer();
        return new SequentialLR(o, { schedulers: [new StepLR(o, { stepSize: 2 }), new StepLR(o, { stepSize: 3 })], milestones: [] });
      },
      'SequentialLR: expected 1 milestones (one fewer than schedulers), got []',
    ],
    [
      'SequentialLR foreign optimizer',
      () => {
        const o = optimizer();
        return new SequentialLR(o, { schedulers: [new StepLR(optimizer(), { stepSize: 2 })], milestones: [] });
      },
      'SequentialLR: schedulers[0] belongs to another optimizer; every schedule must drive the optimizer given to SequentialLR',
    ],
    [
      'no parameter groups',
      () => new StepLR({ paramGroups: [] }, { stepSize: 1 }),
      'StepLR: expected an optimizer (an object with a non-empty paramGroups array)',
    ],
  ];
  for (const [label, make, message] of cases) {
    it(label, () => {
      expect(make).toThrow(message);
      try {
        make();
      } catch (error) {
        expect((error as Error).name).toBe('GatedError');
      }
    });
  }

  it('loadStateDict refuses unknown and missing keys and wrong kinds', () => {
    const schedule = new StepLR(optimizer(), { stepSize: 3 });
    const dict = schedule.stateDict();
    expect(() => {
      schedule.loadStateDict({ ...dict, step_size: 3 });
    }).toThrow('StepLR.loadStateDict: unknown key "step_size" (expected lastEpoch, stepCount, baseLrs, lastLr, stepSize, gamma)');
    const { gamma: _gamma, ...withoutGamma } = dict;
    expect(() => {
      schedule.loadStateDict(withoutGamma);
    }).toThrow('StepLR.loadStateDict: the state dict lacks "gamma"');
    expect(() => {
      schedule.loadStateDict({ ...dict, baseLrs: [0.1] });
    }).toThrow('StepLR.loadStateDict: "baseLrs" must be a list of 2 numbers (one per parameter group), got [0.1]');
    expect(() => {
      schedule.loadStateDict({ ...dict, stepSize: '3' });
    }).toThrow('StepLR.loadStateDict: "stepSize" must be a value of kind integer, got "3"');
  });
});

import { describe, expect, it } from 'vitest';
import { Harness, expectClose, randomValues, seeded } from './helpers.js';

interface Flags {
  decoupledWeightDecay: boolean;
  amsgrad: boolean;
  maximize: boolean;
  weightDecay: number;
}

const FLAG_SETS: Flags[] = [];
for (const decoupledWeightDecay of [false, true]) {
  for (const amsgrad of [false, true]) {
    for (const maximize of [false, true]) {
      for (const weightDecay of [0, 0.1]) FLAG_SETS.push({ decoupledWeightDecay, amsgrad, maximize, weightDecay });
    }
  }
}

const HYPER = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

describe('adamStep', () => {
  it.each(FLAG_SETS)('matches the float64 formula over several steps (%o)', (flags) => {
    const h = new Harness();
    const next = seeded(17);
    const size = 20;
    const p = randomValues(next, size);
    const m = new Array<number>(size).fill(0);
    const v = new Array<number>(size).fill(0);
    const vMax = new Array<number>(size).fill(0);
    const param = h.tensor(p, [4, 5]);
    const mT = h.tensor(m, [4, 5]);
    const vT = h.tensor(v, [4, 5]);
    const vMaxT = flags.amsgrad ? h.tensor(vMax, [4, 5]) : null;
    for (let step = 1; step <= 4; step++) {
      // A gradient that shrinks on the last step, so that AMSGrad's maximum matters.
      const grad = randomValues(next, size, step === 4 ? 0.01 : 1);
      h.backend.adamStep({
        param,
        grad: h.tensor(grad, [4, 5]),
        m: mT,
        v: vT,
        vMax: vMaxT,
        step,
        ...HYPER,
        weightDecay: flags.weightDecay,
        decoupledWeightDecay: flags.decoupledWeightDecay,
        maximize: flags.maximize,
      });
      const { lr, beta1, beta2, eps } = HYPER;
      for (let i = 0; i < size; i++) {
        let g = flags.maximize ? -grad[i]! : grad[i]!;
        if (flags.decoupledWeightDecay) p[i] = p[i]! * (1 - lr * flags.weightDecay);
        else g += flags.weightDecay * p[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * g;
        v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
        vMax[i] = Math.max(vMax[i]!, v[i]!);
        const second = flags.amsgrad ? vMax[i]! : v[i]!;
        const denom = Math.sqrt(second) / Math.sqrt(1 - beta2 ** step) + eps;
        p[i] = p[i]! - (lr / (1 - beta1 ** step)) * (m[i]! / denom);
      }
      expectClose(h.read(param.data), p, 1e-7, 1e-5);
      expectClose(h.read(mT.data), m, 1e-7, 1e-5);
      expectClose(h.read(vT.data), v, 1e-9, 1e-5);
      if (vMaxT) expectClose(h.read(vMaxT.data), vMax, 1e-9, 1e-5);
    }
    h.finish();
  });

  it('skips weight decay at 0 even for an infinite parameter', () => {
    const h = new Harness();
    const param = h.tensor([Infinity], [1]);
    const m = h.tensor([0], [1]);
    const v = h.tensor([0], [1]);
    h.backend.adamStep({
      param,
      grad: h.tensor([1], [1]),
      m,
      v,
      vMax: null,
      step: 1,
      ...HYPER,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
    });
    expect(h.read(m.data)).toEqual([Math.fround(0.1)]);
    h.finish();
  });
});

/** `adamStep`: the composite against PyTorch, the fused kernel against the composite, and bad input. */
import { adamStep, dispose, isGradEnabled, mul, reshape, sum, tensor, tidy, transpose, zerosLike, type Tensor } from '@gated/tensor';
import { adamStepComposite } from '@gated/tensor/internal';
import { expect } from 'vitest';
import type { SuiteContext } from '../../harness/context.js';
import { expectGatedError } from '../../harness/errors.js';
import {
  boundOf,
  expectClose,
  optimizerFixture,
  fixtureTensor,
  type Name,
  NAMES,
  type OptimizerCase,
  relativeError,
  fixtureSteps,
} from './cases.js';

export function adamStepSuite(suite: SuiteContext): void {
  const bound = boundOf(suite);
  suite.describe('adamStep', (adam) => {
    const adamCases = optimizerFixture().cases.filter((c) => c.optimizer === 'Adam' || c.optimizer === 'AdamW');

    /** Runs a case's eight steps with `step` (the composite or the fused op) on fresh tensors. */
    const runWith = (testCase: OptimizerCase, step: typeof adamStep): { params: Record<Name, Tensor>; state: Tensor[] } => {
      const params = { p0: fixtureTensor(optimizerFixture().initial.p0), p1: fixtureTensor(optimizerFixture().initial.p1) };
      const state: Tensor[] = [];
      const slots = testCase.resolved_param_groups.flatMap((group) =>
        group.params.map((name) => {
          const slot = {
            name,
            group,
            m: zerosLike(params[name]),
            v: zerosLike(params[name]),
            vMax: group.amsgrad ? zerosLike(params[name]) : null,
          };
          state.push(slot.m, slot.v, ...(slot.vMax ? [slot.vMax] : []));
          return slot;
        }),
      );
      for (let k = 0; k < fixtureSteps(); k++) {
        for (const { name, group, m, v, vMax } of slots) {
          const grad = fixtureTensor(optimizerFixture().grads[k]![name]);
          const [beta1, beta2] = group.betas as [number, number];
          step(
            { param: params[name], grad, m, v, vMax },
            {
              step: k + 1,
              lr: group.lr as number,
              beta1,
              beta2,
              eps: group.eps as number,
              weightDecay: group.weight_decay as number,
              decoupledWeightDecay: testCase.optimizer === 'AdamW',
              maximize: group.maximize as boolean,
            },
          );
          grad.dispose();
        }
      }
      return { params, state };
    };

    for (const testCase of adamCases) {
      adam.it(`composite: ${testCase.name}`, async () => {
        const { params, state } = runWith(testCase, adamStepComposite);
        try {
          for (const name of NAMES) await expectClose(params[name], testCase.trajectory[fixtureSteps() - 1]![name], bound, name);
        } finally {
          dispose([params, state]);
        }
      });
    }

    adam.describe('fused', (fusedSuite) => {
      for (const testCase of adamCases) {
        // Runtime skip: whether the fused kernel exists is known only once the backend is created.
        fusedSuite.it(`agrees with the composite and PyTorch: ${testCase.name}`, async (_rng, test) => {
          if (fusedSuite.backend.caps.fused.adamStep !== true) {
            const reason = `backend "${fusedSuite.backendName}" offers no fused adamStep (caps.fused.adamStep is not true)`;
            test.skip(reason);
          }
          const fused = runWith(testCase, adamStep);
          const composite = runWith(testCase, adamStepComposite);
          try {
            for (const name of NAMES) {
              await expectClose(fused.params[name], testCase.trajectory[fixtureSteps() - 1]![name], bound, `fused ${name} vs PyTorch`);
              const reference = Array.from(await composite.params[name].data());
              const error = relativeError(await fused.params[name].data(), reference);
              expect(error, `fused vs composite ${name}`).toBeLessThanOrEqual(bound);
            }
          } finally {
            dispose([fused, composite]);
          }
        });
      }
    });

    adam.it('a view taken before the step keeps the old values (copy-on-write)', async () => {
      const param = tensor([1, -2, 3, -4, 5, -6], { shape: [2, 3] });
      const grad = tensor([0.5, 0.5, -1, 2, 0, 1], { shape: [2, 3] });
      const m = zerosLike(param);
      const v = zerosLike(param);
      const mView = reshape(m, [6]);
      const before = reshape(param, [6]);
      const versions = [param.version, m.version, v.version];
      try {
        adamStep({ param, grad, m, v }, { step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
        expect(Array.from(await before.data()), 'the view of the parameter').toEqual([1, -2, 3, -4, 5, -6]);
        expect(Array.from(await mView.data()), 'the view of m').toEqual([0, 0, 0, 0, 0, 0]);
        // The first Adam step moves each entry by lr·g/(|g| + eps) ≈ lr·sign(g).
        await expectClose(param, [0.9, -2.1, 3.1, -4.1, 5, -6.1], bound, 'the parameter');
        expect(
          [param.version, m.version, v.version].every((version, i) => version > versions[i]!),
          'versions bumped',
        ).toBe(true);
      } finally {
        dispose([param, grad, m, v, mView, before]);
      }
    });

    adam.it('updates a strided parameter without touching the tensor it views', async () => {
      const base = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const param = transpose(base);
      const copy = tensor([
        [1, 4],
        [2, 5],
        [3, 6],
      ]);
      const grad = tensor([
        [1, -1],
        [2, -2],
        [3, -3],
      ]);
      const state = [zerosLike(copy), zerosLike(copy), zerosLike(copy), zerosLike(copy)];
      const options = { step: 1, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
      try {
        adamStep({ param, grad, m: state[0]!, v: state[1]! }, options);
        adamStepComposite({ param: copy, grad, m: state[2]!, v: state[3]! }, options);
        const reference = Array.from(await copy.data());
        expect(relativeError(await param.data(), reference), 'strided parameter vs contiguous composite').toBeLessThanOrEqual(bound);
        expect(Array.from(await base.data()), 'the base tensor').toEqual([1, 2, 3, 4, 5, 6]);
      } finally {
        dispose([base, param, copy, grad, state]);
      }
    });

    adam.it('values autograd saved before the step are not changed by it', async () => {
      const w = tensor([1, 2, 3], { requiresGrad: true });
      const m = zerosLike(w);
      const v = zerosLike(w);
      const loss = tidy(() => sum(mul(w, w)));
      const update = tensor([1, 1, 1]);
      try {
        adamStep({ param: w, grad: update, m, v }, { step: 1, lr: 0.5, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
        expect(isGradEnabled(), 'gradient recording is restored').toBe(true);
        loss.backward();
        expect(Array.from(await w.grad!.data()), 'd(w·w)/dw from the saved w').toEqual([2, 4, 6]);
      } finally {
        w.grad?.dispose();
        dispose([w, m, v, loss, update]);
      }
    });

    adam.it('refuses mismatched tensors', () => {
      const p = tensor([1, 2, 3]);
      const other = tensor([1, 2]);
      const [g, m, v] = [tensor([1, 1, 1]), tensor([0, 0, 0]), tensor([0, 0, 0])];
      const integers = tensor([0, 0, 0], { dtype: 'int32' });
      try {
        const options = { step: 1, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
        expectGatedError(
          () => {
            adamStep({ param: p, grad: other, m: p, v: p }, options);
          },
          'adamStep',
          "grad must have shape [3] (param's), got [2]",
        );
        expectGatedError(
          () => {
            adamStepComposite({ param: p, grad: p, m: p, v: p }, options);
          },
          'adamStep',
          'param and grad are the same tensor; each needs its own',
        );
        expectGatedError(
          () => {
            adamStep({ param: p, grad: g, m, v }, { ...options, step: 0 });
          },
          'adamStep',
          'step must be an integer >= 1 (the count after incrementing), got 0',
        );
        expectGatedError(
          () => {
            adamStep({ param: p, grad: g, m, v: integers }, options);
          },
          'adamStep',
          'v must be float32, got int32',
        );
      } finally {
        dispose([p, other, g, m, v, integers]);
      }
    });
  });
}

/**
 * One Adam / AdamW update of a parameter and its moment estimates, with PyTorch 1.13's semantics
 * (`torch.optim.Adam` / `AdamW`, single-tensor implementation). The backend's fused `adamStep`
 * kernel runs it when `caps.fused.adamStep` says so; otherwise {@link adamStepComposite} builds it
 * from public ops. Either way `param`, `m`, `v` and `vMax` are updated with `assign` semantics:
 * each keeps its identity, gets the new values, and has its `version` bumped; views taken earlier
 * (for example the values autograd saved) keep the old values. Nothing is recorded by autodiff.
 */
import { describeValue, GatedError, type AdamStepHyper, type AdamStepTensors as KernelTensors } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, div, maximum, mul, sub } from './binary.js';
import { checkFused } from './fused.js';
import { neg, sqrt } from './unary.js';

/**
 * The tensors one Adam step reads and updates (`param`, `grad`, `m`, `v`, and AMSGrad's `vMax`,
 * which may be omitted), as the kernel's: all float32 with `param`'s shape, on one backend.
 */
export type AdamStepTensors = Omit<KernelTensors<Tensor>, 'vMax'> & { readonly vMax?: Tensor | null };

/** Hyper-parameters of one Adam step. */
export interface AdamStepOptions {
  /** The step number after incrementing: 1 on the first update (used for bias correction). */
  readonly step: number;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** L2 penalty (Adam: added to the gradient; AdamW: decays the weights). Default 0. */
  readonly weightDecay?: number;
  /** AdamW: decay the weights directly (`p ← p·(1 − lr·wd)`) instead of adding `wd·p` to the gradient. */
  readonly decoupledWeightDecay?: boolean;
  /** Ascend instead of descend (the gradient is negated first). */
  readonly maximize?: boolean;
  /**
   * Use the backend's fused kernel when it offers one (the default). `false` always runs
   * {@link adamStepComposite}: for debugging, and for checking a kernel against the composite.
   */
  readonly fused?: boolean;
}

type Resolved = KernelTensors<Tensor> & AdamStepHyper;

/**
 * One Adam / AdamW update (PyTorch's `_single_tensor_adam` / `_single_tensor_adamw`), in place on
 * `param`, `m`, `v` and `vMax` by `assign` semantics. Uses the backend's fused kernel when it
 * offers one (after giving each updated tensor a private buffer if it shares one: copy-on-write),
 * else {@link adamStepComposite}. `@gated/optim`'s `Adam` and `AdamW` call this.
 *
 * @example
 * ```ts
 * const m = zerosLike(w), v = zerosLike(w);
 * adamStep({ param: w, grad: w.grad!, m, v }, { step: 1, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
 * ```
 */
export function adamStep(tensors: AdamStepTensors, options: AdamStepOptions): void {
  const r = resolve(tensors, options);
  const backend = r.param.backend;
  if (options.fused === false || backend.caps.fused.adamStep !== true || !backend.adamStep) {
    compositeStep(r);
    return;
  }
  const mutated = r.vMax ? [r.param, r.m, r.v, r.vMax] : [r.param, r.m, r.v];
  const [param, m, v, vMax] = mutated.map((t) => ENGINE.exclusiveSpec(t));
  ENGINE.withSpecs([r.grad], ([grad]) => {
    backend.adamStep!({
      param: param!,
      grad: grad!,
      m: m!,
      v: v!,
      vMax: vMax ?? null,
      step: r.step,
      lr: r.lr,
      beta1: r.beta1,
      beta2: r.beta2,
      eps: r.eps,
      weightDecay: r.weightDecay,
      decoupledWeightDecay: r.decoupledWeightDecay,
      maximize: r.maximize,
    });
  });
  for (const t of mutated) t.version++;
}

/**
 * The composite form of {@link adamStep}, built from public ops in PyTorch's order of operations.
 * It is what `adamStep` runs on a backend without the fused kernel; it is exported so that the
 * conformance suite (and anyone writing a fused kernel) can check a kernel against it.
 *
 * @example
 * ```ts
 * adamStepComposite({ param: w, grad: w.grad!, m, v, vMax }, { step: 3, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
 * ```
 */
export function adamStepComposite(tensors: AdamStepTensors, options: AdamStepOptions): void {
  compositeStep(resolve(tensors, options));
}

function compositeStep(r: Resolved): void {
  const previous = ENGINE.gradEnabled;
  ENGINE.gradEnabled = false;
  try {
    ENGINE.tidy(() => {
      let grad = r.maximize ? neg(r.grad) : r.grad;
      let param = r.param;
      if (r.decoupledWeightDecay) {
        if (r.weightDecay !== 0) param = mul(param, 1 - r.lr * r.weightDecay);
      } else if (r.weightDecay !== 0) {
        grad = add(grad, mul(param, r.weightDecay));
      }
      const m = add(mul(r.m, r.beta1), mul(grad, 1 - r.beta1));
      // addcmul computes (value · g) · g
      const v = add(mul(r.v, r.beta2), mul(mul(grad, 1 - r.beta2), grad));
      const vMax = r.vMax ? maximum(r.vMax, v) : null;
      const biasCorrection1 = 1 - r.beta1 ** r.step;
      const biasCorrection2Sqrt = Math.sqrt(1 - r.beta2 ** r.step);
      const stepSize = r.lr / biasCorrection1;
      const denom = add(div(sqrt(vMax ?? v), biasCorrection2Sqrt), r.eps);
      // addcdiv computes (value · m) / denom
      const updated = sub(param, div(mul(m, stepSize), denom));
      r.param.assign(updated);
      r.m.assign(m);
      r.v.assign(v);
      if (vMax) r.vMax!.assign(vMax);
    }, 'adamStep');
  } finally {
    ENGINE.gradEnabled = previous;
  }
}

function resolve(tensors: AdamStepTensors, options: AdamStepOptions): Resolved {
  const op = 'adamStep';
  const { param, grad, m, v } = tensors;
  const vMax = tensors.vMax ?? null;
  checkFused(op, { param, grad, m, v, vMax });
  const named: [string, Tensor][] = [
    ['param', param],
    ['grad', grad],
    ['m', m],
    ['v', v],
  ];
  if (vMax) named.push(['vMax', vMax]);
  for (const [name, t] of named) {
    if (t.backend !== param.backend) {
      throw new GatedError(op, `${name} lives on backend "${t.backend.name}", param on "${param.backend.name}"`);
    }
  }
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      if (named[i]![1] === named[j]![1]) {
        throw new GatedError(op, `${named[i]![0]} and ${named[j]![0]} are the same tensor; each needs its own`);
      }
    }
  }
  const step = options.step;
  if (!Number.isSafeInteger(step) || step < 1) {
    throw new GatedError(op, `step must be an integer >= 1 (the count after incrementing), got ${step}`);
  }
  const weightDecay = options.weightDecay ?? 0;
  const numbers: [string, number][] = [
    ['lr', options.lr],
    ['beta1', options.beta1],
    ['beta2', options.beta2],
    ['eps', options.eps],
    ['weightDecay', weightDecay],
  ];
  for (const [name, value] of numbers) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new GatedError(op, `${name} must be a finite number, got ${describeValue(value)}`);
    }
  }
  return {
    param,
    grad,
    m,
    v,
    vMax,
    step,
    lr: options.lr,
    beta1: options.beta1,
    beta2: options.beta2,
    eps: options.eps,
    weightDecay,
    decoupledWeightDecay: options.decoupledWeightDecay ?? false,
    maximize: options.maximize ?? false,
  };
}

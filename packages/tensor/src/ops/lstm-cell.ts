/**
 * The fused LSTM cell: one step's pointwise gate math, at the boundary of PyTorch's
 * `_thnn_fused_lstm_cell`. The recurrent layers call it once per step after one recurrent matmul.
 * The backend's `lstmCell` / `lstmCellBackward` kernels run it when `caps.fused.lstmCell` says
 * so; otherwise {@link lstmCellComposite} / {@link lstmCellBackwardComposite} build it from
 * public ops. The composites are exported so that the conformance suite (and anyone writing a
 * kernel) can check a fused kernel against them, forward and backward.
 *
 * Gate order is PyTorch's: the 4H pre-activation axis holds i, f, g, o.
 */
import { checkOptions } from '@gated/backend-api';
import type { LstmCellBackwardInputs, LstmCellBackwardOutputs, LstmCellOutputs } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, mul, sub } from './binary.js';
import { concat } from './concat.js';
import { split } from './split.js';
import { checkFused, detachOutput, useFusedKernel, wrapFused, type FusedOptions } from './fused.js';
import { sigmoid, tanh } from './unary.js';

/**
 * What {@link lstmCell} returns: new `h` and `c` [B, H], and the activated gates
 * `[σ(i), σ(f), tanh(g), σ(o)]` [B, 4H] for inspection and for {@link lstmCellBackward}. The gates
 * are always detached (they never require a gradient): gradients reach them through `h` and `c`.
 * To differentiate through the activations themselves, compute them with public ops (or call
 * {@link lstmCellComposite}, whose ops are recorded one by one).
 */
export type LstmCellResult = LstmCellOutputs<Tensor>;

/** Inputs of {@link lstmCellBackward}, named as in the Backend contract. */
export type LstmCellBackwardArgs = LstmCellBackwardInputs<Tensor>;

/** What {@link lstmCellBackward} returns: `dGates` [B, 4H] and `dc` [B, H]. */
export type LstmCellBackwardResult = LstmCellBackwardOutputs<Tensor>;

/**
 * One LSTM step's pointwise math on the pre-activation gates (PyTorch's gate order i, f, g, o):
 *
 * ```
 * [i, f, g, o] = split4(inputGates + hiddenGates)
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 * h' = σ(o) ⊙ tanh(c')
 * ```
 *
 * `inputGates` is `x · W_ihᵀ + b_ih + b_hh` and `hiddenGates` is `h · W_hhᵀ`, both [B, 4H]; `c` is
 * [B, H]. Recorded as one op whose gradient calls {@link lstmCellBackward}; `gates` is returned
 * detached (see {@link LstmCellResult.gates}).
 *
 * @example
 * ```ts
 * const { h, c } = lstmCell(add(matmul(x, wIh, { transposeB: true }), bias), matmul(h0, wHh, { transposeB: true }), c0);
 * ```
 */
export function lstmCell(inputGates: Tensor, hiddenGates: Tensor, c: Tensor, options: FusedOptions = {}): LstmCellResult {
  checkOptions('lstmCell', options);
  const bound = checkFused('lstmCell', { inputGates, hiddenGates, c });
  const fused = options.fused ?? true;
  const out = ENGINE.runOp('lstmCell', [inputGates, hiddenGates, c], { fused }, () => {
    const backend = inputGates.backend;
    if (!useFusedKernel(backend, options, 'lstmCell')) return compositeCell(inputGates, hiddenGates, c);
    return ENGINE.withSpecs([inputGates, hiddenGates, c], ([ig, hg, cs]) =>
      wrapFused('lstmCell', backend, backend.lstmCell!({ inputGates: ig!, hiddenGates: hg!, c: cs! }), bound),
    );
  });
  return { h: out.h, c: out.c, gates: detachOutput(out.gates) };
}

function compositeCell(inputGates: Tensor, hiddenGates: Tensor, c: Tensor): LstmCellResult {
  const [pi, pf, pg, po] = split(add(inputGates, hiddenGates), 4, 1);
  const i = sigmoid(pi!);
  const f = sigmoid(pf!);
  const g = tanh(pg!);
  const o = sigmoid(po!);
  const cNew = add(mul(f, c), mul(i, g));
  const h = mul(o, tanh(cNew));
  return { h, c: cNew, gates: concat([i, f, g, o], 1) };
}

/**
 * The composite form of {@link lstmCell}, built from public ops (add, split, sigmoid, tanh, mul,
 * concat). It is what `lstmCell` runs on a backend without the fused kernel. Called directly,
 * each of its ops is recorded separately, so autograd differentiates it by composition: the
 * reference the fused op's gradient rule is checked against.
 */
export function lstmCellComposite(inputGates: Tensor, hiddenGates: Tensor, c: Tensor): LstmCellResult {
  checkFused('lstmCell', { inputGates, hiddenGates, c });
  return ENGINE.tidy(() => compositeCell(inputGates, hiddenGates, c));
}

/**
 * Backward of {@link lstmCell}: from the gradients of `h'` and `c'`, the previous and new cell
 * states and the activated gates, the gradient of the pre-activation gates and of the previous
 * cell state:
 *
 * ```
 * dc_total = dc + dh ⊙ σ(o) ⊙ (1 − tanh²(c'))
 * d_i = dc_total ⊙ tanh(g) ⊙ σ(i)(1 − σ(i))      d_f = dc_total ⊙ c ⊙ σ(f)(1 − σ(f))
 * d_g = dc_total ⊙ σ(i) ⊙ (1 − tanh²(g))         d_o = dh ⊙ tanh(c') ⊙ σ(o)(1 − σ(o))
 * dGates = [d_i, d_f, d_g, d_o]                   dc_prev = dc_total ⊙ σ(f)
 * ```
 *
 * Autograd calls it from `lstmCell`'s gradient rule. It has no gradient of its own: a
 * second-order gradient through it throws a `GatedError` rather than being silently wrong.
 */
export function lstmCellBackward(args: LstmCellBackwardArgs, options: FusedOptions = {}): LstmCellBackwardResult {
  checkOptions('lstmCellBackward', options);
  const bound = checkFused('lstmCellBackward', args);
  const { dh, dc, c, cNew, gates } = args;
  const fused = options.fused ?? true;
  return ENGINE.runOp('lstmCellBackward', [dh, dc, c, cNew, gates], { fused }, () => {
    const backend = c.backend;
    if (!useFusedKernel(backend, options, 'lstmCell')) return compositeCellBackward(args);
    return ENGINE.withSpecs([dh, dc, c, cNew, gates], ([sdh, sdc, sc, scNew, sgates]) =>
      wrapFused(
        'lstmCellBackward',
        backend,
        backend.lstmCellBackward!({ dh: sdh!, dc: sdc!, c: sc!, cNew: scNew!, gates: sgates! }),
        bound,
      ),
    );
  });
}

function compositeCellBackward({ dh, dc, c, cNew, gates }: LstmCellBackwardArgs): LstmCellBackwardResult {
  const [i, f, g, o] = split(gates, 4, 1);
  const tc = tanh(cNew);
  const sigmoidSlope = (s: Tensor) => mul(s, sub(1, s));
  const dcTotal = add(dc, mul(mul(dh, o!), sub(1, mul(tc, tc))));
  const di = mul(mul(dcTotal, g!), sigmoidSlope(i!));
  const df = mul(mul(dcTotal, c), sigmoidSlope(f!));
  const dg = mul(mul(dcTotal, i!), sub(1, mul(g!, g!)));
  const dout = mul(mul(dh, tc), sigmoidSlope(o!));
  return { dGates: concat([di, df, dg, dout], 1), dc: mul(dcTotal, f!) };
}

/**
 * The composite form of {@link lstmCellBackward}, built from public ops: what runs on a backend
 * without the fused kernel, exported to check fused kernels against.
 */
export function lstmCellBackwardComposite(args: LstmCellBackwardArgs): LstmCellBackwardResult {
  checkFused('lstmCellBackward', args);
  return ENGINE.tidy(() => compositeCellBackward(args));
}

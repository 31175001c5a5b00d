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
import { GatedError, formatShape, shapesEqual } from '@gated/backend-api';
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { add, mul, sub } from './binary.js';
import { concat, split } from './concat.js';
import { sigmoid, tanh } from './unary.js';

/** Options of the fused LSTM ops. */
export interface FusedOptions {
  /**
   * Use the backend's fused kernel when it offers one (the default). `false` always runs the
   * composite of public ops: for debugging, and for checking a kernel against the composite.
   */
  readonly fused?: boolean;
}

/** What {@link lstmCell} returns. A type alias, so that it is a record of tensors. */
export type LstmCellResult = {
  /** New hidden state `σ(o) ⊙ tanh(c')`, [B, H]. */
  readonly h: Tensor;
  /** New cell state `σ(f) ⊙ c + σ(i) ⊙ tanh(g)`, [B, H]. */
  readonly c: Tensor;
  /**
   * Activated gates `[σ(i), σ(f), tanh(g), σ(o)]`, [B, 4H]: for inspection and for
   * {@link lstmCellBackward}. Always detached (it never requires a gradient): gradients reach the
   * gates through `h` and `c`. To differentiate through the activations themselves, compute them
   * with public ops (or call {@link lstmCellComposite}, whose ops are recorded one by one).
   */
  readonly gates: Tensor;
};

/** Inputs of {@link lstmCellBackward}, named as in the Backend contract. */
export interface LstmCellBackwardArgs {
  /** Gradient with respect to the new hidden state, [B, H]. */
  readonly dh: Tensor;
  /** Gradient with respect to the new cell state, [B, H]. */
  readonly dc: Tensor;
  /** The previous cell state (the forward call's `c` input), [B, H]. */
  readonly c: Tensor;
  /** The new cell state (the forward call's `c` output), [B, H]. */
  readonly cNew: Tensor;
  /** The activated gates the forward call returned, [B, 4H]. */
  readonly gates: Tensor;
}

/** What {@link lstmCellBackward} returns. A type alias, so that it is a record of tensors. */
export type LstmCellBackwardResult = {
  /** Gradient with respect to the pre-activation gates (each of the two summed inputs), [B, 4H]. */
  readonly dGates: Tensor;
  /** Gradient with respect to the previous cell state, [B, H]. */
  readonly dc: Tensor;
};

function assertFloat32(op: string, name: string, t: Tensor): void {
  t.assertLive(op);
  if (t.dtype !== 'float32') throw new GatedError(op, `${name} must be float32, got ${t.dtype}`);
}

/** Checks that `t` has `shape`, naming everything a user needs to see what was wrong. */
function assertShape(op: string, name: string, t: Tensor, shape: readonly number[], context: string): void {
  if (!shapesEqual(t.shape, shape)) {
    throw new GatedError(op, `${name} must have shape ${formatShape(shape)} (${context}), got ${formatShape(t.shape)}`);
  }
}

/** [B, H] of a cell-state tensor, or a clear error. */
function stateDims(op: string, name: string, t: Tensor): [number, number] {
  if (t.rank !== 2) throw new GatedError(op, `${name} must be a [B, H] matrix, got shape ${formatShape(t.shape)}`);
  return [t.shape[0]!, t.shape[1]!];
}

/**
 * Replaces a recorded output by a detached view of the same values (freeing the recorded tensor,
 * so autograd's node no longer counts it), so that no gradient can be routed through it.
 * @internal
 */
export function detachOutput(t: Tensor): Tensor {
  if (!t.requiresGrad) return t;
  const view = t.detach();
  t.dispose();
  return view;
}

function useFused(backend: Tensor['backend'], options: FusedOptions, kernel: 'lstmCell' | 'lstmSequence'): boolean {
  return (options.fused ?? true) && backend.caps.fused[kernel] === true;
}

/** @internal Whether the fused cell kernel will run for tensors on `backend`. */
export function fusedCellAvailable(backend: Tensor['backend'], options: FusedOptions): boolean {
  return useFused(backend, options, 'lstmCell') && backend.lstmCell !== undefined && backend.lstmCellBackward !== undefined;
}

/** @internal Whether the fused sequence kernel will run for tensors on `backend`. */
export function fusedSequenceAvailable(backend: Tensor['backend'], options: FusedOptions): boolean {
  return useFused(backend, options, 'lstmSequence') && backend.lstmSequence !== undefined && backend.lstmSequenceBackward !== undefined;
}

function validateCell(inputGates: Tensor, hiddenGates: Tensor, c: Tensor): [number, number] {
  const op = 'lstmCell';
  assertFloat32(op, 'inputGates', inputGates);
  assertFloat32(op, 'hiddenGates', hiddenGates);
  assertFloat32(op, 'c', c);
  const [batch, hidden] = stateDims(op, 'c', c);
  const context = `[B, 4H] for c of shape ${formatShape(c.shape)}`;
  assertShape(op, 'inputGates', inputGates, [batch, 4 * hidden], context);
  assertShape(op, 'hiddenGates', hiddenGates, [batch, 4 * hidden], context);
  return [batch, hidden];
}

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
  const [batch, hidden] = validateCell(inputGates, hiddenGates, c);
  const fused = options.fused ?? true;
  const out = ENGINE.runOp('lstmCell', [inputGates, hiddenGates, c], { fused }, () => {
    const backend = inputGates.backend;
    if (!fusedCellAvailable(backend, options)) return compositeCell(inputGates, hiddenGates, c);
    return ENGINE.withSpecs([inputGates, hiddenGates, c], ([ig, hg, cs]) => {
      const handles = backend.lstmCell!({ inputGates: ig!, hiddenGates: hg!, c: cs! });
      return {
        h: ENGINE.wrap(backend, handles.h, [batch, hidden], 'float32'),
        c: ENGINE.wrap(backend, handles.c, [batch, hidden], 'float32'),
        gates: ENGINE.wrap(backend, handles.gates, [batch, 4 * hidden], 'float32'),
      };
    });
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
  validateCell(inputGates, hiddenGates, c);
  return ENGINE.tidy(() => compositeCell(inputGates, hiddenGates, c));
}

function validateCellBackward(args: LstmCellBackwardArgs): [number, number] {
  const op = 'lstmCellBackward';
  for (const name of ['dh', 'dc', 'c', 'cNew', 'gates'] as const) assertFloat32(op, name, args[name]);
  const [batch, hidden] = stateDims(op, 'c', args.c);
  const context = `for c of shape ${formatShape(args.c.shape)}`;
  assertShape(op, 'dh', args.dh, [batch, hidden], `[B, H] ${context}`);
  assertShape(op, 'dc', args.dc, [batch, hidden], `[B, H] ${context}`);
  assertShape(op, 'cNew', args.cNew, [batch, hidden], `[B, H] ${context}`);
  assertShape(op, 'gates', args.gates, [batch, 4 * hidden], `[B, 4H] ${context}`);
  return [batch, hidden];
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
  const [batch, hidden] = validateCellBackward(args);
  const { dh, dc, c, cNew, gates } = args;
  const fused = options.fused ?? true;
  return ENGINE.runOp('lstmCellBackward', [dh, dc, c, cNew, gates], { fused }, () => {
    const backend = c.backend;
    if (!fusedCellAvailable(backend, options)) return compositeCellBackward(args);
    return ENGINE.withSpecs([dh, dc, c, cNew, gates], ([sdh, sdc, sc, scNew, sgates]) => {
      const handles = backend.lstmCellBackward!({ dh: sdh!, dc: sdc!, c: sc!, cNew: scNew!, gates: sgates! });
      return {
        dGates: ENGINE.wrap(backend, handles.dGates, [batch, 4 * hidden], 'float32'),
        dc: ENGINE.wrap(backend, handles.dc, [batch, hidden], 'float32'),
      };
    });
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
  validateCellBackward(args);
  return ENGINE.tidy(() => compositeCellBackward(args));
}

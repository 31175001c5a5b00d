/**
 * The optional fused kernels, declared once for every layer that handles them (the recurrent
 * sequence kernels' types are in `fused-sequence.ts`). Each kernel has
 * its argument and result types, generic over what carries a tensor (`TensorSpec` in, `DataHandle`
 * out on a backend; `Tensor` in `@gated/tensor`), and a signature: the symbolic shape and dtype
 * of every tensor operand. One checker reads the signatures, so the backend layer
 * (`checkedBackend`) and the tensor ops validate the same rules with the same messages, and the
 * tensor ops read their outputs' shapes from the same table.
 *
 * Adding a fused kernel (docs/adding-an-op.md): its types and signature here, the optional method
 * in `Backend` and `FusedCaps`, its check in `checked-kernels.ts`, then the op with its composite in
 * `@gated/tensor` and its gradient rule in `@gated/autograd`.
 */
import type { DataHandle, TensorSpec } from './backend.js';
import type { DType } from './dtype.js';
import { GatedError, formatShape } from './errors.js';
import type {
  GruSequenceBackwardInputs,
  GruSequenceBackwardOutputs,
  GruSequenceInputs,
  GruSequenceOutputs,
  LstmSequenceBackwardInputs,
  LstmSequenceBackwardOutputs,
  LstmSequenceInputs,
  LstmSequenceOutputs,
} from './fused-sequence.js';
import type { Shape } from './shape.js';

// ---- types -----------------------------------------------------------------------------------

/** Inputs of the fused LSTM cell: pre-activation gates in PyTorch's order i, f, g, o. */
export type LstmCellInputs<T = TensorSpec> = {
  /** `x · W_ihᵀ (+ b_ih + b_hh)`, shape [B, 4H]. */
  readonly inputGates: T;
  /** `h · W_hhᵀ`, shape [B, 4H]. */
  readonly hiddenGates: T;
  /** Previous cell state, [B, H]. */
  readonly c: T;
};

/** Outputs of the fused LSTM cell; the caller owns all three. */
export type LstmCellOutputs<T = DataHandle> = {
  /** New hidden state `o ⊙ tanh(c')`, [B, H]. */
  readonly h: T;
  /** New cell state `f ⊙ c + i ⊙ g`, [B, H]. */
  readonly c: T;
  /** Activated gates `[σ(i), σ(f), tanh(g), σ(o)]`, [B, 4H]: what backward needs. */
  readonly gates: T;
};

export type LstmCellBackwardInputs<T = TensorSpec> = {
  /** Gradient of the loss with respect to the new hidden state, [B, H]. */
  readonly dh: T;
  /** Gradient with respect to the new cell state, [B, H]. */
  readonly dc: T;
  /** Previous cell state (the forward call's `c` input), [B, H]. */
  readonly c: T;
  /** New cell state (the forward call's `c` output), [B, H]. */
  readonly cNew: T;
  /** Activated gates from the forward call, [B, 4H]. */
  readonly gates: T;
};

export type LstmCellBackwardOutputs<T = DataHandle> = {
  /** Gradient with respect to the pre-activation gates (both inputs of the sum), [B, 4H]. */
  readonly dGates: T;
  /** Gradient with respect to the previous cell state, [B, H]. */
  readonly dc: T;
};

/** The tensors of one Adam / AdamW update; `param`, `m`, `v` and `vMax` are updated in place. */
export type AdamStepTensors<T = TensorSpec> = {
  /** The parameter; updated. */
  readonly param: T;
  /** Its gradient; only read. */
  readonly grad: T;
  /** First and second moment estimates (PyTorch's `exp_avg`, `exp_avg_sq`); updated. */
  readonly m: T;
  readonly v: T;
  /** AMSGrad's running maximum of `v` (`max_exp_avg_sq`), updated; null without AMSGrad. */
  readonly vMax: T | null;
};

/** Hyper-parameters of one Adam step, PyTorch semantics (`torch.optim.Adam`, `AdamW`). */
export type AdamStepHyper = {
  /** The step number after incrementing: 1 on the first update (used for bias correction). */
  readonly step: number;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: decay the weights directly (`p -= lr·wd·p`) instead of adding `wd·p` to the gradient. */
  readonly decoupledWeightDecay: boolean;
  readonly maximize: boolean;
};

/** One Adam / AdamW update as the backend kernel receives it. */
export type AdamStepInputs<T = TensorSpec> = AdamStepTensors<T> & AdamStepHyper;

// ---- signatures ------------------------------------------------------------------------------

/**
 * One tensor operand of a fused kernel. `shape` names each axis: a dimension (`B`), a dimension
 * times a factor (`4H`), or, as the only entry, `...name` for a whole shape of any rank shared by
 * every operand that names it. The first operand that names a dimension binds it, so list the
 * operands that fix the dimensions first.
 */
export interface OperandSignature {
  readonly shape: readonly string[];
  /** float32 when omitted. */
  readonly dtype?: DType;
  /** The operand may be null (for example `lengths`). */
  readonly optional?: boolean;
  /**
   * For an optional operand: what its absence binds. `{ equal: ['P', 'H'] }` (an LSTM without
   * `weightHr`): the two dimensions are one, so the operands that bind them must agree.
   */
  readonly whenAbsent?: { readonly equal: readonly [string, string] };
}

/** The tensor operands of a fused kernel, in checking order, and its outputs. */
export interface FusedSignature<I extends string, O extends string> {
  readonly inputs: { readonly [K in I]: OperandSignature };
  readonly outputs: { readonly [K in O]: OperandSignature };
}

const STATE = { shape: ['B', 'H'] } as const;
const GATES = { shape: ['B', '4H'] } as const;
const STEPS = { shape: ['T', 'B', 'H'] } as const;
const STEP_GATES = { shape: ['T', 'B', '4H'] } as const;
/** P: the width of an LSTM's hidden state and output (the projection's size; H without one). */
const PROJECTED = { shape: ['B', 'P'] } as const;
const PROJECTED_STEPS = { shape: ['T', 'B', 'P'] } as const;
const LSTM_SEQUENCE_INPUTS = {
  h0: PROJECTED,
  inputGates: STEP_GATES,
  weightHh: { shape: ['4H', 'P'] },
  c0: STATE,
  weightHr: { shape: ['P', 'H'], optional: true, whenAbsent: { equal: ['P', 'H'] } },
  lengths: { shape: ['B'], dtype: 'int32', optional: true },
} as const;
const GRU_GATES = { shape: ['T', 'B', '3H'] } as const;
const GRU_SEQUENCE_INPUTS = {
  h0: STATE,
  inputGates: GRU_GATES,
  weightHh: { shape: ['3H', 'H'] },
  biasHn: { shape: ['H'], optional: true },
  lengths: { shape: ['B'], dtype: 'int32', optional: true },
} as const;
const PARAM = { shape: ['...param'] } as const;

/** Keys of a kernel's arguments that are not tensors (flags), left out of its signature. */
type Flags = 'reverse' | 'inference' | 'forward';

/** The signature of every fused kernel of the contract. */
export const FUSED_SIGNATURES = {
  lstmCell: {
    inputs: { c: STATE, inputGates: GATES, hiddenGates: GATES },
    outputs: { h: STATE, c: STATE, gates: GATES },
  } satisfies FusedSignature<keyof LstmCellInputs, keyof LstmCellOutputs>,
  lstmCellBackward: {
    inputs: { c: STATE, dh: STATE, dc: STATE, cNew: STATE, gates: GATES },
    outputs: { dGates: GATES, dc: STATE },
  } satisfies FusedSignature<keyof LstmCellBackwardInputs, keyof LstmCellBackwardOutputs>,
  lstmSequence: {
    inputs: LSTM_SEQUENCE_INPUTS,
    outputs: { output: PROJECTED_STEPS, h: PROJECTED, c: STATE, gates: STEP_GATES, cells: STEPS },
  } satisfies FusedSignature<Exclude<keyof LstmSequenceInputs, Flags>, keyof LstmSequenceOutputs>,
  lstmSequenceBackward: {
    inputs: {
      ...LSTM_SEQUENCE_INPUTS,
      output: PROJECTED_STEPS,
      gates: STEP_GATES,
      cells: STEPS,
      dOutput: PROJECTED_STEPS,
      dh: PROJECTED,
      dc: STATE,
    },
    outputs: { dInputGates: STEP_GATES, dWeightHh: { shape: ['4H', 'P'] }, dh0: PROJECTED, dc0: STATE, dWeightHr: { shape: ['P', 'H'] } },
  } satisfies FusedSignature<
    Exclude<keyof LstmSequenceInputs | keyof LstmSequenceBackwardInputs, Flags>,
    keyof LstmSequenceBackwardOutputs
  >,
  gruSequence: {
    inputs: GRU_SEQUENCE_INPUTS,
    outputs: { output: STEPS, h: STATE, gates: GRU_GATES, hiddenN: STEPS },
  } satisfies FusedSignature<Exclude<keyof GruSequenceInputs, Flags>, keyof GruSequenceOutputs>,
  gruSequenceBackward: {
    inputs: { ...GRU_SEQUENCE_INPUTS, output: STEPS, gates: GRU_GATES, hiddenN: STEPS, dOutput: STEPS, dh: STATE },
    outputs: { dInputGates: GRU_GATES, dWeightHh: { shape: ['3H', 'H'] }, dBiasHn: { shape: ['H'] }, dh0: STATE },
  } satisfies FusedSignature<Exclude<keyof GruSequenceInputs | keyof GruSequenceBackwardInputs, Flags>, keyof GruSequenceBackwardOutputs>,
  adamStep: {
    inputs: { param: PARAM, grad: PARAM, m: PARAM, v: PARAM, vMax: { ...PARAM, optional: true } },
    outputs: {},
  } satisfies FusedSignature<keyof AdamStepTensors, never>,
} as const;

/**
 * A projection has at least one row (PyTorch's `proj_size` 0 means no projection: pass no
 * `weightHr`). The signature cannot say it, so the checked layer and the tensor op call this.
 */
export function checkProjectionSize(op: string, shape: Shape): void {
  if (shape[0] === 0)
    throw new GatedError(op, `weightHr ${formatShape(shape)} projects to no columns: without a projection, pass no weightHr`);
}

/** A fused kernel's name. */
export type FusedKernel = keyof typeof FUSED_SIGNATURES;

/** What the checker needs of an operand: a `Tensor`, or a `TensorSpec` seen through its handle. */
export interface OperandView {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** The dimensions a check bound (`B`, `H`, `T`...), and the shapes bound by `...name` entries. */
export interface BoundDims {
  readonly dims: Readonly<Record<string, number>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

const AXIS = /^(\d*)([A-Za-z]\w*)$/;
/** Parsed axis entries: signatures are constants, and every fused call checks them twice. */
const parsedAxes = new Map<string, readonly [factor: number, name: string]>();

function parseAxis(entry: string): readonly [factor: number, name: string] {
  let parsed = parsedAxes.get(entry);
  if (parsed === undefined) {
    const match = AXIS.exec(entry);
    if (!match) throw new Error(`fused signature: bad axis "${entry}"`);
    parsed = [match[1] ? Number(match[1]) : 1, match[2]!];
    parsedAxes.set(entry, parsed);
  }
  return parsed;
}

function symbolic(shape: readonly string[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks operands against a kernel's input signature, in its order: each operand's dtype, then its
 * shape against the dimensions bound so far. Throws a GatedError naming `op`, the operand, and both
 * shapes (`c0 must have shape [2,3] ([B, H]), got [2,12]`); returns the bound dimensions.
 *
 * @example
 * ```ts
 * const { dims } = checkFusedOperands('lstmCell', FUSED_SIGNATURES.lstmCell.inputs, { c, inputGates, hiddenGates });
 * console.log(dims.B, dims.H);
 * ```
 */
export function checkFusedOperands(
  op: string,
  signature: { readonly [name: string]: OperandSignature },
  operands: { readonly [name: string]: OperandView | null | undefined },
): BoundDims {
  const dims: Record<string, number> = {};
  const shapes: Record<string, Shape> = {};
  for (const [name, expected] of Object.entries(signature)) {
    const operand = operands[name] ?? null;
    if (operand === null) {
      if (!expected.optional) throw new GatedError(op, `${name} is missing`);
      if (expected.whenAbsent) equateDims(op, name, expected.whenAbsent.equal, dims);
      continue;
    }
    const dtype = expected.dtype ?? 'float32';
    if (operand.dtype !== dtype) throw new GatedError(op, `${name} must be ${dtype}, got ${operand.dtype}`);
    checkOperandShape(op, name, expected.shape, operand.shape, dims, shapes);
  }
  return { dims, shapes };
}

function checkOperandShape(
  op: string,
  name: string,
  pattern: readonly string[],
  shape: Shape,
  dims: Record<string, number>,
  shapes: Record<string, Shape>,
): void {
  const rest = pattern.length === 1 && pattern[0]!.startsWith('...') ? pattern[0]!.slice(3) : null;
  if (rest !== null) {
    const bound = shapes[rest];
    if (bound === undefined) {
      shapes[rest] = shape;
    } else if (!sameShape(bound, shape)) {
      throw new GatedError(op, `${name} must have shape ${formatShape(bound)} (${rest}'s), got ${formatShape(shape)}`);
    }
    return;
  }
  const fail = (): never => {
    const resolved = resolveAxes(pattern, dims);
    const want = resolved ? `${formatShape(resolved)} (${symbolic(pattern)})` : symbolic(pattern);
    throw new GatedError(op, `${name} must have shape ${want}, got ${formatShape(shape)}`);
  };
  if (shape.length !== pattern.length) fail();
  pattern.forEach((entry, axis) => {
    const [factor, dim] = parseAxis(entry);
    const size = shape[axis]!;
    const bound = dims[dim];
    if (bound === undefined) {
      if (size % factor !== 0) fail();
      dims[dim] = size / factor;
    } else if (bound * factor !== size) {
      fail();
    }
  });
}

/** An absent operand makes two dimensions one: binds the unbound one, or checks that both agree. */
function equateDims(op: string, name: string, [a, b]: readonly [string, string], dims: Record<string, number>): void {
  const left = dims[a];
  const right = dims[b];
  if (left === undefined && right !== undefined) dims[a] = right;
  else if (right === undefined && left !== undefined) dims[b] = left;
  else if (left !== right)
    throw new GatedError(op, `without ${name}, ${a} must equal ${b}: got ${a} = ${String(left)}, ${b} = ${String(right)}`);
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, axis) => dim === b[axis]);
}

function resolveAxes(pattern: readonly string[], dims: Readonly<Record<string, number>>): number[] | null {
  const out: number[] = [];
  for (const entry of pattern) {
    const [factor, dim] = parseAxis(entry);
    const bound = dims[dim];
    if (bound === undefined) return null;
    out.push(bound * factor);
  }
  return out;
}

/**
 * The concrete shape of an output (or input) of a signature, from the dimensions a check bound.
 *
 * @example
 * ```ts
 * const bound = checkFusedOperands('lstmCell', FUSED_SIGNATURES.lstmCell.inputs, inputs);
 * fusedShape(FUSED_SIGNATURES.lstmCell.outputs.gates, bound); // [B, 4H]
 * ```
 */
export function fusedShape(signature: OperandSignature, bound: BoundDims): number[] {
  const { shape } = signature;
  if (shape.length === 1 && shape[0]!.startsWith('...')) return [...(bound.shapes[shape[0]!.slice(3)] ?? [])];
  const resolved = resolveAxes(shape, bound.dims);
  if (!resolved) throw new Error(`fused signature: ${symbolic(shape)} uses a dimension no input binds`);
  return resolved;
}

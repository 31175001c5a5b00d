/**
 * ONNX `LSTM`, `GRU` and `RNN` nodes as Gated `LSTM` / `GRU` / `RNN` modules (one layer each, the
 * node's directions), their weights moved from ONNX's gate order and `B = [Wb; Rb]` into PyTorch's
 * parameters: GRU `linear_before_reset = 0` becomes `linearBeforeReset: false`, LSTM `P` becomes
 * peepholes, RNN `Relu` the relu nonlinearity. What the layers cannot do is refused by name
 * (unsupported.ts).
 */
import { GRU, LSTM, RNN } from '@gated/lstm';
import { permute, reshape, tensor, type Tensor } from '@gated/tensor';
import {
  GRU_ONNX_FROM_TORCH,
  LSTM_ONNX_FROM_TORCH,
  PEEPHOLE_ONNX_FROM_TORCH,
  RNN_ONNX_FROM_TORCH,
  inverseOrder,
  reorderBlocks,
} from '../gate-order.js';
import type { HostValue } from '../host-value.js';
import { required, type CompileContext, type OpCompiler } from './kernel.js';
import type { NodeView } from './node-view.js';
import { NOT_YET } from './unsupported.js';
import { hostIntegers, toDevice } from './values.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';

const DEFAULT_ACTIVATIONS: Record<Kind, string[]> = { LSTM: ['sigmoid', 'tanh', 'tanh'], GRU: ['sigmoid', 'tanh'], RNN: ['tanh'] };
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const ORDERS: Record<Kind, readonly number[]> = { LSTM: LSTM_ONNX_FROM_TORCH, GRU: GRU_ONNX_FROM_TORCH, RNN: RNN_ONNX_FROM_TORCH };

interface Attributes {
  readonly hidden: number;
  readonly directions: number;
  readonly batchFirst: boolean;
  /** GRU: false for ONNX's default form (linear_before_reset = 0). */
  readonly linearBeforeReset: boolean;
  /** RNN: the activation of both directions. */
  readonly nonlinearity: 'tanh' | 'relu';
}

/** The activations of the node: the defaults, or (RNN) Tanh or Relu, the same in both directions. */
function readActivations(node: NodeView, kind: Kind, activations: readonly string[] | undefined, directions: number): 'tanh' | 'relu' {
  if (activations === undefined) return 'tanh';
  const given = activations.map((a) => a.toLowerCase());
  const refuse = () =>
    node.error(`activations [${activations.join(', ')}]: ${kind === 'RNN' ? NOT_YET.rnnActivations : NOT_YET.activations}`);
  if (kind === 'RNN') {
    const first = given[0];
    if (given.length !== directions || (first !== 'tanh' && first !== 'relu') || given.some((a) => a !== first)) throw refuse();
    return first;
  }
  const expected = Array.from({ length: directions }, () => DEFAULT_ACTIVATIONS[kind]).flat();
  if (given.length !== expected.length || given.some((a, k) => a !== expected[k])) throw refuse();
  return 'tanh';
}

/** Reads every attribute of the op; refuses what Gated's layers cannot do yet. */
function readAttributes(node: NodeView, kind: Kind): Attributes {
  const hidden = node.int('hidden_size');
  const direction = node.string('direction', 'forward');
  const layout = node.int('layout', 0);
  const clip = node.float('clip');
  const activations = node.strings('activations');
  const alpha = node.floats('activation_alpha');
  const beta = node.floats('activation_beta');
  const inputForget = kind === 'LSTM' ? node.int('input_forget', 0) : 0;
  // ONNX's GRU default is linear_before_reset = 0; PyTorch's form (and Gated's default) is 1.
  const linearBeforeReset = kind === 'GRU' ? node.int('linear_before_reset', 0) : 1;
  node.finish();
  if (hidden === undefined || !Number.isInteger(hidden) || hidden < 1)
    throw node.error(`hidden_size must be a positive integer, got ${String(hidden)}`);
  if (direction === 'reverse') throw node.error(NOT_YET.reverse);
  if (direction !== 'forward' && direction !== 'bidirectional') throw node.error(`unknown direction "${direction}"`);
  if (layout !== 0 && layout !== 1) throw node.error(`layout must be 0 or 1, got ${layout}`);
  if (clip !== undefined) throw node.error(NOT_YET.clip);
  if (inputForget !== 0) throw node.error(NOT_YET.inputForget);
  if (linearBeforeReset !== 0 && linearBeforeReset !== 1) throw node.error(`linear_before_reset must be 0 or 1, got ${linearBeforeReset}`);
  const directions = direction === 'bidirectional' ? 2 : 1;
  const nonlinearity = readActivations(node, kind, activations, directions);
  if (alpha !== undefined || beta !== undefined) throw node.error(`activation_alpha / activation_beta: ${NOT_YET.activations}`);
  return { hidden, directions, batchFirst: layout === 1, linearBeforeReset: linearBeforeReset === 1, nonlinearity };
}

/** A weight input: must be a constant initializer of the given shape. */
function weight(node: NodeView, context: CompileContext, k: number, what: string, shape: readonly number[]): HostValue {
  const name = node.input(k);
  const value = context.initializer(name);
  if (value === undefined)
    throw node.error(`${what} ("${name}") must be an initializer (a constant in the file); computed weights are not supported`);
  if (value.type !== 'float' || value.shape.length !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
    throw node.error(`${what} ("${name}") should be a float tensor [${shape.join(', ')}], got ${value.type} [${value.shape.join(', ')}]`);
  }
  return value;
}

function recurrentOp(kind: Kind): OpCompiler {
  return (node, context) => {
    const { hidden, directions, batchFirst, linearBeforeReset, nonlinearity } = readAttributes(node, kind);
    const gates = GATES[kind];
    const w = context.initializer(node.input(1));
    const inputSize = w?.shape[2] ?? 0;
    const W = weight(node, context, 1, 'W', [directions, gates * hidden, inputSize]);
    const R = weight(node, context, 2, 'R', [directions, gates * hidden, hidden]);
    const B = node.input(3) === '' ? null : weight(node, context, 3, 'B', [directions, 2 * gates * hidden]);
    const P = kind === 'LSTM' && node.input(7) !== '' ? weight(node, context, 7, 'P', [directions, 3 * hidden]) : null;
    const options = { inputSize, hiddenSize: hidden, bidirectional: directions === 2, batchFirst, bias: B !== null, seed: 0 };
    const module =
      kind === 'LSTM'
        ? new LSTM({ ...options, peepholes: P !== null })
        : kind === 'GRU'
          ? new GRU({ ...options, linearBeforeReset })
          : new RNN({ ...options, nonlinearity });
    const block = (
      value: HostValue,
      d: number,
      from: number,
      length: number,
      shape: number[],
      blocks = gates,
      order = inverseOrder(ORDERS[kind]),
    ): Tensor => {
      const data = value.data.subarray(
        d * (value.data.length / directions) + from,
        d * (value.data.length / directions) + from + length,
      ) as Float32Array;
      return tensor(reorderBlocks(data, blocks, order), { shape });
    };
    const dict: Record<string, Tensor> = {};
    for (let d = 0; d < directions; d++) {
      const suffix = `_l0${d === 1 ? '_reverse' : ''}`;
      dict[`weight_ih${suffix}`] = block(W, d, 0, gates * hidden * inputSize, [gates * hidden, inputSize]);
      dict[`weight_hh${suffix}`] = block(R, d, 0, gates * hidden * hidden, [gates * hidden, hidden]);
      if (B) {
        dict[`bias_ih${suffix}`] = block(B, d, 0, gates * hidden, [gates * hidden]);
        dict[`bias_hh${suffix}`] = block(B, d, gates * hidden, gates * hidden, [gates * hidden]);
      }
      if (P) dict[`weight_peephole${suffix}`] = block(P, d, 0, 3 * hidden, [3 * hidden], 3, inverseOrder(PEEPHOLE_ONNX_FROM_TORCH));
    }
    // Registered first, so a failing import disposes it with the others.
    context.addLayer(kind.toLowerCase(), module);
    try {
      module.loadStateDict(dict);
    } finally {
      for (const t of Object.values(dict)) t.dispose();
    }
    return (inputs) => {
      const x = toDevice(node.label, required(node, inputs, 0, 'X'));
      if (x.rank !== 3) throw node.error(`X must be [${batchFirst ? 'B, T' : 'T, B'}, ${inputSize}], got [${x.shape.join(', ')}]`);
      const lengths = inputs[4] === undefined ? undefined : hostIntegers(node.label, 'sequence_lens', inputs[4]);
      // States are [D, B, H] for layout 0 and [B, D, H] for layout 1; Gated's are [D, B, H].
      const state = (k: number): Tensor | undefined => {
        const value = inputs[k];
        if (value === undefined) return undefined;
        const t = toDevice(node.label, value);
        return batchFirst ? permute(t, [1, 0, 2]) : t;
      };
      const h0 = state(5);
      const c0 = kind === 'LSTM' ? state(6) : undefined;
      const forward = { ...(lengths ? { lengths } : {}), ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) };
      const result = module instanceof LSTM ? module.forward(x, forward) : module.forward(x, forward);
      // (GRU and RNN take the same forward options and return { output, h }.)
      // Gated's output is [T, B, D·H] ([B, T, D·H] batch-first); ONNX's Y keeps D as an axis.
      const split = reshape(result.output, [x.shape[0]!, x.shape[1]!, directions, hidden]);
      const y = batchFirst ? split : permute(split, [0, 2, 1, 3]);
      const final = (t: Tensor): Tensor => (batchFirst ? permute(t, [1, 0, 2]) : t);
      return [y, final(result.h), 'c' in result ? final(result.c as Tensor) : undefined];
    };
  };
}

export const RECURRENT_OPS: Record<string, OpCompiler> = {
  LSTM: recurrentOp('LSTM'),
  GRU: recurrentOp('GRU'),
  RNN: recurrentOp('RNN'),
};

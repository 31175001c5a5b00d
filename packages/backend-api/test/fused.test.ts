import { describe, expect, it } from 'vitest';
import { FUSED_SIGNATURES, GatedError, checkFusedOperands, checkProjectionSize, fusedShape, sequenceDims } from '../src/index.js';

const f = (...shape: number[]) => ({ shape, dtype: 'float32' as const });

describe('fused signatures', () => {
  it("binds dimensions in the signature's order and resolves output shapes", () => {
    const signature = FUSED_SIGNATURES.lstmSequence;
    const bound = checkFusedOperands('lstmSequence', signature.inputs, {
      inputGates: f(5, 2, 12),
      weightHh: f(12, 3),
      h0: f(2, 3),
      c0: f(2, 3),
      lengths: null,
    });
    expect(bound.dims).toEqual({ B: 2, P: 3, H: 3, T: 5 });
    expect(fusedShape(signature.outputs.gates, bound)).toEqual([5, 2, 12]);
    expect(fusedShape(signature.outputs.h, bound)).toEqual([2, 3]);
    expect(sequenceDims({ inputGates: f(5, 2, 12), h0: f(2, 3), c0: f(2, 3) })).toEqual({ steps: 5, batch: 2, hidden: 3, proj: 3 });
  });

  it('an LSTM projection binds P apart from H, and its absence makes them one', () => {
    const signature = FUSED_SIGNATURES.lstmSequence;
    const bound = checkFusedOperands('lstmSequence', signature.inputs, {
      inputGates: f(5, 2, 20),
      weightHh: f(20, 3),
      h0: f(2, 3),
      c0: f(2, 5),
      weightHr: f(3, 5),
      lengths: null,
    });
    expect(bound.dims).toEqual({ B: 2, P: 3, H: 5, T: 5 });
    expect(fusedShape(signature.outputs.output, bound)).toEqual([5, 2, 3]);
    expect(fusedShape(FUSED_SIGNATURES.lstmSequenceBackward.outputs.dWeightHr, bound)).toEqual([3, 5]);
    expect(sequenceDims({ inputGates: f(5, 2, 20), h0: f(2, 3), c0: f(2, 5) })).toEqual({ steps: 5, batch: 2, hidden: 5, proj: 3 });
    expect(() =>
      checkFusedOperands('lstmSequence', signature.inputs, {
        inputGates: f(5, 2, 20),
        weightHh: f(20, 3),
        h0: f(2, 3),
        c0: f(2, 5),
        weightHr: null,
        lengths: null,
      }),
    ).toThrow(new GatedError('lstmSequence', 'without weightHr, P must equal H: got P = 3, H = 5'));
    expect(() =>
      checkFusedOperands('lstmSequence', signature.inputs, {
        inputGates: f(5, 2, 20),
        weightHh: f(20, 3),
        h0: f(2, 3),
        c0: f(2, 5),
        weightHr: f(5, 3),
        lengths: null,
      }),
    ).toThrow('lstmSequence: weightHr must have shape [3,5] ([P, H]), got [5,3]');
    expect(() => {
      checkProjectionSize('lstmSequence', [0, 5]);
    }).toThrow('lstmSequence: weightHr [0,5] projects to no columns: without a projection, pass no weightHr');
    expect(() => {
      checkProjectionSize('lstmSequence', [3, 5]);
    }).not.toThrow();
  });

  it('a GRU sequence has three gate blocks and an optional recurrent bias of [H]', () => {
    const signature = FUSED_SIGNATURES.gruSequence;
    const bound = checkFusedOperands('gruSequence', signature.inputs, {
      inputGates: f(4, 2, 15),
      weightHh: f(15, 5),
      h0: f(2, 5),
      biasHn: f(5),
      lengths: null,
    });
    expect(bound.dims).toEqual({ B: 2, H: 5, T: 4 });
    expect(fusedShape(signature.outputs.gates, bound)).toEqual([4, 2, 15]);
    expect(fusedShape(signature.outputs.hiddenN, bound)).toEqual([4, 2, 5]);
    expect(() =>
      checkFusedOperands('gruSequence', signature.inputs, {
        inputGates: f(4, 2, 15),
        weightHh: f(15, 5),
        h0: f(2, 5),
        biasHn: f(15),
        lengths: null,
      }),
    ).toThrow('gruSequence: biasHn must have shape [5] ([H]), got [15]');
    expect(() =>
      checkFusedOperands('gruSequence', signature.inputs, {
        inputGates: f(4, 2, 20),
        weightHh: f(15, 5),
        h0: f(2, 5),
        biasHn: null,
        lengths: null,
      }),
    ).toThrow('gruSequence: inputGates must have shape [4,2,15] ([T, B, 3H]), got [4,2,20]');
  });

  it('names the op, the operand and both shapes', () => {
    const inputs = FUSED_SIGNATURES.lstmCell.inputs;
    expect(() => checkFusedOperands('lstmCell', inputs, { c: f(2, 3), inputGates: f(2, 8), hiddenGates: f(2, 12) })).toThrow(
      new GatedError('lstmCell', 'inputGates must have shape [2,12] ([B, 4H]), got [2,8]'),
    );
    expect(() => checkFusedOperands('lstmCell', inputs, { c: f(6), inputGates: f(2, 8), hiddenGates: f(2, 12) })).toThrow(
      'lstmCell: c must have shape [B, H], got [6]',
    );
    expect(() =>
      checkFusedOperands('lstmCell', inputs, { c: { shape: [2, 3], dtype: 'int32' }, inputGates: f(2, 12), hiddenGates: f(2, 12) }),
    ).toThrow('lstmCell: c must be float32, got int32');
    expect(() => checkFusedOperands('lstmCell', inputs, { c: f(2, 3), inputGates: f(2, 12) })).toThrow('lstmCell: hiddenGates is missing');
  });

  it('checks optional operands only when present, and whole shapes by name', () => {
    const adam = FUSED_SIGNATURES.adamStep.inputs;
    const p = f(4, 5);
    expect(() => checkFusedOperands('adamStep', adam, { param: p, grad: p, m: p, v: p, vMax: null })).not.toThrow();
    expect(() => checkFusedOperands('adamStep', adam, { param: p, grad: p, m: p, v: p, vMax: f(5, 4) })).toThrow(
      "adamStep: vMax must have shape [4,5] (param's), got [5,4]",
    );
    const sequence = FUSED_SIGNATURES.lstmSequence.inputs;
    expect(() =>
      checkFusedOperands('lstmSequence', sequence, {
        inputGates: f(5, 2, 12),
        weightHh: f(12, 3),
        h0: f(2, 3),
        c0: f(2, 3),
        lengths: { shape: [3], dtype: 'int32' },
      }),
    ).toThrow('lstmSequence: lengths must have shape [2] ([B]), got [3]');
  });
});

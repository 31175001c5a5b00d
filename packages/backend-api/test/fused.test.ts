import { describe, expect, it } from 'vitest';
import { FUSED_SIGNATURES, GatedError, checkFusedOperands, fusedShape, sequenceDims } from '../src/index.js';

const f = (...shape: number[]) => ({ shape, dtype: 'float32' as const });

describe('fused signatures', () => {
  it('binds dimensions in the signature\'s order and resolves output shapes', () => {
    const signature = FUSED_SIGNATURES.lstmSequence;
    const bound = checkFusedOperands('lstmSequence', signature.inputs, {
      inputGates: f(5, 2, 12), weightHh: f(12, 3), h0: f(2, 3), c0: f(2, 3), lengths: null,
    });
    expect(bound.dims).toEqual({ B: 2, H: 3, T: 5 });
    expect(fusedShape(signature.outputs.gates, bound)).toEqual([5, 2, 12]);
    expect(fusedShape(signature.outputs.h, bound)).toEqual([2, 3]);
    expect(sequenceDims({ inputGates: f(5, 2, 12), h0: f(2, 3) })).toEqual({ steps: 5, batch: 2, hidden: 3 });
  });

  it('names the op, the operand and both shapes', () => {
    const inputs = FUSED_SIGNATURES.lstmCell.inputs;
    expect(() => checkFusedOperands('lstmCell', inputs, { c: f(2, 3), inputGates: f(2, 8), hiddenGates: f(2, 12) }))
      .toThrow(new GatedError('lstmCell', 'inputGates must have shape [2,12] ([B, 4H]), got [2,8]'));
    expect(() => checkFusedOperands('lstmCell', inputs, { c: f(6), inputGates: f(2, 8), hiddenGates: f(2, 12) }))
      .toThrow('lstmCell: c must have shape [B, H], got [6]');
    expect(() => checkFusedOperands('lstmCell', inputs, { c: { shape: [2, 3], dtype: 'int32' }, inputGates: f(2, 12), hiddenGates: f(2, 12) }))
      .toThrow('lstmCell: c must be float32, got int32');
    expect(() => checkFusedOperands('lstmCell', inputs, { c: f(2, 3), inputGates: f(2, 12) })).toThrow('lstmCell: hiddenGates is missing');
  });

  it('checks optional operands only when present, and whole shapes by name', () => {
    const adam = FUSED_SIGNATURES.adamStep.inputs;
    const p = f(4, 5);
    expect(() => checkFusedOperands('adamStep', adam, { param: p, grad: p, m: p, v: p, vMax: null })).not.toThrow();
    expect(() => checkFusedOperands('adamStep', adam, { param: p, grad: p, m: p, v: p, vMax: f(5, 4) }))
      .toThrow("adamStep: vMax must have shape [4,5] (param's), got [5,4]");
    const sequence = FUSED_SIGNATURES.lstmSequence.inputs;
    expect(() => checkFusedOperands('lstmSequence', sequence, {
      inputGates: f(5, 2, 12), weightHh: f(12, 3), h0: f(2, 3), c0: f(2, 3), lengths: { shape: [3], dtype: 'int32' },
    })).toThrow('lstmSequence: lengths must have shape [2] ([B]), got [3]');
  });
});

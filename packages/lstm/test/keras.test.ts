import { describe, expect, it } from 'vitest';
import { GatedError } from '@gated/backend-api';
import { kerasLSTMToStateDict, type KerasLSTMWeights } from '../src/keras.js';

// A Keras layer with I = 2, H = 1: kernel [2, 4], recurrent_kernel [1, 4], bias [4], gates i, f, c, o.
const kernel = { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 4] };
const recurrentKernel = { data: [0.1, 0.2, 0.3, 0.4], shape: [1, 4] };
const bias = { data: [-1, 1, 0.5, 0], shape: [4] };

describe('kerasLSTMToStateDict', () => {
  it('transposes the kernels and puts the single bias in bias_ih', () => {
    const dict = kerasLSTMToStateDict({ kernel, recurrentKernel, bias });
    expect([...dict.keys()]).toEqual(['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
    expect(dict.get('weight_ih_l0')!.shape).toEqual([4, 2]);
    // Row g of weight_ih is column g of the kernel: gate order is unchanged.
    expect(Array.from(dict.get('weight_ih_l0')!.data)).toEqual([1, 5, 2, 6, 3, 7, 4, 8]);
    expect(dict.get('weight_hh_l0')!.shape).toEqual([4, 1]);
    expect(Array.from(dict.get('weight_hh_l0')!.data)).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.3, 0.4])));
    expect(Array.from(dict.get('bias_ih_l0')!.data)).toEqual([-1, 1, 0.5, 0]);
    expect(Array.from(dict.get('bias_hh_l0')!.data)).toEqual([0, 0, 0, 0]);
  });

  it('names layers and directions, splits a CuDNNLSTM bias, and handles use_bias=False', () => {
    const reverse = kerasLSTMToStateDict({ kernel, recurrentKernel, bias }, { layer: 2, reverse: true });
    expect([...reverse.keys()]).toEqual(['weight_ih_l2_reverse', 'weight_hh_l2_reverse', 'bias_ih_l2_reverse', 'bias_hh_l2_reverse']);
    const cudnn = kerasLSTMToStateDict({ kernel, recurrentKernel, bias: { data: [1, 2, 3, 4, 5, 6, 7, 8], shape: [8] } });
    expect(Array.from(cudnn.get('bias_ih_l0')!.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(cudnn.get('bias_hh_l0')!.data)).toEqual([5, 6, 7, 8]);
    const noBias = kerasLSTMToStateDict({ kernel, recurrentKernel }, { bias: false });
    expect([...noBias.keys()]).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    const zeroBias = kerasLSTMToStateDict({ kernel, recurrentKernel, bias: null });
    expect(Array.from(zeroBias.get('bias_ih_l0')!.data)).toEqual([0, 0, 0, 0]);
  });

  it('refuses activations it cannot import exactly, and inconsistent shapes', () => {
    expect(() => kerasLSTMToStateDict({ kernel, recurrentKernel, bias }, { recurrentActivation: 'hardSigmoid' })).toThrow(
      /recurrent activation "hardSigmoid" cannot be imported exactly.*TF\.js defaults to "hardSigmoid"/,
    );
    expect(() => kerasLSTMToStateDict({ kernel, recurrentKernel, bias }, { activation: 'relu' })).toThrow(/activation "relu"/);
    expect(() => kerasLSTMToStateDict({ kernel, recurrentKernel: { data: [1, 2, 3], shape: [1, 3] }, bias })).toThrow(
      'kerasLSTMToStateDict: kernel [2,4] and recurrentKernel [1,3] must be [I, 4H] and [H, 4H] for one H',
    );
    expect(() => kerasLSTMToStateDict({ kernel, recurrentKernel, bias: { data: [1, 2], shape: [2] } })).toThrow(
      /bias must be \[4H\] = \[4\]/,
    );
    expect(() => kerasLSTMToStateDict({ kernel, recurrentKernel, bias }, { bias: false })).toThrow(/bias: false/);
  });

  it('refuses weights of the wrong structure with GatedErrors, not TypeErrors or NaN weights', () => {
    const op = 'kerasLSTMToStateDict';
    const refuse = (weights: unknown, message: string): void => {
      expect(() => kerasLSTMToStateDict(weights as KerasLSTMWeights)).toThrow(new GatedError(op, message));
    };
    refuse(undefined, 'expected { kernel, recurrentKernel, bias? }, got undefined');
    refuse({ recurrentKernel, bias }, 'kernel must be { data, shape }, got undefined');
    refuse({ kernel: { data: kernel.data }, recurrentKernel }, 'kernel.shape must be an array of non-negative integers, got undefined');
    refuse({ kernel: { shape: [2, 4] }, recurrentKernel }, 'kernel.data must be an array or typed array of numbers, got undefined');
    refuse({ kernel: { data: ['1', 2, 3, 4, 5, 6, 7, 8], shape: [2, 4] }, recurrentKernel }, 'kernel.data[0] must be a number, got "1"');
    refuse({ kernel, recurrentKernel, bias: { data: [1, 2, 3, null], shape: [4] } }, 'bias.data[3] must be a number, got null');
  });
});

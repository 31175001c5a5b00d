import { relu, sigmoid, tanh, type Tensor } from '@gated/tensor';
import { Module } from './module.js';

/** `tanh` as a layer, for `Sequential`. */
export class Tanh extends Module {
  protected override get label(): string {
    return 'Tanh';
  }

  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** `max(x, 0)` as a layer, for `Sequential`. */
export class ReLU extends Module {
  protected override get label(): string {
    return 'ReLU';
  }

  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** The logistic sigmoid as a layer, for `Sequential`. */
export class Sigmoid extends Module {
  protected override get label(): string {
    return 'Sigmoid';
  }

  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

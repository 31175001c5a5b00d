import { GatedError } from '@gated/backend-api';
import { tidy, type Tensor } from '@gated/tensor';
import { Module } from './module.js';

/** A module with a single-tensor `forward`, the kind {@link Sequential} chains. */
export interface Layer extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Chains layers (PyTorch's `nn.Sequential`): `forward(x)` feeds each layer's output to the next.
 * Parameters are named by position (`0.weight`, `2.bias`, ...), as in PyTorch.
 *
 * @example
 * ```ts
 * const mlp = new Sequential(new Linear(3, 16), new Tanh(), new Linear(16, 1));
 * const y = mlp.forward(x);
 * ```
 */
export class Sequential extends Module {
  readonly layers: readonly Layer[];

  constructor(...layers: Layer[]) {
    super();
    if (layers.length === 0) throw new GatedError('Sequential', 'needs at least one layer');
    layers.forEach((layer, index) => this.addModule(String(index), layer));
    this.layers = layers;
  }

  protected override get label(): string {
    return 'Sequential';
  }

  forward(x: Tensor): Tensor {
    this.assertLive('forward');
    return tidy(() => this.layers.reduce((value, layer) => layer.forward(value), x));
  }
}

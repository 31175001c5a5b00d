/**
 * `OnnxModel`: an imported ONNX graph as a Gated module. Its layers (LSTM, GRU, Linear,
 * Embedding) are ordinary Gated modules holding the file's weights as parameters, so the model
 * trains like any other; the glue around them (transposes, reshapes, the sort-by-length that
 * PyTorch writes for packed sequences, zero states) runs as Gated ops or small host arithmetic.
 */
import { GatedError, formatShape } from '@gated/backend-api';
import { Module, type Lengths } from '@gated/lstm';
import { Tensor, reshape, tidy } from '@gated/tensor';
import { hostValue, type HostValue } from '../host-value.js';
import type { Kernel } from './kernel.js';
import { toDevice, type Value } from './values.js';

/** A graph input: its name, whether it holds integers, and its sizes (null: dynamic). */
export interface OnnxInput {
  readonly name: string;
  readonly type: 'float' | 'int';
  readonly shape: readonly (number | null)[];
}

/** One compiled node. */
export interface Step {
  readonly label: string;
  readonly kernel: Kernel;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** What {@link OnnxModel.run} accepts per input: a tensor, or host integers for a 1-D integer input (lengths). */
export type OnnxFeed = Tensor | Lengths;

/**
 * An imported ONNX model. `run` takes and returns tensors by the graph's input and output names
 * (like an ONNX Runtime session); `forward(x)` feeds the first input and returns the first output,
 * so the model also works as a layer. Parameters are the layers' (`parameters()`,
 * `namedParameters()`, `stateDict()`), named `<layer>.<PyTorch name>`, e.g. `lstm0.weight_ih_l0`.
 *
 * @example
 * ```ts
 * const model = importOnnx(bytes);
 * const { y, h, c } = model.run({ x, lengths: [5, 3] });
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 }); // fine-tune
 * ```
 */
export class OnnxModel extends Module {
  /** The graph's inputs, in the file's order (initializers excluded). */
  readonly inputs: readonly OnnxInput[];
  /** The graph's output names, in order. */
  readonly outputNames: readonly string[];
  /** The layers by name (`lstm0`, `linear1`, ...), in graph order. */
  readonly layers: ReadonlyMap<string, Module>;

  constructor(
    inputs: readonly OnnxInput[],
    outputNames: readonly string[],
    private readonly steps: readonly Step[],
    private readonly constants: ReadonlyMap<string, HostValue>,
    layers: readonly (readonly [string, Module])[],
  ) {
    super();
    this.inputs = inputs;
    this.outputNames = outputNames;
    for (const [name, layer] of layers) this.addModule(name, layer);
    this.layers = new Map(layers);
  }

  protected override get label(): string {
    return 'OnnxModel';
  }

  /**
   * Runs the graph. Every input must be fed: float inputs as float32 tensors, integer inputs as
   * int32 tensors or, when 1-D (lengths), as host numbers. Returns every output by name; the
   * tensors are yours to dispose.
   */
  run(feeds: Readonly<Record<string, OnnxFeed>>): Record<string, Tensor> {
    this.assertLive('run');
    const op = 'OnnxModel.run';
    const unknown = Object.keys(feeds).filter((name) => !this.inputs.some((i) => i.name === name));
    if (unknown.length > 0)
      throw new GatedError(
        op,
        `unknown input${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the model's inputs are ${this.inputs.map((i) => i.name).join(', ')}`,
      );
    const given = new Map<string, Value>();
    for (const input of this.inputs) given.set(input.name, this.checkFeed(op, input, feeds[input.name]));
    return tidy(() => {
      const values = new Map<string, Value>([...this.constants, ...given]);
      for (const step of this.steps) {
        const outputs = step.kernel(step.inputs.map((name) => (name === '' ? undefined : values.get(name))));
        step.outputs.forEach((name, k) => {
          const value = outputs[k];
          if (name !== '' && value !== undefined) values.set(name, value);
        });
      }
      const out: Record<string, Tensor> = {};
      for (const name of this.outputNames) {
        const value = values.get(name);
        if (value === undefined) throw new GatedError(op, `output ${name} was not computed`);
        const t = toDevice(op, value);
        // An output that is a fed tensor comes back as a view, so disposing it leaves the feed alone.
        out[name] = [...given.values()].includes(t) ? reshape(t, t.shape) : t;
      }
      return out;
    });
  }

  /**
   * Feeds `x` to the first input (and `feeds` to the others) and returns the first output; the
   * other outputs are disposed.
   */
  forward(x: Tensor, feeds: Readonly<Record<string, OnnxFeed>> = {}): Tensor {
    const first = this.inputs[0];
    if (!first) throw new GatedError('OnnxModel.forward', 'the model has no inputs');
    const outputs = this.run({ ...feeds, [first.name]: x });
    const [name] = this.outputNames;
    for (const [key, t] of Object.entries(outputs)) if (key !== name) t.dispose();
    return outputs[name!]!;
  }

  private checkFeed(op: string, input: OnnxInput, feed: OnnxFeed | undefined): Value {
    if (feed === undefined)
      throw new GatedError(op, `input ${input.name} is missing (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    const expected = `[${input.shape.map((d) => d ?? '?').join(', ')}]`;
    if (!(feed instanceof Tensor)) {
      if (input.type !== 'int' || input.shape.length !== 1) {
        throw new GatedError(
          op,
          `input ${input.name} ${expected} must be a Tensor (host numbers are accepted for 1-D integer inputs only)`,
        );
      }
      const values = Array.from(feed);
      if (values.some((v) => !Number.isInteger(v))) throw new GatedError(op, `input ${input.name} must hold integers`);
      return this.checkShape(op, input, hostValue('int', [values.length], Float64Array.from(values)), expected);
    }
    feed.assertLive(op);
    const dtype = input.type === 'float' ? 'float32' : 'int32';
    if (feed.dtype !== dtype)
      throw new GatedError(op, `input ${input.name} must be ${dtype}, got ${feed.dtype} ${formatShape(feed.shape)}`);
    return this.checkShape(op, input, feed, expected);
  }

  private checkShape(op: string, input: OnnxInput, value: Value, expected: string): Value {
    const shape = value.shape;
    if (shape.length !== input.shape.length || input.shape.some((d, k) => d !== null && d !== shape[k])) {
      throw new GatedError(op, `input ${input.name} must have shape ${expected} (? = any size), got ${formatShape(shape)}`);
    }
    return value;
  }
}

/** Collects the nodes and initializers of a graph being exported, with unique names. */
import { nodeProto } from '../proto/build.js';
import type { AttributeProto, NodeProto, TensorProto } from '../proto/types.js';
import { floatTensorProto, int64TensorProto } from '../tensor-proto.js';

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly taken = new Set<string>();

  /** `base` if unused, else `base_1`, `base_2`, ... */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** Reserves names the caller chose (graph inputs and outputs). */
  reserve(...names: string[]): void {
    for (const name of names) this.taken.add(name);
  }

  floatInitializer(base: string, shape: readonly number[], data: Float32Array): string {
    const name = this.unique(base);
    this.initializers.push(floatTensorProto(name, shape, data));
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds). */
  intsInitializer(base: string, values: readonly number[]): string {
    const name = this.unique(base);
    this.initializers.push(int64TensorProto(name, [values.length], values));
    return name;
  }

  /** Adds a one-output node; returns its output's name. */
  op(opType: string, base: string, inputs: readonly string[], attrs: readonly AttributeProto[] = []): string {
    return this.node(opType, base, inputs, 1, attrs)[0]!;
  }

  /**
   * Adds a node; `outputs` are names to use as they are (graph outputs) or, as a number, how many
   * fresh names to make from the node's name. Returns the output names.
   */
  node(
    opType: string,
    base: string,
    inputs: readonly string[],
    outputs: number | readonly string[],
    attrs: readonly AttributeProto[] = [],
  ): string[] {
    const name = this.unique(base);
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => this.unique(`${name}_out${k}`)) : [...outputs];
    this.nodes.push(nodeProto(opType, name, inputs, names, attrs));
    return names;
  }
}

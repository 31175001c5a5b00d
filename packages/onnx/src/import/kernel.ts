/** The compiled form of one node: a function from its input values to its output values. */
import type { Module } from '@gated/lstm';
import type { HostValue } from '../host-value.js';
import type { NodeView } from './node-view.js';
import type { Value } from './values.js';

export type Kernel = (inputs: readonly (Value | undefined)[]) => (Value | undefined)[];

/** What compiling a node may look up and register. */
export interface CompileContext {
  /** A constant initializer by name. */
  initializer(name: string): HostValue | undefined;
  /** How many nodes read the value `name` (a layer takes over an initializer only it reads). */
  uses(name: string): number;
  /** Registers a trainable layer built from the node's initializers; returns its name in the model. */
  addLayer(kind: string, module: Module): string;
}

/** Checks a node's attributes and inputs once, at import, and returns the function that runs it. */
export type OpCompiler = (node: NodeView, context: CompileContext) => Kernel;

/** Input `k` of a running node, which the graph guarantees when the node names it. */
export function required(node: NodeView, inputs: readonly (Value | undefined)[], k: number, what: string): Value {
  const value = inputs[k];
  if (value === undefined) throw node.error(`input ${k} (${what}) is missing`);
  return value;
}

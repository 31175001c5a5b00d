/**
 * The tape. The tensor engine hands every recorded op to `Tape.record`, which creates a node
 * holding what the op's rule saved and edges to the nodes (or leaf tensors) of its inputs.
 * `backward` walks the nodes reachable from a root in reverse topological order, calling each
 * rule once with the accumulated gradient of its outputs (never recursing per path).
 *
 * Lifetime: a node lives while one of its outputs is alive or a later node consumes it; when
 * both counts reach zero its saved tensors are freed and its inputs' nodes are released in turn.
 * A backward pass frees the saved tensors of every node it visited unless the graph is retained.
 */
import { GatedError, formatShape, shapesEqual, type AttrsOf, type OpName, type Shape } from '@gated/backend-api';
import { add, keep, onesLike, reshape, setGradEnabled, tidy, zeros, type Tensor } from '@gated/tensor';
import { assertLiveTensor, type OpRecorder } from '@gated/tensor/internal';
import { GRADIENTS } from './gradients/index.js';
import { isNonDifferentiable, type GradientRule, type InputInfo, type NonDifferentiable, type Saved } from './rule.js';

/** What a tensor's `gradNode` holds: which output of which node it is. */
interface Slot {
  readonly node: Node;
  readonly index: number;
  /** False for the views the tape saves: they point at the node without keeping it alive. */
  readonly counted: boolean;
}

interface Edge extends InputInfo {
  /** The node and output that produced this input, or null for a leaf (or a constant). */
  readonly producer: Slot | null;
  /** The leaf tensor whose `.grad` receives the gradient, when the input is a leaf that requires it. */
  readonly leaf: Tensor | null;
}

let nextNodeId = 0;

class Node {
  readonly id = nextNodeId++;
  saved: Saved = {};
  liveOutputs = 0;
  consumers = 0;
  /** Set when the saved tensors were freed by a backward pass; the node can't be traversed again. */
  consumed = false;
  released = false;

  constructor(
    readonly op: OpName,
    readonly rule: GradientRule<OpName>,
    readonly attrs: AttrsOf<OpName>,
    readonly edges: readonly Edge[],
    readonly outputShapes: readonly Shape[],
  ) {}
}

/** The table entry of an op, widened so it can be called with any op's attributes. */
function ruleOf(op: OpName): GradientRule<OpName> | NonDifferentiable {
  return GRADIENTS[op];
}

function slotOf(tensor: Tensor): Slot | null {
  return tensor.gradNode as Slot | null;
}

/** Options of a backward pass. */
export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through this graph again. Default false. */
  readonly retainGraph?: boolean;
  /** Record the backward computation itself, for higher-order gradients. Implies retainGraph. */
  readonly createGraph?: boolean;
}

export class Tape implements OpRecorder {
  record<N extends OpName>(op: N, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: AttrsOf<N>): void {
    const entry = ruleOf(op);
    if (isNonDifferentiable(entry)) return;
    const differentiable = outputs.filter((t) => t.dtype === 'float32');
    if (differentiable.length === 0) return;
    const edges = inputs.map((input): Edge => {
      const producer = input.requiresGrad ? slotOf(input) : null;
      if (producer) producer.node.consumers++;
      return {
        shape: input.shape,
        dtype: input.dtype,
        needsGrad: input.requiresGrad,
        producer,
        leaf: input.requiresGrad && !producer ? input : null,
      };
    });
    const node = new Node(
      op,
      entry,
      attrs,
      edges,
      outputs.map((t) => t.shape),
    );
    outputs.forEach((output, index) => {
      if (output.dtype !== 'float32') return;
      output.requiresGrad = true;
      output.gradNode = { node, index, counted: true } satisfies Slot;
      node.liveOutputs++;
    });
    if (entry.save) {
      const saved: Record<string, Tensor | null> = {};
      for (const [name, tensor] of Object.entries(entry.save(inputs, outputs, attrs as AttrsOf<OpName>))) {
        saved[name] = tensor && retain(tensor);
      }
      node.saved = saved;
    }
  }

  release(tensor: Tensor): void {
    const slot = slotOf(tensor);
    tensor.gradNode = null;
    if (!slot?.counted) return;
    slot.node.liveOutputs--;
    this.collect(slot.node);
  }

  /** Frees a node that nothing refers to any more, and releases its inputs' nodes in turn. */
  private collect(start: Node): void {
    const stack = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.released || node.liveOutputs > 0 || node.consumers > 0) continue;
      node.released = true;
      freeSaved(node);
      for (const edge of node.edges) {
        if (!edge.producer) continue;
        edge.producer.node.consumers--;
        stack.push(edge.producer.node);
      }
    }
  }

  backward(tensor: Tensor, seed: Tensor | undefined, options: BackwardOptions = {}): void {
    const grads = this.gradients('backward', tensor, seed, null, options);
    for (const [leaf, grad] of grads) {
      if (leaf.isDisposed) {
        grad.dispose();
        continue;
      }
      const previous = leaf.grad;
      leaf.grad = (previous ? keep(add(previous, grad)) : keep(grad)) as Tensor<'float32'>;
      if (previous) {
        previous.dispose();
        grad.dispose();
      }
    }
  }

  /**
   * Runs a backward pass from `root`. Returns the gradient of every leaf reached (when `targets`
   * is null) or of each target tensor (leaf or not); they join the caller's scope like any op's
   * result.
   */
  gradients(
    op: string,
    root: Tensor,
    seed: Tensor | undefined,
    targets: readonly Tensor[] | null,
    options: BackwardOptions,
  ): Map<Tensor, Tensor> {
    assertLiveTensor(op, root);
    if (!root.requiresGrad) {
      throw new GatedError(
        op,
        `tensor #${root.id} ${formatShape(root.shape)} does not require a gradient: no input of the computation had requiresGrad set`,
      );
    }
    if (seed) {
      assertLiveTensor(op, seed);
      if (!shapesEqual(seed.shape, root.shape) || seed.dtype !== 'float32') {
        throw new GatedError(
          op,
          `seed ${seed.dtype} ${formatShape(seed.shape)} must be float32 of the output's shape ${formatShape(root.shape)}`,
        );
      }
    } else if (root.size !== 1) {
      throw new GatedError(
        op,
        `the output has shape ${formatShape(root.shape)}: a non-scalar needs a seed gradient of that shape (or reduce it to a scalar first)`,
      );
    }
    const createGraph = options.createGraph ?? false;
    const retainGraph = options.retainGraph ?? createGraph;
    const rootSlot = slotOf(root);
    const order = rootSlot ? topologicalOrder(op, rootSlot.node) : [];
    const targetSlots = new Map<Node, Map<number, Tensor>>();
    const targetLeaves = new Set<Tensor>();
    for (const target of targets ?? []) {
      const slot = slotOf(target);
      if (slot) {
        const perNode = targetSlots.get(slot.node) ?? new Map<number, Tensor>();
        perNode.set(slot.index, target);
        targetSlots.set(slot.node, perNode);
      } else {
        targetLeaves.add(target);
      }
    }
    const active = targets ? nodesLeadingTo(order, targetSlots, targetLeaves) : null;

    const previousMode = setGradEnabled(createGraph);
    let results: Map<Tensor, Tensor>;
    try {
      // The map is tidy's result: its tensors survive into the caller's scope; the rest is freed.
      results = tidy(() => {
        const found = new Map<Tensor, Tensor>();
        const pending = new Map<Node, (Tensor | null)[]>();
        // Each slot holds its own tensor object (a view when a rule returned one tensor twice, or
        // passed its output gradient through), so a node's gradients can be freed as soon as
        // its rule has run, keeping peak memory near one step's worth instead of the whole pass.
        const placed = new Set<Tensor>();
        const place = (grad: Tensor): Tensor => {
          const own = placed.has(grad) ? reshape(grad, grad.shape) : grad;
          placed.add(own);
          return own;
        };
        const accumulate = (slots: (Tensor | null)[], index: number, grad: Tensor): void => {
          const existing = slots[index];
          if (existing) {
            slots[index] = place(add(existing, grad));
            placed.delete(existing);
            existing.dispose();
          } else {
            slots[index] = place(grad);
          }
        };
        const start = seed ? reshape(seed, seed.shape) : onesLike(root);
        placed.add(start);
        if (rootSlot) {
          const slots = new Array<Tensor | null>(rootSlot.node.outputShapes.length).fill(null);
          slots[rootSlot.index] = start;
          pending.set(rootSlot.node, slots);
        } else if (targets === null || targetLeaves.has(root)) {
          found.set(root, start);
        }
        for (const node of order) {
          const slots = pending.get(node);
          if (!slots) continue;
          pending.delete(node);
          const asTarget = targetSlots.get(node);
          if (asTarget) {
            for (const [index, target] of asTarget) {
              const grad = slots[index];
              if (grad) found.set(target, place(grad));
            }
          }
          if (active && !active.has(node)) {
            release(slots);
            continue;
          }
          const unused = node.rule.unusedGradients;
          // Zeros stand in for outputs no gradient reached, except those the rule never reads.
          const outputGrads = slots.map((grad, i) => grad ?? (unused?.includes(i) ? null : place(zeros(node.outputShapes[i]!))));
          const inputGrads = node.rule.backward(outputGrads as Tensor[], {
            attrs: node.attrs,
            inputs: node.edges,
            saved: node.saved,
            outputShapes: node.outputShapes,
          });
          node.edges.forEach((edge, i) => {
            const grad = inputGrads[i];
            if (!edge.needsGrad || !grad) return;
            if (!shapesEqual(grad.shape, edge.shape)) {
              throw new GatedError(
                op,
                `internal error: the gradient rule of "${node.op}" returned ${formatShape(grad.shape)} for an input of shape ${formatShape(edge.shape)}`,
              );
            }
            if (edge.producer) {
              const target = pending.get(edge.producer.node) ?? new Array<Tensor | null>(edge.producer.node.outputShapes.length).fill(null);
              pending.set(edge.producer.node, target);
              accumulate(target, edge.producer.index, grad);
            } else if (edge.leaf && (targets === null || targetLeaves.has(edge.leaf))) {
              const existing = found.get(edge.leaf);
              found.set(edge.leaf, place(existing ? add(existing, grad) : grad));
              if (existing) {
                placed.delete(existing);
                existing.dispose();
              }
            }
          });
          release(outputGrads);
        }
        return found;

        function release(grads: readonly (Tensor | null)[]): void {
          for (const grad of grads) {
            if (!grad) continue;
            placed.delete(grad);
            grad.dispose();
          }
        }
      });
    } finally {
      setGradEnabled(previousMode);
    }
    if (!retainGraph) {
      for (const node of order) {
        node.consumed = true;
        freeSaved(node);
      }
    }
    return results;
  }
}

/** Saved tensors are views that share the buffer (and, for higher order, the graph position). */
function retain(tensor: Tensor): Tensor {
  const view = keep(tensor.detach());
  const slot = slotOf(tensor);
  if (slot) {
    view.requiresGrad = true;
    view.gradNode = { node: slot.node, index: slot.index, counted: false } satisfies Slot;
  }
  return view;
}

function freeSaved(node: Node): void {
  for (const saved of Object.values(node.saved)) saved?.dispose();
  node.saved = {};
}

/** Nodes reachable from `root`, each after every node that consumes it (root first). */
function topologicalOrder(op: string, root: Node): Node[] {
  const order: Node[] = [];
  const state = new Map<Node, 'open' | 'done'>();
  const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
  state.set(root, 'open');
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { node } = frame;
    if (node.consumed) {
      throw new GatedError(
        op,
        `the graph through "${node.op}" was already freed by an earlier backward pass; pass { retainGraph: true } to that pass to run backward twice`,
      );
    }
    if (frame.next < node.edges.length) {
      const producer = node.edges[frame.next++]!.producer;
      if (producer && !state.has(producer.node)) {
        state.set(producer.node, 'open');
        stack.push({ node: producer.node, next: 0 });
      }
      continue;
    }
    stack.pop();
    state.set(node, 'done');
    order.push(node);
  }
  return order.reverse();
}

/** The nodes whose backward is needed to reach a target (a target node itself needs none). */
function nodesLeadingTo(order: readonly Node[], targetSlots: Map<Node, unknown>, targetLeaves: Set<Tensor>): Set<Node> {
  const leads = new Set<Node>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const reaches = node.edges.some(
      (edge) =>
        (edge.leaf !== null && targetLeaves.has(edge.leaf)) ||
        (edge.producer !== null && (targetSlots.has(edge.producer.node) || leads.has(edge.producer.node))),
    );
    if (reaches) leads.add(node);
  }
  return leads;
}

/** The one tape of this realm, installed into the engine by `installAutograd`. */
export const TAPE = new Tape();

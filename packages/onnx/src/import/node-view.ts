/**
 * A node being imported: its attributes read by name with their types checked, and every
 * attribute the importer did not read refused by name, so none is silently ignored.
 */
import { GatedError } from '@gated/backend-api';
import type { HostValue } from '../host-value.js';
import { AttributeType, type AttributeProto, type NodeProto } from '../proto/types.js';
import { hostFromTensorProto } from '../tensor-proto.js';

const TYPE_NAMES: Record<number, string> = {
  1: 'FLOAT',
  2: 'INT',
  3: 'STRING',
  4: 'TENSOR',
  5: 'GRAPH',
  6: 'FLOATS',
  7: 'INTS',
  8: 'STRINGS',
  11: 'SPARSE_TENSOR',
  13: 'TYPE_PROTO',
};

export class NodeView {
  readonly opType: string;
  /** How errors name the node: `LSTM node "/rnn/LSTM"`. */
  readonly label: string;
  private readonly attributes = new Map<string, AttributeProto>();
  private readonly read = new Set<string>();

  constructor(
    readonly node: NodeProto,
    readonly index: number,
    readonly opset: number,
  ) {
    this.opType = node.op_type ?? '';
    this.label = `${this.opType} node "${node.name ?? `#${index}`}"`;
    for (const a of node.attribute) {
      const name = a.name ?? '';
      if (a.ref_attr_name !== undefined && a.ref_attr_name !== '')
        throw this.error(`attribute ${name} refers to a function attribute; only plain graphs are supported`);
      if (this.attributes.has(name)) throw this.error(`attribute ${name} is given twice`);
      this.attributes.set(name, a);
    }
  }

  error(message: string): GatedError {
    return new GatedError('importOnnx', `${this.label}: ${message}`);
  }

  /** Input `k`'s name, or '' when absent (ONNX marks skipped optional inputs with ''). */
  input(k: number): string {
    return this.node.input[k] ?? '';
  }

  private attr(name: string, type: number): AttributeProto | undefined {
    const a = this.attributes.get(name);
    this.read.add(name);
    if (a === undefined) return undefined;
    if (a.type !== undefined && a.type !== type) {
      throw this.error(`attribute ${name} should be ${TYPE_NAMES[type]}, the file has ${TYPE_NAMES[a.type] ?? String(a.type)}`);
    }
    return a;
  }

  has(name: string): boolean {
    return this.attributes.has(name);
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    return this.attr(name, AttributeType.INT)?.i ?? (this.attributes.has(name) ? 0 : fallback);
  }

  float(name: string, fallback?: number): number | undefined {
    return this.attr(name, AttributeType.FLOAT)?.f ?? (this.attributes.has(name) ? 0 : fallback);
  }

  ints(name: string): number[] | undefined {
    return this.attr(name, AttributeType.INTS)?.ints;
  }

  floats(name: string): number[] | undefined {
    return this.attr(name, AttributeType.FLOATS)?.floats;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    const a = this.attr(name, AttributeType.STRING);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : fallback;
  }

  strings(name: string): string[] | undefined {
    return this.attr(name, AttributeType.STRINGS)?.strings.map((s) => new TextDecoder().decode(s));
  }

  tensor(name: string): HostValue | undefined {
    const a = this.attr(name, AttributeType.TENSOR);
    return a?.t ? hostFromTensorProto('importOnnx', a.t, `${this.label}'s attribute ${name}`) : undefined;
  }

  /** Refuses any attribute not read so far: call after reading every attribute the op supports. */
  finish(): void {
    const unread = [...this.attributes.keys()].filter((name) => !this.read.has(name));
    if (unread.length > 0)
      throw this.error(`attribute${unread.length > 1 ? 's' : ''} ${unread.join(', ')} ${unread.length > 1 ? 'are' : 'is'} not supported`);
  }
}

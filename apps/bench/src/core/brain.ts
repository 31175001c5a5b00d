/**
 * brain.js 1.6.1 as a peer: `brain.recurrent.LSTMTimeStep` runs one sequence at a time (no
 * batching) and trains with its own RMSprop on a next-step loss, so it is measured on inference
 * with batch 1 only. The weights are the same (one [H, in] matrix per gate, the two PyTorch biases
 * summed), the output connector is the identity so the last output is the last hidden state.
 *
 * brain.js's LSTM is not PyTorch's: its cell update reads the previous *hidden* state where the
 * LSTM equations read the previous cell state (`c_t = f ⊙ h_{t-1} + i ⊙ g`, lstm.js
 * `retainCell`), so its output differs from backend-ts by design. The check still runs and its
 * error is reported, and the row is marked not comparable rather than dropped.
 */
import type { Outputs, Reference } from './check.js';
import { addArrays, gateBlock, type LstmData } from './data.js';
import { openPrepared } from './measure.js';
import { SkipError, type Session, type Method, type Prepared, type SpecData, type Target } from './target.js';
import type { Spec } from './types.js';

interface BrainMatrix {
  rows: number;
  columns: number;
  weights: Float32Array;
}

interface BrainLstm {
  initialize(): void;
  bindEquation(): void;
  run(input: Float32Array[]): Float32Array;
  model: {
    hiddenLayers: Record<string, BrainMatrix>[];
    outputConnector: BrainMatrix;
    output: BrainMatrix;
  };
}

export interface BrainModule {
  recurrent: { LSTMTimeStep: new (options: { inputSize: number; hiddenLayers: number[]; outputSize: number }) => unknown };
}

export const BRAIN_NOT_COMPARABLE =
  "brain.js's LSTM cell update uses the previous hidden state where PyTorch uses the previous cell state (c_t = f⊙h_{t-1} + i⊙g), so it computes a different function; timed for speed only";

/** The last step of a time-major [T, B, H] output, for batch 1. */
function lastStep(output: Float32Array, hidden: number): Float32Array {
  return output.slice(output.length - hidden);
}

export class BrainTarget implements Target {
  readonly name = 'brainjs';
  readonly group = 'peer' as const;
  threads = 1;
  note?: string;

  constructor(private readonly brain: BrainModule) {}

  supports(spec: Spec): string | null {
    if (spec.kind === 'micro') return 'brain.js exposes no tensor ops, cell or optimizer to time on their own';
    if (spec.mode === 'train')
      return 'brain.js trains one sequence at a time with its own RMSprop and next-step loss: no batched MSE + Adam step to compare';
    if (spec.batch !== 1) return 'brain.js has no batching (one sequence per run); measured at batch 1 only';
    if (spec.cell === 'gru' || spec.proj || spec.returnGates) return 'brain.js is measured on the plain LSTM only';
    return null;
  }

  async open(spec: Spec, data: SpecData, reference: Reference, method: Method): Promise<Session> {
    if (spec.kind === 'micro' || !data) throw new SkipError(this.supports(spec) ?? 'no data');
    const prepared = this.prepare(data);
    const hidden = spec.hidden;
    // brain.js returns the last output only: compare it with the reference's last step.
    if (reference.block) throw new SkipError('no whole-sequence reference to compare the last step with');
    const lastReference: Reference = { outputs: { output: lastStep(reference.outputs['output']!, hidden) }, block: null };
    return openPrepared(spec, prepared, lastReference, method, { notComparable: BRAIN_NOT_COMPARABLE });
  }

  private prepare(d: LstmData): Prepared {
    const { seq: T, input: I, hidden: H } = d.spec;
    const net = new this.brain.recurrent.LSTMTimeStep({ inputSize: I, hiddenLayers: [H], outputSize: H }) as BrainLstm;
    net.initialize();
    net.bindEquation();
    const layer = net.model.hiddenLayers[0]!;
    const bias = addArrays(d.biasIh, d.biasHh);
    const gates = [
      ['inputMatrix', 'inputHidden', 'inputBias'],
      ['forgetMatrix', 'forgetHidden', 'forgetBias'],
      ['cellActivationMatrix', 'cellActivationHidden', 'cellActivationBias'],
      ['outputMatrix', 'outputHidden', 'outputBias'],
    ] as const;
    gates.forEach(([wx, wh, b], gate) => {
      layer[wx]!.weights.set(gateBlock(d.weightIh, gate, H, I));
      layer[wh]!.weights.set(gateBlock(d.weightHh, gate, H, H));
      layer[b]!.weights.set(gateBlock(bias, gate, H, 1));
    });
    const connector = net.model.outputConnector.weights;
    connector.fill(0);
    for (let i = 0; i < H; i++) connector[i * H + i] = 1;
    net.model.output.weights.fill(0);
    const input: Float32Array[] = [];
    for (let t = 0; t < T; t++) input.push(d.x.slice(t * I, (t + 1) * I));
    const step = () => {
      net.run(input);
    };
    return {
      step,
      sync: () => Promise.resolve(),
      outputs: (): Promise<Outputs> => Promise.resolve({ output: Float32Array.from(net.run(input)) }),
      peakBytes: () => {
        step();
        return Promise.resolve(null);
      },
      dispatches: () => null,
      dispose: () => undefined,
    };
  }
}

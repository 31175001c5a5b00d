/**
 * The gate inspector's numbers. One forward pass over the text with `returnGates` gives every
 * step's gates and cell states per layer (read from the backend); the hidden state is
 * h = o · tanh(c). `stepBreakdown` writes one step of one unit out the way the equations are
 * taught, with the pre-activations recomputed on the host from the weights (float64), so the page
 * shows σ(z) next to the gate the backend computed. `saliency` differentiates the predicted next
 * character's log-probability with respect to every embedded input (autograd).
 */
import { noGrad } from '@gated/autograd';
import { GatedError, dispose, logSoftmax, narrow, reshape, sum, tensor, tidy } from '@gated/tensor';
import type { CharModel } from './char-model.js';
import type { LayerTrace, StepBreakdown, Trace } from './trace.js';

export { SIGNALS, type LayerTrace, type Signal, type StepBreakdown, type Trace } from './trace.js';

export const MAX_INSPECT_LENGTH = 600;

function ids(model: CharModel, text: string, op: string): Int32Array {
  const chars = Array.from(text);
  if (chars.length < 2) throw new GatedError(op, 'type at least 2 characters the model knows');
  if (chars.length > MAX_INSPECT_LENGTH) throw new GatedError(op, `at most ${MAX_INSPECT_LENGTH} characters, got ${chars.length}`);
  return model.vocab.encode(text);
}

/** Gates, cell and hidden states of every layer for `text` (characters the model knows). */
export async function traceText(model: CharModel, text: string): Promise<Trace> {
  const x = ids(model, text, 'traceText');
  const T = x.length;
  const H = model.config.hiddenSize;
  const input = tensor(x, { shape: [1, T], dtype: 'int32' });
  const result = noGrad(() =>
    tidy(() => {
      const out = model.lstm.forward(model.embed.forward(input), { returnGates: true });
      const logits = model.head.forward(narrow(reshape(out.output, [T, H]), 0, T - 1, 1));
      return { gates: out.gates!, logProbabilities: logSoftmax(logits, -1) };
    }),
  );
  input.dispose();
  try {
    const layers: LayerTrace[] = [];
    for (const g of result.gates) {
      const [i, f, c, o, cs] = await Promise.all([g.input, g.forget, g.cell, g.output, g.cellState].map((t) => t.data()));
      const output = o as Float32Array;
      const cell = cs as Float32Array;
      const hidden = new Float32Array(T * H);
      for (let k = 0; k < hidden.length; k++) hidden[k] = output[k]! * Math.tanh(cell[k]!);
      layers.push({ input: i as Float32Array, forget: f as Float32Array, candidate: c as Float32Array, output, cell, hidden });
    }
    const lp = (await result.logProbabilities.data()) as Float32Array;
    const next = Array.from(lp, (v, k) => ({ char: model.vocab.chars[k]!, p: Math.exp(v) }))
      .sort((a, b) => b.p - a.p)
      .slice(0, 5);
    return { chars: Array.from(text), hiddenSize: H, layers, next };
  } finally {
    for (const g of result.gates) dispose([g.input, g.forget, g.cell, g.output, g.cellState]);
    result.logProbabilities.dispose();
  }
}

/** Host copies of the weights one layer's step needs. */
export interface LayerWeights {
  readonly weightIh: Float32Array;
  readonly weightHh: Float32Array;
  readonly bias: Float64Array;
  readonly inputSize: number;
}

export async function layerWeights(model: CharModel, layer: number): Promise<LayerWeights> {
  const dict = model.lstm.stateDict();
  try {
    const [wih, whh, bih, bhh] = await Promise.all(
      [`weight_ih_l${layer}`, `weight_hh_l${layer}`, `bias_ih_l${layer}`, `bias_hh_l${layer}`].map((k) => dict[k]!.data()),
    );
    const bias = Float64Array.from(bih as Float32Array, (v, k) => v + (bhh as Float32Array)[k]!);
    return { weightIh: wih as Float32Array, weightHh: whh as Float32Array, bias, inputSize: dict[`weight_ih_l${layer}`]!.shape[1]! };
  } finally {
    dispose(Object.values(dict));
  }
}

/** The embedding rows of `text` (layer 0's inputs), `[T × E]`. */
export async function embeddedRows(model: CharModel, text: string): Promise<Float32Array> {
  const dict = model.embed.stateDict();
  let weight: Float32Array;
  try {
    weight = (await dict['weight']!.data()) as Float32Array;
  } finally {
    dispose(Object.values(dict));
  }
  const E = model.config.embedSize;
  const x = model.vocab.encode(text);
  const out = new Float32Array(x.length * E);
  for (let t = 0; t < x.length; t++) out.set(weight.subarray(x[t]! * E, (x[t]! + 1) * E), t * E);
  return out;
}

export function stepBreakdown(
  trace: Trace,
  embedded: Float32Array,
  weights: LayerWeights,
  layer: number,
  t: number,
  unit: number,
): StepBreakdown {
  const H = trace.hiddenSize;
  const T = trace.chars.length;
  if (!(t >= 0 && t < T && unit >= 0 && unit < H))
    throw new GatedError('stepBreakdown', `step ${t} of ${T}, unit ${unit} of ${H}: out of range`);
  const here = trace.layers[layer]!;
  const x =
    layer === 0
      ? embedded.subarray(t * weights.inputSize, (t + 1) * weights.inputSize)
      : trace.layers[layer - 1]!.hidden.subarray(t * H, (t + 1) * H);
  const hPrev = t > 0 ? here.hidden.subarray((t - 1) * H, t * H) : new Float32Array(H);
  const pre = (gate: number): number => {
    const row = gate * H + unit;
    let z = weights.bias[row]!;
    for (let k = 0; k < weights.inputSize; k++) z += weights.weightIh[row * weights.inputSize + k]! * x[k]!;
    for (let k = 0; k < H; k++) z += weights.weightHh[row * H + k]! * hPrev[k]!;
    return z;
  };
  const at = t * H + unit;
  return {
    layer,
    t,
    unit,
    z: { i: pre(0), f: pre(1), g: pre(2), o: pre(3) },
    gates: { i: here.input[at]!, f: here.forget[at]!, g: here.candidate[at]!, o: here.output[at]! },
    cPrev: t > 0 ? here.cell[at - H]! : 0,
    c: here.cell[at]!,
    h: here.hidden[at]!,
  };
}

/**
 * How much each input drives the prediction: the gradient of log p(predicted next character)
 * with respect to each step's embedded input, as its L2 norm per step (normalized to max 1 in
 * the page). Returns the predicted character too.
 */
export async function saliency(model: CharModel, text: string): Promise<{ readonly predicted: string; readonly norms: Float32Array }> {
  const x = ids(model, text, 'saliency');
  const T = x.length;
  const E = model.config.embedSize;
  const rows = await embeddedRows(model, text);
  const embedded = tensor(rows, { shape: [1, T, E], requiresGrad: true });
  let predicted = 0;
  try {
    const logProbabilities = tidy(() => {
      const { logits } = model.forwardEmbedded(embedded);
      return logSoftmax(reshape(narrow(logits, 1, T - 1, 1), [model.vocab.size]), -1);
    });
    const lp = (await logProbabilities.data()) as Float32Array;
    for (let k = 1; k < lp.length; k++) if (lp[k]! > lp[predicted]!) predicted = k;
    const objective = tidy(() => sum(narrow(logProbabilities, 0, predicted, 1)));
    logProbabilities.dispose();
    objective.backward();
    objective.dispose();
    const grad = await embedded.grad!.data();
    const norms = new Float32Array(T);
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let k = 0; k < E; k++) s += grad[t * E + k]! ** 2;
      norms[t] = Math.sqrt(s);
    }
    return { predicted: model.vocab.chars[predicted]!, norms };
  } finally {
    embedded.grad?.dispose();
    embedded.dispose();
    model.zeroGrad();
  }
}

/**
 * An independent float64 forward pass of the demo's char model, straight from safetensors bytes:
 * embedding rows, then every LSTM layer step by step (PyTorch's equations, gate order i, f, g, o),
 * no Gated code beyond the file parser. The tests compare the page's and the worker's numbers
 * with it.
 */
import { parseSafetensors } from '@gated/lstm';

export interface ReferenceStep {
  readonly z: { i: number; f: number; g: number; o: number };
  readonly gates: { i: number; f: number; g: number; o: number };
  readonly cPrev: number;
  readonly c: number;
  readonly h: number;
}

export interface ReferenceModel {
  readonly chars: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  /** steps[layer][t][unit] */
  run(text: string): { steps: ReferenceStep[][][]; logits: Float64Array };
  /** The embedding rows of `text`, to perturb for finite differences. */
  embed(text: string): Float64Array[];
  /** Next-character logits after the last of `inputs` (embedded vectors). */
  logitsFrom(inputs: Float64Array[]): Float64Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function referenceModel(bytes: Uint8Array): ReferenceModel {
  const { tensors, metadata } = parseSafetensors(bytes);
  const config = JSON.parse(metadata['config']!) as { chars: string; embedSize: number; hiddenSize: number; numLayers: number };
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`missing ${name}`);
    return t;
  };
  const H = config.hiddenSize;
  const chars = Array.from(config.chars);
  return {
    chars: config.chars,
    hiddenSize: H,
    numLayers: config.numLayers,
    embed,
    logitsFrom: (inputs) => forward(inputs).logits,
    run: (text) => forward(embed(text)),
  };

  function embed(text: string): Float64Array[] {
    const E = config.embedSize;
    const weight = get('embed.weight').data;
    return Array.from(text, (ch) => {
      const id = chars.indexOf(ch);
      if (id < 0) throw new Error(`unknown character ${JSON.stringify(ch)}`);
      return Float64Array.from(weight.subarray(id * E, (id + 1) * E));
    });
  }

  function forward(embedded: Float64Array[]): { steps: ReferenceStep[][][]; logits: Float64Array } {
    let inputs = embedded;
    const steps: ReferenceStep[][][] = [];
    for (let l = 0; l < config.numLayers; l++) {
      const wih = get(`lstm.weight_ih_l${l}`).data;
      const whh = get(`lstm.weight_hh_l${l}`).data;
      const bih = get(`lstm.bias_ih_l${l}`).data;
      const bhh = get(`lstm.bias_hh_l${l}`).data;
      const I = inputs[0]!.length;
      let h = new Float64Array(H);
      let c = new Float64Array(H);
      const layerSteps: ReferenceStep[][] = [];
      const outputs: Float64Array[] = [];
      for (const x of inputs) {
        const z = new Float64Array(4 * H);
        for (let r = 0; r < 4 * H; r++) {
          let s = bih[r]! + bhh[r]!;
          for (let k = 0; k < I; k++) s += wih[r * I + k]! * x[k]!;
          for (let k = 0; k < H; k++) s += whh[r * H + k]! * h[k]!;
          z[r] = s;
        }
        const nh = new Float64Array(H);
        const nc = new Float64Array(H);
        const units: ReferenceStep[] = [];
        for (let u = 0; u < H; u++) {
          const zi = z[u]!;
          const zf = z[H + u]!;
          const zg = z[2 * H + u]!;
          const zo = z[3 * H + u]!;
          const gi = sigmoid(zi);
          const gf = sigmoid(zf);
          const gg = Math.tanh(zg);
          const go = sigmoid(zo);
          nc[u] = gf * c[u]! + gi * gg;
          nh[u] = go * Math.tanh(nc[u]!);
          units.push({ z: { i: zi, f: zf, g: zg, o: zo }, gates: { i: gi, f: gf, g: gg, o: go }, cPrev: c[u]!, c: nc[u]!, h: nh[u]! });
        }
        layerSteps.push(units);
        outputs.push(nh);
        h = nh;
        c = nc;
      }
      steps.push(layerSteps);
      inputs = outputs;
    }
    const hw = get('head.weight').data;
    const hb = get('head.bias').data;
    const last = inputs.at(-1)!;
    const logits = new Float64Array(chars.length);
    for (let v = 0; v < chars.length; v++) {
      let s = hb[v]!;
      for (let k = 0; k < H; k++) s += hw[v * H + k]! * last[k]!;
      logits[v] = s;
    }
    return { steps, logits };
  }
}

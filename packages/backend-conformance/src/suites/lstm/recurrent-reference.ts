/**
 * A float64 reference of the recurrences PyTorch lacks, independent of `@gated/tensor` and of
 * every backend: GRU with the reset gate before the recurrent matmul (`linearBeforeReset:
 * false`, ONNX's default form) and LSTM with peepholes (ONNX's `P`), stacked, bidirectional, with
 * lengths, initial states and (LSTM) a projection. Plain loops over `Float64Array`s; the suite
 * differentiates them by central differences.
 */

/** A layer's parameters in float64, by PyTorch name (`weight_ih_l0`, `weight_peephole_l1_reverse`, ...). */
export type Float64Params = ReadonlyMap<string, Float64Array>;

export interface ReferenceConfig {
  readonly cell: 'gru_reset_before' | 'lstm_peephole';
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** 0: none. */
  readonly projSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly steps: number;
  readonly batch: number;
}

export interface ReferenceInputs {
  /** `[T, B, I]`, time-major. */
  readonly x: Float64Array;
  /** `[L·D, B, P]`. */
  readonly h0: Float64Array;
  /** `[L·D, B, H]` (LSTM). */
  readonly c0: Float64Array | null;
  readonly lengths: readonly number[] | null;
}

export interface ReferenceOutputs {
  /** `[T, B, D·P]`. */
  readonly output: Float64Array;
  readonly h: Float64Array;
  readonly c: Float64Array | null;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** `out[r] = b[r] + Σ_k W[r, k] · v[k]` for rows [from, from + count) of a row-major W with `cols` columns. */
function affine(
  W: Float64Array,
  cols: number,
  v: ArrayLike<number>,
  from: number,
  count: number,
  bias: Float64Array | undefined,
): Float64Array {
  const out = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    let total = bias ? bias[from + r]! : 0;
    for (let k = 0; k < cols; k++) total += W[(from + r) * cols + k]! * v[k]!;
    out[r] = total;
  }
  return out;
}

interface Direction {
  readonly wih: Float64Array;
  readonly whh: Float64Array;
  readonly bih: Float64Array | undefined;
  readonly bhh: Float64Array | undefined;
  readonly whr: Float64Array | undefined;
  readonly peephole: Float64Array | undefined;
}

/** One step of one sequence: the new h (width P) and c (LSTM). */
function step(
  config: ReferenceConfig,
  p: Direction,
  x: Float64Array,
  h: Float64Array,
  c: Float64Array | null,
): { h: Float64Array; c: Float64Array | null } {
  const H = config.hiddenSize;
  const I = x.length;
  if (config.cell === 'gru_reset_before') {
    const gx = affine(p.wih, I, x, 0, 3 * H, p.bih);
    const gh = affine(p.whh, H, h, 0, 2 * H, p.bhh);
    const r = Array.from({ length: H }, (_, j) => sigmoid(gx[j]! + gh[j]!));
    const z = Array.from({ length: H }, (_, j) => sigmoid(gx[H + j]! + gh[H + j]!));
    const hn = affine(
      p.whh,
      H,
      h.map((v, j) => r[j]! * v),
      2 * H,
      H,
      p.bhh,
    );
    return {
      h: h.map((v, j) => {
        const n = Math.tanh(gx[2 * H + j]! + hn[j]!);
        return (1 - z[j]!) * n + z[j]! * v;
      }),
      c: null,
    };
  }
  const P = h.length;
  const gx = affine(p.wih, I, x, 0, 4 * H, p.bih);
  const gh = affine(p.whh, P, h, 0, 4 * H, p.bhh);
  const pre = gx.map((v, k) => v + gh[k]!);
  const peep = p.peephole!;
  const cNew = new Float64Array(H);
  const m = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const i = sigmoid(pre[j]! + peep[j]! * c![j]!);
    const f = sigmoid(pre[H + j]! + peep[H + j]! * c![j]!);
    const g = Math.tanh(pre[2 * H + j]!);
    cNew[j] = f * c![j]! + i * g;
    const o = sigmoid(pre[3 * H + j]! + peep[2 * H + j]! * cNew[j]!);
    m[j] = o * Math.tanh(cNew[j]!);
  }
  return { h: p.whr ? affine(p.whr, H, m, 0, P, undefined) : m, c: cNew };
}

/** Runs the whole stack; padded steps give 0 and keep the state. */
export function referenceForward(config: ReferenceConfig, params: Float64Params, inputs: ReferenceInputs): ReferenceOutputs {
  const { steps: T, batch: B, hiddenSize: H } = config;
  const P = config.projSize > 0 ? config.projSize : H;
  const D = config.bidirectional ? 2 : 1;
  const lengths = inputs.lengths ?? Array.from({ length: B }, () => T);
  const hN = new Float64Array(config.numLayers * D * B * P);
  const cN = inputs.c0 ? new Float64Array(config.numLayers * D * B * H) : null;
  let layerInput = inputs.x;
  let width = config.inputSize;
  for (let layer = 0; layer < config.numLayers; layer++) {
    const out = new Float64Array(T * B * D * P);
    for (let d = 0; d < D; d++) {
      const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
      const p: Direction = {
        wih: params.get(`weight_ih${suffix}`)!,
        whh: params.get(`weight_hh${suffix}`)!,
        bih: params.get(`bias_ih${suffix}`),
        bhh: params.get(`bias_hh${suffix}`),
        whr: params.get(`weight_hr${suffix}`),
        peephole: params.get(`weight_peephole${suffix}`),
      };
      const index = layer * D + d;
      for (let b = 0; b < B; b++) {
        let h: Float64Array = inputs.h0.slice((index * B + b) * P, (index * B + b + 1) * P);
        let c: Float64Array | null = inputs.c0 ? inputs.c0.slice((index * B + b) * H, (index * B + b + 1) * H) : null;
        for (let s = 0; s < lengths[b]!; s++) {
          const t = d === 1 ? lengths[b]! - 1 - s : s;
          const next = step(config, p, layerInput.slice((t * B + b) * width, (t * B + b + 1) * width), h, c);
          h = next.h;
          c = next.c;
          out.set(h, (t * B + b) * D * P + d * P);
        }
        hN.set(h, (index * B + b) * P);
        if (cN && c) cN.set(c, (index * B + b) * H);
      }
    }
    layerInput = out;
    width = D * P;
  }
  return { output: layerInput, h: hN, c: cN };
}

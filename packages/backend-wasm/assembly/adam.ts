/**
 * One Adam / AdamW update in place, following PyTorch's single-tensor step as the reference
 * backend does: float64 arithmetic, moments rounded to float32 when stored and read back from
 * the stored values, the parameter rounded once. Four elements at a time as two f64x2 halves,
 * with the same IEEE operations in the same order as the scalar tail, so results are identical.
 */
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
}

@inline function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Rounds two f64x2 halves to one f32x4. */
@inline function join(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

export function adamStep(
  param: usize, grad: usize, m: usize, v: usize, vMax: usize, count: i32,
  stepSize: f64, biasCorrection2Sqrt: f64, beta1: f64, beta2: f64, eps: f64, weightDecay: f64,
  decay: f64, coupled: bool, maximize: bool,
): void {
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  const vBeta1 = f64x2.splat(beta1), vOneMinusBeta1 = f64x2.splat(oneMinusBeta1);
  const vBeta2 = f64x2.splat(beta2), vOneMinusBeta2 = f64x2.splat(oneMinusBeta2);
  const vDecay = f64x2.splat(decay), vWeightDecay = f64x2.splat(weightDecay);
  const vStep = f64x2.splat(stepSize), vCorrection = f64x2.splat(biasCorrection2Sqrt), vEps = f64x2.splat(eps);
  const scale = decay != 1;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const p4 = v128.load(param + o);
    let g4 = v128.load(grad + o);
    if (maximize) g4 = f32x4.neg(g4);
    let pl = low(p4), ph = high(p4);
    let gl = low(g4), gh = high(g4);
    if (coupled) {
      gl = f64x2.add(gl, f64x2.mul(vWeightDecay, pl));
      gh = f64x2.add(gh, f64x2.mul(vWeightDecay, ph));
    } else if (scale) {
      pl = f64x2.mul(pl, vDecay);
      ph = f64x2.mul(ph, vDecay);
    }
    const m4 = v128.load(m + o);
    const mi = join(
      f64x2.add(f64x2.mul(vBeta1, low(m4)), f64x2.mul(vOneMinusBeta1, gl)),
      f64x2.add(f64x2.mul(vBeta1, high(m4)), f64x2.mul(vOneMinusBeta1, gh)),
    );
    const v4 = v128.load(v + o);
    const vi = join(
      f64x2.add(f64x2.mul(vBeta2, low(v4)), f64x2.mul(f64x2.mul(vOneMinusBeta2, gl), gl)),
      f64x2.add(f64x2.mul(vBeta2, high(v4)), f64x2.mul(f64x2.mul(vOneMinusBeta2, gh), gh)),
    );
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    let second = vi;
    if (vMax != 0) {
      const previous = v128.load(vMax + o);
      second = v128.bitselect(vi, previous, v128.or(f32x4.gt(vi, previous), f32x4.ne(vi, vi)));
      v128.store(vMax + o, second);
    }
    const denominatorL = f64x2.add(f64x2.div(f64x2.sqrt(low(second)), vCorrection), vEps);
    const denominatorH = f64x2.add(f64x2.div(f64x2.sqrt(high(second)), vCorrection), vEps);
    v128.store(param + o, join(
      f64x2.sub(pl, f64x2.mul(vStep, f64x2.div(low(mi), denominatorL))),
      f64x2.sub(ph, f64x2.mul(vStep, f64x2.div(high(mi), denominatorH))),
    ));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    let p = <f64>load<f32>(param + o);
    let g = <f64>load<f32>(grad + o);
    if (maximize) g = -g;
    if (coupled) g += weightDecay * p;
    else if (scale) p *= decay;
    const mi = <f32>(beta1 * <f64>load<f32>(m + o) + oneMinusBeta1 * g);
    const vi = <f32>(beta2 * <f64>load<f32>(v + o) + oneMinusBeta2 * g * g);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    let second = vi;
    if (vMax != 0) {
      const previous = load<f32>(vMax + o);
      if (second > previous || second != second) store<f32>(vMax + o, second);
      second = load<f32>(vMax + o);
    }
    store<f32>(param + o, <f32>(p - stepSize * (<f64>mi / (Math.sqrt(<f64>second) / biasCorrection2Sqrt + eps))));
  }
}

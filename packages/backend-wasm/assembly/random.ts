/**
 * The shared random stream (`randomValue` of `@gated/backend-api`): Threefry-2x32-20 keyed by
 * (k0, k1), element i from counter (i, 0). uniform and bernoulli are bit-identical to the host;
 * normal uses float64 log, sqrt and cos and rounds once.
 */
const UNIT: f64 = 1.0 / 16777216.0;

/** Distribution codes, named as the `kind`s of `RandomSpec` in @gated/backend-api (read by name). */
export enum RandomKind {
  uniform,
  normal,
  bernoulli,
}

@inline function rotl(x: u32, r: u32): u32 {
  return (x << r) | (x >> (32 - r));
}

export function random(kind: i32, out: usize, count: i32, k0: u32, k1: u32, p0: f64, p1: f64): void {
  const k2 = k0 ^ k1 ^ 0x1bd11bda;
  const lowF = <f32>p0;
  const rangeF = <f32>(<f32>p1 - lowF);
  for (let i = 0; i < count; i++) {
    let x0 = <u32>i + k0;
    let x1 = k1;
    // Five groups of four rounds; key injection after each group.
    x0 += x1; x1 = rotl(x1, 13) ^ x0; x0 += x1; x1 = rotl(x1, 15) ^ x0;
    x0 += x1; x1 = rotl(x1, 26) ^ x0; x0 += x1; x1 = rotl(x1, 6) ^ x0;
    x0 += k1; x1 += k2 + 1;
    x0 += x1; x1 = rotl(x1, 17) ^ x0; x0 += x1; x1 = rotl(x1, 29) ^ x0;
    x0 += x1; x1 = rotl(x1, 16) ^ x0; x0 += x1; x1 = rotl(x1, 24) ^ x0;
    x0 += k2; x1 += k0 + 2;
    x0 += x1; x1 = rotl(x1, 13) ^ x0; x0 += x1; x1 = rotl(x1, 15) ^ x0;
    x0 += x1; x1 = rotl(x1, 26) ^ x0; x0 += x1; x1 = rotl(x1, 6) ^ x0;
    x0 += k0; x1 += k1 + 3;
    x0 += x1; x1 = rotl(x1, 17) ^ x0; x0 += x1; x1 = rotl(x1, 29) ^ x0;
    x0 += x1; x1 = rotl(x1, 16) ^ x0; x0 += x1; x1 = rotl(x1, 24) ^ x0;
    x0 += k1; x1 += k2 + 4;
    x0 += x1; x1 = rotl(x1, 13) ^ x0; x0 += x1; x1 = rotl(x1, 15) ^ x0;
    x0 += x1; x1 = rotl(x1, 26) ^ x0; x0 += x1; x1 = rotl(x1, 6) ^ x0;
    x0 += k2; x1 += k0 + 5;
    const u = <f64>(x0 >> 8) * UNIT;
    let value: f32;
    if (kind == RandomKind.uniform) {
      value = lowF + <f32>(rangeF * <f32>u);
    } else if (kind == RandomKind.normal) {
      const radius = Math.sqrt(-2 * Math.log(1 - u));
      value = <f32>(p0 + p1 * radius * Math.cos(2 * Math.PI * (<f64>(x1 >> 8) * UNIT)));
    } else {
      value = u < p0 ? 1 : 0;
    }
    store<f32>(out + (<usize>i << 2), value);
  }
}

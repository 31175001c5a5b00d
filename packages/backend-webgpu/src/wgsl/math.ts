/**
 * Float32 math in WGSL that does not depend on the driver. WGSL's builtins promise little (`exp`
 * 3 + 2|x| ulp, `sin`/`cos` 2^-11 absolute, `tanh` is NaN for large |x| on SwiftShader, an
 * implementation may assume NaN and ∞ never occur, and subnormals may be flushed), so every
 * function here:
 * - tests NaN, ±∞, ±0 and subnormals on the bits, never with float compares a compiler could fold;
 * - computes with Cephes' single-precision polynomials (Moshier, netlib `cephes/single`) and
 *   Cody–Waite argument reduction, about 1–2 ulp on the ranges that matter;
 * - builds powers of two from bits (`f_ldexp`), so nothing overflows in between.
 * Constants that are NaN or ∞ are read from private variables: a constant expression that
 * evaluates to NaN or ∞ is a shader-creation error in WGSL.
 */

interface MathFunction {
  readonly deps: readonly string[];
  readonly code: string;
}

const FUNCTIONS: Record<string, MathFunction> = {
  base: {
    deps: [],
    code: /* wgsl */ `
var<private> F_INF_BITS: u32 = 0x7f800000u;
var<private> F_NAN_BITS: u32 = 0x7fc00000u;
fn f_inf() -> f32 { return bitcast<f32>(F_INF_BITS); }
fn f_nan() -> f32 { return bitcast<f32>(F_NAN_BITS); }
fn f_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn f_isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn f_isfinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn f_iszero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0u; }
fn f_signbit(x: f32) -> bool { return (bitcast<u32>(x) >> 31u) == 1u; }
fn f_abs(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) & 0x7fffffffu); }
fn f_neg(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ 0x80000000u); }
fn f_copysign(magnitude: f32, sign: f32) -> f32 {
  return bitcast<f32>((bitcast<u32>(magnitude) & 0x7fffffffu) | (bitcast<u32>(sign) & 0x80000000u));
}
// A key that orders non-NaN floats by value on integer compares: exact whatever the hardware does
// with subnormals, and -0 == +0.
fn f_key(x: f32) -> i32 {
  let b = bitcast<i32>(x);
  if ((b & 0x7fffffffi) == 0i) { return 0i; }
  return select(b, b ^ 0x7fffffffi, b < 0i);
}
// x * 2^n for n in [-160, 130], in two steps so that no factor overflows or is subnormal.
fn f_ldexp(x: f32, n: i32) -> f32 {
  let m = clamp(n, -160i, 130i);
  let n1 = m / 2i;
  let n2 = m - n1;
  return x * bitcast<f32>(u32(n1 + 127i) << 23u) * bitcast<f32>(u32(n2 + 127i) << 23u);
}
`,
  },
  div: {
    deps: ['base'],
    code: /* wgsl */ `
// GPUs may divide as a * (1 / b), which flushes 1 / b to 0 when |b| > 2^126: scale such b first.
fn f_div(a: f32, b: f32) -> f32 {
  if (f_abs(b) > 8.5070592e37 && f_isfinite(b)) { return (a * 0.25) / (b * 0.25); }
  return a / b;
}
`,
  },
  rounding: {
    deps: ['base'],
    code: /* wgsl */ `
// floor, ceil and round (half to even) exact on the bits for zeros and subnormals, which a GPU
// may flush to zero before the builtin sees them.
fn f_floor(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7f800000u) == 0u) {
    if ((b & 0x7fffffffu) == 0u) { return x; }
    return select(0.0, -1.0, (b >> 31u) == 1u);
  }
  if (!f_isfinite(x)) { return x; }
  return floor(x);
}
fn f_ceil(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7f800000u) == 0u) {
    if ((b & 0x7fffffffu) == 0u || (b >> 31u) == 1u) { return bitcast<f32>(b & 0x80000000u); }
    return 1.0;
  }
  if (!f_isfinite(x)) { return x; }
  return ceil(x);
}
fn f_round(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7f800000u) == 0u) { return bitcast<f32>(b & 0x80000000u); }
  if (!f_isfinite(x) || f_abs(x) >= 8388608.0) { return x; }
  // Round half to even by hand: WGSL's round() promises it, but not every driver delivers.
  let fl = floor(x);
  let diff = x - fl;
  if (diff > 0.5) { return f_copysign(fl + 1.0, x); }
  if (diff < 0.5) { return f_copysign(fl, x); }
  let even = fl - 2.0 * floor(fl * 0.5) == 0.0;
  return f_copysign(select(fl + 1.0, fl, even), x);
}
`,
  },
  exp: {
    deps: ['base'],
    code: /* wgsl */ `
// Cephes expf: x = n ln2 + r with |r| <= ln2/2 (Cody-Waite), e^r by a degree-7 polynomial.
fn f_exp(x: f32) -> f32 {
  if (f_isnan(x)) { return x; }
  if (x > 88.72283935546875) { return f_inf(); }
  if (x < -103.972084) { return 0.0; }
  let n = floor(x * 1.44269504088896341 + 0.5);
  let r = (x - n * 0.693359375) + n * 2.12194440e-4;
  let z = r * r;
  let p = ((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1;
  return f_ldexp(p * z + r + 1.0, i32(n));
}
`,
  },
  log: {
    deps: ['base'],
    code: /* wgsl */ `
// x = 2^e * (1 + m) with 1 + m in [sqrt(1/2), sqrt(2)), for x finite and > 0; subnormals are
// normalised on the integer bits.
fn f_log_split(x: f32) -> vec2<f32> {
  var b = bitcast<u32>(x);
  var e = i32((b >> 23u) & 0xffu) - 126i;
  if ((b & 0x7f800000u) == 0u) {
    let shift = countLeadingZeros(b) - 8u;
    b = (b << shift) & 0x007fffffu;
    e = -125i - i32(shift);
  }
  var m = bitcast<f32>((b & 0x007fffffu) | 0x3f000000u);
  if (m < 0.70710678118654752440) { e = e - 1i; m = m + m - 1.0; } else { m = m - 1.0; }
  return vec2<f32>(f32(e), m);
}
// ln(1 + m) - m for m in [sqrt(1/2) - 1, sqrt(2) - 1): Cephes logf's polynomial.
fn f_log1p_small(m: f32) -> f32 {
  let z = m * m;
  let y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m
    + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m
    + 3.3333331174e-1) * m * z;
  return y - 0.5 * z;
}
fn f_log(x: f32) -> f32 {
  if (f_isnan(x)) { return x; }
  if (f_iszero(x)) { return -f_inf(); }
  if (f_signbit(x)) { return f_nan(); }
  if (f_isinf(x)) { return x; }
  let s = f_log_split(x);
  let e = s.x;
  let m = s.y;
  return (m + (f_log1p_small(m) - 2.12194440e-4 * e)) + 0.693359375 * e;
}
`,
  },
  log1p: {
    deps: ['log'],
    code: /* wgsl */ `
// log(1 + x). Where 1 + x falls in [sqrt(1/2), sqrt(2)), x itself is the reduced argument of
// logf's polynomial, so no rounding of 1 + x is ever seen; elsewhere log(1 + x) is not small and
// rounding 1 + x costs at most an ulp. (The classic log(u)·x/(u - 1) trick is not used: shader
// compilers may simplify (1 + x) - 1 to x.)
fn f_log1p(x: f32) -> f32 {
  if (f_isnan(x)) { return x; }
  if (x > -0.29289321881 && x < 0.41421356237) {
    if (f_iszero(x)) { return x; }
    return x + f_log1p_small(x);
  }
  return f_log(1.0 + x);
}
`,
  },
  expm1: {
    deps: ['exp'],
    code: /* wgsl */ `
// e^x - 1. For |x| <= ln(2)/2, expf's own polynomial gives e^x - 1 = p(x)·x^2 + x with no
// cancellation; beyond, e^x - 1 is at least 0.29 in magnitude and subtracting 1 costs under an ulp.
fn f_expm1(x: f32) -> f32 {
  if (f_isnan(x) || f_iszero(x)) { return x; }
  if (f_abs(x) <= 0.34657359) {
    let p = ((((1.9875691500e-4 * x + 1.3981999507e-3) * x + 8.3334519073e-3) * x + 4.1665795894e-2) * x
      + 1.6666665459e-1) * x + 5.0000001201e-1;
    return p * (x * x) + x;
  }
  if (x > 88.72283935546875) { return f_inf(); }
  if (x < -17.5) { return -1.0; }
  return f_exp(x) - 1.0;
}
`,
  },
  tanh: {
    deps: ['exp'],
    code: /* wgsl */ `
// Cephes tanhf: an odd polynomial below 0.625, 1 - 2 / (e^2|x| + 1) above.
fn f_tanh(x: f32) -> f32 {
  if (f_isnan(x)) { return x; }
  let a = f_abs(x);
  if (a < 0.625) {
    let z = x * x;
    return ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z
      - 3.33332819422e-1) * z * x + x;
  }
  if (a > 10.0) { return f_copysign(1.0, x); }
  return f_copysign(1.0 - 2.0 / (f_exp(2.0 * a) + 1.0), x);
}
`,
  },
  sigmoid: {
    deps: ['exp'],
    code: /* wgsl */ `
// 1 / (1 + e^-x), in the form that neither overflows nor loses small results.
fn f_sigmoid(x: f32) -> f32 {
  if (f_isnan(x)) { return x; }
  if (x >= 0.0) { return 1.0 / (1.0 + f_exp(-x)); }
  let e = f_exp(x);
  return e / (1.0 + e);
}
`,
  },
  trig: {
    deps: ['base'],
    code: /* wgsl */ `
// Cephes sinf/cosf: reduce by multiples of pi/4 with a three-part pi/4 (exact for |x| < 8192,
// degrading beyond), then the sine or cosine polynomial of the octant.
fn f_sin_poly(z: f32) -> f32 {
  let zz = z * z;
  return ((-1.9515295891e-4 * zz + 8.3321608736e-3) * zz - 1.6666654611e-1) * zz * z + z;
}
fn f_cos_poly(z: f32) -> f32 {
  let zz = z * z;
  return ((2.443315711809948e-5 * zz - 1.388731625493765e-3) * zz + 4.166664568298827e-2) * zz * zz - 0.5 * zz + 1.0;
}
// sin (which = 0) or cos (which = 1) of x.
fn f_sincos(x: f32, which: u32) -> f32 {
  if (!f_isfinite(x)) { return f_nan(); }
  let a = f_abs(x);
  var j = floor(a * 1.27323954473516);
  j = j + (j - 2.0 * floor(j * 0.5));
  let z = ((a - j * 0.78515625) - j * 2.4187564849853515625e-4) - j * 3.77489497744594108e-8;
  var octant = u32(j - 8.0 * floor(j * 0.125));
  var negative = false;
  if (which == 0u) {
    negative = f_signbit(x);
  } else {
    octant = octant + 2u;
  }
  octant = octant & 7u;
  if (octant > 3u) { negative = !negative; octant = octant - 4u; }
  let y = select(f_sin_poly(z), f_cos_poly(z), octant == 1u || octant == 2u);
  return select(y, f_neg(y), negative);
}
fn f_sin(x: f32) -> f32 {
  if (f_iszero(x)) { return x; }
  return f_sincos(x, 0u);
}
fn f_cos(x: f32) -> f32 { return f_sincos(x, 1u); }
// cos(2 pi v) for v in [0, 1), reduced on v (exactly, v being a multiple of 2^-24) so that the
// angle is never rounded at full size: Box-Muller's cosine.
fn f_cos2pi(v: f32) -> f32 {
  var w = v - floor(v + 0.5);
  w = f_abs(w);
  var negative = false;
  if (w > 0.25) { w = 0.5 - w; negative = true; }
  var y: f32;
  if (w <= 0.125) { y = f_cos_poly(w * 6.28318530717958648); } else { y = f_sin_poly((0.25 - w) * 6.28318530717958648); }
  return select(y, -y, negative);
}
`,
  },
  pow: {
    deps: ['exp', 'log', 'rounding'],
    code: /* wgsl */ `
// C's powf. The exponent y * log2(x) is split so that its large part is exact: x = 2^e (1 + m),
// y = yh + yl with yh holding y's top 12 bits, so yh * e and yl * e are exact; only
// y * log2(1 + m) (|log2(1 + m)| < 1/2) is rounded.
fn f_pow_isint(y: f32) -> bool { return f_abs(y) >= 8388608.0 || floor(y) == y; }
fn f_pow_isodd(y: f32) -> bool {
  return f_abs(y) < 16777216.0 && floor(y) == y && (y - 2.0 * floor(y * 0.5)) == 1.0;
}
fn f_pow(x: f32, y: f32) -> f32 {
  if (x == 1.0 || f_iszero(y)) { return 1.0; }
  if (f_isnan(x) || f_isnan(y)) { return f_nan(); }
  let ax = f_abs(x);
  if (f_isinf(y)) {
    if (ax == 1.0) { return 1.0; }
    return select(0.0, f_inf(), (ax > 1.0) == (y > 0.0));
  }
  let odd = f_pow_isodd(y);
  if (f_iszero(x)) {
    if (y < 0.0) { return select(f_inf(), f_copysign(f_inf(), x), odd); }
    return select(0.0, x, odd);
  }
  if (f_isinf(x)) {
    let magnitude = select(0.0, f_inf(), y > 0.0);
    return select(magnitude, f_copysign(magnitude, x), odd);
  }
  if (f_signbit(x) && !f_pow_isint(y)) { return f_nan(); }
  let s = f_log_split(ax);
  let e = s.x;
  let m = s.y;
  // |y·e| beyond 2^30 means |y·log2(x)| > 2^29: certain overflow or underflow (y is then even).
  if (f_abs(y) * f_abs(e) > 1073741824.0) { return select(0.0, f_inf(), (ax > 1.0) == (y > 0.0)); }
  let yh = bitcast<f32>(bitcast<u32>(y) & 0xfffff000u);
  let yl = y - yh;
  let a = yh * e;
  let b = yl * e;
  let c = y * ((m + f_log1p_small(m)) * 1.44269504088896341);
  let na = floor(a + 0.5);
  let nb = floor(b + 0.5);
  var f = (a - na) + (b - nb) + c;
  let nf = floor(f + 0.5);
  f = f - nf;
  let n = na + nb + nf;
  var r: f32;
  if (n > 200.0) { r = f_inf(); } else if (n < -200.0) { r = 0.0; } else { r = f_ldexp(f_exp(f * 0.693147180559945309), i32(n)); }
  if (f_signbit(x) && odd) { return f_neg(r); }
  return r;
}
`,
  },
  sqrt: {
    deps: ['base'],
    code: /* wgsl */ `
fn f_sqrt(x: f32) -> f32 {
  if (f_isnan(x) || f_iszero(x)) { return x; }
  if (f_signbit(x)) { return f_nan(); }
  if (f_isinf(x)) { return x; }
  return sqrt(x);
}
fn f_rsqrt(x: f32) -> f32 {
  if (f_isnan(x)) { return x; }
  if (f_iszero(x)) { return f_copysign(f_inf(), x); }
  if (f_signbit(x)) { return f_nan(); }
  if (f_isinf(x)) { return 0.0; }
  return 1.0 / sqrt(x);
}
`,
  },
};

/** The WGSL of the named functions (`exp`, `pow`, …) and everything they use, each once. */
export function mathLibrary(names: readonly string[]): string {
  const done = new Set<string>();
  const parts: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const fn = FUNCTIONS[name];
    if (!fn) throw new Error(`unknown WGSL math function ${name}`);
    done.add(name);
    for (const dep of fn.deps) visit(dep);
    parts.push(fn.code);
  };
  visit('base');
  for (const name of names) visit(name);
  return parts.join('');
}

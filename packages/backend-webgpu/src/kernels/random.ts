/**
 * The shared random stream (`randomValue` of @gated/backend-api) in WGSL: Threefry-2x32-20 on the
 * counter (i, 0), unrolled, in u32 arithmetic (exact on every GPU). From the first word,
 * u = (x0 >> 8) · 2^-24, exactly as on the host; then:
 * - uniform: `low + (high - low)·u` in float32, each operation rounded once. The product is passed
 *   through a bit operation with a runtime zero, so that no compiler contracts `low + d·u` into a
 *   fused multiply-add (which would differ in the last bit from the reference);
 * - bernoulli: `u < p` compared exactly as integers: u·2^24 < ⌈p·2^24⌉;
 * - normal: Box–Muller `mean + std·sqrt(-2 ln(1 - u))·cos(2π u₂)` with this backend's log and a
 *   cosine reduced on u₂ itself (see `f_cos2pi`), within float32 rounding of the reference.
 */
import type { RandomRequest } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import { runElementwise } from './elementwise.js';
import { elementwiseKernel } from './layout.js';

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];

/** Straight-line WGSL of threefry2x32-20 on (c0, c1) under key (k0, k1), leaving x0, x1. */
function threefryCode(): string {
  const lines = [
    '  let k2 = P.k0 ^ P.k1 ^ 0x1bd11bdau;',
    '  let ks = array<u32, 3>(P.k0, P.k1, k2);',
    '  var x0 = c0 + P.k0;',
    '  var x1 = c1 + P.k1;',
  ];
  for (let group = 0; group < 5; group++) {
    const base = (group & 1) * 4;
    for (let r = 0; r < 4; r++) {
      const rot = ROTATIONS[base + r]!;
      lines.push(`  x0 = x0 + x1; x1 = ((x1 << ${rot}u) | (x1 >> ${32 - rot}u)) ^ x0;`);
    }
    lines.push(`  x0 = x0 + ks[${(group + 1) % 3}]; x1 = x1 + ks[${(group + 2) % 3}] + ${group + 1}u;`);
  }
  return lines.join('\n');
}

const SCALARS = [
  ['n', 'u32'],
  ['k0', 'u32'],
  ['k1', 'u32'],
  ['zero', 'u32'],
  ['a', 'f32'],
  ['b', 'f32'],
  ['threshold', 'u32'],
] as const;

const BODIES = {
  uniform: `  let u = f32(x0 >> 8u) * 5.9604644775390625e-8;
  let scaled = bitcast<f32>(bitcast<u32>(P.b * u) ^ P.zero);
  return bitcast<u32>(P.a + scaled);`,
  bernoulli: '  return bitcast<u32>(select(0.0, 1.0, (x0 >> 8u) < P.threshold));',
  normal: `  let u = f32(x0 >> 8u) * 5.9604644775390625e-8;
  let v = f32(x1 >> 8u) * 5.9604644775390625e-8;
  let radius = f_sqrt(-2.0 * f_log(1.0 - u));
  return bitcast<u32>(P.a + P.b * (radius * f_cos2pi(v)));`,
};

export function random(ctx: GpuContext, request: RandomRequest): WebGpuBuffer {
  const out = ctx.output('random', 'float32', request.size);
  const spec = request.spec;
  const kernel = elementwiseKernel(`random/${spec.kind}`, { scalars: SCALARS }, () => ({
    inputs: [],
    output: 'float32',
    math: spec.kind === 'normal' ? ['log', 'sqrt', 'trig'] : [],
    body: `  let c0 = i;\n  let c1 = 0u;\n${threefryCode()}\n${BODIES[spec.kind]}`,
  }));
  let a = 0;
  let b = 0;
  let threshold = 0;
  if (spec.kind === 'uniform') {
    a = Math.fround(spec.low);
    b = Math.fround(Math.fround(spec.high) - a);
  } else if (spec.kind === 'normal') {
    a = spec.mean;
    b = spec.std;
  } else {
    // u < p with u = m·2^-24 and m an integer: m < p·2^24, i.e. m < ⌈p·2^24⌉ (NaN: never).
    threshold = spec.p > 0 ? Math.min(2 ** 24, Math.ceil(spec.p * 2 ** 24)) : 0;
  }
  runElementwise(ctx, 'random', kernel, [], out, { k0: request.key[0] >>> 0, k1: request.key[1] >>> 0, zero: 0, a, b, threshold });
  return out;
}

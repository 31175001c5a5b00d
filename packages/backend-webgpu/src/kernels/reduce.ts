/**
 * reduce (sum, prod, max, min over a set of axes) and argReduce (argmax, argmin over one axis).
 *
 * The input is walked as two collapsed index spaces: the kept axes (one per output element) and
 * the reduced axes. Two schedules: one invocation per output when each output reduces few
 * elements (or there are many outputs), else one 256-invocation workgroup per output, whose
 * invocations stride through the reduced elements and combine in a tree in workgroup memory (so
 * a float32 sum's error grows with log n, not n). max/min propagate NaN; argmax/argmin count NaN
 * as the extreme and keep the first index among equals; int32 sums and products wrap.
 */
import { contiguousStrides, type ArgReduceOp, type DType, type ReduceOp, type Shape } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import type { KernelSource } from '../runtime/pipelines.js';
import { UniformBlock } from '../runtime/uniforms.js';
import { loader, offsetCode, storageDecl, wgslType } from '../wgsl/access.js';
import { mathLibrary } from '../wgsl/math.js';
import { fill } from './elementwise.js';
import { collapse } from './layout.js';

const GROUP = 256;

/**
 * Reductions of at most this many elements per output run one invocation per output: a
 * workgroup's barrier tree costs more than a short loop (on a software adapter, ten times more).
 */
const THREAD_LIMIT = 1024;

interface Plan {
  readonly outputs: number;
  readonly count: number;
  readonly kept: { shape: number[]; strides: number[] };
  readonly reduced: { shape: number[]; strides: number[] };
}

function plan(shape: Shape, axes: readonly number[]): Plan {
  const strides = contiguousStrides(shape);
  const keptAxes = shape.map((_, a) => a).filter((a) => !axes.includes(a));
  const keptShape = keptAxes.map((a) => shape[a]!);
  const reducedShape = axes.map((a) => shape[a]!);
  const kept = collapse(keptShape, [keptAxes.map((a) => strides[a]!)]);
  const reduced = collapse(reducedShape, [axes.map((a) => strides[a]!)]);
  return {
    outputs: keptShape.reduce((a, b) => a * b, 1),
    count: reducedShape.reduce((a, b) => a * b, 1),
    kept: { shape: kept.shape, strides: kept.strides[0]! },
    reduced: { shape: reduced.shape, strides: reduced.strides[0]! },
  };
}

function walkFunctions(keptRank: number, reducedRank: number): string {
  return `fn kept_offset(i: u32) -> u32 {
${offsetCode('i', keptRank, 'kshape', ['k'])}
  return u32(o_k);
}
fn reduced_offset(i: u32) -> u32 {
${offsetCode('i', reducedRank, 'rshape', ['r'])}
  return u32(o_r);
}
`;
}

function blockFor(keptRank: number, reducedRank: number): UniformBlock {
  return new UniformBlock({
    scalars: [
      ['outputs', 'u32'],
      ['count', 'u32'],
    ],
    arrays: [
      ['kshape', 'u32', keptRank],
      ['strides_k', 'i32', keptRank],
      ['rshape', 'u32', reducedRank],
      ['strides_r', 'i32', reducedRank],
    ],
  });
}

/** The WGSL of one accumulation step and the identity, per op and dtype. */
function combiner(
  op: ReduceOp,
  dtype: DType,
): { type: string; identity: string; combine: string; math: readonly string[]; helpers: string } {
  if (dtype === 'int32') {
    const combine = {
      sum: 'bitcast<i32>(bitcast<u32>(a) + bitcast<u32>(b))',
      prod: 'bitcast<i32>(bitcast<u32>(a) * bitcast<u32>(b))',
      max: 'max(a, b)',
      min: 'min(a, b)',
    }[op];
    const identity = { sum: '0i', prod: '1i', max: 'bitcast<i32>(0x80000000u)', min: '2147483647i' }[op];
    return { type: 'i32', identity, combine, math: [], helpers: '' };
  }
  const helpers = `fn r_max(a: f32, b: f32) -> f32 {
  if (f_isnan(a)) { return a; }
  if (f_isnan(b)) { return b; }
  return select(b, a, f_key(a) >= f_key(b));
}
fn r_min(a: f32, b: f32) -> f32 {
  if (f_isnan(a)) { return a; }
  if (f_isnan(b)) { return b; }
  return select(b, a, f_key(a) <= f_key(b));
}
`;
  const combine = { sum: 'a + b', prod: 'a * b', max: 'r_max(a, b)', min: 'r_min(a, b)' }[op];
  const identity = { sum: '0.0', prod: '1.0', max: '-f_inf()', min: 'f_inf()' }[op];
  return { type: 'f32', identity, combine, math: [], helpers };
}

const reduceSources = new Map<string, { source: KernelSource; block: UniformBlock; grouped: boolean }>();

function reduceSource(op: ReduceOp, dtype: DType, keptRank: number, reducedRank: number, grouped: boolean) {
  const key = `reduce/${op}/${dtype}/${keptRank}/${reducedRank}/${grouped ? 'group' : 'thread'}`;
  const cached = reduceSources.get(key);
  if (cached) return cached;
  const block = blockFor(keptRank, reducedRank);
  const c = combiner(op, dtype);
  const T = c.type;
  const header = [
    block.wgsl(0),
    storageDecl('x', 1, false),
    storageDecl('out', 2, true),
    loader('x', dtype),
    mathLibrary(c.math),
    c.helpers,
    `fn combine(a: ${T}, b: ${T}) -> ${T} { return ${c.combine}; }\n`,
    walkFunctions(keptRank, reducedRank),
  ].join('');
  const main = grouped
    ? `var<workgroup> partial: array<${T}, ${GROUP}>;
@compute @workgroup_size(${GROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * groups.x;
  let inRange = o < P.outputs;
  var acc: ${T} = ${c.identity};
  if (inRange) {
    let base = kept_offset(o);
    for (var r = lid; r < P.count; r = r + ${GROUP}u) { acc = combine(acc, ld_x(base + reduced_offset(r))); }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var width = ${GROUP / 2}u; width > 0u; width = width >> 1u) {
    if (lid < width) { partial[lid] = combine(partial[lid], partial[lid + width]); }
    workgroupBarrier();
  }
  if (lid == 0u && inRange) { out[o] = bitcast<u32>(partial[0]); }
}
`
    : `@compute @workgroup_size(${GROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = gid.x + gid.y * groups.x * ${GROUP}u;
  if (o >= P.outputs) { return; }
  let base = kept_offset(o);
  var acc: ${T} = ${c.identity};
  for (var r = 0u; r < P.count; r = r + 1u) { acc = combine(acc, ld_x(base + reduced_offset(r))); }
  out[o] = bitcast<u32>(acc);
}
`;
  const entry = { block, grouped, source: { key, bindings: ['uniform', 'read', 'write'] as const, code: () => header + main } };
  reduceSources.set(key, entry);
  return entry;
}

function values(p: Plan): Record<string, number | readonly number[]> {
  return {
    outputs: p.outputs,
    count: p.count,
    kshape: p.kept.shape,
    strides_k: p.kept.strides,
    rshape: p.reduced.shape,
    strides_r: p.reduced.strides,
  };
}

function dispatchGroups(p: Plan, grouped: boolean): number {
  return grouped ? p.outputs : Math.ceil(p.outputs / GROUP);
}

function useGroups(p: Plan): boolean {
  return p.count > THREAD_LIMIT;
}

export function reduce(ctx: GpuContext, op: ReduceOp, x: WebGpuBuffer, shape: Shape, axes: readonly number[]): WebGpuBuffer {
  const p = plan(shape, axes);
  if (p.count === 0) return fill(ctx, x.dtype, p.outputs, op === 'prod' ? 1 : 0);
  const out = ctx.output('reduce', x.dtype, p.outputs);
  if (p.outputs === 0) return out;
  const grouped = useGroups(p);
  const k = reduceSource(op, x.dtype, p.kept.shape.length, p.reduced.shape.length, grouped);
  ctx.run('reduce', k.source, [ctx.bind(x), ctx.bind(out)], k.block.pack(values(p)), dispatchGroups(p, grouped));
  return out;
}

// ---- argReduce ------------------------------------------------------------------------------

/** WGSL `better(a, ia, b, ib)`: whether (a, ia) beats (b, ib) for argmax/argmin on `dtype`. */
function betterFunction(op: ArgReduceOp, dtype: DType): string {
  const T = wgslType(dtype);
  if (dtype !== 'float32') {
    const cmp = op === 'argmax' ? '>' : '<';
    return `fn better(a: ${T}, ia: u32, b: ${T}, ib: u32) -> bool { return a ${cmp} b || (a == b && ia < ib); }\n`;
  }
  const cmp = op === 'argmax' ? '>' : '<';
  return `fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
  let na = f_isnan(a);
  let nb = f_isnan(b);
  if (na || nb) { return na && (!nb || ia < ib); }
  let ka = f_key(a);
  let kb = f_key(b);
  return ka ${cmp} kb || (ka == kb && ia < ib);
}
`;
}

const argSources = new Map<string, { source: KernelSource; block: UniformBlock; grouped: boolean }>();

function argSource(op: ArgReduceOp, dtype: DType, keptRank: number, grouped: boolean) {
  const key = `argReduce/${op}/${dtype}/${keptRank}/${grouped ? 'group' : 'thread'}`;
  const cached = argSources.get(key);
  if (cached) return cached;
  const block = blockFor(keptRank, 1);
  const T = wgslType(dtype);
  const header = [
    block.wgsl(0),
    storageDecl('x', 1, false),
    storageDecl('out', 2, true),
    loader('x', dtype),
    mathLibrary([]),
    betterFunction(op, dtype),
    walkFunctions(keptRank, 1),
  ].join('');
  const main = grouped
    ? `var<workgroup> best_value: array<${T}, ${GROUP}>;
var<workgroup> best_index: array<u32, ${GROUP}>;
@compute @workgroup_size(${GROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * groups.x;
  let inRange = o < P.outputs;
  var value = ld_x(0u);
  var index = 0xffffffffu;
  if (inRange) {
    let base = kept_offset(o);
    for (var r = lid; r < P.count; r = r + ${GROUP}u) {
      let v = ld_x(base + reduced_offset(r));
      if (index == 0xffffffffu || better(v, r, value, index)) { value = v; index = r; }
    }
  }
  best_value[lid] = value;
  best_index[lid] = index;
  workgroupBarrier();
  for (var width = ${GROUP / 2}u; width > 0u; width = width >> 1u) {
    if (lid < width) {
      let j = best_index[lid + width];
      if (j != 0xffffffffu && (best_index[lid] == 0xffffffffu || better(best_value[lid + width], j, best_value[lid], best_index[lid]))) {
        best_value[lid] = best_value[lid + width];
        best_index[lid] = j;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u && inRange) { out[o] = best_index[0]; }
}
`
    : `@compute @workgroup_size(${GROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = gid.x + gid.y * groups.x * ${GROUP}u;
  if (o >= P.outputs) { return; }
  let base = kept_offset(o);
  var value = ld_x(base);
  var index = 0u;
  for (var r = 1u; r < P.count; r = r + 1u) {
    let v = ld_x(base + reduced_offset(r));
    if (better(v, r, value, index)) { value = v; index = r; }
  }
  out[o] = index;
}
`;
  const entry = { block, grouped, source: { key, bindings: ['uniform', 'read', 'write'] as const, code: () => header + main } };
  argSources.set(key, entry);
  return entry;
}

export function argReduce(ctx: GpuContext, op: ArgReduceOp, x: WebGpuBuffer, shape: Shape, axis: number): WebGpuBuffer {
  const p = plan(shape, [axis]);
  if (p.count === 0) return fill(ctx, 'int32', p.outputs, 0);
  const out = ctx.output('argReduce', 'int32', p.outputs);
  if (p.outputs === 0) return out;
  const grouped = useGroups(p);
  const k = argSource(op, x.dtype, p.kept.shape.length, grouped);
  ctx.run('argReduce', k.source, [ctx.bind(x), ctx.bind(out)], k.block.pack(values(p)), dispatchGroups(p, grouped));
  return out;
}

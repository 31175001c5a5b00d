/**
 * gather, scatterAdd and concat, plus the byte splice behind unaligned bool writes.
 *
 * - gather: one invocation per output element; an index outside [0, size) reads as 0 (a GPU
 *   cannot check indices without a round trip, so the conformance suite runs this backend with
 *   `outOfRangeGather: 'zeros'`).
 * - scatterAdd: the output is cleared, then one invocation per update element adds it at its
 *   index with a 32-bit atomic (int32: atomicAdd, which wraps; float32: a compare-and-swap loop on
 *   the bits). Repeated indices accumulate; float32 sums of repeats are added in whatever order the
 *   invocations run, like PyTorch's CUDA `index_add_`. Out-of-range updates are dropped.
 * - concat: inputs in groups of up to 7 per dispatch (storage bindings are limited); each dispatch
 *   writes the output range its group covers. bool outputs are written a whole word at a time,
 *   merging the bytes of other groups already there.
 */
import { sizeOf, type DType, type Shape } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import type { KernelSource } from '../runtime/pipelines.js';
import { UniformBlock } from '../runtime/uniforms.js';
import { rawLoader, storageDecl } from '../wgsl/access.js';
import { ELEMENTWISE_WORKGROUP } from '../wgsl/elementwise.js';
import { runElementwise } from './elementwise.js';
import { elementwiseKernel } from './layout.js';

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

const MAIN_HEADER = `@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * ${ELEMENTWISE_WORKGROUP}u;
`;

// ---- gather ---------------------------------------------------------------------------------

export function gather(ctx: GpuContext, x: WebGpuBuffer, xShape: Shape, indices: WebGpuBuffer, axis: number): WebGpuBuffer {
  const outer = product(xShape.slice(0, axis));
  const length = xShape[axis]!;
  const inner = product(xShape.slice(axis + 1));
  const out = ctx.output('gather', x.dtype, outer * indices.size * inner);
  const kernel = elementwiseKernel(
    `gather/${x.dtype}`,
    {
      scalars: [
        ['n', 'u32'],
        ['inner', 'u32'],
        ['count', 'u32'],
        ['length', 'u32'],
      ],
    },
    () => ({
      inputs: [
        ['x', x.dtype],
        ['indices', 'int32'],
      ],
      output: x.dtype,
      body: `  let r = i % P.inner;
  let rest = i / P.inner;
  let o = rest / P.count;
  let index = bitcast<i32>(indices[rest % P.count]);
  if (index < 0i || index >= i32(P.length)) { return 0u; }
  return raw_x((o * P.length + u32(index)) * P.inner + r);`,
    }),
  );
  runElementwise(ctx, 'gather', kernel, [x, indices], out, { inner, count: indices.size, length });
  return out;
}

// ---- scatterAdd -----------------------------------------------------------------------------

const scatterBlock = new UniformBlock({
  scalars: [
    ['n', 'u32'],
    ['inner', 'u32'],
    ['count', 'u32'],
    ['length', 'u32'],
  ],
});

function scatterSource(dtype: DType): KernelSource {
  const add =
    dtype === 'int32'
      ? '  atomicAdd(&out[slot], updates[t]);'
      : `  let value = bitcast<f32>(updates[t]);
  var old = atomicLoad(&out[slot]);
  loop {
    let swapped = atomicCompareExchangeWeak(&out[slot], old, bitcast<u32>(bitcast<f32>(old) + value));
    if (swapped.exchanged) { break; }
    old = swapped.old_value;
  }`;
  return {
    key: `scatterAdd/${dtype}`,
    bindings: ['uniform', 'read', 'read', 'write'],
    code: () => `${scatterBlock.wgsl(0)}${storageDecl('updates', 1, false)}${storageDecl('indices', 2, false)}
@group(0) @binding(3) var<storage, read_write> out: array<atomic<u32>>;
${MAIN_HEADER}  if (t >= P.n) { return; }
  let r = t % P.inner;
  let rest = t / P.inner;
  let o = rest / P.count;
  let index = bitcast<i32>(indices[rest % P.count]);
  if (index < 0i || index >= i32(P.length)) { return; }
  let slot = (o * P.length + u32(index)) * P.inner + r;
${add}
}
`,
  };
}

export function scatterAdd(
  ctx: GpuContext,
  updates: WebGpuBuffer,
  indices: WebGpuBuffer,
  indicesShape: Shape,
  axis: number,
  outShape: Shape,
): WebGpuBuffer {
  const out = ctx.output('scatterAdd', updates.dtype, sizeOf(outShape));
  ctx.recorder.clear(out.gpu, 0, out.bindBytes);
  if (updates.size === 0 || out.size === 0) return out;
  const inner = product(outShape.slice(axis + 1));
  const uniforms = scatterBlock.pack({ n: updates.size, inner, count: sizeOf(indicesShape), length: outShape[axis]! });
  const groups = Math.ceil(updates.size / ELEMENTWISE_WORKGROUP);
  ctx.run('scatterAdd', scatterSource(updates.dtype), [ctx.bind(updates), ctx.bind(indices), ctx.bind(out)], uniforms, groups);
  return out;
}

// ---- concat ---------------------------------------------------------------------------------

const MAX_GROUP = 7;

interface ConcatKernel {
  readonly source: KernelSource;
  readonly block: UniformBlock;
}

const concatKernels = new Map<string, ConcatKernel>();

function concatKernel(dtype: DType, count: number): ConcatKernel {
  const key = `concat/${dtype}/${count}`;
  const cached = concatKernels.get(key);
  if (cached) return cached;
  const block = new UniformBlock({
    scalars: [
      ['n', 'u32'],
      ['inner', 'u32'],
      ['total', 'u32'],
      ['first', 'u32'],
      ['span', 'u32'],
    ],
    arrays: [
      ['starts', 'u32', count],
      ['lengths', 'u32', count],
    ],
  });
  const inputs = Array.from({ length: count }, (_, k) => k);
  const pick = inputs
    .map(
      (k) => `  if (p >= P.starts[${k >> 2}u][${k & 3}u] && p < P.starts[${k >> 2}u][${k & 3}u] + P.lengths[${k >> 2}u][${k & 3}u]) {
    let len = P.lengths[${k >> 2}u][${k & 3}u];
    return vec2<u32>(1u, raw_in${k}((o * len + p - P.starts[${k >> 2}u][${k & 3}u]) * P.inner + r));
  }`,
    )
    .join('\n');
  // bool: invocation t owns output word t and keeps the bytes no input of this group covers.
  const main =
    dtype === 'bool'
      ? `${MAIN_HEADER}  let base = t * 4u;
  if (base >= P.n) { return; }
  var word = out[t];
  for (var q = 0u; q < 4u; q = q + 1u) {
    if (base + q >= P.n) { break; }
    let picked = element(base + q);
    if (picked.x == 1u) { word = (word & ~(0xffu << (q * 8u))) | ((picked.y & 0xffu) << (q * 8u)); }
  }
  out[t] = word;
}
`
      : `${MAIN_HEADER}  let count = P.n / P.total * P.span;
  if (t >= count) { return; }
  let r = t % P.inner;
  let rest = t / P.inner;
  let o = rest / P.span;
  let i = (o * P.total + P.first + rest % P.span) * P.inner + r;
  out[i] = element(i).y;
}
`;
  const code = (): string =>
    [
      block.wgsl(0),
      ...inputs.map((k) => storageDecl(`in${k}`, k + 1, false)),
      storageDecl('out', count + 1, true),
      ...inputs.map((k) => rawLoader(`in${k}`, dtype)),
      `// (found, bits) of output element i from this group's inputs.
fn element(i: u32) -> vec2<u32> {
  let r = i % P.inner;
  let rest = i / P.inner;
  let p = rest % P.total;
  let o = rest / P.total;
${pick}
  return vec2<u32>(0u, 0u);
}
`,
      main,
    ].join('');
  const kernel = { block, source: { key, bindings: ['uniform' as const, ...inputs.map(() => 'read' as const), 'write' as const], code } };
  concatKernels.set(key, kernel);
  return kernel;
}

export function concat(
  ctx: GpuContext,
  inputs: readonly { data: WebGpuBuffer; shape: Shape }[],
  axis: number,
  outShape: Shape,
): WebGpuBuffer {
  const dtype = inputs[0]!.data.dtype;
  const out = ctx.output('concat', dtype, sizeOf(outShape));
  if (out.size === 0) return out;
  const inner = product(outShape.slice(axis + 1));
  const total = outShape[axis]!;
  const placed: { data: WebGpuBuffer; start: number; length: number }[] = [];
  let start = 0;
  for (const input of inputs) {
    const length = input.shape[axis]!;
    if (length > 0) placed.push({ data: input.data, start, length });
    start += length;
  }
  const groupSize = Math.max(1, Math.min(MAX_GROUP, ctx.limits.maxStorageBuffersPerShaderStage - 1));
  for (let g = 0; g < placed.length; g += groupSize) {
    const group = placed.slice(g, g + groupSize);
    const kernel = concatKernel(dtype, group.length);
    const first = group[0]!.start;
    const span = group[group.length - 1]!.start + group[group.length - 1]!.length - first;
    const uniforms = kernel.block.pack({
      n: out.size,
      inner,
      total,
      first,
      span,
      starts: group.map((p) => p.start),
      lengths: group.map((p) => p.length),
    });
    const invocations = dtype === 'bool' ? Math.ceil(out.size / 4) : (out.size / total) * span;
    const resources = [...group.map((p) => ctx.bind(p.data)), ctx.bind(out)];
    ctx.run('concat', kernel.source, resources, uniforms, Math.ceil(invocations / ELEMENTWISE_WORKGROUP));
  }
  return out;
}

// ---- unaligned bool writes ------------------------------------------------------------------

/** Writes `bytes` (0/1) into bool buffer `target` at element `offset`, keeping its other bytes. */
export function spliceBytes(ctx: GpuContext, target: WebGpuBuffer, bytes: Uint8Array, offset: number): void {
  const source = ctx.upload('write', bytes);
  const firstWord = Math.floor(offset / 4);
  const words = Math.ceil((offset + bytes.length) / 4) - firstWord;
  const kernel = elementwiseKernel(
    'splice',
    {
      scalars: [
        ['n', 'u32'],
        ['first', 'u32'],
        ['offset', 'u32'],
        ['count', 'u32'],
      ],
    },
    () => ({
      inputs: [
        ['bytes', 'bool'],
        ['old', 'bool'],
      ],
      output: 'float32',
      body: `  let word = P.first + i;
  var bits = old[word];
  for (var q = 0u; q < 4u; q = q + 1u) {
    let position = word * 4u + q;
    if (position >= P.offset && position < P.offset + P.count) {
      bits = (bits & ~(0xffu << (q * 8u))) | (ld_bytes(position - P.offset) << (q * 8u));
    }
  }
  return bits;`,
    }),
  );
  // The spliced words are written to a scratch buffer first (a kernel cannot read and write one
  // binding as two), then copied over the target's words.
  const scratch = ctx.output('write', 'float32', words);
  runElementwise(ctx, 'write', kernel, [source, target], scratch, { first: firstWord, offset, count: bytes.length });
  ctx.recorder.copy(scratch.gpu, 0, target.gpu, firstWord * 4, words * 4);
  ctx.release(source);
  ctx.release(scratch);
}

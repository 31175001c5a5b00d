/**
 * Batched matmul: a tiled, register-blocked kernel with the transposes folded into its tile loads.
 *
 * Each workgroup computes a TM×TN tile of C; each invocation a RM×4 block of it, held in RM vec4
 * accumulators. The K loop stages a TK-deep slice of A (stored k-major, so an invocation reads its
 * RM values of a column at once) and of B (as vec4 rows) in workgroup memory; per k an invocation
 * does RM vec4 multiply-adds from RM + 1 shared loads. Global loads are scalar, ordered so that
 * consecutive invocations read consecutive addresses for either layout of A and B (the transpose
 * flags pick the order, nothing is copied first), and zero-filled past the edges: a padded k adds
 * 0·0, so `0·∞ = NaN` is never introduced into real outputs. Two tile shapes:
 * - `large`: 16×16 invocations, 4×4 each → 64×64 tiles, K staged 16 deep (the default);
 * - `medium`: 8×8 invocations, 4×4 each → 32×32 tiles, K staged 32 deep, for M ≤ 32 (batch-sized
 *   products), so fewer rows are wasted; TF.js's packed tile is this one.
 * Products with M ≤ 4 (matrix–vector-like, such as batch-1 projections) and small products use one
 * invocation per output instead (`smallSource`): consecutive outputs read consecutive columns of
 * B, so each element of B is read once from memory, as a GEMV should.
 * Batch axes broadcast through per-operand batch strides; the batch index is the grid's z.
 */
import { broadcastStrides, sizeOf, type Shape } from '@gated/backend-api';
import type { WebGpuBuffer } from '../runtime/buffer.js';
import type { GpuContext } from '../runtime/context.js';
import type { KernelSource } from '../runtime/pipelines.js';
import { UniformBlock } from '../runtime/uniforms.js';
import { offsetCode, storageDecl } from '../wgsl/access.js';
import { collapse } from './layout.js';

export interface TileConfig {
  readonly name: string;
  /** Invocations along N and along M. */
  readonly wgX: number;
  readonly wgY: number;
  /** Rows per invocation (columns per invocation are always 4). */
  readonly rm: number;
  readonly tk: number;
}

export const LARGE: TileConfig = { name: 'large', wgX: 16, wgY: 16, rm: 4, tk: 16 };
export const MEDIUM: TileConfig = { name: 'medium', wgX: 8, wgY: 8, rm: 4, tk: 32 };

/** One operand's layout as the kernel reads it: row-major [rows, cols] or its transpose. */
export interface MatmulDims {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

function tileLoads(config: TileConfig, transposeA: boolean, transposeB: boolean): string {
  const tm = config.wgY * config.rm;
  const tn = config.wgX * 4;
  const threads = config.wgX * config.wgY;
  const aLoads = Math.ceil((tm * config.tk) / threads);
  const bLoads = Math.ceil((config.tk * tn) / threads);
  // A element (m, k) lives at a_base + m*K + k, or a_base + k*M + m when transposed.
  const aIndex = transposeA ? `let mm = e % ${tm}u; let kk = e / ${tm}u;` : `let kk = e % ${config.tk}u; let mm = e / ${config.tk}u;`;
  const aAddress = transposeA ? 'gk * P.m + gm' : 'gm * P.k + gk';
  const bIndex = transposeB ? `let kk = e % ${config.tk}u; let nn = e / ${config.tk}u;` : `let nn = e % ${tn}u; let kk = e / ${tn}u;`;
  const bAddress = transposeB ? 'gn * P.k + gk' : 'gk * P.n + gn';
  return `    for (var l = 0u; l < ${aLoads}u; l = l + 1u) {
      let e = lid + l * ${threads}u;
      if (e < ${tm * config.tk}u) {
        ${aIndex}
        let gm = row0 + mm;
        let gk = k0 + kk;
        var v = 0.0;
        if (gm < P.m && gk < P.k) { v = bitcast<f32>(a[a_base + ${aAddress}]); }
        tile_a[kk * ${tm}u + mm] = v;
      }
    }
    for (var l = 0u; l < ${bLoads}u; l = l + 1u) {
      let e = lid + l * ${threads}u;
      if (e < ${config.tk * tn}u) {
        ${bIndex}
        let gn = col0 + nn;
        let gk = k0 + kk;
        var v = 0.0;
        if (gn < P.n && gk < P.k) { v = bitcast<f32>(b[b_base + ${bAddress}]); }
        tile_b[(kk * ${tn}u + nn) / 4u][nn % 4u] = v;
      }
    }`;
}

const blocks = new Map<number, UniformBlock>();

function blockFor(batchRank: number): UniformBlock {
  let block = blocks.get(batchRank);
  if (!block) {
    block = new UniformBlock({
      scalars: [
        ['m', 'u32'],
        ['n', 'u32'],
        ['k', 'u32'],
        ['batches', 'u32'],
      ],
      arrays: [
        ['shape', 'u32', batchRank],
        ['strides_a', 'i32', batchRank],
        ['strides_b', 'i32', batchRank],
      ],
    });
    blocks.set(batchRank, block);
  }
  return block;
}

/** The WGSL of the tiled matmul for one tile shape, transpose pair and batch rank. */
export function matmulSource(config: TileConfig, transposeA: boolean, transposeB: boolean, batchRank: number): KernelSource {
  const tm = config.wgY * config.rm;
  const tn = config.wgX * 4;
  const block = blockFor(batchRank);
  const key = `matmul/${config.name}/${transposeA ? 't' : 'n'}${transposeB ? 't' : 'n'}/${batchRank}`;
  const accumulate = Array.from(
    { length: config.rm },
    (_, r) => `      acc[${r}] = acc[${r}] + vec4<f32>(tile_a[kk * ${tm}u + ty * ${config.rm}u + ${r}u]) * bv;`,
  ).join('\n');
  const code = (): string => `${block.wgsl(0)}${storageDecl('a', 1, false)}${storageDecl('b', 2, false)}${storageDecl('c', 3, true)}
var<workgroup> tile_a: array<f32, ${tm * config.tk}>;
var<workgroup> tile_b: array<vec4<f32>, ${(config.tk * tn) / 4}>;
fn batch_offsets(i: u32) -> vec2<u32> {
${offsetCode('i', batchRank, 'shape', ['a', 'b'])}
  return vec2<u32>(u32(o_a), u32(o_b));
}
@compute @workgroup_size(${config.wgX}, ${config.wgY})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let tx = local.x;
  let ty = local.y;
  let row0 = wid.y * ${tm}u;
  let col0 = wid.x * ${tn}u;
  // More batches than the grid's z holds are taken in turns.
  for (var batch = wid.z; batch < P.batches; batch = batch + groups.z) {
  let offsets = batch_offsets(batch);
  let a_base = offsets.x * P.m * P.k;
  let b_base = offsets.y * P.k * P.n;
  var acc: array<vec4<f32>, ${config.rm}>;
  for (var r = 0u; r < ${config.rm}u; r = r + 1u) { acc[r] = vec4<f32>(0.0); }
  for (var k0 = 0u; k0 < P.k; k0 = k0 + ${config.tk}u) {
${tileLoads(config, transposeA, transposeB)}
    workgroupBarrier();
    for (var kk = 0u; kk < ${config.tk}u; kk = kk + 1u) {
      let bv = tile_b[kk * ${tn / 4}u + tx];
${accumulate}
    }
    workgroupBarrier();
  }
  let c_base = batch * P.m * P.n;
  let col = col0 + tx * 4u;
  for (var r = 0u; r < ${config.rm}u; r = r + 1u) {
    let row = row0 + ty * ${config.rm}u + r;
    if (row < P.m) {
      for (var q = 0u; q < 4u; q = q + 1u) {
        if (col + q < P.n) { c[c_base + row * P.n + col + q] = bitcast<u32>(acc[r][q]); }
      }
    }
  }
  }
}
`;
  return { key, bindings: ['uniform', 'read', 'read', 'write'], code };
}

/**
 * Small products (at most `SMALL_WORK` multiply-adds) use one invocation per output and no
 * workgroup memory: they are latency-bound anyway, and barriers cost more than the arithmetic
 * (on a software adapter, a tiled 8×4×1 product takes ~100× longer than this one).
 */
export const SMALL_WORK = 1 << 16;

export function smallSource(transposeA: boolean, transposeB: boolean, batchRank: number): KernelSource {
  const block = blockFor(batchRank);
  const key = `matmul/small/${transposeA ? 't' : 'n'}${transposeB ? 't' : 'n'}/${batchRank}`;
  const aStep = transposeA ? 'P.m' : '1u';
  const aStart = transposeA ? 'row' : 'row * P.k';
  const bStep = transposeB ? '1u' : 'P.n';
  const bStart = transposeB ? 'col * P.k' : 'col';
  const code = (): string => `${block.wgsl(0)}${storageDecl('a', 1, false)}${storageDecl('b', 2, false)}${storageDecl('c', 3, true)}
fn batch_offsets(i: u32) -> vec2<u32> {
${offsetCode('i', batchRank, 'shape', ['a', 'b'])}
  return vec2<u32>(u32(o_a), u32(o_b));
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * 64u;
  let per_batch = P.m * P.n;
  if (t >= per_batch * P.batches) { return; }
  let batch = t / per_batch;
  let row = (t % per_batch) / P.n;
  let col = t % P.n;
  let offsets = batch_offsets(batch);
  var ia = offsets.x * P.m * P.k + ${aStart};
  var ib = offsets.y * P.k * P.n + ${bStart};
  var acc = 0.0;
  for (var kk = 0u; kk < P.k; kk = kk + 1u) {
    acc = acc + bitcast<f32>(a[ia]) * bitcast<f32>(b[ib]);
    ia = ia + ${aStep};
    ib = ib + ${bStep};
  }
  c[t] = bitcast<u32>(acc);
}
`;
  return { key, bindings: ['uniform', 'read', 'read', 'write'], code };
}

/** The tile shape for a product with M rows. */
export function tileFor(m: number): TileConfig {
  return m <= 32 ? MEDIUM : LARGE;
}

/** Rows up to which a product runs one invocation per output whatever its size. */
export const VECTOR_ROWS = 4;

/**
 * Records C = op(A)·op(B) for buffers already in place: `a` is [batchA…, M, K] (or [.., K, M]),
 * `b` [batchB…, K, N] (or [.., N, K]), `c` [batch…, M, N]. Used by `matmul` and by the LSTM
 * kernels (the weight gradient).
 */
export function recordMatmul(
  ctx: GpuContext,
  op: string,
  a: WebGpuBuffer,
  aBatch: Shape,
  b: WebGpuBuffer,
  bBatch: Shape,
  c: WebGpuBuffer,
  batch: Shape,
  dims: MatmulDims,
  transposeA: boolean,
  transposeB: boolean,
): void {
  const batches = sizeOf(batch);
  if (batches === 0 || dims.m === 0 || dims.n === 0) return;
  if (dims.k === 0) {
    ctx.recorder.clear(c.gpu, 0, c.bindBytes);
    return;
  }
  const walk = collapse(batch, [broadcastStrides(aBatch, batch), broadcastStrides(bBatch, batch)]);
  const rank = walk.shape.length;
  const uniforms = blockFor(rank).pack({
    m: dims.m,
    n: dims.n,
    k: dims.k,
    batches,
    shape: walk.shape,
    strides_a: walk.strides[0]!,
    strides_b: walk.strides[1]!,
  });
  const resources = [ctx.bind(a), ctx.bind(b), ctx.bind(c)];
  const config = tileFor(dims.m);
  const tilesX = Math.ceil(dims.n / (config.wgX * 4));
  const tilesY = Math.ceil(dims.m / (config.wgY * config.rm));
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
  // Past the grid's limit on tiles (N or M in the millions) the per-output kernel, whose grid
  // folds into two dimensions, still covers it.
  if (dims.m <= VECTOR_ROWS || batches * dims.m * dims.n * dims.k <= SMALL_WORK || tilesX > maxGroups || tilesY > maxGroups) {
    ctx.run(op, smallSource(transposeA, transposeB, rank), resources, uniforms, Math.ceil((batches * dims.m * dims.n) / 64));
    return;
  }
  const source = matmulSource(config, transposeA, transposeB, rank);
  const z = Math.min(batches, maxGroups);
  ctx.run(op, source, resources, uniforms, [tilesX, tilesY, z]);
}

export function matmul(
  ctx: GpuContext,
  a: { data: WebGpuBuffer; shape: Shape },
  b: { data: WebGpuBuffer; shape: Shape },
  transposeA: boolean,
  transposeB: boolean,
  outShape: Shape,
): WebGpuBuffer {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[transposeA ? ra - 1 : ra - 2]!;
  const k = a.shape[transposeA ? ra - 2 : ra - 1]!;
  const n = b.shape[transposeB ? rb - 2 : rb - 1]!;
  const out = ctx.output('matmul', 'float32', sizeOf(outShape));
  recordMatmul(
    ctx,
    'matmul',
    a.data,
    a.shape.slice(0, -2),
    b.data,
    b.shape.slice(0, -2),
    out,
    outShape.slice(0, -2),
    { m, n, k },
    transposeA,
    transposeB,
  );
  return out;
}

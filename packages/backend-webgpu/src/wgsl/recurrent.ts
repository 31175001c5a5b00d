/**
 * The WGSL skeleton every recurrent sequence kernel shares (LSTM and GRU, forward and backward;
 * the schedules are in `kernels/lstm-plan.ts`, decision record 0010). A step is one or more
 * phases; a phase is a tiled product `Σ_k X[b, k]·W(k, j)` for each unit `j` of the phase and the
 * batch rows of a tile, followed by pointwise code (the cell) for each (b, j). The model (which
 * buffers, which products, which cell) comes from `lstm-sequence.ts` or `gru-sequence.ts`; this
 * file turns it into the kernels of a schedule:
 * - `fused`: one kernel per phase, dispatched once per step;
 * - `partial` + `cell` (the split schedule, one-phase models only): the product split over K into
 *   partial sums, then the cell adds them;
 * - `persistent`: one kernel running every step of every phase in one workgroup, with a barrier
 *   after each phase.
 *
 * Per-step kernels read the step index from a uniform bound at a dynamic offset (one slot per
 * step in a table that lives as long as the backend), so every step of a sequence shares one bind
 * group and all of them are recorded into one command encoder.
 */
import { K_TILE, type RecurrentTile, type SequencePlan } from '../kernels/lstm-plan.js';
import type { BindingKind, KernelSource } from '../runtime/pipelines.js';
import { UniformBlock } from '../runtime/uniforms.js';
import { storageDecl } from './access.js';

/**
 * The uniforms shared by every dispatch of one sequence call: `proj` = P, the state width;
 * `ptiles_x` the tiles over P units; where the `state` buffer keeps the lengths (`lengths_at`)
 * and the model's extra region (`extra_at`), and where the `weight` buffer keeps its second
 * matrix or bias (`weight_extra_at`). Lengths, scratch and second weights share buffers so that
 * no kernel binds more than 8 storage buffers, WebGPU's default `maxStorageBuffersPerShaderStage`.
 */
export const SEQUENCE_BLOCK = new UniformBlock({
  scalars: [
    ['steps', 'u32'],
    ['batch', 'u32'],
    ['hidden', 'u32'],
    ['proj', 'u32'],
    ['reverse', 'u32'],
    ['k_chunk', 'u32'],
    ['splits', 'u32'],
    ['tiles_x', 'u32'],
    ['ptiles_x', 'u32'],
    ['tiles_y', 'u32'],
    ['lengths_at', 'u32'],
    ['extra_at', 'u32'],
    ['weight_extra_at', 'u32'],
  ],
});

export type SequenceKernel = 'fused' | 'persistent' | 'partial' | 'cell';

/** Invocations of the `cell` kernels' 1-D grid. */
export const CELL_WORKGROUP = 64;

/** A storage buffer of a model: its WGSL name and whether kernels write it. */
export type Buffer = readonly [name: string, access: 'read' | 'write'];

/** One phase of a step. WGSL expressions may use `P` (the uniforms) and the step variable. */
export interface Phase {
  /** Names its product; the model's code defines its loads `<name>_x(b, k) -> f32` and `<name>_w(k, j)` (may read the private `x_base`). */
  readonly name: string;
  /** Values per unit (the gates the product feeds): the accumulator is f32, vec3 or vec4. */
  readonly gates: 1 | 3 | 4;
  /** The phase's unit count and tiles along x (`P.tiles_x` for H units, `P.ptiles_x` for P). */
  readonly units: string;
  readonly tilesX: string;
  /** The product's K. */
  readonly k: string;
  /** Statements before the product (set `x_base`). */
  readonly setup: string;
  /** When the product runs (its accumulator is 0 otherwise), and when the whole phase runs: WGSL, and the same on the host. */
  readonly productWhen?: string;
  readonly runWhen?: string;
  readonly hostProductWhen?: (step: number) => boolean;
  readonly hostRunWhen?: (step: number, steps: number) => boolean;
  /** The cell, for row `b`, unit `j`, with the product in `rec`. */
  readonly epilogue: string;
}

export interface RecurrentModel {
  /** Pipeline cache key: the op, the variant and its flags. */
  readonly key: string;
  /** Bound after the uniforms (and the step slot), in this order. */
  readonly buffers: readonly Buffer[];
  /** The step variable (`s` forward, `u` backward) and the step count. */
  readonly step: 's' | 'u';
  readonly steps: string;
  /** Shared WGSL: math, helpers, cell functions. */
  readonly code: string;
  /** Statements at the top of every step (after the step variable is defined). */
  readonly prelude: string;
  readonly phases: readonly Phase[];
}

const STEP_DECL = 'struct Step { s: u32, _a: u32, _b: u32, _c: u32 };\n@group(0) @binding(1) var<uniform> STEP: Step;\n';

export function accumulatorType(gates: 1 | 3 | 4): string {
  return gates === 1 ? 'f32' : `vec${gates}<f32>`;
}

function rowsOf(tile: RecurrentTile): number {
  return tile.wgy * tile.rb;
}

/** `product_<phase>(row0, j, lid, ty, k_begin, k_end)`: the phase's product for an invocation's rows. */
function productCode(tile: RecurrentTile, phase: Phase): string {
  const rows = rowsOf(tile);
  const threads = tile.wgx * tile.wgy;
  const acc = accumulatorType(phase.gates);
  const xs = `xs_${phase.name}`;
  const accumulate = Array.from(
    { length: tile.rb },
    (_, r) => `        acc[${r}] = acc[${r}] + ${xs}[(ty + ${r * tile.wgy}u) * ${K_TILE}u + kk] * w;`,
  ).join('\n');
  return `
var<workgroup> ${xs}: array<f32, ${rows * K_TILE}>;
fn product_${phase.name}(row0: u32, j: u32, lid: u32, ty: u32, k_begin: u32, k_end: u32) -> array<${acc}, ${tile.rb}> {
  var acc: array<${acc}, ${tile.rb}>;
  for (var k0 = k_begin; k0 < k_end; k0 = k0 + ${K_TILE}u) {
    for (var e = lid; e < ${rows * K_TILE}u; e = e + ${threads}u) {
      let b = row0 + e / ${K_TILE}u;
      let k = k0 + e % ${K_TILE}u;
      var v = 0.0;
      if (b < P.batch && k < k_end) { v = ${phase.name}_x(b, k); }
      ${xs}[e] = v;
    }
    workgroupBarrier();
    if (j < ${phase.units}) {
      let count = min(${K_TILE}u, k_end - k0);
      for (var kk = 0u; kk < count; kk = kk + 1u) {
        let w = ${phase.name}_w(k0 + kk, j);
${accumulate}
      }
    }
    workgroupBarrier();
  }
  return acc;
}
`;
}

/** Common declarations: the step's time, activity under `lengths`. */
export function sequenceHelpers(withLengths: boolean): string {
  return `
var<private> x_base: u32;
// Forward processing order: step s runs time t.
fn time_of(s: u32) -> u32 { return select(s, P.steps - 1u - s, P.reverse == 1u); }
// Backward time of step u (the forward order, reversed).
fn back_time(u: u32) -> u32 { return select(P.steps - 1u - u, u, P.reverse == 1u); }
// The step processed just before time t in the forward pass (-1 or T when there is none).
fn previous_time(t: u32) -> i32 { return select(i32(t) - 1i, i32(t) + 1i, P.reverse == 1u); }
fn is_active(t: i32, b: u32) -> bool {
  if (t < 0i || t >= i32(P.steps)) { return false; }
  ${withLengths ? 'return t < bitcast<i32>(state[P.lengths_at + b]);' : 'return true;'}
}
// Backward: whether step u's dh comes from the product (the step processed before it was active).
fn uses_rec(u: u32, b: u32) -> bool { return u > 0u && is_active(i32(back_time(u - 1u)), b); }
fn fb(x: u32) -> f32 { return bitcast<f32>(x); }
`;
}

/** The binding kinds of a model's kernels: uniforms, the step slot (per-step kernels), the buffers. */
export function bindingKinds(model: RecurrentModel, kind: SequenceKernel): BindingKind[] {
  const step: BindingKind[] = kind === 'persistent' ? [] : ['uniform-dynamic'];
  return ['uniform', ...step, ...model.buffers.map(([, access]) => access)];
}

function declarations(model: RecurrentModel, kind: SequenceKernel): string {
  const first = kind === 'persistent' ? 1 : 2;
  return model.buffers.map(([name, access], i) => storageDecl(name, first + i, access === 'write')).join('');
}

/** Runs `code` for each of an invocation's rows that exists, with `rec` its accumulator. */
function eachRow(tile: RecurrentTile, code: string): string {
  return `    for (var r = 0u; r < ${tile.rb}u; r = r + 1u) {
      let b = row0 + local.y + r * ${tile.wgy}u;
      if (b < P.batch) { let rec = acc[r]; ${code} }
    }`;
}

/** One tile of a phase: its product and cell. `wx`, `wy` name the tile's coordinates. */
function tileCode(tile: RecurrentTile, phase: Phase, wx: string, wy: string, indent: string): string {
  const productWhen = phase.productWhen ?? 'true';
  return `${indent}{
${indent}  let row0 = ${wy} * ${rowsOf(tile)}u;
${indent}  let j = ${wx} * ${tile.wgx}u + local.x;
${indent}  var acc: array<${accumulatorType(phase.gates)}, ${tile.rb}>;
${indent}  if (${productWhen}) { acc = product_${phase.name}(row0, j, lid, local.y, 0u, ${phase.k}); }
${indent}  if (j < ${phase.units}) {
${eachRow(tile, phase.epilogue)}
${indent}  }
${indent}}`;
}

function header(tile: RecurrentTile): string {
  return `@compute @workgroup_size(${tile.wgx}, ${tile.wgy})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>, @builtin(local_invocation_index) lid: u32) {`;
}

/** The kernel `kind` of `model` under `plan` (`phase`: which phase a fused kernel runs). */
export function recurrentSource(
  model: RecurrentModel,
  plan: SequencePlan,
  withLengths: boolean,
  kind: SequenceKernel,
  phase = 0,
): KernelSource {
  const tile = plan.tile;
  const key = `${model.key}/${kind}${kind === 'fused' ? phase : ''}/${tile.wgx}x${tile.wgy}x${tile.rb}/${withLengths ? 'lengths' : 'full'}`;
  const v = model.step;
  const top = [
    SEQUENCE_BLOCK.wgsl(0),
    kind === 'persistent' ? '' : STEP_DECL,
    declarations(model, kind),
    sequenceHelpers(withLengths),
    model.code,
  ];
  const code = (): string => {
    if (kind === 'persistent') {
      const phases = model.phases.map(
        (p) => `    if (${p.runWhen ?? 'true'}) {
${p.setup ? `      ${p.setup}\n` : ''}      for (var ty = 0u; ty < P.tiles_y; ty = ty + 1u) {
        for (var tx = 0u; tx < ${p.tilesX}; tx = tx + 1u) {
${tileCode(tile, p, 'tx', 'ty', '          ')}
        }
      }
      // What this phase wrote must be visible to every invocation before the next one reads it.
      storageBarrier();
      workgroupBarrier();
    }`,
      );
      return [
        ...top,
        ...model.phases.map((p) => productCode(tile, p)),
        `${header(tile)}
  for (var ${v} = 0u; ${v} < ${model.steps}; ${v} = ${v} + 1u) {
    ${model.prelude}
${phases.join('\n')}
  }
}
`,
      ].join('');
    }
    const p = model.phases[phase]!;
    const start = `  let ${v} = STEP.s;\n  ${model.prelude}\n`;
    if (kind === 'fused') {
      return [
        ...top,
        productCode(tile, p),
        `${header(tile)}
${start}  ${p.setup}
${tileCode(tile, p, 'wid.x', 'wid.y', '  ')}
}
`,
      ].join('');
    }
    const lanes = p.gates === 1 ? [''] : ['.x', '.y', '.z', '.w'].slice(0, p.gates);
    if (kind === 'partial') {
      const stores = lanes.map((lane, g) => `partial[base + ${g}u] = bitcast<u32>(rec${lane});`).join(' ');
      return [
        ...top,
        productCode(tile, p),
        `${header(tile)}
${start}  ${p.setup}
  let row0 = wid.y * ${rowsOf(tile)}u;
  let j = wid.x * ${tile.wgx}u + local.x;
  let k_begin = wid.z * P.k_chunk;
  let acc = product_${p.name}(row0, j, lid, local.y, k_begin, min(${p.k}, k_begin + P.k_chunk));
  if (j < ${p.units}) {
${eachRow(tile, `let base = ((wid.z * P.batch + b) * ${p.units} + j) * ${p.gates}u; ${stores}`)}
  }
}
`,
      ].join('');
    }
    const acc = accumulatorType(p.gates);
    const load = p.gates === 1 ? 'fb(partial[base])' : `${acc}(${lanes.map((_, g) => `fb(partial[base + ${g}u])`).join(', ')})`;
    return [
      ...top,
      `@compute @workgroup_size(${CELL_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${CELL_WORKGROUP}u;
  if (i >= P.batch * ${p.units}) { return; }
  let b = i / ${p.units};
  let j = i % ${p.units};
${start}  var rec = ${acc}(0.0);
  if (${p.productWhen ?? 'true'}) {
    for (var z = 0u; z < P.splits; z = z + 1u) {
      let base = ((z * P.batch + b) * ${p.units} + j) * ${p.gates}u;
      rec = rec + ${load};
    }
  }
  ${p.epilogue}
}
`,
    ].join('');
  };
  return { key, bindings: bindingKinds(model, kind), code };
}

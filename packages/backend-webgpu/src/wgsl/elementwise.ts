/**
 * The template of every one-output elementwise kernel (fill, cast, unary, binary, where,
 * stridedCopy, gather, random). A kernel supplies the body of `fn element(i: u32) -> u32`, which
 * returns the bits of output element `i` (0 or 1 for bool). The template runs one invocation per
 * output element, or per output word for bool outputs (four elements, so no two invocations write
 * the same word). Workgroups of 256 invocations on a grid that may be 2-D (see `grid`).
 */
import type { DType } from '@gated/backend-api';
import type { UniformBlock } from '../runtime/uniforms.js';
import { loader, rawLoader, storageDecl } from './access.js';
import { mathLibrary } from './math.js';

export const ELEMENTWISE_WORKGROUP = 256;

export interface ElementwiseShader {
  /** Uniform block; must contain `n`, the number of output elements. */
  readonly uniforms: UniformBlock;
  /** Input buffers (bindings 1…k) with their dtypes; each gets `ld_<name>` and `raw_<name>`. */
  readonly inputs: readonly (readonly [name: string, dtype: DType])[];
  readonly output: DType;
  /** Math library functions the body calls (`exp`, `pow`, …). */
  readonly math?: readonly string[];
  /** Extra WGSL declarations (helper functions). */
  readonly helpers?: string;
  /** Statements of `fn element(i: u32) -> u32`. */
  readonly body: string;
}

/** Workgroups an elementwise kernel with `n` output elements of `dtype` needs. */
export function elementwiseGroups(n: number, dtype: DType): number {
  const invocations = dtype === 'bool' ? Math.ceil(n / 4) : n;
  return Math.ceil(invocations / ELEMENTWISE_WORKGROUP);
}

export function elementwiseCode(shader: ElementwiseShader): string {
  const parts = [shader.uniforms.wgsl(0)];
  shader.inputs.forEach(([name], i) => parts.push(storageDecl(name, i + 1, false)));
  parts.push(storageDecl('out', shader.inputs.length + 1, true));
  for (const [name, dtype] of shader.inputs) parts.push(loader(name, dtype), rawLoader(name, dtype));
  parts.push(mathLibrary(shader.math ?? []));
  if (shader.helpers) parts.push(shader.helpers);
  parts.push(`fn element(i: u32) -> u32 {\n${shader.body}\n}\n`);
  const store =
    shader.output === 'bool'
      ? `  let base = t * 4u;
  if (base >= P.n) { return; }
  var word = 0u;
  for (var q = 0u; q < 4u; q = q + 1u) {
    if (base + q < P.n) { word = word | ((element(base + q) & 0xffu) << (q * 8u)); }
  }
  out[t] = word;`
      : `  if (t >= P.n) { return; }
  out[t] = element(t);`;
  parts.push(`@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * ${ELEMENTWISE_WORKGROUP}u;
${store}
}
`);
  return parts.join('');
}

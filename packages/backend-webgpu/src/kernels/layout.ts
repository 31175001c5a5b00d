/**
 * Host-side layout planning shared by the kernels: collapsing axes before a strided or broadcast
 * walk (fewer axes means less index arithmetic per element), and the memoised elementwise kernel
 * sources.
 */
import type { Shape } from '@gated/backend-api';
import type { KernelSource } from '../runtime/pipelines.js';
import { UniformBlock, type UniformSpec } from '../runtime/uniforms.js';
import { elementwiseCode, type ElementwiseShader } from '../wgsl/elementwise.js';

export interface Collapsed {
  readonly shape: number[];
  /** One stride list per operand, matching `shape`. */
  readonly strides: number[][];
}

/**
 * Drops size-1 axes and merges each pair of neighbouring axes that every operand walks as one
 * (stride of the outer = stride of the inner × size of the inner). Always returns at least one axis.
 */
export function collapse(shape: Shape, strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const size = shape[axis]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, o) => outStrides[o]![last] === s[axis]! * size);
    if (mergeable) {
      outShape[last] = outShape[last]! * size;
      strides.forEach((s, o) => (outStrides[o]![last] = s[axis]!));
    } else {
      outShape.push(size);
      strides.forEach((s, o) => outStrides[o]!.push(s[axis]!));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

export interface ElementwiseKernel {
  readonly source: KernelSource;
  readonly uniforms: UniformBlock;
}

const kernels = new Map<string, ElementwiseKernel>();

/**
 * The elementwise kernel named `key`, built once: `uniforms` is its uniform spec and `shader`
 * the rest of its description (called only the first time).
 */
export function elementwiseKernel(
  key: string,
  uniforms: UniformSpec,
  shader: (block: UniformBlock) => Omit<ElementwiseShader, 'uniforms'>,
): ElementwiseKernel {
  const cached = kernels.get(key);
  if (cached) return cached;
  const block = new UniformBlock(uniforms);
  const description = shader(block);
  const kernel: ElementwiseKernel = {
    uniforms: block,
    source: {
      key,
      bindings: ['uniform', ...description.inputs.map(() => 'read' as const), 'write'],
      code: () => elementwiseCode({ ...description, uniforms: block }),
    },
  };
  kernels.set(key, kernel);
  return kernel;
}

/** The uniform arrays of a walk over `rank` axes: `shape` and one `strides_<operand>` each. */
export function walkArrays(rank: number, operands: readonly string[]): [string, 'u32' | 'i32', number][] {
  return [['shape', 'u32', rank], ...operands.map((o): [string, 'i32', number] => [`strides_${o}`, 'i32', rank])];
}

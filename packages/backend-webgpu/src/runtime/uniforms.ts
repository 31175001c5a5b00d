/**
 * Uniform blocks of the generated shaders. A block is a list of 32-bit scalars followed by
 * arrays of integers (shapes, strides), each stored as `array<vec4<u32|i32>, ⌈n/4⌉>` because
 * uniform arrays have a 16-byte stride. {@link UniformBlock.wgsl} declares the struct and the
 * binding; {@link UniformBlock.pack} lays out values the same way.
 */

export type ScalarType = 'u32' | 'i32' | 'f32';

export interface UniformSpec {
  readonly scalars: readonly (readonly [name: string, type: ScalarType])[];
  readonly arrays?: readonly (readonly [name: string, type: 'u32' | 'i32', length: number])[];
}

export type UniformValues = Readonly<Record<string, number | readonly number[]>>;

const scratch = new DataView(new ArrayBuffer(4));

/** The bits of `value` as a float32 (rounded to nearest). */
export function f32Bits(value: number): number {
  scratch.setFloat32(0, value, true);
  return scratch.getUint32(0, true);
}

export class UniformBlock {
  /** Words in the block (a multiple of 4). */
  readonly words: number;
  private readonly arrayStart: number[] = [];

  constructor(private readonly spec: UniformSpec) {
    let words = Math.ceil(spec.scalars.length / 4) * 4;
    for (const [, , length] of spec.arrays ?? []) {
      this.arrayStart.push(words);
      words += Math.max(1, Math.ceil(length / 4)) * 4;
    }
    this.words = Math.max(4, words);
  }

  /** `struct Params {...}` and its binding as `P` at `binding` of group 0. */
  wgsl(binding = 0): string {
    const fields = this.spec.scalars.map(([name, type]) => `  ${name}: ${type},`);
    const pad = Math.ceil(this.spec.scalars.length / 4) * 4 - this.spec.scalars.length;
    for (let i = 0; i < pad; i++) fields.push(`  _pad${i}: u32,`);
    for (const [name, type, length] of this.spec.arrays ?? []) {
      fields.push(`  ${name}: array<vec4<${type}>, ${Math.max(1, Math.ceil(length / 4))}>,`);
    }
    if (fields.length === 0) fields.push('  _empty: vec4<u32>,');
    return `struct Params {\n${fields.join('\n')}\n};\n@group(0) @binding(${binding}) var<uniform> P: Params;\n`;
  }

  /** Packs `values` (every scalar and array of the spec) into the block's words. */
  pack(values: UniformValues): Uint32Array {
    const out = new Uint32Array(this.words);
    this.spec.scalars.forEach(([name, type], i) => {
      const value = values[name];
      if (typeof value !== 'number') throw new Error(`uniform ${name} missing`);
      out[i] = type === 'f32' ? f32Bits(value) : value >>> 0;
    });
    (this.spec.arrays ?? []).forEach(([name, , length], a) => {
      const value = values[name];
      if (!Array.isArray(value) || value.length !== length) throw new Error(`uniform array ${name} needs ${length} values`);
      const start = this.arrayStart[a]!;
      for (let i = 0; i < length; i++) out[start + i] = (value as readonly number[])[i]! >>> 0;
    });
    return out;
  }
}

/** WGSL that reads element `index` (a constant or expression) of uniform array `name`. */
export function uniformAt(name: string, index: number): string {
  return `P.${name}[${index >> 2}u][${index & 3}u]`;
}

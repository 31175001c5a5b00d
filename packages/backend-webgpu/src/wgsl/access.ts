/**
 * How kernels address buffers. Every buffer is bound as `array<u32>`: float32 and int32 elements
 * are words (bitcast on load and store), bool elements are bytes packed four to a word, little
 * end first, which is exactly the contract's one-byte-per-element layout seen from the host.
 */
import type { DType } from '@gated/backend-api';
import { uniformAt } from '../runtime/uniforms.js';

/** The WGSL value type a dtype computes in (bools as 0/1 in a u32). */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  if (dtype === 'float32') return 'f32';
  return dtype === 'int32' ? 'i32' : 'u32';
}

/** `var<storage, …> name: array<u32>;` at `binding`. */
export function storageDecl(name: string, binding: number, writable: boolean): string {
  return `@group(0) @binding(${binding}) var<storage, ${writable ? 'read_write' : 'read'}> ${name}: array<u32>;\n`;
}

/** `fn ld_<name>(i: u32) -> T`: element `i` of buffer `name` as its compute type. */
export function loader(name: string, dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return `fn ld_${name}(i: u32) -> f32 { return bitcast<f32>(${name}[i]); }\n`;
    case 'int32':
      return `fn ld_${name}(i: u32) -> i32 { return bitcast<i32>(${name}[i]); }\n`;
    default:
      return `fn ld_${name}(i: u32) -> u32 { return (${name}[i >> 2u] >> ((i & 3u) << 3u)) & 0xffu; }\n`;
  }
}

/** `fn raw_<name>(i: u32) -> u32`: element `i`'s bits (a word, or a byte for bool), for kernels that only move values. */
export function rawLoader(name: string, dtype: DType): string {
  if (dtype === 'bool') return `fn raw_${name}(i: u32) -> u32 { return (${name}[i >> 2u] >> ((i & 3u) << 3u)) & 0xffu; }\n`;
  return `fn raw_${name}(i: u32) -> u32 { return ${name}[i]; }\n`;
}

/** WGSL that turns a value of `dtype`'s compute type into the bits stored. */
export function toBits(dtype: DType, expression: string): string {
  return dtype === 'bool' ? `u32(${expression})` : `bitcast<u32>(${expression})`;
}

/**
 * Statements that split the flat index `index` over `rank` axes (sizes in uniform array
 * `shapeName`) and accumulate, for each operand, the element offset `o_<operand>` (an i32)
 * through its strides (uniform array `strides_<operand>`) starting from `base_<operand>` when
 * `withBase`, else 0. The outermost axis needs no modulo.
 */
export function offsetCode(index: string, rank: number, shapeName: string, operands: readonly string[], withBase = false): string {
  const lines = operands.map((o) => `  var o_${o}: i32 = ${withBase ? `i32(P.base_${o})` : '0i'};`);
  if (rank === 1) {
    for (const o of operands) lines.push(`  o_${o} = o_${o} + i32(${index}) * ${uniformAt(`strides_${o}`, 0)};`);
    return lines.join('\n');
  }
  lines.push(`  var rem: u32 = ${index};`);
  for (let axis = rank - 1; axis >= 0; axis--) {
    if (axis === 0) {
      lines.push('  let q0 = rem;');
    } else {
      lines.push(`  let q${axis} = rem % ${uniformAt(shapeName, axis)};`);
      lines.push(`  rem = rem / ${uniformAt(shapeName, axis)};`);
    }
    for (const o of operands) lines.push(`  o_${o} = o_${o} + i32(q${axis}) * ${uniformAt(`strides_${o}`, axis)};`);
  }
  return lines.join('\n');
}

/**
 * Element types. float32 is the compute type; int32 carries indices and lengths; bool carries
 * masks (stored one byte per element).
 */
export type DType = 'float32' | 'int32' | 'bool';

/** The typed array that holds values of each dtype, on every backend's host side. */
export interface DTypeArrayMap {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** The typed array type for dtype `D`. */
export type TypedArrayFor<D extends DType> = DTypeArrayMap[D];

/** Any typed array a tensor's values can be read into. */
export type TypedArray = Float32Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** Bytes per element for each dtype (bool is one byte). */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'bool' ? 1 : 4;
}

/** Allocates a zeroed host array of `size` elements for `dtype`. */
export function allocArray<D extends DType>(dtype: D, size: number): TypedArrayFor<D> {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size) as TypedArrayFor<D>;
    case 'int32':
      return new Int32Array(size) as TypedArrayFor<D>;
    default:
      return new Uint8Array(size) as TypedArrayFor<D>;
  }
}

/** True when `values` is the host array type of `dtype`. */
export function isArrayOfDType(values: TypedArray, dtype: DType): boolean {
  switch (dtype) {
    case 'float32':
      return values instanceof Float32Array;
    case 'int32':
      return values instanceof Int32Array;
    default:
      return values instanceof Uint8Array;
  }
}

export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'int32' || value === 'bool';
}

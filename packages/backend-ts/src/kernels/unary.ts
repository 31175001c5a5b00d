/**
 * Elementwise unary kernels. Each op has its own loop (the `switch` runs once per call, never per
 * element). float32 math runs in doubles and rounds once on store; int32 ops wrap like C int32
 * arithmetic (`| 0`, `Math.imul`).
 */
import { GatedError, type TypedArray, type UnaryOp } from '@gated/backend-api';

/** Round half to even, as numpy and PyTorch do (`Math.round` rounds half up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Logistic sigmoid in the form that neither overflows nor loses small results. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function unaryFloat(op: UnaryOp, x: Float32Array): Float32Array | Uint8Array {
  const n = x.length;
  if (op === 'isNaN' || op === 'isFinite') {
    const mask = new Uint8Array(n);
    if (op === 'isNaN') for (let i = 0; i < n; i++) mask[i] = x[i] !== x[i] ? 1 : 0;
    else for (let i = 0; i < n; i++) mask[i] = Number.isFinite(x[i]) ? 1 : 0;
    return mask;
  }
  const out = new Float32Array(n);
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      break;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      break;
    case 'sign':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : NaN;
      }
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      break;
    case 'log1p':
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!);
      break;
    case 'expm1':
      for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]!);
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      break;
    case 'rsqrt':
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]!);
      break;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = x[i]! * x[i]!;
      break;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i]!;
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]!);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
      break;
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v > 0 || v !== v ? v : 0;
      }
      break;
    case 'sin':
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!);
      break;
    case 'cos':
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!);
      break;
    case 'floor':
      for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!);
      break;
    case 'ceil':
      for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!);
      break;
    case 'round':
      for (let i = 0; i < n; i++) out[i] = roundHalfEven(x[i]!);
      break;
    default:
      throw new GatedError('unary', `${op} does not accept float32`);
  }
  return out;
}

function unaryInt(op: UnaryOp, x: Int32Array): Int32Array {
  const n = x.length;
  const out = new Int32Array(n);
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]! | 0;
      break;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!) | 0;
      break;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]!);
      break;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = Math.imul(x[i]!, x[i]!);
      break;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? x[i]! : 0;
      break;
    default:
      throw new GatedError('unary', `${op} does not accept int32`);
  }
  return out;
}

function logicalNot(x: Uint8Array): Uint8Array {
  const n = x.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i] === 0 ? 1 : 0;
  return out;
}

/**
 * `op(x)` elementwise. The caller has checked `x`'s dtype against `UNARY_TYPING`, so the array
 * type selects the loop: Float32Array, Int32Array, or Uint8Array (bool, `logicalNot` only).
 */
export function unary(op: UnaryOp, x: TypedArray): TypedArray {
  if (x instanceof Float32Array) return unaryFloat(op, x);
  if (x instanceof Int32Array) return unaryInt(op, x);
  return logicalNot(x);
}

/**
 * The host's side of the ABI. Layouts (control block, jobs, argument slots) come from
 * `assembly/abi.ts`, which this package compiles into the module and imports here alike. Op codes
 * come from the module itself: each kernel family exports its codes as an enum named after the op
 * list of `@gated/backend-api` (`Unary.sin`, `Reduce.max`, `DType.int32`...), and `readCodes`
 * reads them when the module is loaded, refusing a module that lacks one. So a code is written
 * once, next to the kernel's switch, and an op added to backend-api but not to the kernels is an
 * error at load, not a wrong result.
 */
import {
  ARG_REDUCE_OPS,
  BINARY_OPS,
  DTYPES,
  GatedError,
  REDUCE_OPS,
  UNARY_OPS,
  type ArgReduceOp,
  type BinaryOp,
  type DType,
  type RandomSpec,
  type ReduceOp,
  type UnaryOp,
} from '@gated/backend-api';

import { Limits } from '../assembly/abi.js';

export {
  ControlBlock,
  GemmArg,
  GruSequenceArg,
  GruSequenceBackwardArg,
  Job,
  Limits,
  LstmSequenceArg,
  LstmSequenceBackwardArg,
} from '../assembly/abi.js';

/** Most threads one backend runs (`Limits.maxThreads`), as a plain number. */
export const MAX_THREADS: number = Limits.maxThreads;

/** The argument struct of a job whose slots an `assembly/abi.ts` enum names: one number per slot. */
export type JobArgs<Layout> = { readonly [K in Exclude<keyof Layout, number>]: number };

type RandomKind = RandomSpec['kind'];
const RANDOM_KINDS: readonly RandomKind[] = ['uniform', 'normal', 'bernoulli'];

/** The module's op codes, by backend-api's names. */
export interface OpCodes {
  readonly dtype: Readonly<Record<DType, number>>;
  readonly unary: Readonly<Record<UnaryOp, number>>;
  readonly binary: Readonly<Record<BinaryOp, number>>;
  readonly reduce: Readonly<Record<ReduceOp, number>>;
  readonly argReduce: Readonly<Record<ArgReduceOp, number>>;
  readonly random: Readonly<Record<RandomKind, number>>;
}

function family<K extends string>(exports: WebAssembly.Exports, name: string, members: readonly K[]): Record<K, number> {
  const codes = {} as Record<K, number>;
  for (const member of members) {
    const global = exports[`${name}.${member}`];
    if (!(global instanceof WebAssembly.Global)) {
      throw new GatedError('createWasmBackend', `the kernel module exports no code for ${name}.${member}: rebuild it (pnpm build:wasm)`);
    }
    codes[member] = global.value as number;
  }
  return codes;
}

/** Reads every op code the host passes from the instance's exports (see the file comment). */
export function readCodes(exports: WebAssembly.Exports): OpCodes {
  return {
    dtype: family(exports, 'DType', DTYPES),
    unary: family(exports, 'Unary', UNARY_OPS),
    binary: family(exports, 'Binary', BINARY_OPS),
    reduce: family(exports, 'Reduce', REDUCE_OPS),
    argReduce: family(exports, 'ArgReduce', ARG_REDUCE_OPS),
    random: family(exports, 'RandomKind', RANDOM_KINDS),
  };
}

import { UNARY_OPS } from '@gated/backend-api';
import { describe, expect, it } from 'vitest';
import { ControlBlock, GemmArg, Limits, LstmSequenceArg, LstmSequenceBackwardArg, readCodes } from '../src/abi.js';
import { loadKernels } from '../src/loader.js';

describe('the wasm ABI', () => {
  it('lays out the control block without overlaps', () => {
    expect(ControlBlock.args + Limits.argSlots * 8).toBeLessThanOrEqual(ControlBlock.tiles);
    expect(ControlBlock.claims).toBe(ControlBlock.tiles + Limits.tileBytes * Limits.maxThreads);
    expect(ControlBlock.bytes).toBe(ControlBlock.claims + 2 * 64 * Limits.maxThreads);
    for (const layout of [GemmArg, LstmSequenceArg, LstmSequenceBackwardArg]) {
      const slots = Object.values(layout).filter((value) => typeof value === 'number');
      expect(Math.max(...slots)).toBeLessThan(Limits.argSlots);
    }
  });

  it("reads every op code from the module, one distinct code per op of backend-api's lists", async () => {
    const module = await loadKernels('simd', false);
    const instance = await WebAssembly.instantiate(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
    const codes = readCodes(instance.exports);
    expect(new Set(UNARY_OPS.map((op) => codes.unary[op])).size).toBe(UNARY_OPS.length);
    expect(Object.keys(codes.dtype)).toEqual(['float32', 'int32', 'bool']);
    // A module without a code is refused when it loads, naming what is missing.
    const { 'Unary.sin': _missing, ...rest } = instance.exports;
    expect(() => readCodes(rest)).toThrow('createWasmBackend: the kernel module exports no code for Unary.sin');
  });
});

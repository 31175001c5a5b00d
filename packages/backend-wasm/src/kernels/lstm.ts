/**
 * Host side of the fused LSTM kernels (assembly/lstm-cell.ts, lstm-forward.ts, lstm-backward.ts):
 * the cell step is one call; a whole sequence is one job on every thread, whose scratch the
 * kernel sizes (`lstmSequenceScratch`) and lays out itself. After the backward job, dW_hh is one
 * GEMM over the states every step started from.
 */
import { checkLengths, sequenceDims, type TensorSpec } from '@gated/backend-api';
import type { LstmCellBackwardInputs, LstmCellBackwardOutputs, LstmCellInputs, LstmCellOutputs } from '@gated/backend-api';
import type { LstmSequenceBackwardInputs, LstmSequenceBackwardOutputs, LstmSequenceInputs, LstmSequenceOutputs } from '@gated/backend-api';
import { Job, LstmSequenceArg, LstmSequenceBackwardArg } from '../abi.js';
import type { WasmHost } from '../host.js';
import { bufferOf, type WasmBuffer } from '../wasm-buffer.js';

function address(spec: TensorSpec): number {
  return bufferOf(spec.data).address;
}

/** Address of the lengths (0 for none), after checking that each lies in [1, steps]. */
function lengthsAddress(host: WasmHost, op: string, spec: TensorSpec | null, steps: number): number {
  if (spec === null) return 0;
  const first = address(spec) >>> 2;
  checkLengths(op, host.heap().i32.subarray(first, first + spec.data.size), steps);
  return address(spec);
}

export function lstmCell(host: WasmHost, inputs: LstmCellInputs): LstmCellOutputs<WasmBuffer> {
  const [batch, hidden] = inputs.c.shape as [number, number];
  const h = host.newBuffer('float32', batch * hidden);
  const c = host.newBuffer('float32', batch * hidden);
  const gates = host.newBuffer('float32', batch * 4 * hidden);
  if (h.size > 0) {
    host.exports.lstmCell(address(inputs.inputGates), address(inputs.hiddenGates), address(inputs.c), batch, hidden,
      h.address, c.address, gates.address, host.stage());
  }
  return { h, c, gates };
}

export function lstmCellBackward(host: WasmHost, inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs<WasmBuffer> {
  const [batch, hidden] = inputs.c.shape as [number, number];
  const dGates = host.newBuffer('float32', batch * 4 * hidden);
  const dc = host.newBuffer('float32', batch * hidden);
  if (dc.size > 0) {
    host.exports.lstmCellBackward(address(inputs.dh), address(inputs.dc), address(inputs.c), address(inputs.cNew),
      address(inputs.gates), batch, hidden, dGates.address, dc.address, host.stage());
  }
  return { dGates, dc };
}

export function lstmSequence(host: WasmHost, inputs: LstmSequenceInputs): LstmSequenceOutputs<WasmBuffer> {
  const { steps, batch, hidden } = sequenceDims(inputs);
  const lengths = lengthsAddress(host, 'lstmSequence', inputs.lengths, steps);
  const stepElements = steps * batch * hidden;
  const output = host.newBuffer('float32', stepElements);
  const h = host.newBuffer('float32', batch * hidden);
  const c = host.newBuffer('float32', batch * hidden);
  const gates = host.newBuffer('float32', 4 * stepElements);
  const cells = host.newBuffer('float32', stepElements);
  if (batch * hidden > 0) {
    host.withScratch(host.exports.lstmSequenceScratch(batch, hidden, host.threads), (scratch) => {
      host.runJob(Job.lstmSequence, LstmSequenceArg, {
        inputGates: address(inputs.inputGates), weightHh: address(inputs.weightHh), h0: address(inputs.h0),
        c0: address(inputs.c0), lengths, reverse: inputs.reverse ? 1 : 0, steps, batch, hidden,
        output: output.address, h: h.address, c: c.address, gates: gates.address, cells: cells.address, scratch,
      }, batch * hidden * 4 * hidden);
    });
  }
  return { output, h, c, gates, cells };
}

export function lstmSequenceBackward(host: WasmHost, inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs<WasmBuffer> {
  const { forward } = inputs;
  const { steps, batch, hidden } = sequenceDims(forward);
  const lengths = lengthsAddress(host, 'lstmSequenceBackward', forward.lengths, steps);
  const width = 4 * hidden;
  const dInputGates = host.newBuffer('float32', steps * batch * width);
  const dWeightHh = host.newBuffer('float32', width * hidden);
  const dh0 = host.newBuffer('float32', batch * hidden);
  const dc0 = host.newBuffer('float32', batch * hidden);
  const depth = steps * batch;
  if (batch * hidden === 0 || depth === 0) {
    if (batch * hidden > 0) runBackward(host, inputs, lengths, { dInputGates, dh0, dc0 }, 0);
    if (dWeightHh.size > 0) host.exports.fill32(dWeightHh.address, dWeightHh.size, 0);
    return { dInputGates, dWeightHh, dh0, dc0 };
  }
  // hPrev [T, B, H]: the state each step started from, which the job writes for dW_hh.
  host.withScratch(depth * hidden * 4, (hPrev) => {
    runBackward(host, inputs, lengths, { dInputGates, dh0, dc0 }, hPrev);
    // dW_hh[g, j] = Σ over (t, b) of dGates[t, b, g] · hPrev[t, b, j]: one product.
    const packedBytes = host.exports.packedSize(depth, hidden) * 4;
    host.withScratch(packedBytes + host.packABytes, (packed) => {
      host.gemm({
        a: dInputGates.address, rowStep: 4, depthStep: width * 4,
        b: hPrev, ldb: hidden, transposeB: 0,
        c: dWeightHh.address, ldc: hidden,
        m: width, n: hidden, k: depth, packed, packedReady: 0, packedA: packed + packedBytes,
      });
    });
  });
  return { dInputGates, dWeightHh, dh0, dc0 };
}

/** The BPTT job itself (with `hPrev` 0 when there are no steps to write). */
function runBackward(
  host: WasmHost, inputs: LstmSequenceBackwardInputs, lengths: number,
  out: { readonly dInputGates: WasmBuffer; readonly dh0: WasmBuffer; readonly dc0: WasmBuffer }, hPrev: number,
): void {
  const { forward } = inputs;
  const { steps, batch, hidden } = sequenceDims(forward);
  host.withScratch(host.exports.lstmSequenceBackwardScratch(batch, hidden, host.threads), (scratch) => {
    host.runJob(Job.lstmSequenceBackward, LstmSequenceBackwardArg, {
      weightHh: address(forward.weightHh), h0: address(forward.h0), c0: address(forward.c0), lengths,
      reverse: forward.reverse ? 1 : 0, steps, batch, hidden, output: address(inputs.output), gates: address(inputs.gates),
      cells: address(inputs.cells), dOutput: address(inputs.dOutput), dh: address(inputs.dh), dc: address(inputs.dc),
      dInputGates: out.dInputGates.address, dh0: out.dh0.address, dc0: out.dc0.address, hPrev, scratch,
    }, batch * hidden * 4 * hidden);
  });
}

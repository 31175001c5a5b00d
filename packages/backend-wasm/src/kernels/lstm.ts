/**
 * Host side of the fused LSTM kernels (assembly/lstm-cell.ts, lstm-forward.ts, lstm-backward.ts,
 * lstm-backward-projected.ts, projection.ts): the cell step is one call; a whole sequence is one
 * job on every thread, whose scratch the kernel sizes (`lstmSequenceScratch`) and lays out
 * itself. After the backward job, dW_hh (and dW_hr with a projection) is one GEMM over every
 * step's rows.
 */
import { checkLengths, sequenceDims, type TensorSpec } from '@gated/backend-api';
import type { LstmCellBackwardInputs, LstmCellBackwardOutputs, LstmCellInputs, LstmCellOutputs } from '@gated/backend-api';
import type { LstmSequenceBackwardInputs, LstmSequenceBackwardOutputs, LstmSequenceInputs, LstmSequenceOutputs } from '@gated/backend-api';
import { Job, LstmSequenceArg, LstmSequenceBackwardArg } from '../abi.js';
import type { WasmHost } from '../host.js';
import { bufferOf, type WasmBuffer } from '../wasm-buffer.js';

export function address(spec: TensorSpec | null | undefined): number {
  return spec ? bufferOf(spec.data).address : 0;
}

/** Address of the lengths (0 for none), after checking that each lies in [1, steps]. */
export function lengthsAddress(host: WasmHost, op: string, spec: TensorSpec | null, steps: number): number {
  if (spec === null) return 0;
  const first = address(spec) >>> 2;
  checkLengths(op, host.heap().i32.subarray(first, first + spec.data.size), steps);
  return address(spec);
}

/**
 * `out = aᵀ · b` over `rows` rows: a [rows, m] and b [rows, n] (both at their addresses, row-major)
 * give out [m, n]: a weight's gradient summed over every step of a sequence. Zeros when there are
 * no rows.
 */
export function rowsProduct(host: WasmHost, a: number, b: number, rows: number, m: number, n: number, out: WasmBuffer): void {
  if (out.size === 0) return;
  if (rows === 0) {
    host.exports.fill32(out.address, out.size, 0);
    return;
  }
  const packedBytes = host.exports.packedSize(rows, n) * 4;
  host.withScratch(packedBytes + host.packABytes, (packed) => {
    host.gemm({
      a,
      rowStep: 4,
      depthStep: m * 4,
      b,
      ldb: n,
      transposeB: 0,
      c: out.address,
      ldc: n,
      m,
      n,
      k: rows,
      packed,
      packedReady: 0,
      packedA: packed + packedBytes,
    });
  });
}

export function lstmCell(host: WasmHost, inputs: LstmCellInputs): LstmCellOutputs<WasmBuffer> {
  const [batch, hidden] = inputs.c.shape as [number, number];
  const h = host.newBuffer('float32', batch * hidden);
  const c = host.newBuffer('float32', batch * hidden);
  const gates = host.newBuffer('float32', batch * 4 * hidden);
  if (h.size > 0) {
    host.exports.lstmCell(
      address(inputs.inputGates),
      address(inputs.hiddenGates),
      address(inputs.c),
      batch,
      hidden,
      h.address,
      c.address,
      gates.address,
      host.stage(),
    );
  }
  return { h, c, gates };
}

export function lstmCellBackward(host: WasmHost, inputs: LstmCellBackwardInputs): LstmCellBackwardOutputs<WasmBuffer> {
  const [batch, hidden] = inputs.c.shape as [number, number];
  const dGates = host.newBuffer('float32', batch * 4 * hidden);
  const dc = host.newBuffer('float32', batch * hidden);
  if (dc.size > 0) {
    host.exports.lstmCellBackward(
      address(inputs.dh),
      address(inputs.dc),
      address(inputs.c),
      address(inputs.cNew),
      address(inputs.gates),
      batch,
      hidden,
      dGates.address,
      dc.address,
      host.stage(),
    );
  }
  return { dGates, dc };
}

export function lstmSequence(host: WasmHost, inputs: LstmSequenceInputs): LstmSequenceOutputs<WasmBuffer> {
  const { steps, batch, hidden, proj } = sequenceDims(inputs);
  const lengths = lengthsAddress(host, 'lstmSequence', inputs.lengths, steps);
  const inference = inputs.inference ?? false;
  const output = host.newBuffer('float32', steps * batch * proj);
  const h = host.newBuffer('float32', batch * proj);
  const c = host.newBuffer('float32', batch * hidden);
  const gates = inference ? null : host.newBuffer('float32', 4 * steps * batch * hidden);
  const cells = inference ? null : host.newBuffer('float32', steps * batch * hidden);
  if (batch * hidden > 0) {
    host.withScratch(host.exports.lstmSequenceScratch(batch, hidden, proj, host.threads), (scratch) => {
      host.runJob(
        Job.lstmSequence,
        LstmSequenceArg,
        {
          inputGates: address(inputs.inputGates),
          weightHh: address(inputs.weightHh),
          h0: address(inputs.h0),
          c0: address(inputs.c0),
          lengths,
          reverse: inputs.reverse ? 1 : 0,
          steps,
          batch,
          hidden,
          output: output.address,
          h: h.address,
          c: c.address,
          gates: gates?.address ?? 0,
          cells: cells?.address ?? 0,
          scratch,
          proj,
          weightHr: address(inputs.weightHr),
          inference: inference ? 1 : 0,
        },
        batch * 4 * hidden * proj + (proj === hidden ? 0 : batch * hidden * proj),
      );
    });
  }
  return { output, h, c, gates, cells };
}

export function lstmSequenceBackward(host: WasmHost, inputs: LstmSequenceBackwardInputs): LstmSequenceBackwardOutputs<WasmBuffer> {
  const { forward } = inputs;
  const { steps, batch, hidden, proj } = sequenceDims(forward);
  const lengths = lengthsAddress(host, 'lstmSequenceBackward', forward.lengths, steps);
  const projected = forward.weightHr != null;
  const width = 4 * hidden;
  const dInputGates = host.newBuffer('float32', steps * batch * width);
  const dWeightHh = host.newBuffer('float32', width * proj);
  const dh0 = host.newBuffer('float32', batch * proj);
  const dc0 = host.newBuffer('float32', batch * hidden);
  const dWeightHr = projected ? host.newBuffer('float32', proj * hidden) : null;
  const rows = steps * batch;
  const grads = { dInputGates, dWeightHh, dh0, dc0 };
  const result = dWeightHr ? { ...grads, dWeightHr } : grads;
  if (batch * hidden === 0 || rows === 0) {
    if (batch * hidden > 0) runBackward(host, inputs, lengths, grads, { hPrev: 0, dProjected: 0, unprojected: 0 });
    rowsProduct(host, 0, 0, 0, width, proj, dWeightHh);
    if (dWeightHr) rowsProduct(host, 0, 0, 0, proj, hidden, dWeightHr);
    return result;
  }
  // hPrev [T, B, P]: the state each step started from; with a projection also each step's total
  // dh [T, B, P] and m [T, B, H]: the job writes them for the weights' products.
  const stateBytes = rows * proj * 4;
  const extra = projected ? stateBytes + rows * hidden * 4 : 0;
  host.withScratch(stateBytes + extra, (hPrev) => {
    const dProjected = projected ? hPrev + stateBytes : 0;
    const unprojected = projected ? dProjected + stateBytes : 0;
    runBackward(host, inputs, lengths, grads, { hPrev, dProjected, unprojected });
    // dW_hh[g, j] = Σ over (t, b) of dGates[t, b, g] · hPrev[t, b, j]: one product.
    rowsProduct(host, dInputGates.address, hPrev, rows, width, proj, dWeightHh);
    if (dWeightHr) rowsProduct(host, dProjected, unprojected, rows, proj, hidden, dWeightHr);
  });
  return result;
}

/** The BPTT job itself (with the step buffers 0 when there are no steps to write). */
function runBackward(
  host: WasmHost,
  inputs: LstmSequenceBackwardInputs,
  lengths: number,
  out: { readonly dInputGates: WasmBuffer; readonly dh0: WasmBuffer; readonly dc0: WasmBuffer },
  steps: { readonly hPrev: number; readonly dProjected: number; readonly unprojected: number },
): void {
  const { forward } = inputs;
  const { steps: count, batch, hidden, proj } = sequenceDims(forward);
  host.withScratch(host.exports.lstmSequenceBackwardScratch(batch, hidden, proj, host.threads), (scratch) => {
    host.runJob(
      Job.lstmSequenceBackward,
      LstmSequenceBackwardArg,
      {
        weightHh: address(forward.weightHh),
        h0: address(forward.h0),
        c0: address(forward.c0),
        lengths,
        reverse: forward.reverse ? 1 : 0,
        steps: count,
        batch,
        hidden,
        output: address(inputs.output),
        gates: address(inputs.gates),
        cells: address(inputs.cells),
        dOutput: address(inputs.dOutput),
        dh: address(inputs.dh),
        dc: address(inputs.dc),
        dInputGates: out.dInputGates.address,
        dh0: out.dh0.address,
        dc0: out.dc0.address,
        scratch,
        proj,
        weightHr: address(forward.weightHr),
        ...steps,
      },
      batch * 4 * hidden * proj + (proj === hidden ? 0 : batch * hidden * proj),
    );
  });
}

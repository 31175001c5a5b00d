/**
 * Host side of the fused GRU kernels (assembly/gru-forward.ts, gru-backward.ts, contract v1.1):
 * a whole sequence is one job on every thread, whose scratch the kernel sizes and lays out
 * itself; after the backward job, dW_hh is one GEMM over every step's rows.
 */
import { sequenceDims } from '@gated/backend-api';
import type { GruSequenceBackwardInputs, GruSequenceBackwardOutputs, GruSequenceInputs, GruSequenceOutputs } from '@gated/backend-api';
import { GruSequenceArg, GruSequenceBackwardArg, Job } from '../abi.js';
import type { WasmHost } from '../host.js';
import type { WasmBuffer } from '../wasm-buffer.js';
import { address, lengthsAddress, rowsProduct } from './lstm.js';

export function gruSequence(host: WasmHost, inputs: GruSequenceInputs): GruSequenceOutputs<WasmBuffer> {
  const { steps, batch, hidden } = sequenceDims(inputs);
  const lengths = lengthsAddress(host, 'gruSequence', inputs.lengths, steps);
  const inference = inputs.inference ?? false;
  const output = host.newBuffer('float32', steps * batch * hidden);
  const h = host.newBuffer('float32', batch * hidden);
  const gates = inference ? null : host.newBuffer('float32', 3 * steps * batch * hidden);
  const hiddenN = inference ? null : host.newBuffer('float32', steps * batch * hidden);
  if (batch * hidden > 0) {
    host.withScratch(host.exports.gruSequenceScratch(batch, hidden, host.threads), (scratch) => {
      host.runJob(
        Job.gruSequence,
        GruSequenceArg,
        {
          inputGates: address(inputs.inputGates),
          weightHh: address(inputs.weightHh),
          biasHn: address(inputs.biasHn),
          h0: address(inputs.h0),
          lengths,
          reverse: inputs.reverse ? 1 : 0,
          steps,
          batch,
          hidden,
          output: output.address,
          h: h.address,
          gates: gates?.address ?? 0,
          hiddenN: hiddenN?.address ?? 0,
          scratch,
          inference: inference ? 1 : 0,
        },
        batch * 3 * hidden * hidden,
      );
    });
  }
  return { output, h, gates, hiddenN };
}

export function gruSequenceBackward(host: WasmHost, inputs: GruSequenceBackwardInputs): GruSequenceBackwardOutputs<WasmBuffer> {
  const { forward } = inputs;
  const { steps, batch, hidden } = sequenceDims(forward);
  const lengths = lengthsAddress(host, 'gruSequenceBackward', forward.lengths, steps);
  const width = 3 * hidden;
  const rows = steps * batch;
  const dInputGates = host.newBuffer('float32', rows * width);
  const dWeightHh = host.newBuffer('float32', width * hidden);
  const dBiasHn = host.newBuffer('float32', hidden);
  const dh0 = host.newBuffer('float32', batch * hidden);
  if (batch * hidden === 0) {
    rowsProduct(host, 0, 0, 0, width, hidden, dWeightHh);
    if (dBiasHn.size > 0) host.exports.fill32(dBiasHn.address, dBiasHn.size, 0);
    return { dInputGates, dWeightHh, dBiasHn, dh0 };
  }
  // dRecurrent [T, B, 3H] and hPrev [T, B, H]: what the job writes for dW_hh.
  const recurrentBytes = rows * width * 4;
  host.withScratch(recurrentBytes + rows * hidden * 4, (dRecurrent) => {
    const hPrev = dRecurrent + recurrentBytes;
    host.withScratch(host.exports.gruSequenceBackwardScratch(batch, hidden, host.threads), (scratch) => {
      host.runJob(
        Job.gruSequenceBackward,
        GruSequenceBackwardArg,
        {
          weightHh: address(forward.weightHh),
          h0: address(forward.h0),
          lengths,
          reverse: forward.reverse ? 1 : 0,
          steps,
          batch,
          hidden,
          output: address(inputs.output),
          gates: address(inputs.gates),
          hiddenN: address(inputs.hiddenN),
          dOutput: address(inputs.dOutput),
          dh: address(inputs.dh),
          dInputGates: dInputGates.address,
          dh0: dh0.address,
          dBiasHn: dBiasHn.address,
          dRecurrent,
          hPrev,
          scratch,
        },
        batch * 3 * hidden * hidden,
      );
    });
    rowsProduct(host, dRecurrent, hPrev, rows, width, hidden, dWeightHh);
  });
  return { dInputGates, dWeightHh, dBiasHn, dh0 };
}

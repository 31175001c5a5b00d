/**
 * `@gated/onnx`: Gated models to and from ONNX. `exportOnnx` writes LSTM, GRU, RNN, Linear, Embedding
 * chains for ONNX Runtime (servers, Triton, ONNX Runtime Web); `importOnnx` reads the same family,
 * from Gated or from PyTorch's `torch.onnx.export`, back into Gated modules that run and train.
 *
 * @example
 * ```ts
 * import { exportOnnx, importOnnx } from '@gated/onnx';
 *
 * const bytes = await exportOnnx([embed, lstm, head], { inputShape: [1, 16] });
 * const model = importOnnx(bytes); // an OnnxModel: model.forward(ids), model.parameters()
 * ```
 */
export { exportOnnx, MAX_OPSET, MIN_OPSET } from './export/export-onnx.js';
export type { ExportOnnxOptions } from './export/export-onnx.js';
export type { ExportableLayer, ExportableModel } from './export/layers.js';
export type { BatchFirstLayout } from './export/recurrent.js';
export { importOnnx } from './import/import-onnx.js';
export { OnnxModel } from './import/onnx-model.js';
export type { OnnxFeed, OnnxInput } from './import/onnx-model.js';

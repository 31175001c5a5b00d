/**
 * `@gated/lstm`: recurrent layers that match PyTorch, and the small layers a real model needs.
 * `LSTM` (stacked, bidirectional, projections, peepholes, dropout, variable lengths, gate introspection),
 * `LSTMCell`, `GRU` (both reset forms), `GRUCell`, `RNN` (tanh or relu), `Linear`, `Embedding`, `Dropout`, `Sequential`; losses;
 * initializers; state dicts with PyTorch's names, safetensors files and Keras/TF.js import; data
 * helpers. Using it installs autodiff: it imports `@gated/autograd` for that module's side effect,
 * which autograd declares in its `sideEffects`, so bundlers keep it (docs/decisions/0005).
 *
 * @example
 * ```ts
 * import { registerBackend, setBackend, randn } from '@gated/tensor';
 * import { createTsBackend } from '@gated/backend-ts';
 * import { LSTM } from '@gated/lstm';
 *
 * registerBackend('ts', createTsBackend);
 * await setBackend('ts');
 * const lstm = new LSTM({ inputSize: 3, hiddenSize: 8, seed: 1 });
 * const { output, h, c } = lstm.forward(randn([5, 2, 3])); // output [5, 2, 8], h and c [1, 2, 8]
 * ```
 */
// For its side effect: autograd connects its tape to the engine when imported.
import '@gated/autograd';

export { Module } from './module.js';
export type { LoadStateDictOptions, LoadStateDictResult, StateDict } from './module.js';
export { LSTM } from './lstm.js';
export type { LSTMForwardOptions, LSTMGates, LSTMLayerParameters, LSTMOptions, LSTMResult } from './lstm.js';
export { LSTMCell } from './lstm-cell.js';
export type { LSTMCellOptions, LSTMCellResult, LSTMCellState } from './lstm-cell.js';
export { GRU, GRUCell } from './gru.js';
export type { GRUCellOptions, GRUForwardOptions, GRULayerParameters, GRUOptions, GRUResult } from './gru.js';
export { RNN } from './rnn.js';
export type { RNNForwardOptions, RNNLayerParameters, RNNNonlinearity, RNNOptions, RNNResult } from './rnn.js';
export type { RecurrentOptions } from './recurrent.js';
export type { Lengths } from './recurrent.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
export { Embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { Dropout } from './dropout.js';
export type { DropoutOptions } from './dropout.js';
export { Sequential } from './sequential.js';
export type { Layer } from './sequential.js';
export { ReLU, Sigmoid, Tanh } from './activations.js';
export { binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss } from './losses.js';
export type { BinaryCrossEntropyOptions, ClassLossOptions, Reduction, ReductionOptions } from './losses.js';
export {
  fans,
  initConstant,
  initForgetGateBias,
  initNormal,
  initOrthogonal,
  initUniform,
  initXavierNormal,
  initXavierUniform,
} from './init.js';
export type { GainOptions, GatedRecurrentModule, InitOptions } from './init.js';
export { CharVocab, padSequence, slidingWindows } from './data.js';
export type { PadSequenceOptions, PaddedBatch, SlidingWindowOptions, Windows } from './data.js';
export type { HostTensor } from './host-tensor.js';
export { loadSafetensors, parseSafetensors, saveSafetensors, serializeSafetensors } from './safetensors.js';
export type { SafetensorsContents, SafetensorsWriteOptions } from './safetensors.js';
export { importKerasLSTM, kerasLSTMToStateDict } from './keras.js';
export type { KerasArray, KerasBidirectionalWeights, KerasImportOptions, KerasLSTMWeights, KerasMappingOptions } from './keras.js';

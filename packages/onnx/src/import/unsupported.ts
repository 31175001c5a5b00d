/**
 * What the importer refuses today because `@gated/lstm` lacks the layer feature, each with the
 * message users see. Part two of issue 17 adds these features to the layers; each then becomes
 * a small change where the message is used (import/recurrent.ts): build the layer with the new
 * option instead of throwing.
 */
export const NOT_YET = {
  rnn: 'the ONNX RNN op (PyTorch\'s nn.RNN) needs an RNN layer, which @gated/lstm does not have yet',
  gruLinearBeforeReset:
    'GRU with linear_before_reset = 0 (ONNX\'s default form, the reset gate applied before the recurrent matmul) needs GRU linearBeforeReset: false, which @gated/lstm does not have yet; PyTorch exports linear_before_reset = 1, which is supported',
  peepholes: 'LSTM peepholes (input P) need peephole connections in @gated/lstm\'s LSTM, which it does not have yet',
  clip: 'cell clipping (the clip attribute) has no Gated equivalent yet',
  inputForget: 'input_forget = 1 (coupled input and forget gates) has no Gated equivalent yet',
  activations: 'only the default activations (Sigmoid, Tanh, Tanh for LSTM; Sigmoid, Tanh for GRU) have a Gated layer yet',
  reverse: 'a lone reverse direction (direction = "reverse") has no Gated layer yet (Gated runs reverse only as half of a bidirectional layer)',
} as const;

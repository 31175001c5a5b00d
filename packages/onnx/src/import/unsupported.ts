/**
 * What the importer refuses because `@gated/lstm`'s layers have no equivalent, each with the
 * message users see (used in import/recurrent.ts).
 */
export const NOT_YET = {
  clip: 'cell clipping (the clip attribute) has no Gated equivalent yet',
  inputForget: 'input_forget = 1 (coupled input and forget gates) has no Gated equivalent yet',
  activations: 'only the default activations (Sigmoid, Tanh, Tanh for LSTM; Sigmoid, Tanh for GRU) have a Gated layer yet',
  rnnActivations:
    "an RNN node needs the same activation, Tanh or Relu, in every direction (Gated's RNN nonlinearity); other activations have no Gated layer yet",
  reverse:
    'a lone reverse direction (direction = "reverse") has no Gated layer yet (Gated runs reverse only as half of a bidirectional layer)',
} as const;

import type { CharModelConfig } from './char-model.js';

/** The pretrained model's card (model/pretrained.json), written by scripts/train-pretrained.ts. */
export interface PretrainedCard {
  readonly name: string;
  readonly corpus: string;
  readonly architecture: string;
  readonly parameters: number;
  readonly config: CharModelConfig;
  readonly training: {
    readonly seed: number;
    readonly steps: number;
    readonly batch: number;
    readonly seqLength: number;
    readonly optimizer: string;
    readonly learningRate: string;
    readonly clipGradNorm: number;
    readonly epochs: number;
    readonly backend: string;
  };
  /** Mean cross-entropy on the held-out text, nats per character. */
  readonly validationLoss: number;
  readonly validationPerplexity: number;
  readonly trainingSeconds: number;
  readonly machine: string;
  readonly script: string;
  readonly command: string;
  /** 300 characters the model wrote after the prompt "ROMEO:\n" (temperature 0.7, the training seed). */
  readonly sample: string;
  readonly curve: { readonly step: number; readonly train: number; readonly validation: number }[];
}

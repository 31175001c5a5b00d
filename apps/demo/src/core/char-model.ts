/**
 * The character-level language model of the text page: Embedding → LSTM → Linear, the shape of
 * Karpathy's char-rnn. Parameter names are those of a PyTorch module with children `embed`
 * (`nn.Embedding`), `lstm` (`nn.LSTM`, batch_first) and `head` (`nn.Linear`), so a saved
 * safetensors file loads into that module with `load_state_dict` (see scripts/pytorch_sample.py).
 * The vocabulary and sizes travel in the file's `__metadata__`.
 */
import { Embedding, LSTM, Linear, CharVocab, parseSafetensors, saveSafetensors, type StateDict } from '@gated/lstm';
import { GatedError, dispose, tensor, type Tensor } from '@gated/tensor';

export interface CharModelConfig {
  /** The vocabulary: every character the model knows, in id order. */
  readonly chars: string;
  readonly embedSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
}

/** A model's state after a forward pass, per layer: h and c `[numLayers, B, H]`. */
export interface RecurrentState {
  readonly h: Tensor;
  readonly c: Tensor;
}

const CHILDREN = ['embed', 'lstm', 'head'] as const;

function checkSize(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new GatedError('CharModel', `${name} must be an integer in [1, ${max}], got ${String(value)}`);
  }
}

/**
 * @example
 * ```ts
 * const model = new CharModel({ chars: vocab.chars.join(''), embedSize: 32, hiddenSize: 256, numLayers: 1 }, 1);
 * const { logits, state } = model.forward(ids);          // ids [B, T] int32 → logits [B, T, V]
 * ```
 */
export class CharModel implements Disposable {
  readonly config: CharModelConfig;
  readonly vocab: CharVocab;
  readonly embed: Embedding;
  readonly lstm: LSTM;
  readonly head: Linear;

  constructor(config: CharModelConfig, seed: number) {
    checkSize('embedSize', config.embedSize, 1024);
    checkSize('hiddenSize', config.hiddenSize, 2048);
    checkSize('numLayers', config.numLayers, 8);
    this.config = { ...config };
    this.vocab = new CharVocab(Array.from(config.chars));
    if (this.vocab.size < 2) throw new GatedError('CharModel', `the vocabulary needs at least 2 characters, got ${this.vocab.size}`);
    this.embed = new Embedding(this.vocab.size, config.embedSize, { seed });
    this.lstm = new LSTM({
      inputSize: config.embedSize,
      hiddenSize: config.hiddenSize,
      numLayers: config.numLayers,
      batchFirst: true,
      seed: seed + 1,
    });
    this.head = new Linear(config.hiddenSize, this.vocab.size, { seed: seed + 2 });
  }

  parameters(): Tensor[] {
    return [...this.embed.parameters(), ...this.lstm.parameters(), ...this.head.parameters()];
  }

  /** Number of scalar parameters. */
  get size(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Logits of the next character at every position of `ids` ([B, T] int32), starting from
   * `state` (zeros when omitted); returns the state after the last step for the next chunk.
   */
  forward(ids: Tensor, state?: RecurrentState | null): { logits: Tensor; state: RecurrentState } {
    return this.forwardEmbedded(this.embed.forward(ids), state);
  }

  /** The same from embedded inputs [B, T, E] (the saliency view differentiates with respect to them). */
  forwardEmbedded(embedded: Tensor, state?: RecurrentState | null): { logits: Tensor; state: RecurrentState } {
    const result = this.lstm.forward(embedded, state ? { h0: state.h, c0: state.c } : {});
    return { logits: this.head.forward(result.output), state: { h: result.h, c: result.c } };
  }

  /** Detached views of every parameter under its PyTorch name (`embed.weight`, `lstm.weight_ih_l0`, …). */
  stateDict(): StateDict {
    const dict: StateDict = {};
    for (const child of CHILDREN) {
      for (const [name, t] of Object.entries(this[child].stateDict())) dict[`${child}.${name}`] = t;
    }
    return dict;
  }

  /** Loads a dict with the names of {@link stateDict} (strict: every name, every shape). */
  loadStateDict(dict: StateDict): void {
    const known = new Set(CHILDREN.flatMap((child) => this[child].namedParameters().map(([name]) => `${child}.${name}`)));
    const extra = Object.keys(dict).filter((name) => !known.has(name));
    if (extra.length > 0) throw new GatedError('CharModel.loadStateDict', `unexpected entries: ${extra.join(', ')}`);
    for (const child of CHILDREN) {
      const part: StateDict = {};
      for (const [name, t] of Object.entries(dict)) if (name.startsWith(`${child}.`)) part[name.slice(child.length + 1)] = t;
      this[child].loadStateDict(part);
    }
  }

  /** A safetensors file of the weights, the vocabulary and sizes in its metadata. */
  async toSafetensors(extra: Readonly<Record<string, string>> = {}): Promise<Uint8Array> {
    const dict = this.stateDict();
    try {
      return await saveSafetensors(dict, { metadata: { format: 'pt', gated: 'char-lm', config: JSON.stringify(this.config), ...extra } });
    } finally {
      dispose(Object.values(dict));
    }
  }

  /** Reads a file written by {@link toSafetensors} (or by PyTorch with the same names and metadata). */
  static fromSafetensors(bytes: Uint8Array): { model: CharModel; metadata: Record<string, string> } {
    const { tensors, metadata } = parseSafetensors(bytes);
    const config = parseConfig(metadata['config']);
    const model = new CharModel(config, 0);
    const dict: StateDict = {};
    try {
      for (const [name, t] of tensors) dict[name] = tensor(t.data, { shape: t.shape, dtype: t.dtype });
      model.loadStateDict(dict);
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      dispose(Object.values(dict));
    }
    return { model, metadata };
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const child of CHILDREN) this[child].zeroGrad();
  }

  dispose(): void {
    for (const child of CHILDREN) this[child].dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function parseConfig(text: string | undefined): CharModelConfig {
  if (text === undefined)
    throw new GatedError('CharModel.fromSafetensors', 'the file has no "config" metadata: it was not saved by the Gated demo');
  const raw = JSON.parse(text) as Partial<Record<keyof CharModelConfig, unknown>>;
  const { chars, embedSize, hiddenSize, numLayers } = raw;
  if (typeof chars !== 'string' || typeof embedSize !== 'number' || typeof hiddenSize !== 'number' || typeof numLayers !== 'number') {
    throw new GatedError(
      'CharModel.fromSafetensors',
      `the "config" metadata needs chars, embedSize, hiddenSize and numLayers, got ${text}`,
    );
  }
  return { chars, embedSize, hiddenSize, numLayers };
}

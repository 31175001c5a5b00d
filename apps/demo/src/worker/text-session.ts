/**
 * The text page's model in the worker: the current CharModel (the pretrained one at first), its
 * corpus, and a trainer that runs until paused, reporting steps, validation losses and samples.
 */
import type { HostTensor } from '@gated/lstm';
import type { Adam } from '@gated/optim';
import { GatedError, Tensor, dispose, getBackendName, tensor } from '@gated/tensor';
import type { PretrainedCard } from '../core/card.js';
import { CharModel } from '../core/char-model.js';
import { CharTrainer } from '../core/char-trainer.js';
import { Rng } from '../core/rng.js';
import { knownText, sampleText } from '../core/sample.js';
import { fromHost, toHost } from '../core/move.js';
import type { CorpusChoice, ModelSummary, NewModelOptions, TrainEvent, TrainSettings } from './api.js';
import { Lock, yieldToEvents } from './lock.js';

/** Validation on a few chunks of the held-out text: enough for a curve, cheap between steps. */
const VALIDATION_CHUNKS = 4;

export class TextSession {
  readonly lock = new Lock();
  private model: CharModel | null = null;
  private trainer: CharTrainer | null = null;
  private corpus: CorpusChoice = { kind: 'shakespeare' };
  private origin = '';
  private card: PretrainedCard | null = null;
  private running = false;
  private pauseRequested = false;
  private settings: TrainSettings = { learningRate: 2e-3, temperature: 0.8, sampleEvery: 100, validateEvery: 25 };
  /** Bumped whenever the weights change, so the inspector knows its trace is stale. */
  version = 0;
  /** Bumped whenever another model replaces the current one. */
  private modelId = 0;

  constructor(
    private readonly shakespeare: () => Promise<string>,
    private readonly pretrained: () => Promise<{ bytes: Uint8Array; card: PretrainedCard }>,
  ) {}

  get current(): CharModel {
    if (!this.model) throw new GatedError('demo', 'no model loaded yet');
    return this.model;
  }

  summary(): ModelSummary {
    const model = this.current;
    return {
      id: this.modelId,
      config: model.config,
      parameters: model.size,
      origin: this.origin,
      card: this.card,
      steps: this.trainer?.steps ?? 0,
      backend: getBackendName(),
    };
  }

  private replace(model: CharModel, origin: string, card: PretrainedCard | null, corpus: CorpusChoice): void {
    this.trainer?.dispose();
    this.trainer = null;
    this.model?.dispose();
    this.model = model;
    this.origin = origin;
    this.card = card;
    this.corpus = corpus;
    this.version++;
    this.modelId++;
  }

  private assertIdle(what: string): void {
    if (this.running) throw new GatedError(what, 'pause the training first');
  }

  async loadPretrained(): Promise<ModelSummary> {
    this.assertIdle('loadPretrained');
    const { bytes, card } = await this.pretrained();
    return this.lock.run(() => {
      const { model } = CharModel.fromSafetensors(bytes);
      this.replace(model, 'pretrained (model/pretrained.safetensors)', card, { kind: 'shakespeare' });
      return this.summary();
    });
  }

  async newModel(options: NewModelOptions): Promise<ModelSummary> {
    this.assertIdle('newModel');
    const text = options.corpus.kind === 'shakespeare' ? await this.shakespeare() : options.corpus.text;
    if (Array.from(text).length < 2000)
      throw new GatedError('newModel', `the corpus needs at least 2,000 characters, got ${Array.from(text).length}`);
    const chars = [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!).join('');
    return this.lock.run(() => {
      const model = new CharModel(
        { chars, embedSize: options.embedSize, hiddenSize: options.hiddenSize, numLayers: options.numLayers },
        options.seed,
      );
      const name = options.corpus.kind === 'shakespeare' ? 'tinyshakespeare' : options.corpus.name;
      this.replace(model, `new, to train on ${name}`, null, options.corpus);
      return this.summary();
    });
  }

  async importModel(bytes: Uint8Array, name: string): Promise<ModelSummary> {
    this.assertIdle('importModel');
    return this.lock.run(() => {
      const { model } = CharModel.fromSafetensors(bytes);
      this.replace(model, `loaded from ${name}`, null, { kind: 'shakespeare' });
      return this.summary();
    });
  }

  exportModel(): Promise<Uint8Array> {
    return this.lock.run(() => this.current.toSafetensors({ origin: this.origin }));
  }

  /**
   * The model as an ONNX file (Embedding → LSTM → Linear; input `[batch, T]` int32 ids, output
   * the logits), for ONNX Runtime; the exporter loads on first use.
   */
  async exportOnnx(): Promise<{ onnx: Uint8Array; chars: string }> {
    const { exportOnnx } = await import('@gated/onnx');
    return this.lock.run(async () => {
      const model = this.current;
      return { onnx: await exportOnnx([model.embed, model.lstm, model.head], { inputShape: [1, 16] }), chars: model.config.chars };
    });
  }

  sample(prompt: string, length: number, temperature: number, seed: number): Promise<string> {
    if (!(Number.isInteger(length) && length >= 1 && length <= 2000))
      throw new GatedError('sample', `length must be an integer in [1, 2000], got ${String(length)}`);
    return this.lock.run(() => sampleText(this.current, prompt, length, temperature, new Rng(seed)));
  }

  private async ensureTrainer(): Promise<CharTrainer> {
    if (this.trainer) return this.trainer;
    const text = this.corpus.kind === 'shakespeare' ? await this.shakespeare() : this.corpus.text;
    const { text: known, dropped } = knownText(this.current, text);
    if (dropped > 0 && known.length < 2000)
      throw new GatedError('train', `only ${known.length} characters of the corpus are in this model's vocabulary`);
    this.trainer = new CharTrainer(this.current, known, { learningRate: this.settings.learningRate });
    return this.trainer;
  }

  updateSettings(settings: Partial<TrainSettings>): void {
    this.settings = { ...this.settings, ...settings };
    if (this.trainer && settings.learningRate !== undefined) this.trainer.learningRate = settings.learningRate;
  }

  pause(): void {
    this.pauseRequested = true;
  }

  /** Read through a getter: the flag changes while `train` awaits, which flow analysis cannot see. */
  private get paused(): boolean {
    return this.pauseRequested;
  }

  /** Trains until {@link pause}. */
  async train(settings: TrainSettings, emit: (event: TrainEvent) => void): Promise<void> {
    this.assertIdle('train');
    this.running = true;
    this.pauseRequested = false;
    try {
      const trainer = await this.lock.run(() => this.ensureTrainer());
      this.updateSettings(settings);
      let seed = trainer.steps + 1;
      while (!this.pauseRequested) {
        await yieldToEvents();
        if (this.paused) break;
        const start = performance.now();
        const loss = await this.lock.run(() => trainer.step());
        const ms = performance.now() - start;
        this.version++;
        const step = trainer.steps;
        emit({ kind: 'step', step, loss, ms, epoch: trainer.epoch, backend: getBackendName() });
        if (step % this.settings.validateEvery === 0 || step === 1) {
          emit({ kind: 'validation', step, loss: await this.lock.run(() => trainer.validate(VALIDATION_CHUNKS)) });
        }
        if (step % this.settings.sampleEvery === 0 || step === 1) {
          const text = await this.lock.run(() => sampleText(this.current, '\n', 200, this.settings.temperature, new Rng(seed++)));
          emit({ kind: 'sample', step, text });
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Moves the model and the optimizer's state to the backend `activate` switches to. */
  async move(activate: () => Promise<void>): Promise<void> {
    this.assertIdle('switchBackend');
    await this.lock.run(async () => {
      const model = this.current;
      const weights = await toHost(model.stateDict());
      const trainer = this.trainer;
      const optimizer = trainer ? await hostOptimizerState(trainer) : null;
      const position = trainer ? await trainer.position() : null;
      const lr = trainer?.learningRate;
      await activate();
      const moved = new CharModel(model.config, 0);
      const dict = fromHost(weights);
      try {
        moved.loadStateDict(dict);
      } finally {
        dispose(Object.values(dict));
      }
      trainer?.dispose();
      this.trainer = null;
      model.dispose();
      this.model = moved;
      this.version++;
      if (optimizer && position && lr !== undefined) {
        const next = await this.ensureTrainer();
        next.learningRate = lr;
        next.restore(position);
        restoreOptimizerState(next, optimizer);
      }
    });
  }
}

type HostValue = number | HostTensor;
interface HostState {
  readonly state: Record<number, Record<string, HostValue>>;
  readonly paramGroups: ReturnType<Adam['stateDict']>['paramGroups'];
}

/** The Adam state (moments per parameter, step counts) on the host; the snapshot's tensors are freed. */
async function hostOptimizerState(trainer: CharTrainer): Promise<HostState> {
  const saved = trainer.adam.stateDict();
  const state: Record<number, Record<string, HostValue>> = {};
  try {
    for (const [index, entry] of Object.entries(saved.state)) {
      const out: Record<string, HostValue> = {};
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        if (value instanceof Tensor) {
          const t = value as Tensor;
          out[key] = { dtype: t.dtype, shape: [...t.shape], data: await t.data() };
        } else if (typeof value === 'number') out[key] = value;
      }
      state[Number(index)] = out;
    }
  } finally {
    for (const entry of Object.values(saved.state))
      dispose(Object.values(entry as Record<string, unknown>).filter((v): v is Tensor => v instanceof Tensor));
  }
  return { state, paramGroups: saved.paramGroups };
}

function restoreOptimizerState(trainer: CharTrainer, host: HostState): void {
  const created: Tensor[] = [];
  const state: Record<number, Record<string, number | Tensor>> = {};
  try {
    for (const [index, entry] of Object.entries(host.state)) {
      const out: Record<string, number | Tensor> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value === 'number') out[key] = value;
        else {
          const t = tensor(value.data, { shape: value.shape, dtype: value.dtype });
          created.push(t);
          out[key] = t;
        }
      }
      state[Number(index)] = out;
    }
    trainer.adam.loadStateDict({ state, paramGroups: host.paramGroups } as Parameters<Adam['loadStateDict']>[0]);
  } finally {
    dispose(created);
  }
}

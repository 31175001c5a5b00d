/**
 * What the page asks of its worker (comlink RPC). Everything that computes runs in the worker,
 * so the page never freezes; every method's error is a rejected promise the page shows.
 */
import type { BackendInfo } from '../core/backends.js';
import type { BenchRow } from '../core/bench.js';
import type { PretrainedCard } from '../core/card.js';
import type { CharModelConfig } from '../core/char-model.js';
import type { UnitMatch } from '../core/features.js';
import type { ForecastOptions } from '../core/forecaster.js';
import type { Errors } from '../core/series.js';
import type { StepBreakdown, Trace } from '../core/inspect.js';

export interface ModelSummary {
  /** Changes whenever another model replaces the current one (new, loaded, pretrained). */
  readonly id: number;
  readonly config: CharModelConfig;
  readonly parameters: number;
  /** Where it came from: "pretrained", "trained here on …", "loaded from …". */
  readonly origin: string;
  /** The pretrained model's card; null for other models. */
  readonly card: PretrainedCard | null;
  readonly steps: number;
  readonly backend: string;
}

export type CorpusChoice = { readonly kind: 'shakespeare' } | { readonly kind: 'text'; readonly name: string; readonly text: string };

export interface NewModelOptions {
  readonly corpus: CorpusChoice;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly embedSize: number;
  readonly seed: number;
}

export interface TrainSettings {
  readonly learningRate: number;
  readonly temperature: number;
  /** A sample every this many steps. */
  readonly sampleEvery: number;
  /** A validation loss every this many steps. */
  readonly validateEvery: number;
}

export type TrainEvent =
  | {
      readonly kind: 'step';
      readonly step: number;
      readonly loss: number;
      readonly ms: number;
      readonly epoch: number;
      readonly backend: string;
    }
  | { readonly kind: 'validation'; readonly step: number; readonly loss: number }
  | { readonly kind: 'sample'; readonly step: number; readonly text: string };

export interface InspectResult {
  readonly trace: Trace;
  /** Characters of the typed text the model does not know (left out). */
  readonly dropped: number;
  readonly text: string;
}

export interface FeatureRanking {
  readonly id: string;
  readonly label: string;
  readonly matches: readonly UnitMatch[];
  readonly why?: string;
}

export interface SaliencyResult {
  readonly text: string;
  readonly predicted: string;
  readonly norms: Float32Array;
}

export interface ForecastEvent {
  readonly epoch: number;
  readonly loss: number;
}

export interface ForecastResult {
  readonly seriesId: string;
  readonly labels: readonly string[];
  readonly values: Float64Array;
  readonly trainLength: number;
  readonly forecast: Float64Array;
  readonly naive: Float64Array;
  readonly model: Errors;
  readonly baseline: Errors;
  readonly backend: string;
  readonly seconds: number;
}

export interface SwitchResult {
  readonly backend: string;
  readonly moved: readonly string[];
}

export interface DemoApi {
  /** Starts every backend the page can run, loads the pretrained model; resolves to the backends and the model. */
  init(): Promise<{ backends: BackendInfo[]; model: ModelSummary; isolated: boolean }>;
  model(): Promise<ModelSummary>;
  newModel(options: NewModelOptions): Promise<ModelSummary>;
  loadPretrained(): Promise<ModelSummary>;
  /** Trains until `pause()`; events arrive through `onEvent`. */
  train(settings: TrainSettings, onEvent: (event: TrainEvent) => void): Promise<void>;
  pause(): Promise<void>;
  /** Changes live settings (learning rate, temperature, intervals) of a running training. */
  updateSettings(settings: Partial<TrainSettings>): Promise<void>;
  sample(prompt: string, length: number, temperature: number, seed: number): Promise<string>;
  exportModel(): Promise<Uint8Array>;
  /** The model as ONNX (for ONNX Runtime) and its vocabulary (id → character). */
  exportOnnx(): Promise<{ onnx: Uint8Array; chars: string }>;
  importModel(bytes: Uint8Array, name: string): Promise<ModelSummary>;
  inspect(text: string): Promise<InspectResult>;
  step(layer: number, t: number, unit: number): Promise<StepBreakdown>;
  rankFeatures(layer: number): Promise<FeatureRanking[]>;
  saliency(text: string): Promise<SaliencyResult>;
  forecast(seriesId: string, options: ForecastOptions, onEpoch: (event: ForecastEvent) => void): Promise<ForecastResult>;
  switchBackend(name: string): Promise<SwitchResult>;
  benchmark(onRow: (row: BenchRow) => void): Promise<BenchRow[]>;
}

/**
 * The demo's worker: every backend, model and computation lives here, behind comlink. The page
 * only draws.
 */
import { expose } from 'comlink';
import { installAutograd } from '@gated/autograd';
import { GatedError, getBackendName, setBackend } from '@gated/tensor';
import { discoverBackends, preferredBackend, type BackendInfo } from '../core/backends.js';
import { benchActive, type BenchRow } from '../core/bench.js';
import { rankUnits, textFeatures } from '../core/features.js';
import { Forecaster, type ForecastOptions } from '../core/forecaster.js';
import { embeddedRows, layerWeights, saliency, stepBreakdown, traceText, type Trace } from '../core/inspect.js';
import { knownText } from '../core/sample.js';
import { airline, errors, seasonalNaive, synthetic, temperatures, type Series } from '../core/series.js';
import shakespeareUrl from '../../data/tinyshakespeare.txt?url';
import airlineUrl from '../../data/airline-passengers.csv?url';
import temperaturesUrl from '../../data/daily-min-temperatures.csv?url';
import pretrainedUrl from '../../model/pretrained.safetensors?url';
import pretrainedCard from '../../model/pretrained.json';
import type { DemoApi, FeatureRanking, ForecastEvent, ForecastResult, InspectResult, TrainEvent } from './api.js';
import { TextSession } from './text-session.js';

// A bundler drops the import-time installation of a side-effect-free package (decision 0002).
installAutograd();

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new GatedError('fetch', `${url}: HTTP ${response.status}`);
  return response;
}

/**
 * Calls a page callback (a comlink proxy: its call returns a promise) without waiting for it:
 * the page's drawing must not hold the computation up, and a closed page must not break it.
 */
function notify(call: () => unknown): void {
  try {
    const result = call();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // The page is gone; nothing to tell.
  }
}

let shakespeare: Promise<string> | null = null;
const session = new TextSession(
  () => (shakespeare ??= fetchOk(shakespeareUrl).then((r) => r.text())),
  async () => ({ bytes: new Uint8Array(await (await fetchOk(pretrainedUrl)).arrayBuffer()), card: pretrainedCard }),
);

let backends: BackendInfo[] = [];
let inspected: { text: string; version: number; trace: Trace; embedded: Float32Array } | null = null;

async function currentTrace(): Promise<NonNullable<typeof inspected>> {
  if (!inspected) throw new GatedError('inspector', 'inspect a text first');
  if (inspected.version !== session.version) {
    // The weights changed since (training): recompute the same text.
    const model = session.current;
    const text = inspected.text;
    inspected = { text, version: session.version, trace: await traceText(model, text), embedded: await embeddedRows(model, text) };
  }
  return inspected;
}

async function loadSeries(id: string): Promise<Series> {
  if (id === 'airline') return airline(await (await fetchOk(airlineUrl)).text());
  if (id === 'temperatures') return temperatures(await (await fetchOk(temperaturesUrl)).text());
  if (id === 'synthetic') return synthetic();
  throw new GatedError('forecast', `unknown series "${id}"`);
}

const api: DemoApi = {
  async init() {
    const isolated = globalThis.crossOriginIsolated;
    backends = await discoverBackends(Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1)), isolated);
    await setBackend(preferredBackend(backends));
    const model = await session.loadPretrained();
    return { backends, model, isolated };
  },
  model: () => session.lock.run(() => session.summary()),
  newModel: (options) => session.newModel(options),
  loadPretrained: () => session.loadPretrained(),
  train: (settings, onEvent: (event: TrainEvent) => void) =>
    session.train(settings, (event) => {
      // Fire and forget: the page's callback must not hold the training loop up.
      notify(() => {
        onEvent(event);
      });
    }),
  pause: () => {
    session.pause();
    return Promise.resolve();
  },
  updateSettings: (settings) => {
    session.updateSettings(settings);
    return Promise.resolve();
  },
  sample: (prompt, length, temperature, seed) => session.sample(prompt, length, temperature, seed),
  exportModel: () => session.exportModel(),
  exportOnnx: () => session.exportOnnx(),
  importModel: (bytes, name) => session.importModel(bytes, name),
  inspect: (text) =>
    session.lock.run(async (): Promise<InspectResult> => {
      const model = session.current;
      const { text: known, dropped } = knownText(model, text);
      inspected = {
        text: known,
        version: session.version,
        trace: await traceText(model, known),
        embedded: await embeddedRows(model, known),
      };
      return { trace: inspected.trace, dropped, text: known };
    }),
  step: (layer, t, unit) =>
    session.lock.run(async () => {
      const { trace, embedded } = await currentTrace();
      if (!(Number.isInteger(layer) && layer >= 0 && layer < trace.layers.length))
        throw new GatedError('step', `layer ${layer} of ${trace.layers.length}`);
      return stepBreakdown(trace, embedded, await layerWeights(session.current, layer), layer, t, unit);
    }),
  rankFeatures: (layer) =>
    session.lock.run(async (): Promise<FeatureRanking[]> => {
      const { trace } = await currentTrace();
      const traced = trace.layers[layer];
      if (!traced) throw new GatedError('rankFeatures', `layer ${layer} of ${trace.layers.length}`);
      return textFeatures(trace.chars, session.current.vocab.chars).map((f) =>
        f.values
          ? { id: f.id, label: f.label, matches: rankUnits(f.values, traced, trace.hiddenSize) }
          : { id: f.id, label: f.label, matches: [], why: f.why ?? '' },
      );
    }),
  saliency: (text) =>
    session.lock.run(async () => {
      const model = session.current;
      const known = knownText(model, text).text;
      return { text: known, ...(await saliency(model, known)) };
    }),
  async forecast(seriesId: string, options: ForecastOptions, onEpoch: (event: ForecastEvent) => void): Promise<ForecastResult> {
    const series = await loadSeries(seriesId);
    const started = performance.now();
    return session.lock.run(async () => {
      const model = new Forecaster(series, options);
      try {
        for (let epoch = 1; epoch <= options.epochs; epoch++) {
          const loss = await model.epoch();
          notify(() => {
            onEpoch({ epoch, loss });
          });
        }
        const forecast = await model.forecast();
        const trainLength = series.values.length - series.horizon;
        const truth = series.values.subarray(trainLength);
        const naive = seasonalNaive(series);
        return {
          seriesId,
          labels: series.labels,
          values: series.values,
          trainLength,
          forecast,
          naive,
          model: errors(forecast, truth),
          baseline: errors(naive, truth),
          backend: getBackendName(),
          seconds: (performance.now() - started) / 1000,
        };
      } finally {
        model.dispose();
      }
    });
  },
  async switchBackend(name) {
    const target = backends.find((b) => b.name === name);
    if (!target?.available)
      throw new GatedError('switchBackend', `backend "${name}" is not available here${target?.reason ? `: ${target.reason}` : ''}`);
    await session.move(async () => {
      await setBackend(name);
    });
    return { backend: getBackendName(), moved: ['text model (weights and Adam state)'] };
  },
  async benchmark(onRow) {
    const before = getBackendName();
    const rows: BenchRow[] = [];
    await session.lock.run(async () => {
      try {
        for (const b of backends.filter((x) => x.available)) {
          await setBackend(b.name);
          const row = await benchActive(b.name);
          rows.push(row);
          notify(() => {
            onRow(row);
          });
        }
      } finally {
        await setBackend(before);
      }
    });
    return rows;
  },
};

expose(api);

/**
 * Training in the worker: corpus (tinyshakespeare, pasted text or a file), layer sizes, live
 * learning rate and temperature, pause/resume, loss and validation-perplexity curves, speed, and
 * samples as it learns.
 */
import { proxy } from 'comlink';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../client.js';
import { getState, guard, setState, useAppState } from '../store.js';
import type { CorpusChoice, TrainEvent } from '../worker/api.js';
import { LineChart } from './line-chart.js';

interface Curves {
  readonly steps: number[];
  readonly loss: (number | null)[];
  readonly validation: (number | null)[];
  readonly perplexity: { steps: number[]; values: number[] };
}

const empty = (): Curves => ({ steps: [], loss: [], validation: [], perplexity: { steps: [], values: [] } });

export function TrainingPanel(props: { readonly temperature: number }) {
  const app = useAppState();
  const [source, setSource] = useState<'shakespeare' | 'paste' | 'file'>('shakespeare');
  const [pasted, setPasted] = useState('');
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [hidden, setHidden] = useState(128);
  const [layers, setLayers] = useState(1);
  const [logLr, setLogLr] = useState(Math.log10(3e-3));
  const [sampleEvery, setSampleEvery] = useState(100);
  const [curves, setCurves] = useState<Curves>(empty);
  const [samples, setSamples] = useState<{ step: number; text: string }[]>([]);
  const [speed, setSpeed] = useState<{ ms: number; perSecond: number; step: number; epoch: number } | null>(null);
  const recent = useRef<number[]>([]);
  const lr = 10 ** logLr;

  const corpus = (): CorpusChoice => {
    if (source === 'shakespeare') return { kind: 'shakespeare' };
    if (source === 'paste') return { kind: 'text', name: 'pasted text', text: pasted };
    if (!file) throw new Error('choose a text file first');
    return { kind: 'text', name: file.name, text: file.text };
  };

  const newModel = () =>
    guard(async () => {
      setState({ model: await api.newModel({ corpus: corpus(), hiddenSize: hidden, numLayers: layers, embedSize: 32, seed: 1 }) });
    });

  // Another model (new, loaded, the pretrained one): its training starts a new record.
  const modelId = app.model?.id;
  useEffect(() => {
    setCurves(empty());
    setSamples([]);
    setSpeed(null);
    recent.current = [];
  }, [modelId]);

  const onEvent = (event: TrainEvent) => {
    if (event.kind === 'step') {
      recent.current.push(event.ms);
      if (recent.current.length > 20) recent.current.shift();
      const ms = recent.current.reduce((a, b) => a + b, 0) / recent.current.length;
      setSpeed({ ms, perSecond: 1000 / ms, step: event.step, epoch: event.epoch });
      setState({ stepMs: { ...getState().stepMs, [event.backend]: ms } });
      setCurves((c) => ({ ...c, steps: [...c.steps, event.step], loss: [...c.loss, event.loss], validation: [...c.validation, null] }));
    } else if (event.kind === 'validation') {
      setCurves((c) => {
        const validation = [...c.validation];
        const at = c.steps.lastIndexOf(event.step);
        if (at >= 0) validation[at] = event.loss;
        return {
          ...c,
          validation,
          perplexity: { steps: [...c.perplexity.steps, event.step], values: [...c.perplexity.values, Math.exp(event.loss)] },
        };
      });
    } else {
      setSamples((s) => [{ step: event.step, text: event.text }, ...s].slice(0, 20));
    }
  };

  const train = () =>
    guard(async () => {
      setState({ training: true });
      try {
        await api.train({ learningRate: lr, temperature: props.temperature, sampleEvery, validateEvery: 25 }, proxy(onEvent));
      } finally {
        setState({ training: false });
        setState({ model: await api.model() });
      }
    });

  const lossData = useMemo(() => [curves.steps, curves.loss, curves.validation], [curves]);
  const perplexityData = useMemo(() => [curves.perplexity.steps, curves.perplexity.values], [curves]);

  return (
    <section class="panel" aria-labelledby="train-title">
      <h3 id="train-title">Train</h3>
      <fieldset disabled={app.training}>
        <legend>A new model</legend>
        <div class="row" role="radiogroup" aria-label="Corpus">
          {(
            [
              ['shakespeare', 'tinyshakespeare (1.1 MB)'],
              ['paste', 'pasted text'],
              ['file', 'a text file'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} class="inline">
              <input
                type="radio"
                name="corpus"
                checked={source === value}
                onChange={() => {
                  setSource(value);
                }}
              />{' '}
              {label}
            </label>
          ))}
        </div>
        {source === 'paste' && (
          <textarea
            rows={5}
            class="grow"
            placeholder="Paste at least 2,000 characters"
            value={pasted}
            onInput={(e) => {
              setPasted(e.currentTarget.value);
            }}
            aria-label="Text to train on"
          />
        )}
        {source === 'file' && (
          <input
            type="file"
            accept=".txt,text/plain"
            aria-label="Text file to train on"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f)
                void guard(async () => {
                  setFile({ name: f.name, text: await f.text() });
                });
            }}
          />
        )}
        <div class="row">
          <label>
            Hidden units
            <select
              value={hidden}
              onChange={(e) => {
                setHidden(Number(e.currentTarget.value));
              }}
              data-testid="hidden-size"
            >
              {[32, 64, 128, 256, 512].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            Layers
            <select
              value={layers}
              onChange={(e) => {
                setLayers(Number(e.currentTarget.value));
              }}
              data-testid="layers"
            >
              {[1, 2, 3].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button onClick={() => void newModel()} disabled={!app.ready} data-testid="new-model">
            Create the model
          </button>
        </div>
      </fieldset>
      <div class="row">
        <label>
          Learning rate {lr.toExponential(1)}
          <input
            type="range"
            min={-4}
            max={-1.5}
            step={0.05}
            value={logLr}
            data-testid="learning-rate"
            onInput={(e) => {
              const value = Number(e.currentTarget.value);
              setLogLr(value);
              void guard(() => api.updateSettings({ learningRate: 10 ** value }));
            }}
          />
        </label>
        <label>
          Sample every
          <input
            type="number"
            min={10}
            max={5000}
            value={sampleEvery}
            onInput={(e) => {
              const value = Math.max(10, Number(e.currentTarget.value) || 100);
              setSampleEvery(value);
              void guard(() => api.updateSettings({ sampleEvery: value }));
            }}
          />{' '}
          steps
        </label>
        {app.training ? (
          <button onClick={() => void guard(() => api.pause())} data-testid="pause">
            Pause
          </button>
        ) : (
          <button onClick={() => void train()} disabled={!app.ready} data-testid="train">
            {curves.steps.length > 0 ? 'Resume' : 'Train'}
          </button>
        )}
      </div>
      <p class="stats" aria-live="off" data-testid="train-stats" data-losses={JSON.stringify(curves.loss.slice(-500))}>
        {speed
          ? `step ${speed.step} · epoch ${speed.epoch} · loss ${(curves.loss.at(-1) ?? NaN).toFixed(3)} · ${speed.ms.toFixed(1)} ms/step · ${speed.perSecond.toFixed(1)} steps/s · ${app.backend}`
          : 'not trained in this page yet'}
      </p>
      <div class="charts">
        <LineChart
          title="Loss (cross-entropy, nats per character)"
          testId="loss-chart"
          xLabel="step"
          yLabel="loss"
          series={[
            { label: 'train', color: '#2563eb' },
            { label: 'validation', color: '#dc2626', points: true },
          ]}
          data={lossData}
        />
        <LineChart
          title="Validation perplexity"
          xLabel="step"
          yLabel="perplexity"
          logY
          series={[{ label: 'perplexity', color: '#16a34a', points: true }]}
          data={perplexityData}
        />
      </div>
      <h4>Samples while it learns</h4>
      <ol class="samples" data-testid="train-samples" aria-live="polite">
        {samples.map((s) => (
          <li key={s.step}>
            <span class="step">step {s.step}</span>
            <pre>{s.text}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * Page 3: forecasting. Train an LSTM on a series' training part, forecast the held-out steps
 * recursively, and compare its error with the seasonal-naive baseline's.
 */
import { proxy } from 'comlink';
import { useMemo, useState } from 'preact/hooks';
import { api } from '../client.js';
import { LineChart } from '../components/line-chart.js';
import { DEFAULT_FORECAST } from '../core/forecast-options.js';
import { guard, useAppState } from '../store.js';
import type { ForecastEvent, ForecastResult } from '../worker/api.js';

const SERIES = [
  { id: 'airline', label: 'Airline passengers, monthly 1949–1960 (hold out 24 months)', epochs: 60 },
  { id: 'temperatures', label: 'Melbourne daily minimum temperature 1981–1990 (hold out 60 days)', epochs: 3 },
  { id: 'synthetic', label: 'Synthetic: two harmonics, a trend and noise (hold out 48 steps)', epochs: 120 },
] as const;

export function ForecastPage() {
  const app = useAppState();
  const [seriesId, setSeriesId] = useState<string>('airline');
  const [hidden, setHidden] = useState(DEFAULT_FORECAST.hiddenSize);
  const [epochs, setEpochs] = useState<number>(SERIES[0].epochs);
  const [losses, setLosses] = useState<ForecastEvent[]>([]);
  const [result, setResult] = useState<ForecastResult | null>(null);
  const [busy, setBusy] = useState(false);

  const run = () =>
    guard(async () => {
      setBusy(true);
      setLosses([]);
      setResult(null);
      try {
        const options = { ...DEFAULT_FORECAST, hiddenSize: hidden, epochs };
        setResult(
          await api.forecast(
            seriesId,
            options,
            proxy((e: ForecastEvent) => {
              setLosses((l) => [...l, e]);
            }),
          ),
        );
      } finally {
        setBusy(false);
      }
    });

  const chart = useMemo(() => {
    if (!result) return null;
    const n = result.values.length;
    // Show the last three horizons of history, then the held-out part.
    const from = Math.max(0, result.trainLength - 3 * (n - result.trainLength));
    const x: number[] = [];
    const truth: (number | null)[] = [];
    const model: (number | null)[] = [];
    const naive: (number | null)[] = [];
    for (let t = from; t < n; t++) {
      x.push(t);
      truth.push(result.values[t]!);
      const k = t - result.trainLength;
      model.push(k >= 0 ? result.forecast[k]! : t === result.trainLength - 1 ? result.values[t]! : null);
      naive.push(k >= 0 ? result.naive[k]! : null);
    }
    return { data: [x, truth, model, naive], labels: result.labels };
  }, [result]);

  return (
    <div class="page" data-testid="page-forecast">
      <p class="lead">
        An LSTM reads a window of past values and predicts the next; the forecast feeds its own predictions back for every held-out step.
      </p>
      <section class="panel">
        <div class="row">
          <label class="grow">
            Series
            <select
              value={seriesId}
              data-testid="series"
              onChange={(e) => {
                const id = e.currentTarget.value;
                setSeriesId(id);
                setEpochs(SERIES.find((s) => s.id === id)?.epochs ?? 10);
              }}
            >
              {SERIES.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Hidden units
            <select
              value={hidden}
              onChange={(e) => {
                setHidden(Number(e.currentTarget.value));
              }}
            >
              {[8, 16, 32, 64].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            Epochs{' '}
            <input
              type="number"
              min={1}
              max={500}
              value={epochs}
              onInput={(e) => {
                setEpochs(Math.max(1, Number(e.currentTarget.value) || 1));
              }}
              data-testid="epochs"
            />
          </label>
          <button onClick={() => void run()} disabled={!app.ready || busy || app.training} data-testid="forecast-run">
            {busy ? `Training… epoch ${losses.length}/${epochs}` : 'Train and forecast'}
          </button>
        </div>
        {app.training && <p class="note">Pause the text model's training first: one model computes at a time.</p>}
      </section>
      <div class="charts">
        <LineChart
          title="Training loss (MSE on normalized values)"
          xLabel="epoch"
          yLabel="loss"
          logY
          series={[{ label: 'loss', color: '#2563eb', points: true }]}
          data={[losses.map((l) => l.epoch), losses.map((l) => l.loss)]}
        />
        {chart && result && (
          <LineChart
            title="Forecast of the held-out steps"
            testId="forecast-chart"
            xLabel="time"
            yLabel="value"
            xFormat={(x) => chart.labels[Math.round(x)] ?? ''}
            series={[
              { label: 'truth', color: '#111827' },
              { label: 'LSTM forecast', color: '#dc2626' },
              { label: 'seasonal naive', color: '#9ca3af', dash: [6, 4] },
            ]}
            data={chart.data}
          />
        )}
      </div>
      {result && (
        <section class="panel" data-testid="forecast-errors">
          <h3>Error on the held-out steps</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">forecast</th>
                <th scope="col">MAE</th>
                <th scope="col">RMSE</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">LSTM</th>
                <td data-testid="mae-model">{result.model.mae.toFixed(2)}</td>
                <td>{result.model.rmse.toFixed(2)}</td>
              </tr>
              <tr>
                <th scope="row">seasonal naive (repeat the last season)</th>
                <td data-testid="mae-naive">{result.baseline.mae.toFixed(2)}</td>
                <td>{result.baseline.rmse.toFixed(2)}</td>
              </tr>
            </tbody>
          </table>
          <p class="note">
            Trained on {result.trainLength} steps in {result.seconds.toFixed(1)} s on {result.backend}.
          </p>
        </section>
      )}
    </div>
  );
}

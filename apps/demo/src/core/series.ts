/**
 * The forecasting page's series: two real CSV files (data/README.md) and a synthetic one, with the
 * choices that go with each (season, horizon, window, transform).
 */
import { GatedError } from '@gated/tensor';
import { Rng } from './rng.js';

export interface Series {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly values: Float64Array;
  /** One label per value (a date or a step number). */
  readonly labels: readonly string[];
  /** Steps in one season (the seasonal-naive baseline repeats the last season). */
  readonly season: number;
  /** Held-out steps at the end, forecast from what comes before. */
  readonly horizon: number;
  /** Steps the model reads to predict the next one. */
  readonly window: number;
  /** Model log(values): multiplicative seasonality becomes additive. */
  readonly log: boolean;
}

/** Parses a two-column CSV with a header row (`"Month","Passengers"`). */
export function parseCsv(text: string, name: string): { labels: string[]; values: Float64Array } {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const labels: string[] = [];
  const values: number[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const [label, value] = line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
    const number = Number(value);
    if (label === undefined || value === undefined || value === '' || !Number.isFinite(number)) {
      throw new GatedError('parseCsv', `${name} line ${i + 2}: expected "label,number", got ${JSON.stringify(line)}`);
    }
    labels.push(label);
    values.push(number);
  }
  if (values.length < 10) throw new GatedError('parseCsv', `${name}: only ${values.length} rows`);
  return { labels, values: Float64Array.from(values) };
}

export function airline(csv: string): Series {
  const { labels, values } = parseCsv(csv, 'airline-passengers.csv');
  return {
    id: 'airline',
    label: 'Airline passengers (monthly, 1949–1960)',
    unit: 'thousands',
    values,
    labels,
    season: 12,
    horizon: 24,
    window: 24,
    log: true,
  };
}

export function temperatures(csv: string): Series {
  const { labels, values } = parseCsv(csv, 'daily-min-temperatures.csv');
  return {
    id: 'temperatures',
    label: 'Melbourne daily minimum temperature (1981–1990)',
    unit: '°C',
    values,
    labels,
    season: 365,
    horizon: 60,
    window: 30,
    log: false,
  };
}

/** A seeded sine with a second harmonic, a slow trend and noise: 480 steps, period 24. */
export function synthetic(seed = 7): Series {
  const rng = new Rng(seed);
  const n = 480;
  const values = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    values[t] = 10 + 0.01 * t + 3 * Math.sin((2 * Math.PI * t) / 24) + Math.sin((4 * Math.PI * t) / 24 + 1) + 0.3 * rng.normal();
  }
  return {
    id: 'synthetic',
    label: 'Synthetic (two harmonics, trend, noise; seed 7)',
    unit: '',
    values,
    labels: Array.from(values, (_, t) => String(t)),
    season: 24,
    horizon: 48,
    window: 48,
    log: false,
  };
}

/** The seasonal-naive forecast: each held-out step repeats the value one season before, from the training part. */
export function seasonalNaive(series: Series): Float64Array {
  const n = series.values.length - series.horizon;
  const out = new Float64Array(series.horizon);
  for (let k = 0; k < series.horizon; k++) out[k] = series.values[n - series.season + (k % series.season)]!;
  return out;
}

export interface Errors {
  readonly mae: number;
  readonly rmse: number;
}

export function errors(forecast: ArrayLike<number>, truth: ArrayLike<number>): Errors {
  let abs = 0;
  let sq = 0;
  for (let k = 0; k < truth.length; k++) {
    const e = forecast[k]! - truth[k]!;
    abs += Math.abs(e);
    sq += e * e;
  }
  return { mae: abs / truth.length, rmse: Math.sqrt(sq / truth.length) };
}

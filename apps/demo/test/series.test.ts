import { readFileSync } from 'node:fs';
import { memory } from '@gated/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { Forecaster } from '../src/core/forecaster.js';
import { airline, errors, parseCsv, seasonalNaive, synthetic, temperatures } from '../src/core/series.js';
import { useTs } from './setup-ts.js';

const read = (name: string) => readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8');

beforeAll(async () => {
  await useTs();
});

describe('series', () => {
  test('the shipped CSV files parse completely', () => {
    const a = airline(read('airline-passengers.csv'));
    expect(a.values).toHaveLength(144);
    expect([a.labels[0], a.values[0], a.labels[143], a.values[143]]).toEqual(['1949-01', 112, '1960-12', 432]);
    const t = temperatures(read('daily-min-temperatures.csv'));
    expect(t.values).toHaveLength(3650);
    expect(t.labels[0]).toBe('1981-01-01');
  });

  test('a malformed row is an error naming the file and line', () => {
    expect(() => parseCsv('"a","b"\n1,2\n3,x\n' + '4,5\n'.repeat(10), 'f.csv')).toThrow(/f\.csv line 3/);
  });

  test('seasonal naive repeats the last season of the training part; errors are MAE and RMSE', () => {
    const s = synthetic();
    const naive = seasonalNaive(s);
    const n = s.values.length - s.horizon;
    expect(naive[0]).toBe(s.values[n - s.season]);
    expect(naive[s.season]).toBe(s.values[n - s.season]);
    expect(errors([1, 2, 3], [1, 4, 0])).toEqual({ mae: 5 / 3, rmse: Math.sqrt(13 / 3) });
  });

  test('the forecaster learns the synthetic series and forecasts every held-out step', async () => {
    const live = memory().numTensors;
    const s = synthetic();
    using model = new Forecaster(s, { hiddenSize: 12, epochs: 6, learningRate: 1e-2, batch: 32, seed: 3 });
    const losses: number[] = [];
    for (let e = 0; e < 6; e++) losses.push(await model.epoch());
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
    const forecast = await model.forecast();
    expect(forecast).toHaveLength(s.horizon);
    expect(forecast.every(Number.isFinite)).toBe(true);
    model.dispose();
    expect(memory().numTensors).toBe(live);
  });
});

/** The forecaster's options, apart from its code so that the page can show them without loading Gated. */
export interface ForecastOptions {
  readonly hiddenSize: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly batch: number;
  readonly seed: number;
}

export const DEFAULT_FORECAST: ForecastOptions = { hiddenSize: 32, epochs: 30, learningRate: 5e-3, batch: 32, seed: 3 };

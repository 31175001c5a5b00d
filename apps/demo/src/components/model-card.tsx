/** What the current text model is; for the pretrained model, its card (model/pretrained.json). */
import type { ModelSummary } from '../worker/api.js';
import { LineChart } from './line-chart.js';

export function ModelCard(props: { readonly model: ModelSummary }) {
  const { model } = props;
  const { card, config } = model;
  return (
    <section class="panel" aria-labelledby="card-title" data-testid="model-card" data-model-id={model.id}>
      <h3 id="card-title">Model</h3>
      <dl class="facts">
        <dt>origin</dt>
        <dd>{model.origin}</dd>
        <dt>architecture</dt>
        <dd>
          Embedding({config.chars.length}, {config.embedSize}) → LSTM({config.embedSize}, {config.hiddenSize}, layers {config.numLayers}) →
          Linear({config.hiddenSize}, {config.chars.length})
        </dd>
        <dt>parameters</dt>
        <dd>{model.parameters.toLocaleString('en')}</dd>
        <dt>backend</dt>
        <dd data-testid="model-backend">{model.backend}</dd>
        {card && (
          <>
            <dt>validation loss</dt>
            <dd data-testid="card-validation">
              {card.validationLoss.toFixed(4)} nats/char (perplexity {card.validationPerplexity.toFixed(2)})
            </dd>
            <dt>training</dt>
            <dd>
              {card.training.steps.toLocaleString('en')} Adam steps (lr {card.training.learningRate}), batch {card.training.batch} ×{' '}
              {card.training.seqLength} characters, {card.training.epochs} epochs, clip {card.training.clipGradNorm}, seed{' '}
              {card.training.seed}
            </dd>
            <dt>time</dt>
            <dd>
              {(card.trainingSeconds / 60).toFixed(1)} min on {card.training.backend}; {card.machine}
            </dd>
            <dt>reproduce</dt>
            <dd>
              <code>{card.command}</code>
            </dd>
          </>
        )}
      </dl>
      {card && (
        <LineChart
          title="How the pretrained model learned"
          xLabel="step"
          yLabel="loss (nats/char)"
          height={160}
          series={[
            { label: 'train', color: '#2563eb' },
            { label: 'validation', color: '#dc2626' },
          ]}
          data={[card.curve.map((p) => p.step), card.curve.map((p) => p.train), card.curve.map((p) => p.validation)]}
        />
      )}
    </section>
  );
}

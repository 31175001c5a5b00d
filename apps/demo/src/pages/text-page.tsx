/** Page 1: text generation. The model, sampling, training, saving. */
import { useState } from 'preact/hooks';
import { ModelCard } from '../components/model-card.js';
import { SamplePanel } from '../components/sample-panel.js';
import { SaveMenu } from '../components/save-menu.js';
import { TrainingPanel } from '../components/training-panel.js';
import { guard, useAppState } from '../store.js';
import { api } from '../client.js';

export function TextPage() {
  const app = useAppState();
  const [temperature, setTemperature] = useState(0.7);
  const changeTemperature = (t: number) => {
    setTemperature(t);
    void guard(() => api.updateSettings({ temperature: t }));
  };
  return (
    <div class="page" data-testid="page-text">
      <p class="lead">
        A character-level LSTM language model, trained and run in a Web Worker on the backend you choose. A model pretrained on Shakespeare
        ships with the page, so sampling works at once; train your own on Shakespeare, pasted text or a file, and watch it learn.
      </p>
      <div class="columns">
        <div>
          <SamplePanel ready={app.ready} temperature={temperature} onTemperature={changeTemperature} />
          {app.model && <ModelCard model={app.model} />}
          <SaveMenu disabled={!app.ready || app.training} />
        </div>
        <div>
          <TrainingPanel temperature={temperature} />
        </div>
      </div>
    </div>
  );
}

/** Sampling from the current model: prompt, length, temperature. Works the moment the page loads (the pretrained model). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../client.js';
import { guard } from '../store.js';

export function SamplePanel(props: { readonly ready: boolean; readonly temperature: number; readonly onTemperature: (t: number) => void }) {
  const [prompt, setPrompt] = useState('ROMEO:\n');
  const [length, setLength] = useState(300);
  const [seed, setSeed] = useState(1);
  const [text, setText] = useState('');
  const [count, setCount] = useState(0);
  const [busy, setBusy] = useState(false);
  const sample = () =>
    guard(async () => {
      setBusy(true);
      try {
        setText(await api.sample(prompt, length, props.temperature, seed));
        setCount((n) => n + 1);
        setSeed((s) => s + 1);
      } finally {
        setBusy(false);
      }
    });
  // A first sample as soon as the pretrained model is there: the page opens on Shakespeare.
  const started = useRef(false);
  useEffect(() => {
    if (props.ready && !started.current) {
      started.current = true;
      void sample();
    }
  }, [props.ready]);

  return (
    <section class="panel" aria-labelledby="sample-title">
      <h3 id="sample-title">Sample</h3>
      <div class="row">
        <label class="grow">
          Prompt{' '}
          <textarea
            rows={2}
            value={prompt}
            onInput={(e) => {
              setPrompt(e.currentTarget.value);
            }}
            data-testid="prompt"
          />
        </label>
      </div>
      <div class="row">
        <label>
          Temperature {props.temperature.toFixed(2)}
          <input
            type="range"
            min={0.1}
            max={1.5}
            step={0.05}
            value={props.temperature}
            onInput={(e) => {
              props.onTemperature(Number(e.currentTarget.value));
            }}
            data-testid="temperature"
          />
        </label>
        <label>
          Characters{' '}
          <input
            type="number"
            min={1}
            max={2000}
            value={length}
            onInput={(e) => {
              setLength(Number(e.currentTarget.value));
            }}
            data-testid="sample-length"
          />
        </label>
        <label>
          Seed{' '}
          <input
            type="number"
            min={0}
            value={seed}
            onInput={(e) => {
              setSeed(Math.max(0, Math.floor(Number(e.currentTarget.value) || 0)));
            }}
            data-testid="seed"
          />
        </label>
        <button onClick={() => void sample()} disabled={!props.ready || busy} data-testid="sample">
          {busy ? 'Sampling…' : 'Sample'}
        </button>
      </div>
      <pre class="sample" data-testid="sample-output" data-count={count} aria-live="polite">
        {text ? prompt + text : ''}
      </pre>
    </section>
  );
}

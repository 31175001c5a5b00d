/**
 * Page 2: the gate inspector. Heat maps of every gate and state over the typed text, the text
 * coloured by one unit, the units that track simple text features, saliency by gradients, and one
 * step written out with the live numbers.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../client.js';
import { ColoredText } from '../components/colored-text.js';
import { Heatmap } from '../components/heatmap.js';
import { StepEquations } from '../components/step-equations.js';
import { FeatureTable } from '../components/feature-table.js';
import { SaliencyView } from '../components/saliency-view.js';
import { SIGNALS, type Signal, type StepBreakdown } from '../core/trace.js';
import { guard, useAppState } from '../store.js';
import type { FeatureRanking, InspectResult } from '../worker/api.js';
import { DEFAULT_TEXT } from '../core/default-text.js';

const TITLES: Record<Signal, string> = {
  input: 'input gate i = σ(z_i)',
  forget: 'forget gate f = σ(z_f)',
  candidate: 'candidate g = tanh(z_g)',
  output: 'output gate o = σ(z_o)',
  cell: 'cell state c (tanh-scaled)',
  hidden: 'hidden state h = o·tanh(c)',
};

const SHOWN = 32;

export function InspectorPage() {
  const app = useAppState();
  const [text, setText] = useState(DEFAULT_TEXT);
  const [result, setResult] = useState<InspectResult | null>(null);
  const [layer, setLayer] = useState(0);
  const [selected, setSelected] = useState({ t: 0, unit: 0 });
  const [firstUnit, setFirstUnit] = useState(0);
  const [colorBy, setColorBy] = useState<'cell' | 'hidden'>('cell');
  const [step, setStep] = useState<StepBreakdown | null>(null);
  const [ranking, setRanking] = useState<FeatureRanking[]>([]);
  const [busy, setBusy] = useState(false);
  const [inspections, setInspections] = useState(0);

  const inspect = () =>
    guard(async () => {
      setBusy(true);
      try {
        const r = await api.inspect(text);
        // Functional updates: the layer and selection may have changed while the model read.
        setLayer((l) => Math.min(l, r.trace.layers.length - 1));
        setSelected((s) => ({ t: Math.min(s.t, r.trace.chars.length - 1), unit: Math.min(s.unit, r.trace.hiddenSize - 1) }));
        setResult(r);
        setInspections((n) => n + 1);
      } finally {
        setBusy(false);
      }
    });

  // Inspect the default text as soon as the pretrained model is there, and again when the model changes.
  useEffect(() => {
    if (app.ready && app.model && !app.training) void inspect();
  }, [app.ready, app.model]);

  useEffect(() => {
    if (!result) return;
    void guard(async () => {
      setRanking(await api.rankFeatures(layer));
    });
  }, [layer, result]);

  useEffect(() => {
    if (!result) return;
    void guard(async () => {
      setStep(await api.step(layer, selected.t, selected.unit));
    });
  }, [result, layer, selected]);

  const trace = result?.trace;
  const H = trace?.hiddenSize ?? 0;
  const units = useMemo(() => Array.from({ length: Math.min(SHOWN, H) }, (_, k) => firstUnit + k).filter((u) => u < H), [firstUnit, H]);
  const unitValues = useMemo(() => {
    const traced = trace?.layers[layer];
    if (!traced) return new Float32Array(0);
    const source = traced[colorBy];
    return Float32Array.from({ length: trace.chars.length }, (_, t) =>
      colorBy === 'cell' ? Math.tanh(source[t * H + selected.unit]!) : source[t * H + selected.unit]!,
    );
  }, [trace, layer, colorBy, selected.unit, H]);

  // The cell state is unbounded: drawn as tanh(c), the value the hidden state sees.
  const scaledCell = useMemo(() => Float32Array.from(trace?.layers[layer]?.cell ?? [], Math.tanh), [trace, layer]);

  const select = (t: number, unit: number) => {
    setSelected({ t, unit });
    if (unit < firstUnit || unit >= firstUnit + SHOWN) setFirstUnit(Math.max(0, Math.min(H - SHOWN, unit - (unit % SHOWN))));
  };

  return (
    <div class="page" data-testid="page-inspect" data-inspections={inspections}>
      <p class="lead">
        Type a text; the model reads it one character at a time. Every gate and state of every unit is drawn below; pick a cell of a heat
        map (or use the arrow keys on it) to colour the text by that unit and write its step out.
      </p>
      <section class="panel">
        <label class="grow">
          Text to inspect{' '}
          <textarea
            rows={6}
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
            }}
            data-testid="inspect-text"
          />
        </label>
        <div class="row">
          <button onClick={() => void inspect()} disabled={!app.ready || busy} data-testid="inspect">
            {busy ? 'Reading…' : 'Inspect'}
          </button>
          {trace && (
            <>
              <label>
                Layer
                <select
                  value={layer}
                  onChange={(e) => {
                    setLayer(Number(e.currentTarget.value));
                  }}
                  data-testid="layer"
                >
                  {trace.layers.map((_, l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Unit
                <input
                  type="number"
                  min={0}
                  max={H - 1}
                  value={selected.unit}
                  onInput={(e) => {
                    select(selected.t, Math.max(0, Math.min(H - 1, Number(e.currentTarget.value) || 0)));
                  }}
                  data-testid="unit"
                />
              </label>
              <label>
                Step
                <input
                  type="number"
                  min={0}
                  max={trace.chars.length - 1}
                  value={selected.t}
                  onInput={(e) => {
                    select(Math.max(0, Math.min(trace.chars.length - 1, Number(e.currentTarget.value) || 0)), selected.unit);
                  }}
                  data-testid="step"
                />
              </label>
              <label>
                Colour by
                <select
                  value={colorBy}
                  onChange={(e) => {
                    setColorBy(e.currentTarget.value as 'cell' | 'hidden');
                  }}
                >
                  <option value="cell">cell state (tanh)</option>
                  <option value="hidden">hidden state</option>
                </select>
              </label>
            </>
          )}
        </div>
        {result && result.dropped > 0 && <p class="note">{result.dropped} character(s) the model does not know were left out.</p>}
        {trace && (
          <p class="note" data-testid="next-chars">
            Next character after the text: {trace.next.map((n) => `${JSON.stringify(n.char)} ${(n.p * 100).toFixed(1)}%`).join(' · ')}
          </p>
        )}
      </section>
      {trace && (
        <>
          <section class="panel">
            <h3>
              The text coloured by unit {selected.unit} ({colorBy}, layer {layer})
            </h3>
            <ColoredText
              chars={trace.chars}
              values={unitValues}
              scale="signed"
              label={`text coloured by unit ${selected.unit}`}
              selected={selected.t}
              onSelect={(t) => {
                select(t, selected.unit);
              }}
              testId="unit-text"
            />
          </section>
          {step && <StepEquations step={step} char={trace.chars[step.t]!} prev={step.t > 0 ? trace.chars[step.t - 1]! : null} />}
          <section class="panel">
            <h3>
              Gates and states over time (units {units[0]}–{units.at(-1)} of {H}, layer {layer})
            </h3>
            <div class="row">
              <button
                onClick={() => {
                  setFirstUnit(Math.max(0, firstUnit - SHOWN));
                }}
                disabled={firstUnit === 0}
              >
                ← units
              </button>
              <button
                onClick={() => {
                  setFirstUnit(Math.min(H - SHOWN, firstUnit + SHOWN));
                }}
                disabled={firstUnit + SHOWN >= H}
              >
                units →
              </button>
            </div>
            <div class="heatmaps">
              {SIGNALS.map((s) => (
                <Heatmap
                  key={s}
                  label={TITLES[s]}
                  values={s === 'cell' ? scaledCell : trace.layers[layer]![s]}
                  steps={trace.chars.length}
                  hiddenSize={H}
                  units={units}
                  range={s === 'input' || s === 'forget' || s === 'output' ? 'unit' : 'signed'}
                  selected={selected}
                  onSelect={select}
                />
              ))}
            </div>
          </section>
          <FeatureTable
            ranking={ranking}
            onPick={(unit) => {
              select(selected.t, unit);
            }}
          />
          <SaliencyView text={text} ready={app.ready && !busy} />
        </>
      )}
    </div>
  );
}

/**
 * Which past inputs drive the prediction (Distill's "memorization in RNNs"): the gradient of the
 * predicted next character's log-probability with respect to each earlier input, by autograd,
 * shown on the text and against the distance back.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../client.js';
import { guard } from '../store.js';
import type { SaliencyResult } from '../worker/api.js';
import { ColoredText } from './colored-text.js';
import { LineChart } from './line-chart.js';

export function SaliencyView(props: { readonly text: string; readonly ready: boolean }) {
  const [result, setResult] = useState<SaliencyResult | null>(null);
  const run = () =>
    guard(async () => {
      setResult(await api.saliency(props.text));
    });
  useEffect(() => {
    if (props.ready && !result) void run();
  }, [props.ready]);

  const view = useMemo(() => {
    if (!result) return null;
    const max = Math.max(...result.norms, 1e-12);
    const scaled = Array.from(result.norms, (v) => v / max);
    // Gradients fall by orders of magnitude with distance: colour the text over three decades.
    const shade = scaled.map((v) => Math.max(0, 1 + Math.log10(Math.max(v, 1e-3)) / 3));
    const T = scaled.length;
    // Distance back from the last character: 0 is the character just read.
    const back = Array.from({ length: T }, (_, k) => k);
    const byDistance = back.map((k) => scaled[T - 1 - k]!);
    let reach = 0;
    for (let k = 0; k < T; k++) if (byDistance[k]! >= 0.1) reach = k;
    return { scaled, shade, back, byDistance, reach };
  }, [result]);

  return (
    <section class="panel" aria-labelledby="saliency-title" data-testid="saliency">
      <h3 id="saliency-title">Saliency: how far back the model looks</h3>
      <p class="note">
        ‖∂ log p(next) / ∂ x_t‖ for every input x_t, computed by autograd through the whole sequence; darker is more influence on the
        prediction (colours span three orders of magnitude).
      </p>
      <button onClick={() => void run()} disabled={!props.ready} data-testid="saliency-run">
        Compute for the text above
      </button>
      {result && view && (
        <>
          <p data-testid="saliency-predicted">
            Predicted next character: <strong>{JSON.stringify(result.predicted)}</strong>; inputs up to {view.reach} characters back still
            carry at least 10% of the largest gradient.
          </p>
          <ColoredText
            chars={Array.from(result.text)}
            values={view.shade}
            scale="unit"
            label="text coloured by saliency (three decades, log scale)"
          />
          <LineChart
            title="Gradient norm by distance back (0 = the last character)"
            xLabel="characters back"
            yLabel="relative gradient"
            height={160}
            series={[{ label: 'saliency', color: '#7c3aed' }]}
            data={[view.back, view.byDistance]}
          />
        </>
      )}
    </section>
  );
}

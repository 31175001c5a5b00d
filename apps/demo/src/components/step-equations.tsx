/**
 * One LSTM step of one unit written out with the model's live numbers, the way the equations are
 * taught (docs/lstm.md). z are the pre-activations recomputed from the weights; the gates are the
 * backend's. Every number carries its full value in `data-value`.
 */
import type { StepBreakdown } from '../core/trace.js';

function N(props: { readonly v: number; readonly id: string }) {
  return (
    <span class="num" data-testid={`eq-${props.id}`} data-value={String(props.v)}>
      {props.v.toFixed(4)}
    </span>
  );
}

export function StepEquations(props: { readonly step: StepBreakdown; readonly char: string; readonly prev: string | null }) {
  const { z, gates: g, cPrev, c, h, t, unit, layer } = props.step;
  return (
    <section class="panel equations" aria-labelledby="eq-title" data-testid="step-equations">
      <h3 id="eq-title">
        One step written out: layer {layer}, unit {unit}, step {t} (reading {JSON.stringify(props.char)}
        {props.prev !== null ? ` after ${JSON.stringify(props.prev)}` : ''})
      </h3>
      <p class="note">z = W_ih·x_t + b_ih + W_hh·h_(t−1) + b_hh for this unit's row of each gate, computed from the weights.</p>
      <table>
        <tbody>
          <tr>
            <th scope="row">forget gate</th>
            <td>
              f_t = σ(
              <N v={z.f} id="zf" />) = <N v={g.f} id="f" />
            </td>
          </tr>
          <tr>
            <th scope="row">input gate</th>
            <td>
              i_t = σ(
              <N v={z.i} id="zi" />) = <N v={g.i} id="i" />
            </td>
          </tr>
          <tr>
            <th scope="row">candidate</th>
            <td>
              g_t = tanh(
              <N v={z.g} id="zg" />) = <N v={g.g} id="g" />
            </td>
          </tr>
          <tr>
            <th scope="row">cell update</th>
            <td>
              c_t = f_t·c_(t−1) + i_t·g_t = <N v={g.f} id="f2" /> × <N v={cPrev} id="cprev" /> + <N v={g.i} id="i2" /> ×{' '}
              <N v={g.g} id="g2" /> = <N v={c} id="c" />
            </td>
          </tr>
          <tr>
            <th scope="row">output gate</th>
            <td>
              o_t = σ(
              <N v={z.o} id="zo" />) = <N v={g.o} id="o" />
            </td>
          </tr>
          <tr>
            <th scope="row">hidden state</th>
            <td>
              h_t = o_t·tanh(c_t) = <N v={g.o} id="o2" /> × tanh(
              <N v={c} id="c2" />) = <N v={h} id="h" />
            </td>
          </tr>
        </tbody>
      </table>
      <p class="note">
        The forget gate keeps {(g.f * 100).toFixed(0)}% of the old cell value; the input gate lets {(g.i * 100).toFixed(0)}% of the
        candidate in; the output gate shows {(g.o * 100).toFixed(0)}% of tanh(c_t).
      </p>
    </section>
  );
}

/** Units whose activation tracks simple features of the text (Pearson r over the inspected text). */
import type { FeatureRanking } from '../worker/api.js';

export function FeatureTable(props: { readonly ranking: readonly FeatureRanking[]; readonly onPick: (unit: number) => void }) {
  return (
    <section class="panel" aria-labelledby="features-title" data-testid="feature-ranking">
      <h3 id="features-title">Units that track features of the text</h3>
      <p class="note">
        Correlation between each unit's cell or hidden state and the feature, over the characters above. Pick a unit to colour the text by
        it.
      </p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">feature</th>
              <th scope="col">best units (state, r)</th>
            </tr>
          </thead>
          <tbody>
            {props.ranking.map((f) => (
              <tr key={f.id}>
                <th scope="row">{f.label}</th>
                <td>
                  {f.matches.length === 0 ? (
                    <span class="note">{f.why}</span>
                  ) : (
                    f.matches.map((m) => (
                      <button
                        key={`${m.unit}-${m.signal}`}
                        class="chip"
                        onClick={() => {
                          props.onPick(m.unit);
                        }}
                        title={`unit ${m.unit}, ${m.signal} state: r = ${m.r.toFixed(3)}`}
                      >
                        {m.unit} ({m.signal === 'cell' ? 'c' : 'h'}, {m.r >= 0 ? '+' : ''}
                        {m.r.toFixed(2)})
                      </button>
                    ))
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

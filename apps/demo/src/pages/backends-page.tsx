/**
 * Page 4: backends. What this browser offers, a switcher that moves the running model, the step
 * time measured on each, the committed apps/bench results, and a short benchmark of this machine.
 */
import { proxy } from 'comlink';
import { useState } from 'preact/hooks';
import { api } from '../client.js';
import { BenchResults } from '../components/bench-results.js';
import { W1, type BenchRow } from '../core/bench-spec.js';
import { guard, setState, useAppState } from '../store.js';

export function BackendsPage() {
  const app = useAppState();
  const [rows, setRows] = useState<BenchRow[]>([]);
  const [benching, setBenching] = useState(false);
  const [switching, setSwitching] = useState('');

  const use = (name: string) =>
    guard(async () => {
      setSwitching(name);
      try {
        const r = await api.switchBackend(name);
        setState({ backend: r.backend, model: await api.model() });
      } finally {
        setSwitching('');
      }
    });

  const bench = () =>
    guard(async () => {
      setBenching(true);
      setRows([]);
      try {
        await api.benchmark(
          proxy((row: BenchRow) => {
            setRows((r) => [...r, row]);
          }),
        );
      } finally {
        setBenching(false);
      }
    });

  return (
    <div class="page" data-testid="page-backends">
      <p class="lead">
        Gated computes through swappable backends behind one contract. This page is {app.isolated ? '' : 'not '}cross-origin isolated
        {app.isolated ? ', so wasm can run worker threads.' : ': wasm runs on one thread here (the static-host fallback).'}
      </p>
      <section class="panel" aria-labelledby="offered-title">
        <h3 id="offered-title">What this browser offers</h3>
        <div class="table-scroll">
          <table data-testid="backend-table">
            <thead>
              <tr>
                <th scope="col">backend</th>
                <th scope="col">threads</th>
                <th scope="col">details</th>
                <th scope="col">training step</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {app.backends.map((b) => (
                <tr key={b.name} data-backend={b.name} data-available={String(b.available)}>
                  <th scope="row">
                    {b.name}
                    <br />
                    <small>{b.package}</small>
                  </th>
                  <td>{b.available ? b.threads : '–'}</td>
                  <td>
                    {b.available ? (
                      <ul class="details">
                        {Object.entries(b.details).map(([k, v]) => (
                          <li key={k}>
                            {k}: {v}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <>
                        <span class="note">{b.reason}</span>
                        {Object.entries(b.details).map(([k, v]) => (
                          <span key={k} class="note">
                            <br />
                            {k}: {v}
                          </span>
                        ))}
                      </>
                    )}
                  </td>
                  <td data-testid={`step-ms-${b.name}`}>
                    {app.stepMs[b.name] !== undefined ? `${app.stepMs[b.name]!.toFixed(1)} ms` : '–'}
                  </td>
                  <td>
                    {b.available &&
                      (app.backend === b.name ? (
                        <strong aria-current="true">in use</strong>
                      ) : (
                        <button
                          onClick={() => void use(b.name)}
                          disabled={!app.ready || app.training || switching !== ''}
                          data-testid={`use-${b.name}`}
                        >
                          {switching === b.name ? 'Moving…' : 'Use'}
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="note">
          "Use" moves the text model (its state dict and Adam's moments) to that backend; train a few steps there to fill in its step time.
        </p>
      </section>
      <section class="panel" aria-labelledby="mine-title">
        <h3 id="mine-title">Benchmark this machine</h3>
        <p class="note">
          apps/bench's W1 on every backend above: an LSTM with batch {W1.batch}, {W1.seq} steps, {W1.input} inputs and {W1.hidden} units;
          one train step (forward, backward, Adam) and one inference pass; median of 5 after a warm-up.
        </p>
        <button onClick={() => void bench()} disabled={!app.ready || benching || app.training} data-testid="bench-run">
          {benching ? 'Measuring…' : 'Run the benchmark'}
        </button>
        {rows.length > 0 && (
          <table data-testid="bench-rows">
            <thead>
              <tr>
                <th scope="col">backend</th>
                <th scope="col">train step</th>
                <th scope="col">inference</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.backend}>
                  <th scope="row">{r.backend}</th>
                  <td>{r.trainMs.toFixed(2)} ms</td>
                  <td>{r.inferMs.toFixed(2)} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <BenchResults />
    </div>
  );
}

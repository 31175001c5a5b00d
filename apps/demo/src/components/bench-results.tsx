/**
 * The latest committed apps/bench results (apps/bench/results/latest.json and chart.svg), loaded
 * when this section is first shown: W1–W4 in Node and in Chromium, every Gated backend and peer.
 */
import { useEffect, useState } from 'preact/hooks';
import { guard } from '../store.js';
import { LineChart } from './line-chart.js';

interface BenchFile {
  readonly createdAt: string;
  readonly command: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly browser?: string };
  readonly rows: readonly {
    readonly workload: string;
    readonly backend: string;
    readonly env: string;
    readonly medianMs: number;
    readonly group: string;
  }[];
}

const WORKLOADS = ['W1', 'W2', 'W3', 'W4'] as const;
const DESCRIPTIONS: Record<(typeof WORKLOADS)[number], string> = {
  W1: 'train B16 T32 I32 H128',
  W2: 'train B32 T64 I64 H256',
  W3: 'infer B1 T256 I128 H512',
  W4: 'infer B64 T100 I128 H256',
};

export function BenchResults() {
  const [file, setFile] = useState<BenchFile | null>(null);
  const [chart, setChart] = useState('');
  useEffect(() => {
    void guard(async () => {
      const [json, svg] = await Promise.all([import('@gated/bench/results/latest.json'), import('@gated/bench/results/chart.svg?url')]);
      setFile(json.default);
      setChart(svg.default);
    });
  }, []);
  if (!file) return <section class="panel">Loading the committed benchmark results…</section>;
  const envs = ['node', 'browser'] as const;
  return (
    <section class="panel" aria-labelledby="bench-title" data-testid="bench-results">
      <h3 id="bench-title">apps/bench: the latest committed results</h3>
      <p class="note">
        {file.createdAt.slice(0, 10)}, <code>{file.command}</code>, {file.machine.cpu} ({file.machine.cores} cores). Median milliseconds per
        step; lower is better.
      </p>
      {envs.map((env) => {
        const rows = file.rows.filter((r) => r.env === env && (WORKLOADS as readonly string[]).includes(r.workload));
        const backends = [...new Set(rows.map((r) => r.backend))];
        const ms = (backend: string, w: string) => rows.find((r) => r.backend === backend && r.workload === w)?.medianMs;
        return (
          <div key={env} class="table-scroll">
            <table>
              <caption>{env === 'node' ? 'Node' : (file.machine.browser ?? 'Chromium')}</caption>
              <thead>
                <tr>
                  <th scope="col">backend</th>
                  {WORKLOADS.map((w) => (
                    <th key={w} scope="col" title={DESCRIPTIONS[w]}>
                      {w}
                      <br />
                      <small>{DESCRIPTIONS[w]}</small>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {backends.map((b) => (
                  <tr key={b} class={rows.find((r) => r.backend === b)?.group === 'gated' ? 'gated' : ''}>
                    <th scope="row">{b}</th>
                    {WORKLOADS.map((w) => {
                      const v = ms(b, w);
                      return <td key={w}>{v === undefined ? '–' : v.toFixed(1)}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
      <LineChart
        title="Gated backends in Chromium, ms per step (log scale)"
        xLabel="workload"
        xFormat={(x) => `W${x}`}
        yLabel="ms"
        logY
        height={200}
        series={[...new Set(file.rows.filter((r) => r.env === 'browser' && r.group === 'gated').map((r) => r.backend))].map((b, k) => ({
          label: b,
          color: ['#2563eb', '#dc2626', '#16a34a', '#7c3aed'][k % 4]!,
          points: true,
        }))}
        data={[
          [1, 2, 3, 4],
          ...[...new Set(file.rows.filter((r) => r.env === 'browser' && r.group === 'gated').map((r) => r.backend))].map((b) =>
            WORKLOADS.map((w) => file.rows.find((r) => r.env === 'browser' && r.backend === b && r.workload === w)?.medianMs ?? null),
          ),
        ]}
      />
      {chart && <img class="bench-chart" src={chart} alt="apps/bench chart: every backend and peer on W1–W4" />}
    </section>
  );
}

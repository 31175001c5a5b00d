/**
 * The chart: one panel per standard workload (W1–W4), one bar per backend and environment,
 * length = GFLOP/s on a log scale (the backends span three decades), labelled with GFLOP/s and
 * the median step time. Gated's backends are blue, the peers grey. Plain SVG, no dependencies.
 */
import type { BenchResult, Row } from '../core/types.js';
import { gf, ms } from './format.js';

const WIDTH = 860;
const LABEL = 190;
const BAR = 16;
const GAP = 4;
const PANEL_HEAD = 26;
const PANEL_GAP = 14;
const VALUE_ROOM = 150;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function label(row: Row): string {
  const name = row.env === 'browser' ? `${row.backend} (browser)` : row.backend;
  return row.check.status === 'pass' ? name : `${name} †`;
}

export function renderSvg(result: BenchResult, workloads: readonly string[] = ['W1', 'W2', 'W3', 'W4']): string {
  const panels = workloads
    .map((w) => ({ workload: w, rows: result.rows.filter((r) => r.workload === w).sort((a, b) => b.gflops - a.gflops) }))
    .filter((p) => p.rows.length > 0);
  const all = panels.flatMap((p) => p.rows);
  const plotWidth = WIDTH - LABEL - VALUE_ROOM;
  const lo = Math.floor(Math.log10(Math.max(1e-3, Math.min(...all.map((r) => r.gflops), 1))));
  const hi = Math.ceil(Math.log10(Math.max(...all.map((r) => r.gflops), 1)));
  const x = (g: number) => LABEL + ((Math.log10(Math.max(g, 10 ** lo)) - lo) / Math.max(1, hi - lo)) * plotWidth;
  const parts: string[] = [];
  let y = 40;
  for (const panel of panels) {
    const spec = panel.rows[0]!;
    const shape = Object.entries(spec.shape)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    parts.push(`<text x="8" y="${y + 16}" class="h">${escape(`${panel.workload}: ${spec.mode}, ${shape}`)}</text>`);
    y += PANEL_HEAD;
    const top = y;
    for (const row of panel.rows) {
      const end = x(row.gflops);
      const cls = row.group === 'gated' ? 'g' : 'p';
      parts.push(
        `<text x="${LABEL - 6}" y="${y + BAR - 4}" class="l">${escape(label(row))}</text>`,
        `<rect x="${LABEL}" y="${y}" width="${Math.max(1, end - LABEL).toFixed(1)}" height="${BAR}" class="${cls}"><title>${escape(`${label(row)}: ${gf(row.gflops)} GFLOP/s, median ${ms(row.medianMs)} ms (min ${ms(row.minMs)}, max ${ms(row.maxMs)})`)}</title></rect>`,
        `<text x="${(end + 5).toFixed(1)}" y="${y + BAR - 4}" class="v">${escape(`${gf(row.gflops)} GFLOP/s · ${ms(row.medianMs)} ms`)}</text>`,
      );
      y += BAR + GAP;
    }
    for (let d = lo; d <= hi; d++) {
      const gx = x(10 ** d).toFixed(1);
      parts.push(`<line x1="${gx}" x2="${gx}" y1="${top - 2}" y2="${y}" class="grid"/>`);
    }
    y += PANEL_GAP;
  }
  const axis: string[] = [];
  for (let d = lo; d <= hi; d++) {
    axis.push(
      `<text x="${x(10 ** d).toFixed(1)}" y="${y + 12}" class="a">${10 ** d >= 1 ? String(10 ** d) : (10 ** d).toFixed(-d)}</text>`,
    );
  }
  const height = y + 40;
  const m = result.machine;
  const title = `Gated LSTM benchmarks: GFLOP/s (log scale), higher is better${result.quick ? ' (quick run)' : ''}`;
  const subtitle = `${m.cpu}, ${m.cores} cores, Node ${m.node}${m.browser ? `, ${m.browser}` : ''}, ${result.createdAt.slice(0, 10)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif">`,
    '<style>.h{font-size:13px;font-weight:600}.l{font-size:12px;text-anchor:end}.v{font-size:11px;fill:#333}.a{font-size:11px;text-anchor:middle;fill:#555}.g{fill:#2f6fdf}.p{fill:#9aa3ad}.grid{stroke:#000;stroke-opacity:.08}.t{font-size:15px;font-weight:600}.s{font-size:11px;fill:#555}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="18" class="t">${escape(title)}</text>`,
    `<text x="8" y="33" class="s">${escape(subtitle)}</text>`,
    ...parts,
    ...axis,
    `<text x="${LABEL + plotWidth / 2}" y="${y + 28}" class="a">GFLOP/s (blue: Gated backends, grey: peers; †: computes a different function, timed for speed only)</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * The Markdown report: the machine, the method, then per environment (Node, browser) a table of
 * W1–W8 and the micro-benchmarks with each row's ratio to every peer, the scaling family (time and
 * memory against T, GRU and projection against the LSTM), a compact sweep matrix, and the list of
 * what was skipped and why.
 */
import type { BenchResult, Row, Skip } from '../core/types.js';
import { gf, mib, ms, ratio } from './format.js';

const ENV_TITLE = { node: 'Node', browser: 'Browser (headless Chromium)' } as const;

function peersOf(rows: readonly Row[]): string[] {
  return [...new Set(rows.filter((r) => r.group === 'peer').map((r) => r.backend))].sort();
}

function checkCell(row: Row): string {
  return row.check.status === 'pass' ? `✓ ${row.check.maxError.toExponential(0)}` : `≠ ${row.check.maxError.toExponential(0)}†`;
}

/** Dispatches per time step, forward / rest of the step (`—` where not counted, `–` for no backward). */
export function perTimestepCell(row: Row): string {
  const d = row.dispatchesPerTimestep;
  if (!d) return '—';
  const f = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));
  return `${f(d.forward)} / ${d.backward === null ? '–' : f(d.backward)}`;
}

/** One table: a line per (workload, backend), ratios to each peer ("2.0×" = this row takes half the peer's time). */
export function rowsTable(rows: readonly Row[]): string {
  const peers = peersOf(rows);
  const perTimestep = rows.some((r) => r.dispatchesPerTimestep !== undefined);
  const header = [
    'workload',
    'backend',
    'threads',
    'median ms',
    'min–max ms',
    'GFLOP/s',
    'peak MiB',
    'dispatches',
    ...(perTimestep ? ['dispatches per time step (fwd / bwd)'] : []),
    'check',
    ...peers.map((p) => `vs ${p}`),
  ];
  const checkColumn = header.indexOf('check');
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 3 || i === checkColumn ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const cells = [
      row.workload,
      row.group === 'gated' ? `**${row.backend}**` : row.backend,
      String(row.threads),
      ms(row.medianMs),
      `${ms(row.minMs)}–${ms(row.maxMs)}`,
      gf(row.gflops),
      mib(row.peakBytes),
      row.dispatchesPerStep === null ? '—' : String(row.dispatchesPerStep),
      ...(perTimestep ? [perTimestepCell(row)] : []),
      checkCell(row),
      ...peers.map((p) => (row.ratios[p] === undefined ? '—' : ratio(row.ratios[p]))),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Sweep cells × backends: median ms and GFLOP/s. */
export function sweepTable(rows: readonly Row[]): string {
  const backends = [...new Set(rows.map((r) => r.backend))];
  const cells = [...new Set(rows.map((r) => r.workload))];
  const header = ['cell (mode, B, T, H=I)', ...backends];
  const lines = [`| ${header.join(' | ')} |`, `|---|${backends.map(() => '---:').join('|')}|`];
  for (const cell of cells) {
    const values = backends.map((b) => {
      const row = rows.find((r) => r.workload === cell && r.backend === b);
      return row ? `${ms(row.medianMs)} ms · ${gf(row.gflops)}` : '—';
    });
    lines.push(`| ${cell.replace(/^sweep-/, '')} | ${values.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** `value` as a ratio to `base` ("1.23×"), or — when either is missing. */
function times(value: number | undefined, base: number | undefined): string {
  return value === undefined || base === undefined ? '—' : `${(value / base).toFixed(2)}×`;
}

/**
 * The scaling family, one table per backend: each T's LSTM, GRU and projected-LSTM train step
 * (median ms, and GRU and projection as multiples of the LSTM's time), their peak memory, and each
 * one's time and memory as a multiple of its T = 32 row (linear growth: T / 32).
 */
export function scalingTable(rows: readonly Row[]): string {
  const backends = [...new Set(rows.map((r) => r.backend))];
  const seqs = [...new Set(rows.map((r) => r.shape['seq']!))].sort((a, b) => a - b);
  const find = (backend: string, cell: string, seq: number) =>
    rows.find((r) => r.backend === backend && r.workload === `scale-${cell}-t${seq}`);
  const out: string[] = [];
  for (const backend of backends) {
    const header = [
      'T',
      'LSTM ms',
      'GRU ms',
      'GRU ÷ LSTM',
      'proj ms',
      'proj ÷ LSTM',
      'LSTM MiB',
      'GRU MiB',
      'proj MiB',
      'time ÷ T=32 (LSTM, GRU, proj)',
      'memory ÷ T=32',
    ];
    out.push(`**${backend}**`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---:').join('|')}|`);
    for (const seq of seqs) {
      const [lstm, gru, proj] = (['lstm', 'gru', 'proj'] as const).map((cell) => find(backend, cell, seq));
      const first = (['lstm', 'gru', 'proj'] as const).map((cell) => find(backend, cell, seqs[0]!));
      const growth = [lstm, gru, proj].map((r, i) => times(r?.medianMs, first[i]?.medianMs)).join(', ');
      const memory = [lstm, gru, proj].map((r, i) => times(r?.peakBytes ?? undefined, first[i]?.peakBytes ?? undefined)).join(', ');
      const cells = [
        String(seq),
        lstm ? ms(lstm.medianMs) : '—',
        gru ? ms(gru.medianMs) : '—',
        times(gru?.medianMs, lstm?.medianMs),
        proj ? ms(proj.medianMs) : '—',
        times(proj?.medianMs, lstm?.medianMs),
        mib(lstm?.peakBytes ?? null),
        mib(gru?.peakBytes ?? null),
        mib(proj?.peakBytes ?? null),
        growth,
        memory,
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/** Skips grouped by (backend, reason). */
export function skippedList(skipped: readonly Skip[]): string {
  const groups = new Map<string, { backend: string; reason: string; workloads: string[] }>();
  for (const s of skipped) {
    // Budget skips differ only in their numbers: group them by backend.
    const reason = s.reason.startsWith('predicted ')
      ? "predicted step time over this run's budget (from its speed on smaller specs)"
      : s.reason;
    const key = `${s.backend}|${reason}`;
    const group = groups.get(key) ?? { backend: s.backend, reason, workloads: [] };
    group.workloads.push(s.workload);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(
      (g) =>
        `- **${g.backend}** (${g.workloads.length}: ${g.workloads.length > 6 ? `${g.workloads.slice(0, 6).join(', ')}, …` : g.workloads.join(', ')}): ${g.reason}`,
    )
    .join('\n');
}

export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const out: string[] = [
    `# Gated benchmarks${result.quick ? ' (quick sweep)' : ''}`,
    '',
    `Measured ${result.createdAt} with \`${result.command}\` in ${Math.round(result.durationS)} s.`,
    '',
    `**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}` +
      (m.browser ? `; ${m.browser}` : '') +
      (m.gpuAdapter ? `; WebGPU adapter: ${m.gpuAdapter}` : '') +
      (m.torch ? `; PyTorch ${m.torch}` : '') +
      '.',
    '',
    `**Peers:** ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    `**Method:** ${result.method['warmup']} warm-up step(s), then the median of at least ${result.method['minRuns']} timed steps (more until ${result.method['minTimeMs']} ms were timed, at most ${result.method['maxRuns']}), each ending with the backend's sync (\`await backend.sync()\`, a one-element read on TF.js). ` +
      'Steps of every target are interleaved per repetition (A, B, C, A, B, C…), so a busy minute of the machine hits every row of a workload alike. ' +
      'GFLOP/s by the formula of docs/architecture.md: an LSTM forward = T·2·B·(I+H)·4H (GRU 3H; a projection adds its product), a train step 3× forward (micro-benchmarks: see src/core/flops.ts). ' +
      "\"vs X\" = X's median / this row's median (above 1: faster than X). Every pair's output was checked against backend-ts before timing " +
      `(max error relative to the reference's scale; tolerance ${result.method['tolerance']}, gradients ${result.method['gradTolerance']}); † marks a peer that computes a different function (timed for speed only). ` +
      'Peak MiB: live bytes at the peak of one step, weights and inputs included (— where the library cannot tell). ' +
      'Dispatches: GPU kernel dispatches of one step (for CPU backends, kernel calls); per time step: of one extra step of the one-layer, one-direction model, the forward pass and the rest of the step (backward, loss, optimizer) divided by T.',
    '',
  ];
  for (const env of ['node', 'browser'] as const) {
    const rows = result.rows.filter((r) => r.env === env);
    const skipped = result.skipped.filter((s) => s.env === env);
    if (rows.length === 0 && skipped.length === 0) continue;
    out.push(`## ${ENV_TITLE[env]}`, '');
    const notes = [...new Set(rows.filter((r) => r.note !== undefined).map((r) => `${r.backend}: ${r.note!}`))];
    if (notes.length > 0) out.push(...notes.map((n) => `- ${n}`), '');
    const standard = rows.filter((r) => r.kind === 'workload');
    if (standard.length > 0) out.push('### Standard workloads (W1–W8)', '', rowsTable(standard), '');
    const gpu = rows.filter((r) => r.kind === 'gpu');
    if (gpu.length > 0)
      out.push('### GPU workloads (G1–G8: hidden 512–2048, DeepBench shapes, G7 GRU, G8 projected)', '', rowsTable(gpu), '');
    const scaled = rows.filter((r) => r.kind === 'scaling');
    if (scaled.length > 0) {
      out.push(
        '### Scaling in T (train steps: batch 16, input 32, hidden 64; projection 32)',
        '',
        'The three cells of one T are timed together, their steps interleaved per repetition with every target\'s, so the GRU and projection ratios come from the same rounds as the LSTM\'s. Linear growth in T is "time ÷ T=32" ≈ T / 32 (16× at T = 512, 32× at T = 1024).',
        '',
        scalingTable(scaled),
        '',
        rowsTable(scaled),
        '',
      );
    }
    const micro = rows.filter((r) => r.kind === 'micro');
    if (micro.length > 0) out.push('### Micro-benchmarks', '', rowsTable(micro), '');
    const sweep = rows.filter((r) => r.kind === 'sweep');
    if (sweep.length > 0) out.push('### Sweep (median ms · GFLOP/s)', '', sweepTable(sweep), '');
    if (skipped.length > 0) out.push('### Not measured', '', skippedList(skipped), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

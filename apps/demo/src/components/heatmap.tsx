/**
 * A heat map of one signal over time: columns are characters, rows are units
 * (`units[0]` … `units[n−1]`). Click a cell, or focus the map and use the arrow keys, to select
 * a (step, unit); the selection drives the text colouring and the step equations.
 */
import { useEffect, useRef } from 'preact/hooks';
import { diverging, sequential } from './colors.js';

export interface HeatmapProps {
  readonly label: string;
  /** `[T × H]` row-major. */
  readonly values: Float32Array;
  readonly steps: number;
  readonly hiddenSize: number;
  readonly units: readonly number[];
  /** Gates lie in [0, 1] (sequential colours); states in [−1, 1] (diverging). */
  readonly range: 'unit' | 'signed';
  readonly selected: { readonly t: number; readonly unit: number };
  readonly onSelect: (t: number, unit: number) => void;
}

const CELL_W = 7;
const CELL_H = 7;

export function Heatmap(props: HeatmapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { values, steps, hiddenSize: H, units, range, selected } = props;

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    el.width = steps * CELL_W;
    el.height = units.length * CELL_H;
    for (let r = 0; r < units.length; r++) {
      const u = units[r]!;
      for (let t = 0; t < steps; t++) {
        const v = values[t * H + u]!;
        ctx.fillStyle = range === 'unit' ? sequential(v) : diverging(v);
        ctx.fillRect(t * CELL_W, r * CELL_H, CELL_W, CELL_H);
      }
    }
    const row = units.indexOf(selected.unit);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 1;
    ctx.strokeRect(selected.t * CELL_W + 0.5, 0.5, CELL_W - 1, el.height - 1);
    if (row >= 0) ctx.strokeRect(0.5, row * CELL_H + 0.5, el.width - 1, CELL_H - 1);
  }, [values, steps, H, units, range, selected]);

  const pick = (event: MouseEvent) => {
    const el = canvas.current;
    if (!el) return;
    const box = el.getBoundingClientRect();
    const t = Math.floor(((event.clientX - box.left) / box.width) * steps);
    const r = Math.floor(((event.clientY - box.top) / box.height) * units.length);
    if (t >= 0 && t < steps && r >= 0 && r < units.length) props.onSelect(t, units[r]!);
  };

  const key = (event: KeyboardEvent) => {
    const row = Math.max(0, units.indexOf(selected.unit));
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const t = Math.max(0, Math.min(steps - 1, selected.t + move[0]));
    const r = Math.max(0, Math.min(units.length - 1, row + move[1]));
    props.onSelect(t, units[r]!);
  };

  return (
    <figure class="heatmap">
      <figcaption>{props.label}</figcaption>
      <div class="heatmap-scroll">
        <canvas
          ref={canvas}
          tabIndex={0}
          role="img"
          aria-label={`${props.label}: ${units.length} units over ${steps} characters; arrow keys move the selection (step ${selected.t}, unit ${selected.unit})`}
          onClick={pick}
          onKeyDown={key}
        />
      </div>
    </figure>
  );
}

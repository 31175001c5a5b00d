/**
 * A uPlot line chart that follows its container's width (phones included) and redraws when its
 * data change. `data[0]` is x, then one array per series (null for gaps).
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WHOLE = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000];

export interface LineSeries {
  readonly label: string;
  readonly color: string;
  readonly dash?: number[];
  readonly points?: boolean;
}

export interface LineChartProps {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly data: readonly (readonly (number | null)[])[];
  readonly height?: number;
  readonly logY?: boolean;
  readonly testId?: string;
  /** Label of an x value (dates); default: the number. */
  readonly xFormat?: (x: number) => string;
}

export function LineChart(props: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${props.series.map((s) => s.label).join('|')}|${props.logY ? 'log' : 'lin'}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const format = props.xFormat;
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 220,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- uPlot's Distr is an ambient const enum, which isolatedModules cannot name; 3 is Logarithmic.
      scales: { x: { time: false }, y: props.logY ? { distr: 3 } : {} },
      axes: [
        // Every x here counts something (steps, epochs, time indices): ticks on whole numbers only.
        {
          label: props.xLabel,
          stroke: 'currentColor',
          incrs: WHOLE,
          ...(format ? { values: (_u: uPlot, ticks: number[]) => ticks.map(format) } : {}),
        },
        { label: props.yLabel, stroke: 'currentColor' },
      ],
      series: [
        { label: props.xLabel, ...(format ? { value: (_u: uPlot, v: number | null) => (v === null ? '' : format(v)) } : {}) },
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          dash: s.dash ?? [],
          points: { show: s.points ?? false },
          spanGaps: false,
        })),
      ],
      legend: { live: false },
    };
    plot.current = new uPlot(options, props.data as uPlot.AlignedData, el);
    // Resize on the next frame and only when the width changed: resizing inside the observer's
    // callback would trigger the observer again ("ResizeObserver loop" errors).
    let frame = 0;
    let width = options.width;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const next = Math.max(200, el.clientWidth);
        if (next === width) return;
        width = next;
        plot.current?.setSize({ width, height: props.height ?? 220 });
      });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      plot.current?.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its series change; new data go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={`${props.title}: ${props.series.map((s) => s.label).join(', ')}`} />
    </figure>
  );
}

/** The inspected text, each character's background coloured by a value (a unit's activation, or saliency). */
import { Fragment } from 'preact';
import { diverging, ink, sequential } from './colors.js';

export function ColoredText(props: {
  readonly chars: readonly string[];
  readonly values: ArrayLike<number>;
  readonly scale: 'signed' | 'unit';
  readonly label: string;
  readonly selected?: number;
  readonly onSelect?: (t: number) => void;
  readonly testId?: string;
}) {
  const { chars, values, scale } = props;
  return (
    <div class="colored-text" role="group" aria-label={props.label} data-testid={props.testId}>
      {chars.map((ch, t) => {
        const v = values[t] ?? 0;
        const style = { background: scale === 'signed' ? diverging(v) : sequential(v), color: ink(v) };
        const shown = ch === '\n' ? '↵' : ch === ' ' ? '\u00a0' : ch;
        return (
          <Fragment key={t}>
            <span
              class={t === props.selected ? 'ch selected' : 'ch'}
              style={style}
              title={`${JSON.stringify(ch)} at ${t}: ${v.toFixed(3)}`}
              onClick={props.onSelect ? () => props.onSelect?.(t) : undefined}
            >
              {shown}
            </span>
            {ch === '\n' && <br />}
          </Fragment>
        );
      })}
    </div>
  );
}

/** Colour scales of the inspector: diverging blue–white–red for [-1, 1], sequential for [0, 1]. */

/** Blue (−1) through white (0) to red (+1). */
export function diverging(v: number): string {
  const x = Math.max(-1, Math.min(1, v));
  if (x >= 0) {
    const k = Math.round(255 * (1 - x));
    return `rgb(255,${k},${Math.round(k * 0.85 + 38 * x)})`;
  }
  const k = Math.round(255 * (1 + x));
  return `rgb(${k},${Math.round(k * 0.9 + 25 * -x)},255)`;
}

/** White (0) to dark green (1). */
export function sequential(v: number): string {
  const x = Math.max(0, Math.min(1, v));
  return `rgb(${Math.round(255 - 230 * x)},${Math.round(255 - 120 * x)},${Math.round(255 - 200 * x)})`;
}

/** Text colour readable on `diverging(v)` / `sequential(v)`. */
export function ink(v: number): string {
  return Math.abs(v) > 0.65 ? '#fff' : '#111';
}

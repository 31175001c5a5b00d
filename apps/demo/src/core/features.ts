/**
 * Simple text features per character and the units whose activation tracks them (the "quote
 * cell" search of Karpathy, Johnson and Fei-Fei's "Visualizing and understanding recurrent
 * networks"): Pearson correlation between each unit's cell or hidden state and each feature over
 * the inspected text.
 */
import type { LayerTrace } from './inspect.js';

export interface Feature {
  readonly id: string;
  readonly label: string;
  /** One value per character; null when the text gives the feature nothing to vary over. */
  readonly values: Float64Array | null;
  readonly why?: string;
}

/** The state after reading character t is compared with the feature at t. */
export function textFeatures(chars: readonly string[], vocabulary: readonly string[]): Feature[] {
  const T = chars.length;
  const quote = new Float64Array(T);
  const position = new Float64Array(T);
  const newline = new Float64Array(T);
  const word = new Float64Array(T);
  const speaker = new Float64Array(T);
  const toEnd = new Float64Array(T);
  let inside = false;
  let column = 0;
  let lineStart = 0;
  for (let t = 0; t < T; t++) {
    const ch = chars[t]!;
    if (ch === '"') inside = !inside;
    quote[t] = inside || ch === '"' ? 1 : 0;
    position[t] = column;
    column = ch === '\n' ? 0 : column + 1;
    newline[t] = ch === '\n' ? 1 : 0;
    word[t] = /\p{L}/u.test(ch) ? 1 : 0;
    if (ch === '\n' || t === T - 1) {
      const end = ch === '\n' ? t : t + 1;
      const line = chars.slice(lineStart, end).join('');
      const isSpeaker = /^[A-Z][A-Z ]*:$/.test(line);
      for (let k = lineStart; k < end; k++) {
        speaker[k] = isSpeaker ? 1 : 0;
        toEnd[k] = end - k;
      }
      lineStart = t + 1;
    }
  }
  const varies = (v: Float64Array) => v.some((x) => x !== v[0]);
  const make = (id: string, label: string, v: Float64Array, why: string): Feature =>
    varies(v) ? { id, label, values: v } : { id, label, values: null, why };
  const hasQuote = vocabulary.includes('"');
  return [
    hasQuote
      ? make('quote', 'inside "quotes"', quote, 'the text has no "quoted" part')
      : {
          id: 'quote',
          label: 'inside "quotes"',
          values: null,
          why: 'this model\'s vocabulary has no " (tinyshakespeare has none): train on a text with quotes',
        },
    make('position', 'position in the line', position, 'the text is one character per line'),
    make('to-end', 'characters to the end of the line', toEnd, 'no line to measure'),
    make('newline', 'just read a newline', newline, 'the text has no newline'),
    make('word', 'inside a word', word, 'the text is all letters or none'),
    make('speaker', "in a speaker's name (NAME:)", speaker, 'no line of the form NAME:'),
  ];
}

export interface UnitMatch {
  readonly unit: number;
  readonly signal: 'cell' | 'hidden';
  /** Pearson correlation over the text. */
  readonly r: number;
}

function pearson(a: Float64Array, b: Float32Array, H: number, unit: number): number {
  const T = a.length;
  let ma = 0;
  let mb = 0;
  for (let t = 0; t < T; t++) {
    ma += a[t]!;
    mb += b[t * H + unit]!;
  }
  ma /= T;
  mb /= T;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let t = 0; t < T; t++) {
    const da = a[t]! - ma;
    const db = b[t * H + unit]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The `top` units (cell or hidden state) whose activation correlates most with `feature`, by |r|. */
export function rankUnits(feature: Float64Array, layer: LayerTrace, hiddenSize: number, top = 5): UnitMatch[] {
  const matches: UnitMatch[] = [];
  for (let unit = 0; unit < hiddenSize; unit++) {
    matches.push({ unit, signal: 'cell', r: pearson(feature, layer.cell, hiddenSize, unit) });
    matches.push({ unit, signal: 'hidden', r: pearson(feature, layer.hidden, hiddenSize, unit) });
  }
  return matches.sort((a, b) => Math.abs(b.r) - Math.abs(a.r)).slice(0, top);
}

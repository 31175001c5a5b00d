import { describe, expect, it } from 'vitest';
import { Harness, expectClose, randomValues, seeded } from './helpers.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The float64 reference cell on pre-activation gates z [B, 4H] and the previous cell c [B, H]. */
function referenceCell(z: readonly number[], c: readonly number[], batch: number, hidden: number) {
  const h: number[] = [];
  const cNew: number[] = [];
  const gates = new Array<number>(batch * 4 * hidden).fill(0);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < hidden; j++) {
      const at = (gate: number): number => b * 4 * hidden + gate * hidden + j;
      const [i, f, g, o] = [sigmoid(z[at(0)]!), sigmoid(z[at(1)]!), Math.tanh(z[at(2)]!), sigmoid(z[at(3)]!)];
      const next = f * c[b * hidden + j]! + i * g;
      cNew.push(next);
      h.push(o * Math.tanh(next));
      [gates[at(0)], gates[at(1)], gates[at(2)], gates[at(3)]] = [i, f, g, o];
    }
  }
  return { h, c: cNew, gates };
}

interface Sequence {
  steps: number;
  batch: number;
  hidden: number;
  inputGates: number[];
  weightHh: number[];
  h0: number[];
  c0: number[];
  lengths: number[] | null;
  reverse: boolean;
}

/** The float64 reference layer: a plain loop over steps, skipping a sequence past its length. */
function referenceSequence(s: Sequence) {
  const { steps, batch, hidden } = s;
  const h = [...s.h0];
  const c = [...s.c0];
  const output = new Array<number>(steps * batch * hidden).fill(0);
  for (let n = 0; n < steps; n++) {
    const t = s.reverse ? steps - 1 - n : n;
    for (let b = 0; b < batch; b++) {
      if (s.lengths && t >= s.lengths[b]!) continue;
      const z = Array.from({ length: 4 * hidden }, (_, g) => {
        let sum = s.inputGates[(t * batch + b) * 4 * hidden + g]!;
        for (let k = 0; k < hidden; k++) sum += h[b * hidden + k]! * s.weightHh[g * hidden + k]!;
        return sum;
      });
      const cell = referenceCell(z, c.slice(b * hidden, (b + 1) * hidden), 1, hidden);
      for (let j = 0; j < hidden; j++) {
        h[b * hidden + j] = cell.h[j]!;
        c[b * hidden + j] = cell.c[j]!;
        output[(t * batch + b) * hidden + j] = cell.h[j]!;
      }
    }
  }
  return { output, h, c };
}

/** Central differences of `loss` with respect to every element of `values` (perturbed in place). */
function numericGradient(values: number[], loss: () => number, eps = 1e-6): number[] {
  return values.map((v, i) => {
    values[i] = v + eps;
    const up = loss();
    values[i] = v - eps;
    const down = loss();
    values[i] = v;
    return (up - down) / (2 * eps);
  });
}

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('lstmCell', () => {
  it('matches the float64 reference', () => {
    const h = new Harness();
    const next = seeded(11);
    const [batch, hidden] = [3, 5];
    const inputGates = randomValues(next, batch * 4 * hidden, 3);
    const hiddenGates = randomValues(next, batch * 4 * hidden, 3);
    const c = randomValues(next, batch * hidden, 2);
    const out = h.backend.lstmCell({
      inputGates: h.tensor(inputGates, [batch, 4 * hidden]),
      hiddenGates: h.tensor(hiddenGates, [batch, 4 * hidden]),
      c: h.tensor(c, [batch, hidden]),
    });
    const expected = referenceCell(
      inputGates.map((v, i) => v + hiddenGates[i]!),
      c,
      batch,
      hidden,
    );
    expectClose(h.read(out.h), expected.h);
    expectClose(h.read(out.c), expected.c);
    expectClose(h.read(out.gates), expected.gates);
    h.finish();
  });

  it('backward matches central differences of the reference cell', () => {
    const h = new Harness();
    const next = seeded(12);
    const [batch, hidden] = [2, 3];
    const z = randomValues(next, batch * 4 * hidden, 2);
    const c = randomValues(next, batch * hidden, 1.5);
    const dh = randomValues(next, batch * hidden);
    const dc = randomValues(next, batch * hidden);
    const state = [batch, hidden];
    const forward = h.backend.lstmCell({
      inputGates: h.tensor(z, [batch, 4 * hidden]),
      hiddenGates: h.tensor(new Array<number>(batch * 4 * hidden).fill(0), [batch, 4 * hidden]),
      c: h.tensor(c, state),
    });
    h.keep(forward.h);
    const backward = h.backend.lstmCellBackward({
      dh: h.tensor(dh, state),
      dc: h.tensor(dc, state),
      c: h.tensor(c, state),
      cNew: { data: h.keep(forward.c), shape: state },
      gates: { data: h.keep(forward.gates), shape: [batch, 4 * hidden] },
    });
    const loss = (): number => {
      const out = referenceCell(z, c, batch, hidden);
      return dot(dh, out.h) + dot(dc, out.c);
    };
    expectClose(h.read(backward.dGates), numericGradient(z, loss), 1e-5, 1e-4);
    expectClose(h.read(backward.dc), numericGradient(c, loss), 1e-5, 1e-4);
    h.finish();
  });
});

function randomSequence(seed: number, lengths: number[] | null, reverse: boolean): Sequence {
  const next = seeded(seed);
  const [steps, batch, hidden] = [4, 3, 2];
  return {
    steps,
    batch,
    hidden,
    lengths,
    reverse,
    inputGates: randomValues(next, steps * batch * 4 * hidden, 1.5),
    weightHh: randomValues(next, 4 * hidden * hidden, 0.8),
    h0: randomValues(next, batch * hidden),
    c0: randomValues(next, batch * hidden),
  };
}

function upload(h: Harness, s: Sequence) {
  const { steps, batch, hidden } = s;
  return {
    inputGates: h.tensor(s.inputGates, [steps, batch, 4 * hidden]),
    weightHh: h.tensor(s.weightHh, [4 * hidden, hidden]),
    h0: h.tensor(s.h0, [batch, hidden]),
    c0: h.tensor(s.c0, [batch, hidden]),
    lengths: s.lengths ? h.tensor(s.lengths, [batch], 'int32') : null,
    reverse: s.reverse,
  };
}

const MASKS: (number[] | null)[] = [null, [4, 2, 1], [2, 4, 1]];
const CASES = MASKS.flatMap((lengths) => [false, true].map((reverse) => ({ lengths, reverse })));

describe('lstmSequence', () => {
  it.each(CASES)('equals lstmCell stepped in a loop (lengths $lengths, reverse $reverse)', ({ lengths, reverse }) => {
    const h = new Harness();
    const s = randomSequence(13, lengths, reverse);
    const { steps, batch, hidden } = s;
    const width = 4 * hidden;
    const out = h.backend.lstmSequence(upload(h, s));
    const weight = h.tensor(s.weightHh, [width, hidden]);
    let hState = [...s.h0];
    let cState = [...s.c0];
    const expected = {
      output: new Array<number>(steps * batch * hidden).fill(0),
      gates: new Array<number>(steps * batch * width).fill(0),
      cells: new Array<number>(steps * batch * hidden).fill(0),
    };
    for (let n = 0; n < steps; n++) {
      const t = reverse ? steps - 1 - n : n;
      const hiddenGates = h.keep(h.backend.matmul(h.tensor(hState, [batch, hidden]), weight, false, true, [batch, width]));
      const cell = h.backend.lstmCell({
        inputGates: h.tensor(s.inputGates.slice(t * batch * width, (t + 1) * batch * width), [batch, width]),
        hiddenGates: { data: hiddenGates, shape: [batch, width] },
        c: h.tensor(cState, [batch, hidden]),
      });
      const [hNew, cNew, gates] = [h.read(cell.h), h.read(cell.c), h.read(cell.gates)];
      const nextH = [...hState];
      const nextC = [...cState];
      for (let b = 0; b < batch; b++) {
        if (lengths && t >= lengths[b]!) continue;
        for (let j = 0; j < hidden; j++) {
          nextH[b * hidden + j] = hNew[b * hidden + j]!;
          nextC[b * hidden + j] = cNew[b * hidden + j]!;
          expected.output[(t * batch + b) * hidden + j] = hNew[b * hidden + j]!;
          expected.cells[(t * batch + b) * hidden + j] = cNew[b * hidden + j]!;
        }
        for (let g = 0; g < width; g++) expected.gates[(t * batch + b) * width + g] = gates[b * width + g]!;
      }
      [hState, cState] = [nextH, nextC];
    }
    expectClose(h.read(out.output), expected.output);
    expectClose(h.read(out.gates!), expected.gates);
    expectClose(h.read(out.cells!), expected.cells);
    expectClose(h.read(out.h), hState);
    expectClose(h.read(out.c), cState);
    // And the float64 reference agrees on what the loop computes.
    expectClose(expected.output, referenceSequence(s).output, 1e-6, 1e-5);
    h.finish();
  });

  it.each(CASES)('backward matches central differences (lengths $lengths, reverse $reverse)', ({ lengths, reverse }) => {
    const h = new Harness();
    const s = randomSequence(14, lengths, reverse);
    const { steps, batch, hidden } = s;
    const next = seeded(15);
    const dOutput = randomValues(next, steps * batch * hidden);
    const dh = randomValues(next, batch * hidden);
    const dc = randomValues(next, batch * hidden);
    const forward = upload(h, s);
    const out = h.backend.lstmSequence(forward);
    h.keep(out.h);
    h.keep(out.c);
    const grads = h.backend.lstmSequenceBackward({
      forward,
      output: { data: h.keep(out.output), shape: [steps, batch, hidden] },
      gates: { data: h.keep(out.gates!), shape: [steps, batch, 4 * hidden] },
      cells: { data: h.keep(out.cells!), shape: [steps, batch, hidden] },
      dOutput: h.tensor(dOutput, [steps, batch, hidden]),
      dh: h.tensor(dh, [batch, hidden]),
      dc: h.tensor(dc, [batch, hidden]),
    });
    const loss = (): number => {
      const ref = referenceSequence(s);
      return dot(dOutput, ref.output) + dot(dh, ref.h) + dot(dc, ref.c);
    };
    const dInputGates = h.read(grads.dInputGates);
    expectClose(dInputGates, numericGradient(s.inputGates, loss), 1e-5, 1e-4);
    expectClose(h.read(grads.dWeightHh), numericGradient(s.weightHh, loss), 1e-5, 1e-4);
    expectClose(h.read(grads.dh0), numericGradient(s.h0, loss), 1e-5, 1e-4);
    expectClose(h.read(grads.dc0), numericGradient(s.c0, loss), 1e-5, 1e-4);
    if (lengths) {
      // Past a sequence's length the input gates get exactly zero gradient.
      for (let t = 0; t < steps; t++) {
        for (let b = 0; b < batch; b++) {
          if (t < lengths[b]!) continue;
          const row = dInputGates.slice((t * batch + b) * 4 * hidden, (t * batch + b + 1) * 4 * hidden);
          expect(row.every((v) => v === 0)).toBe(true);
        }
      }
    }
    h.finish();
  });

  it('refuses lengths outside [1, T]', () => {
    const h = new Harness();
    const s = randomSequence(16, [4, 5, 1], false);
    expect(() => h.backend.lstmSequence(upload(h, s))).toThrow('lstmSequence: lengths must lie in [1, 4], got 5');
    h.finish();
  });
});

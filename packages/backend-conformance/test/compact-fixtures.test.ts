// The published fixtures (scripts/compact-fixtures.ts) against the exact files in the repository:
// same structure, float32 values bit-identical once read as float32, every other number within
// 10 significant digits (REFERENCE_DIGITS).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DIGITS, compactFixture, compactNumber, shortestFloat32 } from '../scripts/compact-fixtures.js';

const root = fileURLToPath(new URL('../fixtures', import.meta.url));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

/** Every difference between an exact fixture and its compacted form that the rules do not allow. */
function violations(exact: unknown, compact: unknown, path: string, found: string[]): void {
  if (typeof exact === 'number') {
    if (typeof compact !== 'number') found.push(`${path}: ${typeof compact} instead of a number`);
    else if (Math.fround(exact) === exact) {
      if (Math.fround(compact) !== exact) found.push(`${path}: float32 ${exact} became ${compact}`);
    } else if (Math.abs(compact - exact) > 0.5 * 10 ** (1 - REFERENCE_DIGITS) * Math.abs(exact)) {
      found.push(`${path}: ${exact} became ${compact}`);
    }
    return;
  }
  if (Array.isArray(exact)) {
    if (!Array.isArray(compact) || compact.length !== exact.length) found.push(`${path}: array shape changed`);
    else
      exact.forEach((item, i) => {
        violations(item, compact[i], `${path}[${i}]`, found);
      });
    return;
  }
  if (exact !== null && typeof exact === 'object') {
    const other = compact as Record<string, unknown>;
    if (JSON.stringify(Object.keys(exact)) !== JSON.stringify(Object.keys(other))) found.push(`${path}: keys changed`);
    for (const [key, value] of Object.entries(exact)) violations(value, other[key], `${path}.${key}`, found);
    return;
  }
  if (exact !== compact) found.push(`${path}: ${String(exact)} became ${String(compact)}`);
}

describe('published fixtures', () => {
  it('write a float32 value as its shortest decimal', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe('0.1');
    expect(shortestFloat32(Math.fround(-0.0612807))).toBe('-0.0612807');
    expect(shortestFloat32(Math.fround(1e-30))).toBe('1e-30');
    expect(compactNumber(0.10000000149011612)).toBe(0.1);
    expect(compactNumber(300)).toBe(300);
    expect(compactNumber(0.001)).toBe(0.001); // not a float32 value, short already
    expect(compactNumber(0.12345678901234566)).toBe(0.123456789); // REFERENCE_DIGITS = 10
  });

  const files = jsonFiles(root);

  it('cover every fixture file', () => {
    expect(files.length).toBeGreaterThanOrEqual(29);
  });

  for (const file of files) {
    it(`${relative(root, file)}: same values for the suite, shorter text`, () => {
      const text = readFileSync(file, 'utf8');
      const exact: unknown = JSON.parse(text);
      const compact: unknown = JSON.parse(JSON.stringify(compactFixture(exact)));
      const found: string[] = [];
      violations(exact, compact, '', found);
      expect(found.slice(0, 5)).toEqual([]);
      expect(JSON.stringify(compact).length).toBeLessThanOrEqual(JSON.stringify(exact).length);
    });
  }
});

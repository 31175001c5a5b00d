/** A hand-written check of the result JSON (the fields consumers rely on), used by the CLI and the tests. */
import type { BenchResult } from '../core/types.js';

/** The fields every row has, with these names exactly (the acceptance list). */
export const REQUIRED_ROW_FIELDS = ['workload', 'backend', 'medianMs', 'minMs', 'maxMs', 'gflops'] as const;

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Problems with a result object; empty when it is valid. */
export function validateResult(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['result is not an object'];
  const result = value as Partial<BenchResult>;
  if (result.schemaVersion !== 1) problems.push('schemaVersion must be 1');
  if (typeof result.machine !== 'object') problems.push('machine is missing');
  if (!Array.isArray(result.rows)) return [...problems, 'rows is not an array'];
  if (!Array.isArray(result.skipped)) problems.push('skipped is not an array');
  const seen = new Set<string>();
  result.rows.forEach((row: unknown, i) => {
    if (typeof row !== 'object' || row === null) {
      problems.push(`rows[${i}] is not an object`);
      return;
    }
    const r = row as Record<string, unknown>;
    for (const field of REQUIRED_ROW_FIELDS) {
      if (!(field in r)) problems.push(`rows[${i}] lacks ${field}`);
    }
    if (typeof r['workload'] !== 'string' || typeof r['backend'] !== 'string')
      problems.push(`rows[${i}]: workload and backend must be strings`);
    for (const field of ['medianMs', 'minMs', 'maxMs', 'gflops'] as const) {
      if (!isFiniteNumber(r[field]) || r[field] < 0) problems.push(`rows[${i}].${field} must be a non-negative number`);
    }
    if (isFiniteNumber(r['minMs']) && isFiniteNumber(r['medianMs']) && isFiniteNumber(r['maxMs'])) {
      if (!(r['minMs'] <= r['medianMs'] && r['medianMs'] <= r['maxMs'])) problems.push(`rows[${i}]: need minMs ≤ medianMs ≤ maxMs`);
    }
    const key = `${String(r['env'])}|${String(r['workload'])}|${String(r['backend'])}`;
    if (seen.has(key)) problems.push(`rows[${i}]: duplicate (workload, backend) ${key}`);
    seen.add(key);
  });
  return problems;
}

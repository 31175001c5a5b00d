import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { untar } from './publish.js';

describe('untar', () => {
  it('reads every file of a .tgz, long names included, as tar wrote it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gated-untar-'));
    try {
      const long = `dist/${'a'.repeat(120)}.js`;
      mkdirSync(join(dir, 'package', 'dist'), { recursive: true });
      writeFileSync(join(dir, 'package', 'package.json'), '{"name":"x"}');
      writeFileSync(join(dir, 'package', long), 'x'.repeat(1500));
      writeFileSync(join(dir, 'package', 'dist', 'empty.js'), '');
      execFileSync('tar', ['-czf', join(dir, 'x.tgz'), '-C', dir, 'package']);
      const files = untar(readFileSync(join(dir, 'x.tgz')));
      expect([...files.keys()].sort()).toEqual([long, 'dist/empty.js', 'package.json'].sort());
      expect(files.get(long)?.toString()).toBe('x'.repeat(1500));
      expect(files.get('package.json')?.toString()).toBe('{"name":"x"}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

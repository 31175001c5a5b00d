import { describe, expect, it } from 'vitest';
import { BEGIN, END, bundleSizeProblems, documentedSizes, sizeTableProblems, withSizeTable } from './sizes.js';

const sizes = [
  { name: '@gated/tensor', tarballBytes: 77_900, unpackedBytes: 312_700 },
  { name: '@gated/backend-conformance', tarballBytes: 905_400, unpackedBytes: 2_594_100 },
];
const readme = `# x\n\n${BEGIN}\n${END}\n\nmore\n`;

describe('the README size table', () => {
  it('is written between its markers and read back', () => {
    const written = withSizeTable(readme, sizes);
    expect(written).toContain('| `@gated/tensor` | 77.9 kB | 312.7 kB |');
    expect(written.endsWith(`${END}\n\nmore\n`)).toBe(true);
    expect(documentedSizes(written).get('@gated/backend-conformance')).toEqual({ tarballBytes: 905_400, unpackedBytes: 2_594_100 });
    expect(sizeTableProblems(written, sizes)).toEqual([]);
  });

  it('fails when a size moved by more than 10%, a package is missing or listed but not published', () => {
    const written = withSizeTable(readme, sizes);
    expect(sizeTableProblems(written, [{ ...sizes[0]!, tarballBytes: 90_000 }, sizes[1]!])).toEqual([
      '@gated/tensor: the README says 77.9 kB / 312.7 kB, published 90.0 kB / 312.7 kB',
    ]);
    expect(sizeTableProblems(withSizeTable(readme, [sizes[0]!]), sizes)).toEqual([
      "@gated/backend-conformance is missing from the README's size table",
    ]);
    expect(sizeTableProblems(written, [sizes[1]!])).toEqual(["the README's size table lists @gated/tensor, which is not published"]);
  });

  it('fails when the conformance suite packs to 1 MB or more', () => {
    const big = [sizes[0]!, { ...sizes[1]!, tarballBytes: 1_000_000 }];
    expect(sizeTableProblems(withSizeTable(readme, big), big)).toEqual([
      '@gated/backend-conformance packs to 1000.0 kB: it must stay under 1000.0 kB (docs/decisions/0006)',
    ]);
  });
});

describe('first-load bundle sizes', () => {
  it('fail on growth above 10% or a missing baseline, not on shrinking', () => {
    expect(bundleSizeProblems({ ts: 1000, wasm: 2000 }, { ts: 1100, wasm: 1000 })).toEqual([]);
    expect(bundleSizeProblems({ ts: 1000 }, { ts: 1101 })).toEqual(['ts: 1101 bytes gzipped, 10.1% more than the baseline 1000']);
    expect(bundleSizeProblems({}, { ts: 1 })).toEqual(['ts: no baseline in bundle-sizes.json']);
  });
});

/** Writing a result: JSON, the Markdown tables and the SVG chart. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResult } from '../core/types.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderSvg } from '../report/svg.js';

export async function writeOutputs(
  result: BenchResult,
  dir: string,
  names = { json: 'result.json', md: 'results.md', svg: 'chart.svg' },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = [join(dir, names.json), join(dir, names.md), join(dir, names.svg)];
  await writeFile(files[0]!, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files[1]!, renderMarkdown(result));
  await writeFile(files[2]!, renderSvg(result));
  return files;
}

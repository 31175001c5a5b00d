/** "Shakespeare-like": the share of a sample's words that are words of the corpus. */
import { readFileSync } from 'node:fs';

let dictionary: Set<string> | null = null;

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => w.length >= 2);
}

export function corpusWordShare(text: string): { share: number; count: number } {
  dictionary ??= new Set(words(readFileSync(new URL('../../data/tinyshakespeare.txt', import.meta.url), 'utf8')));
  const list = words(text);
  const known = list.filter((w) => dictionary!.has(w)).length;
  return { share: list.length === 0 ? 0 : known / list.length, count: list.length };
}

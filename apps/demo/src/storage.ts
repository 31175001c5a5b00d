/**
 * Saving models: IndexedDB (idb-keyval) keeps safetensors bytes under a name in this browser;
 * download and upload move the same bytes as a file PyTorch reads (scripts/pytorch_sample.py).
 */
import { createStore, del, entries, get, set } from 'idb-keyval';

const store = createStore('gated-demo', 'models');

export interface SavedModel {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly savedAt: string;
}

export async function saveModel(name: string, bytes: Uint8Array): Promise<void> {
  const entry: SavedModel = { name, bytes, savedAt: new Date().toISOString() };
  await set(name, entry, store);
}

export async function loadModel(name: string): Promise<Uint8Array> {
  const entry = await get<SavedModel>(name, store);
  if (!entry) throw new Error(`no saved model named "${name}" in this browser`);
  return entry.bytes;
}

export async function listModels(): Promise<{ name: string; savedAt: string; bytes: number }[]> {
  const all = await entries<string, SavedModel>(store);
  return all
    .map(([, v]) => ({ name: v.name, savedAt: v.savedAt, bytes: v.bytes.byteLength }))
    .sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export async function deleteModel(name: string): Promise<void> {
  await del(name, store);
}

/** Offers `bytes` as a file download. */
export function download(bytes: Uint8Array, filename: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/**
 * Moving a model to another backend: its state dict goes to the host (`await t.data()`), the
 * active backend changes, and the values are loaded into a model built there.
 */
import type { HostTensor, StateDict } from '@gated/lstm';
import { dispose, setBackend, tensor } from '@gated/tensor';

export async function toHost(dict: StateDict): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  try {
    for (const [name, t] of Object.entries(dict)) out.set(name, { dtype: t.dtype, shape: [...t.shape], data: await t.data() });
  } finally {
    dispose(Object.values(dict));
  }
  return out;
}

export function fromHost(host: ReadonlyMap<string, HostTensor>): StateDict {
  const dict: StateDict = {};
  for (const [name, t] of host) dict[name] = tensor(t.data, { shape: t.shape, dtype: t.dtype });
  return dict;
}

/** Switches the active backend, runs `rebuild` there with the host copy, and frees the copy's tensors. */
export async function moveTo<T>(name: string, host: ReadonlyMap<string, HostTensor>, rebuild: (dict: StateDict) => T): Promise<T> {
  await setBackend(name);
  const dict = fromHost(host);
  try {
    return rebuild(dict);
  } finally {
    dispose(Object.values(dict));
  }
}

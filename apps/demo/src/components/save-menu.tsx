/**
 * Save and load the text model. The download formats are a list (`SAVE_FORMATS`): one entry
 * each.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../client.js';
import { deleteModel, download, listModels, loadModel, saveModel } from '../storage.js';
import { guard, setState } from '../store.js';

interface SaveFormat {
  readonly label: string;
  readonly description: string;
  readonly run: () => Promise<void>;
}

export const SAVE_FORMATS: readonly SaveFormat[] = [
  {
    label: 'Download .safetensors',
    description: 'the weights with nn.LSTM names (PyTorch reads them: apps/demo/scripts/pytorch_sample.py)',
    run: async () => {
      download(await api.exportModel(), 'gated-char-lstm.safetensors');
    },
  },
  {
    label: 'Download .onnx',
    description: 'the model for ONNX Runtime (input [batch, T] int32 ids, output logits), with its vocabulary as JSON (id → character)',
    run: async () => {
      const { onnx, chars } = await api.exportOnnx();
      download(onnx, 'gated-char-lstm.onnx');
      download(new TextEncoder().encode(JSON.stringify(Array.from(chars))), 'gated-char-lstm.vocab.json');
    },
  },
];

export function SaveMenu(props: { readonly disabled: boolean }) {
  const [saved, setSaved] = useState<{ name: string; savedAt: string; bytes: number }[]>([]);
  const [name, setName] = useState('my-model');
  const [message, setMessage] = useState('');
  const refresh = () =>
    guard(async () => {
      setSaved(await listModels());
    });
  useEffect(() => {
    void refresh();
  }, []);

  const save = () =>
    guard(async () => {
      const bytes = await api.exportModel();
      await saveModel(name, bytes);
      setMessage(`saved "${name}" in this browser (${(bytes.byteLength / 1024).toFixed(0)} KB)`);
      await refresh();
    });
  const load = (entry: string) =>
    guard(async () => {
      setState({ model: await api.importModel(await loadModel(entry), `IndexedDB "${entry}"`) });
      setMessage(`loaded "${entry}"`);
    });
  const upload = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    void guard(async () => {
      setState({ model: await api.importModel(new Uint8Array(await file.arrayBuffer()), file.name) });
      setMessage(`loaded ${file.name}`);
      input.value = '';
    });
  };

  return (
    <section class="panel" aria-labelledby="save-title">
      <h3 id="save-title">Save and load</h3>
      <div class="row">
        <label>
          Name{' '}
          <input
            value={name}
            onInput={(e) => {
              setName(e.currentTarget.value);
            }}
            data-testid="save-name"
          />
        </label>
        <button onClick={() => void save()} disabled={props.disabled} data-testid="save-idb">
          Save in this browser
        </button>
      </div>
      <div class="row">
        {SAVE_FORMATS.map((f) => (
          <button key={f.label} title={f.description} disabled={props.disabled} onClick={() => void guard(f.run)}>
            {f.label}
          </button>
        ))}
        <label class="file">
          Load a .safetensors file{' '}
          <input type="file" accept=".safetensors" onChange={upload} disabled={props.disabled} data-testid="upload" />
        </label>
        <button
          disabled={props.disabled}
          onClick={() =>
            void guard(async () => {
              setState({ model: await api.loadPretrained() });
            })
          }
          data-testid="load-pretrained"
        >
          Load the pretrained model
        </button>
      </div>
      {saved.length > 0 && (
        <ul class="saved" aria-label="Models saved in this browser">
          {saved.map((s) => (
            <li key={s.name}>
              <span>
                {s.name}{' '}
                <small>
                  ({(s.bytes / 1024).toFixed(0)} KB, {s.savedAt.slice(0, 16).replace('T', ' ')})
                </small>
              </span>
              <button disabled={props.disabled} onClick={() => void load(s.name)} data-testid={`load-${s.name}`}>
                Load
              </button>
              <button
                disabled={props.disabled}
                onClick={() =>
                  void guard(async () => {
                    await deleteModel(s.name);
                    await refresh();
                  })
                }
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <p class="note" role="status">
        {message}
      </p>
    </section>
  );
}

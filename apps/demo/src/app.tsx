/**
 * The shell: four tabs (hash routes, so a static host serves them and the back button works),
 * the error bar, and the worker's start-up. A page is mounted when first shown (so nothing of a
 * page you never open is fetched) and then stays mounted, hidden, so training keeps its curves
 * while you look elsewhere.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './client.js';
import { BackendsPage } from './pages/backends-page.js';
import { ForecastPage } from './pages/forecast-page.js';
import { InspectorPage } from './pages/inspector-page.js';
import { TextPage } from './pages/text-page.js';
import { dismiss, report, setState, useAppState } from './store.js';

const TABS = [
  { id: 'text', label: 'Text generation', Page: TextPage },
  { id: 'inspect', label: 'Gate inspector', Page: InspectorPage },
  { id: 'forecast', label: 'Forecasting', Page: ForecastPage },
  { id: 'backends', label: 'Backends', Page: BackendsPage },
] as const;

type TabId = (typeof TABS)[number]['id'];

function tabFromHash(): TabId {
  const id = location.hash.replace(/^#\/?/, '');
  return TABS.find((t) => t.id === id)?.id ?? 'text';
}

export function App() {
  const app = useAppState();
  const [tab, setTab] = useState<TabId>(tabFromHash);
  const [visited, setVisited] = useState<ReadonlySet<TabId>>(() => new Set([tabFromHash()]));
  if (!visited.has(tab)) setVisited(new Set([...visited, tab]));

  useEffect(() => {
    const onHash = () => {
      setTab(tabFromHash());
    };
    window.addEventListener('hashchange', onHash);
    const onError = (event: ErrorEvent) => {
      report(event.error ?? event.message);
    };
    const onRejection = (event: PromiseRejectionEvent) => {
      report(event.reason);
    };
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    api
      .init()
      .then(({ backends, model, isolated }) => {
        setState({ ready: true, status: '', backends, model, isolated, backend: model.backend });
      })
      .catch((error: unknown) => {
        setState({ status: 'the worker could not start' });
        report(error);
      });
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    };
  }, []);

  const onTabKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length]!;
    location.hash = `#/${next.id}`;
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <>
      <header>
        <h1>
          Gated <small>LSTMs in your browser</small>
        </h1>
        <p class="status" role="status" data-testid="status" data-ready={String(app.ready)}>
          {app.ready ? `backend ${app.backend}${app.training ? ' · training' : ''}` : app.status}
        </p>
        <nav role="tablist" aria-label="Pages">
          {TABS.map((t, i) => (
            <a
              key={t.id}
              id={`tab-${t.id}`}
              role="tab"
              href={`#/${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onKeyDown={(e) => {
                onTabKey(e, i);
              }}
              data-testid={`tab-${t.id}`}
            >
              {t.label}
            </a>
          ))}
        </nav>
      </header>
      {app.errors.length > 0 && (
        <div class="errors" role="alert" data-testid="errors">
          {app.errors.map((e) => (
            <p key={e.id}>
              <span>{e.text}</span>
              <button
                onClick={() => {
                  dismiss(e.id);
                }}
                aria-label="Dismiss this error"
              >
                ×
              </button>
            </p>
          ))}
        </div>
      )}
      <main>
        {TABS.map(({ id, Page }) => (
          <section key={id} id={`panel-${id}`} role="tabpanel" aria-labelledby={`tab-${id}`} hidden={tab !== id}>
            {visited.has(id) && <Page />}
          </section>
        ))}
      </main>
      <footer>
        <p>
          Gated: typed LSTMs for JavaScript, agreeing with PyTorch on every backend. Data: tinyshakespeare (public domain, via char-rnn),
          Box–Jenkins airline passengers, Melbourne temperatures (Australian Bureau of Meteorology); see apps/demo/data/README.md.
        </p>
      </footer>
    </>
  );
}

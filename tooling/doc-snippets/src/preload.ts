/**
 * Imported first by every extracted program (programs.ts, PREAMBLE): registers the TypeScript
 * backend, as the docs' "Choose a backend" step does, under a name no snippet uses, so fragments
 * that compute without setting a backend up run on it (the engine picks the registered backend
 * when none was set). A snippet that registers and sets its own backend uses that one.
 */
import { createTsBackend } from '@gated/backend-ts';
import { registerBackend } from '@gated/tensor';

registerBackend('doc-snippets', createTsBackend, 0);

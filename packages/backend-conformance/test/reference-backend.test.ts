// The suite must pass on a backend that is correct by construction: once with synchronous reads,
// once as a GPU-like backend (async reads only, out-of-range gathers write zeros).
import { describeBackend } from '../src/index.js';
import { createReferenceBackend } from './fixtures/reference-backend.js';

describeBackend('reference', () => createReferenceBackend());

describeBackend(
  'reference, async reads only',
  () => createReferenceBackend({ name: 'reference-async', syncRead: false, uncheckedGather: true }),
  {
    outOfRangeGather: 'zeros',
  },
);

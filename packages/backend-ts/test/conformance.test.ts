import { describeBackend } from '@gated/backend-conformance';
import { createTsBackend } from '../src/index.js';
describeBackend('ts', createTsBackend);

import { describeBackend } from '@gated/backend-conformance';
import { CONFORMANCE_OPTIONS, createTestBackend } from './gpu.js';
describeBackend('webgpu', createTestBackend, CONFORMANCE_OPTIONS);

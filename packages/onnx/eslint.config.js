import { gated } from '@gated/eslint-config';

export default gated({ layer: 'onnx', tsconfigRootDir: import.meta.dirname, ignores: ['src/proto/onnx-schema.ts'] });

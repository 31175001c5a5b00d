import type { Linter } from 'eslint';

export interface GatedEslintOptions {
  layer: 'backend-api' | 'backend' | 'tensor' | 'library' | 'onnx' | 'any';
  tsconfigRootDir: string;
  ignores?: string[];
  /** Programs whose job is to print (examples, command-line tools). */
  allowConsole?: boolean;
}
export declare function gated(options: GatedEslintOptions): Linter.Config[];
/** The `no-restricted-imports` patterns of a layer (gitignore syntax). */
export declare function layerPatterns(layer: GatedEslintOptions['layer']): { group: string[]; message: string }[];

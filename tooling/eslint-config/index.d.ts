import type { Linter } from 'eslint';

export interface GatedEslintOptions {
  layer: 'backend-api' | 'backend' | 'tensor' | 'library' | 'any';
  tsconfigRootDir: string;
  ignores?: string[];
}
export declare function gated(options: GatedEslintOptions): Linter.Config[];

export declare const NODE_ENGINES: string;
export declare const SOURCE_CONDITION: 'source';

/** The fields of a package.json these rules read. */
export interface PackageManifest {
  name: string;
  version?: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  publishConfig?: { access?: string; exports?: unknown; [key: string]: unknown };
  engines?: Record<string, string>;
  sideEffects?: boolean | string[];
  files?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export declare function withoutSourceCondition<T>(exports: T): T;
export declare function hasSourceCondition(exports: unknown): boolean;
export declare function entriesFromExports(pkg: PackageManifest): Record<string, string>;
export declare function manifestProblems(pkg: PackageManifest): string[];
export declare function packedManifestProblems(pkg: PackageManifest, files: readonly string[]): string[];
export declare function relativeLinks(markdown: string): string[];

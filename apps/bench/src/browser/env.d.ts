/// <reference types="vite/client" />

declare module 'virtual:gated-backends' {
  /** Loaders of the Gated backend packages this build could resolve (null: not in the workspace). */
  export const loaders: Record<string, (() => Promise<Record<string, unknown>>) | null>;
}

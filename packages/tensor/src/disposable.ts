/**
 * The explicit-resource-management types that Gated's public types name (`Disposable`,
 * `AsyncDisposable`, `Symbol.dispose`, `Symbol.asyncDispose`), declared here so the shipped
 * `.d.ts` compile in projects whose `lib` lacks `esnext.disposable` (e.g. `["ES2022", "DOM"]`
 * without `@types/node`). The declarations are the same as TypeScript's own lib and `@types/node`,
 * so they merge with either. They describe types only: `using` still needs a runtime with
 * `Symbol.dispose` (Node ≥ 20, current browsers) or a transpiler's polyfill.
 */
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
  interface Disposable {
    [Symbol.dispose](): void;
  }
  interface AsyncDisposable {
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
}

export {};

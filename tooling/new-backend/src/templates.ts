/**
 * The files of a new backend package. Everything a package of this workspace needs is here, so
 * nothing is copied by hand: the manifest follows tooling/build-config/package-rules.js (checked
 * when the files are made), versions of the tools are the ones backend-ts pins, and the sources
 * lint and typecheck under the repository's settings as generated.
 */
import type { BackendNames } from './names.js';

/** A file to write, relative to the repository root. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** What the templates take from the repository. */
export interface TemplateInputs {
  readonly names: BackendNames;
  /** The version the published packages share (they move in lockstep). */
  readonly version: string;
  /** backend-ts's devDependencies: the tools and their pinned versions. */
  readonly devDependencies: Readonly<Record<string, string>>;
  /** The repository's LICENSE text. */
  readonly license: string;
}

const REPOSITORY = 'https://github.com/gated-ml/gated';

/** The devDependencies a backend needs, at the versions the repository pins. */
const DEV_TOOLS = [
  '@gated/backend-conformance',
  '@gated/build-config',
  '@gated/eslint-config',
  '@gated/tensor',
  '@gated/tsconfig',
  '@gated/vitest-config',
  '@types/node',
  'eslint',
  'tsup',
  'typescript',
  'vitest',
];

export function manifest({ names, version, devDependencies }: TemplateInputs): Record<string, unknown> {
  const dev: Record<string, string> = {};
  for (const tool of DEV_TOOLS) {
    const range = devDependencies[tool];
    if (range === undefined) throw new Error(`packages/backend-ts/package.json has no devDependency ${tool} to take the version from`);
    dev[tool] = range;
  }
  const entry = { types: './dist/index.d.ts', default: './dist/index.js' };
  return {
    name: names.packageName,
    version,
    description: `The ${names.name} backend of Gated: the Backend contract of @gated/backend-api, proven by @gated/backend-conformance.`,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    repository: { type: 'git', url: 'git+https://github.com/gated-ml/gated.git', directory: names.folder },
    keywords: ['lstm', 'tensor', 'deep-learning', 'gated', 'backend'],
    exports: { '.': { source: './src/index.ts', ...entry }, './package.json': './package.json' },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    engines: { node: '^20.19.0 || >=22.12.0' },
    files: ['dist'],
    publishConfig: { access: 'public', provenance: false, exports: { '.': entry, './package.json': './package.json' } },
    scripts: {
      build: 'tsup',
      typecheck: 'tsc --noEmit',
      lint: 'eslint .',
      test: 'vitest run',
      'check:package': 'gated-check-package',
    },
    dependencies: { '@gated/backend-api': 'workspace:*' },
    devDependencies: dev,
  };
}

function readme({ names }: TemplateInputs): string {
  return `# ${names.packageName}

The ${names.name} compute backend of [Gated](${REPOSITORY}): an implementation of the \`Backend\`
contract of [\`@gated/backend-api\`](${REPOSITORY}/tree/main/packages/backend-api), proven by the
conformance suite every Gated backend passes
([\`@gated/backend-conformance\`](${REPOSITORY}/tree/main/packages/backend-conformance)).

## Install

\`\`\`sh
npm install @gated/tensor ${names.packageName}
\`\`\`

## Set-up

\`\`\`ts
import { registerBackend, setBackend } from '@gated/tensor';
import { ${names.factory} } from '${names.packageName}';

registerBackend('${names.name}', ${names.factory});
await setBackend('${names.name}');
\`\`\`

## Capabilities

| \`caps\` field | value | meaning |
| --- | --- | --- |
| \`syncRead\` | \`true\` | \`readSync\` is available; \`read\` resolves at once |
| \`fused\` | \`{}\` | no fused kernels: the engine composes LSTM and Adam steps from the core |
| \`threads\` | \`1\` | everything runs on the calling thread |

## Development

\`pnpm test\` runs the conformance suite in Node and in headless Chromium;
\`pnpm verify --filter ${names.packageName}\` (from the repository root) typechecks, lints, tests
and checks the package as published. The guide is
[docs/adding-a-backend.md](${REPOSITORY}/blob/main/docs/adding-a-backend.md).

MIT licensed.
`;
}

function bufferSource({ names }: TemplateInputs): string {
  return `/**
 * The buffer of the ${names.name} backend: a host typed array behind the opaque \`DataHandle\` the
 * engine holds. Which handles are live, and whose, is the checked layer's business
 * (\`checkedBackend\` of \`@gated/backend-api\`), not the buffer's.
 */
import type { DType, DataHandle, TypedArray } from '@gated/backend-api';

/**
 * One buffer of the \`${names.name}\` backend. Users never build one: {@link ${names.backendClass}}
 * returns them as \`DataHandle\`s.
 *
 * @example
 * \`\`\`ts
 * const backend = ${names.factory}();
 * const handle = backend.alloc('float32', 3);
 * console.log(handle instanceof ${names.bufferClass}, handle.size); // true 3
 * backend.free(handle);
 * \`\`\`
 */
export class ${names.bufferClass} implements DataHandle {
  /** Number of elements. */
  readonly size: number;

  constructor(
    readonly dtype: DType,
    /** Float32Array, Int32Array, or Uint8Array of 0/1 for bool: float32 storage is float32-exact by construction. */
    readonly values: TypedArray,
  ) {
    this.size = values.length;
  }
}
`;
}

function backendSource({ names }: TemplateInputs): string {
  const file = `${names.folder}/src/${names.name}-backend.ts`;
  return `/**
 * The ${names.name} backend: the Backend contract of \`@gated/backend-api\` (version 1).
 *
 * Made by \`pnpm new-backend ${names.name}\`. Storage works (host typed arrays); every compute kernel
 * throws "not implemented" until it is written, and the conformance suite (\`pnpm test\`) reports
 * each kernel's own tests failing and everything built on it as blocked. What each kernel must
 * do is in the doc comments of \`Backend\` (hover a method) and in docs/adding-a-backend.md, with
 * the numeric rules every backend follows. Arguments arrive validated by the checked layer: a
 * kernel only computes.
 */
import { GatedError, SPEC_VERSION, allocArray, bytesPerElement, checkedBackend } from '@gated/backend-api';
import type { ArgReduceOp, Backend, BackendCaps, BackendMemory, BinaryOp, DType, DataHandle, RandomRequest } from '@gated/backend-api';
import type { ReduceOp, Shape, StridedSpec, TensorSpec, TypedArray, UnaryOp } from '@gated/backend-api';
import { ${names.bufferClass} } from './${names.name}-buffer.js';

function notImplemented(kernel: string): never {
  throw new GatedError(kernel, 'not implemented yet in the ${names.name} backend (${file})');
}

/**
 * The buffer behind a handle. The checked layer lets only live buffers this backend returned
 * through, so the cast is safe; it is the one place that makes it.
 */
function bufferOf(handle: DataHandle): ${names.bufferClass} {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- see above
  return handle as ${names.bufferClass};
}

/**
 * The ${names.name} backend. It trusts its arguments: create it with {@link ${names.factory}}, which
 * puts it behind the checked layer (as the tensor engine does with every backend).
 *
 * @example
 * \`\`\`ts
 * const backend = ${names.factory}();
 * const x = backend.alloc('float32', 2);
 * backend.write(x, Float32Array.of(1, 2));
 * console.log(backend.readSync(x)); // Float32Array(2) [1, 2]
 * backend.free(x);
 * \`\`\`
 */
export class ${names.backendClass} implements Backend {
  readonly specVersion: typeof SPEC_VERSION = SPEC_VERSION;
  readonly name = '${names.name}';
  /** Announce a fused kernel here (\`fused: { lstmCell: true }\`) once you implement it; the engine composes the rest. */
  readonly caps: BackendCaps = { syncRead: true, fused: {}, threads: 1 };

  private readonly live = new Set<${names.bufferClass}>();
  private liveBytes = 0;

  // ---- storage: host memory (a GPU backend keeps device buffers here instead) ----------------

  alloc(dtype: DType, size: number): DataHandle {
    const buffer = new ${names.bufferClass}(dtype, allocArray(dtype, size));
    this.live.add(buffer);
    this.liveBytes += size * bytesPerElement(dtype);
    return buffer;
  }

  write(handle: DataHandle, values: TypedArray, offset = 0): void {
    const buffer = bufferOf(handle);
    // bool is one byte per element, 0 or 1: never another non-zero byte.
    if (buffer.dtype === 'bool') for (let i = 0; i < values.length; i++) buffer.values[offset + i] = values[i] !== 0 ? 1 : 0;
    else buffer.values.set(values, offset);
  }

  read(handle: DataHandle): Promise<TypedArray> {
    return Promise.resolve(this.readSync(handle));
  }

  readSync(handle: DataHandle): TypedArray {
    return bufferOf(handle).values.slice();
  }

  free(handle: DataHandle): void {
    const buffer = bufferOf(handle);
    this.live.delete(buffer);
    this.liveBytes -= buffer.size * bytesPerElement(buffer.dtype);
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): BackendMemory {
    return { buffers: this.live.size, bytes: this.liveBytes };
  }

  dispose(): void {
    this.live.clear();
    this.liveBytes = 0;
  }

  // ---- the required compute core: each returns a new buffer the caller owns ------------------
  // Kernels see contiguous row-major inputs (TensorSpec: { data, shape }); the engine turns views
  // into contiguous buffers with stridedCopy first. docs/adding-a-backend.md has a table of what
  // the conformance suite checks for each kernel.

  fill(_dtype: DType, _size: number, _value: number): DataHandle {
    return notImplemented('fill');
  }

  cast(_x: TensorSpec, _dtype: DType): DataHandle {
    return notImplemented('cast');
  }

  unary(_op: UnaryOp, _x: TensorSpec): DataHandle {
    return notImplemented('unary');
  }

  binary(_op: BinaryOp, _a: TensorSpec, _b: TensorSpec, _outShape: Shape): DataHandle {
    return notImplemented('binary');
  }

  where(_cond: TensorSpec, _a: TensorSpec, _b: TensorSpec, _outShape: Shape): DataHandle {
    return notImplemented('where');
  }

  reduce(_op: ReduceOp, _x: TensorSpec, _axes: readonly number[]): DataHandle {
    return notImplemented('reduce');
  }

  argReduce(_op: ArgReduceOp, _x: TensorSpec, _axis: number): DataHandle {
    return notImplemented('argReduce');
  }

  matmul(_a: TensorSpec, _b: TensorSpec, _transposeA: boolean, _transposeB: boolean, _outShape: Shape): DataHandle {
    return notImplemented('matmul');
  }

  stridedCopy(_x: StridedSpec): DataHandle {
    return notImplemented('stridedCopy');
  }

  concat(_inputs: readonly TensorSpec[], _axis: number, _outShape: Shape): DataHandle {
    return notImplemented('concat');
  }

  gather(_x: TensorSpec, _indices: TensorSpec, _axis: number): DataHandle {
    return notImplemented('gather');
  }

  scatterAdd(_updates: TensorSpec, _indices: TensorSpec, _axis: number, _outShape: Shape): DataHandle {
    return notImplemented('scatterAdd');
  }

  random(_request: RandomRequest): DataHandle {
    return notImplemented('random');
  }
}

/**
 * Creates the ${names.name} backend behind the checked layer of \`@gated/backend-api\`.
 *
 * @example
 * \`\`\`ts
 * import { registerBackend, setBackend } from '@gated/tensor';
 * import { ${names.factory} } from '${names.packageName}';
 *
 * registerBackend('${names.name}', ${names.factory});
 * await setBackend('${names.name}');
 * \`\`\`
 */
export function ${names.factory}(): ${names.backendClass} {
  return checkedBackend(new ${names.backendClass}());
}
`;
}

function indexSource({ names }: TemplateInputs): string {
  return `/**
 * \`${names.packageName}\`: the ${names.name} backend of Gated.
 *
 * @example
 * \`\`\`ts
 * import { registerBackend, setBackend } from '@gated/tensor';
 * import { ${names.factory} } from '${names.packageName}';
 *
 * registerBackend('${names.name}', ${names.factory});
 * await setBackend('${names.name}');
 * \`\`\`
 */
export { ${names.backendClass}, ${names.factory} } from './${names.name}-backend.js';
export { ${names.bufferClass} } from './${names.name}-buffer.js';
`;
}

function changeset({ names }: TemplateInputs): string {
  return `---
"${names.packageName}": minor
---

First release of ${names.packageName}, the ${names.name} backend of Gated.
`;
}

/** Every file of the new package, and its changeset. */
export function packageFiles(inputs: TemplateInputs): GeneratedFile[] {
  const { names } = inputs;
  const at = (path: string, text: string): GeneratedFile => ({ path: `${names.folder}/${path}`, text });
  return [
    at('package.json', `${JSON.stringify(manifest(inputs), null, 2)}\n`),
    at('README.md', readme(inputs)),
    at('LICENSE', inputs.license),
    at('tsconfig.json', `{\n  "extends": "@gated/tsconfig/library.json",\n  "include": ["src", "test", "*.config.ts"]\n}\n`),
    at('tsup.config.ts', `import { gatedTsup } from '@gated/build-config/tsup';\n\nexport default gatedTsup();\n`),
    at(
      'eslint.config.js',
      `import { gated } from '@gated/eslint-config';\n\n// A backend imports only @gated/backend-api (the layering rule).\nexport default gated({ layer: 'backend', tsconfigRootDir: import.meta.dirname });\n`,
    ),
    at(
      'vitest.config.ts',
      `import { gatedVitest } from '@gated/vitest-config';\n\n// The conformance suite in Node and in headless Chromium (Debian's chromium, or CHROMIUM_PATH).\nexport default gatedVitest({ browser: true });\n`,
    ),
    at('src/index.ts', indexSource(inputs)),
    at(`src/${names.name}-backend.ts`, backendSource(inputs)),
    at(`src/${names.name}-buffer.ts`, bufferSource(inputs)),
    at(
      'test/conformance.test.ts',
      `import { describeBackend } from '@gated/backend-conformance';\nimport { ${names.factory} } from '../src/index.js';\n\ndescribeBackend('${names.name}', ${names.factory});\n`,
    ),
    { path: `.changeset/backend-${names.name}.md`, text: changeset(inputs) },
  ];
}

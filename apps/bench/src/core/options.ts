/** Command-line options shared by the Node and browser runners. */

export interface CliOptions {
  readonly quick: boolean;
  readonly json: boolean;
  /** `--workload` patterns (see `selectSpecs`); empty: everything. */
  readonly workloads: string[];
  /** `--backend` names or `prefix*` patterns; empty: every backend and peer available. */
  readonly backends: string[];
  /** `--out DIR`: also write result.json, results.md and chart.svg there. */
  readonly out: string | null;
  readonly help: boolean;
}

export const USAGE = `Usage: pnpm bench [--quick] [--json] [--workload ID[,ID...]] [--backend NAME[,NAME...]] [--out DIR]

  --quick         W1–W8, the scaling family, the small corner of the sweep and the smaller
                  micro-benchmarks, fewer runs and a tighter time budget (a 420 s deadline
                  per environment: specs not reached by then are skipped and listed)
  --json          print the result as JSON (one row per workload and backend) instead of tables
  --workload, -w  W1..W8, a spec id, a family (workloads, scaling, sweep, micro) or a
                  prefix* (matmul-*, scale-gru-*); gpu (or G1..G8) adds the larger GPU
                  workloads (hidden 512-2048, DeepBench shapes)
  --backend, -b   ts, wasm, wasm-2t, webgpu, tfjs-cpu, tfjs-wasm, tfjs-webgpu, onnxruntime,
                  onnxruntime-1t, brainjs, torch, torch-1t, torch-cuda, or a prefix* (tfjs-*); backend-ts
                  always runs as the reference the others are checked against
  --out DIR       also write result.json, results.md and chart.svg to DIR
`;

function list(value: string | undefined, flag: string): string[] {
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n\n${USAGE}`);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function parseArgs(argv: readonly string[]): CliOptions {
  let quick = false;
  let json = false;
  let help = false;
  let out: string | null = null;
  const workloads: string[] = [];
  const backends: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--json':
        json = true;
        break;
      case '--workload':
      case '-w':
        workloads.push(...list(value(), flag));
        break;
      case '--backend':
      case '-b':
        backends.push(...list(value(), flag));
        break;
      case '--out':
        out = list(value(), flag)[0]!;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      case '--':
        break;
      default:
        throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  return { quick, json, workloads, backends, out, help };
}

/** Whether a backend name matches `--backend` patterns (always true without patterns). */
export function backendSelected(name: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

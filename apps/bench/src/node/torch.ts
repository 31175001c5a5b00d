/**
 * PyTorch as a peer, through Debian's python3-torch (or `GATED_BENCH_PYTHON`): one worker process
 * running `torch/bench_torch.py`, shared by the `torch` (all cores), `torch-1t` and, where that
 * Python's torch sees a GPU, `torch-cuda` (cuDNN's RNNs, float32 with TF32 off) targets. Each
 * (spec, target) pair is a session in the worker, timed one step per request (the step's time is
 * taken in Python, around the step alone), so the runner interleaves PyTorch's steps with the
 * other targets'. When the Python cannot import torch, they are skipped with that reason.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { toleranceFor, type Reference } from '../core/check.js';
import { SkipError, type Method, type Session, type SpecData, type Target } from '../core/target.js';
import type { CheckResult, Spec } from '../core/types.js';

export const PYTHON = process.env['GATED_BENCH_PYTHON'] ?? '/usr/bin/python3';
// The real-GPU check runs this file bundled, away from torch/: it names the script's new place.
const SCRIPT = process.env['GATED_BENCH_TORCH_SCRIPT'] ?? fileURLToPath(new URL('../../torch/bench_torch.py', import.meta.url));

export interface TorchInfo {
  readonly torch: string;
  readonly blas: string;
  readonly maxThreads: number;
  readonly python: string;
  /** The GPU, CUDA and cuDNN versions, or null without CUDA. */
  readonly cuda: string | null;
}

interface Answer {
  id: number;
  ok: boolean;
  reason?: string;
  check?: CheckResult;
  threads?: number;
  ms?: number;
}

/** The Python worker: started once, answers one request at a time. */
export class TorchWorker {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private nextId = 1;
  private stderr = '';
  private exited: string | null = null;
  private dir: string | null = null;

  /** Starts the worker; resolves to its versions, or to why PyTorch cannot run here. */
  async start(): Promise<TorchInfo | string> {
    if (!existsSync(PYTHON)) return `${PYTHON} not found (install python3 and python3-torch from Debian)`;
    const child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    this.child = child;
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    const lines = createInterface({ input: child.stdout });
    const first = new Promise<TorchInfo | string>((resolve) => {
      let ready = false;
      lines.on('line', (line) => {
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        if (!ready) {
          ready = true;
          resolve(message['ready'] === true ? (message as unknown as TorchInfo) : String(message['reason']));
          return;
        }
        const answer = message as unknown as Answer;
        this.waiting.get(answer.id)?.(answer);
        this.waiting.delete(answer.id);
      });
      child.on('exit', (code) => {
        this.exited = `the PyTorch worker exited (${String(code)}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`;
        if (!ready) resolve(this.exited);
        for (const [, done] of this.waiting) done({ id: 0, ok: false, reason: this.exited });
        this.waiting.clear();
      });
      child.on('error', (error) => {
        if (!ready) resolve(`cannot start ${PYTHON}: ${error.message}`);
      });
    });
    return first;
  }

  private nextSession = 1;

  /** Sends one request (its `id` is filled in) and resolves to the worker's answer. */
  async call(message: Record<string, unknown>): Promise<Answer> {
    if (!this.child || this.exited !== null) return { id: 0, ok: false, reason: this.exited ?? 'the PyTorch worker is not running' };
    const id = this.nextId++;
    const answer = new Promise<Answer>((resolve) => this.waiting.set(id, resolve));
    this.child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    return answer;
  }

  /** Opens a session for one spec: the worker builds it, checks its outputs against the reference files, and keeps its step. */
  async open(
    spec: Spec,
    threads: number,
    reference: Reference,
    method: Method,
    device: 'cpu' | 'cuda' = 'cpu',
  ): Promise<{ session: number; answer: Answer }> {
    this.dir ??= join(tmpdir(), `gated-bench-${process.pid}`);
    await mkdir(this.dir, { recursive: true });
    const session = this.nextSession++;
    const files: Record<string, string> = {};
    const tolerances: Record<string, number> = {};
    for (const [key, values] of Object.entries(reference.outputs)) {
      const path = join(this.dir, `${session}-${key}.f32`);
      await writeFile(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      files[key] = path;
      tolerances[key] = toleranceFor(key);
    }
    try {
      const answer = await this.call({
        op: 'open',
        session,
        spec,
        threads,
        device,
        method,
        reference: { block: reference.block, files },
        tolerances,
      });
      return { session, answer };
    } finally {
      await Promise.all(Object.values(files).map((path) => rm(path, { force: true })));
    }
  }

  async close(): Promise<void> {
    if (this.child && this.exited === null) {
      const exited = new Promise<void>((resolve) =>
        this.child!.once('exit', () => {
          resolve();
        }),
      );
      this.child.stdin.end();
      await exited;
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

export class TorchTarget implements Target {
  readonly group = 'peer' as const;
  note?: string;

  constructor(
    readonly name: string,
    public threads: number,
    private readonly worker: TorchWorker,
    private readonly device: 'cpu' | 'cuda' = 'cpu',
  ) {}

  supports(spec: Spec): string | null {
    if (spec.kind === 'micro' && spec.op === 'cell-pointwise') {
      return "PyTorch's fused pointwise LSTM cell (_thnn_fused_lstm_cell) has no public API; its cell is measured as `cell`";
    }
    return null;
  }

  async open(spec: Spec, _data: SpecData, reference: Reference, method: Method): Promise<Session> {
    const { session, answer } = await this.worker.open(spec, this.threads, reference, method, this.device);
    if (!answer.ok || !answer.check) throw new SkipError(answer.reason ?? 'no answer from the PyTorch worker');
    const worker = this.worker;
    return {
      check: answer.check,
      async timeStep() {
        const step = await worker.call({ op: 'step', session });
        if (!step.ok || step.ms === undefined) throw new Error(step.reason ?? 'no answer from the PyTorch worker');
        return step.ms;
      },
      footprint: () => Promise.resolve({ peakBytes: null, dispatchesPerStep: null }),
      async close() {
        await worker.call({ op: 'close', session });
      },
    };
  }
}

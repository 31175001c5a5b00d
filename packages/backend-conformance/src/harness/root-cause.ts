/**
 * The root-cause report (docs/decisions/0022). Kernel suites run first; a test that fails while
 * calling a kernel, in that kernel's own suite, makes the kernel a root cause. A later test that
 * fails and called a root-cause kernel outside its own suite is reported as skipped with the note
 * `blocked by binary > sub` instead of as one more failure under another name; a test that passes
 * still passes. The last test of the run, `root causes`, lists them.
 */
import { kernelHomes, kernelMethod } from './kernel-calls.js';

interface RootCause {
  /** The first failing test in the kernel's own suite. */
  readonly firstFailure: string;
  failures: number;
  blocked: number;
}

function within(testId: string, home: string): boolean {
  return testId === home || testId.startsWith(`${home} > `);
}

/** The kernels called whose method threw `error`, when it is a GatedError naming one (`fill: …`). */
function throwingKernels(called: ReadonlySet<string>, error: unknown): string[] {
  if (!(error instanceof Error) || error.name !== 'GatedError') return [];
  const op = (error as Error & { op?: unknown }).op;
  return typeof op === 'string' ? [...called].filter((kernel) => kernelMethod(kernel, op)) : [];
}

export class RootCauses {
  private readonly causes = new Map<string, RootCause>();

  /**
   * A test failed with `error`: returns the note to skip it with when a root-cause kernel it
   * called explains the failure, or null when the failure is its own. Then the kernels it called
   * within their own suite become root causes: the one that threw, when the error is a
   * GatedError of a kernel it called ("fill: not implemented yet"); else all of them, storage
   * only when nothing else was called there. `testId` is the ` > `-joined title path.
   */
  failed(testId: string, called: ReadonlySet<string>, error: unknown): string | null {
    const atHome = (kernel: string) => kernelHomes(kernel).some((home) => within(testId, home));
    const blocking = [...called].filter((kernel) => this.causes.has(kernel) && !atHome(kernel));
    if (blocking.length > 0) {
      for (const kernel of blocking) this.causes.get(kernel)!.blocked++;
      return `blocked by ${blocking.join(', ')}: ${blocking.length === 1 ? 'it fails' : 'they fail'} its own tests (see "root causes")`;
    }
    const thrower = throwingKernels(called, error).filter(atHome);
    let blamed = thrower.length > 0 ? thrower : [...called].filter(atHome);
    if (blamed.length > 1) blamed = blamed.filter((kernel) => kernel !== 'storage');
    for (const kernel of blamed) {
      const cause = this.causes.get(kernel);
      if (cause) cause.failures++;
      else this.causes.set(kernel, { firstFailure: testId, failures: 1, blocked: 0 });
    }
    return null;
  }

  /** The summary the `root causes` test fails with, or '' when no kernel failed its own tests. */
  summary(): string {
    if (this.causes.size === 0) return '';
    const lines = [...this.causes].map(
      ([kernel, cause]) =>
        `${kernel}: ${cause.failures} failing test${cause.failures === 1 ? '' : 's'} of its own (first: ${cause.firstFailure}); ` +
        `${cause.blocked} test${cause.blocked === 1 ? '' : 's'} elsewhere blocked by it`,
    );
    const one = this.causes.size === 1;
    return (
      `${one ? '1 kernel fails its' : `${this.causes.size} kernels fail their`} own tests; fix ${one ? 'it' : 'them'} first ` +
      `(tests elsewhere that used ${one ? 'it' : 'them'} and failed are reported as skipped, "blocked by …"):\n  ${lines.join('\n  ')}`
    );
  }
}

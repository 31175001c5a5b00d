/**
 * What can make the backend unusable, and how it is reported. WebGPU reports most failures
 * asynchronously (device loss, out-of-memory and validation errors through error scopes or the
 * `uncapturederror` event), while the contract's compute calls are synchronous. So a failure is
 * recorded here when it arrives, and from then on every call throws it (as a GatedError naming the
 * call) and every pending or later read rejects with it: nothing hangs, and nothing returns results
 * computed after a submission was dropped.
 */
import { GatedError } from '@gated/backend-api';

export class Failures {
  /** Why the device was lost, once it was. */
  lost: string | null = null;
  /** The first asynchronous failure (out of memory, a kernel that failed to compile or validate). */
  failure: GatedError | null = null;
  disposed = false;
  /** Whether `failure` is a root cause (see `fail`). */
  private failureIsCause = false;
  private readonly rejecters = new Set<(error: GatedError) => void>();
  /** Error-scope results not in yet (compilations, allocations, submissions). */
  private readonly checks = new Set<Promise<unknown>>();

  /** Tracks an error-scope result until it settles, so that `settled` can wait for it. */
  watch(check: Promise<unknown>): void {
    const tracked = check.catch(() => undefined).finally(() => this.checks.delete(tracked));
    this.checks.add(tracked);
  }

  /** Resolves once every error-scope result watched so far is in (and recorded, if it was an error). */
  async settled(): Promise<void> {
    while (this.checks.size > 0) await Promise.all([...this.checks]);
  }

  /** The error a call to `op` must throw now, or null when the backend is usable. */
  errorFor(op: string): GatedError | null {
    if (this.disposed) return new GatedError(op, 'the webgpu backend was disposed');
    if (this.lost !== null) {
      return new GatedError(op, `the WebGPU device was lost (${this.lost}); its buffers are gone: create a new backend`);
    }
    if (this.failure) return new GatedError(op, `the webgpu backend failed earlier: ${this.failure.message}`, { cause: this.failure });
    return null;
  }

  /** Throws the error a call to `op` must throw now, if any. */
  check(op: string): void {
    const error = this.errorFor(op);
    if (error) throw error;
  }

  /** Records the device's loss and rejects every pending read. */
  deviceLost(reason: string): void {
    if (this.lost !== null || this.disposed) return;
    this.lost = reason;
    this.rejectPending();
  }

  /**
   * Records the first asynchronous failure and rejects every pending read. A `cause` (a kernel
   * that failed to compile) replaces an earlier failure that was only its consequence (the
   * device's complaint about the invalid pipeline, which can arrive first).
   */
  fail(error: GatedError, cause = false): void {
    if (this.disposed) return;
    if (this.failure && !(cause && !this.failureIsCause)) return;
    this.failure = error;
    this.failureIsCause = cause;
    this.rejectPending();
  }

  /** Tracks a pending read's reject function until `settled` is called. */
  track(reject: (error: GatedError) => void): () => void {
    this.rejecters.add(reject);
    return () => this.rejecters.delete(reject);
  }

  private rejectPending(): void {
    const error = this.errorFor('read');
    if (!error) return;
    for (const reject of this.rejecters) reject(error);
    this.rejecters.clear();
  }
}

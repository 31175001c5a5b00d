/**
 * One model operation at a time: training steps, sampling, inspection and backend moves all
 * touch the same tensors, and a GPU backend's reads are truly asynchronous, so operations must
 * not interleave. Each runs after the previous one settles.
 */
export class Lock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Lets queued messages (pause, a sample request) in between two training steps: a macrotask turn without timer clamping. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

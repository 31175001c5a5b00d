/**
 * brain.js's TrainStream extends Node's `stream.Writable` at load time; the benchmark never uses
 * it, but the class must exist in the browser for brain.js to load.
 */
export class Writable {
  readonly writable = true;
}

export default { Writable };
